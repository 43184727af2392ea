// The query page: YASGUI set up for people reading policy data.
//  - the editor knows the prefixes the endpoint predeclares (a query using pkg: is not marked wrong);
//  - result tables show labels (fetched from the endpoint) instead of IRIs, compact names where
//    there is no label, plain values instead of "60"^^xsd:integer, and link to this server's own
//    pages in the same tab;
//  - long cells wrap instead of being cut to "无锡…", and the table scrolls inside the page;
//  - a canned query (or a query link) opened here runs at once; a truncated result is said so.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("query-page-data").textContent);
  var root = document.getElementById("yasgui");
  if (typeof Yasgui === "undefined") {
    root.textContent = "YASGUI is not installed (run .ci/install to vendor it).";
    return;
  }
  var PREFIXES = data.prefixes;          // what the endpoint predeclares
  var LOCAL = data.localBases;           // [[namespace, local path prefix], ...]
  var DISPLAY_PREFIXES = Object.assign({}, PREFIXES, data.displayPrefixes);
  var endpoint = new URL(data.endpoint, window.location.href).toString();

  // 1. the editor: every query starts with our prefixes declared
  var CM = Yasgui.Yasqe;
  var sparqlMode = CM.modes && CM.modes.sparql11;
  if (sparqlMode) {
    CM.defineMode("sparql11", function (config, parserConfig) {
      var mode = sparqlMode(config, parserConfig);
      var start = mode.startState;
      mode.startState = function () {
        var state = start.apply(this, arguments);
        state.prefixes = Object.assign({}, PREFIXES, state.prefixes);
        return state;
      };
      return mode;
    });
  }

  // 2. the result table
  var labels = {};  // IRI -> label (null: asked, none)
  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  function localHref(iri) {
    for (var i = 0; i < LOCAL.length; i++) {
      if (iri.indexOf(LOCAL[i][0]) === 0) return LOCAL[i][1] + iri.substring(LOCAL[i][0].length);
    }
    return /^https?:/.test(iri) ? iri : "#";
  }
  function compactIri(iri, prefixes) {
    var all = Object.assign({}, DISPLAY_PREFIXES, prefixes || {});
    var best = null;
    Object.keys(all).forEach(function (p) {
      var ns = all[p];
      if (ns && iri.indexOf(ns) === 0 && (!best || ns.length > all[best].length)) best = p;
    });
    return best === null ? iri : best + ":" + iri.substring(all[best].length);
  }
  var Base = Yasgui.Yasr.plugins.table;
  Base.defaults.openIriInNewWindow = false;  // our own pages, same tab
  class ReadableTable extends Base {
    getCellContent(binding, prefixes) {
      if (binding.type === "uri") {
        var name = compactIri(binding.value, prefixes);
        var label = labels[binding.value];
        var external = localHref(binding.value) === binding.value;
        return "<div><a class='iri' href='" + esc(localHref(binding.value)) + "' title='" + esc(name) + "'" +
          (external ? " rel='noopener'" : "") + ">" + esc(label || name) + "</a></div>";
      }
      var title = binding.datatype ? compactIri(binding.datatype, prefixes) : (binding["xml:lang"] || "");
      return "<div><span class='nonIri'" + (title ? " title='" + esc(title) + "'" : "") + ">" +
        esc(binding.value) + "</span></div>";
    }
    draw(persistentConfig) {
      // wrapped cells, never cut with an ellipsis (unless the reader turns it on)
      return super.draw(Object.assign({isEllipsed: false}, persistentConfig || {}));
    }
  }
  Yasgui.Yasr.registerPlugin("table", ReadableTable);

  function unlabelled(yasr) {
    var out = {};
    var bindings = (yasr.results && yasr.results.getBindings && yasr.results.getBindings()) || [];
    bindings.forEach(function (b) {
      Object.keys(b).forEach(function (v) {
        var t = b[v];
        if (t && t.type === "uri" && !(t.value in labels) && !/[<>"\s]/.test(t.value)) out[t.value] = true;
      });
    });
    return Object.keys(out).slice(0, 3000);
  }
  function pickLabel(byLang) {
    var order = ["zh-hans", "zh", "zh-cn", "zh-hant", "zh-tw", ""];
    var zh = null;
    for (var i = 0; i < order.length && zh === null; i++) if (order[i] in byLang) zh = byLang[order[i]];
    var en = byLang.en || null;
    if (zh && en && zh !== en) return zh + " · " + en;
    return zh || en || byLang[Object.keys(byLang)[0]];
  }
  function fetchLabels(iris) {
    var chunks = [];
    for (var i = 0; i < iris.length; i += 150) chunks.push(iris.slice(i, i + 150));
    return Promise.all(chunks.map(function (chunk) {
      var q = "SELECT DISTINCT ?s ?l WHERE { VALUES ?s { " + chunk.map(function (x) { return "<" + x + ">"; }).join(" ") +
        " } ?s skos:prefLabel|rdfs:label ?l }";
      return fetch(endpoint, {
        method: "POST",
        headers: {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"},
        body: new URLSearchParams({query: q})
      }).then(function (r) { return r.ok ? r.json() : {results: {bindings: []}}; }).then(function (json) {
        var by = {};
        json.results.bindings.forEach(function (b) {
          var lang = (b.l["xml:lang"] || "").toLowerCase();
          (by[b.s.value] = by[b.s.value] || {})[lang] = by[b.s.value][lang] || b.l.value;
        });
        chunk.forEach(function (iri) { labels[iri] = by[iri] ? pickLabel(by[iri]) : null; });
      });
    }));
  }
  function labelResults(tab) {
    var yasr = tab.getYasr();
    var todo = unlabelled(yasr);
    if (!todo.length) return Promise.resolve();
    return fetchLabels(todo).then(function () { yasr.refresh(); }, function () { /* labels are a convenience */ });
  }

  // 3. YASGUI itself
  Yasgui.Yasqe.defaults.value = data.defaultQuery;
  var yasgui = new Yasgui(root, {
    requestConfig: {endpoint: endpoint, method: "POST"},
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: {getData: function () { return [{endpoint: endpoint}]; }},
    persistenceId: null,
    yasqe: {resizeable: true},
    yasr: {prefixes: DISPLAY_PREFIXES}
  });
  window.policykgYasgui = yasgui;

  // say plainly when the server cut the result at its row limit
  function checkTruncated(tab) {
    var note = document.getElementById("truncated");
    note.hidden = true;
    try {
      var res = tab.getYasr().results;
      if (res && res.getType() === "json") {
        var body = JSON.parse(res.getOriginalResponseAsString());
        if (body.truncated) {
          note.textContent = body.truncated.message + " Export the full result as CSV from the canned queries, or add LIMIT/OFFSET.";
          note.hidden = false;
        }
      }
    } catch (e) { /* not JSON: nothing to say */ }
  }
  yasgui.on("queryResponse", function (instance, tab) {
    setTimeout(function () {  // YASR takes the response after this event
      checkTruncated(tab);
      labelResults(tab).then(function () { root.setAttribute("data-labelled", "true"); });
    }, 0);
  });
  yasgui.on("query", function () { root.removeAttribute("data-labelled"); });

  var tab = yasgui.getTab();
  tab.setQuery(data.defaultQuery);
  var select = document.getElementById("canned");
  if (data.chosen) select.value = data.chosen;
  select.addEventListener("change", function (ev) {
    var t = data.tabs.find(function (x) { return x.name === ev.target.value; });
    if (!t) return;
    var current = yasgui.getTab();
    current.setQuery(t.query);
    current.query();
  });
  if (data.run) tab.query();
})();

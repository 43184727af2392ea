"""The server over the real corpus (loaded by `policykg load`): canned queries, linked data, search."""

from __future__ import annotations

import csv
import io
from collections import defaultdict

import pyoxigraph as ox
import pytest
import requests
from conftest import RunningServer
from rdflib import Graph

PKG = "https://w3id.org/policykg/ontology#"
BASE = "https://w3id.org/policykg/id/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
CANNED = ["agency-owns", "top-owners", "unowned-measures", "lead-vs-co", "figures-above", "goals-deadlines",
          "shared-agencies", "function-across-cities", "measure-search"]


@pytest.fixture(scope="module")
def store(corpus_store):
    s = ox.Store.read_only(corpus_store)
    yield s
    del s


def _json_term(t):
    if isinstance(t, ox.NamedNode):
        return ("uri", t.value)
    if isinstance(t, ox.BlankNode):
        return ("bnode",)
    lang = t.language or None
    dt = None if lang or t.datatype.value == "http://www.w3.org/2001/XMLSchema#string" else t.datatype.value
    return ("literal", t.value, dt, lang)


def _from_srj(b):
    if b["type"] == "uri":
        return ("uri", b["value"])
    if b["type"] == "bnode":
        return ("bnode",)
    return ("literal", b["value"], b.get("datatype"), b.get("xml:lang"))


def _direct(store, text):
    res = store.query(text, use_default_graph_as_union=True)
    names = [v.value for v in res.variables]
    return names, [tuple(None if t is None else _json_term(t) for t in sol) for sol in res]


def test_canned_query_listing(corpus_server):
    listing = requests.get(corpus_server.url + "/queries", headers={"Accept": "application/json"}, timeout=30).json()
    names = {q["name"] for q in listing}
    assert set(CANNED) <= names and len(names) >= 8
    assert any(p["name"] == "agency" for q in listing for p in q["params"])


@pytest.mark.parametrize("name", CANNED)
def test_canned_query_rows_match_the_store(corpus_server, store, name):
    """Over HTTP (JSON and CSV) a canned query returns exactly the rows the store gives for it."""
    from policykg.server.canned import load_all

    text = load_all()[name].render()
    names, expected = _direct(store, text)
    r = requests.get(f"{corpus_server.url}/queries/{name}", params={"format": "json"}, timeout=60)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [v for v in body["head"]["vars"]] == names
    got = [tuple(_from_srj(b[v]) if v in b else None for v in names) for b in body["results"]["bindings"]]
    assert got == expected
    r = requests.get(f"{corpus_server.url}/queries/{name}", params={"format": "csv"}, timeout=60)
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8"), newline="")))
    assert rows[0] == names and len(rows) - 1 == len(expected)


def test_canned_queries_have_answers(corpus_server):
    """Each canned query finds something in the corpus (non-empty, sensible defaults)."""
    for name in CANNED:
        r = requests.get(f"{corpus_server.url}/queries/{name}", params={"format": "json"}, timeout=60)
        assert r.json()["results"]["bindings"], name


def test_agency_owns_matches_either_script(corpus_server, store):
    def measures(agency):
        r = requests.get(f"{corpus_server.url}/queries/agency-owns", params={"agency": agency, "format": "json"},
                         timeout=60)
        return {b["measure"]["value"] for b in r.json()["results"]["bindings"]}

    hans, hant = measures("发展改革委"), measures("發展改革委")
    assert hans and hans == hant
    # independent check, without SPARQL: the measures of every agent named like that
    agencies = set()
    for q in store.quads_for_pattern(None, None, None, None):
        if q.predicate.value in (SKOS + "prefLabel", SKOS + "altLabel", RDFS_LABEL) \
                and isinstance(q.object, ox.Literal) and "发展改革委" in q.object.value:
            agencies.add(q.subject.value)
    owned = set()
    for q in store.quads_for_pattern(None, ox.NamedNode(PKG + "agency"), None, None):
        if q.object.value in agencies:
            for m in store.quads_for_pattern(q.subject, ox.NamedNode(PKG + "measure"), None, None):
                owned.add(m.object.value)
    assert hans == owned


def test_top_owners_counts_independently(corpus_server, store):
    counts = defaultdict(set)
    for q in store.quads_for_pattern(None, ox.NamedNode(PKG + "agency"), None, None):
        for m in store.quads_for_pattern(q.subject, ox.NamedNode(PKG + "measure"), None, None):
            counts[q.object.value].add(m.object.value)
    r = requests.get(f"{corpus_server.url}/queries/top-owners", params={"format": "json", "limit": "5"}, timeout=60)
    rows = r.json()["results"]["bindings"]
    assert len(rows) == 5
    for row in rows:
        assert int(row["measures"]["value"]) == len(counts[row["agent"]["value"]])
    assert int(rows[0]["measures"]["value"]) == max(len(v) for v in counts.values())


def test_figures_threshold_parameter(corpus_server):
    def values(min_value):
        r = requests.get(f"{corpus_server.url}/queries/figures-above",
                         params={"format": "json", "min_value": min_value}, timeout=60)
        assert r.status_code == 200, r.text
        return r.json()["results"]["bindings"]

    low, high = values("10"), values("1000")
    assert len(high) < len(low)
    for b in high:
        v = b.get("value") or b.get("maxValue") or b.get("minValue")
        assert float(v["value"]) >= 1000
    r = requests.get(f"{corpus_server.url}/queries/figures-above", params={"min_value": "1; DROP"}, timeout=30)
    assert r.status_code == 400


def test_canned_csv_is_not_row_capped(corpus_store):
    server = RunningServer(corpus_store, ["--max-rows", "5", "--workers", "1"])
    try:
        r = requests.get(server.url + "/queries/unowned-measures", params={"format": "json"}, timeout=60)
        assert r.headers["X-Result-Truncated"] == "true" and len(r.json()["results"]["bindings"]) == 5
        r = requests.get(server.url + "/queries/unowned-measures", headers={"Accept": "text/csv"}, timeout=60)
        assert r.status_code == 200 and "X-Result-Truncated" not in r.headers
        assert len(list(csv.reader(io.StringIO(r.text)))) > 6
    finally:
        server.stop()


def _a_measure_with_everything(store):
    rows = list(store.query(f"""PREFIX pkg: <{PKG}> PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT ?m ?exact WHERE {{ ?m a pkg:Measure ; pkg:hasFigure ?f ; prov:wasDerivedFrom ?sr .
          ?ob pkg:measure ?m . ?sr oa:hasSelector ?q . ?q oa:exact ?exact }} ORDER BY ?m LIMIT 1""",
                            use_default_graph_as_union=True))
    return rows[0]["m"].value, rows[0]["exact"].value


def test_measure_page_html_and_rdf(corpus_server, store):
    iri, exact = _a_measure_with_everything(store)
    path = "/id/" + iri[len(BASE):]
    r = requests.get(corpus_server.url + path, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
                     timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    html = r.text
    assert exact[:40] in html  # the source quote
    assert "Owners" in html and "Figures" in html
    assert "/id/agency/" in html  # links to neighbours, served here
    for accept, parse_as in [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                             ("application/n-triples", "nt")]:
        r = requests.get(corpus_server.url + path, headers={"Accept": accept}, timeout=30)
        assert r.status_code == 200 and r.headers["Content-Type"].startswith(accept)
        g = Graph().parse(data=r.text, format=parse_as)
        assert len(list(g.triples((None, None, None)))) > 5
        assert (None, None, None) in g
    assert requests.get(corpus_server.url + "/id/no/such/thing", timeout=30).status_code == 404
    r = requests.get(corpus_server.url + path, headers={"Accept": "image/png"}, timeout=30)
    assert r.status_code == 406


def test_ontology_shapes_void_served(corpus_server):
    for path in ("/ontology", "/shapes"):
        r = requests.get(corpus_server.url + path, headers={"Accept": "text/turtle"}, timeout=30)
        assert r.status_code == 200 and len(Graph().parse(data=r.text, format="turtle")) > 10
        r = requests.get(corpus_server.url + path, headers={"Accept": "text/html"}, timeout=30)
        assert r.status_code == 200 and "<table" in r.text
    r = requests.get(corpus_server.url + "/.well-known/void", headers={"Accept": "text/turtle"}, timeout=30)
    g = Graph().parse(data=r.text, format="turtle")
    from rdflib import URIRef

    assert (None, URIRef("http://rdfs.org/ns/void#sparqlEndpoint"), None) in g


def test_home_page_statistics(corpus_server, store):
    html = requests.get(corpus_server.url + "/", timeout=30).text
    n = len(list(store.query(f"SELECT DISTINCT ?m WHERE {{ ?m a <{PKG}Measure> }}", use_default_graph_as_union=True)))
    assert f'data-stat="measures">{n}<' in html


def test_search_matches_either_script(corpus_server):
    def hits(q, kind="all"):
        r = requests.get(corpus_server.url + "/search", params={"q": q, "kind": kind, "format": "json"}, timeout=30)
        return {h["iri"] for h in r.json()["results"]}

    simplified, traditional = hits("发展改革委", "agency"), hits("發展改革委", "agency")
    assert simplified and simplified == traditional
    assert hits("民營企業", "measure") == hits("民营企业", "measure") != set()


def test_named_graph_iri_dereferences_to_the_graph(corpus_server, store):
    graph = next(g.value for g in store.named_graphs() if "/graph/doc/" in g.value)
    n = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
    url = corpus_server.url + "/id/" + graph[len(BASE):]
    r = requests.get(url, headers={"Accept": "application/n-triples"}, timeout=60)
    assert r.status_code == 200
    assert len([line for line in r.text.splitlines() if line.strip()]) == n
    r = requests.get(url, headers={"Accept": "text/html"}, timeout=60)
    assert f"{n} triples" in r.text


def test_crawl_the_html_pages(corpus_server, store):
    """Follow the links of the HTML pages (from a measure, the home page and the schema pages): every
    page answers 200, none an error."""
    import collections
    import re

    iri, _ = _a_measure_with_everything(store)
    queue = collections.deque(["/id/" + iri[len(BASE):], "/", "/ontology", "/shapes", "/queries"])
    seen: set[str] = set()
    bad = []
    while queue and len(seen) < 150:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        r = requests.get(corpus_server.url + path, headers={"Accept": "text/html"}, timeout=60)
        if r.status_code != 200:
            bad.append((path, r.status_code))
        if r.headers.get("Content-Type", "").startswith("text/html"):
            for m in re.finditer(r'href="(/(?:id|ontology|shapes|queries|search|query)[^"#]*)"', r.text):
                queue.append(m.group(1).replace("&amp;", "&"))
    assert len(seen) >= 100 and bad == []
    r = requests.get(corpus_server.url + "/id/" + iri[len(BASE):], headers={"Accept": "application/json"}, timeout=30)
    assert r.headers["Content-Type"].startswith("application/ld+json")

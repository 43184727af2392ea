"""What the HTML pages of measures, plans, agencies, jurisdictions and source files show, built from a few
bounded SELECTs.

Every query follows one pattern, the one that made the canned queries fast and exact: match the core
facts inside `GRAPH ?g { … }` and take them DISTINCT (a work read from two files, one per script, is in
two document graphs, and the union default graph multiplies joins), then fetch labels for the IRIs
found with one VALUES query. Lists that grow with the store are paged."""

from __future__ import annotations

import re
from dataclasses import dataclass

from policykg.graph.gazetteer import to_simplified
from policykg.graph.namespaces import PKG_IRI, PREFIXES
from policykg.graph.numbering import numbering_sort_key

from .terms import Terms, comparator_sign, readable_number

P = PREFIXES
PFX = "".join(f"PREFIX {k}: <{P[k]}>\n" for k in ("pkg", "rdf", "rdfs", "skos", "eli", "prov", "oa",
                                                   "dcterms", "time", "xsd"))
RDF_TYPE = P["rdf"] + "type"
RDFS_LABEL = P["rdfs"] + "label"
PKG = PKG_IRI
ROLE_ORDER = {PKG + "Lead": 0, PKG + "CoResponsible": 1, PKG + "Inherited": 2}
LABEL_CHUNK = 300
SELECTOR_IRI = re.compile(r"^(?P<file>.+/file/[0-9a-f]+)/text/(?P<start>\d+)-(?P<end>\d+)$")


def iri(value: str) -> str:
    if any(c in value for c in '<>"{}|^`\\ \n\t\r'):
        raise ValueError("not an IRI")
    return f"<{value}>"


def v(row: dict, key: str) -> str | None:
    t = row.get(key)
    return t["value"] if t else None


# ---------------------------------------------------------------------------------------- labels

def label_rank(lang: str | None) -> int:
    """Which label a page shows first: Simplified, then untagged, other Chinese, English, Traditional."""
    lang = (lang or "").lower()
    order = {"zh-hans": 0, "zh-cn": 0, "": 1, "zh": 2, "en": 3, "zh-hant": 4}
    return order.get(lang, 5)


def best(labels: list[tuple[str, str | None]]) -> str | None:
    return min(labels, key=lambda x: (label_rank(x[1]), x[0]))[0] if labels else None


NAMING = "rdfs:label|skos:prefLabel|eli:title|pkg:fileName"


def labels_of(ep, iris: list[str] | set[str], props: str = NAMING) -> dict[str, str]:
    """The best label of each IRI (one VALUES query per few hundred): its rdfs:label, else another name
    (a SKOS label, an expression's title, a file's name)."""
    found: dict[str, list[tuple[str, str | None]]] = {}
    todo = sorted(set(iris))
    for i in range(0, len(todo), LABEL_CHUNK):
        values = " ".join(iri(x) for x in todo[i:i + LABEL_CHUNK])
        for r in ep.raw(f"""{PFX}SELECT DISTINCT ?x ?l WHERE {{ VALUES ?x {{ {values} }}
                GRAPH ?g {{ ?x {props} ?l }} }}"""):
            found.setdefault(r["x"]["value"], []).append((r["l"]["value"], r["l"].get("xml:lang")))
    return {k: best(ls) for k, ls in found.items()}


def readable_labels(ep, iris: set[str]) -> dict[str, str]:
    """labels_of, and for works without a title the readable stand-in of `document_titles`."""
    if not iris:
        return {}
    labels = labels_of(ep, iris)
    rest = sorted(iris - set(labels))
    if rest:
        works = [v(r, "x") for r in ep.raw(f"""{PFX}SELECT DISTINCT ?x WHERE {{ VALUES ?x {{ {" ".join(iri(x) for x in rest)} }}
            GRAPH ?g {{ ?x a pkg:PolicyDocument }} }}""")]
        labels.update(document_titles(ep, works))
    return labels


def types_of(ep, x: str) -> set[str]:
    return {r["t"]["value"] for r in ep.raw(f"SELECT DISTINCT ?t WHERE {{ GRAPH ?g {{ {iri(x)} a ?t }} }}")}


# ---------------------------------------------------------------------------------------- statements

@dataclass
class Node:
    """The distinct statements about one resource, by predicate."""
    iri: str
    props: dict[str, list[dict]]

    def values(self, p: str) -> list[str]:
        return [o["value"] for o in self.props.get(p, [])]

    def first(self, p: str) -> str | None:
        vs = self.values(p)
        return vs[0] if vs else None

    def labels(self, p: str = RDFS_LABEL) -> list[tuple[str, str | None]]:
        return [(o["value"], o.get("xml:lang")) for o in self.props.get(p, [])]

    def label(self) -> str | None:
        for p in (RDFS_LABEL, P["skos"] + "prefLabel", P["eli"] + "title", PKG + "fileName"):
            if self.props.get(p):
                return best(self.labels(p))
        return None


def node(ep, x: str, limit: int = 2000) -> Node:
    props: dict[str, list[dict]] = {}
    for r in ep.raw(f"SELECT DISTINCT ?p ?o WHERE {{ GRAPH ?g {{ {iri(x)} ?p ?o }} }} LIMIT {limit}"):
        props.setdefault(r["p"]["value"], []).append(r["o"])
    return Node(x, props)


def statements(ep, n: Node, terms: Terms) -> list[dict]:
    """The raw statements of a node for its page: predicate, object and the object's label."""
    objs = {o["value"] for p, os in n.props.items() if p != RDF_TYPE for o in os if o["type"] == "uri"}
    labels = readable_labels(ep, objs)
    out = []
    for p, os in sorted(n.props.items()):
        for o in sorted(os, key=lambda o: o["value"]):
            lab = None
            if o["type"] == "uri":
                lab = labels.get(o["value"]) or (terms.both(o["value"]) if terms.known(o["value"]) else None)
                span = selector_span(o["value"])
                lab = lab or (f"characters {span[1]}–{span[2]} of file {span[0].rsplit('/', 1)[-1]}" if span else None)
            out.append({"p": p, "p_label": terms.both(p) if terms.known(p) else None, "o": o, "label": lab})
    return out


def incoming(ep, x: str, limit: int = 200) -> tuple[list[dict], bool]:
    """Who points at the resource (bounded: the page says when there are more)."""
    rows = ep.raw(f"SELECT DISTINCT ?s ?p WHERE {{ GRAPH ?g {{ ?s ?p {iri(x)} }} }} LIMIT {limit + 1}")
    more = len(rows) > limit
    rows = rows[:limit]
    labels = readable_labels(ep, {r["s"]["value"] for r in rows if r["s"]["type"] == "uri"})
    return [{"s": r["s"], "p": r["p"]["value"], "label": labels.get(r["s"]["value"])} for r in rows], more


# ---------------------------------------------------------------------------------------- quotes

def selector_span(sel: str) -> tuple[str, int, int] | None:
    m = SELECTOR_IRI.match(sel)
    return (m["file"], int(m["start"]), int(m["end"])) if m else None


def quotes_of(ep, subjects: list[str]) -> dict[str, list[dict]]:
    """subject -> its source quotes (exact text, file, offsets), in file then offset order."""
    if not subjects:
        return {}
    values = " ".join(iri(s) for s in subjects)
    rows = ep.raw(f"""{PFX}SELECT DISTINCT ?s ?sel ?src ?start ?end ?exact ?fname WHERE {{ VALUES ?s {{ {values} }}
        GRAPH ?g {{ ?s prov:wasDerivedFrom ?sel . ?sel oa:hasSource ?src ; oa:hasSelector ?pos, ?q .
          ?pos oa:start ?start ; oa:end ?end . ?q oa:exact ?exact . OPTIONAL {{ ?src pkg:fileName ?fname }} }} }}""")
    out: dict[str, list[dict]] = {}
    for r in rows:
        out.setdefault(v(r, "s"), []).append({
            "sel": v(r, "sel"), "file": v(r, "src"), "file_name": v(r, "fname") or v(r, "src").rsplit("/", 1)[-1],
            "start": int(v(r, "start")), "end": int(v(r, "end")), "exact": v(r, "exact")})
    for qs in out.values():  # the Simplified text first, as labels are
        qs.sort(key=lambda q: (to_simplified(q["exact"]) != q["exact"], q["file_name"], q["start"]))
    return out


# ---------------------------------------------------------------------------------------- measure

def owners_of(ep, measures: list[str], terms: Terms) -> dict[str, list[dict]]:
    """measure -> its owners, lead first, each with a readable role (and where an inherited duty comes
    from)."""
    if not measures:
        return {}
    values = " ".join(iri(m) for m in measures)
    rows = ep.raw(f"""{PFX}SELECT DISTINCT ?m ?ob ?agency ?role ?collective WHERE {{ VALUES ?m {{ {values} }}
        GRAPH ?g {{ ?ob pkg:measure ?m ; pkg:agency ?agency ; pkg:role ?role .
          BIND(EXISTS {{ ?agency a pkg:CollectiveAgent }} AS ?collective) }} }}""")
    labels = labels_of(ep, {v(r, "agency") for r in rows})
    out: dict[str, dict[str, dict]] = {}
    for r in rows:
        m, agency, role = v(r, "m"), v(r, "agency"), v(r, "role")
        by = out.setdefault(m, {})
        key = agency + "|" + role
        if key not in by:
            by[key] = {"agency": agency, "label": labels.get(agency) or agency.rsplit("/", 1)[-1],
                       "role": role, "role_zh": terms.zh(role), "role_en": terms.en(role),
                       "collective": v(r, "collective") == "true", "obligation": v(r, "ob")}
    return {m: sorted(d.values(), key=lambda o: (ROLE_ORDER.get(o["role"], 9), o["collective"], o["label"]))
            for m, d in out.items()}


def figures_of(ep, measure: str, terms: Terms) -> list[dict]:
    """Each figure of the measure once: as written, comparator sign, value, unit as written, role."""
    rows = ep.raw(f"""{PFX}SELECT DISTINCT ?f ?p ?o WHERE {{ GRAPH ?g {{ {iri(measure)} pkg:hasFigure ?f . ?f ?p ?o }} }}""")
    figs: dict[str, Node] = {}
    for r in rows:
        figs.setdefault(v(r, "f"), Node(v(r, "f"), {})).props.setdefault(v(r, "p"), []).append(r["o"])
    out = []
    for f in figs.values():
        cmp_iri = f.first(PKG + "comparator")
        lo, hi, val = f.first(PKG + "minValue"), f.first(PKG + "maxValue"), f.first(PKG + "value")
        value = f"{readable_number(lo)}–{readable_number(hi)}" if (lo or hi) and not val else readable_number(val)
        exact = f"{lo}–{hi}" if (lo or hi) and not val else (val or "")
        spans = sorted(s for s in (selector_span(x) for x in f.values(P["prov"] + "wasDerivedFrom")) if s)
        out.append({"iri": f.iri, "text": f.label() or "", "sign": comparator_sign(cmp_iri),
                    "comparator": terms.both(cmp_iri) if cmp_iri else "", "value": value, "exact": exact,
                    "unit": f.first(PKG + "unitText") or "", "role": f.first(PKG + "role"),
                    "role_label": terms.both(f.first(PKG + "role")), "order": spans[0] if spans else ("", 0, 0)})
    out.sort(key=lambda d: (d["order"], d["iri"]))
    return out


def deadlines_of(ep, measures: list[str]) -> dict[str, list[dict]]:
    if not measures:
        return {}
    values = " ".join(iri(m) for m in measures)
    rows = ep.raw(f"""{PFX}SELECT DISTINCT ?m ?d ?label ?date WHERE {{ VALUES ?m {{ {values} }}
        GRAPH ?g {{ ?m pkg:deadline ?d . OPTIONAL {{ ?d rdfs:label ?label }}
          OPTIONAL {{ ?d time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear ?date }} }} }}""")
    by: dict[str, dict[str, dict]] = {}
    for r in rows:
        d = by.setdefault(v(r, "m"), {}).setdefault(v(r, "d"), {"iri": v(r, "d"), "labels": [], "date": None})
        if r.get("label"):
            d["labels"].append((v(r, "label"), r["label"].get("xml:lang")))
        d["date"] = d["date"] or v(r, "date")
    return {m: sorted(({"iri": d["iri"], "text": best(d["labels"]) or d["date"] or "", "date": d["date"]}
                       for d in ds.values()), key=lambda d: (d["date"] or "", d["text"]))
            for m, ds in by.items()}


def display_path(path: str | None, path_key: str | None) -> str:
    """二 / （二）: the numbering as printed, without the plan title a path starts with."""
    if not path:
        return path_key or ""
    parts = path.split("/")
    depth = len(path_key.split("/")) if path_key else len(parts)
    return " / ".join(parts[-depth:])


def measure_page(ep, x: str, n: Node, terms: Terms) -> dict:
    labels = n.labels()
    paths = n.labels(PKG + "path")
    plan = n.first(P["eli"] + "is_part_of")
    chain = document_chain(ep, plan) if plan else []
    owners = owners_of(ep, [x], terms).get(x, [])
    inherited = [o["obligation"] for o in owners if o["role"] == PKG + "Inherited"]
    sources = quotes_of(ep, [x, *inherited])
    for o in owners:
        o["from"] = (sources.get(o["obligation"]) or [None])[0] if o["role"] == PKG + "Inherited" else None
    modality = n.first(PKG + "modality")
    kind = n.first(PKG + "kind")
    return {"kind": "measure", "iri": x, "label": best(labels) or x.rsplit("/", 1)[-1], "labels": labels,
            "path": display_path(best(paths), n.first(PKG + "pathKey")), "chain": chain,
            "modality": terms.both(modality) if modality else "", "measure_kind": terms.both(kind) if kind else "",
            "owners": owners, "figures": figures_of(ep, x, terms),
            "deadlines": deadlines_of(ep, [x]).get(x, []), "quotes": sources.get(x, [])}


def document_chain(ep, work: str) -> list[dict]:
    """The plan and the notice that issues it (outermost first), with readable titles."""
    rows = ep.raw(f"""{PFX}SELECT DISTINCT ?doc WHERE {{ GRAPH ?g {{ {iri(work)} eli:is_part_of* ?doc }} }} LIMIT 10""")
    docs = [v(r, "doc") for r in rows]
    titles = document_titles(ep, docs)
    depth = {d: i for i, d in enumerate(docs)}
    return [{"iri": d, "label": titles[d]} for d in sorted(docs, key=lambda d: -depth[d] if d != work else 99)]


def document_titles(ep, docs: list[str]) -> dict[str, str]:
    """A readable title for each work: its label, else an expression's title, else 'Untitled document
    (file name)' — never its hash."""
    if not docs:
        return {}
    out = labels_of(ep, docs)
    missing = [d for d in docs if d not in out]
    if missing:
        titles = labels_of(ep, missing, props="eli:is_realized_by/eli:title")
        out.update(titles)
        missing = [d for d in missing if d not in titles]
    if missing:
        values = " ".join(iri(d) for d in missing)
        rows = ep.raw(f"""{PFX}SELECT DISTINCT ?d ?fname ?jl WHERE {{ VALUES ?d {{ {values} }}
            GRAPH ?g {{ ?d eli:is_realized_by/eli:is_embodied_by/pkg:fileName ?fname
              OPTIONAL {{ ?d pkg:jurisdiction/rdfs:label ?jl FILTER(LANGMATCHES(LANG(?jl), "zh")) }} }} }}""")
        for r in rows:
            where = f"{v(r, 'jl')}, " if v(r, "jl") else ""
            out.setdefault(v(r, "d"), f"Untitled document · 无标题文件 ({where}{v(r, 'fname')})")
    for d in docs:
        out.setdefault(d, "Untitled document · 无标题文件")
    return out


# ---------------------------------------------------------------------------------------- plan

def plan_page(ep, x: str, n: Node, terms: Terms) -> dict:
    """A plan (or notice) as a numbered table of contents, each measure with owners, figures, deadline."""
    title = document_titles(ep, [x])[x]
    rows = ep.raw(f"""{PFX}SELECT DISTINCT ?m ?pk WHERE {{ GRAPH ?g {{ ?m eli:is_part_of {iri(x)} ; a pkg:Measure ;
        pkg:pathKey ?pk }} }} LIMIT 5000""")
    measures = sorted({v(r, "m"): v(r, "pk") for r in rows}.items(), key=lambda kv: (numbering_sort_key(kv[1]), kv[0]))
    ms = [m for m, _ in measures]
    labels = labels_of(ep, ms)
    paths = labels_of(ep, ms, props="pkg:path")
    owners = owners_of(ep, ms, terms)
    deadlines = deadlines_of(ep, ms)
    figs = _figure_labels(ep, x)
    toc = [{"iri": m, "label": labels.get(m, m.rsplit("/", 1)[-1]), "path": display_path(paths.get(m), pk),
            "depth": len(pk.split("/")), "owners": owners.get(m, []), "figures": figs.get(m, []),
            "deadlines": deadlines.get(m, [])} for m, pk in measures]
    parts = n.values(P["eli"] + "has_part")
    part_titles = document_titles(ep, parts)
    parent = n.first(P["eli"] + "is_part_of")
    issuers = n.values(P["eli"] + "passed_by")
    jur = n.first(PKG + "jurisdiction")
    named = labels_of(ep, [*issuers, *([jur] if jur else [])])
    return {"kind": "plan", "iri": x, "label": title, "toc": toc,
            "parts": sorted(({"iri": p, "label": part_titles[p]} for p in parts), key=lambda d: d["label"]),
            "parent": {"iri": parent, "label": document_titles(ep, [parent])[parent]} if parent else None,
            "issuers": [{"iri": i, "label": named.get(i, i)} for i in issuers],
            "jurisdiction": {"iri": jur, "label": named.get(jur, jur)} if jur else None,
            "date": n.first(P["eli"] + "date_document"), "number": n.first(P["eli"] + "id_local"),
            "files": _files_of(ep, x)}


def _figure_labels(ep, plan: str) -> dict[str, list[str]]:
    rows = ep.raw(f"""{PFX}SELECT DISTINCT ?m ?f ?l WHERE {{ GRAPH ?g {{ ?m eli:is_part_of {iri(plan)} ;
        pkg:hasFigure ?f . ?f rdfs:label ?l }} }}""")
    by: dict[str, dict[str, list]] = {}
    for r in rows:
        by.setdefault(v(r, "m"), {}).setdefault(v(r, "f"), []).append((v(r, "l"), r["l"].get("xml:lang")))
    return {m: sorted(best(ls) for ls in fs.values()) for m, fs in by.items()}


def _files_of(ep, work: str) -> list[dict]:
    rows = ep.raw(f"""{PFX}SELECT DISTINCT ?file ?fname ?lang WHERE {{ GRAPH ?g {{ {iri(work)} eli:is_realized_by ?e .
        ?e eli:is_embodied_by ?file . OPTIONAL {{ ?file pkg:fileName ?fname }} OPTIONAL {{ ?e dcterms:language ?lang }} }} }}""")
    return sorted(({"iri": v(r, "file"), "name": v(r, "fname") or v(r, "file").rsplit("/", 1)[-1],
                    "lang": v(r, "lang")} for r in rows), key=lambda d: d["name"])


# ---------------------------------------------------------------------------------------- agency

def agency_page(ep, x: str, n: Node, terms: Terms, page: int = 1, per_page: int = 20) -> dict:
    """An agency's duties grouped by plan (paged by plan), each measure with its numbering and role."""
    counts = ep.raw(f"""{PFX}SELECT ?plan (COUNT(*) AS ?n) WHERE {{
        SELECT DISTINCT ?plan ?m WHERE {{ GRAPH ?g {{ ?ob pkg:agency {iri(x)} ; pkg:measure ?m . ?m eli:is_part_of ?plan }} }}
      }} GROUP BY ?plan""")
    plans = {v(r, "plan"): int(v(r, "n")) for r in counts}
    titles = document_titles(ep, list(plans))
    ordered = sorted(plans, key=lambda p: (titles[p], p))
    pages = max(1, -(-len(ordered) // per_page))
    page = min(max(1, page), pages)
    shown = ordered[(page - 1) * per_page: page * per_page]
    groups = []
    if shown:
        values = " ".join(iri(p) for p in shown)
        rows = ep.raw(f"""{PFX}SELECT DISTINCT ?plan ?m ?role ?pk WHERE {{ VALUES ?plan {{ {values} }}
            GRAPH ?g {{ ?ob pkg:agency {iri(x)} ; pkg:measure ?m ; pkg:role ?role . ?m eli:is_part_of ?plan ;
              pkg:pathKey ?pk }} }}""")
        ms = {v(r, "m") for r in rows}
        labels = labels_of(ep, ms)
        paths = labels_of(ep, ms, props="pkg:path")
        by: dict[str, dict[str, dict]] = {}
        for r in rows:
            m = v(r, "m")
            d = by.setdefault(v(r, "plan"), {}).setdefault(m, {
                "iri": m, "label": labels.get(m, m.rsplit("/", 1)[-1]), "pk": v(r, "pk"),
                "path": display_path(paths.get(m), v(r, "pk")), "roles": []})
            if v(r, "role") not in [x["iri"] for x in d["roles"]]:
                d["roles"].append({"iri": v(r, "role"), "zh": terms.zh(v(r, "role")), "en": terms.en(v(r, "role"))})
        for p in shown:
            items = sorted(by.get(p, {}).values(), key=lambda d: (numbering_sort_key(d["pk"]), d["iri"]))
            for d in items:
                d["roles"].sort(key=lambda r: ROLE_ORDER.get(r["iri"], 9))
            groups.append({"iri": p, "label": titles[p], "measures": items, "count": plans[p]})
    jur = n.first(PKG + "jurisdiction")
    fn = n.first(PKG + "function")
    named = labels_of(ep, [u for u in (jur, fn) if u])
    alt = sorted({lab for lab, _ in n.labels(P["skos"] + "altLabel")})
    types = set(n.values(RDF_TYPE))
    return {"kind": "agency", "iri": x, "label": n.label() or x.rsplit("/", 1)[-1], "altlabels": alt,
            "collective": PKG + "CollectiveAgent" in types,
            "jurisdiction": {"iri": jur, "label": named.get(jur, jur)} if jur else None,
            "function": {"iri": fn, "label": named.get(fn, fn)} if fn else None,
            "groups": groups, "plans": len(ordered), "measures": sum(plans.values()),
            "page": page, "pages": pages}


# ---------------------------------------------------------------------------------------- jurisdiction

def jurisdiction_page(ep, x: str, n: Node) -> dict:
    rows = ep.raw(f"""{PFX}SELECT ?what (COUNT(DISTINCT ?y) AS ?n) WHERE {{
        {{ BIND("documents" AS ?what) GRAPH ?g {{ ?y pkg:jurisdiction {iri(x)} ; a pkg:PolicyDocument
            FILTER NOT EXISTS {{ ?y eli:is_part_of ?up }} }} }}
        UNION {{ BIND("agencies" AS ?what) GRAPH ?g {{ ?y pkg:jurisdiction {iri(x)} ; a pkg:Agency }} }}
        UNION {{ BIND("collectives" AS ?what) GRAPH ?g {{ ?y pkg:jurisdiction {iri(x)} ; a pkg:CollectiveAgent }} }}
      }} GROUP BY ?what""")
    counts = {v(r, "what"): int(v(r, "n")) for r in rows}
    parent = n.first(P["dcterms"] + "isPartOf")
    names = n.labels()
    return {"kind": "jurisdiction", "iri": x, "label": best(names) or x.rsplit("/", 1)[-1],
            "names": sorted({lab for lab, _ in names}), "code": n.first(PKG + "divisionCode"),
            "parent": {"iri": parent, "label": labels_of(ep, [parent]).get(parent, parent)} if parent else None,
            "counts": counts}


# ---------------------------------------------------------------------------------------- source text

def source_text(ep, file_iri: str, focus: tuple[int, int] | None = None) -> dict | None:
    """A source file's text as the store holds it (the union of its quoted spans, gaps marked), with
    each measure's span highlighted and anchored by its offsets, and `focus` (a selector) marked."""
    held = ep.cached("source-text|" + file_iri, lambda: _quoted_text(ep, file_iri))
    if held is None:
        return None
    chars, marks = held
    if focus:
        marks = [*marks, (focus[0], focus[1], "focus", None, "the quote this link points at")]
    return {"segments": _segments(chars, marks), "quoted": len(chars)}


def _quoted_text(ep, file_iri: str) -> tuple[dict[int, str], list[tuple]] | None:
    rows = ep.raw(f"""{PFX}SELECT DISTINCT ?start ?exact WHERE {{ GRAPH ?g {{
        ?sel oa:hasSource {iri(file_iri)} ; oa:hasSelector ?pos, ?q .
        ?pos oa:start ?start . ?q oa:exact ?exact }} }}""")
    if not rows:
        return None
    chars: dict[int, str] = {}
    for r in rows:
        for i, c in enumerate(v(r, "exact"), start=int(v(r, "start"))):
            chars.setdefault(i, c)
    mrows = ep.raw(f"""{PFX}SELECT DISTINCT ?m ?sel WHERE {{ GRAPH ?g {{ ?sel oa:hasSource {iri(file_iri)} .
        ?m prov:wasDerivedFrom ?sel ; a pkg:Measure }} }}""")
    labels = labels_of(ep, {v(r, "m") for r in mrows})
    marks = []
    for r in mrows:
        span = selector_span(v(r, "sel"))
        if span:
            marks.append((span[1], span[2], "measure", v(r, "m"), labels.get(v(r, "m"), "")))
    return chars, marks


def _segments(chars: dict[int, str], marks: list[tuple]) -> list[dict]:
    """Flatten text and nested marks into a list of open / close / text / gap events for the template.
    Marks that cross another are dropped (measure spans nest or are disjoint)."""
    marks = sorted(marks, key=lambda m: (m[0], -m[1], m[2] != "measure"))
    kept, stack = [], []
    for m in marks:
        while stack and stack[-1][1] <= m[0]:
            stack.pop()
        if stack and m[1] > stack[-1][1]:
            continue
        kept.append(m)
        stack.append(m)
    opens: dict[int, list] = {}
    closes: dict[int, int] = {}
    for m in kept:
        opens.setdefault(m[0], []).append(m)
        closes[m[1]] = closes.get(m[1], 0) + 1
    positions = sorted(set(chars) | set(opens) | set(closes))
    out: list[dict] = []
    text: list[str] = []
    prev = -1  # the last quoted character written

    def flush():
        if text:
            out.append({"t": "text", "text": "".join(text)})
            text.clear()

    for i in positions:
        if i in closes:
            flush()
            out.extend({"t": "close"} for _ in range(closes[i]))
        if i in chars and i > prev + 1:
            flush()
            out.append({"t": "gap", "n": i - prev - 1})
        for m in opens.get(i, []):
            flush()
            out.append({"t": "open", "start": m[0], "end": m[1], "kind": m[2], "href": m[3], "title": m[4]})
        if i in chars:
            text.append(chars[i])
            prev = i
    flush()
    return out

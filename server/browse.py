"""The lists a person browses without SPARQL: documents, agencies (by jurisdiction, collectives apart)
and jurisdictions. The ordered list of each is computed once per load version (one DISTINCT query over
the document graphs); a page then fetches titles, labels and counts for its own rows only."""

from __future__ import annotations

from dataclasses import dataclass

from .views import PFX, document_titles, iri, labels_of, v

PER_PAGE = 50


@dataclass
class Page:
    rows: list[dict]
    page: int
    pages: int
    total: int


def paged(items: list, page: int, per_page: int = PER_PAGE) -> tuple[list, int, int]:
    pages = max(1, -(-len(items) // per_page))
    page = min(max(1, page), pages)
    return items[(page - 1) * per_page: page * per_page], page, pages


# ---------------------------------------------------------------------------------------- documents

def _all_documents(ep) -> list[dict]:
    def compute():
        rows = ep.raw(f"""{PFX}SELECT DISTINCT ?doc ?date ?j WHERE {{ GRAPH ?g {{ ?doc a pkg:PolicyDocument
            FILTER NOT EXISTS {{ ?doc eli:is_part_of ?up }}
            OPTIONAL {{ ?doc eli:date_document ?date }} OPTIONAL {{ ?doc pkg:jurisdiction ?j }} }} }}""",
                      timeout=None)
        by: dict[str, dict] = {}
        for r in rows:
            d = by.setdefault(v(r, "doc"), {"iri": v(r, "doc"), "date": None, "jurisdiction": None})
            d["date"] = d["date"] or v(r, "date")
            d["jurisdiction"] = d["jurisdiction"] or v(r, "j")
        # newest first; undated last
        return sorted(by.values(), key=lambda d: (d["date"] is None, _neg(d["date"]), d["iri"]))

    return ep.cached("browse-documents", compute)


def _neg(date: str | None) -> tuple:
    return tuple(-ord(c) for c in date) if date else ()


def documents(ep, page: int = 1, jurisdiction: str | None = None) -> Page:
    items = [d for d in _all_documents(ep) if not jurisdiction or d["jurisdiction"] == jurisdiction]
    shown, page, pages = paged(items, page)
    docs = [d["iri"] for d in shown]
    if not docs:
        return Page([], page, pages, len(items))
    titles = document_titles(ep, docs)
    values = " ".join(iri(d) for d in docs)
    issuers: dict[str, list[str]] = {}
    for r in ep.raw(f"""{PFX}SELECT DISTINCT ?d ?a WHERE {{ VALUES ?d {{ {values} }} GRAPH ?g {{ ?d eli:passed_by ?a }} }}"""):
        issuers.setdefault(v(r, "d"), []).append(v(r, "a"))
    counts = _document_counts(ep, docs)
    names = labels_of(ep, {a for xs in issuers.values() for a in xs} | {d["jurisdiction"] for d in shown
                                                                       if d["jurisdiction"]})
    rows = []
    for d in shown:
        nm, na, np_ = counts[d["iri"]]
        j = d["jurisdiction"]
        rows.append({"iri": d["iri"], "title": titles[d["iri"]], "date": d["date"],
                     "issuers": [{"iri": a, "label": names.get(a, a)} for a in issuers.get(d["iri"], [])],
                     "jurisdiction": {"iri": j, "label": names.get(j, j)} if j else None,
                     "measures": nm, "owners": na, "plans": np_})
    return Page(rows, page, pages, len(items))


def _document_counts(ep, docs: list[str]) -> dict[str, tuple[int, int, int]]:
    """(measures, owners, plans) of each document, its plans' included. Three flat queries joined here:
    Oxigraph plans a UNION or an OPTIONAL over obligations inside one query badly (seconds per document
    on a million quads), while each of these takes milliseconds."""
    values = " ".join(iri(d) for d in docs)
    owner_of = {d: d for d in docs}  # the plans (and measures) directly in a document, to the document
    plans: dict[str, set[str]] = {d: set() for d in docs}
    for r in ep.raw(f"""{PFX}SELECT DISTINCT ?d ?w ?plan WHERE {{ VALUES ?d {{ {values} }} GRAPH ?g {{ ?w eli:is_part_of ?d
            BIND(EXISTS {{ ?w a pkg:PolicyDocument }} AS ?plan) }} }}"""):
        owner_of.setdefault(v(r, "w"), v(r, "d"))
        if v(r, "plan") == "true":
            plans[v(r, "d")].add(v(r, "w"))
    measures: dict[str, set[str]] = {d: set() for d in docs}
    agents: dict[str, set[str]] = {d: set() for d in docs}
    parts = sorted(owner_of)
    for i in range(0, len(parts), 300):
        chunk = " ".join(iri(x) for x in parts[i:i + 300])
        for r in ep.raw(f"""{PFX}SELECT DISTINCT ?x ?m WHERE {{ VALUES ?x {{ {chunk} }}
                GRAPH ?g {{ ?m eli:is_part_of ?x ; a pkg:Measure }} }}"""):
            measures[owner_of[v(r, "x")]].add(v(r, "m"))
        for r in ep.raw(f"""{PFX}SELECT DISTINCT ?x ?a WHERE {{ VALUES ?x {{ {chunk} }}
                GRAPH ?g {{ ?m eli:is_part_of ?x . ?ob pkg:measure ?m ; pkg:agency ?a }} }}"""):
            agents[owner_of[v(r, "x")]].add(v(r, "a"))
    return {d: (len(measures[d]), len(agents[d]), len(plans[d])) for d in docs}


# ---------------------------------------------------------------------------------------- agencies

def _all_agencies(ep) -> list[dict]:
    def compute():
        rows = ep.raw(f"""{PFX}SELECT ?a ?cls (SAMPLE(?jj) AS ?j) (COUNT(DISTINCT ?ob) AS ?n) WHERE {{
            GRAPH ?g {{ VALUES ?cls {{ pkg:Agency pkg:CollectiveAgent }} ?a a ?cls
              OPTIONAL {{ ?a pkg:jurisdiction ?jj }} OPTIONAL {{ ?ob pkg:agency ?a }} }}
          }} GROUP BY ?a ?cls""", timeout=None)
        labels = labels_of(ep, {v(r, "a") for r in rows} | {v(r, "j") for r in rows if r.get("j")})
        out = [{"iri": v(r, "a"), "label": labels.get(v(r, "a"), v(r, "a").rsplit("/", 1)[-1]),
                "collective": v(r, "cls").endswith("CollectiveAgent"), "jurisdiction": v(r, "j"),
                "jurisdiction_label": labels.get(v(r, "j") or "", "(no jurisdiction · 未知地区)"),
                "obligations": int(v(r, "n"))} for r in rows]
        return sorted(out, key=lambda a: (a["jurisdiction_label"], a["collective"], -a["obligations"], a["label"]))

    return ep.cached("browse-agencies", compute)


def agencies(ep, page: int = 1, jurisdiction: str | None = None, per_page: int = 100) -> Page:
    """Agencies grouped by jurisdiction (collectives listed after the agencies of theirs)."""
    items = [a for a in _all_agencies(ep) if not jurisdiction or a["jurisdiction"] == jurisdiction]
    shown, page, pages = paged(items, page, per_page)
    groups: list[dict] = []
    for a in shown:
        if not groups or groups[-1]["iri"] != a["jurisdiction"]:
            groups.append({"iri": a["jurisdiction"], "label": a["jurisdiction_label"], "agencies": [],
                           "collectives": []})
        groups[-1]["collectives" if a["collective"] else "agencies"].append(a)
    return Page(groups, page, pages, len(items))


# ---------------------------------------------------------------------------------------- jurisdictions

def jurisdictions(ep) -> list[dict]:
    def compute():
        docs: dict[str, int] = {}
        for d in _all_documents(ep):
            if d["jurisdiction"]:
                docs[d["jurisdiction"]] = docs.get(d["jurisdiction"], 0) + 1
        agencies: dict[str, list[int]] = {}
        for a in _all_agencies(ep):
            if a["jurisdiction"]:
                c = agencies.setdefault(a["jurisdiction"], [0, 0, 0])
                c[1 if a["collective"] else 0] += 1
                c[2] += a["obligations"]
        js = set(docs) | set(agencies)
        labels = labels_of(ep, js)
        codes = {v(r, "j"): v(r, "code") for r in ep.raw(
            f"""{PFX}SELECT DISTINCT ?j ?code WHERE {{ VALUES ?j {{ {" ".join(iri(j) for j in js)} }}
                GRAPH ?g {{ ?j pkg:divisionCode ?code }} }}""")} if js else {}
        out = [{"iri": j, "label": labels.get(j, j.rsplit("/", 1)[-1]), "code": codes.get(j),
                "documents": docs.get(j, 0), "agencies": agencies.get(j, [0, 0, 0])[0],
                "collectives": agencies.get(j, [0, 0, 0])[1], "obligations": agencies.get(j, [0, 0, 0])[2]}
               for j in js]
        return sorted(out, key=lambda j: (-j["documents"], j["code"] or "~", j["label"]))

    return ep.cached("browse-jurisdictions", compute)

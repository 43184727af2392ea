"""/search: agencies and measures by label, matching either script (Simplified or Traditional)."""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template, request
from policykg.graph import gazetteer
from policykg.graph.gazetteer import name_key
from policykg.graph.namespaces import PKG_IRI, PREFIXES

from . import views
from .formats import FORMATS
from .negotiation import negotiate
from .responses import plain_error
from .routes_linked import TERMS
from .state import Endpoint, current

bp = Blueprint("search", __name__)

KINDS = ("all", "agency", "measure")


@bp.route("/search")
def search():
    q = (request.args.get("q") or "").strip()
    kind = request.args.get("kind") or "all"
    try:
        limit = int(request.args.get("limit") or 100)
    except ValueError:
        return plain_error(400, "limit must be an integer")
    if kind not in KINDS:
        return plain_error(400, "kind must be all, agency or measure")
    hits = find(current(), q, kind, limit=limit) if q else []
    chosen = negotiate(request, ["html", "plainjson"]) or FORMATS["html"]  # a page for people otherwise
    if chosen.name == "plainjson":
        return Response(json.dumps({"q": q, "kind": kind, "results": hits}, ensure_ascii=False),
                        mimetype="application/json")
    return render_template("search.html", q=q, kind=kind, hits=hits)


def find(ep: Endpoint, q: str, kind: str = "all", limit: int = 100) -> list[dict]:
    """Agencies and measures for a query, knowing the gazetteer's abbreviations and variants.

    The query and every label are compared by their matching key (NFKC, Simplified, pinyin glosses such
    as 發(fā) removed). An agency also matches when the query names its function in any variant the
    gazetteer lists (发改委 = 发展改革委 = 发展和改革委员会, 科技局 = 科学技术局), within the place the query
    names, if any (无锡发改委). Each hit says where it is: city, plan and owners."""
    key = name_key(q.strip())
    if not key:
        return []
    place, functions = _functions_named(key)
    base = ep.cfg.base
    hits: dict[str, dict] = {}
    for d in _label_index(ep):
        if kind in ("agency", "measure") and d["kind"] != kind:
            continue
        matched = [lab for lab, k in zip(d["labels"], d["keys"], strict=False) if key in k]
        by_function = d.get("function") in functions and (place is None or place in d["place_keys"])
        if matched or by_function:
            name = views.best(d["names"]) or d["labels"][0]
            hits[d["iri"]] = {"iri": d["iri"], "kind": d["kind"], "label": name,
                              "matched": [m for m in matched if m != name],
                              "labels": d["labels"], "variant": by_function and not matched, "function_match": by_function,
                              "path": d["iri"][len(base):] if base and d["iri"].startswith(base) else None}
    ranked = sorted(hits.values(), key=lambda h: (h["kind"], not h["function_match"], len(h["label"]), h["label"]))
    ranked = ranked[: max(1, min(limit, 1000))]
    _where(ep, ranked)
    return ranked


def _functions_named(key: str) -> tuple[str | None, set[str]]:
    """(the place the query starts with, the function ids its remaining words name)."""
    place = None
    rest = key
    for name in sorted(gazetteer.jurisdictions(), key=len, reverse=True):
        if len(name) > 1 and key.startswith(name) and len(key) > len(name):
            place, rest = gazetteer.jurisdictions()[name].slug, key[len(name):]
            break
    if rest[:1] in ("市", "省") and len(rest) > 2:
        rest = rest[1:]
    exact = {f.id for f in gazetteer.functions() if rest in f.variants}
    if exact or len(rest) < 3:
        return place, exact
    return place, {f.id for f in gazetteer.functions() if any(rest in v for v in f.variants)}


def _where(ep: Endpoint, hits: list[dict]) -> None:
    """City, plan and owners of each hit (one bounded query per kind, for the hits shown only)."""
    measures = [h["iri"] for h in hits if h["kind"] == "measure"]
    agents = [h["iri"] for h in hits if h["kind"] == "agency"]
    plans: dict[str, str] = {}
    places: dict[str, str] = {}
    if measures:
        for r in ep.raw(f"""{views.PFX}SELECT DISTINCT ?x ?plan ?j WHERE {{ VALUES ?x {{ {" ".join(views.iri(m) for m in measures)} }}
                GRAPH ?g {{ ?x eli:is_part_of ?plan OPTIONAL {{ ?plan pkg:jurisdiction ?j }} }} }}"""):
            plans[views.v(r, "x")] = views.v(r, "plan")
            if r.get("j"):
                places[views.v(r, "x")] = views.v(r, "j")
    if agents:
        for r in ep.raw(f"""{views.PFX}SELECT DISTINCT ?x ?j WHERE {{ VALUES ?x {{ {" ".join(views.iri(a) for a in agents)} }}
                GRAPH ?g {{ ?x pkg:jurisdiction ?j }} }}"""):
            places[views.v(r, "x")] = views.v(r, "j")
    titles = views.document_titles(ep, sorted(set(plans.values())))
    names = views.labels_of(ep, set(places.values()))
    owners = views.owners_of(ep, measures, TERMS)
    for h in hits:
        j = places.get(h["iri"])
        h["city"] = {"iri": j, "label": names.get(j, j)} if j else None
        p = plans.get(h["iri"])
        h["plan"] = {"iri": p, "label": titles[p]} if p else None
        h["owners"] = [{"iri": o["agency"], "label": o["label"], "role": o["role_zh"]}
                       for o in owners.get(h["iri"], [])]


def _label_index(ep: Endpoint) -> list[dict]:
    """Every agency and measure with its labels and their matching keys, and each agency's function
    and jurisdiction names (cached per load)."""

    def compute():
        skos = PREFIXES["skos"]
        rows = ep.raw(f"""PREFIX pkg: <{PKG_IRI}>
            SELECT DISTINCT ?x ?kind ?p ?label WHERE {{
              VALUES (?class ?kind) {{ (pkg:Agency "agency") (pkg:CollectiveAgent "agency") (pkg:Measure "measure") }}
              VALUES ?p {{ <{PREFIXES["rdfs"]}label> <{skos}altLabel> <{skos}prefLabel> }}
              GRAPH ?g {{ ?x a ?class . ?x ?p ?label }} }}""",
                      timeout=None)
        by: dict[str, dict] = {}
        for r in rows:
            x = r["x"]["value"]
            d = by.setdefault(x, {"iri": x, "kind": r["kind"]["value"], "labels": [], "keys": [],
                                  "function": None, "place_keys": set(), "names": []})
            lab = r["label"]["value"]
            if r["p"]["value"] == PREFIXES["rdfs"] + "label":
                d["names"].append((lab, r["label"].get("xml:lang")))
            if lab not in d["labels"]:
                d["labels"].append(lab)
                d["keys"].append(name_key(lab))
        for r in ep.raw(f"""PREFIX pkg: <{PKG_IRI}>
            SELECT DISTINCT ?x ?fn ?j WHERE {{ GRAPH ?g {{ ?x pkg:function ?fn OPTIONAL {{ ?x pkg:jurisdiction ?j }} }} }}""",
                        timeout=None):
            d = by.get(r["x"]["value"])
            if d is not None:
                d["function"] = r["fn"]["value"].rsplit("/", 1)[-1]
                if r.get("j"):
                    d["place_keys"].add(r["j"]["value"].rsplit("/", 1)[-1])
        return list(by.values())

    return ep.cached("label-index", compute)

"""/search: agencies and measures by label, matching either script (Simplified or Traditional)."""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template, request
from policykg.graph.namespaces import PKG_IRI, PREFIXES

from .canned import to_simplified
from .formats import FORMATS
from .negotiation import negotiate
from .responses import plain_error
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
    """Substring search over agency and measure labels that matches either script: the query and
    every label are compared in their Simplified form (OpenCC t2s)."""
    key = to_simplified(q.strip())
    if not key:
        return []
    base = ep.cfg.base
    hits = []
    for d in _label_index(ep):
        if kind in ("agency", "measure") and d["kind"] != kind:
            continue
        matched = [lab for lab, k in zip(d["labels"], d["keys"], strict=False) if key in k]
        if matched:
            hits.append({"iri": d["iri"], "kind": d["kind"], "label": matched[0], "labels": d["labels"],
                         "path": d["iri"][len(base):] if base and d["iri"].startswith(base) else None})
    hits.sort(key=lambda h: (h["kind"], len(h["label"]), h["label"]))
    return hits[: max(1, min(limit, 1000))]


def _label_index(ep: Endpoint) -> list[dict]:
    """Every agency and measure with its labels and their Simplified matching keys (cached per load)."""

    def compute():
        skos = PREFIXES["skos"]
        rows = ep.raw(f"""PREFIX pkg: <{PKG_IRI}>
            SELECT ?x ?kind ?label WHERE {{
              VALUES (?class ?kind) {{ (pkg:Agency "agency") (pkg:CollectiveAgent "agency") (pkg:Measure "measure") }}
              ?x a ?class . ?x <{PREFIXES["rdfs"]}label>|<{skos}altLabel>|<{skos}prefLabel> ?label }}""",
                      timeout=None)
        by: dict[str, dict] = {}
        for r in rows:
            x = r["x"]["value"]
            d = by.setdefault(x, {"iri": x, "kind": r["kind"]["value"], "labels": [], "keys": []})
            lab = r["label"]["value"]
            if lab not in d["labels"]:
                d["labels"].append(lab)
                d["keys"].append(to_simplified(lab))
        return list(by.values())

    return ep.cached("label-index", compute)

"""/analysis: the agency network of the served store (policykg.analysis) as a page with the
tables and an interactive network (cytoscape, vendored at install), or as JSON by content
negotiation (Accept: application/json, or ?format=json).

The figures only change when the store is reloaded, so they are computed once per load
version and jurisdiction, in this process, from a read-only view of the store.
"""

from __future__ import annotations

import json
import threading

from flask import Blueprint, Response, render_template, request, url_for

from .negotiation import choose
from .state import current

bp = Blueprint("analysis", __name__)
_lock = threading.Lock()


def _compute(ep, jurisdiction: str | None, max_owners: int) -> dict:
    from policykg.analysis import build_graphs, metrics, restrict, to_dict
    store = ep.open_store()
    try:
        network = build_graphs(store)
    finally:
        store.close()
    m = metrics(network, jurisdiction=jurisdiction, max_owners=max_owners)
    shown = restrict(network, m.summary.iri) if m.summary.iri else network
    return {"metrics": to_dict(m), "network": _elements(shown, m, ep.cfg.base),
            "jurisdictions": [network.label(j) for j in network.jurisdictions()]}


def _local(iri: str, base: str) -> str:
    # the agency's page on this server (its IRI itself when it is not ours)
    return url_for("linked.resource", rest=iri[len(base):]) if iri.startswith(base) else iri


def _elements(network, m, base: str) -> list[dict]:
    """cytoscape elements: agencies (size = measures, colour = community) and co-ownership edges."""
    rows = {r.iri: r for r in m.agencies}
    nodes = [{"data": {"id": n, "label": d.get("name", n), "href": _local(n, base),
                       "measures": rows[n].measures if n in rows else 0,
                       "community": (rows[n].community or 0) if n in rows else 0}}
             for n, d in network.projection.nodes(data=True)]
    edges = [{"data": {"id": f"e{i}", "source": a, "target": b, "weight": d["weight"]}}
             for i, (a, b, d) in enumerate(network.projection.edges(data=True))]
    return nodes + edges


@bp.route("/analysis")
def page():
    ep = current()
    jurisdiction = (request.args.get("jurisdiction") or "").strip() or None
    try:
        max_owners = int(request.args.get("max_owners") or 5)
    except ValueError:
        return Response("max_owners must be an integer\n", status=400, mimetype="text/plain")
    try:
        with _lock:  # one computation at a time; the others then find it cached
            data = ep.cached(f"analysis|{jurisdiction}|{max_owners}", lambda: _compute(ep, jurisdiction, max_owners))
    except ValueError as exc:  # an unknown jurisdiction
        return Response(f"{exc}\n", status=404, mimetype="text/plain")
    wants_json = request.args.get("format") == "json" or choose(
        request.headers.get("Accept"), ["text/html", "application/json"]) == "application/json"
    if wants_json:
        resp = Response(json.dumps(data, ensure_ascii=False), mimetype="application/json")
    else:
        resp = Response(render_template("analysis.html", m=data["metrics"], elements=data["network"],
                                        jurisdictions=data["jurisdictions"], jurisdiction=jurisdiction or ""))
    resp.headers.add("Vary", "Accept")
    return resp

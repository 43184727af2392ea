"""The pages for people: the home page (what is in the store, how to use it) and the query page
(YASGUI, with the canned queries as tabs and our prefixes)."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from policykg.graph.namespaces import PKG_IRI

from . import canned
from .responses import Validators, link, local_path
from .routes_linked import TERMS
from .state import current

bp = Blueprint("ui", __name__)

FALLBACK_QUERY = "SELECT * WHERE { ?s ?p ?o } LIMIT 10"


@bp.route("/")
def home():
    ep = current()
    v = Validators.of("home")
    if v.fresh():
        return v.not_modified()
    return v.apply(Response(render_template("home.html", stats=ep.stats(), cfg=ep.cfg, class_label=TERMS.both)))


@bp.route("/query")
def query_page():
    """YASGUI opened on `query=`, on a canned query (`canned=` and its parameters), or on the first one."""
    ep = current()
    q = request.args.get("query")
    name = request.args.get("canned")
    if not q and name in ep.queries:
        try:
            q = ep.queries[name].render(request.args)
        except canned.ParamError:
            q = ep.queries[name].render()
    first = next(iter(ep.queries.values()), None)
    default_query = q or (first.render() if first else FALLBACK_QUERY)
    tabs = [{"name": c.name, "title": c.title, "query": c.render()} for c in ep.queries.values()]
    # where the results' IRIs are served here: data IRIs on /id/…, ontology terms on /ontology#…
    local = [[ns, local_path(ns + "x")[:-1]] for ns in (ep.cfg.base, PKG_IRI)]
    return render_template("query.html", default_query=default_query, tabs=tabs, endpoint=link("sparql.endpoint"),
                           cfg=ep.cfg, local_bases=[pair for pair in local if pair[0] != pair[1]],
                           run=bool(q), chosen=name if name in ep.queries else "")

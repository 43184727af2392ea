"""The dataset as a whole: /dump, VoID, the SPARQL service description, /healthz.

A dump is written once per store version and format, by a query worker, to a file in the server's
spool directory (under the export time limit, checked while the worker writes); every download of it
is then that file, sent by the web process with sendfile at the client's pace. A client that never
reads holds a web thread until the write time limit, never a query worker."""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template, request, send_file
from policykg.graph.namespaces import PKG_IRI

from .formats import content_type
from .negotiation import negotiate, not_acceptable_message, prefers_html
from .responses import Validators, plain_error, rdf_document
from .state import current

bp = Blueprint("data", __name__)

EXTENSIONS = {"nquads": "nq", "trig": "trig", "turtle": "ttl", "ntriples": "nt"}


@bp.route("/dump.<ext>")
@bp.route("/dump")
def dump(ext: str | None = None):
    """Every quad (N-Quads, TriG) or the union graph (Turtle, N-Triples), streamed from a worker."""
    ep = current()
    requested = request.args.get("format") or ext
    chosen = negotiate(request, ["dataset"], requested)
    if chosen is None:
        return plain_error(406, not_acceptable_message(["dataset"], requested))
    v = Validators.of("dump|" + chosen.name)
    if v.fresh():
        return v.not_modified()
    path = ep.dump_file(chosen.name)
    resp = send_file(path, mimetype=content_type(chosen.name), etag=False, last_modified=None, conditional=False)
    resp.headers["Content-Disposition"] = f'attachment; filename="policykg.{EXTENSIONS[chosen.name]}"'
    return v.apply(resp)


@bp.route("/.well-known/void")
@bp.route("/void")
def void():
    ep = current()
    requested = request.args.get("format")
    if requested == "html" or (not requested and prefers_html(request.headers.get("Accept"))):
        # a browser gets the description as a page (RDF stays one click or one Accept header away)
        return Response(render_template("void.html", stats=ep.stats(), root=request.url_root.rstrip("/"), cfg=ep.cfg,
                                        ontology=PKG_IRI), mimetype="text/html")
    ttl = render_template("void.ttl", stats=ep.stats(), root=request.url_root.rstrip("/"), cfg=ep.cfg,
                          ontology=PKG_IRI)
    return rdf_document(ttl, "void")


def service_description() -> Response:
    """The SPARQL 1.1 service description, what GET /sparql without a query answers to a machine."""
    ep = current()
    endpoint = request.base_url.rstrip("/")
    if not endpoint.endswith("/sparql"):
        endpoint = request.url_root + "sparql"
    ttl = render_template("service.ttl", endpoint=endpoint, stats=ep.stats(), update=bool(ep.cfg.update_token),
                          root=request.url_root.rstrip("/"))
    return rdf_document(ttl, "sd")


@bp.route("/healthz")
def healthz():
    """Liveness and the version served. Answers at once whatever the workers and other clients do:
    it runs no query, and the web process keeps threads for it alone (http_worker)."""
    ep = current()
    return Response(json.dumps({"status": "ok", **ep.version.describe(), "workers": ep.pool.size}),
                    mimetype="application/json")

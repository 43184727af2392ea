"""The Flask application: blueprints, one per concern, composed over one shared `Endpoint`.

    routes_sparql    /sparql                      SPARQL 1.1 Protocol (queries, updates with a token)
    routes_linked    /id/…, /ontology, /shapes    linked data: HTML for people, RDF for machines
    routes_canned    /queries…                    canned queries (.rq files with parameters)
    routes_search    /search                      labels in either script
    routes_data      /dump, /void, /healthz       the dataset as a whole (and the service description)
    routes_validate  /validate                    the SHACL report of the store
    routes_ui        /, /query                    home page and the YASGUI query page
    routes_browse    /documents, /agencies, …     lists to browse without SPARQL

A route module needs only `state.current()` and `responses`; `create_app(cfg, blueprints=[...])`
serves any subset of them (the tests exercise each alone).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from flask import Blueprint, Flask
from policykg.graph.namespaces import PREFIXES, compact
from werkzeug.exceptions import HTTPException

from . import (
    analysis_view,
    routes_browse,
    routes_canned,
    routes_data,
    routes_linked,
    routes_search,
    routes_sparql,
    routes_ui,
    routes_validate,
)
from .bodylimit import BodyLimit
from .config import ServerConfig
from .responses import common_headers, link, local_path, plain_error
from .state import EXTENSION, Endpoint, current
from .workers import WorkerError

log = logging.getLogger("policykg.server")

PACKAGE_ROOT = Path(__file__).resolve().parent
BLUEPRINTS: tuple[Blueprint, ...] = (routes_sparql.bp, routes_linked.bp, routes_canned.bp, routes_search.bp,
                                     routes_data.bp, routes_validate.bp, routes_ui.bp, analysis_view.bp,
                                     routes_browse.bp)
# the navigation bar: (endpoint, label, query string); an entry whose blueprint is absent is left out
NAV = (("browse.documents", "Documents", ""), ("browse.agencies", "Agencies", ""),
       ("ui.query_page", "Query", ""), ("canned.index", "Canned queries", ""), ("search.search", "Search", ""),
       ("linked.ontology", "Ontology", ""), ("linked.shapes", "Shapes", ""), ("validate.report", "Validate", ""),
       ("analysis.page", "Analysis", ""), ("data.void", "VoID", ""), ("data.dump", "Dump", "?format=nquads"))


def create_app(config: ServerConfig | dict | None = None,
               blueprints: Iterable[Blueprint] = BLUEPRINTS) -> Flask:
    """The application. `config`: a ServerConfig, a dict of its fields, or None for the environment
    (POLICYKG_*). `blueprints`: the parts to serve (all of them by default)."""
    cfg = ServerConfig.coerce(config)
    app = Flask(__name__, template_folder=str(PACKAGE_ROOT / "templates"),
                static_folder=str(PACKAGE_ROOT / "static"))
    app.config["MAX_CONTENT_LENGTH"] = cfg.max_request_bytes
    app.config["MAX_FORM_MEMORY_SIZE"] = cfg.max_request_bytes
    app.json.ensure_ascii = False
    app.wsgi_app = BodyLimit(app.wsgi_app, cfg.max_request_bytes)  # chunked bodies too: 413, never cut
    app.extensions[EXTENSION] = Endpoint.open(cfg)
    app.after_request(common_headers)
    app.register_error_handler(WorkerError, lambda e: plain_error(e.status, e.message, e.headers))
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
    app.context_processor(_template_globals)
    app.jinja_env.filters["shorten"] = lambda iri: compact(iri).strip("<>")  # pages show bare IRIs
    for bp in blueprints:
        app.register_blueprint(bp)
    return app


def _http_error(e: HTTPException):
    if e.code == 413:
        return plain_error(413, f"Request too large: the limit is {current().cfg.max_request_bytes} bytes.")
    return plain_error(e.code or 500, f"{e.name}: {e.description}" if e.description else e.name,
                       dict(e.get_headers()) if e.code == 405 else None)


def _unexpected(e: Exception):
    log.exception("unexpected error")
    return plain_error(500, "Internal error: the request could not be completed.")


def _template_globals() -> dict:
    ep = current()
    return {"base": ep.cfg.base, "local": local_path, "link": link, "queries": ep.queries,
            "prefixes": PREFIXES, "nav": NAV}

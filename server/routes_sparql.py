"""The SPARQL 1.1 Protocol at /sparql: queries by GET, POST form or POST direct; updates with a token.

The query runs in a worker process (workers.py), which also writes the answer in the negotiated
format (it alone knows whether the answer is a table, a boolean or a graph). The endpoint
predeclares exactly the graph library's prefixes (`policykg.graph.namespaces.PREFIXES`), as
`policykg query` does.
"""

from __future__ import annotations

import hmac
import json
import math
import time

from flask import Blueprint, Response, current_app, g, redirect, request, url_for
from policykg.graph.namespaces import PREFIXES

from . import sparql_text
from .negotiation import prefers_html
from .responses import Validators, merged, plain_error
from .routes_data import service_description
from .state import current
from .workers import WorkerError

bp = Blueprint("sparql", __name__)

METHODS = ["GET", "POST", "OPTIONS", "HEAD", "PUT", "DELETE", "PATCH"]
CREDENTIAL_PARAMS = {"token", "access_token", "update_token", "auth", "password"}


@bp.route("/sparql/", methods=METHODS)
@bp.route("/sparql", methods=METHODS)
def endpoint():
    if request.method == "OPTIONS":  # a CORS preflight
        resp = Response(status=204)
        resp.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        resp.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept, If-None-Match"
        resp.headers["Access-Control-Max-Age"] = "86400"
        return resp
    if request.method not in ("GET", "POST", "HEAD"):
        return plain_error(405, "Method Not Allowed: use GET or POST.", {"Allow": "GET, POST, OPTIONS"})
    if request.method in ("GET", "HEAD"):
        return _get()
    return _post()


def _query_page_view():
    """The query page's view, when this app has the UI (a person opening a query link lands there)."""
    return current_app.view_functions.get("ui.query_page")


def _get():
    params = request.args
    if "update" in params:
        return plain_error(405, "SPARQL Update must be sent with POST.", {"Allow": "POST"})
    queries = params.getlist("query")
    if not queries:
        if prefers_html(request.headers.get("Accept")) and _query_page_view():
            return _query_page_view()()
        return service_description()
    if len(queries) == 1 and not (params.get("format") or params.get("output")) \
            and prefers_html(request.headers.get("Accept")) and _query_page_view():
        # a person following a query link: show it on the query page (which runs it)
        return redirect(url_for("ui.query_page", query=queries[0]), code=303)
    if len(queries) != 1:
        return plain_error(400, "Send exactly one query per request.")
    return run_query(queries[0], params)


def _post():
    mimetype = request.mimetype
    charset = (request.mimetype_params.get("charset") or "utf-8").lower()
    params = request.args
    updates: list[str] = []
    if mimetype == "application/x-www-form-urlencoded":
        if charset not in ("utf-8", "utf8"):
            return plain_error(415, "Unsupported Media Type: form bodies must be UTF-8.")
        queries, updates = request.form.getlist("query"), request.form.getlist("update")
        params = merged(request.args, request.form)
    elif mimetype in ("application/sparql-query", "application/sparql-update"):
        if charset not in ("utf-8", "utf8"):
            return plain_error(415, f"Unsupported Media Type: {mimetype} bodies must be UTF-8.")
        try:
            body = request.get_data(cache=False).decode("utf-8")
        except UnicodeDecodeError:
            return plain_error(400, "The request body is not valid UTF-8.")
        queries, updates = ([body], []) if mimetype == "application/sparql-query" else ([], [body])
    else:
        return plain_error(415, "Unsupported Media Type: POST a query as application/sparql-query, an update "
                                "as application/sparql-update, or either as application/x-www-form-urlencoded.")
    if updates:
        if queries or len(updates) > 1:
            return plain_error(400, "Send exactly one update (and no query) per request.")
        return run_update(updates[0], params)
    if len(queries) != 1:
        return plain_error(400, "Send exactly one query per request." if queries else "Missing the query parameter.")
    return run_query(queries[0], params)


def endpoint_url() -> str:
    """The endpoint's absolute URL: relative IRIs in a query resolve against it (also when another
    blueprint, such as the canned queries, runs the query in an app without this one)."""
    if "sparql.endpoint" in current_app.view_functions:
        return url_for("sparql.endpoint", _external=True)
    return request.url_root + "sparql"


def request_timeout(params, default: float) -> float:
    """The time limit: the server's, or less when the client asks (`timeout=` or X-Query-Timeout),
    but never less than the server's floor (`min_timeout`): a query that finishes in time keeps its
    worker, and a worker is only killed for a query that really ran over."""
    raw = params.get("timeout") or request.headers.get("X-Query-Timeout")
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise WorkerError(400, "timeout must be a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise WorkerError(400, f"timeout must be a positive number of seconds, not {raw.strip()[:20]!r}")
    if value > 1000:  # milliseconds, as some clients send
        value = value / 1000.0
    return min(max(value, current().cfg.min_timeout), default)


def _check_query_text(query: str) -> None:
    limit = current().cfg.max_request_bytes
    if len(query.encode("utf-8")) > limit:
        raise WorkerError(413, f"Query too large: the limit is {limit} bytes.")
    if sparql_text.uses_service(query):
        raise WorkerError(403, "SERVICE (federated query) is not allowed on this endpoint.")


def run_query(query: str, params, *, max_rows: int | None = -1, stream: bool = False,
              timeout: float | None = None, tag_extra: str = "") -> Response:
    """Runs a query in a worker and answers in the negotiated format (`format=`/`output=`, Accept).
    `max_rows=-1`: the server's row limit; `stream`: a large answer (canned CSV exports), which the
    worker writes to a spool file and the web process then sends at the client's pace."""
    ep = current()
    _check_query_text(query)
    timeout = request_timeout(params, timeout or ep.cfg.timeout)
    dg, ng = params.getlist("default-graph-uri"), params.getlist("named-graph-uri")
    job = {
        "op": "query", "query": query, "accept": request.headers.get("Accept"),
        "format": params.get("format") or params.get("output") or None,
        "max_rows": ep.cfg.max_rows if max_rows == -1 else max_rows,
        "union": not sparql_text.has_from(query),
        "prefixes": PREFIXES, "default_prefixes": PREFIXES,
        # relative IRIs in a query resolve against the endpoint's own URL
        "base_iri": endpoint_url(),
        "truncation_note": f"The result was cut at {ep.cfg.max_rows} rows (the server's row limit).",
    }
    if dg or ng:
        job["default_graph"], job["named_graphs"] = dg, ng
    v = Validators.of(json.dumps([query, dg, ng, job["accept"], job["format"], job["max_rows"], stream, tag_extra],
                                 ensure_ascii=False))
    if v.fresh():
        return v.not_modified()
    t0 = time.perf_counter()
    if stream:
        meta, chunks = ep.pool.stream(job, timeout)
        resp = Response(chunks, content_type=meta["content_type"])
    else:
        meta, body = ep.pool.run(job, timeout)
        resp = Response(body, content_type=meta["content_type"])  # werkzeug drops the body for HEAD
    resp.headers["X-Result-Rows"] = str(meta.get("rows", 0))
    if meta.get("truncated"):
        resp.headers["X-Result-Truncated"] = "true"
        resp.headers["X-Result-Max-Rows"] = str(job["max_rows"])
        resp.headers["Warning"] = f'199 - "result truncated at {job["max_rows"]} rows"'
    elapsed = meta.get("elapsed", time.perf_counter() - t0)
    resp.headers["X-Query-Time"] = f"{elapsed:.6f}"
    resp.headers["Server-Timing"] = (f"query;dur={elapsed * 1000:.1f}, "
                                     f"total;dur={(time.perf_counter() - t0) * 1000:.1f}")
    resp.headers["X-Query-Timeout-Seconds"] = f"{timeout:g}"
    return v.apply(resp)


def run_update(update: str, params) -> Response:
    """SPARQL Update, with the token in the Authorization header only (never the URL, where logs and
    browser histories keep it, nor a form field, which any web page can post); no CORS headers, so
    no page of another origin reads the answer."""
    ep = current()
    g.private = True  # responses.common_headers: no Access-Control-* on this answer
    if not ep.cfg.update_token:
        return plain_error(403, "This endpoint is read-only: SPARQL Update is disabled.")
    if any(k.lower() in CREDENTIAL_PARAMS for k in params):
        return plain_error(400, "Send the update token in the Authorization header (Authorization: Bearer TOKEN), "
                                "never in the URL or a form field.")
    given = request.headers.get("Authorization", "")
    token = given[7:].strip() if given.lower().startswith("bearer ") else ""
    if not token or not hmac.compare_digest(token.encode(), ep.cfg.update_token.encode()):
        return plain_error(401, "SPARQL Update needs the update token (Authorization: Bearer TOKEN).",
                           {"WWW-Authenticate": 'Bearer realm="policykg"'})
    if sparql_text.uses_load(update) or sparql_text.uses_service(update):
        return plain_error(403, "LOAD and SERVICE are not allowed on this endpoint.")
    if params.getlist("using-graph-uri") or params.getlist("using-named-graph-uri"):
        return plain_error(400, "using-graph-uri / using-named-graph-uri are not supported; "
                                "write USING / USING NAMED in the update instead.")
    timeout = request_timeout(params, ep.cfg.timeout)
    meta, _ = ep.pool.run_update({"op": "update", "update": update,
                                  "base_iri": endpoint_url()}, timeout)
    ep.after_update()
    resp = Response("Update applied.\n", status=200, mimetype="text/plain")
    resp.headers["X-Query-Time"] = f"{meta.get('elapsed', 0):.6f}"
    return resp

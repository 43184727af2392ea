"""Canned queries (`server/queries/*.rq`, see canned.py): the listing, the text, and runs with parameters.

A browser gets `/queries/NAME?param=…` as a page: the parameter form, the result as a table of
labelled links to this server's pages (result_table.py), page by page, the permalink, downloads and
"open in YASGUI" with the same parameters. CSV and TSV answers are streamed in full (no row cap, the
export time limit): a spreadsheet gets every row. JSON and XML keep the endpoint's row cap.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, render_template, request
from policykg.graph.namespaces import PREFIXES

from . import canned, result_table
from .formats import FORMATS
from .negotiation import negotiate, not_acceptable_message
from .responses import link, local_path, merged, plain_error
from .routes_sparql import run_query
from .state import current
from .workers import WorkerError

bp = Blueprint("canned", __name__)


@bp.route("/queries/")
@bp.route("/queries")
def index():
    listing = [c.as_dict() for c in current().queries.values()]
    chosen = negotiate(request, ["html", "plainjson"]) or FORMATS["html"]  # a page for people otherwise
    if chosen.name == "plainjson":
        return Response(json.dumps(listing, ensure_ascii=False, indent=1), mimetype="application/json")
    return render_template("queries.html", listing=listing)


@bp.route("/queries/<name>.rq")
def text(name: str):
    c = current().queries.get(name) or abort(404)
    body = c.render(request.args) if request.args else c.text
    return Response(body, content_type="application/sparql-query; charset=utf-8")


@bp.route("/queries/<name>", methods=["GET", "POST"])
def run(name: str):
    c = current().queries.get(name)
    if c is None:
        return plain_error(404, f"No canned query named {name!r}. See /queries.")
    values = merged(request.args, request.form) if request.method == "POST" else request.args
    chosen = negotiate(request, ["export", "html"], values.get("format"))
    if chosen is None:
        return plain_error(406, not_acceptable_message(["export"], values.get("format")))
    if chosen.name == "html":
        return page(c, values)  # a bad parameter is shown beside the form
    try:
        query = c.render(values)
    except canned.ParamError as e:
        return plain_error(400, str(e))
    params = merged({k: v for k, v in values.items() if k != "format"}, {"format": chosen.name})
    if chosen.name in ("csv", "tsv"):
        resp = run_query(query, params, max_rows=None, stream=True, timeout=current().cfg.export_timeout,
                         tag_extra="canned:" + name)
        if resp.status_code == 200:
            resp.headers["Content-Disposition"] = f'inline; filename="{name}.{chosen.name}"'
        return resp
    return run_query(query, params, tag_extra="canned:" + name)


PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
PAGE_KEYS = ("format", "page", "size")


def _int_arg(values, key: str, default: int, lo: int, hi: int) -> int:
    try:
        return max(lo, min(hi, int(values.get(key, default))))
    except ValueError:
        return default


def page(c: canned.CannedQuery, values) -> Response:
    """The canned query as a page: its form, its result table (one page of it) and its links."""
    params = {p.name: (values.get(p.name) if values.get(p.name) is not None else p.default) for p in c.params}
    shown = {k: v for k, v in params.items() if v != ""}
    number = _int_arg(values, "page", 1, 1, 10**6)
    size = _int_arg(values, "size", PAGE_SIZE, 1, MAX_PAGE_SIZE)
    ctx = {"q": c, "params": params, "page": number, "size": size, "error": None, "table": None, "more": False,
           "permalink": link("canned.run", name=c.name) + ("?" + urlencode(shown) if shown else ""),
           "yasgui": link("ui.query_page") + "?" + urlencode({"canned": c.name, **shown}),
           "download": lambda fmt: link("canned.run", name=c.name) + "?" + urlencode({**shown, "format": fmt}),
           "page_link": lambda n: link("canned.run", name=c.name) + "?" + urlencode(
               {**shown, **({"page": n} if n > 1 else {}), **({"size": size} if size != PAGE_SIZE else {})})}
    status = 200
    try:
        query = c.render(values)
        ctx["sparql"] = query
        ctx["table"], ctx["more"], ctx["seconds"] = _run_page(query, (number - 1) * size, size)
    except canned.ParamError as e:
        ctx["error"], status = str(e), 400
    except WorkerError as e:
        ctx["error"], status = e.message, e.status
    ctx["first_row"] = (number - 1) * size + 1
    return Response(render_template("canned.html", **ctx), status=status, mimetype="text/html")


def _run_page(query: str, offset: int, size: int):
    """Rows offset…offset+size of the answer as a result_table.Table, whether more follow, seconds."""
    ep = current()
    meta, rows = ep.pool.run({"op": "query", "query": query, "raw": True, "max_rows": offset + size,
                              "union": True, "default_prefixes": PREFIXES}, ep.cfg.timeout)
    variables = meta.get("vars", [])
    rows = rows[offset:offset + size]
    wanted = result_table.iris_needing_labels(variables, rows)
    labels = result_table.fetch_labels(wanted, lambda q: ep.raw(q)) if wanted else {}
    return result_table.build(variables, rows, labels, local_path), bool(meta.get("truncated")), meta.get("elapsed")

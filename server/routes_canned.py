"""Canned queries (`server/queries/*.rq`, see canned.py): the listing, the text, and runs with parameters.

CSV and TSV answers are streamed in full (no row cap, the export time limit): a spreadsheet gets
every row. JSON and XML keep the endpoint's row cap.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for

from . import canned
from .formats import FORMATS
from .negotiation import negotiate, not_acceptable_message
from .responses import merged, plain_error
from .routes_sparql import run_query
from .state import current

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
    try:
        query = c.render(values)
    except canned.ParamError as e:
        return plain_error(400, str(e))
    chosen = negotiate(request, ["export", "html"], values.get("format"))
    if chosen is None:
        return plain_error(406, not_acceptable_message(["export"], values.get("format")))
    if chosen.name == "html":
        if "ui.query_page" not in current_app.view_functions:
            return plain_error(406, not_acceptable_message(["export"]))
        return redirect(url_for("ui.query_page", canned=name, **{k: v for k, v in values.items() if k != "format"}))
    params = merged({k: v for k, v in values.items() if k != "format"}, {"format": chosen.name})
    if chosen.name in ("csv", "tsv"):
        resp = run_query(query, params, max_rows=None, stream=True, timeout=current().cfg.export_timeout,
                         tag_extra="canned:" + name)
        if resp.status_code == 200:
            resp.headers["Content-Disposition"] = f'inline; filename="{name}.{chosen.name}"'
        return resp
    return run_query(query, params, tag_extra="canned:" + name)

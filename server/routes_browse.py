"""Browse without SPARQL: /documents, /agencies (by jurisdiction, collectives apart), /jurisdictions.
HTML for people, JSON (`?format=json` or Accept) for scripts; long lists are paged (`?page=`)."""

from __future__ import annotations

import json
from dataclasses import asdict

from flask import Blueprint, Response, render_template, request

from . import browse
from .formats import FORMATS
from .negotiation import negotiate
from .responses import Validators
from .state import current

bp = Blueprint("browse", __name__)


def _page() -> int:
    try:
        return max(1, int(request.args.get("page") or 1))
    except ValueError:
        return 1


def _render(template: str, data, **context) -> Response:
    chosen = negotiate(request, ["html", "plainjson"]) or FORMATS["html"]
    v = Validators.of(f"{request.path}|{request.query_string.decode()}|{chosen.name}")
    if v.fresh():
        return v.not_modified()
    if chosen.name == "plainjson":
        body = json.dumps(asdict(data) if hasattr(data, "__dataclass_fields__") else data, ensure_ascii=False)
        return v.apply(Response(body, mimetype="application/json"))
    return v.apply(Response(render_template(template, data=data, **context)))


def _jurisdiction_filter() -> tuple[str | None, str | None]:
    j = request.args.get("jurisdiction") or None
    if not j:
        return None, None
    label = next((x["label"] for x in browse.jurisdictions(current()) if x["iri"] == j), j)
    return j, label


@bp.route("/documents")
def documents():
    j, label = _jurisdiction_filter()
    data = browse.documents(current(), _page(), j)
    return _render("documents.html", data, jurisdiction=j, jurisdiction_label=label)


@bp.route("/agencies")
def agencies():
    j, label = _jurisdiction_filter()
    data = browse.agencies(current(), _page(), j)
    return _render("agencies.html", data, jurisdiction=j, jurisdiction_label=label)


@bp.route("/jurisdictions")
def jurisdictions():
    return _render("jurisdictions.html", browse.jurisdictions(current()))

"""/validate: the SHACL report of the served store (the work is validation.py's, in a process of its own)."""

from __future__ import annotations

from flask import Blueprint, request

from . import validation
from .routes_linked import SHAPES_DIR
from .state import current

bp = Blueprint("validate", __name__)


@bp.route("/validate")
def report():
    return validation.handle(current(), request, SHAPES_DIR)

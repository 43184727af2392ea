"""Linked data: every data IRI dereferences at /id/… (an HTML page for a person, RDF for a machine),
a named graph's IRI to the graph itself, and the ontology and the shapes at /ontology, /shapes."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request, stream_with_context
from policykg.graph.namespaces import PREFIXES, compact

from . import linked
from .negotiation import negotiate, not_acceptable_message
from .responses import Validators, plain_error, rdf_document
from .state import current
from .terms import Terms

bp = Blueprint("linked", __name__)

PACKAGE_ROOT = Path(__file__).resolve().parent
NOT_IN_AN_IRI = '<>"{}|^`\\ \n\t\r'


def resource_dir(package: str, fallback: str) -> Path:
    """Where an installed data package (policykg.ontology, policykg.shapes) lives."""
    try:
        import importlib.resources as ir

        p = Path(str(ir.files(package)))
        if p.exists():
            return p
    except Exception:  # noqa: BLE001 - not installed as a package: the checkout's folder
        pass
    return PACKAGE_ROOT.parent / fallback


ONTOLOGY_DIR = resource_dir("policykg.ontology", "ontology")
SHAPES_DIR = resource_dir("policykg.shapes", "shapes")
TERMS = Terms(ONTOLOGY_DIR)


def _page_number() -> int:
    try:
        return max(1, int(request.args.get("page") or 1))
    except ValueError:
        return 1


@bp.route("/id/<path:rest>")
def resource(rest: str):
    ep = current()
    iri = ep.cfg.base + rest
    if any(c in iri for c in NOT_IN_AN_IRI):
        return plain_error(404, "Not a data IRI here: it contains characters an IRI cannot hold.")
    kinds = ("graph", "html")
    chosen = negotiate(request, kinds)
    if chosen is None:
        return plain_error(406, not_acceptable_message(kinds, request.args.get("format")))
    v = Validators.of(f"id|{iri}|{chosen.name}|{_page_number()}")
    if v.fresh():
        return v.not_modified()
    if iri in ep.graph_names():
        resp = _graph_document(iri, rest, chosen.name)
    else:
        resp = _description(iri, rest, chosen.name)
        if resp.status_code != 200:
            return resp
        resp.headers["Link"] = f'<{iri}>; rel="canonical"'
    resp.headers["Content-Location"] = request.path
    return v.apply(resp)


def _description(iri: str, rest: str, fmt: str) -> Response:
    """A resource's page (HTML) or its RDF description; 404 when nothing is known about it."""
    ep = current()
    if fmt == "html":
        page = linked.describe_for_html(ep, iri, TERMS, page=_page_number())
        if page is None:
            return Response(render_template("notfound.html", iri=iri), status=404)
        return Response(render_template("resource.html", r=page, iri=iri, rest=rest))
    job = {"op": "query", "query": linked.construct_query(iri), "format": fmt, "prefixes": PREFIXES,
           "max_rows": None}
    meta, body = ep.pool.run(job, ep.cfg.timeout)
    if meta.get("rows", 0) == 0:
        return plain_error(404, f"Nothing is known about <{iri}>.")
    return Response(body, content_type=meta["content_type"])


def _graph_document(iri: str, rest: str, fmt: str) -> Response:
    """A named graph's IRI dereferences to the graph: its triples (streamed), or a summary page."""
    ep = current()
    if fmt == "html":
        rows = ep.raw(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}", union=False)
        n = int(rows[0]["n"]["value"]) if rows else 0
        return Response(render_template("graph.html", iri=iri, triples=n, rest=rest))
    job = {"op": "query", "query": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}",
           "format": fmt, "prefixes": PREFIXES, "max_rows": None, "union": False, "stream": True}
    meta, chunks = ep.pool.stream(job, ep.cfg.export_timeout)
    return Response(stream_with_context(chunks), content_type=meta["content_type"])


@bp.route("/ontology/")
@bp.route("/ontology")
def ontology():
    return _schema_document(_turtle_files(ONTOLOGY_DIR), "Ontology", "ontology")


@bp.route("/shapes/")
@bp.route("/shapes")
def shapes():
    return _schema_document(_turtle_files(SHAPES_DIR), "SHACL shapes", "shapes")


def _turtle_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.ttl")) if directory.exists() else []


def _schema_document(files: list[Path], title: str, tag: str) -> Response:
    if not files:
        return plain_error(404, f"No {title.lower()} files are installed.")
    turtle = current().cached("schema:" + tag, lambda: _merged_turtle(files))
    chosen = negotiate(request, ["graph", "html"])  # a person (or format=html) gets the page
    if chosen is None or chosen.name != "html":
        return rdf_document(turtle, tag)
    return render_template("schema.html", title=title, terms=_schema_terms(turtle), turtle=turtle,
                           files=[f.name for f in files], tag=tag)


def _merged_turtle(files: list[Path]) -> str:
    if len(files) == 1:
        return files[0].read_text(encoding="utf-8")
    triples = []
    for f in files:
        triples.extend(q.triple for q in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE))
    return ox.serialize(triples, None, ox.RdfFormat.TURTLE, prefixes=PREFIXES).decode()


LABELS = (PREFIXES["rdfs"] + "label", PREFIXES["skos"] + "prefLabel", PREFIXES["sh"] + "name")
COMMENTS = (PREFIXES["rdfs"] + "comment", PREFIXES["skos"] + "definition", PREFIXES["sh"] + "description")


def _schema_terms(turtle: str) -> list[dict]:
    """The terms a schema file defines, with their types, labels and comments, for its page."""
    by: dict[str, dict] = {}
    for q in ox.parse(turtle.encode(), ox.RdfFormat.TURTLE):
        s, p, o = q.subject, q.predicate.value, q.object
        if not isinstance(s, ox.NamedNode):
            continue
        d = by.setdefault(s.value, {"iri": s.value, "types": [], "labels": [], "comments": []})
        if p == PREFIXES["rdf"] + "type":
            d["types"].append(o.value)
        elif p in LABELS:
            d["labels"].append(o.value)
        elif p in COMMENTS:
            d["comments"].append(o.value)
    for d in by.values():
        d["anchor"] = d["iri"].rsplit("#", 1)[-1] if "#" in d["iri"] else d["iri"].rsplit("/", 1)[-1]
        d["types"] = [compact(t) for t in d["types"]]
    return sorted(by.values(), key=lambda d: (",".join(d["types"]), d["iri"]))

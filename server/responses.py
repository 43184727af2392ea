"""Responses every blueprint builds the same way: plain-text errors, conditional requests keyed on
the store's load version, a Turtle document in the negotiated RDF syntax, and the headers every
response carries (set once, in `common_headers`, the app's after_request).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime

import pyoxigraph as ox
from flask import Response, current_app, g, request, url_for
from policykg.graph.namespaces import PKG_IRI, PREFIXES
from werkzeug.datastructures import MultiDict

from .formats import rdf_format
from .negotiation import negotiate, not_acceptable_message
from .state import current

CORS_EXPOSE = ("ETag, Last-Modified, X-Query-Time, Server-Timing, X-Result-Rows, X-Result-Truncated, "
               "X-Result-Max-Rows, X-Query-Timeout-Seconds")


def common_headers(resp: Response) -> Response:
    """CORS (the data is public and read-only: any origin may read it, and see our headers) and
    the security headers, on every response; but no CORS on an update's answer (`g.private`): a
    page of another origin never reads what a write did, and browsers refuse it the token header."""
    if not g.get("private"):
        resp.headers["Access-Control-Allow-Origin"] = "*"
        resp.headers["Access-Control-Expose-Headers"] = CORS_EXPOSE
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    return resp


def plain_error(status: int, message: str, headers: dict | None = None) -> Response:
    """An error as one line of text: never a traceback, never an HTML page a script must parse."""
    resp = Response(message.rstrip() + "\n", status=status, mimetype="text/plain")
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


@dataclass(frozen=True)
class Validators:
    """ETag and Last-Modified of one representation: the load version plus what else selects it."""

    etag: str
    modified: float

    @classmethod
    def of(cls, extra: str) -> Validators:
        version, modified = current().version.get()
        tag = hashlib.sha1(f"{version}|{extra}".encode()).hexdigest()[:20]
        return cls(f'W/"{version}-{tag}"', modified)

    def fresh(self) -> bool:
        """True when the client's copy is current (answer 304)."""
        inm = request.headers.get("If-None-Match")
        if inm:
            tags = [t.strip() for t in inm.split(",")]
            weak = self.etag[2:] if self.etag.startswith("W/") else self.etag
            return "*" in tags or any((t[2:] if t.startswith("W/") else t) == weak for t in tags)
        ims = request.headers.get("If-Modified-Since")
        if ims and request.method in ("GET", "HEAD"):
            try:
                return int(self.modified) <= parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                return False
        return False

    def apply(self, resp: Response) -> Response:
        resp.headers["ETag"] = self.etag
        resp.headers["Last-Modified"] = formatdate(self.modified, usegmt=True)
        resp.headers["Cache-Control"] = "no-cache"
        resp.headers.add("Vary", "Accept")
        return resp

    def not_modified(self) -> Response:
        return self.apply(Response(status=304))


def rdf_document(turtle: str, tag: str, kinds: tuple[str, ...] = ("graph",)) -> Response:
    """A Turtle document (VoID, service description, ontology) in the syntax the client asked for."""
    chosen = negotiate(request, kinds)
    if chosen is None:
        return plain_error(406, not_acceptable_message(kinds, request.values.get("format")))
    v = Validators.of(f"{tag}|{chosen.name}|{hashlib.sha1(turtle.encode()).hexdigest()}")
    if v.fresh():
        return v.not_modified()
    if chosen.name == "turtle":
        body = turtle.encode()
    else:
        triples = [q.triple for q in ox.parse(turtle.encode(), ox.RdfFormat.TURTLE)]
        body = ox.serialize(triples, None, rdf_format(chosen.name),
                            prefixes=PREFIXES if chosen.name == "rdfxml" else None)
    return v.apply(Response(body, content_type=chosen.content_type))


def merged(*mappings) -> MultiDict:
    """Query-string and form parameters as one MultiDict (repeated keys kept)."""
    out: MultiDict = MultiDict()
    for m in mappings:
        if hasattr(m, "lists"):
            for k, vs in m.lists():
                for v in vs:
                    out.add(k, v)
        else:
            for k, v in dict(m).items():
                out.add(k, v)
    return out


def link(endpoint: str, **values) -> str:
    """The URL of a route, or "#" when this app was composed without it (a page still renders)."""
    if endpoint not in current_app.view_functions:
        return "#"
    return url_for(endpoint, **values)


def local_path(iri: str) -> str:
    """Where an IRI is served here (data, ontology and shapes IRIs), else the IRI itself."""
    base = current().cfg.base
    if iri.startswith(base) and "linked.resource" in current_app.view_functions:
        return url_for("linked.resource", rest=iri[len(base):])
    if iri.startswith(PKG_IRI) and "linked.ontology" in current_app.view_functions:
        return url_for("linked.ontology") + "#" + iri[len(PKG_IRI):]
    if not iri.startswith(("http://", "https://")):
        return "#"  # never a javascript: (or other scheme) link from data
    return iri

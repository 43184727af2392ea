"""The media-type registry: every format the server writes, and which ones each kind of answer offers.

A `Format` ties a name (what `format=` and the worker protocol say) to its media type, the
Content-Type header sent with it and, for RDF, pyoxigraph's serialiser. A `Kind` is one sort of
answer (a SELECT result, an RDF graph, a dump, a page) and lists, in the server's order of
preference, the formats it can be sent as, the `format=` words that name them, and the other
media types that stand for one of them when a client names them exactly (`application/json` is
SPARQL JSON for a SELECT but JSON-LD for a graph). `negotiation.negotiate` reads only this table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    content_type: str
    rdf: ox.RdfFormat | None = None  # pyoxigraph's serialiser, for RDF syntaxes


@dataclass(frozen=True)
class Kind:
    offers: tuple[str, ...]  # format names, most preferred first (what */* gets)
    words: dict[str, str] = field(default_factory=dict)  # `format=` word -> format name
    aliases: dict[str, str] = field(default_factory=dict)  # media type named exactly -> format name


FORMATS: dict[str, Format] = {f.name: f for f in (
    # SPARQL results (written by results.py, row by row)
    Format("json", "application/sparql-results+json", "application/sparql-results+json; charset=utf-8"),
    Format("xml", "application/sparql-results+xml", "application/sparql-results+xml; charset=utf-8"),
    Format("csv", "text/csv", "text/csv; charset=utf-8"),
    Format("tsv", "text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
    # RDF syntaxes (written by pyoxigraph)
    Format("turtle", "text/turtle", "text/turtle; charset=utf-8", ox.RdfFormat.TURTLE),
    Format("jsonld", "application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
    Format("ntriples", "application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
    Format("rdfxml", "application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
    Format("nquads", "application/n-quads", "application/n-quads", ox.RdfFormat.N_QUADS),
    Format("trig", "application/trig", "application/trig", ox.RdfFormat.TRIG),
    # for people, and our own JSON documents (search hits, the canned-query listing)
    Format("html", "text/html", "text/html; charset=utf-8"),
    Format("plainjson", "application/json", "application/json"),
)}

_RESULT_WORDS = {"json": "json", "srj": "json", "xml": "xml", "srx": "xml"}
_RDF_WORDS = {"turtle": "turtle", "ttl": "turtle", "jsonld": "jsonld", "json-ld": "jsonld", "json": "jsonld",
              "nt": "ntriples", "ntriples": "ntriples", "n-triples": "ntriples",
              "rdfxml": "rdfxml", "rdf": "rdfxml", "xml": "rdfxml"}

KINDS: dict[str, Kind] = {
    # SELECT results
    "select": Kind(("json", "xml", "csv", "tsv"), {**_RESULT_WORDS, "csv": "csv", "tsv": "tsv"},
                   {"application/json": "json", "application/xml": "xml", "text/xml": "xml"}),
    # ASK results
    "ask": Kind(("json", "xml"), _RESULT_WORDS, {"application/json": "json", "application/xml": "xml",
                                                  "text/xml": "xml"}),
    # CONSTRUCT / DESCRIBE results, linked-data descriptions, VoID, ontology and shapes
    "graph": Kind(("turtle", "jsonld", "ntriples", "rdfxml"), _RDF_WORDS,
                  {"application/x-turtle": "turtle", "text/plain": "ntriples", "application/json": "jsonld",
                   "application/xml": "rdfxml"}),
    # the whole dataset (/dump): quads, or the union graph as triples
    "dataset": Kind(("nquads", "trig", "turtle", "ntriples"),
                    {"nquads": "nquads", "nq": "nquads", "n-quads": "nquads", "trig": "trig", "turtle": "turtle",
                     "ttl": "turtle", "ntriples": "ntriples", "nt": "ntriples", "n-triples": "ntriples"}),
    # canned queries: spreadsheets first (CSV is streamed in full)
    "export": Kind(("csv", "json", "tsv", "xml"), {"csv": "csv", "tsv": "tsv", "json": "json", "xml": "xml"},
                   {"application/json": "json"}),
    "html": Kind(("html",), {"html": "html"}, {"application/xhtml+xml": "html"}),
    "plainjson": Kind(("plainjson",), {"json": "plainjson"}),
}

#: the SPARQL result kinds, by pyoxigraph's answer (QuerySolutions, QueryBoolean, triples)
RESULT_KINDS = ("select", "ask", "graph")


def content_type(name: str) -> str:
    return FORMATS[name].content_type


def rdf_format(name: str) -> ox.RdfFormat:
    rdf = FORMATS[name].rdf
    if rdf is None:
        raise ValueError(f"{name} is not an RDF syntax")
    return rdf


def media_types(kinds: list[str] | tuple[str, ...]) -> list[str]:
    """The media types the kinds offer, in order (for a 406 message)."""
    return list(dict.fromkeys(FORMATS[n].media_type for k in kinds for n in KINDS[k].offers))

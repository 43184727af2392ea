"""Small pure parts of the server: Accept negotiation, SPARQL text inspection, canned-query rendering."""

from __future__ import annotations

import pytest
from policykg.server import canned, sparql_text
from policykg.server.negotiation import choose, parse_accept, prefers_html


def test_accept_parsing_and_specificity():
    ranges = parse_accept('text/*;q=0.3, text/html;q=0.7, text/html;level=1, */*;q=0.5, text/plain;q="0.1"')
    assert len(ranges) == 5
    assert choose("text/*;q=0.3, text/turtle;q=0.9, */*;q=0.1", ["text/csv", "text/turtle"]) == "text/turtle"
    assert choose("text/*;q=0.3, */*;q=0.5", ["text/csv", "application/json"]) == "application/json"
    assert choose("text/csv;q=0", ["text/csv"]) is None
    assert choose("", ["a/b", "c/d"]) == "a/b"
    assert choose("garbage, ;;;, */*", ["a/b"]) == "a/b"
    assert choose("application/json", ["application/sparql-results+json"],
                  {"application/json": "application/sparql-results+json"}) == "application/sparql-results+json"


def test_prefers_html():
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
    assert prefers_html(browser)
    assert not prefers_html("*/*")
    assert not prefers_html("text/turtle, text/html;q=0.5")
    assert not prefers_html(None)


@pytest.mark.parametrize("query,service", [
    ("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }", True),
    ("select * { service silent <http://x/> { ?s ?p ?o } }", True),
    ("SELECT * { \\u0053ERVICE <http://x/> { ?s ?p ?o } }", True),
    ("SELECT ?service { ?service ?p 'SERVICE' }", False),
    ("PREFIX ex: <http://x/SERVICE> SELECT * { ?s ex:service ?o } # SERVICE", False),
    ('SELECT * { ?s ?p """a SERVICE b""" }', False),
])
def test_service_detection(query, service):
    assert sparql_text.uses_service(query) is service


def test_from_and_form_detection():
    assert sparql_text.has_from("SELECT * FROM <g> { ?s ?p ?o }")
    assert not sparql_text.has_from("SELECT ?from { ?from ?p 'FROM' }")
    assert sparql_text.query_form("PREFIX a: <http://x/select> # ASK\n CONSTRUCT WHERE { ?s ?p ?o }") == "CONSTRUCT"
    assert sparql_text.uses_load("LOAD <http://x/> INTO GRAPH <g>")


def test_canned_parameters_are_escaped_and_checked():
    q = canned.parse_rq("t", '# param: name zh 科技局 | x\n# param: n integer 5\nSELECT * { FILTER($name_hant = $name && $n > 1) }')
    text = q.render({"name": 'a" } DROP ALL #', "n": "3"})
    assert '"a\\" } DROP ALL #"' in text and "> 1" in text and "3 > 1" in text
    with pytest.raises(canned.ParamError):
        q.render({"n": "3; DROP"})
    assert '"科技局"' in q.render()
    t = canned.parse_rq("t", "# param: a zh 發展改革委\nSELECT * { FILTER($a_hans = $a_hant) }").render()
    assert '"发展改革委" = "發展改革委"' in t


def test_every_shipped_query_parses():
    import pyoxigraph as ox

    store = ox.Store()
    queries = canned.load_all()
    assert len(queries) >= 8
    for q in queries.values():
        assert q.title and q.description
        store.query(q.render())  # parses (and runs on an empty store)


@pytest.mark.parametrize("kinds,accept,requested,expected", [
    (["select"], None, None, "json"),
    (["select"], "text/*;q=0.9, application/sparql-results+json;q=0.2", None, "csv"),
    (["select"], "application/json", None, "json"),  # an alias named exactly
    (["graph"], "application/json", None, "jsonld"),  # the same alias means JSON-LD for a graph
    (["select"], "application/sparql-results+json;q=0, */*", None, "xml"),
    (["select"], "text/html", "text/csv", "csv"),  # format= may be a media type
    (["graph"], "text/html", "nt", "ntriples"),  # or a word; it beats Accept
    (["graph"], None, "nonsense", None),
    (["ask"], "text/csv", None, None),
    (["graph", "html"], "text/html,application/xhtml+xml,*/*;q=0.8", None, "html"),  # a browser
    (["graph", "html"], "*/*", None, "turtle"),  # curl
    (["graph", "html"], None, "html", "html"),
    (["html", "plainjson"], "application/json", None, "plainjson"),
    (["dataset"], None, "nq", "nquads"),
    (["export", "html"], "*/*", None, "csv"),
])
def test_choose_format(kinds, accept, requested, expected):
    from policykg.server.negotiation import choose_format

    chosen = choose_format(kinds, accept, requested)
    assert (chosen.name if chosen else None) == expected


def test_every_kind_offers_registered_formats():
    from policykg.server.formats import FORMATS, KINDS

    for kind in KINDS.values():
        assert set(kind.offers) | set(kind.words.values()) | set(kind.aliases.values()) <= set(FORMATS)
        assert set(kind.words.values()) | set(kind.aliases.values()) <= set(kind.offers)


@pytest.mark.parametrize("iri,expected", [
    ("https://w3id.org/policykg/ontology#Measure", "pkg:Measure"),
    ("http://qudt.org/vocab/unit/PERCENT", "unit:PERCENT"),
    ("http://www.w3.org/ns/shacl#NodeShape", "sh:NodeShape"),
    ("https://w3id.org/policykg/id/agency/x", "<https://w3id.org/policykg/id/agency/x>"),  # no prefix covers it
    ("http://purl.org/dc/terms/", "<http://purl.org/dc/terms/>"),  # nothing after the namespace
    ("http://www.w3.org/ns/prov#a/b", "<http://www.w3.org/ns/prov#a/b>"),  # would need escaping
    ("http://www.w3.org/2001/XMLSchema#x.", "<http://www.w3.org/2001/XMLSchema#x.>"),  # a trailing dot ends a triple
])
def test_compact(iri, expected):
    from policykg.graph.namespaces import compact

    assert compact(iri) == expected

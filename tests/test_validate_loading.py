"""Validation reads files offline: no remote JSON-LD context, no XML entity, no SERVICE call.

A validator is run on files that come from elsewhere: each of these would make it fetch a URL or
expand an entity bomb. Each is refused with a `ValidateError` naming the file, and a local HTTP
server proves nothing was fetched.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
import warnings
from pathlib import Path

import pytest
from policykg.shapes import ValidateError, default_shapes_dir, load_data, load_shapes, validate
from rdflib import Graph

HERE = Path(__file__).parent
GOOD = HERE / "validate_data" / "good.ttl"


@pytest.fixture()
def http_server():
    """A local server that records every request and answers with a JSON-LD context."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/ld+json")
            self.end_headers()
            self.wfile.write(b'{"@context": {"label": "http://www.w3.org/2000/01/rdf-schema#label"}}')

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()
    server.server_close()


def _jsonld(tmp_path: Path, doc: dict) -> Path:
    path = tmp_path / "data.jsonld"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.mark.parametrize("where", ["top", "list", "scoped", "import"])
def test_remote_jsonld_context_is_not_fetched(tmp_path, http_server, where):
    url, hits = http_server
    node = {"@id": "https://w3id.org/policykg/id/x", "label": "x"}
    doc = {
        "top": {"@context": url + "/ctx", **node},
        "list": {"@context": [{"ex": "https://example.org/"}, url + "/ctx"], **node},
        "scoped": {"@context": {"ex": {"@id": "https://example.org/p", "@context": url + "/ctx"}}, **node},
        "import": {"@context": {"@version": 1.1, "@import": url + "/ctx"}, **node},
    }[where]
    path = _jsonld(tmp_path, doc)
    with pytest.raises(ValidateError, match="remote contexts") as err:
        validate(path)
    assert str(path) in str(err.value) and url in str(err.value)
    assert hits == []


def test_jsonld_with_inline_context_is_read(tmp_path):
    path = _jsonld(tmp_path, {
        "@context": {"rdfs": "http://www.w3.org/2000/01/rdf-schema#"},
        "@id": "https://w3id.org/policykg/id/x", "rdfs:label": "x",
    })
    assert len(load_data(path)) == 1


@pytest.mark.parametrize("fmt,ext", [("nquads", "nq"), ("trig", "trig"), ("json-ld", "jsonld"), ("xml", "rdf")])
def test_every_file_type_reads_without_deprecation_warnings(tmp_path, fmt, ext):
    """rdflib's parsers warn about their own use of ConjunctiveGraph: not our users' concern."""
    good = Graph().parse(GOOD)
    path = tmp_path / f"good.{ext}"
    # quads written by hand: rdflib's own N-Quads and TriG serialisers warn too
    lines = good.serialize(format="nt").splitlines()
    text = {
        "nquads": "".join(line[:-1] + "<https://example.org/g1> .\n" for line in lines if line),
        "trig": "<https://example.org/g1> {\n" + "\n".join(lines) + "\n}\n",
    }.get(fmt) or good.serialize(format=fmt)
    path.write_text(text, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        assert len(load_data(path)) == len(good)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY a "haha">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
 <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
 <!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="https://w3id.org/policykg/id/x"><rdfs:label>&i;</rdfs:label></rdf:Description>
</rdf:RDF>
"""

PLAIN_RDFXML = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="https://w3id.org/policykg/id/x"><rdfs:label>x</rdfs:label></rdf:Description>
</rdf:RDF>
"""


def test_rdfxml_entity_bomb_is_refused_at_once(tmp_path):
    path = tmp_path / "bomb.rdf"
    path.write_text(BILLION_LAUGHS, encoding="utf-8")
    t0 = time.perf_counter()
    with pytest.raises(ValidateError, match="does not expand XML entities") as err:
        validate(path)
    assert time.perf_counter() - t0 < 5
    assert str(path) in str(err.value) and "'a'" in str(err.value)


def test_rdfxml_external_dtd_is_refused(tmp_path, http_server):
    url, hits = http_server
    path = tmp_path / "dtd.rdf"
    path.write_text(PLAIN_RDFXML.replace("<rdf:RDF", f'<!DOCTYPE rdf:RDF SYSTEM "{url}/x.dtd">\n<rdf:RDF', 1),
                    encoding="utf-8")
    with pytest.raises(ValidateError, match="external DTD"):
        validate(path)
    assert hits == []


def test_rdfxml_without_doctype_is_read(tmp_path):
    path = tmp_path / "plain.rdf"
    path.write_text(PLAIN_RDFXML, encoding="utf-8")
    assert len(load_data(path)) == 1


def test_ontology_file_is_read_offline_too(tmp_path):
    path = tmp_path / "ontology.rdf"
    path.write_text(BILLION_LAUGHS, encoding="utf-8")
    with pytest.raises(ValidateError, match="does not expand XML entities"):
        validate(GOOD, inference="rdfs", ontology=path)


def test_shapes_calling_service_are_refused(tmp_path, http_server):
    url, hits = http_server
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    for f in default_shapes_dir().glob("*.ttl"):
        (shapes / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    remote = shapes / "remote.ttl"
    remote.write_text(f"""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix pkg: <https://w3id.org/policykg/ontology#> .
@prefix ex: <https://example.org/> .
ex:RemoteShape a sh:NodeShape ; sh:targetClass pkg:Measure ;
  sh:sparql [ sh:select "SELECT $this WHERE {{ SERVICE <{url}/sparql> {{ $this ?p ?o }} }}" ] .
""", encoding="utf-8")
    with pytest.raises(ValidateError, match="SERVICE") as err:
        validate(GOOD, shapes_dir=shapes)
    assert str(remote) in str(err.value)
    assert hits == []
    remote.unlink()
    assert len(load_shapes(shapes)) == len(load_shapes())

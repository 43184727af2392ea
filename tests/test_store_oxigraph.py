"""The store layer: embedded Oxigraph (disk and memory) and a remote SPARQL 1.1 store over HTTP."""

from __future__ import annotations

import io
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyoxigraph as ox
import pytest
from policykg.graph.store import OxigraphStore, RemoteStore, open_store, results_to_json
from rdflib import Dataset, Graph

G1 = "http://example.org/graph/1"
G2 = "http://example.org/graph/2"
NT1 = '<http://example.org/a> <https://w3id.org/policykg/ontology#owns> <http://example.org/m> .\n' \
      '<http://example.org/m> <http://www.w3.org/2000/01/rdf-schema#label> "措施"@zh-Hans .\n'
NT2 = '<http://example.org/a> <https://w3id.org/policykg/ontology#owns> <http://example.org/m> .\n'


def rows(store, q):
    return results_to_json(store.query(q))["results"]["bindings"]


@pytest.fixture(params=["disk", "memory"])
def store(request, tmp_path):
    s = open_store(tmp_path / "store") if request.param == "disk" else open_store(memory=True)
    yield s
    s.close()


def test_replace_union_and_version(store):
    assert store.load_version() == 0
    store.replace_graph(G1, NT1)
    store.replace_graph(G2, NT2)
    assert store.load_version() == 2
    assert store.count(G1) == 2 and store.count(G2) == 1
    # default graph = union of named graphs; our prefixes are predeclared
    got = rows(store, "SELECT ?m WHERE { ?a pkg:owns ?m }")
    assert len(got) == 2  # Oxigraph's union keeps the duplicate
    assert len(rows(store, "SELECT DISTINCT ?m WHERE { ?a pkg:owns ?m }")) == 1
    store.replace_graph(G1, NT2)  # replaced as a whole
    assert store.count(G1) == 1 and store.load_version() == 3
    assert G1 in store.graphs() and G2 in store.graphs()


def test_a_failing_replace_changes_nothing(store):
    store.replace_graph(G1, NT1)
    before = (store.count(), store.load_version())
    with pytest.raises(SyntaxError):
        store.replace_graph(G1, NT2 + "<broken .\n")
    assert (store.count(), store.load_version()) == before
    assert store.count(G1) == 2


def test_query_keeps_its_own_prefixes(store):
    store.replace_graph(G1, NT1)
    q = "PREFIX pkg: <http://example.org/other#> SELECT * WHERE { ?a pkg:owns ?m }"
    assert rows(store, q) == []


@pytest.mark.parametrize("fmt,parse_as", [("nquads", "nquads"), ("trig", "trig"), ("jsonld", "json-ld"),
                                          ("turtle", "turtle"), ("ntriples", "nt")])
def test_dump_formats_parse_back(store, fmt, parse_as):
    store.replace_graph(G1, NT1)
    store.replace_graph(G2, NT2)
    buf = io.BytesIO()
    store.dump(fmt, buf)
    data = buf.getvalue()
    if fmt in ("nquads", "trig", "jsonld"):
        ds = Dataset()
        ds.parse(data=data, format=parse_as)
        graphs = {str(g.identifier) for g in ds.graphs() if len(g)}
        assert {G1, G2} <= graphs
    else:
        g = Graph().parse(data=data, format=parse_as)
        assert len(g) == 2 + 2  # the union, duplicates merged (+ the load version and its time)


def test_disk_store_persists_and_opens_read_only(tmp_path):
    path = tmp_path / "s"
    s = open_store(path)
    s.replace_graph(G1, NT1)
    s.close()
    del s
    ro = open_store(path, read_only=True)
    assert ro.count(G1) == 2 and ro.load_version() == 1
    with pytest.raises(OSError):
        open_store(tmp_path / "missing", read_only=True)


# ---------------------------------------------------------------- a SPARQL 1.1 service over HTTP


class _Handler(BaseHTTPRequestHandler):
    backend: ox.Store = None  # set per server

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8"))
        try:
            if "update" in form:
                self.backend.update(form["update"][0])
                self.send_response(204)
                self.end_headers()
                return
            res = self.backend.query(form["query"][0], use_default_graph_as_union=True)
            out = io.BytesIO()
            if isinstance(res, (ox.QuerySolutions, ox.QueryBoolean)):
                res.serialize(out, ox.QueryResultsFormat.JSON)
                ctype = "application/sparql-results+json"
            else:
                ox.serialize(res, out, ox.RdfFormat.N_TRIPLES)
                ctype = "application/n-triples"
            body = out.getvalue()
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except SyntaxError as exc:
            body = str(exc).encode()
            self.send_response(400)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)


@pytest.fixture()
def remote():
    backend = ox.Store()
    handler = type("H", (_Handler,), {"backend": backend})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
    yield open_store(endpoint=url), backend
    server.shutdown()
    server.server_close()


def test_remote_store_speaks_sparql_protocol(remote):
    store, backend = remote
    assert isinstance(store, RemoteStore) and store.oxigraph is None
    store.replace_graph(G1, NT1)
    store.replace_graph(G2, NT2)
    assert len(backend) == 3 + 2  # the data and the version triples
    assert store.load_version() == 2
    assert len(rows(store, "SELECT DISTINCT ?m WHERE { ?a pkg:owns ?m }")) == 1
    assert bool(store.query("ASK { ?a pkg:owns ?m }"))
    triples = list(store.query("CONSTRUCT WHERE { ?a pkg:owns ?m }"))
    assert triples and isinstance(triples[0], ox.Triple)
    assert store.graphs()[:2] == [G1, G2]
    buf = io.BytesIO()
    store.dump("nquads", buf)
    assert buf.getvalue().count(b"\n") == 5
    with pytest.raises(OSError, match="HTTP 400"):
        store.replace_graph(G1, "<broken .")
    assert store.count(G1) == 2


def test_open_store_kinds(tmp_path):
    assert isinstance(open_store(memory=True), OxigraphStore)
    assert isinstance(open_store(tmp_path / "x").oxigraph, ox.Store)
    assert isinstance(open_store(endpoint="http://127.0.0.1:9/sparql"), RemoteStore)

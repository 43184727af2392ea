"""Each blueprint alone: an app composed of that one blueprint, driven by Flask's test client (no
HTTP server), on a real store. Also: the endpoint predeclares exactly the graph library's prefixes."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from policykg.graph.namespaces import BASE, PKG_IRI, PREFIXES
from policykg.server import (
    routes_canned,
    routes_data,
    routes_linked,
    routes_search,
    routes_sparql,
    routes_ui,
    routes_validate,
)
from policykg.server.app import create_app
from rdflib import Graph

DATA1 = "http://kasei.us/2009/09/sparql/data/data1.rdf"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture()
def client_for(request):
    """client_for(store, blueprint, ...) -> a test client of an app serving only those blueprints."""
    apps = []

    def make(store: str, *blueprints, **cfg):
        app = create_app({"store": store, "workers": 1, **cfg}, blueprints=[bp.bp for bp in blueprints])
        apps.append(app)
        return app.test_client()

    yield make
    for app in apps:
        app.extensions["policykg"].pool.close()


def _a_measure(corpus_store: str) -> str:
    store = ox.Store.read_only(corpus_store)
    row = next(iter(store.query(f"SELECT ?m WHERE {{ ?m a <{PKG_IRI}Measure> }} ORDER BY ?m LIMIT 1",
                                use_default_graph_as_union=True)))
    return row["m"].value


# ------------------------------------------------------------------ one blueprint at a time


def test_sparql_blueprint_alone(client_for, w3c_store):
    c = client_for(w3c_store, routes_sparql)
    r = c.get("/sparql", query_string={"query": f"SELECT ?t WHERE {{ <{DATA1}> a ?t }}"})
    assert r.status_code == 200 and r.mimetype == "application/sparql-results+json"
    assert [b["t"]["value"] for b in r.json["results"]["bindings"]] == ["http://xmlns.com/foaf/0.1/Document"]
    assert float(r.headers["X-Query-Time"]) >= 0 and r.headers["Access-Control-Allow-Origin"] == "*"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    again = c.get("/sparql", query_string={"query": f"SELECT ?t WHERE {{ <{DATA1}> a ?t }}"},
                  headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304
    r = c.post("/sparql", data="ASK { ?s a ?t }", headers={"Accept": "application/sparql-results+xml"},
               content_type="application/sparql-query")
    assert r.status_code == 200 and b"<boolean>true</boolean>" in r.data
    r = c.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s a ?t }", "format": "nt"})
    assert r.mimetype == "application/n-triples" and len(Graph().parse(data=r.text, format="nt")) == 3
    # without the UI, a browser following a query link gets the data, not a redirect to a missing page
    r = c.get("/sparql", query_string={"query": "ASK {}"}, headers={"Accept": BROWSER})
    assert r.status_code == 200 and r.mimetype == "application/sparql-results+xml"
    r = c.get("/sparql", headers={"Accept": "text/turtle"})  # the service description
    assert r.status_code == 200 and b"sparql-service-description" in r.data
    assert c.put("/sparql", data="ASK {}").status_code == 405
    assert c.options("/sparql").headers["Access-Control-Allow-Methods"] == "GET, POST, OPTIONS"
    assert c.get("/sparql", query_string={"query": "ASK {}"}, headers={"Accept": "text/csv"}).status_code == 406
    assert c.get("/dump").status_code == 404  # only this blueprint is served


def test_data_blueprint_alone(client_for, w3c_store):
    c = client_for(w3c_store, routes_data)
    r = c.get("/dump", query_string={"format": "nquads"})
    assert r.status_code == 200 and r.mimetype == "application/n-quads"
    assert f"<{DATA1}> .".encode() in r.data
    r = c.get("/dump.ttl")
    assert r.mimetype == "text/turtle" and len(Graph().parse(data=r.text, format="turtle")) > 5
    assert r.headers["Content-Disposition"] == 'attachment; filename="policykg.ttl"'
    assert c.get("/dump", headers={"Accept": "application/trig"}).mimetype == "application/trig"
    assert c.get("/dump", query_string={"format": "../../etc/passwd"}).status_code == 406
    assert c.get("/dump", headers={"Accept": "image/png"}).status_code == 406
    r = c.get("/void", headers={"Accept": "application/ld+json"})
    assert r.status_code == 200 and r.mimetype == "application/ld+json"
    json.loads(r.data)
    page = c.get("/.well-known/void", query_string={"format": "html"})  # the description as a page
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert c.get("/.well-known/void", query_string={"format": "pdf"}).status_code == 406
    assert c.get("/healthz").json["status"] == "ok"


def test_canned_blueprint_alone(client_for, corpus_store):
    c = client_for(corpus_store, routes_canned)
    listing = c.get("/queries", headers={"Accept": "application/json"}).json
    assert {q["name"] for q in listing} >= {"agency-owns", "top-owners"}
    assert c.get("/queries").mimetype == "text/html"  # a page for people by default
    r = c.get("/queries/top-owners", query_string={"format": "csv"})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert len(r.text.strip().splitlines()) > 1
    r = c.get("/queries/top-owners", headers={"Accept": "application/json"})
    assert r.mimetype == "application/sparql-results+json" and r.json["results"]["bindings"]
    assert c.get("/queries/agency-owns.rq").mimetype == "application/sparql-query"
    assert c.get("/queries/nothing-like-this").status_code == 404
    assert c.get("/queries/top-owners", query_string={"format": "pdf"}).status_code == 406
    # HTML is the canned query's own page (its links to parts this app lacks are left out)
    page = c.get("/queries/top-owners", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.mimetype == "text/html" and "<table" in page.text


def test_search_blueprint_alone(client_for, corpus_store):
    c = client_for(corpus_store, routes_search)

    def hits(q, kind="all"):
        r = c.get("/search", query_string={"q": q, "kind": kind, "format": "json"})
        assert r.status_code == 200 and r.mimetype == "application/json"
        return {h["iri"] for h in r.json["results"]}

    assert hits("发展改革委", "agency") == hits("發展改革委", "agency") != set()
    r = c.get("/search", query_string={"q": "发展改革委"})
    assert r.mimetype == "text/html" and "发展改革委" in r.text
    assert c.get("/search", query_string={"q": "x", "limit": "many"}).status_code == 400
    assert c.get("/search", query_string={"q": "x", "kind": "everything"}).status_code == 400


def test_linked_blueprint_alone(client_for, corpus_store):
    c = client_for(corpus_store, routes_linked)
    iri = _a_measure(corpus_store)
    path = "/id/" + iri[len(BASE):]
    r = c.get(path, headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.mimetype == "text/turtle"
    assert r.headers["Link"] == f'<{iri}>; rel="canonical"'
    assert len(Graph().parse(data=r.text, format="turtle")) > 5
    r = c.get(path, headers={"Accept": BROWSER})
    assert r.mimetype == "text/html" and "pkg:Measure" in r.text
    assert c.get(path, query_string={"format": "jsonld"}).mimetype == "application/ld+json"
    assert c.get(path, query_string={"format": "nonsense"}).status_code == 406
    assert c.get(path, headers={"Accept": "image/png"}).status_code == 406
    assert c.get("/id/no/such/thing", headers={"Accept": "text/turtle"}).status_code == 404
    r = c.get("/ontology", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and len(Graph().parse(data=r.text, format="turtle")) > 10
    assert "<table" in c.get("/shapes", headers={"Accept": "text/html"}).text
    assert c.get("/shapes", headers={"Accept": "*/*"}).mimetype == "text/turtle"


def test_validate_blueprint_alone(client_for, w3c_store):
    c = client_for(w3c_store, routes_validate)
    r = c.get("/validate", query_string={"format": "json"})
    assert r.status_code == 200, r.text
    assert r.json["conforms"] is True and r.headers["X-SHACL-Conforms"] == "true"
    assert c.get("/validate", query_string={"format": "pdf"}).status_code == 406


def test_ui_blueprint_alone(client_for, corpus_store):
    c = client_for(corpus_store, routes_ui)
    r = c.get("/")
    assert r.status_code == 200 and 'data-stat="measures">' in r.text
    assert 'href="/search"' not in r.text  # no link to a part this app does not serve
    assert c.get("/", headers={"If-None-Match": r.headers["ETag"]}).status_code == 304
    r = c.get("/query", query_string={"canned": "top-owners"})
    assert r.status_code == 200 and "yasgui" in r.text.lower()
    assert c.get("/static/site.css").status_code == 200


# ------------------------------------------------------------------ one prefix table


def test_query_page_offers_exactly_the_graph_prefixes(client_for, w3c_store):
    c = client_for(w3c_store, routes_ui)
    html = c.get("/query").text
    start = html.index('<script id="query-page-data" type="application/json">') + len(
        '<script id="query-page-data" type="application/json">')
    offered, _ = json.JSONDecoder().raw_decode(html[start:])
    assert offered["prefixes"] == PREFIXES


@pytest.mark.parametrize("prefix", sorted(PREFIXES))
def test_endpoint_predeclares_each_graph_prefix(client_for, w3c_store, prefix):
    c = client_for(w3c_store, routes_sparql)
    r = c.get("/sparql", query_string={"query": f"SELECT ?ns WHERE {{ BIND({prefix}: AS ?ns) }}"})
    assert r.status_code == 200, r.text
    assert r.json["results"]["bindings"][0]["ns"]["value"] == PREFIXES[prefix]


def test_endpoint_predeclares_no_other_prefix(client_for, w3c_store):
    c = client_for(w3c_store, routes_sparql)
    r = c.get("/sparql", query_string={"query": "SELECT ?ns WHERE { BIND(schema: AS ?ns) }"})
    assert r.status_code == 400 and "Malformed query" in r.text


def test_cli_store_predeclares_the_same_prefixes():
    """`policykg query` goes through the graph store, which predeclares the same table."""
    from policykg.graph.store import open_store

    store = open_store(memory=True)
    for prefix, namespace in PREFIXES.items():
        rows = list(store.query(f"SELECT ?ns WHERE {{ BIND({prefix}: AS ?ns) }}"))
        assert rows[0]["ns"].value == namespace

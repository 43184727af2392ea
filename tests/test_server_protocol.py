"""The SPARQL endpoint over HTTP: a real client (SPARQLWrapper), negotiation, status codes, safety."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from conftest import RunningServer
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

DATA1 = "http://kasei.us/2009/09/sparql/data/data1.rdf"
# 10^9 rows from nothing: runs for minutes on any store, so only the time limit can stop it
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(
    f"VALUES ?v{i} {{ 0 1 2 3 4 5 6 7 8 9 }}" for i in range(9)) + " }"


# ------------------------------------------------------------------ a real client


def test_sparqlwrapper_select_json(w3c_server):
    sw = SPARQLWrapper(w3c_server.sparql)
    sw.setQuery(f"SELECT ?type WHERE {{ <{DATA1}> a ?type }}")
    sw.setReturnFormat(JSON)
    res = sw.query().convert()
    assert res["head"]["vars"] == ["type"]
    assert [b["type"]["value"] for b in res["results"]["bindings"]] == ["http://xmlns.com/foaf/0.1/Document"]


def test_sparqlwrapper_post_xml_csv_ask_construct(w3c_server):
    sw = SPARQLWrapper(w3c_server.sparql)
    sw.setMethod("POST")
    sw.setQuery(f"ASK {{ <{DATA1}> a ?t }}")
    sw.setReturnFormat(JSON)
    assert sw.query().convert()["boolean"] is True
    sw.setQuery("SELECT ?s WHERE { ?s a ?t } ORDER BY ?s")
    sw.setReturnFormat(XML)
    doc = sw.query().convert()  # an xml.dom document
    assert len(doc.getElementsByTagName("result")) == 3
    sw.setReturnFormat(CSV)
    text = sw.query().convert().decode()
    assert text.splitlines()[0] == "s" and DATA1 in text
    sw.setQuery("CONSTRUCT { ?s a ?t } WHERE { ?s a ?t }")
    sw.setReturnFormat(TURTLE)
    turtle = sw.queryAndConvert()  # SPARQLWrapper hands Turtle over as bytes
    from rdflib import Graph

    assert len(Graph().parse(data=turtle, format="turtle")) == 3


def test_sparqlwrapper_bad_query(w3c_server):
    sw = SPARQLWrapper(w3c_server.sparql)
    sw.setQuery("SELECT * WHERE { ?s ?p }")
    sw.setReturnFormat(JSON)
    with pytest.raises(QueryBadFormed) as err:
        sw.query()
    assert "Malformed query" in str(err.value)


# ------------------------------------------------------------------ negotiation and status codes


def descendants(pid: int) -> set[int]:
    """Live processes under `pid` (the server's gunicorn and its query workers), from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended while we looked
        if fields[0] != "Z":
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = set(), [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.add(c)
            todo.append(c)
    return out


def get(server, query, accept=None, **params):
    headers = {"Accept": accept} if accept else {}
    return requests.get(server.sparql, params={"query": query, **params}, headers=headers, timeout=30)


@pytest.mark.parametrize("accept,expected", [
    ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/tab-separated-values, */*;q=0.1", "text/tab-separated-values"),
    ("*/*", "application/sparql-results+json"),
    ("text/*;q=0.9, application/sparql-results+json;q=0.2", "text/csv"),
    ("application/json", "application/sparql-results+json"),
    ("text/html;q=0.1, application/xml;q=0.9, */*;q=0.8", "application/sparql-results+xml"),
    ("application/sparql-results+json;q=0, */*", "application/sparql-results+xml"),
    (None, "application/sparql-results+json"),
])
def test_accept_negotiation_select(w3c_server, accept, expected):
    r = get(w3c_server, "SELECT * WHERE { ?s a ?t }", accept)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].split(";")[0] == expected
    assert "Accept" in r.headers.get("Vary", "")


@pytest.mark.parametrize("accept,expected", [
    ("application/n-triples", "application/n-triples"),
    ("application/ld+json", "application/ld+json"),
    ("application/rdf+xml;q=1, text/turtle;q=0.5", "application/rdf+xml"),
    ("*/*", "text/turtle"),
])
def test_accept_negotiation_construct(w3c_server, accept, expected):
    r = get(w3c_server, "CONSTRUCT WHERE { ?s a ?t }", accept)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].split(";")[0] == expected
    if expected == "application/ld+json":
        json.loads(r.text)


def test_browser_following_a_query_link_gets_the_query_page(w3c_server):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    r = requests.get(w3c_server.sparql, params={"query": "ASK {}"}, headers={"Accept": browser},
                     allow_redirects=False, timeout=10)
    assert r.status_code == 303 and r.headers["Location"].startswith("/query?query=")


def test_format_parameter_for_browsers(w3c_server):
    r = get(w3c_server, "SELECT * WHERE { ?s a ?t }", "text/html", format="csv")
    assert r.headers["Content-Type"].startswith("text/csv")
    r = get(w3c_server, "CONSTRUCT WHERE { ?s a ?t }", "text/html", format="nt")
    assert r.headers["Content-Type"].startswith("application/n-triples")


def test_not_acceptable(w3c_server):
    r = get(w3c_server, "ASK {}", "text/csv")  # a boolean has no CSV form
    assert r.status_code == 406
    r = get(w3c_server, "SELECT * {}", "image/png")
    assert r.status_code == 406


def test_unsupported_media_type_and_method(w3c_server):
    r = requests.post(w3c_server.sparql, data=b"ASK {}", headers={"Content-Type": "text/plain"}, timeout=10)
    assert r.status_code == 415
    r = requests.put(w3c_server.sparql, data=b"ASK {}", headers={"Content-Type": "application/sparql-query"},
                     timeout=10)
    assert r.status_code == 405


def test_malformed_query_message_no_traceback(w3c_server):
    r = get(w3c_server, "SELECT ?x WHERE { ?x ?y }")
    assert r.status_code == 400
    assert r.text.startswith("Malformed query: error at 1:")
    assert "Traceback" not in r.text


def test_request_size_limit(w3c_server):
    big = "ASK { FILTER(\"" + "x" * 1_200_000 + "\" != \"\") }"
    r = requests.post(w3c_server.sparql, data=big.encode(), headers={"Content-Type": "application/sparql-query"},
                      timeout=30)
    assert r.status_code == 413


def test_service_and_update_refused(w3c_server):
    r = get(w3c_server, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert r.status_code == 403 and "SERVICE" in r.text
    r = get(w3c_server, "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert r.status_code == 403
    # the word in a string or a variable is fine
    r = get(w3c_server, 'SELECT ?service WHERE { BIND("SERVICE" AS ?service) }')
    assert r.status_code == 200
    r = requests.post(w3c_server.sparql, data={"update": "INSERT DATA { <a:a> <a:b> <a:c> }"}, timeout=10)
    assert r.status_code == 403 and "read-only" in r.text
    r = requests.get(w3c_server.sparql, params={"update": "CLEAR ALL"}, timeout=10)
    assert r.status_code == 405


def test_headers_time_cors_etag(w3c_server):
    r = get(w3c_server, "SELECT * WHERE { ?s a ?t }")
    assert float(r.headers["X-Query-Time"]) >= 0
    assert "query;dur=" in r.headers["Server-Timing"]
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    etag, modified = r.headers["ETag"], r.headers["Last-Modified"]
    r2 = requests.get(w3c_server.sparql, params={"query": "SELECT * WHERE { ?s a ?t }"},
                      headers={"If-None-Match": etag}, timeout=10)
    assert r2.status_code == 304 and r2.headers["ETag"] == etag
    r3 = requests.get(w3c_server.sparql, params={"query": "SELECT * WHERE { ?s a ?t }"},
                      headers={"If-Modified-Since": modified}, timeout=10)
    assert r3.status_code == 304
    # another representation has another tag
    r4 = get(w3c_server, "SELECT * WHERE { ?s a ?t }", "text/csv")
    assert r4.headers["ETag"] != etag
    pre = requests.options(w3c_server.sparql, headers={"Origin": "http://example.org",
                                                       "Access-Control-Request-Method": "POST"}, timeout=10)
    assert pre.status_code == 204 and "POST" in pre.headers["Access-Control-Allow-Methods"]


def test_service_description(w3c_server):
    r = requests.get(w3c_server.sparql, headers={"Accept": "text/turtle"}, timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/turtle")
    from rdflib import Graph, Namespace

    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    g = Graph().parse(data=r.text, format="turtle")
    assert (None, sd.endpoint, None) in g
    assert (None, sd.feature, sd.UnionDefaultGraph) in g
    r = requests.get(w3c_server.sparql, headers={"Accept": "application/ld+json"}, timeout=30)
    assert r.headers["Content-Type"].startswith("application/ld+json")


def test_predeclared_prefixes(w3c_server):
    r = get(w3c_server, "SELECT ?s WHERE { ?s rdf:type ?t }")
    assert r.status_code == 200 and len(r.json()["results"]["bindings"]) == 3
    r = get(w3c_server, "PREFIX rdf: <http://example.org/> ASK { ?s rdf:type ?t }")  # the query's own wins
    assert r.json()["boolean"] is False


def test_default_graph_is_union(w3c_server):
    r = get(w3c_server, "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://xmlns.com/foaf/0.1/Document> }")
    assert r.json()["results"]["bindings"][0]["n"]["value"] == "3"


def test_row_limit_truncation(w3c_store):
    server = RunningServer(w3c_store, ["--max-rows", "5", "--workers", "1", "--timeout", "3"])
    try:
        q = "SELECT ?i WHERE { VALUES ?i { 1 2 3 4 5 6 7 8 9 10 } }"
        r = get(server, q)
        assert r.status_code == 200
        assert r.headers["X-Result-Truncated"] == "true" and r.headers["X-Result-Max-Rows"] == "5"
        body = r.json()
        assert len(body["results"]["bindings"]) == 5
        assert body["truncated"]["maxRows"] == 5 and "5 rows" in body["truncated"]["message"]
        r = get(server, q, "text/csv")
        assert len(r.text.strip().splitlines()) == 6
        r = get(server, "SELECT ?i WHERE { VALUES ?i { 1 2 3 } }")
        assert "X-Result-Truncated" not in r.headers

        # a result of exactly max_rows rows is whole: no truncation flag, in any format
        r = get(server, "SELECT ?i WHERE { VALUES ?i { 1 2 3 4 5 } }")
        assert "X-Result-Truncated" not in r.headers and "truncated" not in r.json()
        assert len(r.json()["results"]["bindings"]) == 5
        r = get(server, "SELECT ?i WHERE { VALUES ?i { 1 2 3 4 5 } }", "text/csv")
        assert "X-Result-Truncated" not in r.headers and len(r.text.strip().splitlines()) == 6

        # time limit: the worker is killed (its process is gone) and replaced, the server keeps answering
        before = descendants(server.proc.pid)
        r = get(server, SLOW)
        assert r.status_code == 503 and "timed out after 3 s" in r.text and r.headers["X-Query-Timeout"] == "true"
        assert before - descendants(server.proc.pid), "no process ended: the worker running the query was not stopped"
        # a client may ask for less: the limit applied is the client's (not the server's 3 s)
        r = get(server, SLOW, timeout="0.5")
        assert r.status_code == 503 and "timed out after 0.5 s" in r.text
        r = get(server, "ASK {}")
        assert r.status_code == 200 and r.json()["boolean"] is True
        # but not for more than the server allows
        assert get(server, "ASK {}", timeout="100").headers["X-Query-Timeout-Seconds"] == "3"
    finally:
        server.stop()


def test_over_capacity_is_503(w3c_store):
    import threading

    server = RunningServer(w3c_store, ["--workers", "1", "--timeout", "4"],
                           env={"POLICYKG_QUEUE_WAIT": "0.5"})
    try:
        results = {}

        def slow():
            results["slow"] = get(server, SLOW).status_code

        t = threading.Thread(target=slow)
        t.start()
        # the one worker is busy for 4 s: a request meanwhile waits 0.5 s for it and is refused. Asked until
        # refused (not after a sleep): one sent before the slow query took the worker is simply answered.
        refused = None
        while t.is_alive() and refused is None:
            r = get(server, "ASK {}")
            if r.status_code != 200:
                refused = r
        assert refused is not None, "no request was refused while the only worker was busy"
        assert refused.status_code == 503 and "capacity" in refused.text and refused.headers.get("Retry-After")
        t.join()
        assert results["slow"] == 503
    finally:
        server.stop()


def test_update_with_token(scratch_store):
    server = RunningServer(scratch_store, ["--update-token", "s3cret", "--workers", "1"])
    try:
        upd = "INSERT DATA { GRAPH <urn:g:new> { <urn:x> <urn:p> \"v\" } }"
        r = requests.post(server.sparql, data={"update": upd}, timeout=30)
        assert r.status_code == 401
        r = requests.post(server.sparql, data={"update": upd}, headers={"Authorization": "Bearer wrong"}, timeout=30)
        assert r.status_code == 401
        r = requests.post(server.sparql, data=upd.encode(), timeout=30,
                          headers={"Authorization": "Bearer s3cret", "Content-Type": "application/sparql-update"})
        assert r.status_code == 200, r.text
        r = get(server, "ASK { <urn:x> <urn:p> \"v\" }")
        assert r.json()["boolean"] is True
        r = requests.post(server.sparql, data={"update": "LOAD <http://127.0.0.1:9/x.ttl>"},
                          headers={"Authorization": "Bearer s3cret"}, timeout=30)
        assert r.status_code == 403
        r = requests.post(server.sparql, data={"update": "CLEAR XYZ"},
                          headers={"Authorization": "Bearer s3cret"}, timeout=30)
        assert r.status_code == 400
    finally:
        server.stop()


def test_dump_streams_dataset(w3c_server):
    r = requests.get(w3c_server.url + "/dump", params={"format": "nquads"}, timeout=30, stream=True)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/n-quads")
    lines = [x for x in r.iter_lines() if x]
    assert any(b"<http://kasei.us/2009/09/sparql/data/data1.rdf> ." in x for x in lines)
    r = requests.get(w3c_server.url + "/dump", headers={"Accept": "text/turtle"}, timeout=30)
    assert r.headers["Content-Type"].startswith("text/turtle")
    from rdflib import Graph

    assert len(Graph().parse(data=r.text, format="turtle")) > 5


def test_validate_endpoint(w3c_server):
    """/validate wires in policykg.shapes (here on the W3C store: fast, and no pkg data)."""
    r = requests.get(w3c_server.url + "/validate", params={"format": "json"}, timeout=300)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["conforms"] is True and r.headers["X-SHACL-Conforms"] == "true"
    r = requests.get(w3c_server.url + "/validate", headers={"Accept": "text/turtle"}, timeout=60)
    from rdflib import Graph, Namespace

    sh = Namespace("http://www.w3.org/ns/shacl#")
    g = Graph().parse(data=r.text, format="turtle")
    assert (None, sh.conforms, None) in g
    r = requests.get(w3c_server.url + "/validate", headers={"Accept": "text/html"}, timeout=60)
    assert r.headers["Content-Type"].startswith("text/html")


NASTY = [  # (method, path, params, the status it must get)
    ("GET", "/sparql", {"query": "SELECT * WHERE { ?s ?p ?o . FILTER(REGEX(?o, \"(\")) }"}, 200),
    ("GET", "/sparql", {"query": "SELECT (1/0 AS ?x) {}"}, 200),
    ("GET", "/sparql", {"query": "SELECT * { <\u0000> ?p ?o }"}, 400),
    ("GET", "/sparql", {"query": "ASK {}", "default-graph-uri": "not an iri"}, 400),
    ("GET", "/sparql", {"query": "ASK {}", "timeout": "-1"}, 400),
    ("GET", "/sparql", {"query": "DESCRIBE ?x"}, 200),
    ("GET", "/sparql", {"query": "\ufeffASK {}"}, 400),
    ("GET", "/sparql", {"query": "ASK {}", "format": "nonsense"}, 406),
    ("POST", "/sparql", {"query": ["ASK {}", "ASK {}"]}, 400),
    ("GET", "/id/%00", {}, 400),
    ("GET", "/id/a b", {}, 404),
    ("GET", "/search", {"q": "x", "limit": "many"}, 400),
    ("GET", "/queries/figures-above", {"min_value": "1e999999"}, 400),
    ("GET", "/queries/agency-owns", {"agency": "\" } DROP ALL ; #"}, 200),
    ("GET", "/dump", {"format": "../../etc/passwd"}, 406),
]


def test_no_request_crashes_or_leaks_a_traceback(w3c_server):
    for method, path, params, status in NASTY:
        if method == "GET":
            r = requests.get(w3c_server.url + path, params=params, timeout=30)
        else:
            r = requests.post(w3c_server.url + path, data=params, timeout=30)
        assert r.status_code == status, (path, params, r.status_code, r.text[:200])
        assert "Traceback" not in r.text and 'File "' not in r.text, (path, params)
    assert requests.get(w3c_server.url + "/healthz", timeout=10).status_code == 200


def test_a_query_that_exhausts_memory_kills_only_its_worker(w3c_store):
    server = RunningServer(w3c_store, ["--workers", "1", "--timeout", "60"],
                           env={"POLICYKG_WORKER_MEMORY_MB": "300"})
    try:
        values = " ".join(f"VALUES ?v{i} {{ 0 1 2 3 4 5 6 7 8 9 }}" for i in range(8))
        bomb = f'SELECT * WHERE {{ {values} BIND(CONCAT(STR(?v0), "{"x" * 200}") AS ?s) }} ORDER BY DESC(?s) ?v7'
        r = get(server, bomb)
        # the worker dies of it (the memory limit is the kernel's): the server says so and replaces it
        assert r.status_code == 500 and "Traceback" not in r.text
        assert "worker stopped" in r.text and "memory" in r.text
        r = get(server, "ASK {}")
        assert r.status_code == 200 and r.json()["boolean"] is True
    finally:
        server.stop()

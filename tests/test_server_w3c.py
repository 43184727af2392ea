"""The W3C's own tests, against a real running server.

- SPARQL 1.1 Protocol: every test in protocol/manifest.ttl, driven from the manifest (each
  ht:Request replayed over HTTP, status class, result format and ASK answer checked). Tests that
  need SPARQL Update with the protocol's using-graph-uri parameters do not apply to our read-only
  endpoint; they are listed in NOT_APPLICABLE (and in README.md) with the reason.
- Result formats: json-res and csv-tsv-res. Their data is loaded into a store (one named graph per
  file, selected with default-graph-uri) and the server's JSON, CSV and TSV answers are compared
  with the W3C's expected files, term by term (blank nodes up to renaming).
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
import requests
from conftest import W3C
from rdflib import RDF, Graph, Namespace, URIRef

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")

PROTOCOL = W3C / "protocol" / "manifest.ttl"

# Tests that cannot apply to a read-only endpoint, and why.
NOT_APPLICABLE = {
    "update_dataset_default_graph": "SPARQL Update (CLEAR ALL + INSERT) on a read-only endpoint; also uses using-graph-uri",
    "update_dataset_default_graphs": "SPARQL Update (DROP ALL + INSERT) on a read-only endpoint; also uses using-graph-uri",
    "update_dataset_named_graphs": "SPARQL Update on a read-only endpoint; also uses using-named-graph-uri",
    "update_dataset_full": "SPARQL Update on a read-only endpoint; also uses using-(named-)graph-uri",
    "update_post_form": "SPARQL Update (form POST) on a read-only endpoint",
    "update_post_direct": "SPARQL Update (direct POST) on a read-only endpoint",
    "update_base_uri": "SPARQL Update on a read-only endpoint (relative IRIs resolved against the endpoint)",
}

TABULAR_TYPES = {"application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                 "text/tab-separated-values"}
BOOLEAN_TYPES = {"application/sparql-results+json", "application/sparql-results+xml"}
RDF_TYPES = {"text/turtle", "application/rdf+xml", "application/n-triples", "application/ld+json"}


def _rdf_list(g: Graph, node):
    items = []
    while node and node != RDF.nil:
        items.append(g.value(node, RDF.first))
        node = g.value(node, RDF.rest)
    return items


def _protocol_tests():
    g = Graph()
    g.parse(PROTOCOL, format="turtle", publicID="http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest.ttl")
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    out = []
    for entry in _rdf_list(g, g.value(manifest, MF.entries)):
        name = str(entry).rsplit("#", 1)[-1]
        action = g.value(entry, MF.action)
        requests_ = []
        for req in _rdf_list(g, g.value(action, HT.requests)):
            body = g.value(req, HT.body)
            headers = {}
            for h in _rdf_list(g, g.value(req, HT.headers)):
                headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
            resp = g.value(req, HT.resp)
            requests_.append({
                "method": str(g.value(req, HT.methodName)),
                "path": str(g.value(req, HT.absolutePath)),
                "headers": headers,
                "body": None if body is None else str(g.value(body, CNT.chars)),
                "encoding": None if body is None else str(g.value(body, CNT.characterEncoding) or "UTF-8"),
                "status": {str(s).rsplit("#", 1)[-1] for s in g.objects(resp, MF.expectedStatus)},
                "format": g.value(resp, MF.expectedFormat),
                "boolean": g.value(resp, MF.expectedBoolean),
            })
        out.append((name, requests_))
    return out


PROTOCOL_TESTS = _protocol_tests() if PROTOCOL.exists() else []


def _replay(server_url: str, req: dict) -> requests.Response:
    path = req["path"]
    assert path.startswith("/sparql/")
    url = server_url + "/sparql" + path[len("/sparql"):]
    data = None
    if req["body"] is not None:
        data = req["body"].encode("utf-16" if req["encoding"].upper() == "UTF-16" else "utf-8")
    headers = dict(req["headers"])
    if data is not None and not any(k.lower() == "content-type" for k in headers):
        headers["Content-Type"] = ""  # the test sends a body with no media type at all
    return requests.request(req["method"], url, data=data, headers=headers, timeout=30)


def _boolean_of(resp: requests.Response) -> bool:
    ctype = resp.headers["Content-Type"].split(";")[0]
    if ctype == "application/sparql-results+json":
        return resp.json()["boolean"]
    text = resp.text
    assert "<boolean>" in text
    return "<boolean>true</boolean>" in text


READ_ONLY_TESTS = [(n, r) for n, r in PROTOCOL_TESTS if n not in NOT_APPLICABLE]


def test_every_manifest_entry_is_run_or_listed_as_not_applicable():
    names = {n for n, _ in PROTOCOL_TESTS}
    assert set(NOT_APPLICABLE) <= names
    assert len(READ_ONLY_TESTS) + len(NOT_APPLICABLE) == len(PROTOCOL_TESTS)
    assert all("update" in n for n in NOT_APPLICABLE)


@pytest.mark.parametrize("name,reqs", READ_ONLY_TESTS, ids=[t[0] for t in READ_ONLY_TESTS])
def test_w3c_protocol(w3c_server, name, reqs):
    for req in reqs:
        resp = _replay(w3c_server.url, req)
        cls = f"StatusCode{resp.status_code // 100}xx"
        assert cls in req["status"], f"{name}: got {resp.status_code}, expected {req['status']}: {resp.text[:300]}"
        if req["status"] & {"StatusCode2xx", "StatusCode3xx"}:
            ctype = resp.headers.get("Content-Type", "").split(";")[0].strip()
            fmt = str(req["format"]) if req["format"] is not None else None
            if fmt == "tabular":
                assert ctype in TABULAR_TYPES, ctype
            elif fmt == "boolean":
                assert ctype in BOOLEAN_TYPES, ctype
            elif fmt == "RDF":
                assert ctype in RDF_TYPES, ctype
            if req["boolean"] is not None:
                assert _boolean_of(resp) == req["boolean"].toPython()


# With an update token, the update tests that do not use the protocol's using-graph-uri /
# using-named-graph-uri parameters apply too; they run against a server of their own (on a copy of
# the store) with the token added to each request.
USING_PARAMETERS = {n for n in NOT_APPLICABLE if n.startswith("update_dataset_")}
UPDATE_TESTS = [(n, r) for n, r in PROTOCOL_TESTS
                if "update" in n and n not in USING_PARAMETERS]


@pytest.fixture(scope="module")
def update_server(w3c_store, tmp_path_factory):
    import shutil

    from conftest import RunningServer

    copy = tmp_path_factory.mktemp("w3c-update") / "store"
    shutil.copytree(w3c_store, copy, ignore=shutil.ignore_patterns("LOCK"))
    server = RunningServer(str(copy), ["--update-token", "w3c-token", "--workers", "1"])
    yield server
    server.stop()


@pytest.mark.parametrize("name,reqs", UPDATE_TESTS, ids=[t[0] for t in UPDATE_TESTS])
def test_w3c_protocol_update_with_token(update_server, name, reqs):
    for req in reqs:
        req = dict(req, headers=dict(req["headers"], Authorization="Bearer w3c-token"))
        resp = _replay(update_server.url, req)
        cls = f"StatusCode{resp.status_code // 100}xx"
        assert cls in req["status"], f"{name}: got {resp.status_code}, expected {req['status']}: {resp.text[:300]}"
        if name.startswith("bad_"):
            assert resp.status_code in (400, 405, 415), resp.status_code  # refused for the right reason
        if req["boolean"] is not None:
            assert _boolean_of(resp) == req["boolean"].toPython()


def test_w3c_protocol_accounting():
    """Every manifest test is either run or listed as not applicable, with a reason."""
    names = {n for n, _ in PROTOCOL_TESTS}
    assert len(names) == 34
    assert set(NOT_APPLICABLE) <= names
    assert len(names - set(NOT_APPLICABLE)) == 27


# ---------------------------------------------------------------------------------- result formats

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + "integer", XSD + "decimal", XSD + "double", XSD + "float"}


def _num(value: str):
    try:
        return Decimal(value)
    except InvalidOperation:
        return value


def _norm_json_term(t: dict):
    if t["type"] == "bnode":
        return ("bnode", None)
    dt = t.get("datatype")
    value = t["value"]
    if dt in NUMERIC:
        value = _num(value)
    if t["type"] == "typed-literal":  # SPARQL 1.0 JSON
        return ("literal", value, dt, None)
    return (t["type"], value, dt, t.get("xml:lang"))


def _canonical_rows(rows: list[dict], variables: list[str]):
    """Rows as comparable tuples; blank nodes are matched by the pattern of where they recur."""
    labels: dict[str, int] = {}
    out = []
    for row in rows:
        key = []
        for v in variables:
            t = row.get(v)
            if t is None:
                key.append(None)
            elif t["type"] == "bnode":
                labels.setdefault(t["value"], len(labels))
                key.append(("bnode", labels[t["value"]]))
            else:
                key.append(_norm_json_term(t))
        out.append(tuple(key))
    return out


def _manifest_entries(manifest: Path):
    g = Graph()
    g.parse(manifest, format="turtle", publicID=manifest.as_uri())
    m = next(g.subjects(RDF.type, MF.Manifest))
    for entry in _rdf_list(g, g.value(m, MF.entries)):
        action = g.value(entry, MF.action)
        query = Path(str(g.value(action, QT.query)).replace("file://", ""))
        data = Path(str(g.value(action, QT.data)).replace("file://", ""))
        result = Path(str(g.value(entry, MF.result)).replace("file://", ""))
        yield str(entry).rsplit("#", 1)[-1], query, data, result


def _graph_for(data: Path) -> str:
    return f"urn:w3c:{data.parent.name}/{data.name}"


JSON_TESTS = list(_manifest_entries(W3C / "json-res" / "manifest.ttl")) if W3C.exists() else []
CSV_TSV_TESTS = list(_manifest_entries(W3C / "csv-tsv-res" / "manifest.ttl")) if W3C.exists() else []


@pytest.mark.parametrize("name,query,data,result", JSON_TESTS, ids=[t[0] for t in JSON_TESTS])
def test_w3c_json_results(w3c_server, name, query, data, result):
    resp = requests.post(w3c_server.sparql, data={"query": query.read_text(), "default-graph-uri": _graph_for(data)},
                         headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"].startswith("application/sparql-results+json")
    got, expected = resp.json(), json.loads(result.read_text())
    if "boolean" in expected:
        assert got["boolean"] == expected["boolean"]
        return
    assert got["head"]["vars"] == expected["head"]["vars"]
    variables = expected["head"]["vars"]
    assert _canonical_rows(got["results"]["bindings"], variables) == \
        _canonical_rows(expected["results"]["bindings"], variables)


def _parse_tsv_term(text: str):
    """A TSV cell as (kind, value, datatype, lang), enough to compare with the W3C's files."""
    if text == "":
        return None
    if text.startswith("<"):
        return ("uri", text[1:-1], None, None)
    if text.startswith("_:"):
        return ("bnode", text[2:], None, None)
    if text.startswith('"'):
        end = text.rindex('"')
        value = text[1:end].encode().decode("unicode_escape") if "\\" in text[1:end] else text[1:end]
        rest = text[end + 1:]
        if rest.startswith("@"):
            return ("literal", value, None, rest[1:].lower())
        if rest.startswith("^^"):
            dt = rest[3:-1]
            return ("literal", _num(value) if dt in NUMERIC else value, None if dt == XSD + "string" else dt, None)
        return ("literal", value, None, None)
    # abbreviated numbers
    if "e" in text.lower():
        return ("literal", _num(text), XSD + "double", None)
    if "." in text:
        return ("literal", _num(text), XSD + "decimal", None)
    return ("literal", _num(text), XSD + "integer", None)


def _bnode_canon(rows):
    labels: dict[str, int] = {}
    out = []
    for row in rows:
        key = []
        for cell in row:
            if isinstance(cell, tuple) and cell[0] == "bnode":
                labels.setdefault(cell[1], len(labels))
                key.append(("bnode", labels[cell[1]]))
            elif isinstance(cell, str) and cell.startswith("_:"):
                labels.setdefault(cell, len(labels))
                key.append(("bnode", labels[cell]))
            else:
                key.append(cell)
        out.append(tuple(key))
    return out


# Oxigraph stores typed values, not lexical forms: it keeps "-3"^^xsd:negativeInteger as an
# xsd:integer (and "1.0E6"^^xsd:double as the double 1000000, which compares equal by value). That
# happens when the data is loaded, before the endpoint sees it; this is the only term it changes.
STORE_NORMALISES = {
    ("literal", "-3", XSD + "negativeInteger", None): ("literal", Decimal("-3"), XSD + "integer", None),
}


@pytest.mark.parametrize("name,query,data,result", CSV_TSV_TESTS, ids=[t[0] for t in CSV_TSV_TESTS])
def test_w3c_csv_tsv_results(w3c_server, name, query, data, result):
    is_csv = result.suffix == ".csv"
    accept = "text/csv" if is_csv else "text/tab-separated-values"
    resp = requests.get(w3c_server.sparql, params={"query": query.read_text(), "default-graph-uri": _graph_for(data)},
                        headers={"Accept": accept}, timeout=30)
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"].startswith(accept)
    expected_text = result.read_text(encoding="utf-8")
    if is_csv:
        assert resp.content.endswith(b"\r\n") and b"\r\n" in resp.content  # CSV lines end with CRLF
        got = list(csv.reader(io.StringIO(resp.content.decode("utf-8"), newline="")))
        exp = list(csv.reader(io.StringIO(expected_text, newline="")))
        assert got[0] == exp[0]

        def norm(rows):  # numbers by value: CSV drops datatypes, and 1.0E6 and 1000000 are one double
            return [[_num(c) if c and c[0] in "-0123456789" else c for c in r] for r in rows]

        assert _bnode_canon(norm(got[1:])) == _bnode_canon(norm(exp[1:]))
    else:
        got_lines = resp.content.decode("utf-8").split("\n")
        exp_lines = expected_text.split("\n")
        assert got_lines[0] == exp_lines[0]
        got = [[_parse_tsv_term(c) for c in line.split("\t")] for line in got_lines[1:] if line]
        exp = [[_parse_tsv_term(c) for c in line.split("\t")] for line in exp_lines[1:] if line]
        exp = [[STORE_NORMALISES.get(c, c) for c in row] for row in exp]
        assert _bnode_canon(got) == _bnode_canon(exp)


def test_rdflib_parses_our_xml_results(w3c_server):
    """The XML results format, read by an independent parser (rdflib's)."""
    from rdflib.query import Result

    q = (W3C / "json-res" / "jsonres02.rq").read_text()
    resp = requests.get(w3c_server.sparql, params={"query": q, "default-graph-uri": "urn:w3c:json-res/data.ttl"},
                        headers={"Accept": "application/sparql-results+xml"}, timeout=30)
    assert resp.status_code == 200
    res = Result.parse(io.BytesIO(resp.content), format="xml")
    assert [str(v) for v in res.vars] == ["s", "p", "o", "p2", "o2"]
    rows = list(res)
    assert len(rows) == 6
    assert rows[0][0] == URIRef("http://example.org/s1")

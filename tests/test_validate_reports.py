"""validate() inputs and the report renderers (grouping, enrichment, escaping)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from policykg.shapes import FORMATS, ValidateError, render, validate
from rdflib import Dataset, Graph, URIRef

HERE = Path(__file__).parent
GOOD = HERE / "validate_data" / "good.ttl"
PREFIXES = """
PREFIX pkg:  <https://w3id.org/policykg/ontology#>
PREFIX eli:  <http://data.europa.eu/eli/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX ex:   <https://w3id.org/policykg/id/>
"""
# two problems of different severity; a label that would break HTML if not escaped
BAD = ("DELETE WHERE { ex:m1 pkg:responsibleAgency ?a } ; DELETE WHERE { ex:m1 pkg:leadAgency ?b } ;"
       " DELETE WHERE { ex:o1 ?p ?o } ; DELETE WHERE { ex:notice eli:id_local ?n } ;"
       " DELETE WHERE { ex:m1 rdfs:label ?l } ; INSERT DATA { ex:m1 rdfs:label \"<script>alert(1)</script>措施\"@zh-Hans }")


@pytest.fixture(scope="module")
def bad_graph() -> Graph:
    g = Graph().parse(GOOD, format="turtle")
    g.update(PREFIXES + BAD)
    return g


@pytest.fixture(scope="module")
def report(bad_graph):
    return validate(bad_graph)


def test_inputs_all_give_the_same_results(bad_graph, report, tmp_path):
    keys = sorted(r.key() for r in report.results)
    ds = Dataset()
    ds.graph(URIRef("https://example.org/g1")).__iadd__(bad_graph)
    store = ox.Store()
    store.load(bad_graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES,
               to_graph=ox.NamedNode("https://example.org/g1"))
    path = tmp_path / "bad.nt"
    bad_graph.serialize(path, format="nt", encoding="utf-8")
    for data in (ds, store, path, [path]):
        assert sorted(r.key() for r in validate(data).results) == keys


def test_results_are_enriched_and_grouped(report):
    assert report.counts == {"Violation": 1, "Warning": 1, "Info": 0} and not report.conforms
    v = report.results[0]
    assert v.severity == "Violation" and v.focus == "https://w3id.org/policykg/id/m1"
    assert v.label == "<script>alert(1)</script>措施" and v.numbering == "二/（一）"
    assert v.document == "示例行动方案" and v.document_iri == "https://w3id.org/policykg/id/plan"
    assert v.sources[0].file == "001.txt" and (v.sources[0].start, v.sources[0].end) == (10, 16)
    assert v.message.startswith("Measure has no") and v.message_zh.startswith("措施")
    groups = report.by_severity_and_shape()
    assert [(sev, shape.rsplit("#")[1], len(rs)) for sev, shape, rs in groups] == [
        ("Violation", "MeasureOwnerShape", 1), ("Warning", "DocumentNumberShape", 1)]


def test_html_is_self_contained_and_escaped(report):
    page = render(report, "html")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;措施" in page
    assert page.count("<script>") == 1 and "src=" not in page and "<link" not in page
    assert 'id="results"' in page and "sortBy" in page and 'id="filter"' in page
    assert '<b>1</b>Violation' in page and '<b>1</b>Warning' in page and '<b>0</b>Info' in page


def test_json_csv_text_turtle(report):
    doc = json.loads(render(report, "json"))
    assert doc["groups"][0]["shape_label"] == "Measure without a responsible agency"
    assert doc["results"][0]["sources"][0]["quote"] == "加强科技创新"
    rows = list(csv.DictReader(io.StringIO(render(report, "csv"))))
    assert rows[0]["numbering"] == "二/（一）" and rows[0]["document"] == "示例行动方案"
    text = render(report, "text")
    assert text.index("== Violation") < text.index("== Warning")
    g = Graph().parse(data=render(report, "turtle"), format="turtle")
    assert len(g) > 10
    assert set(FORMATS) == {"text", "turtle", "json", "csv", "html"}
    with pytest.raises(ValueError):
        render(report, "pdf")


def test_bad_arguments():
    with pytest.raises(ValidateError, match="unknown engine"):
        validate(GOOD, engine="jena")
    with pytest.raises(ValidateError, match="unknown inference"):
        validate(GOOD, inference="owl-full")
    with pytest.raises(ValidateError, match="unknown RDF file type"):
        validate(HERE / "test_validate_reports.py")

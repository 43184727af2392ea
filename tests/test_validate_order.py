"""The report reads the same whatever the order of the triples, and lists numbering paths in number order.

- Numbering paths sort as numbers: 一 二 … 十 十一, （三） before （七）, in the report and in the HTML
  page's numbering column (the page's own collation sorted 一 二 三 by pinyin: 二 六 三 四 五 一).
- A measure carried by two expressions (a Simplified and a Traditional file) has two labels and two
  quotes: the report always shows the Simplified label and lists the sources by file, whatever the
  order in which the graph yields its triples (shuffled here; the corpus too).
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from policykg.shapes import load_data, render, validate
from policykg.shapes.report import numbering_sort_key
from rdflib import Graph

HERE = Path(__file__).parent
GOOD = HERE / "validate_data" / "good.ttl"
PREFIXES = """
PREFIX pkg:  <https://w3id.org/policykg/ontology#>
PREFIX eli:  <http://data.europa.eu/eli/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa:   <http://www.w3.org/ns/oa#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX ex:   <https://w3id.org/policykg/id/>
"""
OWNER = "https://w3id.org/policykg/shapes#MeasureOwnerShape"
CN = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]


def test_numbering_sort_key_orders_chinese_numerals_as_numbers():
    shuffled = ["二", "六", "三", "四", "五", "一", "十二", "十", "九", "七", "十一", "八"]
    assert sorted(shuffled, key=numbering_sort_key) == CN
    assert sorted(["三/（七）", "三/（十）", "三/（三）"], key=numbering_sort_key) == ["三/（三）", "三/（七）", "三/（十）"]
    assert sorted(["二/（十）/3", "二/（二）/12", "二/（二）/2"], key=numbering_sort_key) == [
        "二/（二）/2", "二/（二）/12", "二/（十）/3"]
    assert sorted(["第十部分", "第二部分"], key=numbering_sort_key) == ["第二部分", "第十部分"]
    assert sorted(["二十一", "一百零五", "二十"], key=numbering_sort_key) == ["二十", "二十一", "一百零五"]
    assert numbering_sort_key(None) == () and numbering_sort_key("附件") == ((1, 0, "附件"),)


@pytest.fixture(scope="module")
def numbered_report():
    """Ownerless measures numbered 一 … 十二 and （七）, （三） under 三, inserted out of order."""
    g = Graph().parse(GOOD, format="turtle")
    paths = ["二", "六", "十一", "三/（七）", "三", "四", "五", "一", "十二", "十", "九", "七", "三/（三）", "八"]
    inserts = "".join(
        f'ex:n{i} a pkg:Measure ; pkg:kind pkg:Action ; rdfs:label "措施{i}"@zh-Hans ; pkg:path "{p}" ; '
        "eli:is_part_of ex:plan .\n" for i, p in enumerate(paths))
    g.update(PREFIXES + "INSERT DATA {\n" + inserts + "}")
    return validate(g)


def test_report_lists_results_in_numbering_order(numbered_report):
    got = [r.numbering for r in numbered_report.results if r.shape == OWNER]
    assert got == ["一", "二", "三", "三/（三）", "三/（七）", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]


def test_html_numbering_column_sorts_as_numbers(numbered_report):
    page = render(numbered_report, "html")
    cells = re.findall(r'<td data-sort="(\d+)">([^<]*)</td>', page)
    assert len(cells) == len(numbered_report.results)
    by_rank = [path for _rank, path in sorted(cells, key=lambda c: int(c[0]))]
    assert list(dict.fromkeys(by_rank)) == [
        "", "一", "二", "三", "三/（三）", "三/（七）", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]


# the measure m1 of good.ttl, without owner, carried by a second (Traditional) file as well
TWO_EXPRESSIONS = """
DELETE WHERE { ex:m1 pkg:responsibleAgency ?a } ; DELETE WHERE { ex:m1 pkg:leadAgency ?b } ;
DELETE WHERE { ex:o1 ?p ?o } ;
INSERT DATA {
  ex:m1 rdfs:label "加強科技創新"@zh-Hant ; prov:wasDerivedFrom ex:m1src0 .
  ex:file0 a pkg:SourceFile ; pkg:fileName "000.txt" ; pkg:sha256 "01" .
  ex:m1src0 a oa:SpecificResource ; oa:hasSource ex:file0 ; oa:hasSelector ex:m1pos0 , ex:m1quote0 .
  ex:m1pos0 a oa:TextPositionSelector ; oa:start 12 ; oa:end 18 .
  ex:m1quote0 a oa:TextQuoteSelector ; oa:exact "加強科技創新" .
}
"""


def _shuffled(graph: Graph, seed: int) -> Graph:
    triples = sorted(graph)
    random.Random(seed).shuffle(triples)
    out = Graph()
    for t in triples:
        out.add(t)
    return out


def _comparable(report) -> tuple:
    """Everything a reader sees, without the timings."""
    text = render(report, "text").split("\n", 1)[1]
    return [r.as_dict() for r in report.results], text, render(report, "csv")


def test_two_expressions_always_give_the_same_label_and_quotes():
    g = Graph().parse(GOOD, format="turtle")
    g.update(PREFIXES + TWO_EXPRESSIONS)
    reports = [validate(_shuffled(g, seed)) for seed in range(6)]
    first = _comparable(reports[0])
    assert all(_comparable(r) == first for r in reports[1:])
    m1 = [r for r in reports[0].results if r.shape == OWNER]
    assert len(m1) == 1
    assert m1[0].label == "加强科技创新"  # the Simplified label, whatever comes first
    assert [(s.file, s.quote) for s in m1[0].sources] == [("000.txt", "加強科技創新"), ("001.txt", "加强科技创新")]


def test_corpus_report_does_not_depend_on_triple_order(corpus_store):
    data = load_data(corpus_store)
    ref = _comparable(validate(data, engine="turbo"))
    assert ref[0], "the corpus has results"
    assert _comparable(validate(_shuffled(data, 13), engine="turbo")) == ref

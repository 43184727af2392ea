"""Canned queries on the corpus: the rows a reader of the source texts expects, one per measure,
in numbering order; and the canned queries' HTML pages (form, permalink, pages, downloads).

The expected rows are read off corpus/*.txt here (responsibility clauses, numbered items), never
copied from a query's own output.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
import requests
from policykg.graph.numbering import numbering_sort_key

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
WUXI_SIMPLIFIED = CORPUS / "001_2c9e03d5df35330e.txt"
PRACTICES = CORPUS / "003_bf867ab13698559b.txt"
WUHAN = CORPUS / "004_9e585d2b347181be.txt"
MEASURE_LISTS = ("agency-owns", "unowned-measures", "goals-deadlines", "measure-search")


def _csv(server, name: str, **params) -> list[dict]:
    r = requests.get(f"{server.url}/queries/{name}", params={**params, "format": "csv"}, timeout=120)
    assert r.status_code == 200, r.text
    return list(csv.DictReader(io.StringIO(r.text)))


def _items_owned_by(path: Path, agency: str) -> dict[str, list[str]]:
    """Plan title -> numbering (二/（三）) of every item whose responsibility clause names `agency`,
    read from the text: plan titles are the lines ending in 行动方案, items start with （N）."""
    plans: dict[str, list[str]] = {}
    plan = section = None
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.endswith("行动方案") and not line.startswith("《"):
            plan, section = line, None
            continue
        m = re.match(r"^([一二三四五六七八九十]+)、", line)
        if m:
            section = m.group(1)
            continue
        m = re.match(r"^（([一二三四五六七八九十]+)）", line)
        if m and plan and section and re.search(r"责任单位：[^）〕]*" + agency, line):
            plans.setdefault(plan, []).append(f"{section}/（{m.group(1)}）")
    return plans


def test_agency_owns_the_science_bureau_of_wuxi(corpus_server):
    """无锡市科学技术局 (市科技局) co-owns exactly the 17 items whose clause names it, none as lead
    (no clause in these plans names a lead), one row each, plan by plan in numbering order."""
    expected = _items_owned_by(WUXI_SIMPLIFIED, "市科技局")
    assert sum(map(len, expected.values())) == 17
    assert [len(v) for v in expected.values()] == [10, 4, 3]  # 科技自立自强, 转型升级, 金融支持
    rows = _csv(corpus_server, "agency-owns", agency="科技局")
    assert {r["agencyName"] for r in rows} == {"无锡市科学技术局"}
    assert {r["role"] for r in rows} == {"co-responsible"}
    got: dict[str, list[str]] = {}
    for r in rows:
        got.setdefault(r["planLabel"], []).append(r["numbering"])
    assert got == expected  # same plans, same items, same order within each plan
    assert list(got) == sorted(expected)  # plans in title order
    assert len({r["measure"] for r in rows}) == len(rows) == 17


def test_agency_owns_finds_the_same_rows_in_either_script(corpus_server):
    simplified = _csv(corpus_server, "agency-owns", agency="发展改革委")
    assert simplified and simplified == _csv(corpus_server, "agency-owns", agency="發展改革委")


def _practices() -> list[tuple[str, int]]:
    """The numbered rows of the practices table (003), with the section each stands in."""
    out, section = [], None
    for line in PRACTICES.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([一二三四五六七八九十]+)、", line)
        if m:
            section = m.group(1)
        m = re.fullmatch(r"(\d+) \|", line.strip())
        if m:
            out.append((section, int(m.group(1))))
    return out


def test_unowned_measures_one_row_each_in_numbering_order(corpus_server):
    """The practices table (003) names sources (来源), never owners: its 72 rows are all unowned, and
    they come back once each in the table's own order 一/1 … 一/11, 二/12 … 七/72."""
    practices = _practices()
    assert len(practices) == 72 and practices[0] == ("一", 1) and practices[-1] == ("七", 72)
    rows = _csv(corpus_server, "unowned-measures")
    assert len({r["measure"] for r in rows}) == len(rows)  # one row per measure
    table = [r["numbering"] for r in rows if "/work/none/" in r["plan"]]  # 003 names no city
    assert table == [f"{s}/{n}" for s, n in practices]


def test_goals_of_wuhan_in_numbering_order(corpus_server):
    """武汉's plan states five goals under 一、工作目標, (一) to (五)."""
    text = WUHAN.read_text(encoding="utf-8")
    goals = re.findall(r"^\(([一二三四五])\)", text.split("一、工作目標", 1)[1].split("二、", 1)[0], re.M)
    assert goals == ["一", "二", "三", "四", "五"]
    rows = _csv(corpus_server, "goals-deadlines")
    wuhan_goals = [r["numbering"] for r in rows if r["kind"].endswith("#Goal") and "/420100/" in r["measure"]]
    assert wuhan_goals == [f"一/({g})" for g in goals]
    assert len({r["measure"] for r in rows}) == len(rows)


@pytest.mark.parametrize("name", MEASURE_LISTS)
def test_measure_lists_have_one_row_per_measure_in_numbering_order(corpus_server, name):
    """No measure twice (the two script expressions of 无锡's plans used to give two rows each), and
    within a plan the numbering ascends as numbers: 二/（二） before 二/（十）, （三） before （七）."""
    params = {"text": "民营"} if name == "measure-search" else {}
    rows = _csv(corpus_server, name, **params)
    assert rows
    keys = [(r.get("agency"), r["measure"]) for r in rows]
    assert len(set(keys)) == len(keys)
    if name == "goals-deadlines":
        return  # ordered by deadline first
    by_plan: dict[tuple, list[str]] = {}
    for r in rows:
        by_plan.setdefault((r.get("agency"), r["plan"]), []).append(r["numbering"])
    for numbers in by_plan.values():
        assert numbers == sorted(numbers, key=numbering_sort_key), numbers


@pytest.mark.parametrize("name", ["unowned-measures", "top-owners", "lead-vs-co", "figures-above", "goals-deadlines",
                                  "shared-agencies", "measure-search"])
def test_one_row_per_thing_listed(corpus_server, name):
    """Each query lists one thing per row (its first column: a measure, an agency, a figure): never twice,
    whatever the number of script expressions, graphs or names the thing has."""
    r = requests.get(f"{corpus_server.url}/queries/{name}", params={"format": "csv"}, timeout=120)
    reader = csv.reader(io.StringIO(r.text))
    header = next(reader)
    values = [row[0] for row in reader]
    assert values and len(values) == len(set(values)), (name, header[0])


def test_function_across_cities_one_row_per_agency(corpus_server):
    rows = _csv(corpus_server, "function-across-cities")
    pairs = [(r["function"], r["jurisdiction"], r["agency"]) for r in rows]
    assert len(pairs) == len(set(pairs))
    assert all(r["jurisdictionLabel"] in ("无锡市", "武汉市", "普洱市") for r in rows if r["jurisdictionLabel"])


def test_graph_example_agency_owns_counts_per_plan(corpus_server):
    """graph/queries/agency-owns.rq: 无锡's science bureau, plan by plan, as the clauses read (10, 4, 3)."""
    expected = _items_owned_by(WUXI_SIMPLIFIED, "市科技局")
    query = (Path(__file__).resolve().parents[1] / "graph" / "queries" / "agency-owns.rq").read_text(encoding="utf-8")
    r = requests.post(corpus_server.sparql, data={"query": query}, headers={"Accept": "text/csv"}, timeout=60)
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert {row["plan"]: int(row["measures"]) for row in rows} == {k: len(v) for k, v in expected.items()}
    assert [row["plan"] for row in rows] == sorted(expected, key=lambda k: -len(expected[k]))


# ------------------------------------------------------------------ the pages


def test_canned_page_has_form_permalink_table_and_downloads(corpus_server):
    r = requests.get(corpus_server.url + "/queries/agency-owns", params={"agency": "科技局"},
                     headers={"Accept": "text/html"}, timeout=60)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    html = r.text
    assert '<input name="agency" value="科技局"' in html
    assert 'class="permalink" href="/queries/agency-owns?agency=%E7%A7%91%E6%8A%80%E5%B1%80"' in html
    assert html.count('<tr><td class="n">') == 17
    assert 'href="/id/agency/320200/science-technology"' in html and ">无锡市科学技术局</a>" in html
    assert "https://w3id.org/policykg/id/agency" not in re.sub(r'title="[^"]*"', "", html)  # labels, not IRIs
    assert "format=csv" in html and "format=json" in html
    assert 'href="/query?canned=agency-owns&amp;agency=%E7%A7%91%E6%8A%80%E5%B1%80"' in html


def test_canned_page_paginates(corpus_server):
    url = corpus_server.url + "/queries/unowned-measures"
    first = requests.get(url, params={"size": 40}, headers={"Accept": "text/html"}, timeout=60).text
    assert first.count('<tr><td class="n">') == 40
    assert 'rel="next" href="/queries/unowned-measures?page=2&amp;size=40"' in first
    third = requests.get(url, params={"size": 40, "page": 3}, headers={"Accept": "text/html"}, timeout=60).text
    rows = third.count('<tr><td class="n">')
    assert 0 < rows <= 40 and 'rel="next"' not in third and 'rel="prev"' in third
    total = len(_csv(corpus_server, "unowned-measures"))
    assert 80 + rows == total


def test_canned_page_shows_a_bad_parameter(corpus_server):
    r = requests.get(corpus_server.url + "/queries/figures-above", params={"min_value": "1; DROP"},
                     headers={"Accept": "text/html"}, timeout=60)
    assert r.status_code == 400 and "must be a number" in r.text and '<form class="params"' in r.text


def test_void_is_a_page_for_browsers_and_rdf_for_machines(corpus_server):
    html = requests.get(corpus_server.url + "/void", headers={"Accept": "text/html,*/*;q=0.8"}, timeout=30)
    assert html.headers["Content-Type"].startswith("text/html") and "void-classes" in html.text
    assert requests.get(corpus_server.url + "/void", timeout=30).headers["Content-Type"].startswith("text/turtle")
    rdf = requests.get(corpus_server.url + "/void", headers={"Accept": "application/rdf+xml"}, timeout=30)
    assert rdf.headers["Content-Type"].startswith("application/rdf+xml")

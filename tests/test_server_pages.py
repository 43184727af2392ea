"""The pages an analyst reads, over real HTTP on the corpus server: measure cards (owners, figures once,
readable comparators), plan tables of contents in numbering order, agency pages by plan, browse lists,
source text with highlighted quotes, search by abbreviation, and RDF descriptions without duplicates.
Expectations come from the store itself (pyoxigraph, read-only), never from hard-coded answers."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import requests

BASE = "https://w3id.org/policykg/id/"
PKG = "https://w3id.org/policykg/ontology#"
HTML = {"Accept": "text/html"}
PFX = f"""PREFIX pkg: <{PKG}> PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


def store_rows(store: str, query: str) -> list[dict]:
    import pyoxigraph as ox

    s = ox.Store.read_only(store)
    try:
        res = s.query(PFX + query, use_default_graph_as_union=True)
        return [{v.value: (row[v].value if row[v] is not None else None) for v in res.variables} for row in res]
    finally:
        del s


def page(server, iri_or_path: str, **params) -> str:
    path = "/id/" + iri_or_path[len(BASE):] if iri_or_path.startswith(BASE) else iri_or_path
    r = requests.get(server.url + path, headers=HTML, params=params, timeout=60)
    assert r.status_code == 200, (path, r.status_code, r.text[:300])
    return r.text


class Elements(HTMLParser):
    """Collects the attributes and text of elements with a tag and an attribute (nested ones too)."""

    def __init__(self, tag: str, attr: str):
        super().__init__()
        self.tag, self.attr, self.found = tag, attr, []
        self._open: list[dict | None] = []  # one entry per open `tag`: the match, or None

    def handle_starttag(self, tag, attrs):
        if tag != self.tag:
            return
        d = dict(attrs)
        match = {**d, "text": ""} if self.attr in d else None
        if match is not None:
            self.found.append(match)
        self._open.append(match)

    def handle_endtag(self, tag):
        if tag == self.tag and self._open:
            self._open.pop()

    def handle_data(self, data):
        for m in self._open:
            if m is not None:
                m["text"] += data


def elements(html: str, tag: str, attr: str) -> list[dict]:
    p = Elements(tag, attr)
    p.feed(html)
    return p.found


@pytest.fixture(scope="module")
def measures_with_figures(corpus_store) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for r in store_rows(corpus_store, "SELECT DISTINCT ?m ?f WHERE { GRAPH ?g { ?m pkg:hasFigure ?f } }"):
        out.setdefault(r["m"], set()).add(r["f"])
    return out


def test_every_figure_of_a_measure_once_with_readable_terms(corpus_server, measures_with_figures):
    assert len(measures_with_figures) >= 30
    for m, figures in measures_with_figures.items():
        html = page(corpus_server, m)
        rows = [r["data-figure"] for r in elements(html, "tr", "data-figure")]
        assert len(rows) == len(set(rows)), f"duplicate figure rows on {m}"
        assert set(rows) == figures, f"{m}: figures missing or foreign"
        table = html[html.index('<table class="figures">'):html.index("</table>", html.index('<table class="figures">'))]
        assert "odrl" not in table and "qudt" not in table and "pkg:" not in table, m
        cells = elements(table, "td", "class")
        assert all(c["text"].strip() in "≤≥=~<>" for c in cells if c["class"] == "cmp"), m


def test_the_reported_measure_shows_its_nine_figures(corpus_server):
    html = page(corpus_server, BASE + "work/320200/p-70e664f11e4a/measure/2-p2")
    text = re.sub(r"<[^>]+>", " ", html)
    for written in ("最高1000万元", "1000万元（含）以上", "不超过技术和设备投资额的5%", "6%", "7%", "最长支持3年"):
        assert written in text
    assert "上限 · cap" in text and "门槛 · threshold" in text
    assert "共同负责" in text and "义务 · obligation" in text


ROLE_ORDER = ["lead", "coresponsible", "inherited"]


def test_owners_in_role_order_and_none_said_plainly(corpus_server, corpus_store):
    mixed = store_rows(corpus_store, """SELECT DISTINCT ?m WHERE { GRAPH ?g { ?ob pkg:measure ?m ; pkg:role pkg:Inherited .
        ?ob2 pkg:measure ?m ; pkg:role pkg:CoResponsible } } LIMIT 3""")
    assert mixed
    for r in mixed:
        html = page(corpus_server, r["m"])
        roles = re.findall(r'class="role role-(\w+)"', html)
        assert roles == sorted(roles, key=ROLE_ORDER.index) and len(set(roles)) == 2
        assert 'class="inherited-from"' in html and "继承" in html
    unowned = store_rows(corpus_store, """SELECT DISTINCT ?m WHERE { GRAPH ?g { ?m a pkg:Measure
        FILTER NOT EXISTS { ?ob pkg:measure ?m } } } LIMIT 1""")
    assert "No owner named in the text" in page(corpus_server, unowned[0]["m"])


@pytest.fixture(scope="module")
def generated_server(tmp_path_factory):
    """Generated documents (bench/generate.py) have lead agencies, which the corpus does not."""
    import subprocess
    import sys
    from pathlib import Path

    from conftest import POLICYKG, ROOT, RunningServer

    d = tmp_path_factory.mktemp("generated")
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(d), "--documents", "6"], check=True,
                   capture_output=True)
    subprocess.run([POLICYKG, "load", str(d / "texts"), "--store", str(d / "store"), "--no-progress"], check=True,
                   capture_output=True)
    server = RunningServer(str(d / "store"), ["--workers", "1"])
    yield server
    server.stop()
    assert Path(d).exists()


def test_lead_agency_comes_first(generated_server):
    led = store_rows(generated_server.store, """SELECT DISTINCT ?m WHERE { GRAPH ?g { ?ob pkg:measure ?m ; pkg:role pkg:Lead .
        ?ob2 pkg:measure ?m ; pkg:role ?other FILTER(?other != pkg:Lead) } } LIMIT 3""")
    assert led
    for r in led:
        roles = re.findall(r'class="role role-(\w+)"', page(generated_server, r["m"]))
        assert roles[0] == "lead" and roles == sorted(roles, key=ROLE_ORDER.index)


def test_rdf_description_has_no_duplicates_and_no_class_labels(corpus_server):
    m = BASE + "work/320200/p-70e664f11e4a/measure/2-p2"
    r = requests.get(corpus_server.url + "/id/" + m[len(BASE):], params={"format": "nt"}, timeout=60)
    lines = [x for x in r.text.splitlines() if x.strip()]
    assert len(lines) == len(set(lines)) > 20
    assert not any(x.startswith(f"<{PKG}Measure>") for x in lines), "a class label leaked into the description"
    assert sum(f"<{PKG}hasFigure>" in x for x in lines) == 9


def test_plan_is_a_table_of_contents_in_numbering_order(corpus_server, corpus_store):
    from policykg.graph.numbering import numbering_sort_key

    plans = store_rows(corpus_store, """SELECT ?plan (COUNT(DISTINCT ?m) AS ?n) WHERE { GRAPH ?g { ?m eli:is_part_of ?plan ;
        a pkg:Measure } } GROUP BY ?plan ORDER BY DESC(?n) LIMIT 3""")
    for p in plans:
        keys = {r["m"]: r["pk"] for r in store_rows(corpus_store, f"""SELECT DISTINCT ?m ?pk WHERE {{ GRAPH ?g {{
            ?m eli:is_part_of <{p['plan']}> ; a pkg:Measure ; pkg:pathKey ?pk }} }}""")}
        shown = [li["data-measure"] for li in elements(page(corpus_server, p["plan"]), "li", "data-measure")]
        assert sorted(shown) == sorted(keys)
        assert [numbering_sort_key(keys[m]) for m in shown] == sorted(numbering_sort_key(keys[m]) for m in shown)


def test_agency_page_groups_measures_by_plan_once_each(corpus_server, corpus_store):
    a = BASE + "agency/320200/finance"
    owned = {r["m"] for r in store_rows(corpus_store, f"SELECT DISTINCT ?m WHERE {{ GRAPH ?g {{ ?ob pkg:agency <{a}> ; pkg:measure ?m }} }}")}
    html = page(corpus_server, a)
    tables = re.findall(r'<table class="owned">(.*?)</table>', html, flags=re.S)
    links = [x for t in tables for x in re.findall(r'<td><a href="/id/([^"]+)">', t)]
    assert sorted(BASE + x for x in links) == sorted(owned)
    assert html.count('<h3 class="plan">') == len({m.split("/measure/")[0] for m in owned})


def test_browse_lists(corpus_server, corpus_store):
    docs = store_rows(corpus_store, """SELECT DISTINCT ?d WHERE { GRAPH ?g { ?d a pkg:PolicyDocument
        FILTER NOT EXISTS { ?d eli:is_part_of ?up } } }""")
    html = page(corpus_server, "/documents")
    titles = [a["text"] for a in elements(html, "a", "class") if a["class"] == "title"]
    assert len(titles) == len(docs)
    assert not any(re.search(r"[0-9a-f]{12}", t.split("(")[0]) for t in titles), titles  # never a hash
    j = store_rows(corpus_store, "SELECT DISTINCT ?j WHERE { GRAPH ?g { ?d a pkg:PolicyDocument ; pkg:jurisdiction ?j } } LIMIT 1")[0]["j"]
    one = page(corpus_server, "/documents", jurisdiction=j)
    assert 0 < len([a for a in elements(one, "a", "class") if a["class"] == "title"]) < len(docs)
    agencies = page(corpus_server, "/agencies")
    assert "Collective agents" in agencies and "无锡市财政局" in agencies
    js = requests.get(corpus_server.url + "/jurisdictions", params={"format": "json"}, timeout=60).json()
    assert {x["label"] for x in js} >= {"无锡市", "武汉市", "普洱市"}
    assert "page 1 of" not in html  # five documents fit one page
    assert page(corpus_server, "/documents", page=99).count('class="title"') == len(docs)  # clamped to the last


def test_selector_lands_on_the_highlighted_quote(corpus_server, corpus_store):
    r = store_rows(corpus_store, """SELECT ?sel ?exact WHERE { GRAPH ?g { ?m a pkg:Measure ; prov:wasDerivedFrom ?sel .
        ?sel oa:hasSelector/oa:exact ?exact } } LIMIT 1""")[0]
    html = page(corpus_server, r["sel"])
    start, end = r["sel"].rsplit("/", 1)[-1].split("-")
    focus = [e for e in elements(html, "span", "id") if e["id"] == f"quote-{start}-{end}"]
    assert focus and re.sub(r"§", "", focus[0]["text"]) == r["exact"]
    file_html = page(corpus_server, r["sel"].split("/text/")[0])
    assert f'id="t-{start}-{end}"' in file_html
    assert file_html.count("/text/") < 400  # the text itself, not a wall of offset links


@pytest.mark.parametrize("q,expected", [
    ("发改委", "武汉市发展和改革委员会"), ("發改委", "武汉市发展和改革委员会"), ("市發(fā)改委", "无锡市发展和改革委员会"),
    ("发展和改革委员会", "普洱市发展和改革委员会"), ("科学技术局", "无锡市科学技术局"), ("科技局", "武汉市科学技术局"),
])
def test_search_knows_variants(corpus_server, q, expected):
    res = requests.get(corpus_server.url + "/search", params={"q": q, "format": "json"}, timeout=60).json()["results"]
    hit = next((h for h in res if h["label"] == expected), None)
    assert hit, [h["label"] for h in res]
    assert hit["city"] and hit["city"]["label"].endswith("市")


def test_search_hits_say_city_plan_and_owners(corpus_server):
    res = requests.get(corpus_server.url + "/search", params={"q": "技术升级", "format": "json"}, timeout=60).json()
    m = next(h for h in res["results"] if h["kind"] == "measure")
    assert m["city"]["label"] == "无锡市" and m["plan"]["label"].startswith("无锡市") and m["owners"]
    only = requests.get(corpus_server.url + "/search", params={"q": "无锡发改委", "format": "json"}, timeout=60).json()
    assert [h["label"] for h in only["results"]] == ["无锡市发展和改革委员会"]

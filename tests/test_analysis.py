"""policykg.analysis: the agency network and its metrics.

On a small hand-built store whose answers are worked out below by hand, and on the corpus
against independent SPARQL counts (obligations, co-ownership, collectives)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess

import pyoxigraph as ox
import pytest
from conftest import POLICYKG, require
from policykg.analysis import build_graphs, metrics, plot, render_csv, render_table, to_rdf, write_rdf
from policykg.analysis.plot import cjk_font
from policykg.graph.store import open_store

PKG = "https://w3id.org/policykg/ontology#"
ID = "https://w3id.org/policykg/id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
PART = "http://data.europa.eu/eli/ontology#is_part_of"

# Hand-built: two jurisdictions, three plans, agencies A B C D E (甲市) and G (乙市), collective K.
#   M1 (P1): A lead, B, C         M2 (P1): A, B           M3 (P2): C inherited, K
#   M4 (P2): K only               M5 (P2): nobody         M6 (P2): D only
#   M7 (P2): C, E                 M8 (P3, 乙市): G only
# M1's obligations are stated in two document graphs (two script expressions of one work).
OWNERS = [("doc1", "M1", "A", "Lead"), ("doc1", "M1", "B", "CoResponsible"), ("doc1", "M1", "C", "CoResponsible"),
          ("doc2", "M1", "A", "Lead"), ("doc2", "M1", "B", "CoResponsible"), ("doc2", "M1", "C", "CoResponsible"),
          ("doc1", "M2", "A", "CoResponsible"), ("doc1", "M2", "B", "CoResponsible"),
          ("doc3", "M3", "C", "Inherited"), ("doc3", "M3", "K", "CoResponsible"), ("doc3", "M4", "K", "CoResponsible"),
          ("doc3", "M6", "D", "CoResponsible"), ("doc3", "M7", "C", "CoResponsible"),
          ("doc3", "M7", "E", "CoResponsible"), ("doc4", "M8", "G", "CoResponsible")]
PLAN_OF = {"M1": "P1", "M2": "P1", "M3": "P2", "M4": "P2", "M5": "P2", "M6": "P2", "M7": "P2", "M8": "P3"}
DOC_OF = {"M1": "doc1", "M2": "doc1", "M8": "doc4"}


def _iri(x: str) -> str:
    return f"<{ID}{x}>"


def _hand_store():
    q: list[str] = []

    def add(s, p, o, g="gaz"):
        q.append(f"{s} <{p}> {o} {_iri('graph/' + g)} .")

    for j, name, code in (("J1", "甲市", "990100"), ("J2", "乙市", "990200")):
        add(_iri(j), RDF_TYPE, f"<{PKG}Jurisdiction>")
        add(_iri(j), LABEL, f'"{name}"@zh-Hans')
        add(_iri(j), PKG + "divisionCode", f'"{code}"')
    add(_iri("F1"), RDF_TYPE, f"<{PKG}AgencyFunction>")
    add(_iri("F1"), PREF, '"财政"@zh-Hans')
    for plan, j, doc in (("P1", "J1", "doc1"), ("P2", "J1", "doc3"), ("P3", "J2", "doc4")):
        add(_iri(plan), RDF_TYPE, f"<{PKG}PolicyDocument>", doc)
        add(_iri(plan), PKG + "jurisdiction", _iri(j), doc)
        add(_iri(plan), LABEL, f'"方案{plan}"@zh-Hans', doc)
    for m, plan in PLAN_OF.items():
        doc = DOC_OF.get(m, "doc3")
        add(_iri(m), RDF_TYPE, f"<{PKG}Measure>", doc)
        add(_iri(m), PART, _iri(plan), doc)
        add(_iri(m), LABEL, f'"措施{m}"@zh-Hans', doc)
    for a, j in (("A", "J1"), ("B", "J1"), ("C", "J1"), ("D", "J1"), ("E", "J1"), ("G", "J2"), ("K", "J1")):
        doc = "doc4" if a == "G" else "doc3"
        add(_iri(a), RDF_TYPE, f"<{PKG}{'CollectiveAgent' if a == 'K' else 'Agency'}>", doc)
        add(_iri(a), PREF, f'"{"各区人民政府" if a == "K" else "局" + a}"@zh-Hans', doc)
        add(_iri(a), PKG + "jurisdiction", _iri(j), doc)
    add(_iri("A"), PKG + "function", _iri("F1"), "doc3")
    add(_iri("G"), PKG + "function", _iri("F1"), "doc4")
    for doc, m, a, role in OWNERS:
        ob = _iri(f"{m}/ob/{a}")
        add(ob, PKG + "agency", _iri(a), doc)
        add(ob, PKG + "measure", _iri(m), doc)
        add(ob, PKG + "role", f"<{PKG}{role}>", doc)
    store = open_store(memory=True)
    store.oxigraph.load("\n".join(q).encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    return store


@pytest.fixture(scope="module")
def hand():
    store = _hand_store()
    network = build_graphs(store)
    return store, network, metrics(network, max_owners=2)


def _row(rows, name):
    return next(r for r in rows if r.name == name)


def test_hand_built_obligations_by_role(hand):
    _, _, m = hand
    a, b, c = _row(m.agencies, "局A"), _row(m.agencies, "局B"), _row(m.agencies, "局C")
    assert (a.lead, a.responsible, a.inherited, a.measures, a.plans) == (1, 1, 0, 2, 1)
    assert (b.lead, b.responsible, b.inherited, b.measures) == (0, 2, 0, 2)
    assert (c.lead, c.responsible, c.inherited, c.measures, c.plans) == (0, 2, 1, 3, 2)
    assert {r.name for r in m.agencies} == {"局A", "局B", "局C", "局D", "局E", "局G"}
    [k] = m.collectives
    assert (k.name, k.responsible, k.measures, k.sole_owner) == ("各区人民政府", 2, 2, 1)


def test_hand_built_projection_and_centrality(hand):
    _, network, m = hand
    p = network.projection
    assert {frozenset((x.rsplit("/", 1)[-1], y.rsplit("/", 1)[-1])): d["weight"] for x, y, d in p.edges(data=True)} \
        == {frozenset("AB"): 2, frozenset("AC"): 1, frozenset("BC"): 1, frozenset("CE"): 1}
    assert ID + "K" not in p and ID + "D" in p  # collectives never; a sole owner stays, alone
    assert {r.name: r.weighted_degree for r in m.agencies} == {"局A": 3, "局B": 3, "局C": 3, "局D": 0, "局E": 1, "局G": 0}
    # only C lies on shortest paths (E–A, E–B): 2 of the (6-1)(6-2)/2 = 10 pairs
    assert {r.name: r.betweenness for r in m.agencies} == {"局A": 0, "局B": 0, "局C": 0.2, "局D": 0, "局E": 0, "局G": 0}
    a, b, d = _row(m.agencies, "局A"), _row(m.agencies, "局B"), _row(m.agencies, "局D")
    assert a.community is not None and a.community == b.community and d.community is None


def test_hand_built_measure_level_figures(hand):
    _, _, m = hand
    s = m.summary
    assert (s.measures, s.owned_measures, s.unowned_measures) == (8, 7, 1)
    assert (s.agencies, s.collectives, s.collective_only) == (6, 1, 1)
    assert s.collective_only_share == round(1 / 7, 4)
    assert [r.iri for r in m.diffused] == [ID + "M1"]  # three agencies > max_owners 2
    assert sorted(r.iri for r in m.leaderless) == [ID + "M2", ID + "M3", ID + "M7"]  # M1 has a lead
    f = {r.jurisdiction: (r.measures, r.share) for r in m.functions}
    assert f == {"甲市": (2, round(2 / 6, 4)), "乙市": (1, 1.0)}
    assert [(j.scope, j.owned_measures, j.collective_only) for j in m.jurisdictions] == [("乙市", 1, 0), ("甲市", 6, 1)]


def test_hand_built_one_jurisdiction(hand):
    _, network, _ = hand
    m = metrics(network, jurisdiction="甲")
    assert m.summary.scope == "甲市" and m.summary.owned_measures == 6
    assert _row(m.agencies, "局C").betweenness == round(2 / 6, 6)  # 5 agencies: (5-1)(5-2)/2 = 6 pairs
    assert metrics(network, jurisdiction="990200").summary.agencies == 1
    with pytest.raises(ValueError, match="甲市"):
        metrics(network, jurisdiction="丙市")


def test_hand_built_rdf_ranks_by_centrality(hand):
    store, _, m = hand
    assert any(t.predicate.value == PKG + "betweenness" for t in to_rdf(m))
    name = write_rdf(store, m)
    rows = list(store.query(f"""SELECT ?a ?b WHERE {{ GRAPH <{name}> {{ ?a pkg:betweenness ?b }} }}
                                ORDER BY DESC(?b) LIMIT 1"""))
    assert rows[0]["a"].value == ID + "C"
    members = {r["a"].value for r in store.query(
        f"SELECT ?a WHERE {{ GRAPH <{name}> {{ ?c a pkg:AgencyCommunity ; foaf:member ?a }} }}")}
    assert ID + "K" not in members and {ID + "A", ID + "B"} <= members


# ------------------------------------------------------------------ the corpus


@pytest.fixture(scope="module")
def corpus(corpus_store):
    store = open_store(corpus_store, read_only=True)
    network = build_graphs(store)
    yield store, network, metrics(network)
    store.close()


def test_corpus_obligation_counts_equal_sparql(corpus):
    store, _, m = corpus
    q = """SELECT ?agent ?role (COUNT(DISTINCT ?m) AS ?n) WHERE {
             GRAPH ?g { ?ob pkg:agency ?agent ; pkg:measure ?m ; pkg:role ?role } } GROUP BY ?agent ?role"""
    expected = {(r["agent"].value, r["role"].value.rsplit("#", 1)[-1]): int(r["n"].value) for r in store.query(q)}
    got = {}
    for r in [*m.agencies, *m.collectives]:
        for role, n in (("Lead", r.lead), ("CoResponsible", r.responsible), ("Inherited", r.inherited)):
            if n:
                got[(r.iri, role)] = n
    assert got == expected
    assert len(m.agencies) + len(m.collectives) == len({a for a, _ in expected})


def test_corpus_projection_weights_equal_sparql_self_join(corpus):
    store, network, _ = corpus
    q = """SELECT ?a ?b (COUNT(DISTINCT ?m) AS ?n) WHERE {
             GRAPH ?g1 { ?o1 pkg:agency ?a ; pkg:measure ?m } GRAPH ?g2 { ?o2 pkg:agency ?b ; pkg:measure ?m }
             FILTER(STR(?a) < STR(?b))
             FILTER EXISTS { ?a a pkg:Agency } FILTER EXISTS { ?b a pkg:Agency } } GROUP BY ?a ?b"""
    expected = {frozenset((r["a"].value, r["b"].value)): int(r["n"].value) for r in store.query(q)}
    got = {frozenset((a, b)): d["weight"] for a, b, d in network.projection.edges(data=True)}
    assert len(got) > 100 and got == expected


def test_corpus_collectives_never_counted_as_agencies(corpus):
    store, network, m = corpus
    collectives = {r["a"].value for r in store.query("SELECT DISTINCT ?a WHERE { ?a a pkg:CollectiveAgent }")}
    assert collectives and collectives == {r.iri for r in m.collectives}
    assert not collectives & {r.iri for r in m.agencies}
    assert not collectives & set(network.projection)
    assert not any(c.startswith("各") or "相关部门" in c for r in m.communities for c in r.members)
    assert {"各市(县)区人民政府", "市各相关部门", "各区人民政府"} <= {r.name for r in m.collectives}
    q = """SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { GRAPH ?g { ?o pkg:agency ?k ; pkg:measure ?m }
             ?k a pkg:CollectiveAgent
             FILTER NOT EXISTS { GRAPH ?h { ?o2 pkg:agency ?a ; pkg:measure ?m } ?a a pkg:Agency } }"""
    assert m.summary.collective_only == int(next(iter(store.query(q)))["n"].value)


def test_corpus_jurisdictions_and_rendering(corpus):
    _, network, m = corpus
    assert [j.scope for j in m.jurisdictions] == ["无锡市", "普洱市", "武汉市"]
    assert sum(j.owned_measures for j in m.jurisdictions) == m.summary.owned_measures
    text = render_table(m)
    assert "无锡市科学技术局" in text and "Collective owners" in text and "各区人民政府" in text
    rows = list(csv.DictReader(io.StringIO(render_csv(m, "agencies"))))
    assert rows[0]["name"] == m.agencies[0].name and int(rows[0]["measures"]) == m.agencies[0].measures
    wuhan = metrics(network, jurisdiction="Wuhan")
    assert {r.jurisdiction for r in wuhan.agencies} == {"武汉市"}


def test_plot_renders_chinese_labels(corpus, tmp_path):
    require(cjk_font() is not None, "a CJK font (Debian's fonts-noto-cjk)")
    _, network, m = corpus
    svg = plot(network, m, tmp_path / "network.svg").read_text(encoding="utf-8")
    assert m.agencies[0].name in svg and "部门协同网络" in svg  # labels kept as text
    assert "Noto Sans CJK" in svg  # ... in a font that has the glyphs
    png = plot(network, m, tmp_path / "network.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 50_000


def test_cli_analyze(corpus_store, tmp_path):
    out = subprocess.run([POLICYKG, "analyze", "--store", corpus_store, "--format", "json"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["summary"]["agencies"] == 87 and data["collectives"]
    assert out.stderr == ""  # no progress bar when not on a terminal
    store = tmp_path / "store"
    shutil.copytree(corpus_store, store, ignore=shutil.ignore_patterns("LOCK"))
    out = subprocess.run([POLICYKG, "analyze", "--store", str(store), "--jurisdiction", "无锡", "--write",
                          "--format", "csv", "--table", "collectives"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "各市(县)区人民政府" in out.stdout
    s = open_store(str(store), read_only=True)
    top = next(iter(s.query("""SELECT ?a WHERE { GRAPH <https://w3id.org/policykg/id/graph/analysis> {
        ?a pkg:weightedDegree ?w } } ORDER BY DESC(?w) LIMIT 1""")))["a"].value
    assert top.startswith(ID + "agency/320200/")
    bad = subprocess.run([POLICYKG, "analyze", "--store", corpus_store, "--jurisdiction", "Atlantis"],
                         capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "Atlantis" in bad.stderr


def test_corpus_betweenness_equals_networkx_on_the_whole_projection(corpus):
    import networkx as nx

    _, network, m = corpus
    whole = nx.betweenness_centrality(network.projection, weight="distance", normalized=True)
    assert {r.iri: r.betweenness for r in m.agencies} == {a: round(b, 6) for a, b in whole.items()}
    assert max(r.betweenness for r in m.agencies) > 0.1

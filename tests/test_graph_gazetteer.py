"""The curated gazetteer: one node per bureau however it is written, scoped by jurisdiction."""

from __future__ import annotations

import pytest
from policykg.graph.gazetteer import functions, resolve_agency, resolve_jurisdiction
from policykg.graph.namespaces import PKG
from policykg.graph.ontology import ontology_graph, ontology_path
from rdflib import Graph, Literal
from rdflib.namespace import RDFS

WUXI = resolve_jurisdiction("无锡市")
WUHAN = resolve_jurisdiction("武漢市")

SAME = [
    ("市发改委", "市发展改革委", "市发展和改革委员会", "无锡市发展和改革委员会", "市發改委", "市發(fā)改委"),
    ("市人社局", "市人力资源社会保障局", "市人力资源和社会保障局"),
    ("市工信局", "市工业和信息化局", "无锡市工业和信息化局"),
    ("市市场监管局", "市市场监督管理局", "市市場監(jiān)管局"),
    ("市科技局", "市科学技术局"),
    ("市地方金融监管局", "市金融办"),
    ("市住建局", "市住房城乡建设局", "市住房和城乡建设局"),
]


@pytest.mark.parametrize("names", SAME)
def test_variants_are_one_node(names):
    resolved = {(resolve_agency(n, WUXI).scope, resolve_agency(n, WUXI).local) for n in names}
    assert len(resolved) == 1
    scope, local = resolved.pop()
    assert scope == "320200" and not local.startswith("h-")


def test_scoped_by_jurisdiction():
    a, b = resolve_agency("市科技局", WUXI), resolve_agency("市科技局", WUHAN)
    assert a.local == b.local == "science-technology"
    assert (a.scope, b.scope) == ("320200", "420100")
    assert a.canonical == "无锡市科学技术局" and b.canonical == "武汉市科学技术局"


def test_provincial_names_go_to_the_province():
    assert resolve_agency("省发改委", WUXI).scope == "320000"
    assert resolve_agency("财政厅", WUXI).scope == "320000"  # 省发改委、财政厅: a province's 厅


def test_collectives_and_unknown_names():
    c = resolve_agency("各市（县）区人民政府", WUXI)
    assert c.kind == "collective"
    assert resolve_agency("市各相关部门", WUXI).kind == "collective"
    u = resolve_agency("无锡经济开发区管委会", WUXI)
    assert u.kind == "agency" and u.local.startswith("h-") and u.canonical == "无锡经济开发区管委会"


def test_gazetteer_breadth_and_function_labels():
    fs = functions()
    assert len(fs) >= 40
    assert len({f.id for f in fs}) == len(fs)
    for f in fs:
        assert f.en and f.zh and f.city and f.province


def test_every_ontology_term_has_bilingual_label_and_comment():
    g = Graph().parse(ontology_path())
    terms = {s for s in g.subjects() if str(s).startswith(str(PKG))}
    assert len(terms) > 50
    for t in terms:
        for prop in (RDFS.label, RDFS.comment):
            langs = {o.language for o in g.objects(t, prop) if isinstance(o, Literal)}
            assert {"en", "zh-Hans"} <= langs, (t, prop)
    assert len(ontology_graph()) == len(g)


def test_district_texts_resolve_their_own_bureaus():
    d = resolve_jurisdiction("沙坪坝区")
    assert d.level == "district"
    a = resolve_agency("区发展改革委", d)
    b = resolve_agency("重庆市沙坪坝区发展和改革委员会", d)
    assert (a.scope, a.local) == (b.scope, b.local) == (d.slug, "development-reform")
    assert a.canonical == "沙坪坝区发展和改革委员会"
    # in a city's text a 区 bureau is some district's: not the city's bureau
    assert resolve_agency("区发改委", WUXI).local.startswith("h-")


def test_party_prefix_and_bracketed_second_name():
    pe = resolve_jurisdiction("普洱市")
    assert resolve_agency("中共普洱市委办公室", pe).local == "party-office"
    assert resolve_agency("市委办公室(市委督查室)", pe).local == "party-office"
    assert resolve_agency("人民银行无锡市分行", WUXI).local == "central-bank-branch"

"""Records -> RDF on the hand-made fixture (tests/fixtures/sample*.txt, sample.jsonl): IRIs,
scripts meeting on one work, partial expressions, provenance, agencies, figures."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from policykg.graph.build import BuildError, build_document, build_document_with_stats
from policykg.graph.namespaces import ELI, OA, ODRL, PKG, UNIT
from policykg.loaders import Record
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

FIX = Path(__file__).parent / "fixtures"


def records() -> dict[str, dict]:
    """The fixture records as JSON objects (tests edit them before reading them as records)."""
    out = {}
    for line in (FIX / "sample.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        out[r["script"]] = r
    return out


def build(script: str, base: str | None = None) -> Graph:
    r = records()[script]
    return build_document(Record.from_dict(r), (FIX / r["file"]).read_text(encoding="utf-8"), base=base)


@pytest.fixture(scope="module")
def hans() -> Graph:
    return build("zh-Hans")


@pytest.fixture(scope="module")
def hant() -> Graph:
    return build("zh-Hant")


def test_iris_are_ascii_and_deterministic(hans):
    again = build("zh-Hans")
    assert set(hans) == set(again)  # same IRIs, no blank nodes: identical, not just isomorphic
    for s, p, o in hans:
        for t in (s, p, o):
            if isinstance(t, URIRef):
                str(t).encode("ascii")  # raises if not ASCII
            assert not t.n3().startswith("_:")


def test_base_is_configurable():
    g = build("zh-Hans", base="http://example.org/kg")
    measures = set(g.subjects(RDF.type, PKG.Measure))
    assert measures and all(str(m).startswith("http://example.org/kg/work/") for m in measures)


def test_both_scripts_meet_on_one_work_and_measure(hans, hant):
    plan_hans = {w for w in hans.subjects(RDF.type, PKG.PolicyDocument)
                 if (w, RDFS.label, Literal("样例市科技创新行动方案", lang="zh-Hans")) in hans}
    plan_hant = {w for w in hant.subjects(RDF.type, PKG.PolicyDocument)
                 if (w, RDFS.label, Literal("樣例市科技創新行動方案", lang="zh-Hant")) in hant}
    assert len(plan_hans) == 1 and plan_hans == plan_hant
    plan = plan_hans.pop()
    m_hans = set(hans.subjects(ELI.is_part_of, plan)) & set(hans.subjects(RDF.type, PKG.Measure))
    m_hant = set(hant.subjects(ELI.is_part_of, plan)) & set(hant.subjects(RDF.type, PKG.Measure))
    assert len(m_hans) == 3 and m_hans == m_hant
    both = hans + hant
    exprs = set(both.objects(plan, ELI.is_realized_by))
    langs = sorted(str(both.value(e, URIRef("http://purl.org/dc/terms/language"))) for e in exprs)
    assert langs == ["zh-Hans", "zh-Hant"]
    for m in m_hans:
        labels = {lab.language for lab in both.objects(m, RDFS.label)}
        assert labels == {"zh-Hans", "zh-Hant"}


def test_partial_expression_is_recorded_not_merged(hans, hant):
    partial = set(hant.subjects(RDF.type, PKG.PartialExpression))
    assert len(partial) == 1
    e = partial.pop()
    notice = hant.value(e, ELI.realizes)
    complete = [x for x in hans.objects(notice, ELI.is_realized_by)]
    assert complete and e not in complete  # its own IRI, apart from the complete zh-Hans one
    missing = set(hant.objects(e, PKG.lacksPart))
    assert len(missing) == 1
    assert (missing.pop(), RDFS.label, Literal("样例市营商环境行动方案", lang="zh-Hans")) in hans
    assert hant.value(e, PKG.lacksTitle) == Literal(True)
    assert not set(hans.subjects(RDF.type, PKG.PartialExpression))


def test_every_quote_is_the_text_slice(hans, hant):
    for g, script in ((hans, "zh-Hans"), (hant, "zh-Hant")):
        text = (FIX / records()[script]["file"]).read_text(encoding="utf-8")
        n = 0
        for sel in g.subjects(RDF.type, OA.SpecificResource):
            pos = [x for x in g.objects(sel, OA.hasSelector) if (x, RDF.type, OA.TextPositionSelector) in g][0]
            quote = [x for x in g.objects(sel, OA.hasSelector) if (x, RDF.type, OA.TextQuoteSelector) in g][0]
            start, end = int(g.value(pos, OA.start)), int(g.value(pos, OA.end))
            assert text[start:end] == str(g.value(quote, OA.exact))
            n += 1
        assert n > 10


def test_measures_obligations_figures_have_provenance(hans):
    for cls in (PKG.Measure, PKG.Obligation, PKG.Figure):
        nodes = set(hans.subjects(RDF.type, cls))
        assert nodes
        for node in nodes:
            srcs = list(hans.objects(node, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")))
            assert srcs, node
            for s in srcs:
                assert (s, RDF.type, OA.SpecificResource) in hans
                assert (hans.value(s, OA.hasSource), RDF.type, PKG.SourceFile) in hans


def test_quotes_come_from_the_text_not_the_record():
    r = json.loads(json.dumps(records()["zh-Hans"]))
    for m in r["measures"]:
        for men in m["mentions"]:
            men["name"] = "BOGUS" + men["name"]  # labels follow the record; the quotes must not
        m["title"] = "BOGUS"
    text = (FIX / r["file"]).read_text(encoding="utf-8")
    g = build_document(Record.from_dict(r), text)
    exacts = {str(o) for o in g.objects(None, OA.exact)}
    assert "BOGUS" not in exacts and "市科技局" in exacts


def test_agencies_scoped_canonical_and_alt_labels(hans, hant):
    both = hans + hant
    dev = [a for a in both.subjects(RDF.type, PKG.Agency)
           if str(a).endswith("/development-reform")]
    assert len(dev) == 1
    assert both.value(dev[0], SKOS.prefLabel) == Literal("样例市发展和改革委员会", lang="zh-Hans")
    alts = set(both.objects(dev[0], SKOS.altLabel))
    assert Literal("市發展改革委", lang="zh-Hant") in alts
    assert both.value(dev[0], PKG.function) == URIRef("https://w3id.org/policykg/id/function/development-reform")
    coll = list(both.subjects(RDF.type, PKG.CollectiveAgent))
    assert len(coll) == 1 and (coll[0], RDF.type, PKG.Agency) not in both


def test_roles_and_one_obligation_per_agency_and_role(hans):
    roles = {}
    for ob in hans.subjects(RDF.type, PKG.Obligation):
        roles.setdefault(hans.value(ob, PKG.role), []).append(ob)
    assert len(roles[PKG.Lead]) == 1  # 市人社局 named twice, one lead obligation, two sources
    lead = roles[PKG.Lead][0]
    assert len(list(hans.objects(lead, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")))) == 2
    assert len(roles[PKG.CoResponsible]) == 5


def test_figures_values_units_comparators(hans):
    figs = {str(hans.value(f, RDFS.label)): f for f in hans.subjects(RDF.type, PKG.Figure)}
    cap = figs["最高200万元"]
    assert hans.value(cap, PKG.value).toPython() == Decimal("2000000")
    assert hans.value(cap, PKG.value).datatype == URIRef("http://www.w3.org/2001/XMLSchema#decimal")
    assert hans.value(cap, PKG.unit) == UNIT.CCY_CNY
    assert hans.value(cap, PKG.comparator) == ODRL.lteq
    assert hans.value(cap, PKG.role) == PKG.Cap
    people = figs["不少于500名"]
    assert hans.value(people, PKG.comparator) == ODRL.gteq
    unit = hans.value(people, PKG.unit)
    assert str(unit).startswith("https://w3id.org/policykg/id/unit/")
    assert hans.value(unit, RDFS.label) == Literal("名", lang="zh-Hans")


def test_shortcuts_are_not_written_by_the_builder(hans):
    for p in (PKG.responsibleAgency, PKG.leadAgency, PKG.owns):
        assert not list(hans.subject_objects(p))


def test_record_without_mentions_uses_the_name_lists():
    r = json.loads(json.dumps(records()["zh-Hans"]))
    for m in r["measures"]:
        del m["mentions"]
    text = (FIX / r["file"]).read_text(encoding="utf-8")
    g, stats, _ = build_document_with_stats(Record.from_dict(r), text)
    full = build("zh-Hans")
    pairs = {(g.value(o, PKG.measure), g.value(o, PKG.agency)) for o in g.subjects(RDF.type, PKG.Obligation)}
    pairs_full = {(full.value(o, PKG.measure), full.value(o, PKG.agency))
                  for o in full.subjects(RDF.type, PKG.Obligation)}
    assert pairs == pairs_full


def test_a_record_that_does_not_fit_its_text_is_refused():
    r = records()["zh-Hans"]
    with pytest.raises(BuildError, match="sample_hans.txt"):
        build_document(Record.from_dict(r), "短")
    r2 = json.loads(json.dumps(r))
    r2["measures"][0]["start"] = 10_000
    with pytest.raises(BuildError, match="outside the text"):
        build_document(Record.from_dict(r2), (FIX / r["file"]).read_text(encoding="utf-8"))


def test_building_twice_gives_the_same_triples(hans):
    """Deterministic IRIs and no blank nodes: the same record gives the same triples, term for term
    (not merely an isomorphic graph), so reloading a document replaces it exactly."""
    again = build("zh-Hans")
    assert set(again) == set(hans)
    assert not any(isinstance(t, BNode) for triple in hans for t in triple)


def test_coverage_and_where_the_extractor_gave_up_reach_the_graph():
    """A text whose owners the extractor saw but attached to nothing: its coverage figures and the
    owners_unattached issue are in the graph, and the SHACL Warning lists the file."""
    from policykg.loaders import extract_text
    from policykg.shapes import validate

    text = ("某市工作方案\n一、重点任务\n(一)加快建设。(责任单位:城建条线)\n"
            "(二)完善政策。(责任单位:财贸条线)\n(三)强化保障。(责任单位:市财政局)\n")
    g = build_document(extract_text(text, file="gave-up.txt"), text)
    (f,) = g.subjects(RDF.type, PKG.SourceFile)
    cov = g.value(f, PKG.coverage)
    assert (cov, RDF.type, PKG.Coverage) in g
    assert {p: int(g.value(cov, p)) for p in (PKG.responsibilityMarkers, PKG.unattachedMarkers, PKG.ownedMeasures)} \
        == {PKG.responsibilityMarkers: 3, PKG.unattachedMarkers: 2, PKG.ownedMeasures: 1}
    kinds = {str(g.value(q, PKG.issueKind)) for q in g.objects(f, PKG.qualityIssue)}
    assert "owners_unattached" in kinds
    report = validate(g)
    gave_up = [r for r in report.results if r.shape.endswith("ExtractionGaveUpShape")]
    assert [r.focus for r in gave_up] == [str(f)]
    assert "2 of 3 responsibility markers attached to no measure" in gave_up[0].message

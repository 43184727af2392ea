"""Every shape in shapes/: one small graph that violates it, one that conforms.

The conforming graph is `validate_data/good.ttl` (a notice with one plan, a
measure with its lead obligation and a figure, all with provenance). Each case
applies a SPARQL Update to it and asserts the exact focus nodes and severity
that the shape reports; the unchanged graph and each "conforms" variant give
no result for that shape.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from policykg.shapes import load_shapes, validate
from rdflib import Graph, Namespace

HERE = Path(__file__).parent
GOOD = HERE / "validate_data" / "good.ttl"
EX = Namespace("https://w3id.org/policykg/id/")
SH = "https://w3id.org/policykg/shapes#"

PREFIXES = """
PREFIX pkg:  <https://w3id.org/policykg/ontology#>
PREFIX eli:  <http://data.europa.eu/eli/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa:   <http://www.w3.org/ns/oa#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd:  <http://www.w3.org/2001/XMLSchema#>
PREFIX odrl: <http://www.w3.org/ns/odrl/2/>
PREFIX unit: <http://qudt.org/vocab/unit/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX ex:   <https://w3id.org/policykg/id/>
"""

# a second measure, complete, that cases can change (kind and agency set by the case)
M2 = """
ex:m2 a pkg:Measure ; rdfs:label "完善保障"@zh-Hans ; pkg:path "三/（一）" ; eli:is_part_of ex:plan ;
    prov:wasDerivedFrom ex:m2src .
ex:m2src a oa:SpecificResource ; oa:hasSource ex:file ; oa:hasSelector ex:m2pos , ex:m2quote .
ex:m2pos a oa:TextPositionSelector ; oa:start 40 ; oa:end 44 .
ex:m2quote a oa:TextQuoteSelector ; oa:exact "完善保障" .
"""

# A figure range, complete.
F2 = """
ex:m1 pkg:hasFigure ex:f2 .
ex:f2 a pkg:Figure ; pkg:unit unit:CCY_CNY ; pkg:unitText "元" ; pkg:comparator pkg:range ; pkg:role pkg:Threshold ;
    prov:wasDerivedFrom ex:f1src .
"""


def _case(shape, severity, update, focus, conform=None, value=None):
    return pytest.param(shape, severity, update, focus, conform, value, id=shape)



CASES = [
    # ---- ownership.ttl
    _case("MeasureOwnerShape", "Violation",
          "DELETE WHERE { ex:m1 pkg:responsibleAgency ?a } ; DELETE WHERE { ex:m1 pkg:leadAgency ?b } ;"
          " DELETE WHERE { ex:o1 ?p ?o }",
          {EX.m1},
          # a safeguard and a goal need no owner; an inherited owner counts
          conform="INSERT DATA { " + M2 + " ex:m2 pkg:kind pkg:Safeguard . ex:m3 a pkg:Measure ; pkg:kind pkg:Goal . "
                  "ex:m4 a pkg:Measure ; pkg:kind pkg:Action . ex:o4 a pkg:Obligation ; pkg:measure ex:m4 ; "
                  "pkg:agency ex:gov ; pkg:role pkg:Inherited . }"),
    _case("ObligationAgencyShape", "Violation",
          "INSERT DATA { ex:o1 pkg:agency ex:czj . ex:czj a pkg:Agency . }", {EX.o1},
          conform="DELETE DATA { ex:kjj a pkg:Agency } ; INSERT DATA { ex:kjj a pkg:CollectiveAgent }"),
    _case("ObligationMeasureShape", "Violation", "DELETE DATA { ex:o1 pkg:measure ex:m1 }", {EX.o1}),
    _case("ObligationRoleShape", "Violation",
          "DELETE DATA { ex:o1 pkg:role pkg:Lead } ; INSERT DATA { ex:o1 pkg:role pkg:Target }", {EX.o1},
          conform="DELETE DATA { ex:o1 pkg:role pkg:Lead } ; INSERT DATA { ex:o1 pkg:role pkg:CoResponsible }"),
    _case("LeadAmongResponsibleShape", "Violation",
          "INSERT DATA { ex:m1 pkg:leadAgency ex:czj . ex:czj a pkg:Agency . }", {EX.m1}, value=EX.czj),
    # ---- figures.ttl
    _case("FigureAmountShape", "Violation", "INSERT DATA { ex:f1 pkg:minValue 1.0 ; pkg:maxValue 2.0 }", {EX.f1},
          conform="INSERT DATA { " + F2 + " ex:f2 pkg:minValue 10000000.0 ; pkg:maxValue 30000000.0 . }"),
    _case("FigureRangeOrderShape", "Violation",
          "INSERT DATA { " + F2 + " ex:f2 pkg:minValue 30000000.0 ; pkg:maxValue 10000000.0 . }", {EX.f2},
          conform="INSERT DATA { " + F2 + " ex:f2 pkg:minValue 30000000.0 ; pkg:maxValue 30000000.0 . }"),
    _case("FigureUnitShape", "Violation", "DELETE WHERE { ex:f1 pkg:unit ?u }", {EX.f1},
          # a figure whose text gives no unit (2/3以上) has none
          conform="DELETE WHERE { ex:f1 pkg:unit ?u } ; DELETE WHERE { ex:f1 pkg:unitText ?t } ;"
                  " INSERT DATA { ex:f1 pkg:unitText \"\" }"),
    _case("FigureUnitShape", "Violation", "INSERT DATA { ex:f1 pkg:unit unit:PERCENT }", {EX.f1}),
    _case("FigureComparatorShape", "Violation",
          "DELETE WHERE { ex:f1 pkg:comparator ?c } ; INSERT DATA { ex:f1 pkg:comparator \"<=\" }", {EX.f1},
          conform="DELETE WHERE { ex:f1 pkg:comparator ?c } ; INSERT DATA { ex:f1 pkg:comparator odrl:gteq }"),
    _case("GoalFigureShape", "Warning", "INSERT DATA { " + M2 + " ex:m2 pkg:kind pkg:Goal . }", {EX.m2},
          conform="INSERT DATA { " + M2 + " ex:m2 pkg:kind pkg:Goal ; pkg:hasFigure ex:f1 . }"),
    # ---- provenance.ttl
    _case("ProvenanceShape", "Violation", "DELETE DATA { ex:f1 prov:wasDerivedFrom ex:f1src }", {EX.f1}),
    _case("SourceFileShape", "Violation", "DELETE DATA { ex:m1src oa:hasSource ex:file }", {EX.m1src}),
    _case("SourceOffsetsShape", "Violation", "DELETE DATA { ex:o1pos oa:end 24 }", {EX.o1src},
          conform="DELETE DATA { ex:o1pos oa:start 20 ; oa:end 24 } ;"
                  " INSERT DATA { ex:o1pos oa:start \"20\"^^xsd:nonNegativeInteger ;"
                  " oa:end \"24\"^^xsd:nonNegativeInteger }"),
    _case("SourceQuoteShape", "Violation", "INSERT DATA { ex:f1quote oa:exact \"最高200万\" }", {EX.f1src}),
    _case("QuoteLengthShape", "Violation",
          "DELETE DATA { ex:m1quote oa:exact \"加强科技创新\" } ; INSERT DATA { ex:m1quote oa:exact \"加强科技\" }",
          {EX.file}, value=EX.m1src),
    # ---- documents.ttl
    _case("DocumentTitleShape", "Violation", "DELETE WHERE { ex:plan rdfs:label ?t }", {EX.plan},
          # the title of an expression (one script) is enough
          conform="DELETE WHERE { ex:plan rdfs:label ?t } ;"
                  " INSERT DATA { ex:plan eli:is_realized_by ex:pexpr . ex:pexpr eli:title \"示例行動方案\"@zh-Hant }"),
    # a plan that is part of a notice is covered by the notice (good.ttl: the plan has none of its own)
    _case("DocumentJurisdictionShape", "Violation", "DELETE WHERE { ex:notice pkg:jurisdiction ?j }", {EX.notice},
          conform="INSERT DATA { ex:solo a pkg:PolicyDocument ; rdfs:label \"单独文件\"@zh-Hans ; pkg:jurisdiction ex:city }"),
    _case("DocumentDateShape", "Warning", "DELETE WHERE { ex:notice eli:date_document ?d }", {EX.notice}),
    _case("DocumentNumberShape", "Warning", "DELETE WHERE { ex:notice eli:id_local ?n }", {EX.notice}),
    _case("ExpressionTitleShape", "Warning",
          "INSERT DATA { ex:expr a pkg:PartialExpression ; pkg:lacksTitle true }", {EX.expr},
          conform="INSERT DATA { ex:expr pkg:lacksTitle false }"),
    # found from the structure: the Simplified version has a title, the Traditional one has none
    _case("ExpressionTitleShape", "Warning",
          "INSERT DATA { ex:expr eli:title \"示例市关于印发示例行动方案的通知\"@zh-Hans ."
          " ex:exprHant a eli:LegalExpression ; eli:realizes ex:notice . }", {EX.exprHant},
          conform="INSERT DATA { ex:expr eli:title \"示例市关于印发示例行动方案的通知\"@zh-Hans ."
                  " ex:exprHant a eli:LegalExpression ; eli:realizes ex:notice ;"
                  " eli:title \"示例市關於印發示例行動方案的通知\"@zh-Hant . }"),
    _case("AnnouncedPlanShape", "Warning",
          "INSERT DATA { ex:expr a pkg:PartialExpression ; pkg:lacksPart ex:plan }", {EX.expr}, value=EX.plan),
    # the same found from the structure: no expression of the plan is part of the notice's expression
    _case("AnnouncedPlanShape", "Warning", "DELETE DATA { ex:pexpr dcterms:isPartOf ex:expr }", {EX.expr},
          value=EX.plan),
    # ---- quality.ttl
    _case("LostCharactersShape", "Warning",
          "INSERT DATA { ex:file pkg:qualityIssue ex:q1 , ex:q2 . ex:q1 pkg:issueKind \"lost_characters\" ."
          " ex:q2 pkg:issueKind \"lost_characters\" . }", {EX.file},
          conform="INSERT DATA { ex:file pkg:qualityIssue ex:q1 . ex:q1 pkg:issueKind \"pinyin_gloss\" . }"),
    _case("ExtractionGaveUpShape", "Warning",
          "INSERT DATA { ex:file pkg:qualityIssue ex:q3 . ex:q3 pkg:issueKind \"structure_unrecognised\" ."
          " ex:file pkg:coverage ex:cov . ex:cov pkg:itemsFound 0 ; pkg:measuresFound 0 ; pkg:ownedMeasures 0 ;"
          " pkg:responsibilityMarkers 3 ; pkg:unattachedMarkers 3 . }", {EX.file},
          # a file whose markers all stand in owned measures carries coverage but no such issue
          conform="INSERT DATA { ex:file pkg:coverage ex:cov . ex:cov pkg:itemsFound 1 ; pkg:measuresFound 1 ;"
                  " pkg:ownedMeasures 1 ; pkg:responsibilityMarkers 1 ; pkg:unattachedMarkers 0 ."
                  " ex:file pkg:qualityIssue ex:q1 . ex:q1 pkg:issueKind \"pinyin_gloss\" . }"),
    _case("UnresolvedAgencyShape", "Warning",
          "INSERT DATA { ex:m1 pkg:responsibleAgency ex:xyz . ex:xyz a pkg:Agency ; rdfs:label \"市某某办\"@zh-Hans ."
          " ex:o2 a pkg:Obligation ; pkg:measure ex:m1 ; pkg:agency ex:xyz ; pkg:role pkg:CoResponsible . }",
          {EX.xyz},
          conform="INSERT DATA { ex:gov a pkg:CollectiveAgent ; rdfs:label \"各区人民政府\"@zh-Hans . }"),
    # ---- audit.ttl (Info)
    _case("PlanMeasuresWithoutFiguresShape", "Info", "DELETE DATA { ex:m1 pkg:hasFigure ex:f1 }", {EX.plan},
          conform="INSERT DATA { " + M2 + " ex:m2 pkg:kind pkg:Safeguard . }"),
    _case("PlanInheritedOnlyShape", "Info",
          "DELETE DATA { ex:o1 pkg:role pkg:Lead } ; INSERT DATA { ex:o1 pkg:role pkg:Inherited }", {EX.plan}),
    _case("PlanCollectiveOnlyShape", "Info",
          "DELETE DATA { ex:kjj a pkg:Agency } ; INSERT DATA { ex:kjj a pkg:CollectiveAgent }", {EX.plan},
          conform="INSERT DATA { ex:gov a pkg:CollectiveAgent . ex:o9 a pkg:Obligation ; pkg:measure ex:m1 ;"
                  " pkg:agency ex:gov ; pkg:role pkg:CoResponsible . }"),
]


def _graph(update: str | None = None) -> Graph:
    g = Graph()
    g.parse(GOOD, format="turtle")
    if update:
        g.update(PREFIXES + update)
    return g


def _results_of(report, shape):
    return [r for r in report.results if r.shape == SH + shape]


def test_good_graph_conforms_to_every_shape():
    report = validate(_graph())
    assert report.results == []
    assert report.conforms


@pytest.mark.parametrize("shape,severity,update,focus,conform,value", CASES)
def test_shape_violated_and_conformed(shape, severity, update, focus, conform, value):
    report = validate(_graph(update))
    got = _results_of(report, shape)
    assert {r.focus for r in got} == {str(f) for f in focus}, [r.as_dict() for r in got]
    assert {r.severity for r in got} == {severity}
    assert all(r.message for r in got)
    if value is not None:
        assert {r.value for r in got} == {str(value)}
    assert report.conforms == (severity != "Violation" and not any(
        r.severity == "Violation" for r in report.results))
    if conform:
        report = validate(_graph(conform))
        assert _results_of(report, shape) == [], [r.as_dict() for r in _results_of(report, shape)]


def test_every_shape_has_a_case():
    """A new shape needs a case above (and a label, comment and severity, see below)."""
    shapes = load_shapes()
    named = _named_shapes(shapes)
    covered = {c.values[0] for c in CASES}
    assert {n.removeprefix(SH) for n in named} == covered


def _named_shapes(shapes: Graph) -> set[str]:
    q = """
    PREFIX sh: <http://www.w3.org/ns/shacl#>
    SELECT DISTINCT ?s WHERE {
      { ?s a sh:NodeShape } UNION { ?s a sh:PropertyShape }
      FILTER (isIRI(?s))
      FILTER EXISTS { ?s sh:severity ?sev }
    }"""
    return {str(row.s) for row in shapes.query(q)}


def test_every_shape_is_labelled_commented_and_has_a_severity():
    shapes = load_shapes()
    q = """
    PREFIX sh: <http://www.w3.org/ns/shacl#>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    SELECT DISTINCT ?s WHERE { { ?s a sh:NodeShape } UNION { ?s a sh:PropertyShape } FILTER (isIRI(?s)) }"""
    shape_iris = [row.s for row in shapes.query(q)]
    assert len(shape_iris) >= 20
    for s in shape_iris:
        for prop in ("label", "comment"):
            langs = {o.language for o in shapes.objects(s, shapes.namespace_manager.expand_curie(f"rdfs:{prop}"))}
            assert {"en", "zh-Hans"} <= langs, (s, prop, langs)
        sev = set(shapes.objects(s, shapes.namespace_manager.expand_curie("sh:severity")))
        assert len(sev) == 1, (s, "one explicit sh:severity")


def test_shapes_are_valid_shacl():
    """The shapes graph conforms to SHACL-SHACL (the W3C shapes for shapes)."""
    import pyshacl

    conforms, _, text = pyshacl.validate(Graph(), shacl_graph=load_shapes(), meta_shacl=True)
    assert conforms, text

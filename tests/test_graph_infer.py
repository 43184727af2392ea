"""pkg:responsibleAgency / pkg:leadAgency / pkg:owns come from the ontology's axioms (owlrl)."""

from __future__ import annotations

from pathlib import Path

import pytest
from policykg.graph.build import build_document
from policykg.graph.infer import infer_shortcuts
from policykg.graph.namespaces import PKG
from policykg.graph.ontology import ontology_graph
from policykg.loaders import Record
from rdflib import BNode, Graph
from rdflib.namespace import OWL, RDF, RDFS

FIX = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def doc() -> Graph:
    r = Record.from_json((FIX / "sample.jsonl").read_text(encoding="utf-8").splitlines()[0])
    return build_document(r, (FIX / r.file).read_text(encoding="utf-8"))


def obligation_pairs(g: Graph, role=None) -> set:
    return {
        (g.value(o, PKG.measure), g.value(o, PKG.agency))
        for o in g.subjects(RDF.type, PKG.Obligation)
        if role is None or g.value(o, PKG.role) == role
    }


def test_shortcuts_follow_the_obligations(doc):
    inf = infer_shortcuts(doc)
    assert set(inf.subject_objects(PKG.responsibleAgency)) == obligation_pairs(doc)
    assert set(inf.subject_objects(PKG.leadAgency)) == obligation_pairs(doc, PKG.Lead)
    assert {(a, m) for m, a in inf.subject_objects(PKG.responsibleAgency)} == set(inf.subject_objects(PKG.owns))
    assert set(inf.predicates()) == {PKG.responsibleAgency, PKG.leadAgency, PKG.owns}


def _without(onto: Graph, pred, subj=None) -> Graph:
    g = Graph()
    for t in onto:
        if t[1] == pred and (subj is None or t[0] == subj):
            continue
        g.add(t)
    return g


def test_no_axiom_no_inference(doc):
    onto = ontology_graph()
    # without the chain, responsibleAgency only comes from leadAgency (sub-property)
    no_chain = _without(onto, OWL.propertyChainAxiom, PKG.responsibleAgency)
    inf = infer_shortcuts(doc, no_chain)
    assert set(inf.subject_objects(PKG.responsibleAgency)) == obligation_pairs(doc, PKG.Lead)
    # ... and without the sub-property axiom either, nothing
    bare = _without(no_chain, RDFS.subPropertyOf, PKG.leadAgency)
    assert not list(infer_shortcuts(doc, bare).subject_objects(PKG.responsibleAgency))
    # owns needs its inverse axiom
    assert not list(infer_shortcuts(doc, _without(onto, OWL.inverseOf, PKG.owns)).subject_objects(PKG.owns))
    # responsibleAgency's chain runs through pkg:obligation, the inverse of pkg:measure
    assert not list(infer_shortcuts(doc, _without(onto, OWL.inverseOf, PKG.obligation))
                    .subject_objects(PKG.responsibleAgency))
    # leadAgency needs the self restriction that marks lead obligations
    no_self = _without(onto, OWL.hasSelf)
    assert not list(infer_shortcuts(doc, no_self).subject_objects(PKG.leadAgency))
    assert list(infer_shortcuts(doc, no_self).subject_objects(PKG.responsibleAgency))
    # and with no ontology at all, nothing
    assert len(infer_shortcuts(doc, Graph())) == 0


def test_the_axioms_are_in_the_ontology_file():
    onto = ontology_graph()
    chain = onto.value(PKG.responsibleAgency, OWL.propertyChainAxiom)
    assert isinstance(chain, BNode)
    assert (PKG.owns, OWL.inverseOf, PKG.responsibleAgency) in onto
    assert (PKG.leadAgency, RDFS.subPropertyOf, PKG.responsibleAgency) in onto
    assert (PKG.obligation, OWL.inverseOf, PKG.measure) in onto

"""pkg:responsibleAgency / pkg:leadAgency / pkg:owns come from the ontology's axioms (owlrl)."""

from __future__ import annotations

import sys
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


# ---------------------------------------------------------------- the compiled rules against owlrl

def _documents(files) -> list[tuple[str, Graph]]:
    from policykg.graph.load import _record_and_text, iter_inputs

    out = []
    for inp in iter_inputs(files):
        rec, text = _record_and_text(inp)
        out.append((inp.label, build_document(rec, text)))
    return out


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> list[tuple[str, Graph]]:
    """Twelve documents of bench/generate.py (every responsibility form, tables, inheritance)."""
    import importlib.util

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("bench_generate", root / "bench" / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = generate  # its dataclasses look their module up
    spec.loader.exec_module(generate)
    files = generate.generate(tmp_path_factory.mktemp("generated"), 12, seed=11)
    return _documents(files)


def test_compiled_rules_give_owlrls_triples_on_the_corpus_and_generated_documents(generated):
    from conftest import CORPUS
    from policykg.graph.infer import default_reasoner, infer_shortcuts_owlrl

    docs = _documents(sorted(CORPUS.glob("*.txt"))) + generated
    batch = default_reasoner().infer_many([g for _, g in docs])  # one batch, each document on its own
    total = 0
    for (label, g), fast in zip(docs, batch, strict=True):
        ref = infer_shortcuts_owlrl(g)
        assert set(fast) == set(ref), label
        assert set(infer_shortcuts(g)) == set(ref), label  # alone as in a batch
        total += len(ref)
    assert total > 2000  # leadAgency, responsibleAgency and owns on every document


def test_the_rules_come_from_the_axioms():
    from policykg.graph.infer import closed_schema, compile_rules

    names = {r.name for r in compile_rules(closed_schema())}
    assert {"prp-spo2", "prp-spo1", "prp-inv2", "cls-hv2", "cls-hasself1", "cax-eqc2"} <= names
    # nothing can entail the chain's first step without pkg:measure's inverse axiom
    onto = _without(ontology_graph(), OWL.inverseOf, PKG.obligation)
    assert "prp-spo2" not in {r.name for r in compile_rules(closed_schema(onto))}


def test_an_axiom_the_compiler_does_not_translate_falls_back_to_owlrl(doc):
    from policykg.graph.infer import Reasoner, infer_shortcuts_owlrl

    onto = ontology_graph()
    key = BNode()
    onto.add((PKG.Obligation, OWL.hasKey, key))
    onto.add((key, RDF.first, PKG.measure))
    onto.add((key, RDF.rest, RDF.nil))
    reasoner = Reasoner(onto)
    assert reasoner.rules is None
    assert set(reasoner.infer_many([doc])[0]) == set(infer_shortcuts_owlrl(doc, onto))

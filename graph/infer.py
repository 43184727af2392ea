"""OWL 2 RL materialisation of the shortcut properties (owlrl).

`pkg:responsibleAgency`, `pkg:leadAgency` and `pkg:owns` are entailed by the ontology's axioms
(property chains through `pkg:obligation`, the inverse of `pkg:measure`; `pkg:leadAgency` a
sub-property of `pkg:responsibleAgency`; `pkg:owns` its inverse; lead obligations recognised by
an `owl:hasValue` restriction on `pkg:role` and tied to themselves by an `owl:hasSelf`
restriction so the lead chain can filter on them). Nothing here names those properties' rules:
remove an axiom from the ontology and its entailments disappear.

For speed the closure runs per document on the ontology's logical axioms plus the document's obligation triples
only (`pkg:measure`, `pkg:agency`, `pkg:role`): the three shortcuts depend on nothing else. Of the closure only the triples of the three properties are kept.
OWL 2 RL has no `owl:hasSelf`; owlrl implements it in its OWL-RL extension, and `_RLSelf`
adds just that rule (the two self-restriction rules of `owlrl.OWLRLExtras`) to plain OWL 2 RL.
"""

from __future__ import annotations

import functools

import owlrl
from owlrl.OWLRL import OWLRL_Semantics
from policykg.graph.namespaces import INFERRED_PROPERTIES, PKG
from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS

# the predicates the shortcuts depend on
_INPUT_PREDICATES = (PKG.measure, PKG.agency, PKG.role)


class _RLSelf(OWLRL_Semantics):
    """OWL 2 RL plus the owl:hasSelf rules of owlrl's extension.

    One rule is left out: eq-ref, which states `x owl:sameAs x` for every node of the graph. It
    doubles the graph each closure works on and entails nothing else (replacing x by x gives the
    triples back); the other equality rules still run on every owl:sameAs triple."""

    def _equality(self, triple, cycle_num):
        if triple[1] == OWL.sameAs or (triple[1] == RDF.type and triple[2] == OWL.AllDifferent):
            super()._equality(triple, cycle_num)

    def rules(self, t, cycle_num):
        super().rules(t, cycle_num)
        z, q, _x = t
        if q == OWL.hasSelf:
            for p in self.graph.objects(z, OWL.onProperty):
                for y in self.graph.subjects(RDF.type, z):
                    self.store_triple((y, p, y))
                for y1, y2 in self.graph.subject_objects(p):
                    if y1 == y2:
                        self.store_triple((y1, RDF.type, z))


def logical_axioms(ontology: Graph) -> list:
    """The ontology's OWL/RDFS axioms that can entail property assertions: OWL-vocabulary
    triples, rdfs:subClassOf, rdfs:subPropertyOf and RDF lists. Annotations (labels, comments,
    SKOS) and rdfs:domain / rdfs:range (which only add rdf:type triples) are left out: they
    cannot entail the shortcuts, and leaving them out makes the closure about a third faster."""
    owl = str(OWL)
    keep = (RDFS.subClassOf, RDFS.subPropertyOf, RDF.first, RDF.rest)
    return [
        (s, p, o)
        for s, p, o in ontology
        if str(p).startswith(owl) or p in keep or (p == RDF.type and str(o).startswith(owl))
    ]


@functools.lru_cache(maxsize=1)
def _default_schema() -> tuple:
    from policykg.graph.ontology import ontology_graph

    return tuple(logical_axioms(ontology_graph()))


def infer_shortcuts(graph: Graph, ontology: Graph | None = None) -> Graph:
    """The pkg:responsibleAgency / pkg:leadAgency / pkg:owns triples entailed by `ontology`
    (default: the shipped one) from the obligations in `graph`, not already in `graph`."""
    work = Graph()
    for t in (logical_axioms(ontology) if ontology is not None else _default_schema()):
        work.add(t)
    for p in _INPUT_PREDICATES:
        for s, o in graph.subject_objects(p):
            work.add((s, p, o))
    owlrl.DeductiveClosure(
        _RLSelf, rdfs_closure=False, axiomatic_triples=False, datatype_axioms=False, improved_datatypes=False
    ).expand(work)
    out = Graph()
    for p in INFERRED_PROPERTIES:
        for s, o in work.subject_objects(p):
            if (s, p, o) not in graph:
                out.add((s, p, o))
    return out

"""OWL 2 RL materialisation of the shortcut properties.

`pkg:responsibleAgency`, `pkg:leadAgency` and `pkg:owns` are entailed by the ontology's axioms
(property chains through `pkg:obligation`, the inverse of `pkg:measure`; `pkg:leadAgency` a
sub-property of `pkg:responsibleAgency`; `pkg:owns` its inverse; lead obligations recognised by
an `owl:hasValue` restriction on `pkg:role` and tied to themselves by an `owl:hasSelf`
restriction so the lead chain can filter on them). Nothing here names those properties' rules:
remove an axiom from the ontology and its entailments disappear.

Two engines, one answer:

- the reference, `infer_shortcuts_owlrl`: owlrl's closure of the ontology's logical axioms plus
  one document's obligation triples (`pkg:measure`, `pkg:agency`, `pkg:role`: the three
  shortcuts depend on nothing else). OWL 2 RL has no `owl:hasSelf`; owlrl implements it in its
  OWL-RL extension, and `_RLSelf` adds just that rule to plain OWL 2 RL. It re-closes the whole
  ontology for every document: about 1.4 s a document.
- the default, `Reasoner`: the ontology's axioms are closed once (owlrl, `closed_schema`), then
  each OWL 2 RL rule of the W3C rule tables (prp-*, cls-*, cax-*, eq-*, and the two hasSelf rules)
  whose schema premises the closed ontology satisfies becomes one SPARQL `INSERT … WHERE`
  (`compile_rules`), with the schema terms as constants and every pattern inside
  `GRAPH ?g { … }`, so a batch of documents, each in its own graph of an in-memory Oxigraph, is
  closed in one pass without any document seeing another's triples. The updates run until
  nothing changes (a fixpoint, like owlrl's cycles). An ontology using an axiom the compiler
  does not translate (owl:hasKey, cardinality restrictions, owl:oneOf, sameAs between schema
  terms) makes the reasoner fall back to owlrl for every document: never a silently different
  answer. tests/test_graph_infer.py proves both engines give the same triples on the corpus
  and on generated documents.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import owlrl
import pyoxigraph as ox
from owlrl.OWLRL import OWLRL_Semantics
from policykg.graph.namespaces import INFERRED_PROPERTIES, PKG
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

# the predicates the shortcuts depend on
_INPUT_PREDICATES = (PKG.measure, PKG.agency, PKG.role)
# schema blank nodes (restrictions, lists) become IRIs in the generated SPARQL, where a blank
# node would be a variable; they only ever appear in intermediate rdf:type triples
_SKOLEM = "urn:policykg:schema-node:"
# a closure of a document converges in a handful of rounds; this bounds a runaway ontology
_MAX_ROUNDS = 64


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


def _closure(graph: Graph) -> None:
    owlrl.DeductiveClosure(
        _RLSelf, rdfs_closure=False, axiomatic_triples=False, datatype_axioms=False, improved_datatypes=False
    ).expand(graph)


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


def _inputs(graph: Graph) -> Iterator[tuple]:
    for p in _INPUT_PREDICATES:
        for s, o in graph.subject_objects(p):
            yield s, p, o


def infer_shortcuts_owlrl(graph: Graph, ontology: Graph | None = None) -> Graph:
    """The reference: the pkg:responsibleAgency / pkg:leadAgency / pkg:owns triples owlrl entails
    from the obligations in `graph` and `ontology` (default: the shipped one), not already in `graph`."""
    work = Graph()
    for t in (logical_axioms(ontology) if ontology is not None else _default_schema()):
        work.add(t)
    for t in _inputs(graph):
        work.add(t)
    _closure(work)
    out = Graph()
    for p in INFERRED_PROPERTIES:
        for s, o in work.subject_objects(p):
            if (s, p, o) not in graph:
                out.add((s, p, o))
    return out


# ---------------------------------------------------------------------------------------------
# the ontology's axioms compiled to SPARQL updates


class UnsupportedAxiom(Exception):
    """The ontology uses an axiom `compile_rules` does not translate."""


def closed_schema(ontology: Graph | None = None) -> Graph:
    """owlrl's closure of the ontology's logical axioms alone (the scm-* rules: transitive
    sub-properties and sub-classes, equivalences unfolded, …), computed once per reasoner."""
    g = Graph()
    for t in (logical_axioms(ontology) if ontology is not None else _default_schema()):
        g.add(t)
    _closure(g)
    return g


def _term(node) -> str:
    if isinstance(node, BNode):
        return f"<{_SKOLEM}{node}>"
    if isinstance(node, (URIRef, Literal)):
        return node.n3()
    raise UnsupportedAxiom(f"schema term {node!r}")


def _list(schema: Graph, head) -> list:
    return list(Collection(schema, head)) if head != RDF.nil else []


@dataclass(frozen=True)
class Rule:
    """One OWL 2 RL rule instantiated with schema constants: the `body` atoms (and `condition`)
    entail the `head` atom. Atoms are (subject, predicate, object) in SPARQL syntax."""

    name: str
    body: tuple[tuple[str, str, str], ...]
    head: tuple[str, str, str]
    condition: str = ""

    def update(self) -> str:
        where = " . ".join(" ".join(a) for a in self.body) + (f" FILTER({self.condition})" if self.condition else "")
        return f"INSERT {{ GRAPH ?g {{ {' '.join(self.head)} }} }} WHERE {{ GRAPH ?g {{ {where} }} }}"


def _rule(name: str, body: str, head: str, condition: str = "") -> Rule:
    atoms = tuple(tuple(a.split()) for a in body.split(" . "))
    return Rule(name, atoms, tuple(head.split()), condition)  # type: ignore[arg-type]


_TYPE, _SAME = RDF.type.n3(), OWL.sameAs.n3()


def _property_rules(schema: Graph) -> Iterator[Rule]:
    for p1, p2 in schema.subject_objects(RDFS.subPropertyOf):
        if p1 != p2:
            yield _rule("prp-spo1", f"?x {_term(p1)} ?y", f"?x {_term(p2)} ?y")
    for p1, p2 in schema.subject_objects(OWL.equivalentProperty):
        if p1 != p2:
            yield _rule("prp-eqp1", f"?x {_term(p1)} ?y", f"?x {_term(p2)} ?y")
            yield _rule("prp-eqp2", f"?x {_term(p2)} ?y", f"?x {_term(p1)} ?y")
    for p1, p2 in schema.subject_objects(OWL.inverseOf):
        yield _rule("prp-inv1", f"?x {_term(p1)} ?y", f"?y {_term(p2)} ?x")
        yield _rule("prp-inv2", f"?x {_term(p2)} ?y", f"?y {_term(p1)} ?x")
    for p in schema.subjects(RDF.type, OWL.SymmetricProperty):
        yield _rule("prp-symp", f"?x {_term(p)} ?y", f"?y {_term(p)} ?x")
    for p in schema.subjects(RDF.type, OWL.TransitiveProperty):
        yield _rule("prp-trp", f"?x {_term(p)} ?y . ?y {_term(p)} ?z", f"?x {_term(p)} ?z")
    for p, head in schema.subject_objects(OWL.propertyChainAxiom):
        chain = _list(schema, head)
        if chain:
            steps = " . ".join(f"?u{i} {_term(pi)} ?u{i + 1}" for i, pi in enumerate(chain))
            yield _rule("prp-spo2", steps, f"?u0 {_term(p)} ?u{len(chain)}")
    for p in schema.subjects(RDF.type, OWL.FunctionalProperty):
        yield _rule("prp-fp", f"?x {_term(p)} ?y1 . ?x {_term(p)} ?y2", f"?y1 {_SAME} ?y2", "?y1 != ?y2")
    for p in schema.subjects(RDF.type, OWL.InverseFunctionalProperty):
        yield _rule("prp-ifp", f"?x1 {_term(p)} ?y . ?x2 {_term(p)} ?y", f"?x1 {_SAME} ?x2", "?x1 != ?x2")


def _class_rules(schema: Graph) -> Iterator[Rule]:
    for c1, c2 in schema.subject_objects(RDFS.subClassOf):
        if c1 != c2:
            yield _rule("cax-sco", f"?x {_TYPE} {_term(c1)}", f"?x {_TYPE} {_term(c2)}")
    for c1, c2 in schema.subject_objects(OWL.equivalentClass):
        if c1 != c2:
            yield _rule("cax-eqc1", f"?x {_TYPE} {_term(c1)}", f"?x {_TYPE} {_term(c2)}")
            yield _rule("cax-eqc2", f"?x {_TYPE} {_term(c2)}", f"?x {_TYPE} {_term(c1)}")
    for c, head in schema.subject_objects(OWL.intersectionOf):
        members = _list(schema, head)
        if members:
            body = " . ".join(f"?y {_TYPE} {_term(m)}" for m in members)
            yield _rule("cls-int1", body, f"?y {_TYPE} {_term(c)}")
            for m in members:
                yield _rule("cls-int2", f"?y {_TYPE} {_term(c)}", f"?y {_TYPE} {_term(m)}")
    for c, head in schema.subject_objects(OWL.unionOf):
        for m in _list(schema, head):
            yield _rule("cls-uni", f"?y {_TYPE} {_term(m)}", f"?y {_TYPE} {_term(c)}")
    for c, y in schema.subject_objects(OWL.someValuesFrom):
        for p in schema.objects(c, OWL.onProperty):
            body = f"?u {_term(p)} ?v" + ("" if y == OWL.Thing else f" . ?v {_TYPE} {_term(y)}")
            yield _rule("cls-svf", body, f"?u {_TYPE} {_term(c)}")
    for c, y in schema.subject_objects(OWL.allValuesFrom):
        for p in schema.objects(c, OWL.onProperty):
            yield _rule("cls-avf", f"?u {_TYPE} {_term(c)} . ?u {_term(p)} ?v", f"?v {_TYPE} {_term(y)}")
    for c, v in schema.subject_objects(OWL.hasValue):
        for p in schema.objects(c, OWL.onProperty):
            yield _rule("cls-hv1", f"?u {_TYPE} {_term(c)}", f"?u {_term(p)} {_term(v)}")
            yield _rule("cls-hv2", f"?u {_term(p)} {_term(v)}", f"?u {_TYPE} {_term(c)}")
    for c in schema.subjects(OWL.hasSelf, None):  # owlrl's extension: any value of owl:hasSelf
        for p in schema.objects(c, OWL.onProperty):
            yield _rule("cls-hasself1", f"?y {_TYPE} {_term(c)}", f"?y {_term(p)} ?y")
            yield _rule("cls-hasself2", f"?y {_term(p)} ?y", f"?y {_TYPE} {_term(c)}")


_EQUALITY = (  # eq-ref is left out, as in `_RLSelf`
    _rule("eq-sym", f"?x {_SAME} ?y", f"?y {_SAME} ?x"),
    _rule("eq-trans", f"?x {_SAME} ?y . ?y {_SAME} ?z", f"?x {_SAME} ?z"),
    _rule("eq-rep-s", f"?s {_SAME} ?s2 . ?s ?p ?o", "?s2 ?p ?o"),
    _rule("eq-rep-p", f"?p {_SAME} ?p2 . ?s ?p ?o", "?s ?p2 ?o"),
    _rule("eq-rep-o", f"?o {_SAME} ?o2 . ?s ?p ?o", "?s ?p ?o2"),
)
# axioms whose OWL 2 RL rules add triples and are not translated above
_UNSUPPORTED = (OWL.hasKey, OWL.maxCardinality, OWL.maxQualifiedCardinality, OWL.oneOf)


def _live(rules: list[Rule], inputs: Sequence[str]) -> list[Rule]:
    """The rules that can fire on documents stating only the `inputs` predicates, in the order
    they become able to (so one round of updates mostly reaches the fixpoint). An atom holds when
    its predicate (or, for rdf:type with a constant class, the class) can be stated or derived."""
    facts = set(inputs)

    def holds(atom) -> bool:
        _s, p, o = atom
        if p.startswith("?"):
            return True
        return (p, o) in facts if p == _TYPE and not o.startswith("?") else p in facts

    live: list[Rule] = []
    pending = list(rules)
    while True:
        ready = [r for r in pending if all(holds(a) for a in r.body)]
        if not ready:
            return live
        live += ready
        pending = [r for r in pending if r not in ready]
        for r in ready:
            _s, p, o = r.head
            facts.add((p, o) if p == _TYPE and not o.startswith("?") else p)


def compile_rules(schema: Graph, inputs: Sequence = _INPUT_PREDICATES) -> list[Rule]:
    """The OWL 2 RL rules the closed `schema` instantiates that can fire on documents stating the
    `inputs` predicates. Rules that can only report an inconsistency (cax-dw, prp-irp, …) add no
    triple and are not compiled."""
    for p in _UNSUPPORTED:
        if (None, p, None) in schema:
            raise UnsupportedAxiom(str(p))
    if any(s != o for s, o in schema.subject_objects(OWL.sameAs)):
        raise UnsupportedAxiom("owl:sameAs between ontology terms")
    rules = list(_class_rules(schema)) + list(_property_rules(schema)) + list(_EQUALITY)
    return _live(rules, [_term(p) for p in inputs])


def _ox(node):
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if node.language:
        return ox.Literal(str(node), language=node.language)
    return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype))) if node.datatype else ox.Literal(str(node))


def _rdflib(term):
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


class Reasoner:
    """The shortcut reasoner of one ontology (default: the shipped one): compile once, then close
    any number of documents, a batch at a time."""

    def __init__(self, ontology: Graph | None = None):
        self.ontology = ontology
        try:
            self.rules: list[Rule] | None = compile_rules(closed_schema(ontology))
        except UnsupportedAxiom:
            self.rules = None  # owlrl for every document
        self._update = " ;\n".join(r.update() for r in self.rules or ())
        self._outputs = [ox.NamedNode(str(p)) for p in INFERRED_PROPERTIES]

    def infer_many(self, graphs: Sequence[Graph]) -> list[Graph]:
        """For each document graph, the shortcut triples it entails and does not already state
        (each document closed on its own, as `infer_shortcuts_owlrl` does)."""
        if self.rules is None:
            return [infer_shortcuts_owlrl(g, self.ontology) for g in graphs]
        work = ox.Store()
        names = [ox.NamedNode(f"urn:policykg:batch:{i}") for i in range(len(graphs))]
        work.extend(ox.Quad(_ox(s), _ox(p), _ox(o), name)
                    for g, name in zip(graphs, names, strict=True) for s, p, o in _inputs(g))
        if self._update:
            size = -1
            for _ in range(_MAX_ROUNDS):
                if size == len(work):
                    break
                size = len(work)
                work.update(self._update)
        out = []
        for g, name in zip(graphs, names, strict=True):
            found = Graph()
            for p in self._outputs:
                for q in work.quads_for_pattern(None, p, None, name):
                    t = (_rdflib(q.subject), _rdflib(q.predicate), _rdflib(q.object))
                    if t not in g:
                        found.add(t)
            out.append(found)
        return out


@functools.lru_cache(maxsize=1)
def default_reasoner() -> Reasoner:
    """The reasoner of the shipped ontology, compiled once per process."""
    return Reasoner()


def infer_shortcuts(graph: Graph, ontology: Graph | None = None) -> Graph:
    """The pkg:responsibleAgency / pkg:leadAgency / pkg:owns triples entailed by `ontology`
    (default: the shipped one) from the obligations in `graph`, not already in `graph`."""
    reasoner = default_reasoner() if ontology is None else Reasoner(ontology)
    return reasoner.infer_many([graph])[0]

"""The metrics as RDF, in a named graph, so SPARQL can rank agencies by centrality:

    SELECT ?agency ?b WHERE { GRAPH <https://w3id.org/policykg/id/graph/analysis> {
      ?agency pkg:betweenness ?b } } ORDER BY DESC(?b)

The vocabulary (pkg:NetworkAnalysis, pkg:AgencyCommunity, pkg:measureCount, pkg:betweenness, ...)
is in ontology/policykg.ttl; communities are foaf:Group with foaf:member, the run a prov:Activity.
"""

from __future__ import annotations

import datetime

import pyoxigraph as ox
from policykg.graph.namespaces import PKG_IRI, PREFIXES, normalise_base

from .metrics import Metrics, Summary

RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
_XSD = PREFIXES["xsd"]


def analysis_graph(base: str | None = None) -> str:
    """Name of the graph the analysis is written to."""
    return normalise_base(base) + "graph/analysis"


def _p(local: str) -> ox.NamedNode:
    return ox.NamedNode(PKG_IRI + local)


def _int(n: int) -> ox.Literal:
    return ox.Literal(str(int(n)), datatype=ox.NamedNode(_XSD + "integer"))


def _dec(x: float) -> ox.Literal:
    return ox.Literal(f"{x:.6f}".rstrip("0").rstrip(".") or "0", datatype=ox.NamedNode(_XSD + "decimal"))


def _double(x: float) -> ox.Literal:
    return ox.Literal(repr(float(x)), datatype=ox.NamedNode(_XSD + "double"))


def _summary(node: ox.NamedNode, s: Summary) -> list[ox.Triple]:
    return [ox.Triple(node, _p("collectiveOnlyShare"), _dec(s.collective_only_share)),
            ox.Triple(node, _p("diffusedMeasureCount"), _int(s.diffused)),
            ox.Triple(node, _p("leaderlessMeasureCount"), _int(s.leaderless))]


def to_rdf(m: Metrics, base: str | None = None, ended: datetime.datetime | None = None) -> list[ox.Triple]:
    """Triples of the metrics (to be stored in `analysis_graph(base)`)."""
    base = normalise_base(base)
    run = ox.NamedNode(base + "analysis" + (f"/{_slug(m.summary.iri)}" if m.summary.iri else ""))
    generated = ox.NamedNode(PREFIXES["prov"] + "wasGeneratedBy")
    ended = ended or datetime.datetime.now(datetime.UTC)
    out = [ox.Triple(run, RDF_TYPE, _p("NetworkAnalysis")),
           ox.Triple(run, ox.NamedNode(PREFIXES["prov"] + "endedAtTime"),
                     ox.Literal(ended.isoformat(), datatype=ox.NamedNode(_XSD + "dateTime"))),
           ox.Triple(run, _p("ownerThreshold"), _int(m.max_owners))]
    out += _summary(run, m.summary)
    if m.summary.iri:
        out.append(ox.Triple(run, _p("jurisdiction"), ox.NamedNode(m.summary.iri)))
    for s in m.jurisdictions:
        if s.iri:
            out += _summary(ox.NamedNode(s.iri), s)
    for r in [*m.agencies, *m.collectives]:
        a = ox.NamedNode(r.iri)
        out += [ox.Triple(a, generated, run),
                ox.Triple(a, _p("measureCount"), _int(r.measures)),
                ox.Triple(a, _p("leadCount"), _int(r.lead)),
                ox.Triple(a, _p("coResponsibleCount"), _int(r.responsible)),
                ox.Triple(a, _p("inheritedCount"), _int(r.inherited))]
    for r in m.agencies:
        a = ox.NamedNode(r.iri)
        out += [ox.Triple(a, _p("partnerCount"), _int(r.partners)),
                ox.Triple(a, _p("weightedDegree"), _int(r.weighted_degree)),
                ox.Triple(a, _p("betweenness"), _double(r.betweenness))]
    for r in m.collectives:
        out.append(ox.Triple(ox.NamedNode(r.iri), _p("soleCollectiveCount"), _int(r.sole_owner)))
    member = ox.NamedNode(PREFIXES["foaf"] + "member")
    for c in m.communities:
        node = ox.NamedNode(f"{run.value}/community/{c.id}")
        out += [ox.Triple(node, RDF_TYPE, _p("AgencyCommunity")),
                ox.Triple(node, generated, run),
                ox.Triple(node, ox.NamedNode(PREFIXES["rdfs"] + "label"),
                          ox.Literal(f"community {c.id}", language="en")),
                ox.Triple(node, _p("measureCount"), _int(c.measures))]
        out += [ox.Triple(node, member, ox.NamedNode(a)) for a in c.member_iris]
        out += [ox.Triple(node, _p("dominantPlan"), ox.NamedNode(p)) for p in c.plan_iris]
    return out


def _slug(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def to_ntriples(m: Metrics, base: str | None = None) -> str:
    return ox.serialize(to_rdf(m, base), format=ox.RdfFormat.N_TRIPLES).decode("utf-8")


def write_rdf(store, m: Metrics, base: str | None = None) -> str:
    """Replace the analysis graph of `store` with the metrics (one atomic update, which also
    raises the store's load version); returns the graph's name."""
    name = analysis_graph(base)
    store.replace_graph(name, to_ntriples(m, base))
    return name

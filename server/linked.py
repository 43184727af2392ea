"""What the linked-data pages show of one resource: its RDF description (CONSTRUCT) and the
richer view of its HTML page (owners, figures, source quotes, document), from a few SELECTs."""

from __future__ import annotations

from policykg.graph.namespaces import PKG_IRI, PREFIXES

from . import views
from .terms import Terms

RDFS_LABEL = PREFIXES["rdfs"] + "label"
SKOS = PREFIXES["skos"]
RDF_TYPE = PREFIXES["rdf"] + "type"
PKG = PKG_IRI
OA = PREFIXES["oa"]


def _iri(iri: str) -> str:
    if any(c in iri for c in '<>"{}|^`\\ \n\t'):
        raise ValueError("not an IRI")
    return f"<{iri}>"


def construct_query(iri: str, limit: int = 5000) -> str:
    """The resource's description, each triple once whichever document graphs hold it: its own triples,
    those of its blank nodes, the triples pointing at it (bounded), and the labels of the resources it
    links to (not of its classes: a type's label is the ontology's, not the resource's)."""
    s = _iri(iri)
    return f"""CONSTRUCT {{ {s} ?p ?o . ?b ?bp ?bo . ?in ?pin {s} . ?x <{RDFS_LABEL}> ?xl . }}
WHERE {{
  {{ SELECT DISTINCT ?p ?o WHERE {{ GRAPH ?g {{ {s} ?p ?o }} }} LIMIT {limit} }}
  UNION {{ SELECT DISTINCT ?b ?bp ?bo WHERE {{ GRAPH ?g {{ {s} ?p0 ?b . FILTER(isBlank(?b)) ?b ?bp ?bo }} }} LIMIT {limit} }}
  UNION {{ SELECT DISTINCT ?in ?pin WHERE {{ GRAPH ?g {{ ?in ?pin {s} }} }} LIMIT {limit} }}
  UNION {{ SELECT DISTINCT ?x ?xl WHERE {{
      {{ SELECT DISTINCT ?x WHERE {{ GRAPH ?g {{ {s} ?p1 ?x FILTER(isIRI(?x) && ?p1 != <{RDF_TYPE}>) }} }} LIMIT {limit} }}
      GRAPH ?g2 {{ ?x <{RDFS_LABEL}> ?xl }} }} }}
}}"""


def describe_for_html(ep, iri: str, terms: Terms, page: int = 1) -> dict | None:
    """Everything the HTML page of a resource shows; None when nothing is known about it. Measures,
    plans, agencies, jurisdictions, source files and quote selectors get their own views; any other
    resource its distinct statements and who links to it."""
    _iri(iri)
    n = views.node(ep, iri)
    ins, more = views.incoming(ep, iri)
    span = views.selector_span(iri)
    if not n.props and not ins:
        return None
    types = set(n.values(RDF_TYPE))
    if PKG + "Measure" in types:
        out = views.measure_page(ep, iri, n, terms)
    elif PKG + "PolicyDocument" in types:
        out = views.plan_page(ep, iri, n, terms)
    elif types & {PKG + "Agency", PKG + "CollectiveAgent"}:
        out = views.agency_page(ep, iri, n, terms, page=page)
        n.props.pop(PKG + "owns", None)  # listed by plan above, not as thousands of raw rows
        ins = [i for i in ins if i["p"] not in (PKG + "agency", PKG + "responsibleAgency", PKG + "leadAgency")]
    elif PKG + "Jurisdiction" in types:
        out = views.jurisdiction_page(ep, iri, n)
        ins, more = [], False  # the jurisdiction page links to its lists instead
    elif PKG + "SourceFile" in types:
        out = {"kind": "file", "text": views.source_text(ep, iri), "name": n.first(PKG + "fileName")}
        ins, more = [], False
    elif span and OA + "SpecificResource" in types:
        out = {"kind": "selector", "file": span[0], "start": span[1], "end": span[2],
               "text": views.source_text(ep, span[0], focus=(span[1], span[2])),
               "file_name": views.node(ep, span[0]).first(PKG + "fileName")}
    else:
        out = {"kind": "resource"}
    out.setdefault("label", n.label() or _tail(iri))
    out.update({"iri": iri, "types": [{"iri": t, "label": terms.both(t)} for t in sorted(types)],
                "labels": n.labels(), "statements": views.statements(ep, n, terms),
                "incoming": ins, "more_incoming": more})
    return out


def _tail(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]

"""Namespaces and prefixes shared by the graph builder, the store and the server.

- `PKG`: the ontology namespace `https://w3id.org/policykg/ontology#` (prefix `pkg:`).
- `BASE`: the default base of data IRIs, `https://w3id.org/policykg/id/` (configurable:
  `policykg load --base`, `build_document(..., base=...)`).
- `PREFIXES`: prefix -> namespace IRI (str) for every vocabulary the graph, its shapes and its
  descriptions use: the one prefix table. `store.query`, `policykg query` and the SPARQL endpoint
  predeclare exactly these, serialisers bind them, the server's pages shorten IRIs with them.
- `compact(iri)`: `prefix:local` when a prefix covers the IRI, else `<iri>` (the one compactor).
- `ONTOLOGY_IRI`, `ONTOLOGY_GRAPH`: the ontology's IRI, also the name of the graph it is loaded
  into; `meta_graph(base)`, `gazetteer_graph(base)`: the metadata and gazetteer graphs.
"""

from __future__ import annotations

import re

from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SH, SKOS, TIME, VOID, XSD

PKG_IRI = "https://w3id.org/policykg/ontology#"
BASE = "https://w3id.org/policykg/id/"
ONTOLOGY_IRI = "https://w3id.org/policykg/ontology"
ONTOLOGY_GRAPH = ONTOLOGY_IRI

PKG = Namespace(PKG_IRI)
ELI = Namespace("http://data.europa.eu/eli/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
CPOV = Namespace("http://data.europa.eu/m8g/")
OA = Namespace("http://www.w3.org/ns/oa#")
QUDT = Namespace("http://qudt.org/schema/qudt/")
UNIT = Namespace("http://qudt.org/vocab/unit/")
ODRL = Namespace("http://www.w3.org/ns/odrl/2/")

PREFIXES: dict[str, str] = {
    "pkg": PKG_IRI,
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "eli": str(ELI),
    "org": str(ORG),
    "cpov": str(CPOV),
    "prov": str(PROV),
    "oa": str(OA),
    "qudt": str(QUDT),
    "unit": str(UNIT),
    "time": str(TIME),
    "odrl": str(ODRL),
    "foaf": str(FOAF),
    # the shapes' and the service descriptions' vocabularies: auditors query reports and VoID too
    "sh": str(SH),
    "void": str(VOID),
}

#: the three properties that are inferred at load time, never written per record
INFERRED_PROPERTIES = (PKG.responsibleAgency, PKG.leadAgency, PKG.owns)


# what may follow a prefix without escaping (a conservative PN_LOCAL: no trailing dot, no / # ?)
_LOCAL_NAME = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")
# longest namespace first, so a namespace nested in another (none today) still picks the closer prefix
_BY_NAMESPACE = sorted(((iri, prefix) for prefix, iri in PREFIXES.items()), key=lambda p: -len(p[0]))


def compact(iri: str) -> str:
    """`pkg:Measure` for `https://w3id.org/policykg/ontology#Measure`; `<iri>` when no prefix in
    `PREFIXES` covers it or its local part would need escaping. The result is always valid
    Turtle and SPARQL (with our prefixes declared)."""
    text = str(iri)
    for namespace, prefix in _BY_NAMESPACE:
        if text.startswith(namespace) and _LOCAL_NAME.fullmatch(text[len(namespace):]):
            return f"{prefix}:{text[len(namespace):]}"
    return f"<{text}>"


def normalise_base(base: str | None) -> str:
    base = base or BASE
    return base if base.endswith(("/", "#")) else base + "/"


def meta_graph(base: str | None = None) -> str:
    """Name of the metadata graph (load version, loaded documents)."""
    return normalise_base(base) + "graph/meta"


def gazetteer_graph(base: str | None = None) -> str:
    """Name of the graph holding the agency-function scheme and the jurisdictions."""
    return normalise_base(base) + "graph/gazetteer"


def document_graph(file_name: str, base: str | None = None) -> str:
    """Name of the graph of one source document (keyed by its file name, see README.md ("The knowledge graph"))."""
    from policykg.graph.iris import file_slug

    return normalise_base(base) + "graph/doc/" + file_slug(file_name)


def bind_prefixes(graph) -> None:
    """Bind our prefixes on an rdflib Graph/Dataset (replacing rdflib's defaults)."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)

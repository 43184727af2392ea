"""The shipped ontology (ontology/policykg.ttl, package data of `policykg.ontology`)."""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

from rdflib import Graph


def ontology_path() -> Path:
    return Path(str(resources.files("policykg.ontology").joinpath("policykg.ttl")))


@functools.lru_cache(maxsize=1)
def _ontology_ntriples() -> str:
    g = Graph()
    g.parse(ontology_path(), format="turtle")
    return g.serialize(format="nt")


def ontology_graph() -> Graph:
    """A fresh rdflib Graph holding the ontology (callers may modify it)."""
    g = Graph()
    g.parse(data=_ontology_ntriples(), format="nt")
    from policykg.graph.namespaces import bind_prefixes

    bind_prefixes(g)
    return g


def ontology_ntriples() -> str:
    return _ontology_ntriples()

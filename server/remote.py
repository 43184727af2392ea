"""`policykg serve --endpoint URL`: the server answers from a remote SPARQL store (Virtuoso, …).

Nothing else in the server changes: queries still run in the query worker processes (workers.py),
which the web process kills at the time limit, and whose results are capped at the row limit and
serialised by the same code. Only what a worker holds differs: instead of a read-only
`pyoxigraph.Store` it holds a `RemoteQueryStore`, which has the few methods a worker calls and
forwards each query to the remote service over the SPARQL 1.1 Protocol.

Read-only stays read-only: Virtuoso runs an INSERT or DELETE sent as `query=`, so a text is only
forwarded once Oxigraph has accepted it as a query (SyntaxError → 400, as in embedded mode);
SERVICE is refused by the route before it reaches a worker, as always. Updates (only with
`--update-token`) are forwarded to the remote store's update endpoint.

The remote service keeps its own limits: closing the connection at our deadline may not stop a
query there (Virtuoso stops at its own MaxQueryExecutionTime).
"""

from __future__ import annotations

import re

import pyoxigraph as ox
from policykg.graph.store import RemoteStore, open_store, with_prefixes


def is_endpoint(location: str) -> bool:
    """True when the store location a worker is given is a remote SPARQL endpoint URL."""
    return location.startswith(("http://", "https://"))


class RemoteQueryStore:
    """The part of pyoxigraph's `Store` API the query workers use, answered by a remote service.
    Credentials come from the environment (see `policykg.graph.store.open_store`)."""

    def __init__(self, endpoint: str):
        store = open_store(endpoint=endpoint)
        assert isinstance(store, RemoteStore)
        self.remote = store
        self._parser = ox.Store()  # empty: checks a text is a query without touching data

    def query(self, query: str, *, use_default_graph_as_union: bool = False, default_graph=None,
              named_graphs=None, base_iri: str | None = None, prefixes: dict | None = None):
        kwargs = {"base_iri": base_iri, "prefixes": prefixes}
        # raises SyntaxError for malformed text and for an update (Oxigraph's messages), before
        # anything is sent; the evaluation over the empty store is lazy and never started
        self._parser.query(query, **{k: v for k, v in kwargs.items() if v is not None})
        dataset: dict[str, list[str]] = {}
        if default_graph is not None:
            dataset["default-graph-uri"] = [g.value for g in default_graph]
        if named_graphs is not None:
            dataset["named-graph-uri"] = [g.value for g in named_graphs]
        return self.remote.query(_declare(_empty_graph_patterns(query), base_iri, prefixes), dataset=dataset)

    def update(self, update: str, base_iri: str | None = None) -> None:
        self.remote.update(_declare(update, base_iri, None))

    def dump(self, output, format, prefixes: dict | None = None) -> None:  # noqa: A002 - pyoxigraph's name
        ox.serialize(list(self.remote.quads()), output, format)

    def flush(self) -> None:
        pass


def _declare(text: str, base_iri: str | None, prefixes: dict | None) -> str:
    """The text with BASE and the predeclared prefixes it does not declare itself spelled out
    (the remote service knows none of ours)."""
    head = f"BASE <{base_iri}>\n" if base_iri and not _BASE_DECL.search(text) else ""
    return head + (with_prefixes(text, prefixes) if prefixes else text)


def _empty_graph_patterns(query: str) -> str:
    """`GRAPH ?g { }` (which graphs are there) written as `GRAPH ?g { ?s ?p ?o }`: Virtuoso answers
    the empty pattern with one row that binds nothing. The same graphs: in Virtuoso a graph exists
    only while it holds triples."""
    return _EMPTY_GRAPH.sub(lambda m: f"GRAPH ?{m.group(1)} {{ ?_s_{m.group(1)} ?_p_{m.group(1)} ?_o_{m.group(1)} }}", query)


_EMPTY_GRAPH = re.compile(r"GRAPH\s+[?$]([A-Za-z0-9_]+)\s*\{\s*\}", re.IGNORECASE)
_BASE_DECL = re.compile(r"(?im)^\s*BASE\s*<")

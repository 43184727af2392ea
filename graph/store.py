"""Where the graph lives: embedded Oxigraph on disk (default), in memory, or a remote SPARQL 1.1
store (Query + Update endpoints over HTTP).

    store = open_store(DEFAULT_STORE)           # embedded, on disk ("data/store")
    store = open_store(memory=True)             # in memory
    store = open_store(endpoint="http://host/sparql", update_endpoint="http://host/update")
    store = open_store(endpoint="http://host:8890/sparql",          # Virtuoso: graphs written by
                       graph_store="http://host:8890/sparql-graph-crud")  # Graph Store Protocol PUT

Every store has the same small interface (`GraphStore`):

- `query(sparql, union=True)`: pyoxigraph results (`QuerySolutions`, `QueryBoolean`, or an
  iterable of `Triple` for CONSTRUCT/DESCRIBE). The default graph is the union of the named
  graphs (Oxigraph: `use_default_graph_as_union=True`; a remote store must be configured so).
  Our prefixes (`namespaces.PREFIXES`) are predeclared; a query's own PREFIX wins.
- `update(sparql)`: one SPARQL Update request, applied atomically.
- `replace_graph(name, ntriples)`: drop a named graph and insert its new content, and raise the
  load version, in ONE update (a transaction in Oxigraph), so a graph is never half-written.
- `write_graphs([(name, ntriples), …])`: the same for a batch of graphs, the fast way. Embedded
  Oxigraph: the graphs that already exist are dropped in one transaction, then the whole batch and
  its new load version go in as one bulk ingestion (`bulk_load`: RocksDB ingests the sorted files
  of every index at once, all or nothing), so a kill at any moment leaves each graph complete or
  absent, never half-written; about ten times cheaper than a transaction per graph. A remote
  store replaces the graphs one update each (with a Graph Store Protocol URL: one PUT of the whole
  graph into a staging graph, then a MOVE and the version in one update).
- `load_version()`: an integer that every replace raises (servers key ETags on it); 0 when empty.
- `dump(fmt, out)`: the whole dataset (nquads, trig, jsonld) or the union graph (turtle,
  ntriples) to a binary stream.
- `graphs()`, `count(graph=None)`, `close()`; `.oxigraph`: the `pyoxigraph.Store` (None remote).

Oxigraph's union default graph keeps duplicates (a triple in two graphs is matched twice):
use DISTINCT.
"""

from __future__ import annotations

import io
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import IO, Protocol

import pyoxigraph as ox
from policykg.graph.namespaces import BASE, PKG_IRI, PREFIXES, meta_graph

# The one default place of the embedded store, relative to the working directory: `policykg load`,
# `query`, `dump`, `validate` and `serve` (and POLICYKG_STORE's default) all mean this directory.
DEFAULT_STORE = "data/store"

DATASET_FORMATS = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD}
GRAPH_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES}
_PREFIX_DECL = re.compile(r"(?im)^\s*PREFIX\s+([A-Za-z][\w.-]*)?:")


def with_prefixes(sparql: str, prefixes: dict[str, str] | None = None) -> str:
    """`sparql` with a PREFIX line for each of `prefixes` (default: ours) it does not declare
    itself: what a remote service, which knows none of our prefixes, is sent."""
    declared = {m.group(1) or "" for m in _PREFIX_DECL.finditer(sparql)}
    table = PREFIXES if prefixes is None else prefixes
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in table.items() if p not in declared) + sparql


def _version_update(meta: str) -> str:
    # full IRIs only: this operation follows others in one request (no PREFIX mid-request).
    # Written for Virtuoso too, which finds no solution (so the write silently vanishes) for a
    # WHERE that starts with an OPTIONAL matching nothing, or that names a graph IRI it has never
    # seen: the number comes from an aggregate (one row even when there is no version yet) and
    # the graph is matched through a variable.
    v = f"<{PKG_IRI}loadVersion>"
    t = "<http://purl.org/dc/terms/modified>"
    return (
        f"DELETE {{ GRAPH <{meta}> {{ <{meta}> {v} ?v . <{meta}> {t} ?t }} }}\n"
        f"INSERT {{ GRAPH <{meta}> {{ <{meta}> {v} ?n . <{meta}> {t} ?now }} }}\n"
        f"WHERE {{ {{ SELECT (COALESCE(MAX(?old), 0) + 1 AS ?n) WHERE {{ GRAPH ?g {{ <{meta}> {v} ?old }} }} }}\n"
        f"        OPTIONAL {{ GRAPH ?g1 {{ <{meta}> {v} ?v }} FILTER(?g1 = <{meta}>) }}\n"
        f"        OPTIONAL {{ GRAPH ?g2 {{ <{meta}> {t} ?t }} FILTER(?g2 = <{meta}>) }}\n"
        "        BIND(NOW() AS ?now) }"
    )


#: the store's load version (?version, an integer every load raises) and the time of that load
#: (?modified, xsd:dateTime); servers key ETags and Last-Modified on it. Full IRIs: no prefixes needed.
LOAD_VERSION_QUERY = (
    f"SELECT (MAX(?v) AS ?version) (MAX(?t) AS ?modified) WHERE {{ GRAPH ?g {{ ?s <{PKG_IRI}loadVersion> ?v "
    "OPTIONAL { ?s <http://purl.org/dc/terms/modified> ?t } } }"
)
_VERSION_QUERY = LOAD_VERSION_QUERY
_XSD = "http://www.w3.org/2001/XMLSchema#"
_MODIFIED = "http://purl.org/dc/terms/modified"


def _now() -> str:
    import datetime

    return datetime.datetime.now(datetime.UTC).isoformat().replace("+00:00", "Z")


def _prune_versions(meta: str) -> str:
    """Keep only the highest load version and latest modification time in the metadata graph."""
    v, t = f"<{PKG_IRI}loadVersion>", f"<{_MODIFIED}>"
    return (f"DELETE {{ GRAPH <{meta}> {{ <{meta}> {v} ?v }} }} WHERE {{ GRAPH <{meta}> {{ <{meta}> {v} ?v, ?w }} "
            f"FILTER(?v < ?w) }} ;\n"
            f"DELETE {{ GRAPH <{meta}> {{ <{meta}> {t} ?t }} }} WHERE {{ GRAPH <{meta}> {{ <{meta}> {t} ?t, ?u }} "
            f"FILTER(?t < ?u) }}")


def _nquads(name: str, ntriples: str) -> str:
    """N-Triples (one statement a line, as rdflib and Oxigraph write them) into graph `name`.
    A line can only end with " ." at the end of a statement: N-Triples escapes newlines in literals."""
    body = ntriples if ntriples.endswith("\n") or not ntriples else ntriples + "\n"
    return body.replace(" .\n", f" <{name}> .\n")


def _replace_update(name: str, ntriples: str, meta: str) -> str:
    return f"DROP SILENT GRAPH <{name}> ;\nINSERT DATA {{ GRAPH <{name}> {{\n{ntriples}\n}} }} ;\n" + _version_update(meta)


class GraphStore(Protocol):
    oxigraph: ox.Store | None

    def query(self, sparql: str, union: bool = True): ...
    def update(self, sparql: str) -> None: ...
    def replace_graph(self, name: str, ntriples: str) -> None: ...
    def write_graphs(self, graphs: list[tuple[str, str]]) -> None: ...
    def load_version(self) -> int: ...
    def dump(self, fmt: str, out: IO[bytes]) -> None: ...
    def graphs(self) -> list[str]: ...
    def count(self, graph: str | None = None) -> int: ...
    def close(self) -> None: ...


class OxigraphStore:
    """Embedded Oxigraph (on disk when `path` is given, else in memory)."""

    def __init__(self, path: str | Path | None = None, base: str | None = None, read_only: bool = False):
        if path is not None and read_only:
            if not Path(path).is_dir():
                raise OSError(f"no store at {path} (run `policykg load` first)")
            self.oxigraph = ox.Store.read_only(str(path))
        elif path is not None:
            Path(path).mkdir(parents=True, exist_ok=True)
            self.oxigraph = ox.Store(str(path))
        else:
            self.oxigraph = ox.Store()
        self.read_only = read_only
        self.path = str(path) if path is not None else None
        self.meta = meta_graph(base or BASE)

    def query(self, sparql: str, union: bool = True):
        return self.oxigraph.query(sparql, prefixes=PREFIXES, use_default_graph_as_union=union)

    def update(self, sparql: str) -> None:
        self.oxigraph.update(sparql, prefixes=PREFIXES)

    def replace_graph(self, name: str, ntriples: str) -> None:
        self.oxigraph.update(_replace_update(name, ntriples, self.meta))

    def remove_graph(self, name: str) -> None:
        self.oxigraph.update(f"DROP SILENT GRAPH <{name}> ;\n" + _version_update(self.meta))

    def write_graphs(self, graphs: list[tuple[str, str]]) -> None:
        """Replace each named graph with its N-Triples; see the module docstring."""
        if not graphs:
            return
        existing = [n for n, _ in graphs if self.oxigraph.contains_named_graph(ox.NamedNode(n))]
        if existing:
            self.oxigraph.update("".join(f"DROP SILENT GRAPH <{n}> ;\n" for n in existing).rstrip(" ;\n"))
        version = self.load_version() + len(graphs)
        # the new version is one more pkg:loadVersion value (readers take the MAX), ingested with
        # the graphs, so it is raised exactly when they appear; older values are removed after
        meta = (f"<{self.meta}> <{PKG_IRI}loadVersion> \"{version}\"^^<{_XSD}integer> <{self.meta}> .\n"
                f"<{self.meta}> <{_MODIFIED}> \"{_now()}\"^^<{_XSD}dateTime> <{self.meta}> .\n")
        payload = "".join(_nquads(n, nt) for n, nt in graphs) + meta
        self.oxigraph.bulk_load(payload.encode("utf-8"), ox.RdfFormat.N_QUADS)
        self.oxigraph.update(_prune_versions(self.meta))

    def load_version(self) -> int:
        for row in self.oxigraph.query(_VERSION_QUERY):
            v = row["version"]
            return int(v.value) if v is not None else 0
        return 0

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self.oxigraph.named_graphs() if isinstance(g, ox.NamedNode))

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            return len(self.oxigraph)
        q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        return int(next(iter(self.oxigraph.query(q)))["n"].value)

    def quads(self):
        return self.oxigraph.quads_for_pattern(None, None, None, None)

    def dump(self, fmt: str, out: IO[bytes]) -> None:
        if fmt in DATASET_FORMATS:
            kwargs = {"prefixes": PREFIXES} if fmt == "trig" else {}
            self.oxigraph.dump(out, DATASET_FORMATS[fmt], **kwargs)
        elif fmt in GRAPH_FORMATS:
            _dump_union(self.quads(), fmt, out)
        else:
            raise ValueError(f"unknown dump format {fmt!r}")

    def flush(self) -> None:
        if self.path and not self.read_only:
            self.oxigraph.flush()

    def close(self) -> None:
        self.flush()


def _dump_union(quads, fmt: str, out: IO[bytes]) -> None:
    seen: set = set()
    triples = []
    for q in quads:
        t = ox.Triple(q.subject, q.predicate, q.object)
        if t not in seen:
            seen.add(t)
            triples.append(t)
    kwargs = {"prefixes": PREFIXES} if fmt == "turtle" else {}
    ox.serialize(triples, out, GRAPH_FORMATS[fmt], **kwargs)


class RemoteStore:
    """A SPARQL 1.1 Query/Update service over HTTP (Virtuoso, Fuseki, GraphDB, QLever, ...).

    The service must treat the default graph as the union of the named graphs (Virtuoso does
    when no FROM is given; Fuseki needs `tdb2:unionDefaultGraph true`), and should apply one
    update request atomically (both do).

    A document's graph is replaced all or nothing: a write that fails leaves the old graph.
    - with `graph_store` (a SPARQL 1.1 Graph Store Protocol URL, e.g. Virtuoso's
      `/sparql-graph-crud`): one HTTP PUT of the whole graph into a staging graph (`NAME#staging`),
      then one update that MOVEs it over the graph and raises the load version. A PUT cannot
      replace the graph itself: Virtuoso commits a PUT in batches, so one that fails half-way
      (a body it cannot parse, a dropped connection) would leave half a graph. A PUT that fails
      leaves the graph as it was (its staging graph is dropped). Not isolated in Virtuoso: a
      query running during the PUT sees the staging copy in the union default graph (DISTINCT
      queries are unaffected), and one running during the MOVE may see the graph part-moved;
    - otherwise as one SPARQL Update (DROP + INSERT DATA + version raised). Virtuoso refuses
      that for our graphs (SP031: blank nodes, legal in INSERT DATA, "not allowed in a constant
      clause"; and a graph of a few thousand triples exceeds its 10,000-line SQL limit): use its
      Graph Store Protocol there.

    `user`/`password` answer the server's challenge, HTTP Digest or Basic (Virtuoso's
    authenticated endpoints `/sparql-auth`, `/sparql-graph-crud-auth` want Digest); `token` is
    sent as `Authorization: Bearer` (our own `policykg serve --update-token`)."""

    oxigraph = None

    def __init__(self, endpoint: str, update_endpoint: str | None = None, base: str | None = None,
                 timeout: float = 120.0, headers: dict | None = None, token: str | None = None,
                 graph_store: str | None = None, user: str | None = None, password: str | None = None):
        self.endpoint = endpoint
        self.update_endpoint = update_endpoint or endpoint
        self.graph_store = graph_store
        self.meta = meta_graph(base or BASE)
        self.timeout = timeout
        self.headers = dict(headers or {})
        if token:  # e.g. `policykg serve --update-token`: Authorization: Bearer TOKEN
            self.headers["Authorization"] = f"Bearer {token}"
        handlers = []
        if user:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in {self.endpoint, self.update_endpoint, graph_store} - {None}:
                passwords.add_password(None, url, user, password or "")
            handlers = [urllib.request.HTTPDigestAuthHandler(passwords),
                        urllib.request.HTTPBasicAuthHandler(passwords)]
        self._opener = urllib.request.build_opener(*handlers)

    def _request(self, url: str, data: bytes | None, content_type: str | None = None,
                 accept: str | None = None, method: str = "POST") -> tuple[bytes, str]:
        req = urllib.request.Request(url, data=data, method=method)
        if content_type:
            req.add_header("Content-Type", content_type)
        if accept:
            req.add_header("Accept", accept)
        for k, v in self.headers.items():
            req.add_header(k, v)
        try:
            with self._opener.open(req, timeout=self.timeout) as resp:
                return resp.read(), resp.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            body = exc.read()[:500].decode("utf-8", "replace")
            raise OSError(f"{url}: HTTP {exc.code} {exc.reason}: {body}") from None
        except urllib.error.URLError as exc:
            raise OSError(f"{url}: {exc.reason}") from None

    def _post(self, url: str, form: dict, accept: str | None = None) -> tuple[bytes, str]:
        data = urllib.parse.urlencode(form, doseq=True).encode("utf-8")
        return self._request(url, data, "application/x-www-form-urlencoded; charset=utf-8", accept)

    @staticmethod
    def with_prefixes(sparql: str) -> str:
        return with_prefixes(sparql)

    def query(self, sparql: str, union: bool = True, dataset: dict | None = None):
        """`dataset`: SPARQL Protocol parameters such as {"default-graph-uri": [...]}."""
        text = self.with_prefixes(sparql)
        # ask for the result format of the query's form: Virtuoso sends CONSTRUCT results as
        # SPARQL JSON bindings when JSON is acceptable at all
        form = _EMPTY.query(text)  # parses (SyntaxError as the embedded store raises it); lazy, never run
        accept = GRAPH_ACCEPT if not isinstance(form, ox.QuerySolutions | ox.QueryBoolean) else RESULTS_ACCEPT
        body, ctype = self._post(self.endpoint, {"query": text, **(dataset or {})}, accept)
        return parse_remote_results(body, ctype)

    def update(self, sparql: str) -> None:
        self._post(self.update_endpoint, {"update": self.with_prefixes(sparql)})

    def replace_graph(self, name: str, ntriples: str) -> None:
        if self.graph_store:
            staging = name + "#staging"
            url = self.graph_store + ("&" if "?" in self.graph_store else "?") + urllib.parse.urlencode({"graph": staging})
            try:
                self._request(url, ntriples.encode("utf-8"), "application/n-triples", method="PUT")
            except OSError:
                try:  # the staging graph may hold part of the body: never leave it behind
                    self._post(self.update_endpoint, {"update": f"DROP SILENT GRAPH <{staging}>"})
                except OSError:
                    pass
                raise
            self._post(self.update_endpoint,
                       {"update": f"MOVE SILENT GRAPH <{staging}> TO GRAPH <{name}> ;\n" + _version_update(self.meta)})
        else:
            try:
                self._post(self.update_endpoint, {"update": _replace_update(name, ntriples, self.meta)})
            except OSError as exc:
                if "Virtuoso" in str(exc):  # SP031: blank nodes refused in INSERT DATA, or too long
                    raise OSError(f"{exc}\n(Virtuoso: write through its Graph Store Protocol instead, "
                                  "--graph-store http://HOST:8890/sparql-graph-crud)") from None
                raise

    def write_graphs(self, graphs: list[tuple[str, str]]) -> None:
        """One update per graph: a SPARQL service applies each request atomically."""
        for name, ntriples in graphs:
            self.replace_graph(name, ntriples)

    def remove_graph(self, name: str) -> None:
        self._post(self.update_endpoint, {"update": f"DROP SILENT GRAPH <{name}> ;\n" + _version_update(self.meta)})

    def load_version(self) -> int:
        for row in self.query(_VERSION_QUERY):
            v = row["version"]
            return int(v.value) if v is not None else 0
        return 0

    def graphs(self) -> list[str]:
        rows = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(r["g"].value for r in rows)

    def count(self, graph: str | None = None) -> int:
        q = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }" if graph is None
             else f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        return int(next(iter(self.query(q)))["n"].value)

    def quads(self):
        for r in self.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"):
            yield ox.Quad(r["s"], r["p"], r["o"], r["g"])

    def dump(self, fmt: str, out: IO[bytes]) -> None:
        if fmt in DATASET_FORMATS:
            ox.serialize(list(self.quads()), out, DATASET_FORMATS[fmt])
        elif fmt in GRAPH_FORMATS:
            _dump_union(self.quads(), fmt, out)
        else:
            raise ValueError(f"unknown dump format {fmt!r}")

    def close(self) -> None:
        pass


#: what a remote query asks for: SPARQL JSON (else XML) for SELECT/ASK, N-Triples (else Turtle) for graphs
RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.8"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.8"
_EMPTY = ox.Store()  # an empty in-memory store: tells a query's form without running it anywhere


def parse_remote_results(body: bytes, content_type: str):
    """pyoxigraph results (`QuerySolutions`, `QueryBoolean` or a list of `Triple`) of a remote
    service's response. Virtuoso names blank nodes `nodeID://b1000` in SPARQL JSON, which is not a
    blank node label: such labels are rewritten to valid ones (same label, same node)."""
    ctype = content_type.split(";")[0].strip().lower()
    if ctype in ("application/sparql-results+json", "application/json"):
        if b'"bnode"' in body:
            body = _fix_bnode_labels(body)
        return ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
    if ctype in ("application/sparql-results+xml", "application/xml"):
        return ox.parse_query_results(body, ox.QueryResultsFormat.XML)
    fmt = ox.RdfFormat.TURTLE if "turtle" in ctype else ox.RdfFormat.N_TRIPLES
    return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, fmt)]


_BAD_LABEL = re.compile(r"[^A-Za-z0-9_]")


def _fix_bnode_labels(body: bytes) -> bytes:
    doc = json.loads(body)
    for row in doc.get("results", {}).get("bindings", []):
        for term in row.values():
            if term.get("type") == "bnode":
                term["value"] = "b" + _BAD_LABEL.sub("_", term["value"])
    return json.dumps(doc).encode("utf-8")


def open_store(path: str | Path | None = None, endpoint: str | None = None, memory: bool = False,
               update_endpoint: str | None = None, base: str | None = None,
               read_only: bool = False, token: str | None = None,
               graph_store: str | None = None) -> GraphStore:
    """The store to use: remote when `endpoint` is given, in memory when `memory` (or no path),
    else embedded Oxigraph in the directory `path` (created if missing, unless `read_only`: then
    it must exist, and other processes may read it at the same time).

    A remote store writes each graph through the Graph Store Protocol at `graph_store` when
    given, else by SPARQL Update (see `RemoteStore`). Credentials come from the environment:
    POLICYKG_UPDATE_TOKEN (unless `token` is given) is sent as a Bearer token;
    POLICYKG_ENDPOINT_USER and POLICYKG_ENDPOINT_PASSWORD answer a Digest or Basic challenge."""
    if endpoint:
        import os

        token = token if token is not None else os.environ.get("POLICYKG_UPDATE_TOKEN")
        return RemoteStore(endpoint, update_endpoint, base=base, token=token, graph_store=graph_store,
                           user=os.environ.get("POLICYKG_ENDPOINT_USER"),
                           password=os.environ.get("POLICYKG_ENDPOINT_PASSWORD"))
    if memory or path is None:
        return OxigraphStore(None, base=base)
    return OxigraphStore(path, base=base, read_only=read_only)


def results_to_json(results) -> dict:
    """W3C SPARQL JSON results of pyoxigraph SELECT/ASK results (for tests and small tools)."""
    buf = io.BytesIO()
    results.serialize(buf, ox.QueryResultsFormat.JSON)
    return json.loads(buf.getvalue())

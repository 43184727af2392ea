"""What the routes of one app share: its settings, the query workers, the load version, caches.

`create_app` puts one `Endpoint` on `app.extensions["policykg"]`; a route reaches it with
`current()`. Nothing here knows about routes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app
from policykg.graph.namespaces import PKG_IRI
from policykg.graph.store import LOAD_VERSION_QUERY

from . import canned
from .config import ServerConfig
from .remote import RemoteLoadVersion
from .storeinfo import LoadVersion, oxigraph_dir
from .workers import QueryPool, WorkerError

EXTENSION = "policykg"


@dataclass
class Endpoint:
    cfg: ServerConfig
    db: str  # the RocksDB directory the workers open (or the remote endpoint's URL they query)
    pool: QueryPool
    queries: dict[str, canned.CannedQuery]
    version: LoadVersion = field(init=False)
    # (load version, value) per key; /validate keeps its reports here too
    _cache: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        versions = RemoteLoadVersion if self.cfg.endpoint else LoadVersion
        self.version = versions(self.cfg.store, resolver=self._store_version)

    @classmethod
    def open(cls, cfg: ServerConfig) -> Endpoint:
        """The state for a store; workers start on first use, in the process that serves."""
        db = cfg.endpoint or oxigraph_dir(cfg.store)
        pool = QueryPool(db, cfg.workers, cfg.queue_wait, cfg.worker_memory_mb or None)
        return cls(cfg, db, pool, canned.load_all())

    def _store_version(self) -> tuple[str, float]:
        """The graph library's load version (pkg:loadVersion in its metadata graph) and its time."""
        rows = self.raw(LOAD_VERSION_QUERY, timeout=10, union=False, wait=0.5)  # never hold a request long
        if not rows or "version" not in rows[0]:
            raise LookupError("no load version in the store")
        return rows[0]["version"]["value"], _epoch(rows[0].get("modified", {}).get("value"))

    def raw(self, query: str, timeout: float | None = None, max_rows: int | None = None, union: bool = True,
            wait: float | None = None) -> list[dict]:
        """SELECT rows as SPARQL-JSON-like dicts, for the server's own queries."""
        _, rows = self.pool.run({"op": "query", "query": query, "raw": True, "max_rows": max_rows,
                                 "union": union}, timeout or self.cfg.timeout, wait)
        return rows

    def open_store(self):
        """A `policykg.graph` store over the same data, for code that reads it in this process."""
        from policykg.graph.store import open_store

        if self.cfg.endpoint:
            return open_store(endpoint=self.cfg.endpoint, base=self.cfg.base)
        return open_store(self.db, read_only=True)

    def cached(self, key: str, compute: Callable[[], Any]) -> Any:
        """`compute()`, kept until the store's load version changes."""
        version = self.version.get()[0]
        hit = self._cache.get(key)
        if hit and hit[0] == version:
            return hit[1]
        value = compute()
        self._cache[key] = (version, value)
        return value

    def stats(self) -> dict | None:
        """Counts for the home page, VoID and the service description; None when the workers are busy."""
        try:
            return self.cached("stats", self._count)
        except WorkerError:
            return None

    def _count(self) -> dict:
        out = {r["what"]["value"]: int(r["n"]["value"]) for r in self.raw(f"""PREFIX pkg: <{PKG_IRI}>
            SELECT ?what (COUNT(DISTINCT ?x) AS ?n) WHERE {{
              VALUES (?what ?class) {{ ("documents" pkg:PolicyDocument) ("measures" pkg:Measure)
                ("agencies" pkg:Agency) ("collectives" pkg:CollectiveAgent)
                ("obligations" pkg:Obligation) ("figures" pkg:Figure)
                ("jurisdictions" pkg:Jurisdiction) }}
              OPTIONAL {{ ?x a ?class }} }} GROUP BY ?what""")}
        for key, query, union in (
                ("quads", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", False),
                ("default_graph_triples", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", False),
                ("graphs", "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { } }", False),
                ("triples", "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }", True)):
            rows = self.raw(query, union=union)
            out[key] = int(rows[0]["n"]["value"]) if rows else 0
        rows = self.raw("SELECT ?class (COUNT(DISTINCT ?s) AS ?n) { ?s a ?class } GROUP BY ?class "
                        "ORDER BY DESC(?n) LIMIT 200")
        out["classes"] = [(r["class"]["value"], int(r["n"]["value"])) for r in rows]
        return out

    def graph_names(self) -> set[str]:
        return self.cached("graphs", lambda: {r["g"]["value"] for r in self.raw(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }", union=False)})

    def after_update(self) -> None:
        """The data changed through this process: new ETags, empty caches."""
        self.version.invalidate()
        self._cache.clear()


def current() -> Endpoint:
    """The Endpoint of the app handling the current request."""
    return current_app.extensions[EXTENSION]


def _epoch(text: str | None) -> float:
    """An xsd:dateTime as epoch seconds; 0 when absent or unreadable (the file time is used then)."""
    if not text:
        return 0.0
    try:
        text = re.sub(r"(\.\d{6})\d+", r"\1", text.replace("Z", "+00:00"))  # Python keeps microseconds only
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        return 0.0

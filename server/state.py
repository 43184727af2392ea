"""What the routes of one app share: its settings, the query workers, the load version, caches.

`create_app` puts one `Endpoint` on `app.extensions["policykg"]`; a route reaches it with
`current()`. Nothing here knows about routes.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from policykg.graph.namespaces import PKG_IRI, PREFIXES
from policykg.graph.store import LOAD_VERSION_QUERY

from . import canned
from .config import ServerConfig
from .storeinfo import oxigraph_dir
from .workers import QueryPool, WorkerError

EXTENSION = "policykg"


@dataclass
class Endpoint:
    cfg: ServerConfig
    db: str  # the RocksDB directory the workers open (or the remote endpoint's URL they query)
    pool: QueryPool
    queries: dict[str, canned.CannedQuery]
    version: StoreVersion = field(init=False)
    # (load version, value) per key; /validate keeps its reports here too
    _cache: dict = field(default_factory=dict)
    _dump_lock: threading.Lock = field(default_factory=threading.Lock)
    _dump_locks: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.version = StoreVersion(self.pool)

    @classmethod
    def open(cls, cfg: ServerConfig) -> Endpoint:
        """The state for a store; workers start on first use, in the process that serves."""
        db = cfg.endpoint or oxigraph_dir(cfg.store)
        pool = QueryPool(db, cfg.workers, cfg.queue_wait, cfg.worker_memory_mb or None,
                         version_query=LOAD_VERSION_QUERY, settle=cfg.settle)
        return cls(cfg, db, pool, canned.load_all())

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

    def dump_file(self, fmt: str) -> str:
        """The dataset in `fmt` as a file of the spool directory, written once per store version by a
        worker (concurrent requests wait for the one writing it). Older versions' files are removed."""
        version = self.version.get()[0]
        with self._dump_lock:
            lock = self._dump_locks.setdefault(fmt, threading.Lock())
        with lock:
            key = ("dump", fmt)
            hit = self._cache.get(key)
            if hit and hit[0] == version and os.path.exists(hit[1]):
                return hit[1]
            _, path = self.pool.spool({"op": "dump", "format": fmt, "prefixes": PREFIXES}, self.cfg.export_timeout)
            if hit:
                _remove_quietly(hit[1])  # a download in progress keeps its open file
            self._cache[key] = (version, path)
            return path

    def after_update(self) -> None:
        """The data changed through this process (the pool started a new generation): empty caches."""
        for key, (_, value) in list(self._cache.items()):
            if isinstance(key, tuple) and key[0] == "dump":
                _remove_quietly(value)
        self._cache.clear()


class StoreVersion:
    """The version of the data the query workers read, for ETags, Last-Modified, caches and /healthz:
    the signature of the store's files when the workers' generation began (it changes with the data,
    and only then), and the graph library's load version (pkg:loadVersion) as a worker of that
    generation saw it. Never runs a query, never waits."""

    def __init__(self, pool: QueryPool):
        self.pool = pool

    def get(self) -> tuple[str, float]:
        """(version tag, modification time in epoch seconds)."""
        view = self.pool.view()
        return view.files, view.newest

    def describe(self) -> dict:
        """What /healthz reports: the tag, the load version (0 until a worker has opened the store, or
        for a store without one) and the generation of workers."""
        view = self.pool.view()
        return {"load_version": view.files, "loaded": int((view.version or {}).get("version") or 0),
                "generation": view.generation}


def _remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


def current() -> Endpoint:
    """The Endpoint of the app handling the current request."""
    return current_app.extensions[EXTENSION]

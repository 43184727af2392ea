"""What the web process needs to know about the store without opening it.

Queries run in worker processes (see workers.py); the web process only needs the directory the
workers open and a signature of its files that changes whenever the data changes (derived from
RocksDB's own bookkeeping files: CURRENT names the live MANIFEST, which changes on every write that
reaches disk, and the write-ahead log grows with every write).
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path


def oxigraph_dir(store: str) -> str:
    """The RocksDB directory under `store` (the store directory itself, or a known subdirectory)."""
    p = Path(store)
    if (p / "CURRENT").exists():
        return str(p)
    for sub in ("oxigraph", "db", "store"):
        if (p / sub / "CURRENT").exists():
            return str(p / sub)
    return str(p)


_STARTED = time.time()
_STARTED_NS = time.time_ns()


def store_signature(db: str) -> tuple[str, float]:
    """A digest of the RocksDB directory's bookkeeping (CURRENT, MANIFEST, table and log files: names,
    sizes, times) and its newest modification time. It changes with every write that reaches disk and
    not otherwise (read-only openers write nothing there). ("missing", now) without a directory.
    A remote endpoint (a URL) has no files to watch: its signature is fixed for the life of the server
    process, so after reloading a remote store, restart `policykg serve --endpoint` (README)."""
    if "://" in db:
        return f"remote-{_STARTED_NS:x}", _STARTED
    h = hashlib.sha1()
    newest = 0.0
    try:
        entries = sorted(os.scandir(db), key=lambda e: e.name)
    except OSError:
        return "missing", time.time()
    for entry in entries:
        name = entry.name
        if name == "CURRENT" or name.startswith(("MANIFEST-", "OPTIONS-")) or name.endswith((".sst", ".log")):
            try:
                st = entry.stat()
            except OSError:
                continue
            h.update(f"{name}:{st.st_size}:{st.st_mtime_ns};".encode())
            newest = max(newest, st.st_mtime)
    return h.hexdigest()[:16], newest or time.time()

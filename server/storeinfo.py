"""What the web process needs to know about the store without opening it.

Queries run in worker processes (see workers.py); the web process only needs the directory the
workers open and a *load version* that changes whenever the data changes (it keys ETags and
caches). The graph library's `open_store(path).load_version()` is used when it is available;
otherwise the version is derived from RocksDB's own bookkeeping files (CURRENT names the live
MANIFEST, which changes on every write that reaches disk).
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


class LoadVersion:
    """The store's load version and time, re-read at most every `ttl` seconds."""

    def __init__(self, store: str, ttl: float = 2.0, resolver=None):
        self.store = store
        # resolver() -> (version, modified epoch seconds) read from the store itself (the graph
        # library's pkg:loadVersion); asked again only when the files change
        self.resolver = resolver
        self._files: str | None = None
        self._resolved: tuple[str, float] | None = None
        self.db = oxigraph_dir(store)
        self.ttl = ttl
        self._checked = 0.0
        self._value: tuple[str, float] = ("0", time.time())
        self.bump = 0  # incremented by this process after an update

    def _compute(self) -> tuple[str, float]:
        h = hashlib.sha1()
        newest = 0.0
        try:
            names = sorted(os.listdir(self.db))
        except OSError:
            return "missing", time.time()
        for name in names:
            if name == "CURRENT" or name.startswith(("MANIFEST-", "OPTIONS-")) or name.endswith((".sst", ".log")):
                try:
                    st = os.stat(os.path.join(self.db, name))
                except OSError:
                    continue
                h.update(f"{name}:{st.st_size}:{st.st_mtime_ns};".encode())
                newest = max(newest, st.st_mtime)
        marker = Path(self.store) / "LOAD_VERSION"
        if marker.exists():
            try:
                h.update(marker.read_bytes())
                newest = max(newest, marker.stat().st_mtime)
            except OSError:
                pass
        h.update(str(self.bump).encode())
        return h.hexdigest()[:16], newest or time.time()

    def get(self) -> tuple[str, float]:
        now = time.monotonic()
        if now - self._checked > self.ttl:
            files = self._compute()
            if self.resolver is not None and (files[0] != self._files or self._resolved is None):
                try:
                    version, modified = self.resolver()
                    self._resolved = (f"v{version}.{self.bump}", modified or files[1])
                except Exception:  # noqa: BLE001 - the file-based version still changes with the data
                    self._resolved = None
                self._files = files[0]
            self._value = self._resolved or files
            self._checked = now
        return self._value

    def invalidate(self) -> None:
        self.bump += 1
        self._checked = 0.0
        self._files = None

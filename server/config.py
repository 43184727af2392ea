"""Server settings: from `policykg serve` options, a dict given to create_app, or the environment.

Environment variables (used by `gunicorn 'policykg.server:create_app()'`):

  POLICYKG_STORE            store directory (default data/store)
  POLICYKG_ENDPOINT         answer from this remote SPARQL endpoint instead of the store directory
  POLICYKG_BASE             base IRI of the data (default https://w3id.org/policykg/id/)
  POLICYKG_UPDATE_TOKEN     enables SPARQL Update for requests bearing this token
  POLICYKG_TIMEOUT          query time limit, seconds (default 30)
  POLICYKG_MAX_ROWS         result row limit (default 10000)
  POLICYKG_WORKERS          query worker processes (default 2)
  POLICYKG_QUEUE_WAIT       seconds a request waits for a free worker before 503 (default 5)
  POLICYKG_MAX_REQUEST_BYTES  largest request body accepted (default 1000000)
  POLICYKG_EXPORT_TIMEOUT   time limit for /dump and full CSV exports, seconds (default 600)
  POLICYKG_WORKER_MEMORY_MB  data-segment limit of each worker, MB (default 2048; 0 = none)
  POLICYKG_READ_TIMEOUT     seconds a client has to send a whole request, headers and body (default 10)
  POLICYKG_WRITE_TIMEOUT    seconds each write of an answer may wait on a client that does not read (default 30)
  POLICYKG_MIN_TIMEOUT      the shortest time limit a client may ask for, seconds (default 0.5)
  POLICYKG_SETTLE           seconds the store must stay unchanged before the workers reopen it on a
                            new version written by another process, e.g. `policykg load` (default 1)
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, fields

from policykg.graph.namespaces import BASE as DEFAULT_BASE
from policykg.graph.namespaces import normalise_base
from policykg.graph.store import DEFAULT_STORE


@dataclass
class ServerConfig:
    store: str = DEFAULT_STORE
    endpoint: str | None = None  # a remote SPARQL store's query URL (serve --endpoint)
    base: str = DEFAULT_BASE
    update_token: str | None = None
    timeout: float = 30.0
    max_rows: int = 10000
    workers: int = 2
    queue_wait: float = 5.0
    max_request_bytes: int = 1_000_000
    export_timeout: float = 600.0
    worker_memory_mb: int = 2048
    read_timeout: float = 10.0
    write_timeout: float = 30.0
    min_timeout: float = 0.5
    settle: float = 1.0

    @classmethod
    def coerce(cls, config: ServerConfig | dict | None) -> ServerConfig:
        """A ServerConfig as given, from a dict of its fields, or from the environment (None)."""
        if config is None:
            return cls.from_env()
        if isinstance(config, ServerConfig):
            return config
        return cls.from_mapping(config)

    @classmethod
    def from_env(cls, env=None) -> ServerConfig:
        env = os.environ if env is None else env
        values = {}
        for f in fields(cls):
            raw = env.get("POLICYKG_" + f.name.upper())
            if raw is None or raw == "":
                continue
            values[f.name] = raw
        return cls.from_mapping(values)

    @classmethod
    def from_mapping(cls, mapping) -> ServerConfig:
        cfg = cls()
        known = {f.name: f for f in fields(cls)}
        for key, value in dict(mapping).items():
            key = key.lower().replace("-", "_")
            if key not in known or value is None:
                continue
            default = getattr(cls(), key)
            if isinstance(default, bool):
                value = str(value).lower() in ("1", "true", "yes")
            elif isinstance(default, int):
                value = int(value)
            elif isinstance(default, float):
                value = float(value)
                if not math.isfinite(value) or value <= 0:
                    raise ValueError(f"{key} must be a positive number of seconds, not {value!r}")
            setattr(cfg, key, value)
        cfg.base = normalise_base(cfg.base)
        return cfg

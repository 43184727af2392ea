"""Serving the app under gunicorn: one web process with threads; queries run in worker processes.

The web process runs `http_worker.Worker` (gunicorn's threaded worker that reads whole requests in
its event loop, with read and write time limits) and `accesslog.RedactingLogger` (no credentials in
the access log). Under plain gunicorn, pass the same:
`gunicorn -k policykg.server.http_worker.Worker --logger-class policykg.server.accesslog.RedactingLogger
'policykg.server:create_app()'`.

`serve(store, host, port, ...)` is what `policykg serve` calls, with plain arguments.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from gunicorn.app.base import BaseApplication
from policykg.graph.namespaces import normalise_base

from .config import ServerConfig
from .storeinfo import oxigraph_dir

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def make_config(store: str | None = None, base: str | None = None, update_token: str | None = None,
                timeout: float | None = None, max_rows: int | None = None,
                workers: int | None = None, endpoint: str | None = None) -> ServerConfig:
    """The environment's settings (POLICYKG_*), overridden by every argument that is not None."""
    cfg = ServerConfig.from_env()
    overrides = {"store": store, "base": base, "update_token": update_token, "timeout": timeout,
                 "max_rows": max_rows, "workers": workers, "endpoint": endpoint}
    for key, value in overrides.items():
        if value is not None:
            setattr(cfg, key, value)
    cfg.base = normalise_base(cfg.base)
    return cfg


def check_store(cfg: ServerConfig) -> None:
    if cfg.endpoint:
        check_endpoint(cfg.endpoint)
        return
    db = Path(oxigraph_dir(cfg.store))
    if not (db / "CURRENT").exists():
        raise FileNotFoundError(f"no store at {cfg.store} (run `policykg load FILES --store {cfg.store}` first)")


def check_endpoint(endpoint: str) -> None:
    """Raises OSError (naming the URL) unless the remote SPARQL endpoint answers a query."""
    from policykg.graph.store import open_store

    open_store(endpoint=endpoint).query("ASK { }")


def serve(store: str | None = None, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          workers: int | None = None, *, base: str | None = None, update_token: str | None = None,
          timeout: float | None = None, max_rows: int | None = None, endpoint: str | None = None) -> int:
    """Serves the store at http://host:port/ until interrupted. Arguments left None come from the
    environment (POLICYKG_*), then ServerConfig's defaults. Raises FileNotFoundError without a store."""
    cfg = make_config(store, base, update_token, timeout, max_rows, workers, endpoint)
    check_store(cfg)
    from .app import create_app

    app = create_app(cfg)
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    print(f"policykg: serving {cfg.endpoint or cfg.store} on http://{bind}/ (SPARQL at /sparql; "
          f"{'updates enabled with token' if cfg.update_token else 'read-only'}; time limit {cfg.timeout:g} s; "
          f"row limit {cfg.max_rows})", file=sys.stderr, flush=True)
    from .http_worker import Worker

    Worker.limits = cfg  # inherited by the forked web process
    _Gunicorn(app, gunicorn_options(cfg, bind)).run()
    return 0


def gunicorn_options(cfg: ServerConfig, bind: str) -> dict:
    return {
        "bind": bind,
        # One web process: the query workers (cfg.workers processes) do the heavy lifting, and one
        # process keeps update mode's drain-and-restart of the readers consistent.
        "workers": 1,
        "worker_class": "policykg.server.http_worker.Worker",
        # threads only run complete requests (slow clients wait in the event loop, holding none)
        "threads": max(8, cfg.workers * 4),
        "worker_connections": 1000,
        "keepalive": 5,
        "timeout": int(max(cfg.timeout, 30) + 30),
        "graceful_timeout": 10,
        "limit_request_line": 8190,
        "limit_request_field_size": 16384,
        "accesslog": os.environ.get("POLICYKG_ACCESS_LOG", "-") or None,
        "errorlog": "-",
        "logger_class": "policykg.server.accesslog.RedactingLogger",
        "loglevel": os.environ.get("POLICYKG_LOG_LEVEL", "info"),
        "proc_name": "policykg-serve",
        # gunicorn's control socket is a fixed path shared by every instance: not needed here
        "control_socket_disable": True,
    }


class _Gunicorn(BaseApplication):
    """gunicorn running an app object we built (its documented custom-application pattern)."""

    def __init__(self, application, options: dict):
        self.application = application
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.application

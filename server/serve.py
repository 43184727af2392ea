"""`policykg serve`: the app under gunicorn (one process, threads; queries in worker processes)."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path

from .config import ServerConfig
from .storeinfo import oxigraph_dir


def config_with(**overrides) -> ServerConfig:
    """The environment's settings (POLICYKG_*), with every override that is not None on top."""
    # replace() refuses a name that is not a setting
    cfg = replace(ServerConfig.from_env(), **{k: v for k, v in overrides.items() if v is not None})
    if not cfg.base.endswith(("/", "#")):
        cfg.base += "/"
    return cfg


def check_store(cfg: ServerConfig) -> None:
    db = Path(oxigraph_dir(cfg.store))
    if not (db / "CURRENT").exists():
        raise FileNotFoundError(f"no store at {cfg.store} (run `policykg load FILES --store {cfg.store}` first)")


def run_serve(host: str = "127.0.0.1", port: int = 8000, **settings) -> int:
    """Serve under gunicorn on host:port until stopped; `settings` are ServerConfig fields
    (store, base, update_token, timeout, max_rows, workers), None meaning the environment's."""
    cfg = config_with(**settings)
    check_store(cfg)
    from . import create_app

    app = create_app(cfg)
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError:  # pragma: no cover - gunicorn is a dependency
        app.run(host=host, port=port, threaded=True)
        return 0

    class _Gunicorn(BaseApplication):
        def __init__(self, application, options):
            self.application = application
            self.options = options
            super().__init__()

        def load_config(self):
            for key, value in self.options.items():
                self.cfg.set(key, value)

        def load(self):
            return self.application

    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    options = {
        "bind": bind,
        # One web process: the query workers (cfg.workers processes) do the heavy lifting, and one
        # process keeps update mode's drain-and-restart of the readers consistent.
        "workers": 1,
        "worker_class": "gthread",
        "threads": max(8, cfg.workers * 4),
        "timeout": int(max(cfg.timeout, 30) + 30),
        "graceful_timeout": 10,
        "limit_request_line": 8190,
        "limit_request_field_size": 16384,
        "accesslog": os.environ.get("POLICYKG_ACCESS_LOG", "-") or None,
        "errorlog": "-",
        "loglevel": os.environ.get("POLICYKG_LOG_LEVEL", "info"),
        "proc_name": "policykg-serve",
        # gunicorn's control socket is a fixed path shared by every instance: not needed here
        "control_socket_disable": True,
    }
    print(f"policykg: serving {cfg.store} on http://{bind}/ (SPARQL at /sparql; "
          f"{'updates enabled with token' if cfg.update_token else 'read-only'}; time limit {cfg.timeout:g} s; "
          f"row limit {cfg.max_rows})", file=sys.stderr, flush=True)
    _Gunicorn(app, options).run()
    return 0

"""`policykg serve`: the app under gunicorn (one process, threads; queries in worker processes)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .config import ServerConfig
from .storeinfo import oxigraph_dir


def config_from_args(args: argparse.Namespace) -> ServerConfig:
    cfg = ServerConfig.from_env()
    overrides = {
        "store": getattr(args, "store", None),
        "base": getattr(args, "base", None),
        "update_token": getattr(args, "update_token", None),
        "timeout": getattr(args, "timeout", None),
        "max_rows": getattr(args, "max_rows", None),
        "workers": getattr(args, "workers", None),
    }
    for key, value in overrides.items():
        if value is not None:
            setattr(cfg, key, value)
    if not cfg.base.endswith(("/", "#")):
        cfg.base += "/"
    return cfg


def check_store(cfg: ServerConfig) -> None:
    db = Path(oxigraph_dir(cfg.store))
    if not (db / "CURRENT").exists():
        raise RuntimeError(f"no store at {cfg.store} (run `policykg load FILES --store {cfg.store}` first)")


def run_serve(args: argparse.Namespace) -> int:
    cfg = config_from_args(args)
    check_store(cfg)
    from . import create_app

    app = create_app(cfg)
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError:  # pragma: no cover - gunicorn is a dependency
        app.run(host=args.host, port=args.port, threaded=True)
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

    host = args.host
    bind = f"[{host}]:{args.port}" if ":" in host else f"{host}:{args.port}"
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

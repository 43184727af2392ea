"""`policykg serve`: the SPARQL endpoint and linked data pages over a store, under gunicorn."""

from __future__ import annotations

import argparse

from policykg.cli.common import command
from policykg.server.config import ServerConfig

_DEFAULTS = ServerConfig()


def _setting(text: str, name: str) -> str:
    # an option left out falls back to POLICYKG_<NAME>, then to ServerConfig's default
    env = "POLICYKG_" + name.upper()
    return f"{text} (default: ${env}, else {getattr(_DEFAULTS, name)})"


def add_parser(subparsers) -> None:
    p = command(subparsers, "serve", "serve the SPARQL endpoint and linked data",
                "Serve the SPARQL 1.1 endpoint, linked data pages and the query page over an embedded store "
                "(or a remote SPARQL store: --endpoint). Options left out fall back to POLICYKG_* environment variables.")
    p.add_argument("--store", metavar="DIR", help=_setting("embedded store directory", "store"))
    p.add_argument("--endpoint", metavar="URL",
                   help=_setting("answer from this remote SPARQL endpoint (e.g. Virtuoso's "
                                 "http://HOST:8890/sparql) instead of the store directory", "endpoint"))
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p.add_argument("--port", type=int, default=8000, help="port to listen on")
    p.add_argument("--base", metavar="IRI", help=_setting("base IRI of the data, served at /id/…", "base"))
    p.add_argument("--update-token", metavar="TOKEN",
                   help="enable SPARQL Update for requests bearing this token (default: read-only)")
    p.add_argument("--timeout", type=float, metavar="SECONDS", help=_setting("query time limit", "timeout"))
    p.add_argument("--max-rows", type=int, metavar="N", help=_setting("result row limit", "max_rows"))
    p.add_argument("--workers", type=int, metavar="N", help=_setting("query worker processes", "workers"))
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from policykg.server import serve

    return serve(args.store, args.host, args.port, args.workers, base=args.base,
                 update_token=args.update_token, timeout=args.timeout, max_rows=args.max_rows,
                 endpoint=args.endpoint)

"""policykg.server: the SPARQL 1.1 endpoint, linked data and analyst pages (Flask).

`create_app(config=None, blueprints=...)` builds the WSGI application; with no argument it reads
POLICYKG_* environment variables, so `gunicorn 'policykg.server:create_app()'` serves a store.
`serve(store, host, port, workers, ...)` serves one under gunicorn (what `policykg serve` runs).
"""

from __future__ import annotations


def create_app(config=None, **kwargs):
    from .app import create_app as _create_app

    return _create_app(config, **kwargs)


def serve(*args, **kwargs) -> int:
    from .serve import serve as _serve

    return _serve(*args, **kwargs)


__all__ = ["create_app", "serve"]

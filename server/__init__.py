"""policykg.server: the SPARQL 1.1 endpoint, linked data and analyst pages (Flask).

`create_app(config=None)` builds the WSGI application; with no argument it reads POLICYKG_*
environment variables, so `gunicorn 'policykg.server:create_app()'` serves a store.
"""

from __future__ import annotations


def create_app(config=None):
    from .app import create_app as _create_app

    return _create_app(config)


__all__ = ["create_app"]

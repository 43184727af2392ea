"""/validate's process, limits and cache (server/validation.py), driven in-process on the W3C store (it has
no pkg data, so the report is small and conforms). Time limits are proved by the status the run reports,
never by a clock."""

from __future__ import annotations

import pytest
from policykg.server import routes_validate, validation
from policykg.server.app import create_app


@pytest.fixture()
def client(w3c_store):
    app = create_app({"store": w3c_store, "workers": 1}, blueprints=[routes_validate.bp])
    yield app.test_client()
    app.extensions["policykg"].pool.close()


def test_a_run_past_its_limit_reports_a_timeout(w3c_store):
    # a limit of 0 s: the answer is polled before the child process can even have started
    status, message = validation.run(w3c_store, "json", "pyshacl", timeout=0)
    assert status == "timeout" and message == "Validation took longer than 0 s and was stopped."


def test_a_run_that_fails_reports_the_error_not_a_traceback(tmp_path):
    status, message = validation.run(str(tmp_path / "no-store"), "json", "pyshacl", timeout=300)
    assert status == "error" and "Traceback" not in message and ": " in message


def test_formats_by_name_and_by_accept_and_the_cache(client):
    r = client.get("/validate", query_string={"format": "ttl"})
    assert r.status_code == 200 and r.mimetype == "text/turtle" and "sh:conforms true" in r.text
    assert r.headers["X-SHACL-Conforms"] == "true" and r.headers["Access-Control-Allow-Origin"] == "*"
    assert r.headers["X-SHACL-Counts"] == "Violation=0, Warning=0, Info=0"
    # the second request is served from the cache of the first run (every format was rendered then)
    runs = []
    real = validation.run
    try:
        validation.run = lambda *a, **k: runs.append(a) or real(*a, **k)
        r = client.get("/validate", headers={"Accept": "text/csv"})
        assert r.status_code == 200 and r.mimetype == "text/csv" and r.text.splitlines()[0].startswith("severity")
        assert client.get("/validate", headers={"Accept": "text/plain"}).mimetype == "text/plain"
    finally:
        validation.run = real
    assert runs == []


def test_what_cannot_be_served_is_refused(client):
    r = client.get("/validate", headers={"Accept": "image/png"})
    assert r.status_code == 406 and "text/html" in r.text
    assert client.get("/validate", query_string={"format": "pdf"}).status_code == 406
    r = client.get("/validate", query_string={"format": "json", "engine": "jena"})
    assert r.status_code == 400 and "pyshacl" in r.text


def test_one_validation_at_a_time(client):
    assert validation._lock.acquire(timeout=5)
    try:
        r = client.get("/validate", query_string={"format": "json", "engine": "turbo"})
    finally:
        validation._lock.release()
    assert r.status_code == 503 and r.headers["Retry-After"] == "30" and "already running" in r.text


def test_a_failed_validation_is_a_500_with_the_reason(scratch_store):
    import shutil

    app = create_app({"store": scratch_store, "workers": 1}, blueprints=[routes_validate.bp])
    try:
        shutil.rmtree(scratch_store)  # the served store is gone from disk: the validating process cannot open it
        r = app.test_client().get("/validate", query_string={"format": "json"})
    finally:
        app.extensions["policykg"].pool.close()
    assert r.status_code == 500 and r.mimetype == "text/plain" and "Traceback" not in r.text

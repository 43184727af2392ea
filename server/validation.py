"""/validate: the SHACL report of the served store, from `policykg.shapes`.

Validation (pySHACL) takes seconds to minutes and cannot be interrupted either, so it runs in a
process of its own with a time limit, one at a time, and its report is cached per load version
and format (the data only changes when the store is reloaded).

A browser asking before the report exists is not left on a blank page: the validation starts in
the background and the page says it is running (and reloads itself) until the report is ready;
then the report is a page of this site (validation_page.py): results grouped by document, in
numbering order, each linked to its measure's page and its source quote. Scripts asking for
Turtle, JSON, CSV or text wait for the report, as before.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from pathlib import Path

from flask import Response
from policykg.shapes import ENGINES, MEDIA_TYPES

from . import validation_page
from .negotiation import choose

FORMATS = {"text/html": "html", "text/turtle": "turtle", "application/json": "json", "text/csv": "csv",
           "text/plain": "text"}
_lock = threading.Lock()
VALIDATE_TIMEOUT = 600.0


def _child(conn, store: str, fmt: str, engine: str) -> None:
    try:
        from policykg.shapes import render, validate

        report = validate(store, engine=engine)
        report.shapes_dir = Path(report.shapes_dir).name + "/"  # never the server's filesystem path
        # every format at once: validating is the slow part, rendering is cheap
        bodies = {f: render(report, f) for f in MEDIA_TYPES}
        conn.send(("ok", bodies, report.conforms, report.counts))
    except Exception as e:  # noqa: BLE001 - reported as a message, never a traceback
        conn.send(("error", f"{type(e).__name__}: {e}"))


def run(store: str, fmt: str = "json", engine: str = "pyshacl", timeout: float = VALIDATE_TIMEOUT):
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    p = ctx.Process(target=_child, args=(child, store, fmt, engine), daemon=True, name="policykg-validate")
    p.start()
    child.close()
    try:
        if not parent.poll(timeout):
            return ("timeout", f"Validation took longer than {timeout:g} s and was stopped.")
        return parent.recv()
    except (EOFError, OSError):
        return ("error", "The validation process stopped unexpectedly.")
    finally:
        p.kill()
        p.join(5)


class _Job:
    """One background validation (a browser asked for the page before the report existed)."""

    def __init__(self, version: str) -> None:
        self.version = version
        self.started = time.monotonic()
        self.error: tuple[int, str] | None = None
        self.thread: threading.Thread | None = None


_jobs: dict[tuple, _Job] = {}


def _compute(ep, key: tuple, version: str, engine: str) -> tuple[int, str] | None:
    """Validates and caches the report; (status, message) when that failed."""
    if not _lock.acquire(timeout=5):
        return (503, "A validation is already running; try again when it has finished.")
    try:
        hit = ep._cache.get(key)
        if hit and hit[0] == version:  # another request finished it meanwhile
            return None
        result = run(ep.db, "json", engine)
    finally:
        _lock.release()
    if result[0] != "ok":
        return (503 if result[0] == "timeout" else 500, result[1])
    ep._cache[key] = (version, result)
    return None


def _start_background(ep, key: tuple, version: str, engine: str) -> _Job:
    job = _jobs.get(key)
    if job and job.version == version and (job.thread.is_alive()
                                          or (job.error and time.monotonic() - job.started < 60)):
        return job  # running, or failed a moment ago (its message is shown; asked again later, it reruns)
    job = _Job(version)

    def work() -> None:
        job.error = _compute(ep, key, version, engine)

    job.thread = threading.Thread(target=work, name="policykg-validate-bg", daemon=True)
    _jobs[key] = job
    job.thread.start()
    return job


def _format(request) -> tuple[str | None, Response | None]:
    fmt = (request.args.get("format") or "").lower()
    if fmt in ("ttl",):
        fmt = "turtle"
    if not fmt:
        chosen = choose(request.headers.get("Accept"), list(FORMATS))
        if chosen is None:
            return None, Response("Not Acceptable: the report is available as " + ", ".join(FORMATS) + "\n",
                                  status=406, mimetype="text/plain")
        fmt = FORMATS[chosen]
    if fmt not in MEDIA_TYPES:
        return None, Response(f"Unknown format {fmt!r}\n", status=406, mimetype="text/plain")
    return fmt, None


def handle(ep, request, shapes_dir) -> Response:
    fmt, refusal = _format(request)
    if refusal is not None:
        return refusal
    engine = request.args.get("engine") or "pyshacl"
    if engine not in ENGINES:
        return Response("engine must be " + " or ".join(ENGINES) + "\n", status=400, mimetype="text/plain")
    version = ep.version.get()[0]
    key = ("validate", engine)
    hit = ep._cache.get(key)
    if not (hit and hit[0] == version):
        if fmt == "html":
            job = _start_background(ep, key, version, engine)
            if job.thread.is_alive() or job.error:
                return validation_page.waiting(job, engine)
        else:
            job = _jobs.get(key)
            if job and job.version == version and job.thread.is_alive():
                job.thread.join(VALIDATE_TIMEOUT)  # a browser started it: wait for that run
            elif (failure := _compute(ep, key, version, engine)) is not None:
                return Response(failure[1] + "\n", status=failure[0], mimetype="text/plain",
                                headers={"Retry-After": "30"} if failure[0] == 503 else None)
        hit = ep._cache.get(key)
        if not (hit and hit[0] == version):
            job = _jobs.get(key)
            message = job.error[1] if job and job.error else "The validation did not finish."
            return Response(message + "\n", status=503, mimetype="text/plain")
    _, bodies, conforms, counts = hit[1]
    if fmt == "html":
        resp = validation_page.report(bodies["json"], engine)
    else:
        resp = Response(bodies[fmt], content_type=MEDIA_TYPES[fmt])
    resp.headers["X-SHACL-Conforms"] = "true" if conforms else "false"
    resp.headers["X-SHACL-Counts"] = ", ".join(f"{k}={v}" for k, v in counts.items())
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp

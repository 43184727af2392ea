"""/validate: the SHACL report of the served store, from `policykg.shapes`.

Validation (pySHACL) takes seconds to minutes and cannot be interrupted either, so it runs in a
process of its own with a time limit, one at a time, and its report is cached per load version
and format (the data only changes when the store is reloaded).
"""

from __future__ import annotations

import multiprocessing
import threading

from flask import Response
from policykg.shapes import ENGINES, MEDIA_TYPES

from .negotiation import choose

FORMATS = {"text/html": "html", "text/turtle": "turtle", "application/json": "json", "text/csv": "csv",
           "text/plain": "text"}
_lock = threading.Lock()
VALIDATE_TIMEOUT = 600.0


def _child(conn, store: str, fmt: str, engine: str) -> None:
    try:
        from policykg.shapes import render, validate

        report = validate(store, engine=engine)
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


def handle(ep, request, shapes_dir) -> Response:
    fmt = (request.args.get("format") or "").lower()
    if fmt in ("ttl",):
        fmt = "turtle"
    if not fmt:
        chosen = choose(request.headers.get("Accept"), list(FORMATS))
        if chosen is None:
            return Response("Not Acceptable: the report is available as " + ", ".join(FORMATS) + "\n",
                            status=406, mimetype="text/plain")
        fmt = FORMATS[chosen]
    if fmt not in MEDIA_TYPES:
        return Response(f"Unknown format {fmt!r}\n", status=406, mimetype="text/plain")
    engine = request.args.get("engine") or "pyshacl"
    if engine not in ENGINES:
        return Response("engine must be " + " or ".join(ENGINES) + "\n", status=400, mimetype="text/plain")
    version = ep.version.get()[0]
    key = ("validate", engine)
    hit = ep._cache.get(key)
    if not (hit and hit[0] == version):
        if not _lock.acquire(timeout=5):
            return Response("A validation is already running; try again when it has finished.\n", status=503,
                            mimetype="text/plain", headers={"Retry-After": "30"})
        try:
            result = run(ep.db, fmt, engine)
        finally:
            _lock.release()
        if result[0] != "ok":
            return Response(result[1] + "\n", status=503 if result[0] == "timeout" else 500, mimetype="text/plain")
        hit = (version, result)
        ep._cache[key] = hit
    _, bodies, conforms, counts = hit[1]
    resp = Response(bodies[fmt], content_type=MEDIA_TYPES[fmt])
    resp.headers["X-SHACL-Conforms"] = "true" if conforms else "false"
    resp.headers["X-SHACL-Counts"] = ", ".join(f"{k}={v}" for k, v in counts.items())
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp

"""The server under hostile and careless clients (issue 15's server findings), over real sockets.

Each test starts a real `policykg serve` (conftest.RunningServer) and talks to it with raw sockets
where an HTTP library would hide the attack: half-sent headers, chunked bodies, clients that never
read. Time limits are proved by what the server sends (a 408, a 413, a closed connection) or by a
worker process's identity, never by timing a request.
"""

from __future__ import annotations

import glob
import io
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests
from conftest import CORPUS, POLICYKG, RunningServer
from policykg.server import framing
from policykg.server.storeinfo import store_signature

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(
    f"VALUES ?v{i} {{ 0 1 2 3 4 5 6 7 8 9 }}" for i in range(9)) + " }"
PATIENCE = 60.0  # how long a test waits for the server to do what it must; never what it asserts


# ------------------------------------------------------------------ raw HTTP helpers


def connect(server: RunningServer, rcvbuf: int | None = None) -> socket.socket:
    s = socket.socket()
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.connect(("127.0.0.1", server.port))
    s.settimeout(PATIENCE)
    return s


def read_response(s: socket.socket) -> tuple[int | None, dict, bytes]:
    """(status, headers, body read until the connection closed); status None if closed at once."""
    data = bytearray()
    while True:
        try:
            chunk = s.recv(65536)
        except (ConnectionResetError, TimeoutError):
            break
        if not chunk:
            break
        data += chunk
    if not data:
        return None, {}, b""
    head, _, body = bytes(data).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def chunked(body: bytes, size: int = 50_000) -> bytes:
    out = bytearray()
    for i in range(0, len(body), size):
        piece = body[i:i + size]
        out += b"%x\r\n" % len(piece) + piece + b"\r\n"
    return bytes(out) + b"0\r\n\r\n"


def ask(server: RunningServer, query: str) -> bool:
    r = requests.get(server.sparql, params={"query": query}, headers={"Accept": "application/sparql-results+json"},
                     timeout=PATIENCE)
    assert r.status_code == 200, r.text
    return r.json()["boolean"]


def query_workers(server: RunningServer) -> set[int]:
    """The pids of the server's query worker processes (multiprocessing children of its web process)."""
    parents = {server.proc.pid}
    found: set[int] = set()
    for _ in range(3):  # arbiter -> web process -> query workers
        children = set()
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                fields = Path(stat).read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) in parents:
                pid = int(stat.split("/")[2])
                children.add(pid)
                try:
                    if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                        found.add(pid)
                except OSError:
                    pass
        parents = children
    return found


@pytest.fixture()
def hostile_server(request, w3c_store):
    """A W3C-store server with short client time limits (read 2 s, write 2 s) and a small body limit."""
    server = RunningServer(w3c_store, ["--workers", "1"], env={
        "POLICYKG_READ_TIMEOUT": "2", "POLICYKG_WRITE_TIMEOUT": "2", "POLICYKG_MAX_REQUEST_BYTES": "200000"})
    yield server
    server.stop()


# ------------------------------------------------------------------ framing, the pure part


@pytest.mark.parametrize("raw,verdict", [
    (b"GET /x HTTP/1.1\r\nHost: a\r\n", framing.INCOMPLETE),
    (b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n", framing.COMPLETE),
    (b"POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nabc", framing.INCOMPLETE),
    (b"POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcde", framing.COMPLETE),
    (b"POST /x HTTP/1.1\r\nContent-Length: 101\r\n\r\n", framing.BODY_TOO_LARGE),
    (b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n", framing.INCOMPLETE),
    (b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n0\r\n\r\n", framing.COMPLETE),
    (b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n" + b"a" * 100 + b"\r\n1\r\n", framing.BODY_TOO_LARGE),
    (b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", framing.MALFORMED),
    (b"POST /x HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", framing.MALFORMED),
    (b"POST /x HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", framing.MALFORMED),
    (b"GET /" + b"a" * 70000, framing.HEAD_TOO_LARGE),
])
def test_framing_scan(raw, verdict):
    assert framing.scan(raw, max_body=100).verdict == verdict


@pytest.mark.parametrize("raw", [
    b"POST /sparql HTTP/1.1\r\nHost: a\r\nContent-Length: 300\r\n\r\n" + b"x" * 300,
    b"POST /sparql HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(b"y" * 300, 7),
])
def test_a_request_sent_byte_by_byte_is_scanned_a_few_times_not_per_byte(raw):
    buf, last, scanned, scans = bytearray(), None, 0, 0
    for byte in raw:
        buf.append(byte)
        if framing.worth_scanning(buf, last, scanned):
            last, scans = framing.scan(buf, 1000), scans + 1
        scanned = len(buf)
    assert last.verdict == framing.COMPLETE
    assert scans <= 3


def test_framing_drops_an_answered_expect():
    raw = b"POST /sparql HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nab"
    scan = framing.scan(raw, 100)
    assert scan.expects_continue and scan.path == b"/sparql"
    assert framing.without_expect(raw, scan.head_end) == b"POST /sparql HTTP/1.1\r\nContent-Length: 2\r\n\r\nab"


# ------------------------------------------------------------------ 1. slow clients


def test_slow_clients_hold_nothing_and_get_408(hostile_server):
    server = hostile_server
    # far more half-sent requests than the web process has threads (8), plus silent connections
    half = [connect(server) for _ in range(40)]
    for s in half:
        s.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    silent = [connect(server) for _ in range(20)]
    trickle = connect(server)  # a body that never completes
    trickle.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                    b"Content-Length: 1000\r\n\r\nASK")
    # meanwhile everyone else is served
    assert requests.get(server.url + "/healthz", timeout=PATIENCE).status_code == 200
    assert ask(server, "ASK {}") is True
    # and each slow request ends with 408 once its read time limit (2 s) has passed
    assert [read_response(s)[0] for s in half] == [408] * 40
    assert read_response(trickle)[0] == 408
    assert [read_response(s)[0] for s in silent] == [None] * 20  # closed without a word
    assert requests.get(server.url + "/healthz", timeout=PATIENCE).json()["status"] == "ok"


def test_healthz_answers_while_every_thread_waits_on_a_query(w3c_store):
    import threading

    server = RunningServer(w3c_store, ["--workers", "1", "--timeout", "6"], env={"POLICYKG_QUEUE_WAIT": "5"})
    try:
        answers = []  # in the order they came back

        def slow():
            answers.append(requests.get(server.sparql, params={"query": SLOW}, timeout=PATIENCE).status_code)

        threads = [threading.Thread(target=slow) for _ in range(12)]
        for t in threads:
            t.start()
        # 12 slow requests: one runs in the one worker, the others wait for it, filling all 8 threads;
        # /healthz has threads of its own and answers before any of them
        r = requests.get(server.url + "/healthz", timeout=PATIENCE)
        answers.append(("healthz", r.status_code))
        for t in threads:
            t.join()
        assert answers[0] == ("healthz", 200)
        assert set(answers[1:]) == {503}
    finally:
        server.stop()


def test_a_client_that_never_reads_a_dump_holds_no_worker(corpus_store):
    server = RunningServer(corpus_store, ["--workers", "1"], env={"POLICYKG_WRITE_TIMEOUT": "2",
                                                                   "POLICYKG_QUEUE_WAIT": "1"})
    try:
        stalled = []
        for _ in range(2):
            s = connect(server, rcvbuf=4096)
            s.sendall(b"GET /dump?format=nquads HTTP/1.1\r\nHost: x\r\n\r\n")
            stalled.append(s)
        # the dump is written by the one worker, then sent by the web process: queries go on
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            r = requests.get(server.sparql, params={"query": "ASK {}"}, timeout=PATIENCE)
            if r.status_code == 200:
                break
        assert r.status_code == 200 and r.json()["boolean"] is True
        # the web process gives up on the readers that do not read (write time limit, 2 s): it says so
        # in its log, and they get short bodies
        deadline = time.monotonic() + PATIENCE
        while server.log.read_text().count("did not read the answer") < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert server.log.read_text().count("did not read the answer") == 2
        for s in stalled:
            status, headers, body = read_response(s)
            assert status == 200 and len(body) < int(headers["content-length"])
        full = requests.get(server.url + "/dump", params={"format": "nquads"}, timeout=PATIENCE)
        assert full.status_code == 200 and len(full.content) == int(full.headers["Content-Length"]) > 1_000_000
    finally:
        server.stop()


# ------------------------------------------------------------------ 3. bodies over the limit


def test_chunked_update_over_the_limit_is_refused_and_nothing_applied(scratch_store):
    server = RunningServer(scratch_store, ["--update-token", "s3cret", "--workers", "1"],
                           env={"POLICYKG_MAX_REQUEST_BYTES": "200000"})
    try:
        triples = " ".join(f"<urn:big:{i}> <urn:p> \"{'x' * 40}\" ." for i in range(4000))
        big = f"INSERT DATA {{ GRAPH <urn:g:big> {{ {triples} }} }}".encode()
        assert len(big) > 200000
        head = (b"POST /sparql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\n"
                b"Content-Type: application/sparql-update\r\n")
        s = connect(server)
        s.sendall(head + b"Transfer-Encoding: chunked\r\n\r\n" + chunked(big))
        status, _, body = read_response(s)
        assert status == 413 and b"200000" in body
        assert ask(server, "ASK { <urn:big:0> ?p ?o }") is False
        assert ask(server, "ASK { <urn:big:3999> ?p ?o }") is False
        # a body cut short by the client never runs either
        small = b"INSERT DATA { GRAPH <urn:g:cut> { <urn:cut:1> <urn:p> 1 . <urn:cut:2> <urn:p> 2 } }"
        s = connect(server)
        s.sendall(head + b"Transfer-Encoding: chunked\r\n\r\n" + chunked(small)[:60])
        s.shutdown(socket.SHUT_WR)
        assert read_response(s)[0] is None
        s = connect(server)
        s.sendall(head + b"Content-Length: %d\r\n\r\n" % len(small) + small[:50])
        s.shutdown(socket.SHUT_WR)
        assert read_response(s)[0] is None
        assert ask(server, "ASK { <urn:cut:1> ?p ?o }") is False
        # the same update, whole and chunked, runs
        s = connect(server)
        s.sendall(head + b"Transfer-Encoding: chunked\r\n\r\n" + chunked(small, 16))
        assert read_response(s)[0] == 200
        assert ask(server, "ASK { <urn:cut:1> ?p ?o . <urn:cut:2> ?q ?r }") is True
    finally:
        server.stop()


def test_chunked_body_over_the_limit_under_any_wsgi_server(w3c_store):
    """The BodyLimit middleware keeps the promise without our gunicorn worker (Flask's test client)."""
    from policykg.server import create_app

    app = create_app({"store": w3c_store, "max_request_bytes": 1000})
    try:
        c = app.test_client()

        chunked_headers = {"Content-Type": "application/sparql-query", "Transfer-Encoding": "chunked"}
        NO_LENGTH = {"CONTENT_LENGTH": ""}  # noqa: N806 - what a server gives for a chunked body
        # a server hands the app a chunked body decoded, without a Content-Length
        r = c.post("/sparql", input_stream=io.BytesIO(b"ASK {} #" + b"x" * 2000), headers=chunked_headers,
                   environ_overrides=NO_LENGTH)
        assert r.status_code == 413
        r = c.post("/sparql", input_stream=io.BytesIO(b"ASK {}"), headers=chunked_headers, environ_overrides=NO_LENGTH)
        assert r.status_code == 200 and r.json["boolean"] is True
    finally:
        app.extensions["policykg"].pool.close()


# ------------------------------------------------------------------ 4. the update token


def test_token_only_in_the_authorization_header_never_logged(scratch_store, tmp_path):
    log = tmp_path / "access.log"
    server = RunningServer(scratch_store, ["--update-token", "s3cret-XYZ", "--workers", "1"],
                           env={"POLICYKG_ACCESS_LOG": str(log)})
    try:
        upd = "INSERT DATA { GRAPH <urn:g:t> { <urn:t:1> <urn:p> 1 } }"
        r = requests.post(server.sparql + "?token=s3cret-XYZ", data={"update": upd}, timeout=PATIENCE)
        assert r.status_code == 400 and "Authorization" in r.text
        r = requests.post(server.sparql, data={"update": upd, "token": "s3cret-XYZ"}, timeout=PATIENCE)
        assert r.status_code == 400
        assert ask(server, "ASK { <urn:t:1> ?p ?o }") is False
        # a cross-origin page posting a form: no token header possible, and no CORS on the answer
        r = requests.post(server.sparql, data={"update": upd}, headers={"Origin": "http://evil.example"},
                          timeout=PATIENCE)
        assert r.status_code == 401 and "Access-Control-Allow-Origin" not in r.headers
        pre = requests.options(server.sparql, headers={"Origin": "http://evil.example",
                                                       "Access-Control-Request-Method": "POST",
                                                       "Access-Control-Request-Headers": "authorization"},
                               timeout=PATIENCE)
        assert "authorization" not in pre.headers.get("Access-Control-Allow-Headers", "").lower()
        r = requests.post(server.sparql, data={"update": upd}, timeout=PATIENCE,
                          headers={"Authorization": "Bearer s3cret-XYZ", "Origin": "http://evil.example"})
        assert r.status_code == 200 and "Access-Control-Allow-Origin" not in r.headers
        assert ask(server, "ASK { <urn:t:1> ?p ?o }") is True
        # queries stay open to every origin
        r = requests.get(server.sparql, params={"query": "ASK {}"}, timeout=PATIENCE)
        assert r.headers["Access-Control-Allow-Origin"] == "*"
    finally:
        server.stop()
    text = log.read_text()
    assert "token=[redacted]" in text and "POST /sparql" in text
    assert "s3cret-XYZ" not in text


# ------------------------------------------------------------------ 5. loading while serving


def _documents(server: RunningServer) -> int:
    r = requests.get(server.sparql, timeout=PATIENCE, headers={"Accept": "application/sparql-results+json"},
                     params={"query": "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a pkg:PolicyDocument }"})
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_loading_into_a_served_store_switches_readers_to_one_new_version(tmp_path):
    files = sorted(glob.glob(str(CORPUS / "*.txt")))
    store = tmp_path / "store"
    subprocess.run([POLICYKG, "load", files[0], "--store", str(store), "--no-progress"], check=True,
                   capture_output=True, timeout=600)
    server = RunningServer(str(store), ["--workers", "2"])
    try:
        before = requests.get(server.url + "/healthz", timeout=PATIENCE).json()
        etag = requests.get(server.sparql, params={"query": "ASK {}"}, timeout=PATIENCE).headers["ETag"]
        seen = [_documents(server)]
        loader = subprocess.Popen([POLICYKG, "load", *files[1:], "--store", str(store), "--no-progress"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        while loader.poll() is None:  # answers while the load runs
            seen.append(_documents(server))
        assert loader.returncode == 0, loader.stderr.read()
        final = store_signature(str(store))[0]  # nothing writes now
        deadline = time.monotonic() + PATIENCE
        health = before
        while health["load_version"] != final and time.monotonic() < deadline:
            seen.append(_documents(server))  # the readers move on once the store has settled
            health = requests.get(server.url + "/healthz", timeout=PATIENCE).json()
        assert health["load_version"] == final and health["generation"] > before["generation"]
        after = [_documents(server) for _ in range(10)]
        health = requests.get(server.url + "/healthz", timeout=PATIENCE).json()
        assert health["loaded"] > 1  # the graph library's load version, as the new workers read it
        assert len(set(after)) == 1 and after[0] > seen[0]  # every worker reads the same, new version
        assert seen == sorted(seen), f"answers went back to an older version: {seen}"
        assert requests.get(server.sparql, params={"query": "ASK {}"}, timeout=PATIENCE).headers["ETag"] != etag
    finally:
        server.stop()


# ------------------------------------------------------------------ 7. time limits from clients


def test_nan_and_tiny_timeouts_neither_crash_nor_churn_workers(w3c_store):
    server = RunningServer(w3c_store, ["--workers", "2", "--timeout", "5"])
    try:
        for _ in range(4):
            assert ask(server, "ASK {}")
        workers = query_workers(server)
        assert len(workers) == 2
        for bad in ("nan", "NaN", "inf", "-inf", "1e400", "-1", "0"):
            r = requests.get(server.sparql, params={"query": "ASK {}", "timeout": bad}, timeout=PATIENCE)
            assert r.status_code == 400 and "timeout" in r.text, (bad, r.status_code, r.text)
            r = requests.get(server.sparql, params={"query": "ASK {}"}, headers={"X-Query-Timeout": bad},
                             timeout=PATIENCE)
            assert r.status_code == 400, bad
        for _ in range(40):  # a fast query with a tiny limit: the floor applies, the worker is kept
            r = requests.get(server.sparql, params={"query": "ASK {}", "timeout": "0.001"}, timeout=PATIENCE)
            assert r.status_code == 200 and r.headers["X-Query-Timeout-Seconds"] == "0.5"
        assert query_workers(server) == workers
        # a query that really runs over is still stopped: its worker is replaced
        r = requests.get(server.sparql, params={"query": SLOW, "timeout": "0.001"}, timeout=PATIENCE)
        assert r.status_code == 503 and "timed out" in r.text
        assert ask(server, "ASK {}") and ask(server, "ASK {}")
        assert query_workers(server) != workers
    finally:
        server.stop()


def test_settings_refuse_nonsense(monkeypatch):
    from policykg.server.config import ServerConfig

    for key in ("POLICYKG_TIMEOUT", "POLICYKG_READ_TIMEOUT", "POLICYKG_WRITE_TIMEOUT"):
        for bad in ("nan", "-1", "inf"):
            monkeypatch.setenv(key, bad)
            with pytest.raises(ValueError):
                ServerConfig.from_env()
        monkeypatch.delenv(key)
    assert ServerConfig.from_env().read_timeout == 10.0

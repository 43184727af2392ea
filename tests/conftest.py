"""Shared pytest fixtures.

Sections are owned by the helper that wrote them; add yours in a section of your own.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Everything the tests read ships in the repo: the seed corpus, its gold, the development sets, the scorer
# and the W3C suites (a clone with nothing beside it runs the whole suite).
CORPUS = ROOT / "corpus"
DATA = ROOT / "tests" / "data"
DEV = DATA / "dev"
SCORER = DATA / "eval" / "score.py"
W3C = DATA / "w3c" / "sparql11"
SHACL_W3C = DATA / "w3c" / "shacl"
POLICYKG = str(Path(sys.executable).with_name("policykg"))


def require(present: bool, what: str) -> None:
    """Fail (never skip) when something .ci/install provides is missing: a suite that skips what it
    cannot find passes on a machine that checks nothing."""
    if not present:
        pytest.fail(f"{what} is missing: run .ci/install (it installs and vendors everything the tests use)")


# =====================================================================================
# server fixtures (policykg.server helper): real servers on free ports, stores built once
# =====================================================================================


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RunningServer:
    def __init__(self, store: str, extra: list[str] | None = None, env: dict | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.store = store
        self.log = Path(store).parent / f"serve-{self.port}.log"
        cmd = [POLICYKG, "serve", "--store", store, "--port", str(self.port), *(extra or [])]
        full_env = {**os.environ, "POLICYKG_ACCESS_LOG": "", **(env or {})}  # env may turn the log on
        self._log_handle = open(self.log, "wb")
        self.proc = subprocess.Popen(cmd, stdout=self._log_handle, stderr=subprocess.STDOUT, env=full_env)
        self._wait()

    def _wait(self, timeout: float = 60.0) -> None:
        import requests

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text(errors='replace')[-2000:]}")
            try:
                if requests.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("server did not start in time")

    @property
    def sparql(self) -> str:
        return self.url + "/sparql"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._log_handle.close()


W3C_GRAPHS = {
    # the protocol tests' datasets, under the names their manifest gives them
    "http://kasei.us/2009/09/sparql/data/data1.rdf": W3C / "protocol" / "data1.nt",
    "http://kasei.us/2009/09/sparql/data/data2.rdf": W3C / "protocol" / "data2.nt",
    "http://kasei.us/2009/09/sparql/data/data3.rdf": W3C / "protocol" / "data3.nt",
    # the result-format tests' data, one graph each (selected with default-graph-uri)
    "urn:w3c:json-res/data.ttl": W3C / "json-res" / "data.ttl",
    "urn:w3c:csv-tsv-res/data.ttl": W3C / "csv-tsv-res" / "data.ttl",
    "urn:w3c:csv-tsv-res/data2.ttl": W3C / "csv-tsv-res" / "data2.ttl",
}


def build_w3c_store(directory: Path) -> str:
    import pyoxigraph as ox

    store = ox.Store(str(directory))
    for graph, path in W3C_GRAPHS.items():
        fmt = ox.RdfFormat.N_TRIPLES if path.suffix == ".nt" else ox.RdfFormat.TURTLE
        store.load(path=str(path), format=fmt, to_graph=ox.NamedNode(graph))
    store.flush()
    del store
    return str(directory)


@pytest.fixture(scope="session")
def w3c_store(tmp_path_factory) -> str:
    assert W3C.exists(), f"W3C test data missing: {W3C}"
    return build_w3c_store(tmp_path_factory.mktemp("w3c") / "store")


@pytest.fixture(scope="session")
def w3c_server(w3c_store):
    server = RunningServer(w3c_store, ["--max-rows", "1000", "--workers", "2"])
    yield server
    server.stop()


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory) -> str:
    """The five corpus texts loaded by `policykg load` (the graph library's real load)."""
    files = sorted(glob.glob(str(CORPUS / "*.txt")))
    assert len(files) == 5, f"the five seed texts are missing from {CORPUS}"
    store = tmp_path_factory.mktemp("corpus") / "store"
    proc = subprocess.run([POLICYKG, "load", *files, "--store", str(store), "--no-progress"],
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        pytest.fail(f"policykg load failed ({proc.returncode}): {proc.stderr[-3000:]}")
    return str(store)


@pytest.fixture(scope="session")
def corpus_server(corpus_store):
    server = RunningServer(corpus_store, ["--workers", "2"])
    yield server
    server.stop()


@pytest.fixture()
def scratch_store(tmp_path, w3c_store) -> str:
    """A private copy of the W3C store, for tests that write or need their own server."""
    dst = tmp_path / "store"
    shutil.copytree(w3c_store, dst, ignore=shutil.ignore_patterns("LOCK"))
    return str(dst)


# =====================================================================================
# Virtuoso (remote store helper): Debian's virtuoso-opensource, started in a temporary directory
# =====================================================================================

VIRTUOSO_INI = ("/etc/virtuoso-opensource-7/virtuoso.ini", "/usr/share/virtuoso-opensource-7/virtuoso.ini")


def virtuoso_ini(template: str, db: Path, sql_port: int, http_port: int) -> str:
    """The packaged ini with its own database directory, both ports on 127.0.0.1, no row cap below
    our own, and no refusal by cost estimate (Virtuoso's estimator refuses some canned queries
    that run in milliseconds)."""
    import re

    out, section = [], ""
    for line in template.splitlines():
        m = re.match(r"\s*\[(.+)\]", line)
        if m:
            section = m.group(1)
        key = line.split("=", 1)[0].strip() if "=" in line and not line.lstrip().startswith(";") else ""
        if key in ("DatabaseFile", "ErrorLogFile", "LockFile", "TransactionFile", "xa_persistent_file"):
            line = f"{key} = {db / Path(line.split('=', 1)[1].split(';')[0].strip()).name}"
        elif key == "ServerPort" and section in ("Parameters", "HTTPServer"):
            line = f"ServerPort = 127.0.0.1:{sql_port if section == 'Parameters' else http_port}"
        elif key == "DirsAllowed":
            line = f"DirsAllowed = ., {db}, /usr/share/virtuoso-opensource-7/vad"
        elif key == "ResultSetMaxRows":
            line = "ResultSetMaxRows = 1000000"
        elif key == "MaxQueryCostEstimationTime":
            line = "MaxQueryCostEstimationTime = 0"
        out.append(line)
    return "\n".join(out) + "\n"


class VirtuosoServer:
    """virtuoso-t in `directory` (database, ini, log), SPARQL Update granted to the anonymous
    SPARQL user; `stop()` ends it. Fails (never skips) when Virtuoso is not installed."""

    def __init__(self, directory: Path, timeout: float = 180.0):
        exe, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
        template = next((p for p in VIRTUOSO_INI if Path(p).exists()), None)
        if not exe or not isql or not template:
            pytest.fail("Virtuoso is not installed (virtuoso-t, isql-vt, virtuoso.ini): "
                        "`apt-get install -y --no-install-recommends virtuoso-opensource` (bash .ci/install does)")
        self.dir = Path(directory)
        db = self.dir / "db"
        db.mkdir(parents=True, exist_ok=True)
        self.sql_port, self.http_port = free_port(), free_port()
        ini = self.dir / "virtuoso.ini"
        ini.write_text(virtuoso_ini(Path(template).read_text(), db, self.sql_port, self.http_port))
        self.url = f"http://127.0.0.1:{self.http_port}"
        self.sparql = self.url + "/sparql"
        self.graph_store = self.url + "/sparql-graph-crud"
        self.log = self.dir / "virtuoso.out"
        self._log_handle = open(self.log, "wb")
        self.proc = subprocess.Popen([exe, "+configfile", str(ini), "+foreground"], cwd=db,
                                     stdout=self._log_handle, stderr=subprocess.STDOUT)
        self._wait(timeout)
        self.isql('GRANT SPARQL_UPDATE TO "SPARQL";')

    def _wait(self, timeout: float) -> None:
        import requests

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited: {self.log.read_text(errors='replace')[-2000:]}")
            try:
                if requests.get(self.sparql, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"virtuoso-t did not start in {timeout:g} s: {self.log.read_text(errors='replace')[-2000:]}")

    def isql(self, sql: str) -> str:
        proc = subprocess.run(["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={sql}"],
                              capture_output=True, text=True, timeout=60)
        if proc.returncode != 0 or "Error" in proc.stdout:
            raise RuntimeError(f"isql-vt {sql!r}: {proc.stdout[-1000:]} {proc.stderr[-1000:]}")
        return proc.stdout

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._log_handle.close()


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    server = VirtuosoServer(tmp_path_factory.mktemp("virtuoso"))
    yield server
    server.stop()

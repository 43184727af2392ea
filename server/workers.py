"""Query worker processes: the only place a SPARQL query runs.

pyoxigraph cannot cancel a running query (a thread with a timeout would leave it running, holding
a core, forever). So every query runs in a separate process that opens the store read-only
(`pyoxigraph.Store.read_only`), and the web process enforces the time limit from outside: when the
deadline passes it kills the worker (SIGKILL) and starts a fresh one. A query that crashes or
exhausts its worker's memory limit takes only that worker down. The web process never imports a
result it did not ask for: workers send back finished, serialised bytes.

Protocol on the pipe (parent -> worker): one job dict. Worker -> parent, either
  ("ok", meta, body)                       a finished response body (b"" when the job named a
                                           `spool` file: the body is in that file), or
  ("error", status, message)               a client or server error the parent passes on.
On start a worker sends ("ready", pid, version) where version is the first row of the pool's
`version_query` as it sees the store (or None).

Large answers (/dump, full CSV exports, graph downloads) are spooled: the worker writes them to a
file and is free again as soon as it has; the web process then sends the file at the client's pace.
A client that never reads holds a web thread (until the write time limit), never a query worker,
and the time limit applies to the query alone, checked while it runs, not between chunks.

The store may change under the server (`policykg load` into the directory it serves). Read-only
workers keep the version they opened, so the pool watches the store's files; once they have changed
and then stayed unchanged for `settle` seconds, it starts a new *generation*: every query from then
on runs in a worker opened after the change (older workers finish their query, then stop). So all
readers see one version at a time, and the version the server reports (ETags, /healthz) is the one
its workers read.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import queue
import shutil
import signal
import tempfile
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field, replace

from .formats import content_type, media_types, rdf_format
from .negotiation import choose_format
from .storeinfo import store_signature

CHUNK = 64 * 1024
KIND_WORDS = {"select": "tabular", "ask": "boolean", "graph": "graph"}  # as 406 messages have said


class WorkerError(Exception):
    """An error to report to the client with an HTTP status."""

    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


# ============================================================== worker side


class _Sink:
    """Where a worker writes an answer: memory, or the job's spool file (then the reply is empty)."""

    def __init__(self, spool: str | None = None):
        self.file = open(spool, "wb", buffering=CHUNK) if spool else io.BytesIO()  # noqa: SIM115
        self.spooled = spool is not None

    def write(self, data) -> int:
        return self.file.write(data)

    def flush(self) -> None:
        self.file.flush()

    def finish(self) -> bytes:
        if self.spooled:
            self.file.close()
            return b""
        return self.file.getvalue()


def _dataset_kwargs(job: dict, ox) -> dict:
    kw: dict = {}
    dg, ng = job.get("default_graph"), job.get("named_graphs")
    if dg is not None or ng is not None:
        # the protocol's dataset replaces the query's (SPARQL 1.1 Protocol §2.1.4); a dataset with
        # only named graphs has an empty default graph.
        kw["default_graph"] = [ox.NamedNode(g) for g in (dg or [])]
        kw["named_graphs"] = [ox.NamedNode(g) for g in (ng or [])]
    elif job.get("union", True):
        kw["use_default_graph_as_union"] = True
    if job.get("base_iri"):
        kw["base_iri"] = job["base_iri"]
    if job.get("default_prefixes"):
        kw["prefixes"] = job["default_prefixes"]  # predeclared; the query's own PREFIX wins
    return kw


def _star_order(query: str) -> dict[str, int] | None:
    """For SELECT * queries, each variable's first position in the query text."""
    import re

    from .sparql_text import skeleton

    text = skeleton(query)
    if not re.search(r"(?i)SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?\*", text):
        return None
    order: dict[str, int] = {}
    for m in re.finditer(r"[?$]([A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)", text):
        order.setdefault(m.group(1), m.start())
    return order


def _run_query(store, job: dict, conn) -> None:
    import pyoxigraph as ox

    from . import results as R

    t0 = time.perf_counter()
    try:
        res = store.query(job["query"], **_dataset_kwargs(job, ox))
    except SyntaxError as e:
        conn.send(("error", 400, f"Malformed query: {e}"))
        return
    except ValueError as e:
        conn.send(("error", 400, f"Bad request: {e}"))
        return
    cap = R.RowCap(job.get("max_rows"))
    order = None
    if isinstance(res, ox.QueryBoolean):
        kind = "ask"
    elif isinstance(res, ox.QuerySolutions):
        kind = "select"
        order = _star_order(job["query"])
    else:
        kind = "graph"
    if job.get("raw"):  # internal use: rows as JSON-like dicts
        if kind != "select":
            conn.send(("ok", {"kind": kind}, bool(res) if kind == "ask" else None))
            return
        names = [v.value for v in res.variables]
        rows = []
        for sol in cap.take(res):
            rows.append({n: R.term_json(t) for n, t in zip(names, sol, strict=False) if t is not None})
        conn.send(("ok", {"kind": kind, "vars": names, "truncated": cap.truncated,
                          "elapsed": time.perf_counter() - t0}, rows))
        return
    chosen = choose_format([kind], job.get("accept"), job.get("format"))
    if chosen is None:
        offers = ", ".join(media_types([kind]))
        conn.send(("error", 406, f"Not Acceptable: this {KIND_WORDS[kind]} result can be sent as {offers}"))
        return
    fmt = chosen.name
    meta = {"kind": kind, "format": fmt, "content_type": chosen.content_type}
    sink = _Sink(job.get("spool"))
    if kind == "ask":
        R.write_ask(sink, fmt, bool(res))
    elif kind == "select":
        names = [v.value for v in res.variables]
        if order:
            # SELECT *: oxigraph lists the variables sorted; people expect the order they wrote them in
            perm = sorted(range(len(names)), key=lambda i: (order.get(names[i], 1 << 30), names[i]))
            names = [names[i] for i in perm]
            rows = ([sol[i] for i in perm] for sol in res)
        else:
            rows = res
        R.write_select(sink, fmt, names, rows, cap, job.get("truncation_note"))
    else:
        R.write_graph(sink, fmt, res, cap, job.get("prefixes"))
    meta.update(rows=cap.rows, truncated=cap.truncated, elapsed=time.perf_counter() - t0)
    conn.send(("ok", meta, sink.finish()))


def _run_dump(store, job: dict, conn) -> None:
    import pyoxigraph as ox

    fmt = job["format"]
    sink = _Sink(job["spool"])
    if fmt in ("nquads", "trig"):
        store.dump(sink, rdf_format(fmt), prefixes=job.get("prefixes") if fmt == "trig" else None)
    else:  # a triple format: the union of all graphs (the default graph analysts query)
        triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
        ox.serialize(triples, sink, rdf_format(fmt),
                     prefixes=job.get("prefixes") if fmt == "turtle" else None)
    conn.send(("ok", {"content_type": content_type(fmt)}, sink.finish()))


def _run_update(store, job: dict, conn) -> None:
    t0 = time.perf_counter()
    try:
        store.update(job["update"], base_iri=job.get("base_iri"))
        store.flush()
    except SyntaxError as e:
        conn.send(("error", 400, f"Malformed update: {e}"))
        return
    conn.send(("ok", {"elapsed": time.perf_counter() - t0}, b""))


def _watch_parent(ppid: int) -> None:
    """Exit when the web process is gone, even in the middle of a query (pyoxigraph releases the
    GIL while it evaluates, so this thread runs)."""
    while True:
        time.sleep(1.0)
        if os.getppid() != ppid:
            os._exit(0)


def _probe_version(store, query: str | None):
    """The first row of `query` (the store's load version), as plain strings; None without one."""
    if not query:
        return None
    try:
        res = store.query(query)
        names = [v.value for v in res.variables]
        for row in res:
            return {n: t.value for n, t in zip(names, row, strict=False) if t is not None}
    except Exception:  # noqa: BLE001 - a store without the graph library's metadata has no version
        return None
    return None


def worker_main(conn, store_path: str, read_only: bool, memory_mb: int | None,
                version_query: str | None = None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    if memory_mb:
        try:
            import resource

            limit = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
        except (ImportError, ValueError, OSError):
            pass
    try:
        import pyoxigraph as ox

        from .remote import RemoteQueryStore, is_endpoint

        if is_endpoint(store_path):  # `serve --endpoint`: this worker forwards to a remote store
            store = RemoteQueryStore(store_path)
        else:
            store = ox.Store.read_only(store_path) if read_only else ox.Store(store_path)
    except Exception as e:  # noqa: BLE001 - reported to the parent, which refuses to start
        conn.send(("fatal", f"cannot open store {store_path!r}: {e}"))
        return
    conn.send(("ready", os.getpid(), _probe_version(store, version_query)))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            op = job.get("op", "query")
            if op == "query":
                _run_query(store, job, conn)
            elif op == "dump":
                _run_dump(store, job, conn)
            elif op == "update":
                _run_update(store, job, conn)
            else:
                conn.send(("error", 400, f"unknown operation {op}"))
        except MemoryError:
            conn.send(("error", 503, "The query needed more memory than a query worker may use."))
            return
        except (BrokenPipeError, EOFError):
            return
        except Exception as e:  # noqa: BLE001 - never a traceback to the client
            traceback.print_exc()
            try:
                conn.send(("error", 500, f"Query evaluation failed: {type(e).__name__}: {e}"))
            except OSError:
                return


# ============================================================== parent side


@dataclass
class _Worker:
    process: multiprocessing.Process
    conn: object
    generation: int = 0
    version: dict | None = None  # the load version this worker sees
    jobs: int = 0


@dataclass
class PoolStats:
    started: int = 0
    killed: int = 0
    timeouts: int = 0
    busy_rejections: int = 0
    generations: int = 0
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class View:
    """What the pool's readers currently see: a generation of workers over one state of the store."""

    generation: int
    files: str  # the store's file signature when this generation began
    newest: float  # the newest file's modification time (epoch seconds)
    version: dict | None  # the load version a worker of this generation reported, when known


class QueryPool:
    """A fixed number of worker processes over one store directory.

    acquire() waits at most `queue_wait` seconds for an idle worker, then the request gets 503
    (over capacity). Workers are started lazily in the process that uses them, so the pool works
    under gunicorn's pre-fork model (each gunicorn worker has its own pool).
    """

    def __init__(self, store_path: str, size: int = 2, queue_wait: float = 5.0, memory_mb: int | None = None,
                 read_only: bool = True, start_timeout: float = 60.0, version_query: str | None = None,
                 settle: float = 1.0, spool_dir: str | None = None):
        self.store_path = store_path
        self.size = max(1, size)
        self.queue_wait = queue_wait
        self.memory_mb = memory_mb
        self.read_only = read_only
        self.start_timeout = start_timeout
        self.version_query = version_query
        self.settle = settle
        self.stats = PoolStats()
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._all: set = set()
        self._closed = False
        self._exclusive = threading.Lock()  # held while workers are drained for an update
        self._spool_dir = spool_dir
        self._spool_owned = spool_dir is None
        files, newest = store_signature(store_path)
        self._view = View(0, files, newest, None)
        self._seen = (files, time.monotonic())  # the latest signature seen, and since when
        self._checked = 0.0

    # ---- the store's version: one generation of readers at a time
    def view(self) -> View:
        """What readers see now (after looking whether the store changed; cheap, never waits)."""
        self.check_store()
        return self._view

    def check_store(self, interval: float = 0.25) -> None:
        """Starts a new generation once the store's files changed and then stayed unchanged `settle` s."""
        now = time.monotonic()
        if now - self._checked < interval:
            return
        self._checked = now
        files, newest = store_signature(self.store_path)
        with self._lock:
            if files != self._seen[0]:
                self._seen = (files, now)
            elif files != self._view.files and now - self._seen[1] >= self.settle:
                self._new_generation(files, newest)

    def _new_generation(self, files: str, newest: float, refresh: bool = True) -> None:
        self._view = View(self._view.generation + 1, files, newest, None)
        self.stats.generations += 1
        if refresh and self._pid == os.getpid() and not self._closed:
            threading.Thread(target=self._refresh_idle, daemon=True).start()

    def _refresh_idle(self) -> None:
        """Replaces the idle workers of older generations now, not on the next queries' time."""
        for _ in range(self.size):
            try:
                w = self._idle.get_nowait()
            except queue.Empty:
                return
            if w.generation == self._view.generation:
                self._idle.put(w)
                continue
            self._kill(w, replace=False)
            self._replace()

    def _note_version(self, w: _Worker) -> None:
        with self._lock:
            if w.generation == self._view.generation and self._view.version is None:
                self._view = replace(self._view, version=w.version)

    # ---- lifecycle
    def _spawn(self) -> _Worker:
        generation = self._view.generation  # read before the store is opened: never newer than its data
        parent, child = self._ctx.Pipe(duplex=True)
        p = self._ctx.Process(target=worker_main, daemon=True, name="policykg-query-worker",
                              args=(child, self.store_path, self.read_only, self.memory_mb, self.version_query))
        p.start()
        child.close()
        if not parent.poll(self.start_timeout):
            p.kill()
            raise WorkerError(503, "A query worker did not start in time.")
        try:
            msg = parent.recv()
        except (EOFError, OSError) as e:
            p.kill()
            raise WorkerError(503, "A query worker could not start.") from e
        if msg[0] != "ready":
            p.join(5)
            raise WorkerError(503, msg[1] if len(msg) > 1 else "A query worker could not start.")
        self.stats.started += 1
        w = _Worker(p, parent, generation, msg[2] if len(msg) > 2 else None)
        self._note_version(w)
        with self._lock:
            self._all.add(w.process.pid)
        return w

    def _ensure_started(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._idle = queue.Queue()
            self._all = set()
            self._pid = os.getpid()
        for _ in range(self.size):
            self._idle.put(self._spawn())

    def start(self) -> None:
        """Starts the workers now (and checks the store opens) instead of on first use."""
        self._ensure_started()

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                w = self._idle.get_nowait()
            except queue.Empty:
                break
            self._kill(w, replace=False)
        if self._spool_owned and self._spool_dir:
            shutil.rmtree(self._spool_dir, ignore_errors=True)

    def _kill(self, w: _Worker, replace: bool = True) -> None:
        try:
            w.process.kill()
            w.process.join(5)
        except Exception:  # noqa: BLE001
            pass
        try:
            w.conn.close()
        except OSError:
            pass
        with self._lock:
            self._all.discard(w.process.pid)
        self.stats.killed += 1
        if replace and not self._closed:
            threading.Thread(target=self._replace, daemon=True).start()

    def _replace(self) -> None:
        for attempt in range(5):
            try:
                self._idle.put(self._spawn())
                return
            except WorkerError:
                time.sleep(0.5 * (attempt + 1))

    def acquire(self, wait: float | None = None) -> _Worker:
        self._ensure_started()
        self.check_store()
        try:
            w = self._idle.get(timeout=self.queue_wait if wait is None else wait)
        except queue.Empty:
            self.stats.busy_rejections += 1
            raise WorkerError(503, "The endpoint is at capacity: every query worker is busy. Try again shortly.",
                              {"Retry-After": "5"}) from None
        if w.generation != self._view.generation or not w.process.is_alive():
            self._kill(w, replace=False)  # it reads an older version of the store (or died): a fresh one
            try:
                w = self._spawn()
            except WorkerError:
                self._replace_later()
                raise
        return w

    def _replace_later(self) -> None:
        if not self._closed:
            threading.Thread(target=self._replace, daemon=True).start()

    def release(self, w: _Worker) -> None:
        w.jobs += 1
        if w.generation != self._view.generation:
            self._kill(w)  # the store changed while it ran: its successor opens the new version
        else:
            self._idle.put(w)

    # ---- running jobs
    def run(self, job: dict, timeout: float | None, wait: float | None = None):
        """Runs a job to completion; returns (meta, body). Raises WorkerError. The worker is killed
        (and replaced) only when the job runs past `timeout`, crashes or runs out of memory."""
        w = self.acquire(wait)
        try:
            w.conn.send(job)
            if timeout is not None and not w.conn.poll(timeout):
                self.stats.timeouts += 1
                self._kill(w)
                w = None
                raise WorkerError(503, f"Query timed out after {timeout:g} s (the worker running it was stopped).",
                                  {"X-Query-Timeout": "true"})
            msg = w.conn.recv()
        except (EOFError, OSError, BrokenPipeError) as e:
            if w is not None:
                self._kill(w)
            raise WorkerError(500, "The query worker stopped unexpectedly (the query may need too much memory).") from e
        except BaseException:
            if w is not None:  # an interrupt mid-job: never reuse a worker with a half-read pipe
                self._kill(w)
            raise
        if msg[0] == "error" and msg[1] == 503:
            self._kill(w)  # it ran out of memory: start a fresh one
        else:
            self.release(w)
        if msg[0] == "error":
            raise WorkerError(msg[1], msg[2])
        if msg[0] != "ok":
            raise WorkerError(500, "unexpected reply from a query worker")
        return msg[1], msg[2]

    def spool_path(self) -> str:
        """A new file name in this pool's spool directory (the directory is made on first use)."""
        if self._spool_dir is None:
            self._spool_dir = tempfile.mkdtemp(prefix="policykg-spool-")
        os.makedirs(self._spool_dir, exist_ok=True)
        return os.path.join(self._spool_dir, uuid.uuid4().hex)

    def spool(self, job: dict, timeout: float | None, path: str | None = None):
        """Runs a job whose answer the worker writes to a file; returns (meta, path). The worker is
        free as soon as the file is written; on a timeout or an error the file is removed."""
        path = path or self.spool_path()
        try:
            meta, _ = self.run(dict(job, spool=path), timeout)
        except BaseException:
            _remove(path)
            raise
        return meta, path

    def stream(self, job: dict, timeout: float | None):
        """A large answer: spooled to a file by a worker, then read back in chunks (the file is
        removed once sent, or when the client goes away). Returns (meta, iterator of bytes)."""
        meta, path = self.spool(job, timeout)
        return meta, file_chunks(path, remove=True)

    # ---- updates: drain every reader, write in a fresh read-write process, start readers again
    def run_update(self, job: dict, timeout: float | None):
        with self._exclusive:
            self._ensure_started()
            drained = []
            try:
                for _ in range(self.size):
                    drained.append(self._idle.get(timeout=max(self.queue_wait, 30)))
            except queue.Empty:
                for w in drained:
                    self._idle.put(w)
                raise WorkerError(503, "The endpoint is busy; the update was not applied. Try again.",
                                  {"Retry-After": "5"}) from None
            for w in drained:
                self._kill(w, replace=False)
            writer_pool = QueryPool(self.store_path, 1, self.queue_wait, self.memory_mb, read_only=False)
            try:
                return writer_pool.run(job, timeout)
            finally:
                writer_pool.close()
                with self._lock:  # the readers started next see the update: a generation of their own
                    self._new_generation(*store_signature(self.store_path), refresh=False)
                    self._seen = (self._view.files, time.monotonic())
                for _ in range(self.size):
                    self._idle.put(self._spawn())


def file_chunks(path: str, remove: bool = False, size: int = CHUNK):
    """The bytes of a file, chunk by chunk; the file is removed at the end (or when abandoned)."""
    try:
        with open(path, "rb") as f:
            if remove:
                _remove(path)  # the open file stays readable; nothing is left behind if the client leaves
            while chunk := f.read(size):
                yield chunk
    finally:
        if remove:
            _remove(path)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass

"""gunicorn's threaded worker, hardened against slow and hostile clients.

gunicorn's `gthread` worker gives a connection a thread as soon as its first byte arrives, and the
thread then waits on the socket with no time limit: eight clients sending half a request header
froze the whole server. This worker (`gunicorn -k policykg.server.http_worker.Worker`, what
`policykg serve` uses) reads requests in its event loop instead:

- a connection gets a thread only once its whole request (headers and body) has arrived; until then
  it waits in the event loop, holding nothing but a file descriptor (`framing.scan` tells when);
- a request must arrive within `read_timeout` seconds of its first byte (or of the connection, for
  the first request): later, 408 and the connection is closed;
- a body over `max_request_bytes` is refused (413) from its Content-Length or, for a chunked body,
  as soon as its chunks add up to more, whatever the client sends next;
- each write to a client must finish within `write_timeout` seconds (a client that stops reading a
  large answer loses its connection, and its thread is free again);
- /healthz has two threads of its own, so it answers while every other thread waits on a query;
- at the connection limit, idle connections (kept alive, or still sending) are closed, oldest first,
  to make room: the server keeps accepting;
- connections are closed in the event loop with a bounded linger, never by a thread waiting on a
  client that does not close its end.

The limits come from the app's ServerConfig (POLICYKG_READ_TIMEOUT, POLICYKG_WRITE_TIMEOUT,
POLICYKG_MAX_REQUEST_BYTES).
"""

from __future__ import annotations

import errno
import resource
import selectors
import socket
import time
from concurrent import futures
from functools import partial

from gunicorn.workers.gthread import ThreadWorker

from . import framing
from .config import ServerConfig

HEALTH_PATH = b"/healthz"
LINGER = 2.0  # seconds a closed connection may still send (so the peer gets our last bytes, not a reset)
_CANNED = {
    400: b"Bad Request", 408: b"Request Timeout", 413: b"Content Too Large", 431: b"Request Header Fields Too Large",
}


def _canned_response(status: int, message: str) -> bytes:
    body = (message.rstrip() + "\n").encode()
    return (f"HTTP/1.1 {status} ".encode() + _CANNED[status] + b"\r\nContent-Type: text/plain; charset=utf-8\r\n"
            b"Connection: close\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


class Worker(ThreadWorker):
    """gthread with whole requests read in the event loop (see the module's notes)."""

    limits: ServerConfig | None = None  # set by `serve`; else read from the app or the environment

    def load_wsgi(self) -> None:
        super().load_wsgi()
        cfg = self.limits
        if cfg is None:
            ext = getattr(self.wsgi, "extensions", {}).get("policykg")
            cfg = ext.cfg if ext is not None else ServerConfig.from_env()
        self.read_timeout = cfg.read_timeout
        self.write_timeout = cfg.write_timeout
        self.max_body = cfg.max_request_bytes
        self.max_head = self.cfg.limit_request_line + self.cfg.limit_request_field_size * 4 + 4096

    def init_process(self) -> None:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < hard:  # room for worker_connections descriptors
            try:
                resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            except (ValueError, OSError):
                pass
        self.health_pool = futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="healthz")
        self.lingering: dict[socket.socket, float] = {}
        super().init_process()

    # ---- reading a whole request before a thread sees it (event loop)
    def enqueue_req(self, conn) -> None:
        if self.cfg.is_ssl or conn.is_http2 or getattr(self.cfg, "http2_cleartext", None) in ("prior-knowledge", "both"):
            return super().enqueue_req(conn)  # TLS and HTTP/2 read in threads, as gunicorn does
        now = time.monotonic()
        if getattr(conn, "pk_buf", None) is None:  # a new request starts on this connection
            conn.pk_buf = bytearray(conn.parser.unreader.take_buffered() if conn.parser else b"")
            conn.pk_deadline = now + self.read_timeout
            conn.pk_continued = False
            conn.pk_scan, conn.pk_scanned = None, 0
        eof = self._read_available(conn)
        if eof is None:
            return self._drop(conn)
        if framing.worth_scanning(conn.pk_buf, conn.pk_scan, conn.pk_scanned):
            conn.pk_scan = framing.scan(conn.pk_buf, self.max_body, self.max_head)
        conn.pk_scanned = len(conn.pk_buf)
        verdict = conn.pk_scan or framing.Scan(framing.INCOMPLETE)
        if verdict.verdict == framing.COMPLETE:
            return self._dispatch(conn, verdict)
        if verdict.verdict == framing.MALFORMED:
            return self._refuse(conn, 400, "Bad Request: ambiguous or unsupported message framing "
                                           "(one Content-Length, or Transfer-Encoding: chunked).")
        if verdict.verdict == framing.BODY_TOO_LARGE:
            return self._refuse(conn, 413, f"Request too large: the limit is {self.max_body} bytes.")
        if verdict.verdict == framing.HEAD_TOO_LARGE:
            return self._refuse(conn, 431, "Request header too large.")
        if eof:  # the client went away mid-request: nothing of it runs
            return self._drop(conn)
        if now > conn.pk_deadline:
            return self._refuse(conn, 408, f"Request Timeout: the request did not arrive within "
                                           f"{self.read_timeout:g} s.")
        if verdict.expects_continue and not conn.pk_continued:
            conn.pk_continued = True  # the client waits for this before it sends the body
            self._send_now(conn.sock, b"HTTP/1.1 100 Continue\r\n\r\n")
        self._wait_for_more(conn)

    def _read_available(self, conn) -> bool | None:
        """Reads what the socket holds without waiting. True at end of stream; None on error."""
        cap = self.max_body * 2 + self.max_head  # chunk framing included
        conn.sock.setblocking(False)
        try:
            while len(conn.pk_buf) < cap:
                data = conn.sock.recv(256 * 1024)
                if not data:
                    return True
                conn.pk_buf += data
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            return None
        return False

    def _dispatch(self, conn, verdict: framing.Scan) -> None:
        data = bytes(conn.pk_buf)
        if conn.pk_continued:  # answered already: gunicorn must not send a second 100 Continue
            data = framing.without_expect(data, verdict.head_end)
        conn.pk_buf = None
        if not conn.initialized:
            conn.init()  # plain HTTP/1: blocking socket and a parser; nothing is read here
        else:
            conn.sock.setblocking(True)
        conn.parser.unreader.unread(data)
        conn.data_ready = True
        pool = self.health_pool if verdict.path == HEALTH_PATH else self.tpool
        fs = pool.submit(self.handle, conn)
        fs.add_done_callback(lambda fut: self.method_queue.defer(self.finish_request, conn, fut))

    def _wait_for_more(self, conn) -> None:
        conn.timeout = conn.pk_deadline
        self.pending_conns.append(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self.on_pending_socket_readable, conn))

    def _refuse(self, conn, status: int, message: str) -> None:
        self.log.info("refused a request from %s: %s %s", conn.client, status, message)
        self._send_now(conn.sock, _canned_response(status, message))
        self._drop(conn)

    @staticmethod
    def _send_now(sock: socket.socket, data: bytes) -> None:
        try:
            sock.setblocking(False)
            sock.send(data)  # small; what does not fit in the socket buffer is not waited for
        except OSError:
            pass

    # ---- closing without waiting on the client
    def _drop(self, conn) -> None:
        self.nr_conns -= 1
        self._linger(conn.sock)

    def _linger(self, sock: socket.socket) -> None:
        """Half-closes, then lets the peer's last bytes drain in the event loop for LINGER seconds."""
        try:
            sock.setblocking(False)
            sock.shutdown(socket.SHUT_WR)
            self.poller.register(sock, selectors.EVENT_READ, self._drain_lingering)
            self.lingering[sock] = time.monotonic() + LINGER
        except (OSError, ValueError, KeyError):
            sock.close()

    def _drain_lingering(self, sock: socket.socket) -> None:
        try:
            while sock.recv(65536):
                pass
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            pass
        self._close_lingering(sock)

    def _close_lingering(self, sock: socket.socket) -> None:
        self.lingering.pop(sock, None)
        try:
            self.poller.unregister(sock)
        except (KeyError, ValueError, OSError):
            pass
        sock.close()

    def finish_request(self, conn, fs) -> None:
        closing = not fs.cancelled() and fs.exception() is None and not fs.result()
        if closing and self.alive:
            self._drop(conn)  # instead of gunicorn's graceful close, which waits in the event loop
            return
        super().finish_request(conn, fs)

    def murder_pending(self) -> None:
        """Closes requests past their read deadline (each has its own: the list is not in order)."""
        now = time.monotonic()
        for conn in [c for c in self.pending_conns if c.timeout <= now]:
            self.pending_conns.remove(conn)
            try:
                self.poller.unregister(conn.sock)
            except (KeyError, ValueError, OSError):
                pass
            if getattr(conn, "pk_buf", None):
                self._refuse(conn, 408, f"Request Timeout: the request did not arrive within {self.read_timeout:g} s.")
            else:
                self._drop(conn)
        for sock in [s for s, deadline in self.lingering.items() if deadline <= now]:
            self._close_lingering(sock)

    # ---- at the connection limit: close idle connections rather than stop accepting
    def set_accept_enabled(self, enabled: bool) -> None:
        if not enabled and self.alive and self._evict_idle():
            return
        super().set_accept_enabled(enabled)

    def _evict_idle(self) -> bool:
        evicted = False
        while self.nr_conns >= self.worker_connections and (self.keepalived_conns or self.pending_conns):
            queue = self.keepalived_conns if self.keepalived_conns else self.pending_conns
            conn = min(queue, key=lambda c: c.timeout) if queue is self.pending_conns else queue[0]
            queue.remove(conn)
            try:
                self.poller.unregister(conn.sock)
            except (KeyError, ValueError, OSError):
                pass
            self._drop(conn)
            evicted = True
        return evicted

    # ---- writing: every send has a time limit
    def handle_request(self, req, conn):
        conn.sock.settimeout(self.write_timeout)
        try:
            return super().handle_request(req, conn)
        except TimeoutError:
            self.log.info("closed a connection to %s: the client did not read the answer within %g s",
                          conn.client, self.write_timeout)
            return False
        except OSError as e:
            if e.errno in (errno.EPIPE, errno.ECONNRESET):
                return False
            raise

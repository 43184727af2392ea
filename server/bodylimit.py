"""Request bodies are whole and within the limit before the app sees them, whatever their framing.

werkzeug enforces MAX_CONTENT_LENGTH from the Content-Length header; a chunked body has none, and
was silently cut at the limit (a truncated SPARQL Update then ran: half an update applied). This
WSGI middleware reads a body without a Content-Length up to the limit: over it, 413; cut short by
the client or malformed, 400; in both cases the app never runs. `http_worker.Worker` refuses such
bodies earlier still, before a thread reads them; this layer keeps the promise under any server.
"""

from __future__ import annotations

import io


def _plain(start_response, status: str, message: str) -> list[bytes]:
    body = (message + "\n").encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))),
                            ("Connection", "close")])
    return [body]


class BodyLimit:
    """WSGI middleware: `BodyLimit(app, max_bytes)`."""

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    def __call__(self, environ, start_response):
        if environ.get("CONTENT_LENGTH") or "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            return self.app(environ, start_response)  # a declared length: werkzeug checks it (413 / 400)
        stream = environ["wsgi.input"]
        data = bytearray()
        try:
            while len(data) <= self.max_bytes:
                chunk = stream.read(min(65536, self.max_bytes + 1 - len(data)))
                if not chunk:
                    break
                data += chunk
        except Exception:  # noqa: BLE001 - the server's chunk reader: a cut or malformed body
            return _plain(start_response, "400 Bad Request", "Bad Request: the request body is incomplete or "
                                                             "malformed; nothing was run.")
        if len(data) > self.max_bytes:
            return _plain(start_response, "413 Request Entity Too Large",
                          f"Request too large: the limit is {self.max_bytes} bytes.")
        environ["wsgi.input"] = io.BytesIO(bytes(data))
        environ["CONTENT_LENGTH"] = str(len(data))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ["wsgi.input_terminated"] = False
        return self.app(environ, start_response)

"""The access log: never a credential, and cheap enough to leave on.

gunicorn's logger builds a dict of every request header, response header and environ variable for
each line, whatever the format uses (a measurable share of a small request's cost). This one builds
the atoms of the format only, and redacts credentials wherever they could appear: the value of any
query parameter named like a token or password (a client may put one in a URL even though the server
refuses it there), and the Authorization, Proxy-Authorization and Cookie headers.
"""

from __future__ import annotations

import os
import re

from gunicorn.glogging import Logger

SECRET_PARAMS = re.compile(
    r"(?i)((?:^|[?&;])(?:[\w.-]*token|access[_-]?key|api[_-]?key|key|password|passwd|secret|auth)=)[^&;#\s]*")
SECRET_HEADERS = {"authorization", "proxy-authorization", "cookie", "x-api-key"}
REDACTED = "[redacted]"


def redact_url(text: str) -> str:
    """A URL or query string with the value of each credential-like parameter replaced."""
    return SECRET_PARAMS.sub(r"\1" + REDACTED, text) if text and "=" in text else text


class RedactingLogger(Logger):
    """gunicorn's Logger with a leaner, credential-free `atoms`."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        fmt = cfg.access_log_format or ""
        self._wants_headers = "}i" in fmt or "}o" in fmt or "}e" in fmt

    def atoms(self, resp, req, environ, request_time) -> dict:
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        sent = getattr(resp, "sent", None)
        micros = request_time.seconds * 1_000_000 + request_time.microseconds
        atoms = {
            "h": environ.get("REMOTE_ADDR", "-"), "l": "-", "u": self._get_user(environ) or "-", "t": self.now(),
            "r": f"{environ['REQUEST_METHOD']} {redact_url(environ['RAW_URI'])} {environ['SERVER_PROTOCOL']}",
            "s": status, "m": environ.get("REQUEST_METHOD"), "U": environ.get("PATH_INFO"),
            "q": redact_url(environ.get("QUERY_STRING") or ""), "H": environ.get("SERVER_PROTOCOL"),
            "b": str(sent) if sent is not None else "-", "B": sent,
            "f": redact_url(environ.get("HTTP_REFERER", "-")), "a": environ.get("HTTP_USER_AGENT", "-"),
            "T": request_time.seconds, "D": micros, "M": micros // 1000,
            "L": f"{request_time.seconds}.{request_time.microseconds:06d}", "p": f"<{os.getpid()}>",
        }
        if self._wants_headers:
            headers = req.headers if hasattr(req, "headers") else req
            for k, v in headers:
                k = k.lower()
                atoms["{" + k + "}i"] = REDACTED if k in SECRET_HEADERS else v
            for k, v in resp.headers:
                atoms["{" + k.lower() + "}o"] = v
            for k, v in environ.items():
                k = k.lower()
                if k.startswith("http_") and k[5:].replace("_", "-") in SECRET_HEADERS:
                    v = REDACTED
                elif k in ("query_string", "raw_uri", "request_uri", "http_referer") and isinstance(v, str):
                    v = redact_url(v)
                atoms["{" + k + "}e"] = v
        return atoms

"""Is a whole HTTP/1.x request in this buffer yet? The web process asks before it gives a request a thread.

`scan(buf, max_body, max_head)` reads only the framing (the end of the header block, Content-Length,
Transfer-Encoding: chunked) and says one of:

  INCOMPLETE   more bytes are needed (the connection waits in the event loop, holding no thread)
  COMPLETE     headers and the whole body are here: gunicorn's own parser takes it from there
  BODY_TOO_LARGE / HEAD_TOO_LARGE   refused without reading further (413 / 431)
  MALFORMED    framing we do not serve: two Content-Lengths, both Content-Length and chunked (a
               request-smuggling pattern), a transfer coding other than chunked, a bad chunk (400)

The scan never decides what a request means; a request it calls COMPLETE is parsed again by gunicorn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

INCOMPLETE, COMPLETE, BODY_TOO_LARGE, HEAD_TOO_LARGE, MALFORMED = (
    "incomplete", "complete", "body-too-large", "head-too-large", "hand-over")

_HEAD_END = re.compile(rb"\r?\n\r?\n")
_EXPECT_LINE = re.compile(rb"(?im)^expect[ \t]*:[^\r\n]*\r?\n")
_MAX_CHUNK_LINE = 1024  # a chunk-size line with extensions; longer is not a client we serve


@dataclass(frozen=True)
class Scan:
    verdict: str
    path: bytes = b""  # the request target's path (no query string), when the request line was read
    head_end: int = 0  # offset just past the blank line ending the headers
    expects_continue: bool = False
    body_bytes: int = 0  # the body's length (decoded, for chunked) when known so far
    chunked: bool = False


def worth_scanning(buf: bytes | bytearray, last: Scan | None, scanned: int) -> bool:
    """Whether `scan` could say something new now that `buf` has grown from `scanned` bytes: keeps a
    client that sends its request a byte at a time from making the event loop rescan it each time."""
    if last is None or last.head_end == 0:  # no end of headers yet: look only at the new bytes
        start = max(0, scanned - 3)
        return _HEAD_END.search(buf, start) is not None or len(buf) > (1 << 16)
    if last.chunked:  # a chunked body ends with a blank line; or it grew by a lot (the size limit)
        return buf.endswith(b"\r\n\r\n") or len(buf) - scanned >= (1 << 16)
    return len(buf) - last.head_end >= last.body_bytes


def scan(buf: bytes | bytearray, max_body: int, max_head: int = 65536) -> Scan:
    """Where `buf` (the bytes a connection has sent, from the start of a request) stands."""
    m = _HEAD_END.search(buf, 0, max_head + 4)
    if m is None:
        return Scan(HEAD_TOO_LARGE if len(buf) > max_head else INCOMPLETE)
    head, end = buf[:m.start()], m.end()
    lines = head.split(b"\n")
    parts = lines[0].strip().split(b" ")
    path = parts[1].split(b"?", 1)[0] if len(parts) == 3 else b""
    length, chunked, expects = None, False, False
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if not sep:
            continue
        name, value = name.strip().lower(), value.strip()
        if name == b"content-length":
            if length is not None or not value.isdigit():
                return Scan(MALFORMED, path, end)  # duplicate or odd length
            length = int(value)
        elif name == b"transfer-encoding":
            if value.lower() != b"chunked" or chunked:
                return Scan(MALFORMED, path, end)
            chunked = True
        elif name == b"expect":
            expects = value.lower() == b"100-continue"
    if chunked and length is not None:
        return Scan(MALFORMED, path, end)  # both framings: a smuggling pattern
    if chunked:
        return _scan_chunked(buf, end, max_body, path, expects)
    length = length or 0
    if length > max_body:
        return Scan(BODY_TOO_LARGE, path, end, expects, length)
    done = len(buf) - end >= length
    return Scan(COMPLETE if done else INCOMPLETE, path, end, expects, length)


def _scan_chunked(buf: bytes | bytearray, end: int, max_body: int, path: bytes, expects: bool) -> Scan:
    pos, total = end, 0
    while True:
        nl = buf.find(b"\r\n", pos, pos + _MAX_CHUNK_LINE)
        if nl < 0:
            if len(buf) - pos > _MAX_CHUNK_LINE:
                return Scan(MALFORMED, path, end)
            return Scan(INCOMPLETE, path, end, expects, total, True)
        size_text = buf[pos:nl].split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            return Scan(MALFORMED, path, end)
        if size == 0:  # the last chunk; then trailers (usually none) and a blank line
            if buf.startswith(b"\r\n", nl + 2):
                return Scan(COMPLETE, path, end, expects, total)
            trailers_end = buf.find(b"\r\n\r\n", nl + 2)
            return Scan(COMPLETE if trailers_end >= 0 else INCOMPLETE, path, end, expects, total, True)
        total += size
        if total > max_body:
            return Scan(BODY_TOO_LARGE, path, end, expects, total)
        data_end = nl + 2 + size
        if len(buf) < data_end + 2:
            return Scan(INCOMPLETE, path, end, expects, total, True)
        if buf[data_end:data_end + 2] != b"\r\n":
            return Scan(MALFORMED, path, end)
        pos = data_end + 2


def without_expect(buf: bytes, head_end: int) -> bytes:
    """The request with its `Expect: 100-continue` header removed (answered already, by us)."""
    return _EXPECT_LINE.sub(b"", buf[:head_end], count=1) + buf[head_end:]

"""Turn a file's bytes into text: detect the encoding, refuse what is not text."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from policykg.loaders.errors import ExtractionError

# Encodings a Chinese government text is published in, most likely first.
_CANDIDATES = ("gb18030", "big5")


@dataclass(frozen=True)
class SourceText:
    """A decoded file: the text every offset in a record points into."""

    file: str
    path: str
    text: str
    encoding: str
    sha256: str


def decode_bytes(data: bytes, file: str = "<bytes>") -> tuple[str, str]:
    """Return (text, encoding). UTF-8 first (fast path), then GB18030 / Big5."""
    if not data.strip():
        raise ExtractionError(file, "the file is empty")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if b"\x00" in data[:4096]:
        raise ExtractionError(file, "not a text file (binary content)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    text, encoding = _detect(data)
    if text is None:
        raise ExtractionError(file, "not a text file (no Chinese text encoding fits its bytes)")
    return text, encoding


def _detect(data: bytes) -> tuple[str | None, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(_CANDIDATES) + ["utf_8", "big5hkscs", "gbk"]).best()
    if best is not None and best.encoding:
        encoding = best.encoding.replace("_", "-")
        if encoding in ("gbk", "gb2312"):
            encoding = "gb18030"  # a superset: never loses a character GBK has
        return data.decode(encoding, errors="replace"), encoding
    for encoding in _CANDIDATES:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return None, ""


def _looks_like_text(text: str) -> bool:
    sample = text[:20000]
    if not sample:
        return False
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\r\n\t\f") or 0xE000 <= ord(ch) <= 0xF8FF)
    return bad / len(sample) < 0.02


def read_source(path: str | Path) -> SourceText:
    """Read and decode one file; raises ExtractionError naming the file."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ExtractionError(p.name, f"cannot read: {exc.strerror or exc}") from None
    text, encoding = decode_bytes(data, p.name)
    if not _looks_like_text(text):
        raise ExtractionError(p.name, "not a text file (control characters in its content)")
    return SourceText(p.name, str(p), text, encoding, hashlib.sha256(data).hexdigest())


def read_text(path: str | Path) -> str:
    """The decoded text of a file, as offsets in its record count it."""
    return read_source(path).text

"""Turn a file's bytes into text: only regular files, within a size limit, any encoding.

- Only regular files are read: a FIFO, a device or a socket would block the reader (and the
  store's write lock behind it), so it is refused by name. The file is opened without blocking
  and checked on its descriptor, so nothing swapped in between a check and the open is read.
- A size limit (`DEFAULT_MAX_BYTES`, raised with `max_bytes`, `--max-bytes` on the command
  line) bounds what one file may cost; beyond it the file is refused by name.
- Decoding: UTF-8 first (fast path); a UTF-8 file with a few invalid bytes (a cut download) is
  decoded with U+FFFD in their place, which the record flags as lost characters; otherwise
  GB18030 / Big5 are detected. UTF-16 with a byte-order mark is decoded with replacement too.
- File names: bytes that are not UTF-8 (GBK names in archives from Windows) are decoded for
  display, GB18030 first, and the record says how (`SourceText.name_encoding`).
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from policykg.loaders.errors import ExtractionError

# Encodings a Chinese government text is published in, most likely first.
_CANDIDATES = ("gb18030", "big5")
# The largest file read unless the caller raises the limit: a long action plan is 1 MB; the
# extractor holds about 25 bytes per byte of input while it works.
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
# Encodings tried, in order, for a file name whose bytes are not UTF-8.
_NAME_ENCODINGS = ("gb18030", "big5")


@dataclass(frozen=True)
class SourceText:
    """A decoded file: the text every offset in a record points into."""

    file: str  # the file's name, printable (see name_encoding)
    path: str  # the path as given, printable
    text: str
    encoding: str
    sha256: str
    name_encoding: str | None = None  # how a name that was not UTF-8 was decoded ("gb18030", …)


def printable_path(path: str | os.PathLike) -> tuple[str, str | None]:
    """(path as printable text, how its bytes were decoded or None when they are UTF-8).

    Python hands over undecodable bytes of a file name as lone surrogates, which no UTF-8
    output accepts. Each part of the path is decoded on its own: UTF-8, else GB18030, else
    Big5, else UTF-8 with U+FFFD for what fits none."""
    try:
        raw = os.fsencode(path)
    except UnicodeEncodeError:  # surrogates that did not come from file-name bytes
        raw = os.fspath(path).encode("utf-8", "surrogatepass")
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    used: str | None = None
    parts = []
    for part in raw.split(b"/"):
        for encoding in ("utf-8", *_NAME_ENCODINGS):
            try:
                parts.append(part.decode(encoding))
            except UnicodeDecodeError:
                continue
            if encoding != "utf-8":
                used = used or encoding
            break
        else:
            parts.append(part.decode("utf-8", errors="replace"))
            used = used or "utf-8 with replacement characters"
    return "/".join(parts), used


def file_on_disk(path: str | os.PathLike) -> Path:
    """The file a printable path (as a record carries it) names on disk: each part as written,
    else encoded back with the encodings `printable_path` decodes names with."""
    p = Path(path)
    if p.exists():
        return p
    found = Path(p.anchor) if p.is_absolute() else Path()
    for part in p.parts[1:] if p.is_absolute() else p.parts:
        for candidate in _name_candidates(part):
            if (found / candidate).exists():
                found = found / candidate
                break
        else:
            return p
    return found


def _name_candidates(part: str) -> list[str]:
    out = [part]
    for encoding in _NAME_ENCODINGS:
        try:
            out.append(os.fsdecode(part.encode(encoding)))
        except UnicodeEncodeError:
            continue
    return out


def read_file_bytes(path: str | os.PathLike, max_bytes: int | None = None, what: str = "file") -> bytes:
    """The bytes of a regular file no larger than `max_bytes` (default `DEFAULT_MAX_BYTES`);
    `ExtractionError` naming the file for anything else (missing, a FIFO, a directory, too big)."""
    limit = DEFAULT_MAX_BYTES if max_bytes is None else max_bytes
    name = printable_path(Path(path).name)[0]
    try:
        # O_NONBLOCK: opening a FIFO with no writer would wait forever; the check below refuses it
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise ExtractionError(name, f"cannot read: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ExtractionError(name, f"not a regular file ({_kind(info.st_mode)}): only regular files are read")
        if info.st_size > limit:
            raise ExtractionError(name, f"{what} of {info.st_size:,} bytes is over the limit of {limit:,} bytes "
                                        f"(raise it with --max-bytes)")
        with os.fdopen(fd, "rb", closefd=False) as stream:
            data = stream.read(limit + 1)  # (a file that grows while it is read stops at the limit)
    except OSError as exc:
        raise ExtractionError(name, f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise ExtractionError(name, f"{what} grew past the limit of {limit:,} bytes while it was read "
                                    f"(raise it with --max-bytes)")
    return data


def _kind(mode: int) -> str:
    for test, kind in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return kind
    return "not a plain file"


def decode_bytes(data: bytes, file: str = "<bytes>") -> tuple[str, str]:
    """Return (text, encoding). UTF-8 first (fast path), then GB18030 / Big5; a few bytes that
    fit no encoding become U+FFFD (flagged as lost characters in the record)."""
    if not data.strip():
        raise ExtractionError(file, "the file is empty")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    if b"\x00" in data[:4096]:
        raise ExtractionError(file, "not a text file (binary content)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    lost = text.count("\ufffd") - data.count("\ufffd".encode("utf-8"))  # bytes that are not UTF-8
    if lost <= max(8, len(data) // 50):
        # a UTF-8 text with a few broken bytes (a cut download, a bad sector, a lone surrogate);
        # in a GB18030 or Big5 text nearly every Chinese character breaks UTF-8
        return text, "utf-8"
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


def read_source(path: str | os.PathLike, max_bytes: int | None = None) -> SourceText:
    """Read and decode one regular file of at most `max_bytes` (default `DEFAULT_MAX_BYTES`);
    raises ExtractionError naming the file."""
    p = Path(path)
    data = read_file_bytes(p, max_bytes)
    file, name_encoding = printable_path(p.name)
    shown, path_encoding = printable_path(p)
    text, encoding = decode_bytes(data, file)
    if not _looks_like_text(text):
        raise ExtractionError(file, "not a text file (control characters in its content)")
    return SourceText(file, shown, text, encoding, hashlib.sha256(data).hexdigest(), name_encoding or path_encoding)


def read_text(path: str | os.PathLike, max_bytes: int | None = None) -> str:
    """The decoded text of a file, as offsets in its record count it."""
    return read_source(path, max_bytes).text

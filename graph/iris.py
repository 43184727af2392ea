"""Deterministic ASCII IRIs (the scheme is described in README.md ("The knowledge graph")).

Everything is minted from matching keys that are equal for the same thing in either script
(the records' `jurisdiction_key`, `plan_key`, `path_key`, mention `key`), so loading twice gives
the same IRIs and the zh-Hans and zh-Hant texts of one plan meet on one work IRI.
Non-ASCII keys are hashed: `h(key)` is the first 12 hex digits of SHA-1 over the UTF-8 key.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_ASCII_SLUG = re.compile(r"[^A-Za-z0-9._-]+")


def h(key: str, n: int = 12) -> str:
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:n]


def file_slug(file_name: str) -> str:
    """A file name as an IRI segment: itself when it is plain ASCII, else a hash."""
    stem = file_name[:-4] if file_name.lower().endswith(".txt") else file_name
    if stem and not _ASCII_SLUG.search(stem) and len(stem) <= 80:
        return stem
    return "f-" + h(file_name)


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}


def _cn_int(tok: str) -> int | None:
    if tok.isdigit():
        return int(tok)
    if not tok or any(c not in _CN_DIGITS and c not in "十百" for c in tok):
        return None
    total = cur = 0
    for c in tok:
        if c == "百":
            total += (cur or 1) * 100
            cur = 0
        elif c == "十":
            total += (cur or 1) * 10
            cur = 0
        else:
            cur = _CN_DIGITS[c]
    return total + cur


def canonical_path(path: str) -> str:
    """Canonical numbering path (`二/（一）/1` -> `2/(1)/1`), as the records' `path_key`.

    Used only when a record lacks `path_key`."""
    out = []
    for seg in str(path or "").split("/"):
        seg = unicodedata.normalize("NFKC", seg).strip()
        if not seg:
            continue
        paren = seg.startswith(("(", "〔"))
        core = re.sub(r"[()〔〕、.．\s]", "", seg)
        n = _cn_int(core)
        out.append(seg if n is None else (f"({n})" if paren else str(n)))
    return "/".join(out)


def path_slug(path_key: str) -> str:
    """`2/(1)/1` -> `2-p1-1`; a level that is not a number becomes `x` + a hash."""
    parts = []
    for seg in path_key.split("/"):
        if seg.isdigit():
            parts.append(seg)
        elif re.fullmatch(r"\((\d+)\)", seg):
            parts.append("p" + seg[1:-1])
        else:
            parts.append("x" + h(seg, 8))
    return "-".join(parts) or "root"


class Minter:
    """Mints the data IRIs of one base (default https://w3id.org/policykg/id/)."""

    def __init__(self, base: str):
        self.base = base

    def jurisdiction(self, slug: str) -> str:
        return f"{self.base}jurisdiction/{slug}"

    def work(self, scope: str, kind: str, key: str) -> str:
        # kind: p (plan), n (notice issuing plans), b (bundle without a notice list), d (other document)
        return f"{self.base}work/{scope}/{kind}-{h(key)}"

    @staticmethod
    def expression(work: str, script: str, partial_of: str | None = None) -> str:
        if partial_of:
            return f"{work}/{script}/partial-{partial_of[:12]}"
        return f"{work}/{script}"

    @staticmethod
    def measure(work: str, path_key: str) -> str:
        return f"{work}/measure/{path_slug(path_key)}"

    @staticmethod
    def obligation(measure: str, role: str, agent: str) -> str:
        return f"{measure}/obligation/{role}-{h(agent, 10)}"

    @staticmethod
    def figure(measure: str, key: str) -> str:
        return f"{measure}/figure/{h(key, 10)}"

    @staticmethod
    def deadline(measure: str, key: str) -> str:
        return f"{measure}/deadline/{h(key, 10)}"

    def file(self, sha256: str) -> str:
        return f"{self.base}file/{sha256[:16]}"

    @staticmethod
    def selection(file_iri: str, start: int, end: int) -> str:
        return f"{file_iri}/text/{start}-{end}"

    def agency(self, scope: str, local: str) -> str:
        return f"{self.base}agency/{scope}/{local}"

    def collective(self, scope: str, key: str) -> str:
        return f"{self.base}collective/{scope}/h-{h(key)}"

    def function(self, fid: str) -> str:
        return f"{self.base}function/{fid}"

    def function_scheme(self) -> str:
        return f"{self.base}function"

    def unit(self, key: str) -> str:
        return f"{self.base}unit/{h(key, 10)}"

"""Deterministic ASCII IRIs (the scheme is described in README.md ("The knowledge graph")).

Everything is minted from matching keys that are equal for the same thing in either script
(the records' `jurisdiction_key`, `plan_key`, `path_key`, mention `key`), so loading twice gives
the same IRIs and the zh-Hans and zh-Hant texts of one plan meet on one work IRI.
Non-ASCII keys are hashed: `h(key)` is the first 12 hex digits of SHA-1 over the UTF-8 key.
"""

from __future__ import annotations

import hashlib
import re

# The numbering-path canonicaliser is the loaders' (one in the project); build.py uses it for
# records without `path_key`.
from policykg.loaders import canonical_path as canonical_path

_ASCII_SLUG = re.compile(r"[^A-Za-z0-9._-]+")


def h(key: str, n: int = 12) -> str:
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:n]


def file_slug(file_name: str) -> str:
    """A file name as an IRI segment: itself when it is plain ASCII, else a hash."""
    stem = file_name[:-4] if file_name.lower().endswith(".txt") else file_name
    if stem and not _ASCII_SLUG.search(stem) and len(stem) <= 80:
        return stem
    return "f-" + h(file_name)


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

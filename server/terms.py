"""Readable names for the vocabulary terms pages show: roles, modalities, figure roles, comparators,
units and classes, in Chinese and English, read from the ontology's own labels (one source of truth),
plus the few presentation symbols the ontology does not carry (≤ ≥ = ~ for ODRL operators)."""

from __future__ import annotations

import functools
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox
from policykg.graph.namespaces import PREFIXES, compact

RDFS_LABEL = PREFIXES["rdfs"] + "label"
SKOS_PREF = PREFIXES["skos"] + "prefLabel"
ODRL = PREFIXES["odrl"]

# how a comparator reads in a figure row; the ontology names them (odrl:lteq, pkg:range) but a reader
# wants the sign
COMPARATOR_SIGNS = {ODRL + "lteq": "≤", ODRL + "lt": "<", ODRL + "gteq": "≥", ODRL + "gt": ">",
                    ODRL + "eq": "=", PREFIXES["pkg"] + "range": "~"}
# the ODRL operators are not ours: their names, for the title attribute of the sign
ODRL_NAMES = {ODRL + "lteq": ("at most", "不超过"), ODRL + "lt": ("less than", "低于"),
              ODRL + "gteq": ("at least", "不低于"), ODRL + "gt": ("more than", "超过"),
              ODRL + "eq": ("equal to", "等于")}


@functools.lru_cache(maxsize=4)
def ontology_labels(ontology_dir: str) -> dict[str, dict[str, str]]:
    """iri -> {"en": …, "zh": …} for every term the ontology files label."""
    out: dict[str, dict[str, str]] = {}
    for f in sorted(Path(ontology_dir).glob("*.ttl")):
        for q in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE):
            if q.predicate.value not in (RDFS_LABEL, SKOS_PREF) or not isinstance(q.object, ox.Literal):
                continue
            lang = (q.object.language or "").lower()
            key = "zh" if lang.startswith("zh") else "en" if lang in ("en", "") else None
            if key and isinstance(q.subject, ox.NamedNode):
                out.setdefault(q.subject.value, {}).setdefault(key, q.object.value)
    for iri, (en, zh) in ODRL_NAMES.items():
        out.setdefault(iri, {"en": en, "zh": zh})
    return out


class Terms:
    """Labels of vocabulary terms for one server (its ontology folder)."""

    def __init__(self, ontology_dir: Path):
        self.labels = ontology_labels(str(ontology_dir))

    def zh(self, iri: str | None) -> str:
        return self._pick(iri, "zh", "en")

    def en(self, iri: str | None) -> str:
        return self._pick(iri, "en", "zh")

    def both(self, iri: str | None) -> str:
        """牵头 · lead: the Chinese and the English name, or the compact IRI when neither is known."""
        if not iri:
            return ""
        d = self.labels.get(iri)
        if not d:
            return compact(iri).strip("<>")
        return " · ".join(dict.fromkeys(v for v in (d.get("zh"), d.get("en")) if v))

    def known(self, iri: str) -> bool:
        return iri in self.labels

    def _pick(self, iri: str | None, first: str, second: str) -> str:
        if not iri:
            return ""
        d = self.labels.get(iri) or {}
        return d.get(first) or d.get(second) or compact(iri).strip("<>")


def comparator_sign(iri: str | None) -> str:
    return COMPARATOR_SIGNS.get(iri or "", "")


def readable_number(text: str | None) -> str:
    """12500000 -> 1250万, 100000000 -> 1亿, 0.5 -> 0.5: how a Chinese text would print the amount."""
    if text is None:
        return ""
    try:
        v = Decimal(text)
    except InvalidOperation:
        return text
    for size, word in ((Decimal(100000000), "亿"), (Decimal(10000), "万")):
        if abs(v) >= size and (v / size) == (v / size).quantize(Decimal("0.01")):
            return f"{(v / size).normalize():f}{word}"
    return f"{v.normalize():,f}" if abs(v) >= 1000 else f"{v.normalize():f}"

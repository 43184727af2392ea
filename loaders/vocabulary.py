"""The loaders' word lists, read once from the data files in `loaders/data/`.

Every list the loaders match (units, comparator words, role labels, table
headers, name endings, places, …) lives in one tab-separated file whose `#`
lines say what the columns mean (see `loaders/data/README.md`). Regular
expressions are built from the lists by `alternation`, longest word first, as
dateparser does with its locale data: a file never has to be kept in order,
and adding a unit or a role label is one line in one file.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources


@functools.cache
def table(name: str) -> tuple[dict[str, str], ...]:
    """The rows of `loaders/data/<name>` as dicts keyed by the header row (read once)."""
    text = resources.files("policykg.loaders").joinpath("data", name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    header = lines[0].split("\t")
    rows = []
    for line in lines[1:]:
        cells = line.split("\t")
        rows.append(dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=True)))
    return tuple(rows)


def alternation(words: Iterable[str]) -> str:
    """A non-capturing regex alternation of literal words, longest first.

    Longest first makes the pattern take 个工作日 over 个 and 以上 over 上 wherever
    both could match at one place; equal lengths are sorted only to make the
    pattern the same on every run (two different words of one length never
    match at the same place)."""
    unique = sorted(set(words), key=lambda w: (-len(w), w))
    if not unique:
        raise ValueError("an alternation needs at least one word")
    return "(?:" + "|".join(re.escape(w) for w in unique) + ")"


def _column(name: str, column: str, **where: str) -> tuple[str, ...]:
    return tuple(r[column] for r in table(name) if all(r[k] == v for k, v in where.items()))


# ---------------------------------------------------------------- figures


@dataclass(frozen=True)
class Unit:
    """A unit as printed, the unit a record gives for it, and its QUDT unit."""

    written: str
    canonical: str
    dimension: str
    qudt: str  # local name under http://qudt.org/vocab/unit/, "" when QUDT has none


@functools.cache
def units() -> tuple[Unit, ...]:
    """Every unit a figure may carry (`loaders/data/units.tsv`)."""
    return tuple(Unit(r["written"], r["canonical"], r["dimension"], r["qudt"]) for r in table("units.tsv"))


def comparator_words(position: str) -> dict[str, str]:
    """Words before (`position="before"`) or after a figure → comparator (`none`: no target)."""
    return {r["word"]: r["comparator"] for r in table("comparators.tsv") if r["position"] == position}


# ---------------------------------------------------------------- responsibility clauses

OWNER_ROLES = ("lead", "responsible", "co")


def role_labels() -> dict[str, str]:
    """Labels before a colon → meaning (lead, responsible, co, person, supervisor, deadline)."""
    return {r["label"]: r["meaning"] for r in table("role_labels.tsv")}


def role_words() -> dict[str, str]:
    """Words that close a group of names → role (lead, co, or `label`: the clause label's role)."""
    return {r["word"]: r["role"] for r in table("role_words.tsv")}


def inheritance_words(slot: str) -> tuple[str, ...]:
    """The words of one slot of an inheritance clause (scope, object, all, verb, again, listed)."""
    words = _column("inheritance.tsv", "word", slot=slot)
    if not words:
        raise KeyError(f"no inheritance words for slot {slot!r}")
    return words


def name_endings(kind: str) -> tuple[str, ...]:
    """Endings of names of one kind: organisation, not-organisation, person."""
    return _column("name_endings.tsv", "ending", kind=kind)


# ---------------------------------------------------------------- tables, metadata, places


@dataclass(frozen=True)
class Header:
    header: str
    meaning: str
    anchor: bool  # this header alone shows that the numbered rows below form a task table


@functools.cache
def table_headers() -> tuple[Header, ...]:
    """Header cells of task tables (`loaders/data/table_headers.tsv`)."""
    return tuple(Header(r["header"], r["meaning"], r["anchor"] == "yes") for r in table("table_headers.tsv"))


def metadata_labels(field: str, form: str) -> tuple[str, ...]:
    """Row labels of a metadata field (date, issuer) printed in one form (bracket, colon, colon-optional)."""
    return _column("metadata_labels.tsv", "label", field=field, form=form)


def noise_words(kind: str) -> tuple[str, ...]:
    """Words that mark web page furniture (`page`) or two characters that name no place (`not-place`)."""
    return _column("noise_words.tsv", "word", kind=kind)


@dataclass(frozen=True)
class Place:
    """A province, city or district; `code` is its GB/T 2260 code, "" when not yet looked up."""

    code: str
    name: str
    short: str
    level: str
    parent: str
    en: str


@functools.cache
def places() -> tuple[Place, ...]:
    """Every place the loaders and the gazetteer know by name (`loaders/data/places.tsv`)."""
    return tuple(Place(r["code"], r["name"], r["short"], r["level"], r["parent"], r["en"])
                 for r in table("places.tsv"))

"""Canned queries: `.rq` files in server/queries/ with a small header declaring their parameters.

    # title: What does agency X own?
    # description: Measures an agency is responsible for, with its role.
    # param: agency zh 科技局 | part of the agency's name, in either script
    # param: min_value decimal 0 | smallest figure value
    SELECT ... WHERE { ... FILTER(CONTAINS(?name, $agency_hans) || CONTAINS(?name, $agency_hant)) }

A parameter `$name` is a SPARQL variable, so every file is a valid query as written. To run it,
each `$name` is replaced by a properly written SPARQL term built from the value (strings are
escaped; numbers, dates and IRIs are checked against their grammar), never by pasting raw text.
Types: string, zh (a string also offered as `$name_hans` and `$name_hant`, its Simplified and
Traditional forms by OpenCC, so a search matches either script), integer, decimal, date, iri.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from policykg.graph.gazetteer import to_simplified, to_traditional

QUERY_DIR = Path(__file__).with_name("queries")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass
class Param:
    name: str
    type: str
    default: str
    description: str = ""


@dataclass
class CannedQuery:
    name: str
    title: str
    description: str
    text: str
    params: list[Param] = field(default_factory=list)

    def render(self, values: dict[str, str] | None = None) -> str:
        values = values or {}
        subst: dict[str, str] = {}
        for p in self.params:
            raw = values.get(p.name)
            if raw is None or raw == "":
                raw = p.default
            if p.type == "zh":
                hans, hant = zh_variants(raw)
                subst[p.name] = sparql_string(raw)
                subst[p.name + "_hans"] = sparql_string(hans)
                subst[p.name + "_hant"] = sparql_string(hant)
            else:
                subst[p.name] = sparql_term(p.type, raw, p.name)
        names = sorted(subst, key=len, reverse=True)
        if not names:
            return self.text
        pattern = re.compile(r"\$(" + "|".join(re.escape(n) for n in names) + r")(?![\w])")
        return pattern.sub(lambda m: subst[m.group(1)], self.text)

    def as_dict(self) -> dict:
        return {"name": self.name, "title": self.title, "description": self.description,
                "params": [p.__dict__ for p in self.params], "query": self.text}


class ParamError(ValueError):
    pass


def sparql_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # JSON string escapes are valid SPARQL ECHARs/UCHARs


def sparql_term(ptype: str, raw: str, name: str) -> str:
    raw = str(raw).strip()
    if ptype == "string":
        return sparql_string(raw)
    if ptype == "integer":
        if not re.fullmatch(r"[+-]?\d{1,18}", raw):
            raise ParamError(f"parameter {name!r} must be an integer")
        return raw
    if ptype == "decimal":
        if not re.fullmatch(r"[+-]?(\d{1,30}(\.\d{0,20})?|\.\d{1,20})", raw):
            raise ParamError(f"parameter {name!r} must be a number")
        return f'"{raw}"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    if ptype == "date":
        if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", raw):
            raise ParamError(f"parameter {name!r} must be a date such as 2025-12-31")
        return sparql_string(raw)
    if ptype == "iri":
        if not re.fullmatch(r"[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]*", raw):
            raise ParamError(f"parameter {name!r} must be an absolute IRI")
        return f"<{raw}>"
    raise ParamError(f"parameter {name!r} has unknown type {ptype!r}")


def zh_variants(text: str) -> tuple[str, str]:
    """The text in Simplified and in Traditional script (the graph's converters, OpenCC)."""
    return to_simplified(text), to_traditional(text)


def parse_rq(name: str, text: str) -> CannedQuery:
    title, description, params = name, [], []
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        body = line[1:].strip()
        key, sep, value = body.partition(":")
        key = key.strip().lower()
        if not sep:
            continue
        value = value.strip()
        if key == "title":
            title = value
        elif key == "description":
            description.append(value)
        elif key == "param":
            spec, _, desc = value.partition("|")
            parts = spec.split(None, 2)
            if len(parts) >= 2:
                params.append(Param(parts[0], parts[1], parts[2].strip() if len(parts) > 2 else "", desc.strip()))
    return CannedQuery(name, title, " ".join(description), text, params)


def load_all(directory: Path = QUERY_DIR) -> dict[str, CannedQuery]:
    out = {}
    for path in sorted(directory.glob("*.rq")):
        name = path.stem
        if _NAME.match(name):
            out[name] = parse_rq(name, path.read_text(encoding="utf-8"))
    return out

"""The extraction record as code: what the loaders hand to the graph.

One `Record` per source document. Field order is JSON key order: `Record.to_dict()` gives
exactly the JSON object `policykg extract` writes (docs/SCHEMA.md plus docs/records.md), and
`Record.from_dict()` reads one back, raising `RecordError` that names the offending key.
`record_schema()` derives the JSON Schema shipped in `data/record.schema.json` from these
classes, so the schema cannot drift from the code.

Reading is lenient in one way only: a field with a default (the spans, `sources`, `deadlines`,
`mentions`, `quality`, `coverage`) may be absent, because records written by hand or by older versions
lack them. Keys we do not know are ignored (SCHEMA.md welcomes extra keys).
"""

from __future__ import annotations

import json
import types
import typing
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from enum import Enum, StrEnum
from typing import Any

from policykg.loaders.errors import RecordError


class Role(StrEnum):
    """Who an agency is for a measure. One meaning in every layer: the graph maps each role to
    one ontology term (`policykg.graph.build.ROLE_TERMS`)."""

    LEAD = "lead"  # marked as leading (牵头, 主办, first named under a rank rule)
    RESPONSIBLE = "responsible"  # named as responsible or co-operating (责任单位, 配合, 协办)
    INHERITED = "inherited"  # from an earlier clause such as 以下均需…落实，不再单独列出


class Kind(StrEnum):
    GOAL = "goal"
    MEASURE = "measure"
    SAFEGUARD = "safeguard"


class Modality(StrEnum):
    OBLIGATION = "obligation"  # 要, 应当, 必须
    ENCOURAGEMENT = "encouragement"  # 鼓励, 支持, 引导
    PROHIBITION = "prohibition"  # 严禁, 不得, 禁止
    STATEMENT = "statement"


class Comparator(StrEnum):
    AT_LEAST = ">="
    MORE_THAN = ">"
    AT_MOST = "<="
    LESS_THAN = "<"
    EQUAL = "="
    RANGE = "range"  # the figure has `min` and `max` instead of `value`


class FigureRole(StrEnum):
    TARGET = "target"
    CAP = "cap"
    THRESHOLD = "threshold"
    RATE = "rate"
    FREQUENCY = "frequency"
    ACHIEVED = "achieved"
    AMOUNT = "amount"


class Script(StrEnum):
    SIMPLIFIED = "zh-Hans"
    TRADITIONAL = "zh-Hant"


class QualityKind(StrEnum):
    LOST_CHARACTERS = "lost_characters"  # ?? or U+FFFD where characters were lost
    PINYIN_GLOSS = "pinyin_gloss"  # 關(guān): glosses stripped before matching
    MOJIBAKE = "mojibake"  # 锛堜竴锛 / ?。ㄒ唬: garbled runs read back before matching (values keep them as printed)
    # where the extractor gave up (see Coverage): the text says who is responsible, but the
    # extractor attached those words to no measure
    OWNERS_UNATTACHED = "owners_unattached"
    # the text holds no numbered structure the extractor could read (or too little of it)
    STRUCTURE_UNRECOGNISED = "structure_unrecognised"
    # the file's name was not UTF-8 (GBK names from Windows archives): `text` says how it was
    # decoded for `file` and `path` ("gb18030", "big5", "utf-8 with replacement characters")
    FILE_NAME_ENCODING = "file_name_encoding"
    # Chinese text, but no measure and no mark of the genre (numbered items, a title, responsibility
    # clauses): not recognisably a policy document (said on stderr too)
    NOT_POLICY_TEXT = "not_policy_text"


Span = tuple[int, int]
Number = int | float


def _omit_if(test) -> dict:
    """Field metadata: leave the key out of the JSON object when `test(obj)` is true."""
    return {"omit_if": test}


def _is_range(fig: Figure) -> bool:
    return fig.comparator == Comparator.RANGE


@dataclass(kw_only=True)
class Mention:
    """One agency named for a measure, where it stands in the text."""

    name: str  # as written (as in Measure.agencies)
    key: str  # Simplified, normalised
    role: Role
    collective: bool  # 各区人民政府, 市各相关部门: a group, not one body
    start: int
    end: int
    restored: bool  # rebuilt from a shared head or tail: not verbatim; the span covers its source words


@dataclass(kw_only=True)
class Figure:
    """A quantity a measure commits to: `value`, or `min` and `max` for a range."""

    text: str
    unit: str  # as written, "" when the text gives none
    comparator: Comparator
    role: FigureRole
    start: int
    end: int
    value: Number | None = field(default=None, metadata=_omit_if(_is_range))
    min: Number | None = field(default=None, metadata=_omit_if(lambda f: not _is_range(f)))
    max: Number | None = field(default=None, metadata=_omit_if(lambda f: not _is_range(f)))


@dataclass(kw_only=True)
class Deadline:
    """A date a measure is due by (到2025年, 2024年底前)."""

    text: str
    date: str | None  # YYYY, YYYY-MM or YYYY-MM-DD
    start: int
    end: int


@dataclass(kw_only=True)
class Measure:
    """A numbered leaf item: goal, measure or safeguard, with its owners and figures."""

    path: str
    title: str
    kind: Kind
    agencies: list[str]
    lead: list[str]
    inherited: list[str]
    sources: list[str] = field(default_factory=list)
    figures: list[Figure]
    plan: str | None
    plan_key: str | None
    path_key: str
    start: int
    end: int
    title_start: int
    title_end: int
    text_start: int
    text_end: int
    modality: Modality
    deadlines: list[Deadline] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)


@dataclass(kw_only=True)
class Plan:
    """A plan the text holds (a bundle holds several)."""

    title: str
    key: str  # Simplified, normalised: the same in either script
    start: int
    end: int
    announced: bool


@dataclass(kw_only=True)
class AnnouncedPlan:
    """A title a notice lists as issued (《…》 in 关于印发…的通知)."""

    title: str
    key: str
    start: int
    end: int
    present: bool  # false when no plan of that title is in this text


@dataclass(kw_only=True)
class QualityFlag:
    """A data-quality problem of the source text, where it stands."""

    kind: QualityKind
    start: int
    end: int
    text: str
    count: int | None = field(default=None, metadata=_omit_if(lambda q: q.count is None))


@dataclass(kw_only=True)
class Coverage:
    """How much of the text the extractor understood: numbered items and responsibility markers
    found, and how many of them ended up in measures."""

    items: int  # numbered items found, every level
    measures: int  # leaf items given as measures (goals and safeguards included)
    owned: int  # measures with at least one agency (own or inherited)
    markers: int  # responsibility markers seen in the text (责任单位:, 牵头单位:, (…牵头) …)
    unattached: int  # markers that stand in no owned measure nor in a heading that passes owners on


@dataclass(kw_only=True)
class Record:
    """One source document: metadata, plans and measures, every fact with its offsets."""

    file: str
    path: str
    sha256: str
    encoding: str
    length: int
    script: Script
    title: str | None
    issuer: str | None
    doc_number: str | None
    date: str | None
    jurisdiction: str | None
    jurisdiction_key: str | None
    truncated: bool
    title_span: Span | None = None
    issuer_span: Span | None = None
    doc_number_span: Span | None = None
    date_span: Span | None = None
    plans: list[Plan]
    announced_plans: list[AnnouncedPlan]
    quality: list[QualityFlag] = field(default_factory=list)
    coverage: Coverage | None = None
    measures: list[Measure]

    def to_dict(self) -> dict[str, Any]:
        """The JSON object `policykg extract` writes, keys in the documented order."""
        return _to_plain(self)

    def to_json(self) -> str:
        """One JSON Lines line (without the newline), UTF-8 text as is."""
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Any) -> Record:
        """A record from its JSON object; raises `RecordError` naming the bad key."""
        return _from_plain(cls, data, "record")

    @classmethod
    def from_json(cls, line: str) -> Record:
        """A record from one JSON Lines line; `RecordError` when it is not JSON or not a record."""
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise RecordError(f"not a JSON record ({exc.msg})") from None
        return cls.from_dict(data)


RECORD_TYPES = (Record, Measure, Mention, Figure, Deadline, Plan, AnnouncedPlan, QualityFlag, Coverage)


# ---------------------------------------------------------------------------- to JSON
def _to_plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if is_dataclass(value) and not isinstance(value, type):
        out = {}
        for f in fields(value):
            omit = f.metadata.get("omit_if")
            if omit is None or not omit(value):
                out[f.name] = _to_plain(getattr(value, f.name))
        return out
    if isinstance(value, (list, tuple)):
        return [_to_plain(v) for v in value]
    return value


# ---------------------------------------------------------------------------- from JSON
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _describe(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, Enum) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _from_plain(hint: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        members = typing.get_args(hint)
        if value is None and type(None) in members:
            return None
        errors = []
        for member in members:
            if member is type(None):
                continue
            try:
                return _from_plain(member, value, where)
            except RecordError as exc:
                errors.append(exc)
        raise errors[0] if len(errors) == 1 else RecordError(f"{where}: {_describe(value)} is not {_name(hint)}")
    if origin is list:
        if not isinstance(value, list):
            raise RecordError(f"{where}: expected a list, got {_describe(value)}")
        (item,) = typing.get_args(hint)
        return [_from_plain(item, v, f"{where}[{i}]") for i, v in enumerate(value)]
    if origin is tuple:
        items = typing.get_args(hint)
        if not isinstance(value, list) or len(value) != len(items):
            raise RecordError(f"{where}: expected [start, end], got {_describe(value)}")
        return tuple(_from_plain(t, v, f"{where}[{i}]") for i, (t, v) in enumerate(zip(items, value, strict=True)))
    if isinstance(hint, type) and issubclass(hint, Enum):
        try:
            return hint(value)
        except ValueError:
            allowed = ", ".join(m.value for m in hint)
            raise RecordError(f"{where}: {_describe(value)} is not one of {allowed}") from None
    if is_dataclass(hint):
        return _dataclass_from_plain(hint, value, where)
    if _fits(hint, value):
        return value
    raise RecordError(f"{where}: expected {_name(hint)}, got {_describe(value)}")


def _fits(hint: Any, value: Any) -> bool:
    if hint is bool:
        return isinstance(value, bool)
    if hint in (int, float):  # JSON has one number type; bool is not a number here
        return isinstance(value, hint) and not isinstance(value, bool)
    return isinstance(value, hint)


def _dataclass_from_plain(cls: type, value: Any, where: str) -> Any:
    if not isinstance(value, dict):
        raise RecordError(f"{where}: expected an object, got {_describe(value)}")
    hints = _hints(cls)
    kwargs = {}
    for f in fields(cls):
        if f.name not in value:
            if f.default is MISSING and f.default_factory is MISSING:
                raise RecordError(f"{where}: missing key {f.name!r}")
            continue
        kwargs[f.name] = _from_plain(hints[f.name], value[f.name], f"{where}.{f.name}")
    return cls(**kwargs)


def _name(hint: Any) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}
    if hint in names:
        return names[hint]
    return str(hint).replace("typing.", "")


# ---------------------------------------------------------------------------- JSON Schema
SCHEMA_ID = "https://w3id.org/policykg/schema/record.schema.json"


def record_schema() -> dict[str, Any]:
    """JSON Schema (2020-12) of what `Record.to_dict()` writes, derived from the dataclasses."""
    defs = {cls.__name__: _object_schema(cls) for cls in RECORD_TYPES if cls is not Record}
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "policykg extraction record",
    }
    schema.update(_object_schema(Record))
    schema["$defs"] = defs
    return schema


def record_schema_text() -> str:
    """The schema as shipped in `data/record.schema.json` (stable key order, final newline)."""
    return json.dumps(record_schema(), ensure_ascii=False, indent=2) + "\n"


def _object_schema(cls: type) -> dict[str, Any]:
    hints = _hints(cls)
    props = {f.name: _type_schema(hints[f.name]) for f in fields(cls)}
    required = [f.name for f in fields(cls) if "omit_if" not in f.metadata]
    out: dict[str, Any] = {"type": "object", "description": " ".join((cls.__doc__ or cls.__name__).split())}
    out["properties"] = props
    out["required"] = required
    return out


def _type_schema(hint: Any) -> dict[str, Any]:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        members = [m for m in typing.get_args(hint) if m is not type(None)]
        nullable = len(members) < len(typing.get_args(hint))
        if set(members) == {int, float}:
            inner = {"type": "number"}
        elif len(members) == 1:
            inner = _type_schema(members[0])
        else:
            inner = {"anyOf": [_type_schema(m) for m in members]}
        if not nullable:
            return inner
        if set(inner) == {"type"}:  # a plain JSON type: ["string", "null"]
            return {"type": [inner["type"], "null"]}
        return {"anyOf": [inner, {"type": "null"}]}
    if origin is list:
        return {"type": "array", "items": _type_schema(typing.get_args(hint)[0])}
    if origin is tuple:
        items = [_type_schema(t) for t in typing.get_args(hint)]
        return {"type": "array", "prefixItems": items, "minItems": len(items), "maxItems": len(items)}
    if isinstance(hint, type) and issubclass(hint, Enum):
        return {"type": "string", "enum": [m.value for m in hint]}
    if is_dataclass(hint):
        return {"$ref": f"#/$defs/{hint.__name__}"}
    return {"type": {str: "string", int: "integer", float: "number", bool: "boolean"}[hint]}

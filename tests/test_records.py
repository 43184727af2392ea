"""The record contract: dataclasses, shipped JSON Schema, docs and real extractor output agree.

Docs as tests: the key tables of docs/records.md and the required keys of docs/SCHEMA.md are read
here and compared with the dataclasses of `policykg.loaders.records` and with what the extractor
writes on the corpus and both development sets.
"""

from __future__ import annotations

import json
import re
import types
import typing
from dataclasses import MISSING, fields, is_dataclass
from enum import Enum
from pathlib import Path

import jsonschema
import pytest
from policykg.graph.build import FIGURE_ROLES, KINDS, MODALITIES, ROLE_SLUGS, ROLE_TERMS
from policykg.graph.load import load_paths
from policykg.graph.ontology import ontology_graph
from policykg.graph.store import open_store
from policykg.loaders import (
    ExtractionError,
    FigureRole,
    Kind,
    Modality,
    Record,
    RecordError,
    Role,
    extract_file,
    extract_text,
    record_schema,
    record_schema_path,
)
from policykg.loaders.records import RECORD_TYPES, record_schema_text
from rdflib.namespace import SKOS

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
FIX = Path(__file__).parent / "fixtures"
TEXTS = [ROOT / "corpus", ROOT / "tests/data/dev/extra/texts", ROOT / "tests/data/dev/web/texts"]
TYPES = {cls.__name__: cls for cls in RECORD_TYPES}
# where each record type sits in a record's JSON
NESTED = {"plans": "Plan", "announced_plans": "AnnouncedPlan", "quality": "QualityFlag", "measures": "Measure",
          "figures": "Figure", "deadlines": "Deadline", "mentions": "Mention", "coverage": "Coverage"}


@pytest.fixture(scope="module")
def written() -> list[dict]:
    """What `policykg extract` writes for every text of the corpus and the development sets."""
    files = sorted(f for d in TEXTS for f in d.glob("*.txt"))
    assert len(files) >= 50
    return [json.loads(extract_file(f).to_json()) for f in files]


def objects_by_type(records: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {name: [] for name in TYPES}

    def walk(obj: dict, name: str) -> None:
        out[name].append(obj)
        for key, value in obj.items():
            if key in NESTED and isinstance(value, list):
                for item in value:
                    walk(item, NESTED[key])
            elif key in NESTED and isinstance(value, dict):
                walk(value, NESTED[key])

    for r in records:
        walk(r, "Record")
    return out


def always_written(cls) -> set[str]:
    return {f.name for f in fields(cls) if "omit_if" not in f.metadata}


def may_be_absent(cls) -> set[str]:
    return {f.name for f in fields(cls) if f.default is not MISSING or f.default_factory is not MISSING}


# ---------------------------------------------------------------------------- the schema
def test_shipped_schema_is_what_the_dataclasses_generate():
    shipped = record_schema_path().read_text(encoding="utf-8")
    assert shipped == record_schema_text(), (
        "loaders/data/record.schema.json is stale; regenerate it with\n"
        "  .venv/bin/python -c 'from policykg.loaders.records import record_schema_text as t; "
        "open(\"loaders/data/record.schema.json\", \"w\", encoding=\"utf-8\").write(t())'")


def test_every_record_the_extractor_writes_validates_against_the_schema(written):
    schema = json.loads(record_schema_path().read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for r in written:
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(r)]
        assert not errors, (r["file"], errors[:5])


def test_the_schema_refuses_what_the_contract_refuses(written):
    validator = jsonschema.Draft202012Validator(record_schema())
    r = json.loads(json.dumps(next(x for x in written if any(m["mentions"] for m in x["measures"]))))
    mention = next(m for m in r["measures"] if m["mentions"])["mentions"][0]
    mention["role"] = "co"  # the clause parser's word, never a record's
    assert not validator.is_valid(r)
    del r["measures"][0]["path"]
    assert len(list(validator.iter_errors(r))) == 2


# ---------------------------------------------------------------------------- records round-trip
def test_records_read_back_write_the_same_bytes(written):
    for r in written:
        line = json.dumps(r, ensure_ascii=False)
        assert Record.from_json(line).to_json() == line


def test_the_extractor_writes_every_field_and_nothing_else(written):
    """Per record type: keys present in every object are the always-written fields, and the
    union of keys is exactly the dataclass's fields (the optional ones do occur)."""
    for name, objs in objects_by_type(written).items():
        assert objs, name
        cls = TYPES[name]
        keys = [set(o) for o in objs]
        assert set.union(*keys) == {f.name for f in fields(cls)}, name
        assert set.intersection(*keys) == always_written(cls), name


def test_key_order_is_the_field_order(written):
    for name, objs in objects_by_type(written).items():
        order = [f.name for f in fields(TYPES[name])]
        for o in objs[:50]:
            assert list(o) == [k for k in order if k in o], name


# ---------------------------------------------------------------------------- docs as tests
def records_md_tables() -> dict[str, list[tuple[list[str], str, str]]]:
    """{type name: [(keys, type, meaning)]} from docs/records.md's '## … (Type …)' tables."""
    out: dict[str, list[tuple[list[str], str, str]]] = {}
    current = None
    for line in (DOCS / "records.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            names = [n for n in TYPES if re.search(rf"\b{n}\b", line)]
            assert len(names) == 1, f"records.md heading names no single record type: {line}"
            current = names[0]
            out[current] = []
        elif current and line.startswith("| `"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            keys = re.findall(r"`([a-z_0-9]+)`", cells[0])
            out[current].append((keys, cells[1], cells[2]))
    return out


def test_records_md_documents_every_field_of_every_type():
    tables = records_md_tables()
    assert set(tables) == set(TYPES)
    for name, rows in tables.items():
        documented = [k for keys, _, _ in rows for k in keys]
        assert len(documented) == len(set(documented)), (name, documented)
        assert set(documented) == {f.name for f in fields(TYPES[name])}, name


def _documented_type(hint) -> str:
    """How records.md writes a field's type: str, int, bool, list, number, [start, end], or null."""
    members = set(typing.get_args(hint)) if typing.get_origin(hint) in (typing.Union, types.UnionType) else {hint}
    nullable = type(None) in members
    members.discard(type(None))
    if members == {int, float}:
        base = "number"
    else:
        (only,) = members
        if typing.get_origin(only) is list:
            base = "list"
        elif typing.get_origin(only) is tuple:
            base = "[start, end]"
        elif issubclass(only, Enum):
            base = "str"  # written as its value
        elif is_dataclass(only):
            base = "object"  # a nested record type (Coverage)
        else:
            base = {str: "str", int: "int", bool: "bool"}[only]
    return f"{base} or null" if nullable else base


def test_records_md_types_enums_and_absence_agree_with_the_dataclasses():
    for name, rows in records_md_tables().items():
        cls = TYPES[name]
        hints = typing.get_type_hints(cls)
        absent = may_be_absent(cls)
        for keys, doc_type, meaning in rows:
            for key in keys:
                expected = _documented_type(hints[key])
                if key not in always_written(cls):  # left out rather than written as null
                    expected = {expected, expected.removesuffix(" or null")}
                else:
                    expected = {expected}
                assert doc_type.replace("`", "") in expected, (name, key, doc_type)
                says_absent = "absent" in meaning
                assert says_absent == (key in absent), (name, key, "may be absent?")
                hint = hints[key]
                if isinstance(hint, type) and issubclass(hint, Enum):
                    listed = set(re.findall(r"`([^`]+)`", meaning))
                    assert {m.value for m in hint} <= listed, (name, key, meaning)


def schema_md_example() -> dict:
    text = (DOCS / "SCHEMA.md").read_text(encoding="utf-8")
    block = re.search(r"```json\n(.*?)\n```", text, re.S).group(1)
    return json.loads(block)


def test_schema_md_required_keys_are_fields_every_record_has(written):
    """SCHEMA.md's keys (fixed by the scorer) are dataclass fields a reader requires and the
    extractor always writes (a figure's `value` gives way to `min`/`max` in a range)."""
    example = schema_md_example()
    required = {
        "Record": set(example),
        "Measure": set(example["measures"][0]),
        "Figure": set(example["measures"][0]["figures"][0]),
    }
    by_type = objects_by_type(written)
    for name, keys in required.items():
        cls = TYPES[name]
        assert keys <= {f.name for f in fields(cls)}, name
        if name == "Figure":
            keys = keys - {"value"}
            assert all(("value" in f) != ("min" in f and "max" in f) for f in by_type["Figure"])
        assert not keys & may_be_absent(cls), (name, keys & may_be_absent(cls))
        assert all(keys <= set(o) for o in by_type[name]), name


def test_schema_md_closed_sets_are_the_enums():
    text = (DOCS / "SCHEMA.md").read_text(encoding="utf-8")
    kinds = schema_md_example()["measures"][0]["kind"]
    assert set(kinds.split(" | ")) == {k.value for k in Kind}
    for comparator in ("`>=`", "`>`", "`<=`", "`=`", "`range`"):
        assert comparator in text


# ---------------------------------------------------------------------------- one meaning per layer
@pytest.mark.parametrize("table,enum", [(ROLE_TERMS, Role), (KINDS, Kind), (MODALITIES, Modality),
                                        (FIGURE_ROLES, FigureRole)])
def test_each_enum_value_is_the_notation_of_its_ontology_term(table, enum):
    onto = ontology_graph()
    assert set(table) == set(enum)
    for member, term in table.items():
        assert str(onto.value(term, SKOS.notation)) == member.value, (member, term)


def test_every_role_has_an_obligation_slug():
    assert set(ROLE_SLUGS) == set(Role)
    assert len(set(ROLE_SLUGS.values())) == len(Role)


# ---------------------------------------------------------------------------- honest errors
def test_a_bad_record_is_named_by_file_line_and_key(tmp_path):
    good = json.loads((FIX / "sample.jsonl").read_text(encoding="utf-8").splitlines()[0])
    good["path"] = str(FIX / good["file"])
    bad_role = json.loads(json.dumps(good))
    bad_role["measures"][1]["mentions"][0]["role"] = "boss"
    no_path = json.loads(json.dumps(good))
    del no_path["measures"][0]["path"]
    lines = [json.dumps(good, ensure_ascii=False), json.dumps(bad_role, ensure_ascii=False), "{not json",
             json.dumps(no_path, ensure_ascii=False), "", json.dumps({**good, "length": "318"})]
    (tmp_path / "r.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    errors: list[str] = []
    summary = load_paths([tmp_path / "r.jsonl"], open_store(memory=True), errors=errors.append)
    assert summary.documents == 1 and summary.failed == 4
    assert errors == [
        'r.jsonl:2: record.measures[1].mentions[0].role: "boss" is not one of lead, responsible, inherited',
        "r.jsonl:3: not a JSON record (Expecting property name enclosed in double quotes)",
        "r.jsonl:4: record.measures[0]: missing key 'path'",
        'r.jsonl:6: record.length: expected an integer, got "318"',
    ]


def test_record_errors_say_what_is_wrong():
    good = json.loads((FIX / "sample.jsonl").read_text(encoding="utf-8").splitlines()[0])
    for change, message in [
        (lambda r: r.update(truncated=0), "record.truncated: expected true or false, got 0"),
        (lambda r: r.update(title_span=[1]), "record.title_span: expected [start, end], got [1]"),
        (lambda r: r["measures"][0]["figures"][0].update(start=True), "figures[0].start: expected an integer"),
        (lambda r: r["measures"][0].update(figures={}), "record.measures[0].figures: expected a list, got {}"),
        (lambda r: r.update(measures=[7]), "record.measures[0]: expected an object, got 7"),
    ]:
        r = json.loads(json.dumps(good))
        change(r)
        with pytest.raises(RecordError, match=re.escape(message)):
            Record.from_dict(r)
    assert Record.from_dict({**good, "confidence": 0.9}).to_dict() == Record.from_dict(good).to_dict()


def test_bad_input_is_an_extraction_error_naming_the_file():
    with pytest.raises(ExtractionError, match="notes.txt: no Chinese text"):
        extract_text("just some English words", file="notes.txt")


def test_an_internal_error_is_not_reported_as_bad_input(monkeypatch):
    """A bug of ours (here: the figure finder raising TypeError) propagates as it is, so it is
    never told to the user as a document that could not be read."""
    import policykg.loaders.extract as extract

    text = "一、重点任务\n（一）加快培育。最高200万元资助。（责任单位：市科技局、市财政局）\n"
    assert extract_text(text).measures[0].figures  # the text itself is fine

    def broken(*args, **kwargs):
        raise TypeError("unsupported operand type(s) for +: 'int' and 'NoneType'")

    monkeypatch.setattr(extract, "find_figures", broken)
    with pytest.raises(TypeError, match="unsupported operand"):
        extract_text(text, file="fine.txt")

"""Vocabulary as data: one table per word list, one numeral parser, one path canonicaliser,
one script converter, and the graph mapping every unit the loaders can emit."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from policykg.graph import gazetteer, iris, numbering
from policykg.graph.build import QUDT_UNITS
from policykg.graph.namespaces import UNIT
from policykg.loaders import (
    canonical_path,
    clauses,
    cn_to_int,
    extract_file,
    extract_text,
    figures,
    metadata,
    places,
    simplified_key,
    to_simplified,
    units,
    vocabulary,
)
from policykg.server import canned

ROOT = Path(__file__).resolve().parents[1]
TEXTS = sorted([*ROOT.glob("corpus/*.txt"), *ROOT.glob("tests/data/dev/*/texts/*.txt")])
DATA_FILES = sorted(p.name for p in (ROOT / "loaders" / "data").glob("*.tsv"))
# the columns that identify an entry of each file
KEYS = {"units.tsv": ("written",), "comparators.tsv": ("word",), "role_labels.tsv": ("label",),
        "role_words.tsv": ("word",), "inheritance.tsv": ("slot", "word"), "table_headers.tsv": ("header",),
        "name_endings.tsv": ("ending",), "places.tsv": ("name",), "metadata_labels.tsv": ("label", "form"),
        "noise_words.tsv": ("word",)}


@cache
def records() -> tuple[dict, ...]:
    return tuple(extract_file(p).to_dict() for p in TEXTS)


def one_figure(sentence: str) -> dict:
    [m] = extract_text(f"一、重点任务\n（一）推进工作。{sentence}（责任单位：市科技局）\n").to_dict()["measures"]
    [f] = m["figures"]
    return f


# ------------------------------------------------------------------ the data files


@pytest.mark.parametrize("name", DATA_FILES)
def test_data_file_is_documented_and_clean(name):
    text = (ROOT / "loaders" / "data" / name).read_text(encoding="utf-8")
    assert text.startswith("#"), "a header comment says what each column means"
    rows = vocabulary.table(name)
    assert rows
    header = list(rows[0])
    for row in rows:
        assert len(row) == len(header)
        for column, value in row.items():
            assert value == value.strip(), f"{name}: blank around {value!r} in {column}"
    key = KEYS[name]
    keys = [tuple(r[c] for c in key) for r in rows]
    assert len(keys) == len(set(keys)), f"{name}: an entry listed twice"


def test_every_data_file_is_described():
    assert set(DATA_FILES) == set(KEYS)
    readme = (ROOT / "loaders" / "data" / "README.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in readme for name in DATA_FILES)


def test_alternation_is_longest_first_whatever_the_file_order():
    pattern = re.compile(vocabulary.alternation(["个", "工作日", "个工作日", "日"]))
    assert pattern.match("个工作日内").group(0) == "个工作日"
    assert vocabulary.alternation(["日", "个工作日"]) == vocabulary.alternation(["个工作日", "日"])


def test_closed_word_sets():
    assert set(vocabulary.role_labels().values()) <= {"lead", "responsible", "co", "person", "supervisor",
                                                      "deadline"}
    assert set(vocabulary.role_words().values()) <= {"lead", "co", "label"}
    assert {r["comparator"] for r in vocabulary.table("comparators.tsv")} <= {">=", "<=", ">", "<", "=", "none"}
    assert {r["kind"] for r in vocabulary.table("name_endings.tsv")} == {"organisation", "not-organisation",
                                                                        "person"}
    assert {p.level for p in places()} == {"province", "city", "district"}


def test_every_label_and_word_is_matched():
    for label, meaning in vocabulary.role_labels().items():
        m = clauses.LABEL.match(label + "：")
        assert m and m.group("label") == label
        assert (label in clauses.LABEL_ROLE) == (meaning in vocabulary.OWNER_ROLES)
    for word in vocabulary.role_words():
        assert clauses.ROLE_WORD.fullmatch(word)


def test_rank_rule_in_preamble_is_the_clause_rule_without_its_punctuation():
    assert clauses.RANK_RULE_IN_PREAMBLE.search("各项任务中列第一位的为牵头单位,下同。")
    assert clauses.RANK_RULE.pattern.endswith(clauses.RANK_RULE_IN_PREAMBLE.pattern[len("[(]?"):])


# ------------------------------------------------------------------ units: loaders and graph agree


@pytest.mark.parametrize("unit", units(), ids=lambda u: u.written)
def test_every_unit_is_emitted_as_its_canonical_form_and_mapped_by_the_graph(unit):
    """A line added to units.tsv is matched by the loaders and mapped by the graph, or this fails."""
    f = one_figure(f"新增不少于50{unit.written}。")
    assert (f["comparator"], f["value"]) == (">=", 50)
    assert gazetteer.name_key(f["unit"]) == unit.canonical
    if unit.qudt:
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", unit.qudt)
        assert QUDT_UNITS[unit.canonical] == UNIT[unit.qudt]
    else:
        assert unit.canonical not in QUDT_UNITS  # a unit of ours, minted and labelled by the graph


def test_one_canonical_unit_has_one_qudt_unit():
    qudt: dict[str, set[str]] = {}
    for u in units():
        qudt.setdefault(u.canonical, set()).add(u.qudt)
    assert {c: q for c, q in qudt.items() if len(q) > 1} == {}


def test_working_days_map_to_qudt_days():
    f = one_figure("审批时间不超过7个工作日。")
    assert f["unit"] == "工作日"
    assert QUDT_UNITS[gazetteer.name_key(f["unit"])] == UNIT.DAY


def test_every_unit_the_loaders_emit_on_the_texts_is_in_the_table():
    canonical = {u.canonical for u in units()}
    emitted = {gazetteer.name_key(f["unit"]) for r in records() for m in r["measures"] for f in m["figures"]}
    assert emitted - {""} <= canonical
    assert {"%", "元", "家", "工作日"} <= emitted


# ------------------------------------------------------------------ places: one table for both


def test_places_serve_loaders_and_gazetteer():
    assert "台湾省" in metadata.PROVINCES and "内蒙古自治区" in metadata.PROVINCES
    assert "哈尔滨" in metadata.LONG_PLACES and "沙坪坝" in metadata.LONG_PLACES
    known = gazetteer.jurisdictions()
    assert known["无锡市"].code == "320200" and known["无锡"].parent == "320000"
    coded = {p.name for p in places() if p.code}
    assert coded == {j.name for j in known.values()}
    # a place the loaders find by name but without a division code stays a hashed jurisdiction
    assert gazetteer.resolve_jurisdiction("沙坪坝区").slug.startswith("h-")
    codes = {p.code for p in places() if p.code}
    assert all(p.parent in codes for p in places() if p.parent)


def test_long_place_names_find_the_jurisdiction():
    text = "哈尔滨市人民政府关于印发优化营商环境行动方案的通知\n一、重点任务\n（一）推进工作。（责任单位：市科技局）\n"
    assert extract_text(text).jurisdiction_key == "哈尔滨市"


# ------------------------------------------------------------------ numerals and numbering paths


@pytest.mark.parametrize(("token", "value"), [
    ("十三", 13), ("一百二十五", 125), ("两万", 20000), ("7", 7), ("１２", 12), ("壹拾贰", 12), ("①", None),
    ("附件", None), ("", None),
])
def test_one_numeral_parser(token, value):
    assert cn_to_int(token) == value


@pytest.mark.parametrize(("printed", "key"), [
    ("二/（一）/1", "2/(1)/1"),
    ("第一部分/一/（三）", "part1/1/(3)"),
    ("第2篇/〔二〕/3.", "part2/(2)/3"),
    ("⑴/①", "(1)/1"),
    ("二十一/(十二)", "21/(12)"),
    ("附件", "附件"),
])
def test_one_path_canonicaliser(printed, key):
    assert canonical_path(printed) == key
    assert iris.canonical_path(printed) == key  # the graph's is the loaders'


def test_printed_paths_canonicalise_to_the_records_path_keys():
    """The records' path_key (made from the item tree) and the canonicaliser agree on every measure,
    第一部分 included."""
    checked = parts = 0
    for r in records():
        for m in r["measures"]:
            depth = m["path_key"].count("/") + 1
            printed = "/".join(m["path"].split("/")[-depth:])
            assert canonical_path(printed) == m["path_key"], (r["file"], m["path"])
            checked += 1
            parts += m["path_key"].startswith("part")
    assert checked > 400 and parts > 0


def test_numbering_sort_key_sorts_levels_as_numbers():
    paths = ["二/（十）/3", "二/（二）/12", "十/（一）", "二/（二）/2", "二/附件", "二/（二）/①"]
    assert sorted(paths, key=numbering.numbering_sort_key) == [
        "二/（二）/①", "二/（二）/2", "二/（二）/12", "二/（十）/3", "二/附件", "十/（一）"]
    parts = ["第十部分/一", "第二部分/二", "第二部分/一"]
    assert sorted(parts, key=numbering.numbering_sort_key) == ["第二部分/一", "第二部分/二", "第十部分/一"]
    assert numbering.numbering_sort_key(None) == ()


# ------------------------------------------------------------------ one script converter


def test_one_script_converter():
    assert gazetteer.to_simplified is to_simplified
    assert canned.to_simplified is to_simplified
    assert canned.zh_variants("发展改革委") == ("发展改革委", "發展改革委")
    assert gazetteer.name_key("市發(fā)改委") == simplified_key("市發(fā)改委") == "市发改委"


def test_figure_pattern_is_built_from_the_table():
    assert figures.UNIT == vocabulary.alternation(u.written for u in units())

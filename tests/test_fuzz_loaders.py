"""Fuzzing the loaders: no exception but ExtractionError, every offset slices to its quote, and
work linear in the size of the input (counted in executed lines of the loaders, not timed).

The longer runs live in bench/: `bench/fuzz_atheris.py` (coverage-guided, atheris) and
`bench/bench_extract_scaling.py` (MB/s from 1 to 20 MB and on hostile inputs, beside the floor).
"""

from __future__ import annotations

import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from policykg.loaders import ExtractionError, Record, extract_text, printable_path
from policykg.loaders.reading import decode_bytes

# Pieces of the genre, so that random documents reach the deep paths (clauses, tables, figures).
_PIECES = ["一、", "二、", "（一）", "（二）", "1.", "2.", "（1）", "①", "第一部分", "\n", "|", " ", "。", "，", "；", "：",
           "（", "）", "〔", "〕", "[", "]", "【", "】", "“", "”", "《", "》", "责任单位：", "牵头单位：", "配合单位：",
           "市发改委", "市财政局、", "各区人民政府", "等", "牵头", "负责", "配合", "以下均由", "不再单独列出",
           "列第一位的为牵头单位", "★", "不低于", "最高", "以上", "以下", "达到", "200万元", "5亿元", "80%", "三年内",
           "10家", "2025年底前", "到2027年", "關(guān)", "??", "\ufffd", "\r\n", "实施方案", "关于印发", "的通知",
           "序号", "重点任务", "完成时限", "1", "2", "3", "保障措施", "主要目标", "發展", "\x00", "\u3000", "㈠", "⑴"]
documents = st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=4)), max_size=120).map("".join)


def assert_offsets_slice_to_quotes(record: Record, text: str) -> None:
    """Every value the record cuts from the text is the text at its offsets."""
    for q in record.quality:
        if q.end > q.start:
            assert text[q.start:q.end] == q.text
    for p in record.announced_plans:
        assert text[p.start:p.end] == p.title
    for m in record.measures:
        assert 0 <= m.start <= m.title_start <= m.title_end <= len(text)
        assert m.start <= m.text_start <= m.text_end == m.end <= len(text)
        for f in m.figures:
            assert text[f.start:f.end] == f.text
        for d in m.deadlines:
            assert text[d.start:d.end] == d.text
        for x in m.mentions:
            if not x.restored:
                assert text[x.start:x.end].strip() == x.name


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_random_documents_give_a_record_or_an_extraction_error(text):
    try:
        record = extract_text(text)
    except ExtractionError:
        return
    assert_offsets_slice_to_quotes(record, text)
    record.to_json().encode("utf-8")  # what `extract` writes is valid UTF-8


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=300))
def test_any_code_points_lone_surrogates_included(text):
    try:
        record = extract_text(text)
    except ExtractionError:
        return
    assert record.length == len(text)  # a surrogate is replaced one for one: offsets still hold
    record.to_json().encode("utf-8")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_decode_or_are_refused_by_name(data):
    try:
        text, encoding = decode_bytes(data, "fuzz.txt")
    except ExtractionError as exc:
        assert str(exc).startswith("fuzz.txt")
        return
    assert isinstance(text, str) and encoding
    text.encode("utf-8")  # never a lone surrogate


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(min_size=1, max_size=12).filter(lambda b: b"/" not in b and b"\x00" not in b),
                min_size=1, max_size=3))
def test_any_file_name_bytes_become_printable(parts):
    import os

    raw = b"/".join(parts)
    shown, how = printable_path(os.fsdecode(raw))
    shown.encode("utf-8")  # printable: no surrogate escapes left
    if how is None:
        assert shown.encode("utf-8") == raw


# ------------------------------------------------------------------ linear work

def loader_lines(fn) -> int:
    """Lines of policykg.loaders executed while `fn()` runs: a count of the work, machine-independent
    (also the quadratic-spot check of bench/fuzz_atheris.py)."""
    count = 0

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return local

    def calls(frame, event, arg):
        return local if "/loaders/" in frame.f_code.co_filename.replace("\\", "/") else None

    previous = sys.gettrace()
    sys.settrace(calls)
    try:
        fn()
    finally:
        sys.settrace(previous)
    return count


def _loader_lines(text: str) -> int:
    """Lines of policykg.loaders executed to extract `text`."""
    extract_text("一、预热\n（一）加载词表。")  # the vocabularies load once, outside the count

    def run() -> None:
        try:
            extract_text(text)
        except ExtractionError:
            pass

    return loader_lines(run)


_ROW = "{k}\n推进第{k}项重点工作，完成率达到{p}%\n市发改委\n市财政局\n2025年底前\n"
FAMILIES = {
    # 1 M nested brackets took 88 s: 600 characters scanned per bracket
    "nested brackets": lambda n: "一、重点任务\n（一）" + "（" * (8 * n) + "）" * (8 * n) + "\n",
    "brackets never closed": lambda n: "一、重点任务\n（一）" + "（〔[" * (4 * n) + "\n",
    "numbered items": lambda n: "一、重点任务\n" + "".join(
        f"（{k}）加强工作协调，落实责任分工（责任单位：市发改委）。\n" for k in range(1, n // 4 + 2)),
    "table rows": lambda n: "重点任务分解表\n序号\n重点任务\n牵头单位\n配合单位\n完成时限\n" + "".join(
        _ROW.format(k=k, p=k % 90 + 10) for k in range(1, n // 8 + 2)),
    "one long item with figures": lambda n: "一、任务\n（一）" + "推进工作，达到80%以上，三年内完成，市发改委牵头，" * (n // 4) + "\n",
    "one labelled line": lambda n: "一、任务\n（一）加强协调。" + "责任单位：市发改委、市财政局；" * (n // 4) + "\n",
    "one line, many markers": lambda n: " ".join(
        f"{'一二三四五六七八九'[k % 9]}、任务 （一）加强协调（责任单位：市发改委），最高200万元。" for k in range(n // 6)),
}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_extraction_work_grows_linearly(family):
    """Four times the input, at most about four times the work, and a bounded number of lines per
    character (a quadratic spot gives 16 times; a 600-character scan per bracket ~1000 a character)."""
    make = FAMILIES[family]
    small, large = make(200), make(800)
    work_small, work_large = _loader_lines(small), _loader_lines(large)
    ratio = work_large / work_small
    per_character = work_large / len(large)
    assert ratio < 5.5, f"{family}: 4x the input cost {ratio:.1f}x the work"
    assert per_character < 120, f"{family}: {per_character:.0f} loader lines per character"

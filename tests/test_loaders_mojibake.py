"""Mojibake read back in the normalised view: matched on the reading, kept as printed in the record.

The snippets are our own: Chinese encoded to UTF-8 and decoded as GBK (锛堜竴锛 for （一）), and GBK
read one byte out of step with the lost byte shown as "?" (?。ㄒ唬 for 　（一）), as scraped pages
print them.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from policykg.loaders import QualityKind, extract_text
from policykg.loaders.textnorm import find_mojibake, normalise


def utf8_read_as_gbk(text: str) -> str:
    return text.encode("utf-8").decode("gbk", errors="replace")


def gbk_out_of_step(text: str) -> str:
    """GBK bytes read from the second byte on, the first shown as "?", pairs the decoder cannot
    map dropped (what the scraped pages show)."""
    data = text.encode("gbk")[1:]
    out, pos = ["?"], 0
    while pos < len(data):
        if data[pos] < 0x80:
            out.append(chr(data[pos]))
            pos += 1
            continue
        try:
            out.append(data[pos:pos + 2].decode("gbk"))
        except UnicodeDecodeError:
            pass
        pos += 2
    return "".join(out)


def test_utf8_read_as_gbk_is_read_back_where_the_bytes_allow():
    garbled = utf8_read_as_gbk("（一）构建亲清政商关系。")  # an even count: whole bytes
    text = f"一、总体安排\n{garbled}\n"
    nt = normalise(text)
    # the last character's bytes straddle a pair GBK cannot decode: it stays lost
    assert "(一)构建亲清政商关" in nt.text
    [(s, e)] = nt.repairs
    assert garbled.startswith(text[s:e])
    # every character of the view still points into the text as printed
    k = nt.text.index("构建")
    assert text[nt.orig_span(k, k + 2)[0]] in garbled


def test_gbk_out_of_step_is_read_back_and_the_marker_found():
    line = gbk_out_of_step("　（五）加快金融商贸区建设。")
    assert line.startswith("?。")
    [repair] = find_mojibake(line)
    assert repair.text.startswith(" （五）加快")


def test_a_marker_whose_numeral_lost_a_byte_is_named_by_the_byte_left():
    # 　（二）推进 read out of step loses the pair FE A3 (二's second byte, ）'s first)
    line = gbk_out_of_step("　（二）推进东部石化基地建设。")
    assert "（二）" not in line
    [repair] = find_mojibake(line)
    assert repair.text.startswith(" （二）推")


def test_owners_are_found_on_garbled_markers_and_values_keep_the_text_as_printed():
    item1 = "（一）加快建设汽车产业基地。（牵头单位：市经贸委；配合单位：市发改委）"
    item2 = gbk_out_of_step("　（二）推进石化基地建设。") + "（牵头单位：市发改委；配合单位：市规划局）"
    text = f"一、构建现代产业体系\n{item1}\n{item2}\n"
    record = extract_text(text, file="snippet.txt")
    assert [(m.path, m.agencies, m.lead) for m in record.measures] == [
        ("一/（一）", ["市经贸委", "市发改委"], ["市经贸委"]),
        ("一/(二)", ["市发改委", "市规划局"], ["市发改委"]),
    ]
    second = record.measures[1]
    assert text[second.start:second.end] == item2[1:]  # from the garbled marker, as printed
    flags = [q for q in record.quality if q.kind == QualityKind.MOJIBAKE]
    assert flags and text[flags[0].start:flags[0].end] == flags[0].text


def test_utf8_read_as_gbk_names_an_owner_clause():
    item = utf8_read_as_gbk("（一）推进政务服务标准化建设。") + "\n责任单位：市政务服务局\n"
    record = extract_text("一、重点任务\n" + item, file="snippet.txt")
    [m] = record.measures
    assert m.path.endswith("(一)") or m.path.endswith("（一）") or "锛" in m.path
    assert m.agencies == ["市政务服务局"]


def test_ordinary_text_is_never_repaired():
    for text in ("一、加快推进重点项目建设，确保如期完成。（责任单位：市发改委）",
                 "嗯喔唷啖啜啵啶啷，夥妞妤。", "关(guān)于印發(fā)的通知", "表格线┌─┐用于排版"):
        assert find_mojibake(text) == []


_HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
_TEXT = st.text(st.one_of(_HAN, st.sampled_from("（）一二三、，。：\n 1.?")), max_size=80)


@settings(max_examples=150, deadline=None)
@given(_TEXT, st.booleans())
def test_extraction_never_raises_and_offsets_cut_their_quotes_on_garbled_input(plain, shifted):
    try:
        plain.encode("gbk")
    except UnicodeEncodeError:
        return
    garbled = gbk_out_of_step(plain) if shifted and plain else utf8_read_as_gbk(plain)
    text = "一、重点任务\n（一）推进建设。（责任单位：市发改委）\n" + garbled + "\n（二）" + garbled
    nt = normalise(text)
    assert len(nt.index) == len(nt.text) + 1
    assert all(0 <= k <= len(text) for k in nt.index)
    record = extract_text(text, file="snippet.txt")
    for m in record.measures:
        assert 0 <= m.start <= m.end <= len(text)
        for f in m.figures:
            assert text[f.start:f.end] == f.text
        for mention in m.mentions:
            if not mention.restored:
                assert text[mention.start:mention.end] == mention.name
    for q in record.quality:
        assert text[q.start:q.end] == q.text

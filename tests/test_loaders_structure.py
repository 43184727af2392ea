"""Numbering the segmenter must read on pages nobody has shown us: long sequences, 第X条
articles, pages flattened onto one line or a few; and the record saying what it missed
(coverage and the owners_unattached / structure_unrecognised flags). Snippets written for the
test."""

from __future__ import annotations

import random
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from policykg.loaders import ExtractionError, QualityKind, extract_text
from test_loaders_tables import _offsets_cut_their_quotes


def _flags(record) -> set[str]:
    return {q.kind.value for q in record.quality}


# ---------------------------------------------------------------------------- numbering
def test_a_thousand_and_more_numbered_items():
    body = "\n".join(f"({i})推进第{i}项工作。(责任单位:市发展改革委)" for i in range(1, 1501))
    r = extract_text("某市推进高质量发展工作方案\n一、重点任务\n" + body)
    assert len(r.measures) == 1500
    assert r.measures[-1].path == "一/(1500)"
    assert all(m.agencies == ["市发展改革委"] for m in r.measures)


def test_numbers_in_running_text_are_not_items():
    text = "某市工作方案\n一、总体目标\n到2025年,建成项目120个,其中1.5万平方米为公共空间。\n二、重点任务\n(一)加快建设。(责任单位:市住建局)\n"
    assert [m.path for m in extract_text(text).measures] == ["一", "二/(一)"]


ARTICLES = (
    "某市促进中小企业发展办法\n"
    "第一章 总则\n"
    "第一条 为了促进中小企业健康发展,制定本办法。\n"
    "第二条 市工业和信息化局负责统筹协调。(责任单位:市工业和信息化局)\n"
    "第二章 扶持措施\n"
    "第三条 对新认定的专精特新企业给予最高50万元奖励。(责任单位:市财政局、市工业和信息化局)\n"
    "第四条 各区人民政府应当落实属地责任。依照本办法第三条规定执行。(责任单位:各区人民政府)\n"
)


def test_articles_are_a_numbering_level():
    r = extract_text(ARTICLES)
    got = {m.path: m for m in r.measures}
    assert set(got) == {"第一章/第一条", "第一章/第二条", "第二章/第三条", "第二章/第四条"}
    assert got["第二章/第三条"].agencies == ["市财政局", "市工业和信息化局"]
    assert [f.value for f in got["第二章/第三条"].figures] == [500000]
    # 第三条 quoted inside article 4 is a reference, not an item
    assert got["第二章/第四条"].agencies == ["各区人民政府"]
    _offsets_cut_their_quotes(r, ARTICLES)


# ---------------------------------------------------------------------------- flattened pages
ONE_LINE = (
    "浏览次数:1024 转载自某某网 字号:大 中 小 某市优化营商环境实施方案 为进一步优化营商环境,结合本市实际,制定本方案。"
    "一、加强组织领导(一)建立工作机制。成立工作专班,定期调度。(责任单位:市发展改革委,,市政务服务局)"
    "(二)压实工作责任。将任务分解到各部门。(责任单位:各区人民政府,、市直各有关部门)"
    "二、推进重点任务 1.压缩审批时限。企业开办时间压缩至1个工作日以内。(牵头单位:市市场监管局;责任单位:市公安局)"
    "2.降低融资成本。新增普惠小微贷款50亿元。(责任单位:市金融工作局)"
)


def test_a_page_flattened_onto_one_line():
    r = extract_text(ONE_LINE)
    got = {m.path: m for m in r.measures}
    assert set(got) == {"一/(一)", "一/(二)", "二/1", "二/2"}
    assert got["一/(一)"].agencies == ["市发展改革委", "市政务服务局"]
    assert got["一/(二)"].agencies == ["各区人民政府", "市直各有关部门"]
    assert got["二/1"].lead == ["市市场监管局"]
    assert got["一/(一)"].title == "建立工作机制"
    _offsets_cut_their_quotes(r, ONE_LINE)


def test_a_page_flattened_onto_a_few_lines_among_page_furniture():
    body = ONE_LINE.split(" ", 4)[4].replace("制定本方案。", "坚持问题导向和目标导向,聚焦企业和群众办事的难点堵点," * 3 + "制定本方案。")
    lines = ["首页 > 政务公开 > 政策文件", "发布日期:2023-05-06 来源:市政府办公室", "", body,
             "", "【打印本页】 【关闭窗口】"]
    text = "\n".join(lines)
    r = extract_text(text)
    assert {m.path for m in r.measures} == {"一/(一)", "一/(二)", "二/1", "二/2"}
    _offsets_cut_their_quotes(r, text)


def test_a_flattened_page_cut_before_its_first_items_starts_after_an_owner_clause():
    """A page that starts mid-list on one line: the close of a responsibility clause ends an item as
    a line break would, so (三) right after it is an item even though nothing before it was (一)."""
    text = ("某县促进中小企业发展行动方案 培育一批创新型企业,,力争新增规上企业20家。(责任单位:县工信局,、县科技局)"
            "(三)建设特色园区。对集聚5家以上企业的园区给予支持。(责任单位:县发改局、各乡镇)"
            "(四)强化金融支持。引导银行加大信贷投放。(牵头单位:县金融办;责任单位:县财政局)")
    r = extract_text(text)
    got = {m.path: m for m in r.measures}
    assert set(got) == {"(三)", "(四)"}
    assert got["(三)"].agencies == ["县发改局", "各乡镇"]
    assert got["(四)"].lead == ["县金融办"]
    _offsets_cut_their_quotes(r, text)
    # a number after a bracket that names no owner is not taken for an item
    plain = text.replace("(责任单位:县工信局,、县科技局)", "(含小微企业)")
    assert "(三)" not in {m.path for m in extract_text(plain).measures}


def test_numbers_printed_in_kangxi_radicals_give_unified_paths():
    text = ("某市扶持制造业发展若干政策\n⼀、适⽤范围\n1.本政策适⽤于本市注册纳税的制造业企业。\n"
            "⼆、扶持政策\n(⼀)⽀持技术改造。\n1.对技术改造项⽬给予设备投资额10%奖补。(责任单位:市经信局)\n")
    r = extract_text(text)
    assert [m.path for m in r.measures] == ["一/1", "二/(一)/1"]
    assert r.measures[1].title_start < r.measures[1].title_end
    assert "⽬" in text[r.measures[1].start:r.measures[1].end]  # the text itself stays as printed
    _offsets_cut_their_quotes(r, text)


def test_a_long_cell_listing_practices_is_not_a_flattened_page():
    cells = "\n".join(f"{i}\n某市:探索新模式。1.坚持试点先行。做法{i}很多,效果良好。2.建立长效机制。" + "具体内容" * 80
                      for i in range(1, 8))
    r = extract_text("典型经验做法清单\n序号\n主要做法\n来源\n" + cells)
    assert [m.path for m in r.measures] == [str(i) for i in range(1, 8)]


# ---------------------------------------------------------------------------- what the record missed
def test_coverage_counts_items_owners_and_markers():
    text = "某市工作方案\n一、重点任务\n(一)加快建设。(责任单位:市住建局)\n(二)强化保障。(市财政局牵头)\n(三)做好宣传。\n"
    r = extract_text(text)
    c = r.coverage
    assert (c.items, c.measures, c.owned, c.markers, c.unattached) == (4, 3, 2, 2, 0)
    assert not _flags(r) & {"owners_unattached", "structure_unrecognised"}


def test_owners_the_extractor_could_not_attach_are_flagged():
    # the clauses name owners in words the name rules do not know: seen, but attached to nothing
    text = ("某市工作方案\n一、重点任务\n(一)加快建设。(责任单位:城建条线)\n"
            "(二)完善政策。(责任单位:财贸条线)\n(三)强化保障。(责任单位:市财政局)\n")
    r = extract_text(text)
    assert (r.coverage.markers, r.coverage.unattached, r.coverage.owned) == (3, 2, 1)
    flag = next(q for q in r.quality if q.kind == QualityKind.OWNERS_UNATTACHED)
    assert text[flag.start:flag.end] == flag.text == "责任单位:" and flag.count == 2


def test_responsibility_wording_without_readable_numbering_is_flagged():
    text = "某市工作方案\n" + "".join(f"推进第{k}项工作。责任单位:市第{k}局。" for k in range(1, 5))
    r = extract_text(text)
    assert r.measures == []
    assert {"structure_unrecognised", "owners_unattached"} <= _flags(r)


def test_random_text_accepted_as_a_document_says_it_was_not_understood():
    rnd = random.Random(14)
    text = "".join(chr(rnd.randint(0x4E00, 0x9FFF)) if rnd.random() < 0.8 else chr(rnd.randint(0x21, 0x2FFF))
                   for _ in range(500))
    r = extract_text(text)
    assert "structure_unrecognised" in _flags(r) or r.coverage.owned == 0 and r.measures


# ---------------------------------------------------------------------------- never raises
_ONE_LINE_ALPHABET = list("一二三、()（）1234567890.。,,、:;责任单位市科技局牵头负责第条章落实各区人民政府 浏览转载")


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=_ONE_LINE_ALPHABET, max_size=400))
def test_one_line_input_never_raises_and_offsets_cut_their_quotes(body):
    text = "某市工作方案 " + body
    try:
        record = extract_text(text)
    except ExtractionError:
        return
    _offsets_cut_their_quotes(record, text)
    assert record.coverage is not None and record.coverage.measures == len(record.measures)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(["第一条 ", "第二条", "第十条 ", "第一百零一条 ", "一、", "(一)", "1.", "(1)",
                                 "推进建设。", "(责任单位:市财政局)", "牵头单位:市住建局", "\n"]), max_size=40))
def test_article_and_marker_soup_never_raises(pieces):
    text = "某市办法\n" + "".join(pieces)
    try:
        record = extract_text(text)
    except ExtractionError:
        return
    _offsets_cut_their_quotes(record, text)
    assert all(re.fullmatch(r"[^/]+(?:/[^/]+)*", m.path) for m in record.measures)

"""Task tables of every layout: the reader finds the header by its column words, aligns each
numbered row to the columns, and the owner cells go through the same owner logic as running
text. Every snippet here is written for the test (no file of the development sets)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from policykg.loaders import ExtractionError, extract_text
from policykg.loaders.tables import column_meaning, join_wrapped_header, read_tables
from policykg.loaders.textnorm import normalise

TITLE = "某县2024年重点工作任务分解方案\n"


def _by_path(record):
    return {m.path: m for m in record.measures}


def _offsets_cut_their_quotes(record, text: str) -> None:
    assert record.length == len(text)
    for m in record.measures:
        assert 0 <= m.start <= m.title_start <= m.title_end <= m.end <= len(text)
        assert re.sub(r"\s*\n\s*", "", text[m.title_start:m.title_end].strip()) == m.title
        for f in m.figures:
            assert text[f.start:f.end] == f.text
        for x in m.mentions:
            if not x.restored:
                assert text[x.start:x.end] == x.name
        for d in m.deadlines:
            assert text[d.start:d.end] == d.text
    for q in record.quality:
        assert text[q.start:q.end] == q.text


# ---------------------------------------------------------------------------- the header vocabulary
def test_a_header_cell_means_what_its_longest_word_means():
    assert column_meaning("牵头责任单位") == "lead"
    assert column_meaning("主要责任单位") == "lead"
    assert column_meaning("责任单位") == "responsible"
    assert column_meaning("协同配合单位") == "partner"
    assert column_meaning("分管县领导") == "person"
    assert column_meaning("时间节点") == "deadline"
    assert column_meaning("细化措施") == "task"
    assert column_meaning("类别") == "category"
    assert column_meaning("推进项目建设,加快进度。") is None


def test_header_cells_wrapped_over_two_lines_are_joined():
    cells = ["序号", "工作任务", "责任", "领导", "责任", "单位", "完成情况"]
    joined = ["".join(cells[a:b]) for a, b in join_wrapped_header(cells)]
    assert joined == ["序号", "工作任务", "责任领导", "责任单位", "完成情况"]


# ---------------------------------------------------------------------------- layouts
BAR_TABLE = TITLE + (
    "序号 | 工作任务 | 牵头单位 | 配合单位 | 分管领导 | 完成时限 |\n"
    "一、稳定经济增长 | | | | | |\n"
    "1 | 扩大有效投资,新开工项目30个以上。 | 县发展改革局 | 县财政局、县自然资源局 | 王 明 | 2024年12月 |\n"
    "序号 | 工作任务 | 牵头单位 | 配合单位 | 分管领导 | 完成时限 |\n"
    "2 | 促进消费回升。 | 县商务局 | | 李强张伟 | 长期坚持 |\n"
    "二、改善民生 | | | | | |\n"
    "3 | 新建城区幼儿园2所。 | 县教育局 | 县住建局 | 赵刚 | 2024年9月底前 |\n"
)


def test_bar_table_with_the_header_printed_twice_and_section_rows():
    r = extract_text(BAR_TABLE)
    got = _by_path(r)
    assert set(got) == {"一/1", "一/2", "二/3"}
    assert got["一/1"].agencies == ["县发展改革局", "县财政局", "县自然资源局"]
    assert got["一/1"].lead == ["县发展改革局"]
    # the lead column is the lead even when it stands alone in its row
    assert got["一/2"].agencies == ["县商务局"] and got["一/2"].lead == ["县商务局"]
    # persons (split by a blank or run together) are never agencies
    assert not any(re.search("王|李强|赵刚", a) for m in r.measures for a in m.agencies)
    _offsets_cut_their_quotes(r, BAR_TABLE)


def test_a_deadline_column_is_the_rows_deadline():
    got = _by_path(extract_text(BAR_TABLE))
    assert [(d.text, d.date) for d in got["一/1"].deadlines] == [("2024年12月", "2024-12")]
    assert [d.text for d in got["一/2"].deadlines] == ["长期坚持"]
    assert [d.text for d in got["二/3"].deadlines] == ["2024年9月底前"]


TAB_TABLE = TITLE + (
    "序号\t主要任务\t主要责任单位\t协同配合单位\t分管县领导\n"
    "1\t加快农村公路建设,新改建公路40公里。\t县交通运输局\t县财政局、各乡镇人民政府\t刘洋\n"
    "2\t推进老旧小区改造。\t县住建局\t\t陈 静\n"
    "3\t实施农村饮水提升工程。\t县水利局\t县卫健局\t周敏\n"
)


def test_tab_delimited_table():
    r = extract_text(TAB_TABLE)
    got = _by_path(r)
    assert set(got) == {"1", "2", "3"}
    assert got["1"].agencies == ["县交通运输局", "县财政局", "各乡镇人民政府"]
    assert got["1"].lead == ["县交通运输局"]
    assert got["2"].agencies == ["县住建局"] and got["2"].lead == ["县住建局"]
    assert got["3"].agencies == ["县水利局", "县卫健局"]
    assert got["1"].title == "加快农村公路建设,新改建公路40公里"
    _offsets_cut_their_quotes(r, TAB_TABLE)


RUNS_TABLE = TITLE + (
    "序号    工作任务                          责任单位          参与单位\n"
    "1       建设智慧停车场3处。               县城管局          县公安局、县住建局\n"
    "2       开展背街小巷整治。                县城管局\n"
    "3       完善城区排水管网20公里。          县住建局          县水务集团\n"
)


def test_table_aligned_by_runs_of_spaces():
    r = extract_text(RUNS_TABLE)
    got = _by_path(r)
    assert set(got) == {"1", "2", "3"}
    assert got["1"].agencies == ["县城管局", "县公安局", "县住建局"]
    assert got["2"].agencies == ["县城管局"]
    assert got["3"].agencies == ["县住建局", "县水务集团"]
    assert [f.text for f in got["3"].figures] == ["20公里"]
    _offsets_cut_their_quotes(r, RUNS_TABLE)


# single blanks both separate cells and break wrapped words; a run of blanks stands for empty cells
BLANK_TABLE = TITLE + (
    "序号 类别 重点任务 具体措施 牵头单位 配合单位\n"
    "1 改善生态环 境 治理城区黑臭 水体 完成3条河道清淤整治。 县生态环境局 县水利局、县城管局\n"
    "2  推进垃圾 分类 建成分类投放点50个。 县城管局 各乡镇人民政府\n"
    "3   开展秸秆禁烧巡查。 县农业农村局 县生态环境局\n"
)


def test_single_blank_table_joins_wrapped_words_and_keeps_empty_cells():
    r = extract_text(BLANK_TABLE)
    got = _by_path(r)
    assert set(got) == {"1", "2", "3"}
    # the title is the task cell (not the category), wrap blanks as printed
    assert got["1"].title == "治理城区黑臭 水体"
    assert got["2"].title == "推进垃圾 分类"
    assert got["1"].agencies == ["县生态环境局", "县水利局", "县城管局"]
    assert got["1"].lead == ["县生态环境局"]
    assert got["2"].agencies == ["县城管局", "各乡镇人民政府"]
    assert got["3"].agencies == ["县农业农村局", "县生态环境局"]
    assert [f.text for f in got["1"].figures] == ["3条河道"] or [f.value for f in got["1"].figures] == [3]
    _offsets_cut_their_quotes(r, BLANK_TABLE)


def test_rewriting_a_table_moves_no_offset():
    nt = normalise(BLANK_TABLE)
    rewritten, tables = read_tables(nt)
    assert len(tables) == 1 and [c.meaning for c in tables[0].columns] == [
        "number", "category", "task", "task", "lead", "partner"]
    assert len(rewritten.text) == len(nt.text) and rewritten.index == nt.index
    assert all(a == b or (a in " \t" and b == "\n") for a, b in zip(nt.text, rewritten.text, strict=True))


LINES_TABLE = TITLE + "\n".join([
    "序号", "工作任务", "责任", "领导", "责任", "科室", "完成情况",
    "1", "推进美丽乡村建设", "张  华", "农业办", "建成示范村3个。",
    "2", "整治农村人居环境", "吴敏", "村建办", "完成改厕200户。",
]) + "\n"


def test_one_cell_per_line_with_a_wrapped_header_and_unfamiliar_owner_names():
    r = extract_text(LINES_TABLE)
    got = _by_path(r)
    assert got["1"].agencies == ["农业办"] and got["2"].agencies == ["村建办"]
    assert all(m.lead == [] for m in r.measures)
    _offsets_cut_their_quotes(r, LINES_TABLE)


# ---------------------------------------------------------------------------- rows
def test_a_page_that_starts_mid_table_and_skips_rows():
    rows = "\n".join(f"{n} | 推进第{n}项重点工程建设。 | 县发展改革局 | 县财政局 |" for n in (80, 81, 83, 84, 85))
    text = "序号 | 工作任务 | 牵头单位 | 责任单位 |\n" + rows + "\n"
    got = _by_path(extract_text(text))
    assert set(got) == {"80", "81", "83", "84", "85"}
    assert all(m.lead == ["县发展改革局"] for m in got.values())


def test_two_tasks_in_one_row_stay_one_measure():
    text = TITLE + "\n".join([
        "序号", "民生实事", "责任单位", "完成时限",
        "1", "新建公共厕所10座。", "县城管局", "6月底前", "改造农贸市场2个。", "12月底前",
        "2", "新增停车位500个。", "县交警大队", "12月底前",
    ]) + "\n"
    got = _by_path(extract_text(text))
    assert set(got) == {"1", "2"}
    assert got["1"].agencies == ["县城管局"]
    assert [f.value for f in got["1"].figures] == [10, 2]


def test_rows_past_99():
    rows = "\n".join(f"{n}\t推进第{n}个项目。\t县发展改革局" for n in range(1, 131))
    r = extract_text("序号\t工作任务\t责任单位\n" + rows + "\n")
    assert len(r.measures) == 130
    assert r.measures[-1].path == "130" and r.measures[-1].agencies == ["县发展改革局"]


# ---------------------------------------------------------------------------- never raises
_TABLE_ALPHABET = list("序号工作任务牵头责任单位配合分管领导完成时限县局市财政发展改革各乡镇人民政府推进建设。,、12390 \t|\n")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(alphabet=_TABLE_ALPHABET, max_size=40), min_size=1, max_size=12))
def test_table_like_input_never_raises_and_offsets_cut_their_quotes(lines):
    text = "序号 | 工作任务 | 牵头单位 | 责任单位 |\n" + "\n".join(lines)
    try:
        record = extract_text(text)
    except ExtractionError:
        return
    _offsets_cut_their_quotes(record, text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["1", "2", "3", "序号", "类别 主要任务", "牵头单位", "责任 单位", "县教育局",
                                 "县财政局、县住建局", "分管领导", "王 明", "推进 学校 建设。", "  ", "\t",
                                 "12月底前", "一、民生", "(一)教育"]), min_size=3, max_size=30),
       st.sampled_from([" ", "  ", "\t", "\n", " | "]))
def test_delimited_rows_never_raise(cells, sep):
    text = "序号 类别 主要任务 牵头单位 责任单位\n" + sep.join(cells)
    try:
        record = extract_text(text)
    except ExtractionError:
        return
    _offsets_cut_their_quotes(record, text)


@pytest.mark.parametrize("layout", [BAR_TABLE, TAB_TABLE, RUNS_TABLE, BLANK_TABLE, LINES_TABLE])
def test_tables_leave_no_owner_unattached(layout):
    r = extract_text(layout)
    assert r.coverage.measures == r.coverage.owned == len(r.measures)
    assert not [q for q in r.quality if q.kind.value in ("owners_unattached", "structure_unrecognised")]


# ---------------------------------------------------------------------------- progress columns
PROGRESS_TABLE = TITLE + (
    "序号\n\n工作内容\n\n目前进度\n\n牵头单位\n\n备注\n\n"
    "1\n\n新建幼儿园3所,新增学位900个。\n\n75%(主体完工)\n\n县教育局\n\n县级实事\n\n"
    "2\n\n改造供水管网40公里。\n\n60%\n\n县水利局\n\n县级实事\n\n"
)


def test_a_progress_column_holds_no_figures_of_the_row():
    got = _by_path(extract_text(PROGRESS_TABLE))
    assert [(f.value, f.unit) for f in got["1"].figures] == [(3, "所"), (900, "个")]
    assert [(f.value, f.unit) for f in got["2"].figures] == [(40, "公里")]
    assert got["2"].agencies == ["县水利局"]


def test_a_header_wrapped_at_a_qualifier_lines_up_with_its_rows():
    # 三季度 / 完成情况 is one column: the rows hold one cell fewer than the header's lines
    text = TITLE + (
        "序号\n\n重点工作\n\n责任\n\n领导\n\n责任\n\n科室\n\n年度目标\n\n三季度\n\n完成情况\n\n"
        "1\n\n农村公路提升\n\n孙立\n\n交通办\n\n完成道路硬化12公里。\n\n已完成投资2000万元的80%。\n\n"
        "2\n\n集镇污水管网\n\n钱江\n\n城建办\n\n新建管网5公里。\n\n完成进度达45%。\n\n"
    )
    got = _by_path(extract_text(text))
    assert [(f.value, f.unit) for f in got["1"].figures] == [(12, "公里")]
    assert [(f.value, f.unit) for f in got["2"].figures] == [(5, "公里")]
    assert got["2"].agencies == ["城建办"]


def test_numbered_cells_of_a_bar_table_keep_their_columns():
    """Rows numbered inside their task cell (类别 | 1.… | 目标 | …): the achievement columns are no figures."""
    text = (
        "2023年民生实事推进情况\n"
        "类别 | 实事名称 | 年度任务目标 | 责任单位 | 分管领导 | 1-6月完成情况 | 取得成效 |\n"
        "一、教育 | 1.新建学校 | 新建中小学4所。 | 市教育局 | 王强 | 完成主体工程60%。 | 新增学位3000个。 |\n"
        "2.改造操场 | 改造农村学校操场15处。 | 市教育局 | 王强 | 完成9处。 | 惠及学生5000人。 |\n"
    )
    got = _by_path(extract_text(text))
    assert [(f.value, f.unit) for f in got["一/1"].figures] == [(4, "所")]
    assert [(f.value, f.unit) for f in got["一/2"].figures] == [(15, "处")]


def test_a_table_whose_last_row_is_cut_by_the_page_end():
    text = TITLE + (
        "序号 类别 主要任务 牵头单位 责任单位\n"
        "1 节水 推进农业节水,新增高效节水灌溉面积2万亩。 市水利局 各县人民政府,经开区、高新区管委会\n"
        "2 节水 抓好工业节水。推进重点行业节水改造。 市工信局 各县人民政府,经开区、高\n"
    )
    r = extract_text(text)
    assert r.truncated is True
    assert [m.path for m in r.measures] == ["1"]
    assert r.measures[0].agencies == ["市水利局", "各县人民政府", "经开区管委会", "高新区管委会"]
    # a last row that ends in a whole collective (各市、县) is complete
    whole = extract_text(text.replace("各县人民政府,经开区、高\n", "各市、县\n"))
    assert whole.truncated is False and [m.path for m in whole.measures] == ["1", "2"]

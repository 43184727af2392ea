"""Responsibility clauses, lead and inheritance rules, in the forms the genre uses (hand-written snippets)."""

from __future__ import annotations

import pytest
from policykg.loaders import extract_text


def measures(text: str) -> list[dict]:
    return extract_text(text, file="snippet.txt").measures


def owners(text: str) -> list[tuple[list[str], list[str], list[str]]]:
    return [(m.agencies, m.lead, m.inherited) for m in measures(text)]


@pytest.mark.parametrize(
    ("clause", "agencies", "lead"),
    [
        ("（责任单位：市科技局、市财政局）", ["市科技局", "市财政局"], []),
        ("〔责任单位：市工业和信息化局，市财政局，各市（县）区人民政府〕", ["市工业和信息化局", "市财政局", "各市（县）区人民政府"], []),
        ("(市发改委、市商务局按职责分工负责)", ["市发改委", "市商务局"], []),
        ("(市发改委牵头,市财政局、市商务局等相关部门按职责分工负责)", ["市发改委", "市财政局", "市商务局", "相关部门"], ["市发改委"]),
        ("（牵头单位：市财政局；配合单位：市税务局、市统计局）", ["市财政局", "市税务局", "市统计局"], ["市财政局"]),
        ("[牵头单位:区卫健局、区创文办;责任单位:各街办(新区)]", ["区卫健局", "区创文办", "各街办(新区)"], ["区卫健局", "区创文办"]),
        ("(牽頭單位:市商務局,責任單位:市統計局)", ["市商務局", "市統計局"], ["市商務局"]),
        ("(省发展改革委、财政厅牵头;省工业和信息化委,各州、市人民政府配合)",
         ["省发展改革委", "财政厅", "省工业和信息化委", "各州、市人民政府"], ["省发展改革委", "财政厅"]),
        ("(责任领导：副市长王强；牵头单位：市住建局；责任单位：市城管局)", ["市住建局", "市城管局"], ["市住建局"]),
        ("(主办单位:市教育局;协办单位:市人社局)", ["市教育局", "市人社局"], ["市教育局"]),
        ("(市科技局、市工信局分别牵头,市财政局配合)", ["市科技局", "市工信局", "市财政局"], ["市科技局", "市工信局"]),
        ("（责任单位：市市场监管局等市各相关部门）", ["市市场监管局", "市各相关部门"], []),
        ("(省商务厅、省农业农村厅等部门及各市、县级政府按职责分工负责)", ["省商务厅", "省农业农村厅", "各市、县级政府"], []),
        ("〔市委办公室、市工商联,各县(区)党委、政府按职责分工负责〕",
         ["市委办公室", "市工商联", "各县(区)党委", "各县(区)政府"], []),
        ("(省发改委、哈尔滨、黑河市政府负责)", ["省发改委", "哈尔滨市政府", "黑河市政府"], []),
        ("(市发改委、市市场监管局,各区人民政府〈含开发区、长江新区管委会,下同〉)", ["市发改委", "市市场监管局", "各区人民政府"], []),
    ],
)
def test_bracketed_clause_forms(clause, agencies, lead):
    text = f"一、重点任务\n（一）推进项目建设。加快推进重点项目建设，确保按期完成。{clause}\n"
    [(got_agencies, got_lead, _)] = owners(text)
    assert got_agencies == agencies
    assert got_lead == lead


def test_labelled_lines_after_the_item_and_persons_are_not_agencies():
    text = (
        "一、主要预期目标\n1.地区生产总值增长5.5%左右。\n牵头领导:王 健\n牵头单位:省发展改革委\n"
        "责任单位:省工业和信息化厅、省商务厅等,各市人民政府\n"
    )
    [m] = measures(text)
    assert m.agencies == ["省发展改革委", "省工业和信息化厅", "省商务厅", "各市人民政府"]
    assert m.lead == ["省发展改革委"]
    assert m.kind == "goal"
    assert m.figures[0].value == 5.5 and m.figures[0].comparator == "="


def test_rank_rule_applies_to_the_item_and_onward():
    text = (
        "一、重点工作\n1.支持企业发展。落实各项政策。(市经信局、市财政局。列第一位的为牵头单位,下同)\n"
        "2.优化营商环境。深化改革。(市发改委、市司法局)\n"
    )
    assert [lead for _, lead, _ in owners(text)] == [["市经信局"], ["市发改委"]]


def test_inheritance_clause_gives_later_measures_but_not_safeguards():
    text = (
        "一、工作举措\n（一）加快培育。加快培育企业。〔责任单位：市科技局，以下均需各区人民政府落实，不再单独列出〕\n"
        "（二）强化支持。加大支持力度。（责任单位：市财政局）\n"
        "二、组织保障\n（一）加强组织领导。各部门要高度重视。\n"
    )
    result = owners(text)
    assert result[0] == (["市科技局", "各区人民政府"], [], [])
    assert result[1] == (["市财政局"], [], ["各区人民政府"])
    assert result[2] == ([], [], [])
    assert [m.kind for m in measures(text)] == ["measure", "measure", "safeguard"]


def test_heading_names_the_lead_of_everything_below():
    text = (
        "一、省长负责的工作\n全面负责。\n(一)省编办牵头的工作\n1.深化行政管理体制改革。\n2.推进乡镇机构改革。\n"
        "协同单位:省财政厅、省人事厅等省直有关部门和各市人民政府。\n"
    )
    result = owners(text)
    assert result[0] == (["省编办"], ["省编办"], [])
    assert result[1] == (["省编办", "省财政厅", "省人事厅", "省直有关部门", "各市人民政府"], ["省编办"], [])


def test_a_bare_bracket_list_counts_only_when_nothing_else_names_owners():
    text = "一、支持工业\n(一)加大投入。安排专项资金不低于30亿元。(市工信委、市财政局)\n(二)其他。见附件(含市委督查室)。\n"
    result = owners(text)
    assert result[0][0] == ["市工信委", "市财政局"]
    assert result[1][0] == []


def test_table_with_one_cell_per_line():
    text = "序号\n内容与要求\n进展情况\n责任单位\n1\n确保地区生产总值增长7%左右。\n1-2月增长12.7%。\n市发改委\n"
    [m] = measures(text)
    assert m.path == "1"
    assert m.agencies == ["市发改委"]
    assert [(f.value, f.comparator) for f in m.figures] == [(7, "=")]


def test_numbering_levels_bundles_and_running_numbers():
    text = (
        "关于印发甲方案和乙方案的通知\n《甲行动方案》《乙行动方案》已经市政府同意，现印发给你们。\n"
        "甲行动方案\n一、任务\n（一）第一类\n1.事项一。做好。\n2.事项二。做好。\n（二）第二类\n3.事项三。做好。\n"
        "乙行动方案\n一、任务\n（一）事项。做好。\n"
    )
    paths = [m.path for m in measures(text)]
    assert paths == ["甲行动方案/一/（一）/1", "甲行动方案/一/（一）/2", "甲行动方案/一/（二）/3", "乙行动方案/一/（一）"]


def test_one_line_text_with_blank_separated_items():
    text = ("各单位: 现将有关事项通知如下。 一、加强领导 (一)健全机制 建立联席会议制度。"
            "(市委办公室、市政府办公室按职责分工负责) (二)落实制度 每年召开1次会议。(市民营办负责)")
    result = measures(text)
    assert [m.path for m in result] == ["一/(一)", "一/(二)"]
    assert result[0].title == "健全机制"
    assert result[1].agencies == ["市民营办"]


def test_attachment_lists_are_not_items():
    text = "附件:1.2020年重点工作责任分解\n2.民生实事责任分解\n一、重点工作\n1.支持企业。落实政策。\n责任单位:市经信局\n"
    assert [m.path for m in measures(text)] == ["一/1"]


def test_a_title_like_line_inside_a_list_is_a_sub_heading_not_a_new_plan():
    text = (
        "一、重点任务\n1.推进项目。做好。(责任单位:市发改委)\n实施产业提升行动\n"
        "2.培育企业。做好。(责任单位:市工信局)\n二、保障措施\n(一)加强领导。做好。\n"
    )
    result = measures(text)
    assert [m.path for m in result] == ["一/1", "一/2", "二/(一)"]
    assert result[1].agencies == ["市工信局"]


def test_star_marks_the_lead_where_a_legend_says_so():
    text = ("说明:标★的为牵头单位。\n一、重点任务\n1.推进项目。做好。(责任单位:★市发改委、市财政局)\n")
    [(agencies, lead, _)] = owners(text)
    assert agencies == ["市发改委", "市财政局"]
    assert lead == ["市发改委"]


def test_task_table_with_lead_and_partner_columns():
    text = ("序号\n工作任务\n牵头单位\n配合单位\n1\n推进数字化转型。\n市工信局\n市发改委、市财政局\n"
            "2\n优化营商环境。\n市发改委\n各区人民政府\n")
    result = owners(text)
    assert result[0] == (["市工信局", "市发改委", "市财政局"], ["市工信局"], [])
    assert result[1] == (["市发改委", "各区人民政府"], ["市发改委"], [])


def test_an_item_cut_off_by_the_end_of_the_text_is_left_out():
    text = ("一、重点任务\n1.推进项目。做好。(责任单位:市发改委)\n"
            "2.培育企业。加快培育一批创新型企业，推动企业做大做强，支持企业开展技术攻关和成果转化，推动")
    record = extract_text(text)
    assert record.truncated is True
    assert [m.path for m in record.measures] == ["一/1"]


@pytest.mark.parametrize(
    ("clause", "agencies", "lead"),
    [
        ("(牵头部门:市总工会;参与部门:团市委、市妇联)", ["市总工会", "团市委", "市妇联"], ["市总工会"]),
        ("(责任人:张三;责任主体:市消防救援支队)", ["市消防救援支队"], []),
        ("(市教育局牵头,各县(市、区))", ["市教育局", "各县(市、区)"], ["市教育局"]),
    ],
)
def test_more_labels_and_collectives(clause, agencies, lead):
    text = f"一、重点任务\n（一）推进项目建设。加快推进重点项目建设。{clause}\n"
    [(got_agencies, got_lead, _)] = owners(text)
    assert got_agencies == agencies
    assert got_lead == lead


@pytest.mark.parametrize(
    ("clause", "agencies", "lead"),
    [
        ("(主办:市发改委;协办:市财政局、市自然资源局)", ["市发改委", "市财政局", "市自然资源局"], ["市发改委"]),
        ("(牵头单位:市科委,配合单位:各区县市)", ["市科委", "各区县市"], ["市科委"]),
        ("(各地、各有关部门按职责分工负责)", ["各地", "各有关部门"], []),
        ("(责任单位:立山经济开发区,全区经济运行各专班)", ["立山经济开发区", "全区经济运行各专班"], []),
    ],
)
def test_zones_task_forces_and_role_labels(clause, agencies, lead):
    text = f"一、重点任务\n（一）推进项目建设。加快推进重点项目建设。{clause}\n"
    [(got_agencies, got_lead, _)] = owners(text)
    assert got_agencies == agencies
    assert got_lead == lead


def test_division_of_labour_line():
    text = "一、重点任务\n1.扩大有效投资。加快项目建设。\n部门分工:省发展改革委牵头,各地、各部门配合。\n"
    [(agencies, lead, _)] = owners(text)
    assert agencies == ["省发展改革委", "各地", "各部门"]
    assert lead == ["省发展改革委"]


def test_a_bracketed_lead_on_a_section_heading_reaches_its_items():
    text = "一、强化科技创新(区科技局牵头)\n(一)建设创新平台。做好。\n(二)培育企业。做好。(区工信局牵头)\n"
    result = owners(text)
    assert result[0] == (["区科技局"], ["区科技局"], [])
    assert result[1] == (["区工信局"], ["区工信局"], [])


def test_rank_rule_gives_way_to_an_explicit_lead():
    text = ("排在首位的为牵头单位。\n一、重点任务\n1.推进项目。做好。\n牵头单位:市发改委\n配合单位:市财政局、市税务局\n"
            "2.培育企业。做好。(市工信局、市科技局)\n")
    result = owners(text)
    assert result[0][1] == ["市发改委"]
    assert result[1][1] == ["市工信局"]


def test_inheritance_worded_as_specific_tasks():
    text = ("一、任务\n(一)发展流通。做好。〔责任单位:省商务厅按职责分工负责。具体任务均涉及相关市(州)人民政府,不再做分工,下同。〕\n"
            "(二)扩大消费。做好。〔责任单位:省发展改革委〕\n")
    result = owners(text)
    assert result[0][0] == ["省商务厅", "相关市(州)人民政府"]
    assert result[1] == (["省发展改革委"], [], ["相关市(州)人民政府"])


def test_table_rows_with_bars_and_a_progress_column():
    text = ("序号 | 具体工作任务和要求 | 责任领导 | 责任单位 | 落实情况 |\n"
            "1 | 增加义务教育学位5000个。 | 毛晓青 | 县教体局 各相关乡镇政府 | 新增学位5500个。 |\n")
    [m] = measures(text)
    assert m.agencies == ["县教体局", "各相关乡镇政府"]
    assert [f.value for f in m.figures] == [5000]


def test_table_header_separated_from_rows_by_group_rows_and_shared_tails():
    text = ("序号\n重点工作\n分管领导\n牵头单位\n配合单位\n备注\n强化科技创新支撑能力。\n(一)\n加强战略科技力量建设。\n"
            "1\n加快建设科技创新轴。\n王 东\n市科技局\n黄埔区、南沙区政府\n\n")
    [m] = measures(text)
    assert m.path == "(一)/1"
    assert m.agencies == ["市科技局", "黄埔区政府", "南沙区政府"]
    assert m.lead == ["市科技局"]


def test_machine_spun_copies_still_name_their_owners():
    text = ("一、任务\n1.推介项目。常态化向民间资本推介。(省生长改造委牵头卖力)\n"
            "2.推行市场化运作。(省生长改造委、交通运输厅、能源局等省有关部门和各地级以上市人民政府按职责分工卖力)\n")
    result = owners(text)
    assert result[0] == (["省生长改造委"], ["省生长改造委"], [])
    assert result[1][0] == ["省生长改造委", "交通运输厅", "能源局", "省有关部门", "各地级以上市人民政府"]


def test_announced_plans_are_the_plans_a_notice_issues_not_the_notice():
    text = ("武政办〔2024〕30号《武汉市人民政府办公厅关于印发甲工作方案的通知》\n"
            "《甲工作方案》已经市人民政府同意,现印发给你们。\n武汉市人民政府办公厅\n2024年3月27日\n"
            "甲工作方案\n一、工作任务\n(一)推进项目。做好。(责任单位:市发改委)\n")
    record = extract_text(text)
    assert [a.title for a in record.announced_plans] == ["甲工作方案"]
    assert record.announced_plans[0].present is True
    assert record.doc_number == "武政办〔2024〕30号"
    assert record.date == "2024-03-27"
    assert record.issuer == "武汉市人民政府办公厅"


@pytest.mark.parametrize(
    "ending",
    ["〔责任单位:自治区农牧厅、发", "\n责任单位:市", "(牵头单位:省发展改革委;责任单位:省住建厅、", "(责任单位:有关设区市、"],
)
def test_a_page_that_stops_inside_the_clause_of_its_last_item(ending):
    text = "一、任务\n1.推进项目。做好。(责任单位:市发改委)\n2.培育企业。加快培育一批企业。" + ending
    record = extract_text(text)
    assert record.truncated is True
    assert [m.path for m in record.measures] == ["一/1"]


def test_a_byline_after_a_complete_last_item_is_no_cut():
    text = ("记者从省政府获悉,重点工作分工如下。\n\n1、推进项目建设。(省发改委负责)\n\n"
            "2、抓好粮食生产,全年粮食播种面积4000万亩。(省农业厅等负责)\n\n详见某某网\n\n都市报记者王某\n")
    record = extract_text(text)
    assert record.truncated is False
    assert [m.path for m in record.measures] == ["1", "2"]
    # a page that stops inside a sentence is still cut, byline or not
    cut = extract_text(text.replace("全年粮食播种面积4000万亩。(省农业厅等负责)", "全年粮食播种面积"))
    assert cut.truncated is True and [m.path for m in cut.measures] == ["1"]


def test_a_page_that_stops_inside_the_marker_of_the_next_item():
    text = "一、主要目标\n(一)地区生产总值增长6%。(牵头单位:市发改委)\n二、主要工作任务\n(一"
    record = extract_text(text)
    assert record.truncated is True
    assert [m.path for m in record.measures] == ["一/(一)"]


def test_owners_named_in_running_text_when_no_clause_names_them():
    text = ("一、任务\n1.建设物流园区。由杨志武副市长负责,市发改委牵头,相关部门配合,尽快完成规划。\n"
            "2.开展排查整治。由市监局牵头,在全市范围内开展行动。(责任单位:市市场监管局)\n")
    result = owners(text)
    assert result[0] == (["市发改委", "相关部门"], ["市发改委"], [])
    assert result[1] == (["市市场监管局"], [], [])


@pytest.mark.parametrize(
    ("clause", "agencies", "lead"),
    [
        ("(责任单位:海东市、兰州市、临夏州发展改革部门)", ["海东市发展改革部门", "兰州市发展改革部门", "临夏州发展改革部门"], []),
        ("(责任单位:有关设区市、省有关部门和单位)", ["有关设区市", "省有关部门", "省有关单位"], []),
        # zones named bare before another zone's bodies share them all (SCHEMA.md)
        ("(责任单位:综合保税区、经开区党工委和管委会)",
         ["综合保税区党工委", "综合保税区管委会", "经开区党工委", "经开区管委会"], []),
        ("(市水利局牵头,甲县、乙县、丙县人民政府配合)",
         ["市水利局", "甲县人民政府", "乙县人民政府", "丙县人民政府"], ["市水利局"]),
        ("(责任单位:市发改委、市卫生健康委(除标注“分别牵头”外,列第一位为牵头或汇总单位,下同))",
         ["市发改委", "市卫生健康委"], ["市发改委"]),
    ],
)
def test_shared_tails_collectives_and_rules_with_exceptions(clause, agencies, lead):
    text = f"一、重点任务\n（一）推进项目建设。加快推进重点项目建设。{clause}\n"
    [(got_agencies, got_lead, _)] = owners(text)
    assert got_agencies == agencies
    assert got_lead == lead


def test_running_numbers_under_a_sub_heading_and_page_decoration():
    text = ("01\n一、任务\n1.推进项目。做好。\n二、发展\n(一)全力以赴稳增长。\n2.招商引资。做好。\n3.提高\n住房保障水平。做好。\n")
    result = measures(text)
    assert [m.path for m in result] == ["一/1", "二/(一)/2", "二/(一)/3"]
    assert result[2].title == "提高住房保障水平"


@pytest.mark.parametrize(
    ("tail", "agencies", "lead"),
    [
        # 由X会同A、B等部门…: X leads, the others are responsible
        ("由市发改委会同市财政局、市自然资源局等部门负责落实。", ["市发改委", "市财政局", "市自然资源局"], ["市发改委"]),
        # an owner sentence on its own line after the item
        ("\n由市财政局、农业局,各县(市)、区人民政府负责落实。", ["市财政局", "农业局", "各县(市)、区人民政府"], []),
        ("市住建局牵头落实。", ["市住建局"], ["市住建局"]),
        ("(市住建局、市城管局等负责)", ["市住建局", "市城管局"], []),
        ("\n主办单位：市教育局\n协办单位：市人社局", ["市教育局", "市人社局"], ["市教育局"]),
        ("\n主要责任单位：市教育局\n协同配合单位：市人社局、市财政局", ["市教育局", "市人社局", "市财政局"], ["市教育局"]),
        ("(各区人民政府牵头,市发改委配合)", ["各区人民政府", "市发改委"], ["各区人民政府"]),
        ("\n分管县领导：张 三、李四\n牵头单位：县发改局\n责任单位：县财政局", ["县发改局", "县财政局"], ["县发改局"]),
        # actors in the running text without an owner wording own nothing
        ("由区财政给予企业补贴,支持各街道参照执行。", [], []),
    ],
)
def test_responsibility_wordings_beyond_clauses(tail, agencies, lead):
    text = f"一、重点任务\n（一）推进项目建设。加快推进重点项目建设。{tail}\n"
    [(got_agencies, got_lead, _)] = owners(text)
    assert got_agencies == agencies
    assert got_lead == lead


@pytest.mark.parametrize(
    "clause",
    [
        "以下政策措施均需各县区人民政府、园区管委会落实,不再单独列出",
        "下列各项工作均由各县区人民政府、园区管委会负责实施,不再一一列举",
    ],
)
def test_inheritance_in_other_words(clause):
    text = (f"一、重点任务\n1.设立专项资金。(责任单位:市工信局、市财政局。{clause})\n"
            "2.开展企业上云培训。(责任单位:市工信局)\n")
    first, second = owners(text)
    assert first[2] == []
    assert second == (["市工信局"], [], ["各县区人民政府", "园区管委会"])

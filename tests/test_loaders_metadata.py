"""Document metadata on web pages, and the places practices are credited to (hand-written snippets)."""

from __future__ import annotations

import pytest
from policykg.loaders import extract_text

ITEMS = "一、重点任务\n（一）推进项目建设。加快推进重点项目建设。（责任单位：县发改局）\n（二）优化营商环境。持续优化营商环境。（责任单位：县商务局）\n"


def record(text: str):
    return extract_text(text, file="page.txt")


def test_a_metadata_block_printed_as_rows_gives_title_number_and_document_date():
    page = (
        "当前位置：首页 > 政务公开 > 政策文件\n索 引 号：11330000/2023-00012\n主题分类：综合政务\n"
        "發文機關：某某縣人民政府辦公室\n成文日期：2023年03月10日\n"
        "標  題：某某縣人民政府辦公室關於印發某某縣優化營商環境實施方案的通知\n"
        "發文字號：某政辦發〔2023〕8號\n發布日期：2023年03月15日\n" + ITEMS
    )
    r = record(page)
    assert r.title == "某某縣人民政府辦公室關於印發某某縣優化營商環境實施方案的通知"
    assert r.doc_number == "某政辦發〔2023〕8號"
    assert r.date == "2023-03-10"  # 成文日期, not the page's 发布日期
    assert page[r.title_span[0]:r.title_span[1]] == r.title


def test_a_page_timestamp_alone_is_no_document_date():
    r = record("某县人民政府关于印发2024年重点工作的通知\n发布日期:2024-02-01 浏览次数:12\n" + ITEMS)
    assert r.date is None
    assert r.title == "某县人民政府关于印发2024年重点工作的通知"


def test_a_signature_whose_year_and_month_were_lost_is_read_with_the_page_date():
    r = record("某县人民政府关于印发2024年重点工作的通知\n发布日期:2024-02-01\n" + ITEMS + "某县人民政府\n202421日\n")
    assert r.date == "2024-02-01"


def test_a_signature_in_chinese_numerals_and_the_issuer_above_it():
    r = record("关于印发2006年重点工作的通知\n现将重点工作印发给你们。\n某市人民政府办公厅\n二○○六年四月二十八日\n" + ITEMS)
    assert r.date == "2006-04-28"
    assert r.issuer == "某市人民政府办公厅"


def test_navigation_and_a_trailing_document_number_are_no_part_of_the_title():
    r = record("智能问答 | 无障碍浏览 |\n当前位置: 首页 > 政策汇编\n"
               "某市人民政府关于印发某市支持实体经济发展若干措施的通知(某府〔2019〕31号)\n"
               "来源:某市新闻网 发表日期:2019-09-04\n" + ITEMS)
    assert r.title == "某市人民政府关于印发某市支持实体经济发展若干措施的通知"
    assert r.date is None


@pytest.mark.parametrize(
    ("head", "title"),
    [
        # a notice without a title issuing one plan
        ("各乡镇人民政府:\n《某县优化营商环境的具体措施》已经县政府同意,现印发给你们,请认真贯彻落实。\n",
         "某县优化营商环境的具体措施"),
        # a news lead-in before the text
        ("本网讯:今天,某省人民政府网站发布了《某省人民政府办公厅关于印发2019年工作计划的通知》,明确了任务。\n",
         "某省人民政府办公厅关于印发2019年工作计划的通知"),
        # the page's first line reads as a title
        ("某镇2024年度重点工作计划二季度执行情况\n\n", "某镇2024年度重点工作计划二季度执行情况"),
        # a page flattened onto one line: the title glued to the first sentence
        ("某县促进专精特新企业发展行动方案(征求意见稿)(2023-2025年)为深入贯彻落实有关精神,制定本方案。\n",
         "某县促进专精特新企业发展行动方案(征求意见稿)(2023-2025年)"),
    ],
)
def test_the_documents_own_title_before_lead_ins_and_page_furniture(head, title):
    assert record(head + ITEMS).title == title


def test_practices_credited_to_places_in_brackets():
    r = record("一、优化审批服务\n1.推行企业开办集成服务。开办企业全程网办。（浙江省杭州市）\n"
               "2.建设金融服务平台。(江苏省苏州市、浙江省宁波市)\n3.推进园区建设(含开发区)。\n")
    assert [m.sources for m in r.measures] == [["杭州市"], ["苏州市", "宁波市"], []]


def test_a_baseline_is_no_deadline():
    r = record("一、主要成效\n1.提高不捕率。不捕率从2018年以前的30.6%上升至目前的37.5%,力争2025年底前完成改造。\n")
    [m] = r.measures
    assert [d.text for d in m.deadlines] == ["力争2025年底前"]

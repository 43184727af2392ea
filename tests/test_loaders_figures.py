"""Figures: numerals, multipliers, units, comparators, ranges and what is not a figure."""

from __future__ import annotations

import pytest
from policykg.loaders import extract_text


def figures(sentence: str) -> list[tuple]:
    text = f"一、重点任务\n（一）推进工作。{sentence}（责任单位：市科技局）\n"
    [m] = extract_text(text).measures
    out = []
    for f in m.figures:
        if f.comparator == "range":
            out.append(("range", f.min, f.max, f.unit))
        else:
            out.append((f.comparator, f.value, f.unit))
    return out


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("项目比例原则上不低于80%。", [(">=", 80, "%")]),
        # counts of seats, devices and sites; a rank (前10位) is no count
        ("新增学位3800位,安装高音喇叭752只,改造操场13处。", [("=", 3800, "位"), ("=", 752, "只"), ("=", 13, "处")]),
        ("对绩效评价前10位的项目给予奖补。", []),
        # a bracket qualifying the figure before it is no figure of its own
        ("辖区内5亩以下(不含5亩)的用地手续当日办结。", [("<=", 5, "亩")]),
        # a comparator word governs its own phrase, not the next member of a 、 list
        ("投资增速高于经济增速、3个结构性指标均增长8%以上。", [(">=", 8, "%")]),
        ("税额标准下调至2—6元/平方米。", [("range", 2, 6, "元/平方米")]),
        # a cluster's size class is no target of the item
        ("形成一批超50亿元的特色产业集群。", []),
        # a sentence set in the future holds targets, cumulative or average ones too
        ("到2028年,平均经营周期达到6年,累计新增“个转企”3万户。", [("=", 6, "年"), ("=", 30000, "户")]),
        ("2023年以来累计新增个转企3万户。", []),
        ("给予最高200万元资助。", [("<=", 2000000, "元")]),
        ("新增民营企业10万家。", [("=", 100000, "家")]),
        ("总数达到1.85万家。", [("=", 18500, "家")]),
        ("新增普惠小微贷款700亿元。", [("=", 70000000000, "元")]),
        ("经营主体突破225万家。", [(">", 2250000, "家")]),
        ("担保费率降至1%以下。", [("<=", 1, "%")]),
        ("按照1000万元（含）～3000万元分档支持。", [("range", 10000000, 30000000, "元")]),
        ("发展1~2条重点产业链。", [("range", 1, 2, "条")]),
        ("年主营业务收入1000-2000万元的企业。", [("range", 10000000, 20000000, "元")]),
        ("分别给予最高50万元、30万元的一次性奖励。", [("<=", 500000, "元"), ("<=", 300000, "元")]),
        ("分别达到80%、90%以上。", [(">=", 80, "%"), (">=", 90, "%")]),
        ("对1亿元和2亿元以上的项目给予支持。", [(">=", 100000000, "元"), (">=", 200000000, "元")]),
        ("自签约之日起两年内完成投资。", [("<=", 2, "年")]),
        ("三年内认定市级众创空间60家以上。", [(">=", 60, "家")]),
        ("上市企业户数增长一倍。", [("=", 1, "倍")]),
        ("市值达1000亿元企业两户以上。", [(">=", 2, "户")]),
        ("审批时间不超过7个工作日。", [("<=", 7, "工作日")]),
        ("至少提前一个月对接续贷需求。", [(">=", 1, "月")]),
        ("每年召开1次民营经济发展大会。", [("=", 1, "次")]),
        ("经全体职工2/3以上同意。", [(">=", 0.666667, "")]),
        ("组织推介活动100场以上。", [(">=", 100, "场")]),
        ("生活垃圾回收利用率大于37.5%。", [(">", 37.5, "%")]),
        ("地区生产总值增长5.5%左右。", [("=", 5.5, "%")]),
        ("一次性奖励三百万元。", [("=", 3000000, "元")]),
        ("培育8—10个示范园区。", [("range", 8, 10, "个")]),
        ("新增中试平台30家、科技成果转化中心10家。", [("=", 30, "家"), ("=", 10, "家")]),
        # pages copied from PDFs: a blank between the number and its unit, a line wrapped inside an amount
        ("分别给予 100 万元、30 万元奖励。", [("=", 1000000, "元"), ("=", 300000, "元")]),
        ("年销售收入首次突破 5000\n万元的企业。", [(">", 50000000, "元")]),
        ("新增 20 家以上。", [(">=", 20, "家")]),
    ],
)
def test_figure_forms(sentence, expected):
    assert figures(sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "聚焦“465”现代产业集群。",
        "推动更多企业进入中国500强。",
        "深入贯彻党的二十大精神。",
        "力争2025年完成改造，6月底之前报送总结。",
        "按国办发〔2022〕27号文件执行。",
        "按照1:1比例配套。",
        "畅通12345热线。",
        "加快5G网络建设。",
        "建立三张清单。",
        "截至2021年8月，累计兑现资金112亿元。",
        "建立4个结构性指标。",
        "确保一次性告知。",
    ],
)
def test_not_figures(sentence):
    assert figures(sentence) == []


def test_values_and_units_keep_the_script_as_written():
    text = "一、工作目標\n（一）規模進一步提升。力爭新增“四上”企業1400家，總數達到1.85萬家。\n"
    [m] = extract_text(text).measures
    assert [(f.text, f.value, f.unit) for f in m.figures] == [("1400家", 1400, "家"), ("1.85萬家", 18500, "家")]
    assert m.kind == "goal"

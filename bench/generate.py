"""Generate realistic policy documents of the genre, with their gold records, for benchmarks at scale.

    python bench/generate.py OUT_DIR [--documents N] [--seed S]

Writes OUT_DIR/texts/g00000.txt … and OUT_DIR/gold/g00000.json (the record format of docs/SCHEMA.md, so
tests/data/eval/score.py scores an `extract` run against them). Seeded: the same arguments give the same
bytes. What varies, per document: the city (its own agency pool, so jurisdictions differ), one plan or a
bundle of plans under one notice, numbering depth (一、 → （一） → 1.), each responsibility form the loaders
read (〔责任单位：…〕, （牵头单位：…；配合单位：…）, …牵头，…配合, 由X会同A、B负责, a task table with a
牵头单位 column, an inheritance clause 以下均需…落实，不再单独列出), figures with every comparator, ranges
and units, deadlines, the script (a share in Traditional), one-line pages, and web-page clutter before
the notice. Gold follows the conventions of tests/data/dev/NOTES.md; each document is built from
segments, and Traditional documents convert segment by segment, so every gold string is a verbatim
substring of its text.
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

CITIES = [  # (city, province, short)
    ("无锡市", "江苏省", "锡"), ("武汉市", "湖北省", "武"), ("普洱市", "云南省", "普"), ("杭州市", "浙江省", "杭"),
    ("成都市", "四川省", "成"), ("西安市", "陕西省", "市"), ("青岛市", "山东省", "青"), ("长沙市", "湖南省", "长"),
    ("郑州市", "河南省", "郑"), ("合肥市", "安徽省", "合"), ("南昌市", "江西省", "洪"), ("福州市", "福建省", "榕"),
    ("昆明市", "云南省", "昆"), ("贵阳市", "贵州省", "筑"), ("南宁市", "广西壮族自治区", "南"), ("兰州市", "甘肃省", "兰"),
    ("太原市", "山西省", "并"), ("沈阳市", "辽宁省", "沈"), ("长春市", "吉林省", "长"), ("哈尔滨市", "黑龙江省", "哈"),
    ("石家庄市", "河北省", "石"), ("济南市", "山东省", "济"), ("苏州市", "江苏省", "苏"), ("宁波市", "浙江省", "甬"),
    ("温州市", "浙江省", "温"), ("佛山市", "广东省", "佛"), ("东莞市", "广东省", "莞"), ("泉州市", "福建省", "泉"),
    ("芜湖市", "安徽省", "芜"), ("襄阳市", "湖北省", "襄"),
]
AGENCIES = [  # names as a city text writes them (市 prefix); several spellings of the same body
    ["市发展改革委", "市发改委", "市发展和改革委员会"], ["市科技局", "市科学技术局"], ["市财政局"],
    ["市工业和信息化局", "市工信局"], ["市商务局"], ["市市场监管局", "市市场监督管理局"],
    ["市人力资源社会保障局", "市人社局"], ["市税务局"], ["市自然资源和规划局", "市自然资源局"], ["市住房城乡建设局", "市住建局"],
    ["市生态环境局"], ["市交通运输局"], ["市农业农村局"], ["市教育局"], ["市司法局"], ["市地方金融监管局", "市金融办"],
    ["市数据局", "市大数据局"], ["市行政审批局", "市政务服务管理局"], ["市文化广电旅游局", "市文旅局"], ["市卫生健康委"],
    ["市应急管理局"], ["市统计局"], ["市国资委"], ["市工商联"], ["市委宣传部"], ["市委组织部"],
]
COLLECTIVES = ["各县（市、区）人民政府", "市各相关部门", "各区人民政府", "各开发区管委会"]
TOPICS = ["民营企业高质量发展", "优化营商环境", "科技创新", "数字经济发展", "制造业转型升级", "外贸稳增长",
          "消费提振", "人才引育", "绿色低碳发展", "中小企业纾困", "现代农业", "文旅融合发展"]
ACTIONS = ["加大", "强化", "完善", "推进", "健全", "深化", "支持", "优化", "落实", "提升"]
OBJECTS = ["财政资金支持", "融资服务", "用地保障", "人才支撑", "审批服务", "要素保障", "创新平台建设", "市场开拓",
           "信用体系建设", "政策宣传解读", "惠企政策兑现", "企业培育"]
BODIES = ["鼓励企业加大研发投入，引导社会资本参与", "要建立健全工作机制，明确责任分工", "严禁违规设置准入门槛，不得增加企业负担",
          "支持符合条件的企业申报项目", "应当及时公开办理流程和时限", "加强部门协同，形成工作合力"]
NUMERALS = "一二三四五六七八九十"


def cn(n: int) -> str:
    """1..99 in Chinese numerals, as numbering prints them."""
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else NUMERALS[tens - 1]) + "十" + (NUMERALS[ones - 1] if ones else "")


@dataclass
class Figure:
    text: str
    value: float | None
    unit: str
    comparator: str
    minimum: float | None = None
    maximum: float | None = None

    def gold(self, convert) -> dict:
        out = {"text": convert(self.text), "unit": convert(self.unit), "comparator": self.comparator}
        if self.comparator == "range":
            out.update(min=self.minimum, max=self.maximum)
        else:
            out["value"] = self.value
        return out


def _figure(rng: random.Random) -> Figure:
    kind = rng.randrange(7)
    if kind == 0:
        n = rng.choice([50, 100, 200, 500, 1000])
        return Figure(f"最高{n}万元", n * 10_000, "元", "<=")
    if kind == 1:
        n = rng.choice([60, 70, 80, 85, 90, 95])
        return Figure(f"不低于{n}%", n, "%", ">=")
    if kind == 2:
        n = rng.choice([10, 20, 50, 100, 300])
        return Figure(f"{n}家", n, "家", "=")
    if kind == 3:
        n = rng.choice([3, 5, 10, 15])
        return Figure(f"不超过{n}个工作日", n, "工作日", "<=")
    if kind == 4:
        n = rng.choice([1, 2, 5, 10])
        return Figure(f"超过{n}亿元", n * 100_000_000, "元", ">")
    if kind == 5:
        lo, hi = rng.choice([(100, 500), (500, 1000), (1000, 3000)])
        return Figure(f"{lo}万元（含）～{hi}万元", None, "元", "range", lo * 10_000, hi * 10_000)
    n = rng.choice([20, 30, 50, 100])
    return Figure(f"{n}场以上", n, "场", ">=")


@dataclass
class Measure:
    path: list[str]
    title: str
    body: str
    kind: str
    agencies: list[str] = field(default_factory=list)
    lead: list[str] = field(default_factory=list)
    inherited: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    clause: str = ""


def _owners(rng: random.Random, pool: list[str], inherited: list[str]) -> tuple[list[str], list[str], str]:
    """Agencies, lead and the clause that names them, in one of the forms the genre uses."""
    names = rng.sample(pool, rng.randint(1, 4))
    if rng.random() < 0.2 and not inherited:  # an item under an inheritance clause does not repeat it
        names.append(rng.choice(COLLECTIVES))
    form = rng.randrange(5)
    if form == 0 or len(names) == 1:
        return names, [], f"〔责任单位：{'、'.join(names)}〕"
    if form == 1:
        return names, [], f"（责任单位：{'、'.join(names)}）"
    if form == 2:
        return names, names[:1], f"（牵头单位：{names[0]}；配合单位：{'、'.join(names[1:])}）"
    if form == 3:
        return names, names[:1], f"（{names[0]}牵头，{'、'.join(names[1:])}配合）"
    return names, [], f"（{'、'.join(names)}按职责分工负责）"


def _measure(rng: random.Random, path: list[str], pool: list[str], inherited: list[str]) -> Measure:
    title = rng.choice(ACTIONS) + rng.choice(OBJECTS)
    figures = [_figure(rng) for _ in range(rng.choice([0, 0, 1, 1, 2]))]
    clauses = [rng.choice(BODIES)]
    for f in figures:
        clauses.append(rng.choice(["对符合条件的项目给予补助", "力争到2027年底", "全年新增", "办理时限"]) + f.text)
    body = "，".join(clauses) + "。"
    if rng.random() < 0.15:
        body += f"{rng.choice(['2026年6月底前', '2026年底前', '2027年12月底前'])}完成。"
    m = Measure(path, title, body, "measure", inherited=list(inherited), figures=figures)
    m.agencies, m.lead, m.clause = _owners(rng, pool, inherited)
    return m


@dataclass
class Plan:
    title: str
    measures: list[Measure]
    table: bool = False
    safeguard: Measure | None = None  # the closing 保障措施 section: one safeguard item without owners


def _plan(rng: random.Random, city: str, topic: str, pool: list[str], prefix: list[str]) -> Plan:
    inherited: list[str] = []
    measures: list[Measure] = []
    table = rng.random() < 0.15
    n_sections = rng.randint(1, 3)
    serial = 0
    for s in range(1, n_sections + 1):
        for i in range(1, rng.randint(2, 6) + 1):
            serial += 1
            path = prefix + ([str(serial)] if table else ["二", f"（{cn(serial if n_sections == 1 else i)}）"])
            if not table and n_sections > 1:
                path = prefix + [cn(s + 1), f"（{cn(i)}）"]
            m = _measure(rng, path, pool, inherited)
            if not table and serial == 1 and rng.random() < 0.3:
                # the first item names the collective itself; every later item inherits it
                inherited = [c for c in [rng.choice(COLLECTIVES)] if c not in m.agencies]
                if inherited and m.clause.startswith(("〔责任单位", "（责任单位")):
                    m.agencies.append(inherited[0])
                    m.clause = m.clause[:-1] + f"，以下均需{inherited[0]}落实，不再单独列出" + m.clause[-1]
                else:
                    inherited = []
            measures.append(m)
    plan = Plan(f"{city}{topic}行动方案", measures, table)
    if not table:
        last = cn(len({m.path[-2] for m in measures}) + 2)
        plan.safeguard = Measure(prefix + [last], "保障措施", "各地各部门要加强组织领导，确保各项任务落到实处。", "safeguard")
    return plan


def _render_plan(plan: Plan, bundled: bool) -> list[str]:
    """Segments of one plan's text (segments are converted to Traditional one by one)."""
    seg = [plan.title, "\n"] if bundled else []
    seg += ["为深入贯彻落实党中央、国务院决策部署，结合我市实际，制定本方案。", "\n"]
    if plan.table:
        seg += ["序号 | 主要任务 | 牵头单位 | 配合单位 |", "\n"]
        for m in plan.measures:
            partners = [a for a in m.agencies if a not in m.lead]
            lead = m.lead or m.agencies[:1]
            seg += [f"{m.path[-1]} | ", m.title, "。", m.body, " | ", "、".join(lead), " | ", "、".join(partners), " |", "\n"]
        return seg
    seg += ["一、总体要求", "\n", "坚持问题导向，统筹推进。", "\n"]
    section = None
    for m in plan.measures:
        top = m.path[-2]
        if top != section:
            section = top
            seg += [f"{top}、主要任务", "\n"]
        seg += [m.path[-1], m.title, "。", m.body, m.clause, "\n"]
    seg += [f"{plan.safeguard.path[-1]}、", plan.safeguard.title, "\n", plan.safeguard.body, "\n"]
    return seg


def _fix_table_paths(plan: Plan) -> None:
    """Table rows lead with the first owner: the lead column names it even without a lead word."""
    for m in plan.measures:
        if not m.lead:
            m.lead = m.agencies[:1]


def document(index: int, rng: random.Random, s2t) -> tuple[str, dict]:
    city, _province, short = rng.choice(CITIES)
    pool = [rng.choice(spellings) for spellings in AGENCIES]
    bundled = rng.random() < 0.2
    topics = rng.sample(TOPICS, rng.randint(2, 4) if bundled else 1)
    plans = []
    for topic in topics:
        plan = _plan(rng, city, topic, pool, [f"{city}{topic}行动方案"] if bundled else [])
        if plan.table:
            _fix_table_paths(plan)
        plans.append(plan)
    year = rng.randint(2012, 2025)
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    number = f"{short}政办发〔{year}〕{rng.randint(1, 99)}号"
    title = (f"{city}人民政府办公室关于印发{plans[0].title}{'等文件' if bundled else ''}的通知")
    traditional = rng.random() < 0.2
    convert = s2t if traditional else (lambda s: s)
    seg: list[str] = []
    if rng.random() < 0.3:
        seg += ["首页 > 政务公开 > 政策文件", "\n", f"发布时间：{year}-{month:02d}-{day:02d} 浏览次数：{rng.randint(10, 9999)}", "\n"]
    seg += [title, "\n", number, "\n", "各县（市、区）人民政府，市各委办局：", "\n"]
    listed = "".join(f"《{p.title}》" for p in plans)
    seg += [f"现将{listed}印发给你们，请认真贯彻落实。", "\n", f"{city}人民政府办公室", "\n",
            f"{year}年{month}月{day}日", "\n"]
    for plan in plans:
        seg += _render_plan(plan, bundled)
    if rng.random() < 0.08:  # a page flattened onto one line
        seg = [" " if s == "\n" else s for s in seg]
    text = "".join(convert(s) for s in seg)
    gold = {
        "file": f"g{index:05d}.txt",
        "title": convert(title), "issuer": convert(f"{city}人民政府办公室"), "doc_number": convert(number),
        "date": f"{year}-{month:02d}-{day:02d}", "jurisdiction": city, "truncated": False,
        "measures": [{
            "path": "/".join(convert(p) for p in m.path), "title": convert(m.title), "kind": m.kind,
            "agencies": [convert(a) for a in m.agencies], "lead": [convert(a) for a in m.lead],
            "inherited": [convert(a) for a in m.inherited], "figures": [f.gold(convert) for f in m.figures],
        } for plan in plans for m in plan.measures + ([plan.safeguard] if plan.safeguard else [])],
    }
    return text, gold


def generate(out: Path, documents: int, seed: int = 7) -> list[Path]:
    import opencc

    s2t = opencc.OpenCC("s2t").convert
    rng = random.Random(seed)
    (out / "texts").mkdir(parents=True, exist_ok=True)
    (out / "gold").mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(documents):
        text, gold = document(i, rng, s2t)
        path = out / "texts" / gold["file"]
        path.write_text(text, encoding="utf-8")
        (out / "gold" / f"g{i:05d}.json").write_text(json.dumps(gold, ensure_ascii=False, indent=1), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="directory to write texts/ and gold/ into")
    parser.add_argument("--documents", type=int, default=100, help="how many documents (default: 100)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default: 7)")
    args = parser.parse_args()
    paths = generate(args.out, args.documents, args.seed)
    size = sum(p.stat().st_size for p in paths)
    print(f"{len(paths)} documents, {size / 1e6:.1f} MB in {args.out}")


if __name__ == "__main__":
    main()

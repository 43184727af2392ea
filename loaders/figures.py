"""Target figures: a number, its unit, its comparator and its role.

Works on the normalised text of one item's body (responsibility clauses
removed). Dates, years, document numbers, ordinals, ratios, numbers inside
names or slogans (“465”, 500强, 5G) and descriptive counts are not figures;
neither are achieved statistics (截至…累计…, 同比).
"""

from __future__ import annotations

import bisect
import re
from bisect import bisect_left
from dataclasses import dataclass

from policykg.loaders.numerals import parse_number
from policykg.loaders.vocabulary import alternation, comparator_words, units

_CN = "零〇一二两三四五六七八九十百千"
NUM = rf"(?:\d+/\d+|\d+(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|[{_CN}]{{1,6}})"
MULT_WORD = r"(?:万亿|千亿|百亿|千万|百万|亿|万)"
MULT = MULT_WORD + "?"
# Units as printed, longest first (个工作日 before 工作日 before 日): loaders/data/units.tsv.
UNIT = alternation(u.written for u in units())
CANONICAL_UNIT = {u.written: u.canonical for u in units()}
# One blank may stand between a number, its multiplier and its unit: pages copied from PDFs print
# "100 萬元" and wrap lines inside amounts ("5000\n萬元").
FIGURE = re.compile(
    rf"(?P<n1>{NUM})(?:\s(?={MULT_WORD}|{UNIT}))?(?P<m1>{MULT})\s?(?P<u1>{UNIT})?(?P<inc1>\(含\))?"
    rf"(?:\s?(?P<dash>[~\-—–至到])\s?(?P<n2>{NUM})(?:\s(?={MULT_WORD}|{UNIT}))?(?P<m2>{MULT})\s?(?P<u2>{UNIT})?(?P<inc2>\(含\))?)?"
)
# Comparator words before and after a figure: loaders/data/comparators.tsv.
PREFIX_CMP = comparator_words("before")
PREFIX = re.compile(alternation(PREFIX_CMP))
_AFTER = comparator_words("after")
# (no ^: both are used with .match(body, pos), which anchors at pos without copying the rest)
SUFFIX = re.compile(r"\s?(?:\(含\))?(?P<word>" + alternation(_AFTER) + ")")
SUFFIX_CMP = {w: c for w, c in _AFTER.items() if c != "none"}
NOT_TARGET_AFTER = frozenset(w for w, c in _AFTER.items() if c == "none")  # 500强, 10余家, 3号
TIME_UNITS = frozenset(u.written for u in units() if u.dimension == "time")
# Counts of kinds of things, not commitments: 8大类, 4个结构性指标, 三个档次.
CATEGORY_NOUN = re.compile(
    r"[^,;。、:]{0,10}?(?:指标|部门|方面|档次|领域|行业|环节|类别|板块|清单|渠道|层级|维度|主管部门|大类|细项|系统|机制|模式|工程|举措|措施|政策|任务|要求)"
)
ACHIEVED = re.compile(
    r"截至|截止|同比|比上年|较上年|比去年|较去年|今年以来|以来[,,]|目前[,已]|已(?:经)?(?:累计|为|有|完成|建成|实现|推出|开具|办理|上线|"
    r"发放|帮助|惠及|吸引|组织|举办|培育|引进|减免|兑现|达|帮|成功|拨付|上传|梳理)|累计(?:办理|兑现|发放|帮助|惠及|完成|实现|为|减免|"
    r"服务|培训|吸引|开展|提供|组织|举办|解决|受理|撮合|帮扶|化解|授信|放贷|推出|新增)|共计|共有|共开具|共办理|平均|提速|压缩|压减|"
    r"为全省|居全省|全省第|全国首"
)
NOT_AFTER = re.compile(r"^(?:强|号|届|次会议|次全会|次党代会|G|A级|\+|型|代|英寸|级|年度|期间|周年|座谈|大|月|季度|日|家次)")


@dataclass
class Figure:
    text: str
    start: int  # normalised span of `text`
    end: int
    unit: str
    comparator: str
    value: float | None = None
    min: float | None = None
    max: float | None = None
    role: str = "target"


def _value(num: str, mult: str) -> float | None:
    return parse_number(num + (mult or ""))


def _in_quotes(text: str, pos: int) -> bool:
    """Inside a short “…” quotation (a slogan or a name: “465”, “三个100%”)."""
    left = text.rfind("“", max(0, pos - 14), pos)
    if left < 0:
        return False
    right = text.find("”", pos, left + 17)  # (bounded: an open quote must not scan the rest)
    return right >= 0 and right - left <= 16 and text.rfind("”", left, pos) < 0


def _prefix(text: str, start: int, floor: int) -> tuple[str | None, int]:
    """Nearest comparator word before `start` within the same clause."""
    lo = max(floor, start - 14)
    window = text[lo:start]
    cut = max(window.rfind(c) for c in ",;。:!?\n")
    if cut >= 0:
        window = window[cut + 1:]
        lo = lo + cut + 1
    best = None
    for m in PREFIX.finditer(window):
        between = window[m.end():]
        if re.search(r"\d|、", between):
            continue  # it governs another figure, or another member of a list (高于经济增长、4个…)
        best = m
    if best is None:
        return None, start
    return PREFIX_CMP[best.group(0)], lo + best.start()


def find_figures(text: str, start: int, end: int, practice: bool = False) -> list[Figure]:
    """Figures in text[start:end] (normalised text)."""
    out: list[Figure] = []
    body = text[start:end]
    clauses: list[tuple[int, int, bool, bool]] = []  # split into clauses once a figure needs it
    clause_starts: list[int] = []
    pos = 0
    last_end = -10
    for m in FIGURE.finditer(body):
        if m.start() < pos:
            continue
        # a member of a list (80%、60%、40%) stands or falls with the list's first figure
        in_list = practice and re.fullmatch(r"\s?[、和]\s?", body[last_end:m.start()]) is not None
        fig = _figure(body, m, practice and not in_list)
        pos = m.end()
        if fig is None:
            continue
        if not clauses:
            clauses = _clause_spans(body)
            clause_starts = [c[0] for c in clauses]
        c_start, c_end, reported, future = clauses[bisect.bisect_right(clause_starts, m.start()) - 1]
        clause = body[c_start:c_end]
        if reported or _achieved(clause, future):
            continue
        if practice and fig.comparator not in ("<=", "<", "range") and PRACTICE_RESULT.search(clause):
            continue
        last_end = fig.end
        fig.start += start
        fig.end += start
        out.append(fig)
    _spread_list_comparators(text, out)
    # where figures other than periods start, sorted: a time frame looks up the first after it
    others = sorted(f.start for f in out if f.unit not in TIME_UNITS)
    return [f for f in out if not _time_frame(text, f, others)]


_CLAUSE_END = re.compile(r"[,;。\n]")


def _time_frame(text: str, fig: Figure, others: list[int]) -> bool:
    """三年内认定60家以上: a period set for a target in the same clause, not a condition.

    `others`: the sorted starts of the figures that are not periods (bisection keeps a long
    run of figures linear)."""
    if fig.unit not in ("年", "月") or fig.comparator != "<=" or not re.search(r"内$", fig.text):
        return False
    clause_end = _CLAUSE_END.search(text, fig.end)  # (not a slice: a copy of the rest per figure)
    stop = clause_end.start() if clause_end else len(text)
    k = bisect_left(others, fig.end)
    return k < len(others) and others[k] < stop


# In a collection of typical practices, the words that report a practice's results.
PRACTICE_RESULT = re.compile(
    r"已|完成|节约|节省|仅为|上升|扩至|从[^,;。]{1,14}(?:至|到|变为)|月末|月底|占比达|共|累计|为有|为新|提供|惠及|帮助|"
    r"带动|撬动|分支机构|达到了|实现"
)
REPORT_START = re.compile(r"^\s*(?:截至|截止|目前|至今|迄今|20\d\d年(?:以来|底|末|上半年|前\d+个?月)|\d{1,2}-\d{1,2}月)")


FUTURE_START = re.compile(r"^\s*(?:力争|预计|计划)?(?:到|至)\s?20\d\d年")
# Words that report a result, except in a sentence set in the future (到2029年,…累计新增2万户; 平均…达到5年).
_FUTURE_TARGET = re.compile(r"累计|平均")


def _achieved(clause: str, future: bool) -> bool:
    if not future:
        return ACHIEVED.search(clause) is not None
    return any(not _FUTURE_TARGET.match(m.group(0)) for m in ACHIEVED.finditer(clause))


def _clause_spans(body: str) -> list[tuple[int, int, bool, bool]]:
    """Clauses (split at , ; 。) and whether they sit in a report of results or in a sentence
    set in the future.

    A sentence that opens with 截至… or a year's results reports what was
    achieved up to its end; one that opens with 到2029年 sets targets up to its end.
    """
    spans = []
    s = 0
    reported = future = False
    for m in re.finditer(r"[,;。\n]", body):
        clause = body[s:m.end()]
        if REPORT_START.match(clause):
            reported = True
        if not future and (s == 0 or body[s - 1] in "。\n;") and FUTURE_START.match(clause):
            future = True
        spans.append((s, m.end(), reported, future))
        if m.group(0) in "。\n;":
            reported = future = False
        s = m.end()
    spans.append((s, len(body), reported, future))
    return spans


def _figure(body: str, m: re.Match, practice: bool) -> Figure | None:
    n1, m1, u1 = m.group("n1"), m.group("m1"), m.group("u1")
    n2, u2 = m.group("n2"), m.group("u2")
    unit = u2 or u1
    s, e = m.start(), m.end()
    before = body[max(0, s - 2):s]
    after = body[e:e + 4]
    cn1 = not re.match(r"\d", n1)
    # numbers glued to letters, dates, years, ordinals and document numbers
    if re.search(r"[A-Za-z]$", before) or re.match(r"^[A-Za-z+]", after) and not unit:
        return None
    if re.search(r"第$|〔$|\[$|:$", before) or re.match(r"^:\d", after):
        return None
    if body.endswith(("(含", "(不含"), 0, s):
        return None  # 6亩以下(不含6亩): the bracket qualifies the figure before it
    if unit in ("位", "名") and before.endswith("前"):
        return None  # a rank (绩效评价前10位的项目), not a count
    if not unit and n2 is None:
        if re.fullmatch(r"\d+/\d+", n1) and re.match(r"^(?:以上|以下)", after):
            unit = ""
        else:
            return None
    if unit is None:
        return None
    if NOT_AFTER.match(after) and unit not in ("%", "元"):
        return None
    if unit == "元" and (re.match(r"^(?:以上)?(?:企业|级|规模)|^(?:以上|以下)?的[\u4e00-\u9fff]{0,6}?产业集群",
                                  body[e:e + 12])
                        or (re.search(r"(?<![超不])过$", before) and re.match(r"^(?:以上)?的?企业", body[e:e + 5]))):
        return None  # a size class (1000亿元企业, 产值过500亿元的企业), not an amount
    if re.fullmatch(r"\d{4}", n1) and unit == "年":
        return None
    if m.group("dash") and (unit == "年" or (u1 == "年")):
        return None
    if unit in ("日",) and re.search(r"月$", body[max(0, s - 1):s]):
        return None
    if _in_quotes(body, s):
        return None
    if n2 is not None and m.group("dash") in "-—–" and re.fullmatch(r"(?:19|20)\d{2}", n1 or ""):
        return None
    suffix_m = SUFFIX.match(body, e)
    suffix = suffix_m.group("word") if suffix_m else None
    if suffix in NOT_TARGET_AFTER:
        return None
    if suffix_m:
        e = suffix_m.end()
    comparator, text_start = _prefix(body, s, 0)
    if re.search(r"(?<!提)前$", body[max(0, s - 2):s]) and unit in TIME_UNITS:
        comparator, text_start = "<=", s - 1
    if suffix in SUFFIX_CMP:
        comparator = SUFFIX_CMP[suffix]
    if comparator is None:
        comparator = "="
    # time spans and bare Chinese numerals only count as figures with a comparator
    has_cmp = comparator != "=" or suffix == "左右"
    if unit in ("年", "个月", "周", "小时") or (unit == "日" and not has_cmp):
        if not has_cmp and not re.search(r"(?:连续|延长至|缩短至|延长|缩短|为期|期限|达到)$", body[max(0, s - 4):s]):
            return None
    if cn1:
        spelled_amount = bool(re.match(r"^[一二两三四五六七八九][十百千万亿]", n1)) and unit not in TIME_UNITS
        if not (has_cmp or spelled_amount or unit == "倍"
                or re.search(r"(?:增长|提前|增加|扩大|达到|达)$", body[max(0, s - 2):s])):
            return None
        if re.match(r"^一次性|^一批|^一流", body[s:s + 3]):
            return None
    if unit in ("个", "项", "条", "类", "种", "批", "件", "所") and n2 is None and not has_cmp:
        if CATEGORY_NOUN.match(body, e):
            return None
    if unit in ("项", "类", "种", "批") and n2 is None and not has_cmp:
        return None
    if practice and n2 is None and not _policy_parameter(body, s, e, comparator, text_start < s):
        return None
    fig = Figure(body[text_start:e], text_start, e, CANONICAL_UNIT.get(unit, unit), comparator)  # "" for 2/3
    if n2 is not None:
        m2 = m.group("m2") or m1
        m1_eff = m1 or (m2 if not u1 else "")
        lo, hi = _value(n1, m1_eff), _value(n2, m2)
        if lo is None or hi is None:
            return None
        fig.comparator, fig.min, fig.max = "range", lo, hi
        if unit == "%" and hi > 1000:
            return None
    else:
        value = _value(n1, m1)
        if value is None:
            return None
        fig.value = value
    fig.role = _role(fig, body, s)
    return fig


_PARAMETER_CONTEXT = re.compile(
    r"(?:给予|补贴|补助|奖励|奖补|贴息|规模|额度|首期|上限|承担|分担|占比|费率|利率|降至|增至|延长至|缩短至|按照|按|为期|期限|"
    r"服务费|利息|损失|贡献|收取|一次性|每年|每季度|每月|连续|设立)[^,;。]{0,6}$|(?:的|至)$"
)
_THRESHOLD_CONTEXT = re.compile(r"(?:对|凡|经|需|须|要求|达到|符合)[^,;。]{0,12}$|在$")


def _policy_parameter(body: str, s: int, e: int, comparator: str, prefixed: bool) -> bool:
    """In a collection of practices only the practice's own parameters count, not its results."""
    before = body[max(0, s - 20):s]
    if comparator in ("<=", "<") or (comparator == ">=" and prefixed):
        return True
    if comparator == ">=":
        return bool(_PARAMETER_CONTEXT.search(before) or _THRESHOLD_CONTEXT.search(before)
                    or body[e:e + 1] == "的")
    return bool(_PARAMETER_CONTEXT.search(before))


def _role(fig: Figure, body: str, s: int) -> str:
    before = body[max(0, s - 12):s]
    if fig.comparator in ("<=", "<") and re.search(r"最高|最长|最多|不超过|上限|封顶", fig.text + before):
        return "cap"
    if fig.comparator in (">=", ">"):
        # a condition on who qualifies (对…达到1000万元以上的企业, 符合…), not a level to reach (覆盖率达到90%以上)
        qualifies = body[fig.end:fig.end + 1] == "的"
        return "threshold" if qualifies or re.search(r"对(?!接)|凡|符合", before) else "target"
    # 给予45万元, 设立10亿元基金: a sum granted or set aside (an exact amount, not a quantity to reach)
    if fig.comparator == "=" and fig.unit == "元" and re.search(r"给予|奖励|补助|补贴|资助|设立|安排", before):
        return "amount"
    # a floor on a share (比例不低于80%) is a target to reach, not a rate applied
    if fig.comparator not in (">=", ">") and fig.unit in ("%", "‰", "%/日") and re.search(r"按|的$|费率|利率|比例", before):
        return "rate"
    if re.search(r"每年|每季度|每月|每周|每半年", before) and fig.unit in ("次", "场"):
        return "frequency"
    return "target"


def _spread_list_comparators(text: str, figures: list[Figure]) -> None:
    """分别给予最高50万元、30万元 / 分别达到80%、90%以上: one comparator for the list."""
    i = 0
    while i < len(figures):
        j = i
        while j + 1 < len(figures) and re.fullmatch(r"\s?(?:、|和|或|及)\s?", text[figures[j].end:figures[j + 1].start]):
            j += 1
        if j > i:
            group = figures[i:j + 1]
            head = group[0].comparator
            tail = group[-1].comparator
            if head not in ("=", "range") and all(f.comparator in ("=",) for f in group[1:]):
                for f in group[1:]:
                    # 最高50万元、30万元: every member is a cap as the head is (the role follows the comparator)
                    f.comparator, f.role = head, group[0].role
            elif tail in (">=", "<=") and all(f.comparator == "=" for f in group[:-1]):
                for f in group[:-1]:
                    f.comparator, f.role = tail, group[-1].role
        i = j + 1

"""From a decoded text to an extraction record (`policykg.loaders.records.Record`).

Only problems of the input raise `ExtractionError` (no Chinese text, not a policy document, a
file that cannot be decoded); any other exception is a bug of ours and propagates as it is, so
it is never reported as bad input.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from pathlib import Path

from policykg.loaders import clauses as cl
from policykg.loaders.agencies import Name, is_collective, split_names
from policykg.loaders.errors import ExtractionError
from policykg.loaders.figures import find_figures
from policykg.loaders.metadata import find_metadata
from policykg.loaders.numerals import canonical_path
from policykg.loaders.reading import SourceText, read_source
from policykg.loaders.records import (
    AnnouncedPlan,
    Comparator,
    Coverage,
    Deadline,
    Figure,
    FigureRole,
    Kind,
    Measure,
    Mention,
    Modality,
    Plan,
    QualityFlag,
    QualityKind,
    Record,
    Role,
    Script,
)
from policykg.loaders.structure import Item, Segmentation, column_kind, segment
from policykg.loaders.tables import OWNER_MEANINGS, SKIPPED_MEANINGS, TEXT_MEANINGS, read_tables
from policykg.loaders.textnorm import (
    NormText,
    detect_script,
    lost_character_spans,
    normalise,
    simplified_key,
)
from policykg.loaders.vocabulary import places

GOAL_HEADING = re.compile(
    r"(?:目标|指标|预期目标|规划指标)(?:\(\d+项\))?[。.]?$"
)
GOAL_ANYWHERE = re.compile(r"预期目标|主要目标|发展目标|约束性指标|预期性指标|主要指标|规划指标|预期指标")
SAFEGUARD = re.compile(
    r"保障措施|组织保障|保障机制|工作要求|工作安排|组织实施|实施保障|推进机制|进度安排|实施步骤|步骤安排|工作步骤|"
    r"时间安排|组织领导|督促检查|监督检查|实施要求|有关要求|相关要求|保障体系"
)
# (适用范围 / 实施范围 are provisions of a 规定: who and what the rules apply to, numbered like them.)
PREAMBLE = re.compile(r"^(?:指导思想|基本原则|总体思路|工作原则|总体要求|编制依据|主要依据|基本思路|总体考虑|"
                      r"指导思想和基本原则|指导思想和工作原则|总体要求和基本原则|工作思路|重要意义)")
MODALITY = [
    (Modality.PROHIBITION, re.compile(r"严禁|不得|禁止|杜绝|严防|不准")),
    (Modality.OBLIGATION, re.compile(r"必须|应当|务必|要|须|确保|严格|应")),
    (Modality.ENCOURAGEMENT, re.compile(r"鼓励|支持|引导|倡导|推动|促进")),
]
DEADLINE = re.compile(
    r"(?:(?:到|至|于|在|力争到|力争|完成时限[:：]?)\s?)?(?P<y>(?:19|20)\d{2})\s?年(?:(?P<m>\d{1,2})\s?月)?(?:(?P<d>\d{1,2})\s?日)?"
    r"(?:底|末)?(?P<before>前|之前|以前|底前)?|(?P<m2>\d{1,2})月底(?:之前|前)|年底前"
)


def extract_file(path: str | Path, max_bytes: int | None = None) -> Record:
    """The record of one regular file of at most `max_bytes` (default
    `reading.DEFAULT_MAX_BYTES`); `ExtractionError` (naming the file) when it is not a readable
    policy document."""
    return _build_record(read_source(path, max_bytes))


def extract_source(source: SourceText) -> Record:
    """The record of a file already read (`read_source`): one read serves the record and the
    text its offsets point into."""
    return _build_record(source)


_SURROGATE = re.compile("[\ud800-\udfff]")


def extract_text(text: str, file: str = "<text>") -> Record:
    """The record of an already decoded text (`file` names it in the record and in errors).

    Lone surrogates (no UTF-8 text holds them) count as lost characters: U+FFFD takes their
    place, one for one, so offsets still count the text as given."""
    import hashlib

    text = _SURROGATE.sub("\ufffd", text)
    return _build_record(SourceText(file, file, text, "utf-8", hashlib.sha256(text.encode("utf-8")).hexdigest()))


_PROVINCE_SHORT = frozenset(p.name[:2] for p in places() if p.level == "province")


def _build_record(source: SourceText) -> Record:
    nt = normalise(source.text)
    if not re.search(r"[\u4e00-\u9fff]", nt.text):
        raise ExtractionError(source.file, "no Chinese text in the file")
    nt, tables = read_tables(nt)
    seg = segment(nt, tables)
    announced = _announced_plans(nt, seg)
    md = find_metadata(nt, seg, len(announced))
    if any("来源" in h for h in seg.table_header):
        # a collection of practices from many places belongs to none of them
        md.jurisdiction = md.jurisdiction_key = None if md.issuer is None else md.jurisdiction
    bundle = len(seg.plans) > 1 or len(announced) > 1
    measures = _measures(nt, seg, bundle)
    truncated = _cut_off(nt, seg, measures)
    if truncated:
        measures = measures[:-1]
    if not measures and not seg.items and len(nt.text.strip()) < 30:
        raise ExtractionError(source.file, "not a policy document (no numbered items and almost no text)")
    coverage, gave_up = _coverage(nt, seg, measures)
    plan_keys = {simplified_key(_clean_title(p.text)) for p in seg.plans}
    for a in announced:
        a.present = a.key in plan_keys
    return Record(
        file=source.file,
        path=source.path,
        sha256=source.sha256,
        encoding=source.encoding,
        length=len(source.text),
        script=Script(detect_script(source.text)),
        title=md.title,
        issuer=md.issuer,
        doc_number=md.doc_number,
        date=md.date,
        jurisdiction=md.jurisdiction,
        jurisdiction_key=md.jurisdiction_key,
        truncated=truncated,
        title_span=tuple(md.title_span) if md.title_span else None,
        issuer_span=tuple(md.issuer_span) if md.issuer_span else None,
        doc_number_span=tuple(md.doc_number_span) if md.doc_number_span else None,
        date_span=tuple(md.date_span) if md.date_span else None,
        plans=[
            Plan(
                title=_orig_join(nt, p.parts),
                key=simplified_key(_clean_title(p.text)),
                start=nt.orig_span(p.start, p.end)[0],
                end=nt.orig_span(p.start, p.end)[1],
                announced=simplified_key(_clean_title(p.text)) in {a.key for a in announced},
            )
            for p in seg.plans
        ],
        announced_plans=announced,
        quality=_quality(source.text, nt) + gave_up + _document_flags(source, nt, seg, md.title, measures),
        coverage=coverage,
        measures=measures,
    )


_CHROME_LINE = re.compile(r"来源|\.pdf|\.docx?|\.html?|打印|关闭|分享|附件|〔\d{4}〕|\[\d{4}\]|^\(?此件|^\s*$")


def _open_clause(tail: str) -> bool:
    """责任单位:市 / 〔责任单位:…、 / (牵头单位:…;责任单位:…省住建厅、: a clause that never closes."""
    opened = sum(tail.count(c) for c in "(（〔[【") - sum(tail.count(c) for c in ")）〕]】")
    key = simplified_key(tail)
    # …党工委、高: the list goes on into a piece too short to name anything (各市、县 is a whole list)
    return opened > 0 or bool(re.search(r"[、,，;；:：]$|[、,，;；](?![市县区州省旗镇乡盟])[\u4e00-\u9fff]$", tail)) or bool(
        re.search(r"(?:单位|部门|领导)[:：][^。;；]{0,2}$", key))


def _cut_off(nt: NormText, seg: Segmentation, measures: list[Measure]) -> bool:
    """Does the text stop in the middle of its last item (a page cut short)?"""
    if not measures:
        return False
    last = measures[-1]
    lines = nt.original[last.start:last.end].rstrip().split("\n")
    while len(lines) > 1 and (_CHROME_LINE.search(lines[-1]) or _after_the_end(lines)):
        lines.pop()
    tail = lines[-1].rstrip()
    if len(lines) > 1 and re.fullmatch(r"\s*[(〔\[][一二三四五六七八九十\d]{0,3}", tail):
        return True  # the page stops inside the marker of the next item (二、主要任务 / (一)
    if seg.table_header:
        # a table row ends without a stop, in its owners: only a row cut inside a list or a bracket
        return bool(tail) and _open_clause(tail)
    if not tail or len("".join(lines)) < 15:
        return False
    if _open_clause(tail):
        return True  # the page stops inside a responsibility clause or a list
    tail_start = last.start + len("\n".join(lines[:-1]))
    if any(m.end > tail_start for m in last.mentions) or cl.LABEL.search(simplified_key(tail)):
        return False  # it ends with its owners: complete
    return bool(re.search(r"[\u4e00-\u9fff\d,，、]$", tail)) and not re.search(r"[。;；)）〕\]】”!！?？:：]", tail[-1])


def _after_the_end(lines: list[str]) -> bool:
    """Is the last line page furniture after an item that ended (详见三秦网, a reporter's byline):
    short lines with no sentence in them, set off by a blank line from a line ending in 。 or ）?"""
    k = len(lines) - 1
    while k > 0 and (not lines[k].strip() or (len(lines[k].strip()) <= 20
                                                and not re.search(r"[。,，;；:：、]", lines[k]))):
        k -= 1
    return k < len(lines) - 2 and not lines[k + 1].strip() and bool(re.search(r"[。)）〕】]$", lines[k].rstrip()))


def _clean_title(text: str) -> str:
    text = text.strip()
    if text.startswith("《") and text.endswith("》") and "》" not in text[1:-1]:
        text = text[1:-1]
    return text


def _orig_join(nt: NormText, parts) -> str:
    return _clean_title("".join(nt.orig(s, e).strip() for s, e in parts))


_ANNOUNCE = re.compile(r"印发|现予|印送|发给你们|转发")


def _announced_plans(nt: NormText, seg: Segmentation) -> list[AnnouncedPlan]:
    """Titles a notice says it issues: the 《…》 list of its 现将…印发 sentence."""
    text = nt.text
    end = seg.notice_end or (seg.items[0].marker[0] if seg.items else len(text))
    out: list[AnnouncedPlan] = []
    keys: set[str] = set()
    for sentence in re.finditer(r"[^。\n,;]+", text[:end]):
        s = sentence.group(0)
        if not (_ANNOUNCE.search(s) or re.search(r"经.{0,24}(?:同意|通过)", s)):
            continue
        if re.search(r"^.{0,40}关于.{0,80}(?:通知|意见)$", s.strip()):
            continue
        for m in re.finditer(r"《([^《》]*(?:《[^》]*》[^《》]*)*)》", s):
            after = s[m.end():m.end() + 2]
            if after.startswith("(") and re.search(r"号\)", s[m.end():m.end() + 30]):
                continue
            inner = m.group(1)
            if re.search(r"(?:通知|通报|批复|函)$", inner.strip()) or "关于印发" in inner:
                continue  # the notice itself, not a plan it issues
            base = sentence.start() + m.start(1)
            key = simplified_key(inner)
            if key and key not in keys:
                keys.add(key)
                s0, e0 = nt.orig_span(base, base + len(inner))
                # `present` is settled once the plans of the text are known
                out.append(AnnouncedPlan(title=nt.original[s0:e0], key=key, start=s0, end=e0, present=False))
    return out


def _quality(original: str, nt: NormText) -> list[QualityFlag]:
    flags = [QualityFlag(kind=QualityKind.LOST_CHARACTERS, start=s, end=e, text=original[s:e])
             for s, e in lost_character_spans(original)]
    if nt.glosses:
        s, e = nt.glosses[0]
        flags.append(QualityFlag(kind=QualityKind.PINYIN_GLOSS, start=s, end=e, text=original[s:e],
                                 count=len(nt.glosses)))
    if nt.repairs:
        s, e = nt.repairs[0]
        flags.append(QualityFlag(kind=QualityKind.MOJIBAKE, start=s, end=e, text=original[s:e],
                                 count=len(nt.repairs)))
    return flags


# A responsibility marker: an owner label (责任单位:, 牵头单位:) or a bracket that names owners
# by a role word ((市发改委牵头), (各区政府负责落实)).
_OWNER_LABEL = re.compile(r"(?:" + "|".join(re.escape(k) for k in sorted(cl.LABEL_ROLE, key=len, reverse=True))
                          + r")\s*:")
_OWNER_BRACKET = re.compile(r"[(〔\[【][^()〔〕\[\]【】\n]{2,80}?(?:牵头|负责落实|负责|配合|落实)[^()〔〕\[\]【】\n]{0,20}[)〕\]】]")


def _coverage(nt: NormText, seg: Segmentation, measures: list[Measure]) -> tuple[Coverage, list[QualityFlag]]:
    """What the extractor understood of the text, and flags where it clearly gave up."""
    text = nt.text
    markers = sorted({m.start(): m.end() for m in _OWNER_LABEL.finditer(text)}.items())
    labelled = {s for s, _e in markers}
    markers += [(m.start(), m.end()) for m in _OWNER_BRACKET.finditer(text)
                if not any(m.start() <= s < m.end() for s in labelled)]
    markers.sort()
    owned_spans = sorted((m.start, m.end) for m in measures if m.agencies or m.inherited)
    # a heading's clause passes owners on to the items it holds
    holders = sorted((nt.orig_span(it.marker[0], it.end)) for it in seg.items if it.children)
    unattached = []
    # before the first item stand the notice and the page's furniture (主办单位: of the site)
    first_item = seg.items[0].marker[0] if seg.items else 0
    for s, e in markers:
        if s < first_item:
            continue
        os_, _oe = nt.orig_span(s, e)
        if not (_inside(owned_spans, os_) or _inside(holders, os_)):
            unattached.append((s, e))
    owned = sum(1 for m in measures if m.agencies or m.inherited)
    coverage = Coverage(items=len(seg.items), measures=len(measures), owned=owned, markers=len(markers),
                        unattached=len(unattached))
    flags: list[QualityFlag] = []
    if unattached and (len(unattached) >= 2 or not owned) and len(unattached) >= owned:
        s, e = nt.orig_span(*unattached[0])
        flags.append(QualityFlag(kind=QualityKind.OWNERS_UNATTACHED, start=s, end=e, text=nt.original[s:e],
                                 count=len(unattached)))
    # no measure at all, markers and no owned measure, or far more markers than owned measures
    # (numbering the extractor missed folds many items, each with its clause, into one)
    if not measures or (len(markers) >= 3 and not owned) or (len(markers) >= 6 and len(markers) > 3 * owned):
        s, e = nt.orig_span(*markers[0]) if markers else _first_line(nt)
        flags.append(QualityFlag(kind=QualityKind.STRUCTURE_UNRECOGNISED, start=s, end=e, text=nt.original[s:e]))
    return coverage, flags


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    k = bisect.bisect_right(spans, (pos, 1 << 62)) - 1
    # spans may nest or overlap (items and the headings holding them): look back a little
    return any(s <= pos < e for s, e in spans[max(0, k - 8):k + 1])


def _first_line(nt: NormText) -> tuple[int, int]:
    m = re.search(r"\S[^\n]{0,39}", nt.original)
    return (m.start(), m.end()) if m else (0, min(1, len(nt.original)))


def _document_flags(source: SourceText, nt: NormText, seg: Segmentation, title: str | None,
                    measures: list[Measure]) -> list[QualityFlag]:
    """Flags of the whole file: a name that was not UTF-8; a text with no measure and no mark of
    the genre (no numbered item, no title, no responsibility clause): Chinese text, but not
    recognisably a policy document. Empty spans: they point at no text (the graph keeps only
    flags with a span)."""
    flags = []
    if source.name_encoding:
        flags.append(QualityFlag(kind=QualityKind.FILE_NAME_ENCODING, start=0, end=0, text=source.name_encoding))
    if not measures and not seg.items and not seg.titles and title is None and not cl.LABEL.search(nt.text):
        flags.append(QualityFlag(kind=QualityKind.NOT_POLICY_TEXT, start=0, end=0, text=""))
    return flags


def _ancestors(item: Item) -> list[Item]:
    out = []
    p = item
    while p is not None:
        out.append(p)
        p = p.parent
    return out


def _heading(nt: NormText, item: Item, seg: Segmentation | None = None) -> tuple[int, int]:
    """Normalised span of the item's title (see SCHEMA.md: up to the first 。, else 20 characters)."""
    text = nt.text
    s = item.marker[1]
    task_cell = _task_cell(seg, item) if seg is not None and item.style == "row" else None
    if task_cell is not None:
        s = task_cell
    while s < item.end and text[s] in " \t":
        s += 1
    if item.style == "row" or s >= item.end or text[s] == "\n":
        # a table row or a heading on its own line: the next non-empty line
        k = s
        while k < item.end and text[k] in " \t\n":
            k += 1
        line_end = text.find("\n", k)
        line_end = item.end if line_end < 0 or line_end > item.end else line_end
        e = line_end
        stop = text.find("。", k, e)
        if stop >= 0:
            e = stop
        if e - k > 30:
            e = k + 20
        return k, max(k, e)
    line_end = text.find("\n", s)
    line_end = item.end if line_end < 0 or line_end > item.end else line_end
    if line_end - s <= 3 and line_end < item.end:
        # a heading broken after a word or two (2.提高\n住房保障水平。)
        nxt = text.find("\n", line_end + 1)
        line_end = item.end if nxt < 0 or nxt > item.end else nxt
    stop = text.find("。", s, line_end)
    e = stop if stop >= 0 else line_end
    space = text.find(" ", s, e)
    if 2 <= space - s <= 30 and not re.search(r"[,;:]", text[s:space]) and e - space > 3:
        e = space  # a heading followed by its text on the same line (one-line pages)
    elif e - s > 30:
        e = s + 20
    while e > s and text[e - 1] in " \t.、":
        e -= 1
    return s, e


def _task_cell(seg: Segmentation, item: Item) -> int | None:
    """Where a table row's task cell starts, when its columns are known (a 类别 cell is not the title)."""
    for c, column in seg.cells_in(item.marker[1], item.end):
        if column_kind(column) in TEXT_MEANINGS:
            return c
    return None


def _kind(nt: NormText, item: Item, titles: dict[int, str], seg: Segmentation) -> Kind:
    for a in _ancestors(item):
        t = titles[id(a)]
        if GOAL_HEADING.search(t.rstrip("。. ")) and not SAFEGUARD.search(t) or GOAL_ANYWHERE.search(t):
            return Kind.GOAL
        if a.depth == 0 or a is not item:
            if SAFEGUARD.search(t):
                return Kind.SAFEGUARD
    # a table whose header or caption names targets
    if item.style == "row" or any(a.style == "row" for a in _ancestors(item)):
        caption = nt.text[max(0, item.marker[0] - 600):item.marker[0]]
        if seg.table_header and any("预期目标" in h or "目标" == h[-2:] for h in seg.table_header):
            return Kind.GOAL
        if re.search(r"预期目标[^\n]*表", caption):
            return Kind.GOAL
    if seg.plans and item.marker[0] < seg.notice_end:
        return Kind.SAFEGUARD
    return Kind.MEASURE


def _is_preamble(item: Item, titles: dict[int, str]) -> bool:
    for a in _ancestors(item):
        if PREAMBLE.match(titles[id(a)]) and not GOAL_HEADING.search(titles[id(item)]):
            return True
    return False


def _measures(nt: NormText, seg: Segmentation, bundle: bool) -> list[Measure]:
    text = nt.text
    titles: dict[int, str] = {}
    title_spans: dict[int, tuple[int, int]] = {}
    for it in seg.items:
        s, e = _heading(nt, it, seg)
        title_spans[id(it)] = (s, e)
        titles[id(it)] = text[s:e]

    # clauses per item
    item_clauses: dict[int, list[cl.Clause]] = {}
    for it in seg.items:
        item_clauses[id(it)] = _clauses(nt, seg, it)

    star_rule = bool(cl.STAR_RULE.search(text))
    rank_rule = False
    if cl.RANK_RULE_IN_PREAMBLE.search(text[: seg.items[0].marker[0]] if seg.items else ""):
        rank_rule = True
    inherited_by_plan: dict[int | None, list[Name]] = {}
    heading_leads: dict[int, list[tuple[Name, str]]] = {}
    out: list[Measure] = []
    for it in seg.items:
        clauses = item_clauses[id(it)]
        # a heading "X牵头的工作" or "…(X牵头)" names the lead of all that it holds
        lead_text = cl.heading_lead(titles[id(it)])
        if lead_text:
            hs = title_spans[id(it)][0]
            heading_leads[id(it)] = [(n, "lead") for n in split_names(lead_text, hs)]
        elif it.children:
            line_end = text.find("\n", it.marker[1])
            line_end = it.end if line_end < 0 else min(line_end, it.end)
            for c in clauses:
                if c.start < line_end and any(m.role == "lead" for m in c.mentions):
                    heading_leads[id(it)] = [(m.name, m.role) for m in c.mentions]
        if it.children:
            for c in clauses:
                if c.inherited:
                    inherited_by_plan[it.plan] = c.inherited
                if c.rank_rule:
                    rank_rule = True
            continue
        if _is_preamble(it, titles):
            continue
        kind = _kind(nt, it, titles, seg)
        mentions: list[tuple[Name, str]] = []
        own_lead = any(m.role == "lead" for c in clauses for m in c.mentions)
        if not own_lead:
            for a in reversed(_ancestors(it)[1:]):
                mentions.extend(heading_leads.get(id(a), []))
            mentions.extend(heading_leads.get(id(it), []))
        item_rank = (rank_rule or any(c.rank_rule for c in clauses)) and not own_lead
        first_clause = next((c for c in clauses if c.mentions), None)
        for c in clauses:
            first = c is first_clause
            for mention in c.mentions:
                role = mention.role
                if item_rank and first and role != "lead":
                    role = "lead"
                if star_rule and mention.name.starred:
                    role = "lead"
                first = False
                mentions.append((mention.name, role))
            if c.rank_rule:
                rank_rule = True
        inherited: list[Name] = []
        for c in clauses:
            if c.inherited:
                inherited_by_plan[it.plan] = c.inherited
                inherited = []  # the clause's own item names them explicitly
                break
        else:
            if kind != Kind.SAFEGUARD:
                inherited = list(inherited_by_plan.get(it.plan, []))
        record = _measure_record(nt, seg, it, kind, titles, title_spans, clauses, mentions, inherited,
                                 bundle)
        out.append(record)
    return out


def _measure_record(nt, seg, it, kind, titles, title_spans, clauses, mentions, inherited,
                    bundle) -> Measure:
    text = nt.text
    agencies: list[str] = []
    lead: list[str] = []
    lead_keys: set[str] = set()
    seen: set[str] = set()
    mention_records: list[Mention] = []
    for name, role in mentions:
        written = _written(nt, name)
        key = simplified_key(written)
        if key not in seen:
            seen.add(key)
            agencies.append(written)
        if role == "lead" and written not in lead and key not in lead_keys:
            lead.append(written)
            lead_keys.add(key)
        s, e = nt.orig_span(name.start, name.end)
        # the clause parser's "co" (配合, 协办) and "responsible" are one role in the record
        mention_records.append(Mention(name=written, key=key, role=Role.LEAD if role == "lead" else Role.RESPONSIBLE,
                                       collective=is_collective(key), start=s, end=e, restored=name.restored))
    inherited_names = []
    for name in inherited:
        written = _written(nt, name)
        key = simplified_key(written)
        if key in seen:
            continue
        inherited_names.append(written)
        s, e = nt.orig_span(name.start, name.end)
        mention_records.append(Mention(name=written, key=key, role=Role.INHERITED, collective=is_collective(key),
                                       start=s, end=e, restored=name.restored))
    # figures in the body, clauses and skipped table columns removed
    body_start = it.marker[1]
    body_end = it.end
    hidden = [(max(c.start, body_start), min(c.end, body_end)) for c in clauses]
    for cell_start, column in seg.cells_in(body_start, body_end):
        if column_kind(column) in SKIPPED_MEANINGS:  # progress (80%, 完成投资3000万元), notes, dates
            line_end = text.find("\n", cell_start, body_end)
            hidden.append((cell_start, body_end if line_end < 0 else line_end))
    # the body alone, masked (figures never look outside it): a copy of the whole text per
    # measure made extraction quadratic in the document's size
    masked_body = _masked(text, body_start, body_end, hidden)
    # a collection of practices (做法 / 来源 columns); 取得成效 beside a task column reports progress
    practice = any(column_kind(h) in ("practice", "source") for h in seg.table_header)
    figures = []
    for f in find_figures(masked_body, 0, len(masked_body), practice=practice):
        f.start += body_start
        f.end += body_start
        s, e = nt.orig_span(f.start, f.end)
        fig = Figure(text=nt.original[s:e], unit=_unit_as_written(nt, f), comparator=Comparator(f.comparator),
                     role=FigureRole(f.role), start=s, end=e)
        if fig.comparator == Comparator.RANGE:
            fig.min, fig.max = _clean_number(f.min), _clean_number(f.max)
        else:
            fig.value = _clean_number(f.value)
        figures.append(fig)
    ts, te = title_spans[id(it)]
    path_segments = []
    for a in reversed(_ancestors(it)):
        path_segments.append(_label_as_written(nt, a))
    plan = seg.plans[it.plan] if it.plan is not None else None
    plan_title = _orig_join(nt, plan.parts) if plan else None
    path = "/".join(path_segments)
    if bundle and plan_title:
        path = f"{plan_title}/{path}"
    start, end = nt.orig_span(it.marker[0], _trim_end(text, it.marker[0], it.end))
    tstart, tend = nt.orig_span(ts, te)
    tstart, tend = min(tstart, end), min(tend, end)  # an item with no text has an empty title
    sources = _sources(nt, seg, it)
    modality = _modality(text[body_start:body_end])
    return Measure(
        path=path,
        title=re.sub(r"\s*\n\s*", "", nt.original[tstart:tend].strip()),
        kind=kind,
        agencies=agencies,
        lead=lead,
        inherited=inherited_names,
        sources=sources,
        figures=figures,
        plan=plan_title,
        plan_key=simplified_key(_clean_title(plan.text)) if plan else None,
        path_key=_path_key(nt, it),
        start=start,
        end=end,
        title_start=tstart,
        title_end=tend,
        text_start=nt.orig_span(body_start, body_end)[0],
        text_end=end,
        modality=modality,
        deadlines=_deadlines(nt, body_start, body_end) + _column_deadlines(nt, seg, it),
        mentions=mention_records,
    )


def _label_as_written(nt: NormText, item: Item) -> str:
    """The item's number as printed; its reading where mojibake garbled it (?。ǘ┩ → (二))."""
    s, e = nt.orig_span(*item.label)
    if any(rs < e and s < re_ for rs, re_ in nt.repairs):
        return nt.text[item.label[0]:item.label[1]].strip()
    return _COMPATIBILITY_IDEOGRAPH.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), nt.original[s:e].strip())


# A path is a structural label: numbers printed in Kangxi radicals (⼀ U+2F00, ⼆) or compatibility
# ideographs are read as the unified ideographs they stand for (一, 二); quoted values stay as printed.
_COMPATIBILITY_IDEOGRAPH = re.compile("[\u2e80-\u2eff\u2f00-\u2fdf\uf900-\ufaff]")


def _trim_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in " \t\n\x00":
        end -= 1
    return end


def _clean_number(v: float | None):
    if v is None:
        return None
    return int(v) if float(v).is_integer() else round(v, 6)


def _unit_as_written(nt: NormText, f) -> str:
    if not f.unit:
        return ""
    seg = nt.text[f.start:f.end]
    k = seg.rfind(f.unit)
    if f.unit == "月" and k < 0:
        k = seg.rfind("月")
    if k < 0:
        return f.unit
    return nt.orig(f.start + k, f.start + k + len(f.unit))


def _written(nt: NormText, name: Name) -> str:
    if not name.restored:
        return nt.orig(name.start, name.end).strip()
    return "".join(nt.orig(s, e) for s, e in name.pieces)


def _path_key(nt: NormText, it: Item) -> str:
    return canonical_path("/".join(nt.text[a.label[0]:a.label[1]] for a in reversed(_ancestors(it))))


def _masked(text: str, start: int, end: int, hidden: list[tuple[int, int]]) -> str:
    """text[start:end] with the spans in `hidden` (clipped to it) replaced by NUL characters."""
    pieces = []
    pos = start
    for s, e in sorted(hidden):
        s, e = max(s, pos), min(e, end)
        if s >= e:
            continue
        pieces.append(text[pos:s])
        pieces.append("\x00" * (e - s))
        pos = e
    pieces.append(text[pos:end])
    return "".join(pieces)


_SOURCE_COLUMN = re.compile(r"来源|地区|地市|报送单位|推荐单位")
_PLACE_UNIT = r"[\u4e00-\u9fff]{2,8}?(?:自治区|自治州|省|市|县|区|州|盟|旗)"
# a practice credited to places in brackets: （浙江省杭州市） / (江苏省苏州市、浙江省宁波市)
_CREDIT = re.compile(rf"\((?P<places>(?:{_PLACE_UNIT})+(?:[、,](?:{_PLACE_UNIT})+)*)\)")


def _sources(nt: NormText, seg: Segmentation, it: Item) -> list[str]:
    """Places a practice is credited to: a 来源 / 地区 column, else a bracket of place names."""
    text = nt.text
    out = []
    for cell_start, column in seg.cells_in(it.marker[1], it.end):
        if _SOURCE_COLUMN.search(column):
            line_end = text.find("\n", cell_start)
            line_end = it.end if line_end < 0 else min(line_end, it.end)
            for m in re.finditer(r"[\u4e00-\u9fff]{2,8}?(?:市|县|区|州|省)", text[cell_start:line_end]):
                out.append(nt.orig(cell_start + m.start(), cell_start + m.end()))
    if out or seg.table_columns:
        return out
    for m in _CREDIT.finditer(text, it.marker[1], it.end):
        entries = re.split(r"[、,]", m.group("places"))
        if not any(e[:2] in _PROVINCE_SHORT or e.endswith("市") for e in entries):
            continue  # (含开发区) and the like: no place named
        pos = m.start("places")
        for entry in entries:
            # the innermost unit of 浙江省杭州市 is the place credited
            units = list(re.finditer(_PLACE_UNIT, entry))
            last = units[-1]
            out.append(nt.orig(pos + last.start(), pos + last.end()))
            pos += len(entry) + 1
    return out


_CELL_DATE = re.compile(r"(?P<y>(?:19|20)\d{2})\s?年(?:(?P<m>\d{1,2})\s?月)?(?:(?P<d>\d{1,2})\s?日)?|(?P<m2>\d{1,2})\s?月")


def _column_deadlines(nt: NormText, seg: Segmentation, it: Item) -> list[Deadline]:
    """The cell of a 完成时限 / 时间节点 column is the row's deadline, whatever its wording
    (2024年6月, 长期坚持); a cell the running-text rule already read is not read twice."""
    text = nt.text
    out = []
    for cell_start, column in seg.cells_in(it.marker[1], it.end):
        if column_kind(column) != "deadline":
            continue
        line_end = text.find("\n", cell_start)
        line_end = it.end if line_end < 0 else min(line_end, it.end)
        cell_end = _trim_end(text, cell_start, line_end)
        if cell_end <= cell_start or _deadlines(nt, cell_start, cell_end):
            continue
        m = _CELL_DATE.search(text, cell_start, cell_end)
        date = None
        if m and m.group("y"):
            date = m.group("y") + (f"-{int(m.group('m')):02d}" if m.group("m") else "")
        s, e = nt.orig_span(cell_start, cell_end)
        out.append(Deadline(text=nt.original[s:e], date=date, start=s, end=e))
    return out


# A short quotation names a slogan or a rule set (严格执行“七不准”“四公开”要求): its words are not the item's.
QUOTED = re.compile(r"“[^“”]{1,12}”")


def _modality(body: str) -> Modality:
    body = QUOTED.sub("", body)
    for modality, pattern in MODALITY:
        if pattern.search(body):
            return modality
    return Modality.OBLIGATION


# A baseline is no deadline: 从2018年以前的30.6%上升至…, 较2020年以前, 自2018年之前的空白.
_BASELINE_BEFORE = re.compile(r"(?:从|自|较|比|与|同)$")
_BASELINE_AFTER = re.compile(r"^的")


def _deadlines(nt: NormText, start: int, end: int) -> list[Deadline]:
    out = []
    for m in DEADLINE.finditer(nt.text, start, end):
        if m.group("y") and not (m.group("before") or re.match(r"到|力争|完成时限", m.group(0))):
            continue
        if _BASELINE_BEFORE.search(nt.text[max(start, m.start() - 1):m.start()]) or \
                _BASELINE_AFTER.match(nt.text[m.end():m.end() + 1]):
            continue
        date = None
        if m.group("y"):
            date = m.group("y") + (f"-{int(m.group('m')):02d}" if m.group("m") else "")
            if m.group("m") and m.group("d"):
                date += f"-{int(m.group('d')):02d}"
        s, e = nt.orig_span(m.start(), m.end())
        out.append(Deadline(text=nt.original[s:e], date=date, start=s, end=e))
    return out


def _clauses(nt: NormText, seg: Segmentation, it: Item) -> list[cl.Clause]:
    """Every responsibility clause in an item's own text, in order."""
    text = nt.text
    start, end = it.marker[1], it.end
    found: list[cl.Clause] = []
    taken: list[tuple[int, int]] = []
    for bs, be in cl.find_brackets(text, start, end):
        inner_s, inner_e = bs + 1, be - 1
        if not cl.looks_like_clause(text, inner_s, inner_e):
            continue
        before = text[bs - 1] if bs > 0 else "\n"
        after = text[be] if be < len(text) else "\n"
        inside_word = "\u4e00" <= before <= "\u9fff" and "\u4e00" <= after <= "\u9fff"
        body = text[inner_s:inner_e]
        marked = cl.LABEL.search(body) or cl.ROLE_WORD.search(body) or cl.INHERIT.search(body)
        glued = "\u4e00" <= before <= "\u9fff" or before in ")〕]"
        if (inside_word or glued) and not marked:
            continue
        if not marked and found:
            continue  # a bare list only when nothing else names the owners
        clause = cl.parse_clause(text, inner_s, inner_e)
        if clause.mentions or clause.rank_rule or clause.inherited:
            clause.start, clause.end = bs, be
            found.append(clause)
            taken.append((bs, be))
    # labelled lines and inline labels outside brackets
    inside = _Covered(taken)
    for m in cl.LABEL.finditer(text, start, end):
        if inside(m.start()):
            continue
        line_end = text.find("\n", m.start())
        line_end = end if line_end < 0 or line_end > end else line_end
        # an inline label group runs on through the labels that follow on the same line
        clause = cl.parse_clause(text, m.start(), line_end)
        if clause.mentions or clause.inherited:
            found.append(clause)
        taken.append((m.start(), line_end))
        inside.add(m.start(), line_end)
    # table cells that hold only agency names
    found.extend(_table_clauses(text, seg, start, end, taken))
    if not found:
        sentence = cl.owner_sentence(text, start, end) or _leading_assignment(text, start, end)
        if sentence is not None:
            found.append(sentence)
    found.sort(key=lambda c: c.start)
    return found


def _table_clauses(text: str, seg: Segmentation, start: int, end: int,
                   taken: list[tuple[int, int]]) -> list[cl.Clause]:
    """Owner cells of a task table row: the column says the role (牵头 / 主要责任 columns lead);
    person, progress, note and deadline columns are never owners."""
    meanings = [column_kind(h) for h in seg.table_header]
    owner_columns = [m for m in meanings if m in OWNER_MEANINGS]
    if not owner_columns:
        return []
    # without a column to go by: a lead column before the others names the first owner cell
    lead_first = owner_columns[0] == "lead"
    only_lead = set(owner_columns) == {"lead"}
    found: list[cl.Clause] = []
    inside = _Covered(taken)
    pos = start
    for raw in text[start:end].split("\n"):
        line_start = pos
        pos += len(raw) + 1
        if not raw.strip() or inside(line_start):
            continue
        cell_start = line_start + len(raw) - len(raw.lstrip())
        column = seg.table_columns.get(cell_start)
        meaning = column_kind(column) if column else None
        if meaning in SKIPPED_MEANINGS:
            continue
        cell_end = cell_start + len(raw.strip())
        if raw.strip() in seg.table_header:
            continue  # the header printed again
        if column:
            role = "lead" if meaning == "lead" else "responsible"
        else:
            first = not any(c.kind_hint == "table" for c in found)
            role = "lead" if only_lead or (lead_first and first and len(owner_columns) > 1) else "responsible"
        if cl.is_bare_list(raw):
            clause = cl.parse_clause(text, line_start, line_start + len(raw), default_role=role)
        elif meaning in OWNER_MEANINGS:
            clause = _owner_cell(text, cell_start, cell_end, role)
        else:
            continue
        clause.kind_hint = "table"
        if clause.mentions:
            found.append(clause)
            taken.append((line_start, line_start + len(raw)))
    return found


def _owner_cell(text: str, start: int, end: int, role: str) -> cl.Clause:
    """A cell of an owner column whose names we do not recognise by their ending (乡村振兴办):
    the column says they are owners, so each short name between separators is one."""
    clause = cl.parse_clause(text, start, end, default_role=role)
    body = text[start:end]
    if clause.mentions or len(body) > 40 or re.search(r"[。:;!?\d]", body):
        return clause
    for m in re.finditer(r"[^、,;\s]{2,20}", body):
        if re.search(r"[\u4e00-\u9fff]", m.group(0)):
            name = Name(m.group(0), start + m.start(), start + m.end())
            clause.mentions.append(cl.Mention(name, role, 0))
    return clause


class _Covered:
    """Is a position inside one of the spans taken so far? Asked at positions that only grow
    (the caller walks forward), so one pass over the spans sorted by start answers all of
    them: linear where a scan of every span per question was quadratic."""

    def __init__(self, spans: list[tuple[int, int]]):
        self._spans = sorted(spans)
        self._next = 0
        self._reach = -1  # the furthest end of the spans that start at or before the last position

    def add(self, start: int, end: int) -> None:
        """A span that starts at or before the last position asked."""
        self._reach = max(self._reach, end)

    def __call__(self, pos: int) -> bool:
        spans = self._spans
        while self._next < len(spans) and spans[self._next][0] <= pos:
            self._reach = max(self._reach, spans[self._next][1])
            self._next += 1
        return pos < self._reach


_ASSIGNMENT = re.compile(
    r"(?:由[^,;。]{1,16}?负责[,])?(?P<body>[^,;。]{2,60}?(?:牵头|牵头负责)[,][^。;]{2,80}?(?:配合|负责|参与|协同))[,;。]"
)


def _leading_assignment(text: str, start: int, end: int) -> cl.Clause | None:
    """由副市长X负责,市发改委牵头,相关部门配合,…: owners named in running text, at the start of the body."""
    starts = [start]
    for stop in ("。", "\n"):
        k = text.find(stop, start, min(end, start + 60))
        if k >= 0:
            starts.append(k + 1)
    m = None
    for body_start in starts:
        while body_start < end and text[body_start] in " \t\n":
            body_start += 1
        m = _ASSIGNMENT.match(text, body_start, end)
        if m:
            break
    if not m:
        return None
    clause = cl.parse_clause(text, m.start("body"), m.end("body"))
    if not any(x.role == "lead" for x in clause.mentions):
        return None
    clause.start, clause.end = m.start(), m.end()
    return clause

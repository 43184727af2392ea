"""Segment a normalised text into plans and numbered items.

Chinese official documents number their items with a small set of styles
(一、 → （一） → 1. → （1） → ①, plus 第一部分, and bare row numbers in
flattened tables). Levels are not fixed by style: the first style met under
a parent becomes its child level, and a style already open on the stack
closes everything below it. A number is only taken as a marker when it
continues its style's sequence (or starts one at 1), which keeps dates,
decimals and attachment lists ("附件:1.…  2.…") out of the tree.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from policykg.loaders import clauses as cl
from policykg.loaders.numerals import cn_to_int
from policykg.loaders.tables import (
    OWNER_MEANINGS,
    TEXT_MEANINGS,
    Table,
    column_meaning,
    header_runs,
    join_wrapped_header,
)
from policykg.loaders.textnorm import NormText
from policykg.loaders.vocabulary import alternation, noise_words, table_headers

CN = "一二三四五六七八九十百零〇两"
_BEFORE = r"(?:(?<=\n)|(?<=^)|(?<=[ \t★☆●•◆■□▲△∙·>。;!?)〕\]】”]))"
# A bracketed marker may also follow a heading with no stop in a page flattened onto one line
# (…加强组织领导(一)强化统筹…); `segment` takes those only on long lines.
_AFTER_HAN = r"(?<=[\u4e00-\u9fff])"

MARKER = re.compile(
    _BEFORE
    + r"(?:"
    + rf"(?P<part>第(?P<part_n>[{CN}\d]{{1,3}})(?:部分|篇|章))"
    + rf"|(?P<art>第(?P<art_n>[{CN}千\d]{{1,6}})条(?=[ \t]|[^\s,。;:、]))"
    + rf"|(?P<cn>(?P<cn_n>[{CN}]{{1,3}})\s?[、．.](?![{CN}][、]))"
    + rf"|(?P<pcn>[(〔\[](?P<pcn_n>[{CN}]{{1,3}})[)〕\]][、.]?)"
    + r"|(?P<num>(?P<num_n>\d{1,5})\s?(?:[、．]|\.(?!\d)))"
    + r"|(?P<pnum>[(](?P<pnum_n>\d{1,5})[)][、.]?|(?P<pnum_c>[\u2474-\u2487]))"
    + r"|(?P<circ>[\u2460-\u2473])"
    + r")"
    + r"|" + _AFTER_HAN + rf"(?:(?P<hpcn>[(〔](?P<hpcn_n>[{CN}]{{1,3}})[)〕])|(?P<hpnum>[(](?P<hpnum_n>\d{{1,5}})[)]))",
    re.M,
)
ROW_NUMBER = re.compile(r"^[ \t]*(\d{1,5})[ \t]*$", re.M)

PLAN_SUFFIX = re.compile(
    r"(?:方案|措施|计划|意见|要点|规划|办法|细则|纲要|分解|分工|清单|任务|政策|举措|行动|规定|条例|通知|决定|"
    r"(?:情况|分解|任务|目标|清单|一览|汇总)表)$"
)
_TRAILING_PAREN = re.compile(r"(?:[(（〔\[][^()（）]{1,20}[)）〕\]])+$")
_SENTENCE_START = re.compile(r"^(?:为|根据|按照|现将|现就|经|请|各|对|在|以|是|要|由|附件|来源|发布|当前位置|索引号|主题|文号)")


@dataclass
class Item:
    style: str
    number: int
    marker: tuple[int, int]  # normalised span of the marker ("（一）")
    label: tuple[int, int]  # normalised span of the number as printed, without 、/.
    line_start: bool
    plan: int | None = None  # index into Segmentation.plans
    parent: Item | None = None
    children: list[Item] = field(default_factory=list)
    end: int = 0  # normalised end of the item's own text (before the next marker)
    depth: int = 0


@dataclass
class Title:
    start: int  # normalised offsets, first to last character
    end: int
    text: str  # normalised, lines joined
    parts: list[tuple[int, int]]  # normalised spans of the joined lines
    notice: bool  # a notice title (关于印发…的通知) rather than a plan title


@dataclass
class Segmentation:
    items: list[Item]
    titles: list[Title]
    plans: list[Title]  # titles that hold items, in order
    notice_end: int  # normalised offset where the first plan starts (0 when none)
    table_header: list[str]
    table_columns: dict[int, str]  # normalised line start → column name, for table cells
    cell_starts: list[int] = field(default_factory=list)  # the keys of table_columns, sorted

    def cells_in(self, start: int, end: int) -> list[tuple[int, str]]:
        """(cell start, column name) of the table cells in [start, end), in order."""
        lo = bisect.bisect_left(self.cell_starts, start)
        hi = bisect.bisect_left(self.cell_starts, end)
        return [(c, self.table_columns[c]) for c in self.cell_starts[lo:hi]]


def _number(style: str, groups: dict) -> int | None:
    raw = groups.get(f"{style}_n")
    if style == "pnum" and groups.get("pnum_c"):
        return ord(groups["pnum_c"]) - 0x2474 + 1
    if style == "circ":
        return None
    if raw is None:
        return None
    return cn_to_int(raw)


def _candidate_markers(text: str) -> list[tuple[str, int, int, int, int, int]]:
    """(style, number, marker_start, marker_end, label_start, label_end) in text order."""
    found = []
    one_line = text.count("\n") < 5
    flattened = _LongLines(text).flattened
    for m in MARKER.finditer(text):
        if m.group("hpcn") or m.group("hpnum"):
            # a bracketed marker right after a heading: only where a page was flattened
            if not one_line and not (flattened and _line_length(text, m.start()) >= _LongLines.LONG):
                continue
            style = "pcn" if m.group("hpcn") else "pnum"
            number = cn_to_int(m.group(f"h{style}_n"))
            if number and number > 0:
                s, e = m.span()
                found.append((style, number, s, e, s, e))
            continue
        style = next(s for s in ("part", "art", "cn", "pcn", "num", "pnum", "circ") if m.group(s))
        if style == "circ":
            number = ord(m.group("circ")) - 0x2460 + 1
            lab = m.span("circ")
        else:
            number = _number(style, m.groupdict())
            if style in ("part", "art"):
                lab = m.span(style)
            elif style == "pnum" and m.group("pnum_c"):
                lab = m.span("pnum_c")
            elif style in ("pcn", "pnum"):
                s, e = m.span(style)
                seg = text[s:e]
                lab = (s, s + len(seg.rstrip("、.")))
            else:
                lab = m.span(f"{style}_n")
        if number is None or number <= 0:
            continue
        s, e = m.span()
        # the marker must be followed by text on its line (a heading or the item)
        rest = text[e:e + 2]
        if not rest or rest[0] in "\n" and style not in ("part",):
            if style not in ("cn", "pcn"):
                continue
        if style == "num" and _looks_like_quantity(text, e):
            continue
        found.append((style, number, s, e, lab[0], lab[1]))
    for m in ROW_NUMBER.finditer(text):
        s, e = m.span(1)
        if m.group(1).startswith("0") or _next_line_is_marker(text, m.end()):
            continue  # page decoration (01), not a table row
        found.append(("row", int(m.group(1)), s, e, s, e))
    found.sort(key=lambda t: t[2])
    return found


# words of a responsibility clause: 责任单位: / 牵头 / 负责 / 配合 (loaders/data/role_labels.tsv, role_words.tsv)
_OWNER_WORDS = re.compile(cl.LABEL.pattern + "|" + cl.ROLE_WORD.pattern)


def _after_owner_clause(text: str, pos: int) -> bool:
    """Does a bracket naming owners close right before `pos` ((责任单位:…各乡镇)(三)实施…)?"""
    if pos == 0 or text[pos - 1] not in ")〕]】":
        return False
    opening = max(text.rfind(c, max(0, pos - 200), pos - 1) for c in "(〔[【")
    return opening >= 0 and bool(_OWNER_WORDS.search(text, opening + 1, pos - 1))


def _line_length(text: str, pos: int) -> int:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return (end if end >= 0 else len(text)) - start


_NEXT_LINE = re.compile(r"\s*([^\n]*)")


def _next_line_is_marker(text: str, pos: int) -> bool:
    nxt = _NEXT_LINE.match(text, pos)  # (at pos: a slice of the rest per row was quadratic)
    line = nxt.group(1) if nxt else ""
    return not line.strip() or bool(re.match(rf"^\s*(?:[{CN}]{{1,3}}、|第[{CN}\d]{{1,3}}部分)", line))


def _looks_like_quantity(text: str, end: int) -> bool:
    """'1、2月' or '3、5年' are numbers in a list, not item markers."""
    nxt = text[end:end + 3]
    return bool(re.match(r"\d", nxt))


def _line_start(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and text[i] in " \t★☆●•◆■□▲△∙·>":
        i -= 1
    return i < 0 or text[i] == "\n"


def _preceded_by_boundary(text: str, pos: int) -> bool:
    """Inside a long line a marker must follow the end of a sentence or clause."""
    i = pos - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    if i < 0:
        return True
    return text[i] in "。;!?)〕]】”\"」:" or "\u4e00" <= text[i] <= "\u9fff" or text[i] == "\n"


def find_titles(nt: NormText) -> list[Title]:
    """Title lines: notice titles and plan titles, joined over up to four lines."""
    text = nt.text
    lines = []
    pos = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        lead = len(raw) - len(raw.lstrip())
        end = pos + len(raw)
        lines.append((pos + lead, pos + lead + len(stripped), stripped, _ends_at_bar(nt, end)))
        pos += len(raw) + 1
    # cells of a flattened table ("X|" or "X\n|") are not titles
    lines = [
        (s, e, "" if bar or (k + 1 < len(lines) and not lines[k + 1][2] and lines[k + 1][3]) else t)
        for k, (s, e, t, bar) in enumerate(lines)
    ]
    titles: list[Title] = []
    i = 0
    n = len(lines)
    while i < n:
        s, e, line = lines[i]
        if not _title_part(line) or _follows_bare_marker(lines, i):
            i += 1
            continue
        parts = [(s, e)]
        joined = line
        j = i
        while True:
            k = j + 1
            while k < n and not lines[k][2]:
                k += 1
            if k >= n or k - j > 3:
                break
            nxt = lines[k][2]
            if not _title_part(nxt) or len(nxt) > 40:
                break
            cont = not _is_title(joined) or re.match(r"^(?:的|等|暨|和|及|与)", nxt)
            if not cont and "关于" in joined and not re.search(r"(?:通知|意见|决定|批复|函|方案)$", joined):
                cont = True
            if not cont:
                break
            if _is_title(joined) and not _is_title(joined + nxt) and not re.match(r"^(?:的|等)", nxt):
                break
            joined += nxt
            parts.append((lines[k][0], lines[k][1]))
            j = k
        if _is_title(joined) and 4 <= len(joined) <= 120:
            notice = bool(re.search(r"关于", joined) and re.search(r"(?:印发|转发|通知$)", joined))
            titles.append(Title(parts[0][0], parts[-1][1], joined, parts, notice))
            i = j + 1
        else:
            i += 1
    return titles


def _ends_at_bar(nt: NormText, end: int) -> bool:
    return end < len(nt.text) and nt.original[nt.index[end]] == "|"


def _follows_bare_marker(lines, i) -> bool:
    """A line right after a bare row number or marker-only line is that item's title cell."""
    k = i - 1
    while k >= 0 and not lines[k][2]:
        k -= 1
    if k < 0:
        return False
    prev = lines[k][2]
    return bool(re.fullmatch(r"\d{1,3}|[(（]?[一二三四五六七八九十]{1,3}[)）、]?|\d{1,3}[.、]", prev))


# web page furniture (loaders/data/noise_words.tsv), attachment lines, bullets
_CHROME = re.compile(alternation(noise_words("page")) + r"|^附件\d*$|文件$|^[∙·•]")
_DOC_NUMBER_LINE = re.compile(r"[〔\[【(]\s?(?:19|20)\d{2}\s?[〕\]】)]\s?\d{1,4}\s?号")


def _title_part(line: str) -> bool:
    if not line or len(line) > 80:
        return False
    if line in _HEADER_WORDS or re.fullmatch(r"[(（].*[)）]", line):
        return False
    if line.startswith("【"):
        rest = re.sub(r"^(?:【[^】]*】)+", "", line)
        if not _is_title(rest):
            return False
    elif _CHROME.search(line) or _DOC_NUMBER_LINE.search(line) and not re.search(r"关于", line):
        return False
    if re.search(r"[。,;:!?]", line.replace("《", "").replace("》", "")):
        return False
    if _SENTENCE_START.match(line):
        return False
    if MARKER.match(line) or ROW_NUMBER.match(line):
        return False
    if re.search(r"\d{4}-\d{1,2}-\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日$", line):
        return False
    return True


def _is_title(text: str) -> bool:
    core = text.strip().strip("《》 ")
    core = _TRAILING_PAREN.sub("", core).strip("《》 ")
    return bool(PLAN_SUFFIX.search(core)) and len(core) >= 5


def segment(nt: NormText, tables: list[Table] | None = None) -> Segmentation:
    """Items, titles and plans of a normalised text (`tables`: what `tables.read_tables` found)."""
    text = nt.text
    titles = find_titles(nt)
    candidates = _candidate_markers(text)
    follows = _Sequences(candidates)
    long_line = _LongLines(text)
    runs = header_runs(text)
    headers = [start for start, _end, _cells in runs]
    items: list[Item] = []
    stack: list[Item] = []
    last_seen: dict[str, int] = {}
    title_iter = sorted(titles, key=lambda t: t.start)
    ti = 0
    hi = 0
    base = 0  # stack[:base] holds the items around a table whose own numbering starts afresh
    plans: list[Title] = []
    current_plan: int | None = None
    pending_title: Title | None = None
    one_line = text.count("\n") < 5
    child_of: dict[str, str] = {}

    for style, number, ms, me, ls, le in candidates:
        # titles before this marker reset the numbering (a new plan starts)
        while ti < len(title_iter) and title_iter[ti].end <= ms:
            t = title_iter[ti]
            ti += 1
            if t.start < (stack[-1].marker[1] if stack else -1):
                continue
            if t.notice or _inside_items(items, t.start, text):
                continue
            pending_title = t
        # a table header under an open item: the table's own numbering nests under that item
        while hi < len(headers) and headers[hi] < ms:
            if stack and pending_title is None and headers[hi] > stack[-1].marker[0]:
                base = len(stack)
            hi += 1
        line_start = _line_start(text, ms)
        flat = one_line or (not line_start and long_line(ms))
        # on a flattened page the close of a responsibility clause ends an item as a line break would
        opens = line_start or (flat and _after_owner_clause(text, ms))
        if not line_start and not (flat or _preceded_by_boundary(text, ms)):
            continue
        if style == "row" and not line_start:
            continue
        if not line_start and style in ("num", "pnum", "circ", "art") and not flat:
            continue
        if pending_title is not None:
            # A title line followed by the next number of the open list is a sub-heading;
            # a list that starts again is a new plan.
            open_level = next((k for k, it in enumerate(stack) if it.style == style), None)
            if open_level is not None and number == stack[open_level].number + 1:
                pending_title = None
            elif number == 1 or style in ("cn", "part", "row", "art"):
                stack = []
                last_seen = {}
                base = 0
        level = next((k for k in range(base, len(stack)) if stack[k].style == style), None)
        if level is None and base:
            outer = next((k for k in range(base) if stack[k].style == style), None)
            if outer is not None and number == stack[outer].number + 1:
                base, level = 0, outer  # the document's own numbering goes on: the table is over
        if level is not None:
            prev = stack[level].number
            # the next number, a restart of the top level, or a gap in a printed list that goes on after it
            ok = (number == prev + 1 or (level == base and number == 1 and not base)
                  or (opens and prev + 1 < number <= prev + 3)
                  or (opens and number > prev and follows(style, number, ms, 2)))
            if not ok:
                continue
            stack = stack[:level]
        else:
            if not (number == 1 or number == last_seen.get(style, -5) + 1
                    or (number in (2, 3) and opens and follows(style, number, ms, 1))
                    or (opens and style not in last_seen and follows(style, number, ms, 2))
                    or (not items and opens and number <= 9 and follows(style, number, ms, 1))
                    or (style in ("cn", "part", "pcn") and line_start and number <= 20 and _heading_line(text, me))):
                continue
            stack = stack[:base] + _open_level(stack[base:], style, child_of)
        if pending_title is not None:
            plans.append(pending_title)
            current_plan = len(plans) - 1
            pending_title = None
        parent = stack[-1] if stack else None
        if parent is not None:
            child_of.setdefault(style, parent.style)
        item = Item(style, number, (ms, me), (ls, le), line_start, current_plan, parent, depth=len(stack))
        if parent:
            parent.children.append(item)
        items.append(item)
        stack.append(item)
        last_seen[style] = number

    # each item's own text runs to the next item, the next title that starts a plan, or the end
    boundaries = sorted([it.marker[0] for it in items] + [p.start for p in plans] + [len(text)])
    for it in items:
        it.end = boundaries[bisect.bisect_right(boundaries, it.marker[0])]  # the first boundary after it
    notice_end = plans[0].start if plans else 0
    header, columns = _table_columns(text, items, tables or [], lambda end: _ends_at_bar(nt, end), runs)
    return Segmentation(items, titles, plans, notice_end, header, columns, sorted(columns))


class _Sequences:
    """Does a style's numbering go on after a number: the next `need` numbers follow, before any 1?"""

    def __init__(self, candidates) -> None:
        self.by_style: dict[str, list[tuple[int, int]]] = {}
        for st, n, ms, *_ in candidates:
            self.by_style.setdefault(st, []).append((ms, n))

    def __call__(self, style: str, number: int, pos: int, need: int) -> bool:
        seq = self.by_style.get(style, [])
        k = bisect.bisect_right(seq, (pos, 1 << 30))
        last, found = number, 0
        for _ms, n in seq[k:k + 50]:
            if n == 1:
                return False
            if last < n <= last + 3:  # the next number, or a row or two skipped
                last, found = n, found + 1
                if found >= need:
                    return True
        return False


class _LongLines:
    """Is a position on a long line: a page flattened onto one line or a few?"""

    LONG = 300

    def __init__(self, text: str) -> None:
        self.breaks = [m.start() for m in re.finditer("\n", text)]
        self.length = len(text)
        edges = [-1, *self.breaks, self.length]
        long_lines = [b - a - 1 for a, b in zip(edges, edges[1:], strict=False) if b - a - 1 >= self.LONG]
        # a document whose text mostly stands on a few long lines was flattened; long table cells,
        # one per line, in a document of many lines were not
        self.flattened = len(long_lines) <= 5 and sum(long_lines) > 0.6 * max(1, self.length)

    def __call__(self, pos: int) -> bool:
        if not self.flattened:
            return False
        k = bisect.bisect_left(self.breaks, pos)
        start = self.breaks[k - 1] + 1 if k else 0
        end = self.breaks[k] if k < len(self.breaks) else self.length
        return end - start >= self.LONG


# The usual order of numbering styles, outermost first.
STYLE_RANK = {"part": 0, "art": 0.5, "cn": 1, "pcn": 2, "row": 2.5, "num": 3, "pnum": 4, "circ": 5}


def _open_level(stack: list[Item], style: str, child_of: dict[str, str]) -> list[Item]:
    """Where a style not open on the stack goes: under the style it was seen under before,
    else below every open style that ranks above it (一、 closes an orphan (四) of a cut page)."""
    rank = STYLE_RANK[style]
    parent_style = child_of.get(style)
    if parent_style is not None and STYLE_RANK[parent_style] >= rank:
        # this document nests against the usual order (（一） under 1.): follow it
        for k in range(len(stack) - 1, -1, -1):
            if stack[k].style == parent_style:
                return stack[:k + 1]
    while stack and STYLE_RANK[stack[-1].style] >= rank:
        stack = stack[:-1]
    return stack


def _heading_line(text: str, pos: int) -> bool:
    """The rest of the line is a short heading (二、扶持政策内容), not running text."""
    end = text.find("\n", pos)
    line = text[pos:end if end >= 0 else len(text)].strip()
    return 2 <= len(line) <= 30 and not re.search(r"[。;,:]", line)


def _inside_items(items: list[Item], pos: int, text: str) -> bool:
    """A title-like line inside an item's cells (a table) does not start a plan."""
    if not items:
        return False
    last = items[-1]
    # the line right after a bare row marker is that row's title cell
    between = text[last.marker[1]:pos]
    return last.style == "row" and not between.strip()


def _is_header_cell(cell: str) -> bool:
    return len(cell) <= 14 and not re.search(r"[。,:;]", cell)


def _header_before(text: str, first_row: int) -> list[str]:
    """The header cells nearest before a table's first row, skipping group rows between them;
    header cells wrapped over two lines (责任 / 领导) are joined."""
    cells = [c.strip() for c in text[:first_row].split("\n") if c.strip()][-40:]
    last = max((i for i, c in enumerate(cells) if _is_header_cell(c) and any(w in c for w in _HEADER_WORDS)),
               default=None)
    if last is None:
        return []
    start = last
    while start > 0 and _is_header_cell(cells[start - 1]) and not re.match(rf"^[{CN}]+、", cells[start - 1]):
        start -= 1
    run = cells[start:last + 1]
    return ["".join(run[a:b]) for a, b in join_wrapped_header(run)]


def _header_without_rows(text: str) -> list[str]:
    """A table's header when its rows carry item numbers of their own (一、 (一) 1.)."""
    runs = header_runs(text)
    return runs[0][2] if runs else []


# Header cells of task tables (loaders/data/table_headers.tsv).
_HEADER_WORDS = tuple(h.header for h in table_headers())
_ANCHOR_HEADERS = tuple(h.header for h in table_headers() if h.anchor)
_OWNER_HEADERS = tuple(h.header for h in table_headers() if h.meaning in ("lead", "responsible"))


def _table_columns(text: str, items: list[Item], tables: list[Table], at_bar=lambda end: False,
                   runs: list | None = None) -> tuple[list[str], dict[int, str]]:
    """Find a flattened table's header (one cell per line) and name each row's cells.

    Returns the header cells and, for every cell line of rows whose cell count
    matches the header, the column name keyed by the cell's start offset. Cells of
    delimited tables (`tables.read_tables`) come with their column already."""
    aligned = {start: column.header for table in tables for start, column in table.cells.items()}
    rows = [it for it in items if it.style == "row"]
    if not rows:
        if tables:
            header = [c.header for c in tables[0].columns]
        else:
            header = runs[0][2] if runs else [] if runs is not None else _header_without_rows(text)
            if runs:
                aligned.update(_numbered_row_columns(text, items, header, runs[0][1], at_bar))
        return header, aligned
    header = _header_before(text, rows[0].marker[0])
    if not any(w in "".join(header) for w in _ANCHOR_HEADERS):
        return ([c.header for c in tables[0].columns], aligned) if tables else ([], {})
    columns: dict[int, str] = {}
    row_cells = [_row_cells(text, r, header, at_bar) for r in rows]
    header = _fit_header(header, row_cells)
    for cells in row_cells:
        empties = any(not c for _s, c in cells)
        if len(cells) == len(header) - 1 or (empties and len(cells) < len(header) - 1):
            # one cell per column (a bar table's empty cells counted), or a short row: from the left
            for (start, cell), name in zip(cells, header[1:], strict=False):
                if cell:
                    columns[start] = name
            continue
        cells = [c for c in cells if c[1]]
        if len(cells) == len(header) - 1:
            for (start, _), name in zip(cells, header[1:], strict=True):
                columns[start] = name
        else:
            # more or fewer cells than columns (names one per line, a merged cell): the columns up to
            # the first owner column still line up from the left
            for (start, _), name in zip(cells, header[1:], strict=False):
                columns[start] = name
                if column_meaning(name) in OWNER_MEANINGS:
                    break
    columns.update(aligned)
    return header, columns


def _numbered_row_columns(text: str, items: list[Item], header: list[str], header_end: int,
                          at_bar) -> dict[int, str]:
    """Columns of a table whose rows carry item numbers in their task cell (类别 | 14.改扩建… | 目标 | 单位):
    the cells after the numbered one take the columns after the first text column, when a row
    holds exactly as many cells as those columns (anything else is not read as a row)."""
    first_text = next((k for k, h in enumerate(header) if column_meaning(h) in TEXT_MEANINGS), None)
    if first_text is None:
        return {}
    rest = header[first_text + 1:]
    out: dict[int, str] = {}
    for it in items:
        if it.children or it.marker[0] < header_end or it.style == "row":
            continue
        cells = _row_cells(text, it, header, at_bar)[1:]  # the first is the numbered cell itself
        if len(cells) == len(rest):
            out.update((start, name) for (start, cell), name in zip(cells, rest, strict=True) if cell)
    return out


def _row_cells(text: str, row: Item, header: list[str], at_bar) -> list[tuple[int, str]]:
    """(start, text) of a flattened row's cells, one per line; the header printed again is none."""
    cells = []
    pos = row.marker[1]
    bar_before = at_bar(pos - 1) if pos else False
    for raw in text[pos:row.end].split("\n"):
        start = pos
        pos += len(raw) + 1
        if raw.strip() and raw.strip() not in header:
            cells.append((start + len(raw) - len(raw.lstrip()), raw.strip()))
        elif not raw.strip() and bar_before and at_bar(start + len(raw)):
            cells.append((start, ""))  # | | : an empty cell of a bar table
        bar_before = at_bar(start + len(raw))
    while cells and not cells[-1][1]:
        cells.pop()
    return cells


def _fit_header(header: list[str], row_cells: list[list[tuple[int, str]]]) -> list[str]:
    """A header one cell longer than its rows, with one cell that names no column, was wrapped there:
    that cell qualifies its neighbour (第二季度 / 完成情况 is one column, 第二季度完成情况)."""
    counts = [len(c) for c in row_cells if c]
    if len(counts) < 2 or len(header) < 4:
        return header
    usual = max(set(counts), key=counts.count)
    unknown = [k for k in range(1, len(header)) if column_meaning(header[k]) is None]
    if usual != len(header) - 2 or counts.count(usual) * 2 < len(counts) or len(unknown) != 1:
        return header
    k = unknown[0]
    if k + 1 < len(header):
        return header[:k] + [header[k] + header[k + 1]] + header[k + 2:]
    return header[:k - 1] + [header[k - 1] + header[k]]


def column_kind(name: str) -> str | None:
    """What a column holds, from its header (loaders/data/table_headers.tsv)."""
    return column_meaning(name)

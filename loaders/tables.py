"""Task tables, however their cells are delimited.

A 任务分解表 reaches us in many layouts: cells separated by `|` (the normalised
view already turns every bar into a line break), one cell per line, tabs, runs
of spaces, or single spaces where a blank also breaks a wrapped word
(`加强水资源保 护`). The header is found by its column vocabulary
(loaders/data/table_headers.tsv: header word → what the column holds), not by
its layout; header cells wrapped over two lines (`责任` / `领导`) are joined.

`read_tables` rewrites every delimited header and numbered row of the
normalised view into the one-cell-per-line layout the segmenter reads, by
turning the blanks that separate cells into line breaks: one character for one
character, so every offset into the original file stays as it was. Which
blanks separate cells is settled per row by aligning its words to the header's
columns: an owner column takes a list of agency names, a wrapped cell breaks
into pieces of the column's width (every piece but the last at least as long as
the last), and in single-blank layouts a run of blanks stands for empty cells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from policykg.loaders.clauses import is_bare_list
from policykg.loaders.textnorm import NormText
from policykg.loaders.vocabulary import table_headers

OWNER_MEANINGS = frozenset({"lead", "responsible", "partner"})
TEXT_MEANINGS = frozenset({"task", "target", "practice"})
# Columns whose cells name no owner and hold no commitment of the row.
SKIPPED_MEANINGS = frozenset({"person", "progress", "note", "source", "deadline"})
_MAX_ROW = 99999
_SENTENCE = re.compile(r"[。;,:!?]")
_NUMBERED = re.compile(r"[(〔]?(?:[一二三四五六七八九十]{1,3}|\d{1,5})(?:[)〕、.．]|$)")


@dataclass
class Column:
    header: str  # as printed in the normalised view, wrapped pieces joined
    meaning: str | None  # loaders/data/table_headers.tsv, None for a header we do not know


@dataclass
class Table:
    header_start: int  # normalised span of the header row(s)
    header_end: int
    columns: list[Column]
    layout: str  # "lines" (one cell per line or bars), "tabs", "runs" (2+ blanks), "blanks" (single blanks)
    rows: list[tuple[int, int]] = field(default_factory=list)  # normalised span of each numbered row
    cells: dict[int, Column] = field(default_factory=dict)  # normalised cell start → its column


@lru_cache(maxsize=1)
def _header_words() -> tuple[tuple[str, str, bool], ...]:
    return tuple(sorted(((h.header, h.meaning, h.anchor) for h in table_headers()), key=lambda h: -len(h[0])))


@lru_cache(maxsize=1)
def _anchor_words() -> re.Pattern:
    return re.compile("|".join(re.escape(w) for w, _m, anchor in _header_words() if anchor))


@lru_cache(maxsize=4096)
def column_meaning(cell: str) -> str | None:
    """What a header cell's column holds: the meaning of the longest header word it contains."""
    cell = re.sub(r"\s+", "", cell)
    if not cell or len(cell) > 14 or _SENTENCE.search(cell):
        return None
    for word, meaning, _anchor in _header_words():
        if word in cell:
            return meaning
    return None


def _is_anchor(cell: str) -> bool:
    cell = re.sub(r"\s+", "", cell)
    return any(word in cell and anchor for word, _m, anchor in _header_words())


def join_wrapped_header(cells: list[str]) -> list[tuple[int, int]]:
    """Group header cells printed over two lines (`责任` `领导` → 责任领导): index ranges to join.

    Two neighbours are joined when together they contain a longer header word than either alone."""
    groups: list[tuple[int, int]] = []
    i = 0
    while i < len(cells):
        j = i + 1
        best = _longest_word(cells[i])
        while j < len(cells) and j - i < 3:
            longer = _longest_word("".join(cells[i:j + 1]))
            if longer > max(best, _longest_word(cells[j])):
                best = longer
                j += 1
            else:
                break
        groups.append((i, j))
        i = j
    return groups


def _longest_word(cell: str) -> int:
    cell = re.sub(r"\s+", "", cell)
    return max((len(w) for w, _m, _a in _header_words() if w in cell), default=0)


def looks_like_header(cells: list[str]) -> bool:
    """At least three short cells, two of them known column names, one of them an anchor."""
    if len(cells) < 3 or any(len(re.sub(r"\s+", "", c)) > 14 or _SENTENCE.search(c) for c in cells):
        return False
    meanings = {column_meaning(c) for c in cells} - {None}
    known = [c for c in cells if column_meaning(c)]
    return (len(meanings) >= 2 and bool(meanings & (OWNER_MEANINGS | TEXT_MEANINGS))
            and any(_is_anchor(c) for c in known))


def header_runs(text: str) -> list[tuple[int, int, list[str]]]:
    """Header rows of tables printed one cell per line (or with bars): runs of short lines that
    read as a header. (start, end, cells) in text order; wrapped header cells joined."""
    out = []
    run: list[tuple[int, int]] = []
    pos = 0
    for raw in text.split("\n") + [""]:
        start, end = pos, pos + len(raw)
        pos = end + 1
        cell = raw.strip()
        if not cell:
            continue
        if len(cell) <= 14 and not _SENTENCE.search(cell) and not _NUMBERED.match(cell):
            run.append((start, end))
            continue
        _close_run(text, run, out)
        run = []
    _close_run(text, run, out)
    return out


def _close_run(text: str, run: list[tuple[int, int]], out: list) -> None:
    if len(run) < 3:
        return
    cells = [text[s:e].strip() for s, e in run]
    if not _anchor_words().search("".join(cells)):
        return
    # the header is the tail of the run that reads as one (a caption line may come before it)
    for first in range(max(0, len(cells) - 12), len(cells) - 2):
        joined = ["".join(cells[a:b]) for a, b in join_wrapped_header(cells[first:])]
        if looks_like_header(joined) and column_meaning(cells[first]):
            out.append((run[first][0], run[-1][1], joined))
            return


# ---------------------------------------------------------------------------- delimited layouts
_ROW_START = re.compile(r"[ \t]*(\d{1,5})(?=[ \t])")


def _tokens(line: str, base: int, layout: str) -> list[tuple[int, int]]:
    """Spans (absolute) of the words of a line under a layout; for "blanks" every blank-free run."""
    out = []
    if layout == "tabs":
        pos = 0
        for piece in line.split("\t"):
            stripped = piece.strip()
            s = pos + len(piece) - len(piece.lstrip())
            out.append((base + s, base + s + len(stripped)))  # an empty cell between two tabs is empty
            pos += len(piece) + 1
        while out and out[0][0] == out[0][1]:
            out.pop(0)
        while out and out[-1][0] == out[-1][1]:
            out.pop()
        return out
    pattern = {"runs": r"\S(?:.*?\S)?(?=\s{2,}|\s*$)", "blanks": r"\S+"}[layout]
    for m in re.finditer(pattern, line):
        s, e = m.span()
        out.append((base + s, base + e))
    return out


def _header_layout(line: str) -> str | None:
    """The layout of a header line, when the line is a header at all."""
    stripped = line.strip()
    if "\t" in stripped:
        layouts = ["tabs"]
    elif re.search(r"\S {2,}\S", stripped):
        layouts = ["runs", "blanks"]
    else:
        layouts = ["blanks"]
    for layout in layouts:
        cells = [line[s:e] for s, e in _tokens(line, 0, layout) if e > s]
        if looks_like_header(cells):
            return layout
    return None


def read_tables(nt: NormText) -> tuple[NormText, list[Table]]:
    """Find the task tables of delimited layouts and rewrite them one cell per line.

    Returns the rewritten view (the same object when nothing changed) and the tables found,
    each with the column of every cell it could align."""
    text = nt.text
    if "\t" not in text and " " not in text:
        return nt, []
    chars: list[str] | None = None
    tables: list[Table] = []
    lines = _lines(text)
    k = 0
    while k < len(lines):
        start, end = lines[k]
        line = text[start:end]
        layout = _header_layout(line) if len(line) <= 200 and _anchor_words().search(line) else None
        if layout is None:
            k += 1
            continue
        header_tokens = _tokens(line, start, layout)
        header_cells = [text[s:e] for s, e in header_tokens if e > s]
        columns = [Column(re.sub(r"\s+", "", c), column_meaning(c)) for c in header_cells]
        table = Table(start, end, columns, layout)
        if chars is None:
            chars = list(text)
        for s, e in header_tokens[:-1]:
            _break(chars, e, _next_start(header_tokens, s))
        k = _read_rows(text, lines, k + 1, table, chars)
        tables.append(table)
    if chars is None:
        return nt, tables
    return NormText(nt.original, "".join(chars), nt.index, nt.glosses), tables


def _lines(text: str) -> list[tuple[int, int]]:
    out = []
    pos = 0
    for raw in text.split("\n"):
        out.append((pos, pos + len(raw)))
        pos += len(raw) + 1
    return out


def _next_start(tokens: list[tuple[int, int]], s: int) -> int:
    for ts, _te in tokens:
        if ts > s:
            return ts
    return s


def _break(chars: list[str], start: int, end: int) -> None:
    """Blanks between two cells become line breaks (one for one: offsets do not move)."""
    for i in range(start, end):
        if chars[i] in " \t":
            chars[i] = "\n"


def _read_rows(text: str, lines: list[tuple[int, int]], k: int, table: Table, chars: list[str]) -> int:
    """Align the numbered rows after a header; returns the index of the first line not read."""
    has_number = bool(table.columns) and table.columns[0].meaning == "number"
    body_columns = table.columns[1:] if has_number else table.columns
    last = None
    gap = 0
    strays = 0
    while k < len(lines):
        start, end = lines[k]
        line = text[start:end]
        if not line.strip():
            gap += 1
            if gap > 2:
                break
            k += 1
            continue
        gap = 0
        if _header_layout(line) == table.layout:
            # the header printed again (on the next page of a printed table)
            tokens = _tokens(line, start, table.layout)
            for s, e in tokens[:-1]:
                _break(chars, e, _next_start(tokens, s))
            k += 1
            continue
        m = _ROW_START.match(line)
        number = int(m.group(1)) if m else None
        if number is None or number > _MAX_ROW or (last is not None and number <= last):
            # a section row or a row's wrapped continuation; three in a row end the table
            strays += 1
            if strays >= 3:
                break
            k += 1
            continue
        strays = 0
        last = number
        num_end = start + m.end()
        tokens = _tokens(text[num_end:end], num_end, table.layout)
        if not tokens:
            k += 1
            continue
        _break(chars, num_end, tokens[0][0])
        groups = _align(text, tokens, body_columns, table.layout, lead_blanks=tokens[0][0] - num_end)
        for (gs, ge, column), nxt in zip(groups, groups[1:] + [None], strict=True):
            if gs < ge:
                table.cells[gs] = column
            if nxt is not None and ge < nxt[0]:
                _break(chars, ge, nxt[0])
        table.rows.append((start, end))
        k += 1
    return k


def _align(text: str, tokens: list[tuple[int, int]], columns: list[Column],
           layout: str, lead_blanks: int = 1) -> list[tuple[int, int, Column]]:
    """Group a row's words into its columns at the least cost (see the module notes)."""
    n = len(columns)
    if not n:
        return []
    # units: a word, or an empty cell that a run of blanks stands for (single-blank layouts)
    units: list[tuple[int, int] | None] = []
    soft: list[bool] = []  # soft[i]: the blank before units[i] may join it to units[i-1]
    if layout == "blanks" and lead_blanks > 1:
        units.extend([None] * (lead_blanks - 1))  # empty cells right after the row number
        soft.extend([False] * (lead_blanks - 1))
    for i, (s, e) in enumerate(tokens):
        if i and layout == "blanks":
            width = s - tokens[i - 1][1]
            units.extend([None] * (width - 1))
            soft.extend([False] * (width - 1))
            soft.append(width == 1)
        else:
            soft.append(False)
        units.append((s, e) if e > s else None)
    best = _dp(text, units, soft, columns, layout)
    out = []
    for (a, b), column in zip(best, columns, strict=False):
        words = [u for u in units[a:b] if u is not None]
        if words:
            out.append((words[0][0], words[-1][1], column))
        else:
            anchor = next((u[0] for u in units[a:] if u is not None), tokens[-1][1])
            out.append((anchor, anchor, column))
    return out


def _dp(text, units, soft, columns, layout) -> list[tuple[int, int]]:
    n_units, n_cols = len(units), len(columns)
    inf = float("inf")
    cost = [[inf] * (n_units + 1) for _ in range(n_cols + 1)]
    back: list[list[int]] = [[-1] * (n_units + 1) for _ in range(n_cols + 1)]
    cost[0][0] = 0.0
    flexible = layout in ("tabs", "runs")
    for j in range(1, n_cols + 1):
        column = columns[j - 1]
        for i in range(n_units + 1):
            if cost[j - 1][i] == inf:
                continue
            # column j takes units[i:b]
            last_col = j == n_cols
            b_min = i if (flexible or i == n_units) else i + 1
            for b in range(b_min, n_units + 1):
                if b > i and not all(soft[x] for x in range(i + 1, b)):
                    break  # a hard boundary inside the group
                if last_col and b < n_units:
                    continue
                c = cost[j - 1][i] + _cell_cost(text, units[i:b], column, flexible)
                if c < cost[j][b]:
                    cost[j][b] = c
                    back[j][b] = i
    # rows may stop early: the remaining columns are empty
    end_col = min(range(n_cols + 1), key=lambda j: cost[j][n_units] + (n_cols - j) * 1.0)
    if cost[end_col][n_units] == inf:
        return [(i, i + 1) for i in range(min(n_units, n_cols))]
    spans = []
    b = n_units
    for j in range(end_col, 0, -1):
        a = back[j][b]
        spans.append((a, b))
        b = a
    return list(reversed(spans))


@lru_cache(maxsize=2048)
def _bare_list(cell: str) -> bool:
    return is_bare_list(cell)


def _cell_cost(text: str, group, column: Column, flexible: bool) -> float:
    words = [text[s:e] for s, e in (u for u in group if u is not None)]
    if not group:
        return 1.5 if flexible else 0.0  # an empty cell where a run of blanks stands for none
    if not words:
        return 0.0 if len(group) == 1 else 10.0
    if len(words) < len(group):
        return 10.0  # an empty cell cannot join a word
    joined = " ".join(words)
    cost = 0.2 * (len(words) - 1)
    if len(words) > 1:
        pieces = [len(w) for w in words]
        if any(p < pieces[-1] for p in pieces[:-1]) or max(pieces[:-1]) - min(pieces[:-1]) > 2 \
                or any(re.search(r"[。;]$", w) for w in words[:-1]):
            cost += 5.0  # not how a wrapped cell breaks
    owners = _bare_list(joined)
    meaning = column.meaning
    if meaning in OWNER_MEANINGS:
        cost += 0.0 if owners else 3.0
    elif meaning == "person":
        cost += 2.0 if owners else 0.0
    elif meaning == "number":
        cost += 0.0 if re.fullmatch(r"\d+", joined) else 2.0
    elif meaning == "deadline":
        cost += 0.0 if re.search(r"\d|年|月|底|前|季度|长期|持续", joined) else 1.0
    elif owners and len(joined) >= 3:
        cost += 2.0
    return cost

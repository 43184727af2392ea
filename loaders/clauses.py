"""Responsibility clauses: who is named for an item, in which role.

Forms: bracketed clauses （责任单位：…） 〔…〕 [牵头单位:…;责任单位:…] (… 按职责
分工负责) (X牵头,Y配合) and bare bracket lists; labelled lines of their own
(牵头单位: / 责任单位: / 协同单位: …) or inline at the end of an item; table
cells that hold nothing but agency names; headings "X牵头的工作". Rules stated
once and applied onward (列第一位的为牵头单位…下同) and inheritance clauses
(以下均需…落实，不再单独列出) are reported to the caller, which applies them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from policykg.loaders.agencies import Name, is_org, split_names
from policykg.loaders.vocabulary import OWNER_ROLES, alternation, inheritance_words, role_labels, role_words

# Labels before a colon and the words that close a group of names: loaders/data/role_labels.tsv
# and role_words.tsv. Only labels of owners give a role; a person's or a deadline's value is skipped.
_LABEL_MEANING = role_labels()
LABEL = re.compile(r"(?P<label>" + alternation(_LABEL_MEANING) + r")\s*[:：]")
LABEL_ROLE = {label: meaning for label, meaning in _LABEL_MEANING.items() if meaning in OWNER_ROLES}
_WORD_ROLE = role_words()
ROLE_WORD = re.compile("(?P<word>" + alternation(_WORD_ROLE) + ")")
WORD_ROLE = {word: role for word, role in _WORD_ROLE.items() if role != "label"}
_CO_WORDS = frozenset(word for word, role in WORD_ROLE.items() if role == "co")
# 列第一位的为牵头单位: the first agency named leads (下同: here and in every later item).
_RANK_WORDS = (
    r"(?:其中[,]?)?(?:责任单位中|各项任务中)?(?:列|排|排名|排在|位列|名列|列在)(?:第一位|第一个|第一|首位|首)(?:的|者)?(?:单位|部门)?(?:为|是)"
    r"(?:工作)?牵头(?:单位|部门)?(?:或汇总单位|或汇总部门)?(?:[,，]?\s*下同)?[)]?"
)
RANK_RULE = re.compile(r"[(]?[,;。]?\s*" + _RANK_WORDS)
# The same rule stated once in a notice before the first item (no clause punctuation before it).
RANK_RULE_IN_PREAMBLE = re.compile(r"[(]?" + _RANK_WORDS)
STAR_RULE = re.compile(r"(?:标|带|注)?[★☆*](?:号)?(?:的|者)?(?:单位)?(?:为|是)牵头(?:单位|部门)")
# 以下各项任务均由…负责落实，不再单独列出: words of each slot in loaders/data/inheritance.tsv.
INHERIT = re.compile(
    r"(?:除(?:专门|单独|另行)?(?:列出|列明|注明)(?:的|者)?(?:以)?外[,]?)?"
    + alternation(inheritance_words("scope")) + alternation(inheritance_words("object")) + "{0,3}"
    + alternation(inheritance_words("all"))
    + r"(?P<names>.+?)" + alternation(inheritance_words("verb")) + r"?[,]?\s*不再"
    + alternation(inheritance_words("again")) + "?" + alternation(inheritance_words("listed"))
    + r"(?:[,]?\s*下同)?"
)
# Words that annotate a list rather than name anyone: scope notes, quoted words, 除…外 exceptions.
ANNOTATION = re.compile(r"〈[^〉]*〉|\((?:含|包括|不含)[^()]*\)|“[^”]{0,20}”|除[^,;。()]{0,24}外[,]?")
_EMPTY_BRACKETS = re.compile(r"\([\x00\s,]*(?:\)|$)")
_SKIP_BRACKET = re.compile(r"^(?:含|包括|不含|以下简称|下称|简称|系|即|试行|征求|暂行|\d|第|注|见|详见|如|例如|上|下)")
HEADING_LEAD = re.compile(r"^(?P<names>.{2,40}?)(?:总牵头|牵头)(?:负责)?的?(?:工作|事项|任务)?$")
_BRACKETS = {"(": ")", "〔": "〕", "[": "]", "【": "】"}


@dataclass
class Mention:
    name: Name
    role: str  # "lead", "responsible", "co"
    clause: int  # index of the clause within the item


@dataclass
class Clause:
    start: int  # normalised span of the clause including its brackets or label
    end: int
    mentions: list[Mention] = field(default_factory=list)
    rank_rule: bool = False
    inherited: list[Name] = field(default_factory=list)
    kind_hint: str = "clause"  # "table" for a table cell


_BRACKET_CHAR = re.compile("[" + re.escape("".join(_BRACKETS) + "".join(_BRACKETS.values())) + "]")
_BRACKET_REACH = 600  # a clause longer than this is not a clause: its opener is taken as plain text


def find_brackets(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Balanced bracket groups (outermost) within [start, end): spans including the brackets.

    Each kind of bracket balances on its own; a group closes within 600 characters of its
    opener or is not a group (the opener is then plain text and the search goes on after it).
    One pass with a stack per kind (linear: a million nested brackets take a second)."""
    closer_of: dict[int, int] = {}
    stacks: dict[str, list[int]] = {ch: [] for ch in _BRACKETS}
    kind_of_close = {close: ch for ch, close in _BRACKETS.items()}
    openers: list[int] = []
    for m in _BRACKET_CHAR.finditer(text, start, end):
        ch, i = m.group(), m.start()
        if ch in stacks:
            stacks[ch].append(i)
            openers.append(i)
        else:
            stack = stacks[kind_of_close[ch]]
            if stack:
                closer_of[stack.pop()] = i
    out = []
    after = start
    for i in openers:
        j = closer_of.get(i)
        if i >= after and j is not None and j - i < _BRACKET_REACH:
            out.append((i, j + 1))
            after = j + 1
    return out


def _mask(text: str, pattern: re.Pattern) -> str:
    return pattern.sub(lambda m: "\x00" * len(m.group(0)), text)


def parse_clause(text: str, start: int, end: int, default_role: str = "responsible") -> Clause:
    """Parse the names in text[start:end] (a clause body without its brackets)."""
    clause = Clause(start, end)
    body = text[start:end]
    body = _mask(body, ANNOTATION)
    if RANK_RULE.search(body):
        clause.rank_rule = True
        body = _mask(body, RANK_RULE)
    body = _mask(body, _EMPTY_BRACKETS)
    m = INHERIT.search(body)
    if m:
        names_text = m.group("names")
        ns = m.start("names")
        clause.inherited = split_names(names_text, start + ns)
        body = body[:m.start()] + "\x00" * (m.end() - m.start()) + body[m.end():]
    # labelled segments
    labels = list(LABEL.finditer(body))
    segments: list[tuple[int, int, str | None]] = []
    if labels:
        if labels[0].start() > 0:
            segments.append((0, labels[0].start(), None))
        for k, lab in enumerate(labels):
            seg_end = labels[k + 1].start() if k + 1 < len(labels) else len(body)
            segments.append((lab.end(), seg_end, lab.group("label")))
    else:
        segments.append((0, len(body), None))
    for s, e, label in segments:
        if label is not None and label not in LABEL_ROLE:
            continue  # persons (牵头领导) and deadlines (完成时限)
        role = LABEL_ROLE.get(label, default_role) if label else default_role
        _parse_groups(body, s, e, start, role, clause)
    for name in clause.inherited:
        clause.mentions.append(Mention(name, "responsible", 0))
    return clause


def _parse_groups(body: str, s: int, e: int, base: int, role: str, clause: Clause) -> None:
    pos = s
    segment = body[s:e]
    for m in ROLE_WORD.finditer(segment):
        word = m.group("word")
        g_start, g_end = pos, s + m.start()
        group_role = WORD_ROLE.get(word, role)
        if word in _CO_WORDS and role == "lead":
            group_role = "co"
        _add_names(body, g_start, g_end, base, group_role, clause)
        pos = s + m.end()
    _add_names(body, pos, e, base, role, clause)


def _add_names(body: str, s: int, e: int, base: int, role: str, clause: Clause) -> None:
    if e <= s:
        return
    for name in split_names(body[s:e], base + s):
        clause.mentions.append(Mention(name, role, 0))


def looks_like_clause(text: str, start: int, end: int) -> bool:
    """Is text[start:end] (a bracket's content) a responsibility clause at all?"""
    body = text[start:end].strip()
    if not body or _SKIP_BRACKET.match(body):
        return False
    if LABEL.search(body) or INHERIT.search(body):
        return True
    return bool(ROLE_WORD.search(body)) or _all_orgs(body)


def _all_orgs(body: str) -> bool:
    """Every name in the list is an organisation (once shared heads and tails are spread)."""
    body = ANNOTATION.sub("", body)
    body = RANK_RULE.sub("", body)
    raw = [m for m in re.finditer(r"[^、,;\s]+", body)]
    if not raw:
        return False
    names = split_names(body, 0)
    if not names:
        return False
    covered = [(s, e) for n in names for s, e in n.pieces]
    for m in raw:
        token = re.sub(r"等$", "", m.group(0))
        if not token or token in ("等",):
            continue
        if not any(s < m.end() and m.start() < e for s, e in covered):
            return False
    return True


def is_bare_list(line: str) -> bool:
    """A table cell or line holding nothing but agency names."""
    line = line.strip().strip("★☆*").strip()
    if not line or len(line) > 300 or re.search(r"[。:]", line):
        return False
    return _all_orgs(line)


def heading_lead(title: str) -> str | None:
    m = HEADING_LEAD.match(title.strip())
    if m and is_org(re.split(r"[、,]", m.group("names"))[-1]):
        return m.group("names")
    return None


# An owner sentence closing an item or on a line of its own after it: 由市财政局、农业局,各县(市)、区
# 人民政府负责落实。 / 由市商务局会同市发改委等部门负责。 / 市发改委牵头落实。 The closing words are
# the role words (loaders/data/role_words.tsv); every word before them must name an organisation.
OWNER_SENTENCE = re.compile(
    r"(?:^|(?<=[。;!]))[ \t]*(?P<by>由|请|并由)?(?P<body>[^。;!\n]{2,240}?"
    + alternation(w for w, r in _WORD_ROLE.items() if r in ("label", "lead")) + r")[。;.]?[ \t]*$",
    re.M,
)


def owner_sentence(text: str, start: int, end: int) -> Clause | None:
    """The last owner sentence of text[start:end], when every name in it is an organisation."""
    found = None
    for m in OWNER_SENTENCE.finditer(text, start, end):
        found = m
    if found is None:
        return None
    body = found.group("body")
    names_only = ROLE_WORD.sub("、", body)
    if not found.group("by") and not any(w in body for w, r in _WORD_ROLE.items() if r == "lead"):
        return None  # without 由, only 牵头 makes a sentence an assignment (X牵头落实)
    if not _all_orgs(names_only):
        return None
    clause = parse_clause(text, found.start("body"), found.end("body"))
    if not clause.mentions:
        return None
    clause.start, clause.end = found.start(), found.end()
    return clause

"""What an agency name looks like, and how a list of them is split.

Works on normalised (Simplified, NFKC) text; every name keeps its span so the
record can cut the name as written from the original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from policykg.loaders.vocabulary import alternation, name_endings, role_labels, table_headers

# How a name ends tells what it names (loaders/data/name_endings.tsv): an organisation's name
# ends in 局, 委员会, 工作专班 …; words that end like one but name none (举办, 社会, 总部) are
# checked first; a bare place (青岛市) is not an organisation, nor a person's title (市长).
_ORG_END = re.compile(alternation(name_endings("organisation")) + "$")
_NOT_ORG_END = re.compile(alternation(name_endings("not-organisation")) + "$")
_PERSON_END = re.compile(alternation(name_endings("person")) + "$")
COLLECTIVE_START = re.compile(r"^(?:[省市区县州]?各|[省市区县]直|相关|有关|其他|[省市区县](?:各|直)?(?:相关|有关))")
COLLECTIVE_ANY = re.compile(r"各相关|各有关|成员单位|各部门|有关部门|相关部门|各单位|有关单位|各成员")
_GENERIC_ORG = re.compile(r"^(?:人民政府|政府|党委|党工委|管委会|人大|政协|纪委|监委|人大常委会|部门|单位)$")
_GENERIC_TAIL = re.compile(r"(?:人民政府|政府|党委|党工委|管委会|人大|政协|纪委|监委|部门|单位)$")
# A label or a column header (责任单位, 牵头单位) ends like an organisation's name but names none.
_LABEL_WORDS = frozenset(role_labels()) | frozenset(h.header for h in table_headers())
DROP_AFTER_DENG = {"部门", "单位", "机构", "部门单位", "部门和单位", "单位和部门"}
_ADMIN = "市县区州省旗镇乡盟"
_TRAILING_BRACKETS = re.compile(r"(?:[(〔\[][^()〔〕\[\]]*[)〕\]])+$")


def strip_trailing_brackets(name: str) -> str:
    return _TRAILING_BRACKETS.sub("", name)


def is_org(name: str) -> bool:
    """Does this (normalised) string name an organisation, a collective included?"""
    name = name.strip()
    if not (2 <= len(name) <= 45) or re.search(r"[。:;!?]", name):
        return False
    core = strip_trailing_brackets(name) or name
    if _PERSON_END.search(core) or _NOT_ORG_END.search(core):
        return False
    if re.match(r"^[\d.%]", core):
        return False
    return bool(_ORG_END.search(core))


def is_collective(name: str) -> bool:
    return bool(COLLECTIVE_START.match(name) or COLLECTIVE_ANY.search(name))


@dataclass
class Name:
    text: str  # normalised form
    start: int  # normalised span of the words it was built from
    end: int
    restored: bool = False
    pieces: tuple[tuple[int, int], ...] = ()  # normalised spans to join for the name as written
    starred: bool = False  # marked ★ (a lead, where the text says so)


_OPEN = "(〔[【〈《"
_CLOSE = ")〕]】〉》"
SEPARATORS = "、,;，；\x00 \t\n"


def split_names(text: str, base: int) -> list[Name]:
    """Split a list of agency names; `base` is the normalised offset of text[0]."""
    tokens = _tokens(text, base)
    names: list[Name] = []
    for tok in tokens:
        names.extend(_split_deng(tok))
    names = _merge_collectives(names)
    names = _restore_heads(names)
    names = _spread_generic_tails(names, text, base)
    names = _spread_tails(names)
    out = []
    for n in names:
        t = n.text.strip()
        t = re.sub(r"^(?:由|请|并由|及|和|以及|与|其中)", "", t)
        if t != n.text:
            shift = n.text.index(t) if t in n.text else 0
            n = Name(t, n.start + shift, n.start + shift + len(t), n.restored, n.pieces)
        if n.text in _LABEL_WORDS:
            continue
        if is_org(n.text) or PLACE_COLLECTIVE.fullmatch(n.text):
            out.append(n)
    return out


# 各县(市、区), 各乡镇(街道), 各地: a collective of places named on its own
PLACE_COLLECTIVE = re.compile(
    r"(?:各|有关|相关)(?:设区市|县|市|区|州|乡|镇|乡镇|街道|地|县区|市州|县市区|区县|区县市|县市|市县|地市|市区)(?:\([^()]*\))?"
)


def _tokens(text: str, base: int) -> list[Name]:
    """Split on separators outside brackets (各县(市、区)政府 stays whole)."""
    tokens = []
    depth = 0
    start = 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE and depth:
            depth -= 1
        elif ch in SEPARATORS and depth == 0:
            if i > start:
                tokens.append((start, i))
            start = i + 1
    if len(text) > start:
        tokens.append((start, len(text)))
    out = []
    for s, e in tokens:
        raw = text[s:e]
        lead = len(raw) - len(raw.lstrip(" ★☆*\x00"))
        trail = len(raw) - len(raw.rstrip(" .。\x00"))
        s2, e2 = s + lead, e - trail
        if e2 > s2:
            out.append(Name(text[s2:e2], base + s2, base + e2, pieces=((base + s2, base + e2),),
                            starred=bool(re.match(r"^\s*[★☆*]", raw))))
    return out


def _sub(name: Name, a: int, b: int) -> Name:
    return Name(name.text[a:b], name.start + a, name.start + b, pieces=((name.start + a, name.start + b),))


def _split_deng(tok: Name) -> list[Name]:
    """X等Y: keep X; keep Y when it is a collective (等市各相关部门), drop 部门/单位; X等 → X."""
    text = tok.text
    idx = text.find("等")
    if idx <= 0:
        return _split_and(tok)
    head = _sub(tok, 0, idx)
    rest = text[idx + 1:]
    out = _split_and(head)
    if not rest:
        return out
    m = re.match(r"^(部门和单位|单位和部门|部门单位|部门|单位|机构)(?=$|及|和|以及)", rest)
    if m:
        rest_start = idx + 1 + m.end()
        tail = text[rest_start:]
        tail_m = re.match(r"^(?:及|和|以及|与)", tail)
        if tail_m:
            out.extend(_split_deng(_sub(tok, rest_start + tail_m.end(), len(text))))
        return out
    out.extend(_split_deng(_sub(tok, idx + 1, len(text))))
    return out


def _split_and(tok: Name) -> list[Name]:
    """A和B / A及B → two names when both sides name organisations on their own."""
    for m in re.finditer(r"以及|和|及|与", tok.text):
        left, right = tok.text[:m.start()], tok.text[m.end():]
        if is_org(left) and (is_org(right) or right.startswith("各") or _GENERIC_ORG.match(right)):
            return [_sub(tok, 0, m.start())] + _split_and(_sub(tok, m.end(), len(tok.text)))
    return [tok]


def _merge_collectives(names: list[Name]) -> list[Name]:
    """各市、县(区)人民政府 and 相关市、县政府 stay one item."""
    out: list[Name] = []
    i = 0
    while i < len(names):
        n = names[i]
        if COLLECTIVE_START.match(n.text) and not is_org(n.text):
            j = i
            while (j + 1 < len(names) and not is_org(names[j].text) and names[j + 1].start - names[j].end <= 1
                   and not COLLECTIVE_START.match(names[j + 1].text)):
                j += 1
            if j > i and is_org(names[j].text):
                merged = Name(_joined_text(names[i:j + 1]), n.start, names[j].end, pieces=((n.start, names[j].end),))
                out.append(merged)
                i = j + 1
                continue
        out.append(n)
        i += 1
    return out


def _joined_text(names: list[Name]) -> str:
    return "、".join(n.text for n in names)


def _restore_heads(names: list[Name]) -> list[Name]:
    """各县(区)党委、政府 → 各县(区)党委, 各县(区)政府."""
    out: list[Name] = []
    for n in names:
        if _GENERIC_ORG.match(n.text) and out:
            prev = out[-1]
            m = _GENERIC_TAIL.search(prev.text)
            if m and m.start() > 0:
                head_len = m.start()
                out.append(Name(prev.text[:head_len] + n.text, prev.start, n.end, True,
                                pieces=((prev.start, prev.start + head_len), (n.start, n.end))))
                continue
        out.append(n)
    return out


def _spread_generic_tails(names: list[Name], text: str, base: int) -> list[Name]:
    """经开区、新区党工委和管委会 → 经开区党工委, 经开区管委会, 新区党工委, 新区管委会: zones named
    bare before another zone's bodies (党工委, 管委会, 人民政府), in one 、 list, share them all."""
    if len(names) < 2 or "、" not in text:
        return names
    out: list[Name] = []
    i = 0
    while i < len(names):
        j = i
        while j < len(names) and _bare_zone(names[j]) and j + 1 < len(names) \
                and text[names[j].end - base:names[j + 1].start - base] == "、":
            j += 1
        group = _tail_group(names, j) if j > i else []
        if not group:
            out.append(names[i])
            i += 1
            continue
        for n in names[i:j]:
            for tail_text, tail_span in group:
                out.append(Name(n.text + tail_text, n.start, tail_span[1], True,
                                pieces=((n.start, n.end), tail_span)))
        i = j
    return out


def _bare_zone(name: Name) -> bool:
    """A place or zone named without its body (经开区, 吴忠市)."""
    t = name.text
    return (not name.restored and bool(t) and t[-1] in _ADMIN and not _GENERIC_TAIL.search(t)
            and not is_collective(t) and bool(re.fullmatch(r"[\u4e00-\u9fff]{2,12}", t)))


def _tail_group(names: list[Name], k: int) -> list[tuple[str, tuple[int, int]]]:
    """The generic bodies (党工委, 管委会) of one zone named at names[k], with the restored names
    that share its head: (tail, its span); empty when names[k] is no zone's body."""
    if k >= len(names) or names[k].restored:
        return []
    m = _GENERIC_TAIL.search(names[k].text)
    head = names[k].text[:m.start()] if m else ""
    if not head or head[-1] not in _ADMIN or is_collective(head):
        return []
    group = [(m.group(0), (names[k].start + m.start(), names[k].end))]
    for n in names[k + 1:]:
        if not (n.restored and n.text.startswith(head) and _GENERIC_ORG.match(n.text[len(head):])):
            break
        group.append((n.text[len(head):], n.pieces[-1]))
    return group


def _spread_tails(names: list[Name]) -> list[Name]:
    """哈尔滨、黑河、绥芬河市政府 → 哈尔滨市政府, 黑河市政府, 绥芬河市政府."""
    out: list[Name] = []
    i = 0
    while i < len(names):
        n = names[i]
        if is_org(n.text) or COLLECTIVE_START.match(n.text) or not re.fullmatch(r"[\u4e00-\u9fff]{2,6}", n.text):
            out.append(n)
            i += 1
            continue
        j = i
        while j < len(names) and not is_org(names[j].text) and re.fullmatch(r"[\u4e00-\u9fff]{2,6}", names[j].text):
            j += 1
        if j >= len(names) or not is_org(names[j].text):
            out.extend(names[i:j])
            i = j
            continue
        last = names[j]
        tail_at = _tail_position(names[j - 1].text, last.text)
        if tail_at is None:
            out.extend(names[i:j + 1])
            i = j + 1
            continue
        tail_text = last.text[tail_at:]
        tail_span = (last.start + tail_at, last.end)
        for p in names[i:j]:
            out.append(Name(p.text + tail_text, p.start, last.end, True, pieces=((p.start, p.end), tail_span)))
        out.append(last)
        i = j + 1
    return out


def _tail_position(place: str, last: str) -> int | None:
    if place and place[-1] in _ADMIN:
        # the last name's own place ends at its first admin character (临夏州|发展改革部门)
        k = next((i for i, ch in enumerate(last) if i >= 1 and ch in _ADMIN), -1)
        return k + 1 if k >= 0 and k + 1 < len(last) else None
    for k, ch in enumerate(last):
        if k >= 2 and ch in _ADMIN:
            return k
    return None

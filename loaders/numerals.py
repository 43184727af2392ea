"""Chinese and Arabic numerals, and numbering paths.

The one numeral parser and the one numbering-path canonicaliser of the
project: the graph and the validation reports use them through
`policykg.loaders` (and `policykg.graph.numbering`).
"""

from __future__ import annotations

import re
import unicodedata

# Financial forms (壹贰叁) appear in numbering and amounts of some documents.
CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9, "壹": 1, "贰": 2, "貳": 2, "叁": 3, "叄": 3, "肆": 4,
             "伍": 5, "陆": 6, "陸": 6, "柒": 7, "捌": 8, "玖": 9}
CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
CN_BIG = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}


def cn_to_int(token: str) -> int | None:
    """'十三' → 13, '一百二十五' → 125, '两万' → 20000, '7' → 7; None if not a numeral."""
    token = token.strip()
    if not token:
        return None
    if token.isdecimal():  # not isdigit: '①' is a digit int() refuses
        return int(token)
    if any(ch not in CN_DIGITS and ch not in CN_UNITS and ch not in CN_BIG for ch in token):
        return None
    total = section = current = 0
    for ch in token:
        if ch in CN_DIGITS:
            current = CN_DIGITS[ch]
        elif ch in CN_UNITS:
            section += (current or 1) * CN_UNITS[ch]
            current = 0
        else:
            section += current
            total += (section or 1) * CN_BIG[ch]
            section = current = 0
    return total + section + current


_ARABIC = re.compile(r"^\d+(?:\.\d+)?$")


def parse_number(token: str) -> float | None:
    """Arabic (with thousands commas), fractions, or Chinese numerals, with 万/亿 multipliers."""
    token = token.replace(",", "").replace(" ", "")
    if not token:
        return None
    multiplier = 1
    while token and token[-1] in CN_BIG and (len(token) > 1 and (token[-2].isdigit() or token[-2] in CN_BIG)):
        multiplier *= CN_BIG[token[-1]]
        token = token[:-1]
    if _ARABIC.match(token):
        return float(token) * multiplier
    if re.fullmatch(r"\d+/\d+", token):
        a, b = token.split("/")
        return round(int(a) / int(b), 6) * multiplier if int(b) else None
    value = cn_to_int(token)
    if value is None:
        return None
    return float(value) * multiplier


# 第一部分 / 第二篇 / 第三章: the outermost level of some plans.
_PART = re.compile(r"第(?P<n>[^第]+?)(?:部分|篇|章)")
_OPEN = "(〔[【"
_STRIP = str.maketrans("", "", "()〔〕[]【】、.．")


def canonical_segment(label: str) -> str:
    """One level of a numbering path as printed → its canonical form.

    '二' → '2', '（一）' → '(1)', '⑴' → '(1)', '①' → '1', '第一部分' → 'part1';
    a label that is no number comes back as printed (NFKC, stripped).
    """
    seg = unicodedata.normalize("NFKC", label).strip()
    part = _PART.fullmatch(seg)
    if part:
        n = cn_to_int(part.group("n"))
        return seg if n is None else f"part{n}"
    bracketed = seg.startswith(tuple(_OPEN))
    n = cn_to_int(re.sub(r"\s", "", seg.translate(_STRIP)))
    if n is None:
        return seg
    return f"({n})" if bracketed else str(n)


def canonical_path(path: str) -> str:
    """A numbering path as printed → the records' `path_key`: '二/（一）/1' → '2/(1)/1'."""
    return "/".join(canonical_segment(seg) for seg in str(path or "").split("/") if seg.strip())

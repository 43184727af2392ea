"""Chinese and Arabic numerals."""

from __future__ import annotations

import re

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
CN_BIG = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
CN_NUMERAL_CHARS = "零〇一二两兩三四五六七八九十拾百佰千仟万萬亿億"


def cn_to_int(token: str) -> int | None:
    """'十三' → 13, '一百二十五' → 125, '两万' → 20000, '7' → 7; None if not a numeral."""
    token = token.strip()
    if not token:
        return None
    if token.isdigit():
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

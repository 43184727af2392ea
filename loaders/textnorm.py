"""A normalised view of a text that remembers where every character came from.

Parsing works on one string: mojibake read back where its bytes allow (UTF-8
read as GBK, or GBK read one byte out of step), NFKC (full-width punctuation becomes ASCII),
Traditional converted to Simplified by OpenCC, pinyin glosses such as
``關(guān)`` removed and table cell bars turned into line breaks. Values
in records are always cut from the *original* text through `index`, so they
keep the script, width and glosses as written, and every offset points into
the file.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat

# A gloss is lower-case pinyin with at least one tone mark (or ü), in ASCII
# parentheses, right after a Han character: 發(fā), 關(guān), 理(lǐ).
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
PINYIN_GLOSS = re.compile(
    rf"(?<=[\u3400-\u9fff])[(（]([a-z{_TONED}]*[{_TONED}][a-z{_TONED}]*)[)）]"
)
# Characters lost in transcoding: U+FFFD, or runs of '?' inside Han text.
LOST_CHARACTERS = re.compile(r"\ufffd+|(?<=[\u3400-\u9fff])\?{2,}|\?{2,}(?=[\u3400-\u9fff])")

# NFKC would turn ① into a bare "1" and ⑴ into "(1)": keep the enclosed
# forms so that numbering styles stay distinguishable.
_KEEP = set(range(0x2460, 0x24FF + 1)) | set(range(0x3251, 0x325F + 1)) | set(range(0x32B1, 0x32BF + 1))


# ---------------------------------------------------------------- mojibake
#
# Two ways a page's bytes are commonly read wrongly, both repaired only where the bytes say so:
# - UTF-8 read as GBK: （一） (EF BC 88 E4 B8 80 EF BC 89) shows as 锛堜竴锛. Re-encoding the
#   garbled run as GBK gives back the UTF-8 bytes, which decode strictly.
# - GBK read one byte out of step, the lost byte shown as "?": 　（一） (A1A1 A3A8 D2BB A3A9)
#   shows as ?。ㄒ唬. Re-encoding as GBK and dropping the orphan byte puts the pairs back in step.
# A run is repaired only when the round trip is exact (the repaired text, encoded and read the
# wrong way again, gives the run as printed) and the repair is plausible: the UTF-8 reading
# yields three or more CJK characters, the shifted reading removes the characters that only
# shifted GBK produces (bopomofo ㄒ, box drawing ┩, small forms ﹩).

_CJK_RANGES = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x3000, 0x303F), (0xFF00, 0xFFEF), (0x2010, 0x206F))
# Characters that appear in running Chinese text almost only as shifted GBK.
SHIFTED_GBK_SIGN = re.compile(r"[\u3105-\u3129\u2500-\u257f\ufe30-\ufe6f]")
# GBK characters whose two bytes open a three-byte UTF-8 sequence (lead E0–EF, then 80–BF).
_UTF8_AS_GBK_START = None
# Chinese punctuation in UTF-8 starts EF BC (，（）：；), E3 80 (、。《》) or E2 80 (“”—…), which GBK
# reads as 锛, 銆 and 鈥: every passage of Chinese text read that way holds one of them.
_UTF8_PUNCTUATION_AS_GBK = re.compile("[锛銆鈥]")
_CN_NUMERAL_BY_LEAD = {ch.encode("gbk")[0]: ch for ch in "一二三四五六七八九十"}


def _utf8_as_gbk_start() -> re.Pattern:
    global _UTF8_AS_GBK_START
    if _UTF8_AS_GBK_START is None:
        chars = []
        for lead in range(0xE0, 0xF0):
            for trail in range(0x80, 0xC0):
                try:
                    ch = bytes((lead, trail)).decode("gbk")
                except UnicodeDecodeError:
                    continue
                if len(ch) == 1:
                    chars.append(ch)
        _UTF8_AS_GBK_START = re.compile("(?=[" + re.escape("".join(chars)) + "][^\\x00-\\x7f])")
    return _UTF8_AS_GBK_START


def _cjk(ch: str) -> bool:
    o = ord(ch)
    return any(a <= o <= b for a, b in _CJK_RANGES)


def _gbk_bytes(text: str, start: int, limit: int) -> tuple[bytes, list[int]]:
    """GBK bytes of text[start:…] up to the line end or the first character GBK cannot encode;
    owners[k] is the offset of the character byte k came from."""
    out = bytearray()
    owners: list[int] = []
    j = start
    while j < limit:
        ch = text[j]
        if ch in "\n\r\ufffd":
            break
        try:
            b = ch.encode("gbk")
        except UnicodeEncodeError:
            break
        out += b
        owners.extend([j] * len(b))
        j += 1
    owners.append(j)
    return bytes(out), owners


@dataclass
class Repair:
    start: int  # original span of the garbled run
    end: int
    text: str  # the run as it should read
    offsets: list[int]  # original offset of each repaired character


def _repair_utf8_as_gbk(text: str, start: int) -> Repair | None:
    """Repair the run at `start`: GBK characters whose bytes are UTF-8. A run that follows a lost
    character (U+FFFD) may start with that character's last bytes, which are skipped."""
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    head, _ = _gbk_bytes(text, start, min(line_end, start + 8))
    head = head.lstrip(bytes(range(0x80, 0xC0)))
    try:
        head[:9].decode("utf-8")
    except UnicodeDecodeError:
        return None  # the first three characters are no UTF-8: ordinary text, a quick no
    data, owners = _gbk_bytes(text, start, line_end)
    pos = 0
    while pos < min(2, len(data)) and 0x80 <= data[pos] <= 0xBF:
        pos += 1  # the tail of a character lost before the run
    skip = pos
    chars: list[str] = ["\ufffd"] if pos else []
    offsets: list[int] = [start] if pos else []
    good = (0, 0, 0)  # (bytes, characters, CJK characters) at the last whole character as printed
    cjk = 0
    while pos < len(data):
        if data[pos] < 0x80:  # ASCII reads the same in both encodings
            ch, width = chr(data[pos]), 1
        elif 0xE0 <= data[pos] <= 0xEF and pos + 2 < len(data):
            try:
                ch, width = data[pos:pos + 3].decode("utf-8"), 3
            except UnicodeDecodeError:
                break
            if not _cjk(ch):
                break
            cjk += 1
        else:
            break
        chars.append(ch)
        offsets.append(owners[pos])
        pos += width
        if owners[pos] != owners[pos - 1]:
            good = (pos, len(chars), cjk)
    end_byte, n, n_cjk = good
    if n_cjk < 3:
        return None
    repaired = "".join(chars[:n])
    if repaired[1 if skip else 0:].encode("utf-8") != data[skip:end_byte]:
        return None  # not an exact round trip
    return Repair(start, owners[end_byte], repaired, offsets[:n])


def _repair_shifted_gbk(text: str, start: int) -> Repair | None:
    """Repair a run that starts at `start` (a "?" standing for a lost byte, or the run's first
    character) and is one byte out of step."""
    line_end = text.find("\n", start)
    begin = start + 1 if text[start] == "?" else start
    data, owners = _gbk_bytes(text, begin, len(text) if line_end < 0 else line_end)
    if len(data) < 4 or data[0] < 0x81:
        return None
    chars: list[str] = []
    offsets: list[int] = []
    if text[start] == "?":
        # the lost byte and the orphan after it were one character: the indent 　 when it is A1
        chars.append(" " if data[0] == 0xA1 else "\ufffd")
        offsets.append(start)
    pos = 1
    while pos < len(data):
        if owners[pos] != owners[pos - 1] and data[pos] < 0x80:
            break  # back in step: the rest of the line is read right as printed
        if data[pos] < 0x80:
            chars.append(chr(data[pos]))
            offsets.append(owners[pos])
            pos += 1
            continue
        if pos + 1 >= len(data):
            break
        pair = data[pos:pos + 2]
        try:
            ch = pair.decode("gbk")
        except UnicodeDecodeError:
            ch = ""
        if ch and not SHIFTED_GBK_SIGN.match(ch):
            # a bracket whose numeral lost its second byte: the first byte still names the numeral
            if (chars and chars[-1] == "（" and pair[1] == 0xA9 and pair[0] in _CN_NUMERAL_BY_LEAD):
                chars.extend((_CN_NUMERAL_BY_LEAD[pair[0]], "）"))
                offsets.extend((owners[pos], owners[pos]))
            else:
                chars.append(ch)
                offsets.append(owners[pos])
        elif len(chars) >= 2 and chars[-2] == "（" and chars[-1] in _CN_NUMERAL_BY_LEAD.values() and pair[0] == 0xA3:
            chars.append("）")  # the closing bracket lost its second byte (A3A9)
            offsets.append(owners[pos])
        else:
            chars.append("\ufffd")
            offsets.append(owners[pos])
        pos += 2
        if pos < len(data) and owners[pos] != owners[pos - 1]:
            break  # in step again (after a one-byte character): the rest reads right as printed
        if len(chars) >= 3 and not any(_common(c) for c in chars[-2:]):
            # two odd characters in a row: the text as printed reads right again from here
            del chars[-2:], offsets[-2:]
            pos -= 4
            break
    end = owners[min(pos, len(data))]
    original = text[start:end]
    repaired = "".join(chars)
    if not SHIFTED_GBK_SIGN.search(original) or SHIFTED_GBK_SIGN.search(repaired):
        return None
    if sum(1 for c in repaired if _cjk(c)) < 3 or _common_share(repaired) < max(0.75, _common_share(original)):
        return None  # the shifted reading is no more Chinese than the text as printed
    return Repair(start, end, repaired, offsets)


def _common_share(text: str) -> float:
    """The share of characters that are common Chinese (GB 2312 level 1, once Simplified) or
    Chinese punctuation."""
    chars = [c for c in text if not c.isascii() and c != "\ufffd"]
    if not chars:
        return 0.0
    return sum(1 for c in chars if _common(c)) / len(chars)


def _common(c: str) -> bool:
    """A common Chinese character (GB 2312 level 1, once Simplified) or Chinese punctuation."""
    if c.isascii():
        return True
    try:
        code = to_simplified(c).encode("gb2312")
    except UnicodeEncodeError:
        return False
    return 0xB0 <= code[0] <= 0xD7 or code[0] == 0xA1 or (code[0] == 0xA3 and not c.isalnum())


def find_mojibake(text: str) -> list[Repair]:
    """The garbled runs of `text` that can be read back, in order, none overlapping."""
    repairs: list[Repair] = []
    covered = 0
    for m in SHIFTED_GBK_SIGN.finditer(text):
        if m.start() < covered:
            continue
        # the run starts at the "?" of the lost byte, else after the last ASCII character before it
        line_start = text.rfind("\n", 0, m.start()) + 1
        k = m.start()
        while k > max(line_start, covered) and not text[k - 1].isascii() and m.start() - k < 40:
            k -= 1
        if k > line_start and text[k - 1] == "?":
            k -= 1
        r = _repair_shifted_gbk(text, k)
        if r is not None and r.end > m.start():
            repairs.append(r)
            covered = r.end
    if not _UTF8_PUNCTUATION_AS_GBK.search(text):
        return repairs  # no Chinese punctuation read as GBK (锛 銆 鈥): no UTF-8 run to look for
    shifted = list(repairs)
    covered = 0
    candidates = sorted({m.start() for m in _utf8_as_gbk_start().finditer(text)}
                        | {m.end() for m in re.finditer("\ufffd+", text)})
    for at in candidates:
        if at < covered or any(r.start <= at < r.end for r in shifted):
            continue
        r = _repair_utf8_as_gbk(text, at)
        if r is not None:
            repairs.append(r)
            covered = r.end
    repairs.sort(key=lambda r: r.start)
    out: list[Repair] = []
    for r in repairs:
        if not out or r.start >= out[-1].end:
            out.append(r)
    return out


@lru_cache(maxsize=2)
def _opencc(config: str):
    import opencc

    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Traditional → Simplified, keeping the length where OpenCC allows it.

    The one script converter of the project (graph and server use it through
    `policykg.loaders` / `policykg.graph.gazetteer`)."""
    if not text:
        return text
    t2s = _opencc("t2s")
    converted = t2s.convert(text)
    if len(converted) == len(text):
        return converted
    return "".join(c if len(c := t2s.convert(ch)) == 1 else ch for ch in text)


def to_traditional(text: str) -> str:
    """Simplified → Traditional (to search a text in the script it may be written in)."""
    return _opencc("s2t").convert(text) if text else text


def simplified_key(text: str) -> str:
    """A matching key: glosses removed, NFKC, Simplified, no white space."""
    text = PINYIN_GLOSS.sub("", text or "")
    text = unicodedata.normalize("NFKC", text)
    text = to_simplified(text)
    return re.sub(r"\s+", "", text)


@dataclass
class NormText:
    original: str
    text: str
    index: Sequence[int]  # index[i]: offset in `original` of text[i]; one extra entry at the end
    glosses: list[tuple[int, int]] = field(default_factory=list)
    repairs: list[tuple[int, int]] = field(default_factory=list)  # original spans of mojibake read back

    def orig_span(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets [s, e) of the normalised range [start, end)."""
        if end <= start:
            s = self.index[start]
            return s, s
        return self.index[start], self.index[end - 1] + 1

    def orig(self, start: int, end: int) -> str:
        s, e = self.orig_span(start, end)
        return self.original[s:e]


class OffsetIndex(Sequence[int]):
    """index[i]: the offset in the original text of normalised character i (one extra entry at
    the end). Kept as runs, not a number per character: a run of characters that map one to one
    shifts by a constant; the pieces of a character NFKC expands all map to it. Memory is per
    run (a handful per page), a look-up is one bisection."""

    def __init__(self) -> None:
        self._starts: list[int] = []  # normalised start of each run
        self._origins: list[int] = []  # original offset of the run's first character
        self._steps: list[int] = []  # 1: one to one; 0: every character of the run comes from its origin
        self._length = 0

    def add_run(self, origin: int, length: int, step: int) -> None:
        if length <= 0:
            return
        self._starts.append(self._length)
        self._origins.append(origin)
        self._steps.append(step)
        self._length += length

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, i):  # an int: offsets are looked up one at a time
        if i < 0:
            i += self._length
        if not 0 <= i < self._length:
            raise IndexError("offset index out of range")
        k = bisect_right(self._starts, i) - 1
        return self._origins[k] + self._steps[k] * (i - self._starts[k])

    def __iter__(self) -> Iterator[int]:
        ends = self._starts[1:] + [self._length]
        for start, origin, step, end in zip(self._starts, self._origins, self._steps, ends, strict=True):
            yield from range(origin, origin + end - start) if step else repeat(origin, end - start)


def normalise(original: str) -> NormText:
    """Build the normalised view of `original`: mojibake read back, then glosses, widths and
    script. Every character of the view keeps the offset of the character it came from.

    Most characters map to one character: runs of them are converted in one step (C speed) and
    indexed as a run; only the characters NFKC expands or drops, pinyin glosses and \\r go one at
    a time. Time and memory are linear in the text, with small constants."""
    repairs = find_mojibake(original)
    source, base = _apply_repairs(original, repairs) if repairs else (original, None)
    glosses = [(m.start(), m.end()) for m in PINYIN_GLOSS.finditer(source)]
    table: dict[int, str] = {}
    special: list[str] = []  # characters that do not map to exactly one character
    for ch in set(source):
        mapped = _mapped(ch)
        if len(mapped) != 1:
            special.append(ch)
        elif mapped != ch:
            table[ord(ch)] = mapped
    stops = list(glosses)
    if special:
        pattern = re.compile("[" + "".join(re.escape(ch) for ch in sorted(special)) + "]")
        stops += [(m.start(), m.end()) for m in pattern.finditer(source)]
        stops.sort()
    gloss_starts = {s for s, _ in glosses}
    index = OffsetIndex()
    pieces: list[str] = []
    pos = 0
    for s, e in stops:
        if s < pos:
            continue  # a special character inside a gloss, skipped with it
        pieces.append(_translate(source[pos:s], table))
        index.add_run(pos, s - pos, 1)
        if s not in gloss_starts:
            mapped = _mapped(source[s])
            pieces.append(mapped)
            index.add_run(s, len(mapped), 0)
        pos = e
    pieces.append(_translate(source[pos:], table))
    index.add_run(pos, len(source) - pos + 1, 1)  # and one extra entry at the end
    text = "".join(pieces)
    # Script conversion line by line (OpenCC works on phrases; lines keep it fast).
    text = "\n".join(to_simplified(line) for line in text.split("\n"))
    if base is None:
        return NormText(original, text, index, glosses)
    # mojibake was read back (rare): offsets into the repaired source go back to the file as printed
    return NormText(original, text, [base[k] for k in index], [(base[s], base[e - 1] + 1) for s, e in glosses],
                    [(r.start, r.end) for r in repairs])


def _apply_repairs(original: str, repairs: list[Repair]) -> tuple[str, list[int]]:
    """The text with each garbled run replaced by its reading, and the original offset of each
    of its characters (one extra entry at the end)."""
    parts: list[str] = []
    base: list[int] = []
    pos = 0
    for r in repairs:
        parts.append(original[pos:r.start])
        base.extend(range(pos, r.start))
        parts.append(r.text)
        base.extend(r.offsets)
        pos = r.end
    parts.append(original[pos:])
    base.extend(range(pos, len(original) + 1))
    return "".join(parts), base


def _translate(run: str, table: dict[int, str]) -> str:
    """`run` with each character of `table` replaced (same length). For a few distinct characters
    (full-width punctuation) one C pass each beats str.translate's per-character look-up."""
    if len(table) > 32:
        return run.translate(table)
    for ch, mapped in table.items():
        run = run.replace(chr(ch), mapped)
    return run


def _mapped(ch: str) -> str:
    """What one original character becomes in the normalised text ("" when dropped)."""
    if ch == "\r":
        return ""
    if ch == "|":
        return "\n"  # a flattened table: every bar closes a cell
    if ord(ch) in _KEEP or ord(ch) < 0x80:
        return ch
    if ch in "\u3000\u00a0\u2002\u2003\u2009":
        return " "
    return unicodedata.normalize("NFKC", ch)


def lost_character_spans(original: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in LOST_CHARACTERS.finditer(original)]


def detect_script(original: str) -> str:
    """zh-Hant when OpenCC changes a noticeable share of Han characters."""
    han = [ch for ch in original[:20000] if "\u4e00" <= ch <= "\u9fff"]
    if not han:
        return "zh-Hans"
    sample = "".join(han)
    changed = sum(1 for a, b in zip(sample, to_simplified(sample), strict=False) if a != b)
    return "zh-Hant" if changed / len(han) > 0.03 else "zh-Hans"

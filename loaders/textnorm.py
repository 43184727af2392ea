"""A normalised view of a text that remembers where every character came from.

Parsing works on one string: NFKC (full-width punctuation becomes ASCII),
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
    """Build the normalised view of `original`.

    Most characters map to one character: runs of them are converted in one step (C speed) and
    indexed as a run; only the characters NFKC expands or drops, pinyin glosses and \\r go one at
    a time. Time and memory are linear in the text, with small constants."""
    glosses = [(m.start(), m.end()) for m in PINYIN_GLOSS.finditer(original)]
    table: dict[int, str] = {}
    special: list[str] = []  # characters that do not map to exactly one character
    for ch in set(original):
        mapped = _mapped(ch)
        if len(mapped) != 1:
            special.append(ch)
        elif mapped != ch:
            table[ord(ch)] = mapped
    stops = list(glosses)
    if special:
        pattern = re.compile("[" + "".join(re.escape(ch) for ch in sorted(special)) + "]")
        stops += [(m.start(), m.end()) for m in pattern.finditer(original)]
        stops.sort()
    gloss_starts = {s for s, _ in glosses}
    index = OffsetIndex()
    pieces: list[str] = []
    pos = 0
    for s, e in stops:
        if s < pos:
            continue  # a special character inside a gloss, skipped with it
        pieces.append(_translate(original[pos:s], table))
        index.add_run(pos, s - pos, 1)
        if s not in gloss_starts:
            mapped = _mapped(original[s])
            pieces.append(mapped)
            index.add_run(s, len(mapped), 0)
        pos = e
    pieces.append(_translate(original[pos:], table))
    index.add_run(pos, len(original) - pos + 1, 1)  # and one extra entry at the end
    text = "".join(pieces)
    # Script conversion line by line (OpenCC works on phrases; lines keep it fast).
    text = "\n".join(to_simplified(line) for line in text.split("\n"))
    return NormText(original, text, index, glosses)


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

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
from dataclasses import dataclass, field
from functools import lru_cache

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
    index: list[int]  # index[i]: offset in `original` of text[i]; one extra entry at the end
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


def normalise(original: str) -> NormText:
    """Build the normalised view of `original`."""
    out: list[str] = []
    index: list[int] = []
    glosses = [(m.start(), m.end()) for m in PINYIN_GLOSS.finditer(original)]
    gloss_iter = iter(glosses)
    next_gloss = next(gloss_iter, None)
    i = 0
    n = len(original)
    while i < n:
        if next_gloss and i == next_gloss[0]:
            i = next_gloss[1]
            next_gloss = next(gloss_iter, None)
            continue
        ch = original[i]
        if ch == "\r":
            i += 1
            continue
        if ch == "|":
            # a flattened table: every bar closes a cell
            out.append("\n")
            index.append(i)
            i += 1
            continue
        if ord(ch) in _KEEP or ord(ch) < 0x80:
            mapped = ch
        else:
            mapped = unicodedata.normalize("NFKC", ch)
            if ch in "\u3000\u00a0\u2002\u2003\u2009":
                mapped = " "
        for m in mapped:
            out.append(m)
            index.append(i)
        i += 1
    index.append(n)
    text = "".join(out)
    # Script conversion line by line (OpenCC works on phrases; lines keep it fast).
    lines = text.split("\n")
    text = "\n".join(to_simplified(line) for line in lines)
    return NormText(original, text, index, glosses)


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

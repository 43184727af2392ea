"""Document metadata: title, issuer, document number, date, jurisdiction."""

from __future__ import annotations

import re
from dataclasses import dataclass

from policykg.loaders.agencies import is_org
from policykg.loaders.numerals import cn_to_int
from policykg.loaders.structure import Segmentation, Title
from policykg.loaders.textnorm import NormText
from policykg.loaders.vocabulary import alternation, metadata_labels, noise_words, places

DOC_NUMBER = re.compile(
    r"[\u4e00-\u9fff]{1,8}\s?[〔\[【(]\s?(?:19|20)\d{2}\s?[〕\]】)]\s?\d{1,4}\s?号"
)
CN_DATE = re.compile(r"((?:19|20)\d{2})\s?年\s?(\d{1,2})\s?月\s?(\d{1,2})\s?日")
_CN_DIGITS = "〇○零一二三四五六七八九"
ISO_DATE = re.compile(r"((?:19|20)\d{2})[-./](\d{1,2})[-./](\d{1,2})")


def _spaced(words: tuple[str, ...]) -> str:
    """An alternation of labels, longest first, allowing blanks between their characters (标  题)."""
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    return "(?:" + "|".join(r"[ \t]*".join(map(re.escape, w)) for w in ordered) + ")"


def _label_pattern(field: str) -> str:
    """Row labels of a metadata field in each printed form (loaders/data/metadata_labels.tsv)."""
    forms = []
    if words := metadata_labels(field, "bracket"):
        forms.append("【" + _spaced(words) + "】")
    if words := metadata_labels(field, "colon"):
        forms.append(_spaced(words) + r"\s*:")
    if words := metadata_labels(field, "colon-optional"):
        forms.append(_spaced(words) + r"\s*:?")
    return "(?:" + "|".join(forms) + ")"


_GENRE = r"(?:通知|意见|方案|措施|计划|决定|要点|细则|办法|规划|清单|分解|分工|任务|情况|报告|表)"
# 标题: / 名 称: rows of a government site's metadata block (loaders/data/metadata_labels.tsv)
TITLE_ROW = re.compile(_label_pattern("title") + r"\s*\n?\s*(?P<t>[^\n]{6,120}?" + _GENRE + r"(?:\([^()\n]{1,20}\))?)\s*(?:\n|$)")
# 《X》已经市政府同意,现印发给你们 / 现将《X》印发给你们: the one plan a notice without a title issues
ANNOUNCED_TITLE = re.compile(r"(?:^|\n|现将)\s*《(?P<t>[^《》\n]{4,80})》(?:已经|经)?[^。\n]{0,30}(?:同意|通过|审定)?[^。\n]{0,6}(?:现)?(?:予以)?印发")
# a news lead-in: …网站发布了《X的通知》
NEWS_TITLE = re.compile(r"(?:发布|印发|出台)了?《(?P<t>[^《》\n]{6,80}(?:通知|意见|方案|措施|计划|决定|要点))》")
# the page's first line, when it reads as a title (2022年度…进度表(截至10月31日))
# or glued to the first sentence of a page flattened onto one line (…行动方案(征求意见稿)为深入…)
FIRST_LINE_TITLE = re.compile(r"^\s*(?P<t>[^\n。,;:!?|>]{6,60}?" + _GENRE + r"(?:\([^()\n]{1,20}\)){0,2})[ \t]*(?:\n|(?=为|根据|按照))")
_TRAILING_NUMBER = re.compile(r"[(（〔\[][^()（）]{0,12}[〔\[(]\s?(?:19|20)\d{2}\s?[〕\])]\s?\d{1,4}\s?[号號][)）〕\]]$")
_PAGE_WORDS = tuple(noise_words("page"))

META_DATE = re.compile(_label_pattern("date") + r"\s*(?P<d>[\d.\-/年月日 ]{8,14})")
META_ISSUER = re.compile(_label_pattern("issuer") + r"\s*(?P<x>[^\s【:]{4,30})")
# Places known by name (loaders/data/places.tsv): provinces by their full names, and cities and
# districts whose names are longer than the two characters the generic pattern expects.
PROVINCES = tuple(p.name for p in places() if p.level == "province")
LONG_PLACES = tuple(p.short for p in places() if p.level != "province" and len(p.short) >= 3)
_PROVINCE = re.compile(alternation(PROVINCES))
_LONG_PLACE = re.compile(alternation(LONG_PLACES) + "[市区县]")
_NOT_PLACES = frozenset(noise_words("not-place"))  # 全市, 本市, 地级: two characters, no place
PLACE = re.compile(r"([\u4e00-\u9fff]{2})(省|市|州|区|县)")


@dataclass
class Metadata:
    title: str | None = None
    title_span: tuple[int, int] | None = None
    issuer: str | None = None
    issuer_span: tuple[int, int] | None = None
    doc_number: str | None = None
    doc_number_span: tuple[int, int] | None = None
    date: str | None = None
    date_span: tuple[int, int] | None = None
    jurisdiction: str | None = None
    jurisdiction_key: str | None = None


def _orig_title(nt: NormText, t: Title) -> str:
    return "".join(nt.orig(s, e) for s, e in _title_parts(nt, t))


_DATE_LINE = re.compile(rf"^\s*(?:{CN_DATE.pattern}|[{_CN_DIGITS}]{{4}}年[{_CN_DIGITS}十]{{1,2}}月[{_CN_DIGITS}十]{{1,3}}日)\s*$")


def _title_parts(nt: NormText, t: Title) -> list[tuple[int, int]]:
    """The lines of a title that belong to it: not a date line joined before it, nor a broken
    first copy (《… never closed)."""
    parts = list(t.parts)
    while len(parts) > 1:
        first = nt.text[parts[0][0]:parts[0][1]].strip()
        if _DATE_LINE.match(first) or (first.startswith("《") and "》" not in first):
            parts.pop(0)
        else:
            break
    return parts


def _find_title(nt: NormText, seg: Segmentation, head_end: int, announced: int, md: Metadata) -> None:
    """The document's own title, by precedence: its notice title, its plan title line, a 标题 row of
    the page's metadata block, the one plan a notice or news lead-in names in 《》, the page's
    first line when it reads as a title. Navigation, timestamps and lead-ins never count."""
    text = nt.text
    notice = [t for t in seg.titles if t.notice and t.start < head_end + 200]
    chosen: Title | None = None
    if notice:
        chosen = max(notice, key=lambda t: (t.text.find("关于") > 1, -t.start))
    elif seg.plans and announced < 2:
        chosen = seg.plans[0]
    elif not seg.plans and seg.titles:
        chosen = seg.titles[0]
    if chosen is not None:
        parts = _title_parts(nt, chosen)
        title = _orig_title(nt, chosen)
        # a web page's bracketed section name or the document number before the title
        title = re.sub(r"^【[^】]*】", "", title)
        if md.doc_number and title.startswith(md.doc_number):
            title = title[len(md.doc_number):]
        title = _TRAILING_NUMBER.sub("", title.strip()).strip()
        if title.startswith("《") and title.endswith("》") and "》" not in title[1:-1]:
            title = title[1:-1]
        md.title = title
        md.title_span = nt.orig_span(parts[0][0], parts[-1][1])
        return
    for pattern in (TITLE_ROW, ANNOUNCED_TITLE, NEWS_TITLE, FIRST_LINE_TITLE):
        found = [m for m in pattern.finditer(text[:3000]) if not _noise(m.group("t"))]
        if pattern in (ANNOUNCED_TITLE, NEWS_TITLE) and len({m.group("t") for m in found}) != 1:
            continue  # a notice issuing several plans has no one title
        if found:
            md.title = nt.orig(*found[0].span("t")).strip()
            md.title_span = nt.orig_span(*found[0].span("t"))
            return
    if not seg.titles:
        m = re.match(r"^\s*(.{4,80}?的通知)", text)
        if m:
            md.title = nt.orig(m.start(1), m.end(1)).strip()
            md.title_span = nt.orig_span(m.start(1), m.end(1))


_CN_NUMERAL_DATE = rf"[{_CN_DIGITS}]{{4}}年[{_CN_DIGITS}十]{{1,2}}月[{_CN_DIGITS}十]{{1,3}}日"
PAGE_DATE = re.compile(_label_pattern("page-date") + r"\s*(?P<d>[\d.\-/年月日 ]{8,14})")


def _cn_numeral_date(written: str) -> str | None:
    """二○○六年四月二十八日 → 2006-04-28."""
    y, rest = written.split("年", 1)
    month, day = rest.rstrip("日").split("月", 1)
    year = "".join(str(_CN_DIGITS.index(c) - 2) if _CN_DIGITS.index(c) >= 3 else "0" for c in y)
    m, d = cn_to_int(month), cn_to_int(day)
    if not m or not d or not (1 <= m <= 12 and 1 <= d <= 31):
        return None
    return f"{year}-{m:02d}-{d:02d}"


def _damaged_signature_date(nt: NormText) -> tuple[str | None, tuple[int, int] | None]:
    """A signature date whose 年 and 月 were lost (2022121日) is read with the page's timestamp
    when the timestamp's digits are the same: the timestamp alone is never the document's date."""
    page = PAGE_DATE.search(nt.text[:3000])
    d = page and (ISO_DATE.search(page.group("d")) or CN_DATE.search(page.group("d")))
    if not d:
        return None, None
    digits = f"{int(d.group(1))}{int(d.group(2))}{int(d.group(3))}"
    for m in re.finditer(r"^[ \t]*((?:19|20)\d{4,6})日?[ \t]*$", nt.text, re.M):
        if m.group(1) == digits:
            return f"{int(d.group(1)):04d}-{int(d.group(2)):02d}-{int(d.group(3)):02d}", nt.orig_span(*m.span(1))
    return None, None


def _noise(title: str) -> bool:
    return any(w in title for w in _PAGE_WORDS)


def find_metadata(nt: NormText, seg: Segmentation, announced: int) -> Metadata:
    text = nt.text
    md = Metadata()
    head_end = seg.notice_end or (seg.items[0].marker[0] if seg.items else len(text))
    head_end = max(head_end, min(len(text), 600))

    # document number: the first not inside a citation (《…》(国发〔2022〕18号))
    for m in DOC_NUMBER.finditer(text[: max(head_end, 2000)]):
        before = text[max(0, m.start() - 2):m.start()]
        if "》" in before or before.endswith("(") and "》" in text[max(0, m.start() - 3):m.start()]:
            continue
        s = m.start()
        while s < m.end() and not ("\u4e00" <= text[s] <= "\u9fff"):
            s += 1
        # trim words glued before the number (…文件许政〔2020〕21号)
        word = text[s:m.end()]
        k = max(word.rfind("文件"), word.rfind(":"), word.rfind("号"), -1)
        if 0 <= k < word.find("〔") if "〔" in word else False:
            s += k + 2
        md.doc_number = nt.orig(s, m.end()).strip()
        md.doc_number_span = nt.orig_span(s, m.end())
        break

    _find_title(nt, seg, head_end, announced, md)

    # date: the signing date line, else a law database's date row
    signed = False
    for m in re.finditer(r"^[ \t(]*" + CN_DATE.pattern + r"[ \t)]*$", text, re.M):
        md.date = f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
        md.date_span = nt.orig_span(m.start(1), m.end())
        signed = True
        break
    if md.date is None:
        for m in re.finditer(r"^[ \t(]*(?P<d>" + _CN_NUMERAL_DATE + r")[ \t)]*$", text, re.M):
            md.date = _cn_numeral_date(m.group("d"))
            md.date_span = nt.orig_span(*m.span("d"))
            signed = md.date is not None
            break
    if md.date is None:
        m = META_DATE.search(text[:3000])
        if m:
            d = ISO_DATE.search(m.group("d")) or CN_DATE.search(m.group("d"))
            if d:
                md.date = f"{int(d.group(1)):04d}-{int(d.group(2)):02d}-{int(d.group(3)):02d}"
                md.date_span = nt.orig_span(m.start("d"), m.end("d"))
    if md.date is None:
        md.date, md.date_span = _damaged_signature_date(nt)

    # issuer: a signature line before the date, else the body named before 关于 in the title
    if signed and md.date_span is not None:
        date_norm = next((i for i, o in enumerate(nt.index) if o >= md.date_span[0]), 0)
        prev_end = text.rfind("\n", 0, date_norm)
        k = prev_end
        while k > 0:
            line_start = text.rfind("\n", 0, k) + 1
            line = text[line_start:k].strip()
            if line:
                parts = [p for p in re.split(r"\s+", line) if p]
                if parts and all(is_org(p) for p in parts) and len(line) <= 60:
                    s = line_start + (len(text[line_start:k]) - len(text[line_start:k].lstrip()))
                    md.issuer = nt.orig(s, s + len(line))
                    md.issuer_span = nt.orig_span(s, s + len(line))
                break
            k = line_start - 1
    row = META_ISSUER.search(text[:3000])
    row_issuer = nt.orig(*row.span("x")) if row and is_org(row.group("x")) else None
    if md.issuer is None and md.title:
        t = re.sub(r"\s+", "", _simplified_title(nt, md))
        m = re.match(r"^(.{4,30}?)关于", t)
        if m and is_org(m.group(1)):
            md.issuer = _cut_orig_prefix(md.title, len(m.group(1)))
            if row_issuer and re.match(r"^[省市区县州]", m.group(1)):
                md.issuer = row_issuer  # the row names the place the title leaves out
    if md.issuer is None:
        tail_start = max(0, len(text) - 300)
        found = list(re.finditer(r"\((?P<x>[^()\n]{4,60})\)[ \t]*(?:\n|$)", text[tail_start:]))
        if found and all(is_org(p) for p in found[-1].group("x").split()):
            m = found[-1]
            md.issuer = nt.orig(tail_start + m.start("x"), tail_start + m.end("x"))
    if md.issuer is None and row_issuer:
        md.issuer = row_issuer

    md.jurisdiction, md.jurisdiction_key = _jurisdiction(nt, md)
    if md.jurisdiction is None:
        md.jurisdiction, md.jurisdiction_key = _jurisdiction_from_body(nt)
    return md


_BODY_PLACE = re.compile(r"([\u4e00-\u9fff]{2})(省|市|州|区|县)(?=人民政府|政府|委员会|党委|办公厅|办公室|分行|人大|人民代表大会)")


def _jurisdiction_from_body(nt: NormText) -> tuple[str | None, str | None]:
    """The place whose government the text names most often (许昌市人民政府, 云南省分行)."""
    from collections import Counter

    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for m in _BODY_PLACE.finditer(nt.text):
        key = m.group(0)
        if re.search(r"[向在对由报经为与和及等末前底将请的了是年月日施委省市区县全各本我人中地方]", m.group(1)):
            continue
        if m.start() > 0 and "\u4e00" <= nt.text[m.start() - 1] <= "\u9fff" and nt.text[m.start() - 1] not in "共":
            continue  # inside a longer word (确保完成区政府…)
        for p in PROVINCES + tuple(x + "市" for x in LONG_PLACES):
            if nt.text.endswith(p, 0, m.end(2)) and len(p) > len(key):
                key = p
        counts[key] += 1
        first.setdefault(key, m.end(2) - len(key))
    if not counts:
        return None, None
    key = max(counts, key=lambda k: (counts[k], -first[k]))
    return nt.orig(first[key], first[key] + len(key)), key


def _simplified_title(nt: NormText, md: Metadata) -> str:
    from policykg.loaders.textnorm import simplified_key

    return simplified_key(md.title or "")


def _cut_orig_prefix(original: str, n_chars: int) -> str:
    """The first n Han/other characters of `original`, skipping pinyin glosses and blanks."""
    from policykg.loaders.textnorm import PINYIN_GLOSS

    out = []
    count = 0
    i = 0
    while i < len(original) and count < n_chars:
        m = PINYIN_GLOSS.match(original, i)
        if m and i > 0:
            out.append(m.group(0))
            i = m.end()
            continue
        ch = original[i]
        out.append(ch)
        if not ch.isspace():
            count += 1
        i += 1
    while i < len(original) and (m := PINYIN_GLOSS.match(original, i)):
        out.append(m.group(0))
        i = m.end()
    return "".join(out).strip()


def _place_in(text: str) -> tuple[int, int] | None:
    """The first place named in `text`: a province, a long place name, else 无锡市-like words."""
    for known in (_PROVINCE, _LONG_PLACE):
        m = known.search(text)
        if m:
            return m.span()
    for m in PLACE.finditer(text):
        if m.group(1) in _NOT_PLACES:
            continue
        if re.search(r"[一二三四五六七八九十两各全本我]", m.group(1)):
            continue
        return m.span()
    return None


def _jurisdiction(nt: NormText, md: Metadata) -> tuple[str | None, str | None]:
    from policykg.loaders.textnorm import simplified_key

    for source in (md.issuer, md.title):
        if not source:
            continue
        key = simplified_key(source)
        key = re.sub(r"^中共", "", key)
        # the innermost unit named before the issuing body: 北京市通州区人民政府 → 通州区
        spans = []
        rest = key
        offset = 0
        while True:
            found = _place_in(rest)
            if not found:
                break
            spans.append((found[0] + offset, found[1] + offset))
            offset += found[1]
            rest = rest[found[1]:]
            if not re.match(r"^[\u4e00-\u9fff]{2,4}(?:市|区|县)", rest):
                break
        if spans:
            s, e = spans[-1]
            place_key = key[s:e]
            return _as_written(nt, place_key) or place_key, place_key
    return None, None


def _as_written(nt: NormText, key: str) -> str | None:
    k = nt.text.find(key)
    if k < 0:
        return None
    return nt.orig(k, k + len(key))

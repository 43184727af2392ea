"""Content negotiation per RFC 9110 §12.5.1 (Accept with q-values, wildcards, specificity).

`choose(accept_header, offers)` picks the offer the client prefers most: each offer gets the
q-value of the *most specific* media range that matches it (type/subtype with parameters beats
type/subtype beats type/* beats */*), offers with q=0 are unacceptable, and ties go to the
server's order of preference (the order of `offers`). A missing or empty Accept header means
"anything", so the first offer wins. Returns None when nothing is acceptable (answer 406).

`negotiate(request, kinds)` is what every route calls: it reads `format=` (a word, or a media type)
and then Accept, against the formats the kinds offer in `formats.KINDS`, and returns a `Format`
or None. `choose_format(kinds, accept, requested)` is the same without a request (the query
workers call it once they know whether a query's answer is a table, a boolean or a graph).
"""

from __future__ import annotations

from dataclasses import dataclass

from .formats import FORMATS, KINDS, Format, media_types


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    params: tuple[tuple[str, str], ...]
    q: float

    @property
    def specificity(self) -> int:
        if self.type == "*":
            return 0
        if self.subtype == "*":
            return 1
        return 2 + (1 if self.params else 0)


def _split_params(text: str) -> list[str]:
    parts, buf, quoted = [], [], False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    return parts


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parses an Accept header; malformed members are skipped, never fatal."""
    ranges: list[MediaRange] = []
    if not header:
        return ranges
    for member in header.split(","):
        member = member.strip()
        if not member:
            continue
        pieces = _split_params(member)
        mtype = pieces[0].strip().lower()
        if "/" not in mtype:
            if mtype == "*":  # some old clients send a bare "*"
                mtype = "*/*"
            else:
                continue
        t, _, s = mtype.partition("/")
        q = 1.0
        params = []
        for p in pieces[1:]:
            k, _, v = p.strip().partition("=")
            k = k.strip().lower()
            v = v.strip().strip('"')
            if k == "q":
                try:
                    q = max(0.0, min(1.0, float(v)))
                except ValueError:
                    q = 0.0
                break  # parameters after q are accept-extensions
            if k:
                params.append((k, v.lower() if k == "charset" else v))
        ranges.append(MediaRange(t.strip(), s.strip(), tuple(params), q))
    return ranges


def quality(ranges: list[MediaRange], offer: str) -> float:
    """The q-value the client gives `offer` (a bare media type such as text/turtle)."""
    t, _, s = offer.lower().partition("/")
    best: MediaRange | None = None
    for r in ranges:
        if r.type == "*" or (r.type == t and (r.subtype == "*" or r.subtype == s)):
            # parameters other than charset narrow the range: we only offer parameterless types,
            # so a range with other parameters does not match ours.
            if any(k != "charset" for k, _ in r.params):
                continue
            if best is None or r.specificity > best.specificity:
                best = r
    return best.q if best is not None else 0.0


def choose(accept: str | None, offers: list[str], aliases: dict[str, str] | None = None) -> str | None:
    """The preferred offer. `aliases` (alias -> offer, e.g. application/json -> the SPARQL JSON type)
    count only when the client names them exactly, never through a wildcard, so `*/*` or `text/*`
    picks one of our real formats and a q=0 on the real type is not undone by an alias."""
    ranges = parse_accept(accept)
    if not ranges:
        return offers[0] if offers else None
    best, best_q = None, 0.0
    for offer in offers:
        q = quality(ranges, offer)
        if q > best_q:
            best, best_q = offer, q
    for alias, target in (aliases or {}).items():
        exact = [r for r in ranges if f"{r.type}/{r.subtype}" == alias and not any(k != "charset" for k, _ in r.params)]
        if not exact:
            continue
        if any(f"{r.type}/{r.subtype}" == target and r.q == 0 for r in ranges):
            continue  # the client refused the real type by name
        if exact[0].q > best_q:
            best, best_q = target, exact[0].q
    return best


def prefers_html(accept: str | None) -> bool:
    """True when a browser-like client ranks HTML at least as high as any RDF type."""
    ranges = parse_accept(accept)
    if not ranges:
        return False
    # a browser names HTML; a client sending only */* (curl, most libraries) gets data
    if not any(r.type in ("text", "application") and r.subtype in ("html", "xhtml+xml") and r.q > 0 for r in ranges):
        return False
    html = max(quality(ranges, "text/html"), quality(ranges, "application/xhtml+xml"))
    if html == 0:
        return False
    explicit = [r for r in ranges if r.type != "*" and r.subtype != "*"]
    others = [r.q for r in explicit if f"{r.type}/{r.subtype}" not in ("text/html", "application/xhtml+xml")]
    return html >= max(others, default=0.0)


def choose_format(kinds: list[str] | tuple[str, ...], accept: str | None, requested: str | None = None
                  ) -> Format | None:
    """The format to answer in, from the kinds' offers (first kind first). `requested` (a
    `format=` word or a media type) decides alone when given: an unknown one is None (406).
    A browser-like Accept gets HTML when a kind offers it (see `prefers_html`)."""
    if requested:
        word = requested.strip().lower()
        for kind in kinds:
            k = KINDS[kind]
            name = k.words.get(word) or k.aliases.get(word) or next(
                (n for n in k.offers if FORMATS[n].media_type == word), None)
            if name:
                return FORMATS[name]
        return None
    offers = [n for kind in kinds for n in KINDS[kind].offers]
    if "html" in offers and prefers_html(accept):
        return FORMATS["html"]
    by_type = {FORMATS[n].media_type: n for n in reversed(offers)}  # first offer wins a shared type
    aliases = {alias: FORMATS[name].media_type for kind in reversed(kinds)
               for alias, name in KINDS[kind].aliases.items() if alias not in by_type}
    chosen = choose(accept, list(dict.fromkeys(FORMATS[n].media_type for n in offers)), aliases)
    return FORMATS[by_type[chosen]] if chosen else None


def negotiate(request, kinds: list[str] | tuple[str, ...], requested: str | None = None) -> Format | None:
    """The format for this request: `requested` (default: the `format` parameter, in the query
    string or a form body), else its Accept header. None means answer 406 (`not_acceptable`)."""
    if requested is None:
        requested = request.values.get("format")
    return choose_format(kinds, request.headers.get("Accept"), requested)


def not_acceptable_message(kinds: list[str] | tuple[str, ...], requested: str | None = None) -> str:
    what = f"unknown format {requested!r}; " if requested else ""
    return f"Not Acceptable: {what}available as " + ", ".join(media_types(kinds))

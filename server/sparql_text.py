"""Light lexical inspection of SPARQL text, done before a query reaches a worker.

Oxigraph parses the query for real; this module only answers the few questions the endpoint must
answer first, on a copy of the text with comments, string literals and IRIs blanked out (so a
keyword inside a string or IRI does not count) and with \\u escapes decoded (SPARQL processes them
before parsing, so ``\\u0053ERVICE`` is SERVICE):

- does it use ``SERVICE`` (federation: refused, pyoxigraph would call out to any address)?
- does an update use ``LOAD`` (refused: it fetches any URL)?
- does a query name its own dataset with ``FROM`` / ``FROM NAMED``?
- which query form is it (SELECT, ASK, CONSTRUCT, DESCRIBE)?
"""

from __future__ import annotations

import re

_UESC = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_BLANKERS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'  # long double-quoted string
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"  # long single-quoted string
    r'|"(?:[^"\\\n]|\\.)*"'  # double-quoted string
    r"|'(?:[^'\\\n]|\\.)*'"  # single-quoted string
    r"|<[^<>\"{}|^`\\\s]*>"  # IRI reference
    r"|#[^\n]*",  # comment
    re.S,
)


def _decode_escapes(text: str) -> str:
    def repl(m: re.Match) -> str:
        try:
            return chr(int(m.group(1) or m.group(2), 16))
        except (ValueError, OverflowError):
            return m.group(0)

    return _UESC.sub(repl, text)


def skeleton(text: str) -> str:
    """The query with strings, IRIs and comments replaced by spaces."""
    return _BLANKERS.sub(lambda m: " ", _decode_escapes(text))


def _keyword(word: str) -> re.Pattern:
    # a keyword, not part of a variable (?x $x), prefixed name (ex:service) or prefix (service:)
    return re.compile(rf"(?<![\w?$:.\-]){word}(?![\w:\-])", re.I)


_SERVICE = _keyword("SERVICE")
_LOAD = _keyword("LOAD")
_FROM = _keyword("FROM")
_FORM = re.compile(r"(?<![\w?$:.\-])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:\-])", re.I)


def uses_service(text: str) -> bool:
    return bool(_SERVICE.search(skeleton(text)))


def uses_load(text: str) -> bool:
    return bool(_LOAD.search(skeleton(text)))


def has_from(text: str) -> bool:
    return bool(_FROM.search(skeleton(text)))


def query_form(text: str) -> str | None:
    m = _FORM.search(skeleton(text))
    return m.group(1).upper() if m else None

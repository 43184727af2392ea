"""SPARQL result formats, written row by row so a row cap can stop them cleanly.

pyoxigraph serialises whole result sets; we write our own (small) serialisers for SELECT/ASK so
that a capped result is still a well-formed document, and so CSV/TSV follow the W3C's
"SPARQL 1.1 Query Results CSV and TSV Formats" exactly (checked against the W3C's csv-tsv-res
tests). RDF graphs (CONSTRUCT/DESCRIBE) go through pyoxigraph's serialisers. Which format is
which media type, and which formats an answer offers, is `formats.py`'s registry.
"""

from __future__ import annotations

import json
import re
from xml.sax.saxutils import escape as _xml_escape
from xml.sax.saxutils import quoteattr

import pyoxigraph as ox

from .formats import rdf_format

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RDF_DIRLANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#dirLangString"

# ---------------------------------------------------------------- terms


def term_json(t) -> dict:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        d = {"type": "literal", "value": t.value}
        if t.language:
            d["xml:lang"] = t.language
        elif t.datatype.value != XSD_STRING:
            d["datatype"] = t.datatype.value
        return d
    if isinstance(t, ox.Triple):
        return {"type": "triple", "value": {
            "subject": term_json(t.subject), "predicate": term_json(t.predicate), "object": term_json(t.object)}}
    return {"type": "literal", "value": str(t)}


def term_xml(t) -> str:
    if isinstance(t, ox.NamedNode):
        return f"<uri>{_xml_escape(t.value)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{_xml_escape(t.value)}</bnode>"
    if isinstance(t, ox.Literal):
        if t.language:
            return f"<literal xml:lang={quoteattr(t.language)}>{_xml_escape(t.value)}</literal>"
        if t.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(t.datatype.value)}>{_xml_escape(t.value)}</literal>"
        return f"<literal>{_xml_escape(t.value)}</literal>"
    if isinstance(t, ox.Triple):
        return ("<triple><subject>" + term_xml(t.subject) + "</subject><predicate>" + term_xml(t.predicate)
                + "</predicate><object>" + term_xml(t.object) + "</object></triple>")
    return f"<literal>{_xml_escape(str(t))}</literal>"


def _csv_field(s: str) -> str:
    if any(c in s for c in '",\r\n'):
        return '"' + s.replace('"', '""') + '"'
    return s


def term_csv(t) -> str:
    if t is None:
        return ""
    if isinstance(t, ox.NamedNode):
        return _csv_field(t.value)
    if isinstance(t, ox.BlankNode):
        return "_:" + t.value
    if isinstance(t, ox.Literal):
        return _csv_field(t.value)
    return _csv_field(str(t))


_TURTLE_INTEGER = re.compile(r"[+-]?[0-9]+\Z")
_TURTLE_DECIMAL = re.compile(r"[+-]?[0-9]*\.[0-9]+\Z")
_TURTLE_DOUBLE = re.compile(r"[+-]?(?:[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+|[0-9]+[eE][+-]?[0-9]+)\Z")
_ABBREVIATE = {XSD + "integer": _TURTLE_INTEGER, XSD + "decimal": _TURTLE_DECIMAL, XSD + "double": _TURTLE_DOUBLE}


def term_tsv(t) -> str:
    if t is None:
        return ""
    if isinstance(t, ox.Literal) and not t.language:
        pattern = _ABBREVIATE.get(t.datatype.value)
        if pattern is not None and pattern.match(t.value):
            return t.value
    # pyoxigraph's str() is the N-Triples/Turtle form, which is what TSV asks for; tabs and
    # newlines inside literals are escaped by it.
    return str(t)


# ---------------------------------------------------------------- writers


class RowCap:
    """Counts rows and reports whether the result was cut at max_rows."""

    def __init__(self, max_rows: int | None):
        self.max_rows = max_rows
        self.rows = 0
        self.truncated = False

    def take(self, iterator):
        for item in iterator:
            if self.max_rows is not None and self.rows >= self.max_rows:
                self.truncated = True
                return
            self.rows += 1
            yield item


def write_select(out, fmt: str, variables: list[str], solutions, cap: RowCap, note: str | None = None) -> None:
    """Writes a SELECT result; `solutions` yields sequences of terms (or None) aligned with variables."""
    if fmt == "json":
        out.write(('{"head":{"vars":' + json.dumps(variables) + '},"results":{"bindings":[').encode())
        first = True
        for row in cap.take(solutions):
            b = {v: term_json(t) for v, t in zip(variables, row, strict=False) if t is not None}
            out.write(((" " if first else ",\n") + json.dumps(b, ensure_ascii=False)).encode())
            first = False
        tail = "]}"
        if cap.truncated:
            tail += ',"truncated":' + json.dumps({"maxRows": cap.max_rows, "message": note or "result truncated"},
                                                 ensure_ascii=False)
        out.write((tail + "}\n").encode())
    elif fmt == "xml":
        out.write(b'<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>')
        for v in variables:
            out.write(f"<variable name={quoteattr(v)}/>".encode())
        out.write(b"</head>\n<results>\n")
        for row in cap.take(solutions):
            parts = ["<result>"]
            for v, t in zip(variables, row, strict=False):
                if t is not None:
                    parts.append(f"<binding name={quoteattr(v)}>{term_xml(t)}</binding>")
            parts.append("</result>\n")
            out.write("".join(parts).encode())
        out.write(b"</results>\n</sparql>\n")
    elif fmt == "csv":
        out.write((",".join(_csv_field(v) for v in variables) + "\r\n").encode())
        for row in cap.take(solutions):
            out.write((",".join(term_csv(t) for t in row) + "\r\n").encode())
    elif fmt == "tsv":
        out.write(("\t".join("?" + v for v in variables) + "\n").encode())
        for row in cap.take(solutions):
            out.write(("\t".join(term_tsv(t) for t in row) + "\n").encode())
    else:  # pragma: no cover - callers pick from the known formats
        raise ValueError(fmt)


def write_ask(out, fmt: str, value: bool) -> None:
    if fmt == "json":
        out.write(('{"head":{},"boolean":' + ("true" if value else "false") + "}\n").encode())
    else:
        out.write(('<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                   f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode())


def write_graph(out, fmt: str, triples, cap: RowCap, prefixes: dict[str, str] | None = None) -> None:
    kept = list(cap.take(triples))
    ox.serialize(kept, out, rdf_format(fmt), prefixes=prefixes if fmt in ("turtle", "trig", "rdfxml") else None)

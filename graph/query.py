"""Run one SPARQL query on a store and write its results: SPARQL result formats, Turtle, or a
plain-text table for a terminal (what `policykg query` prints)."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import IO

import pyoxigraph as ox
from policykg.graph.namespaces import PREFIXES, compact

RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "xml": ox.QueryResultsFormat.XML,
}
QUERY_OUTPUT_FORMATS = ("table", *RESULT_FORMATS, "turtle")


class QueryFormatError(ValueError):
    """The output format does not fit the query form (e.g. Turtle for a SELECT)."""


def read_query(text: str) -> str:
    """The query itself, or the content of FILE for `@FILE`."""
    if text.startswith("@"):
        return Path(text[1:]).read_text(encoding="utf-8")
    return text


def _compact(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def _width(s: str) -> int:
    # CJK characters take two terminal columns
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def format_table(results: ox.QuerySolutions) -> str:
    """SELECT results as an aligned text table with compact IRIs and a row count."""
    variables = [v.value for v in results.variables]
    rows = [[_compact(sol[v]) for v in variables] for sol in results]
    widths = [max([_width(v)] + [_width(r[i]) for r in rows]) for i, v in enumerate(variables)]

    def line(cells):
        return " | ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(variables), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def write_results(results, fmt: str, out: IO[bytes]) -> None:
    """Write pyoxigraph results (ASK, SELECT, or CONSTRUCT/DESCRIBE triples) to `out` in `fmt`
    (one of QUERY_OUTPUT_FORMATS); raises QueryFormatError when `fmt` does not fit the query."""
    if isinstance(results, ox.QueryBoolean):
        if fmt in RESULT_FORMATS:
            results.serialize(out, RESULT_FORMATS[fmt])
        else:
            out.write(b"true\n" if bool(results) else b"false\n")
    elif isinstance(results, ox.QuerySolutions):
        if fmt == "table":
            out.write(format_table(results).encode("utf-8"))
        elif fmt in RESULT_FORMATS:
            results.serialize(out, RESULT_FORMATS[fmt])
        else:
            raise QueryFormatError("a SELECT query gives a table, json, csv, tsv or xml; not turtle")
    else:  # CONSTRUCT / DESCRIBE: triples
        if fmt not in ("turtle", "table"):
            raise QueryFormatError("a CONSTRUCT or DESCRIBE query gives RDF: use --format turtle")
        ox.serialize(list(results), out, ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    out.flush()


def run_query(store, sparql: str, fmt: str, out: IO[bytes]) -> None:
    """Run `sparql` on `store` (a GraphStore) and write the results to `out` in `fmt`."""
    write_results(store.query(sparql), fmt, out)

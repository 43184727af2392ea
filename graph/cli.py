"""Handlers of `policykg load`, `policykg dump` and `policykg query` (see server/cli.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pyoxigraph as ox
from policykg.graph.namespaces import PREFIXES

_RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "xml": ox.QueryResultsFormat.XML,
}


def _err(msg: str) -> None:
    print(msg, file=sys.stderr)


class _Progress:
    """A one-line progress bar on stderr (no dependency)."""

    def __init__(self, stream=sys.stderr, width: int = 30):
        self.stream = stream
        self.width = width
        self.drawn = False

    def __call__(self, done: int, total: int, label: str) -> None:
        total = max(total, 1)
        filled = int(self.width * done / total)
        bar = "#" * filled + "-" * (self.width - filled)
        line = f"\r[{bar}] {done}/{total} {label[:40]:<40}"
        self.stream.write(line)
        self.stream.flush()
        self.drawn = True
        if done >= total:
            self.clear()

    def clear(self) -> None:
        if self.drawn:
            self.stream.write("\r" + " " * (self.width + 60) + "\r")
            self.stream.flush()
            self.drawn = False


def _open(args: argparse.Namespace, read_only: bool):
    from policykg.graph.store import open_store

    return open_store(
        path=getattr(args, "store", None),
        endpoint=getattr(args, "endpoint", None),
        update_endpoint=getattr(args, "update_endpoint", None),
        memory=getattr(args, "memory", False),
        base=getattr(args, "base", None),
        read_only=read_only,
    )


def run_load(args: argparse.Namespace) -> int:
    from policykg.graph.load import load_paths

    store = _open(args, read_only=False)
    show = not getattr(args, "no_progress", False) and sys.stderr.isatty()
    bar = _Progress() if show else None

    def report(msg: str) -> None:
        if bar:
            bar.clear()
        _err(f"policykg load: error: {msg}" if not msg.startswith("warning:") else f"policykg load: {msg}")

    try:
        summary = load_paths(args.paths, store, base=getattr(args, "base", None), progress=bar, errors=report)
    finally:
        store.close()
    print(summary.line())
    return 0 if summary.documents else 1


def run_dump(args: argparse.Namespace) -> int:
    store = _open(args, read_only=True)
    try:
        if args.output:
            with open(args.output, "wb") as out:
                store.dump(args.format, out)
        else:
            store.dump(args.format, sys.stdout.buffer)
            sys.stdout.buffer.flush()
    finally:
        store.close()
    return 0


def read_query(text: str) -> str:
    """The query itself, or the content of FILE for `@FILE`."""
    if text.startswith("@"):
        return Path(text[1:]).read_text(encoding="utf-8")
    return text


def _compact(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        iri = term.value
        for prefix, ns in PREFIXES.items():
            if iri.startswith(ns) and len(iri) > len(ns):
                local = iri[len(ns):]
                if all(c.isalnum() or c in "_-." for c in local):
                    return f"{prefix}:{local}"
        return f"<{iri}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def _width(s: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def format_table(results) -> str:
    variables = [v.value for v in results.variables]
    rows = [[_compact(sol[v]) for v in variables] for sol in results]
    widths = [max([_width(v)] + [_width(r[i]) for r in rows]) for i, v in enumerate(variables)]

    def line(cells):
        return " | ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(variables), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def run_query(args: argparse.Namespace) -> int:
    sparql = read_query(args.query)
    store = _open(args, read_only=True)
    try:
        results = store.query(sparql)
        out = sys.stdout.buffer
        fmt = args.format
        if isinstance(results, ox.QueryBoolean):
            if fmt in _RESULT_FORMATS:
                results.serialize(out, _RESULT_FORMATS[fmt])
            else:
                out.write(b"true\n" if bool(results) else b"false\n")
        elif isinstance(results, ox.QuerySolutions):
            if fmt == "table":
                out.write(format_table(results).encode("utf-8"))
            elif fmt in _RESULT_FORMATS:
                results.serialize(out, _RESULT_FORMATS[fmt])
            else:
                _err("policykg query: error: a SELECT query gives a table, json, csv, tsv or xml; not turtle")
                return 2
        else:  # CONSTRUCT / DESCRIBE: triples
            if fmt not in ("turtle", "table"):
                _err("policykg query: error: a CONSTRUCT or DESCRIBE query gives RDF: use --format turtle")
                return 2
            ox.serialize(list(results), out, ox.RdfFormat.TURTLE, prefixes=PREFIXES)
        out.flush()
    finally:
        store.close()
    return 0

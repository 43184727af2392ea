"""`policykg load PATH…`: texts, directories of texts or .jsonl records into the store."""

from __future__ import annotations

import argparse
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from policykg.cli.common import (
    ProgressBar,
    add_dask_option,
    add_max_bytes_option,
    add_store_options,
    command,
    dask_records,
    opened_store,
)
from policykg.graph.load import load_paths


def add_parser(subparsers) -> None:
    p = command(subparsers, "load", "extract texts (or read records) and load them into the store",
                "Extract texts (or read records made by `policykg extract`) and load them into the "
                "store, one named graph per document, replaced atomically. A document that fails (not a "
                "regular file, over --max-bytes, not text) is named on stderr and leaves its graph as "
                "it was; the others still load. The exit "
                "code is 1 when no document loaded.")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="text files, directories of them (every *.txt inside), or .jsonl record files")
    add_store_options(p, writing=True)
    add_max_bytes_option(p)
    p.add_argument("--no-progress", action="store_true",
                   help="no progress bar (none is drawn anyway when stderr is not a terminal)")
    add_dask_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    bar = ProgressBar() if not args.no_progress and sys.stderr.isatty() else None

    def report(message: str) -> None:
        if bar:
            bar.clear()
        if message.startswith("warning:"):
            print(f"policykg load: {message}", file=sys.stderr)
        else:
            print(f"policykg load: error: {message}", file=sys.stderr)

    with opened_store(args, read_only=False) as store, _extracted(args) as paths:
        summary = load_paths(paths, store, base=args.base, progress=bar, errors=report,
                             max_bytes=args.max_bytes)
    print(summary.line())
    return 0 if summary.documents else 1


@contextmanager
def _extracted(args: argparse.Namespace):
    """The paths to load: as given, or with --dask the texts' records extracted on the cluster
    (in a temporary .jsonl file; the store is still written by this one process)."""
    if not args.dask:
        yield args.paths
        return
    texts = [str(p) for p in iter_texts(args.paths)]
    others = [p for p in args.paths if Path(p).suffix.lower() == ".jsonl"]
    with tempfile.TemporaryDirectory(prefix="policykg-dask-") as tmp:
        records = Path(tmp) / "records.jsonl"
        with open(records, "w", encoding="utf-8") as out:
            for line in dask_records(args, texts, "load"):
                out.write(line + "\n")
        yield [*others, str(records)]


def iter_texts(paths):
    """The text files named: files as given, every *.txt under a directory (sorted)."""
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            yield from sorted(x for x in p.rglob("*.txt") if x.is_file())
        elif p.suffix.lower() != ".jsonl":
            yield p

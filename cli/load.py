"""`policykg load PATH…`: texts, directories of texts or .jsonl records into the store."""

from __future__ import annotations

import argparse
import sys

from policykg.cli.common import ProgressBar, add_max_bytes_option, add_store_options, command, opened_store
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

    with opened_store(args, read_only=False) as store:
        summary = load_paths(args.paths, store, base=args.base, progress=bar, errors=report,
                             max_bytes=args.max_bytes)
    print(summary.line())
    return 0 if summary.documents else 1

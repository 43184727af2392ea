"""`policykg extract FILE…`: an extraction record for each text; a bad file is named and skipped."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator

from policykg.cli.common import ProgressBar, command, text_output
from policykg.loaders.batch import RECORD_FORMATS, write_records


def add_parser(subparsers) -> None:
    p = command(subparsers, "extract", "read policy texts and write extraction records",
                "Read policy texts and write one extraction record per text. A file that cannot be "
                "read as a policy document is named on stderr and the others still come out; the "
                "exit code is 1 when no file could be read.")
    p.add_argument("files", nargs="+", metavar="FILE", help="policy text files (any encoding)")
    p.add_argument("--format", choices=RECORD_FORMATS, default="jsonl",
                   help="jsonl: one record a line, streamed; json: one array")
    p.add_argument("--output", "-o", metavar="FILE", help="write here (default: standard output)")
    p.add_argument("--no-progress", action="store_true",
                   help="no progress bar (none is drawn anyway when stderr is not a terminal)")
    p.set_defaults(run=run)


def _counted(files: list[str], bar: ProgressBar | None) -> Iterator[str]:
    """The files, telling the bar as each one is taken."""
    for i, f in enumerate(files):
        if bar:
            bar(i, len(files), f)
        yield f
    if bar:
        bar(len(files), len(files), "")


def run(args: argparse.Namespace) -> int:
    bar = ProgressBar() if not args.no_progress and sys.stderr.isatty() else None

    def report(exc: Exception) -> None:
        if bar:
            bar.clear()
        print(f"policykg extract: error: {exc}", file=sys.stderr)

    with text_output(args.output) as out:
        written = write_records(_counted(args.files, bar), out, fmt=args.format, on_error=report)
    return 0 if written else 1

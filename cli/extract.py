"""`policykg extract FILE…`: an extraction record for each text; a bad file is named and skipped."""

from __future__ import annotations

import argparse
import sys

from policykg.cli.common import add_dask_option, command, dask_records, text_output
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
    add_dask_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    def report(exc: Exception) -> None:
        print(f"policykg extract: error: {exc}", file=sys.stderr)

    with text_output(args.output) as out:
        if args.dask:
            written = _write_dask(args, out)
        else:
            written = write_records(args.files, out, fmt=args.format, on_error=report)
    return 0 if written else 1


def _write_dask(args: argparse.Namespace, out) -> int:
    """The same output as one process gives, the files extracted on a Dask cluster."""
    import json

    lines = dask_records(args, args.files, "extract")
    if args.format == "jsonl":
        written = 0
        for line in lines:
            out.write(line + "\n")
            written += 1
        return written
    records = [json.loads(line) for line in lines]
    json.dump(records, out, ensure_ascii=False, indent=1)
    out.write("\n")
    return len(records)

"""`policykg extract FILE…`: an extraction record for each text; a bad file is named and skipped."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator

from policykg.cli.common import (
    ProgressBar,
    add_dask_option,
    add_max_bytes_option,
    command,
    dask_records,
    text_output,
)
from policykg.loaders import printable_path
from policykg.loaders.batch import RECORD_FORMATS, InternalError, write_records


def add_parser(subparsers) -> None:
    p = command(subparsers, "extract", "read policy texts and write extraction records",
                "Read policy texts and write one extraction record per text. A file that cannot be "
                "read as a policy document (not a regular file, over --max-bytes, not text) is named "
                "on stderr and the others still come out; so is a text in which no measure was found "
                "(its record is flagged not_policy_text). The output file is written whole or not at all. "
                "Exit code: 0 when every file gave a record or was refused as bad input and at least "
                "one record was written, 1 when none was, 2 when a bug struck (the file is named).")
    p.add_argument("files", nargs="+", metavar="FILE", help="policy text files (any encoding)")
    p.add_argument("--format", choices=RECORD_FORMATS, default="jsonl",
                   help="jsonl: one record a line, streamed; json: one array")
    p.add_argument("--output", "-o", metavar="FILE",
                   help="write here, replacing the file only once all records are written "
                        "(default: standard output); never one of the input files")
    add_max_bytes_option(p)
    p.add_argument("--no-progress", action="store_true",
                   help="no progress bar (none is drawn anyway when stderr is not a terminal)")
    add_dask_option(p)
    p.set_defaults(run=run)


class OutputIsInputError(ValueError):
    """`-o` names one of the files to read: writing it would destroy the input."""


def _counted(files: list[str], bar: ProgressBar | None) -> Iterator[str]:
    """The files, telling the bar as each one is taken."""
    for i, f in enumerate(files):
        if bar:
            bar(i, len(files), f)
        yield f
    if bar:
        bar(len(files), len(files), "")


def refuse_output_among_inputs(output: str | None, files: list[str]) -> None:
    """Raise OutputIsInputError when `output` is (the same file as) one of `files`."""
    if output is None or not os.path.exists(output):
        return
    for f in files:
        try:
            same = os.path.samefile(output, f)
        except OSError:
            continue
        if same:
            raise OutputIsInputError(f"the output {printable_path(output)[0]} is one of the input files "
                                     f"(it would be overwritten before it is read); choose another --output")


def run(args: argparse.Namespace) -> int:
    refuse_output_among_inputs(args.output, args.files)
    bar = ProgressBar() if not args.no_progress and sys.stderr.isatty() else None
    bugs = 0

    def report(exc: Exception) -> None:
        nonlocal bugs
        if bar:
            bar.clear()
        if isinstance(exc, InternalError):
            bugs += 1
            print(f"policykg extract: internal error: {exc} (a bug in policykg; "
                  f"`policykg --debug extract …` shows the traceback)", file=sys.stderr)
        else:
            print(f"policykg extract: error: {exc}", file=sys.stderr)

    def warn(message: str) -> None:
        if bar:
            bar.clear()
        print(f"policykg extract: warning: {message}", file=sys.stderr)

    debug = getattr(args, "debug", False)
    with text_output(args.output) as out:
        if args.dask:
            written = _write_dask(args, out)
        else:
            written = write_records(_counted(args.files, bar), out, fmt=args.format, on_error=report,
                                    max_bytes=args.max_bytes, isolate_bugs=not debug, on_warning=warn)
    if bugs:
        return 2
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

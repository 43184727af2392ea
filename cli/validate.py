"""`policykg validate [FILE…]`: check the graph against the SHACL shapes.

Exit codes, so auditors can script it: 0 the graph conforms (Warnings and Infos alone still
give 0), 1 at least one Violation, 2 an error (a missing or unparsable file, bad shapes, an
engine that is not installed), named in one line on stderr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from policykg.cli.common import ProgressBar, command
from policykg.graph.store import DEFAULT_STORE
from policykg.shapes import FORMATS as REPORT_FORMATS


def add_parser(subparsers) -> None:
    p = command(subparsers, "validate", "check the graph against the SHACL shapes",
                "Check the graph against the SHACL shapes. Exit code 0: conforms (Warnings and "
                "Infos alone still give 0); 1: at least one Violation; 2: error.")
    p.add_argument("files", nargs="*", metavar="FILE", help="RDF files to validate instead of the store")
    p.add_argument("--store", metavar="DIR",
                   help=f"embedded store directory to validate (default: {DEFAULT_STORE} when no FILE is given)")
    p.add_argument("--shapes", metavar="DIR", help="directory of SHACL shapes (default: the shipped shapes)")
    p.add_argument("--format", choices=REPORT_FORMATS, default="text",
                   help="text for a terminal, the sh:ValidationReport as Turtle, or json, csv, html for people")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report here (default: standard output)")
    p.add_argument("--inference", choices=["none", "rdfs", "owlrl"], default="none",
                   help="entailment applied to the data before validating")
    p.add_argument("--engine", choices=["turbo", "pyshacl"], default="turbo",
                   help="SHACL engine: pyshacl-turbo (fast) or pySHACL (the reference; same report, ~10x slower)")
    p.add_argument("--no-progress", action="store_true",
                   help="no progress line (none is drawn anyway when stderr is not a terminal)")
    p.set_defaults(run=run)


def _error(message: str) -> int:
    print(f"policykg validate: error: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    from policykg.shapes import ValidateError, render, summary_line, validate

    if args.files and args.store:
        return _error("give RDF files or --store, not both")
    if args.files:
        data = [Path(f) for f in args.files]
    else:
        data = Path(args.store or DEFAULT_STORE)
        if not data.is_dir():
            return _error(f"{data}: no such store directory (load one with `policykg load`, or give RDF files)")
    try:
        bar = ProgressBar(steps=True) if not args.no_progress and sys.stderr.isatty() else None
        report = validate(data, shapes_dir=args.shapes, inference=args.inference, engine=args.engine, progress=bar)
        text = render(report, args.format)
    except ValidateError as exc:
        return _error(str(exc))
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            return _error(f"{args.output}: cannot write: {exc.strerror or exc}")
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    if args.output or args.format != "text":
        # the report went to a file or is for a machine: the verdict goes to the person on stderr
        print(summary_line(report), file=sys.stderr)
    return 0 if report.conforms else 1

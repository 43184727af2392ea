"""`policykg validate`: check the graph against the SHACL shapes.

Exit codes, so auditors can script it:

- 0: the graph conforms (no Violation; Warnings and Infos alone still give 0)
- 1: at least one Violation
- 2: error (a file that is missing or does not parse, bad shapes, unknown
  engine); the message names the file, there is no traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_STORE = "data/store"


def _error(message: str) -> int:
    print(f"policykg validate: error: {message}", file=sys.stderr)
    return 2


def run_validate(args: argparse.Namespace) -> int:
    from policykg.shapes import ValidateError, render, summary_line, validate

    files = list(getattr(args, "files", None) or [])
    store = getattr(args, "store", None)
    if files and store:
        return _error("give RDF files or --store, not both")
    if files:
        data = [Path(f) for f in files]
    else:
        data = Path(store or DEFAULT_STORE)
        if not data.is_dir():
            return _error(f"{data}: no such store directory (load one with `policykg load`, or give RDF files)")
    try:
        report = validate(
            data,
            shapes_dir=getattr(args, "shapes", None),
            inference=getattr(args, "inference", "none") or "none",
            engine=getattr(args, "engine", "pyshacl") or "pyshacl",
        )
        text = render(report, getattr(args, "format", "text") or "text")
    except ValidateError as exc:
        return _error(str(exc))
    output = getattr(args, "output", None)
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            return _error(f"{output}: cannot write: {exc.strerror or exc}")
        print(summary_line(report), file=sys.stderr)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
        if args.format != "text":
            print(summary_line(report), file=sys.stderr)
    return 0 if report.conforms else 1

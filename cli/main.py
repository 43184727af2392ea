"""The `policykg` entry point: the parser of every sub-command, and errors as one line."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib import metadata

from policykg.cli import analyze, dump, extract, load, query, serve, validate
from policykg.cli.common import HelpFormatter

COMMANDS = (extract, load, dump, query, validate, serve, analyze)


def _version() -> str:
    try:
        return metadata.version("policykg")
    except metadata.PackageNotFoundError:  # run from a checkout that is not installed
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="policykg",
        description="Who owns what in Chinese government action plans: extraction, RDF knowledge graph, "
                    "SHACL audits and a SPARQL endpoint. `policykg COMMAND --help` for each command.",
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.add_argument("--debug", action="store_true",
                        help="on an error, show the full traceback instead of one line")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.add_parser(subparsers)
    return parser


def _deliberate(exc: BaseException) -> bool:
    """An error raised on purpose about the input or the environment (a missing file, a query that
    does not parse, a document that cannot be read), as opposed to a bug in policykg."""
    return isinstance(exc, (OSError, ValueError, SyntaxError)) or type(exc).__module__.startswith("policykg.")


def error_line(command: str, exc: BaseException) -> str:
    """One line for stderr that names what failed; a bug also says how to see its traceback."""
    message = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
    if _deliberate(exc):
        return f"policykg {command}: error: {message or type(exc).__name__}"
    what = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return (f"policykg {command}: internal error: {what} "
            f"(a bug in policykg; `policykg --debug {command} …` shows the traceback)")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    debug = getattr(args, "debug", False)
    try:
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        if debug:
            raise
        return 130
    except BrokenPipeError:
        # the reader went away (`policykg dump | head`): not an error; keep Python's exit-time flush
        # of stdout from complaining about the closed pipe
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):  # stdout is not a file descriptor (captured)
            pass
        return 0
    except Exception as exc:
        if debug:
            raise
        print(error_line(args.command, exc), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

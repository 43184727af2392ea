"""The `policykg` command line: a thin layer over the library.

Each sub-command parses its arguments and calls one library function; the
work, and everything worth testing, lives in `policykg.loaders`,
`policykg.graph` and `policykg.server`. Library modules are imported inside
the handlers so that `policykg extract` does not pay for Flask or pyoxigraph.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def _cmd_extract(args: argparse.Namespace) -> int:
    from policykg.loaders.cli import run_extract

    return run_extract(args.files, fmt=args.format, output=args.output)


def _cmd_load(args: argparse.Namespace) -> int:
    from policykg.graph.cli import run_load

    return run_load(args)


def _cmd_dump(args: argparse.Namespace) -> int:
    from policykg.graph.cli import run_dump

    return run_dump(args)


def _cmd_query(args: argparse.Namespace) -> int:
    from policykg.graph.cli import run_query

    return run_query(args)


def _cmd_validate(args: argparse.Namespace) -> int:
    from policykg.graph.validate_cli import run_validate

    return run_validate(args)


def _cmd_serve(args: argparse.Namespace) -> int:
    from policykg.server.serve import run_serve

    return run_serve(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="policykg",
        description="Who owns what in Chinese government action plans.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("extract", help="read policy texts and write extraction records")
    p.add_argument("files", nargs="+", help="policy text files (any encoding)")
    p.add_argument("--format", choices=["jsonl", "json"], default="jsonl")
    p.add_argument("--output", "-o", help="write here instead of standard output")
    p.set_defaults(handler=_cmd_extract)

    p = sub.add_parser("load", help="extract texts (or read records) and load them into the store")
    p.add_argument("paths", nargs="+", help="text files, directories of them, or .jsonl record files")
    p.add_argument("--store", default="data/store", help="embedded Oxigraph store directory")
    p.add_argument("--endpoint", help="remote SPARQL 1.1 endpoint (query URL) instead of the embedded store")
    p.add_argument("--update-endpoint", help="remote SPARQL 1.1 Update URL (default: the query URL)")
    p.add_argument("--memory", action="store_true", help="use an in-memory store (for trying things out)")
    p.add_argument("--base", default=None, help="base IRI for data (default https://w3id.org/policykg/id/)")
    p.add_argument("--no-progress", action="store_true", help="do not draw a progress bar")
    p.set_defaults(handler=_cmd_load)

    p = sub.add_parser("dump", help="write the whole dataset")
    p.add_argument("--store", default="data/store")
    p.add_argument("--endpoint")
    p.add_argument("--format", choices=["nquads", "turtle", "trig", "jsonld", "ntriples"], default="nquads")
    p.add_argument("--output", "-o")
    p.set_defaults(handler=_cmd_dump)

    p = sub.add_parser("query", help="run a SPARQL query against the store")
    p.add_argument("query", help="the SPARQL query, or @FILE to read it from a file")
    p.add_argument("--store", default="data/store")
    p.add_argument("--endpoint")
    p.add_argument("--format", choices=["table", "json", "csv", "tsv", "xml", "turtle"], default="table")
    p.set_defaults(handler=_cmd_query)

    p = sub.add_parser("validate", help="check the graph against the SHACL shapes")
    p.add_argument("files", nargs="*", help="RDF files to validate instead of the store")
    p.add_argument("--store", default=None)
    p.add_argument("--shapes", default=None, help="directory of shapes (default: the shipped shapes)")
    p.add_argument("--format", choices=["text", "turtle", "json", "csv", "html"], default="text")
    p.add_argument("--output", "-o")
    p.add_argument("--inference", choices=["none", "rdfs", "owlrl"], default="none")
    p.add_argument("--engine", choices=["pyshacl", "turbo"], default="pyshacl")
    p.set_defaults(handler=_cmd_validate)

    p = sub.add_parser("serve", help="serve the SPARQL endpoint and linked data")
    p.add_argument("--store", default="data/store")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--base", default=None)
    p.add_argument("--update-token", default=None, help="enable SPARQL Update for requests bearing this token")
    p.add_argument("--timeout", type=float, default=None, help="query time limit in seconds")
    p.add_argument("--max-rows", type=int, default=None, help="result row limit")
    p.add_argument("--workers", type=int, default=None, help="query worker processes (default 2)")
    p.set_defaults(handler=_cmd_serve)

    from policykg.cli import analyze  # moves to policykg.cli at merge

    analyze.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a user never sees a traceback
        print(f"policykg {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

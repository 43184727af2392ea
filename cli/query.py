"""`policykg query SPARQL`: one query against the store, results on standard output."""

from __future__ import annotations

import argparse
import sys

from policykg.cli.common import add_store_options, command, opened_store
from policykg.graph.namespaces import PREFIXES
from policykg.graph.query import QUERY_OUTPUT_FORMATS, read_query, run_query


def add_parser(subparsers) -> None:
    p = command(subparsers, "query", "run a SPARQL query against the store",
                "Run a SPARQL query against the store. The default graph is the union of the "
                f"documents' graphs; these prefixes are predeclared: {', '.join(PREFIXES)}.")
    p.add_argument("query", metavar="SPARQL", help="the SPARQL query, or @FILE to read it from a file")
    add_store_options(p)
    p.add_argument("--format", choices=QUERY_OUTPUT_FORMATS, default="table",
                   help="table (for a terminal), a SPARQL results format, or turtle for CONSTRUCT/DESCRIBE")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    sparql = read_query(args.query)
    with opened_store(args, read_only=True) as store:
        # a format that does not fit the query (QueryFormatError) is one error line, from main()
        run_query(store, sparql, args.format, sys.stdout.buffer)
    return 0

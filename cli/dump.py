"""`policykg dump`: the whole dataset (or the union graph) in one RDF file."""

from __future__ import annotations

import argparse
import sys

from policykg.cli.common import add_store_options, command, opened_store
from policykg.graph.store import DATASET_FORMATS, GRAPH_FORMATS


def add_parser(subparsers) -> None:
    p = command(subparsers, "dump", "write the whole dataset",
                "Write the whole dataset: every named graph (nquads, trig, jsonld) or their union "
                "(turtle, ntriples).")
    add_store_options(p)
    p.add_argument("--format", choices=[*DATASET_FORMATS, *GRAPH_FORMATS], default="nquads", help="RDF syntax")
    p.add_argument("--output", "-o", metavar="FILE", help="write here (default: standard output)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    with opened_store(args, read_only=True) as store:
        if args.output:
            with open(args.output, "wb") as out:
                store.dump(args.format, out)
        else:
            store.dump(args.format, sys.stdout.buffer)
            sys.stdout.buffer.flush()
    return 0

"""`policykg analyze`: who owns what, as an agency network (policykg.analysis).

    policykg analyze [--store DIR] [--jurisdiction NAME] [--format table|json|csv] [--plot FILE.svg|png]
"""

from __future__ import annotations

import argparse
import sys

from policykg.cli.common import ProgressBar, add_store_options, command
from policykg.graph.namespaces import BASE


def add_parser(subparsers) -> None:
    p = command(subparsers, "analyze", "agency network: obligations, centrality, communities, collectives",
                "Build the agency network from the store (who owns which measures, who shares them) and "
                "print its figures: obligations per agency by role, weighted degree, betweenness, "
                "communities, collectives apart, diffused and leaderless measures, functions across cities.")
    add_store_options(p)
    p.add_argument("--base", metavar="IRI", help=f"base IRI of the data (default: {BASE})")
    p.add_argument("--jurisdiction", help="only the plans of this city or province (name, Wuhan, or 420100) "
                   "(default: all)")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table", help="output format")
    p.add_argument("--table", default="agencies", help="with --format csv: which table "
                   "(agencies, collectives, communities, diffused, leaderless, functions, jurisdictions)")
    p.add_argument("--max-owners", type=int, default=5, help="more agencies than this on one measure is diffused")
    p.add_argument("--topic", help="compare functions across cities on measures whose title contains this, "
                   "e.g. 融资 (default: all measures)")
    p.add_argument("--limit", type=int, default=15, help="rows per table in the terminal table")
    p.add_argument("--plot", metavar="FILE", help="draw the agency network into FILE.png or FILE.svg "
                   "(default: no picture)")
    p.add_argument("--write", action="store_true",
                   help="also write the figures into the store's named graph {base}graph/analysis")
    p.add_argument("--no-progress", action="store_true",
                   help="no progress bar (none is drawn anyway when stderr is not a terminal)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from policykg.analysis import (
        build_graphs,
        metrics,
        plot,
        render_csv,
        render_json,
        render_table,
        write_rdf,
    )
    from policykg.graph.store import open_store

    bar = ProgressBar() if not args.no_progress and sys.stderr.isatty() else None
    store = open_store(path=args.store, endpoint=args.endpoint, base=args.base, read_only=not args.write)
    try:
        network = build_graphs(store, progress=bar)
        figures = metrics(network, jurisdiction=args.jurisdiction, max_owners=args.max_owners,
                          topic=args.topic, progress=bar)
        if args.plot:
            if bar:
                bar(0, 1, "drawing")
            shown = network if not figures.summary.iri else _scoped(network, figures.summary.iri)
            plot(shown, figures, args.plot)
        if args.write:
            name = write_rdf(store, figures, base=args.base)
    finally:
        if bar:
            bar.clear()
        store.close()
    if args.format == "json":
        sys.stdout.write(render_json(figures))
    elif args.format == "csv":
        sys.stdout.write(render_csv(figures, args.table))
    else:
        sys.stdout.write(render_table(figures, limit=args.limit))
    if args.plot:
        print(f"policykg analyze: network drawn in {args.plot}", file=sys.stderr)
    if args.write:
        print(f"policykg analyze: figures written to the graph <{name}>", file=sys.stderr)
    return 0


def _scoped(network, jurisdiction: str):
    from policykg.analysis import restrict

    return restrict(network, jurisdiction)

"""Time every canned query (server/queries/*.rq, default parameters) on a store, beside a reference.

    python bench/bench_canned.py STORE [--reference-rev main]

The reference is the same query file at another git revision (default `main`), run on the same store,
so a change to a query's shape shows its cost at scale (build a big store first, e.g.
`python bench/generate.py /tmp/gen --documents 1000` then `policykg load /tmp/gen/texts/*.txt --store S`).
Prints rows and seconds for each, best of three runs.
"""

from __future__ import annotations

import argparse
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _best_of(store, query: str, runs: int = 3) -> tuple[int, float]:
    from policykg.graph.namespaces import PREFIXES

    best, rows = float("inf"), 0
    for _ in range(runs):
        start = time.perf_counter()
        rows = sum(1 for _ in store.query(query, use_default_graph_as_union=True, prefixes=PREFIXES))
        best = min(best, time.perf_counter() - start)
    return rows, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("store")
    parser.add_argument("--reference-rev", default="main")
    args = parser.parse_args()

    import pyoxigraph as ox
    from policykg.server.canned import load_all, parse_rq

    store = ox.Store.read_only(args.store)
    print(f"{'query':<24} {'rows':>7} {'seconds':>8}   {'reference rows':>14} {'seconds':>8}")
    for name, c in load_all().items():
        rows, secs = _best_of(store, c.render())
        ref = subprocess.run(["git", "-C", str(ROOT), "show", f"{args.reference_rev}:server/queries/{name}.rq"],
                             capture_output=True, text=True)
        if ref.returncode == 0:
            ref_rows, ref_secs = _best_of(store, parse_rq(name, ref.stdout).render())
            print(f"{name:<24} {rows:>7} {secs:>8.3f}   {ref_rows:>14} {ref_secs:>8.3f}")
        else:
            print(f"{name:<24} {rows:>7} {secs:>8.3f}   {'(none)':>14}")


if __name__ == "__main__":
    main()

"""Time `policykg analyze` on N documents, beside the SPARQL fetch alone.

    python bench/bench_analysis.py [--documents 1000] [--store DIR]

Without --store, a store of N documents is generated: the corpus is loaded once (the real
`policykg load`), then each document graph is copied with its division codes rewritten
(420100 -> 420100x17 in every IRI), so every copy is a new city with its own agencies, plans and
measures, loaded in bulk. Speed goals live here, not in timed tests.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_CODE = re.compile(rb"/(\d{6})(?=[/>])")
_DOC = re.compile(rb"(/graph/doc/[^>]+)>")


def _timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    print(f"{label:<46} {time.perf_counter() - start:8.3f} s")
    return result


def generate(documents: int, directory: Path) -> str:
    """A store of `documents` document graphs made from copies of the corpus."""
    import pyoxigraph as ox
    from policykg.graph.load import load_paths
    from policykg.graph.store import open_store

    seed = open_store(memory=True)
    load_paths(sorted((ROOT / "corpus").glob("*.txt")), seed)
    docs = [g for g in seed.graphs() if "/graph/doc/" in g]
    shared = [g for g in seed.graphs() if "/graph/doc/" not in g]
    text = {g: ox.serialize(seed.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(g)),
                            format=ox.RdfFormat.N_QUADS) for g in docs + shared}
    store = ox.Store(str(directory))
    store.bulk_load(b"".join(text[g] for g in shared), format=ox.RdfFormat.N_QUADS)
    chunk: list[bytes] = []
    for n in range(documents):
        k, g = divmod(n, len(docs))
        body = text[docs[g]]
        if k:  # copy k: new division codes and a new graph name
            tag = f"x{k}".encode()
            body = _CODE.sub(rb"/\1" + tag, body)
            body = _DOC.sub(rb"\1-" + tag + rb">", body)
        chunk.append(body)
        if len(chunk) == 50 or n == documents - 1:
            store.bulk_load(b"".join(chunk), format=ox.RdfFormat.N_QUADS)
            chunk = []
    store.flush()
    print(f"generated {documents} documents: {len(store)} quads")
    del store
    return str(directory)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--store", help="an existing store to analyse instead of a generated one")
    args = parser.parse_args()

    from policykg.analysis import build_graphs, metrics, to_rdf
    from policykg.analysis.network import (
        AGENTS_QUERY,
        MEASURES_QUERY,
        NAMES_QUERY,
        OWNERSHIP_QUERY,
        PLANS_QUERY,
    )
    from policykg.graph.store import open_store

    with tempfile.TemporaryDirectory(prefix="policykg-bench-analysis-") as tmp:
        path = args.store or _timed(f"generate a store of {args.documents} documents",
                                    lambda: generate(args.documents, Path(tmp) / "store"))
        store = open_store(path, read_only=True)
        queries = [OWNERSHIP_QUERY, MEASURES_QUERY, AGENTS_QUERY, PLANS_QUERY, NAMES_QUERY]
        rows = _timed("reference: the SPARQL fetch alone", lambda: sum(sum(1 for _ in store.query(q)) for q in queries))
        print(f"  {rows} rows")
        network = _timed("build_graphs (fetch + bipartite + projection)", lambda: build_graphs(store))
        print(f"  {len(network.agents)} agents, {len(network.measures)} measures, "
              f"{network.projection.number_of_nodes()} agencies, {network.projection.number_of_edges()} co-owning pairs")
        m = _timed("metrics (all plans, and per jurisdiction)", lambda: metrics(network))
        print(f"  {len(m.jurisdictions)} jurisdictions, {len(m.communities)} communities"
              + (f", betweenness from {m.betweenness_sources} sources" if m.betweenness_sources else ""))
        _timed("metrics of one jurisdiction", lambda: metrics(network, jurisdiction=network.jurisdictions()[0]))
        _timed("to_rdf", lambda: to_rdf(m))
        store.close()


if __name__ == "__main__":
    main()

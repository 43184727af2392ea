"""Time each stage of the pipeline on a corpus and print the numbers.

    python bench/bench_pipeline.py [TEXT_DIR] [--copies N]

Extraction, loading (with inference) into a fresh embedded store, validation
(pySHACL and the turbo engine) and three who-owns-what queries. Speed goals
live here, not in timed tests.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    print(f"{label:<42} {time.perf_counter() - start:8.3f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("texts", nargs="?", default=str(ROOT / "corpus"))
    parser.add_argument("--copies", type=int, default=1, help="load the corpus this many times (as distinct files)")
    args = parser.parse_args()

    from policykg.graph.load import load_paths
    from policykg.graph.store import open_store
    from policykg.loaders import extract_file
    from policykg.shapes import validate

    files = sorted(Path(args.texts).glob("*.txt"))
    records = _timed(f"extract {len(files)} files", lambda: [extract_file(f) for f in files])
    print(f"  measures {sum(len(r.measures) for r in records)}, "
          f"owners {sum(len(m.agencies) for r in records for m in r.measures)}")
    work = Path(tempfile.mkdtemp(prefix="policykg-bench-"))
    try:
        texts = work / "texts"
        texts.mkdir()
        for k in range(args.copies):
            for f in files:
                shutil.copy(f, texts / f"{k:03d}_{f.name}")
        store_dir = work / "store"
        writer = open_store(path=str(store_dir))
        _timed(f"load {args.copies}x corpus (with inference)", lambda: load_paths([str(texts)], store=writer))
        writer = None  # release the write lock before opening read-only
        store = open_store(path=str(store_dir), read_only=True)
        print(f"  quads {store.count()}")
        for engine in ("turbo", "pyshacl"):
            report = _timed(f"validate ({engine})", lambda e=engine: validate(store, engine=e))
            print(f"  results {len(report.results)}, conforms {report.conforms}")
        for path in sorted((ROOT / "graph" / "queries").glob("*.rq")):
            query = path.read_text(encoding="utf-8")
            rows = _timed(f"query {path.stem}", lambda q=query: list(store.query(q)))
            print(f"  rows {len(rows)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

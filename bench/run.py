"""Benchmark every stage at several sizes, each figure beside its reference measured in the same run.

    python bench/run.py [--sizes 100,1000,10000] [--work DIR] [--plot docs/performance.png] [--no-http]

For each size N, documents come from bench/generate.py (seeded: the same N gives the same texts).
Each stage runs in a fresh process, so its peak RSS is its own:

- extract: `policykg.loaders.extract_file` over every text, in one process and on every core
  (a process pool), against the floor of any extractor: read + decode + OpenCC + one regex pass.
- load: `load_paths` of the extracted records (.jsonl: extraction is not counted twice) into a
  fresh on-disk store, against pyoxigraph's `bulk_load` of the very quads it wrote.
- query: p50 / p99 of three lookups (ASK, one measure's owners, one agency's measures) and the
  canned queries through our store API, against pyoxigraph's own `Store.query` on the same store;
  and through HTTP (`policykg serve`) unless --no-http.
- validate: `policykg.shapes.validate` (default engine, enriched report) against the engine alone
  (pyshacl-turbo handed the pyoxigraph Store). Apache Jena SHACL is used when its `shacl`
  command is on PATH, else a note says so. Sizes above --validate-max are skipped with a note
  (the rdflib copy of ~1,000 triples a document is what bounds it).

Prints one table per size and a summary of how cost grows; writes the figures as JSON beside the
work directory and, with --plot, a PNG of seconds per stage against N. Speed goals live here, not
in timed tests; tests/test_bench_smoke.py runs it on 10 documents so it cannot rot.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUERIES = {
    "ASK": "ASK { ?a pkg:owns ?m }",
    "one measure": "SELECT DISTINCT ?a WHERE { <{measure}> pkg:responsibleAgency ?a }",
    "agency → measures": "SELECT DISTINCT ?m WHERE { <{agency}> pkg:owns ?m }",
}
REPEAT = 50  # lookups; canned queries run CANNED_REPEAT times, once when the first run is slow
CANNED_REPEAT = 3
SLOW = 5.0
CANNED_LIMIT = 60.0  # seconds: a canned query still running then is stopped (pyoxigraph cannot cancel)


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _in_child(fn, *args):
    """Run fn(*args) in a fresh process; returns its result (a dict) with its peak RSS added."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(_measured, fn, *args).result()


def _measured(fn, *args) -> dict:
    out = fn(*args)
    out["rss_mib"] = _rss_mib()
    return out


# ------------------------------------------------------------------------------------------ extract


def _floor_one(path: str) -> int:
    """What any extractor must do: read, decode, convert the script, one regex pass."""
    import opencc

    global _CONVERTER
    if "_CONVERTER" not in globals():
        _CONVERTER = opencc.OpenCC("t2s")
    text = Path(path).read_bytes().decode("utf-8")
    return sum(1 for _ in re.finditer(r"[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+\.", _CONVERTER.convert(text)))


def _extract_one(path: str) -> str:
    from policykg.loaders import extract_file

    return extract_file(path).to_json()


def stage_extract(files: list[str], records: str) -> dict:
    size = sum(os.path.getsize(f) for f in files)
    _floor_one(files[0])  # warm up: OpenCC's dictionaries, our word lists and regexes load once
    _extract_one(files[0])
    t0 = time.perf_counter()
    for f in files:
        _floor_one(f)
    floor = time.perf_counter() - t0
    t0 = time.perf_counter()
    lines = [_extract_one(f) for f in files]
    one = time.perf_counter() - t0
    Path(records).write_text("\n".join(lines) + "\n", encoding="utf-8")
    cores = os.cpu_count() or 1
    with ProcessPoolExecutor(max_workers=cores, mp_context=get_context("spawn")) as pool:
        list(pool.map(_extract_one, files[:cores]))  # start and warm every worker first
        t0 = time.perf_counter()
        list(pool.map(_extract_one, files, chunksize=max(1, len(files) // (cores * 8))))
        every = time.perf_counter() - t0
    return {"bytes": size, "docs": len(files), "one": one, "all": every, "floor": floor, "cores": cores}


# --------------------------------------------------------------------------------------------- load


def stage_load(records: str, store: str) -> dict:
    from policykg.graph.load import load_paths
    from policykg.graph.store import open_store

    writer = open_store(path=store)
    summary = load_paths([records], writer, errors=lambda m: None)
    writer.close()
    return {"seconds": summary.seconds, "inference": summary.inference_seconds, "docs": summary.documents,
            "failed": summary.failed, "quads": len(writer.oxigraph)}


def stage_bulk_load(store: str, scratch: str) -> dict:
    import pyoxigraph as ox

    dump = Path(scratch) / "dump.nq"
    ox.Store.read_only(store).dump(str(dump), ox.RdfFormat.N_QUADS)
    fresh = ox.Store(str(Path(scratch) / "bulk"))
    t0 = time.perf_counter()
    fresh.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    fresh.flush()
    return {"seconds": time.perf_counter() - t0, "quads": len(fresh)}


# -------------------------------------------------------------------------------------------- query


def _queries(store) -> dict[str, str]:
    """The lookups with IRIs of this store filled in, and the canned queries."""
    measure = next(iter(store.query("SELECT ?m WHERE { ?m pkg:responsibleAgency ?a } LIMIT 1")))["m"].value
    agency = next(iter(store.query("SELECT ?a WHERE { ?a pkg:owns ?m } LIMIT 1")))["a"].value
    out = {k: q.replace("{measure}", measure).replace("{agency}", agency) for k, q in QUERIES.items()}
    for rq in sorted((ROOT / "graph" / "queries").glob("*.rq")):
        out[f"canned {rq.stem}"] = rq.read_text(encoding="utf-8")
    return out


def _percentiles(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples), samples[min(len(samples) - 1, int(0.99 * len(samples)))]


def _run_query(store_dir: str, q: str, n: int, conn) -> None:
    """In a child: n timings of `q` through our API and through pyoxigraph alone."""
    from policykg.graph.namespaces import PREFIXES
    from policykg.graph.store import open_store

    store = open_store(path=store_dir, read_only=True)
    head = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
    ours, ref = [], []
    for _ in range(n):
        if ours and ours[0] > SLOW:
            break
        t0 = time.perf_counter()
        res = store.query(q)
        bool(res) if q.lstrip().startswith("ASK") else list(res)
        ours.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        res = store.oxigraph.query(head + q, use_default_graph_as_union=True)
        bool(res) if q.lstrip().startswith("ASK") else list(res)
        ref.append(time.perf_counter() - t0)
    conn.send({"ours": _percentiles(ours), "ref": _percentiles(ref), "rss_mib": _rss_mib()})


def stage_query(store_dir: str) -> dict:
    """Each query in a child process of its own, stopped after CANNED_LIMIT seconds."""
    from policykg.graph.store import open_store

    queries = _queries(open_store(path=store_dir, read_only=True))
    ctx = get_context("spawn")
    out: dict = {"rss_mib": 0.0}
    for name, q in queries.items():
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_run_query, args=(store_dir, q, REPEAT if not name.startswith("canned")
                                                    else CANNED_REPEAT, child))
        proc.start()
        if parent.poll(CANNED_LIMIT * (2 if not name.startswith("canned") else 1)):
            got = parent.recv()
            out["rss_mib"] = max(out["rss_mib"], got.pop("rss_mib"))
            out[name] = got
        else:
            out[name] = {"stopped": CANNED_LIMIT}
        proc.terminate()
        proc.join()
    return out


def http_query(store_dir: str, queries: dict[str, str]) -> dict:
    """p50/p99 through `policykg serve` (one worker, loopback), or {} when it does not start."""
    import socket

    import requests

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = str(Path(sys.executable).with_name("policykg"))
    proc = subprocess.Popen([exe, "serve", "--store", store_dir, "--port", str(port), "--workers", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=dict(os.environ, POLICYKG_ACCESS_LOG=""))
    url = f"http://127.0.0.1:{port}/sparql"
    try:
        for _ in range(600):
            try:
                requests.get(url, params={"query": "ASK {}"}, timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        out = {}
        with requests.Session() as session:
            for name, q in queries.items():
                samples = []
                for _ in range(REPEAT if not name.startswith("canned") else CANNED_REPEAT):
                    if samples and samples[0] > SLOW:
                        break
                    t0 = time.perf_counter()
                    r = session.post(url, data={"query": q}, headers={"Accept": "application/sparql-results+json"},
                                     timeout=CANNED_LIMIT + 30)
                    if r.status_code != 200:
                        out[name] = f"HTTP {r.status_code} after {time.perf_counter() - t0:.0f} s"
                        break
                    samples.append(time.perf_counter() - t0)
                else:
                    out[name] = _percentiles(samples)
        return out
    except requests.RequestException:
        return {}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


# ----------------------------------------------------------------------------------------- validate


def stage_validate(store_dir: str) -> dict:
    from policykg.shapes import validate

    t0 = time.perf_counter()
    report = validate(store_dir)
    return {"seconds": time.perf_counter() - t0, "results": len(report.results), "triples": report.data_triples,
            "engine": report.engine}


def stage_validate_engine(store_dir: str) -> dict:
    import pyoxigraph as ox
    import pyshacl_turbo
    from policykg.shapes.loading import load_shapes

    shapes = load_shapes()
    store = ox.Store.read_only(store_dir)
    t0 = time.perf_counter()
    _conforms, report, _text = pyshacl_turbo.validate(store, shacl_graph=shapes, advanced=False, allow_infos=False,
                                                      allow_warnings=False, abort_on_first=False)
    from rdflib.namespace import SH

    return {"seconds": time.perf_counter() - t0, "results": len(set(report.subjects(None, SH.ValidationResult)))}


# ------------------------------------------------------------------------------------------- driver


def _generate(n: int, work: Path) -> list[str]:
    sys.path.insert(0, str(Path(__file__).parent))
    import generate

    texts = work / "texts"
    files = sorted(texts.glob("*.txt")) if texts.is_dir() else []
    if len(files) != n:
        shutil.rmtree(work, ignore_errors=True)
        files = generate.generate(work, n)
    return [str(f) for f in sorted(files)]


def run_size(n: int, work: Path, http: bool, validate_max: int) -> dict:
    """Every stage at `n` documents; returns the figures (also what the table prints)."""
    files = _generate(n, work)
    records, store = str(work / "records.jsonl"), str(work / "store")
    shutil.rmtree(store, ignore_errors=True)
    shutil.rmtree(work / "scratch", ignore_errors=True)
    (work / "scratch").mkdir()
    fig: dict = {"documents": n}
    fig["extract"] = _in_child(stage_extract, files, records)
    fig["load"] = _in_child(stage_load, records, store)
    fig["bulk_load"] = _in_child(stage_bulk_load, store, str(work / "scratch"))
    shutil.rmtree(work / "scratch", ignore_errors=True)
    fig["query"] = stage_query(store)
    if http:
        from policykg.graph.store import open_store

        queries = _queries(open_store(path=store, read_only=True))
        fig["http"] = http_query(store, queries)
    if n <= validate_max:
        fig["validate"] = _in_child(stage_validate, store)
        fig["validate_engine"] = _in_child(stage_validate_engine, store)
    return fig


def _row(stage: str, what: str, ours: str, ref: str, ratio: str, rss: str = "") -> str:
    return f"| {stage} | {what} | {ours} | {ref} | {ratio} | {rss} |"


def table(fig: dict, http: bool, validate_max: int) -> str:
    """The markdown table of one size: each figure beside its reference, and their ratio."""
    n, ex, ld, bl = fig["documents"], fig["extract"], fig["load"], fig["bulk_load"]
    mb = ex["bytes"] / 1e6
    rows = [f"#### {n:,} documents ({mb:.1f} MB of text, {ld['quads']:,} quads)", "",
            "| stage | figure | policykg | reference (same run) | ratio | peak RSS |", "|---|---|---|---|---|---|"]
    one, every, floor = mb / ex["one"], mb / ex["all"] / ex["cores"], mb / ex["floor"]
    rows.append(_row("extract", "MB/s, one process", f"{one:.2f} ({n / ex['one']:.0f} docs/s)",
                     f"{floor:.1f} (read+decode+OpenCC+regex)", f"{one / floor:.2f}", f"{ex['rss_mib']:.0f} MiB"))
    rows.append(_row("extract", f"MB/s per core, {ex['cores']} processes",
                     f"{every:.2f} ({n / ex['all']:.0f} docs/s in all)", "", "", ""))
    rows.append(_row("load", "seconds (records → store)", f"{ld['seconds']:.1f} (inference {ld['inference']:.1f})",
                     f"{bl['seconds']:.1f} (bulk_load of the same quads)", f"{bl['seconds'] / ld['seconds']:.0%} of its rate",
                     f"{ld['rss_mib']:.0f} MiB"))
    for name, q in fig["query"].items():
        if name == "rss_mib":
            continue
        if "stopped" in q:
            rows.append(_row("query (API)", f"{name}", f"stopped after {q['stopped']:.0f} s", "", ""))
            continue
        (p50, p99), (r50, r99) = q["ours"], q["ref"]
        rows.append(_row("query (API)", f"{name} p50 / p99 ms", f"{p50 * 1e3:.2f} / {p99 * 1e3:.2f}",
                         f"{r50 * 1e3:.2f} / {r99 * 1e3:.2f} (pyoxigraph)", f"{p50 / r50:.2f}×",
                         f"{fig['query']['rss_mib']:.0f} MiB"))
    for name, got in fig.get("http", {}).items():
        if isinstance(got, str) or "stopped" in fig["query"][name]:
            rows.append(_row("query (HTTP)", name, got if isinstance(got, str) else "", "", ""))
            continue
        (p50, p99), r50 = got, fig["query"][name]["ref"][0]
        rows.append(_row("query (HTTP)", f"{name} p50 / p99 ms", f"{p50 * 1e3:.2f} / {p99 * 1e3:.2f}",
                         f"{r50 * 1e3:.2f} (pyoxigraph in process)", f"{p50 / r50:.1f}×"))
    if http and not fig.get("http"):
        rows.append(_row("query (HTTP)", "", "no answer from `policykg serve`", "", ""))
    if "validate" in fig:
        va, ve = fig["validate"], fig["validate_engine"]
        rows.append(_row("validate", f"seconds, {va['triples']:,} triples, {va['results']} results ({va['engine']})",
                         f"{va['seconds']:.1f}", f"{ve['seconds']:.1f} (pyshacl-turbo alone on the Store, "
                         f"{ve['results']} results)", f"{va['seconds'] / ve['seconds']:.2f}×", f"{va['rss_mib']:.0f} MiB"))
        jena = shutil.which("shacl")
        rows.append(_row("validate", "Apache Jena SHACL", "", "not run: `shacl` is not on PATH (Debian has no "
                         "jena package; Jena's binary distribution provides it)" if not jena else f"found at {jena}: "
                         "not wired in yet", ""))
    else:
        rows.append(_row("validate", "", f"skipped above --validate-max {validate_max}", "", ""))
    return "\n".join(rows)


def growth(figs: list[dict]) -> str:
    """How each stage's cost per document changes from the smallest to the largest size."""
    if len(figs) < 2:
        return ""
    a, b = figs[0], figs[-1]
    na, nb = a["documents"], b["documents"]
    lines = [f"Cost per document from {na:,} to {nb:,} documents (1.00 = linear):", ""]
    for stage, key in (("extract", lambda f: f["extract"]["one"]), ("load", lambda f: f["load"]["seconds"]),
                       ("bulk_load", lambda f: f["bulk_load"]["seconds"])):
        lines.append(f"- {stage}: {key(b) / nb / (key(a) / na):.2f}× "
                     f"(peak RSS {a.get(stage, {}).get('rss_mib', 0):.0f} → {b.get(stage, {}).get('rss_mib', 0):.0f} MiB)")
    return "\n".join(lines)


def plot(figs: list[dict], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ns = [f["documents"] for f in figs]
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    series = {"extract (1 process)": [f["extract"]["one"] for f in figs],
              "load (records → store)": [f["load"]["seconds"] for f in figs],
              "bulk_load (reference)": [f["bulk_load"]["seconds"] for f in figs]}
    if all("validate" in f for f in figs):
        series["validate (default engine)"] = [f["validate"]["seconds"] for f in figs]
    for label, ys in series.items():
        ax.plot(ns, ys, marker="o", label=label)
    ax.set(xscale="log", yscale="log", xlabel="documents", ylabel="seconds",
           title=f"policykg stages on {os.cpu_count()} cores")
    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000", help="document counts, comma-separated (default: 100,1000)")
    parser.add_argument("--work", type=Path, help="working directory (kept; default: a temporary one, removed)")
    parser.add_argument("--plot", type=Path, help="draw seconds per stage against size into this PNG")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP query figures")
    parser.add_argument("--merge", type=Path, action="append", default=[],
                        help="figures of earlier runs (--json files) to add to the growth summary and the plot")
    parser.add_argument("--validate-max", type=int, default=2000, help="validate only up to this many documents")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    work = args.work or Path(tempfile.mkdtemp(prefix="policykg-bench-"))
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, load average "
          f"{os.getloadavg()[0]:.1f} at start", flush=True)
    figs = [f for path in args.merge for f in json.loads(path.read_text(encoding="utf-8"))]
    try:
        for n in sizes:
            fig = run_size(n, work / f"n{n}", not args.no_http, args.validate_max)
            figs.append(fig)
            print("\n" + table(fig, not args.no_http, args.validate_max), flush=True)
        figs.sort(key=lambda f: f["documents"])
        print("\n" + growth(figs))
        if args.json:
            args.json.write_text(json.dumps(figs, indent=1), encoding="utf-8")
        if args.plot:
            plot(figs, args.plot)
            print(f"\nplot: {args.plot}")
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

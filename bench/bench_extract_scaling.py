"""Is extraction linear in the size of its input? Throughput per size, beside the floor.

    python bench/bench_extract_scaling.py [--sizes 1 5 20] [--timeout 600] [--skip-dev] [--skip-hostile]

For each size, one document made by concatenating documents of `bench/generate.py` (seeded, so the
same bytes every run) is extracted in a child process; times are CPU seconds of that process (one
core: a busy shared machine stretches wall time, not this), and the table prints MB/s, the peak
resident memory of that child, and the same text's *floor*: read + decode + OpenCC (line by line,
as the loaders convert) + one pass of the item-marker regex. The last column is the seconds per MB
divided by the smallest size's: 1.0 is linear, a quadratic extractor doubles it each time the
size doubles. Hostile inputs follow (10,000 numbered items, a million nested brackets, a page of
one line, a long table), then the dev sets (tests/data/dev, tests/data/unseen/dev, corpus/) file
by file, one process.

Speed goals live here, never in timed tests: issue 19 asks for >= 5 MB/s per core and a ratio
near 1.0 from 1 to 20 MB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

_CHILD = r"""
import json, resource, sys, time
from policykg.loaders import extract_file
start = time.process_time()
record = extract_file(sys.argv[1], max_bytes=int(sys.argv[2]))
seconds = time.process_time() - start
try:  # this process's own peak (ru_maxrss would count the parent's pages it started from)
    status = open("/proc/self/status").read()
    peak_kb = int(status.split("VmHWM:")[1].split()[0])
except (OSError, IndexError):
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "measures": len(record.measures), "rss_mb": peak_kb / 1024}))
"""


def floor_seconds(path: Path) -> float:
    """read + decode + OpenCC + one regex pass: what any extractor of this text must pay."""
    from policykg.loaders.structure import MARKER
    from policykg.loaders.textnorm import to_simplified

    start = time.process_time()
    text = path.read_bytes().decode("utf-8")
    simplified = "\n".join(to_simplified(line) for line in text.split("\n"))
    sum(1 for _ in MARKER.finditer(simplified))
    return time.process_time() - start


def run_child(path: Path, timeout: float, max_bytes: int) -> dict | None:
    """Extract `path` in a fresh interpreter; None when it takes longer than `timeout`."""
    try:
        done = subprocess.run([sys.executable, "-c", _CHILD, str(path), str(max_bytes)], capture_output=True, text=True,
                              timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return None
    # the imports' own start-up is not the extractor's: the child times extraction alone
    return json.loads(done.stdout.strip().splitlines()[-1])


def concatenated(texts: list[bytes], megabytes: float, out: Path) -> Path:
    """Whole generated documents one after the other until `megabytes` is reached."""
    target = int(megabytes * 1_000_000)
    parts, size, k = [], 0, 0
    while size < target:
        part = texts[k % len(texts)] + b"\n\n"
        parts.append(part)
        size += len(part)
        k += 1
    path = out / f"concat-{megabytes:g}MB.txt"
    path.write_bytes(b"".join(parts))
    return path


def hostile_inputs(texts: list[bytes], out: Path) -> list[tuple[str, Path]]:
    """The inputs of issue 15 that took minutes: many items, deep brackets, one line, a long table."""
    cases = []

    def write(name: str, text: str) -> None:
        path = out / f"{name}.txt"
        path.write_text(text, encoding="utf-8")
        cases.append((name, path))

    write("10000-items", "关于推进工作的实施方案\n一、重点任务\n"
          + "".join(f"（{k}）加强工作协调，落实责任分工（责任单位：市发改委）。\n" for k in range(1, 10001)))
    write("1M-nested-brackets", "一、重点任务\n（一）" + "（" * 500_000 + "）" * 500_000 + "\n")
    write("1M-open-brackets", "一、重点任务\n（一）" + "（〔[" * 333_334 + "\n")
    one_line = b" ".join(texts[:400]).decode("utf-8").replace("\n", " ")
    write("one-line-1MB", one_line)
    rows = "".join(f"{k}\n推进第{k}项重点工作，完成率达到{k % 90 + 10}%\n市发改委\n市财政局\n2025年底前\n"
                   for k in range(1, 20001))
    write("table-20000-rows", "重点任务分解表\n序号\n重点任务\n牵头单位\n配合单位\n完成时限\n" + rows)
    return cases


def dev_files() -> list[Path]:
    dirs = [ROOT / "tests/data/dev/extra/texts", ROOT / "tests/data/dev/web/texts", ROOT / "tests/data/unseen/dev/texts",
            ROOT / "corpus"]
    return sorted(p for d in dirs for p in d.glob("*.txt"))


def dev_throughput() -> tuple[int, float, float, float]:
    """(files, MB, extraction seconds, floor seconds) over the dev sets, in this process."""
    from policykg.loaders import ExtractionError, extract_file

    files = dev_files()
    extract_file(files[0])  # warm the vocabularies and OpenCC
    size = sum(p.stat().st_size for p in files) / 1e6
    start = time.process_time()
    for path in files:
        try:
            extract_file(path)
        except ExtractionError:
            pass
    seconds = time.process_time() - start
    floor = sum(floor_seconds(p) for p in files)
    return len(files), size, seconds, floor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 5, 20], help="document sizes in MB")
    parser.add_argument("--timeout", type=float, default=900, help="give up on one input after this many seconds")
    parser.add_argument("--max-bytes", type=int, default=256 * 2 ** 20,
                        help="the extraction size limit in the children (the default limit is below the largest sizes)")
    parser.add_argument("--skip-dev", action="store_true", help="no dev-set figures")
    parser.add_argument("--skip-hostile", action="store_true", help="no hostile inputs")
    args = parser.parse_args()

    from generate import generate

    with tempfile.TemporaryDirectory(prefix="policykg-scaling-") as tmp:
        out = Path(tmp)
        texts = [p.read_bytes() for p in generate(out / "gen", 400, seed=7)]
        print(f"{'input':<22} {'MB':>6} {'seconds':>8} {'MB/s':>7} {'floor MB/s':>10} {'x floor':>7} "
              f"{'peak RSS MB':>11} {'s/MB vs first':>14}")
        first = None
        rows = [(f"concat {size:g} MB", concatenated(texts, size, out)) for size in args.sizes]
        if not args.skip_hostile:
            rows += hostile_inputs(texts, out)
        for name, path in rows:
            mb = path.stat().st_size / 1e6
            floor = floor_seconds(path)
            result = run_child(path, args.timeout, args.max_bytes)
            if result is None:
                print(f"{name:<22} {mb:6.2f} {'> ' + str(int(args.timeout)):>8} {'':>7} {mb / floor:10.1f}   (timed out)")
                continue
            per_mb = result["seconds"] / mb
            if first is None and name.startswith("concat"):
                first = per_mb
            ratio = f"{per_mb / first:14.2f}" if name.startswith("concat") else f"{'':>14}"
            print(f"{name:<22} {mb:6.2f} {result['seconds']:8.2f} {mb / result['seconds']:7.2f} {mb / floor:10.1f} "
                  f"{result['seconds'] / floor:7.1f} {result['rss_mb']:11.0f} {ratio}", flush=True)
    if not args.skip_dev:
        n, mb, seconds, floor = dev_throughput()
        print(f"{'dev sets (' + str(n) + ' files)':<22} {mb:6.2f} {seconds:8.2f} {mb / seconds:7.2f} "
              f"{mb / floor:10.1f} {seconds / floor:7.1f}")


if __name__ == "__main__":
    main()

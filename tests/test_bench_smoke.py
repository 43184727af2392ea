"""bench/run.py on 10 documents, so the benchmark cannot rot: every stage runs and prints its figure
beside its reference. Speeds are printed, never asserted."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_benchmark_runs_every_stage_on_ten_documents(tmp_path):
    out_json, png = tmp_path / "figures.json", tmp_path / "perf.png"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", "10", "--work", str(tmp_path / "work"),
         "--json", str(out_json), "--plot", str(png)],
        capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    table = proc.stdout
    rows = [line for line in table.splitlines() if line.startswith("| ") and not line.startswith("| stage")]
    stages = {line.split("|")[1].strip() for line in rows}
    assert {"extract", "load", "query (API)", "query (HTTP)", "validate"} <= stages, table
    # each measured row shows policykg's figure, the reference's and their ratio
    load = next(line for line in rows if line.startswith("| load |"))
    assert re.search(r"\| [\d.]+ \(inference [\d.]+\) \| [\d.]+ \(bulk_load of the same quads\) \| \d+% of its rate \|"
                     r" \d+ MiB \|", load), load
    asks = [line for line in rows if "| ASK p50 / p99 ms |" in line]
    assert len(asks) == 2 and all(re.search(r"\| [\d.]+ / [\d.]+ \| [\d.]+.* \| [\d.]+× \|", a) for a in asks), asks
    figures = json.loads(out_json.read_text(encoding="utf-8"))
    assert figures[0]["documents"] == 10 and figures[0]["load"]["docs"] == 10 and figures[0]["load"]["failed"] == 0
    # the store the benchmark loaded holds every quad bulk_load took, and validation saw them
    assert figures[0]["bulk_load"]["quads"] == figures[0]["load"]["quads"]
    assert figures[0]["validate"]["results"] == figures[0]["validate_engine"]["results"] > 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

"""Mutation testing of loaders/ and graph/ with cosmic-ray: the mutation score and the surviving mutants.

Not part of CI (a full run is hours: every mutant reruns tests). How it stays affordable:
- each module is tested by the fast tests that concern it (TESTS below), with `pytest -x` so a killed
  mutant stops at the first failure;
- mutants are sampled: --sample N keeps N mutants per package, drawn with a fixed --seed from all
  of cosmic-ray's mutants of its modules (the others are marked skipped in the session database);
  --sample 0 runs them all;
- the run happens in a copy of the repository (--workdir), imported through a `policykg` shim on
  PYTHONPATH, so the worktree is never mutated and other test runs are not disturbed.

    .venv/bin/python bench/mutation.py                      # loaders and graph, 60 mutants each
    .venv/bin/python bench/mutation.py --package loaders --module figures.py --sample 0

Prints, per package and overall, killed / survived / incompetent and the score
killed / (killed + survived), then every surviving mutant as a diff. Exit code 0 always (a report).
"""

from __future__ import annotations

import argparse
import ast
import functools
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
REFERENCE = 0.90  # issue 18's bar for the mutation score
ROOMS = ["loaders", "graph", "shapes", "server", "cli", "analysis", "ontology"]

PYTEST = [PYTHON, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"]
LOADER_TESTS = ["tests/test_loaders_figures.py", "tests/test_loaders_clauses.py", "tests/test_loaders_reading.py",
                "tests/test_records.py", "tests/test_vocabulary.py", "tests/test_meaning.py", "-k", "not graph"]
GRAPH_TESTS = ["tests/test_graph_build.py", "tests/test_graph_gazetteer.py", "tests/test_graph_infer.py",
               "tests/test_store_oxigraph.py", "tests/test_iris.py", "tests/test_graph_corpus.py",
               "tests/test_meaning.py"]
# module -> the tests that concern it (default: the package's whole fast set)
TESTS: dict[str, list[str]] = {
    "loaders/reading.py": ["tests/test_loaders_reading.py", "tests/test_records.py"],
    "loaders/records.py": ["tests/test_records.py", "tests/test_loaders_reading.py"],
    "loaders/vocabulary.py": ["tests/test_vocabulary.py", "tests/test_loaders_figures.py",
                              "tests/test_loaders_clauses.py"],
    "graph/iris.py": ["tests/test_iris.py", "tests/test_graph_build.py"],
    "graph/gazetteer.py": ["tests/test_graph_gazetteer.py", "tests/test_graph_build.py"],
    "graph/store.py": ["tests/test_store_oxigraph.py", "tests/test_graph_corpus.py"],
    "graph/infer.py": ["tests/test_graph_infer.py", "tests/test_graph_corpus.py"],
}
PACKAGES = {"loaders": LOADER_TESTS, "graph": GRAPH_TESTS}


def copy_repo(work: Path) -> Path:
    """The repository's code, data and tests in `work/repo`, importable as policykg via `work/shim`."""
    repo = work / "repo"
    ignore = shutil.ignore_patterns("__pycache__", "node_modules", "*.pyc", ".pytest_cache")
    for room in [*ROOMS, "tests", "corpus"]:
        shutil.copytree(ROOT / room, repo / room, ignore=ignore, symlinks=True)
    shutil.copy2(ROOT / "pyproject.toml", repo / "pyproject.toml")
    shim = work / "shim" / "policykg"
    shim.mkdir(parents=True)
    for room in ROOMS:
        (shim / room).symlink_to(repo / room, target_is_directory=True)
    return repo


def environment(work: Path) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(work / "shim"), PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTEST_ADDOPTS", None)
    return env


def check_shim(repo: Path, env: dict) -> None:
    out = subprocess.run([PYTHON, "-c", "import policykg.loaders, policykg.graph as g; print(g.__file__)"],
                         cwd=repo, env=env, capture_output=True, text=True, check=True).stdout.strip()
    if not out.startswith(str(repo.parent)):
        sys.exit(f"the copy is not the code under test (policykg.graph from {out})")


def session_for(repo: Path, env: dict, module: str, timeout: float) -> Path:
    tests = TESTS.get(module) or PACKAGES[module.split("/")[0]]
    command = " ".join(_quote(a) for a in [*PYTEST, *tests])
    cfg = repo / f"cr-{module.replace('/', '-')}.toml"
    cfg.write_text(
        "[cosmic-ray]\n"
        f"module-path = {json.dumps(module)}\n"
        f"timeout = {timeout}\n"
        "excluded-modules = []\n"
        f"test-command = {json.dumps(command)}\n"
        "[cosmic-ray.distributor]\nname = \"local\"\n",
        encoding="utf-8",
    )
    db = cfg.with_suffix(".sqlite")
    subprocess.run([PYTHON, "-m", "cosmic_ray.cli", "init", str(cfg), str(db)], cwd=repo, env=env, check=True)
    return db


def _quote(a: str) -> str:
    return f"'{a}'" if " " in a else a


def job_ids(db: Path) -> list[str]:
    with sqlite3.connect(db) as con:
        return [r[0] for r in con.execute("SELECT job_id FROM work_items ORDER BY job_id")]


def skip(db: Path, ids: list[str]) -> None:
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    with use_db(str(db), WorkDB.Mode.open) as wdb:
        for job in ids:
            wdb.set_result(job, WorkResult(worker_outcome=WorkerOutcome.SKIPPED, output="not sampled"))


@functools.cache
def annotation_spans(path: Path) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Where the type annotations are: with `from __future__ import annotations` they are never
    evaluated, so a mutant inside one (str | None -> str + None) cannot change behaviour: equivalent."""
    spans = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        for ann in [getattr(node, "annotation", None), getattr(node, "returns", None)]:
            if ann is not None:
                spans.append(((ann.lineno, ann.col_offset), (ann.end_lineno, ann.end_col_offset)))
    return spans


def equivalent(db: Path, repo: Path) -> list[str]:
    """Job ids of the mutants that only touch annotations (marked skipped, counted apart)."""
    from cosmic_ray.work_db import WorkDB, use_db

    out = []
    with use_db(str(db), WorkDB.Mode.open) as wdb:
        for item in wdb.pending_work_items:
            [m] = item.mutations
            if any(a <= tuple(m.start_pos) and tuple(m.end_pos) <= b for a, b in annotation_spans(repo / m.module_path)):
                out.append(item.job_id)
    return out


def results(db: Path) -> list[dict]:
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome

    out = []
    with use_db(str(db), WorkDB.Mode.open) as wdb:
        for item, result in wdb.completed_work_items:
            if result.worker_outcome == WorkerOutcome.SKIPPED:
                continue
            [m] = item.mutations
            out.append({"module": str(m.module_path), "line": m.start_pos[0], "operator": m.operator_name,
                        "outcome": (result.test_outcome or result.worker_outcome).value, "diff": result.diff or ""})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--package", choices=sorted(PACKAGES), action="append", help="default: loaders and graph")
    ap.add_argument("--module", action="append", help="only these files of the package (e.g. figures.py)")
    ap.add_argument("--sample", type=int, default=60, help="mutants per package (0: all)")
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per mutant's test run")
    ap.add_argument("--workdir", help="keep the copy and sessions here (default: a temporary directory)")
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args(argv)

    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="policykg-mutation-"))
    if work.exists() and any(work.iterdir()):
        sys.exit(f"{work} is not empty")
    repo = copy_repo(work)
    env = environment(work)
    check_shim(repo, env)
    rng = random.Random(args.seed)
    everything: list[dict] = []
    for package in args.package or ["loaders", "graph"]:
        modules = sorted(str(p.relative_to(repo)) for p in (repo / package).glob("*.py"))
        if args.module:
            modules = [m for m in modules if Path(m).name in args.module]
        sessions = {m: session_for(repo, env, m, args.timeout) for m in modules}
        equiv = {m: set(equivalent(db, repo)) for m, db in sessions.items()}
        for m, db in sessions.items():
            skip(db, sorted(equiv[m]))
        n_equiv = sum(len(v) for v in equiv.values())
        print(f"{package}: {n_equiv} mutants only touch annotations (never evaluated): equivalent, not run")
        pool = [(m, j) for m, db in sessions.items() for j in job_ids(db) if j not in equiv[m]]
        chosen = set(pool if args.sample <= 0 else rng.sample(pool, min(args.sample, len(pool))))
        print(f"{package}: {len(pool)} mutants in {len(modules)} modules, running {len(chosen)}", flush=True)
        for module, db in sessions.items():
            skip(db, [j for j in job_ids(db) if (module, j) not in chosen and j not in equiv[module]])
            if not any(m == module for m, _ in chosen):
                continue
            subprocess.run([PYTHON, "-m", "cosmic_ray.cli", "exec", str(db.with_suffix(".toml")), str(db)],
                           cwd=repo, env=env, check=True)
            done = results(db)
            everything += done
            print(f"  {module}: " + ", ".join(f"{o} {sum(r['outcome'] == o for r in done)}"
                                             for o in ("killed", "survived", "incompetent")), flush=True)
        report(package, [r for r in everything if r["module"].startswith(package + "/")])
    report("overall", everything)
    survivors = [r for r in everything if r["outcome"] == "survived"]
    print(f"\nsurviving mutants ({len(survivors)}):")
    for r in survivors:
        print(f"\n--- {r['module']}:{r['line']} ({r['operator']})\n{r['diff'].strip()}")
    if args.json:
        Path(args.json).write_text(json.dumps(everything, ensure_ascii=False, indent=1), encoding="utf-8")
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def report(name: str, rows: list[dict]) -> None:
    killed = sum(r["outcome"] == "killed" for r in rows)
    survived = sum(r["outcome"] == "survived" for r in rows)
    other = len(rows) - killed - survived
    score = killed / (killed + survived) if killed + survived else float("nan")
    print(f"{name}: mutation score {score:.1%} (reference >= {REFERENCE:.0%}): {killed} killed, "
          f"{survived} survived, {other} incompetent or errored, of {len(rows)} run", flush=True)


if __name__ == "__main__":
    sys.exit(main())

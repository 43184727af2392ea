"""The score floors of tests/test_extract_scores.py are one item deep on every set and metric: from the
counts the scorer reports on today's extraction, losing one item (a missed owner, figure, measure, a
wrong comparator or title) must take the score below its floor. This fails when a floor is left far
under an improved score (raise the floor) or when a set grows so large that 0.0005 is less than one item."""

from __future__ import annotations

import subprocess

import pytest
from conftest import POLICYKG, SCORER
from test_extract_scores import DATA, MEASURED, TEXTS, _flat, _scorer

MARGIN = 0.0005  # the floors sit this far under the measured scores
ROUNDING = 0.00005  # the scorer rounds to 4 decimals


def one_item(counts: dict) -> float:
    """How much F1 = 2tp/(pred+gold) falls when one true positive is lost (a missed item)."""
    tp, s = counts["tp"], counts["pred"] + counts["gold"]
    if tp == 0:
        return 1.0
    return 2 * tp / s - 2 * (tp - 1) / (s - 1)


@pytest.mark.parametrize("texts", sorted(MEASURED))
def test_losing_one_item_fails_every_floor(texts, tmp_path):
    assert SCORER.exists(), f"the scorer is missing: {SCORER}"
    scorer = _scorer()
    gold_dir, measured = MEASURED[texts]
    out = tmp_path / "out.jsonl"
    proc = subprocess.run([POLICYKG, "extract", *map(str, sorted(TEXTS[texts].glob("*.txt"))), "--output", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    gold = scorer.load_gold(DATA / gold_dir)
    result = scorer.score(gold, scorer.load_pred(out))
    got = _flat(result)
    drops = {k: one_item(v) for k, v in result.items() if isinstance(v, dict) and "tp" in v}
    drops["comparator_accuracy"] = 1 / max(1, result["figures"]["tp"])
    for key in result["metadata_accuracy"]:
        drops[key] = 1 / max(1, sum(1 for d in gold.values() if d.get(key) is not None))
    shallow = {}
    for metric, floor in measured.items():
        # the score one item worse than today's, against the floor the test enforces
        worse = got[metric] - drops[metric]
        if worse + ROUNDING >= floor - MARGIN:
            shallow[metric] = {"today": got[metric], "floor": floor, "one item": round(drops[metric], 5)}
    assert not shallow, f"{texts}: a one-item loss would still pass these floors: {shallow}"

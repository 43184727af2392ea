"""The extractor's scores on the annotated development documents, as ../shared/eval/score.py computes them."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

SHARED = Path(os.environ.get("POLICYKG_SHARED", Path(__file__).resolve().parents[2] / "shared"))
POLICYKG = str(Path(sys.executable).with_name("policykg"))


def _scorer():
    spec = importlib.util.spec_from_file_location("score", SHARED / "eval" / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run_extract(texts: list[Path], tmp_path: Path) -> Path:
    out = tmp_path / "out.jsonl"
    result = subprocess.run([POLICYKG, "extract", *map(str, texts), "--format", "jsonl", "--output", str(out)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return out


@pytest.fixture(scope="module")
def scorer():
    return _scorer()


@pytest.mark.parametrize(
    ("texts", "gold", "floors"),
    [
        ("corpus", "dev/gold", {"owner": 0.98, "measures": 0.98, "figures": 0.90, "comparator": 0.95}),
        ("dev/extra/texts", "dev/extra/gold", {"owner": 0.97, "measures": 0.97, "figures": 0.90, "comparator": 0.95}),
    ],
)
def test_scores_stay_above_the_floors(scorer, tmp_path, texts, gold, floors):
    out = _run_extract(sorted((SHARED / texts).glob("*.txt")), tmp_path)
    result = scorer.score(scorer.load_gold(SHARED / gold), scorer.load_pred(out))
    assert result["owner"]["f1"] >= floors["owner"]
    assert result["measures"]["f1"] >= floors["measures"]
    assert result["figures"]["f1"] >= floors["figures"]
    assert result["comparator_accuracy"] >= floors["comparator"]
    assert result["lead"]["f1"] >= 0.95
    assert result["inherited"]["f1"] >= 0.95


def test_every_offset_cuts_its_own_text(tmp_path):
    """Measures, titles, mentions and figures point at exactly their text in the decoded file."""
    from policykg.loaders import read_text

    out = _run_extract(sorted((SHARED / "corpus").glob("*.txt")) + sorted((SHARED / "dev/extra/texts").glob("*.txt")),
                       tmp_path)
    checked = 0
    for line in out.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        text = read_text(record["path"])
        assert record["length"] == len(text)
        for m in record["measures"]:
            assert re.sub(r"\s*\n\s*", "", text[m["title_start"]:m["title_end"]].strip()) == m["title"]
            assert m["start"] <= m["title_start"] <= m["title_end"] <= m["end"]
            for f in m["figures"]:
                assert text[f["start"]:f["end"]] == f["text"]
                checked += 1
            for mention in m["mentions"]:
                if not mention["restored"]:
                    assert text[mention["start"]:mention["end"]] == mention["name"]
                checked += 1
        for plan in record["plans"]:
            assert plan["start"] < plan["end"] <= len(text)
    assert checked > 1000

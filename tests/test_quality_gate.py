"""Corpus quality gate: score the real seed articles with the shared scorer against pinned floors.

Floors live in tests/quality_floors.json; raise them when the extractor improves,
never lower them silently.
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "corpus" / "seeds"
FLOORS = json.loads((ROOT / "tests" / "quality_floors.json").read_text())


@pytest.mark.skipif(not SEEDS.exists(), reason="../shared corpus not beside the repo")
def test_seed_scores_meet_floors(tmp_path):
    out = tmp_path / "seeds.jsonl"
    cli = [sys.executable, "-m", "claimledger", "extract", str(SEEDS / "docs"), "--out", str(out)]
    subprocess.run(cli, check=True, capture_output=True, text=True)
    res = subprocess.run([sys.executable, str(SHARED / "eval" / "score.py"), "--gold", str(SEEDS / "gold.jsonl"),
                          "--pred", str(out), "--docs", str(SEEDS / "docs"), "--json"],
                         check=True, capture_output=True, text=True)
    score = json.loads(res.stdout)
    assert score["offset_problem_count"] == 0, score["offset_problems"]
    assert score["claims"]["f1"] >= FLOORS["claims_f1"], score["claims"]
    assert score["attribute_mean"] >= FLOORS["attribute_mean"], score["attribute_accuracy"]
    for attr, floor in FLOORS["attributes"].items():
        assert score["attribute_accuracy"][attr] >= floor, (attr, score["attribute_accuracy"])

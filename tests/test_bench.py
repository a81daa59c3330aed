"""Smoke test of bench/run.py: a tiny run completes, prints its table and writes result.json.

No timing is asserted (the machines are shared and noisy): ratios are for the
bench's own output. The accuracy comparison is asserted: claimledger's claim
F1 on the seed gold is above quantulum3's.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"

pytest.importorskip("quantulum3", reason="the bench extra is not installed: pip install -e '.[bench]'")

pytestmark = pytest.mark.skipif(
    not (SHARED / "corpus" / "voa" / "stories.jsonl").exists()
    or not (SHARED / "corpus" / "seeds" / "gold.jsonl").exists()
    or not (SHARED / "eval" / "score.py").exists(),
    reason="needs ../shared (VOA stories, seed gold, scorer)")


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("bench-out")
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--docs", "10", "--no-rss", "--no-warmup",
         "--out-dir", str(out_dir)],
        capture_output=True, text=True, timeout=300, cwd=str(ROOT))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout, json.loads((out_dir / "result.json").read_text(encoding="utf-8"))


def test_table_names_the_contenders_and_ratios(bench_run):
    stdout, _ = bench_run
    for needle in ("claimledger (Extractor.stream, batched)", "quantulum3 (parser.parse)", "spaCy en_core_web_sm",
                   "claimledger / quantulum3", "claimledger / spaCy", ">= 25x", ">= 2x",
                   "claim F1 difference", "attribute mean difference"):
        assert needle in stdout, needle
    assert "PASS" in stdout or "FAIL" in stdout


def test_result_json_has_speed_and_accuracy(bench_run):
    _, res = bench_run
    tp = res["throughput"]
    assert res["config"]["docs"] == 10
    for key in ("claimledger", "quantulum3", "spacy", "cli"):
        assert isinstance(tp[key]["docs_s"], float) and tp[key]["docs_s"] > 0, key
    for key in ("vs_quantulum3", "vs_spacy"):
        assert tp["ratios"][key]["value"] > 0 and isinstance(tp["ratios"][key]["pass"], bool)
    assert tp["claimledger"]["found"] > 0 and tp["quantulum3"]["found"] > 0
    # every contender ran pinned to a single core
    for key in ("claimledger", "quantulum3", "spacy"):
        assert len(tp[key]["cpus"]) == 1, key
    acc = res["accuracy"]
    f1_cl, f1_q = acc["claimledger"]["claims"]["f1"], acc["quantulum3"]["claims"]["f1"]
    assert 0.0 <= f1_q < f1_cl <= 1.0
    assert acc["claimledger"]["offset_problem_count"] == 0
    assert acc["quantulum3"]["offset_problem_count"] == 0
    assert acc["f1_difference"]["value"] == pytest.approx(f1_cl - f1_q)
    assert "workers_scaling" not in res and "rss" not in res


def test_corpus_copies_have_new_ids_and_distinct_texts(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import corpus
    finally:
        sys.path.remove(str(ROOT / "bench"))
    path = corpus.write_corpus(tmp_path / "c.jsonl", 130)
    recs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(recs) == 130
    assert len({r["id"] for r in recs}) == 130
    assert len({r["text"] for r in recs}) == 130
    assert not any(c.isdigit() for r in recs for c in r["text"].rsplit("(bench copy ", 1)[1])

"""Load: 50 concurrent clients, 2,000 requests, against a real ``claimledger serve`` over 100,000+ claims.

The ledger is built by bench/load.py: the 59 VOA stories through the real
``claimledger ingest``, then their rows replicated in DuckDB under new doc_ids.
The first request that needs the cross-document checks computes them over the
whole ledger (cached after); it is made, and timed, before the load. Every answer
must be a 200. The figures are printed (run with -s to see them); nothing is
asserted about speed, the machines are shared.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import load  # noqa: E402  (bench/load.py)

pytestmark = pytest.mark.skipif(not load.VOA.exists(), reason="needs ../shared/corpus/voa/stories.jsonl")

CLIENTS = 50
REQUESTS = 2000


def test_fifty_clients_over_100k_claims(tmp_path: Path) -> None:
    db = tmp_path / "load.duckdb"
    build = load.build_ledger(db, claims=100_000)
    assert build["claims"] >= 100_000
    assert load.ledger_counts(db) == (build["documents"], build["claims"])
    result = load.measure(db, clients=CLIENTS, requests=REQUESTS)
    print("\n" + load.summary(result))
    for name, figures in result["by_endpoint"].items():
        print(f"  {name:22s} {figures['requests']:5d} requests  p50 {figures['p50_ms']:8.1f} ms  "
              f"p95 {figures['p95_ms']:8.1f} ms")
    assert result["requests"] == REQUESTS and result["clients"] == CLIENTS
    assert result["errors"] == 0 and result["non_200"] == 0, result["error_samples"]
    assert result["claims"] >= 100_000
    assert all(f["requests"] > 0 for f in result["by_endpoint"].values())

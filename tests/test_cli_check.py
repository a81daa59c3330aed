"""``claimledger check`` as a subprocess on the real seed articles, scored with the shared scorer."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEEDS = SHARED / "corpus" / "seeds"
FINDINGS_F1_FLOOR = 0.80

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared corpus not beside the repo")


def test_check_on_the_seeds_reaches_the_findings_floor_with_the_hectares_conversion(run_cli, tmp_path):
    claims, findings = tmp_path / "C.jsonl", tmp_path / "F.jsonl"
    r = run_cli("extract", SEEDS / "articles.jsonl", "--out", claims)
    assert r.returncode == 0, r.stderr
    r = run_cli("check", "--claims", claims, "--docs", SEEDS / "articles.jsonl", "--out", findings,
                "--figures", tmp_path / "FIG.jsonl")
    assert r.returncode == 0, r.stderr
    assert "claims checked" in r.stderr
    rows = [json.loads(line) for line in findings.read_text().splitlines()]
    assert all(row["message"] and row["claims"] for row in rows)
    hectares = [row for row in rows if row["kind"] == "conversion_mismatch"]
    assert [(c["doc_id"]) for c in hectares[0]["claims"]] == ["seed-004", "seed-004"]
    score = subprocess.run(
        [sys.executable, str(SHARED / "eval" / "score.py"), "--gold", str(SEEDS / "gold.jsonl"),
         "--pred", str(claims), "--gold-findings", str(SEEDS / "findings.jsonl"),
         "--pred-findings", str(findings), "--json"], capture_output=True, text=True, check=True)
    result = json.loads(score.stdout)["findings"]
    assert result["conversion_mismatch"]["tp"] == 1
    assert result["all"]["f1"] >= FINDINGS_F1_FLOOR, result
    figures = [json.loads(line) for line in (tmp_path / "FIG.jsonl").read_text().splitlines()]
    territory = [f for f in figures if f["indicator"]["counted"] == "territory" and f["value"] == 93]
    assert territory and territory[0]["single_primary_source"] is True


def test_check_reports_bad_claim_lines_and_goes_on(run_cli, tmp_path):
    docs = tmp_path / "a.txt"
    docs.write_text("Engineers demined 24 hectares (2.6 square feet) near the river.\n", encoding="utf-8")
    claims = tmp_path / "C.jsonl"
    r = run_cli("extract", docs, "--out", claims)
    assert r.returncode == 0, r.stderr
    good = len(claims.read_text(encoding="utf-8").splitlines())
    with claims.open("a", encoding="utf-8") as f:
        f.write("{not json\n")
        f.write('{"doc_id": "a"}\n')
    r = run_cli("check", "--claims", claims, "--docs", docs)
    assert r.returncode == 1
    errors = [line for line in r.stderr.splitlines() if "error" in line]
    assert any(f"{claims}:{good + 1}: not a claim" in e for e in errors), r.stderr
    assert any(f"{claims}:{good + 2}: not a claim: missing start, end, surface" in e for e in errors), r.stderr
    assert "Traceback" not in r.stderr
    kinds = [json.loads(line)["kind"] for line in r.stdout.splitlines()]
    assert kinds == ["conversion_mismatch"]


def test_check_usage_errors_name_the_problem(run_cli, tmp_path):
    r = run_cli("check", "--claims", tmp_path / "missing.jsonl")
    assert r.returncode == 2 and "no such claims file" in r.stderr
    r = run_cli("check", "--db", tmp_path / "missing.duckdb")
    assert r.returncode == 2 and "no such ledger" in r.stderr


def test_check_on_a_ledger_stores_the_findings_it_prints(run_cli, tmp_path):
    db = tmp_path / "seeds.duckdb"
    r = run_cli("ingest", SEEDS / "articles.jsonl", "--db", db, "--quiet")
    assert r.returncode == 0, r.stderr
    r = run_cli("check", "--db", db, "--out", tmp_path / "F.jsonl")
    assert r.returncode == 0, r.stderr
    printed = [json.loads(line) for line in (tmp_path / "F.jsonl").read_text().splitlines()]
    assert {f["kind"] for f in printed} >= {"conversion_mismatch", "conflict", "series"}
    r = run_cli("export", "--db", db, "--what", "findings", "--format", "jsonl")
    assert r.returncode == 0, r.stderr
    stored = [json.loads(line) for line in r.stdout.splitlines()]
    assert [(f["kind"], f["claims"]) for f in stored] == [(f["kind"], f["claims"]) for f in printed]
    # checking again replaces the findings instead of adding to them
    assert run_cli("check", "--db", db, "--out", tmp_path / "F2.jsonl").returncode == 0
    again = run_cli("export", "--db", db, "--what", "findings", "--format", "jsonl").stdout.splitlines()
    assert len(again) == len(stored)


def test_check_from_files_links_a_reprint_like_ingest_does(run_cli, tmp_path):
    story = ("Since the corridor opened, 14,250 civilians have left the eastern districts of Kavar, according "
             "to the Relief Coordination Office, which runs the registration desks at the fairground. The army "
             "controls more than 80% of the city, a military spokesman said, adding that 26 neighborhoods had "
             "been retaken since the offensive began and that the road to the coast was open again.")
    later = "The army controls 95% of Kavar, a military spokesman said, and the road to the coast is open."
    feed = tmp_path / "feed.jsonl"
    rows = [{"id": "wire", "text": story, "outlet": "Wire"},
            {"id": "reprint", "text": story + " Edited for length by the Courier.", "outlet": "Courier"},
            {"id": "later", "text": later, "outlet": "Daily"}]
    feed.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    claims = tmp_path / "C.jsonl"
    assert run_cli("extract", feed, "--out", claims).returncode == 0
    r = run_cli("check", "--claims", claims, "--docs", feed, "--figures", tmp_path / "FIG.jsonl")
    assert r.returncode == 0, r.stderr
    series = [json.loads(line) for line in r.stdout.splitlines() if '"series"' in line]
    assert len(series) == 1
    assert {c["doc_id"] for c in series[0]["claims"]} == {"wire", "later"}
    figures = [json.loads(line) for line in (tmp_path / "FIG.jsonl").read_text().splitlines()]
    eighty = next(f for f in figures if f["value"] == 80)
    assert set(eighty["outlets"]) == {"Wire", "Courier"} and eighty["single_primary_source"]

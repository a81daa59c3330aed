"""``claimledger ingest`` and ``claimledger export``, run as subprocesses on real files and ledgers."""
from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import pty
import re
import struct
import subprocess
import termios
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from claimledger.ledger import Ledger
from claimledger.model import Finding
from conftest import claimledger_command

RunCli = Callable[..., subprocess.CompletedProcess[str]]

SEEDS = Path(__file__).resolve().parents[1].parent / "shared/corpus/seeds/articles.jsonl"
SEED_FINDINGS = SEEDS.with_name("findings.jsonl")
TABLES = ("documents", "claims", "rejections", "findings", "minhash_signatures", "minhash_bands", "meta")
SUMMARY = re.compile(r"^claimledger: ingested (\d+) documents \((\d+) new, (\d+) updated, (\d+) unchanged, "
                     r"(\d+) duplicates\), (\d+) claims, (\d+) rejected -> (.+)$")

GOOD_A = ("Shelters fill up\n\nMore than 1,200 people were evacuated on Sunday, including 300 children, "
          "according to the Relief Office. \"We delivered 45 tonnes of flour,\" said Nadia Karim.\n")
GOOD_B = "Some 80 shops reopened in the old market on Thursday, the chamber of commerce said.\n"


def table_counts(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("claimledger: error: ")]


def summary(stderr: str) -> tuple[str, ...]:
    lines = [m.groups() for m in map(SUMMARY.match, stderr.splitlines()) if m]
    assert len(lines) == 1, stderr
    return lines[0]


def test_ingesting_the_seeds_twice_leaves_every_table_as_it_was(run_cli: RunCli, tmp_path: Path) -> None:
    db = tmp_path / "seeds.duckdb"
    first = run_cli("ingest", SEEDS, "--db", db)
    assert first.returncode == 0, first.stderr
    read, new, updated, unchanged, dups, claims, rejected, where = summary(first.stderr)
    assert (read, new, unchanged, rejected, where) == ("5", "5", "0", "0", str(db))
    counts = table_counts(db)
    assert counts["documents"] == 5 and counts["claims"] == int(claims) > 0
    second = run_cli("ingest", SEEDS, "--db", db, "--quiet")
    assert second.returncode == 0, second.stderr
    assert summary(second.stderr)[:7] == ("5", "0", "0", "5", "0", "0", "0")
    assert table_counts(db) == counts
    assert first.stdout == second.stdout == ""


@pytest.fixture
def mixed_folder(tmp_path: Path) -> Path:
    """Two good articles, an empty file, and a JSONL file with one good line and one malformed line."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "shelters.txt").write_text(GOOD_A, encoding="utf-8")
    (folder / "market.txt").write_text(GOOD_B, encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "wire.jsonl").write_text(
        json.dumps({"id": "wire-1", "text": "At least 12 people were killed, police said."}) + "\n"
        + '{"id": "wire-2", "text": "broken\n', encoding="utf-8")
    return folder


def test_bad_files_are_reported_kept_in_the_ledger_and_the_rest_stored(run_cli: RunCli, mixed_folder: Path,
                                                                       tmp_path: Path) -> None:
    db = tmp_path / "mixed.duckdb"
    for _ in range(2):
        result = run_cli("ingest", mixed_folder, "--db", db)
        assert result.returncode == 1
        errors = error_lines(result.stderr)
        assert len(errors) == 2, result.stderr
        assert any(str(mixed_folder / "empty.txt") in e and "empty file" in e for e in errors)
        assert any(f"{mixed_folder / 'wire.jsonl'}:2: malformed JSON" in e for e in errors)
        assert summary(result.stderr)[6] == "2"
        assert "Traceback" not in result.stderr
    with Ledger(db, read_only=True) as led:
        assert sorted(d.doc_id for d in led.iter_documents()) == ["market", "shelters", "wire-1"]
        assert {c.doc_id for c in led.iter_claims()} == {"market", "shelters", "wire-1"}
        rows = led.connection.execute(
            "SELECT source, line, reason, times FROM rejections ORDER BY source").fetchall()
    assert [(Path(s).name, line, times) for s, line, _, times in rows] == [("empty.txt", None, 2),
                                                                           ("wire.jsonl", 2, 2)]
    assert rows[0][2] == "empty file" and rows[1][2].startswith("malformed JSON")


def test_changed_text_is_updated_and_a_copy_is_linked(run_cli: RunCli, tmp_path: Path) -> None:
    db, folder = tmp_path / "l.duckdb", tmp_path / "in"
    folder.mkdir()
    (folder / "story.txt").write_text(GOOD_A, encoding="utf-8")
    assert run_cli("ingest", folder, "--db", db).returncode == 0
    (folder / "story.txt").write_text(GOOD_B, encoding="utf-8")
    (folder / "z-copy.txt").write_text(GOOD_B, encoding="utf-8")  # read after story.txt
    result = run_cli("ingest", folder, "--db", db)
    assert result.returncode == 0, result.stderr
    assert summary(result.stderr)[:5] == ("2", "1", "1", "0", "1")
    with Ledger(db, read_only=True) as led:
        assert [c.surface for c in led.iter_claims("story")] == ["Some 80"]
        assert led.duplicates() == {"z-copy": "story"}
        assert list(led.iter_claims("z-copy")) == []


@pytest.fixture(scope="module")
def full_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds, one rejected file and the seed findings in one ledger."""
    folder = tmp_path_factory.mktemp("export")
    (folder / "empty.txt").write_bytes(b"")
    db = folder / "full.duckdb"
    result = subprocess.run([*claimledger_command(), "ingest", str(SEEDS), str(folder / "empty.txt"),
                             "--db", str(db)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr
    with Ledger(db) as led:
        led.replace_findings(Finding.from_dict(json.loads(line))
                             for line in SEED_FINDINGS.read_text().splitlines() if line.strip())
    return db


@pytest.mark.parametrize("what", ["claims", "documents", "findings", "rejections"])
@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_export_round_trips(run_cli: RunCli, full_ledger: Path, tmp_path: Path, what: str, fmt: str) -> None:
    out = tmp_path / f"{what}.{fmt}"
    result = run_cli("export", "--db", full_ledger, "--what", what, "--format", fmt, "--out", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
    expected = table_counts(full_ledger)[what]
    assert expected > 0
    source = {"jsonl": "read_json('{p}', format='newline_delimited')", "csv": "read_csv('{p}')",
              "parquet": "'{p}'"}[fmt].format(p=out)
    with duckdb.connect() as con:
        assert con.execute(f"SELECT count(*) FROM {source}").fetchone() == (expected,)
        columns = [d[0] for d in con.execute(f"SELECT * FROM {source} LIMIT 0").description]
    if what == "claims":
        assert columns == ["doc_id", "start", "end", "surface", "value", "high", "qualifier", "unit",
                           "counted", "event", "speaker", "location", "part_of", "sentence_start",
                           "sentence_end", "extractor_version"]
    if fmt != "parquet":  # without --out the same text goes to stdout
        to_stdout = run_cli("export", "--db", full_ledger, "--what", what, "--format", fmt)
        assert to_stdout.returncode == 0 and to_stdout.stdout == out.read_text(encoding="utf-8")


def test_exported_claims_match_what_extract_prints(run_cli: RunCli, full_ledger: Path) -> None:
    exported = run_cli("export", "--db", full_ledger, "--what", "claims", "--format", "jsonl")
    extracted = run_cli("extract", SEEDS)
    assert exported.returncode == extracted.returncode == 0
    contract = [json.loads(line) for line in extracted.stdout.splitlines()]
    stored = [json.loads(line) for line in exported.stdout.splitlines()]
    assert [{k: v for k, v in c.items() if k in contract[0]} for c in stored] == contract


def test_export_needs_an_existing_ledger_and_never_creates_one(run_cli: RunCli, tmp_path: Path) -> None:
    db = tmp_path / "nothing-here.duckdb"
    result = run_cli("export", "--db", db, "--what", "claims", "--format", "jsonl")
    assert result.returncode == 2
    assert error_lines(result.stderr) == [f"claimledger: error: {db}: no such ledger"]
    assert not db.exists()


def test_parquet_needs_an_output_file(run_cli: RunCli, full_ledger: Path) -> None:
    result = run_cli("export", "--db", full_ledger, "--what", "claims", "--format", "parquet")
    assert result.returncode == 2 and result.stdout == ""
    assert error_lines(result.stderr) == ["claimledger: error: parquet is binary: give --out FILE"]


def test_bad_choices_are_usage_errors(run_cli: RunCli, full_ledger: Path) -> None:
    assert run_cli("export", "--db", full_ledger, "--what", "people", "--format", "csv").returncode == 2
    assert run_cli("export", "--db", full_ledger, "--what", "claims", "--format", "xml").returncode == 2
    assert run_cli("ingest", "--db", full_ledger).returncode == 2  # no PATH


@pytest.mark.parametrize("command", ["ingest", "export"])
def test_a_corrupted_ledger_is_one_error_line(run_cli: RunCli, tmp_path: Path, command: str) -> None:
    db = tmp_path / "corrupt.duckdb"
    db.write_bytes(bytes(range(256)) * 64)
    before = db.read_bytes()
    args = [SEEDS] if command == "ingest" else ["--what", "claims", "--format", "jsonl"]
    result = run_cli(command, *args, "--db", db)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert error_lines(result.stderr) == [
        f"claimledger: error: {db}: not a DuckDB ledger (the file is something else, or damaged)"]
    assert db.read_bytes() == before


def test_a_ledger_in_use_by_another_process_is_one_error_line(run_cli: RunCli, tmp_path: Path) -> None:
    db = tmp_path / "busy.duckdb"
    with Ledger(db):  # this test process holds the write lock
        result = run_cli("ingest", SEEDS, "--db", db, "--wait", "0")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    (line,) = error_lines(result.stderr)
    assert line.startswith(f"claimledger: error: {db}: ledger is in use by another process")


def test_a_ledger_in_a_missing_folder_is_one_error_line(run_cli: RunCli, tmp_path: Path) -> None:
    db = tmp_path / "no" / "such" / "folder" / "l.duckdb"
    result = run_cli("ingest", SEEDS, "--db", db)
    assert result.returncode == 2
    assert error_lines(result.stderr) == [
        f"claimledger: error: {db}: cannot open file: No such file or directory"]


def test_the_default_ledger_is_in_the_current_folder(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(GOOD_B, encoding="utf-8")
    result = run_cli("ingest", "a.txt", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert summary(result.stderr)[7] == "claimledger.duckdb"
    assert (tmp_path / "claimledger.duckdb").exists()
    exported = run_cli("export", "--what", "documents", "--format", "csv", cwd=tmp_path)
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert [(r["doc_id"], r["text"]) for r in rows] == [("a", GOOD_B)]


def test_a_terminal_gets_a_progress_bar(tmp_path: Path, mixed_folder: Path) -> None:
    primary, secondary = pty.openpty()
    # tqdm draws nothing on a terminal with no rows, which is what a fresh pty reports
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    try:
        proc = subprocess.Popen([*claimledger_command(), "ingest", str(mixed_folder), "--db",
                                 str(tmp_path / "tty.duckdb")], stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=secondary)
        os.close(secondary)
        chunks = []
        while True:
            try:
                chunk = os.read(primary, 4096)
            except OSError:  # the other end closed
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert proc.wait(timeout=300) == 1
    finally:
        os.close(primary)
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert "docs" in shown and "claims" in shown  # the bar: documents read, claims stored
    assert "malformed JSON" in shown and "claimledger: ingested 3 documents" in shown

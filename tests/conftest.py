"""Shared fixtures: where the bundled example corpus is, and how to run the real command."""
from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_CORPUS = ROOT / "examples" / "corpus"


def claimledger_command() -> list[str]:
    """The installed console script next to this Python, else ``python -m claimledger``."""
    script = Path(sys.executable).with_name("claimledger")
    return [str(script)] if script.exists() else [sys.executable, "-m", "claimledger"]


def example_document_count() -> int:
    """Documents the example corpus holds: one per .txt/.html file, one per JSONL/CSV record."""
    n = 0
    for path in EXAMPLE_CORPUS.rglob("*"):
        if path.suffix in (".txt", ".html", ".htm"):
            n += 1
        elif path.suffix == ".jsonl":
            n += sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
        elif path.suffix == ".csv":
            n += sum(1 for line in path.read_text(encoding="utf-8").splitlines()[1:] if line.strip())
    return n


@pytest.fixture(scope="session")
def example_corpus() -> Path:
    return EXAMPLE_CORPUS


@pytest.fixture(scope="session")
def run_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``claimledger ARGS...`` as a subprocess and return the finished process (text mode)."""

    def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*claimledger_command(), *map(str, args)], capture_output=True, text=True,
                              encoding="utf-8", cwd=cwd, timeout=300, stdin=subprocess.DEVNULL)

    return run


# Every column of every table except the clock's (ingested_at, first_seen, last_seen, created_at).
LEDGER_QUERIES = {
    "documents": "SELECT * EXCLUDE (ingested_at) FROM documents ORDER BY doc_id",
    "claims": "SELECT * FROM claims ORDER BY doc_id, start",
    "rejections": "SELECT * EXCLUDE (first_seen, last_seen) FROM rejections ORDER BY source, line_key, reason",
    "minhash_signatures": "SELECT * FROM minhash_signatures ORDER BY doc_id",
    "minhash_bands": "SELECT * FROM minhash_bands ORDER BY doc_id, band",
}


def ledger_rows(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of a ledger, comparable across runs (clock columns left out)."""
    with duckdb.connect(str(db), read_only=True) as con:
        return {table: con.execute(sql).fetchall() for table, sql in LEDGER_QUERIES.items()}

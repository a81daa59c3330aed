"""The Ray engine on a local Ray instance: the same ledger as the local engine, Parquet parts, idempotent."""
from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from claimledger.extract.pipeline import EXTRACTOR_VERSION, get_extractor
from claimledger.ingest import read_paths
from claimledger.ledger import Ledger
from conftest import ledger_rows

RunCli = Callable[..., subprocess.CompletedProcess[str]]

SEEDS = Path(__file__).resolve().parents[2] / "shared/corpus/seeds/articles.jsonl"


@pytest.fixture(scope="module")
def ray_local() -> Iterator[Any]:
    ray = pytest.importorskip("ray")
    pytest.importorskip("ray.data")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The seeds, an exact copy of one under another id, a malformed line and an empty file."""
    folder = tmp_path_factory.mktemp("in")
    first = json.loads(SEEDS.read_text(encoding="utf-8").splitlines()[0])
    (folder / "extra.jsonl").write_text(json.dumps({**first, "id": "copy-of-first"}) + "\n{broken\n",
                                        encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    return [SEEDS, folder]


@pytest.fixture(scope="module")
def local_rows(inputs: list[Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[Any, ...]]]:
    db = tmp_path_factory.mktemp("local") / "local.duckdb"
    with Ledger(db) as led:
        stats = led.ingest(read_paths(inputs), get_extractor().extract, EXTRACTOR_VERSION)
    assert (stats.added, stats.duplicates_exact, stats.rejected) == (6, 1, 2)
    return ledger_rows(db)


def test_ray_ingest_stores_what_the_local_engine_stores_and_a_rerun_changes_nothing(
        ray_local: Any, inputs: list[Path], local_rows: dict[str, list[tuple[Any, ...]]], tmp_path: Path) -> None:
    from claimledger.engine import ray_backend

    db, parts = tmp_path / "ray.duckdb", tmp_path / "parts"
    with Ledger(db) as led:
        stats, run = ray_backend.ingest(led, read_paths(inputs), EXTRACTOR_VERSION, parts=parts)
    assert (stats.read, stats.added, stats.duplicates_exact, stats.rejected, stats.failed) == (6, 6, 1, 2, 0)
    assert (run.staged, run.sent, run.extracted_in_driver) == (8, 5, 0)  # the exact copy is not sent
    rows = ledger_rows(db)
    assert rows == local_rows
    assert len(rows["claims"]) > 50

    # the parts: every document shard, todo shard and claim part is Parquet that DuckDB reads
    claim_parts = sorted((parts / "claims").glob("*.parquet"))
    assert claim_parts and sorted((parts / "docs").glob("*.parquet")) and sorted((parts / "todo").glob("*.parquet"))
    with duckdb.connect() as con:
        glob = str(parts / "claims" / "*.parquet")
        markers, claims = con.execute("SELECT count(*) FILTER (WHERE start IS NULL), "
                                      "count(*) FILTER (WHERE start IS NOT NULL) FROM read_parquet(?)",
                                      [glob]).fetchone()
    assert (markers, claims) == (5, len(rows["claims"]))

    with Ledger(db) as led:
        again, rerun = ray_backend.ingest(led, read_paths(inputs), EXTRACTOR_VERSION, parts=parts)
    assert (again.unchanged, again.added, again.updated, again.claims_added) == (6, 0, 0, 0)
    assert rerun.sent == 0 and rerun.actors == 0  # nothing to extract: Ray was not asked
    after = ledger_rows(db)
    assert {**after, "rejections": None} == {**rows, "rejections": None}
    assert [r[:-1] for r in after["rejections"]] == [r[:-1] for r in rows["rejections"]]  # counted again


@pytest.mark.parametrize("args, message", [
    (["--parts", "p"], "--ray-address and --parts go with --engine ray"),
    (["--ray-address", "auto"], "--ray-address and --parts go with --engine ray"),
    (["--engine", "ray", "--ray-address", "auto"], "--ray-address needs --parts DIR"),
])
def test_ray_options_are_checked_before_anything_runs(run_cli: RunCli, tmp_path: Path, args: list[str],
                                                      message: str) -> None:
    db = tmp_path / "l.duckdb"
    result = run_cli("ingest", SEEDS, "--db", db, *args)
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert not db.exists()


def test_without_ray_installed_ingest_engine_ray_is_one_error_line(tmp_path: Path) -> None:
    import sys

    db = tmp_path / "l.duckdb"
    hide_ray = ("import sys\nsys.modules['ray'] = None  # as if not installed: 'import ray' raises ImportError\n"
                "from claimledger.cli import main\nsys.exit(main(sys.argv[1:]))\n")
    result = subprocess.run([sys.executable, "-c", hide_ray, "ingest", str(SEEDS), "--db", str(db), "--engine",
                             "ray"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("claimledger: error: --engine ray needs Ray")
    assert not db.exists()

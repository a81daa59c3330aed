"""The local engine: the same claims in the same order for any number of worker processes, streaming."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from claimledger.engine import LocalEngine, extract_stream
from claimledger.ingest import read_paths
from claimledger.model import Document
from conftest import EXAMPLE_CORPUS, claimledger_command, ledger_rows

RunCli = Callable[..., subprocess.CompletedProcess[str]]

SEEDS = Path(__file__).resolve().parents[2] / "shared/corpus/seeds/articles.jsonl"



def documents(*paths: Path) -> list[Document]:
    return [d for d in read_paths(paths) if isinstance(d, Document)]


def as_records(results: Iterator[tuple[Document, Any]]) -> list[tuple[str, Any]]:
    out = []
    for doc, result in results:
        if isinstance(result, Exception):
            out.append((doc.doc_id, f"{type(result).__name__}: {result}"))
        else:
            out.append((doc.doc_id, [c.to_dict() for c in result]))
    return out


@pytest.fixture(scope="module")
def corpus() -> list[Document]:
    docs = documents(SEEDS, EXAMPLE_CORPUS)
    assert len(docs) >= 15
    return docs


@pytest.fixture(scope="module")
def in_process(corpus: list[Document]) -> list[tuple[str, Any]]:
    return as_records(extract_stream(corpus, workers=1))


def test_two_workers_give_the_same_claims_in_the_same_order(corpus: list[Document],
                                                            in_process: list[tuple[str, Any]]) -> None:
    assert [doc_id for doc_id, _ in in_process] == [d.doc_id for d in corpus]
    assert sum(len(claims) for _, claims in in_process) > 100
    assert as_records(extract_stream(corpus, workers=2, chunk=3)) == in_process


def test_a_failing_document_is_its_own_result_and_the_rest_come_through(
        corpus: list[Document], in_process: list[tuple[str, Any]]) -> None:
    bad = Document(doc_id="not-text", text=12345)  # type: ignore[arg-type]  # the extractor really fails on it
    docs = [*corpus[:4], bad, *corpus[4:]]
    expected = in_process[:4] + [("not-text", None)] + in_process[4:]
    for workers in (1, 2):
        got = as_records(extract_stream(docs, workers=workers, chunk=2))
        assert [doc_id for doc_id, _ in got] == [doc_id for doc_id, _ in expected]
        error = got[4][1]
        assert isinstance(error, str) and error.split(":")[0] in ("AttributeError", "TypeError"), error
        assert got[:4] + got[5:] == in_process


def test_a_killed_worker_is_replaced_and_no_document_is_lost(corpus: list[Document],
                                                              in_process: list[tuple[str, Any]]) -> None:
    killed = []

    def docs() -> Iterator[Document]:
        for i, doc in enumerate(corpus):
            if i == 6 and not killed:  # documents 0..5 are in flight or done: kill a worker under them
                pool = engine._pool
                assert pool is not None
                pid = next(iter(pool._processes))  # type: ignore[attr-defined]
                os.kill(pid, 9)
                killed.append(pid)
                time.sleep(0.2)
            yield doc

    with LocalEngine(2, chunk=2) as engine:
        got = as_records(engine.stream(docs()))  # type: ignore[arg-type]
        assert killed and engine.restarts >= 1
    assert got == in_process


def test_the_stream_holds_a_bounded_number_of_documents() -> None:
    text = "Officials said {} people were evacuated on Monday, and 12 trucks of flour arrived."
    pulled = 0
    worst = 0

    def docs() -> Iterator[Document]:
        nonlocal pulled
        for i in range(100):
            pulled += 1
            yield Document(doc_id=f"d{i}", text=text.format(100 + i))

    engine = LocalEngine(2, chunk=4)
    with engine:
        for done, (doc, result) in enumerate(engine.stream(docs()), 1):
            assert isinstance(result, list) and result, result
            assert doc.doc_id == f"d{done - 1}"
            worst = max(worst, pulled - done)
    assert done == 100 and worst <= engine.window == 16


def test_cli_extract_output_is_the_same_for_two_workers(run_cli: RunCli, tmp_path: Path) -> None:
    outputs = []
    for workers in ("1", "2"):
        claims, docs = tmp_path / f"claims-{workers}.jsonl", tmp_path / f"docs-{workers}.jsonl"
        result = run_cli("extract", SEEDS, EXAMPLE_CORPUS, tmp_path / "missing.txt", "--workers", workers,
                         "--out", claims, "--emit-docs", docs)
        assert result.returncode == 1, result.stderr  # the missing file, reported in its place
        outputs.append((claims.read_text(encoding="utf-8"), docs.read_text(encoding="utf-8"), result.stderr))
    assert outputs[0] == outputs[1]
    assert len(outputs[0][0].splitlines()) > 100
    assert outputs[0][2].count("claimledger: error: ") == 1


@pytest.mark.parametrize("workers", ["0", "-1", "two"])
def test_workers_must_be_a_whole_number_from_1(run_cli: RunCli, workers: str) -> None:
    result = run_cli("extract", SEEDS, "--workers", workers)
    assert result.returncode == 2 and "--workers" in result.stderr and result.stdout == ""


def test_cli_ingest_with_two_workers_stores_the_same_ledger(run_cli: RunCli, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    seeds = SEEDS.read_text(encoding="utf-8").splitlines()
    first = json.loads(seeds[0])
    # an exact copy, a malformed line and an empty file besides the seeds and the example corpus
    (folder / "extra.jsonl").write_text(json.dumps({**first, "id": "copy-of-first"}) + "\n{broken\n",
                                        encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    rows = []
    for workers in ("1", "2"):
        db = tmp_path / f"w{workers}.duckdb"
        result = run_cli("ingest", SEEDS, EXAMPLE_CORPUS, folder, "--db", db, "--workers", workers)
        assert result.returncode == 1, result.stderr  # the malformed line and the empty file
        assert "Traceback" not in result.stderr
        before = ledger_rows(db)
        again = run_cli("ingest", SEEDS, EXAMPLE_CORPUS, folder, "--db", db, "--workers", workers, "--quiet")
        assert "0 new, 0 updated" in again.stderr, again.stderr
        rows.append(ledger_rows(db))
        assert {**rows[-1], "rejections": None} == {**before, "rejections": None}  # a re-run only counts them
    assert rows[0] == rows[1]
    assert len(rows[0]["claims"]) > 100 and len(rows[0]["rejections"]) == 2
    assert any(r[0] == "copy-of-first" and r[12] == "exact" for r in rows[0]["documents"])


FILLER = ("The river runs slowly past the old stone bridge and the market square, where traders gather in the "
          "early morning light to sell bread, olives and cloth. ") * 6


def _tree_peaks(root: int, peaks: dict[int, int]) -> None:
    """Record the peak RSS (VmHWM, kB) of ``root`` and every process under it."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8") as f:
                    parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        children = [p for p, pp in parents.items() if pp == pid and p not in tree]
        tree.update(children)
        frontier.extend(children)
    for pid in tree:
        try:
            with open(f"/proc/{pid}/status", encoding="utf-8") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        peaks[pid] = max(peaks.get(pid, 0), int(line.split()[1]))
        except OSError:
            continue


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads peak RSS from /proc")
def test_extract_streams_3000_documents_in_bounded_memory(tmp_path: Path) -> None:
    corpus = tmp_path / "many.jsonl"
    with corpus.open("w", encoding="utf-8") as f:
        for i in range(3000):  # one in twenty states figures (the parser's work); all carry a paragraph
            text = (f"Officials said {100 + i % 900} people were evacuated from the valley on Monday, "
                    f"and {2 + i % 50} trucks of flour arrived.\n\n" if i % 20 == 0 else "") + FILLER
            f.write(json.dumps({"id": f"gen-{i:05d}", "text": text}) + "\n")
    out = tmp_path / "claims.jsonl"
    # the command itself, reporting its own peak at the end (the workers are sampled from /proc)
    wrapper = ("import resource, sys\nfrom claimledger.cli import main\nrc = main(sys.argv[1:])\n"
               "print('peak-kb', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
               "sys.exit(rc)\n")
    command = [sys.executable, "-c", wrapper, "extract", str(corpus), "--workers", "2", "--out", str(out)]
    assert claimledger_command()  # the same interpreter and install as the console script
    started = time.monotonic()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peaks: dict[int, int] = {}
    while proc.poll() is None:
        _tree_peaks(proc.pid, peaks)
        time.sleep(0.1)
        assert time.monotonic() - started < 120, "too slow"
    stderr = proc.stderr.read() if proc.stderr else ""
    assert proc.returncode == 0, stderr
    main_kb = int(stderr.split("peak-kb")[1].split()[0])
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 300 and json.loads(lines[-1])["doc_id"] == "gen-02980"
    gib = 1024 * 1024
    # the reading process holds imports (~300 MiB with spaCy's types, trafilatura, DuckDB) and a window of
    # documents; 3,000 documents must not take it past half the 1 GiB budget
    assert main_kb < gib // 2, f"the reading process peaked at {main_kb // 1024} MiB"
    assert len(peaks) >= 3 and max(peaks.values()) < gib, {p: kb // 1024 for p, kb in peaks.items()}
    assert sum(peaks.values()) < gib, {p: kb // 1024 for p, kb in peaks.items()}


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="follows the process tree in /proc")
def test_workers_exit_when_the_command_is_killed(tmp_path: Path) -> None:
    corpus = tmp_path / "long.jsonl"
    with corpus.open("w", encoding="utf-8") as f:
        for i in range(2000):
            text = f"Officials said {100 + i} people were evacuated on Monday, and 12 trucks of flour arrived."
            f.write(json.dumps({"id": f"d{i}", "text": text}) + "\n")
    proc = subprocess.Popen([*claimledger_command(), "extract", str(corpus), "--workers", "2", "--out",
                             str(tmp_path / "out.jsonl")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peaks: dict[int, int] = {}
    deadline = time.monotonic() + 60
    while len(peaks) < 5 and time.monotonic() < deadline:  # command, resource tracker, fork server, 2 workers
        _tree_peaks(proc.pid, peaks)
        time.sleep(0.2)
    assert len(peaks) >= 5 and proc.poll() is None
    proc.kill()  # no chance to clean up
    proc.wait()
    left = set(peaks) - {proc.pid}
    deadline = time.monotonic() + 20
    while left and time.monotonic() < deadline:
        left = {pid for pid in left if _running(pid)}
        time.sleep(0.2)
    for pid in left:  # don't leave them behind when the test fails
        os.kill(pid, 9)
    assert not left, f"still running after the command was killed: {left}"


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False

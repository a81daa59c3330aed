"""Crashes and concurrent use of one ledger, with the real commands on real articles.

- ``serve`` answers every request (200) while ``ingest`` writes the ledger it serves,
  and shows the committed documents as they come; a server started meanwhile answers too;
- ``ingest`` killed with SIGKILL after some batches are committed (one process, and
  ``--workers 2``), then run again, leaves exactly the ledger a clean run leaves;
- a process killed inside a commit, or while publishing its snapshot, loses only
  that transaction;
- a second ``ingest`` on a ledger in use waits for the first, or gives up after
  ``--wait`` seconds with one error line;
- requests made while ``ReadModel.writer()`` writes from within the server are answered.

The corpus is VOA stories, each followed by an exact copy under another id, and
every sixth by a near copy (so batches hold originals and duplicates of
documents committed in earlier batches). The ledger a served ingest of 40
stories leaves (50 documents per transaction) is the clean run the killed ones
are compared with; they ingest the first 20 stories, 10 documents per
transaction (``CLAIMLEDGER_BATCH_DOCUMENTS``): ingesting is sequential, so a
clean ledger of those is the clean ledger of 40 restricted to their documents.
"""
from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any, Optional

import duckdb
import httpx
import pytest

from conftest import LEDGER_QUERIES, claimledger_command, ledger_rows
from webutil import serve

VOA = Path("/work/shared/corpus/voa/stories.jsonl")
if not VOA.exists():  # pragma: no cover - the shared corpus is part of the workspace
    pytest.skip(f"{VOA} is not available", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[1]
SUMMARY = re.compile(r"claimledger: ingested (\d+) documents \((\d+) new, (\d+) updated, (\d+) unchanged, "
                     r"(\d+) duplicates\), (\d+) claims, (\d+) rejected")
NEAR_NOTE = " Officials later said 14 more people had been hurt."


def write_corpus(path: Path, stories: Optional[int] = None) -> int:
    """The corpus described above, as JSONL; returns how many documents it holds."""
    records = [json.loads(line) for line in VOA.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = []
    for i, r in enumerate(records[:stories]):
        base = {"id": f"voa-{r['id']}", "text": r["text"], "title": r.get("title"), "url": r.get("url"),
                "outlet": "VOA", "published": r.get("published")}
        out.append(base)
        out.append({**base, "id": f"voa-{r['id']}-copy", "url": None})
        if i % 6 == 0:
            out.append({**base, "id": f"voa-{r['id']}-near", "text": r["text"] + NEAR_NOTE})
    path.write_text("".join(json.dumps(r) + "\n" for r in out), encoding="utf-8")
    return len(out)


def ingest_command(corpus: Path, db: Path, *extra: str) -> list[str]:
    return [*claimledger_command(), "ingest", str(corpus), "--db", str(db), "--quiet", *extra]


def start(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "wb") as out:
        return subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=ROOT)


def run(args: list[str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, encoding="utf-8", timeout=timeout,
                          stdin=subprocess.DEVNULL, cwd=ROOT)


def summary(stderr: str) -> tuple[int, ...]:
    found = SUMMARY.findall(stderr)
    assert len(found) == 1, stderr
    return tuple(map(int, found[0]))


def published_documents(db: Path, scratch: Path) -> int:
    """Documents in the snapshot the ingest writing ``db`` has published (0 if none yet)."""
    try:
        shutil.copyfile(f"{db}.snapshot", scratch)  # replaced by rename, so the copy is one whole snapshot
    except FileNotFoundError:
        return 0
    with duckdb.connect(str(scratch), read_only=True) as con:
        row = con.execute("SELECT count(*) FROM documents").fetchone()
    return int(row[0]) if row else 0


def kill_after_a_commit(process: subprocess.Popen[bytes], db: Path, scratch: Path, timeout: float = 120) -> int:
    """SIGKILL ``process`` once its snapshot shows committed documents; returns how many it showed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the ingest ended before a batch was committed"
        seen = published_documents(db, scratch)
        if seen:
            process.send_signal(signal.SIGKILL)
            assert process.wait(timeout=30) == -signal.SIGKILL
            return seen
        time.sleep(0.05)
    raise AssertionError("no batch was committed in time")


def check_integrity(db: Path) -> dict[str, int]:
    """Claims all belong to stored documents; duplicates point at stored documents. Returns the counts."""
    with duckdb.connect(str(db), read_only=True) as con:
        def one(sql: str) -> int:
            row = con.execute(sql).fetchone()
            return int(row[0]) if row else 0

        assert one("SELECT count(*) FROM claims c ANTI JOIN documents d USING (doc_id)") == 0
        assert one("SELECT count(*) FROM documents WHERE duplicate_of IS NOT NULL AND duplicate_of NOT IN "
                   "(SELECT doc_id FROM documents)") == 0
        assert one("SELECT count(*) FROM minhash_signatures s ANTI JOIN documents d USING (doc_id)") == 0
        assert one("SELECT count(*) - count(DISTINCT doc_id) FROM documents") == 0
        return {"documents": one("SELECT count(*) FROM documents"), "claims": one("SELECT count(*) FROM claims")}


_DOC_ID_COLUMN = {"documents": 0, "claims": 0, "minhash_signatures": 0, "minhash_bands": 2}


# ``ledger_rows``' queries; documents without their source, the input file's path (the corpora differ)
_QUERIES = {**LEDGER_QUERIES,
            "documents": "SELECT * EXCLUDE (ingested_at, source) FROM documents ORDER BY doc_id"}


def rows_of(db: Path, doc_ids: Optional[set[str]] = None) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of a ledger (as ``ledger_rows``); only the rows of ``doc_ids`` when given (rejections: all)."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = {table: con.execute(sql).fetchall() for table, sql in _QUERIES.items()}
    if doc_ids is None:
        return rows
    return {table: [r for r in found if table not in _DOC_ID_COLUMN or r[_DOC_ID_COLUMN[table]] in doc_ids]
            for table, found in rows.items()}


def doc_ids(db: Path) -> set[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {r[0] for r in con.execute("SELECT doc_id FROM documents").fetchall()}


# --- the corpus and a clean run, ingested while served --------------------------------------------

SERVED_STORIES, KILLED_STORIES, KILLED_BATCH = 40, 20, 10


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    path = tmp_path_factory.mktemp("corpus") / "voa-copies.jsonl"
    return path, write_corpus(path, SERVED_STORIES)


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    path = tmp_path_factory.mktemp("corpus") / "voa-copies-small.jsonl"
    return path, write_corpus(path, KILLED_STORIES)


@pytest.fixture(scope="module")
def served_run(corpus: tuple[Path, int], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Serve an empty ledger, ingest the corpus into it, and ask the server all along."""
    from claimledger.ledger import Ledger

    folder = tmp_path_factory.mktemp("served")
    db = folder / "clean.duckdb"
    Ledger(db).close()  # an empty ledger (schema only)
    polls: list[dict[str, Any]] = []
    with serve(db) as server, httpx.Client(base_url=server.url, timeout=30) as c:
        assert c.get("/api/stats").json()["documents"] == 0  # served once, before the ingest
        t0 = time.monotonic()
        ingest = start(ingest_command(corpus[0], db), folder / "ingest.log")

        def poll() -> None:
            stats = c.get("/api/stats")
            claims = c.get("/api/claims", params={"limit": 5})
            documents = c.get("/api/documents", params={"limit": 5})
            polls.append({"t": round(time.monotonic() - t0, 2), "during": ingest.poll() is None,
                          "status": (stats.status_code, claims.status_code, documents.status_code),
                          "documents": stats.json().get("documents") if stats.status_code == 200 else None,
                          "claims": claims.json().get("total") if claims.status_code == 200 else None,
                          "errors": [r.text for r in (stats, claims, documents) if r.status_code != 200]})

        late: dict[str, Any] = {}

        def start_late_server() -> None:  # while the ingest holds the ledger, a second server starts
            try:
                with serve(db) as server2:
                    answer = httpx.get(server2.url + "/api/stats", timeout=30)
                    late.update(status=answer.status_code, during=ingest.poll() is None)
            except Exception as exc:  # reported by the test
                late.update(error=repr(exc))

        late_thread = threading.Thread(target=start_late_server)
        while ingest.poll() is None:
            poll()
            if late_thread.ident is None and Path(f"{db}.snapshot").exists():
                late_thread.start()
            time.sleep(0.05)
        if late_thread.ident is not None:
            late_thread.join(timeout=60)
        ingest_seconds = time.monotonic() - t0
        log = (folder / "ingest.log").read_text(encoding="utf-8")
        assert ingest.returncode == 0, log
        deadline = time.monotonic() + 20
        while True:  # the server catches up with the finished ledger
            poll()
            if polls[-1]["documents"] == corpus[1] or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        served_final = polls[-1]
        server_log = server.output()
    final = check_integrity(db)
    return {"db": db, "polls": polls, "final": final, "served_final": served_final, "summary": summary(log),
            "late": late, "ingest_seconds": ingest_seconds, "server_log": server_log}


def test_serve_answers_every_request_while_an_ingest_writes_the_ledger(served_run: dict[str, Any],
                                                                       corpus: tuple[Path, int]) -> None:
    polls = served_run["polls"]
    during = [p for p in polls if p["during"]]
    failed = [p for p in polls if p["status"] != (200, 200, 200)]
    assert failed == [], failed[:3]
    assert len(during) >= 10, polls  # several rounds of requests while the ingest ran
    assert "Traceback" not in served_run["server_log"]
    # what the server shows grows as batches are committed, and never goes back
    shown = [p["documents"] for p in polls]
    assert shown == sorted(shown)
    assert any(0 < p["documents"] < corpus[1] for p in during), shown  # committed batches, before the end
    # ... and reaches the finished ledger once the ingest is done
    assert served_run["final"]["documents"] == corpus[1] == served_run["summary"][0]
    assert served_run["served_final"]["documents"] == corpus[1]
    assert served_run["served_final"]["claims"] == served_run["final"]["claims"] == served_run["summary"][5]
    assert not Path(f"{served_run['db']}.snapshot").exists()  # withdrawn when the ingest closed the ledger
    assert served_run["late"] == {"status": 200, "during": True}  # a server started during the ingest answers
    print(f"\n{len(during)} rounds ({3 * len(during)} requests) during a {served_run['ingest_seconds']:.1f} s "
          f"ingest, all 200; documents shown: {sorted(set(shown))}")


# --- SIGKILL in the middle of an ingest ---------------------------------------------------------------

@pytest.mark.parametrize("workers", [1, 2])
def test_an_ingest_killed_mid_run_and_run_again_leaves_what_a_clean_run_leaves(
        workers: int, served_run: dict[str, Any], small_corpus: tuple[Path, int], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    path, total = small_corpus
    monkeypatch.setenv("CLAIMLEDGER_BATCH_DOCUMENTS", str(KILLED_BATCH))
    db = tmp_path / "crash.duckdb"
    extra = ("--workers", str(workers)) if workers > 1 else ()
    process = start(ingest_command(path, db, *extra), tmp_path / "killed.log")
    seen = kill_after_a_commit(process, db, tmp_path / "peek.duckdb")

    # what the killed run committed: whole batches, each document with exactly its clean rows and claims
    committed = check_integrity(db)
    assert seen <= committed["documents"] < total
    assert committed["documents"] % KILLED_BATCH == 0
    stored = doc_ids(db)
    assert rows_of(db) == rows_of(served_run["db"], stored)

    again = run(ingest_command(path, db))  # in this process: the result is the same for any --workers
    assert again.returncode == 0 and "Traceback" not in again.stderr, again.stderr
    read, new, updated, unchanged, _dups, _claims, rejected = summary(again.stderr)
    assert (read, new, updated, unchanged, rejected) == (total, total - len(stored), 0, len(stored), 0)
    assert check_integrity(db)["documents"] == total
    assert rows_of(db) == rows_of(served_run["db"], doc_ids(db))  # every table, row for row
    assert not Path(f"{db}.snapshot").exists() and not Path(f"{db}.snapshot.tmp").exists()


# --- killed inside a commit, or while publishing ----------------------------------------------------

_WRITER = textwrap.dedent("""
    import os, signal, sys
    from claimledger.ledger import Ledger, ingest, snapshot
    from claimledger.model import Claim, Document

    db, kill_at = sys.argv[1], sys.argv[2]

    def extract(doc):
        at = doc.text.index("42")
        return [Claim(doc_id=doc.doc_id, start=at, end=at + 2, surface="42", value=42.0)]

    docs = [Document(doc_id=f"d{i:03d}", text=f"Report {i}: 42 trucks crossed at gate {i * 7919 % 1000}. "
                     + " ".join(f"w{i}x{j}" for j in range(40))) for i in range(100)]
    flushes = [0]
    real_append, real_copy = ingest._append_claims, snapshot.copy_from_fd

    def append(con, *args):
        flushes[0] += 1
        if kill_at == "commit" and flushes[0] == 3:  # documents inserted, claims not: mid-transaction
            os.kill(os.getpid(), signal.SIGKILL)
        return real_append(con, *args)

    def copy(fd, dst):
        if kill_at == "publish" and flushes[0] == 3:
            with open(dst, "wb") as out:  # a part of the snapshot written
                out.write(os.pread(fd, 4096, 0))
            os.kill(os.getpid(), signal.SIGKILL)
        return real_copy(fd, dst)

    ingest._append_claims, snapshot.copy_from_fd = append, copy
    with Ledger(db, publish=True) as ledger:
        ledger._publisher.interval = 0  # publish after every commit
        snapshot.PUBLISH_SHARE = 0
        ledger.ingest(docs, extract, "test-1", batch_documents=20)
""")


@pytest.fixture(scope="module")
def writer(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The script above, and the ledger it writes when nothing kills it."""
    folder = tmp_path_factory.mktemp("writer")
    script, clean = folder / "writer.py", folder / "clean.duckdb"
    script.write_text(_WRITER, encoding="utf-8")
    done = run([sys.executable, str(script), str(clean), "none"])
    assert done.returncode == 0, done.stderr
    return script, clean


@pytest.mark.parametrize("kill_at", ["commit", "publish"])
def test_a_writer_killed_inside_a_commit_or_a_publication_loses_only_that_transaction(
        kill_at: str, writer: tuple[Path, Path], tmp_path: Path) -> None:
    script, clean = writer
    db = tmp_path / "killed.duckdb"
    killed = run([sys.executable, str(script), str(db), kill_at])
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    expected = 40 if kill_at == "commit" else 60  # two batches of 20 committed; or three, the third published
    assert Path(f"{db}.snapshot").exists()  # left behind by the killed writer
    assert check_integrity(db) == {"documents": expected, "claims": expected}
    done = run([sys.executable, str(script), str(db), "none"])
    assert done.returncode == 0, done.stderr
    assert ledger_rows(db) == ledger_rows(clean)
    assert not Path(f"{db}.snapshot").exists() and not Path(f"{db}.snapshot.tmp").exists()


# --- two ingests at once ----------------------------------------------------------------------------

def test_a_second_ingest_waits_for_the_first_or_gives_up_with_one_error_line(tmp_path: Path) -> None:
    corpus = tmp_path / "few.jsonl"
    total = write_corpus(corpus, stories=30)  # long enough to outlast the impatient one on a fast machine
    db = tmp_path / "shared.duckdb"
    first = start(ingest_command(corpus, db), tmp_path / "first.log")
    deadline = time.monotonic() + 60
    while not Path(f"{db}.snapshot").exists():  # published when it opened the ledger: it holds the lock
        assert first.poll() is None and time.monotonic() < deadline, (tmp_path / "first.log").read_text()
        time.sleep(0.05)
    impatient = subprocess.Popen(ingest_command(corpus, db, "--wait", "1"), stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL, cwd=ROOT)
    patient = subprocess.Popen(ingest_command(corpus, db), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, stdin=subprocess.DEVNULL, cwd=ROOT)
    _, gave_up = impatient.communicate(timeout=60)
    assert first.poll() is None, "the first ingest ended too soon for this test"
    assert impatient.returncode == 2
    assert gave_up.splitlines() == [
        f"claimledger: waiting for ledger {db}: in use by PID {first.pid} (up to 1 s, see --wait)",
        f"claimledger: error: {db}: ledger is in use by another process (PID {first.pid}); "
        "still in use after waiting 1 s"]
    _, waited = patient.communicate(timeout=120)
    first_done = first.wait(timeout=60)
    assert first_done == 0, (tmp_path / "first.log").read_text()
    assert patient.returncode == 0 and "Traceback" not in waited, waited
    lines = waited.splitlines()
    assert lines[0] == f"claimledger: waiting for ledger {db}: in use by PID {first.pid} (up to 60 s, see --wait)"
    assert len(lines) == 2  # waited once, then ran: every document was there already
    assert summary(waited)[:4] == (total, 0, 0, total)
    assert check_integrity(db)["documents"] == total


# --- writing from within the server ------------------------------------------------------------------

@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_requests_read_what_an_in_process_writer_publishes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``ReadModel.writer()``: the ledger opened for writing inside the server; requests go on meanwhile."""
    from fastapi.testclient import TestClient

    from claimledger.ledger import snapshot
    from claimledger.web import data

    # publish after every commit, look after every change (the rate limits would leave too few to see)
    monkeypatch.setattr(snapshot, "PUBLISH_SHARE", 0)
    monkeypatch.setattr(data, "_RETRY", 0.0)

    from claimledger.ledger import Ledger
    from claimledger.model import Claim, Document
    from claimledger.web.app import create_app

    def extract(doc: Document) -> list[Claim]:
        at = doc.text.index("42")
        return [Claim(doc_id=doc.doc_id, start=at, end=at + 2, surface="42", value=42.0)]

    docs = [Document(doc_id=f"d{i:02d}", text=f"Note {i}: 42 trucks crossed at gate {i * 7919 % 1000}. "
                     + " ".join(f"w{i}x{j}" for j in range(40))) for i in range(30)]
    db = tmp_path / "inproc.duckdb"
    Ledger(db).close()
    app = create_app(str(db))
    model = app.state.read_model
    seen: list[tuple[int, int]] = []
    with TestClient(app) as c:
        assert c.get("/api/stats").json()["documents"] == 0

        def ask(_stats: Any, _problems: Any) -> None:
            answer = c.get("/api/stats")
            seen.append((answer.status_code, answer.json().get("documents", -1)))

        with model.writer(wait=5) as ledger:
            ledger._publisher.interval = 0  # publish after every commit
            ledger.ingest(docs, extract, "test-1", on_progress=ask, batch_documents=10)
        assert {status for status, _ in seen} == {200}
        shown = [n for _, n in seen]
        # never going back, and a committed batch shows before the end (which one depends on
        # the snapshot's timing against the copy's: not every commit is promised to show)
        assert shown == sorted(shown) and shown[0] == 0 and {10, 20} & set(shown), str(shown)
        assert c.get("/api/stats").json()["documents"] == 30  # the ledger itself, once the writer is done
    assert model.copies["snapshot"] >= 2 and model.copies["ledger"] >= 2

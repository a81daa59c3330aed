"""Helpers for the web tests (no fixtures here): a real ledger built with the CLI, a real server.

``shared_ledger()`` ingests the example corpus plus hostile documents with
``python -m claimledger ingest`` and runs ``check``, once per test process;
``serve(db)`` runs ``python -m claimledger serve`` on a free port until the
``with`` block ends.
"""
from __future__ import annotations

import atexit
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Optional
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_CORPUS = ROOT / "examples" / "corpus"

SCRIPT = "<script>window.pwned=1</script>"
IMG = '<img src=x onerror="window.pwned=1">'
HOSTILE_FIGURE = "More than 300 people were evacuated from Kavar on Monday, the office said."
HOSTILE_ID = "hostile-kavar"  # the .txt file's stem
HOSTILE_TEXT = (f"Kavar evacuation update {SCRIPT}\n\n"
                f"Residents shared photos {IMG} of the crossing & the \"gate\".\n\n"
                f"{HOSTILE_FIGURE}\n")
# metadata that would run script if it were not escaped, and an id that needs URL-quoting
HOSTILE_META = {
    "id": 'odd id <b>&"x"/y?z#w',
    "title": f"<b>Bold</b> claims {SCRIPT}",
    "outlet": 'Outlet "><img src=x onerror=window.pwned=1>',
    "url": "javascript:window.pwned=1",
    "published": "2024-03-11",
    "text": "Aid <i>arrives</i>\n\nAt least 40 trucks of aid reached Kavar on Tuesday, the Relief Coordination "
            "Office said. <svg onload=\"window.pwned=1\"></svg>\n",
}

_built: dict[str, Path] = {}


def run_cli(*args: str | Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """``python -m claimledger ARGS...`` as a subprocess, finished."""
    return subprocess.run([sys.executable, "-m", "claimledger", *map(str, args)], capture_output=True, text=True,
                          encoding="utf-8", timeout=timeout, stdin=subprocess.DEVNULL, cwd=ROOT)


def write_hostile(folder: Path) -> Path:
    """The hostile documents (a .txt and a one-record .jsonl) in ``folder``; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{HOSTILE_ID}.txt").write_text(HOSTILE_TEXT, encoding="utf-8")
    (folder / "hostile-meta.jsonl").write_text(json.dumps(HOSTILE_META) + "\n", encoding="utf-8")
    return folder


def build_ledger(folder: Path) -> Path:
    """A ledger in ``folder``: the example corpus and the hostile documents, ingested and checked."""
    db = folder / "web.duckdb"
    hostile = write_hostile(folder / "hostile")
    for args in (("ingest", EXAMPLE_CORPUS, hostile, "--db", db, "--quiet"), ("check", "--db", db)):
        done = run_cli(*args)
        if done.returncode != 0:
            raise RuntimeError(f"claimledger {args[0]} failed ({done.returncode}): {done.stderr}")
    return db


def shared_ledger() -> Path:
    """One ledger per test process (built on first use, removed at exit); copy it before writing to it."""
    if "db" not in _built:
        folder = Path(tempfile.mkdtemp(prefix="claimledger-web-"))
        atexit.register(shutil.rmtree, folder, True)
        _built["db"] = build_ledger(folder)
    return _built["db"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def doc_path(doc_id: str) -> str:
    """A document's page path, its id quoted as the server quotes it."""
    return "/documents/" + quote(doc_id, safe="")


@dataclass
class Server:
    url: str  # http://127.0.0.1:PORT (no trailing slash)
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextmanager
def serve(db: Path, timeout: float = 60.0, port: Optional[int] = None) -> Iterator[Server]:
    """``claimledger serve --db DB`` on a free port, ready (``/api/health`` answered 200) until the block ends."""
    port = port or free_port()
    log = Path(tempfile.mkstemp(prefix="claimledger-serve-", suffix=".log")[1])
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "claimledger", "serve", "--db", str(db),
                                    "--host", "127.0.0.1", "--port", str(port)],
                                   stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=ROOT,
                                   env={**os.environ, "PYTHONUNBUFFERED": "1"})
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"claimledger serve exited with {process.returncode}: {server.output()}")
            try:
                if httpx.get(server.url + "/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"claimledger serve did not answer within {timeout:.0f} s: {server.output()}")
            time.sleep(0.2)
        yield server
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        log.unlink(missing_ok=True)

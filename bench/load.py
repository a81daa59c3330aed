"""Load test of ``claimledger serve``: many concurrent clients against a ledger of 100,000+ claims.

    .venv/bin/python bench/load.py                       # build, serve, 50 clients x 2,000 requests
    .venv/bin/python bench/load.py --db /tmp/big.duckdb  # reuse (or keep) the ledger
    .venv/bin/python bench/load.py --clients 100 --requests 5000

The ledger: the 59 public VOA stories (../shared/corpus/voa/stories.jsonl) go
through the real ``claimledger ingest`` once; then, inside DuckDB, their document
and claim rows are copied under new doc_ids (``<id>-r<n>``, the text tagged so
each copy has its own sha256, outlets "Outlet 0".."Outlet 19") until there are at
least --claims claims; each copy's searched sentences and the documents search's word
index are computed as ingest computes them. Real rows in a real ledger file; nothing
is mocked.

The server: a real ``claimledger serve`` process on a free localhost port. One
warm-up request (``/api/stats``) computes the cross-document checks over the whole
ledger, which the server then caches; its time is reported apart
(``warmup_seconds``). Then --clients threads issue --requests requests in all,
cycling over a fixed mix of endpoints (stats, claims with filters and pages,
documents, a document page and its JSON, findings, indicators, the claims page).
Every answer must be 200; latency is measured per request (send to last byte).

Prints one summary line and writes bench/out/load.json (or --out).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional

import duckdb
import httpx

from claimledger.ledger.schema import CLAIM_COLUMNS, SENTENCE_LOWER, quoted
from claimledger.ledger.search import index_all

ROOT = Path(__file__).resolve().parent.parent
VOA = ROOT.parent / "shared" / "corpus" / "voa" / "stories.jsonl"
OUT = ROOT / "bench" / "out" / "load.json"


# --- the ledger ---------------------------------------------------------------------------------------

def build_ledger(db: Path, claims: int = 100_000, corpus: Path = VOA) -> dict[str, Any]:
    """Ingest ``corpus`` with the real command, then replicate its rows in SQL until ``claims`` claims."""
    t0 = time.perf_counter()
    if db.exists():
        db.unlink()
    done = subprocess.run([sys.executable, "-m", "claimledger", "ingest", str(corpus), "--db", str(db), "--quiet"],
                          capture_output=True, text=True, cwd=ROOT, stdin=subprocess.DEVNULL, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"claimledger ingest failed ({done.returncode}): {done.stderr[-2000:]}")
    ingest_seconds = time.perf_counter() - t0
    t1 = time.perf_counter()
    with duckdb.connect(str(db)) as con:
        base = con.execute("SELECT count(*) FROM claims").fetchone()[0]
        if base == 0:
            raise RuntimeError(f"{corpus}: no claims extracted")
        copies = max(0, -(-claims // base) - 1)
        con.execute("BEGIN")
        con.execute("CREATE TEMP TABLE copy_no AS SELECT CAST(range AS INTEGER) AS r FROM range(1, ?)", [copies + 1])
        tagged = "d.text || chr(10) || chr(10) || '(load copy ' || k.r || ')'"
        con.execute(f"""
            INSERT INTO documents
            SELECT d.doc_id || '-r' || k.r, {tagged}, d.title, 'Outlet ' || (k.r % 20), d.url, d.published,
                   d.published_date, d.source, d.lang, sha256({tagged}), d.extractor_version,
                   NULL, NULL, NULL, d.ingested_at
            FROM documents d, copy_no k""")
        con.execute(f"""
            INSERT INTO claims ({quoted(CLAIM_COLUMNS)})
            SELECT c.doc_id || '-r' || k.r, c.start, c."end", c.surface, c.value, c.high, c.qualifier, c.unit,
                   c.counted, c.event, c.speaker, c.location, c.part_of, c.sentence_start, c.sentence_end,
                   c.extractor_version
            FROM claims c, copy_no k""")
        # each copy's searched sentence, cut from its own (tagged) text as the ingest cuts it
        con.execute(f"UPDATE claims AS c SET sentence_lower = {SENTENCE_LOWER} FROM documents d "
                    "WHERE d.doc_id = c.doc_id AND c.sentence_lower IS NULL")
        # the documents search's word index, rebuilt over every text as a migration builds it
        con.execute("DELETE FROM document_terms")
        con.execute("DELETE FROM search_terms")
        index_all(con)
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
        n_docs, n_claims = con.execute("SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM claims)"
                                       ).fetchone()
    return {"documents": n_docs, "claims": n_claims, "ingest_seconds": round(ingest_seconds, 1),
            "replicate_seconds": round(time.perf_counter() - t1, 1), "copies": copies + 1,
            "source_claims": base}


def ledger_counts(db: Path) -> tuple[int, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM claims)").fetchone()


# --- the server -----------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(db: Path, timeout: float = 120.0) -> Iterator[str]:
    """A real ``claimledger serve`` on a free port until the block ends; yields its base URL."""
    port = free_port()
    log = tempfile.TemporaryFile()
    process = subprocess.Popen([sys.executable, "-m", "claimledger", "serve", "--db", str(db), "--port", str(port)],
                               stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=ROOT,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"serve exited with {process.returncode}: {log.read().decode()[-2000:]}")
            try:
                if httpx.get(url + "/api/health", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("serve did not answer in time")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


# --- the load ---------------------------------------------------------------------------------------------

def request_mix(doc_ids: list[str], total_claims: int, total_docs: int, seed: int = 6) -> list[tuple[str, str]]:
    """A fixed list of (endpoint name, path): the same mix, in the same order, every run."""
    rnd = random.Random(seed)
    deep = max(0, total_claims - 50)

    def doc() -> str:
        return rnd.choice(doc_ids)

    makers = [
        ("stats", lambda: "/api/stats"),
        ("claims", lambda: f"/api/claims?limit=50&offset={rnd.randrange(0, deep)}"),
        ("claims_event", lambda: "/api/claims?event=" + rnd.choice(["casualties", "medical", "detention", "aid"])),
        ("claims_text", lambda: "/api/claims?limit=20&q=" + rnd.choice(["refugees", "killed", "percent", "Gaza"])),
        ("claims_speaker", lambda: "/api/claims?speaker=" + rnd.choice(["Russell", "Chaudhry", "UN"])),
        ("claims_dates", lambda: f"/api/claims?date_from=2020-01-01&date_to=2023-12-31&offset={rnd.randrange(500)}"),
        ("claims_outlet", lambda: f"/api/claims?outlet=Outlet%20{rnd.randrange(20)}&limit=100"),
        ("documents", lambda: f"/api/documents?limit=50&offset={rnd.randrange(0, max(1, total_docs - 50))}"),
        ("documents_q", lambda: "/api/documents?q=" + rnd.choice(["Sudan", "Haiti", "Ukraine", "election"])),
        ("document_json", lambda: "/api/documents/" + doc()),
        ("document_page", lambda: "/documents/" + doc()),
        ("findings", lambda: "/api/findings"),
        ("indicators", lambda: "/api/indicators"),
        ("claims_page", lambda: "/?page=" + str(rnd.randrange(1, 200))),
        ("claims_page_filtered", lambda: "/?event=casualties&q=killed"),
    ]
    return [(name, make()) for name, make in makers]


def run_load(url: str, mix: list[tuple[str, str]], requests: int, clients: int) -> dict[str, Any]:
    """``clients`` threads share ``requests`` requests (cycling over ``mix``); every status is recorded."""
    plan = [mix[i % len(mix)] for i in range(requests)]
    results: list[Optional[tuple[str, int, float]]] = [None] * requests
    next_index = iter(range(requests))
    lock = threading.Lock()
    errors: list[str] = []

    def worker() -> None:
        with httpx.Client(base_url=url, timeout=120) as client:
            while True:
                with lock:
                    i = next(next_index, None)
                if i is None:
                    return
                name, path = plan[i]
                t0 = time.perf_counter()
                try:
                    r = client.get(path)
                    status = r.status_code
                    if status != 200:
                        errors.append(f"{status} {path}: {r.text[:200]}")
                except httpx.HTTPError as exc:
                    status = 0
                    errors.append(f"{type(exc).__name__} {path}: {exc}")
                results[i] = (name, status, time.perf_counter() - t0)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    done = [r for r in results if r is not None]
    latencies = sorted(r[2] for r in done)
    by_endpoint: dict[str, dict[str, Any]] = {}
    for name in dict.fromkeys(n for n, _ in mix):
        mine = sorted(r[2] for r in done if r[0] == name)
        by_endpoint[name] = {"requests": len(mine), "p50_ms": ms(pct(mine, 50)), "p95_ms": ms(pct(mine, 95))}
    return {"requests": len(done), "clients": clients, "errors": len(errors), "error_samples": errors[:10],
            "non_200": sum(1 for r in done if r[1] != 200), "seconds": round(wall, 2),
            "requests_per_second": round(len(done) / wall, 1), "p50_ms": ms(pct(latencies, 50)),
            "p95_ms": ms(pct(latencies, 95)), "p99_ms": ms(pct(latencies, 99)), "max_ms": ms(latencies[-1]),
            "mean_ms": ms(statistics.fmean(latencies)), "by_endpoint": by_endpoint}


def pct(sorted_values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of already sorted values."""
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[k]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def warm_up(url: str, timeout: float = 900.0) -> float:
    """Seconds the first request that needs the checks took (the server computes and caches them)."""
    t0 = time.perf_counter()
    r = httpx.get(url + "/api/stats", timeout=timeout)
    r.raise_for_status()
    return round(time.perf_counter() - t0, 1)


def measure(db: Path, clients: int, requests: int) -> dict[str, Any]:
    """Serve ``db``, warm it up, run the load; the whole result."""
    n_docs, n_claims = ledger_counts(db)
    with duckdb.connect(str(db), read_only=True) as con:
        doc_ids = [r[0] for r in con.execute("SELECT doc_id FROM documents ORDER BY hash(doc_id) LIMIT 500").fetchall()]
    with serve(db) as url:
        warmup = warm_up(url)
        stats = httpx.get(url + "/api/stats", timeout=60).json()
        mix = request_mix(doc_ids, n_claims, n_docs)
        for _, path in mix:  # every kind of page once, untimed
            httpx.get(url + path, timeout=120).raise_for_status()
        result = run_load(url, mix, requests, clients)
    return {"documents": n_docs, "claims": n_claims, "warmup_seconds": warmup,
            "checks_seconds": stats["checks"]["seconds"], "findings": stats["checks"]["findings"],
            "indicators": stats["checks"]["indicators"], **result}


def _commit() -> Optional[str]:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=ROOT,
                              timeout=10).stdout.strip() or None
    except OSError:
        return None


def summary(result: dict[str, Any]) -> str:
    return (f"load: {result['claims']:,} claims, {result['documents']:,} documents; warm-up (checks) "
            f"{result['warmup_seconds']} s; {result['requests']:,} requests from {result['clients']} clients in "
            f"{result['seconds']} s: {result['requests_per_second']} req/s, p50 {result['p50_ms']} ms, "
            f"p95 {result['p95_ms']} ms, p99 {result['p99_ms']} ms, errors {result['errors']}")


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, help="the ledger to serve: built here if missing (default: a temporary one)")
    ap.add_argument("--rebuild", action="store_true", help="rebuild --db even if it exists")
    ap.add_argument("--claims", type=int, default=100_000, help="claims to build up to (default: 100000)")
    ap.add_argument("--clients", type=int, default=50, help="concurrent clients (default: 50)")
    ap.add_argument("--requests", type=int, default=2000, help="requests in all (default: 2000)")
    ap.add_argument("--corpus", type=Path, default=VOA, help=f"stories to ingest (default: {VOA})")
    ap.add_argument("--out", type=Path, default=OUT, help=f"the JSON result (default: {OUT.relative_to(ROOT)})")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="claimledger-load-") as tmp:
        db = args.db or Path(tmp) / "load.duckdb"
        build: dict[str, Any] = {}
        if args.rebuild or not db.exists():
            build = build_ledger(db, args.claims, args.corpus)
            print(f"load: built {db}: {build['documents']:,} documents, {build['claims']:,} claims "
                  f"(ingest {build['ingest_seconds']} s, replicate {build['replicate_seconds']} s)", file=sys.stderr)
        result = measure(db, args.clients, args.requests)
    result = {"when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "commit": _commit(),
              "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()},
              "build": build, **result}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(summary(result))
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

"""The Ray engine: ``claimledger ingest --engine ray``.

Three steps, each streaming:

1. stage: the driver reads the input (``read_paths``) and writes every item in
   order to ``PARTS/docs/*.parquet`` (documents and reader rejections, numbered
   ``seq``), and the documents the ledger will need claims for (not unchanged, not
   an exact copy: the ``Predictor`` of the local engine) to ``PARTS/todo/``;
2. extract: Ray Data reads ``todo``, runs ``ExtractBatch`` (a callable class: the
   model is loaded once per actor) with ``map_batches`` on an actor pool, and
   writes claims as Parquet to ``PARTS/claims/``: one row per claim (the Claim
   fields plus the document's ``seq`` and ``sha256``) and one marker row per
   document (``start`` NULL) that says how many claims it has, or its error;
3. load: the driver replays ``docs`` through the ledger's own ingest (placement,
   duplicate links, updates, one transaction per batch holding each document's
   row with its claims); the claims it asks for come from the parts, read back by
   DuckDB (``read_parquet`` ordered by ``seq``) and merged in step with the replay.

So the ledger ends up exactly as the local engine leaves it. A document the
ledger wants claims for that Ray did not extract (re-examined because its
original changed, or a guess that missed) is extracted in the driver. Nothing
to extract (a re-run) means Ray is not started at all.

Without an address a local Ray instance is started (and stopped); with one, the
driver connects to that cluster, and PARTS must be storage that the driver and
every node share, with claimledger installed on every node.
"""
from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Optional, Union

import pyarrow as pa
import pyarrow.parquet as pq

from claimledger.engine.local import remote_error
from claimledger.engine.prefetch import Predictor
from claimledger.model import Claim, Document, Rejection

DEFAULT_BATCH = 16  # documents per map_batches call
TODO_ROWS = 256  # documents per todo shard (a Ray block)
DOCS_ROWS = 10_000  # items per docs shard
ROW_GROUP = 512
_DOC_FIELDS = tuple(f.name for f in fields(Document))
_CLAIM_FIELDS = tuple(f.name for f in fields(Claim))

DOC_SCHEMA = pa.schema(
    [("seq", pa.int64()), ("kind", pa.string()), ("send", pa.bool_())]
    + [(name, pa.string()) for name in _DOC_FIELDS]
    + [("reason", pa.string()), ("line", pa.int64())])
_CLAIM_TYPES = {"start": pa.int64(), "end": pa.int64(), "value": pa.float64(), "high": pa.float64(),
                "part_of": pa.int64(), "sentence_start": pa.int64(), "sentence_end": pa.int64()}
PART_SCHEMA = pa.schema(
    [("seq", pa.int64()), ("sha256", pa.string()), ("claims", pa.int64()), ("error_type", pa.string()),
     ("error", pa.string())]
    + [(name, _CLAIM_TYPES.get(name, pa.string())) for name in _CLAIM_FIELDS])


class RayUnavailable(RuntimeError):
    """Ray (with Ray Data) is not installed."""


class RayStepFailed(RuntimeError):
    """Connecting to Ray or the Ray Data run failed; nothing was written to the ledger."""


def require_ray() -> None:
    try:
        import ray  # noqa: F401
        import ray.data  # noqa: F401
    except ImportError as exc:
        raise RayUnavailable(f"--engine ray needs Ray Data: pip install 'claimledger[ray]' ({exc})") from exc


# --- in a Ray actor ------------------------------------------------------------------

class ExtractBatch:
    """Ray Data UDF: a batch of todo documents (pyarrow) -> their claims and one marker row each."""

    def __init__(self) -> None:
        from claimledger.extract.pipeline import get_extractor

        self.extract = get_extractor().extract

    def __call__(self, batch: pa.Table) -> pa.Table:
        rows: list[dict[str, Any]] = []
        for record in batch.to_pylist():
            doc = Document(**{name: record[name] for name in _DOC_FIELDS})
            marker: dict[str, Any] = {"seq": record["seq"], "doc_id": doc.doc_id, "sha256": doc.sha256}
            try:
                claims = self.extract(doc)
            except Exception as exc:  # one bad document never stops the batch
                marker.update(error_type=type(exc).__name__, error=str(exc))
                rows.append(marker)
                continue
            marker["claims"] = len(claims)
            rows.append(marker)
            for claim in claims:
                row = {name: getattr(claim, name) for name in _CLAIM_FIELDS}
                row["seq"] = record["seq"]
                rows.append(row)
        return pa.Table.from_pylist(rows, schema=PART_SCHEMA)


# --- staging -----------------------------------------------------------------------

class _ShardWriter:
    """Rows to numbered Parquet files of at most ``rows_per_file`` rows, a row group at a time."""

    def __init__(self, folder: Path, rows_per_file: int) -> None:
        self.folder = folder
        self.rows_per_file = rows_per_file
        self.files = 0
        self.rows = 0
        self._buffer: list[dict[str, Any]] = []
        self._writer: Optional[pq.ParquetWriter] = None
        self._in_file = 0
        folder.mkdir(parents=True, exist_ok=True)

    def add(self, row: dict[str, Any]) -> None:
        self._buffer.append(row)
        self.rows += 1
        if len(self._buffer) >= min(ROW_GROUP, self.rows_per_file - self._in_file):
            self._write()

    def _write(self) -> None:
        if not self._buffer:
            return
        if self._writer is None:
            self._writer = pq.ParquetWriter(str(self.folder / f"part-{self.files:06d}.parquet"), DOC_SCHEMA)
            self.files += 1
        self._writer.write_table(pa.Table.from_pylist(self._buffer, schema=DOC_SCHEMA))
        self._in_file += len(self._buffer)
        self._buffer = []
        if self._in_file >= self.rows_per_file:
            self._writer.close()
            self._writer, self._in_file = None, 0

    def close(self) -> None:
        self._write()
        if self._writer is not None:
            self._writer.close()
            self._writer = None


@dataclass
class Staged:
    items: int = 0
    todo: int = 0
    todo_files: int = 0


def stage(items: Iterable[Union[Document, Rejection]], predictor: Predictor, parts: Path) -> Staged:
    """Write every item to ``parts/docs`` and the documents to extract to ``parts/todo``."""
    docs = _ShardWriter(parts / "docs", DOCS_ROWS)
    todo = _ShardWriter(parts / "todo", TODO_ROWS)
    try:
        for seq, item in enumerate(items):
            if isinstance(item, Rejection):
                docs.add({"seq": seq, "kind": "rejection", "send": False, "doc_id": item.doc_id,
                          "source": item.source, "reason": item.reason, "line": item.line})
                continue
            row = {name: getattr(item, name) for name in _DOC_FIELDS}
            row.update(seq=seq, kind="document", send=predictor(item) is not None)
            docs.add(row)
            if row["send"]:
                todo.add(row)
    finally:
        docs.close()
        todo.close()
    return Staged(items=docs.rows, todo=todo.rows, todo_files=todo.files)


def replay(parts: Path) -> Iterator[tuple[int, bool, Union[Document, Rejection]]]:
    """``(seq, sent to Ray, item)`` for every staged item, in order."""
    for path in sorted((parts / "docs").glob("part-*.parquet")):
        for batch in pq.ParquetFile(str(path)).iter_batches(batch_size=ROW_GROUP):
            for row in batch.to_pylist():
                if row["kind"] == "rejection":
                    yield row["seq"], False, Rejection(source=row["source"], reason=row["reason"],
                                                       doc_id=row["doc_id"], line=row["line"])
                else:
                    yield row["seq"], row["send"], Document(**{name: row[name] for name in _DOC_FIELDS})


# --- Ray ---------------------------------------------------------------------------

def run_ray(parts: Path, staged: Staged, workers: Optional[int], batch_size: int = DEFAULT_BATCH,
            progress: bool = False) -> int:
    """Extract ``parts/todo`` into ``parts/claims`` with Ray Data; returns the number of actors used."""
    import ray
    import ray.data

    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = progress
    ctx.print_on_execution_start = progress
    # One CPU is left to the read and write tasks: with every CPU held by an actor they would never run.
    spare = max(1, int(ray.cluster_resources().get("CPU", 2)) - 1)
    workers = min(workers or spare, spare)
    if not progress:
        logging.getLogger("ray.data").setLevel(logging.ERROR)
    batch_size = max(1, min(batch_size, -(-staged.todo // workers)))  # a short input still reaches every actor
    ds = ray.data.read_parquet(str(parts / "todo"))
    blocks = staged.todo_files
    wanted = min(4 * workers, -(-staged.todo // batch_size))
    if blocks < wanted:  # a small input: split it so that every actor gets some
        ds = ds.repartition(wanted)
        blocks = wanted
    actors = max(1, min(workers, blocks))
    ds = ds.map_batches(ExtractBatch, batch_size=batch_size, batch_format="pyarrow", num_cpus=1,
                        compute=ray.data.ActorPoolStrategy(size=actors))
    ds.write_parquet(str(parts / "claims"))
    return actors


def connect(address: Optional[str], workers: Optional[int], quiet: bool = True) -> bool:
    """Connect to Ray (a local instance without ``address``); True if this call started it."""
    import ray

    if ray.is_initialized():
        return False
    level = logging.ERROR if quiet else logging.INFO
    if address:
        ray.init(address=address, logging_level=level, log_to_driver=not quiet)
    else:
        cpus = (workers or os.cpu_count() or 1) + 1  # the extra CPU runs the read and write tasks
        ray.init(num_cpus=cpus, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True,
                 logging_level=level)
    return True


# --- loading the parts -----------------------------------------------------------------

class PartClaims:
    """The claims in ``parts/claims``, handed out in ``seq`` order as the replay asks for them."""

    def __init__(self, parts: Path) -> None:
        import duckdb

        self._con = duckdb.connect()
        spill = parts / "tmp"
        spill.mkdir(exist_ok=True)
        self._con.execute(f"SET temp_directory = {_literal(str(spill))}")
        files = sorted((parts / "claims").glob("*.parquet"))
        self._rows: Iterator[tuple[Any, ...]] = iter(())
        if files:
            columns = ", ".join(f'"{c}"' for c in PART_SCHEMA.names)
            cur = self._con.execute(
                f"SELECT {columns} FROM read_parquet({_literal(str(parts / 'claims' / '*.parquet'))}) "
                f"ORDER BY seq, start NULLS FIRST")
            self._rows = _fetch(cur)
        self._next: Optional[tuple[Any, ...]] = next(self._rows, None)

    def take(self, seq: int) -> Optional[tuple[tuple[Any, ...], list[tuple[Any, ...]]]]:
        """(marker row, claim rows) of document ``seq``, or None if the parts do not hold it."""
        while self._next is not None and self._next[0] < seq:
            self._next = next(self._rows, None)
        if self._next is None or self._next[0] != seq:
            return None
        marker, claims = self._next, []
        self._next = next(self._rows, None)
        while self._next is not None and self._next[0] == seq:
            claims.append(self._next)
            self._next = next(self._rows, None)
        return marker, claims

    def close(self) -> None:
        self._con.close()


def _fetch(cur: Any) -> Iterator[tuple[Any, ...]]:
    while rows := cur.fetchmany(1000):
        yield from rows


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_NAMES = PART_SCHEMA.names
_SEQ, _SHA, _COUNT, _ERROR_TYPE, _ERROR = (_NAMES.index(n) for n in ("seq", "sha256", "claims", "error_type",
                                                                       "error"))
_CLAIM_AT = [_NAMES.index(n) for n in _CLAIM_FIELDS]


class RayClaims:
    """``items()`` replays the staged input to the ledger; ``extract`` is the extractor it is given."""

    def __init__(self, parts: Path) -> None:
        self.parts = parts
        self.claims = PartClaims(parts)
        self.from_parts = 0
        self.extracted_here = 0
        self._current: Optional[tuple[int, bool, Union[Document, Rejection]]] = None
        self._local: Any = None

    def items(self) -> Iterator[Union[Document, Rejection]]:
        for current in replay(self.parts):
            self._current = current
            yield current[2]
        self._current = None

    def extract(self, doc: Document) -> list[Claim]:
        current, self._current = self._current, None
        if current is not None and current[2] is doc and current[1]:
            found = self.claims.take(current[0])
            if found is not None and found[0][_SHA] == doc.sha256:
                marker, rows = found
                if marker[_ERROR_TYPE] is not None:
                    raise remote_error(marker[_ERROR_TYPE], marker[_ERROR])
                if marker[_COUNT] == len(rows):
                    return [Claim(*(row[i] for i in _CLAIM_AT)) for row in rows]
        self.extracted_here += 1
        if self._local is None:
            from claimledger.extract.pipeline import get_extractor

            self._local = get_extractor().extract
        return self._local(doc)

    def close(self) -> None:
        self.claims.close()


# --- the whole ingest ----------------------------------------------------------------------

@dataclass
class RayRun:
    """What the Ray engine did, beyond the ledger's IngestStats."""

    staged: int = 0
    sent: int = 0
    actors: int = 0
    extracted_in_driver: int = 0
    parts: Optional[str] = None


def ingest(ledger: Any, items: Iterable[Union[Document, Rejection]], extractor_version: str,
           parts: Optional[Union[str, os.PathLike[str]]] = None, address: Optional[str] = None,
           workers: Optional[int] = None, batch_size: int = DEFAULT_BATCH, on_progress: Any = None,
           quiet: bool = True) -> tuple[Any, RayRun]:
    """Ingest ``items`` into ``ledger`` (a Ledger) with extraction on Ray; returns (IngestStats, RayRun).

    ``parts`` keeps the Parquet shards and parts there (docs/, todo/, claims/, each
    replaced); without it they go to a temporary folder removed afterwards.
    """
    require_ray()
    run = RayRun()
    with ExitStack() as stack:
        if parts is None:
            folder = Path(tempfile.mkdtemp(prefix="claimledger-parts-"))
            stack.callback(shutil.rmtree, folder, True)
        else:
            folder = Path(parts)
            folder.mkdir(parents=True, exist_ok=True)
            run.parts = str(folder)
        for sub in ("docs", "todo", "claims", "tmp"):
            shutil.rmtree(folder / sub, ignore_errors=True)
        staged = stage(items, Predictor(ledger.connection, extractor_version), folder)
        run.staged, run.sent = staged.items, staged.todo
        if staged.todo:
            started = False
            try:
                started = connect(address, workers, quiet=quiet)
                run.actors = run_ray(folder, staged, workers, batch_size, progress=not quiet and sys.stderr.isatty())
            except Exception as exc:
                lines = str(exc).strip().splitlines() or [""]
                raise RayStepFailed(f"{type(exc).__name__}: {lines[0]}") from exc
            finally:
                if started:  # stopped before the load: the actors' models are no longer needed
                    import ray

                    ray.shutdown()
        source = RayClaims(folder)
        stack.callback(source.close)
        stats = ledger.ingest(source.items(), source.extract, extractor_version, on_progress=on_progress)
        run.extracted_in_driver = source.extracted_here
    return stats, run

"""``Ledger``: the DuckDB file that holds documents, claims, rejections and findings."""
from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Optional, Union

import duckdb

from claimledger.ledger import dedupe
from claimledger.ledger.ingest import BATCH_DOCUMENTS, Ingester, IngestStats, Progress
from claimledger.ledger.rows import claim_from_row, document_from_row, finding_from_row, finding_row
from claimledger.ledger.schema import CLAIM_COLUMNS, MIGRATIONS, SCHEMA_VERSION, TABLES, quoted
from claimledger.ledger.snapshot import Publisher, Waiting, connect, is_busy, remove_snapshot
from claimledger.model import Claim, Document, Finding, Rejection

_FETCH = 1000  # rows per fetch when streaming a table out
LOCK_WAIT = 2.0  # seconds a Ledger waits, by default, for another process to let go of the file


class LedgerError(Exception):
    """The ledger file cannot be used; the message says why, in words a user can act on.

    ``busy`` is True when another connection holds the file (waiting may help).
    """

    def __init__(self, message: str, busy: bool = False) -> None:
        super().__init__(message)
        self.busy = busy


def explain(exc: BaseException) -> str:
    """DuckDB's error as one short line for a user."""
    text = str(exc)
    if "Could not set lock" in text:
        pid = re.search(r"\(PID (\d+)\)", text)
        return "ledger is in use by another process" + (f" (PID {pid.group(1)})" if pid else "")
    if "same database file with a different configuration" in text:
        return "ledger is in use in this process (open read-write and read-only at once)"
    opened = re.search(r'Cannot open file "[^"]*": (.+)', text)
    if opened:
        return f"cannot open file: {opened.group(1).strip()}"
    if "not a valid DuckDB database file" in text:
        return "not a DuckDB ledger (the file is something else, or damaged)"
    if "database does not exist" in text:
        return "no such ledger"
    text = re.sub(r"^[A-Za-z ]*Error: ", "", text.strip().splitlines()[0] if text.strip() else repr(exc))
    return text


class Ledger:
    """The ledger in the DuckDB file ``path``, created (with its schema) on first open.

    Use as a context manager, or call ``close()``. ``read_only`` opens an existing
    ledger without taking the write lock (several readers may share it).

    A ledger of an older schema version is migrated when opened read-write; opened
    read-only it is read as it is, and ``schema_version`` says which version that is
    (``claimledger.ledger.schema``).

    While another process holds the file, opening retries for up to ``wait``
    seconds (``on_wait(pid)`` is told once) and then raises a busy LedgerError.
    Opening read-write removes a snapshot left by a writer that was killed;
    ``publish`` makes this writer publish one (see ``claimledger.ledger.snapshot``),
    for ``claimledger serve`` to read while the file is locked.
    """

    def __init__(self, path: Union[str, os.PathLike[str]], read_only: bool = False, wait: float = LOCK_WAIT,
                 on_wait: Optional[Waiting] = None, publish: bool = False) -> None:
        self.path = os.fspath(path)
        self.read_only = read_only
        self.schema_version = SCHEMA_VERSION  # an older one only when an old ledger is opened read-only
        self._publisher: Optional[Publisher] = None
        if read_only and not os.path.exists(self.path):
            raise LedgerError("no such ledger")
        if os.path.isdir(self.path):
            raise LedgerError("is a directory, not a ledger file")
        try:
            self._con = connect(self.path, read_only, wait, on_wait)
        except duckdb.Error as exc:
            if is_busy(exc) and wait > 0:
                raise LedgerError(f"{explain(exc)}; still in use after waiting {wait:g} s", busy=True) from exc
            raise LedgerError(explain(exc), busy=is_busy(exc)) from exc
        try:
            self._init_schema()
        except LedgerError:
            self._con.close()
            raise
        except duckdb.Error as exc:
            self._con.close()
            raise LedgerError(explain(exc)) from exc
        if not read_only:
            remove_snapshot(self.path)  # we hold the lock: a snapshot there is a killed writer's
            if publish:
                self._publisher = Publisher(self._con, self.path)
                self._publisher.publish()

    def _init_schema(self) -> None:
        tables = {r[0] for r in self._con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}
        if "meta" not in tables:
            if tables:
                raise LedgerError("not a claimledger ledger (a DuckDB database with other tables)")
            if self.read_only:
                raise LedgerError("not a claimledger ledger (empty database)")
            self._con.begin()
            for ddl in TABLES:
                self._con.execute(ddl)
            self._con.executemany("INSERT INTO meta VALUES (?, ?)", [
                ("schema_version", str(SCHEMA_VERSION)),
                ("created_at", dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")),
                ("minhash", dedupe.scheme_name()),
            ])
            self._con.commit()
            return
        row = self._con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        found = row[0] if row else "none"
        version = int(found) if found.isdigit() and found.isascii() else None
        if version == SCHEMA_VERSION:
            return
        if version is None or not min(MIGRATIONS) - 1 <= version < SCHEMA_VERSION:
            raise LedgerError(f"ledger schema version {found}; "
                              f"this claimledger reads version {SCHEMA_VERSION}")
        self.schema_version = version
        if not self.read_only:  # read-only, an older ledger is read as it is (see ``schema``)
            self._migrate(version)

    def _migrate(self, version: int) -> None:
        """Bring a ledger of schema ``version`` up to ``SCHEMA_VERSION``, in one transaction."""
        self._con.begin()
        try:
            for step in range(version + 1, SCHEMA_VERSION + 1):
                for sql in MIGRATIONS[step]:
                    if callable(sql):
                        sql(self._con)
                    else:
                        self._con.execute(sql)
            self._con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)])
            self._con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [
                f"migrated_from_{version}", dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")])
            self._con.commit()
        except BaseException:
            self._con.rollback()
            raise
        self._con.execute("CHECKPOINT")
        self.schema_version = SCHEMA_VERSION

    # -- lifetime ---------------------------------------------------------------
    def close(self) -> None:
        self._con.close()
        if self._publisher is not None:
            self._publisher.withdraw()  # after the lock is released: readers go back to the file itself
            self._publisher = None

    def _committed(self) -> None:
        if self._publisher is not None:
            self._publisher.after_commit()

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ----------------------------------------------------------------
    def ingest(self, items: Iterable[Union[Document, Rejection]], extract: Callable[[Document], list[Claim]],
               extractor_version: str, on_progress: Optional[Progress] = None,
               batch_documents: int = BATCH_DOCUMENTS) -> IngestStats:
        """Store documents and their claims (see ``claimledger.ledger.ingest`` for what happens to each).

        ``items`` is streamed. ``on_progress(stats, problems)`` is called after each
        item, ``problems`` being the Rejections that item produced (usually none).
        """
        return Ingester(self._con, extract, extractor_version, on_progress, batch_documents,
                        after_commit=self._committed).run(items)

    def replace_findings(self, findings: Iterable[Finding]) -> int:
        """Replace every stored finding with ``findings`` (in one transaction); returns how many."""
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        rows = [(i, *finding_row(f), now) for i, f in enumerate(findings, 1)]
        self._con.begin()
        try:
            self._con.execute("DELETE FROM findings")
            if rows:
                self._con.execute(
                    "INSERT INTO findings SELECT unnest(?::INTEGER[]), unnest(?::VARCHAR[]), "
                    "unnest(?::VARCHAR[])::JSON, unnest(?::VARCHAR[]), unnest(?::VARCHAR[])::JSON, "
                    "unnest(?::TIMESTAMP[])", [list(c) for c in zip(*rows, strict=True)])
            self._con.commit()
        except BaseException:
            self._con.rollback()
            raise
        self._committed()
        return len(rows)

    # -- reading ----------------------------------------------------------------
    def _stream(self, sql: str, params: Optional[list[Any]] = None) -> Iterator[tuple[Any, ...]]:
        """Rows of ``sql`` a batch at a time, on their own cursor so other queries can run meanwhile."""
        cur = self._con.cursor()
        try:
            cur.execute(sql, params or [])
            while True:
                rows = cur.fetchmany(_FETCH)
                if not rows:
                    return
                yield from rows
        finally:
            cur.close()

    def iter_documents(self) -> Iterator[Document]:
        """Every stored document (duplicates included), by doc_id."""
        for row in self._stream("SELECT doc_id, text, title, outlet, url, published, source, lang "
                                "FROM documents ORDER BY doc_id"):
            yield document_from_row(row)

    def document(self, doc_id: str) -> Optional[Document]:
        row = self._con.execute("SELECT doc_id, text, title, outlet, url, published, source, lang "
                                "FROM documents WHERE doc_id = ?", [doc_id]).fetchone()
        return document_from_row(row) if row else None

    def iter_claims(self, doc_id: Optional[str] = None) -> Iterator[Claim]:
        """Stored claims ordered by doc_id, start; only ``doc_id``'s when given."""
        where, params = ("WHERE doc_id = ?", [doc_id]) if doc_id is not None else ("", [])
        for row in self._stream(f"SELECT {quoted(CLAIM_COLUMNS)} FROM claims {where} ORDER BY doc_id, start",
                                params):
            yield claim_from_row(row)

    def duplicates(self) -> dict[str, str]:
        """doc_id -> the doc_id it duplicates, for every duplicate.

        A near duplicate points at an original. An exact duplicate points at a
        document with its very text that holds claims: an original, or (rarely)
        a near duplicate that was itself copied verbatim.
        """
        return dict(self._con.execute(
            "SELECT doc_id, duplicate_of FROM documents WHERE duplicate_of IS NOT NULL").fetchall())

    def duplicate_info(self, doc_id: str) -> Optional[tuple[Optional[str], Optional[str], Optional[float]]]:
        """(duplicate_of, duplicate_kind, similarity) for a stored document, or None if it is not stored."""
        row = self._con.execute("SELECT duplicate_of, duplicate_kind, similarity FROM documents "
                                "WHERE doc_id = ?", [doc_id]).fetchone()
        return (row[0], row[1], row[2]) if row else None

    def iter_rejections(self) -> Iterator[Rejection]:
        for source, line, doc_id, reason in self._stream(
                "SELECT source, line, doc_id, reason FROM rejections ORDER BY last_seen, source, line_key"):
            yield Rejection(source=source, line=line, doc_id=doc_id, reason=reason)

    def iter_findings(self) -> Iterator[Finding]:
        for row in self._stream("SELECT kind, claims, message, details FROM findings ORDER BY id"):
            yield finding_from_row(*row)

    def counts(self) -> dict[str, int]:
        """Rows per table: documents, claims, rejections, findings, and how many documents are duplicates."""
        row = self._con.execute(
            "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM claims), "
            "(SELECT count(*) FROM rejections), (SELECT count(*) FROM findings), "
            "(SELECT count(*) FROM documents WHERE duplicate_of IS NOT NULL)").fetchone()
        assert row is not None
        names = ("documents", "claims", "rejections", "findings", "duplicates")
        return dict(zip(names, map(int, row), strict=True))

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection, for queries the readers above do not cover (don't write through it)."""
        return self._con

    def meta(self) -> dict[str, str]:
        return dict(self._con.execute("SELECT key, value FROM meta").fetchall())

    # -- export -----------------------------------------------------------------
    def export(self, what: str, fmt: str, out: Any) -> int:
        """Write one table as jsonl, csv or parquet to ``out`` (a path, or a text stream for jsonl/csv).

        Returns the number of rows written. See ``claimledger.ledger.export``.
        """
        from claimledger.ledger.export import export

        return export(self._con, what, fmt, out)

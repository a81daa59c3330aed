"""Writing documents and their claims into the ledger: idempotent, batched, one transaction per batch.

Each input document ends in exactly one of these states:

- unchanged: its doc_id is stored with the same text (sha256) and extractor version;
  nothing is written, so ingesting the same input twice changes nothing;
- added / updated: its row and its claims are (re)written together; an updated
  document's old claims are deleted first;
- exact duplicate: its text equals a stored document's; the row is stored with
  ``duplicate_of`` and no claims (they would be the other document's);
- near duplicate: its shingles nearly equal an original's (see ``dedupe``); the row is
  linked and its claims are stored, since a copy may have changed a figure;
- failed: the extractor raised; it is recorded in ``rejections`` and the batch goes on.

A document's row and its claims are always written in the same transaction, and so
are its rows of the documents search's word index (``schema``, version 3; kept as
they are when an update leaves the text unchanged).
New documents are grouped ``BATCH_DOCUMENTS`` (50, or the environment's
``CLAIMLEDGER_BATCH_DOCUMENTS``) to a transaction; an update is committed on its
own, so lookups never see a half-replaced document, and then the documents
linked to it are re-examined (their original changed). After each commit the
ledger may publish a snapshot for readers (``claimledger.ledger.snapshot``).

A process killed at any point loses at most the transaction it was writing:
DuckDB's write-ahead log replays the committed ones when the file is next
opened, and running the same ingest again stores the rest (the committed
documents are unchanged, so they are skipped).
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional, Union

import duckdb
import numpy as np

from claimledger.ledger import dedupe
from claimledger.ledger.rows import claim_row, document_from_row, published_date
from claimledger.ledger.schema import CLAIM_COLUMNS, DOCUMENT_COLUMNS, SENTENCE_LOWER, quoted
from claimledger.ledger.search import index_documents
from claimledger.model import Claim, Document, Rejection


def _batch_documents(default: int = 50) -> int:
    """Documents per transaction: 50, or the environment's CLAIMLEDGER_BATCH_DOCUMENTS (a whole number)."""
    try:
        return max(1, int(os.environ.get("CLAIMLEDGER_BATCH_DOCUMENTS", default)))
    except ValueError:
        return default


BATCH_DOCUMENTS = _batch_documents()
EXTRACTION_FAILED = "extraction failed"

_CLAIM_TYPES = ("VARCHAR", "INTEGER", "INTEGER", "VARCHAR", "DOUBLE", "DOUBLE", "VARCHAR", "VARCHAR",
                "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "INTEGER", "INTEGER", "INTEGER", "VARCHAR")
_DOCUMENT_TYPES = ("VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "DATE", "VARCHAR",
                   "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "DOUBLE", "TIMESTAMP")


@dataclass
class IngestStats:
    """What one ``Ledger.ingest`` call did. ``read == added + updated + unchanged + failed``."""

    read: int = 0  # documents read (a reader's rejections are not documents)
    added: int = 0  # new doc_ids stored, duplicates included
    updated: int = 0  # known doc_ids whose text or extractor version changed
    unchanged: int = 0  # known doc_ids with the same text and extractor version: nothing written
    duplicates_exact: int = 0  # of added + updated: stored as an exact copy of another document
    duplicates_near: int = 0  # of added + updated: stored as a near copy of an original
    rejected: int = 0  # rejections from the reader
    claims_added: int = 0  # claim rows written (an updated document's new claims included)
    failed: int = 0  # documents whose extraction raised
    relinked: int = 0  # stored documents re-examined because the document they were linked to changed

    @property
    def duplicates(self) -> int:
        return self.duplicates_exact + self.duplicates_near

    @property
    def problems(self) -> int:
        """Rejected plus failed: anything that did not make it into the ledger."""
        return self.rejected + self.failed


Progress = Callable[[IngestStats, Sequence[Rejection]], None]


@dataclass
class _Pending:
    """Rows waiting for the next commit, plus what lookups need to see of them."""

    documents: list[tuple[Any, ...]] = field(default_factory=list)
    claims: list[tuple[Any, ...]] = field(default_factory=list)
    signatures: list[tuple[str, bytes]] = field(default_factory=list)
    bands: list[tuple[int, int, str]] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    replace: list[str] = field(default_factory=list)  # doc_ids whose stored rows go first
    keep_claims: set[str] = field(default_factory=set)  # ... but whose stored claims stay
    keep_terms: set[str] = field(default_factory=set)  # ... whose text is the same: its word index rows stay
    doc_ids: set[str] = field(default_factory=set)
    by_sha: dict[str, str] = field(default_factory=dict)  # sha256 -> a pending document holding claims
    by_key: dict[int, list[str]] = field(default_factory=dict)  # band key -> pending originals
    sigs: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.doc_ids) + len(self.rejections)


@dataclass(frozen=True)
class _Placement:
    duplicate_of: Optional[str] = None
    kind: Optional[str] = None  # 'exact' | 'near' | None (an original)
    similarity: Optional[float] = None
    signature: Optional[np.ndarray] = None  # set for originals long enough to index
    keys: tuple[int, ...] = ()


class Ingester:
    """One ingest run over one connection; ``run`` returns its stats."""

    def __init__(self, con: duckdb.DuckDBPyConnection, extract: Callable[[Document], list[Claim]],
                 extractor_version: str, on_progress: Optional[Progress] = None,
                 batch_documents: int = BATCH_DOCUMENTS, after_commit: Optional[Callable[[], None]] = None) -> None:
        self.con = con
        self.after_commit = after_commit  # called after each commit (the ledger publishes a snapshot)
        self.extract = extract
        self.version = extractor_version
        self.on_progress = on_progress
        self.batch_documents = max(1, batch_documents)
        self.stats = IngestStats()
        self.pending = _Pending()

    def run(self, items: Iterable[Union[Document, Rejection]]) -> IngestStats:
        try:
            for item in items:
                problems: list[Rejection] = []
                if isinstance(item, Rejection):
                    self.stats.rejected += 1
                    self.pending.rejections.append(item)
                    problems.append(item)
                else:
                    self.stats.read += 1
                    self._document(item, problems)
                if len(self.pending) >= self.batch_documents:
                    self.flush()
                if self.on_progress is not None:
                    self.on_progress(self.stats, problems)
        except BaseException:
            # Keep the complete documents read so far (Ctrl-C, a reader bug); if the
            # commit itself is what failed, it fails again and the first error is raised.
            try:
                self.flush()
            except Exception:
                pass
            raise
        self.flush()
        return self.stats

    # -- one document -----------------------------------------------------------
    def _document(self, doc: Document, problems: list[Rejection]) -> None:
        if doc.doc_id in self.pending.doc_ids:  # the same id twice in one stream: the later one wins
            self.flush()
        sha = doc.sha256
        previous = self.con.execute(
            "SELECT sha256, extractor_version, duplicate_kind FROM documents WHERE doc_id = ?",
            [doc.doc_id]).fetchone()
        if previous is not None and previous[0] == sha and previous[1] == self.version:
            self.stats.unchanged += 1
            return
        if previous is not None:
            self.flush()  # an update is looked up against, and committed to, a settled ledger
        problem = self._store(doc, sha, previous)
        if problem is not None:
            problems.append(problem)
            return
        if previous is None:
            self.stats.added += 1
            return
        self.stats.updated += 1
        self.flush()
        self._relink(doc.doc_id, {doc.doc_id}, problems)

    def _store(self, doc: Document, sha: str, previous: Optional[tuple[Any, ...]]) -> Optional[Rejection]:
        """Place ``doc`` (original or duplicate), extract its claims if it needs them, queue its rows."""
        place = self._place(doc, sha)
        # A document re-examined without a change of text or version keeps the claims it has.
        keep = (previous is not None and previous[0] == sha and previous[1] == self.version
                and previous[2] != "exact" and place.kind != "exact")
        claims: list[Claim] = []
        if place.kind != "exact" and not keep:
            try:
                claims = list(self.extract(doc))
                _check_claims(doc, claims)
            except Exception as exc:  # one bad document never stops the batch
                rejection = Rejection(source=doc.source or doc.doc_id, doc_id=doc.doc_id,
                                      reason=f"{EXTRACTION_FAILED}: {type(exc).__name__}: {exc}")
                self.stats.failed += 1
                self.pending.rejections.append(rejection)
                return rejection
        self._queue(doc, sha, place, claims, replace=previous is not None, keep_claims=keep,
                    keep_terms=previous is not None and previous[0] == sha)
        if place.kind == "exact":
            self.stats.duplicates_exact += 1
        elif place.kind == "near":
            self.stats.duplicates_near += 1
        self.stats.claims_added += len(claims)
        return None

    def _relink(self, doc_id: str, seen: set[str], problems: list[Rejection]) -> None:
        """Re-examine the documents linked to ``doc_id``, whose text or status just changed."""
        rows = self.con.execute(
            "SELECT doc_id, text, title, outlet, url, published, source, lang, sha256, extractor_version, "
            "duplicate_kind FROM documents WHERE duplicate_of = ? ORDER BY doc_id", [doc_id]).fetchall()
        for row in rows:
            if row[0] in seen:
                continue
            seen.add(row[0])
            problem = self._store(document_from_row(row[:8]), row[8], row[8:])
            if problem is not None:
                problems.append(problem)
                continue
            self.stats.relinked += 1
            self.flush()
            self._relink(row[0], seen, problems)

    # -- duplicates -------------------------------------------------------------
    def _place(self, doc: Document, sha: str) -> _Placement:
        """Whether ``doc`` repeats a stored or pending document, exactly or nearly."""
        exact = self._exact(sha, doc.doc_id)
        if exact is not None:
            return _Placement(exact, "exact", 1.0)
        sig = dedupe.signature(doc.text)
        if sig is None:
            return _Placement()
        keys = tuple(dedupe.band_keys(sig))
        best: Optional[tuple[float, str]] = None
        for cand_id, cand_sig in self._candidates(keys, doc.doc_id):
            score = dedupe.similarity(sig, cand_sig)
            if best is None or score > best[0] or (score == best[0] and cand_id < best[1]):
                best = (score, cand_id)
        if best is not None and best[0] >= dedupe.NEAR_DUPLICATE_THRESHOLD:
            return _Placement(best[1], "near", best[0])
        return _Placement(signature=sig, keys=keys)

    def _exact(self, sha: str, doc_id: str) -> Optional[str]:
        """A document with this text that holds claims (an original if there is one)."""
        row = self.con.execute(
            "SELECT doc_id FROM documents WHERE sha256 = ? AND doc_id <> ? "
            "AND duplicate_kind IS DISTINCT FROM 'exact' "
            "ORDER BY duplicate_of IS NOT NULL, doc_id LIMIT 1", [sha, doc_id]).fetchone()
        return row[0] if row else self.pending.by_sha.get(sha)

    def _candidates(self, keys: tuple[int, ...], doc_id: str) -> Iterable[tuple[str, np.ndarray]]:
        """Indexed originals sharing a band key with ``keys``, with their signatures."""
        ids = [r[0] for r in self.con.execute(
            f"SELECT DISTINCT doc_id FROM minhash_bands WHERE key IN ({', '.join('?' * len(keys))})",
            list(keys)).fetchall() if r[0] != doc_id]
        seen = set(ids)
        if ids:
            rows = self.con.execute(
                f"SELECT doc_id, hashvalues FROM minhash_signatures WHERE doc_id IN "
                f"({', '.join('?' * len(ids))})", ids).fetchall()
            for cand_id, blob in rows:
                yield cand_id, dedupe.from_blob(blob)
        for key in keys:
            for cand_id in self.pending.by_key.get(key, ()):
                if cand_id not in seen and cand_id != doc_id:
                    seen.add(cand_id)
                    yield cand_id, self.pending.sigs[cand_id]

    # -- writing ----------------------------------------------------------------
    def _queue(self, doc: Document, sha: str, place: _Placement, claims: list[Claim], replace: bool,
               keep_claims: bool, keep_terms: bool) -> None:
        p = self.pending
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        p.documents.append((doc.doc_id, doc.text, doc.title, doc.outlet, doc.url, doc.published,
                            published_date(doc.published), doc.source, doc.lang, sha, self.version,
                            place.duplicate_of, place.kind, place.similarity, now))
        p.doc_ids.add(doc.doc_id)
        if replace:
            p.replace.append(doc.doc_id)
            if keep_claims:
                p.keep_claims.add(doc.doc_id)
            if keep_terms:
                p.keep_terms.add(doc.doc_id)
        p.claims.extend(claim_row(c, self.version) for c in claims)
        if place.kind != "exact" and (place.kind is None or sha not in p.by_sha):
            p.by_sha[sha] = doc.doc_id
        if place.signature is not None:
            p.signatures.append((doc.doc_id, dedupe.to_blob(place.signature)))
            p.sigs[doc.doc_id] = place.signature
            for band, key in enumerate(place.keys):
                p.bands.append((band, key, doc.doc_id))
                p.by_key.setdefault(key, []).append(doc.doc_id)

    def flush(self) -> None:
        """Commit everything pending in one transaction (all of it or none of it)."""
        p = self.pending
        if not len(p):
            return
        con = self.con
        con.begin()
        try:
            if p.replace:
                drop_claims = [d for d in p.replace if d not in p.keep_claims]
                if drop_claims:
                    con.execute("DELETE FROM claims WHERE doc_id IN (SELECT unnest(?::VARCHAR[]))",
                                [drop_claims])
                for table in ("documents", "minhash_signatures", "minhash_bands"):
                    con.execute(f"DELETE FROM {table} WHERE doc_id IN (SELECT unnest(?::VARCHAR[]))",
                                [p.replace])
                # the postings are a scan of the biggest table: only a changed text drops its own
                drop_terms = [d for d in p.replace if d not in p.keep_terms]
                if drop_terms:
                    con.execute("DELETE FROM document_terms WHERE doc_id IN (SELECT unnest(?::VARCHAR[]))",
                                [drop_terms])
            _append(con, "documents", DOCUMENT_COLUMNS, _DOCUMENT_TYPES, p.documents)
            index_documents(con, [(d[0], d[1]) for d in p.documents if d[0] not in p.keep_terms])
            _append_claims(con, p.claims, p.documents)  # each claim's document is among p.documents
            _append(con, "minhash_signatures", ("doc_id", "hashvalues"), ("VARCHAR", "BLOB"), p.signatures)
            _append(con, "minhash_bands", ("band", "key", "doc_id"), ("UTINYINT", "BIGINT", "VARCHAR"),
                    p.bands)
            record_rejections(con, p.rejections)
            con.commit()
        except BaseException:
            con.rollback()
            raise
        self.pending = _Pending()
        if self.after_commit is not None:
            self.after_commit()


def record_rejections(con: duckdb.DuckDBPyConnection, rejections: Iterable[Rejection]) -> None:
    """Store rejections; one seen before (same source, line, reason) gets its count and last_seen bumped."""
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    for r in rejections:
        con.execute(
            "INSERT INTO rejections (source, line, line_key, doc_id, reason, first_seen, last_seen, times) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT (source, line_key, reason) DO UPDATE SET "
            "last_seen = excluded.last_seen, times = rejections.times + 1, "
            "doc_id = coalesce(excluded.doc_id, rejections.doc_id)",
            [r.source, r.line, r.line or 0, r.doc_id, r.reason, now, now])


def _append(con: duckdb.DuckDBPyConnection, table: str, columns: tuple[str, ...], types: tuple[str, ...],
            rows: list[tuple[Any, ...]]) -> None:
    """Insert ``rows`` with one statement: each column bound as a list and unnested (executemany
    runs one statement per row, ~100x slower)."""
    if not rows:
        return
    select = ", ".join(f"unnest(?::{t}[])" for t in types)
    con.execute(f"INSERT INTO {table} ({quoted(columns)}) SELECT {select}",
                [list(col) for col in zip(*rows, strict=True)])


def _append_claims(con: duckdb.DuckDBPyConnection, rows: list[tuple[Any, ...]],
                   documents: list[tuple[Any, ...]]) -> None:
    """Insert claim rows as ``_append`` does, in the order given, each with its ``sentence_lower``
    computed by DuckDB (``SENTENCE_LOWER``) from the text of its document, one of ``documents``
    (the rows written with them; the stored table is not scanned, however big it is)."""
    if not rows:
        return
    columns = [f'"{c}"' for c in CLAIM_COLUMNS]
    unnested = ", ".join(f"unnest(?::{t}[]) AS {c}" for t, c in zip(_CLAIM_TYPES, columns, strict=True))
    with_claims = {r[0] for r in rows}
    texts = [(d[0], d[1]) for d in documents if d[0] in with_claims]
    con.execute(f"INSERT INTO claims ({', '.join(columns)}, sentence_lower) "
                f"SELECT {', '.join('c.' + c for c in columns)}, {SENTENCE_LOWER} "
                f"FROM (SELECT unnest(?::INTEGER[]) AS row_no, {unnested}) c "
                "LEFT JOIN (SELECT unnest(?::VARCHAR[]) AS doc_id, unnest(?::VARCHAR[]) AS text) d "
                "ON d.doc_id = c.doc_id ORDER BY c.row_no",
                [list(range(len(rows))), *(list(col) for col in zip(*rows, strict=True)),
                 [t[0] for t in texts], [t[1] for t in texts]])


def _check_claims(doc: Document, claims: list[Claim]) -> None:
    """Claims that could not be stored are the extractor's fault, not the batch's."""
    starts: set[int] = set()
    for c in claims:
        if c.doc_id != doc.doc_id:
            raise ValueError(f"claim at {c.start} names document {c.doc_id!r}")
        if c.start in starts:
            raise ValueError(f"two claims start at offset {c.start}")
        starts.add(c.start)

"""The read model: what the API and the pages read from the ledger, and the cached checks.

The server never reads the ledger file itself during a request, and never holds
it for longer than a file copy: requests read a private copy of the ledger (in a
temporary folder, ``TMPDIR``), and a request that finds the ledger's files
changed (their size or modification time) refreshes that copy first:

- from the ledger itself when it can be opened read-only (no writer holds it):
  the file is copied while the read lock is held, so no writer changes it meanwhile;
- while a writer holds it (``claimledger ingest``), from the snapshot the writer
  publishes after its commits (``claimledger.ledger.snapshot``), when that is
  newer than the copy; otherwise the copy stays as it is, and is tried again
  on the next change.

A copy of a ledger of an older schema version (one no writer has opened since
an upgrade) is migrated as it is made: the copy only, never the ledger itself,
which its next writer migrates (``claimledger.ledger.schema``).

So once the server has read the ledger, requests keep being answered, from the
last committed state it has seen, while another process writes it; a writer
that finds the file held for the moment of a copy waits for it (``Ledger``
retries). A ledger that is missing or is not a ledger answers 503
``ledger_unavailable``, as does a busy ledger the server has never read (after
waiting a few seconds for a snapshot). ``ReadModel.writer()`` opens the ledger
for writing from within the server (one writer at a time); requests meanwhile
read what it publishes.

``run_checks`` (findings, indicator series) is computed once and kept with the
ledger's *fingerprint*: row counts, the newest ``ingested_at`` and ``created_at``,
and a hash over every document's id, text hash, extractor version and duplicate
link. A re-ingest changes the fingerprint, so the next request recomputes; a
restart is never needed.

Every query binds its values as parameters; no value is formatted into SQL.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Optional
from urllib.parse import quote

from claimledger.ledger.schema import SCHEMA_VERSION, sentence_sql
from claimledger.ledger.search import text_matches
from claimledger.web.errors import ApiError

# claims joined with their document; the sentence shown is cut from the document's text (a page's rows only)
_SENTENCE = sentence_sql("c", "d")
_CLAIM_SELECT = (
    'SELECT c.doc_id, c.start, c."end", c.surface, c.value, c.high, c.qualifier, c.unit, c.counted, c.event, '
    "c.speaker, c.location, c.part_of, c.sentence_start, c.sentence_end, "
    f"{_SENTENCE} AS sentence, d.outlet, d.title, d.published, d.published_date "
    "FROM claims c JOIN documents d ON d.doc_id = c.doc_id")
_CLAIM_KEYS = ("doc_id", "start", "end", "surface", "value", "high", "qualifier", "unit", "counted", "event",
               "speaker", "location", "part_of", "sentence_start", "sentence_end", "sentence", "outlet", "title",
               "published", "published_date")
_CLAIM_ORDER = " ORDER BY d.published_date NULLS LAST, c.doc_id, c.start"

_DOC_FIELDS = ("SELECT d.doc_id, d.title, d.outlet, d.url, d.published, d.published_date, d.duplicate_of, "
               "d.duplicate_kind, d.similarity, length(d.text) AS chars, "
               "(SELECT count(*) FROM claims c WHERE c.doc_id = d.doc_id) AS claims")
_DOC_SUMMARY = f"{_DOC_FIELDS} FROM documents d"
_DOC_ORDER = " ORDER BY d.published_date DESC NULLS LAST, d.doc_id"
_DOC_KEYS = ("doc_id", "title", "outlet", "url", "published", "published_date", "duplicate_of", "duplicate_kind",
             "similarity", "chars", "claims")

_FINGERPRINT = (
    "SELECT (SELECT count(*) FROM documents), (SELECT max(ingested_at) FROM documents), "
    "(SELECT bit_xor(hash(doc_id, sha256, extractor_version, duplicate_of)) FROM documents), "
    "(SELECT count(*) FROM claims), (SELECT count(*) FROM findings), (SELECT max(created_at) FROM findings)")


def claim_href(doc_id: str, start: Any) -> str:
    """Where a claim is shown: its document's page, scrolled to the claim."""
    return f"/documents/{quote(str(doc_id), safe='')}#claim-{start}"


def document_href(doc_id: str) -> str:
    return f"/documents/{quote(str(doc_id), safe='')}"


def plain_number(v: Any) -> Any:
    """3400.0 -> 3400 (as ``Claim.contract_dict`` writes values); other values unchanged."""
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return int(v)
    return v


def _json_value(v: Any) -> Any:
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return plain_number(v)


@dataclass(frozen=True)
class ClaimFilter:
    """The claims a request asks for. Text filters match a case-insensitive substring; ``event`` is exact."""

    event: Optional[str] = None
    counted: Optional[str] = None
    speaker: Optional[str] = None
    outlet: Optional[str] = None
    location: Optional[str] = None
    date_from: Optional[dt.date] = None  # the document's published_date, inclusive
    date_to: Optional[dt.date] = None
    q: Optional[str] = None  # in the surface or the claim's sentence

    def where(self) -> tuple[str, list[Any]]:
        """The WHERE clause (or "") and its bound parameters."""
        clauses: list[str] = []
        params: list[Any] = []
        if self.event:
            clauses.append("c.event = ?")
            params.append(self.event)
        for column, value in (("c.counted", self.counted), ("c.speaker", self.speaker),
                              ("d.outlet", self.outlet), ("c.location", self.location)):
            if value:
                clauses.append(f"strpos(lower({column}), lower(?)) > 0")
                params.append(value)
        if self.date_from:
            clauses.append("d.published_date >= ?")
            params.append(self.date_from)
        if self.date_to:
            clauses.append("d.published_date <= ?")
            params.append(self.date_to)
        if self.q:
            # c.sentence_lower is lower(_SENTENCE), stored when the claim was written (ledger schema 2):
            # the same test as strpos(lower(_SENTENCE), ...), without cutting every claim's sentence
            clauses.append("(strpos(lower(c.surface), lower(?)) > 0 OR strpos(c.sentence_lower, lower(?)) > 0)")
            params += [self.q, self.q]
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def active(self) -> dict[str, str]:
        """The filters that are set, as query-string values."""
        return {k: (v.isoformat() if isinstance(v, dt.date) else v)
                for k, v in self.__dict__.items() if v not in (None, "")}


@dataclass
class ChecksSnapshot:
    """``run_checks`` over one state of the ledger, with lookups the endpoints need."""

    fingerprint: tuple[Any, ...]
    result: Any  # claimledger.check.CheckResult
    seconds: float
    computed_at: str
    by_key: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_key = {s.key: s for s in self.result.indicators}


class ChecksCache:
    """The latest ChecksSnapshot; recomputed (by one thread at a time) when the fingerprint changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._snapshot: Optional[ChecksSnapshot] = None
        self.computations = 0

    def get(self, ledger: Any) -> ChecksSnapshot:
        fingerprint = ledger_fingerprint(ledger)
        snap = self._snapshot
        if snap is not None and snap.fingerprint == fingerprint:
            return snap
        with self._lock:
            snap = self._snapshot
            if snap is not None and snap.fingerprint == fingerprint:
                return snap  # another request computed it while this one waited
            from claimledger.check import run_checks

            t0 = time.perf_counter()
            result = run_checks(list(ledger.iter_documents()), list(ledger.iter_claims()), ledger.duplicates())
            snap = ChecksSnapshot(fingerprint, result, round(time.perf_counter() - t0, 3),
                                  dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
            self._snapshot = snap
            self.computations += 1
            return snap


def ledger_fingerprint(ledger: Any) -> tuple[Any, ...]:
    """Cheap to compute, and different after anything that changes what the checks see."""
    row = ledger.connection.execute(_FINGERPRINT).fetchone()
    return tuple(row) if row else ()


FIRST_WAIT = 5.0  # seconds a server that has nothing to show waits for a busy ledger, before a 503
RECHECK_BUSY = 1.0  # seconds between attempts at a busy ledger whose files look unchanged
_RETRY = 0.1  # seconds between attempts while waiting for a first copy

_Stat = Optional[tuple[int, int, int]]


def _stat(path: str) -> _Stat:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


@dataclass(eq=False)
class _Copy:
    """One private copy of the ledger, read by the requests that acquired it."""

    path: str
    keeper: Any  # a Ledger kept open on the copy: DuckDB keeps it loaded, so requests connect cheaply
    signature: tuple[_Stat, ...]  # the ledger's files as they were when this copy was made (or last confirmed)
    as_of: int  # time.time_ns() when it was copied from the ledger, or the copied snapshot's mtime_ns
    source: str  # "ledger" | "snapshot"
    busy: bool = False  # the ledger was held by a writer at the last attempt
    checked: float = 0.0  # time.monotonic() of the last attempt
    users: int = 0
    retired: bool = False


class ReadModel:
    """The ledger at ``db_path`` as the web app reads it. One per app; thread-safe."""

    def __init__(self, db_path: str) -> None:
        self.db_path = db_path
        self.checks_cache = ChecksCache()
        self.copies = {"ledger": 0, "snapshot": 0}  # private copies made, by source
        self._state = threading.Lock()  # guards the fields below
        self._refreshing = threading.Lock()  # one refresh at a time
        self._write_lock = threading.Lock()  # one in-process writer at a time
        self._writing = 0
        self._stale = False
        self._current: Optional[_Copy] = None
        self._serial = 0
        self._dir: Optional[str] = None

    @contextmanager
    def view(self) -> Iterator["LedgerView"]:
        """A read-only view of the ledger (its freshest private copy) for one request."""
        from claimledger.ledger import Ledger, LedgerError

        copy = self._acquire()
        try:
            try:
                ledger = Ledger(copy.path, read_only=True, wait=0)
            except LedgerError as exc:
                raise ApiError(503, "ledger_unavailable", f"the ledger cannot be read: {exc}") from exc
            try:
                yield LedgerView(ledger, self.checks_cache)
            finally:
                ledger.close()
        finally:
            self._release(copy)

    @contextmanager
    def writer(self, wait: float = 60.0, on_wait: Any = None) -> Iterator[Any]:
        """The ledger opened read-write (a ``Ledger``), for writing to it from within the server.

        One writer at a time in this process (a second waits here); another
        process's writer is waited for up to ``wait`` seconds (then a busy
        ``LedgerError``). Meanwhile requests read the snapshot it publishes after
        its commits; afterwards, the ledger.
        """
        from claimledger.ledger import Ledger

        with self._write_lock:
            with self._state:
                self._writing += 1
            try:
                ledger = Ledger(self.db_path, wait=wait, on_wait=on_wait, publish=True)
                try:
                    yield ledger
                finally:
                    ledger.close()
            finally:
                with self._state:
                    self._writing -= 1
                    self._stale = True

    # -- the private copies ----------------------------------------------------------
    def _signature(self) -> tuple[_Stat, ...]:
        from claimledger.ledger.snapshot import snapshot_path

        return (_stat(self.db_path), _stat(self.db_path + ".wal"), _stat(snapshot_path(self.db_path)))

    def _acquire(self) -> _Copy:
        if not os.path.exists(self.db_path):  # removed: unavailable, however recent the copy
            raise ApiError(503, "ledger_unavailable", "the ledger cannot be read: no such ledger")
        signature = self._signature()
        with self._state:
            current = self._current
            if current is not None and not self._due(current, signature):
                current.users += 1
                return current
        # a refresh is due; with a copy to show, a request never waits for another one's refresh
        if self._refreshing.acquire(blocking=current is None):
            try:
                self._refresh(signature)
            finally:
                self._refreshing.release()
        with self._state:
            current = self._current
            if current is None:
                raise ApiError(503, "ledger_unavailable", "the ledger cannot be read: it is being written")
            current.users += 1
            return current

    def _due(self, copy: _Copy, signature: tuple[_Stat, ...]) -> bool:
        if self._stale:
            return True
        if copy.busy:  # a writer held the ledger: try again after a change, at most so often
            return time.monotonic() - copy.checked >= (_RETRY if copy.signature != signature else RECHECK_BUSY)
        return copy.signature != signature

    def _release(self, copy: _Copy) -> None:
        with self._state:
            copy.users -= 1
            dispose = copy.retired and copy.users == 0
        if dispose:
            self._dispose(copy)

    def _refresh(self, signature: tuple[_Stat, ...]) -> None:
        """Bring the current copy up to date, as far as the ledger lets; ApiError 503 if there is nothing to show."""
        deadline = time.monotonic() + FIRST_WAIT
        while True:
            if self._attempt(signature):
                return
            if time.monotonic() >= deadline:
                raise ApiError(503, "ledger_unavailable",
                               "the ledger cannot be read: it is being written, and nothing of it has been "
                               "published yet")
            time.sleep(_RETRY)
            signature = self._signature()

    def _attempt(self, signature: tuple[_Stat, ...]) -> bool:
        """One try: False only if the ledger is busy and there is no copy at all to show."""
        from claimledger.ledger import Ledger, LedgerError
        from claimledger.ledger.snapshot import snapshot_path

        with self._state:
            current, writing = self._current, self._writing > 0
        if not writing:
            try:
                live = Ledger(self.db_path, read_only=True, wait=0)
            except LedgerError as exc:
                if not exc.busy:
                    raise ApiError(503, "ledger_unavailable", f"the ledger cannot be read: {exc}") from exc
            else:
                # The read lock keeps writers out while the files are copied. DuckDB's lock goes with any
                # descriptor of the file this process closes, so ours is closed before DuckDB's: never while
                # a writer in this process (``writer()``) could hold the file.
                try:
                    as_of = time.time_ns()
                    fd = os.open(self.db_path, os.O_RDONLY)
                    try:
                        wal = self.db_path + ".wal"
                        copy = self._make_copy([fd, *([wal] if os.path.exists(wal) else [])], signature, as_of,
                                               "ledger")
                    finally:
                        os.close(fd)
                except OSError:
                    copy = None
                finally:
                    live.close()
                return self._install(copy, current)
        # a writer holds the ledger: what it published, if newer than what we have
        try:
            with open(snapshot_path(self.db_path), "rb") as src:  # replaced by rename: this one stays whole
                mtime = os.fstat(src.fileno()).st_mtime_ns
                if current is None or mtime > current.as_of:
                    copy = self._make_copy([src.fileno()], signature, mtime, "snapshot")
                    if copy is not None:
                        copy.busy, copy.checked = True, time.monotonic()
                    return self._install(copy, current)
        except OSError:
            pass  # none published (yet)
        if current is None:
            return False
        with self._state:  # keep what we have; look again after the next change
            current.signature, current.busy, current.checked = signature, True, time.monotonic()
            self._stale = False
        return True

    def _make_copy(self, sources: list[Any], signature: tuple[_Stat, ...], as_of: int, source: str
                   ) -> Optional[_Copy]:
        """Copy the ledger file (a descriptor; then its .wal, a path) and open the copy; None if it is unusable."""
        from claimledger.ledger import Ledger, LedgerError
        from claimledger.ledger.snapshot import copy_from_fd

        with self._state:
            if self._dir is None:
                self._dir = tempfile.mkdtemp(prefix="claimledger-serve-")
                weakref.finalize(self, shutil.rmtree, self._dir, True)
            self._serial += 1
            path = os.path.join(self._dir, f"ledger-{self._serial}.duckdb")
        try:
            for src, dst in zip(sources, (path, path + ".wal"), strict=False):  # the .wal only if there is one
                if isinstance(src, str):
                    shutil.copyfile(src, dst)
                else:
                    copy_from_fd(src, dst)
            keeper = Ledger(path, read_only=True, wait=0)
            if keeper.schema_version != SCHEMA_VERSION:
                # an older ledger, read before any writer migrated it: migrate this private copy
                keeper.close()
                Ledger(path, wait=0).close()
                keeper = Ledger(path, read_only=True, wait=0)
        except (OSError, LedgerError):
            _remove(path)
            return None
        return _Copy(path, keeper, signature, as_of, source, checked=time.monotonic())

    def _install(self, copy: Optional[_Copy], current: Optional[_Copy]) -> bool:
        if copy is None:  # could not be copied or opened: keep what we have
            return current is not None
        with self._state:
            old, self._current = self._current, copy
            self._stale = False
            self.copies[copy.source] += 1
            dispose = False
            if old is not None:
                old.retired = True
                dispose = old.users == 0
        if dispose and old is not None:
            self._dispose(old)
        return True

    @staticmethod
    def _dispose(copy: _Copy) -> None:
        copy.keeper.close()
        _remove(copy.path)


def _remove(path: str) -> None:
    for p in (path, path + ".wal"):
        try:
            os.unlink(p)
        except OSError:
            pass


class LedgerView:
    """Queries over one open, read-only ledger."""

    def __init__(self, ledger: Any, cache: ChecksCache) -> None:
        self.ledger = ledger
        self._cache = cache

    def _rows(self, sql: str, params: Optional[list[Any]] = None) -> list[tuple[Any, ...]]:
        return self.ledger.connection.execute(sql, params or []).fetchall()

    def _count(self, sql: str, params: list[Any]) -> int:
        row = self.ledger.connection.execute(sql, params).fetchone()
        return int(row[0]) if row else 0

    # -- checks ------------------------------------------------------------------
    def checks(self) -> ChecksSnapshot:
        return self._cache.get(self.ledger)

    # -- stats -------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        counts = self.ledger.counts()
        snap = self.checks()
        by_kind: dict[str, int] = {}
        for f in snap.result.findings:
            by_kind[f.kind] = by_kind.get(f.kind, 0) + 1
        figures = snap.result.figures
        outlets = self._count("SELECT count(DISTINCT outlet) FROM documents", [])
        return {
            **counts,  # rows per table, as stored ("findings": rows written by `claimledger check`)
            "outlets": outlets,
            "checks": {"findings": len(snap.result.findings), "by_kind": by_kind,
                       "indicators": len(snap.result.indicators), "figures": len(figures),
                       "single_source_figures": sum(1 for f in figures if f.single_primary_source),
                       "computed_at": snap.computed_at, "seconds": snap.seconds},
        }

    def facets(self) -> dict[str, list[str]]:
        """Values the filter form offers: events and outlets present in the ledger."""
        events = [r[0] for r in self._rows("SELECT DISTINCT event FROM claims WHERE event IS NOT NULL ORDER BY 1")]
        outlets = [r[0] for r in self._rows("SELECT DISTINCT outlet FROM documents WHERE outlet IS NOT NULL "
                                            "ORDER BY 1")]
        return {"events": events, "outlets": outlets}

    # -- documents ---------------------------------------------------------------
    def documents(self, limit: int, offset: int, outlet: Optional[str] = None,
                  q: Optional[str] = None) -> dict[str, Any]:
        clauses, params = [], []
        if outlet:
            clauses.append("strpos(lower(d.outlet), lower(?)) > 0")
            params.append(outlet)
        if q:
            # the text's test reads the word index (ledger schema 3, ``claimledger.ledger.search``): the same
            # documents as strpos(lower(d.text), lower(?)) > 0, without lower-casing every text
            text, text_params = text_matches(self.ledger.connection, q,
                                             indexed=getattr(self.ledger, "schema_version", SCHEMA_VERSION) >= 3)
            clauses.append("(strpos(lower(d.title), lower(?)) > 0 OR strpos(lower(d.doc_id), lower(?)) > 0 "
                           f"OR d.doc_id IN ({text}))")
            params += [q, q, *text_params]
        where = " WHERE " + " AND ".join(clauses) if clauses else ""
        # One pass: the page's ids with the count of all matches, then the page's summaries (counting the
        # claims of every document before LIMIT was slow).
        page = f"SELECT d.doc_id, count(*) OVER () AS total FROM documents d{where}{_DOC_ORDER} LIMIT ? OFFSET ?"
        rows = self._rows(f"{_DOC_FIELDS}, p.total FROM documents d JOIN ({page}) p ON p.doc_id = d.doc_id"
                          f"{_DOC_ORDER}", [*params, limit, offset])
        if rows:
            total = int(rows[0][-1])
        else:  # an offset past the end: no row carries the count
            total = self._count(f"SELECT count(*) FROM documents d{where}", params) if offset else 0
        items = [self._doc_summary(r[:-1]) for r in rows]
        return {"total": total, "limit": limit, "offset": offset, "items": items}

    def _doc_summary(self, row: tuple[Any, ...]) -> dict[str, Any]:
        d = {k: _json_value(v) for k, v in zip(_DOC_KEYS, row, strict=True)}
        d["href"] = document_href(d["doc_id"])
        return d

    def document(self, doc_id: str) -> dict[str, Any]:
        """One document with its text, metadata, claims and duplicate links; ApiError 404 if unknown."""
        rows = self._rows(f"{_DOC_SUMMARY} WHERE d.doc_id = ?", [doc_id])
        if not rows:
            raise ApiError(404, "document_not_found", f"no document with doc_id {doc_id!r} in the ledger",
                           {"doc_id": doc_id})
        doc = self._doc_summary(rows[0])
        text_row = self._rows("SELECT text, lang, ingested_at FROM documents WHERE doc_id = ?", [doc_id])[0]
        doc["text"], doc["lang"], doc["ingested_at"] = text_row[0], text_row[1], _json_value(text_row[2])
        doc["duplicates"] = [r[0] for r in self._rows(
            "SELECT doc_id FROM documents WHERE duplicate_of = ? ORDER BY doc_id", [doc_id])]
        doc["claims"] = [self._claim(r) for r in self._rows(
            f"{_CLAIM_SELECT} WHERE c.doc_id = ? ORDER BY c.start", [doc_id])]
        return doc

    # -- claims ------------------------------------------------------------------
    def claims(self, flt: ClaimFilter, limit: int, offset: int) -> dict[str, Any]:
        where, params = flt.where()
        total = self._count(f"SELECT count(*) FROM claims c JOIN documents d ON d.doc_id = c.doc_id{where}", params)
        # the page's keys first, then their rows: cutting every claim's sentence before LIMIT took 0.5 s at 100k
        page = (f"SELECT c.doc_id, c.start FROM claims c JOIN documents d ON d.doc_id = c.doc_id{where}"
                f"{_CLAIM_ORDER} LIMIT ? OFFSET ?")
        rows = self._rows(f"{_CLAIM_SELECT} JOIN ({page}) p ON p.doc_id = c.doc_id AND p.start = c.start"
                          f"{_CLAIM_ORDER}", [*params, limit, offset])
        return {"total": total, "limit": limit, "offset": offset, "items": [self._claim(r) for r in rows]}

    def claims_at(self, refs: Iterable[tuple[str, int]]) -> dict[tuple[str, int], dict[str, Any]]:
        """The claims at these (doc_id, start) references, keyed by them (unknown ones are left out)."""
        refs = sorted(set(refs))
        if not refs:
            return {}
        rows = self._rows(
            f"{_CLAIM_SELECT} JOIN (SELECT unnest(?::VARCHAR[]) AS doc_id, unnest(?::INTEGER[]) AS start) r "
            "ON r.doc_id = c.doc_id AND r.start = c.start", [[r[0] for r in refs], [r[1] for r in refs]])
        claims = [self._claim(r) for r in rows]
        return {(c["doc_id"], c["start"]): c for c in claims}

    @staticmethod
    def _claim(row: tuple[Any, ...]) -> dict[str, Any]:
        c = {k: _json_value(v) for k, v in zip(_CLAIM_KEYS, row, strict=True)}
        c["href"] = claim_href(c["doc_id"], c["start"])
        return c

    # -- findings and indicators (from the cached checks) ----------------------------
    def findings(self, kind: Optional[str] = None) -> list[dict[str, Any]]:
        out = []
        for i, f in enumerate(self.checks().result.findings, 1):
            if kind and f.kind != kind:
                continue
            d = {"id": i, **f.to_dict()}
            d["claims"] = [{**c, "href": claim_href(c["doc_id"], c["start"])} for c in d["claims"]]
            out.append(d)
        return out

    def indicators(self) -> list[dict[str, Any]]:
        return [indicator_summary(s) for s in self.checks().result.indicators]

    def indicator(self, key: str) -> Any:
        """The IndicatorSeries with this key; ApiError 404 if there is none."""
        series = self.checks().by_key.get(key)
        if series is None:
            raise ApiError(404, "indicator_not_found", f"no indicator with key {key!r}", {"key": key})
        return series


def indicator_summary(series: Any) -> dict[str, Any]:
    points = series.points
    return {"key": series.key, "label": series.indicator.get("label"), "indicator": series.indicator,
            "points": len(points), "usable_points": sum(1 for p in points if p.get("usable") and not p.get("copy")),
            "documents": len({p["doc_id"] for p in points}), "primary_sources": list(series.primary_sources),
            "outlets": list(series.outlets), "single_primary_source": series.single_primary_source,
            "href": f"/indicators/{quote(series.key, safe='')}"}


def indicator_detail(series: Any) -> dict[str, Any]:
    d = series.to_dict()
    d["label"] = series.indicator.get("label")
    d["points"] = [{**p, "value": plain_number(p.get("value")), "high": plain_number(p.get("high")),
                    "href": claim_href(p["doc_id"], p["start"])} for p in series.points]
    return d

"""Readers of a ledger that is being written: the write lock, waiting for it, and the published snapshot.

DuckDB lets one process open a database file read-write, and then no other
process can open it at all, not even read-only. So:

- a writer that finds the ledger in use waits for it (``connect`` retries for
  up to ``wait`` seconds) instead of failing at once;
- a long writer (``claimledger ingest``) *publishes* what it has committed: after
  a commit it checkpoints (so the database file alone holds every committed row)
  and copies the file to ``LEDGER.snapshot`` (written beside it, then renamed
  over it, so a reader never sees half a copy). It publishes when it opens the
  ledger, then at most every ``PUBLISH_INTERVAL`` seconds (and never spending
  more than about a tenth of its time on copies), and removes the snapshot when
  it closes the ledger. ``claimledger serve`` reads the snapshot while the
  ledger itself is locked.

A snapshot left by a writer that was killed is stale: any writer that opens the
ledger removes it (it holds the lock, so no other writer is publishing), and a
reader takes a snapshot only if it is newer than what it already has.
"""
from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from typing import Optional

import duckdb

SNAPSHOT_SUFFIX = ".snapshot"
PUBLISH_INTERVAL = 1.0  # seconds between snapshots, at least
PUBLISH_SHARE = 10  # ... and at least this many times the last copy took
QUIET_WAIT = 0.5  # seconds of waiting for the lock before saying so

Waiting = Callable[[Optional[int]], None]  # told once, with the PID holding the ledger (if DuckDB names it)


def snapshot_path(db_path: str) -> str:
    """Where a writer of ``db_path`` publishes what it has committed."""
    return db_path + SNAPSHOT_SUFFIX


def is_busy(exc: BaseException) -> bool:
    """Whether ``exc`` (from opening a ledger) means another connection holds it: worth waiting for."""
    text = str(exc)
    return ("Could not set lock" in text
            or "same database file with a different configuration" in text)  # held in this very process


def holder_pid(exc: BaseException) -> Optional[int]:
    found = re.search(r"\(PID (\d+)\)", str(exc))
    return int(found.group(1)) if found else None


def memory_limit() -> str:
    """DuckDB's buffer limit for a writing connection: ``$CLAIMLEDGER_DUCKDB_MEMORY`` or 512MB.

    DuckDB's own default is 80% of the machine's memory, so a long ingest's block
    cache would grow with the ledger; bounded, it spills big sorts to disk instead.
    Readers keep DuckDB's default: a server answers many queries at once from one
    database instance, and a shared 512MB is too little for them.
    """
    return os.environ.get("CLAIMLEDGER_DUCKDB_MEMORY", "").strip() or "512MB"


def connect(path: str, read_only: bool, wait: float = 0.0, on_wait: Optional[Waiting] = None,
            quiet: float = QUIET_WAIT) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect``, retrying for up to ``wait`` seconds while another process holds the file.

    ``on_wait(pid)`` is called once, if the file is still in use ``quiet`` seconds
    after the first attempt (a reader copying it for a moment goes unmentioned).
    The last attempt's error is raised as is.
    """
    start = time.monotonic()
    deadline = start + max(0.0, wait)
    delay = 0.02
    told = False
    while True:
        try:
            config = {} if read_only else {"memory_limit": memory_limit()}
            return duckdb.connect(path, read_only=read_only, config=config)
        except duckdb.Error as exc:
            left = deadline - time.monotonic()
            if not is_busy(exc) or left <= 0:
                raise
            if on_wait is not None and not told and time.monotonic() - start >= min(quiet, left):
                told = True
                on_wait(holder_pid(exc))
            time.sleep(min(delay, left))
            delay = min(delay * 2, 0.2)


def remove_snapshot(db_path: str) -> None:
    """Remove the published snapshot (and a half-written copy), if any."""
    for path in (snapshot_path(db_path), snapshot_path(db_path) + ".tmp"):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        except OSError:
            pass  # a read-only folder, say: readers only take a snapshot newer than what they have


def copy_from_fd(fd: int, target: str) -> None:
    """Copy the whole file open at ``fd`` to ``target`` (created or truncated), leaving ``fd`` open.

    DuckDB's lock on a ledger is a POSIX record lock, which a process loses when
    it closes *any* descriptor of the file: a process that holds the ledger must
    never open and close the file itself. It copies through a descriptor it keeps
    open for as long as DuckDB has the file (see ``Publisher``).
    """
    size = os.fstat(fd).st_size
    with open(target, "wb") as out:
        done = 0
        while done < size:
            try:
                n = os.copy_file_range(fd, out.fileno(), size - done, done)
            except (AttributeError, OSError):
                n = 0
            if n <= 0:  # not supported here (or across file systems): read and write
                chunk = os.pread(fd, min(1 << 20, size - done), done)
                if not chunk:
                    break
                out.write(chunk)
                out.flush()
                n = len(chunk)
            done += n


class Publisher:
    """Publishes the committed state of the ledger that ``con`` (the write connection) holds at ``db_path``.

    Holds a descriptor of the file from before the first copy until ``withdraw``,
    called after DuckDB has closed the file (see ``copy_from_fd``).
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, db_path: str, interval: float = PUBLISH_INTERVAL) -> None:
        self.con = con
        self.db_path = db_path
        self.interval = interval
        self.published = 0  # snapshots written
        self.seconds = 0.0  # spent writing them
        self._last = float("-inf")  # time.monotonic() when the last snapshot was done
        self._last_spent = 0.0  # and how long it took
        self._broken = False
        self._fd: Optional[int] = None

    def after_commit(self) -> None:
        """Publish, unless the last snapshot is too recent."""
        # read at each commit, so a change of interval or PUBLISH_SHARE applies at once
        if time.monotonic() >= self._last + max(self.interval, PUBLISH_SHARE * self._last_spent):
            self.publish()

    def publish(self) -> bool:
        """Checkpoint and copy the database file to the snapshot; False if that could not be done now.

        Called between transactions (never inside one): nothing writes to the file
        while it is copied, so the copy is the state of the last commit.
        """
        if self._broken:
            return False
        start = time.monotonic()
        target = snapshot_path(self.db_path)
        tmp = target + ".tmp"
        try:
            self.con.execute("CHECKPOINT")
            if os.path.exists(self.db_path + ".wal") and os.path.getsize(self.db_path + ".wal") > 0:
                return False  # the checkpoint did not take everything in: don't publish an older state
            if self._fd is None:
                self._fd = os.open(self.db_path, os.O_RDONLY)  # closed in withdraw(), after DuckDB closes
            copy_from_fd(self._fd, tmp)
            os.replace(tmp, target)
        except duckdb.Error:
            return False  # e.g. another transaction is open; try after the next commit
        except OSError:
            self._broken = True  # disk full, read-only folder: readers keep what they have; the ingest goes on
            remove_snapshot(self.db_path)
            return False
        spent = time.monotonic() - start
        self.published += 1
        self.seconds += spent
        self._last, self._last_spent = time.monotonic(), spent
        return True

    def withdraw(self) -> None:
        """The ledger is closed (its lock released): readers read it, not the snapshot."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        remove_snapshot(self.db_path)

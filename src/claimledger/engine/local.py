"""The local engine: extraction in this process (one worker) or in a pool of worker processes.

``LocalEngine(workers)`` is started once and then streams items through the
extractor in their input order. At most ``2 * workers * chunk`` items are held
at a time (read ahead, in flight or waiting for an earlier one), so memory does
not grow with the input.

Workers are started with the ``forkserver`` method: a server process imports
the extractor's modules once (spaCy, the grammar) and forks each worker from
itself, so a worker starts in a fraction of a ``spawn`` start, yet never
inherits the parent's threads (DuckDB, tqdm, Ray), which ``fork`` would copy in
an unknown state. Each worker loads the model once (its initializer), and runs
with every BLAS/OpenMP pool at one thread, so N workers use N cores. A worker
exits by itself if this process is killed (it would otherwise wait for work forever).

A document whose extraction raises gets that exception as its result; the rest
go on. A worker that dies (killed, out of memory, a crash in native code) breaks
the pool: it is restarted and the documents that were in flight are retried one
at a time, so only a document that kills a worker again gets a ``WorkerDied``
result.
"""
from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import Any, Generic, Optional, TypeVar, Union

from claimledger.model import Claim, Document

Result = Union[list[Claim], Exception]
T = TypeVar("T")

DEFAULT_CHUNK = 16
START_METHOD = "forkserver"
# Thread pools of the numeric libraries under spaCy: one thread each in a worker.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")
_PRELOAD = ["claimledger.extract.pipeline"]
_DOC_FIELDS = tuple(f.name for f in fields(Document))
_CLAIM_FIELDS = tuple(f.name for f in fields(Claim))


class EngineError(RuntimeError):
    """The engine cannot run at all (the extractor does not load); not one document's problem."""


class ExtractionError(Exception):
    """An exception raised where the extraction ran that could not be sent back as itself.

    ``remote_error`` makes one whose class has the original's name, so what is
    reported (``TypeName: message``) is the same wherever the extraction ran.
    """


_REMOTE_TYPES: dict[str, type[ExtractionError]] = {}


def remote_error(type_name: str, message: str) -> ExtractionError:
    """An ExtractionError whose class is named ``type_name``, carrying ``message``."""
    cls = _REMOTE_TYPES.get(type_name)
    if cls is None:
        cls = _REMOTE_TYPES[type_name] = type(type_name, (ExtractionError,), {"__module__": __name__})
    return cls(message)


class WorkerDied(Exception):
    """The worker process extracting this document died (killed, out of memory, or a native crash)."""


def _document_fields(doc: Document) -> tuple[Any, ...]:
    return tuple(getattr(doc, f) for f in _DOC_FIELDS)


def _claims(rows: list[tuple[Any, ...]]) -> list[Claim]:
    return [Claim(*row) for row in rows]


# --- in the worker -----------------------------------------------------------

_worker_extract: Optional[Callable[[list[Document]], list[Result]]] = None
_worker_load_error: Optional[str] = None


def _init_worker() -> None:
    """Load the model once per worker; Ctrl-C is the parent's to handle, and its death ends the worker."""
    global _worker_extract, _worker_load_error
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent,), name="claimledger-parent-watch", daemon=True).start()
    for name in THREAD_VARIABLES:
        os.environ[name] = "1"
    try:
        from claimledger.extract.pipeline import get_extractor

        _worker_extract = get_extractor().extract_each
    except Exception as exc:  # reported by every task, so the parent can say it once
        _worker_load_error = f"{type(exc).__name__}: {exc}"


def _exit_with(parent: Any) -> None:
    """Exit when the parent process is gone (killed): a worker waiting for work would otherwise wait forever."""
    parent.join()  # blocks on the parent's sentinel; no CPU is used
    os._exit(1)


def _ping() -> Optional[str]:
    """The worker's model load error, if any."""
    return _worker_load_error


def _extract_chunk(docs: list[tuple[Any, ...]]) -> list[tuple[bool, Any]]:
    """(True, claim rows) or (False, exception) per document, in order."""
    if _worker_extract is None:
        raise EngineError(_worker_load_error or "the extractor is not loaded")
    out: list[tuple[bool, Any]] = []
    # the chunk's sentences are parsed together; one bad document never stops the chunk
    for result in _worker_extract([Document(*values) for values in docs]):
        if isinstance(result, Exception):
            out.append((False, _sendable(result)))
        else:
            out.append((True, [tuple(getattr(c, f) for f in _CLAIM_FIELDS) for c in result]))
    return out


def _sendable(exc: Exception) -> Union[Exception, tuple[str, str]]:
    """``exc`` if it survives pickling both ways, else its type name and message."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return (type(exc).__name__, str(exc))


def _result(ok: bool, value: Any) -> Result:
    """A worker's (ok, value) for one document as claims or an exception."""
    if ok:
        return _claims(value)
    return value if isinstance(value, Exception) else remote_error(*value)


# --- in the parent -------------------------------------------------------------

@contextmanager
def _single_threaded_environment() -> Iterator[None]:
    """Thread variables at 1 while worker processes (and the fork server) start, then as they were."""
    saved = {name: os.environ.get(name) for name in THREAD_VARIABLES}
    os.environ.update({name: "1" for name in THREAD_VARIABLES})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@dataclass
class _Entry(Generic[T]):
    item: T
    doc: Optional[Document]
    future: Optional[Future] = None
    index: int = 0
    done: bool = False
    result: Optional[Result] = None


class LocalEngine:
    """Extraction in ``workers`` processes (1: in this process). Use as a context manager.

    ``start()`` loads the model (in the workers) and raises EngineError if it
    cannot; entering the context starts it unless ``lazy``, and ``stream`` and
    ``extract`` start it when the first document needs it (so a run with nothing
    to extract starts no workers).
    """

    def __init__(self, workers: int = 1, chunk: int = DEFAULT_CHUNK, start_method: str = START_METHOD,
                 lazy: bool = False) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        if chunk < 1:
            raise ValueError(f"chunk must be at least 1, not {chunk}")
        self.workers = workers
        self.chunk = chunk
        self.start_method = start_method
        self.lazy = lazy
        self.window = 2 * workers * chunk  # items held at most: read ahead, in flight, or waiting
        self.restarts = 0
        self._extract: Optional[Callable[[Document], list[Claim]]] = None
        self._extract_each: Optional[Callable[[list[Document]], list[Result]]] = None
        self._pool: Optional[ProcessPoolExecutor] = None

    # -- lifetime -----------------------------------------------------------------
    def start(self) -> "LocalEngine":
        if self.workers == 1:
            if self._extract is None:
                try:
                    from claimledger.extract.pipeline import get_extractor

                    extractor = get_extractor()
                    self._extract, self._extract_each = extractor.extract, extractor.extract_each
                except Exception as exc:
                    raise EngineError(f"{type(exc).__name__}: {exc}") from exc
        elif self._pool is None:
            self._pool = self._new_pool()
        return self

    def _new_pool(self) -> ProcessPoolExecutor:
        ctx = multiprocessing.get_context(self.start_method)
        if self.start_method == "forkserver":
            ctx.set_forkserver_preload(_PRELOAD)
        with _single_threaded_environment():
            pool = ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_init_worker)
            # one task per worker starts them all now, under the environment above, and checks the model
            pings = [pool.submit(_ping) for _ in range(self.workers)]
            try:
                problems = {p.result() for p in pings} - {None}
            except BrokenProcessPool as exc:
                self._kill(pool)
                raise EngineError(f"a worker process died while starting: {exc}") from exc
        if problems:
            self._kill(pool)
            raise EngineError(sorted(problems)[0])
        return pool

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def abort(self) -> None:
        """Stop at once: workers are killed, work in flight is dropped."""
        pool, self._pool = self._pool, None
        if pool is not None:
            self._kill(pool)

    @staticmethod
    def _kill(pool: ProcessPoolExecutor) -> None:
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            if process.is_alive():
                process.kill()
        pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> "LocalEngine":
        return self if self.lazy else self.start()

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    # -- one document ---------------------------------------------------------------
    def extract(self, doc: Document) -> list[Claim]:
        """The claims of one document, here or in a worker; its extraction error is raised."""
        self.start()
        if self._extract is not None:
            return self._extract(doc)
        result = self._isolated(doc)
        if isinstance(result, Exception):
            raise result
        return result

    def _isolated(self, doc: Document) -> Result:
        """``doc`` extracted on its own in a worker; WorkerDied if the worker dies under it."""
        assert self._pool is not None
        try:
            ok, value = self._pool.submit(_extract_chunk, [_document_fields(doc)]).result()[0]
        except BrokenProcessPool:
            self._restart()
            return WorkerDied(f"the worker process died while extracting document {doc.doc_id!r}")
        return _result(ok, value)

    def _restart(self) -> None:
        old, self._pool = self._pool, None
        if old is not None:
            self._kill(old)
        self.restarts += 1
        self._pool = self._new_pool()

    # -- many -----------------------------------------------------------------------
    def stream(self, items: Iterable[T], select: Callable[[T], Optional[Document]] = lambda x: x  # type: ignore
               ) -> Iterator[tuple[T, Optional[Result]]]:
        """``(item, result)`` for each item, in input order.

        ``select(item)`` is the Document to extract for it, or None to pass the
        item through untouched (result None). The result is the list of claims,
        or the exception its extraction raised.
        """
        if self.workers == 1:
            # ``chunk`` documents at a time, their sentences parsed together (Extractor.extract_each)
            held: list[tuple[T, Optional[Document]]] = []
            waiting = 0
            for item in items:
                doc = select(item)
                if doc is None and not held:
                    yield item, None
                    continue
                held.append((item, doc))
                waiting += doc is not None
                if waiting >= self.chunk:
                    yield from self._in_process(held)
                    held, waiting = [], 0
            if held:
                yield from self._in_process(held)
            return
        yield from self._pooled(items, select)

    def _in_process(self, held: list[tuple[T, Optional[Document]]]) -> Iterator[tuple[T, Optional[Result]]]:
        docs = [doc for _, doc in held if doc is not None]
        results: Iterator[Result] = iter(())
        if docs:
            self.start()
            assert self._extract_each is not None
            results = iter(self._extract_each(docs))  # each document's claims or its own exception
        for item, doc in held:
            yield item, (None if doc is None else next(results))

    def _pooled(self, items: Iterable[T], select: Callable[[T], Optional[Document]]
                ) -> Iterator[tuple[T, Optional[Result]]]:
        held: deque[_Entry[T]] = deque()
        batch: list[_Entry[T]] = []  # selected, not yet submitted
        source = iter(items)
        exhausted = False
        while True:
            while not exhausted and len(held) < self.window:
                try:
                    item = next(source)
                except StopIteration:
                    exhausted = True
                    break
                entry = _Entry(item, select(item))
                held.append(entry)
                if entry.doc is None:
                    entry.done = True
                    continue
                batch.append(entry)
                if len(batch) >= self.chunk:
                    self._submit(batch)
                    batch = []
            if not held:
                return
            head = held[0]
            if batch and batch[0] is head:  # the oldest item waits for a partial chunk: send it,
                step = -(-len(batch) // self.workers)  # shared out, so a short input still uses every worker
                for i in range(0, len(batch), step):
                    self._submit(batch[i:i + step])
                batch = []
            if not head.done:
                self._settle(head, held)
            held.popleft()
            yield head.item, head.result

    def _submit(self, batch: list[_Entry[T]]) -> None:
        self.start()
        assert self._pool is not None
        try:
            future = self._pool.submit(_extract_chunk, [_document_fields(e.doc) for e in batch  # type: ignore
                                                        ])
        except BrokenProcessPool:  # broken since the last result; the next _settle recovers
            future = Future()
            future.set_exception(BrokenProcessPool("the pool broke"))
        for i, e in enumerate(batch):
            e.future, e.index = future, i

    def _settle(self, head: _Entry[T], held: deque[_Entry[T]]) -> None:
        """Wait for ``head``'s result; after a worker died, redo what the dead pool lost."""
        future = head.future
        assert future is not None
        try:
            results = future.result()
        except BrokenProcessPool:
            self._recover(held)
            return
        for e in held:  # fill in the whole chunk at once
            if e.future is future:
                ok, value = results[e.index]
                e.result = _result(ok, value)
                e.done = True
                e.future = None

    def _recover(self, held: deque[_Entry[T]]) -> None:
        lost = [e for e in held if not e.done and e.future is not None]
        finished = {}
        for e in lost:
            f = e.future
            assert f is not None
            if f.done() and not f.cancelled() and f.exception() is None:
                finished[id(e)] = f.result()[e.index]
        self._restart()
        for e in lost:
            if id(e) in finished:
                ok, value = finished[id(e)]
                e.result = _result(ok, value)
            else:
                assert e.doc is not None
                e.result = self._isolated(e.doc)
            e.done = True
            e.future = None


def extract_stream(docs: Iterable[Document], workers: int = 1, chunk: int = DEFAULT_CHUNK
                   ) -> Iterator[tuple[Document, Result]]:
    """``(doc, claims or the exception its extraction raised)`` for each document, in input order.

    ``workers`` 1 runs in this process; more run that many worker processes,
    each loading the model once, sending them ``chunk`` documents at a time.
    Raises EngineError if the extractor cannot be loaded.
    """
    engine = LocalEngine(workers, chunk)
    try:
        for doc, result in engine.stream(docs):
            assert result is not None
            yield doc, result
    except BaseException:
        engine.abort()
        raise
    engine.close()

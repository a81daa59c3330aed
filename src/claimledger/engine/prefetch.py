"""Claims extracted ahead of a ledger ingest, so the ledger itself stays sequential and unchanged.

The ledger places each document in input order (unchanged, exact or near
duplicate, new), writes it in batches, and asks for claims only when a document
needs them. ``Predictor`` makes the same call early, from what is committed and
what was read just before, so the engine can extract those documents ahead in
parallel; ``Prefetch.extract`` then hands the ledger the claims already made.

A prediction only decides where extraction happens, never what is stored: a
document the ledger wants claims for that was not extracted ahead (a document
re-examined because its original changed, or an exact duplicate whose original
failed) is extracted on the spot, and one extracted ahead that the ledger does
not need is dropped.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import Optional, TypeVar, Union

import duckdb

from claimledger.engine.local import LocalEngine, Result
from claimledger.model import Claim, Document, Rejection

T = TypeVar("T", bound=Union[Document, Rejection])

RECENT_TEXTS = 100_000  # text hashes remembered from this run for the exact-duplicate guess (~10 MB)


class Predictor:
    """Whether a document will need extraction, judged when it is read."""

    def __init__(self, con: duckdb.DuckDBPyConnection, extractor_version: str, remember: int = RECENT_TEXTS) -> None:
        self.con = con
        self.version = extractor_version
        self.remember = max(1, remember)
        self._recent: OrderedDict[str, None] = OrderedDict()

    def __call__(self, item: Union[Document, Rejection]) -> Optional[Document]:
        """``item`` if it is a Document the ledger will (most likely) extract, else None."""
        if not isinstance(item, Document):
            return None
        sha = item.sha256
        row = self.con.execute("SELECT sha256, extractor_version FROM documents WHERE doc_id = ?",
                               [item.doc_id]).fetchone()
        if row is not None and row[0] == sha and row[1] == self.version:
            return None  # unchanged
        if sha in self._recent:
            return None  # an exact duplicate of a document read earlier in this run
        self._recent[sha] = None
        if len(self._recent) > self.remember:
            self._recent.popitem(last=False)
        copy = self.con.execute("SELECT 1 FROM documents WHERE sha256 = ? AND doc_id <> ? "
                                "AND duplicate_kind IS DISTINCT FROM 'exact' LIMIT 1", [sha, item.doc_id]).fetchone()
        return None if copy is not None else item  # an exact duplicate of a stored document


class Prefetch:
    """``items(...)`` wraps the ledger's input; ``extract`` is the extractor the ledger is given.

    ``extracted_ahead`` counts documents extracted in the workers, ``extracted_here``
    those the ledger asked for that were not (extracted by the engine on the spot).
    """

    def __init__(self, engine: LocalEngine, predictor: Predictor) -> None:
        self.engine = engine
        self.predictor = predictor
        self.extracted_ahead = 0
        self.extracted_here = 0
        self._ready: Optional[tuple[Document, Result]] = None

    def items(self, items: Iterable[T]) -> Iterator[T]:
        for item, result in self.engine.stream(items, self.predictor):
            if result is not None:
                self.extracted_ahead += 1
                self._ready = (item, result)  # type: ignore[assignment]
            else:
                self._ready = None
            yield item

    def extract(self, doc: Document) -> list[Claim]:
        ready, self._ready = self._ready, None
        if ready is not None and ready[0] is doc:  # the document just handed to the ledger
            if isinstance(ready[1], Exception):
                raise ready[1]
            return ready[1]
        self.extracted_here += 1
        return self.engine.extract(doc)

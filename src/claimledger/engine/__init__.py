"""Engines that run the extractor over many documents, behind one interface.

``extract_stream(docs, workers, chunk)`` yields ``(doc, claims or exception)``
in input order, streaming: the local engine (``engine.local``) runs in this
process or in a pool of worker processes. The Ray engine (``engine.ray_backend``)
distributes the same extraction over a Ray cluster for ``claimledger ingest
--engine ray``: documents go out as Parquet shards, claims come back as Parquet
parts that the ledger loads. ``engine.prefetch`` feeds a ledger ingest with
claims extracted ahead by either engine, so placement, duplicate rules and
transactions stay the ledger's own.
"""
from __future__ import annotations

from claimledger.engine.local import (
    DEFAULT_CHUNK,
    EngineError,
    ExtractionError,
    LocalEngine,
    Result,
    WorkerDied,
    extract_stream,
)

__all__ = ["DEFAULT_CHUNK", "EngineError", "ExtractionError", "LocalEngine", "Result", "WorkerDied",
           "extract_stream"]

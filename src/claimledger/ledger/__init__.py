"""The ledger: documents, claims, rejections and findings in one DuckDB file.

``Ledger(path)`` opens (or creates) it; ``Ledger.ingest`` stores documents and
their claims idempotently, linking exact and near duplicates; the ``iter_*``
readers and ``export`` get them out again.

Only constants are defined here eagerly; the rest is imported on first use, so
that the command line can name ``DEFAULT_DB`` without loading DuckDB.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

DEFAULT_DB = "claimledger.duckdb"  # in the current directory
EXPORT_WHATS = ("claims", "documents", "findings", "rejections")
EXPORT_FORMATS = ("jsonl", "csv", "parquet")

__all__ = ["DEFAULT_DB", "EXPORT_WHATS", "EXPORT_FORMATS", "Ledger", "LedgerError", "IngestStats",
           "NEAR_DUPLICATE_THRESHOLD", "SCHEMA_VERSION"]

if TYPE_CHECKING:
    from claimledger.ledger.dedupe import NEAR_DUPLICATE_THRESHOLD
    from claimledger.ledger.ingest import IngestStats
    from claimledger.ledger.schema import SCHEMA_VERSION
    from claimledger.ledger.store import Ledger, LedgerError

_LAZY = {
    "Ledger": "claimledger.ledger.store",
    "LedgerError": "claimledger.ledger.store",
    "IngestStats": "claimledger.ledger.ingest",
    "NEAR_DUPLICATE_THRESHOLD": "claimledger.ledger.dedupe",
    "SCHEMA_VERSION": "claimledger.ledger.schema",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Tables out of the ledger as JSONL, CSV or Parquet.

CSV and Parquet (and JSONL for documents and rejections) are written by
DuckDB's own ``COPY ... TO``. Claims and findings as JSONL are written from
Python so they match what ``claimledger extract`` prints: a claim as its
contract fields (integral values as ints) followed by its provenance, a
finding as ``Finding.to_dict()``. Claims always list the contract's columns
first.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from typing import IO, Any, Union

import duckdb

from claimledger.ledger import EXPORT_FORMATS as FORMATS
from claimledger.ledger import EXPORT_WHATS as WHATS
from claimledger.ledger.rows import claim_from_row, finding_from_row
from claimledger.ledger.schema import CLAIM_COLUMNS, DOCUMENT_COLUMNS, REJECTION_COLUMNS, quoted

_PROVENANCE = CLAIM_COLUMNS[13:]  # sentence_start, sentence_end, extractor_version
_ORDER = {
    "claims": "doc_id, start",
    "documents": "doc_id",
    "findings": "id",
    "rejections": "first_seen, source, line_key, reason",
}
_COLUMNS = {
    "claims": quoted(CLAIM_COLUMNS),
    "documents": quoted(DOCUMENT_COLUMNS),
    "findings": "id, kind, claims, message, details, created_at",
    "rejections": quoted(REJECTION_COLUMNS),
}
# In CSV a whole number prints as one (1200, not 1200.0), as in the JSONL.
_CSV_NUMBER = ("CASE WHEN {c} = trunc({c}) AND abs({c}) < 9007199254740992 "
               "THEN CAST(CAST({c} AS BIGINT) AS VARCHAR) ELSE CAST({c} AS VARCHAR) END AS {c}")

Out = Union[str, "os.PathLike[str]", IO[str]]


def export(con: duckdb.DuckDBPyConnection, what: str, fmt: str, out: Out) -> int:
    """Write table ``what`` in format ``fmt`` to ``out``; returns the number of rows written.

    ``out`` is a file path, or for jsonl and csv also an open text stream.
    """
    if what not in WHATS:
        raise ValueError(f"cannot export {what!r}; choose one of {', '.join(WHATS)}")
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    is_path = isinstance(out, (str, os.PathLike))
    if fmt == "parquet" and not is_path:
        raise ValueError("parquet is binary: give a file path")
    if fmt == "jsonl" and what in ("claims", "findings"):
        if is_path:
            with open(out, "w", encoding="utf-8", newline="\n") as f:  # type: ignore[arg-type]
                return _write_jsonl(con, what, f)
        return _write_jsonl(con, what, out)  # type: ignore[arg-type]
    sql = _select(what, fmt)
    if is_path:
        return _copy(con, sql, fmt, os.fspath(out))  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory(prefix="claimledger-export-") as tmp:
        path = os.path.join(tmp, f"{what}.{fmt}")
        count = _copy(con, sql, fmt, path)
        with open(path, encoding="utf-8", newline="") as f:
            shutil.copyfileobj(f, out)  # type: ignore[misc]
        return count


def _select(what: str, fmt: str) -> str:
    columns = _COLUMNS[what]
    if what == "claims" and fmt == "csv":
        columns = ", ".join(_CSV_NUMBER.format(c=c) if c in ("value", "high") else f'"{c}"'
                            for c in CLAIM_COLUMNS)
    return f"SELECT {columns} FROM {what} ORDER BY {_ORDER[what]}"


def _copy(con: duckdb.DuckDBPyConnection, sql: str, fmt: str, path: str) -> int:
    options = {"csv": "FORMAT csv, HEADER true", "parquet": "FORMAT parquet",
               "jsonl": "FORMAT json"}[fmt]
    literal = "'" + path.replace("'", "''") + "'"
    row = con.execute(f"COPY ({sql}) TO {literal} ({options})").fetchone()
    return int(row[0]) if row else 0


def _write_jsonl(con: duckdb.DuckDBPyConnection, what: str, out: IO[str]) -> int:
    cur = con.cursor()
    count = 0
    try:
        if what == "claims":
            cur.execute(f"SELECT {quoted(CLAIM_COLUMNS)} FROM claims ORDER BY {_ORDER['claims']}")
        else:
            cur.execute("SELECT kind, claims, message, details FROM findings ORDER BY id")
        while rows := cur.fetchmany(1000):
            for row in rows:
                out.write(json.dumps(_record(what, row), ensure_ascii=False) + "\n")
                count += 1
    finally:
        cur.close()
    return count


def _record(what: str, row: tuple[Any, ...]) -> dict[str, Any]:
    if what == "claims":
        claim = claim_from_row(row)
        record = claim.contract_dict()
        record.update((k, getattr(claim, k)) for k in _PROVENANCE)
        return record
    return finding_from_row(*row).to_dict()

"""The ledger's tables, created on first open, the columns each export writes, and the migrations.

Bump ``SCHEMA_VERSION`` whenever a table changes, and add to ``MIGRATIONS`` the
statements that bring a ledger of the previous version up to it. A ledger of an
older version is migrated when it is opened read-write (all steps in one
transaction) and read as it is when opened read-only; a ledger of a newer or
unknown version is refused rather than misread.

Versions:

1. the first.
2. ``claims.sentence_lower``: the claim's sentence (``sentence_sql``), lower-cased by
   DuckDB, stored when the claim is written, so that the text search of
   ``claimledger serve`` reads it instead of cutting every claim's sentence out of
   its document at query time. Not one of ``CLAIM_COLUMNS``: exports, ``Claim``
   and the claim contract do not carry it.
3. ``search_terms`` and ``document_terms``: a word index of every document's text for
   the documents search of ``claimledger serve`` (``claimledger.ledger.search``), so
   that a search no longer lower-cases every document's text. ``search_terms`` holds
   each distinct term once, with a number; ``document_terms`` which documents hold it.
   A term is a maximal run of letters, digits and marks (``search.TERM_PATTERN``) of
   the text lower-cased by DuckDB. Written with the document, in the same transaction.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Union

from claimledger.ledger.search import index_all

if TYPE_CHECKING:
    import duckdb

SCHEMA_VERSION = 3

# Claim fields in table order: the output contract's fields first, then provenance.
CLAIM_COLUMNS = ("doc_id", "start", "end", "surface", "value", "high", "qualifier", "unit", "counted",
                 "event", "speaker", "location", "part_of", "sentence_start", "sentence_end",
                 "extractor_version")
DOCUMENT_COLUMNS = ("doc_id", "text", "title", "outlet", "url", "published", "published_date", "source",
                    "lang", "sha256", "extractor_version", "duplicate_of", "duplicate_kind", "similarity",
                    "ingested_at")
REJECTION_COLUMNS = ("source", "line", "doc_id", "reason", "first_seen", "last_seen", "times")
FINDING_COLUMNS = ("id", "kind", "claims", "message", "details", "created_at")

TABLES = (
    """CREATE TABLE IF NOT EXISTS meta (
        key VARCHAR PRIMARY KEY,
        value VARCHAR NOT NULL)""",
    # published is kept as the source gave it; published_date is what could be parsed from it.
    # duplicate_of names the document whose text this one repeats (exact) or nearly repeats (near).
    """CREATE TABLE IF NOT EXISTS documents (
        doc_id VARCHAR PRIMARY KEY,
        text VARCHAR NOT NULL,
        title VARCHAR,
        outlet VARCHAR,
        url VARCHAR,
        published VARCHAR,
        published_date DATE,
        source VARCHAR,
        lang VARCHAR,
        sha256 VARCHAR NOT NULL,
        extractor_version VARCHAR,
        duplicate_of VARCHAR,
        duplicate_kind VARCHAR CHECK (duplicate_kind IN ('exact', 'near')),
        similarity DOUBLE,
        ingested_at TIMESTAMP NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS documents_sha256 ON documents (sha256)",
    "CREATE INDEX IF NOT EXISTS documents_duplicate_of ON documents (duplicate_of)",
    """CREATE TABLE IF NOT EXISTS claims (
        doc_id VARCHAR NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        surface VARCHAR NOT NULL,
        value DOUBLE,
        high DOUBLE,
        qualifier VARCHAR,
        unit VARCHAR,
        counted VARCHAR,
        event VARCHAR,
        speaker VARCHAR,
        location VARCHAR,
        part_of INTEGER,
        sentence_start INTEGER,
        sentence_end INTEGER,
        extractor_version VARCHAR,
        sentence_lower VARCHAR,
        PRIMARY KEY (doc_id, start))""",
    # line_key is coalesce(line, 0): the unique key must not contain NULL, or a file-level
    # rejection (no line) would be stored again on every run.
    """CREATE TABLE IF NOT EXISTS rejections (
        source VARCHAR NOT NULL,
        line INTEGER,
        line_key INTEGER NOT NULL,
        doc_id VARCHAR,
        reason VARCHAR NOT NULL,
        first_seen TIMESTAMP NOT NULL,
        last_seen TIMESTAMP NOT NULL,
        times INTEGER NOT NULL,
        UNIQUE (source, line_key, reason))""",
    """CREATE TABLE IF NOT EXISTS findings (
        id INTEGER PRIMARY KEY,
        kind VARCHAR NOT NULL,
        claims JSON NOT NULL,
        message VARCHAR NOT NULL,
        details JSON NOT NULL,
        created_at TIMESTAMP NOT NULL)""",
    # Near-duplicate index: only original (non-duplicate) documents with enough words are in it.
    """CREATE TABLE IF NOT EXISTS minhash_signatures (
        doc_id VARCHAR PRIMARY KEY,
        hashvalues BLOB NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS minhash_bands (
        band UTINYINT NOT NULL,
        key BIGINT NOT NULL,
        doc_id VARCHAR NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS minhash_bands_key ON minhash_bands (key)",
    "CREATE INDEX IF NOT EXISTS minhash_bands_doc ON minhash_bands (doc_id)",
    # The documents search's word index (version 3). No key or index: an ART index over tens of
    # millions of postings would cost more memory than the scans it saves (see ``search``).
    """CREATE TABLE IF NOT EXISTS search_terms (
        term_id INTEGER NOT NULL,
        term VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS document_terms (
        doc_id VARCHAR NOT NULL,
        term_id INTEGER NOT NULL)""",
)


def sentence_sql(claim: str = "c", document: str = "d") -> str:
    """SQL for a claim's sentence: cut from its document's text by ``sentence_start``/``sentence_end``
    (DuckDB counts code points, as Python does), or the claim's surface when it has no sentence.

    ``claim`` and ``document`` are the aliases of the claims and documents tables.
    """
    return (f"CASE WHEN {claim}.sentence_start IS NULL OR {claim}.sentence_end IS NULL THEN {claim}.surface "
            f"ELSE substring({document}.text, {claim}.sentence_start + 1, "
            f"{claim}.sentence_end - {claim}.sentence_start) END")


# What claims.sentence_lower holds: computed by DuckDB, never in Python (str.lower differs from
# DuckDB's lower on some characters, and the search lower-cases its query with DuckDB's).
SENTENCE_LOWER = f"lower({sentence_sql('c', 'd')})"

# MIGRATIONS[v]: the steps that turn a version v-1 ledger into version v: SQL statements, or functions
# called with the connection.
MIGRATIONS: dict[int, tuple[Union[str, Callable[[duckdb.DuckDBPyConnection], None]], ...]] = {
    2: ("ALTER TABLE claims ADD COLUMN sentence_lower VARCHAR",
        # Claims whose document is missing (none are written so) keep NULL: no claim query shows them.
        f"UPDATE claims AS c SET sentence_lower = {SENTENCE_LOWER} FROM documents d WHERE d.doc_id = c.doc_id"),
    # the index is filled a few thousand documents at a time (``search.index_all``): in one statement,
    # 100,000 documents ran out of the writer's 512 MB
    3: (TABLES[-2], TABLES[-1], index_all),
}


def quoted(columns: tuple[str, ...]) -> str:
    """``columns`` as a SQL select list (``end`` is a keyword)."""
    return ", ".join(f'"{c}"' for c in columns)

"""The documents search: which documents' text holds a string, read from the word index (schema 3).

The search has always meant ``strpos(lower(text), lower(q)) > 0`` with DuckDB's
``lower`` on both sides (not Python's: they differ on 'İ' and a final 'Σ'). Lower-
casing every document's text for each query took 2-3 s at 100,000 documents, so
the ledger keeps a word index (``search_terms``, ``document_terms``; see
``schema``): the terms of each document's lower-cased text, a term being a maximal
run of letters, digits and marks (``TERM_PATTERN``), split by DuckDB.

Why the index gives the same documents. Let ``ql = lower(q)`` and split it with the
same pattern into its runs:

- every run of ``ql`` lies inside one term of any text that holds ``ql`` (a run is a
  stretch of pattern characters of that text, so the text's maximal run around it
  contains it). So only documents holding a term that contains the query's longest
  run can match: these are the candidates;
- when ``ql`` is a single run (a word, part of a word, a number without separators),
  the converse holds too: a term containing ``ql`` is a piece of the lower-cased
  text, so the text holds ``ql``. The candidates are then exactly the matches and
  no text is read;
- otherwise (several words, punctuation) each candidate's text is tested with the
  old expression, so the result is the old one. A query with no run at all (only
  spaces or punctuation), or one with candidates in more than half of the documents,
  is the old expression over every document.

This holds whatever the pattern is, as long as the index and the query are split
with the same one: the pattern only decides how often the texts must be read.
Only the terms' table (each distinct term once) is searched for substrings; the
postings are then joined on term numbers.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb

# What a term is: a maximal run of letters, digits and (combining) marks, in text lower-cased by DuckDB.
# Both sides of the search split with this one pattern, in DuckDB (RE2 reads code points).
TERM_PATTERN = r"[\pL\pN\pM]+"
# Documents indexed per statement when a whole ledger is indexed (memory stays bounded).
INDEX_CHUNK = 5_000
_SPLIT = "claimledger_split_terms"  # the temporary table of the documents being indexed

_OLD = "SELECT doc_id FROM documents WHERE strpos(lower(text), lower(?)) > 0"
# the documents holding a term that contains the bound string
_HOLDING = ("SELECT DISTINCT doc_id FROM document_terms WHERE term_id IN "
            "(SELECT term_id FROM search_terms WHERE contains(term, ?))")
# the listed documents whose text holds the bound string; lower(?) comes from the join's other side so that
# DuckDB tests it on the joined rows only (as a filter of the documents scan it lower-cased every text)
_VERIFIED = ("SELECT c.doc_id FROM (SELECT unnest(?::VARCHAR[]) AS doc_id, lower(?) AS ql) c "
             "JOIN documents t ON t.doc_id = c.doc_id WHERE strpos(lower(t.text), c.ql) > 0")


def terms_sql(text: str) -> str:
    """SQL for the list of terms of the SQL string ``text`` (repeats included)."""
    return f"regexp_extract_all(lower({text}), '{TERM_PATTERN}')"


def _index(con: duckdb.DuckDBPyConnection, source: str, params: list[Any]) -> None:
    """Add the documents of ``source`` (SQL with ``doc_id`` and ``text`` columns, and its parameters),
    none of them indexed yet, to the word index: each text is split once, into a temporary table;
    its new terms go to ``search_terms`` (numbered on from the highest number, in term order), then
    one ``document_terms`` row per document and distinct term."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_SPLIT} AS "
                f"SELECT DISTINCT s.doc_id, unnest({terms_sql('s.text')}) AS term FROM ({source}) s", params)
    con.execute("INSERT INTO search_terms (term_id, term) "
                "SELECT (SELECT coalesce(max(term_id), 0) FROM search_terms) + row_number() OVER (ORDER BY n.term), "
                f"n.term FROM (SELECT DISTINCT term FROM {_SPLIT}) n "
                "WHERE NOT EXISTS (SELECT 1 FROM search_terms t WHERE t.term = n.term)")
    con.execute(f"INSERT INTO document_terms (doc_id, term_id) SELECT p.doc_id, t.term_id FROM {_SPLIT} p "
                "JOIN search_terms t ON t.term = p.term ORDER BY p.doc_id, t.term_id")
    con.execute(f"DROP TABLE {_SPLIT}")


def index_documents(con: duckdb.DuckDBPyConnection, texts: list[tuple[str, str]]) -> None:
    """Add documents, given as (doc_id, text) and not indexed yet, to the word index."""
    if texts:
        _index(con, "SELECT unnest(?::VARCHAR[]) AS doc_id, unnest(?::VARCHAR[]) AS text",
               [[t[0] for t in texts], [t[1] for t in texts]])


def index_all(con: duckdb.DuckDBPyConnection) -> None:
    """Index every stored document (the index being empty), ``INDEX_CHUNK`` documents per statement:
    ranges of doc_ids (not rowids: DuckDB numbers the rows of an open transaction from 3.6e16)."""
    bounds = [r[0] for r in con.execute(
        "SELECT doc_id FROM (SELECT doc_id, row_number() OVER (ORDER BY doc_id) AS n FROM documents) "
        "WHERE n % ? = 1 ORDER BY doc_id", [INDEX_CHUNK]).fetchall()]
    for low, high in zip(bounds, [*bounds[1:], None], strict=True):
        if high is None:
            _index(con, "SELECT doc_id, text FROM documents WHERE doc_id >= ?", [low])
        else:
            _index(con, "SELECT doc_id, text FROM documents WHERE doc_id >= ? AND doc_id < ?", [low, high])


def query_runs(con: duckdb.DuckDBPyConnection, q: str) -> tuple[str, list[str]]:
    """``lower(q)`` and its runs (terms), both as DuckDB computes them."""
    row = con.execute(f"SELECT lower(?), {terms_sql('?')}", [q, q]).fetchone()
    assert row is not None
    return row[0], list(row[1] or [])


def text_matches(con: duckdb.DuckDBPyConnection, q: str, indexed: bool = True) -> tuple[str, list[Any]]:
    """A SQL query for the doc_ids of the documents whose text holds ``q`` as the search has always
    meant it (``strpos(lower(text), lower(q)) > 0``), and its parameters.

    ``indexed`` False (a ledger older than schema 3, read as it is) gives that expression itself.
    """
    if not indexed:
        return _OLD, [q]
    lowered, runs = query_runs(con, q)
    if not runs:
        return _OLD, [q]
    if runs == [lowered]:
        return _HOLDING, [lowered]
    # The longest run narrows the candidates best (another run's postings cost more than they saved,
    # measured). Past half of all documents the candidates' texts are not worth listing: every text is.
    run = max(runs, key=len)
    row = con.execute("SELECT count(*) FROM documents").fetchone()
    most = (int(row[0]) if row else 0) // 2
    found = [r[0] for r in con.execute(f"{_HOLDING} LIMIT ?", [run, most + 1]).fetchall()]
    if len(found) > most:
        return _OLD, [q]
    return _VERIFIED, [found, q]

"""The claims text search (``q=``) reads ``claims.sentence_lower``, stored at ingest (ledger schema 2).

Real ledgers only: a few VOA stories and two written here go through the real
extractor and ``Ledger.ingest``. Every search is checked against the expression
the search used before the column existed (written out below, evaluated by DuckDB
over the same rows): the same claims, in the same order, for words, case variants,
unicode whose lower case differs between Python and DuckDB, a figure's surface,
LIKE wildcards and a string that spans two sentences. A schema 1 ledger (the
tables as they were) is migrated when opened read-write, read as it is when
opened read-only, and migrated in the server's private copy only.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from claimledger.extract.pipeline import EXTRACTOR_VERSION, Extractor, get_extractor
from claimledger.ingest import read_paths
from claimledger.ledger import SCHEMA_VERSION, Ledger, LedgerError
from claimledger.ledger.schema import CLAIM_COLUMNS, TABLES
from claimledger.model import Document
from claimledger.web.data import ChecksCache, ClaimFilter, LedgerView, ReadModel

VOA = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "voa" / "stories.jsonl"
STORIES = (0, 3, 5, 14, 16, 18)  # lines of VOA: killed, refugees, percent; curly quotes, dashes, ellipses

pytestmark = pytest.mark.skipif(not VOA.exists(), reason="needs ../shared/corpus/voa/stories.jsonl")

# Written for these tests: capitals whose lower case DuckDB and Python disagree on (İ, final Σ).
UNICODE_STORY = (
    "İZMİR, May 2 — Officials in İzmir said 1,200 people had left their homes after the fire, and the "
    "coastguard said 35 people were rescued near the ΟΔΟΣ ΠΑΤΗΣΙΩΝ ferry office on Sunday.\n"
    "The regional governor said 14 houses were destroyed. Aid groups sent 40 trucks of food to the "
    "city, the Red Crescent said.\n")
UPDATED_STORY = ("Rescuers said 52 people were killed in the flood on Monday, the ministry said.\n"
                 "About 3,000 families were moved to ΣΧΟΛΕΊΑ and sports halls, officials said.\n")

# The search as it was: each claim's sentence cut from its document at query time (web/data.py before
# schema 2), written out here so that the test does not depend on the code it checks.
OLD_SENTENCE = ("CASE WHEN c.sentence_start IS NULL OR c.sentence_end IS NULL THEN c.surface "
                "ELSE substring(d.text, c.sentence_start + 1, c.sentence_end - c.sentence_start) END")
OLD_SEARCH = (f"SELECT c.doc_id, c.start FROM claims c JOIN documents d ON d.doc_id = c.doc_id "
              f"WHERE (strpos(lower(c.surface), lower(?)) > 0 OR strpos(lower({OLD_SENTENCE}), lower(?)) > 0) "
              "{extra} ORDER BY d.published_date NULLS LAST, c.doc_id, c.start")

# The claims table of schema 1, as schema.py created it.
V1_CLAIMS = """CREATE TABLE IF NOT EXISTS claims (
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
        PRIMARY KEY (doc_id, start))"""

WORDS = ["killed", "refugees", "percent", "people", "said", "the"]
CASES = ["KILLED", "Killed", "kIlLeD", "PERCENT", "Refugees"]
UNICODE = ["İzmir", "İZMİR", "izmir", "i̇zmir", "ΟΔΟΣ", "οδοσ", "οδος", "Πατησιων", "ΣΧΟΛΕΊΑ", "σχολεία",
           "’s", "“", "—", "…", "–"]
ODD = ["%", "_", "'", "\\", "a%b", "  ", "\n", "1,200", "zzqx-nothing"]


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return get_extractor()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, extractor: Extractor) -> Path:
    """A schema-2 ledger: six VOA stories, the unicode story, and a story ingested twice (updated)."""
    folder = tmp_path_factory.mktemp("search")
    lines = VOA.read_text(encoding="utf-8").splitlines()
    stories = folder / "voa.jsonl"
    stories.write_text("".join(lines[i] + "\n" for i in STORIES), encoding="utf-8")
    db = folder / "ledger.duckdb"
    with Ledger(db) as led:
        stats = led.ingest(read_paths([stories]), extractor.extract, EXTRACTOR_VERSION, batch_documents=4)
        assert stats.added == len(STORIES) and stats.problems == 0
        extra = [Document(doc_id="unicode-story", text=UNICODE_STORY, source="unicode.txt", published="2024-05-02"),
                 Document(doc_id="updated-story", text=UNICODE_STORY.replace("1,200", "1,300"),
                          source="updated.txt")]
        led.ingest(iter(extra), extractor.extract, EXTRACTOR_VERSION)
        # an update: the document's text changes, its claims (and their sentences) are rewritten
        updated = led.ingest(iter([Document(doc_id="updated-story", text=UPDATED_STORY, source="updated.txt")]),
                             extractor.extract, EXTRACTOR_VERSION)
        assert updated.updated == 1
    return db


def old_search(con: duckdb.DuckDBPyConnection, q: str, extra: str = "", params: tuple[Any, ...] = ()
               ) -> list[tuple[str, int]]:
    return [tuple(r) for r in con.execute(OLD_SEARCH.format(extra=extra), [q, q, *params]).fetchall()]


def new_search(view: LedgerView, flt: ClaimFilter, limit: int = 100_000, offset: int = 0
               ) -> tuple[int, list[tuple[str, int]]]:
    page = view.claims(flt, limit, offset)
    return page["total"], [(c["doc_id"], c["start"]) for c in page["items"]]


@pytest.fixture
def view(built: Path) -> Iterator[LedgerView]:
    with Ledger(built, read_only=True) as led:
        yield LedgerView(led, ChecksCache())


def spanning_strings(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Strings of a document's text across the end of a claim's sentence (in the text, in no sentence)."""
    rows = con.execute("SELECT d.text, c.sentence_end FROM claims c JOIN documents d USING (doc_id) "
                       "WHERE c.sentence_end + 12 < length(d.text) ORDER BY c.doc_id, c.start LIMIT 400").fetchall()
    out = []
    for text, end in rows:
        s = text[end - 10:end + 10]
        hit = con.execute(f"SELECT count(*) FROM claims c JOIN documents d USING (doc_id) "
                          f"WHERE strpos(lower({OLD_SENTENCE}), lower(?)) > 0", [s]).fetchone()[0]
        if hit == 0 and s.strip():
            out.append(s)
        if len(out) == 3:
            break
    return out


def test_the_stored_sentence_is_the_sentence_cut_at_query_time_lowered(built: Path) -> None:
    with duckdb.connect(str(built), read_only=True) as con:
        total, same = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE c.sentence_lower IS NOT DISTINCT FROM lower({OLD_SENTENCE})) "
            "FROM claims c JOIN documents d ON d.doc_id = c.doc_id").fetchone()
        assert total == same > 50
        assert con.execute("SELECT count(*) FROM claims WHERE sentence_lower IS NULL").fetchone()[0] == 0
        # DuckDB's lower case, not Python's: İ -> i, a final Σ -> σ
        stored = [r[0] for r in con.execute(
            "SELECT DISTINCT sentence_lower FROM claims WHERE doc_id = 'unicode-story'").fetchall()]
        assert any("izmir" in s and "οδοσ πατησιων" in s for s in stored)
        # the updated story's claims carry its new text, not the first one's
        updated = [r[0] for r in con.execute(
            "SELECT sentence_lower FROM claims WHERE doc_id = 'updated-story'").fetchall()]
        assert updated and all("izmir" not in s for s in updated)
        assert any("σχολεία" in s for s in updated)


def test_search_returns_exactly_what_the_query_time_cut_returned(built: Path, view: LedgerView) -> None:
    con = view.ledger.connection
    surfaces = [r[0] for r in con.execute(
        "SELECT surface FROM claims ORDER BY length(surface) DESC, doc_id, start LIMIT 3").fetchall()]
    spanning = spanning_strings(con)
    assert len(spanning) == 3
    queries = [*WORDS, *CASES, *UNICODE, *ODD, *surfaces, *(s.upper() for s in surfaces), *spanning]
    matched = 0
    for q in queries:
        expected = old_search(con, q)
        total, got = new_search(view, ClaimFilter(q=q))
        assert (total, got) == (len(expected), expected), q
        matched += bool(expected)
        # a page in the middle, and the search with another filter
        assert new_search(view, ClaimFilter(q=q), limit=3, offset=2) == (len(expected), expected[2:5]), q
        with_event = old_search(con, q, "AND c.event = ?", ("casualties",))
        assert new_search(view, ClaimFilter(q=q, event="casualties")) == (len(with_event), with_event), q
    assert matched >= len(WORDS) + len(CASES) + 6  # most queries find claims: the comparison is not vacuous
    for s in spanning:  # in a document's text, in no claim's sentence
        assert old_search(con, s) == [] and view.documents(10, 0, q=s)["total"] >= 1
    for q in ("İzmir", "İZMİR", "izmir", "ΟΔΟΣ", "οδοσ"):  # DuckDB's lower case on both sides: they match
        assert new_search(view, ClaimFilter(q=q))[0] > 0, q
    assert new_search(view, ClaimFilter(q="οδος"))[0] == 0  # Python's final sigma: no match, as before


def test_exports_and_claims_keep_their_columns(built: Path) -> None:
    with Ledger(built, read_only=True) as led:
        out = io.StringIO()
        led.export("claims", "csv", out)
        assert tuple(next(csv.reader(io.StringIO(out.getvalue())))) == CLAIM_COLUMNS
        out = io.StringIO()
        n = led.export("claims", "jsonl", out)
        records = [json.loads(line) for line in out.getvalue().splitlines()]
        assert n == len(records) > 0 and all("sentence_lower" not in r for r in records)
        assert all("sentence_lower" not in c.to_dict() for c in led.iter_claims())


def make_v1(new: Path, old: Path) -> None:
    """``old``: a schema 1 ledger (its claims table as version 1 created it) holding ``new``'s rows."""
    with duckdb.connect(str(old)) as con:
        for ddl in TABLES:
            con.execute(V1_CLAIMS if "CREATE TABLE IF NOT EXISTS claims" in ddl else ddl)
        con.execute(f"ATTACH '{new}' AS new (READ_ONLY)")
        con.execute("INSERT INTO meta SELECT * FROM new.meta")
        con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
        columns = ", ".join(f'"{c}"' for c in CLAIM_COLUMNS)
        for table in ("documents", "rejections", "minhash_signatures", "minhash_bands"):
            con.execute(f"INSERT INTO {table} SELECT * FROM new.{table}")
        con.execute(f"INSERT INTO claims SELECT {columns} FROM new.claims ORDER BY doc_id, start")
        con.execute("DETACH new")
        assert "sentence_lower" not in [r[0] for r in con.execute("DESCRIBE claims").fetchall()]


def layout(db: Path) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
                           "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position").fetchall()


def test_a_schema_1_ledger_is_migrated_and_searchable(built: Path, tmp_path: Path, extractor: Extractor) -> None:
    old = tmp_path / "v1.duckdb"
    make_v1(built, old)
    before = old.read_bytes()
    # read-only: read as it is, nothing written
    with Ledger(old, read_only=True) as led:
        assert led.schema_version == 1 and led.meta()["schema_version"] == "1"
        assert led.counts()["claims"] > 50 and len(list(led.iter_claims())) == led.counts()["claims"]
    assert old.read_bytes() == before
    # the server reads it through a private copy, which it migrates; the ledger stays as it was
    model = ReadModel(str(old))
    with model.view() as v:
        with duckdb.connect(str(built), read_only=True) as con:
            for q in ("killed", "PERCENT", "İzmir", "’s", "1,200"):
                expected = old_search(con, q)
                assert new_search(v, ClaimFilter(q=q)) == (len(expected), expected), q
    assert old.read_bytes() == before
    # read-write: migrated, in place
    with Ledger(old) as led:
        assert led.schema_version == SCHEMA_VERSION
        meta = led.meta()
        assert meta["schema_version"] == str(SCHEMA_VERSION) and "migrated_from_1" in meta
    assert layout(old) == layout(built)  # as a new ledger is
    with duckdb.connect(str(old), read_only=True) as a:
        a.execute(f"ATTACH '{built}' AS built (READ_ONLY)")
        rows = 'SELECT * FROM {}claims ORDER BY doc_id, start'
        assert a.execute(rows.format("")).fetchall() == a.execute(rows.format("built.")).fetchall()
        assert a.execute("SELECT count(*) FROM claims WHERE sentence_lower IS NULL").fetchone()[0] == 0
    with Ledger(old, read_only=True) as led:
        view = LedgerView(led, ChecksCache())
        con = led.connection
        for q in [*WORDS, *CASES, *UNICODE, *ODD]:
            expected = old_search(con, q)
            assert new_search(view, ClaimFilter(q=q)) == (len(expected), expected), q
    # and it goes on being written: a new document's claims get their sentences
    with Ledger(old) as led:
        led.ingest(iter([Document(doc_id="after-migration", text=UPDATED_STORY.replace("52", "61"),
                                  source="after.txt")]), extractor.extract, EXTRACTOR_VERSION)
        view = LedgerView(led, ChecksCache())
        expected = old_search(led.connection, "61 people")
        assert expected and new_search(view, ClaimFilter(q="61 people")) == (len(expected), expected)


def test_unknown_versions_are_still_refused(tmp_path: Path) -> None:
    for version in ("0", str(SCHEMA_VERSION + 1), "x"):
        path = tmp_path / f"v{version}.duckdb"
        Ledger(path).close()
        with duckdb.connect(str(path)) as con:
            con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [version])
        for read_only in (True, False):
            with pytest.raises(LedgerError, match=f"schema version {version};"):
                Ledger(path, read_only=read_only)

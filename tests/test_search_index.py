"""The text searches of ``claimledger serve`` read what the ledger stores for them.

- Claims (``q=`` of ``/api/claims``) read ``claims.sentence_lower``, stored at ingest
  (ledger schema 2).
- Documents (``q=`` of ``/api/documents``) read the word index ``search_terms`` /
  ``document_terms`` (schema 3, ``claimledger.ledger.search``).

Real ledgers only: VOA stories and stories written here go through ``Ledger.ingest``
(the real extractor for the claims; for the documents search, whose answer does not
depend on claims, a no-op extractor, so that many documents are cheap). Every search
is checked against the expression the search used before (written out below,
evaluated by DuckDB over the same rows): the same rows, in the same order, for
words, case variants, unicode whose lower case differs between Python and DuckDB
('İ', a final 'Σ', 'ẞ', composed and decomposed accents), LIKE wildcards, strings
across words and sentences, punctuation only, and random substrings of the texts.
Ledgers of an older schema are migrated when opened read-write, read as they are
when opened read-only, and migrated in the server's private copy only.
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
from claimledger.ledger import SCHEMA_VERSION, Ledger, LedgerError, search
from claimledger.ledger.schema import CLAIM_COLUMNS, TABLES
from claimledger.ledger.search import terms_sql
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

# The tables schema 3 added (the documents search's word index).
V3_TABLES = [ddl for ddl in TABLES if "search_terms (" in ddl or "document_terms (" in ddl]
assert len(V3_TABLES) == 2

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
            if ddl in V3_TABLES:
                continue
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


# --- the documents search (schema 3: the word index) -------------------------------------------------

# The documents search as it was (web/data.py before schema 3), written out here.
OLD_DOCUMENTS = ("SELECT d.doc_id FROM documents d WHERE {extra}(strpos(lower(d.title), lower(?)) > 0 "
                 "OR strpos(lower(d.text), lower(?)) > 0 OR strpos(lower(d.doc_id), lower(?)) > 0) "
                 "ORDER BY d.published_date DESC NULLS LAST, d.doc_id")
OLD_SUMMARY = ("SELECT d.doc_id, d.title, d.outlet, length(d.text), "
               "(SELECT count(*) FROM claims c WHERE c.doc_id = d.doc_id) FROM documents d WHERE "
               "(strpos(lower(d.title), lower(?)) > 0 OR strpos(lower(d.text), lower(?)) > 0 "
               "OR strpos(lower(d.doc_id), lower(?)) > 0) "
               "ORDER BY d.published_date DESC NULLS LAST, d.doc_id LIMIT ? OFFSET ?")

# Written for these tests: (doc_id, title, outlet, published, text).
WRITTEN = [
    ("alep-1", "Alep : l’ÉCOLE rouvre", "Le Monde", "2024-03-01",
     "ALEP, 1er mars — L’école Al-Nour a rouvert ; 1 200 élèves (1,200 selon l'ONU) sont revenus à Alep.\n"
     "Les ÉCOLES d’Aleppo et d’Idlib restent fermées, a dit le directeur.\tFin."),
    ("alep-2", "Aleppo schools", "Herald", "2024-03-01",
     "In Aleppo, 40 e\u0301coles (decomposed accents) reopened; the Ecole Normale said 3,000 pupils returned."),
    ("turkish", "İZMİR ısı dalgası", "Anadolu", "2024-07-14",
     "İzmir'de IŞIK kesildi: 52 kişi hastaneye kaldırıldı. Istanbul ve ıspartakule de etkilendi."),
    ("greek", "ΟΔΟΣ ΠΑΤΗΣΙΩΝ", None, None,
     "Στην ΟΔΟΣ Πατησίων, 35 άνθρωποι διασώθηκαν. ΟΔΥΣΣΕΑΣ και Σ έφυγαν. σχολεία κλειστά."),
    ("german", "STRASSE gesperrt", "Tagesschau", "2023-11-02",
     "Die GROẞE Straße in Köln war gesperrt; 12 Häuser wurden geräumt. STRASSE und straße."),
    ("cyrillic-cjk", "Москва и 東京", "Mixed", "2023-11-02",
     "МОСКВА: 300 человек эвакуированы. 東京都では100人が避難した。Digits ١٢٣ and 🚀 emoji, snake_case_id."),
    ("punct", "100% of 50_50 odds", "Herald", None,
     "A 50% rise, 'quotes', \"double\", back\\slash, a%b, under_score, -- dashes — and … ellipses.\r\n"
     "Port-au-Prince: 1.200 people; 1\u00a0200 more; 1\u2009200 others. Gaza City, Gaza-city, GAZA  CITY."),
    ("Title-Only-ZANZIBAR", "Zanzibar", "Herald", "2022-01-01", "A story that never names its island."),
    ("kavar-ID-only", "Untitled", None, "2022-01-01", "Nothing here mentions the place in the id."),
    ("copy-of-alep-2", "Aleppo schools (copy)", "Wire", "2024-03-01",
     "In Aleppo, 40 e\u0301coles (decomposed accents) reopened; the Ecole Normale said 3,000 pupils returned."),
    ("changing", "Changing story", "Herald", "2021-05-05", "The firstword edition said 10 people left."),
]
CHANGED_TEXT = "The secondword edition said 11 people left Aleppo."
DOC_QUERIES = [
    "Alep", "alep", "ALEP", "Aleppo", "ÉCOLE", "école", "ecole", "Ecole", "e\u0301cole", "E\u0301COLE", "ÉCOLES",
    "l’école", "L’ÉCOLE", "’", "İzmir", "izmir", "i̇zmir", "İZMİR", "ışık", "IŞIK", "ISI", "ısı", "Istanbul",
    "ΟΔΟΣ", "οδοσ", "οδος", "Σ", "σ", "ς", "ΟΔΥΣΣΕΑΣ", "οδυσσεασ", "ΣΧΟΛΕΊΑ", "σχολεία",
    "STRASSE", "straße", "STRAẞE", "GROẞE", "große", "grosse", "köln", "KÖLN",
    "москва", "МОСКВА", "東京", "東京都では", "١٢٣", "🚀", "snake_case", "_", "%", "50%", "a%b", "\\", "back\\slash",
    "'", "\"", "--", "—", "…", " ", "  ", "\t", "\n", "\r\n", ".", ",", "1,200", "1.200", "1 200", "1\u00a0200",
    "200", "1", "Port-au-Prince", "port-au", "au-prince", "Gaza City", "gaza city", "GAZA  CITY", "gaza-city",
    "a Gaza", "zanzibar", "ZANZIBAR", "title-only", "kavar", "KAVAR-id", "firstword", "secondword",
    "said", "the", "e", "killed", "refugees", "percent", "people", "Sudan", "Haiti", "Ukraine", "election",
    "zzqx-nothing", "x" * 200, "in aleppo, 40", "reopened; the", ", the", "copy", "(copy)",
]


def _no_claims(doc: Document) -> list[Any]:
    return []


@pytest.fixture(scope="module")
def docs_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every VOA story (twice: again under other ids, outlets and dates), the stories written above,
    one of them re-ingested with a new text, and all of them again with another extractor version
    (same texts: their index rows stay)."""
    folder = tmp_path_factory.mktemp("documents-search")
    records = [json.loads(line) for line in VOA.read_text(encoding="utf-8").splitlines() if line.strip()]
    docs = [Document(doc_id=str(r.get("id") or r.get("doc_id")), text=r["text"], title=r.get("title"),
                     outlet=r.get("outlet"), published=r.get("published"), source="voa") for r in records]
    again = [Document(doc_id=f"{d.doc_id}-again", text=d.text.upper() + f"\n\n(copy {i})", title=d.title,
                      outlet=f"Outlet {i % 3}", published=None if i % 4 == 0 else "2020-01-0" + str(1 + i % 9),
                      source="again") for i, d in enumerate(docs)]
    written = [Document(doc_id=i, title=t, outlet=o, published=p, text=x, source="written")
               for i, t, o, p, x in WRITTEN]
    db = folder / "documents.duckdb"
    with Ledger(db) as led:
        stats = led.ingest(iter([*docs, *again, *written]), _no_claims, "v1", batch_documents=7)
        assert stats.added == len(docs) + len(again) + len(written) and stats.problems == 0
        assert stats.duplicates_exact >= 1  # copy-of-alep-2
        changed = led.ingest(iter([Document(doc_id="changing", title="Changing story", outlet="Herald",
                                            published="2021-05-05", text=CHANGED_TEXT, source="written")]),
                             _no_claims, "v1")
        assert changed.updated == 1
    with Ledger(db) as led:  # a new extractor version: every document is updated, its text is the same
        stats = led.ingest(iter([*docs[:10], *written[:3]]), _no_claims, "v2", batch_documents=5)
        assert stats.updated == 13
    return db


def old_documents(con: duckdb.DuckDBPyConnection, q: str, extra: str = "", params: tuple[Any, ...] = ()
                  ) -> list[str]:
    return [r[0] for r in con.execute(OLD_DOCUMENTS.format(extra=extra), [*params, q, q, q]).fetchall()]


def new_documents(view: LedgerView, q: str, limit: int = 500, offset: int = 0, outlet: str | None = None
                  ) -> tuple[int, list[str]]:
    page = view.documents(limit, offset, outlet=outlet, q=q)
    return page["total"], [d["doc_id"] for d in page["items"]]


def random_substrings(con: duckdb.DuckDBPyConnection, n: int, seed: int = 11) -> list[str]:
    """``n`` pieces of the stored texts and titles (1 to 30 characters), some with their case changed."""
    import random

    rnd = random.Random(seed)
    texts = [r[0] for r in con.execute("SELECT text FROM documents UNION ALL SELECT title FROM documents "
                                       "WHERE title IS NOT NULL ORDER BY 1").fetchall()]
    out = []
    for _ in range(n):
        t = rnd.choice(texts)
        start = rnd.randrange(len(t))
        piece = t[start:start + rnd.randint(1, 30)]
        out.append(rnd.choice([piece, piece.upper(), piece.lower(), piece.swapcase(), piece.title()]))
    return out


def test_the_word_index_holds_exactly_the_terms_of_each_stored_text(docs_built: Path) -> None:
    with duckdb.connect(str(docs_built), read_only=True) as con:
        # each term once, with its own number
        assert con.execute("SELECT count(*) - count(DISTINCT term), count(*) - count(DISTINCT term_id) "
                           "FROM search_terms").fetchone() == (0, 0)
        stored = set(con.execute("SELECT p.doc_id, t.term FROM document_terms p JOIN search_terms t "
                                 "USING (term_id)").fetchall())
        assert con.execute("SELECT count(*) FROM document_terms").fetchone()[0] == len(stored)  # no repeats
        fresh = set(con.execute(f"SELECT DISTINCT doc_id, unnest({terms_sql('text')}) FROM documents").fetchall())
        assert stored == fresh and len(stored) > 10_000
        # the changed story's old words are gone, its new ones are there; DuckDB's lower case, not Python's
        terms = {t for d, t in stored if d == "changing"}
        assert "secondword" in terms and "firstword" not in terms
        turkish = {t for d, t in stored if d == "turkish"}
        assert "izmir" in turkish and "i̇zmir" not in turkish
        assert {"οδοσ", "ς"} & {t for d, t in stored if d == "greek"} == {"οδοσ"}
        assert {"e\u0301coles", "école"} <= {t for d, t in stored if d.startswith("alep")}


def test_documents_search_returns_exactly_what_lowering_every_text_returned(docs_built: Path) -> None:
    with Ledger(docs_built, read_only=True) as led:
        view = LedgerView(led, ChecksCache())
        con = led.connection
        queries = [*DOC_QUERIES, *random_substrings(con, 150)]
        kinds: dict[str, int] = {}
        matched = 0
        for q in queries:
            expected = old_documents(con, q)
            assert new_documents(view, q) == (len(expected), expected), repr(q)
            matched += bool(expected)
            sql, _ = search.text_matches(con, q)
            kinds[sql] = kinds.get(sql, 0) + 1
            # a page in the middle, a page past the end, and the search with the outlet filter
            assert new_documents(view, q, limit=3, offset=2) == (len(expected), expected[2:5]), repr(q)
            assert new_documents(view, q, limit=5, offset=len(expected) + 1) == (len(expected), []), repr(q)
            in_herald = old_documents(con, q, "strpos(lower(d.outlet), lower(?)) > 0 AND ", ("herald",))
            assert new_documents(view, q, outlet="herald") == (len(in_herald), in_herald), repr(q)
        assert matched > len(queries) * 0.7  # most queries find documents: the comparison is not vacuous
        # every way of answering was taken: a word from the index alone, candidates tested, every text tested
        assert set(kinds) == {search._HOLDING, search._VERIFIED, search._OLD}, kinds
        assert min(kinds.values()) >= 5, kinds
        # the summaries of a page are those of the old query
        for q in ("Aleppo", "Gaza City", "said"):
            old = con.execute(OLD_SUMMARY, [q, q, q, 7, 3]).fetchall()
            got = view.documents(7, 3, q=q)["items"]
            assert [(d["doc_id"], d["title"], d["outlet"], d["chars"], d["claims"]) for d in got] == old


def test_documents_search_cases_the_old_search_decided(docs_built: Path) -> None:
    """What the search answered before, spelled out: DuckDB's lower case on both sides."""
    with Ledger(docs_built, read_only=True) as led:
        view = LedgerView(led, ChecksCache())

        def ids(q: str) -> set[str]:
            return set(new_documents(view, q)[1])

        assert {"alep-1", "alep-2", "copy-of-alep-2"} <= ids("Alep") and "greek" not in ids("Alep")
        assert ids("ÉCOLE") >= {"alep-1"} and "alep-2" not in ids("ÉCOLE")  # decomposed: no composed match
        assert ids("E\u0301COLE") >= {"alep-2", "copy-of-alep-2"}
        assert "turkish" in ids("İzmir") & ids("izmir") and "turkish" not in ids("i̇zmir")
        assert "greek" in ids("ΟΔΟΣ") & ids("οδοσ") and "greek" not in ids("οδος")
        assert ids("zanzibar") == {"Title-Only-ZANZIBAR"} and ids("kavar-id") == {"kavar-ID-only"}
        assert "changing" in ids("secondword") and not ids("firstword")
        assert "punct" in ids("1.200") & ids("Port-au-Prince") & ids("GAZA  CITY") & ids("a%b") & ids("\\")


def make_v2(new: Path, old: Path) -> None:
    """``old``: a schema 2 ledger (without the word index) holding ``new``'s rows."""
    with duckdb.connect(str(old)) as con:
        for ddl in TABLES:
            if ddl not in V3_TABLES:
                con.execute(ddl)
        con.execute(f"ATTACH '{new}' AS new (READ_ONLY)")
        for table in ("meta", "documents", "claims", "rejections", "minhash_signatures", "minhash_bands"):
            con.execute(f"INSERT INTO {table} SELECT * FROM new.{table}")
        con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
        con.execute("DETACH new")


def index_pairs(db: Path) -> set[tuple[str, str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return set(con.execute("SELECT p.doc_id, t.term FROM document_terms p JOIN search_terms t "
                               "USING (term_id)").fetchall())


def test_a_schema_2_ledger_is_indexed_when_migrated(docs_built: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    old = tmp_path / "v2.duckdb"
    make_v2(docs_built, old)
    before = old.read_bytes()
    queries = [*DOC_QUERIES[::3], "Aleppo", "Gaza City", "’s"]
    with duckdb.connect(str(docs_built), read_only=True) as con:
        expected = {q: old_documents(con, q) for q in queries}
    # read-only: read as it is (no index: the old expression), nothing written
    with Ledger(old, read_only=True) as led:
        assert led.schema_version == 2
        view = LedgerView(led, ChecksCache())
        for q in queries:
            assert new_documents(view, q) == (len(expected[q]), expected[q]), repr(q)
    assert old.read_bytes() == before
    # the server migrates its private copy only
    model = ReadModel(str(old))
    with model.view() as v:
        assert v.ledger.schema_version == SCHEMA_VERSION
        for q in queries:
            assert new_documents(v, q) == (len(expected[q]), expected[q]), repr(q)
    assert old.read_bytes() == before
    # read-write: indexed in place, a few documents per statement
    monkeypatch.setattr(search, "INDEX_CHUNK", 7)
    with Ledger(old) as led:
        assert led.schema_version == SCHEMA_VERSION and "migrated_from_2" in led.meta()
    assert layout(old) == layout(docs_built)
    assert index_pairs(old) == index_pairs(docs_built)
    with Ledger(old, read_only=True) as led:
        view = LedgerView(led, ChecksCache())
        for q in queries:
            assert new_documents(view, q) == (len(expected[q]), expected[q]), repr(q)
    # and it goes on being written: a new document is found
    with Ledger(old) as led:
        led.ingest(iter([Document(doc_id="after-migration", text="Qwertyville was flooded.", source="x.txt")]),
                   _no_claims, "v2")
        view = LedgerView(led, ChecksCache())
        assert new_documents(view, "QWERTYVILLE") == (1, ["after-migration"])

"""The ledger on real DuckDB files with the real extractor: idempotent ingest, updates, duplicates."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from claimledger.extract.pipeline import EXTRACTOR_VERSION, Extractor, get_extractor
from claimledger.ingest import read_paths
from claimledger.ledger import NEAR_DUPLICATE_THRESHOLD, SCHEMA_VERSION, IngestStats, Ledger, LedgerError
from claimledger.ledger.rows import published_date
from claimledger.model import Claim, ClaimRef, Document, Finding, Rejection

SEEDS = Path(__file__).resolve().parents[1].parent / "shared/corpus/seeds/articles.jsonl"
SEED_FINDINGS = SEEDS.with_name("findings.jsonl")
TABLES = ("documents", "claims", "rejections", "findings", "minhash_signatures", "minhash_bands", "meta")

# Written for these tests: a ~300-word wire story, and an unrelated one.
FLOOD = (
    'RIVERTON, March 4 (Valley Wire) - Floodwaters that swept through the lower Marren valley this '
    'week forced more than 12,000 people from their homes, regional officials said on Tuesday, as '
    'rescue teams worked through the night to reach villages cut off by the rising river.\n'
    'The regional emergency office said 3,400 houses had been damaged and at least 41 bridges were '
    'washed away or closed. Its director, Helena Voss, told reporters that about 600 soldiers had '
    'joined volunteer crews and that 28 boats were ferrying families to higher ground.\n'
    '"We have never seen the river rise this fast," Voss said. "In some places the water climbed two '
    'metres in less than six hours."\n'
    'Aid agencies said they had set up 19 temporary shelters in schools and sports halls across the '
    'valley. The Red Crescent said it had distributed 9,500 blankets, 4,000 hygiene kits and 70 tonnes '
    'of food since Saturday, and that a further 30 trucks of supplies were on their way from the '
    'capital.\n'
    'Farmers in the valley said the floods had destroyed much of the winter wheat crop. The '
    'agriculture ministry estimated that 15,000 hectares of farmland were under water and that nearly '
    '2,000 head of cattle had drowned or were missing.\n'
    'Hospitals in Riverton treated 230 people for injuries and hypothermia, health officials said. Six '
    'people were confirmed dead and 14 were still missing on Tuesday evening, according to the '
    'police.\n'
    'The government has promised 50 million in emergency funds and said it would send engineers to '
    'inspect the dam above Kessel, where cracks were reported on Monday. Residents of four villages '
    'below the dam were told to leave as a precaution.\n'
    'Forecasters expect more rain later in the week, although they said the river should begin to fall '
    'by Friday if the storms move east as predicted. Schools in the district will remain closed until '
    'at least next Monday, the education office said.\n'
)
VACCINES = (
    'Health workers in the northern province of Dalmor began a two-week vaccination drive on Monday, '
    'aiming to reach 480,000 children under the age of five before the start of the rainy season, the '
    'provincial health department said.\n'
    'About 2,300 vaccinators will travel door to door in 36 districts, many of them on motorbikes '
    "because roads into the hills are still blocked after last winter's landslides. The department "
    'said it had received 600,000 doses of measles vaccine and 550,000 doses of polio vaccine from a '
    'donor programme in January.\n'
    '"Last year we missed almost one child in five in the remote valleys," said Dr Amina Qureshi, who '
    'leads the campaign. "This time every team has a map of every household, and we will go back to '
    'any house where nobody answered."\n'
    'The province recorded 1,150 measles cases and 23 deaths last year, up from 310 cases the year '
    'before, according to figures published by the national disease surveillance centre. Officials '
    'blamed the rise on families who had moved to camps and towns during the fighting and later '
    'returned.\n'
    'Community leaders and imams have been asked to announce the campaign at Friday prayers, and '
    'schools will host vaccination points on Saturdays. Mothers who bring their children will receive '
    'a bar of soap and a packet of oral rehydration salts.\n'
    'The campaign is expected to cost about 1.8 million dollars, most of it for fuel, cold boxes and '
    'the daily allowances of the vaccinators, the department said.\n'
)
# The same story as another outlet ran it: its own dateline, a footer added.
FLOOD_COPY = (FLOOD.replace("RIVERTON, March 4 (Valley Wire) -", "KESSEL, Wednesday (Marren Daily Courier) -")
              + "Reporting by Anna Brandt in Kessel; editing by Tom Keller and Ruth Oyelaran.\n")


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return get_extractor()  # loads the spaCy model once for the module


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    with Ledger(tmp_path / "ledger.duckdb") as led:
        yield led


def doc(doc_id: str, text: str, **meta: str) -> Document:
    return Document(doc_id=doc_id, text=text, source=f"{doc_id}.txt", **meta)


def ingest(led: Ledger, extractor: Extractor, *items: Document | Rejection,
           version: str = EXTRACTOR_VERSION, **kwargs) -> IngestStats:
    return led.ingest(iter(items), extractor.extract, version, **kwargs)


def table_counts(led: Ledger) -> dict[str, int]:
    return {t: led.connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def test_a_new_ledger_has_its_schema_and_version(tmp_path: Path) -> None:
    path = tmp_path / "new.duckdb"
    with Ledger(path) as led:
        assert led.meta()["schema_version"] == str(SCHEMA_VERSION)
        assert led.counts() == {"documents": 0, "claims": 0, "rejections": 0, "findings": 0, "duplicates": 0}
    with Ledger(path, read_only=True) as led:  # reopening finds it as it was
        assert led.counts()["documents"] == 0


def test_files_that_are_not_ledgers_are_refused(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="no such ledger"):
        Ledger(tmp_path / "missing.duckdb", read_only=True)
    assert not (tmp_path / "missing.duckdb").exists()
    garbage = tmp_path / "garbage.duckdb"
    garbage.write_bytes(b"this is not a database\x00" * 400)
    with pytest.raises(LedgerError, match="not a DuckDB ledger"):
        Ledger(garbage)
    other = tmp_path / "other.duckdb"
    with duckdb.connect(str(other)) as con:
        con.execute("CREATE TABLE sales (id INTEGER)")
    with pytest.raises(LedgerError, match="not a claimledger ledger"):
        Ledger(other)
    old = tmp_path / "old.duckdb"
    Ledger(old).close()
    with duckdb.connect(str(old)) as con:
        con.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    with pytest.raises(LedgerError, match="schema version 0"):
        Ledger(old)


def test_seeds_stored_with_their_claims_and_a_second_ingest_writes_nothing(
        ledger: Ledger, extractor: Extractor) -> None:
    first = ledger.ingest(read_paths([SEEDS]), extractor.extract, EXTRACTOR_VERSION, batch_documents=2)
    assert (first.read, first.added, first.unchanged, first.problems) == (5, 5, 0, 0)
    counts = table_counts(ledger)
    assert counts["documents"] == 5 and counts["claims"] == first.claims_added > 0
    for d in ledger.iter_documents():  # stored claims are exactly what the extractor says
        stored = list(ledger.iter_claims(d.doc_id))
        assert [c.to_dict() for c in stored] == [c.to_dict() for c in extractor.extract(d)]
        assert all(d.text[c.start:c.end] == c.surface for c in stored)
    second = ledger.ingest(read_paths([SEEDS]), extractor.extract, EXTRACTOR_VERSION)
    assert (second.read, second.added, second.updated, second.unchanged) == (5, 0, 0, 5)
    assert second.claims_added == 0
    assert table_counts(ledger) == counts


def test_readers_give_back_records(ledger: Ledger, extractor: Extractor) -> None:
    ingest(ledger, extractor, doc("b", VACCINES, title="Vaccines", outlet="Dalmor Post", url="http://x/b",
                                  published="2024-03-04"),
           doc("a", FLOOD, lang="en"))
    assert [d.doc_id for d in ledger.iter_documents()] == ["a", "b"]
    assert ledger.document("b") == doc("b", VACCINES, title="Vaccines", outlet="Dalmor Post",
                                       url="http://x/b", published="2024-03-04")
    assert ledger.document("missing") is None
    claims = list(ledger.iter_claims())
    assert [(c.doc_id, c.start) for c in claims] == sorted((c.doc_id, c.start) for c in claims)
    assert {c.doc_id for c in claims} == {"a", "b"}
    assert all(isinstance(c, Claim) and c.extractor_version == EXTRACTOR_VERSION for c in claims)
    assert [c for c in claims if c.doc_id == "b"] == list(ledger.iter_claims("b"))


def test_published_dates_are_parsed_but_kept_as_given(ledger: Ledger, extractor: Extractor) -> None:
    given = {"iso": "2016-12-14T09:30:00Z", "rfc": "Wed, 14 Dec 2016 10:00:00 +0300",
             "words": "14 December 2016", "month": "March 2016", "relative": "yesterday", "junk": "n/a"}
    ingest(ledger, extractor,
           *(doc(k, f"Story {k}: 5 people were hurt.", published=v) for k, v in given.items()))
    rows = dict(ledger.connection.execute("SELECT doc_id, [published, CAST(published_date AS VARCHAR)] "
                                          "FROM documents").fetchall())
    assert rows == {"iso": [given["iso"], "2016-12-14"], "rfc": [given["rfc"], "2016-12-14"],
                    "words": [given["words"], "2016-12-14"], "month": [given["month"], "2016-03-01"],
                    "relative": ["yesterday", None], "junk": ["n/a", None]}
    assert published_date(None) is None and published_date("  ") is None


def test_changed_text_under_the_same_id_replaces_its_claims(ledger: Ledger, extractor: Extractor) -> None:
    ingest(ledger, extractor, doc("story", "About 300 families returned to the town on Monday."))
    before = list(ledger.iter_claims("story"))
    assert [c.surface for c in before] == ["About 300"]
    stats = ingest(ledger, extractor,
                   doc("story", "At least 45 people were killed and 120 wounded, police said."))
    assert (stats.updated, stats.added, stats.unchanged) == (1, 0, 0)
    after = list(ledger.iter_claims("story"))
    assert [c.surface for c in after] == ["At least 45", "120"]
    assert ledger.document("story").text.startswith("At least 45")  # type: ignore[union-attr]
    assert ledger.counts()["documents"] == 1


def test_a_new_extractor_version_re_extracts(ledger: Ledger, extractor: Extractor) -> None:
    story = doc("story", FLOOD)
    ingest(ledger, extractor, story)
    n_claims = ledger.counts()["claims"]
    assert ingest(ledger, extractor, story).unchanged == 1
    stats = ingest(ledger, extractor, story, version="claimledger-test-next")
    assert (stats.updated, stats.claims_added) == (1, n_claims)
    version = ledger.connection.execute("SELECT extractor_version FROM documents WHERE doc_id = 'story'")
    assert version.fetchone() == ("claimledger-test-next",)
    assert ledger.counts()["claims"] == n_claims  # replaced, not added to
    assert ingest(ledger, extractor, story, version="claimledger-test-next").unchanged == 1


def test_an_exact_copy_under_a_new_id_is_linked_and_gets_no_claims(ledger: Ledger,
                                                                    extractor: Extractor) -> None:
    ingest(ledger, extractor, doc("original", FLOOD))
    stats = ingest(ledger, extractor, doc("copy", FLOOD, outlet="Elsewhere"))
    assert (stats.added, stats.duplicates_exact, stats.claims_added) == (1, 1, 0)
    assert ledger.duplicates() == {"copy": "original"}
    assert ledger.duplicate_info("copy") == ("original", "exact", 1.0)
    assert list(ledger.iter_claims("copy")) == []
    assert ledger.document("copy").outlet == "Elsewhere"  # type: ignore[union-attr]
    # short texts are checked for exact copies too
    ingest(ledger, extractor, doc("s1", "Some 40 houses burned."), doc("s2", "Some 40 houses burned."))
    assert ledger.duplicates()["s2"] == "s1"


def test_a_rewritten_dateline_and_a_footer_make_a_near_duplicate(ledger: Ledger,
                                                                  extractor: Extractor) -> None:
    stats = ingest(ledger, extractor, doc("wire", FLOOD), doc("courier", FLOOD_COPY), doc("health", VACCINES))
    assert (stats.added, stats.duplicates_near, stats.duplicates_exact) == (3, 1, 0)
    assert ledger.duplicates() == {"courier": "wire"}
    of, kind, similarity = ledger.duplicate_info("courier")  # type: ignore[misc]
    assert (of, kind) == ("wire", "near") and NEAR_DUPLICATE_THRESHOLD <= similarity < 1.0
    # a near copy keeps its own claims: an outlet may have changed a figure
    assert len(list(ledger.iter_claims("courier"))) >= len(list(ledger.iter_claims("wire"))) > 5
    # only originals are candidates, so a copy of the copy points at the original too
    ingest(ledger, extractor, doc("third", FLOOD_COPY.replace("Anna Brandt", "Jonas Berg")))
    assert ledger.duplicates() == {"courier": "wire", "third": "wire"}
    indexed = ledger.connection.execute("SELECT DISTINCT doc_id FROM minhash_bands ORDER BY doc_id")
    assert indexed.fetchall() == [("health",), ("wire",)]


def test_near_duplicates_are_found_across_runs_and_short_texts_are_not_compared(
        ledger: Ledger, extractor: Extractor) -> None:
    ingest(ledger, extractor, doc("wire", FLOOD))
    ingest(ledger, extractor, doc("courier", FLOOD_COPY))
    assert ledger.duplicates() == {"courier": "wire"}
    short = "Officials said 12 people were hurt when the bridge over the river collapsed on Tuesday."
    ingest(ledger, extractor, doc("short1", short), doc("short2", short.replace("Tuesday", "Monday")))
    assert "short2" not in ledger.duplicates()


def test_when_an_original_changes_its_copies_are_re_examined(ledger: Ledger, extractor: Extractor) -> None:
    ingest(ledger, extractor, doc("original", FLOOD), doc("copy", FLOOD))
    assert ledger.duplicates() == {"copy": "original"}
    stats = ingest(ledger, extractor, doc("original", VACCINES))
    assert (stats.updated, stats.relinked) == (1, 1)
    assert ledger.duplicates() == {}  # the copy is now the only holder of the flood story...
    copy_claims = list(ledger.iter_claims("copy"))  # ...so it now carries the claims
    assert copy_claims and [c.surface for c in copy_claims] == [
        c.surface for c in extractor.extract(doc("copy", FLOOD))]


def test_rejections_are_stored_once_and_counted(ledger: Ledger, extractor: Extractor) -> None:
    bad = Rejection(source="in/wire.jsonl", line=2, reason="malformed JSON: Expecting value (column 1)")
    whole_file = Rejection(source="in/empty.txt", reason="empty file", doc_id="empty")
    for _ in range(2):
        stats = ingest(ledger, extractor, bad, doc("ok", "Some 500 families returned."), whole_file)
        assert stats.rejected == 2
    rows = ledger.connection.execute("SELECT source, line, doc_id, reason, times, first_seen <= last_seen "
                                     "FROM rejections ORDER BY source").fetchall()
    assert rows == [("in/empty.txt", None, "empty", "empty file", 2, True),
                    ("in/wire.jsonl", 2, None, bad.reason, 2, True)]
    assert sorted(r.source for r in ledger.iter_rejections()) == ["in/empty.txt", "in/wire.jsonl"]


def test_a_failing_extraction_is_recorded_and_the_batch_goes_on(ledger: Ledger, extractor: Extractor) -> None:
    def extract(d: Document) -> list[Claim]:
        if d.doc_id == "cursed":
            raise RuntimeError("parser blew up")
        if d.doc_id == "twice":  # claims the ledger could not key
            return extractor.extract(d) * 2
        return extractor.extract(d)

    seen: list[tuple[int, list[Rejection]]] = []
    stats = ledger.ingest([doc("a", "About 300 families returned."), doc("cursed", "12 people died."),
                           doc("twice", "12 people died."), doc("b", "At least 45 were hurt.")],
                          extract, EXTRACTOR_VERSION, on_progress=lambda s, p: seen.append((s.read, list(p))))
    assert (stats.read, stats.added, stats.failed, stats.problems) == (4, 2, 2, 2)
    assert [d.doc_id for d in ledger.iter_documents()] == ["a", "b"]
    reasons = dict(ledger.connection.execute("SELECT doc_id, reason FROM rejections").fetchall())
    assert reasons == {"cursed": "extraction failed: RuntimeError: parser blew up",
                       "twice": "extraction failed: ValueError: two claims start at offset 0"}
    assert [(n, [r.doc_id for r in p]) for n, p in seen] == [(1, []), (2, ["cursed"]), (3, ["twice"]),
                                                             (4, [])]


def test_an_interrupted_stream_keeps_whole_documents_only(ledger: Ledger, extractor: Extractor) -> None:
    def items() -> Iterator[Document]:
        yield doc("a", FLOOD)
        yield doc("b", VACCINES)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ledger.ingest(items(), extractor.extract, EXTRACTOR_VERSION)
    stored = {d.doc_id: d for d in ledger.iter_documents()}
    assert set(stored) == {"a", "b"}
    for d in stored.values():
        assert len(list(ledger.iter_claims(d.doc_id))) == len(extractor.extract(d)) > 0


def test_the_same_id_twice_in_one_stream_keeps_the_later(ledger: Ledger, extractor: Extractor) -> None:
    stats = ingest(ledger, extractor, doc("x", "About 300 families returned."),
                   doc("x", "Some 12 shops reopened."))
    assert (stats.added, stats.updated) == (1, 1)
    assert [c.surface for c in ledger.iter_claims("x")] == ["Some 12"]


def test_findings_are_replaced_wholesale(ledger: Ledger) -> None:
    findings = [Finding.from_dict(json.loads(line)) for line in SEED_FINDINGS.read_text().splitlines()
                if line.strip()]
    assert len(findings) >= 2
    assert ledger.replace_findings(findings) == len(findings)
    back = list(ledger.iter_findings())
    assert [f.to_dict() for f in back] == [f.to_dict() for f in findings]
    extra = Finding(kind="conflict", claims=(ClaimRef("d", 1), ClaimRef("d", 9)), message="12 vs 15",
                    details={"indicator": "killed|Kessel", "single_source": True})
    ledger.replace_findings([extra])
    assert [f.to_dict() for f in ledger.iter_findings()] == [extra.to_dict()]
    ledger.replace_findings([])
    assert ledger.counts()["findings"] == 0


@pytest.mark.parametrize("what", ["claims", "documents", "findings", "rejections"])
@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_export_writes_every_row(ledger: Ledger, extractor: Extractor, tmp_path: Path, what: str,
                                 fmt: str) -> None:
    ingest(ledger, extractor, doc("a", FLOOD, published="2024-03-04"), doc("b", FLOOD_COPY),
           Rejection(source="bad.jsonl", line=3, reason="malformed JSON"))
    ledger.replace_findings([Finding(kind="conflict", claims=(ClaimRef("a", 0),), message="m",
                                     details={"indicator": "x"})])
    out = tmp_path / f"out.{fmt}"
    written = ledger.export(what, fmt, str(out))
    expected = {"claims": ledger.counts()["claims"], "documents": 2, "findings": 1, "rejections": 1}[what]
    assert written == expected
    source = {"jsonl": "read_json('{p}', format='newline_delimited')", "csv": "read_csv('{p}')",
              "parquet": "'{p}'"}[fmt].format(p=out)
    with duckdb.connect() as con:
        assert con.execute(f"SELECT count(*) FROM {source}").fetchone() == (expected,)
        columns = [d[0] for d in con.execute(f"SELECT * FROM {source} LIMIT 0").description]
    if what == "claims":
        assert columns[:13] == ["doc_id", "start", "end", "surface", "value", "high", "qualifier", "unit",
                                "counted", "event", "speaker", "location", "part_of"]
    if what == "claims" and fmt == "jsonl":
        first = json.loads(out.read_text().splitlines()[0])
        assert isinstance(first["value"], int)  # 12000, not 12000.0, as extract prints it


def _memory_limit_mib(db: Path, read_only: bool = False) -> float:
    with Ledger(db, read_only=read_only) as ledger:
        (text,) = ledger.connection.execute("SELECT current_setting('memory_limit')").fetchone()
    number, unit = text.split()
    return float(number) * {"KiB": 1 / 1024, "MiB": 1, "GiB": 1024}[unit]


def test_a_writing_connection_bounds_duckdbs_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # DuckDB's default is 80% of the machine's memory: an ingest's cache would grow with the ledger
    monkeypatch.delenv("CLAIMLEDGER_DUCKDB_MEMORY", raising=False)
    db = tmp_path / "a.duckdb"
    assert 400 <= _memory_limit_mib(db) <= 512
    # readers (a server answering many requests from one database instance) keep DuckDB's default
    assert _memory_limit_mib(db, read_only=True) > 1024
    monkeypatch.setenv("CLAIMLEDGER_DUCKDB_MEMORY", "2GB")
    assert 1800 <= _memory_limit_mib(db) <= 2048

"""The real ``claimledger`` command, run as a subprocess on real files."""
from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from claimledger import __version__
from claimledger.model import EVENTS, QUALIFIERS
from conftest import example_document_count

RunCli = Callable[..., subprocess.CompletedProcess[str]]

CONTRACT_FIELDS = {"doc_id", "start", "end", "surface", "value", "high", "qualifier", "unit", "counted",
                   "event", "speaker", "location", "part_of"}
DOC_FIELDS = {"doc_id", "text", "title", "outlet", "url", "published", "source"}
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"

GOOD_TEXT = ("Aid reaches the town\n\nMore than 1,200 people were evacuated on Sunday, "
             "including 300 children, according to the Relief Office. "
             "\"We delivered 45 tonnes of flour,\" said Nadia Karim.\n")


def jsonl_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


def assert_offsets_index_surface(claims: list[dict], docs: list[dict]) -> None:
    texts = {d["doc_id"]: d["text"] for d in docs}
    for claim in claims:
        assert claim["doc_id"] in texts, claim
        assert texts[claim["doc_id"]][claim["start"]:claim["end"]] == claim["surface"], claim


@pytest.fixture
def mixed_folder(tmp_path: Path) -> Path:
    """One good article and one file of every bad kind, plus a JSONL with one malformed line."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "picture.txt").write_bytes(PNG)
    # 0x81: neither UTF-8 nor Windows-1252 (Latin-1/Windows-1252 text such as "Caf\xe9" is decoded)
    (folder / "latin1.txt").write_bytes(b"Caf\x81 owners said 30 shops reopened.")
    (folder / "wire.jsonl").write_text(
        json.dumps({"id": "wire-1", "text": "Some 500 families returned, officials said."}) + "\n"
        + '{"id": "wire-2", "text": "broken\n'
        + json.dumps({"id": "wire-3", "text": "At least 12 people were killed."}) + "\n",
        encoding="utf-8")
    return folder


def test_bad_input_is_one_error_line_each_and_the_batch_goes_on(run_cli: RunCli, mixed_folder: Path,
                                                                 tmp_path: Path) -> None:
    docs_path = tmp_path / "docs.jsonl"
    result = run_cli("extract", mixed_folder, "--emit-docs", docs_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    claims = jsonl_lines(result.stdout)  # every stdout line is JSON
    lines = error_lines(result.stderr)
    assert all(line.startswith("claimledger: error: ") for line in lines), lines
    for bad in ("empty.txt", "picture.txt", "latin1.txt", "wire.jsonl"):
        assert len([line for line in lines if bad in line]) == 1, (bad, lines)
    assert len(lines) == 4, lines
    assert any(f"{mixed_folder / 'wire.jsonl'}:2: " in line for line in lines), lines
    assert any("invalid UTF-8 at byte 3" in line for line in lines), lines
    # the good inputs were all read, the malformed JSONL line did not cost its neighbours
    docs = jsonl_lines(docs_path.read_text(encoding="utf-8"))
    assert [d["doc_id"] for d in docs] == ["good", "wire-1", "wire-3"]
    assert_offsets_index_surface(claims, docs)


def test_nonexistent_path_is_an_error_line_and_exit_1(run_cli: RunCli, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(GOOD_TEXT, encoding="utf-8")
    result = run_cli("extract", good, tmp_path / "missing.txt")
    assert result.returncode == 1
    missing = tmp_path / "missing.txt"
    assert error_lines(result.stderr) == [f"claimledger: error: {missing}: no such file or directory"]


def test_all_good_input_exits_0_with_nothing_on_stderr(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (tmp_path / "feed.jsonl").write_text(json.dumps({"id": "f1", "text": "Nearly 90 tents."}) + "\n",
                                         encoding="utf-8")
    result = run_cli("extract", tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    jsonl_lines(result.stdout)


@pytest.fixture(scope="module")
def example_run(run_cli: RunCli, example_corpus: Path, tmp_path_factory: pytest.TempPathFactory
                ) -> tuple[subprocess.CompletedProcess[str], Path, Path]:
    """One run over the bundled example corpus with --out and --emit-docs, shared by the tests below."""
    out = tmp_path_factory.mktemp("example")
    claims_path, docs_path = out / "claims.jsonl", out / "docs.jsonl"
    result = run_cli("extract", example_corpus, "--out", claims_path, "--emit-docs", docs_path)
    return result, claims_path, docs_path


def test_example_corpus_runs_cleanly_with_out_and_emit_docs(example_run, example_corpus: Path) -> None:
    result, claims_path, docs_path = example_run
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == ""  # --out took the claims
    assert claims_path.exists()
    docs = jsonl_lines(docs_path.read_text(encoding="utf-8"))
    assert len(docs) == example_document_count()
    for doc in docs:
        assert set(doc) == DOC_FIELDS
        if doc["source"].endswith(".txt"):
            assert doc["text"] == Path(doc["source"]).read_bytes().decode("utf-8")
    by_id = {d["doc_id"]: d for d in docs}
    assert by_id["market-strike"]["outlet"] == "The Sardan Observer"
    assert by_id["returns-kavar"]["published"] == "2024-04-02"


def test_every_claim_surface_is_its_span_of_the_emitted_text(example_run) -> None:
    _, claims_path, docs_path = example_run
    claims = jsonl_lines(claims_path.read_text(encoding="utf-8"))
    docs = jsonl_lines(docs_path.read_text(encoding="utf-8"))
    assert_offsets_index_surface(claims, docs)


def test_every_claim_follows_the_contract(example_run) -> None:
    _, claims_path, _ = example_run
    claims = jsonl_lines(claims_path.read_text(encoding="utf-8"))
    starts = {(c["doc_id"], c["start"]) for c in claims}
    for claim in claims:
        assert CONTRACT_FIELDS <= set(claim), claim  # provenance fields may follow
        assert 0 <= claim["start"] < claim["end"]
        assert claim["qualifier"] in QUALIFIERS
        assert claim["event"] in EVENTS
        assert claim["value"] is None or isinstance(claim["value"], (int, float))
        if claim["part_of"] is not None:
            assert (claim["doc_id"], claim["part_of"]) in starts, claim


def test_example_corpus_yields_claims_for_every_document(example_run) -> None:
    """Every bundled article states figures; fails while the extractor is a stub."""
    _, claims_path, docs_path = example_run
    doc_ids = {d["doc_id"] for d in jsonl_lines(docs_path.read_text(encoding="utf-8"))}
    with_claims = {c["doc_id"] for c in jsonl_lines(claims_path.read_text(encoding="utf-8"))}
    assert doc_ids - with_claims == set()


def test_out_file_matches_stdout(run_cli: RunCli, example_run, example_corpus: Path) -> None:
    _, claims_path, _ = example_run
    result = run_cli("extract", example_corpus)
    assert result.returncode == 0, result.stderr
    assert result.stdout == claims_path.read_text(encoding="utf-8")


def test_output_keeps_non_ascii_as_is(run_cli: RunCli, tmp_path: Path) -> None:
    text = "Près de 2 500 déplacés — « 40 % » sont des enfants. Some 300 families fled Ḥamāh.\n"
    (tmp_path / "accents.txt").write_text(text, encoding="utf-8")
    docs_path = tmp_path / "docs.jsonl"
    result = run_cli("extract", tmp_path / "accents.txt", "--emit-docs", docs_path)
    assert result.returncode == 0, result.stderr
    emitted = docs_path.read_text(encoding="utf-8")
    assert "Ḥamāh" in emitted and "\\u" not in emitted
    assert_offsets_index_surface(jsonl_lines(result.stdout), jsonl_lines(emitted))


@pytest.mark.parametrize("args", [[], ["extract"], ["extract", "--bogus", "x.txt"], ["nosuchcommand"]])
def test_usage_errors_exit_2(run_cli: RunCli, args: list[str]) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "usage:" in result.stderr


def test_unwritable_out_is_a_usage_error(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    out = tmp_path / "no-such-dir" / "claims.jsonl"
    result = run_cli("extract", tmp_path / "good.txt", "--out", out)
    assert result.returncode == 2
    [line] = error_lines(result.stderr)
    assert line == f"claimledger: error: {out}: cannot write: No such file or directory"


def test_version(run_cli: RunCli) -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"claimledger {__version__}"


def test_python_dash_m_is_the_same_command() -> None:
    result = subprocess.run([sys.executable, "-m", "claimledger", "--version"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0
    assert result.stdout.strip() == f"claimledger {__version__}"

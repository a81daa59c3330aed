"""Ingest readers on real files: what they keep, and why they reject."""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimledger.ingest import read_paths
from claimledger.ingest.common import bom_encoding
from claimledger.model import Document, Rejection
from conftest import example_document_count

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"

PAGE = """<!DOCTYPE html>
<html><head>
<meta charset="utf-8">
<title>Convoy reaches town | Example Times</title>
<meta property="og:site_name" content="Example Times">
<meta property="og:title" content="Convoy reaches town">
<meta name="date" content="2024-05-06">
<link rel="canonical" href="https://times.example/convoy">
</head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a></nav>
<article><h1>Convoy reaches town</h1>
<p>A convoy of 12 trucks carrying 80 tonnes of flour reached the town on Monday, officials said.</p>
<p>"We will send 20 more trucks next week," said Rania Aziz, who leads the relief group.</p>
</article>
<footer>Share: 1,024 | Copyright Example Times</footer>
</body></html>
"""


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def read_all(*paths: Path | str) -> tuple[list[Document], list[Rejection]]:
    docs: list[Document] = []
    rejections: list[Rejection] = []
    for item in read_paths(paths):
        (docs if isinstance(item, Document) else rejections).append(item)  # type: ignore[arg-type]
    return docs, rejections


def only_rejection(*paths: Path | str) -> Rejection:
    docs, rejections = read_all(*paths)
    assert docs == []
    assert len(rejections) == 1, rejections
    return rejections[0]


# --- .txt -----------------------------------------------------------------------

def test_txt_text_is_the_raw_file_unchanged(tmp_path: Path) -> None:
    raw = "\ufeffHeadline  \r\n\r\n  Some 1,200 people — including 300 children — left.\n\n\n"
    path = write(tmp_path / "seed-042.txt", raw)
    docs, rejections = read_all(path)
    assert rejections == []
    [doc] = docs
    assert doc.doc_id == "seed-042"
    assert doc.text == raw  # BOM, CRLF, spaces and trailing newlines all kept
    assert doc.text == path.read_bytes().decode("utf-8")
    assert doc.source == str(path)
    i = raw.index("1,200")
    assert doc.text[i:i + 5] == "1,200"


def test_txt_non_ascii_offsets_are_character_offsets(tmp_path: Path) -> None:
    raw = "Près de Alep — « 93 % » du territoire, 2 500 déplacés."
    [doc] = read_all(write(tmp_path / "fr.txt", raw))[0]
    assert doc.text.index("93") == raw.index("93")


# --- .html ----------------------------------------------------------------------

def test_html_main_text_and_metadata(tmp_path: Path) -> None:
    docs, rejections = read_all(write(tmp_path / "convoy-page.html", PAGE))
    assert rejections == []
    [doc] = docs
    assert doc.doc_id == "convoy-page"
    assert "A convoy of 12 trucks carrying 80 tonnes of flour" in doc.text
    assert "said Rania Aziz" in doc.text
    assert "Share: 1,024" not in doc.text  # page furniture is not the article
    assert doc.title == "Convoy reaches town"
    assert doc.outlet == "Example Times"
    assert doc.published == "2024-05-06"
    assert doc.url == "https://times.example/convoy"


def test_htm_extension_and_declared_charset(tmp_path: Path) -> None:
    page = ('<html><head><meta charset="iso-8859-1"><title>Caf\xe9</title></head><body><article>'
            "<p>The caf\xe9 in the square served 300 meals to displaced families on Sunday, "
            "its owner said.</p>"
            "</article></body></html>").encode("latin-1")
    [doc] = read_all(write(tmp_path / "cafe.HTM", page))[0]
    assert "The café in the square served 300 meals" in doc.text


def test_html_without_article_text_is_rejected(tmp_path: Path) -> None:
    page = "<html><head><title>x</title></head><body><nav></nav></body></html>"
    path = write(tmp_path / "blank.html", page)
    rejection = only_rejection(path)
    assert rejection.source == str(path)
    assert "no article text" in rejection.reason


# --- .jsonl ---------------------------------------------------------------------

def jsonl(*records: object) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


def test_jsonl_text_and_html_records_keep_metadata(tmp_path: Path) -> None:
    text = "  Some 40 families returned.\r\nOfficials said 12 homes were rebuilt.  "
    path = write(tmp_path / "feed.jsonl", jsonl(
        {"id": "a-1", "text": text, "title": "Returns", "url": "https://x.example/a", "outlet": "X Daily",
         "published": "2024-01-02"},
        {"id": "b-2", "html": PAGE, "title": "Given title"},
        {"id": 7, "html": "<p>A fragment: 5 ambulances arrived at the clinic, the ministry said.</p>"},
    ))
    docs, rejections = read_all(path)
    assert rejections == []
    a, b, c = docs
    assert (a.doc_id, a.text, a.title, a.url, a.outlet, a.published) == (
        "a-1", text, "Returns", "https://x.example/a", "X Daily", "2024-01-02")
    assert a.source == str(path)
    assert b.doc_id == "b-2"
    assert "A convoy of 12 trucks" in b.text
    assert b.title == "Given title"  # the record's own metadata wins
    assert b.outlet == "Example Times"  # what the record lacks comes from the page
    assert c.doc_id == "7"
    assert c.text == "A fragment: 5 ambulances arrived at the clinic, the ministry said."


def test_jsonl_malformed_line_is_rejected_and_other_lines_read(tmp_path: Path) -> None:
    path = write(tmp_path / "feed.jsonl", jsonl(
        {"id": "one", "text": "Ten trucks."},
        '{"id": "two", "text": "unterminated',
        "",
        {"id": "three", "text": "Twenty tents."},
    ))
    docs, rejections = read_all(path)
    assert [d.doc_id for d in docs] == ["one", "three"]
    [rejection] = rejections
    assert rejection.source == str(path)
    assert rejection.line == 2
    assert "malformed JSON" in rejection.reason
    assert rejection.message().startswith(f"{path}:2: ")


def test_jsonl_record_problems_name_their_line(tmp_path: Path) -> None:
    path = write(tmp_path / "feed.jsonl", jsonl(
        {"text": "no id here"},
        {"id": "no-text", "title": "t"},
        {"id": "empty-text", "text": "   "},
        ["not", "an", "object"],
        {"id": "ok", "text": "Five."},
        {"id": "bad-html", "html": "<html><body></body></html>"},
    ).encode("utf-8") + b'{"id": "bad-bytes", "text": "caf\xe9"}\n')
    docs, rejections = read_all(path)
    assert [d.doc_id for d in docs] == ["ok"]
    reasons = {r.line: r.reason for r in rejections}
    assert '"id"' in reasons[1]
    assert 'no "text" or "html"' in reasons[2]
    assert '"text" is empty' in reasons[3]
    assert "not an object" in reasons[4]
    assert "no article text" in reasons[6]
    assert "invalid UTF-8" in reasons[7]
    assert set(reasons) == {1, 2, 3, 4, 6, 7}


def test_jsonl_with_only_blank_lines_is_empty(tmp_path: Path) -> None:
    assert "empty" in only_rejection(write(tmp_path / "blank.jsonl", "\n\n  \n")).reason


# --- bad input of every kind ------------------------------------------------------

def test_empty_file_is_rejected(tmp_path: Path) -> None:
    for name in ("empty.txt", "empty.html", "empty.jsonl"):
        rejection = only_rejection(write(tmp_path / name, b""))
        assert rejection.source == str(tmp_path / name)
        assert "empty" in rejection.reason


def test_whitespace_only_txt_is_rejected_as_empty(tmp_path: Path) -> None:
    assert "empty" in only_rejection(write(tmp_path / "blank.txt", " \n\t\n")).reason


def test_binary_file_is_rejected(tmp_path: Path) -> None:
    for name in ("image.txt", "image.html", "image.jsonl"):
        rejection = only_rejection(write(tmp_path / name, PNG))
        assert "binary" in rejection.reason, rejection


def test_invalid_utf8_names_the_byte_offset(tmp_path: Path) -> None:
    # 0x81 is neither UTF-8 nor Windows-1252 (a Latin-1/Windows-1252 "\xe9" would be decoded)
    rejection = only_rejection(write(tmp_path / "latin.txt", "Caf".encode() + b"\x81 served 300 meals."))
    assert "invalid UTF-8" in rejection.reason
    assert "byte 3" in rejection.reason


def test_nonexistent_path_is_rejected(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    rejection = only_rejection(missing)
    assert rejection.source == str(missing)
    assert "no such file" in rejection.reason


def test_unreadable_file_is_rejected(tmp_path: Path) -> None:
    link = tmp_path / "dangling.txt"
    link.symlink_to(tmp_path / "gone.txt")
    rejection = only_rejection(link)
    assert "cannot read" in rejection.reason


def test_explicit_file_with_unsupported_extension_is_rejected(tmp_path: Path) -> None:
    rejection = only_rejection(write(tmp_path / "notes.md", "Some 30 people."))
    assert "unsupported file type" in rejection.reason
    assert "'.md'" in rejection.reason


def test_duplicate_doc_id_is_rejected(tmp_path: Path) -> None:
    first = write(tmp_path / "a" / "report.txt", "Ten.")
    second = write(tmp_path / "b" / "report.txt", "Eleven.")
    docs, rejections = read_all(first, second)
    assert [d.source for d in docs] == [str(first)]
    [rejection] = rejections
    assert rejection.source == str(second)
    assert "duplicate doc_id 'report'" in rejection.reason


# --- folders and globs -----------------------------------------------------------

def test_folder_is_read_recursively_in_sorted_order_skipping_other_files(tmp_path: Path) -> None:
    write(tmp_path / "b.txt", "B.")
    write(tmp_path / "a.txt", "A.")
    write(tmp_path / "sub" / "c.jsonl", jsonl({"id": "c", "text": "C."}))
    write(tmp_path / "sub" / "d.html", PAGE)
    write(tmp_path / "sub" / ".gitkeep", "")
    write(tmp_path / "sub" / "README.md", "not an article")
    write(tmp_path / "sub" / "image.png", PNG)
    write(tmp_path / ".hidden" / "e.txt", "E.")
    write(tmp_path / ".f.txt", "F.")
    docs, rejections = read_all(tmp_path)
    assert rejections == []
    assert [d.doc_id for d in docs] == ["a", "b", "c", "d"]


def test_glob_patterns_are_expanded(tmp_path: Path) -> None:
    write(tmp_path / "x1.txt", "One.")
    write(tmp_path / "x2.txt", "Two.")
    write(tmp_path / "deep" / "x3.txt", "Three.")
    write(tmp_path / "y.txt", "Why.")
    docs, _ = read_all(str(tmp_path / "x*.txt"))
    assert [d.doc_id for d in docs] == ["x1", "x2"]
    docs, _ = read_all(str(tmp_path / "**" / "x*.txt"))
    assert [d.doc_id for d in docs] == ["x3", "x1", "x2"]  # sorted by path: deep/ before x1.txt
    rejection = only_rejection(str(tmp_path / "z*.txt"))
    assert "no files match" in rejection.reason


def test_a_file_named_twice_is_read_once(tmp_path: Path) -> None:
    path = write(tmp_path / "once.txt", "Once.")
    docs, rejections = read_all(tmp_path, path, str(tmp_path / "*.txt"))
    assert rejections == []
    assert [d.doc_id for d in docs] == ["once"]


def test_bad_files_do_not_stop_the_good_ones(tmp_path: Path) -> None:
    write(tmp_path / "1-good.txt", "Some 30 people left.")
    write(tmp_path / "2-empty.txt", b"")
    write(tmp_path / "3-binary.txt", PNG)
    write(tmp_path / "4-latin.txt", b"caf\x81")  # neither UTF-8 nor Windows-1252
    feed = jsonl({"id": "j1", "text": "Two."}, "{oops", {"id": "j2", "text": "Three."})
    write(tmp_path / "5-feed.jsonl", feed)
    write(tmp_path / "6-good.txt", "Forty tents.")
    docs, rejections = read_all(tmp_path, tmp_path / "missing")
    assert [d.doc_id for d in docs] == ["1-good", "j1", "j2", "6-good"]
    assert [(Path(r.source).name, r.line) for r in rejections] == [
        ("2-empty.txt", None), ("3-binary.txt", None), ("4-latin.txt", None), ("5-feed.jsonl", 2),
        ("missing", None)]


def test_example_corpus_reads_cleanly(example_corpus: Path) -> None:
    docs, rejections = read_all(example_corpus)
    assert rejections == []
    assert len(docs) == example_document_count() >= 6
    assert len({d.doc_id for d in docs}) == len(docs)
    for doc in docs:
        assert 50 <= len(doc.text.split()) <= 400, doc.doc_id
        if doc.source and doc.source.endswith(".txt"):
            assert doc.text == Path(doc.source).read_bytes().decode("utf-8")


# --- any bytes in, no exception out -----------------------------------------------

@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(st.binary(max_size=300),
                      st.text(max_size=300).map(lambda s: s.encode("utf-8", "surrogatepass"))),
       suffix=st.sampled_from([".txt", ".html", ".htm", ".jsonl"]))
def test_any_bytes_give_documents_or_rejections_never_exceptions(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder) / f"input{suffix}", data)
        for item in read_paths([path]):
            assert isinstance(item, (Document, Rejection))
            if isinstance(item, Rejection):
                assert item.reason
            elif suffix == ".txt":
                assert item.text == _as_decoded(data)


def _as_decoded(data: bytes) -> str:
    """What a .txt reader decodes: the BOM's encoding, else UTF-8, else Windows-1252."""
    found = bom_encoding(data)
    if found:
        return data.decode(found[0])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252")

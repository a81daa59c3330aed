"""CSV/TSV and WARC readers on real files built in tmp_path: what they keep, and why they reject."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import tracemalloc
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from claimledger.ingest import iter_files, read_paths, reader_for
from claimledger.ingest.csv import read_csv
from claimledger.ingest.html import MAX_HTML_FILE_BYTES, document_from_html
from claimledger.ingest.warc import doc_id_for_url, read_warc
from claimledger.model import Document, Rejection
from conftest import claimledger_command

# Invented articles, written for these tests.
EVACUATION = ("More than 1,200 people were evacuated from the town on Monday, officials said. "
              "Buses left the central square every hour until the river crossing closed.")
SHELTER = ("About 300 families spent the night in the school gym, the mayor said. "
           "Volunteers handed out 2,000 blankets before midnight.")
CONVOY = "A convoy of 14 trucks reached the valley on Tuesday, the relief agency said."
CLINIC = "The clinic treated at least 85 patients over the weekend, according to its director."

PAGE = """<!DOCTYPE html>
<html><head>
<meta charset="utf-8">
<title>{title} | Valley Courier</title>
<meta property="og:site_name" content="Valley Courier">
<meta property="og:title" content="{title}">
<meta name="date" content="2024-03-11">
</head><body>
<nav><a href="/">Home</a> | <a href="/news">News</a></nav>
<article><h1>{title}</h1>
<p>{body}</p>
<p>Residents were told to keep their phones charged and to listen for sirens.</p>
</article>
<footer>Shares: 4,096 | Copyright Valley Courier</footer>
</body></html>
"""

BARE_PAGE = """<html><head><title>{title}</title></head><body>
<article><h1>{title}</h1><p>{body}</p>
<p>Officials expect to publish a fuller count later in the week.</p></article>
</body></html>
"""

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


def read_all(*paths: Path | str) -> tuple[list[Document], list[Rejection]]:
    docs: list[Document] = []
    rejections: list[Rejection] = []
    for item in read_paths(paths):
        (docs if isinstance(item, Document) else rejections).append(item)  # type: ignore[arg-type]
    return docs, rejections


def write_csv(path: Path, rows: list[list[str]], delimiter: str = ",") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)
    return path


Record = tuple[str, str, str, bytes]  # url, HTTP status line, content type, body


def write_warc(path: Path, records: list[Record], gzip: bool, date: str = "2024-05-20T08:30:00Z") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=gzip)
        for url, status, content_type, body in records:
            http = StatusAndHeaders(status, [("Content-Type", content_type),
                                             ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=http,
                warc_headers_dict={"WARC-Date": date}))
    return path


def page(title: str, body: str, template: str = PAGE) -> bytes:
    return template.format(title=title, body=body).encode("utf-8")


NEWS_RECORDS: list[Record] = [
    ("https://www.courier.example/news/evacuation", "200 OK", "text/html; charset=utf-8",
     page("Town evacuated", EVACUATION)),
    ("https://courier.example/img/map.png", "200 OK", "image/png", PNG),
    ("https://courier.example/news/gone", "404 Not Found", "text/html", page("Not found", "Nothing here.")),
    ("http://wire.example/2024/shelter?ref=rss", "200 OK", "application/xhtml+xml",
     page("Families sheltered", SHELTER, BARE_PAGE)),
]


# --- .csv / .tsv ---------------------------------------------------------------------

def test_csv_text_column_rows_are_documents_with_default_ids(tmp_path: Path) -> None:
    multi_line = "Convoy arrives\n\n" + CONVOY
    path = write_csv(tmp_path / "wire.csv", [["text"], [EVACUATION], [multi_line]])
    docs, rejections = read_all(path)
    assert rejections == []
    assert [d.doc_id for d in docs] == ["wire-1", "wire-2"]  # no id column: stem and row number
    assert [d.text for d in docs] == [EVACUATION, multi_line]  # cells unchanged, newlines kept
    assert all(d.source == str(path) for d in docs)
    assert docs[0].text[docs[0].text.index("1,200"):][:5] == "1,200"


def test_csv_html_column_with_metadata_columns_in_any_case_and_aliases(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "export.csv", [
        ["Doc_ID", "Title", "Site", "Link", "Date", "HTML"],
        ["courier-7", "Evacuation ordered", "Courier Weekly", "https://courier.example/7", "2024-03-12",
         page("Town evacuated", EVACUATION).decode()],
        ["courier-8", "", "", "", "", page("Families sheltered", SHELTER).decode()],
    ])
    docs, rejections = read_all(path)
    assert rejections == []
    first, second = docs
    assert first.doc_id == "courier-7"
    assert "More than 1,200 people were evacuated" in first.text
    assert "Home" not in first.text and "4,096" not in first.text  # trafilatura kept the article only
    # the row's own cells win over what the page says
    assert (first.title, first.outlet, first.url, first.published) == (
        "Evacuation ordered", "Courier Weekly", "https://courier.example/7", "2024-03-12")
    # empty cells fall back to the page's metadata, as for .html files
    assert (second.title, second.outlet, second.published) == (
        "Families sheltered", "Valley Courier", "2024-03-11")


def test_csv_without_text_or_html_column_is_one_rejection(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "notes.csv", [["id", "body"], ["a", EVACUATION], ["b", SHELTER]])
    docs, rejections = read_all(path)
    assert docs == []
    [rejection] = rejections
    assert rejection.line == 1
    assert '"text"' in rejection.reason and '"html"' in rejection.reason and "'body'" in rejection.reason


def test_csv_broken_quoting_names_the_line_and_keeps_the_rows_around_it(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "feed.csv", [["id", "text"], ["one", EVACUATION], ["two", SHELTER]])
    with path.open("a", encoding="utf-8", newline="") as f:
        f.write('three,"The agency said "about 40" trucks were waiting."\r\n')  # quotes not doubled
        f.write(f'four,"{CLINIC}"\r\n')
    results = list(read_paths([path]))
    assert [getattr(r, "doc_id", None) for r in results if isinstance(r, Document)] == ["one", "two", "four"]
    [rejection] = [r for r in results if isinstance(r, Rejection)]
    assert rejection.line == 4
    assert "malformed CSV" in rejection.reason and "closing quote" in rejection.reason
    assert rejection.message().startswith(f"{path}:4: ")
    assert isinstance(results[0], Document) and isinstance(results[1], Document)  # yielded before it


def test_csv_quote_never_closed_stops_after_yielding_the_rows_before(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "cut.csv", [["text"], [EVACUATION], [SHELTER]])
    with path.open("a", encoding="utf-8", newline="") as f:
        f.write('"The clinic treated at least 85 patients\r\nand then the export stopped\r\n')
    results = list(read_paths([path]))
    assert [r.text for r in results if isinstance(r, Document)] == [EVACUATION, SHELTER]
    assert isinstance(results[-1], Rejection)
    assert results[-1].line == 4 and "never closed" in results[-1].reason


def test_csv_row_with_empty_text_is_rejected_with_its_line(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "rows.csv", [["id", "title", "text"], ["a", "Evacuation", EVACUATION],
                                             ["b", "Blank", "   "], ["c", "Clinic", CLINIC]])
    docs, rejections = read_all(path)
    assert [d.doc_id for d in docs] == ["a", "c"]
    [rejection] = rejections
    assert (rejection.line, rejection.doc_id) == (3, "b")
    assert "empty" in rejection.reason and '"text"' in rejection.reason


def test_csv_bom_crlf_and_invalid_utf8_line(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffText,ID\r\n".encode("utf-8") + f'"{CONVOY}",x1\r\n'.encode("utf-8")
                     + b'"Caf\xe9 owners said 30 shops reopened.",x2\r\n'
                     + f'"{CLINIC}",x3\r\n'.encode("utf-8"))
    docs, rejections = read_all(path)
    assert [(d.doc_id, d.text) for d in docs] == [("x1", CONVOY), ("x3", CLINIC)]  # BOM not in a name
    [rejection] = rejections
    assert (rejection.line, rejection.doc_id) == (3, "x2")
    assert "invalid UTF-8" in rejection.reason


def test_csv_large_cell_is_read_and_the_global_field_limit_is_left_alone(tmp_path: Path) -> None:
    big = (EVACUATION + " ") * 2000  # ~290 KB: over csv's default 128 KB field limit
    path = write_csv(tmp_path / "long.csv", [["text"], [big]])
    before = csv.field_size_limit()
    [doc] = read_all(path)[0]
    assert doc.text == big
    assert csv.field_size_limit() == before


def test_tsv_is_tab_separated(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "desk.tsv", [["id", "outlet", "text"], ["t1", "Courier", CONVOY],
                                             ["t2", "Wire", "Comma, separated, words: 3 of them."]],
                     delimiter="\t")
    docs, rejections = read_all(path)
    assert rejections == []
    assert [(d.doc_id, d.outlet, d.text) for d in docs] == [
        ("t1", "Courier", CONVOY), ("t2", "Wire", "Comma, separated, words: 3 of them.")]


def test_csv_empty_and_binary_files_are_rejected(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    write_csv(tmp_path / "header.csv", [["id", "text"]])
    (tmp_path / "image.csv").write_bytes(PNG)
    reasons = {Path(r.source).name: r.reason for r in read_all(tmp_path)[1]}
    assert reasons == {"empty.csv": "empty file (no header row)",
                       "header.csv": "no rows after the header row",
                       "image.csv": "binary file, not text (NUL byte at byte 8)"}


# --- .warc / .warc.gz ----------------------------------------------------------------

@pytest.mark.parametrize("gzip", [True, False], ids=["warc.gz", "warc"])
def test_warc_keeps_html_responses_only(tmp_path: Path, gzip: bool) -> None:
    path = write_warc(tmp_path / ("crawl.warc.gz" if gzip else "crawl.warc"), NEWS_RECORDS, gzip=gzip)
    docs, rejections = read_all(path)
    assert rejections == []  # the image and the 404 are skipped, not rejected
    first, second = docs
    assert first.url == "https://www.courier.example/news/evacuation"
    assert first.doc_id == "courier-example-news-evacuation"
    assert (first.title, first.outlet, first.published) == ("Town evacuated", "Valley Courier", "2024-03-11")
    assert "More than 1,200 people were evacuated" in first.text and "4,096" not in first.text
    # no site name and no date in the page: the URL's host and the capture date
    assert second.url == "http://wire.example/2024/shelter?ref=rss"
    assert second.doc_id == "wire-example-2024-shelter-ref-rss"
    assert (second.title, second.outlet, second.published) == ("Families sheltered", "wire.example",
                                                               "2024-05-20")
    assert "About 300 families" in second.text
    assert all(d.source == str(path) for d in docs)


def test_warc_doc_ids_are_stable_across_reads(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "crawl.warc.gz", NEWS_RECORDS, gzip=True)
    assert [d.doc_id for d in read_all(path)[0]] == [d.doc_id for d in read_all(path)[0]]
    assert doc_id_for_url("https://www.Courier.example/a/b#top") == doc_id_for_url("http://courier.example/a/b")
    long_a = "https://courier.example/" + "x" * 120 + "/a"
    long_b = "https://courier.example/" + "x" * 120 + "/b"
    assert len(doc_id_for_url(long_a)) <= 80
    assert doc_id_for_url(long_a) != doc_id_for_url(long_b)


def test_warc_html_response_without_text_is_rejected_with_its_url(tmp_path: Path) -> None:
    empty = b"<html><head><title>Menu</title></head><body><nav></nav></body></html>"
    path = write_warc(tmp_path / "menu.warc", [
        ("https://courier.example/menu", "200 OK", "text/html", empty),
        ("https://courier.example/clinic", "200 OK", "text/html", page("Clinic busy", CLINIC)),
    ], gzip=False)
    docs, rejections = read_all(path)
    assert [d.doc_id for d in docs] == ["courier-example-clinic"]
    [rejection] = rejections
    assert rejection.doc_id == "courier-example-menu"
    assert "https://courier.example/menu" in rejection.reason and "no article text" in rejection.reason


def test_warc_http_charset_is_honoured(tmp_path: Path) -> None:
    body = ("<html><body><article><p>The caf\xe9 owners said 30 shops reopened on the main street, "
            "and 12 more would open by Friday.</p></article></body></html>").encode("cp1252")
    path = write_warc(tmp_path / "cafe.warc.gz",
                      [("https://courier.example/cafe", "200 OK", "text/html; charset=windows-1252", body)],
                      gzip=True)
    [doc] = read_all(path)[0]
    assert "café owners" in doc.text


def test_truncated_warc_gz_yields_pages_before_the_cut_then_one_rejection(tmp_path: Path) -> None:
    records = [NEWS_RECORDS[0], NEWS_RECORDS[3],
               ("https://courier.example/clinic", "200 OK", "text/html", page("Clinic busy", CLINIC))]
    whole = write_warc(tmp_path / "whole.warc.gz", records, gzip=True).read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(whole[:len(whole) - 120])  # inside the last record's gzip member
    results = list(read_paths([cut]))
    assert [r.doc_id for r in results[:2]] == ["courier-example-news-evacuation",
                                                "wire-example-2024-shelter-ref-rss"]
    assert all(isinstance(r, Document) for r in results[:2])
    assert len(results) == 3 and isinstance(results[2], Rejection)
    assert results[2].source == str(cut)
    assert results[2].reason.startswith("archive is truncated or corrupt")


def test_truncated_uncompressed_warc_is_rejected_after_the_whole_records(tmp_path: Path) -> None:
    whole = write_warc(tmp_path / "whole.warc", NEWS_RECORDS, gzip=False).read_bytes()
    cut = tmp_path / "cut.warc"
    cut.write_bytes(whole[:len(whole) - 200])  # inside the last page's HTML
    results = list(read_paths([cut]))
    assert [type(r).__name__ for r in results] == ["Document", "Rejection"]
    assert "short of its Content-Length" in results[1].reason


def test_corrupt_gzip_member_is_rejected(tmp_path: Path) -> None:
    data = bytearray(write_warc(tmp_path / "ok.warc.gz", NEWS_RECORDS, gzip=True).read_bytes())
    data[-60] ^= 0xFF  # inside the last member: fails its CRC or its inflate
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(bytes(data))
    docs, rejections = read_all(bad)
    assert [d.doc_id for d in docs] == ["courier-example-news-evacuation"]
    [rejection] = rejections
    assert rejection.reason.startswith("archive is truncated or corrupt: bad gzip data")


def test_non_warc_files_with_warc_names_are_rejected(tmp_path: Path) -> None:
    (tmp_path / "page.warc").write_bytes(page("Town evacuated", EVACUATION))
    (tmp_path / "empty.warc.gz").write_bytes(b"")
    reasons = {Path(r.source).name: r.reason for r in read_all(tmp_path)[1]}
    assert reasons["page.warc"].startswith("not a WARC archive")
    assert reasons["empty.warc.gz"] == "empty file"


def test_warc_without_html_pages_is_one_rejection(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "images.warc.gz", [NEWS_RECORDS[1], NEWS_RECORDS[2]], gzip=True)
    docs, rejections = read_all(path)
    assert docs == []
    [rejection] = rejections
    assert "no HTML pages" in rejection.reason


# --- registration and folder walking -------------------------------------------------

def test_readers_registered_for_csv_tsv_and_warc_suffixes() -> None:
    assert reader_for(Path("a.csv")) is read_csv and reader_for(Path("a.TSV")) is read_csv
    assert reader_for(Path("a.warc")) is read_warc
    assert reader_for(Path("crawl.2024.WARC.GZ")) is read_warc
    assert reader_for(Path("backup.tar.gz")) is None and reader_for(Path("notes.gz")) is None
    assert reader_for(Path("v1.2.txt")) is not None


def test_folder_walking_picks_up_csv_tsv_and_warc_gz(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_csv(folder / "a.csv", [["text"], [EVACUATION]])
    write_csv(folder / "sub" / "b.tsv", [["text"], [SHELTER]], delimiter="\t")
    write_warc(folder / "sub" / "c.warc.gz", [NEWS_RECORDS[0]], gzip=True)
    write_warc(folder / "d.warc", [NEWS_RECORDS[3]], gzip=False)
    (folder / "e.tar.gz").write_bytes(b"\x1f\x8b")
    (folder / "f.gz").write_bytes(b"\x1f\x8b")
    names = [p.relative_to(folder).as_posix() for p in iter_files([folder]) if isinstance(p, Path)]
    assert names == ["a.csv", "d.warc", "sub/b.tsv", "sub/c.warc.gz"]
    docs, rejections = read_all(folder)
    assert rejections == []
    assert sorted(d.doc_id for d in docs) == ["a-1", "b-1", "courier-example-news-evacuation",
                                              "wire-example-2024-shelter-ref-rss"]


# --- the command ---------------------------------------------------------------------

def test_cli_extract_reads_csv_and_warc(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_csv(folder / "desk.csv", [["id", "title", "text"], ["desk-1", "Evacuation", EVACUATION]])
    write_warc(folder / "crawl.warc.gz", [
        ("https://courier.example/clinic", "200 OK", "text/html", page("Clinic busy", CLINIC)),
        NEWS_RECORDS[1],
    ], gzip=True)
    docs_file = tmp_path / "docs.jsonl"
    proc = subprocess.run([sys.executable, "-m", "claimledger", "extract", str(folder),
                           "--emit-docs", str(docs_file)],
                          capture_output=True, text=True, encoding="utf-8", timeout=300,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip() == ""
    claims = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    docs = {d["doc_id"]: d for d in map(json.loads, docs_file.read_text(encoding="utf-8").splitlines())}
    assert set(docs) == {"desk-1", "courier-example-clinic"}
    assert docs["courier-example-clinic"]["url"] == "https://courier.example/clinic"
    assert {c["doc_id"] for c in claims} == {"desk-1", "courier-example-clinic"}
    for claim in claims:
        assert docs[claim["doc_id"]]["text"][claim["start"]:claim["end"]] == claim["surface"]
    evacuated = [c for c in claims if c["doc_id"] == "desk-1" and c["value"] == 1200]
    assert evacuated and evacuated[0]["qualifier"] == "over"
    assert any(c["doc_id"] == "courier-example-clinic" and c["value"] == 85 for c in claims)


# --- .warc responses over the HTML size limit ------------------------------------------------

MB = 1024 * 1024
FLOOD_LINE = b"<p>Reading %d: the river rose %d centimetres at the gauge.</p>\n"


def flood_page(size: int) -> bytes:
    """An HTML page of ``size`` bytes whose lines differ (so it compresses as text does, ~5:1)."""
    head = b"<html><body><article><h1>River gauge log</h1>\n"
    lines = b"".join(FLOOD_LINE % (i, i % 97) for i in range(size // len(FLOOD_LINE % (0, 0)) + 1))
    return (head + lines)[:size]


def gzipped(data: bytes) -> bytes:
    return zlib.compress(data, 6, wbits=31)


def chunked(data: bytes, size: int = 64 * 1024) -> bytes:
    """``data`` in HTTP/1.1 chunked transfer coding."""
    parts = [b"%x\r\n%s\r\n" % (len(data[i:i + size]), data[i:i + size]) for i in range(0, len(data), size)]
    return b"".join(parts) + b"0\r\n\r\n"


def write_responses(path: Path, records: list[tuple[str, Any, list[tuple[str, str]], int]], gzip: bool) -> Path:
    """A WARC of HTML responses: (url, payload stream, extra HTTP headers, payload length) each."""
    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=gzip)
        for url, payload, headers, length in records:
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"), *headers],
                                    protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=payload, length=length,
                                                          http_headers=http))
    return path


CODINGS = {"plain": (lambda body: body, []),
           "gzip": (gzipped, [("Content-Encoding", "gzip")]),
           "chunked": (chunked, [("Transfer-Encoding", "chunked")])}


def coded(body: bytes, coding: str) -> tuple[bytes, list[tuple[str, str]]]:
    encode, headers = CODINGS[coding]
    return encode(body), headers


@pytest.mark.parametrize("coding", list(CODINGS))
@pytest.mark.parametrize("gzip", [True, False], ids=["warc.gz", "warc"])
def test_warc_response_over_the_limit_is_rejected_without_being_held_in_memory(
        tmp_path: Path, gzip: bool, coding: str) -> None:
    """A 24 MB page against a 1 MB limit: rejected naming the file, the record, its URL and its size;
    the page after it still read; and the reader's peak Python allocation stays a few MB (reading
    the page whole, as the reader once did, allocates it at least twice: 48 MB)."""
    big, headers = coded(flood_page(24 * MB), coding)
    clinic = page("Clinic busy", CLINIC)
    path = write_responses(tmp_path / ("flood.warc.gz" if gzip else "flood.warc"), [
        ("https://courier.example/gauge-log", io.BytesIO(big), headers, len(big)),
        ("https://courier.example/clinic", io.BytesIO(clinic), [], len(clinic)),
    ], gzip=gzip)
    del big
    # trafilatura builds its stop lists (~30 MB) for its first page: built before measuring
    assert isinstance(document_from_html(clinic, doc_id="warm-up", source="warm-up"), Document)
    tracemalloc.start()
    try:
        results = list(read_warc(path, max_html_bytes=MB))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    [rejection, doc] = results
    assert isinstance(rejection, Rejection) and isinstance(doc, Document)
    assert doc.doc_id == "courier-example-clinic" and "at least 85 patients" in doc.text
    assert rejection.source == str(path) and rejection.doc_id == "courier-example-gauge-log"
    assert rejection.message().startswith(f"{path}: record 1 (https://courier.example/gauge-log): "
                                          "HTML response too large: ")
    if coding == "plain":  # its size is in the record: not read at all
        assert rejection.reason.endswith("HTML response too large: 24.0 MB; the limit is 1.0 MB, not read")
    else:
        name = "Content-Encoding: gzip" if coding == "gzip" else "Transfer-Encoding: chunked"
        assert "over 1.0 MB once decoded (" in rejection.reason and name in rejection.reason
        assert rejection.reason.endswith("read no further; the limit is 1.0 MB")
    assert peak < 8 * MB, f"peak {peak / MB:.1f} MB"


@pytest.mark.parametrize("coding", list(CODINGS))
def test_warc_response_exactly_at_the_limit_is_read(tmp_path: Path, coding: str) -> None:
    body = page("Clinic busy", CLINIC)
    payload, headers = coded(body, coding)
    path = write_responses(tmp_path / "edge.warc.gz", [
        ("https://courier.example/clinic", io.BytesIO(payload), headers, len(payload))], gzip=True)
    [doc] = read_warc(path, max_html_bytes=len(body))
    assert isinstance(doc, Document) and "at least 85 patients" in doc.text
    [rejection] = read_warc(path, max_html_bytes=len(body) - 1)
    assert isinstance(rejection, Rejection) and "HTML response too large" in rejection.reason


class GeneratedPage(io.RawIOBase):
    """A page of ``size`` bytes made as it is read (seekable, for warcio's digests): a test can
    archive a 300 MB response without holding it. It repeats every 4 KB, so gzip shrinks it ~1000:1."""

    def __init__(self, size: int) -> None:
        self._unit = flood_page(4096)
        self._size, self._pos = size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._pos = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence] + offset
        return self._pos

    def readinto(self, buffer: Any) -> int:
        n = max(0, min(len(buffer), self._size - self._pos))
        unit, start = self._unit, self._pos % len(self._unit)
        data = (unit[start:] + unit * (n // len(unit) + 1))[:n]
        buffer[:n] = data
        self._pos += n
        return n


def gzip_stream(stream: io.RawIOBase) -> Iterator[bytes]:
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    while chunk := stream.read(MB):
        yield compressor.compress(chunk)
    yield compressor.flush()


# The command, its peak RSS measured by a parent that does nothing else.
MEASURED = ("import resource, subprocess, sys; status = subprocess.call(sys.argv[1:]); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(status)")


def ingest_measured(folder: Path, db: Path) -> tuple[int, list[str], int]:
    """``claimledger ingest FOLDER --db DB``: exit status, stderr lines, peak RSS in bytes."""
    proc = subprocess.run([sys.executable, "-c", MEASURED, *claimledger_command(), "ingest", str(folder),
                           "--db", str(db)], capture_output=True, text=True, encoding="utf-8", timeout=300,
                          stdin=subprocess.DEVNULL)
    *lines, peak_kb = proc.stderr.splitlines()
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, lines, int(peak_kb) * 1024


def test_cli_ingest_rejects_responses_over_256_mb_in_bounded_memory(tmp_path: Path) -> None:
    """A .warc.gz with two 300 MB responses, over the real 256 MB limit: one plain (its record says
    how big: never read) and one gzip-encoded in 0.9 MB (a decompression bomb: read to 256 MB + 1
    byte, no further). Both are rejected, with their records in the ledger, and the pages around
    them are stored. The peak RSS over a run without them stays under the limit plus 128 MB
    (reading them whole, as the reader once did, took over 800 MB more)."""
    size = 300 * MB
    assert size > MAX_HTML_FILE_BYTES
    bomb = b"".join(gzip_stream(io.BufferedReader(GeneratedPage(size))))
    clinic, convoy = page("Clinic busy", CLINIC), page("Convoy arrives", CONVOY)
    small = [("https://courier.example/clinic", io.BytesIO(clinic), [], len(clinic))]
    big = [("https://courier.example/flood", io.BufferedReader(GeneratedPage(size)), [], size),
           ("https://courier.example/bomb", io.BytesIO(bomb), [("Content-Encoding", "gzip")], len(bomb)),
           ("https://courier.example/convoy", io.BytesIO(convoy), [], len(convoy))]
    (tmp_path / "base").mkdir()
    (tmp_path / "big").mkdir()
    write_responses(tmp_path / "base" / "crawl.warc.gz", small, gzip=True)
    archive = write_responses(tmp_path / "big" / "crawl.warc.gz", [
        ("https://courier.example/clinic", io.BytesIO(clinic), [], len(clinic)), *big], gzip=True)
    assert archive.stat().st_size < 4 * MB

    base_status, _, base_peak = ingest_measured(tmp_path / "base", tmp_path / "base.duckdb")
    assert base_status == 0
    db = tmp_path / "big.duckdb"
    status, lines, peak = ingest_measured(tmp_path / "big", db)

    assert status == 1, lines  # some input rejected, the rest stored
    assert lines[:2] == [
        f"claimledger: error: {archive}: record 2 (https://courier.example/flood): HTML response too large: "
        "300.0 MB; the limit is 256.0 MB, not read",
        f"claimledger: error: {archive}: record 3 (https://courier.example/bomb): HTML response too large: "
        f"over 256.0 MB once decoded ({len(bomb) / MB:.1f} MB stored, Content-Encoding: gzip), read no "
        "further; the limit is 256.0 MB"]
    assert len(lines) == 3 and " 2 rejected -> " in lines[2]
    with duckdb.connect(str(db), read_only=True) as con:
        stored = sorted(r[0] for r in con.execute("SELECT doc_id FROM documents").fetchall())
        rejected = con.execute("SELECT source, doc_id FROM rejections ORDER BY doc_id").fetchall()
    assert stored == ["courier-example-clinic", "courier-example-convoy"]
    assert rejected == [(str(archive), "courier-example-bomb"), (str(archive), "courier-example-flood")]
    assert peak - base_peak < MAX_HTML_FILE_BYTES + 128 * MB, (
        f"peak RSS {peak / MB:.0f} MB, {base_peak / MB:.0f} MB without the big responses")

"""Bad input through ``claimledger ingest`` into a real DuckDB ledger: one error line each, a row in
``rejections``, the rest stored, exit 1 (0 when all of it was good after all).

Every input is made here, in tmp_path. The cases run the command in this process
(``cli.main``, so the spaCy model loads once); the mixed folder, the FIFO and the
file without read permission also run it as a subprocess, as a user would.
"""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import time
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Optional

import duckdb
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from claimledger.cli import EXIT_INPUT_FAILED, EXIT_OK, main
from claimledger.ingest.common import MAX_RECORD_BYTES
from claimledger.ingest.html import MAX_HTML_MARKUP_BYTES
from conftest import claimledger_command, ledger_rows

ERROR = "claimledger: error: "
SUMMARY = re.compile(r"^claimledger: ingested \d+ documents \(.*\), \d+ claims, (\d+) rejected -> ")
MB = 1024 * 1024

# Invented articles, written for these tests.
GOOD = "More than 1,200 people were evacuated from the river town on Monday, officials said.\n"
CAFE = ("\u201cWe served 300 meals at the Caf\u00e9 Central on Sunday,\u201d said Ren\u00e9e Dubois, "
        "who runs the kitchen. About 40 volunteers helped.\n")
CONVOY = ("A convoy of 14 trucks reached the valley on Tuesday, the relief agency said. "
          "The drivers had waited three days at the border crossing for permission to pass.")
SHELTER = ("About 300 families spent the night in the school gym, the mayor said. "
           "Volunteers handed out 2,000 blankets before midnight, and the kitchen stayed open.")
CLINIC = ("The clinic treated at least 85 patients over the weekend, according to its director. "
          "Most of them had minor injuries from the storm, she said on Monday.")

PAGE = """<!DOCTYPE html>
<html><head><meta charset="{charset}"><title>{title}</title></head><body>
<nav><a href="/">Home</a> | <a href="/news">News</a></nav>
<article><h1>{title}</h1>
<p>{body}</p>
<p>Residents were told to keep their phones charged and to listen for sirens through the night.</p>
</article>
<footer>Copyright Valley Courier</footer>
</body></html>
"""


def page(title: str, body: str, charset: str = "utf-8") -> str:
    return PAGE.format(title=title, body=body, charset=charset)


def png_bytes() -> bytes:
    """A real 1x1 PNG: signature, IHDR, IDAT and IEND chunks with their CRCs."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00\xff"))
            + chunk(b"IEND", b""))


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("story.txt", GOOD)
    return buffer.getvalue()


# --- running the command ---------------------------------------------------------------------------

class Run:
    """One finished ``claimledger ingest``: its exit status and stderr, split into error lines."""

    def __init__(self, status: int, stderr: str, elapsed: float) -> None:
        self.status, self.stderr, self.elapsed = status, stderr, elapsed
        lines = stderr.splitlines()
        self.errors = [line[len(ERROR):] for line in lines if line.startswith(ERROR)]
        summaries = [m for m in map(SUMMARY.match, lines) if m]
        assert "Traceback" not in stderr, stderr
        assert len(summaries) == 1, stderr
        assert int(summaries[0].group(1)) == len(self.errors), stderr
        # nothing else: no warnings from trafilatura, warcio or lxml, no progress bar
        assert len(lines) == len(self.errors) + 1, stderr


def ingest(capsys: pytest.CaptureFixture[str], db: Path, *paths: Path | str) -> Run:
    """``claimledger ingest PATHS --db DB`` in this process, with a watchdog against hangs."""
    capsys.readouterr()
    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, _hung)
    signal.alarm(120)
    try:
        status = main(["ingest", *map(str, paths), "--db", str(db)])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return Run(status, capsys.readouterr().err, time.monotonic() - started)


def _hung(signum: int, frame: Any) -> None:
    raise TimeoutError("claimledger ingest hung on bad input")


def ingest_subprocess(db: Path, *paths: Path | str, prefix: Sequence[str] = ()) -> Run:
    started = time.monotonic()
    proc = subprocess.run([*prefix, *claimledger_command(), "ingest", *map(str, paths), "--db", str(db)],
                          capture_output=True, text=True, encoding="utf-8", timeout=180,
                          stdin=subprocess.DEVNULL)
    assert proc.stdout == ""
    return Run(proc.returncode, proc.stderr, time.monotonic() - started)


def rejections(db: Path) -> list[tuple[str, Optional[int], str, int]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT source, line, reason, times FROM rejections ORDER BY source, line_key").fetchall()


def documents(db: Path) -> dict[str, str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return dict(con.execute("SELECT doc_id, text FROM documents").fetchall())


def good_folder(tmp_path: Path) -> Path:
    """A folder holding one good article, ``good.txt``, for the bad input to sit next to."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    return folder


def assert_one_rejection(run: Run, db: Path, path: Path, reason: str, line: Optional[int] = None) -> None:
    """Exit 1, one error line naming ``path`` (and ``line``) and ``reason``, the same in the
    ledger, and the good article next to it stored all the same."""
    where = f"{path}:{line}: " if line else f"{path}: "
    assert run.status == EXIT_INPUT_FAILED, run.stderr
    assert len(run.errors) == 1, run.stderr
    assert run.errors[0].startswith(where) and reason in run.errors[0], run.stderr
    [(source, row_line, row_reason, _)] = rejections(db)
    assert (source, row_line) == (str(path), line) and reason in row_reason
    assert documents(db).get("good") == GOOD


# --- one bad input at a time -----------------------------------------------------------------------

def test_an_empty_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder, db = good_folder(tmp_path), tmp_path / "l.duckdb"
    bad = folder / "empty.txt"
    bad.write_bytes(b"")
    assert_one_rejection(ingest(capsys, db, folder), db, bad, "empty file")


@pytest.mark.parametrize("name, data", [
    ("photo.txt", png_bytes()), ("photo.html", png_bytes()), ("bundle.jsonl", zip_bytes()),
    ("bundle.csv", zip_bytes()), ("bundle.txt", zip_bytes())])
def test_a_binary_file_with_a_text_extension(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                             name: str, data: bytes) -> None:
    folder, db = good_folder(tmp_path), tmp_path / "l.duckdb"
    bad = folder / name
    bad.write_bytes(data)
    assert_one_rejection(ingest(capsys, db, folder), db, bad, "binary file, not text (NUL byte at byte")


@pytest.mark.parametrize("name, data", [("photo.png", png_bytes()), ("bundle.zip", zip_bytes())])
def test_a_binary_file_named_on_the_command_line(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                 name: str, data: bytes) -> None:
    folder, db = good_folder(tmp_path), tmp_path / "l.duckdb"
    bad = tmp_path / name
    bad.write_bytes(data)
    suffix = name.rsplit(".", 1)[1]
    assert_one_rejection(ingest(capsys, db, folder, bad), db, bad, f"unsupported file type '.{suffix}'")


def test_a_binary_file_named_as_a_web_archive(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder, db = good_folder(tmp_path), tmp_path / "l.duckdb"
    bad = folder / "crawl.warc"
    bad.write_bytes(zip_bytes())
    assert_one_rejection(ingest(capsys, db, folder), db, bad, "not a WARC archive")


def test_invalid_utf8_in_a_utf8_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder, db = good_folder(tmp_path), tmp_path / "l.duckdb"
    bad = folder / "damaged.txt"
    data = CAFE.encode("utf-8")
    bad.write_bytes(data[:20] + b"\xff" + data[20:])  # a UTF-8 file with one damaged byte
    assert_one_rejection(ingest(capsys, db, folder), db, bad, "invalid UTF-8 at byte 20 (0xff)")


def test_bytes_that_are_neither_utf8_nor_windows_1252(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder, db = good_folder(tmp_path), tmp_path / "l.duckdb"
    bad = folder / "unknown.txt"
    bad.write_bytes(b"Some 30 people \x81\x8d left.")
    assert_one_rejection(ingest(capsys, db, folder), db, bad,
                         "invalid UTF-8 at byte 15 (0x81), and not Windows-1252 either")


def write_as(path: Path, text: str, encoding: str) -> Path:
    """``text`` in ``path`` as a ``.txt``, ``.html``, ``.jsonl`` or ``.csv`` file, in ``encoding``."""
    suffix = path.suffix
    if suffix == ".html":
        text = page("Caf\u00e9 news", text, charset="utf-8" if "utf" in encoding else encoding)
    elif suffix == ".jsonl":
        text = json.dumps({"id": path.stem, "text": text}, ensure_ascii=False) + "\n"
    elif suffix == ".csv":
        text = "id,text\r\n" + path.stem + ',"' + text.replace('"', '""') + '"\r\n'
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("suffix", [".txt", ".html", ".jsonl", ".csv"])
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be-bom", "utf-8-sig"])
def test_text_with_a_byte_order_mark_is_decoded(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                suffix: str, encoding: str) -> None:
    folder, db = good_folder(tmp_path), tmp_path / "l.duckdb"
    path = folder / f"bom{suffix}"
    if encoding == "utf-16-be-bom":
        write_as(path, CAFE, "utf-16-be")
        path.write_bytes(b"\xfe\xff" + path.read_bytes())
    else:
        write_as(path, CAFE, encoding)
    run = ingest(capsys, db, folder)
    assert run.status == EXIT_OK and run.errors == [], run.stderr
    docs = documents(db)
    assert docs["good"] == GOOD
    if suffix == ".txt":  # the file's characters as written: the mark stays, as U+FEFF
        assert docs["bom"] == "\ufeff" + CAFE
    else:
        assert "\u201cWe served 300 meals at the Caf\u00e9 Central on Sunday,\u201d" in docs["bom"]
        assert "\ufeff" not in docs["bom"]
    assert rejections(db) == []


@pytest.mark.parametrize("suffix", [".txt", ".html"])
def test_windows_1252_text_is_decoded(capsys: pytest.CaptureFixture[str], tmp_path: Path, suffix: str) -> None:
    folder, db = good_folder(tmp_path), tmp_path / "l.duckdb"
    path = write_as(folder / f"ansi{suffix}", CAFE, "cp1252")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    run = ingest(capsys, db, folder)
    assert run.status == EXIT_OK and run.errors == [], run.stderr
    text = documents(db)["ansi"]
    assert text == CAFE if suffix == ".txt" else CAFE.strip().split(" About")[0] in text
    assert "\u201c" in text and "Caf\u00e9" in text and "Ren\u00e9e" in text


def bloated_page(size: int) -> bytes:
    """A news page of ``size`` bytes, nearly all of it inline script and an inline image, as some
    sites serve them."""
    head = page("Evacuation", CONVOY).encode()
    script = b"<script>window.__STATE__ = '" + b"0123456789abcdef" * ((size - len(head)) // 2 // 16) + b"';</script>"
    image = b'<img alt="map" src="data:image/png;base64,' + b"iVBORw0K" * ((size - len(head)) // 2 // 8) + b'">'
    return head.replace(b"</head>", script + b"</head>").replace(b"<footer>", image + b"<footer>")


def test_a_50_mb_page_of_scripts_and_images_is_ingested_quickly(capsys: pytest.CaptureFixture[str],
                                                                tmp_path: Path) -> None:
    folder, db = good_folder(tmp_path), tmp_path / "l.duckdb"
    big = folder / "bloated.html"
    big.write_bytes(bloated_page(50 * MB))
    assert big.stat().st_size >= 50 * MB
    run = ingest(capsys, db, folder)
    assert run.status == EXIT_OK and run.errors == [], run.stderr
    text = documents(db)["bloated"]
    assert CONVOY in text and "__STATE__" not in text and "base64" not in text
    assert len(text) < 1000
    assert run.elapsed < 30, run.elapsed


def test_a_50_mb_page_of_markup_is_rejected_as_too_large(capsys: pytest.CaptureFixture[str],
                                                         tmp_path: Path) -> None:
    folder, db = good_folder(tmp_path), tmp_path / "l.duckdb"
    big = folder / "huge.html"
    row = b"<tr><td>Ward 7</td><td>1,200 people</td><td>evacuated</td></tr>\n"
    big.write_bytes(b"<html><body><table>" + row * (50 * MB // len(row) + 1) + b"</table></body></html>")
    run = ingest(capsys, db, folder)
    assert_one_rejection(run, db, big, "HTML page too large: 50.0 MB")
    assert f"the limit is {MAX_HTML_MARKUP_BYTES // MB}.0 MB" in run.errors[0]
    assert run.elapsed < 30, run.elapsed


@pytest.mark.parametrize("depth", [10_000, 300])
def test_html_nested_deeply_keeps_its_text(capsys: pytest.CaptureFixture[str], tmp_path: Path, depth: int) -> None:
    folder, db = good_folder(tmp_path), tmp_path / "l.duckdb"
    html = ("<html><head><title>Deep</title></head><body>" + "<div><span>" * (depth // 2)
            + f"<p>{SHELTER}</p><p>{CLINIC}</p>" + "</span></div>" * (depth // 2) + "</body></html>")
    (folder / "deep.html").write_text(html, encoding="utf-8")
    run = ingest(capsys, db, folder)
    assert run.status == EXIT_OK and run.errors == [], run.stderr
    text = documents(db)["deep"]
    assert SHELTER in text and CLINIC in text


def test_jsonl_with_malformed_and_oversized_lines(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder, db = good_folder(tmp_path), tmp_path / "l.duckdb"
    feed = folder / "feed.jsonl"
    oversized = json.dumps({"id": "huge", "text": "Some 30 people left. " * (MAX_RECORD_BYTES // 20)})
    assert len(oversized) > MAX_RECORD_BYTES
    with feed.open("wb") as f:
        f.write(json.dumps({"id": "j1", "text": CONVOY}).encode() + b"\n")       # 1
        f.write(b'{"id": "j2", "text": "broken\n')                                # 2
        f.write(json.dumps({"id": "j3", "text": SHELTER}).encode() + b"\n")      # 3
        f.write(oversized.encode() + b"\n")                                      # 4
        f.write(b'{"id": "j5", "text": "caf\xe9"}\n')                             # 5
        f.write(b"[1, 2, 3]\n")                                                  # 6
        f.write(b"\n")                                                           # 7, blank: skipped
        f.write(json.dumps({"id": "j8", "text": CLINIC}).encode())               # 8, no newline at the end
    run = ingest(capsys, db, folder)
    assert run.status == EXIT_INPUT_FAILED
    expected = {2: "malformed JSON", 4: "line is too large (10.", 5: "invalid UTF-8", 6: "record is a JSON list"}
    assert len(run.errors) == len(expected), run.stderr
    for error, (line, reason) in zip(run.errors, expected.items(), strict=True):
        assert error.startswith(f"{feed}:{line}: ") and reason in error, run.stderr
    rows = rejections(db)
    assert [(s, line) for s, line, _, _ in rows] == [(str(feed), n) for n in expected]
    assert all(reason in row[2] for row, reason in zip(rows, expected.values(), strict=True))
    assert sorted(documents(db)) == ["good", "j1", "j3", "j8"]


def test_csv_with_broken_quoting(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder, db = good_folder(tmp_path), tmp_path / "l.duckdb"
    table = folder / "wire.csv"
    table.write_text(
        "id,title,text\n"
        f'c1,Convoy,"{CONVOY}"\n'                                               # 2
        'c2,Quote,"He said "no" to 40 more trucks, officials said."\n'         # 3: a quote not doubled
        f"c3,Shelter,{SHELTER.replace(',', ';')}\n"                               # 4
        'c4,Clinic,"The clinic treated 85 patients\n'                          # 5: never closed
        "c5,Lost,This row is inside the open quote.\n", encoding="utf-8")
    run = ingest(capsys, db, folder)
    assert run.status == EXIT_INPUT_FAILED
    assert len(run.errors) == 2, run.stderr
    assert run.errors[0].startswith(f"{table}:3: malformed CSV") and "closing quote" in run.errors[0]
    assert run.errors[1].startswith(f"{table}:5: malformed CSV") and "never closed" in run.errors[1]
    assert [(s, line) for s, line, _, _ in rejections(db)] == [(str(table), 3), (str(table), 5)]
    assert sorted(documents(db)) == ["c1", "c3", "good"]


def write_warc(path: Path, bodies: list[tuple[str, str]]) -> list[int]:
    """A gzipped WARC of HTML responses (url, article); returns where each record's member ends."""
    ends = []
    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=True)
        for url, body in bodies:
            data = page(url.rsplit("/", 1)[1].title(), body).encode()
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                               ("Content-Length", str(len(data)))], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(data),
                                                          http_headers=http))
            ends.append(f.tell())
    return ends


def test_a_truncated_warc_gz_keeps_the_records_before_the_cut(capsys: pytest.CaptureFixture[str],
                                                              tmp_path: Path) -> None:
    folder, db = good_folder(tmp_path), tmp_path / "l.duckdb"
    archive = folder / "crawl.warc.gz"
    ends = write_warc(archive, [("https://courier.example/news/convoy", CONVOY),
                                ("https://courier.example/news/shelter", SHELTER),
                                ("https://courier.example/news/clinic", CLINIC)])
    with archive.open("r+b") as f:
        f.truncate(ends[1] + (ends[2] - ends[1]) // 2)  # the download stopped inside the third record
    assert_one_rejection(ingest(capsys, db, folder), db, archive, "archive is truncated or corrupt")
    docs = documents(db)
    assert sorted(docs) == ["courier-example-news-convoy", "courier-example-news-shelter", "good"]
    assert CONVOY in docs["courier-example-news-convoy"]


def test_a_folder_symlinked_into_itself(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder, db = good_folder(tmp_path), tmp_path / "l.duckdb"
    (folder / "sub").mkdir()
    (folder / "sub" / "nested.txt").write_text(CONVOY, encoding="utf-8")
    loop = folder / "sub" / "up"
    loop.symlink_to("..")
    assert_one_rejection(ingest(capsys, db, folder), db, loop, "symlink loop: up -> .. leads back to")
    assert sorted(documents(db)) == ["good", "nested"]


def test_a_symlinked_folder_is_read_once(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder, db = good_folder(tmp_path), tmp_path / "l.duckdb"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "linked.txt").write_text(CONVOY, encoding="utf-8")
    (folder / "a-link").symlink_to(elsewhere)
    (folder / "b-link").symlink_to(elsewhere)  # a second way in is not a loop, and not read twice
    run = ingest(capsys, db, folder)
    assert run.status == EXIT_OK and run.errors == [], run.stderr
    assert sorted(documents(db)) == ["good", "linked"]


def test_a_file_symlink_loop(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder, db = good_folder(tmp_path), tmp_path / "l.duckdb"
    (folder / "ping.txt").symlink_to("pong.txt")
    (folder / "pong.txt").symlink_to("ping.txt")
    run = ingest(capsys, db, folder)
    assert run.status == EXIT_INPUT_FAILED and len(run.errors) == 2, run.stderr
    for error, name in zip(run.errors, ("ping.txt", "pong.txt"), strict=True):
        assert error == f"{folder / name}: cannot read file: symlink loop (too many levels of symbolic links)"
    assert [Path(s).name for s, _, _, _ in rejections(db)] == ["ping.txt", "pong.txt"]
    assert sorted(documents(db)) == ["good"]


def test_a_fifo_is_not_opened(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder, db = good_folder(tmp_path), tmp_path / "l.duckdb"
    fifo = folder / "pipe.txt"
    os.mkfifo(fifo)  # opening it would wait for a writer forever
    assert_one_rejection(ingest(capsys, db, folder), db, fifo, "not a regular file but a named pipe (FIFO)")


def test_a_dangling_symlink(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder, db = good_folder(tmp_path), tmp_path / "l.duckdb"
    link = folder / "moved.txt"
    link.symlink_to(tmp_path / "nowhere.txt")
    assert_one_rejection(ingest(capsys, db, folder), db, link, "dangling symlink to")


def test_a_file_without_read_permission(tmp_path: Path) -> None:
    """chmod 000. Root reads such a file all the same, so as root the command runs without the
    capabilities that let it (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), like any other user."""
    folder, db = good_folder(tmp_path), tmp_path / "l.duckdb"
    secret = folder / "secret.txt"
    secret.write_text(CONVOY, encoding="utf-8")
    secret.chmod(0)
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root, and no setpriv (util-linux) to drop root's right to read any file")
        drop = "-dac_override,-dac_read_search"
        prefix = [setpriv, f"--inh-caps={drop}", f"--bounding-set={drop}"]
        check = subprocess.run([*prefix, "cat", str(secret)], capture_output=True)
        assert check.returncode != 0, "setpriv did not take root's right to read the file away"
    run = ingest_subprocess(db, folder, prefix=prefix)
    assert_one_rejection(run, db, secret, "cannot read file: Permission denied")


# --- all of it at once ---------------------------------------------------------------------------

def mixed_folder(root: Path) -> tuple[Path, list[Path], dict[str, str], set[tuple[str, Optional[int]]]]:
    """Every bad input above and good files, in one folder.

    Returns the folder, extra paths to name on the command line, the good documents
    expected (doc_id -> a phrase of its text) and the rejections expected (source, line).
    """
    folder = root / "corpus"
    folder.mkdir()
    bad: set[tuple[str, Optional[int]]] = set()

    def put(name: str, data: bytes, line: Optional[int] = None) -> Path:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if line != 0:
            bad.add((str(path), line))
        return path

    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    put("empty.txt", b"")
    put("photo.txt", png_bytes())
    put("bundle.jsonl", zip_bytes())
    damaged = CAFE.encode()
    put("damaged.txt", damaged[:20] + b"\xff" + damaged[20:])
    write_as(folder / "bom16.txt", CAFE, "utf-16")
    write_as(folder / "ansi.txt", CAFE.replace("300", "310"), "cp1252")
    (folder / "bloated.html").write_bytes(bloated_page(50 * MB))
    row = b"<tr><td>Ward 7</td><td>1,200 people</td></tr>\n"
    put("huge.html", b"<html><body><table>" + row * (50 * MB // len(row)) + b"</table></body></html>")
    put("deep.html", ("<html><body>" + "<div>" * 10_000 + f"<p>{SHELTER}</p>" + "</div>" * 10_000
                      + "</body></html>").encode(), line=0)
    feed = json.dumps({"id": "j1", "text": CLINIC}) + "\n" + '{"id": "j2", "text": "broken\n' \
        + json.dumps({"id": "huge", "text": "x " * (MAX_RECORD_BYTES // 2 + 1)}) + "\n"
    put("feed.jsonl", feed.encode(), line=0)
    bad |= {(str(folder / "feed.jsonl"), 2), (str(folder / "feed.jsonl"), 3)}
    put("wire.csv", ("id,text\n"
                     'c1,"He said "no" to 40 trucks."\n'
                     "c2,Some 60 shops reopened on Thursday; the chamber of commerce said.\n").encode(), line=2)
    archive = folder / "crawl.warc.gz"
    ends = write_warc(archive, [("https://courier.example/news/convoy", CONVOY),
                                ("https://courier.example/news/clinic", CLINIC.replace("85", "95"))])
    with archive.open("r+b") as f:
        f.truncate(ends[0] + (ends[1] - ends[0]) // 2)
    bad.add((str(archive), None))
    (folder / "sub").mkdir()
    (folder / "sub" / "up").symlink_to("..")
    bad.add((str(folder / "sub" / "up"), None))
    (folder / "ping.txt").symlink_to("ping.txt")
    bad.add((str(folder / "ping.txt"), None))
    (folder / "moved.txt").symlink_to(root / "nowhere.txt")
    bad.add((str(folder / "moved.txt"), None))
    os.mkfifo(folder / "pipe.txt")
    bad.add((str(folder / "pipe.txt"), None))
    extra = [root / "photo.png", root / "bundle.zip"]
    extra[0].write_bytes(png_bytes())
    extra[1].write_bytes(zip_bytes())
    bad |= {(str(p), None) for p in extra}
    good = {"good": "1,200 people", "bom16": "300 meals at the Caf\u00e9", "ansi": "310 meals at the Caf\u00e9",
            "bloated": CONVOY, "deep": SHELTER, "j1": CLINIC, "c2": "Some 60 shops",
            "courier-example-news-convoy": CONVOY}
    return folder, extra, good, bad


def test_all_bad_inputs_with_good_files_in_one_run(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder, extra, good, bad = mixed_folder(tmp_path)
    db = tmp_path / "mixed.duckdb"
    before = None
    for n in (1, 2):
        # the first run as a user would (a process of its own), the re-run here (the model is loaded)
        run = ingest_subprocess(db, folder, *extra) if n == 1 else ingest(capsys, db, folder, *extra)
        assert run.status == EXIT_INPUT_FAILED, run.stderr
        assert len(run.errors) == len(bad), run.stderr
        for source, line in bad:  # each bad input has its own line, naming it
            where = f"{source}:{line}: " if line else f"{source}: "
            assert sum(e.startswith(where) for e in run.errors) == 1, (where, run.stderr)
        docs = documents(db)
        assert sorted(docs) == sorted(good)
        for doc_id, phrase in good.items():
            assert phrase in docs[doc_id], doc_id
        rows = rejections(db)
        assert {(s, line) for s, line, _, _ in rows} == bad
        assert {times for _, _, _, times in rows} == {n}  # the re-run counts them again, adds no rows
        state = {k: v for k, v in ledger_rows(db).items() if k != "rejections"}
        if before is not None:
            assert state == before  # nothing already ingested was lost or changed
        before = state
    export = subprocess.run([*claimledger_command(), "export", "--db", str(db), "--what", "rejections",
                             "--format", "jsonl"], capture_output=True, text=True, timeout=120)
    assert export.returncode == 0, export.stderr
    exported = [json.loads(line) for line in export.stdout.splitlines()]
    assert {(r["source"], r["line"]) for r in exported} == bad
    assert all(r["reason"] for r in exported)

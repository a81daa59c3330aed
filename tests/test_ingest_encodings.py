"""CSV/TSV files in Windows-1252 or with a UTF-16 byte-order mark, on real files built in tmp_path:
through the reader, and through ``claimledger ingest`` into a real DuckDB ledger.

The encoding of a file without a byte-order mark is settled once, while streaming,
at its first non-ASCII line (with the megabyte after it): a file whose non-ASCII
bytes are not mostly UTF-8 is Windows-1252 throughout; a UTF-8 file stays UTF-8 and
its damaged lines are still rejected with their line number.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import duckdb
import pytest

from claimledger.ingest.csv import SETTLE_BYTES, read_csv
from claimledger.model import Document, Rejection
from conftest import claimledger_command

# Invented articles, written for these tests: what a spreadsheet export holds.
CAFE = "\u201cWe served 300 meals at the Caf\u00e9 Central on Sunday,\u201d said Ren\u00e9e Dubois."
PRICES = "Bread rose 12% in March \u2013 the bakery\u2019s first rise in 2 years, to \u20ac3.40 a loaf."
CONVOY = "A convoy of 14 trucks reached the valley on Tuesday, the relief agency said."
CLINIC = "The clinic treated at least 85 patients over the weekend, according to its director."
NAIVE = "The na\u00efve plan moved 40 families \u2014 \u00bd of the village \u2014 by Friday."


def quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def rows_of(results: list[Document | Rejection]) -> tuple[dict[str, str], list[Rejection]]:
    docs = {r.doc_id: r.text for r in results if isinstance(r, Document)}
    return docs, [r for r in results if isinstance(r, Rejection)]


def spreadsheet_export(path: Path, delimiter: str = ",") -> Path:
    """A Windows-1252 export as Excel writes one: CRLF, a non-ASCII column name, quoted cells."""
    lines = [delimiter.join(["id", "Cat\u00e9gorie", "text"]),
             delimiter.join(["cafe", "Soci\u00e9t\u00e9", quoted(CAFE)]),
             delimiter.join(["prices", "\u00c9conomie", quoted(PRICES)]),
             delimiter.join(["convoy", "Aid", quoted(CONVOY)]),
             delimiter.join(["naive", "R\u00e9gion", quoted(NAIVE)])]
    data = "\r\n".join(lines).encode("cp1252") + b"\r\n"
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    path.write_bytes(data)
    return path


# --- the reader ------------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix, delimiter", [(".csv", ","), (".tsv", "\t")])
def test_a_windows_1252_export_is_read_as_windows_1252_throughout(tmp_path: Path, suffix: str,
                                                                   delimiter: str) -> None:
    path = spreadsheet_export(tmp_path / f"export{suffix}", delimiter)
    docs, rejections = rows_of(list(read_csv(path)))
    assert rejections == []
    assert docs == {"cafe": CAFE, "prices": PRICES, "convoy": CONVOY, "naive": NAIVE}


def test_windows_1252_is_found_after_more_ascii_than_the_sniff(tmp_path: Path) -> None:
    """The first non-ASCII byte comes after megabytes of ASCII rows: the decision waits for it,
    and the rows read ahead to make it are read once, in order."""
    ascii_rows = [f"a{i},{quoted(f'Row {i}: {CONVOY}')}" for i in range(SETTLE_BYTES // 40)]
    data = ("id,text\n" + "\n".join(ascii_rows) + "\n").encode("ascii")
    assert len(data) > SETTLE_BYTES + SETTLE_BYTES // 2
    tail = "".join(f"w{i},{quoted(CAFE if i % 2 else PRICES)}\n" for i in range(SETTLE_BYTES // 60))
    path = tmp_path / "late.csv"
    path.write_bytes(data + tail.encode("cp1252"))
    results = list(read_csv(path))
    docs, rejections = rows_of(results)
    assert rejections == []
    ids = [r.doc_id for r in results]
    assert ids == [f"a{i}" for i in range(len(ascii_rows))] + [f"w{i}" for i in range(SETTLE_BYTES // 60)]
    assert docs["w0"] == PRICES and docs["w1"] == CAFE and docs[ids[-1]] in (CAFE, PRICES)


def test_a_utf8_file_stays_utf8_and_its_damaged_lines_are_rejected(tmp_path: Path) -> None:
    """The first non-ASCII line is itself the damaged one: the UTF-8 after it settles the file as
    UTF-8, so the damage is rejected with its line number, not read as Windows-1252."""
    path = tmp_path / "wire.csv"
    path.write_bytes(b"id,text\n"
                     + b'bad,"Caf\xe9 owners said 30 shops reopened."\n'  # a Windows-1252 line in a UTF-8 file
                     + f"cafe,{quoted(CAFE)}\nprices,{quoted(PRICES)}\nconvoy,{quoted(CONVOY)}\n".encode("utf-8")
                     + b'cut,"The \xe2\x80 clinic treated 85 patients."\n'  # a character cut short
                     + f"naive,{quoted(NAIVE)}\n".encode("utf-8"))
    docs, rejections = rows_of(list(read_csv(path)))
    assert docs == {"cafe": CAFE, "prices": PRICES, "convoy": CONVOY, "naive": NAIVE}
    assert [(r.line, r.doc_id) for r in rejections] == [(2, "bad"), (6, "cut")]
    assert rejections[0].reason == ("invalid UTF-8 at byte 8 of line 2 (0xe9); the file is UTF-8 "
                                    "(judged from line 2, its first non-ASCII line)")
    assert rejections[1].reason.startswith("invalid UTF-8 at byte 9 of line 6 (0xe2); the file is UTF-8")


def test_a_utf8_file_with_a_bom_rejects_a_windows_1252_line(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffid,text\r\n".encode("utf-8") + b'x1,"Caf\xe9 owners said 30 shops reopened."\r\n'
                     + f"x2,{quoted(CLINIC)}\r\n".encode("utf-8"))
    docs, [rejection] = rows_of(list(read_csv(path)))
    assert docs == {"x2": CLINIC}
    assert rejection.line == 2
    assert rejection.reason.endswith("; the file starts with a UTF-8 byte-order mark")


def test_in_a_windows_1252_file_undefined_bytes_and_damaged_utf8_lines_are_rejected(tmp_path: Path) -> None:
    """0x81 is undefined in Windows-1252: that row is rejected, its line named, and the rows
    around it kept. A line that is valid UTF-8 is read as UTF-8 (as it always was); one that is
    mostly UTF-8 but damaged is a mixed file's damage, not Windows-1252."""
    path = tmp_path / "mixed.csv"
    path.write_bytes(f"id,text\ncafe,{quoted(CAFE)}\nprices,{quoted(PRICES)}\n".encode("cp1252")
                     + b'odd,"Some 30 people \x81 left."\n'
                     + f"utf8,{quoted(NAIVE)}\n".encode("utf-8")
                     + f"damaged,{quoted(NAIVE)}\n".encode("utf-8").replace(b"\xc2\xbd", b"\xc2")
                     + f"naive,{quoted(NAIVE)}\n".encode("cp1252"))
    docs, rejections = rows_of(list(read_csv(path)))
    assert docs == {"cafe": CAFE, "prices": PRICES, "utf8": NAIVE, "naive": NAIVE}
    assert [(r.line, r.doc_id) for r in rejections] == [(4, "odd"), (6, "damaged")]
    assert rejections[0].reason == ("invalid UTF-8 at byte 20 of line 4 (0x81), and not Windows-1252 either, "
                                    "the file's encoding (judged from line 2, its first non-ASCII line): "
                                    "byte 0x81 at byte 20 is undefined there")
    assert "the rest of the line is UTF-8, but the file is Windows-1252" in rejections[1].reason


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_with_a_bom_is_decoded(tmp_path: Path, encoding: str) -> None:
    text = f"id\ttext\r\ncafe\t{quoted(CAFE)}\r\nprices\t{quoted(PRICES)}\r\n"
    path = tmp_path / "export.tsv"
    path.write_bytes("\ufeff".encode(encoding) + text.encode(encoding))
    docs, rejections = rows_of(list(read_csv(path)))
    assert rejections == []
    assert docs == {"cafe": CAFE, "prices": PRICES}


# --- through the command into a ledger ---------------------------------------------------------------

def test_cli_ingest_stores_windows_1252_and_utf16_rows_and_rejects_damaged_utf8(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    spreadsheet_export(folder / "ansi.csv")
    (folder / "wide.tsv").write_bytes(f"id\ttext\r\nwide\t{quoted(CLINIC)}\r\n".encode("utf-16"))
    damaged = folder / "utf8.csv"
    damaged.write_bytes(f"id,text\nu1,{quoted(NAIVE)}\n".encode("utf-8")
                        + b'u2,"Caf\xe9 owners said 30 shops reopened."\n')
    db = tmp_path / "ledger.duckdb"
    proc = subprocess.run([*claimledger_command(), "ingest", str(folder), "--db", str(db)],
                          capture_output=True, text=True, encoding="utf-8", timeout=300,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 1, proc.stderr  # some input rejected, the rest stored
    errors = [line for line in proc.stderr.splitlines() if line.startswith("claimledger: error: ")]
    assert errors == [f"claimledger: error: {damaged}:3: invalid UTF-8 at byte 7 of line 3 (0xe9); "
                      "the file is UTF-8 (judged from line 2, its first non-ASCII line)"], proc.stderr
    assert "Traceback" not in proc.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        stored = dict(con.execute("SELECT doc_id, text FROM documents").fetchall())
        rejected = con.execute("SELECT source, line, doc_id FROM rejections").fetchall()
        claims = con.execute("SELECT doc_id, value FROM claims WHERE doc_id IN ('cafe', 'prices')").fetchall()
    assert stored == {"cafe": CAFE, "prices": PRICES, "convoy": CONVOY, "naive": NAIVE,
                      "wide": CLINIC, "u1": NAIVE}
    assert rejected == [(str(damaged), 3, "u2")]
    assert ("cafe", 300.0) in claims  # the decoded text goes on to extraction

"""CSV reader: one article per row of a ``.csv`` (or tab-separated ``.tsv``) file with a header row.

The header names the columns, in any case: ``text`` or ``html`` (one is
required), and optionally ``id`` (or ``doc_id``), ``title``, ``outlet`` (or
``source``, ``site``), ``url`` (or ``link``) and ``published`` (or ``date``).
"""
from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Optional, Union

from claimledger.ingest.common import (
    SNIFF_BYTES,
    binary_reason,
    bom_encoding,
    cp1252_undefined,
    megabytes,
    mostly_utf8,
    utf8_lines,
)
from claimledger.ingest.html import document_from_html
from claimledger.ingest.jsonl import META_FIELDS
from claimledger.model import Document, Rejection

# Column names a header may use for each field, the field's own name first.
COLUMNS: dict[str, tuple[str, ...]] = {
    "doc_id": ("id", "doc_id"),
    "text": ("text",),
    "html": ("html",),
    "title": ("title",),
    "outlet": ("outlet", "source", "site"),
    "url": ("url", "link"),
    "published": ("published", "date"),
}

# A whole article fits in a cell; a cell bigger than this is a quote left open.
FIELD_LIMIT = 10 * 1024 * 1024
# How much of a file, from its first non-ASCII line on, decides between UTF-8 and Windows-1252.
SETTLE_BYTES = 1024 * 1024


def read_csv(path: Path) -> Iterator[Union[Document, Rejection]]:
    """Read every row of ``path``, streaming; a bad row is rejected and the rest still read.

    ``.tsv`` files are tab-separated. ``text`` is taken unchanged; ``html`` goes
    through the same trafilatura extraction as ``.html`` files (a row with both
    uses ``text`` unless it is empty). ``doc_id`` is the ``id`` cell, or when
    there is none the file stem and the row's number: ``articles-3`` for the
    third row after the header.

    The file is UTF-8, UTF-16 or UTF-32 with a byte-order mark, UTF-8, or
    Windows-1252 (a spreadsheet's "ANSI" export), settled as it is streamed
    (see ``_Lines``).
    """
    source = str(path)
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        with path.open("rb") as f:
            problem = binary_reason(f.peek(SNIFF_BYTES)[:SNIFF_BYTES])
            if problem:
                yield Rejection(source=source, reason=problem)
                return
            yield from _read_rows(f, path, delimiter)
    except OSError as exc:
        yield Rejection(source=source, reason=f"cannot read file: {exc.strerror or exc}")


class _Lines:
    """The lines of a binary file as text, for ``csv.reader``, numbered and decoded one by one.

    The file's encoding is settled once, streaming (see ``_settle``): a
    byte-order mark names it; otherwise ASCII lines are the same in any
    encoding, and the first line with other bytes decides, with the megabyte
    after it, between UTF-8 and Windows-1252. A valid UTF-8 line is always read
    as UTF-8. A line that is not is read as Windows-1252 in a Windows-1252
    file; in a UTF-8 file it is damage: it is passed on with replacement
    characters, so the parse stays in step, and noted in ``bad`` for its row
    to be rejected.
    """

    def __init__(self, f: IO[bytes]) -> None:
        self._f = f
        self.number = 0  # lines handed out so far
        self.bad: dict[int, str] = {}
        # utf8_lines hands over the lines of a file with a byte-order mark as UTF-8.
        self._bom = bom_encoding(f.peek(4)[:4]) is not None
        self.encoding: Optional[str] = "utf-8" if self._bom else None  # None: only ASCII so far
        self._settled_on = 0  # the line whose bytes settled it

    def __iter__(self) -> Iterator[str]:
        for _, raw, size in utf8_lines(self._f, FIELD_LIMIT):
            if raw is None:  # not held in memory: a stand-in row takes its place, and is rejected
                self.number += 1
                self.bad[self.number] = (f"line {self.number} is too large ({megabytes(size)}; the limit is "
                                         f"{megabytes(FIELD_LIMIT)}), not read")
                yield "(line too large)\n"
                continue
            # Lines keep their endings (csv needs them inside quoted cells); a
            # lone \r ends a line too, as csv's own newline handling would have it.
            lines = raw.splitlines(keepends=True)
            for i, line in enumerate(lines):
                self.number += 1
                if self.encoding is None and not line.isascii():
                    self.encoding = _settle(b"".join(lines[i:]), self._f)
                    self._settled_on = self.number
                yield self._decoded(line)

    def _decoded(self, line: bytes) -> str:
        """``line`` as text in the file's encoding; a line that cannot be is noted in ``bad``."""
        try:
            # utf-8-sig: a BOM before the header is the file's, not a column name's.
            return line.decode("utf-8-sig" if self.number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            problem = f"invalid UTF-8 at byte {exc.start} of line {self.number} (0x{exc.object[exc.start]:02x})"
        judged = f"judged from line {self._settled_on}, its first non-ASCII line"
        if self.encoding != "cp1252":
            why = "starts with a UTF-8 byte-order mark" if self._bom else f"is UTF-8 ({judged})"
            self.bad[self.number] = f"{problem}; the file {why}"
        elif mostly_utf8(line):
            self.bad[self.number] = (f"{problem}; the rest of the line is UTF-8, but the file is "
                                     f"Windows-1252 ({judged})")
        else:
            try:
                return line.decode("cp1252")
            except UnicodeDecodeError as exc:
                self.bad[self.number] = (f"{problem}, and not Windows-1252 either, the file's encoding "
                                         f"({judged}): {cp1252_undefined(line, exc)}")
        return line.decode("utf-8", errors="replace")

    def problem_in(self, first: int, last: int) -> Optional[str]:
        """The first decoding problem on lines ``first``..``last``, forgetting those lines."""
        found = None
        for n in sorted(n for n in self.bad if n <= last):
            reason = self.bad.pop(n)
            if found is None and n >= first:
                found = reason
        return found


def _settle(raw: bytes, f: IO[bytes]) -> str:
    """``"utf-8"`` or ``"cp1252"``: the encoding of a file without a byte-order mark whose first
    non-ASCII line is ``raw``, judged (as ``decode_text`` judges a ``.txt`` file) on that
    line and up to ``SETTLE_BYTES`` after it, read ahead and given back to ``f``.

    Windows-1252 when the non-ASCII bytes are not mostly valid UTF-8: a UTF-8
    file with a damaged byte or two stays UTF-8, and those lines are rejected.
    """
    if f.seekable():
        at = f.tell()
        ahead = f.read(SETTLE_BYTES)
        f.seek(at)
    else:  # whatever is buffered
        ahead = f.peek(SETTLE_BYTES)[:SETTLE_BYTES]
    if len(ahead) == SETTLE_BYTES:  # end on a whole line, not inside a character
        ahead = ahead[:ahead.rfind(b"\n") + 1] or ahead[:-3]
    return "utf-8" if mostly_utf8(raw + ahead) else "cp1252"


def _next_row(reader: Iterator[list[str]]) -> list[str]:
    """The next row, read with the field size limit at ``FIELD_LIMIT`` (and restored after)."""
    previous = csv.field_size_limit(FIELD_LIMIT)
    try:
        return next(reader)
    finally:
        csv.field_size_limit(previous)


def _csv_problem(exc: csv.Error, start: int, end: int) -> tuple[str, bool]:
    """``(reason, stop)`` for a row the csv module could not parse; ``stop`` if the rest is lost."""
    message = str(exc)
    span = f" (the row runs from line {start} to {end})" if end > start else ""
    if "field larger than field limit" in message:
        return (f"malformed CSV: a cell is over {FIELD_LIMIT // 2**20} MB, probably a quote left open"
                f"{span}; the rest of the file is not read"), True
    if "unexpected end of data" in message:
        return (f"malformed CSV: a quoted cell in the row starting here is never closed "
                f"(the file ends inside it, on line {end})"), True
    if "expected after" in message:
        return (f"malformed CSV: {message}: a quoted cell has text after its closing quote "
                f"(a quote inside it not doubled?){span}"), False
    return f"malformed CSV: {message}{span}", False


def _read_rows(f: IO[bytes], path: Path, delimiter: str) -> Iterator[Union[Document, Rejection]]:
    source = str(path)
    lines = _Lines(f)
    reader = csv.reader(iter(lines), delimiter=delimiter, strict=True)

    header: list[str] = []
    while not any(cell.strip() for cell in header):  # blank lines before the header are skipped
        start = lines.number + 1
        try:
            header = _next_row(reader)
        except StopIteration:
            yield Rejection(source=source, reason="empty file (no header row)")
            return
        except csv.Error as exc:
            yield Rejection(source=source, line=start,
                            reason=f"header row: {_csv_problem(exc, start, lines.number)[0]}")
            return
    problem = lines.problem_in(start, lines.number)
    if problem:
        yield Rejection(source=source, line=start, reason=f"header row: {problem}")
        return
    columns = _columns(header)
    if "text" not in columns and "html" not in columns:
        names = ", ".join(repr(h.strip()) for h in header)
        yield Rejection(source=source, line=start,
                        reason=f'no "text" or "html" column in the header row (columns: {names})')
        return

    rows = 0
    while True:
        start = lines.number + 1
        try:
            row = _next_row(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            rows += 1  # counted all the same, so later rows keep their default ids
            lines.problem_in(start, lines.number)
            reason, stop = _csv_problem(exc, start, lines.number)
            yield Rejection(source=source, line=start, reason=reason)
            if stop:
                return
            continue
        if not any(cell.strip() for cell in row):  # blank line, or a spreadsheet's ",,,"
            lines.problem_in(start, lines.number)
            continue
        rows += 1
        yield _row(row, rows, header, columns, path, start, lines.problem_in(start, lines.number))
    if rows == 0:
        yield Rejection(source=source, reason="no rows after the header row")


def _columns(header: list[str]) -> dict[str, int]:
    """Field -> column index for the fields the header names (the first such column wins)."""
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        index.setdefault(name.strip().lower(), i)
    found: dict[str, int] = {}
    for field, names in COLUMNS.items():
        for name in names:
            if name in index:
                found[field] = index[name]
                break
    return found


def _row(row: list[str], number: int, header: list[str], columns: dict[str, int], path: Path,
         line: int, problem: Optional[str]) -> Union[Document, Rejection]:
    """One data row as a Document, or a Rejection naming its line."""
    source = str(path)

    def cell(field: str) -> Optional[str]:
        i = columns.get(field)
        return row[i] if i is not None and i < len(row) else None

    doc_id = (cell("doc_id") or "").strip() or f"{path.stem}-{number}"
    if problem:
        return Rejection(source=source, line=line, doc_id=doc_id, reason=problem)
    if len(row) > len(header) and any(c.strip() for c in row[len(header):]):
        return Rejection(source=source, line=line, doc_id=doc_id,
                         reason=f"row has {len(row)} cells but the header has {len(header)} columns "
                                f"(an unquoted delimiter in a cell?)")
    meta = {k: (cell(k) or "").strip() or None for k in META_FIELDS}
    text, html = cell("text"), cell("html")
    if text is not None and text.strip():
        return Document(doc_id=doc_id, text=text, source=source, **meta)
    if html is not None and html.strip():
        result = document_from_html(html, doc_id=doc_id, source=source, **meta)
        if isinstance(result, Document):
            return result
        return Rejection(source=source, line=line, doc_id=doc_id, reason=result)
    empty = " and ".join(f'"{k}"' for k in ("text", "html") if k in columns)
    return Rejection(source=source, line=line, doc_id=doc_id,
                     reason=f"empty {empty} cell{'s' if ' and ' in empty else ''}")

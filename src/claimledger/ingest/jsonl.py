"""JSONL reader: one article per line, `{"id", "text" or "html", "title", "url", "outlet", "published"}`."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Union

from claimledger.ingest.common import MAX_RECORD_BYTES, SNIFF_BYTES, binary_reason, megabytes, utf8_lines
from claimledger.ingest.html import document_from_html
from claimledger.model import Document, Rejection

META_FIELDS = ("title", "url", "outlet", "published")


def read_jsonl(path: Path) -> Iterator[Union[Document, Rejection]]:
    """Read every record of ``path``, streaming; a bad line is rejected and the rest still read.

    ``doc_id`` is the record's ``id``. ``text`` is taken unchanged; ``html`` goes
    through the same trafilatura extraction as ``.html`` files.
    """
    source = str(path)
    try:
        with path.open("rb") as f:
            problem = binary_reason(f.peek(SNIFF_BYTES)[:SNIFF_BYTES])
            if problem:
                yield Rejection(source=source, reason=problem)
                return
            records = 0
            for number, raw, size in utf8_lines(f, MAX_RECORD_BYTES):
                if raw is None:  # skipped unread: no article is this big
                    records += 1
                    yield Rejection(source=source, line=number,
                                    reason=f"line is too large ({megabytes(size)}; the limit for one record is "
                                           f"{megabytes(MAX_RECORD_BYTES)}), not read")
                    continue
                if not raw.strip():
                    continue
                records += 1
                yield _read_line(raw, number, source)
    except OSError as exc:
        yield Rejection(source=source, reason=f"cannot read file: {exc.strerror or exc}")
        return
    if records == 0:
        yield Rejection(source=source, reason="empty file (no records)")


def _read_line(raw: bytes, number: int, source: str) -> Union[Document, Rejection]:
    """One line of a JSONL file as a Document, or a Rejection naming the line."""
    try:
        # utf-8-sig: a BOM before the first record is the file's, not the article's.
        line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError as exc:
        return Rejection(source=source, line=number, reason=f"invalid UTF-8 at byte {exc.start} of the line")
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return Rejection(source=source, line=number,
                         reason=f"malformed JSON: {exc.msg} (column {exc.colno})")
    result = _document(record, source)
    if isinstance(result, str):
        doc_id = record.get("id") if isinstance(record, dict) else None
        return Rejection(source=source, line=number, reason=result,
                         doc_id=str(doc_id) if doc_id is not None else None)
    return result


def _document(record: Any, source: str) -> Union[Document, str]:
    """The Document a parsed record describes, or why it describes none."""
    if not isinstance(record, dict):
        return f"record is a JSON {type(record).__name__}, not an object"
    doc_id = record.get("id")
    if isinstance(doc_id, int) and not isinstance(doc_id, bool):
        doc_id = str(doc_id)
    if not isinstance(doc_id, str) or not doc_id.strip():
        return 'record has no "id" (a non-empty string)'
    meta = {k: record.get(k) for k in META_FIELDS}
    bad = [k for k, v in meta.items() if v is not None and not isinstance(v, str)]
    if bad:
        return f'record {doc_id}: "{bad[0]}" is not a string'
    text, html = record.get("text"), record.get("html")
    if text is not None:
        if not isinstance(text, str):
            return f'record {doc_id}: "text" is not a string'
        if not text.strip():
            return f'record {doc_id}: "text" is empty'
        return Document(doc_id=doc_id, text=text, source=source, **meta)
    if html is not None:
        if not isinstance(html, str) or not html.strip():
            return f'record {doc_id}: "html" is empty or not a string'
        result = document_from_html(html, doc_id=doc_id, source=source, **meta)
        return result if isinstance(result, Document) else f"record {doc_id}: {result}"
    return f'record {doc_id}: no "text" or "html"'

"""Plain-text reader: one ``.txt`` file is one document, its text the file's exact contents."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Union

from claimledger.ingest.common import decode_text, read_bytes, text_problem
from claimledger.model import Document, Rejection


def read_text(path: Path) -> Iterator[Union[Document, Rejection]]:
    """Read ``path`` as one document; ``doc_id`` is the file stem.

    The text is the file decoded (UTF-8; UTF-16/32 with a byte-order mark;
    Windows-1252, see ``decode_text``) and nothing else, so claim offsets count
    the file's characters as written.
    """
    data = read_bytes(path)
    if isinstance(data, Rejection):
        yield data
        return
    text, problem = None, text_problem(data)
    if problem is None:
        text, problem = decode_text(data)
    if text is None:
        yield Rejection(source=str(path), reason=problem or "unreadable", doc_id=path.stem)
    elif not text.lstrip("\ufeff").strip():
        yield Rejection(source=str(path), reason="empty file (only whitespace)", doc_id=path.stem)
    else:
        yield Document(doc_id=path.stem, text=text, source=str(path))

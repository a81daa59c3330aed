"""Plain-text reader: one ``.txt`` file is one document, its text the file's exact contents."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Union

from claimledger.ingest.common import decode_utf8, read_bytes, text_problem
from claimledger.model import Document, Rejection


def read_text(path: Path) -> Iterator[Union[Document, Rejection]]:
    """Read ``path`` as one document; ``doc_id`` is the file stem.

    The text is the file decoded as UTF-8 and nothing else, so claim offsets
    index the raw file.
    """
    data = read_bytes(path)
    if isinstance(data, Rejection):
        yield data
        return
    text, problem = None, text_problem(data)
    if problem is None:
        text, problem = decode_utf8(data)
    if text is None:
        yield Rejection(source=str(path), reason=problem or "unreadable", doc_id=path.stem)
    else:
        yield Document(doc_id=path.stem, text=text, source=str(path))

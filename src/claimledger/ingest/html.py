"""HTML reader: trafilatura finds the article's main text and its metadata."""
from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Optional, Union

from claimledger.ingest.common import read_bytes, text_problem
from claimledger.model import Document, Rejection

# trafilatura and its helpers log their own complaints; with no handler Python
# would print them to stderr, next to (and unlike) our one line per bad input.
for _name in ("trafilatura", "htmldate", "courlan", "justext"):
    logging.getLogger(_name).addHandler(logging.NullHandler())


def document_from_html(html: Union[str, bytes], doc_id: str, source: str, **meta: Optional[str]
                       ) -> Union[Document, str]:
    """Extract the article in ``html`` as a Document, or return why there is none.

    ``meta`` (title, outlet, url, published) given by the caller wins over what
    trafilatura finds in the page. The Document's text is trafilatura's main
    text: claim offsets index that text, which ``--emit-docs`` writes out.
    """
    try:
        found = _extract(html, meta.get("url"))
        if found is None and not _has_body(html):
            # A bare fragment such as "<p>...</p>" (common in feeds) parses to
            # nothing; as the body of a page it gives its text.
            found = _extract(_as_page(html), meta.get("url"))
    except Exception as exc:  # trafilatura has many ways to fail on odd markup
        return f"HTML could not be parsed: {type(exc).__name__}: {exc}"
    if found is None:
        return "no article text found in HTML"
    extracted = {"title": found.title, "outlet": found.sitename, "url": found.url, "published": found.date}
    fields = {k: meta.get(k) or extracted[k] for k in extracted}
    return Document(doc_id=doc_id, text=found.text, source=source, **fields)


def _extract(html: Union[str, bytes], url: Optional[str]) -> Any:
    """trafilatura's document for ``html`` if it found any text, else None."""
    import trafilatura  # slow to import; only HTML input pays for it

    found = trafilatura.bare_extraction(html, url=url, with_metadata=True,
                                        include_comments=False, include_tables=True)
    text = getattr(found, "text", None) if found is not None else None
    return found if text and text.strip() else None


def _has_body(html: Union[str, bytes]) -> bool:
    head = html[:4096].lower()
    return (b"<body" in head) if isinstance(head, bytes) else ("<body" in head)


def _as_page(fragment: Union[str, bytes]) -> Union[str, bytes]:
    if isinstance(fragment, bytes):
        return b"<html><body>" + fragment + b"</body></html>"
    return "<html><body>" + fragment + "</body></html>"


def read_html(path: Path) -> Iterator[Union[Document, Rejection]]:
    """Read ``path`` (``.html``/``.htm``) as one document; ``doc_id`` is the file stem."""
    data = read_bytes(path)
    if isinstance(data, Rejection):
        yield data
        return
    problem = text_problem(data)
    if problem is None:
        # Bytes, not str: trafilatura honours the page's declared charset.
        result = document_from_html(data, doc_id=path.stem, source=str(path))
        if isinstance(result, Document):
            yield result
            return
        problem = result
    yield Rejection(source=str(path), reason=problem, doc_id=path.stem)

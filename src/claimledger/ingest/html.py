"""HTML reader: trafilatura finds the article's main text and its metadata."""
from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Optional, Union

from claimledger.ingest.common import bom_encoding, megabytes, read_bytes, text_problem
from claimledger.model import Document, Rejection

# An .html file bigger than this is rejected without being read.
MAX_HTML_FILE_BYTES = 256 * 1024 * 1024
# A page bigger than this is slimmed before extraction: its scripts, styles,
# SVG drawings, templates, comments and data: URIs (inline images) are dropped.
# JSON-LD metadata scripts under 64 KB stay.
SLIM_ABOVE_BYTES = 1024 * 1024
# What is left must be no bigger than this: trafilatura's time and memory grow
# with the markup (about 10 s and 170 MB at 4 MB), and article pages carry far less.
MAX_HTML_MARKUP_BYTES = 4 * 1024 * 1024
# Elements nested deeper than this are unwrapped (their text stays): libxml2
# drops everything below depth 255, so a deeper page would lose its text.
MAX_DEPTH = 180

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
    html, problem = prepare_html(html)
    if problem:
        return problem
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


def prepare_html(html: Union[str, bytes]) -> tuple[Union[str, bytes], Optional[str]]:
    """``(html, None)`` ready for trafilatura in bounded time, or ``(html, reason)`` if too large.

    Text with a UTF-16/32 byte-order mark is decoded (the slimming and
    unwrapping work on ASCII-compatible bytes); a page over ``SLIM_ABOVE_BYTES``
    is slimmed (``_slim``); one still over ``MAX_HTML_MARKUP_BYTES`` is rejected;
    elements nested over ``MAX_DEPTH`` deep are unwrapped (``_flatten``).
    """
    if isinstance(html, bytes):
        found = bom_encoding(html[:4])
        if found and found[0] != "utf-8":
            html = html.decode(found[0], errors="replace").lstrip("\ufeff")
    as_str = isinstance(html, str)
    data = html.encode("utf-8", errors="surrogatepass") if as_str else html
    size = len(data)
    if size > SLIM_ABOVE_BYTES:
        data = _slim(data)
        if len(data) > MAX_HTML_MARKUP_BYTES:
            return html, (f"HTML page too large: {megabytes(size)}, of which {megabytes(len(data))} is markup "
                          f"other than scripts, styles and inline images; the limit is "
                          f"{megabytes(MAX_HTML_MARKUP_BYTES)}")
    data = _flatten(data, MAX_DEPTH)
    return (data.decode("utf-8", errors="surrogatepass") if as_str else data), None


_HEAVY = re.compile(rb"<(script|style|svg|template)[\s/>]|<!--")  # searched in lower case
_DATA_URI = re.compile(rb"""(["'])\s*data:[^"'>]*""", re.IGNORECASE)


def _slim(data: bytes) -> bytes:
    """``data`` without scripts, styles, SVG, templates, comments and data: URIs, in one linear pass.

    An element left open runs to the end of the page, as in a browser.
    """
    lower = data.lower()
    out: list[bytes] = []
    pos = 0
    while True:
        m = _HEAVY.search(lower, pos)
        if m is None:
            break
        name = m.group(1) or b""
        close = b"</" + name if name else b"-->"
        j = lower.find(close, m.end())
        end = len(data) if j < 0 else (lower.find(b">", j) + 1 or len(data))
        tag_end = lower.find(b">", m.start(), end)
        if name == b"script" and end - m.start() < 65536 and b"ld+json" in lower[m.start():tag_end]:
            out.append(data[pos:end])  # JSON-LD: the page's date, title and publisher
        else:
            out.append(data[pos:m.start()])
            out.append(b"\n")
        pos = end
    out.append(data[pos:])
    return _DATA_URI.sub(rb"\1data:,", b"".join(out))


_TAG = re.compile(rb"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)[^<>]*>")
_VOID = frozenset(b"area base br col embed hr img input link meta param source track wbr keygen".split())
_CLOSES_ITSELF = frozenset(b"p li dt dd tr td th option".split())  # a second one ends the first
_INLINE = frozenset(b"a abbr b big cite code em font i label mark q s small span strong sub sup time u".split())
_TEXT_BLOCKS = frozenset(b"p h1 h2 h3 h4 h5 h6".split())


def _flatten(data: bytes, limit: int) -> bytes:
    """``data`` with the tags of elements nested more than ``limit`` deep removed (their
    content stays), or ``data`` itself when nothing is that deep.

    Paragraphs and headings stay a little longer (up to ``limit + 20``) to keep
    the text's breaks; a removed block tag becomes a newline. Tags are counted
    as an HTML parser would, roughly: void elements do not nest, a ``<p>`` or
    ``<li>`` ends the one before, an end tag closes up to its element.
    """
    stack: list[tuple[bytes, bool]] = []  # open elements: (name, tag kept)
    kept = 0
    drop: list[tuple[int, int, bytes]] = []
    for m in _TAG.finditer(data):
        name = m.group(2).lower()
        if m.group(1):  # end tag: close up to the nearest open element of its name
            for k in range(len(stack) - 1, max(len(stack) - 64, 0) - 1, -1):
                if stack[k][0] == name:
                    break
            else:
                continue  # a stray end tag
            while len(stack) > k:
                open_name, was_kept = stack.pop()
                kept -= was_kept
            if not was_kept:
                drop.append((m.start(), m.end(), b"" if name in _INLINE else b"\n"))
            continue
        if name in _VOID or m.group(0).endswith(b"/>"):
            continue
        if name in _CLOSES_ITSELF and stack and stack[-1][0] == name:
            kept -= stack.pop()[1]
        keep = kept < limit or (name in _TEXT_BLOCKS and kept < limit + 20)
        if not keep:
            drop.append((m.start(), m.end(), b"" if name in _INLINE else b"\n"))
        stack.append((name, keep))
        kept += keep
    if not drop:
        return data
    out: list[bytes] = []
    pos = 0
    for start, end, instead in drop:
        out += (data[pos:start], instead)
        pos = end
    out.append(data[pos:])
    return b"".join(out)


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
    try:
        size = path.stat().st_size
    except OSError as exc:
        yield Rejection(source=str(path), reason=f"cannot read file: {exc.strerror or exc}")
        return
    if size > MAX_HTML_FILE_BYTES:
        yield Rejection(source=str(path), doc_id=path.stem,
                        reason=f"HTML page too large: {megabytes(size)}; the limit is "
                               f"{megabytes(MAX_HTML_FILE_BYTES)}, not read")
        return
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

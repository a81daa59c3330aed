"""WARC reader: every HTML page a web archive (``.warc``, ``.warc.gz``) captured is one document.

Only ``response`` records with HTTP status 200 and an HTML content type are
documents; requests, metadata, images, redirects and errors are skipped without
comment. Each page goes through the same trafilatura extraction as ``.html``
files.
"""
from __future__ import annotations

import codecs
import contextlib
import dataclasses
import gzip
import hashlib
import io
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Optional, Union
from urllib.parse import urlsplit

from claimledger.ingest.common import megabytes
from claimledger.ingest.html import MAX_HTML_FILE_BYTES, document_from_html
from claimledger.model import Document, Rejection

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})

# Longer slugs are cut and made unique again with a hash of the whole URL.
MAX_ID_CHARS = 80

_BLOCK = 1 << 20
_GZIP_MAGIC = b"\x1f\x8b"
_NOT_ID_CHARS = re.compile(r"[^a-z0-9]+")
_WARC_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class _Damaged(Exception):
    """The archive ends early or is corrupt; ``str()`` says how, for the Rejection."""

    prefix = "archive is truncated or corrupt"


class _NotWarc(_Damaged):
    """Not even a first record could be read: the file is probably no WARC at all."""

    prefix = "not a WARC archive"


def doc_id_for_url(url: str) -> str:
    """A readable id that is the same every time for ``url``: host, path and query as a slug.

    ``https://www.Times.example/world/convoy?id=3#top`` -> ``times-example-world-convoy-id-3``.
    Scheme, ``www.`` and fragment are dropped, so http and https captures of one
    page share an id. A slug over ``MAX_ID_CHARS`` is cut and ends in 8 hex
    digits of the URL's SHA-1 so that long URLs stay distinct.
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").removeprefix("www.")
    rest = parts.path + ("?" + parts.query if parts.query else "")
    slug = _NOT_ID_CHARS.sub("-", f"{host}{rest}".lower()).strip("-")
    if not slug:
        slug = "page"
    if len(slug) > MAX_ID_CHARS:
        digest = hashlib.sha1(url.strip().encode("utf-8")).hexdigest()[:8]
        slug = slug[:MAX_ID_CHARS - 9].rstrip("-") + "-" + digest
    return slug


def read_warc(path: Path, max_html_bytes: int = MAX_HTML_FILE_BYTES) -> Iterator[Union[Document, Rejection]]:
    """Read every HTML page archived in ``path``; ``doc_id`` comes from its URL (see ``doc_id_for_url``).

    Records are read one at a time; a gzipped archive is first checked whole, so
    that pages after a damaged member are never taken for good ones.

    A page over ``max_html_bytes`` (the limit for ``.html`` files) is rejected
    without being held in memory: a plain body whose record says it is bigger is
    not read at all, and an encoded one (gzip, chunked) is read no further than
    one byte past the limit. The records after it are read as usual.

    ``url`` is the record's WARC-Target-URI; ``title``, ``outlet`` (site name) and
    ``published`` come from the page, with the URL's host as the outlet and the
    capture date (WARC-Date) as ``published`` when the page names none. A page
    with no article text is rejected. An archive that ends early or is corrupt
    yields every page before the damage, then one Rejection.
    """
    source = str(path)
    found = False
    try:
        with path.open("rb") as f:
            stream = _open_archive(f, source)
            if isinstance(stream, Rejection):
                yield stream
                return
            for result in _read_records(stream, source, max_html_bytes):
                found = True
                yield result
    except _Damaged as exc:
        yield Rejection(source=source, reason=f"{exc.prefix}: {exc}")
        return
    except OSError as exc:
        yield Rejection(source=source, reason=f"cannot read file: {exc.strerror or exc}")
        return
    if not found:
        yield Rejection(source=source, reason="no HTML pages in archive (no response records "
                                              "with status 200 and an HTML content type)")


def _open_archive(f: IO[bytes], source: str) -> Union[_Counted, Rejection]:
    """The uncompressed WARC in ``f``: as is, or its intact gzip members decompressed.

    A gzipped archive is checked member by member first (zlib verifies each
    member's CRC), and only the members before any damage are read; the stream
    then raises ``_Damaged`` where they end, after every page in them is read.
    """
    head = f.read(2)
    f.seek(0)
    if not head:
        return Rejection(source=source, reason="empty file")
    if head != _GZIP_MAGIC:
        return _Counted(f, None)
    good, problem = _intact_gzip_prefix(f)
    f.seek(0)
    if good == 0 and problem:
        return Rejection(source=source, reason=f"archive is truncated or corrupt: {problem}")
    return _Counted(gzip.GzipFile(fileobj=_Prefix(f, good), mode="rb"), problem)


def _intact_gzip_prefix(f: IO[bytes]) -> tuple[int, Optional[str]]:
    """``(bytes, problem)``: how many leading bytes of ``f`` are complete, valid gzip members,
    and what is wrong after them (None if nothing)."""
    good = 0  # end of the last complete member
    fed = 0  # bytes given to the current member so far
    member: Any = None
    while True:
        chunk = f.read(_BLOCK)
        if not chunk:
            break
        data = chunk
        while data:
            if member is None:
                member, fed = zlib.decompressobj(16 + zlib.MAX_WBITS), 0
            fed += len(data)
            try:
                member.decompress(data, _BLOCK)  # output unused: this pass only checks
                while member.unconsumed_tail and not member.eof:
                    member.decompress(member.unconsumed_tail, _BLOCK)
            except zlib.error as exc:
                return good, f"bad gzip data in the member at byte {good}: {exc}"
            if not member.eof:
                break
            data = member.unused_data
            good += fed - len(data)
            member = None
    if member is not None:
        return good, f"gzip data ends early (last complete member ends at byte {good})"
    return good, None


class _Prefix(io.RawIOBase):
    """The first ``limit`` bytes of ``f``, read-only."""

    def __init__(self, f: IO[bytes], limit: int) -> None:
        self._f, self._left = f, limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = min(len(buffer), self._left)
        data = self._f.read(n) if n else b""
        buffer[:len(data)] = data
        self._left -= len(data)
        return len(data)


class _Counted:
    """``stream``, counting the bytes read, then ``_Damaged(problem)`` instead of end-of-file
    when there is a problem.

    Raising (rather than returning b"") at the end means nothing after the last
    intact gzip member is taken for a record, and a record cut off by the
    damage fails instead of passing as a short page. No ``tell()``: warcio then
    counts for itself, in the same uncompressed bytes as ``consumed``.
    """

    def __init__(self, stream: IO[bytes], problem: Optional[str]) -> None:
        self._stream, self._problem = stream, problem
        self.consumed = 0
        self._head = b""

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        if not data and self._problem and size != 0:
            raise _Damaged(self._problem)
        if len(self._head) < 16:
            self._head += data[:16 - len(self._head)]
        self.consumed += len(data)
        return data

    def looks_like_warc(self) -> bool:
        """Whether the stream starts as a WARC (or ARC) does, so that a failure is damage."""
        head = self._head.lstrip()
        return head.startswith(b"WARC/"[:len(head)]) or head.startswith(b"filedesc://"[:len(head)])


def _read_records(stream: _Counted, source: str, max_html_bytes: int) -> Iterator[Union[Document, Rejection]]:
    """Documents and Rejections for the HTML responses in an uncompressed WARC ``stream``."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.bufferedreaders import ChunkedDataException
    from warcio.exceptions import ArchiveLoadFailed
    from warcio.statusandheaders import StatusAndHeadersParserException

    damage = (ArchiveLoadFailed, StatusAndHeadersParserException, ChunkedDataException,
              EOFError, zlib.error, gzip.BadGzipFile, ValueError)
    records = ArchiveIterator(stream)
    count = 0
    while True:
        try:
            # warcio prints (rather than raises) a record not followed by its blank lines
            with contextlib.redirect_stderr(io.StringIO()) as warnings:
                record = next(records, None)
        except _Damaged:
            raise
        except Exception as exc:  # warcio fails in many ways (even AttributeError) on a cut header
            kind = _Damaged if count or stream.looks_like_warc() else _NotWarc
            raise kind(f"record {count + 1}: cannot be parsed: {type(exc).__name__}: "
                       f"{_one_line(exc)}") from exc
        if warnings.getvalue().strip():
            raise _Damaged(f"record {count}: {_one_line(warnings.getvalue())}")
        if record is None:
            break
        count += 1
        url = record.rec_headers.get_header("WARC-Target-URI")
        where = f"record {count}" + (f" ({url.strip()})" if url and url.strip() else "")
        try:
            result = _from_record(record, source, where, max_html_bytes)
        except _Damaged as exc:
            raise _Damaged(f"{where}: {exc}") from exc
        except damage as exc:
            raise _Damaged(f"{where}: {type(exc).__name__}: {_one_line(exc)}") from exc
        if result is not None:
            yield result
    # warcio stops without a word at a record header cut short; whatever it
    # left unread after the last whole record is such a remnant (or garbage).
    if records.offset < stream.consumed:
        if count == 0 and not stream.looks_like_warc():
            raise _NotWarc(f"no WARC record in its {stream.consumed} bytes")
        raise _Damaged(f"the last {stream.consumed - records.offset} bytes (after record {count}) "
                       f"are not a whole record")


def _from_record(record: Any, source: str, where: str, max_html_bytes: int) -> Union[Document, Rejection, None]:
    """The Document an HTML response record holds, a Rejection if it holds none, None if no page.

    ``where`` names the record (its number and URL) for the Rejection of a page
    over ``max_html_bytes``.
    """
    url = (record.rec_headers.get_header("WARC-Target-URI") or "").strip()
    if not record.rec_type:
        raise _Damaged("no WARC-Type header")
    length = (record.rec_headers.get_header("Content-Length") or "").strip()
    if not length.isdigit():  # warcio reads a record without one as running to the end
        raise _Damaged("no valid Content-Length header")
    http = record.http_headers
    keep = (record.rec_type == "response" and http is not None and http.get_statuscode() == "200"
            and _media_type(http.get_header("Content-Type")) in HTML_TYPES)
    body, body_problem, too_large = b"", "", ""
    if keep:
        # warcio prints, and skips, an HTTP body it cannot decompress (Content-Encoding)
        with contextlib.redirect_stderr(io.StringIO()) as warnings:
            content = record.content_stream()
            stored = getattr(record.raw_stream, "limit", -1)  # the record's bytes after the HTTP headers
            if content is record.raw_stream and stored > max_html_bytes:  # a plain body: no need to read
                too_large = (f"HTML response too large: {megabytes(stored)}; the limit is "
                             f"{megabytes(max_html_bytes)}, not read")
            else:  # decoded (gzip, chunked), it may be any size: read one byte past the limit at most
                body = _read_at_most(content, max_html_bytes + 1)
        body_problem = _one_line(warnings.getvalue()) if warnings.getvalue().strip() else ""
        if len(body) > max_html_bytes:
            body, too_large = b"", _too_large(record.http_headers, stored, max_html_bytes)
    while record.raw_stream.read(_BLOCK):  # what content_stream() left (e.g. after the last chunk)
        pass
    if getattr(record.raw_stream, "limit", 0) > 0:
        raise _Damaged(f"ends {record.raw_stream.limit} bytes short of its Content-Length")
    if not keep:
        return None
    if not url:
        record_id = record.rec_headers.get_header("WARC-Record-ID") or "(no id)"
        return Rejection(source=source, reason=f"HTML response {record_id} has no WARC-Target-URI")
    doc_id = doc_id_for_url(url)
    if too_large:
        return Rejection(source=source, doc_id=doc_id, reason=f"{where}: {too_large}")
    if body_problem:
        return Rejection(source=source, doc_id=doc_id,
                         reason=f"{url}: HTTP body could not be decoded: {body_problem}")
    result = document_from_html(_decoded(body, http.get_header("Content-Type")), doc_id=doc_id,
                                source=source, url=url)
    if not isinstance(result, Document):
        return Rejection(source=source, doc_id=doc_id, reason=f"{url}: {result}")
    fallback = {"outlet": (urlsplit(url).hostname or "").removeprefix("www.") or None,
                "published": _capture_date(record.rec_headers.get_header("WARC-Date"))}
    missing = {k: v for k, v in fallback.items() if v and not getattr(result, k)}
    return dataclasses.replace(result, **missing) if missing else result


def _too_large(http: Any, stored: int, max_bytes: int) -> str:
    """Why a body found to be over ``max_bytes`` once decoded from its ``stored`` bytes is rejected."""
    how = [f"{megabytes(stored)} stored"] if stored >= 0 else []
    how += [f"{name}: {value.strip()}" for name in ("Content-Encoding", "Transfer-Encoding")
            if (value := http.get_header(name) or "").strip()]
    return (f"HTML response too large: over {megabytes(max_bytes)} once decoded ({', '.join(how)}), read no "
            f"further; the limit is {megabytes(max_bytes)}")


def _read_at_most(stream: IO[bytes], size: int) -> bytes:
    """Up to ``size`` bytes of ``stream``, read a block at a time: never more than ``size`` in
    memory, however much the stream holds (a decompressing stream may hold gigabytes)."""
    out = io.BytesIO()
    while out.tell() < size:
        chunk = stream.read(min(_BLOCK, size - out.tell()))
        if not chunk:
            break
        out.write(chunk)
    return out.getvalue()  # the buffer itself, not a copy


def _media_type(content_type: Optional[str]) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def _decoded(body: bytes, content_type: Optional[str]) -> Union[str, bytes]:
    """``body`` decoded with the charset the HTTP header names, else the bytes for trafilatura to decode.

    The HTTP header outranks a ``<meta charset>`` in the page, as in a browser.
    """
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type or "", re.IGNORECASE)
    if match:
        try:
            codecs.lookup(match.group(1))
            return body.decode(match.group(1))
        except (LookupError, UnicodeDecodeError):
            pass
    return body


def _capture_date(warc_date: Optional[str]) -> Optional[str]:
    """The day part (YYYY-MM-DD) of a WARC-Date, the form trafilatura gives dates in."""
    match = _WARC_DATE.match((warc_date or "").strip())
    return match.group(0) if match else None


def _one_line(exc: Union[BaseException, str]) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__

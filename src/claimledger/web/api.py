"""The JSON API under ``/api``: one function per endpoint, every parameter declared and validated.

Everything is read-only except ``POST /api/ingest``, which answers 403 unless the
server was started with ``--allow-ingest`` and then needs ``Authorization: Bearer
TOKEN`` (401 without it, 403 with a wrong one; compared with ``hmac.compare_digest``).
An upload is a body (JSON, JSONL or plain text, at most ``MAX_UPLOAD_BYTES``, else
413), never a path: nothing here opens a file named by a request.

Bad parameters answer 422 ``invalid_parameters`` (or 400 ``invalid_parameter`` for a
combination, e.g. ``date_from`` after ``date_to``), unknown things 404, an unreadable
ledger 503, all in the one error shape of ``claimledger.web.errors``.
"""
from __future__ import annotations

import datetime as dt
import hmac
import json
import threading
import unicodedata
from typing import Annotated, Any, Literal, Optional, Union
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from claimledger.check import FINDING_KINDS
from claimledger.model import EVENTS, Document
from claimledger.web.data import ClaimFilter, ReadModel, document_href, indicator_detail
from claimledger.web.errors import ApiError

EventName = Literal[EVENTS]  # type: ignore[valid-type]
FindingKind = Literal[FINDING_KINDS]  # type: ignore[valid-type]

MAX_LIMIT = 500
MAX_OFFSET = 1_000_000_000  # DuckDB's OFFSET is a BIGINT: a larger number was a 500, not a 422
DEFAULT_LIMIT = 50
TEXT_MAX = 200  # longest text filter accepted


class ErrorInfo(BaseModel):
    status: int
    code: str
    message: str
    details: Union[list[Any], dict[str, Any], None] = None


class ErrorResponse(BaseModel):
    """Every API error: ``{"error": {"status", "code", "message", "details"}}``."""

    error: ErrorInfo


def _errors(*statuses: int) -> dict[Union[int, str], dict[str, Any]]:
    words = {400: "Invalid combination of parameters, or an unreadable body", 401: "No bearer token",
             403: "Uploads are off (no --allow-ingest), or the token is wrong", 404: "Not found",
             413: "The body is too large", 415: "Unsupported Content-Type", 422: "Invalid parameters",
             503: "The ledger cannot be read (missing, or being written)"}
    return {s: {"model": ErrorResponse, "description": words[s]} for s in statuses}


Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"items per page, 1 to {MAX_LIMIT}")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description=f"items to skip, 0 to {MAX_OFFSET:,}")]


def _text(what: str) -> Any:
    return Query(max_length=TEXT_MAX, description=f"{what} (case-insensitive substring)")


router = APIRouter(prefix="/api", tags=["api"])


def model(request: Request) -> ReadModel:
    return request.app.state.read_model


@router.get("/health", summary="Liveness and ledger readability", responses=_errors(503))
def health(request: Request) -> dict[str, Any]:
    """``{"status": "ok", ...}`` when the ledger can be opened read-only; 503 otherwise."""
    with model(request).view() as v:
        counts = v.ledger.counts()
        meta = v.ledger.meta()
    return {"status": "ok", "ledger": model(request).db_path, "schema_version": meta.get("schema_version"),
            "documents": counts["documents"], "claims": counts["claims"]}


@router.get("/stats", summary="Row counts and check totals", responses=_errors(503))
def stats(request: Request) -> dict[str, Any]:
    """Rows per table (documents, claims, rejections, findings as stored by ``check``, duplicates), outlets,
    and ``checks``: the findings by kind, indicators and figures of the current checks."""
    with model(request).view() as v:
        return v.stats()


@router.get("/documents", summary="Documents, newest first", responses=_errors(422, 503))
def documents(request: Request, outlet: Annotated[Optional[str], _text("outlet")] = None,
              q: Annotated[Optional[str], _text("text in the title, text or doc_id")] = None,
              limit: Limit = DEFAULT_LIMIT, offset: Offset = 0) -> dict[str, Any]:
    """``{"total", "limit", "offset", "items"}``; items without their text (see ``/api/documents/{doc_id}``)."""
    with model(request).view() as v:
        return v.documents(limit, offset, outlet=outlet, q=q)


@router.get("/documents/{doc_id:path}", summary="One document: text, metadata, claims, duplicates",
            responses=_errors(404, 503))
def document(request: Request, doc_id: Annotated[str, Path(description="the document's id")]) -> dict[str, Any]:
    """The text, metadata, every claim (with its sentence), ``duplicate_of`` and the ``duplicates`` of it."""
    with model(request).view() as v:
        return v.document(doc_id)


@router.get("/claims", summary="Claims, filtered and paged", responses=_errors(400, 422, 503))
def claims(request: Request,
           event: Annotated[Optional[EventName], Query(description="the claim's event (exact)")] = None,
           counted: Annotated[Optional[str], _text("what is counted")] = None,
           speaker: Annotated[Optional[str], _text("who said it")] = None,
           outlet: Annotated[Optional[str], _text("the document's outlet")] = None,
           location: Annotated[Optional[str], _text("where")] = None,
           date_from: Annotated[Optional[dt.date], Query(
               description="documents published on or after this date (YYYY-MM-DD)")] = None,
           date_to: Annotated[Optional[dt.date], Query(
               description="documents published on or before this date (YYYY-MM-DD)")] = None,
           q: Annotated[Optional[str], _text("text in the claim's surface or its sentence")] = None,
           limit: Limit = DEFAULT_LIMIT, offset: Offset = 0) -> dict[str, Any]:
    """``{"total", "limit", "offset", "items"}``: each item has the contract's fields, ``sentence_start``,
    ``sentence_end``, ``sentence``, the document's ``outlet``, ``title``, ``published``, ``published_date``
    and ``href`` (the claim on its document's page). Ordered by publication date, doc_id, start."""
    flt = claim_filter(event, counted, speaker, outlet, location, date_from, date_to, q)
    with model(request).view() as v:
        return v.claims(flt, limit, offset)


def claim_filter(event: Optional[str], counted: Optional[str], speaker: Optional[str], outlet: Optional[str],
                 location: Optional[str], date_from: Optional[dt.date], date_to: Optional[dt.date],
                 q: Optional[str]) -> ClaimFilter:
    """The filter, after the checks that span parameters (400 ``invalid_parameter``)."""
    if date_from and date_to and date_from > date_to:
        raise ApiError(400, "invalid_parameter", f"date_from ({date_from}) is after date_to ({date_to})",
                       [{"parameter": "date_from", "in": "query", "message": "after date_to",
                         "type": "date_range"}])
    return ClaimFilter(event=event or None, counted=counted or None, speaker=speaker or None,
                       outlet=outlet or None, location=location or None, date_from=date_from, date_to=date_to,
                       q=q or None)


@router.get("/findings", summary="Findings of the cross-document checks", responses=_errors(422, 503))
def findings(request: Request,
             kind: Annotated[Optional[FindingKind], Query(description="only findings of this kind")] = None,
             ) -> dict[str, Any]:
    """``{"total", "items"}``: each finding's ``kind``, ``claims`` (doc_id, start, href), ``message`` and
    details (indicator, period, primary_sources, outlets, single_primary_source), computed from the
    ledger as it is now."""
    with model(request).view() as v:
        items = v.findings(kind)
    return {"total": len(items), "items": items}


@router.get("/indicators", summary="Indicators: every claim grouped by what it measures", responses=_errors(503))
def indicators(request: Request) -> dict[str, Any]:
    """``{"total", "items"}``: key, label, indicator, points, documents, primary_sources, outlets,
    single_primary_source, most points first."""
    with model(request).view() as v:
        items = v.indicators()
    return {"total": len(items), "items": items}


@router.get("/indicators/{key}", summary="One indicator's series of points", responses=_errors(404, 503))
def indicator(request: Request, key: Annotated[str, Path(description="the indicator's key")]) -> dict[str, Any]:
    """The series: key, indicator, label, points (doc_id, start, surface, value, date, period, speaker, source,
    outlet, copy, usable, href), primary_sources, outlets, single_primary_source."""
    with model(request).view() as v:
        return indicator_detail(v.indicator(key))


# --- uploads: POST /api/ingest (only with `serve --allow-ingest`) ----------------------------------------

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # a larger body is refused (413)
DRAIN_BYTES = 2 * MAX_UPLOAD_BYTES  # an oversize body up to this size is read to its end before the 413
MAX_UPLOAD_DOCUMENTS = 1000
MAX_DOC_ID = 512
INGEST_WAIT = 10.0  # seconds an upload waits for another writer of the ledger, then 503
UPLOAD_FIELDS = ("doc_id", "text", "title", "outlet", "url", "published")
UPLOAD_SOURCE = "POST /api/ingest"  # the documents' ``source``: never a path
JSON_TYPES = ("application/json",)
JSONL_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines", "application/jsonlines")
TEXT_TYPES = ("text/plain",)

_extractor_lock = threading.Lock()


def load_extractor() -> Any:
    """The process-wide extractor (its model loads on the first call)."""
    from claimledger.extract.pipeline import get_extractor

    with _extractor_lock:
        return get_extractor()


def check_token(request: Request) -> None:
    """403 if uploads are off; 401 without a bearer token, 403 with a wrong one (compared in constant time)."""
    expected: Optional[str] = getattr(request.app.state, "ingest_token", None)
    if not expected:
        raise ApiError(403, "ingest_disabled", "this server is read-only; uploads need `claimledger serve "
                                               "--allow-ingest` with a token")
    scheme, _, given = request.headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise ApiError(401, "unauthorized", "uploads need an 'Authorization: Bearer TOKEN' header",
                       headers={"WWW-Authenticate": 'Bearer realm="claimledger"'})
    if not hmac.compare_digest(given.strip().encode("utf-8", "surrogateescape"), expected.encode("utf-8")):
        raise ApiError(403, "forbidden", "wrong token")


async def read_body(request: Request, limit: int = MAX_UPLOAD_BYTES) -> bytes:
    """The request body, or 413 once it is known to be longer than ``limit`` bytes.

    A body declared (Content-Length) larger than ``DRAIN_BYTES`` is refused before
    any of it is read. Otherwise the rest of an oversize body is read and dropped
    (up to ``DRAIN_BYTES`` in all) before the 413, so that a client which sends its
    whole body before reading the answer gets the 413 rather than a reset connection.
    """
    too_large = ApiError(413, "payload_too_large", f"the body is larger than {limit:,} bytes; split the upload",
                         {"limit_bytes": limit})
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise ApiError(400, "bad_request", "Content-Length is not a number")
        if int(declared) > DRAIN_BYTES:
            raise too_large
    chunks, size = [], 0
    stream = request.stream()
    async for chunk in stream:
        size += len(chunk)
        if size > limit:
            if size <= DRAIN_BYTES:
                async for rest in stream:
                    size += len(rest)
                    if size > DRAIN_BYTES:
                        break
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def parse_upload(body: bytes, content_type: str, query: dict[str, str]) -> list[Document]:
    """The uploaded documents, all valid, or an ApiError (400 unreadable, 415 type, 422 invalid) naming why."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media not in (*JSON_TYPES, *JSONL_TYPES, *TEXT_TYPES):
        raise ApiError(415, "unsupported_media_type",
                       f"Content-Type {media or '(none)'!r}: send application/json (a document or a list), "
                       "application/x-ndjson (one document per line) or text/plain (one text; ?doc_id=...)")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ApiError(400, "invalid_body", f"the body is not UTF-8 (byte {exc.start})") from exc
    if media in TEXT_TYPES:
        records: list[Any] = [{**{k: v for k, v in query.items() if k in UPLOAD_FIELDS and k != "text"},
                               "text": text}]
    elif media in JSON_TYPES:
        parsed = _json(text, None)
        records = parsed if isinstance(parsed, list) else [parsed]
    else:
        records = [_json(line, n) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not records:
        raise ApiError(422, "invalid_documents", "no documents in the upload")
    if len(records) > MAX_UPLOAD_DOCUMENTS:
        raise ApiError(413, "payload_too_large", f"{len(records):,} documents; at most {MAX_UPLOAD_DOCUMENTS:,} "
                                                 "per upload", {"limit_documents": MAX_UPLOAD_DOCUMENTS})
    problems: list[dict[str, Any]] = []
    docs: list[Document] = []
    seen: set[str] = set()
    for i, record in enumerate(records):
        doc = _upload_document(record, i, problems)
        if doc is not None:
            if doc.doc_id in seen:
                problems.append({"index": i, "field": "doc_id", "message": f"doc_id {doc.doc_id!r} twice"})
            seen.add(doc.doc_id)
            docs.append(doc)
    if problems:
        summary = "; ".join(f"document {p['index']}: {p['field']}: {p['message']}" for p in problems[:5])
        raise ApiError(422, "invalid_documents", f"nothing was ingested: {summary}"
                       + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""), problems)
    return docs


def _json(text: str, line: Optional[int]) -> Any:
    where = f"line {line}: " if line else ""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ApiError(400, "invalid_json", f"{where}malformed JSON: {exc.msg} (line {exc.lineno}, column "
                                            f"{exc.colno})") from exc
    except RecursionError as exc:
        raise ApiError(400, "invalid_json", f"{where}JSON nested too deeply") from exc


def _upload_document(record: Any, index: int, problems: list[dict[str, Any]]) -> Optional[Document]:
    """One uploaded record as a Document, or None after adding its problems."""
    def bad(name: str, message: str) -> None:
        problems.append({"index": index, "field": name, "message": message})

    if not isinstance(record, dict):
        bad("document", f"a JSON {type(record).__name__}, not an object")
        return None
    record = dict(record)
    if "doc_id" not in record and "id" in record:  # the JSONL input files' name for it
        record["doc_id"] = record.pop("id")
    doc_id = record.get("doc_id")
    if isinstance(doc_id, int) and not isinstance(doc_id, bool):
        doc_id = record["doc_id"] = str(doc_id)
    start = len(problems)
    if not isinstance(doc_id, str) or not doc_id.strip():
        bad("doc_id", "required: a non-empty string")
    elif len(doc_id) > MAX_DOC_ID:
        bad("doc_id", f"longer than {MAX_DOC_ID} characters")
    elif any(unicodedata.category(ch) == "Cc" for ch in doc_id):
        bad("doc_id", "has control characters")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        bad("text", "required: a non-empty string" + (" (html is not accepted here)" if "html" in record else ""))
    for name in UPLOAD_FIELDS:
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            if name != "doc_id":
                bad(name, f"not a string (a JSON {type(value).__name__})")
        elif isinstance(value, str) and "\x00" in value:
            bad(name, "has a NUL character")
    if len(problems) > start:
        return None
    return Document(doc_id=doc_id, text=text, title=record.get("title"), outlet=record.get("outlet"),
                    url=record.get("url"), published=record.get("published"), source=UPLOAD_SOURCE)


def run_ingest(read_model: ReadModel, docs: list[Document]) -> Any:
    """The real Ingester over ``docs``, in this process, against the ledger file (one writer at a time)."""
    from claimledger.extract.pipeline import EXTRACTOR_VERSION
    from claimledger.ledger import LedgerError

    extractor = load_extractor()
    try:
        with read_model.writer(wait=INGEST_WAIT) as ledger:
            return ledger.ingest(docs, extractor.extract, EXTRACTOR_VERSION)
    except LedgerError as exc:
        if getattr(exc, "busy", False):
            raise ApiError(503, "ledger_busy", f"the ledger is being written by another process: {exc}",
                           headers={"Retry-After": "10"}) from exc
        raise ApiError(503, "ledger_unavailable", f"the ledger cannot be written: {exc}") from exc


@router.post("/ingest", summary="Upload documents: their claims are extracted and stored (--allow-ingest)",
             responses={**_errors(400, 401, 403, 413, 415, 422, 503)})
async def ingest(request: Request,
                 doc_id: Annotated[Optional[str], Query(max_length=MAX_DOC_ID,
                                                        description="text/plain uploads: the document's id")] = None,
                 title: Annotated[Optional[str], Query(max_length=2000, description="text/plain: title")] = None,
                 outlet: Annotated[Optional[str], Query(max_length=TEXT_MAX, description="text/plain: outlet")] = None,
                 url: Annotated[Optional[str], Query(max_length=2000, description="text/plain: url")] = None,
                 published: Annotated[Optional[str], Query(max_length=100,
                                                           description="text/plain: publication date")] = None,
                 ) -> dict[str, Any]:
    """Only when the server runs with ``--allow-ingest``, and with ``Authorization: Bearer TOKEN``.

    The body is ``application/json`` (one document object, or a list of them),
    ``application/x-ndjson`` (one object per line) or ``text/plain`` (one document's
    text, its ``doc_id`` and metadata in the query). A document has ``doc_id`` (or
    ``id``) and ``text``, and may have ``title``, ``outlet``, ``url``, ``published``;
    other fields are ignored. At most 10 MiB and 1,000 documents per upload; if any
    document is invalid nothing is stored (422, one problem per field). The documents
    go through the same ingest as ``claimledger ingest``: idempotent, duplicates
    linked. The answer counts what happened (``read``, ``added``, ``updated``,
    ``unchanged``, ``duplicates``, ``claims_added``, ``failed``) and links each
    document."""
    check_token(request)  # before reading a byte of the body
    body = await read_body(request)
    docs = parse_upload(body, request.headers.get("content-type", ""),
                        {"doc_id": doc_id, "title": title, "outlet": outlet, "url": url, "published": published})
    stats = await run_in_threadpool(run_ingest, model(request), docs)
    return {"read": stats.read, "added": stats.added, "updated": stats.updated, "unchanged": stats.unchanged,
            "duplicates": stats.duplicates, "claims_added": stats.claims_added, "failed": stats.failed,
            "documents": [{"doc_id": d.doc_id, "href": document_href(d.doc_id),
                           "api": "/api/documents/" + quote(d.doc_id, safe="")} for d in docs]}

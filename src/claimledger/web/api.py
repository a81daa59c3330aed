"""The JSON API under ``/api``: one function per endpoint, every parameter declared and validated.

Bad parameters answer 422 ``invalid_parameters`` (or 400 ``invalid_parameter`` for a
combination, e.g. ``date_from`` after ``date_to``), unknown things 404, an unreadable
ledger 503, all in the one error shape of ``claimledger.web.errors``.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, Optional, Union

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel

from claimledger.check import FINDING_KINDS
from claimledger.model import EVENTS
from claimledger.web.data import ClaimFilter, ReadModel, indicator_detail
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
    words = {400: "Invalid combination of parameters", 404: "Not found", 422: "Invalid parameters",
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

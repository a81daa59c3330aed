"""The HTML pages: claims table, a document with its claims highlighted, findings, indicators.

Templates live in ``web/templates`` (jinja2, autoescape on: every value is escaped
unless it is ``Markup`` built by ``markup.py`` or the chart module, which escape
their own pieces). Pages work without JavaScript; ``static/claims.js`` only makes
the claims table filter and page in place through ``/api/claims``.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any, Optional
from urllib.parse import urlencode

import jinja2
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from claimledger.check import FINDING_KINDS
from claimledger.model import EVENTS
from claimledger.web.api import DEFAULT_LIMIT, TEXT_MAX, claim_filter
from claimledger.web.data import ClaimFilter, ReadModel, claim_href, document_href, indicator_summary
from claimledger.web.errors import ApiError
from claimledger.web.markup import claim_summary, highlight, quote_sentence, value_text

router = APIRouter(include_in_schema=False)

KIND_TITLES = {"conflict": "Conflicts", "series": "Series", "sum_mismatch": "Sums that do not add up",
               "conversion_mismatch": "Conversions that do not match"}
FILTER_FIELDS = ("event", "counted", "speaker", "outlet", "location", "date_from", "date_to", "q")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("claimledger.web", "templates"), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    env.globals.update(claim_href=claim_href, document_href=document_href, value_text=value_text,
                       claim_summary=claim_summary, quote_sentence=quote_sentence, safe_href=_safe_href,
                       kind_titles=KIND_TITLES)
    return env


def render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(environment().get_template(name).render(**context), status_code=status)


def render_error(request: Request, status: int, code: str, message: str) -> Response:
    """The HTML error page (the handlers in errors.py call this for every non-API path)."""
    return render("error.html", status=status, title=f"{status} {code.replace('_', ' ')}", status_code=status,
                  code=code, message=message)


def _safe_href(url: Optional[str]) -> Optional[str]:
    """Only http(s) URLs become links (a ``javascript:`` URL in a feed stays text)."""
    if url and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None


def _model(request: Request) -> ReadModel:
    return request.app.state.read_model


# --- the claims table -------------------------------------------------------------

def _page_filter(params: dict[str, str]) -> tuple[ClaimFilter, list[str]]:
    """The form's values as a filter, and what is wrong with them (empty fields mean 'any')."""
    problems = []
    event = params.get("event") or None
    if event and event not in EVENTS:
        problems.append(f"event: unknown event {event!r}")
        event = None
    dates: dict[str, Optional[dt.date]] = {}
    for name in ("date_from", "date_to"):
        raw = params.get(name) or ""
        try:
            dates[name] = dt.date.fromisoformat(raw) if raw else None
        except ValueError:
            problems.append(f"{name}: not a date (YYYY-MM-DD): {raw!r}")
            dates[name] = None
    for name in ("counted", "speaker", "outlet", "location", "q"):
        if len(params.get(name) or "") > TEXT_MAX:
            problems.append(f"{name}: longer than {TEXT_MAX} characters")
    try:
        flt = claim_filter(event, *(params.get(k) for k in ("counted", "speaker", "outlet", "location")),
                           dates["date_from"], dates["date_to"], params.get("q"))
    except ApiError as exc:
        problems.append(exc.message)
        flt = ClaimFilter()
    return flt, problems


@router.get("/", response_class=HTMLResponse)
def claims_page(request: Request, page: int = Query(1, ge=1, le=1_000_000)) -> HTMLResponse:
    params = {k: request.query_params.get(k, "") for k in FILTER_FIELDS}
    flt, problems = _page_filter(params)
    limit = DEFAULT_LIMIT
    with _model(request).view() as v:
        facets = v.facets()
        result = v.claims(flt, limit, (page - 1) * limit) if not problems else \
            {"total": 0, "limit": limit, "offset": 0, "items": []}
    total = result["total"]
    pages = max(1, -(-total // limit))
    active = {k: v for k, v in params.items() if v}

    def page_url(n: int) -> str:
        return "/?" + urlencode({**active, "page": n}) if n > 1 else ("/?" + urlencode(active) if active else "/")

    return render("claims.html", status=400 if problems else 200, title="Claims", params=params,
                  events=sorted(set(EVENTS)), present_events=facets["events"], outlets=facets["outlets"],
                  problems=problems, result=result, page=page, pages=pages,
                  prev_url=page_url(page - 1) if page > 1 else None,
                  next_url=page_url(page + 1) if page < pages else None, limit=limit)


# --- one document -------------------------------------------------------------------

@router.get("/documents/{doc_id:path}", response_class=HTMLResponse)
def document_page(request: Request, doc_id: str) -> HTMLResponse:
    with _model(request).view() as v:
        doc = v.document(doc_id)  # ApiError 404 -> the HTML 404 page
        mine = [f for f in v.findings() if any(c["doc_id"] == doc_id for c in f["claims"])]
    return render("document.html", title=doc.get("title") or doc["doc_id"], doc=doc,
                  article=highlight(doc["text"], doc["claims"]), findings=mine)


# --- findings -------------------------------------------------------------------------

@router.get("/findings", response_class=HTMLResponse)
def findings_page(request: Request, kind: str = "") -> HTMLResponse:
    if kind and kind not in FINDING_KINDS:
        raise ApiError(400, "invalid_parameter", f"unknown kind {kind!r}; one of {', '.join(FINDING_KINDS)}")
    with _model(request).view() as v:
        items = v.findings(kind or None)
        claims = v.claims_at((c["doc_id"], c["start"]) for f in items for c in f["claims"])
    groups = [(k, [f for f in items if f["kind"] == k]) for k in FINDING_KINDS if not kind or k == kind]
    return render("findings.html", title="Findings", groups=groups, claims=claims, kind=kind, total=len(items),
                  kinds=FINDING_KINDS)


# --- indicators --------------------------------------------------------------------------

@router.get("/indicators", response_class=HTMLResponse)
def indicators_page(request: Request) -> HTMLResponse:
    with _model(request).view() as v:
        items = v.indicators()
    return render("indicators.html", title="Indicators", items=items)


@router.get("/indicators/{key}", response_class=HTMLResponse)
def indicator_page(request: Request, key: str) -> HTMLResponse:
    from claimledger.report.charts import indicator_chart_svg

    with _model(request).view() as v:
        series = v.indicator(key)
    chart = Markup(indicator_chart_svg(series, href=lambda p: claim_href(p["doc_id"], p["start"]),
                                       width=760, height=280))  # the chart module escapes every value
    return render("indicator.html", title=str(series.indicator.get("label") or key), series=series,
                  summary=indicator_summary(series), chart=chart)

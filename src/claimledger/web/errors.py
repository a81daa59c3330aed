"""The one error shape, and every exception mapped to an HTTP status in one place.

Every error under ``/api`` (and ``/openapi.json``) is JSON of one shape::

    {"error": {"status": 404, "code": "document_not_found", "message": "...", "details": null}}

``status`` repeats the HTTP status; ``code`` is a short snake_case word a client can
switch on; ``message`` is for people; ``details`` is a list (validation problems,
one per parameter), a dict, or null. HTML pages get an HTML error page with the
same status, code and message instead.
"""
from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any, Optional, Union

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

Details = Union[list[Any], dict[str, Any], None]

# codes for statuses raised by the framework itself (unknown route, wrong method)
_CODES = {404: "not_found", 405: "method_not_allowed", 400: "bad_request", 422: "invalid_parameters",
          413: "payload_too_large", 500: "internal_error", 503: "ledger_unavailable"}


class ApiError(Exception):
    """An error a handler raises on purpose: its status, code, message and details go out as they are."""

    def __init__(self, status: int, code: str, message: str, details: Details = None,
                 headers: Optional[dict[str, str]] = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers


def error_body(status: int, code: str, message: str, details: Details = None) -> dict[str, Any]:
    """The JSON body of every API error."""
    return {"error": {"status": status, "code": code, "message": message, "details": details}}


def code_for(status: int) -> str:
    """A default code for a status: ``not_found``, ``method_not_allowed``, else the reason phrase in snake_case."""
    if status in _CODES:
        return _CODES[status]
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "error"


def wants_json(request: Request) -> bool:
    """API paths always answer in JSON; pages answer in HTML."""
    path = request.url.path
    return path == "/api" or path.startswith("/api/") or path == "/openapi.json"


# What an HTML page shows for an error: (request, status, code, message) -> response. Set by pages.py.
HtmlErrorRenderer = Callable[[Request, int, str, str], Response]


def install_error_handlers(app: FastAPI, html_error: Optional[HtmlErrorRenderer] = None) -> None:
    """Map every exception to a response: ApiError, HTTPException (404 routes, 405), validation, anything else."""

    def respond(request: Request, status: int, code: str, message: str, details: Details = None,
                headers: Optional[dict[str, str]] = None) -> Response:
        if html_error is not None and not wants_json(request):
            response = html_error(request, status, code, message)
        else:
            response = JSONResponse(error_body(status, code, message, details), status_code=status)
        if headers:
            response.headers.update(headers)
        return response

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        headers = dict(exc.headers or {})
        if exc.status == 503:
            headers.setdefault("Retry-After", "2")
        return respond(request, exc.status, exc.code, exc.message, exc.details, headers or None)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        status = exc.status_code
        if status == 404 and exc.detail in (None, "Not Found"):
            message = f"no such {'endpoint' if wants_json(request) else 'page'}: {request.url.path}"
        elif status == 405:
            message = f"{request.method} is not allowed on {request.url.path}"
        else:
            message = str(exc.detail) if exc.detail else HTTPStatus(status).phrase
        return respond(request, status, code_for(status), message, None, dict(exc.headers or {}))

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        problems = [_problem(e) for e in exc.errors()]
        summary = "; ".join(f"{p['parameter']}: {p['message']}" for p in problems) or "invalid request"
        return respond(request, 422, "invalid_parameters", f"invalid parameters: {summary}", problems)

    async def unexpected(request: Request, exc: Exception) -> Response:
        # Starlette re-raises the exception after this response is sent, so the server logs its traceback
        return respond(request, 500, "internal_error",
                       f"internal error ({type(exc).__name__}); the server log has the details")

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, unexpected)


def _problem(error: Any) -> dict[str, Any]:
    """One validation problem: which parameter, where, what is wrong, and the value given."""
    loc = [str(x) for x in error.get("loc", ())]
    where = loc[0] if loc else "request"
    name = ".".join(loc[1:]) if len(loc) > 1 else where
    problem: dict[str, Any] = {"parameter": name, "in": where, "message": str(error.get("msg", "invalid")),
                               "type": str(error.get("type", "value_error"))}
    if "input" in error and isinstance(error["input"], (str, int, float, bool, type(None))):
        problem["input"] = error["input"]
    return problem

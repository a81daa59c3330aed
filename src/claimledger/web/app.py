"""``create_app(db_path)``: the FastAPI application of ``claimledger serve``."""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Optional

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from claimledger import __version__
from claimledger.web import api, apidocs, pages
from claimledger.web.data import ReadModel
from claimledger.web.errors import install_error_handlers

STATIC_DIR = Path(__file__).with_name("static")

DESCRIPTION = ("Read a claimledger ledger: its documents, every claim (stated figure) with its sentence, the "
               "findings of the cross-document checks and the indicators they group claims into. Read-only, "
               "unless the server was started with --allow-ingest: then POST /api/ingest, with the token, "
               "adds documents.")

# Pages load only their own scripts and styles: nothing from other hosts, and no inline script would run
# even if some text escaped its escaping.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def create_app(db_path: str, ingest_token: Optional[str] = None) -> FastAPI:
    """The web UI and JSON API over the ledger at ``db_path``.

    Read-only unless ``ingest_token`` is given: then ``POST /api/ingest`` with
    ``Authorization: Bearer <ingest_token>`` adds documents (and the extractor's model
    starts loading now, in the background, so the first upload does not wait for it).
    No route takes a filesystem path from a request: ``/static`` serves only the
    files of ``STATIC_DIR`` (Starlette refuses paths that leave it, and symlinks).
    """
    app = FastAPI(title="claimledger", version=__version__, description=DESCRIPTION,
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json",
                  redirect_slashes=False)  # "/api/claims/" is an unknown route (404), not a redirect
    app.state.read_model = ReadModel(db_path)
    app.state.ingest_token = ingest_token or None
    if app.state.ingest_token:
        threading.Thread(target=_preload_extractor, name="load-extractor", daemon=True).start()
    install_error_handlers(app, html_error=pages.render_error)
    app.include_router(api.router)
    app.include_router(apidocs.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next: object) -> Response:
        response: Response = await call_next(request)  # type: ignore[operator]
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Content-Security-Policy", CSP)
        return response

    return app


def _preload_extractor() -> None:
    try:
        api.load_extractor()
    except Exception:  # noqa: BLE001 - the first upload loads it again and reports the error
        pass

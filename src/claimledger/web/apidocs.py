"""``/api/docs``: the API reference as one server-rendered page, built from the OpenAPI schema.

FastAPI's own ``/docs`` loads Swagger UI from a CDN; this page needs nothing but
the server, and lists every endpoint with its parameters, their types and limits,
and the responses it may give.
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

ERROR_EXAMPLE = ('{"error": {"status": 404, "code": "document_not_found",\n'
                 '           "message": "no document with doc_id \'x\' in the ledger",\n'
                 '           "details": {"doc_id": "x"}}}')


def describe_schema(schema: dict[str, Any], components: dict[str, Any]) -> tuple[str, list[str]]:
    """('integer', ['1 ≤ value ≤ 500']) for a parameter's JSON schema."""
    if "$ref" in schema:
        schema = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        kinds, limits = [], []
        for option in options:
            if option.get("type") == "null":
                continue
            kind, more = describe_schema(option, components)
            kinds.append(kind)
            limits += more
        return " or ".join(kinds) or "any", limits
    kind = schema.get("type", "any")
    if schema.get("format"):
        kind = f"{kind} ({schema['format']})"
    limits = []
    if "enum" in schema:
        limits.append("one of: " + ", ".join(map(str, schema["enum"])))
    if "minimum" in schema:
        limits.append(f"≥ {schema['minimum']}")
    if "maximum" in schema:
        limits.append(f"≤ {schema['maximum']}")
    if "maxLength" in schema:
        limits.append(f"at most {schema['maxLength']} characters")
    return kind, limits


def endpoints(openapi: dict[str, Any]) -> list[dict[str, Any]]:
    """Every operation in the schema, with its parameters and responses, in the schema's order."""
    components = openapi.get("components", {}).get("schemas", {})
    out = []
    for path, operations in openapi.get("paths", {}).items():
        for method, op in operations.items():
            params = []
            for p in op.get("parameters", []):
                schema = p.get("schema", {})
                kind, limits = describe_schema(schema, components)
                params.append({"name": p["name"], "in": p.get("in", "query"), "required": p.get("required", False),
                               "type": kind, "limits": limits, "default": schema.get("default"),
                               "description": p.get("description") or schema.get("description") or ""})
            responses = [(code, r.get("description", "")) for code, r in op.get("responses", {}).items()]
            out.append({"method": method.upper(), "path": path, "summary": op.get("summary", ""),
                        "description": code_spans(op.get("description", "")), "parameters": params,
                        "responses": responses,
                        "anchor": f"{method}-{path.strip('/').replace('/', '-').replace('{', '').replace('}', '')}",
                        "example": path if "{" not in path and method == "get" else None})
    return out


def code_spans(text: str) -> list[tuple[bool, str]]:
    """Docstring text as (is_code, piece) pairs: ``x`` marks code."""
    return [(i % 2 == 1, piece) for i, piece in enumerate(" ".join(text.split()).split("``")) if piece]


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    from claimledger.web.pages import render

    openapi = request.app.openapi()
    return render("apidocs.html", title="API", info=openapi.get("info", {}), endpoints=endpoints(openapi),
                  openapi_version=openapi.get("openapi", "3"),
                  error_example=ERROR_EXAMPLE)

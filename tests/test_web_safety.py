"""Web safety of ``claimledger serve``, over HTTP against a real server and a real ledger.

- Escaping: a ledger whose documents and claims carry markup in every field a page
  shows (title, outlet, url, text, doc_id, speaker, counted, location) is served;
  the raw HTML of every page is parsed and must hold no element, attribute or URL
  that came from the data, and reflected request values (paths, filters) are escaped
  too. The JSON API gives the same strings back verbatim, as JSON.
- Parameters: bad values for every query parameter of every endpoint, odd ids,
  unknown routes and wrong methods answer 4xx in the one error shape, never 5xx;
  hypothesis throws arbitrary query strings at every endpoint.
- Paths: no request path reaches the filesystem (``/static/../..`` in every encoding).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Optional
from urllib.parse import quote, quote_from_bytes, urlencode, urlsplit

import duckdb
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webutil import (
    HOSTILE_META,
    IMG,
    ROOT,
    SCRIPT,
    Server,
    doc_path,
    free_port,
    run_cli,
    serve,
    shared_ledger,
)

ERROR_KEYS = {"status", "code", "message", "details"}

# markup planted in every field; each would run script (or load something) if a page let it through
P_SCRIPT = "<script>window.pwned=1</script>"
P_ATTR = '"><img src=x onerror=window.pwned=1>'
P_SQUOTE = "' onmouseover='window.pwned=1"
P_SVG = "</textarea><svg/onload=window.pwned=1>"
P_TEMPLATE = "{{7*7}}{% raw %}"
PAYLOADS = (P_SCRIPT, P_ATTR, P_SQUOTE, P_SVG, SCRIPT, IMG)

HOSTILE_DOCS = [  # ingested with the real `claimledger ingest`, ids that would be paths or markup
    {"id": P_SCRIPT, "title": f"Title {P_ATTR}", "outlet": f"Outlet {P_SCRIPT}", "url": "JaVaScRiPt:window.pwned=1",
     "published": "2024-03-12",
     "text": f"Crossing {P_SVG}\n\nAbout 250 people were evacuated from Kavar on Tuesday, the office said. "
             f"{P_TEMPLATE}\n"},
    {"id": "../../etc/passwd", "title": P_SQUOTE, "outlet": "Outlet two", "url": " \tjavascript:window.pwned=1",
     "published": "2024-03-13",
     "text": "Passwd\n\nAt least 60 trucks of aid reached Kavar on Wednesday, the Relief Coordination Office said.\n"},
    {"id": "%2e%2e%2fescaped", "title": "Data URL", "outlet": "Outlet three",
     "url": "data:text/html,<script>window.pwned=1</script>", "published": "2024-03-14",
     "text": "Data\n\nMore than 90 families returned to Kavar on Thursday, officials said.\n"},
    {"id": "safe-link", "title": "A plain link", "outlet": "Outlet four",
     "url": 'https://example.org/a?b="><script>window.pwned=1</script>', "published": "2024-03-15",
     "text": "Link\n\nAbout 30 people were detained in Kavar on Friday, police said.\n"},
]


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared web ledger plus HOSTILE_DOCS, then markup appended to the fields the extractor fills.

    The suffixes are the same for every row, so the checks group claims as before and
    the findings and indicators carry the markup in their labels and messages.
    """
    folder = tmp_path_factory.mktemp("safety")
    db = folder / "safety.duckdb"
    shutil.copy(shared_ledger(), db)
    extra = folder / "extra"
    extra.mkdir()
    (extra / "hostile-ids.jsonl").write_text("".join(json.dumps(d) + "\n" for d in HOSTILE_DOCS), encoding="utf-8")
    done = run_cli("ingest", extra, "--db", db, "--quiet")
    assert done.returncode == 0, done.stderr
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE claims SET speaker = speaker || ? WHERE speaker IS NOT NULL", [" " + P_ATTR])
        con.execute("UPDATE claims SET counted = counted || ? WHERE counted IS NOT NULL", [" " + P_SQUOTE])
        con.execute("UPDATE claims SET location = location || ? WHERE location IS NOT NULL", [" " + P_SCRIPT])
        con.execute("UPDATE documents SET outlet = coalesce(outlet, 'Outlet') || ?", [" " + P_SVG])
        con.execute("UPDATE documents SET title = coalesce(title, '') || ? WHERE doc_id NOT IN (?, ?)",
                    [" " + P_TEMPLATE, P_SCRIPT, "../../etc/passwd"])
    return db


@pytest.fixture(scope="module")
def server(hostile_db: Path) -> Iterator[Server]:
    with serve(hostile_db) as s:
        yield s


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


# --- what a safe page looks like -----------------------------------------------------------------

URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "poster", "data", "srcset", "background",
             "cite", "ping"}
FORBIDDEN_TAGS = {"img", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "textarea"}
OWN_SCRIPTS = {"/static/claims.js"}
OWN_STYLESHEETS = {"/static/style.css"}


class _Audit(HTMLParser):
    """Every element, attribute and URL of a page that did not come from the app's own templates."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.script_open = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Optional[str]]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag}> has an event handler {name}={value!r}")
            if name in URL_ATTRS and value is not None:
                url = re.sub(r"[\x00-\x20]", "", value).lower()
                scheme = re.match(r"^([a-z][a-z0-9+.\-]*):", url)
                if scheme and scheme.group(1) not in ("http", "https"):
                    self.problems.append(f"<{tag} {name}={value!r}>: a {scheme.group(1)}: URL")
            if name == "style" and value and re.search(r"url\(|expression\(|javascript:", value, re.I):
                self.problems.append(f"<{tag} style={value!r}>")
            if name == "http-equiv":
                self.problems.append(f"<{tag} http-equiv={value!r}>")
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"a <{tag}> element: {attrs}")
        if tag == "script":
            if values.get("src") not in OWN_SCRIPTS:
                self.problems.append(f"a script that is not the app's: {attrs}")
            self.script_open = True
        if tag == "link" and values.get("href") not in OWN_STYLESHEETS:
            self.problems.append(f"a <link> that is not the app's stylesheet: {attrs}")
        if tag == "svg" and "cl-chart" not in (values.get("class") or ""):
            self.problems.append(f"an <svg> that is not a chart: {attrs}")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, Optional[str]]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.script_open = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.script_open = False

    def handle_data(self, data: str) -> None:
        if self.script_open and data.strip():
            self.problems.append(f"an inline script: {data[:80]!r}")


def assert_safe_html(html: str, where: str) -> None:
    for payload in PAYLOADS:
        assert payload not in html, f"{where}: unescaped {payload!r}"
    audit = _Audit()
    audit.feed(html)
    audit.close()
    assert audit.problems == [], f"{where}: {audit.problems}"


def get_page(client: httpx.Client, path: str, status: int = 200) -> str:
    r = client.get(path)
    assert r.status_code == status, f"{path}: {r.status_code} {r.text[:300]}"
    assert r.headers["content-type"].startswith("text/html"), path
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in r.headers["content-security-policy"]
    return r.text


def all_documents(client: httpx.Client) -> list[dict[str, Any]]:
    return client.get("/api/documents", params={"limit": 500}).json()["items"]


# --- escaping: every page --------------------------------------------------------------------------

def test_the_ledger_really_carries_the_markup(client: httpx.Client) -> None:
    """The fixture is not vacuous: the API hands every planted payload back, verbatim."""
    claims = client.get("/api/claims", params={"limit": 500}).json()["items"]
    assert any(P_ATTR in (c["speaker"] or "") for c in claims)
    assert any(P_SQUOTE in (c["counted"] or "") for c in claims)
    assert any(P_SCRIPT in (c["location"] or "") for c in claims)
    assert all(P_SVG in c["outlet"] for c in claims)
    ids = {d["doc_id"] for d in all_documents(client)}
    assert {d["id"] for d in HOSTILE_DOCS} <= ids and HOSTILE_META["id"] in ids
    labels = [i["label"] for i in client.get("/api/indicators").json()["items"]]
    assert any(P_SCRIPT in (label or "") for label in labels)
    assert any(P_SCRIPT in f["message"] for f in client.get("/api/findings").json()["items"])


def test_claims_pages_are_escaped(client: httpx.Client) -> None:
    total = client.get("/api/claims").json()["total"]
    for page in range(1, -(-total // 50) + 1):
        html = get_page(client, f"/?page={page}")
        assert_safe_html(html, f"/?page={page}")
    first = get_page(client, "/")
    assert "&lt;img src=x onerror=window.pwned=1&gt;" in first  # shown, as text
    for params in ({"speaker": "onerror"}, {"counted": "onmouseover"}, {"location": "<script>"},
                   {"outlet": "svg"}, {"q": "pwned"}):
        html = get_page(client, "/?" + urlencode(params))
        assert 'data-doc="' in html, params
        assert_safe_html(html, f"/?{urlencode(params)}")


def test_every_document_page_is_escaped(client: httpx.Client) -> None:
    docs = all_documents(client)
    assert len(docs) >= 15
    for d in docs:
        html = get_page(client, doc_path(d["doc_id"]))
        assert_safe_html(html, d["doc_id"])
    html = get_page(client, doc_path(P_SCRIPT))
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in html
    assert "JaVaScRiPt:window.pwned=1" in html  # the url, as text and not as a link
    assert "{% raw %}" in html  # a template tag in the text is text (its figures are marked as claims)


def test_links_only_for_http_urls(client: httpx.Client) -> None:
    """A document's url becomes a link only if it is http(s), and its quotes stay inside the attribute."""
    for d in HOSTILE_DOCS:
        html = get_page(client, doc_path(d["id"]))
        links = re.findall(r'<a class="cl-url" href="([^"]*)"', html)
        if d["url"].startswith("https://"):
            assert links == ['https://example.org/a?b=&#34;&gt;&lt;script&gt;window.pwned=1&lt;/script&gt;'], links
        else:
            assert links == [], (d["id"], links)


def test_findings_and_indicator_pages_are_escaped(client: httpx.Client) -> None:
    for kind in ("", "conflict", "series", "sum_mismatch", "conversion_mismatch"):
        path = "/findings" + (f"?kind={kind}" if kind else "")
        assert_safe_html(get_page(client, path), path)
    html = get_page(client, "/indicators")
    assert_safe_html(html, "/indicators")
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in html
    items = client.get("/api/indicators").json()["items"]
    assert items
    for item in items:
        page = get_page(client, item["href"])
        assert_safe_html(page, item["href"])
    assert_safe_html(get_page(client, "/api/docs"), "/api/docs")


REFLECTED = [  # request values that pages echo back (messages, form fields, 404s)
    ("/?" + urlencode({"q": P_ATTR}), 200),
    ("/?" + urlencode({"speaker": P_SCRIPT, "outlet": P_SQUOTE, "counted": P_SVG}), 200),
    ("/?" + urlencode({"event": P_SCRIPT}), 400),
    ("/?" + urlencode({"date_from": P_ATTR}), 400),
    ("/?" + urlencode({"q": P_SCRIPT * 20}), 400),
    ("/findings?" + urlencode({"kind": P_SCRIPT}), 400),
    ("/documents/" + quote(P_ATTR + "missing", safe=""), 404),
    ("/indicators/" + quote(P_SCRIPT, safe=""), 404),
    ("/" + quote(P_SCRIPT, safe=""), 404),
    ("/no-such/" + quote(P_ATTR, safe=""), 404),
    ("/?" + urlencode({"page": P_SCRIPT}), 422),
]


@pytest.mark.parametrize(("path", "status"), REFLECTED)
def test_reflected_values_are_escaped(client: httpx.Client, path: str, status: int) -> None:
    html = get_page(client, path, status)
    assert_safe_html(html, path)


def test_json_carries_the_strings_verbatim_as_json(client: httpx.Client) -> None:
    for d in HOSTILE_DOCS:
        r = client.get("/api/documents/" + quote(d["id"], safe=""))
        assert r.status_code == 200, d["id"]
        assert r.headers["content-type"] == "application/json"
        assert r.headers["x-content-type-options"] == "nosniff"
        body = r.json()
        assert body["doc_id"] == d["id"] and body["url"] == d["url"] and body["text"] == d["text"]
        assert body["title"].startswith(d["title"]) and P_SVG in body["outlet"]
        assert body["href"] == "/documents/" + quote(d["id"], safe="")
    for path in ("/api/claims?limit=500", "/api/findings", "/api/indicators", "/api/stats", "/api/health"):
        r = client.get(path)
        assert r.status_code == 200 and r.headers["content-type"] == "application/json", path
        assert r.headers["x-content-type-options"] == "nosniff"
        json.loads(r.text)
    r = client.get("/api/documents/" + quote(P_SCRIPT + "missing", safe=""))
    assert r.status_code == 404 and r.headers["content-type"] == "application/json"
    assert r.json()["error"]["details"]["doc_id"] == P_SCRIPT + "missing"


# --- parameters --------------------------------------------------------------------------------------

def assert_error(r: httpx.Response, status: Optional[int] = None, code: Optional[str] = None) -> dict[str, Any]:
    assert r.status_code < 500, f"{r.request.method} {r.request.url}: {r.status_code} {r.text[:300]}"
    if status is not None:
        assert r.status_code == status, f"{r.request.url}: {r.status_code} {r.text[:300]}"
    assert 400 <= r.status_code < 500, f"{r.request.url}: {r.status_code}"
    assert r.headers["content-type"] == "application/json", r.headers["content-type"]
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == ERROR_KEYS, body
    err = body["error"]
    assert err["status"] == r.status_code and isinstance(err["message"], str) and err["message"]
    assert re.fullmatch(r"[a-z][a-z_]*", err["code"]), err["code"]
    if code is not None:
        assert err["code"] == code, err
    return err


TEXT = "text"
INTS = {"limit": ["0", "-1", "501", "-99999999999999999999", "99999999999999999999999", "abc", "", "1e3", "nan",
                  "inf", "0x10", "\x00", "1\x00", "٣", "5 5", "true", "[1]"],
        "offset": ["-1", "1000000001", "99999999999999999999999", "9223372036854775807", "9223372036854775808",
                   "-9223372036854775809", "abc", "", "nan", "-0.5", "0.5", "\x00", "1e400"]}
ENUMS = ["nonsense", "", "EVACUATION", "evacuation ", "\x00", "evacuation\x00", P_SCRIPT, "../../etc/passwd",
         "évacuation", "x" * 10_000]
DATES = ["notadate", "2024-02-30", "2024-13-01", "", "0000-01-01", "99999-01-01", "\x00", "-1", "1e9",
         "2024-01-01T12:00", "2024/01/01", "2024-01-01\x00"]
TEXTS = ["x" * 201, "é" * 201, "x" * 5000]
ENDPOINT_PARAMS = {
    "/api/documents": {"outlet": TEXT, "q": TEXT, "limit": "limit", "offset": "offset"},
    "/api/claims": {"event": "event", "counted": TEXT, "speaker": TEXT, "outlet": TEXT, "location": TEXT,
                    "date_from": "date", "date_to": "date", "q": TEXT, "limit": "limit", "offset": "offset"},
    "/api/findings": {"kind": "kind"},
}


def _bad_cases() -> list[tuple[str, str, str]]:
    cases = []
    for path, params in ENDPOINT_PARAMS.items():
        for name, kind in params.items():
            values = INTS[kind] if kind in INTS else ENUMS if kind in ("event", "kind") else \
                DATES if kind == "date" else TEXTS
            cases += [(path, name, v) for v in values]
    return cases


@pytest.mark.parametrize(("path", "name", "value"), _bad_cases(),
                         ids=lambda v: v if len(v) < 30 and v.isprintable() else repr(v[:20]))
def test_bad_parameter_values_are_422(client: httpx.Client, path: str, name: str, value: str) -> None:
    err = assert_error(client.get(path, params={name: value}), 422, "invalid_parameters")
    assert name in {d["parameter"] for d in err["details"]}, err


ODD = ["\x00", "a\x00b", "😀", "\u202eevil", "' OR 1=1 --", "%", "_", "\\", "x" * 200, "é" * 200, "\ufffd",
       "\r\nX-Injected: 1", "<script>", "../../etc/passwd", " ", "NULL", "null", "'; DROP TABLE claims; --"]


@pytest.mark.parametrize("value", ODD, ids=repr)
def test_odd_text_values_are_just_text(client: httpx.Client, value: str) -> None:
    for path, params in ENDPOINT_PARAMS.items():
        for name, kind in params.items():
            if kind == TEXT:
                r = client.get(path, params={name: value})
                assert r.status_code == 200, (path, name, r.text[:300])
                assert r.json()["total"] >= 0
    assert "x-injected" not in {k.lower() for k in r.headers}
    assert client.get("/api/stats").json()["claims"] > 0  # nothing was dropped


@pytest.mark.parametrize("query", [
    "limit=1&limit=600", "limit=600&limit=1", "offset=1&offset=-1", "event=aid&event=nonsense", "limit", "=5",
    "&&&", "limit=%ZZ", "q=%ED%A0%80", "q=%ff%fe", "q=%c0%ae%c0%ae", "q=a%2", "%00=1", "limit=1%00",
    "q=" + "%41" * 200, "q=" + "%41" * 201, ";limit=5", "limit=5;offset=1", "date_from=2024-03-08&date_to=2024-03-01",
])
def test_raw_query_strings(client: httpx.Client, query: str) -> None:
    for path in ("/api/claims", "/api/documents", "/api/findings"):
        r = client.get(f"{path}?{query}")
        if r.status_code == 200:
            assert "items" in r.json()
        else:
            assert_error(r)
        page = client.get(f"/?{query}")
        assert page.status_code < 500 and page.headers["content-type"].startswith("text/html"), query


ODD_IDS = ["../../etc/passwd", "..%2f..%2fetc%2fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "%252e%252e%252fetc",
           "%00", "a%00b", "%ff", "/etc/passwd", "C:%5cWindows%5cwin.ini", "file:///etc/passwd", "x" * 5000,
           "..", ".", "%2e", "~root", "$(id)", "`id`", "😀", "%F0%9F%98%80"]


@pytest.mark.parametrize("doc_id", ODD_IDS, ids=lambda v: v[:30])
def test_odd_document_ids_are_ids_never_paths(client: httpx.Client, server: Server, doc_id: str) -> None:
    """A 404, or the ledger's document of that id ("../../etc/passwd" is one of HOSTILE_DOCS): never a file."""
    in_ledger = {d["doc_id"] for d in all_documents(client)}
    if not doc_id.isascii():  # raw non-ASCII in a request line: uvicorn refuses it before the app sees it
        assert raw_get(server, f"/api/documents/{doc_id}")[0] == 400
        return
    for path in (f"/api/documents/{doc_id}", f"/api/indicators/{doc_id}"):
        status, headers, body = raw_get(server, path)
        assert_no_file_contents(body)
        if status == 200 and path.startswith("/api/documents/"):
            assert json.loads(body)["doc_id"] in in_ledger
            continue
        assert status == 404, (path, status, body[:300])
        err = json.loads(body)["error"]
        assert err["status"] == 404 and err["code"] in ("document_not_found", "indicator_not_found", "not_found")
    status, headers, body = raw_get(server, f"/documents/{doc_id}")
    assert status in (200, 404) and headers["content-type"].startswith("text/html")
    assert_no_file_contents(body)
    assert_safe_html(body, doc_id)


UNKNOWN_ROUTES = ["/api/nope", "/api/claims/", "/api/claims/extra", "/api/stats/x", "/api/findings/1",
                  "/api/indicators/a/b", "/api/health/", "/api//claims", "/api/CLAIMS", "/api", "/api/",
                  "/api/../api/claims", "/api/ingest/x", "/api/" + "x" * 5000, "/api/%00", "/api/claims%00",
                  "/api/claims;x=1"]


@pytest.mark.parametrize("path", UNKNOWN_ROUTES, ids=lambda v: v[:40])
def test_unknown_routes_are_404(server: Server, path: str) -> None:
    status, headers, body = raw_get(server, path)
    if path == "/api/../api/claims":  # not normalised by the server: an unknown route all the same
        assert status == 404
    assert status == 404, (path, status, body[:200])
    err = json.loads(body)["error"]
    assert set(err) == ERROR_KEYS and err["code"] == "not_found" and err["status"] == 404


GET_ROUTES = ["/api/health", "/api/stats", "/api/documents", "/api/documents/kavar-corridor-day2", "/api/claims",
              "/api/findings", "/api/indicators", "/api/indicators/x", "/openapi.json"]


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "FOO"])
def test_wrong_methods_are_405(client: httpx.Client, method: str) -> None:
    for path in GET_ROUTES:
        r = client.request(method, path, content=b'{"x": 1}', headers={"content-type": "application/json"})
        assert_error(r, 405, "method_not_allowed")
        assert "GET" in r.headers.get("allow", "")
    for path in ("/", "/findings", "/documents/kavar-corridor-day2", "/static/style.css"):
        r = client.request(method, path)
        assert r.status_code in (404, 405), (method, path, r.status_code)


def test_head_never_fails(client: httpx.Client) -> None:
    for path in [*GET_ROUTES, "/", "/findings", "/static/style.css"]:
        assert client.head(path).status_code < 500


ENDPOINTS = ["/api/claims", "/api/documents", "/api/findings", "/api/stats", "/api/indicators", "/api/health",
             "/", "/findings", "/indicators"]
PARAM_NAMES = sorted({n for p in ENDPOINT_PARAMS.values() for n in p} | {"page", "kind"})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(ENDPOINTS),
       pairs=st.lists(st.tuples(st.one_of(st.sampled_from(PARAM_NAMES), st.text(max_size=12)),
                                st.one_of(st.text(st.characters(blacklist_categories=("Cs",)), max_size=300),
                                          st.integers(-(10**30), 10**30).map(str),
                                          st.dates().map(str))),
                      max_size=6))
def test_any_query_string_is_answered_without_a_5xx(client: httpx.Client, path: str,
                                                    pairs: list[tuple[str, str]]) -> None:
    r = client.get(path + "?" + urlencode(pairs))
    if path.startswith("/api"):
        if r.status_code == 200:
            json.loads(r.text)
        else:
            assert_error(r)
    else:
        assert r.status_code in (200, 400, 404, 422), (pairs, r.status_code)
        assert r.headers["content-type"].startswith("text/html")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(ENDPOINTS), raw=st.binary(max_size=200))
def test_any_bytes_in_the_query_are_answered_without_a_5xx(client: httpx.Client, path: str, raw: bytes) -> None:
    query = quote_from_bytes(raw, safe="=&;%+")  # '%' kept: malformed escapes reach the server as they are
    r = client.get(path + "?" + query)
    assert r.status_code < 500, (raw, r.text[:300])
    if path.startswith("/api") and r.status_code != 200:
        assert_error(r)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc_id=st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=200))
def test_any_document_id_is_a_document_or_a_404(client: httpx.Client, doc_id: str) -> None:
    r = client.get("/api/documents/" + quote(doc_id, safe=""))
    if r.status_code != 200:
        assert_error(r, 404)
    page = client.get("/documents/" + quote(doc_id, safe=""))
    assert page.status_code in (200, 404)
    assert_safe_html(page.text, doc_id)


# --- no request path reaches the filesystem ------------------------------------------------------------

def raw_get(server: Server, target: str, method: str = "GET") -> tuple[int, dict[str, str], str]:
    """One request with ``target`` sent byte for byte (no client-side normalisation of ``..`` or escapes)."""
    host, port = urlsplit(server.url).hostname, urlsplit(server.url).port
    with socket.create_connection((host, port), timeout=30) as s:
        s.sendall(f"{method} {target} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return status, headers, body.decode("utf-8", "replace")


LEAKS = ("[project]", "create_app", "root:x:0:0", "claimledger.web", "[build-system]", "def ")


def assert_no_file_contents(body: str) -> None:
    for marker in LEAKS:
        assert marker not in body, marker


TRAVERSALS = [
    "/static/../pyproject.toml", "/static/../../../../pyproject.toml", "/static/../app.py", "/static/../../web/app.py",
    "/static/%2e%2e/app.py", "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/pyproject.toml", "/static/%2e%2e%2fapp.py",
    "/static/..%2fapp.py", "/static/..%2f..%2f..%2f..%2fpyproject.toml", "/static/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    "/static/..%5capp.py", "/static/..\\app.py", "/static/%252e%252e%252fapp.py", "/static/....//app.py",
    "/static/.%2e/app.py", "/static/%c0%ae%c0%ae/app.py", "/static/%c0%af..%c0%afapp.py",
    "/static//etc/passwd", "/static/%2fetc%2fpasswd", "/static/../../../../../../../../etc/passwd",
    "/static/style.css/../../app.py", "/static/./../app.py", "/static/%00../app.py", "/static/app.py%00.css",
    "/static/../templates/base.html", "/static/%2e%2e/templates/base.html", "/../pyproject.toml",
    "/%2e%2e/pyproject.toml", "/..%2fpyproject.toml", "/static/", "/static", "/static/.", "/static/..",
    "/static/~", "/static/style.css%2f..%2f..%2fapp.py", "/templates/base.html", "/pyproject.toml",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_no_path_reaches_the_filesystem(server: Server, target: str) -> None:
    status, headers, body = raw_get(server, target)
    assert status in (400, 404), (target, status, body[:300])
    assert_no_file_contents(body)


def test_static_files_are_served_and_only_them(server: Server) -> None:
    status, headers, body = raw_get(server, "/static/style.css")
    assert status == 200 and headers["content-type"].startswith("text/css") and "claimledger" in body
    status, headers, body = raw_get(server, "/static/claims.js")
    assert status == 200 and "javascript" in headers["content-type"]
    here = Path(__file__).resolve().parents[1] / "src" / "claimledger" / "web" / "static"
    assert sorted(p.name for p in here.iterdir() if not p.name.startswith(".")) == ["claims.js", "style.css"]


# --- uploads: read-only unless --allow-ingest, and then only with the token -------------------------------

TOKEN = "test-token-0123456789abcdef"
UNIQUE = "quorvantine"  # a word no other document has


@contextmanager
def serve_ingest(db: Path, token: str = TOKEN) -> Iterator[Server]:
    """``claimledger serve --allow-ingest`` with the token in CLAIMLEDGER_TOKEN (not on the command line)."""
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="claimledger-serve-", suffix=".log")[1])
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "CLAIMLEDGER_TOKEN": token}
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "claimledger", "serve", "--db", str(db), "--port",
                                    str(port), "--allow-ingest"], stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, cwd=ROOT, env=env)
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, server.output()
            try:
                if httpx.get(server.url + "/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, server.output()
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.unlink(missing_ok=True)


def upload_docs(n: int = 2, tag: str = "a") -> list[dict[str, str]]:
    return [{"doc_id": f"upload-{tag}-{i}", "title": f"Upload {i}", "outlet": "Uploads", "published": "2024-03-20",
             "url": "file:///etc/passwd",
             "text": f"Kavar {UNIQUE} {tag}{i}\n\nAbout {120 + i} people were evacuated from Kavar on Monday "
                     f"through the {UNIQUE} gate, the office said.\n"} for i in range(n)]


@pytest.fixture(scope="module")
def ingest_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    db = tmp_path_factory.mktemp("ingest") / "ingest.duckdb"
    shutil.copy(shared_ledger(), db)
    with serve_ingest(db) as s:
        yield s, db


def counts(url: str) -> tuple[int, int]:
    stats = httpx.get(url + "/api/stats", timeout=60).json()
    return stats["documents"], stats["claims"]


def test_serve_refuses_allow_ingest_without_a_usable_token(tmp_path: Path) -> None:
    db = shared_ledger()
    env = {k: v for k, v in os.environ.items() if k != "CLAIMLEDGER_TOKEN"}
    for args, env_token, words in [
        (["--allow-ingest"], None, "needs a token"),
        (["--allow-ingest"], "", "needs a token"),
        (["--allow-ingest", "--token", "short"], None, "too short"),
        (["--allow-ingest"], "x" * 15, "too short"),
        (["--allow-ingest", "--token", "with a space inside it"], None, "printable ASCII"),
        (["--token", TOKEN], None, "goes with --allow-ingest"),
    ]:
        done = subprocess.run([sys.executable, "-m", "claimledger", "serve", "--db", str(db), "--port",
                               str(free_port()), *args], capture_output=True, text=True, timeout=60, cwd=ROOT,
                              env={**env, **({"CLAIMLEDGER_TOKEN": env_token} if env_token is not None else {})})
        assert done.returncode == 2, (args, done.stderr)
        assert done.stderr.count("\n") == 1 and words in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr


def test_read_only_server_refuses_every_upload(client: httpx.Client, server: Server) -> None:
    before = counts(server.url)
    for headers in ({}, {"Authorization": f"Bearer {TOKEN}"}, {"Authorization": "Bearer"}):
        r = client.post("/api/ingest", json=upload_docs(1), headers=headers)
        assert_error(r, 403, "ingest_disabled")
    assert_error(client.get("/api/ingest"), 405, "method_not_allowed")
    assert counts(server.url) == before


def test_upload_needs_the_token(ingest_server: tuple[Server, Path]) -> None:
    server, _ = ingest_server
    before = counts(server.url)
    body = upload_docs(1, "auth")
    for headers, status, code in [
        ({}, 401, "unauthorized"),
        ({"Authorization": TOKEN}, 401, "unauthorized"),
        ({"Authorization": f"Basic {TOKEN}"}, 401, "unauthorized"),
        ({"Authorization": "Bearer"}, 401, "unauthorized"),
        ({"Authorization": "Bearer wrong-token-0123456789abcdef"}, 403, "forbidden"),
        ({"Authorization": f"Bearer {TOKEN.upper()}"}, 403, "forbidden"),
        ({"Authorization": f"Bearer {TOKEN[:-1]}"}, 403, "forbidden"),
        ({"Authorization": f"Bearer {TOKEN}x"}, 403, "forbidden"),
        ({"Authorization": "Bearer tökén".encode()}, 403, "forbidden"),
    ]:
        r = httpx.post(server.url + "/api/ingest", json=body, headers=headers, timeout=60)
        assert_error(r, status, code)
        if status == 401:
            assert r.headers["www-authenticate"].startswith("Bearer")
    assert counts(server.url) == before
    assert httpx.get(server.url + "/api/documents/upload-auth-0", timeout=60).status_code == 404


def test_upload_adds_documents_and_claims(ingest_server: tuple[Server, Path]) -> None:
    server, db = ingest_server
    auth = {"Authorization": f"Bearer {TOKEN}"}
    docs_before, claims_before = counts(server.url)
    assert httpx.get(server.url + "/api/claims", params={"q": UNIQUE}, timeout=60).json()["total"] == 0
    r = httpx.post(server.url + "/api/ingest", json=upload_docs(2, "json"), headers=auth, timeout=300)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["read"], body["added"], body["failed"]) == (2, 2, 0) and body["claims_added"] >= 2
    assert [d["doc_id"] for d in body["documents"]] == ["upload-json-0", "upload-json-1"]
    found = httpx.get(server.url + "/api/claims", params={"q": UNIQUE}, timeout=60).json()
    assert found["total"] >= 2 and {c["doc_id"] for c in found["items"]} == {"upload-json-0", "upload-json-1"}
    assert {c["value"] for c in found["items"]} >= {120, 121}
    doc = httpx.get(server.url + "/api/documents/upload-json-1", timeout=60).json()
    assert doc["outlet"] == "Uploads" and doc["url"] == "file:///etc/passwd" and "root:x" not in doc["text"]
    assert counts(server.url) == (docs_before + 2, claims_before + body["claims_added"])

    again = httpx.post(server.url + "/api/ingest", json=upload_docs(2, "json"), headers=auth, timeout=300).json()
    assert (again["read"], again["added"], again["unchanged"]) == (2, 0, 2)  # idempotent, like the command

    one = httpx.post(server.url + "/api/ingest", json=upload_docs(1, "single")[0], headers=auth, timeout=300)
    assert one.status_code == 200 and one.json()["added"] == 1
    jsonl = "".join(json.dumps({**d, "id": d.pop("doc_id")}) + "\n" for d in upload_docs(2, "jsonl"))
    r = httpx.post(server.url + "/api/ingest", content=jsonl.encode(), timeout=300,
                   headers={**auth, "Content-Type": "application/x-ndjson"})
    assert r.status_code == 200 and r.json()["added"] == 2, r.text
    text = upload_docs(1, "text")[0]
    r = httpx.post(server.url + "/api/ingest", content=text["text"].encode(), timeout=300,
                   params={"doc_id": "../../upload-text", "outlet": "Plain"},
                   headers={**auth, "Content-Type": "text/plain; charset=utf-8"})
    assert r.status_code == 200 and r.json()["added"] == 1, r.text
    assert r.json()["documents"][0]["href"] == "/documents/..%2F..%2Fupload-text"  # an id, never a path
    assert httpx.get(server.url + "/api/documents/..%2F..%2Fupload-text", timeout=60).json()["outlet"] == "Plain"
    page = httpx.get(server.url + "/documents/upload-json-0", timeout=60)
    assert page.status_code == 200 and 'class="cl-claim"' in page.text

    with duckdb.connect(str(db), read_only=True) as con:  # in the ledger file itself
        rows = con.execute("SELECT doc_id, source FROM documents WHERE doc_id LIKE 'upload-%' OR doc_id LIKE "
                           "'%upload-text' ORDER BY 1").fetchall()
    assert [r[0] for r in rows] == ["../../upload-text", "upload-json-0", "upload-json-1", "upload-jsonl-0",
                                    "upload-jsonl-1", "upload-single-0"]
    assert {r[1] for r in rows} == {"POST /api/ingest"}


@pytest.mark.parametrize(("content", "content_type", "status", "code"), [
    (b"{not json", "application/json", 400, "invalid_json"),
    (b"[" * 100_000 + b"]" * 100_000, "application/json", 400, "invalid_json"),
    (b"\xff\xfe\x00x", "application/json", 400, "invalid_body"),
    (b"{}", "application/xml", 415, "unsupported_media_type"),
    (b"{}", "", 415, "unsupported_media_type"),
    (b"[]", "application/json", 422, "invalid_documents"),
    (b"42", "application/json", 422, "invalid_documents"),
    (b'{"doc_id": "x"}', "application/json", 422, "invalid_documents"),
    (b'{"doc_id": "x", "text": "   "}', "application/json", 422, "invalid_documents"),
    (b'{"doc_id": "x", "html": "<p>About 5 people</p>"}', "application/json", 422, "invalid_documents"),
    (b'{"doc_id": "", "text": "About 5 people."}', "application/json", 422, "invalid_documents"),
    (b'{"doc_id": "a\\u0000b", "text": "About 5 people."}', "application/json", 422, "invalid_documents"),
    (b'{"doc_id": "x", "text": "About 5 people.", "title": 7}', "application/json", 422, "invalid_documents"),
    (json.dumps({"doc_id": "x" * 513, "text": "About 5 people."}).encode(), "application/json", 422,
     "invalid_documents"),
    (json.dumps([{"doc_id": "dup", "text": "About 5 people."}] * 2).encode(), "application/json", 422,
     "invalid_documents"),
    (json.dumps([{"doc_id": "ok-but-not-stored", "text": "About 5 people."}, {"doc_id": "bad"}]).encode(),
     "application/json", 422, "invalid_documents"),
    (b'{"doc_id": "x", "text": "About 5 people."}\n{oops\n', "application/x-ndjson", 400, "invalid_json"),
    (b"About 5 people were evacuated.", "text/plain", 422, "invalid_documents"),  # no ?doc_id=
    (json.dumps([{"doc_id": f"d{i}", "text": "About 5 people."} for i in range(1001)]).encode(),
     "application/json", 413, "payload_too_large"),
])
def test_bad_uploads_change_nothing(ingest_server: tuple[Server, Path], content: bytes, content_type: str,
                                    status: int, code: str) -> None:
    server, _ = ingest_server
    before = counts(server.url)
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": content_type}
    r = httpx.post(server.url + "/api/ingest", content=content, headers=headers, timeout=120)
    err = assert_error(r, status, code)
    if code == "invalid_documents" and content.startswith(b"{"):
        assert isinstance(err["details"], list) and err["details"][0]["field"]
    assert counts(server.url) == before
    assert httpx.get(server.url + "/api/documents/ok-but-not-stored", timeout=60).status_code == 404


def _raw_post(server: Server, head: dict[str, str], chunks: Iterator[bytes]) -> tuple[int, Any]:
    host, port = urlsplit(server.url).hostname, urlsplit(server.url).port
    lines = ["POST /api/ingest HTTP/1.1", f"Host: {host}:{port}", "Connection: close",
             *(f"{k}: {v}" for k, v in head.items())]
    with socket.create_connection((host, port), timeout=60) as s:
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        try:
            for chunk in chunks:
                s.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered before the body ended
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head_bytes, _, body = data.partition(b"\r\n\r\n")
    status = int(head_bytes.split()[1])
    return status, json.loads(body) if b"application/json" in head_bytes else body


def test_oversize_bodies_are_413(ingest_server: tuple[Server, Path]) -> None:
    from claimledger.web.api import MAX_UPLOAD_BYTES

    server, _ = ingest_server
    before = counts(server.url)
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    # declared far too large: refused from the header, before the body is sent
    status, body = _raw_post(server, {**auth, "Content-Length": str(10**9)}, iter(()))
    assert status == 413 and body["error"]["code"] == "payload_too_large"
    status, body = _raw_post(server, {**auth, "Content-Length": str(10**30)}, iter(()))
    assert status == 400  # refused by uvicorn's HTTP parser before the app
    # chunked, no length: refused once more than the limit has arrived
    piece = b" " * (1024 * 1024)

    def chunked() -> Iterator[bytes]:
        for _ in range(MAX_UPLOAD_BYTES // len(piece) + 1):
            yield f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
        yield b"0\r\n\r\n"

    status, body = _raw_post(server, {**auth, "Transfer-Encoding": "chunked"}, chunked())
    assert status == 413 and body["error"]["status"] == 413
    # a client that sends the whole oversize body gets the same answer
    r = httpx.post(server.url + "/api/ingest", content=b" " * (MAX_UPLOAD_BYTES + 1), headers=auth, timeout=120)
    assert_error(r, 413, "payload_too_large")
    # without the token, the size does not matter: 401 before the body is read
    status, body = _raw_post(server, {"Content-Type": "application/json", "Content-Length": str(10**9)}, iter(()))
    assert status == 401
    assert counts(server.url) == before

"""The JSON API and the HTML pages of ``claimledger serve``, over HTTP against a real server and a real ledger."""
from __future__ import annotations

import datetime as dt
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from html import unescape
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest

from claimledger.model import CONTRACT_FIELDS
from webutil import (
    HOSTILE_FIGURE,
    HOSTILE_ID,
    HOSTILE_META,
    HOSTILE_TEXT,
    IMG,
    ROOT,
    SCRIPT,
    doc_path,
    run_cli,
    serve,
    shared_ledger,
)

ERROR_KEYS = {"status", "code", "message", "details"}
FINDING_KINDS = ("conversion_mismatch", "sum_mismatch", "conflict", "series")


@pytest.fixture(scope="module")
def db() -> Path:
    return shared_ledger()


@pytest.fixture(scope="module")
def client(db: Path) -> Iterator[httpx.Client]:
    with serve(db) as server, httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


def sql(db: Path, query: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(query, params or []).fetchall()


@pytest.fixture(scope="module")
def ledger_claims(db: Path) -> list[dict[str, Any]]:
    """Every claim with its document's fields, read straight from the ledger; the sentence cut in Python."""
    rows = sql(db, 'SELECT c.doc_id, c.start, c."end", c.surface, c.counted, c.event, c.speaker, c.location, '
                   "c.sentence_start, c.sentence_end, d.outlet, d.published_date, d.text "
                   "FROM claims c JOIN documents d USING (doc_id)")
    keys = ("doc_id", "start", "end", "surface", "counted", "event", "speaker", "location", "sentence_start",
            "sentence_end", "outlet", "published_date", "text")
    claims = [dict(zip(keys, r, strict=True)) for r in rows]
    for c in claims:
        c["sentence"] = c["text"][c["sentence_start"]:c["sentence_end"]]
    return claims


def all_items(client: httpx.Client, path: str, params: dict[str, Any]) -> tuple[int, list[dict[str, Any]]]:
    """Every item of a paged endpoint, page by page."""
    items: list[dict[str, Any]] = []
    total = None
    while True:
        r = client.get(path, params={**params, "limit": 500, "offset": len(items)})
        assert r.status_code == 200, r.text
        body = r.json()
        total = body["total"] if total is None else total
        assert body["total"] == total
        items += body["items"]
        if not body["items"] or len(items) >= total:
            return total, items


def assert_error(r: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """The one error shape: {"error": {"status", "code", "message", "details"}}."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"error"}
    err = body["error"]
    assert set(err) == ERROR_KEYS
    assert err["status"] == status
    assert re.fullmatch(r"[a-z]+(_[a-z]+)*", err["code"]), err["code"]
    if code:
        assert err["code"] == code
    assert isinstance(err["message"], str) and err["message"]
    assert err["details"] is None or isinstance(err["details"], (list, dict))
    return err


# --- health, stats, documents ----------------------------------------------------------

def test_health_and_stats_match_the_ledger(client: httpx.Client, db: Path) -> None:
    health = client.get("/api/health").json()
    assert health["status"] == "ok"
    stats = client.get("/api/stats").json()
    (docs, claims, rejections, findings, dups), = sql(
        db, "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM claims), "
            "(SELECT count(*) FROM rejections), (SELECT count(*) FROM findings), "
            "(SELECT count(*) FROM documents WHERE duplicate_of IS NOT NULL)")
    assert (stats["documents"], stats["claims"], stats["rejections"], stats["findings"], stats["duplicates"]) == \
        (docs, claims, rejections, findings, dups)
    assert health["documents"] == docs and health["claims"] == claims
    # `check` stored its findings in this ledger; the server's own run of the checks finds the same number
    assert stats["checks"]["findings"] == findings == sum(stats["checks"]["by_kind"].values())
    assert stats["checks"]["indicators"] > 0


def test_documents_page_through_every_document(client: httpx.Client, db: Path) -> None:
    ids = {r[0] for r in sql(db, "SELECT doc_id FROM documents")}
    seen: list[str] = []
    for offset in range(0, len(ids) + 3, 3):
        body = client.get("/api/documents", params={"limit": 3, "offset": offset}).json()
        assert body["total"] == len(ids) and body["limit"] == 3 and body["offset"] == offset
        assert len(body["items"]) == max(0, min(3, len(ids) - offset))
        seen += [d["doc_id"] for d in body["items"]]
    assert sorted(seen) == sorted(ids)
    assert all("text" not in d for d in client.get("/api/documents").json()["items"])


@pytest.mark.parametrize(("params", "where"), [
    ({"outlet": "HERALD"}, "strpos(lower(outlet), 'herald') > 0"),
    ({"q": "corridor"}, "strpos(lower(title), 'corridor') > 0 OR strpos(lower(text), 'corridor') > 0"),
])
def test_documents_filters_narrow(client: httpx.Client, db: Path, params: dict[str, str], where: str) -> None:
    expected = {r[0] for r in sql(db, f"SELECT doc_id FROM documents WHERE {where}")}
    total, items = all_items(client, "/api/documents", params)
    assert {d["doc_id"] for d in items} == expected
    assert 0 < total == len(expected) < sql(db, "SELECT count(*) FROM documents")[0][0]


def test_documents_search_answers_as_lowering_every_text_did(client: httpx.Client, db: Path) -> None:
    """q= reads the ledger's word index (schema 3): the same documents, in the same order, as the old
    expression (lower-casing title, text and id with DuckDB), here evaluated over the same ledger."""
    old = ("SELECT doc_id FROM documents WHERE strpos(lower(title), lower(?)) > 0 OR strpos(lower(text), lower(?)) > 0 "
           "OR strpos(lower(doc_id), lower(?)) > 0 ORDER BY published_date DESC NULLS LAST, doc_id")
    found = 0
    for q in ("corridor", "CORRIDOR", "Kavar", "evacuated from", "people were", "1,200", "%", "_", "’", ".",
              "<script>", "onerror=", "kavar-corridor", "zzqx-nothing", "İ", "É", "a "):
        expected = [r[0] for r in sql(db, old, [q, q, q])]
        total, items = all_items(client, "/api/documents", {"q": q})
        assert (total, [d["doc_id"] for d in items]) == (len(expected), expected), q
        page = client.get("/api/documents", params={"q": q, "limit": 2, "offset": 1}).json()
        assert (page["total"], [d["doc_id"] for d in page["items"]]) == (len(expected), expected[1:3]), q
        found += bool(expected)
    assert found >= 10


def test_document_detail(client: httpx.Client, db: Path) -> None:
    doc = client.get("/api/documents/kavar-corridor-day2").json()
    (text, outlet, url), = sql(db, "SELECT text, outlet, url FROM documents WHERE doc_id = 'kavar-corridor-day2'")
    assert (doc["text"], doc["outlet"], doc["url"], doc["published_date"]) == (text, outlet, url, "2024-03-06")
    starts = [r[0] for r in sql(db, "SELECT start FROM claims WHERE doc_id = 'kavar-corridor-day2' ORDER BY start")]
    assert [c["start"] for c in doc["claims"]] == starts
    for c in doc["claims"]:
        assert text[c["start"]:c["end"]] == c["surface"]
        assert c["sentence"] == text[c["sentence_start"]:c["sentence_end"]]
        assert c["href"] == f"/documents/kavar-corridor-day2#claim-{c['start']}"
    assert doc["duplicate_of"] is None


def test_document_duplicate_links(client: httpx.Client, db: Path) -> None:
    copy, original, kind = sql(db, "SELECT doc_id, duplicate_of, duplicate_kind FROM documents "
                                   "WHERE duplicate_of IS NOT NULL ORDER BY doc_id")[0]
    got = client.get(f"/api/documents/{copy}").json()
    assert (got["duplicate_of"], got["duplicate_kind"]) == (original, kind)
    assert copy in client.get(f"/api/documents/{original}").json()["duplicates"]


def test_document_with_an_id_that_needs_quoting(client: httpx.Client) -> None:
    odd = HOSTILE_META["id"]
    doc = client.get("/api" + doc_path(odd)).json()
    assert doc["doc_id"] == odd and doc["title"] == HOSTILE_META["title"]
    assert all(c["href"].startswith(doc_path(odd) + "#claim-") for c in doc["claims"])


# --- claims -------------------------------------------------------------------------------

def test_claims_default_page_and_fields(client: httpx.Client, db: Path) -> None:
    body = client.get("/api/claims").json()
    assert body["total"] == sql(db, "SELECT count(*) FROM claims")[0][0]
    assert (body["limit"], body["offset"], len(body["items"])) == (50, 0, 50)
    for item in body["items"]:
        for key in (*CONTRACT_FIELDS, "sentence_start", "sentence_end", "sentence", "outlet", "title", "published"):
            assert key in item, key


def _contains(field: str, needle: str) -> Callable[[dict[str, Any]], bool]:
    return lambda c: c[field] is not None and needle.lower() in c[field].lower()


CLAIM_FILTERS: list[tuple[dict[str, str], Callable[[dict[str, Any]], bool]]] = [
    ({"event": "evacuation"}, lambda c: c["event"] == "evacuation"),
    ({"counted": "PEOPLE"}, _contains("counted", "people")),
    ({"speaker": "haddad"}, _contains("speaker", "haddad")),
    ({"outlet": "Plains"}, _contains("outlet", "plains")),
    ({"location": "kavar"}, _contains("location", "kavar")),
    ({"date_from": "2024-03-07"}, lambda c: c["published_date"] is not None
     and c["published_date"] >= dt.date(2024, 3, 7)),
    ({"date_to": "2024-03-06"}, lambda c: c["published_date"] is not None
     and c["published_date"] <= dt.date(2024, 3, 6)),
    ({"date_from": "2024-03-07", "date_to": "2024-03-07"}, lambda c: c["published_date"] == dt.date(2024, 3, 7)),
    ({"q": "Northern Gate"}, lambda c: "northern gate" in c["surface"].lower()
     or "northern gate" in c["sentence"].lower()),
    ({"q": "more than"}, lambda c: "more than" in c["surface"].lower() or "more than" in c["sentence"].lower()),
    ({"event": "evacuation", "q": "gate"}, lambda c: c["event"] == "evacuation" and "gate" in c["sentence"].lower()),
]


@pytest.mark.parametrize(("params", "keep"), CLAIM_FILTERS, ids=[str(p) for p, _ in CLAIM_FILTERS])
def test_claim_filters_narrow_correctly(client: httpx.Client, ledger_claims: list[dict[str, Any]],
                                        params: dict[str, str], keep: Callable[[dict[str, Any]], bool]) -> None:
    expected = {(c["doc_id"], c["start"]) for c in ledger_claims if keep(c)}
    total, items = all_items(client, "/api/claims", params)
    assert {(c["doc_id"], c["start"]) for c in items} == expected
    assert 0 < total == len(expected) < len(ledger_claims), "the filter should narrow, not empty, the claims"


def test_claims_pagination(client: httpx.Client) -> None:
    total, everything = all_items(client, "/api/claims", {})
    paged: list[tuple[str, int]] = []
    for offset in range(0, total, 7):
        body = client.get("/api/claims", params={"limit": 7, "offset": offset}).json()
        assert body["total"] == total and body["offset"] == offset
        paged += [(c["doc_id"], c["start"]) for c in body["items"]]
    assert paged == [(c["doc_id"], c["start"]) for c in everything]
    assert len(set(paged)) == total
    past = client.get("/api/claims", params={"offset": total + 10}).json()
    assert past["items"] == [] and past["total"] == total


# --- findings and indicators -------------------------------------------------------------------

def test_findings_and_kind_filter(client: httpx.Client, db: Path) -> None:
    body = client.get("/api/findings").json()
    assert body["total"] == len(body["items"]) == sql(db, "SELECT count(*) FROM findings")[0][0] > 0
    stored = {r[0]: r[1] for r in sql(db, "SELECT kind, count(*) FROM findings GROUP BY kind")}
    claims = {(r[0], r[1]) for r in sql(db, "SELECT doc_id, start FROM claims")}
    for f in body["items"]:
        assert f["kind"] in FINDING_KINDS and f["message"]
        assert {"primary_sources", "outlets", "single_primary_source"} <= set(f)
        for ref in f["claims"]:
            assert (ref["doc_id"], ref["start"]) in claims
    for kind in FINDING_KINDS:
        got = client.get("/api/findings", params={"kind": kind}).json()
        assert got["total"] == stored.get(kind, 0)
        assert all(f["kind"] == kind for f in got["items"])


def test_indicators_list_and_series(client: httpx.Client, db: Path) -> None:
    body = client.get("/api/indicators").json()
    assert body["total"] == len(body["items"]) > 0
    for item in body["items"]:
        assert {"key", "label", "points", "documents", "primary_sources", "outlets",
                "single_primary_source"} <= set(item)
        assert item["single_primary_source"] == (len(item["primary_sources"]) == 1)
    # every claim that is not a unit conversion of another sits in exactly one indicator
    assert sum(i["points"] for i in body["items"]) <= sql(db, "SELECT count(*) FROM claims")[0][0]
    top = body["items"][0]
    series = client.get(f"/api/indicators/{top['key']}").json()
    assert series["key"] == top["key"] and len(series["points"]) == top["points"]
    assert len({p["doc_id"] for p in series["points"]}) == top["documents"]
    for p in series["points"]:
        assert {"doc_id", "start", "surface", "value", "date", "speaker", "source", "outlet", "usable"} <= set(p)
        assert p["href"].endswith(f"#claim-{p['start']}")


# --- the error shape -----------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "path", "status", "code", "parameter"), [
    ("GET", "/api/documents/no-such-document", 404, "document_not_found", None),
    ("GET", "/api/no-such-route", 404, "not_found", None),
    ("GET", "/api/indicators/no-such-key", 404, "indicator_not_found", None),
    ("GET", "/api/claims?limit=0", 422, "invalid_parameters", "limit"),
    ("GET", "/api/claims?limit=10000", 422, "invalid_parameters", "limit"),
    ("GET", "/api/claims?offset=-1", 422, "invalid_parameters", "offset"),
    ("GET", "/api/claims?limit=ten", 422, "invalid_parameters", "limit"),
    ("GET", "/api/claims?date_from=notadate", 422, "invalid_parameters", "date_from"),
    ("GET", "/api/claims?date_to=2024-13-45", 422, "invalid_parameters", "date_to"),
    ("GET", "/api/claims?event=nonsense", 422, "invalid_parameters", "event"),
    ("GET", "/api/findings?kind=nonsense", 422, "invalid_parameters", "kind"),
    ("GET", "/api/documents?limit=501", 422, "invalid_parameters", "limit"),
    ("GET", "/api/documents?offset=-5", 422, "invalid_parameters", "offset"),
    ("GET", "/api/claims?q=" + "x" * 201, 422, "invalid_parameters", "q"),
    ("GET", "/api/claims?date_from=2024-03-08&date_to=2024-03-01", 400, "invalid_parameter", "date_from"),
    ("POST", "/api/claims", 405, "method_not_allowed", None),
    ("DELETE", "/api/documents/kavar-corridor-day2", 405, "method_not_allowed", None),
])
def test_error_shape(client: httpx.Client, method: str, path: str, status: int, code: str,
                     parameter: str | None) -> None:
    err = assert_error(client.request(method, path), status, code)
    if parameter:
        assert isinstance(err["details"], list)
        assert parameter in {d["parameter"] for d in err["details"]}
        assert parameter in err["message"]


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_error_shape_for_an_unexpected_exception_and_an_unreadable_ledger(db: Path, tmp_path: Path) -> None:
    """The catch-all (500) and the ledger-unavailable (503) mappings, on the real app in process."""
    from fastapi.testclient import TestClient

    from claimledger.web.app import create_app

    app = create_app(str(db))

    @app.get("/api/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as c:
        err = assert_error(c.get("/api/boom"), 500, "internal_error")
        assert "secret internals" not in err["message"]
    with TestClient(create_app(str(tmp_path / "missing.duckdb"))) as c:
        assert_error(c.get("/api/health"), 503, "ledger_unavailable")
        assert_error(c.get("/api/claims"), 503, "ledger_unavailable")
        page = c.get("/")
        assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")


# --- OpenAPI and the offline docs page ------------------------------------------------------------

ENDPOINTS = ("/api/health", "/api/stats", "/api/documents", "/api/documents/{doc_id}", "/api/claims",
             "/api/findings", "/api/indicators", "/api/indicators/{key}")


def test_openapi_lists_every_endpoint(client: httpx.Client) -> None:
    schema = client.get("/openapi.json").json()
    assert set(ENDPOINTS) <= set(schema["paths"])
    names = {p["name"] for p in schema["paths"]["/api/claims"]["get"]["parameters"]}
    assert names == {"event", "counted", "speaker", "outlet", "location", "date_from", "date_to", "q", "limit",
                     "offset"}
    assert not any(path == "/" or path.startswith("/documents") for path in schema["paths"])  # pages stay out
    for path in ("/docs", "/redoc"):  # FastAPI's CDN-backed pages are off
        assert client.get(path).status_code == 404


def test_api_docs_page_is_offline_and_complete(client: httpx.Client) -> None:
    r = client.get("/api/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    for ref in re.findall(r'(?:src|href)="([^"]*)"', html):
        assert ref.startswith(("/", "#")), ref
    for path in ENDPOINTS:
        assert path in html
    schema = client.get("/openapi.json").json()
    for ops in schema["paths"].values():
        for op in ops.values():
            for p in op.get("parameters", []):
                assert f"<code>{p['name']}</code>" in html


# --- hostile text ------------------------------------------------------------------------------------

def test_hostile_text_comes_back_as_json_text(client: httpx.Client) -> None:
    doc = client.get(f"/api/documents/{HOSTILE_ID}").json()
    assert doc["text"] == HOSTILE_TEXT
    figure = HOSTILE_TEXT.index("More than 300")
    claim = next(c for c in doc["claims"] if c["start"] == figure)
    assert (claim["surface"], claim["value"], claim["event"]) == ("More than 300", 300, "evacuation")
    assert claim["sentence"] == HOSTILE_FIGURE
    found = client.get("/api/claims", params={"q": "window.pwned"}).json()
    assert found["total"] > 0 and all("window.pwned" in c["sentence"] for c in found["items"])


def _assert_escaped(html: str) -> None:
    """No markup from the data survives as markup (the pages themselves use no <img> and no <b>)."""
    assert SCRIPT not in html and IMG not in html
    for tag in ("<img", "<svg onload", "<b>", "<i>arrives"):
        assert tag not in html, tag
    assert 'href="javascript:' not in html.lower()


def test_hostile_document_page_is_escaped(client: httpx.Client) -> None:
    r = client.get(f"/documents/{HOSTILE_ID}")
    assert r.status_code == 200
    html = r.text
    _assert_escaped(html)
    assert f'id="claim-{HOSTILE_TEXT.index("More than 300")}"' in html
    # the article is the text exactly, escaped, with only marks and their popups added
    article = re.search(r'<div class="cl-text" id="cl-text">(.*?)</div>', html, re.S)
    assert article
    plain = re.sub(r"<mark [^>]*>", "", re.sub(r'<span class="cl-pop".*?</span></mark>', "", article.group(1)))
    assert "<" not in plain and ">" not in plain
    assert unescape(plain) == HOSTILE_TEXT


def test_hostile_metadata_is_escaped_and_not_linked(client: httpx.Client) -> None:
    r = client.get(doc_path(HOSTILE_META["id"]))
    assert r.status_code == 200
    html = r.text
    _assert_escaped(html)
    assert "<b>Bold</b>" not in html and "&lt;b&gt;Bold&lt;/b&gt;" in html
    assert "javascript:window.pwned=1" in html  # shown as text, never as a link
    assert '"><img' not in html


@pytest.mark.parametrize("path", ["/", "/?q=pwned", "/findings", "/indicators", "/api/docs"])
def test_pages_never_carry_hostile_markup(client: httpx.Client, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    _assert_escaped(r.text)
    assert "script-src 'self'" in r.headers["content-security-policy"]


# --- HTML pages without JavaScript ------------------------------------------------------------------------

def test_claims_page_filters_on_the_server(client: httpx.Client) -> None:
    params = {"event": "evacuation", "q": "gate"}
    html = client.get("/", params=params).text
    rows = re.findall(r'<tr data-doc="([^"]*)" data-start="(\d+)">', html)
    _, items = all_items(client, "/api/claims", params)
    assert [(d, int(s)) for d, s in rows] == [(c["doc_id"], c["start"]) for c in items]
    for c in items:
        assert f'<a href="/documents/{c["doc_id"]}#claim-{c["start"]}">' in html
    everything = client.get("/").text
    assert everything.count("<tr data-doc=") == 50 and 'rel="next"' in everything
    bad = client.get("/", params={"date_from": "notadate"})
    assert bad.status_code == 400 and "not a date" in bad.text


def test_unknown_document_and_page_are_html_404s(client: httpx.Client) -> None:
    r = client.get("/documents/no-such-document")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "no-such-document" in r.text and "no document" in r.text
    r = client.get("/no-such-page")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")


def test_findings_and_indicator_pages(client: httpx.Client) -> None:
    html = client.get("/findings").text
    findings = client.get("/api/findings").json()["items"]
    assert html.count('class="cl-finding"') == len(findings)
    for f in findings:
        for ref in f["claims"]:
            assert f'href="{ref["href"]}"' in html
    key = client.get("/api/indicators").json()["items"][0]["key"]
    page = client.get(f"/indicators/{key}").text
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="cl-chart"' in page and 'class="cl-point' in page
    assert client.get("/indicators/no-such-key").status_code == 404
    assert client.get("/findings?kind=nonsense").status_code == 400


# --- the ledger changes while it is served; the command itself ------------------------------------------------

def test_reingest_shows_without_restart(db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "live.duckdb"
    shutil.copy(db, copy)
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "kavar-late.txt").write_text(
        "Kavar late update\n\nAbout 7,700 people were evacuated from Kavar on Friday through the zephyrine gate, "
        "Leila Haddad said.\n", encoding="utf-8")
    with serve(copy) as server, httpx.Client(base_url=server.url, timeout=60) as c:
        assert "claimledger: serving" in server.output() and server.url + "/" in server.output()
        before = c.get("/api/stats").json()
        indicators_before = {i["key"]: i["points"] for i in c.get("/api/indicators").json()["items"]}
        assert c.get("/api/claims", params={"q": "zephyrine"}).json()["total"] == 0
        done = run_cli("ingest", extra, "--db", copy, "--quiet")  # the server must not hold the write lock
        assert done.returncode == 0, done.stderr
        after = c.get("/api/stats").json()
        assert after["documents"] == before["documents"] + 1
        assert after["claims"] > before["claims"]
        assert c.get("/api/claims", params={"q": "zephyrine"}).json()["total"] >= 1
        indicators_after = {i["key"]: i["points"] for i in c.get("/api/indicators").json()["items"]}
        assert sum(indicators_after.values()) > sum(indicators_before.values())  # the checks were recomputed
        assert c.get("/api/documents/kavar-late").json()["doc_id"] == "kavar-late"
        copy.unlink()  # a ledger gone from under the server: 503 in the error shape, and the server lives on
        assert_error(c.get("/api/claims"), 503, "ledger_unavailable")
        assert c.get("/api/health").status_code == 503


def test_serve_refuses_a_missing_ledger_a_bad_port_and_a_busy_port(tmp_path: Path, db: Path) -> None:
    missing = run_cli("serve", "--db", tmp_path / "none.duckdb")
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1 and "no such ledger" in missing.stderr
    bad = run_cli("serve", "--db", db, "--port", "70000")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        taken = run_cli("serve", "--db", db, "--port", port, timeout=60)
    assert taken.returncode == 2 and taken.stderr.count("\n") == 1 and "cannot listen" in taken.stderr


def test_serve_is_registered_in_the_command() -> None:
    done = subprocess.run([sys.executable, "-m", "claimledger", "serve", "--help"], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert done.returncode == 0 and "--port" in done.stdout and "--db" in done.stdout

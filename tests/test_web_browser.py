"""The web UI in a real browser (Debian's chromium through Playwright) against a real ``claimledger serve``.

Every request that is not to the local server is aborted and recorded: the pages
must work, and the test fails, if anything reaches for a CDN.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect, sync_playwright

from webutil import HOSTILE_FIGURE, HOSTILE_ID, HOSTILE_META, SCRIPT, Server, doc_path, serve, shared_ledger

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 15_000

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with serve(shared_ledger()) as s:
        yield s


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


class Watch:
    """What a page did that it must not: requests off the local server, script errors, CSP violations."""

    def __init__(self) -> None:
        self.blocked: list[str] = []
        self.errors: list[str] = []

    def check(self) -> None:
        assert self.blocked == [], f"requests to other hosts: {self.blocked}"
        assert self.errors == [], f"page errors: {self.errors}"


def _context(browser: Browser, server: Server, javascript: bool = True) -> tuple[BrowserContext, Page, Watch]:
    watch = Watch()
    context = browser.new_context(base_url=server.url, java_script_enabled=javascript,
                                  viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)

    def route(r: Route) -> None:
        url = r.request.url
        if url.startswith(server.url + "/"):
            r.continue_()
        else:
            watch.blocked.append(url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda exc: watch.errors.append(str(exc)))
    page.on("console", lambda msg: watch.errors.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text else None)
    return context, page, watch


@pytest.fixture
def page(browser: Browser, server: Server) -> Iterator[tuple[Page, Watch]]:
    context, page, watch = _context(browser, server)
    yield page, watch
    context.close()
    watch.check()


def api_total(server: Server, **params: str) -> int:
    return httpx.get(server.url + "/api/claims", params=params, timeout=30).json()["total"]


def column(page: Page, index: int) -> list[str]:
    return page.locator(f"#claims tbody tr td:nth-child({index})").all_inner_texts()


def test_claims_table_filters_in_place(page: tuple[Page, Watch], server: Server) -> None:
    p, _ = page
    p.goto("/")
    total = api_total(server)
    assert p.locator("#claims-total").inner_text() == str(total)
    assert p.locator("#claims tbody tr").count() == 50
    p.evaluate("window.notReloaded = true")

    p.select_option("select[name=event]", "evacuation")
    evacuations = api_total(server, event="evacuation")
    expect(p.locator("#claims-total")).to_have_text(str(evacuations))
    assert 0 < evacuations < total
    assert set(column(p, 4)) == {"evacuation"}

    p.fill("input[name=q]", "gate")
    p.press("input[name=q]", "Enter")
    both = api_total(server, event="evacuation", q="gate")
    expect(p.locator("#claims-total")).to_have_text(str(both))
    assert 0 < both < evacuations
    rows = p.locator("#claims tbody tr")
    assert rows.count() == both
    assert set(column(p, 4)) == {"evacuation"}
    assert all("gate" in s.lower() for s in column(p, 9))
    assert p.evaluate("window.notReloaded") is True, "the table should filter without a reload"
    assert "event=evacuation" in p.url and "q=gate" in p.url


def test_claims_table_pages_in_place(page: tuple[Page, Watch], server: Server) -> None:
    p, _ = page
    p.goto("/")
    first = p.locator("#claims tbody tr").first.get_attribute("data-start")
    first_doc = p.locator("#claims tbody tr").first.get_attribute("data-doc")
    p.evaluate("window.notReloaded = true")
    p.click("#claims-pager a[rel=next]")
    expect(p.locator("#claims")).to_have_attribute("data-offset", "50")
    assert "page 2 of" in p.locator("#claims-pager").inner_text()
    api = httpx.get(server.url + "/api/claims", params={"offset": 50}, timeout=30).json()["items"]
    rows = p.locator("#claims tbody tr")
    assert [(rows.nth(i).get_attribute("data-doc"), int(rows.nth(i).get_attribute("data-start")))
            for i in range(rows.count())] == [(c["doc_id"], c["start"]) for c in api]
    assert rows.first.get_attribute("data-start") != first or rows.first.get_attribute("data-doc") != first_doc
    assert p.evaluate("window.notReloaded") is True


def test_filter_form_works_without_javascript(browser: Browser, server: Server) -> None:
    context, p, watch = _context(browser, server, javascript=False)
    try:
        p.goto("/")
        p.select_option("select[name=event]", "evacuation")
        p.fill("input[name=q]", "gate")
        with p.expect_navigation():
            p.click("button[type=submit]")
        assert "event=evacuation" in p.url
        assert p.locator("#claims tbody tr").count() == api_total(server, event="evacuation", q="gate")
        assert set(column(p, 4)) == {"evacuation"}
    finally:
        context.close()
    watch.check()


def test_figure_link_lands_on_the_highlighted_claim(page: tuple[Page, Watch], server: Server) -> None:
    p, _ = page
    p.goto("/?speaker=Haddad")
    row = p.locator("#claims tbody tr").first
    doc, start = row.get_attribute("data-doc"), row.get_attribute("data-start")
    claim = next(c for c in httpx.get(f"{server.url}/api/documents/{doc}", timeout=30).json()["claims"]
                 if str(c["start"]) == start)
    with p.expect_navigation():
        row.locator("td.cl-fig a").click()
    assert p.url.endswith(f"{doc_path(doc)}#claim-{start}")
    assert p.evaluate("document.querySelector(':target') && document.querySelector(':target').id") == \
        f"claim-{start}"
    mark = p.locator(f"mark#claim-{start}")
    assert mark.is_visible()
    box = mark.bounding_box()
    assert box and box["width"] > 0 and box["height"] > 0 and 0 <= box["y"] < 800, "scrolled into view"
    other = p.locator("mark.cl-claim:not(:target)").first
    style = "e => getComputedStyle(e).backgroundColor"
    assert mark.evaluate(style) != other.evaluate(style), "the target claim is highlighted"

    pop = mark.locator(".cl-pop")
    # landing on a claim focuses it (it is focusable), so its popup shows at once
    assert p.evaluate("document.activeElement.id") == f"claim-{start}"
    assert pop.is_visible()
    text = pop.inner_text()
    assert claim["speaker"] and claim["speaker"] in text
    assert f"{claim['value']:,}" in text
    mark.blur()
    p.mouse.move(0, 0)
    assert not pop.is_visible()
    mark.hover()  # hovering shows it too
    assert pop.is_visible() and claim["speaker"] in pop.inner_text()

    p.mouse.move(0, 0)
    assert not pop.is_visible()
    other.focus()  # keyboard users get the same popup
    assert other.locator(".cl-pop").is_visible()


def test_hostile_document_is_text(page: tuple[Page, Watch], server: Server) -> None:
    p, _ = page
    p.goto(f"/documents/{HOSTILE_ID}")
    assert p.evaluate("typeof window.pwned") == "undefined"
    article = p.locator("#cl-text")
    assert article.is_visible()
    shown = article.inner_text()
    assert SCRIPT in shown and '<img src=x onerror="window.pwned=1">' in shown and HOSTILE_FIGURE in shown
    assert p.locator("#cl-text img, #cl-text script").count() == 0
    assert p.locator("mark.cl-claim", has_text="More than 300").is_visible()

    p.goto(doc_path(HOSTILE_META["id"]))
    assert p.evaluate("typeof window.pwned") == "undefined"
    assert p.locator("h1").inner_text() == HOSTILE_META["title"]
    assert p.locator("a[href^='javascript']").count() == 0
    assert p.locator(".cl-url").inner_text() == HOSTILE_META["url"]


def test_findings_page_quotes_and_links(page: tuple[Page, Watch]) -> None:
    p, _ = page
    p.goto("/findings")
    findings = p.locator("article.cl-finding")
    assert findings.count() > 0
    first = findings.first
    assert first.locator("blockquote mark.cl-quoted").first.is_visible()
    link = first.locator("a.cl-claim-link").first
    href = link.get_attribute("href")
    with p.expect_navigation():
        link.click()
    target = re.search(r"#(claim-\d+)$", href or "")
    assert target and p.evaluate("document.querySelector(':target').id") == target.group(1)


def test_indicator_chart_renders_and_links(page: tuple[Page, Watch]) -> None:
    p, _ = page
    p.goto("/indicators")
    with p.expect_navigation():
        p.locator("#indicators tbody tr a").first.click()
    chart = p.locator("svg.cl-chart")
    box = chart.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 50
    points = p.locator("svg.cl-chart circle.cl-point")
    assert points.count() > 0
    for i in range(points.count()):
        b = points.nth(i).bounding_box()
        assert b and b["width"] > 0 and b["height"] > 0
    assert p.locator("#points tbody tr").count() >= points.count()
    with p.expect_navigation():
        points.first.click()
    assert re.search(r"/documents/[^#]+#claim-\d+$", p.url)
    assert p.evaluate("document.querySelector(':target').tagName") == "MARK"


def test_hostile_metadata_and_reflected_values_never_run(page: tuple[Page, Watch]) -> None:
    """Title, outlet and url of the hostile record, and markup sent in the URL, show as text; no script runs.

    A violation of the page's CSP (an inline script or handler that got through) fails the test too
    (the ``page`` fixture's watch)."""
    p, _ = page
    p.goto(doc_path(HOSTILE_META["id"]))
    meta = p.locator("dl").first
    assert HOSTILE_META["outlet"] in meta.inner_text()
    assert p.locator("h1").inner_text() == HOSTILE_META["title"]
    assert p.locator(".cl-url").inner_text() == HOSTILE_META["url"]
    assert p.locator("a[href^='javascript'], img, iframe, svg:not(.cl-chart)").count() == 0
    for path in ["/?q=%22%3E%3Cimg%20src%3Dx%20onerror%3Dwindow.pwned%3D1%3E",
                 "/?event=%3Cscript%3Ewindow.pwned%3D1%3C%2Fscript%3E",
                 "/documents/%3Cscript%3Ewindow.pwned%3D1%3C%2Fscript%3E",
                 "/findings?kind=%3Cimg%20src%3Dx%20onerror%3Dwindow.pwned%3D1%3E", "/", "/findings", "/indicators"]:
        p.goto(path)
        assert p.evaluate("typeof window.pwned") == "undefined", path
        assert p.locator("img, iframe, script:not([src])").count() == 0, path
    p.goto("/?q=%22%3E%3Cimg%20src%3Dx%20onerror%3Dwindow.pwned%3D1%3E")
    assert p.locator("input[name=q]").input_value() == '"><img src=x onerror=window.pwned=1>'

"""The report in a real browser: headless Debian Chromium through Playwright, offline, with a hostile document."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from test_report import make_report_files

CHROMIUM = "/usr/bin/chromium"  # the system's browser: never `playwright install`
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason=f"{CHROMIUM} is not installed")


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _, page = make_report_files(tmp_path_factory.mktemp("browser"))
    return page


@pytest.fixture()
def browser_page() -> Any:
    """A fresh page that may load file:// URLs only; every other request is aborted and recorded."""
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.blocked = []  # type: ignore[attr-defined]
            page.console = []  # type: ignore[attr-defined]

            def route(r: Any) -> None:
                if r.request.url.startswith("file://"):
                    r.continue_()
                else:
                    page.blocked.append(r.request.url)  # type: ignore[attr-defined]
                    r.abort()

            page.route("**/*", route)
            page.on("console", lambda m: page.console.append(f"{m.type}: {m.text}"))  # type: ignore[attr-defined]
            page.on("dialog", lambda d: (page.console.append(f"dialog: {d.message}"), d.dismiss()))  # type: ignore[attr-defined]
            yield page
        finally:
            browser.close()


def test_report_renders_offline_with_visible_charts(page_file: Path, browser_page: Any, tmp_path: Path) -> None:
    page = browser_page
    page.goto(page_file.as_uri())
    assert page.title().startswith("claimledger report:")
    charts = page.locator("svg.cl-chart")
    assert charts.count() >= 1
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 50
    points = page.locator("svg.cl-chart circle.cl-point")
    assert points.count() >= 2
    points.first.scroll_into_view_if_needed()
    assert points.first.is_visible()
    box = points.first.bounding_box()
    assert box is not None and box["width"] > 0 and box["height"] > 0
    assert page.locator("svg.cl-bar-chart rect.cl-bar").count() >= 1
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert page.blocked == []  # the page asked for nothing outside its own file
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert not [m for m in page.console if "Refused" in m or m.startswith(("error", "dialog"))], page.console


def test_clicking_a_chart_point_goes_to_its_quote(page_file: Path, browser_page: Any) -> None:
    page = browser_page
    page.goto(page_file.as_uri())
    link = page.locator("svg.cl-chart a.cl-point-link").first
    href = link.get_attribute("href")
    assert href and href.startswith("#claim-")
    link.locator("circle").click()
    page.wait_for_function("h => location.hash === h", arg=href)
    target = page.locator(f"[id='{href[1:]}']")
    assert target.count() == 1 and target.evaluate("e => e.matches(':target')")
    assert target.locator("mark").count() == 1 and target.is_visible()
    # the quote scrolled into view
    assert page.evaluate(f"document.getElementById('{href[1:]}').getBoundingClientRect().top") < 900


def test_hostile_document_does_not_run(page_file: Path, browser_page: Any) -> None:
    page = browser_page
    page.goto(page_file.as_uri())
    page.mouse.move(10, 10)
    hostile = page.locator("blockquote", has_text="pwned").all()
    assert len(hostile) >= 3
    for el in hostile:  # hover everything an onmouseover could hide in
        el.hover()
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.evaluate("document.scripts.length") == 0
    assert page.evaluate("document.images.length") == 0
    body = page.evaluate("document.body.innerText")
    assert "<script>window.pwned=1</script> More than 300 people" in body
    assert '<img src=x onerror="window.pwned=1">' in body
    assert page.blocked == []

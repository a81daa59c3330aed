"""The situation report: its inline SVG charts, and the page ``claimledger report`` writes from a real ledger."""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from claimledger.check import IndicatorSeries
from claimledger.ledger import Ledger
from claimledger.report import build_report
from claimledger.report.build import claim_anchor
from claimledger.report.charts import bar_chart_svg, indicator_chart_svg, safe_href, usable_points
from conftest import EXAMPLE_CORPUS

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '</svg><script>alert(1)</script>'


def _point(doc_id: str, start: int, value: float | None, date: str | None, **kw: Any) -> dict[str, Any]:
    p = {"doc_id": doc_id, "start": start, "end": start + 5, "surface": str(value), "value": value,
         "high": None, "qualifier": "exact", "unit": "count", "date": date, "period": {}, "speaker": None,
         "source": "Relief Office", "outlet": "Herald", "copy": False, "usable": True}
    p.update(kw)
    return p


def _series(points: list[dict[str, Any]], label: str = "people, evacuation, Kavar") -> IndicatorSeries:
    return IndicatorSeries(key="abc123", indicator={"label": label}, points=tuple(points),
                           primary_sources=("Relief Office",), outlets=("Herald",))


SERIES = _series([
    _point("day2", 10, 3400, "2024-03-06"),
    _point("day3", 20, 3900, "2024-03-07", qualifier="over", surface="more than 3,900"),
    _point("day3-copy", 20, 3900, "2024-03-07", copy=True, usable=False),
    _point("brief", 30, 5000, "2024-03-07", qualifier="range", high=5200, surface="5,000 to 5,200"),
    _point("undated-a", 40, 6400, None, qualifier="approx", surface="about 6,400"),
    _point("undated-b", 50, 100, None, qualifier="at_most", surface="at most 100"),
    _point("vague", 60, None, None, qualifier="vague", usable=False),
])


def test_chart_is_well_formed_svg_with_one_circle_per_usable_point() -> None:
    svg = indicator_chart_svg(SERIES)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("class") == "cl-chart" and root.get("data-indicator") == "abc123"
    circles = root.findall(f".//{SVG}circle")
    assert len(circles) == len(usable_points(SERIES)) == 5
    assert all("cl-point" in c.get("class", "").split() for c in circles)
    assert {(c.get("data-doc"), c.get("data-start")) for c in circles} == {
        ("day2", "10"), ("day3", "20"), ("brief", "30"), ("undated-a", "40"), ("undated-b", "50")}
    assert "day3-copy" not in svg and "<script" not in svg
    # a line through the dated points, qualifiers on the markers, undated points labelled by doc_id
    assert len(root.findall(f".//{SVG}polyline")) == 1
    assert root.findall(f".//{SVG}path[@class='cl-q-up']") and root.findall(f".//{SVG}path[@class='cl-q-down']")
    assert root.findall(f".//{SVG}line[@class='cl-q-range']")
    hollow = [c for c in circles if c.get("data-doc") == "undated-a"][0]
    assert hollow.get("fill") == "#ffffff"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "undated-a" in texts and "undated" in texts and "0" in texts  # counts start at zero


def test_undated_points_come_after_dated_ones() -> None:
    root = ET.fromstring(indicator_chart_svg(SERIES))
    xs = {c.get("data-doc"): float(c.get("cx", 0)) for c in root.iter(f"{SVG}circle")}
    assert xs["day2"] < xs["day3"] < xs["undated-a"] < xs["undated-b"]
    assert max(xs["day2"], xs["day3"], xs["brief"]) < min(xs["undated-a"], xs["undated-b"])


def test_points_link_where_href_gives_a_url_with_a_tooltip() -> None:
    svg = indicator_chart_svg(SERIES, href=lambda p: None if p["doc_id"] == "brief"
                              else f"#claim-{p['doc_id']}-{p['start']}")
    root = ET.fromstring(svg)
    links = root.findall(f".//{SVG}a")
    assert sorted(a.get("href") for a in links) == ["#claim-day2-10", "#claim-day3-20", "#claim-undated-a-40",
                                                    "#claim-undated-b-50"]
    tips = [a.find(f"{SVG}title").text for a in links]
    assert "over 3,900 “more than 3,900” — Relief Office, Herald, 2024-03-07" in tips
    assert all(a.find(f"{SVG}circle") is not None for a in links)


def test_hostile_text_stays_text() -> None:
    evil = _point(HOSTILE, 1, 7, "2024-01-01", surface=HOSTILE, source=HOSTILE, outlet='"><b onmouseover=x>')
    series = _series([evil, _point("ok", 2, 9, None)], label=HOSTILE)
    svg = indicator_chart_svg(series, href=lambda p: f"#claim-{p['doc_id']}", title=HOSTILE)
    root = ET.fromstring(svg)  # one element: nothing closed it early
    assert "<script" not in svg and svg.count("</svg>") == 1 and svg.endswith("</svg>")
    assert "&lt;script&gt;" in svg
    assert root.find(f"{SVG}title").text == HOSTILE
    assert not any(el.tag.endswith(("script", "b", "foreignObject")) for el in root.iter())
    # javascript: links are dropped, the point is still drawn
    svg = indicator_chart_svg(series, href=lambda p: "javascript:alert(1)")
    assert "javascript" not in svg and len(ET.fromstring(svg).findall(f".//{SVG}circle")) == 2
    assert safe_href(" JavaScript:alert(1)") is None and safe_href("data:text/html,x") is None
    assert safe_href("/documents/a%3Ab#claim-3") == "/documents/a%3Ab#claim-3"
    assert safe_href("https://example.org/x") == "https://example.org/x"


def test_empty_series_gives_a_small_no_data_chart() -> None:
    for series in (_series([]), _series([_point("c", 1, 5, None, copy=True), _point("v", 2, 5, None, usable=False)])):
        svg = indicator_chart_svg(series)
        root = ET.fromstring(svg)
        assert "cl-chart" in root.get("class", "").split() and root.get("data-indicator") == "abc123"
        assert int(root.get("height")) <= 60 and "no data" in svg
        assert root.find(f".//{SVG}circle") is None


def test_one_point_one_date_and_equal_values_draw() -> None:
    for points in ([_point("a", 1, 12, "2024-03-01")], [_point("a", 1, 0, None)],
                   [_point("a", 1, 5, "2024-03-01"), _point("b", 2, 5, "2024-03-01")],
                   [_point("a", 1, 2.5, "2024-03-01", unit="km2"), _point("b", 2, 2.5, "2024-05-01", unit="km2")]):
        root = ET.fromstring(indicator_chart_svg(_series(points)))
        circles = root.findall(f".//{SVG}circle")
        assert len(circles) == len(points)
        # two points on one spot are spread apart so both can be hovered and clicked
        assert len({(c.get("cx"), c.get("cy")) for c in circles}) == len(points)


def test_bar_chart() -> None:
    rows = [("Sardan Herald", 12), (HOSTILE, 3.5), ("Plains Daily", 0)]
    svg = bar_chart_svg(rows, title="claims per outlet", href=lambda label: "#outlet-x")
    root = ET.fromstring(svg)
    assert root.get("class") == "cl-bar-chart"
    bars = root.findall(f".//{SVG}rect")
    assert len(bars) == 3 and float(bars[0].get("width")) > float(bars[1].get("width")) > 0
    assert float(bars[2].get("width")) == 0
    assert "<script" not in svg and "3.5" in svg
    empty = ET.fromstring(bar_chart_svg([]))
    assert "no data" in "".join(empty.itertext())


# --- the report, written by the real command from a real ledger ----------------------------------------------

HOSTILE_TXT = ('<script>window.pwned=1</script> More than 300 people were evacuated from Kavar on Monday, '
               '<img src=x onerror="window.pwned=1"> officials said.\n\n'
               'A second convoy of 12 trucks left Kavar, the </svg><script>window.pwned=2</script> council said.\n')
HOSTILE_JSONL = json.dumps({
    "id": "evil-json", "title": "<script>window.pwned=3</script> Title", "outlet": '<img src=x onerror="pwned=4">',
    "url": "javascript:window.pwned=5", "published": "2024-03-07",
    "text": 'About 4,100 people were evacuated from Kavar on Thursday, <b onmouseover="window.pwned=6">'
            'officials</b> said.'}) + "\n"
HOSTILE_DOC_ID = 'hostile <b>&"doc"'
SERVE = "http://localhost:8000"


def make_report_files(root: Path, serve_url: str | None = None) -> tuple[Path, Path]:
    """Ingest the example corpus plus hostile and broken inputs, check, and write the report: (ledger, page)."""
    extra = root / "extra"
    extra.mkdir()
    (extra / f"{HOSTILE_DOC_ID}.txt").write_text(HOSTILE_TXT, encoding="utf-8")
    (extra / "evil.jsonl").write_text(HOSTILE_JSONL, encoding="utf-8")
    (extra / "empty.txt").write_text("", encoding="utf-8")  # rejected: the report lists it with its reason
    db, page = root / "ledger.duckdb", root / "report.html"
    run = [sys.executable, "-m", "claimledger"]
    opts = dict(capture_output=True, text=True, encoding="utf-8", timeout=300, stdin=subprocess.DEVNULL)
    done = subprocess.run([*run, "ingest", str(EXAMPLE_CORPUS), str(extra), "--db", str(db), "--quiet"], **opts)
    assert done.returncode == 1 and "empty.txt: empty file" in done.stderr, done.stderr  # 1: one input rejected
    done = subprocess.run([*run, "check", "--db", str(db), "--out", str(root / "findings.jsonl")], **opts)
    assert done.returncode == 0, done.stderr
    args = ["--serve-url", serve_url] if serve_url else []
    done = subprocess.run([*run, "report", "--db", str(db), "--out", str(page), *args], **opts)
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"claimledger: report written to .*report\.html \((\d+) indicators charted, (\d+) findings\)\n",
                        done.stderr), done.stderr
    return db, page


class Node:
    """An element of the parsed page: tag, attributes, children (text as str)."""

    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self, tag: str | None = None) -> Iterator[Node]:
        for c in self.children:
            if isinstance(c, Node):
                if tag is None or c.tag == tag:
                    yield c
                yield from c.iter(tag)

    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()


VOID = {"meta", "br", "img", "link", "input", "hr", "circle", "line", "rect", "path", "polyline"}


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = self.cur = Node("#root", {}, None)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs), self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.cur.children.append(Node(tag, dict(attrs), self.cur))

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.cur
        while node is not None and node.tag != tag:
            node = node.parent
        assert node is not None and node.parent is not None, f"stray </{tag}>"
        self.cur = node.parent

    def handle_data(self, data: str) -> None:
        self.cur.children.append(data)


def parse(html: str) -> Node:
    b = TreeBuilder()
    b.feed(html)
    b.close()
    return b.root


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    db, page = make_report_files(tmp_path_factory.mktemp("report"), serve_url=SERVE)
    html = page.read_text(encoding="utf-8")
    with Ledger(db, read_only=True) as ledger:
        counts = ledger.counts()
        claims = {(c.doc_id, c.start): c for c in ledger.iter_claims()}
        docs = {d.doc_id: d for d in ledger.iter_documents()}
        stored = list(ledger.iter_findings())
        rejections = list(ledger.iter_rejections())
    return {"db": db, "page": page, "html": html, "tree": parse(html), "counts": counts, "claims": claims,
            "docs": docs, "findings": stored, "rejections": rejections}


def _by_id(tree: Node) -> dict[str, Node]:
    ids: dict[str, Node] = {}
    for n in tree.iter():
        if n.attrs.get("id"):
            assert n.attrs["id"] not in ids, f"duplicate id {n.attrs['id']}"
            ids[n.attrs["id"]] = n  # type: ignore[index]
    return ids


def test_summary_numbers_are_the_ledgers(report: dict[str, Any]) -> None:
    ids, counts = _by_id(report["tree"]), report["counts"]
    for name in ("documents", "claims", "findings", "rejections", "duplicates"):
        assert ids[f"summary-{name}"].attrs["data-value"] == str(counts[name]), name
        assert ids[f"summary-{name}"].text().strip().startswith(str(counts[name]))
    assert counts["rejections"] == 1 and counts["duplicates"] == 1
    assert counts["findings"] == len(report["findings"]) > 0
    kinds = Counter(f.kind for f in report["findings"])
    for cell in report["tree"].iter("td"):
        if cell.attrs.get("data-kind"):
            assert cell.text() == str(kinds[cell.attrs["data-kind"]])
    # the rejected input with its reason, the publication date range, and one coverage row per outlet
    assert "empty.txt" in report["html"] and "empty file" in report["html"]
    assert "2024-03-06" in ids["summary-dates"].text() and "2024-04-02" in ids["summary-dates"].text()
    coverage = next(t for t in report["tree"].iter("table") if "coverage" in t.classes())
    rows = list(coverage.iter("tbody"))[0]
    assert ids["summary-outlets"].attrs["data-value"] == str(len(list(rows.iter("tr"))))
    assert sum(int(list(r.iter("td"))[2].text()) for r in rows.iter("tr")) == counts["claims"]
    assert list(report["tree"].iter("svg"))[-1].classes() == ["cl-bar-chart"]


def test_charts_are_inline_svg_with_points_linked_to_their_quotes(report: dict[str, Any]) -> None:
    charts = [s for s in report["tree"].iter("svg") if "cl-chart" in s.classes()]
    assert charts and len(charts) <= 30
    ids = _by_id(report["tree"])
    for svg in charts:
        circles = [c for c in svg.iter("circle") if "cl-point" in c.classes()]
        assert len(circles) >= 2
        links = list(svg.iter("a"))
        assert len(links) == len(circles)
        for a in links:
            assert a.attrs["href"].startswith("#claim-") and a.attrs["href"][1:] in ids
    # the indicator of the example's conflict is charted with its primary sources and outlets
    article = ids["indicator-" + next(s.attrs["data-indicator"] for s in charts
                                      if "people, evacuation, Kavar" in s.text())]
    assert "Leila Haddad" in article.text() and "Valley Times" in article.text()


def _quotes(node: Node) -> list[tuple[str, str]]:
    """(whole quoted sentence, marked figure) of every blockquote under ``node``."""
    out = []
    for q in node.iter("blockquote"):
        marks = list(q.iter("mark"))
        assert len(marks) == 1
        out.append((q.text(), marks[0].text()))
    return out


def _sentence(report: dict[str, Any], doc_id: str, start: int) -> str:
    c = report["claims"][(doc_id, start)]
    return report["docs"][doc_id].text[c.sentence_start:c.sentence_end]


def test_conflicts_and_mismatches_quote_every_side(report: dict[str, Any]) -> None:
    findings = report["findings"]
    articles = [a for a in report["tree"].iter("article") if "finding" in a.classes()]
    assert len(articles) == len(findings)
    for kind in ("conversion_mismatch", "conflict", "sum_mismatch", "series"):
        mine = [f for f in findings if f.kind == kind]
        assert mine, kind
        blocks = [a for a in articles if f"finding-{kind}" in a.classes()]
        assert len(blocks) == len(mine)
        for f, block in zip(mine, blocks, strict=True):
            assert f.message in block.text()
            quotes = _quotes(block)
            assert len(quotes) == len(f.claims) >= 2
            for ref, (sentence, figure) in zip(f.claims, quotes, strict=True):
                assert figure == report["claims"][(ref.doc_id, ref.start)].surface
                assert sentence == _sentence(report, ref.doc_id, ref.start)
    # the example's hectares conversion and the Thursday conflict, both sides
    text = report["html"]
    assert "1.2 square miles" in text and "<mark>" in text
    conflict = next(a for a in articles if "finding-conflict" in a.classes() and "3,900" in a.text())
    assert {fig for _, fig in _quotes(conflict)} >= {"3,900", "5,200"}


def test_every_internal_link_resolves_and_every_cited_claim_is_quoted(report: dict[str, Any]) -> None:
    tree = report["tree"]
    ids = _by_id(tree)
    hrefs = [n.attrs.get("href") or "" for n in tree.iter("a")]
    internal = [h for h in hrefs if h.startswith("#")]
    assert len([h for h in internal if h.startswith("#claim-")]) > 50
    missing = [h for h in internal if h[1:] not in ids]
    assert not missing
    # every claim quoted in the appendix carries its sentence, figure marked, and links to the web UI
    sources = next(n for n in tree.iter("ol") if "sources" in n.classes())
    cited = {h[1:] for h in internal if h.startswith("#claim-")}
    quoted = [li for li in sources.iter("li") if li.attrs.get("id", "").startswith("claim-")]
    assert {li.attrs["id"] for li in quoted} == cited
    anchor_of = {claim_anchor(d, s): (d, s) for d, s in report["claims"]}
    for li in quoted:
        doc_id, start = anchor_of[li.attrs["id"]]
        ((sentence, figure),) = _quotes(li)
        assert figure == report["claims"][(doc_id, start)].surface
        assert sentence == _sentence(report, doc_id, start)
        serve = [a.attrs["href"] for a in li.iter("a") if "serve" in a.classes()]
        assert serve == [f"{SERVE}/documents/{quote(doc_id, safe='')}#claim-{start}"]
    # every finding's claims and every single-source figure's claims are among them
    for f in report["findings"]:
        assert {claim_anchor(r.doc_id, r.start) for r in f.claims} <= cited
    assert claim_anchor(HOSTILE_DOC_ID, 0) != claim_anchor("hostile__b___doc_", 0)
    assert re.fullmatch(r"claim-[A-Za-z0-9_-]+-\d+", claim_anchor(HOSTILE_DOC_ID, 12))


def test_page_is_self_contained(report: dict[str, Any]) -> None:
    tree, html = report["tree"], report["html"]
    assert not list(tree.iter("script")) and not list(tree.iter("link")) and not list(tree.iter("img"))
    assert not list(tree.iter("iframe")) and not list(tree.iter("object"))
    for n in tree.iter():
        for attr in ("src", "srcset", "data", "action", "xlink:href"):
            assert attr not in n.attrs, (n.tag, attr)
        assert not any(k.startswith("on") for k in n.attrs), (n.tag, n.attrs)
        href = n.attrs.get("href") or ""
        assert href.startswith(("#", SERVE + "/documents/", "https://")) or not href, href
    assert "url(" not in html and "@import" not in html
    externals = {n.attrs["href"] for n in tree.iter("a") if (n.attrs.get("href") or "").startswith("https://")}
    assert externals <= {d.url for d in report["docs"].values()}  # only the articles' own URLs


def test_hostile_text_is_escaped(report: dict[str, Any]) -> None:
    html, tree = report["html"], report["tree"]
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in html
    assert "<script" not in html.lower() and "<img" not in html.lower() and "<b " not in html
    assert "javascript:" not in html.lower()  # the article URL "javascript:..." is dropped, not linked
    # the hostile figure is quoted in its sentence, the markup in it as text
    quoted = [q for q in _quotes(tree) if q[1] == "More than 300"]
    assert quoted and quoted[0][0].startswith("<script>window.pwned=1</script> More than 300 people")
    assert '<img src=x onerror="window.pwned=1">' in quoted[0][0]
    assert any("<script>window.pwned=3</script> Title" in c.text() for c in tree.iter("cite"))


def test_report_api_is_deterministic_for_a_given_time(report: dict[str, Any]) -> None:
    with Ledger(report["db"], read_only=True) as ledger:
        a = build_report(ledger, generated_at="2024-05-01T00:00:00+00:00")
        b = build_report(ledger, generated_at=dt.datetime(2024, 5, 1, tzinfo=dt.timezone.utc))
    assert a == b and "generated 2024-05-01T00:00:00+00:00" in a
    assert "/documents/" not in a  # no --serve-url: no links to a web UI


def test_missing_ledger_is_one_error_line_and_no_file(tmp_path: Path, run_cli: Any) -> None:
    done = run_cli("report", "--db", tmp_path / "nope.duckdb", "--out", tmp_path / "r.html")
    assert done.returncode == 2
    assert done.stderr.startswith(f"claimledger: error: {tmp_path / 'nope.duckdb'}: no such ledger")
    assert done.stderr.count("\n") == 1 and not (tmp_path / "r.html").exists()
    assert not (tmp_path / "nope.duckdb").exists()
    (tmp_path / "junk.duckdb").write_text("not a database", encoding="utf-8")
    done = run_cli("report", "--db", tmp_path / "junk.duckdb", "--out", tmp_path / "r.html")
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "claimledger: error:" in done.stderr
    done = run_cli("report", "--db", tmp_path / "junk.duckdb", "--serve-url", "javascript:alert(1)")
    assert done.returncode == 2 and "--serve-url" in done.stderr


def test_report_defaults_and_unwritable_output(report: dict[str, Any], tmp_path: Path, run_cli: Any) -> None:
    shutil.copy(report["db"], tmp_path / "claimledger.duckdb")
    done = run_cli("report", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "report.html").stat().st_size > 10_000
    assert done.stderr.startswith("claimledger: report written to report.html (")
    done = run_cli("report", "--out", tmp_path / "no" / "such" / "dir.html", cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.startswith("claimledger: error:") and "cannot write" in done.stderr
    assert "report" in run_cli("--help").stdout


def test_mixed_units_of_one_dimension_share_one_axis() -> None:
    series = _series([_point("a", 1, 120, "2024-03-01", unit="hectare"),
                      _point("b", 2, 2, "2024-03-02", unit="km2"),
                      _point("c", 3, 300, "2024-03-03", unit="hectare"),
                      _point("d", 4, 5, "2024-03-04", unit="tonne")])  # not an area: left out, not mis-drawn
    root = ET.fromstring(indicator_chart_svg(series))
    ys = {c.get("data-doc"): float(c.get("cy", 0)) for c in root.iter(f"{SVG}circle")}
    assert set(ys) == {"a", "b", "c"}
    assert ys["c"] < ys["b"] < ys["a"]  # 300 ha above 2 km² (200 ha) above 120 ha
    assert "hectares" in [t.text for t in root.iter(f"{SVG}text")]  # the axis unit is the most common one

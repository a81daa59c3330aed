"""The situation report: its inline SVG charts, and the page ``claimledger report`` writes from a real ledger."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from claimledger.check import IndicatorSeries
from claimledger.report.charts import bar_chart_svg, indicator_chart_svg, safe_href, usable_points

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

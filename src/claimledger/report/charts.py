"""Inline SVG charts for the report and the web UI: no scripts, no external references.

``indicator_chart_svg(series)`` draws every usable claim of one indicator as a
point in time; ``bar_chart_svg(rows)`` draws labelled horizontal bars (the
per-outlet coverage). Both return one ``<svg>`` element as a string that can be
pasted into HTML as is, or served alone as ``image/svg+xml``.

Every piece of text taken from the data (labels, surfaces, sources, outlets,
doc ids, hrefs) is XML-escaped here, so callers may mark the result safe.
Colours are presentation attributes, so a page's CSS may override them through
the classes (``cl-point``, ``cl-line``, ``cl-axis``, ``cl-q-up`` ...).
"""
from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable, Sequence
from html import escape
from typing import Any, Optional

from claimledger.check import IndicatorSeries
from claimledger.check.units import READABLE, convert, describe, fmt_number

__all__ = ["indicator_chart_svg", "bar_chart_svg", "usable_points", "point_tooltip", "safe_href"]

SVG_NS = "http://www.w3.org/2000/svg"  # a namespace name, never fetched

# Colours: one accent for the data, greys for the frame.
INK = "#1f4e79"
FRAME = "#888888"
GRID = "#e3e3e3"
TEXT = "#333333"
FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', sans-serif\""

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_UP = ("over", "at_least")
_DOWN = ("under", "at_most")


def _e(text: Any) -> str:
    """Escape for element text and double-quoted attributes alike."""
    return escape(str(text), quote=True)


def _n(x: float) -> str:
    """A coordinate, short."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


def safe_href(url: Optional[str]) -> Optional[str]:
    """``url`` if it is a fragment, a relative path or an http(s) URL; None otherwise (``javascript:`` ...)."""
    if not url:
        return None
    head = url.strip().split("#", 1)[0].split("?", 1)[0].split("/", 1)[0]
    if ":" in head and not url.strip().lower().startswith(("http://", "https://")):
        return None
    return url.strip()


def usable_points(series: IndicatorSeries) -> list[dict[str, Any]]:
    """The points a chart draws: stated amounts that take part in the checks, near-duplicate copies left out."""
    return [p for p in series.points
            if p.get("usable") and not p.get("copy") and isinstance(p.get("value"), (int, float))
            and math.isfinite(p["value"])]


def point_tooltip(point: dict[str, Any]) -> str:
    """'over 9,800 “more than 9,800” — Relief Coordination Office, Sardan Herald, 2024-03-06' (unescaped)."""
    value = describe(point.get("value"), point.get("high"), point.get("qualifier") or "exact",
                     point.get("unit") or "count")
    who = [str(point[k]) for k in ("source", "outlet") if point.get(k)]
    who.append(str(point.get("date") or f"undated ({point.get('doc_id')})"))
    return f"{value} “{point.get('surface', '')}” — {', '.join(who)}"


# --- scales ---------------------------------------------------------------------

def _nice_ticks(lo: float, hi: float, target: int = 5) -> list[float]:
    """Round tick values covering [lo, hi] with a 1-2-2.5-5 step."""
    if hi <= lo:
        pad = abs(hi) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    raw = (hi - lo) / target
    mag = 10 ** math.floor(math.log10(raw))
    step = mag * 10
    for m in (1, 2, 2.5, 5, 10):
        if (hi - lo) / (m * mag) <= target:
            step = m * mag
            break
    start = math.floor(lo / step + 1e-9) * step
    end = math.ceil(hi / step - 1e-9) * step
    n = int(round((end - start) / step))
    return [round(start + i * step, 10) for i in range(n + 1)]


def _date(value: Any) -> Optional[dt.date]:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _date_label(d: dt.date, with_year: bool) -> str:
    return f"{d.day} {_MONTHS[d.month - 1]}" + (f" {d.year}" if with_year else "")


def _unit_suffix(unit: str) -> str:
    return "%" if unit == "percent" else ""


# --- the indicator chart ---------------------------------------------------------

def _empty_svg(key: str, label: str, width: int) -> str:
    return (f'<svg xmlns="{SVG_NS}" class="cl-chart cl-chart-empty" data-indicator="{_e(key)}" '
            f'width="{width}" height="40" viewBox="0 0 {width} 40" role="img" aria-label="{_e(label)}: no data">'
            f'<title>{_e(label)}: no data</title>'
            f'<text x="{width // 2}" y="25" text-anchor="middle" font-size="13" fill="{FRAME}" {FONT}>'
            f'no data</text></svg>')


def indicator_chart_svg(series: IndicatorSeries, href: Optional[Callable[[dict[str, Any]], Optional[str]]] = None,
                        width: int = 640, height: int = 240, title: Optional[str] = None) -> str:
    """One indicator's usable claims as an inline SVG chart.

    x: the date of each point's period (points without one come after the dated
    ones, evenly spaced, labelled by doc_id); y: the value, linear, from zero for
    counts and percents. A line joins the dated points in date order. Each point
    is a ``<circle class="cl-point">`` whose marker shows the qualifier (a
    triangle up for over/at least, down for under/at most, a bar to ``high`` for a
    range, hollow for approximate), with a ``<title>`` tooltip, wrapped in
    ``<a href>`` when ``href(point)`` gives a URL (``javascript:`` and other
    schemes are dropped). ``title`` is drawn above the plot when given.
    An indicator with no usable point gives a small "no data" SVG.
    """
    label = str(series.indicator.get("label") or series.key)
    unit, drawn = _levels(usable_points(series))
    if not drawn:
        return _empty_svg(series.key, title or label, width)
    points = [p for p, _, _ in drawn]
    levels = {id(p): (value, high) for p, value, high in drawn}
    unit_name = READABLE.get(unit, unit) if unit != "percent" else ""

    top = 30 if title else (24 if unit_name else 14)
    left, right, bottom = 58, 16, 40
    pw, ph = max(width - left - right, 40), max(height - top - bottom, 40)

    # y scale
    values = [v for _, value, high in drawn for v in (value, high) if v is not None]
    lo, hi = min(values), max(values)
    if unit in ("count", "percent", "fraction"):
        lo = min(0.0, lo)
    ticks = _nice_ticks(lo, hi)
    y0, y1 = ticks[0], ticks[-1]

    def y(v: float) -> float:
        return top + ph - (v - y0) / (y1 - y0) * ph

    # x scale: dated points over the first part of the width, undated ones in even slots after
    dated = [(p, d) for p in points if (d := _date(p.get("date"))) is not None]
    undated = [p for p in points if _date(p.get("date")) is None]
    days = sorted({d for _, d in dated})
    dated_slots = max(2, len(days)) if dated else 0
    slot_w = pw / (dated_slots + len(undated)) if undated else 0.0
    dated_w = pw - slot_w * len(undated)
    inset = min(24.0, dated_w / 4) if dated else 0.0

    def x_date(d: dt.date) -> float:
        if len(days) == 1:
            return left + dated_w / 2
        span = (days[-1] - days[0]).days
        return left + inset + (d - days[0]).days / span * (dated_w - 2 * inset)

    placed: list[tuple[dict[str, Any], float, float]] = []
    for p, d in dated:
        placed.append((p, x_date(d), y(levels[id(p)][0])))
    for i, p in enumerate(undated):
        placed.append((p, left + dated_w + slot_w * (i + 0.5), y(levels[id(p)][0])))
    # points that would sit on top of each other are spread sideways, so each can be hovered and clicked
    spots: dict[tuple[int, int], list[int]] = {}
    for i, (_, px, py) in enumerate(placed):
        spots.setdefault((round(px), round(py)), []).append(i)
    for members in spots.values():
        for k, i in enumerate(members):
            p, px, py = placed[i]
            placed[i] = (p, px + (k - (len(members) - 1) / 2) * 10, py)

    out: list[str] = [
        f'<svg xmlns="{SVG_NS}" class="cl-chart" data-indicator="{_e(series.key)}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{_e(title or label)}">',
        f'<title>{_e(title or label)}</title>',
    ]
    if title:
        out.append(f'<text class="cl-chart-title" x="{left}" y="18" font-size="14" font-weight="600" '
                   f'fill="{TEXT}" {FONT}>{_e(title)}</text>')
    # y grid and labels
    out.append('<g class="cl-axis cl-axis-y">')
    suffix = _unit_suffix(unit)
    for t in ticks:
        ty = _n(y(t))
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{ty}" y2="{ty}" stroke="{GRID}" stroke-width="1"/>')
        out.append(f'<text x="{left - 6}" y="{ty}" dy="4" text-anchor="end" font-size="11" fill="{TEXT}" '
                   f'{FONT}>{_e(fmt_number(t) + suffix)}</text>')
    if unit_name:
        out.append(f'<text class="cl-unit" x="{left - 6}" y="{top - 10}" text-anchor="end" font-size="10" '
                   f'fill="{FRAME}" {FONT}>{_e(unit_name)}</text>')
    out.append('</g>')
    # x axis: date ticks, then a divider and a label for each undated point
    base = _n(top + ph)
    out.append('<g class="cl-axis cl-axis-x">')
    out.append(f'<line x1="{left}" x2="{left + pw}" y1="{base}" y2="{base}" stroke="{FRAME}" stroke-width="1"/>')
    last_year, last_end = None, -math.inf
    for d in days:
        tx = x_date(d)
        out.append(f'<line x1="{_n(tx)}" x2="{_n(tx)}" y1="{base}" y2="{_n(top + ph + 4)}" stroke="{FRAME}"/>')
        text = _date_label(d, d.year != last_year)
        half = len(text) * 3.3  # about half the label's width at 11px
        if tx - half < last_end + 6:
            continue  # a tick without a label rather than two labels on top of each other
        out.append(f'<text x="{_n(tx)}" y="{_n(top + ph + 16)}" text-anchor="middle" font-size="11" '
                   f'fill="{TEXT}" {FONT}>{_e(text)}</text>')
        last_year, last_end = d.year, tx + half
    if undated:
        dx = _n(left + dated_w)
        if dated:
            out.append(f'<line x1="{dx}" x2="{dx}" y1="{top}" y2="{base}" stroke="{FRAME}" '
                       f'stroke-dasharray="3 3"/>')
        out.append(f'<text x="{_n(left + dated_w + slot_w * len(undated) / 2)}" y="{_n(top + ph + 32)}" '
                   f'text-anchor="middle" font-size="10" fill="{FRAME}" {FONT}>undated</text>')
        room = max(4, int(slot_w / 6.5))
        for i, p in enumerate(undated):
            doc = str(p.get("doc_id", ""))
            short = doc if len(doc) <= room else doc[:room - 1] + "…"
            out.append(f'<text x="{_n(left + dated_w + slot_w * (i + 0.5))}" y="{_n(top + ph + 16)}" '
                       f'text-anchor="middle" font-size="10" fill="{TEXT}" {FONT}>{_e(short)}</text>')
    out.append('</g>')
    # the line through dated points, in date order
    line = [(px, py) for p, px, py in placed if _date(p.get("date")) is not None]
    if len(days) > 1:  # several figures of one day only: a line between them would read as a range
        coords = " ".join(f"{_n(px)},{_n(py)}" for px, py in line)
        out.append(f'<polyline class="cl-line" points="{coords}" fill="none" stroke="{INK}" '
                   f'stroke-width="1.5" stroke-opacity="0.6"/>')
    # the points
    out.append('<g class="cl-points">')
    for p, px, py in placed:
        high = levels[id(p)][1]
        out.append(_marker(p, px, py, y(high) if high is not None else None, href))
    out.append('</g></svg>')
    return "".join(out)


def _levels(points: list[dict[str, Any]]) -> tuple[str, list[tuple[dict[str, Any], float, Optional[float]]]]:
    """The axis unit (the points' most common one) and each point with its value and high in that unit.

    One indicator has one dimension but may mix units (hectares and km²): values are converted with pint.
    A point whose unit cannot be converted to the axis unit is left out.
    """
    if not points:
        return "count", []
    units = Counter(str(p.get("unit") or "count") for p in points)
    unit = units.most_common(1)[0][0]
    drawn = []
    for p in points:
        mine = str(p.get("unit") or "count")
        value = convert(float(p["value"]), mine, unit)
        high = p.get("high")
        high = (convert(float(high), mine, unit) if isinstance(high, (int, float)) and math.isfinite(high)
                and p.get("qualifier") == "range" else None)
        if value is not None and math.isfinite(value):
            drawn.append((p, value, high))
    return unit, drawn


def _marker(p: dict[str, Any], px: float, py: float, py_high: Optional[float],
            href: Optional[Callable[[dict[str, Any]], Optional[str]]]) -> str:
    qualifier = p.get("qualifier") or "exact"
    x, yy = _n(px), _n(py)
    parts = [f"<title>{_e(point_tooltip(p))}</title>"]
    if qualifier == "range" and py_high is not None:
        yh = _n(py_high)
        parts.append(f'<line class="cl-q-range" x1="{x}" x2="{x}" y1="{yy}" y2="{yh}" stroke="{INK}" '
                     f'stroke-width="2"/>')
        parts.append(f'<line class="cl-q-range" x1="{_n(px - 4)}" x2="{_n(px + 4)}" y1="{yh}" y2="{yh}" '
                     f'stroke="{INK}" stroke-width="2"/>')
    elif qualifier in _UP:
        parts.append(f'<path class="cl-q-up" d="M{_n(px - 4)},{_n(py - 7)} L{x},{_n(py - 13)} '
                     f'L{_n(px + 4)},{_n(py - 7)} Z" fill="{INK}"/>')
    elif qualifier in _DOWN:
        parts.append(f'<path class="cl-q-down" d="M{_n(px - 4)},{_n(py + 7)} L{x},{_n(py + 13)} '
                     f'L{_n(px + 4)},{_n(py + 7)} Z" fill="{INK}"/>')
    hollow = qualifier in ("approx", "vague")
    fill = "#ffffff" if hollow else INK
    cls = f"cl-point cl-q-{_e(qualifier)}"
    parts.append(f'<circle class="{cls}" cx="{x}" cy="{yy}" r="5" fill="{fill}" stroke="{INK}" '
                 f'stroke-width="2" data-doc="{_e(p.get("doc_id", ""))}" data-start="{_e(p.get("start", ""))}"/>')
    body = "".join(parts)
    url = safe_href(href(p)) if href else None
    if url:
        return f'<a class="cl-point-link" href="{_e(url)}">{body}</a>'
    return f'<g class="cl-point-group">{body}</g>'


# --- bars --------------------------------------------------------------------------

def bar_chart_svg(rows: Sequence[tuple[str, float]], width: int = 640, bar_height: int = 18,
                  title: Optional[str] = None, unit: str = "",
                  href: Optional[Callable[[str], Optional[str]]] = None) -> str:
    """Horizontal bars, one per ``(label, value)`` row in the given order, value printed at the bar's end.

    ``class="cl-bar-chart"``; each bar is a ``<rect class="cl-bar">`` with a ``<title>``; ``href(label)``
    may link a row. No rows give a small "no data" SVG.
    """
    if not rows:
        return (f'<svg xmlns="{SVG_NS}" class="cl-bar-chart cl-chart-empty" width="{width}" height="40" '
                f'viewBox="0 0 {width} 40" role="img" aria-label="no data"><text x="{width // 2}" y="25" '
                f'text-anchor="middle" font-size="13" fill="{FRAME}" {FONT}>no data</text></svg>')
    gap = 6
    top = 28 if title else 6
    label_w = min(220, max(80, 7 * max(len(str(label)) for label, _ in rows)))
    value_w = 64
    bar_w = max(width - label_w - value_w - 12, 40)
    height = top + len(rows) * (bar_height + gap) + 4
    biggest = max((float(v) for _, v in rows if math.isfinite(float(v))), default=0.0) or 1.0
    out = [f'<svg xmlns="{SVG_NS}" class="cl-bar-chart" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="{_e(title or "bar chart")}">']
    if title:
        out.append(f'<title>{_e(title)}</title>')
        out.append(f'<text class="cl-chart-title" x="0" y="18" font-size="14" font-weight="600" fill="{TEXT}" '
                   f'{FONT}>{_e(title)}</text>')
    room = max(6, int((label_w - 10) / 7.2))
    for i, (label, value) in enumerate(rows):
        v = float(value) if math.isfinite(float(value)) else 0.0
        by = top + i * (bar_height + gap)
        bw = max(v, 0.0) / biggest * bar_w
        text = str(label)
        short = text if len(text) <= room else text[:room - 1] + "…"
        shown = fmt_number(v) + (f" {unit}" if unit else "")
        row = (f'<title>{_e(text)}: {_e(shown)}</title>'
               f'<text x="{label_w - 6}" y="{_n(by + bar_height / 2)}" dy="4" text-anchor="end" font-size="12" '
               f'fill="{TEXT}" {FONT}>{_e(short)}</text>'
               f'<rect class="cl-bar" x="{label_w}" y="{by}" width="{_n(bw)}" height="{bar_height}" fill="{INK}"/>'
               f'<text x="{_n(label_w + bw + 6)}" y="{_n(by + bar_height / 2)}" dy="4" font-size="12" '
               f'fill="{TEXT}" {FONT}>{_e(shown)}</text>')
        url = safe_href(href(text)) if href else None
        if url:
            out.append(f'<a class="cl-bar-link" href="{_e(url)}">{row}</a>')
        else:
            out.append(f'<g class="cl-bar-row">{row}</g>')
    out.append("</svg>")
    return "".join(out)

"""``build_report(ledger)``: the situation report, one self-contained HTML page.

The page is rendered from ``templates/report.html.j2`` with autoescaping on.
Everything it shows is computed here into plain dicts (the template only lays
them out): the summary, a chart per indicator, the findings with every side
quoted, the figures resting on one primary source, per-outlet coverage, and an
appendix quoting every claim the page cites, each with an anchor
``claim-<doc_id>-<start>`` that every figure on the page links to.

No scripts, no stylesheets or images from elsewhere: the only URLs are the
articles' own, as plain links, and the optional ``serve_url`` of a running web UI.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Optional, Union
from urllib.parse import quote

from markupsafe import Markup

from claimledger import __version__
from claimledger.check import CheckResult, Figure, run_checks
from claimledger.check.context import outlet_name  # the outlet name the checks use, so counts agree
from claimledger.check.units import describe
from claimledger.extract.segment import sentences
from claimledger.ledger.store import Ledger
from claimledger.model import Claim, Document, Finding
from claimledger.report.charts import bar_chart_svg, indicator_chart_svg, safe_href, usable_points

__all__ = ["Report", "build_report", "make_report", "claim_anchor", "MAX_CHARTS", "MAX_FIGURES"]

MAX_CHARTS = 30  # indicators charted
MAX_FIGURES = 100  # single-source figures listed
QUOTE_CHARS = 480  # a longer sentence is cut around its figure
MISMATCH_KINDS = ("conflict", "conversion_mismatch", "sum_mismatch")
KIND_NAMES = {"conflict": "conflict", "conversion_mismatch": "conversion mismatch",
              "sum_mismatch": "sum mismatch", "series": "series"}


@dataclass(frozen=True)
class Report:
    """The rendered page and what went into it (for the command's summary line)."""

    html: str
    indicators_charted: int
    findings: int
    claims_cited: int


def claim_anchor(doc_id: str, start: int) -> str:
    """The page id of a claim's quote: ``claim-<doc_id>-<start>``.

    A doc_id with characters outside ``[A-Za-z0-9_-]`` has them replaced and a short
    hash of the original appended, so two ids never share an anchor.
    """
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", doc_id)
    if safe != doc_id:
        safe += "_" + hashlib.sha1(doc_id.encode("utf-8")).hexdigest()[:6]
    return f"claim-{safe}-{start}"


def build_report(ledger: Ledger, serve_url: Optional[str] = None,
                 generated_at: Union[dt.datetime, str, None] = None) -> str:
    """The report on everything in ``ledger`` as one self-contained HTML page.

    ``serve_url`` (e.g. ``http://localhost:8000``) adds to each quote a link to
    the claim in the web UI: ``{serve_url}/documents/{doc_id}#claim-{start}``.
    ``generated_at`` (default: now, UTC) is printed in the header.
    """
    return make_report(ledger, serve_url, generated_at).html


def make_report(ledger: Ledger, serve_url: Optional[str] = None,
                generated_at: Union[dt.datetime, str, None] = None) -> Report:
    """Like :func:`build_report`, also saying how many indicators were charted and findings shown."""
    documents = list(ledger.iter_documents())
    claims = list(ledger.iter_claims())
    duplicates = ledger.duplicates()
    result = run_checks(documents, claims, duplicates)
    page = _Page(ledger, documents, claims, duplicates, result, serve_url)
    context = page.context()
    if generated_at is None:
        generated_at = dt.datetime.now(dt.timezone.utc)
    if isinstance(generated_at, dt.datetime):
        generated_at = generated_at.isoformat(timespec="seconds")
    context.update(generated_at=str(generated_at), version=__version__)
    html = _template().render(**context)
    return Report(html=html, indicators_charted=len(context["charts"]), findings=len(result.findings),
                  claims_cited=len(context["sources"]))


@lru_cache(maxsize=1)
def _template() -> Any:
    """The page template, read from the package (works from a wheel, a zip or a checkout)."""
    from importlib.resources import files

    import jinja2

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True)
    source = (files("claimledger.report") / "templates" / "report.html.j2").read_text(encoding="utf-8")
    return env.from_string(source)


class _Page:
    """Collects what the template shows; ``cite`` records every claim quoted in the appendix."""

    def __init__(self, ledger: Ledger, documents: list[Document], claims: list[Claim],
                 duplicates: dict[str, str], result: CheckResult, serve_url: Optional[str]) -> None:
        self.ledger = ledger
        self.docs = {d.doc_id: d for d in documents}
        self.claims = {(c.doc_id, c.start): c for c in claims}
        self.duplicates = duplicates
        self.result = result
        self.serve_url = serve_url.rstrip("/") if serve_url else None
        self.dates = self._publication_dates()
        self.cited: dict[tuple[str, int], None] = {}  # insertion-ordered set
        self._sentences: dict[str, list[Any]] = {}
        self.series_keys = {_indicator_id(s.indicator): s.key for s in result.indicators}
        self.charted: set[str] = set()

    # -- the parts of the page -------------------------------------------------------
    def context(self) -> dict[str, Any]:
        findings = self.result.findings
        charts = self._charts()
        self.charted = {c["key"] for c in charts}
        return {
            "summary": self._summary(),
            "charts": charts,
            "indicators_total": len(self.result.indicators),
            "max_charts": MAX_CHARTS,
            "mismatches": [self._finding(f) for f in findings if f.kind in MISMATCH_KINDS],
            "series": [self._finding(f) for f in findings if f.kind == "series"],
            "single_source": self._single_source(),
            "coverage": self._coverage(),
            "sources": self._sources(),  # last: every part above has cited its claims by now
        }

    def _summary(self) -> dict[str, Any]:
        counts = self.ledger.counts()
        kinds = Counter(f.kind for f in self.result.findings)
        outlets = {outlet_name(d) for d in self.docs.values()}
        dates = sorted(d for d in self.dates.values() if d)
        rejections = [{"where": r.source + (f":{r.line}" if r.line else ""), "doc_id": r.doc_id,
                       "reason": r.reason} for r in self.ledger.iter_rejections()]
        single = [f for f in self.result.figures if f.single_primary_source]
        return {
            "ledger": self.ledger.path,
            "documents": counts["documents"], "duplicates": counts["duplicates"],
            "duplicate_links": sorted(self.duplicates.items()),
            "outlets": len(outlets), "claims": counts["claims"],
            "findings": len(self.result.findings),
            "findings_by_kind": [(k, KIND_NAMES.get(k, k), kinds[k]) for k in
                                 ("conflict", "conversion_mismatch", "sum_mismatch", "series")] +
                                [(k, k, n) for k, n in sorted(kinds.items()) if k not in KIND_NAMES],
            "rejections": rejections,
            "date_first": dates[0].isoformat() if dates else None,
            "date_last": dates[-1].isoformat() if dates else None,
            "undated_documents": sum(1 for d in self.docs if not self.dates.get(d)),
            "figures": len(self.result.figures), "single_source_figures": len(single),
        }

    def _charts(self) -> list[dict[str, Any]]:
        ranked = []
        for s in self.result.indicators:
            pts = usable_points(s)
            docs = {p["doc_id"] for p in pts}
            if len(pts) >= 2:
                ranked.append((0 if len(docs) >= 2 else 1, -len(docs), -len(pts), s.indicator["label"], s))
        ranked.sort(key=lambda r: r[:4])
        charts = []
        for *_, s in ranked[:MAX_CHARTS]:
            pts = usable_points(s)
            for p in pts:
                self.cite(p["doc_id"], p["start"])
            svg = indicator_chart_svg(s, href=lambda p: "#" + claim_anchor(p["doc_id"], p["start"]))
            charts.append({
                "key": s.key, "label": s.indicator["label"], "anchor": f"indicator-{s.key}",
                "svg": Markup(svg),  # built from escaped parts by charts.py
                "primary_sources": list(s.primary_sources), "outlets": list(s.outlets),
                "single_primary_source": s.single_primary_source,
                "documents": len({p["doc_id"] for p in pts}),
                "points": [self._point_row(p) for p in pts],
                "not_drawn": len(s.points) - len(pts),
            })
        return charts

    def _point_row(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"anchor": claim_anchor(p["doc_id"], p["start"]), "surface": p["surface"],
                "value": describe(p.get("value"), p.get("high"), p.get("qualifier") or "exact",
                                  p.get("unit") or "count"),
                "date": p.get("date"), "period": (p.get("period") or {}).get("label"),
                "source": p.get("source"), "outlet": p.get("outlet"), "doc_id": p["doc_id"]}

    def _finding(self, f: Finding) -> dict[str, Any]:
        d = f.details
        indicator = d.get("indicator") if isinstance(d.get("indicator"), dict) else None
        series_key = self._series_key(indicator) if indicator else None
        sides = [self.quote(r.doc_id, r.start) for r in f.claims]
        return {"kind": f.kind, "kind_name": KIND_NAMES.get(f.kind, f.kind), "message": f.message,
                "indicator": indicator.get("label") if indicator else None,
                "period": (d.get("period") or {}).get("label") if isinstance(d.get("period"), dict) else None,
                "chart_anchor": f"indicator-{series_key}" if series_key else None,
                "primary_sources": d.get("primary_sources") or [], "outlets": d.get("outlets") or [],
                "single_primary_source": bool(d.get("single_primary_source")),
                "sides": sides}

    def _series_key(self, indicator: dict[str, Any]) -> Optional[str]:
        """The key of the indicator's chart, when the page has one."""
        key = self.series_keys.get(_indicator_id(indicator))
        return key if key in self.charted else None

    def _single_source(self) -> dict[str, Any]:
        single = [f for f in self.result.figures if f.single_primary_source]

        def weight(f: Figure) -> tuple[Any, ...]:
            carried = len(f.claims) >= 2 or len(f.outlets) >= 2
            return (not carried, -len(f.outlets), -len(f.claims), f.indicator.get("label", ""))

        single.sort(key=weight)
        rows = []
        for f in single[:MAX_FIGURES]:
            rows.append({"label": f.indicator.get("label"), "value": describe(f.value, f.high, f.qualifier, f.unit),
                         "source": f.primary_sources[0] if f.primary_sources else None,
                         "outlets": list(f.outlets), "claims": [self.link(d, s) for d, s in f.claims],
                         "carried": len(f.claims) >= 2 or len(f.outlets) >= 2})
        return {"rows": rows, "total": len(single), "figures": len(self.result.figures),
                "carried": sum(1 for f in single if len(f.claims) >= 2 or len(f.outlets) >= 2)}

    def _coverage(self) -> dict[str, Any]:
        by_outlet: dict[str, dict[str, Any]] = defaultdict(lambda: {"documents": 0, "duplicates": 0, "claims": 0,
                                                                   "findings": 0, "events": Counter()})
        outlet_of = {doc_id: outlet_name(d) for doc_id, d in self.docs.items()}
        for doc_id, outlet in outlet_of.items():
            by_outlet[outlet]["documents"] += 1
            if doc_id in self.duplicates:
                by_outlet[outlet]["duplicates"] += 1
        for (doc_id, _), c in self.claims.items():
            outlet = outlet_of.get(doc_id, f"outlet of {doc_id}")
            by_outlet[outlet]["claims"] += 1
            by_outlet[outlet]["events"][c.event] += 1
        for f in self.result.findings:
            for outlet in {outlet_of.get(r.doc_id) for r in f.claims} - {None}:
                by_outlet[outlet]["findings"] += 1  # type: ignore[index]
        rows = sorted(by_outlet.items(), key=lambda kv: (-kv[1]["claims"], -kv[1]["documents"], kv[0]))
        table = [{"outlet": name, "documents": v["documents"], "duplicates": v["duplicates"], "claims": v["claims"],
                  "findings": v["findings"], "events": v["events"].most_common()} for name, v in rows]
        svg = bar_chart_svg([(name, v["claims"]) for name, v in rows], unit="claims")
        return {"rows": table, "svg": Markup(svg)}  # built from escaped parts by charts.py

    def _sources(self) -> list[dict[str, Any]]:
        out = []
        for doc_id, start in sorted(self.cited, key=lambda r: (r[0], r[1])):
            q = self.quote(doc_id, start, cite=False)
            doc = self.docs.get(doc_id)
            q["url"] = safe_href(doc.url) if doc and doc.url else None
            out.append(q)
        return out

    # -- quoting ------------------------------------------------------------------------
    def cite(self, doc_id: str, start: int) -> None:
        self.cited.setdefault((doc_id, start), None)

    def link(self, doc_id: str, start: int) -> dict[str, Any]:
        """A short link to a claim's quote in the appendix (the claim is cited)."""
        self.cite(doc_id, start)
        claim = self.claims.get((doc_id, start))
        return {"anchor": claim_anchor(doc_id, start), "surface": claim.surface if claim else f"{doc_id}@{start}",
                "doc_id": doc_id}

    def quote(self, doc_id: str, start: int, cite: bool = True) -> dict[str, Any]:
        """One claim with its sentence split around the figure, and who said it where and when."""
        if cite:
            self.cite(doc_id, start)
        claim = self.claims.get((doc_id, start))
        doc = self.docs.get(doc_id)
        before, figure, after = self._sentence(doc, claim) if claim else ("", f"(claim {start} not in the ledger)", "")
        serve = (f"{self.serve_url}/documents/{quote(doc_id, safe='')}#claim-{start}" if self.serve_url else None)
        return {
            "anchor": claim_anchor(doc_id, start), "doc_id": doc_id, "start": start,
            "before": before, "figure": figure, "after": after,
            "value": describe(claim.value, claim.high, claim.qualifier, claim.unit) if claim else None,
            "speaker": claim.speaker if claim else None,
            "outlet": outlet_name(doc) if doc else None,
            "date": self.dates.get(doc_id) or (doc.published if doc else None),
            "title": doc.title if doc else None,
            "serve_url": safe_href(serve),
            "duplicate_of": self.duplicates.get(doc_id),
        }

    def _sentence(self, doc: Optional[Document], claim: Claim) -> tuple[str, str, str]:
        if doc is None or not (0 <= claim.start <= claim.end <= len(doc.text)):
            return "", claim.surface, ""
        text = doc.text
        s, e = claim.sentence_start, claim.sentence_end
        if s is None or e is None or not (0 <= s <= claim.start and claim.end <= e <= len(text)):
            spans = self._sentences.get(doc.doc_id)
            if spans is None:
                spans = self._sentences[doc.doc_id] = sentences(text)
            s, e = claim.start, claim.end
            for span in spans:
                if span.start <= claim.start < span.end:
                    s, e = span.start, max(span.end, claim.end)
                    break
        before, figure, after = text[s:claim.start], text[claim.start:claim.end], text[claim.end:e]
        room = max(QUOTE_CHARS - len(figure), 80) // 2
        if len(before) > room:
            before = "…" + before[-room:].lstrip()
        if len(after) > room:
            after = after[:room].rstrip() + "…"
        return before, figure, after

    def _publication_dates(self) -> dict[str, Optional[dt.date]]:
        """doc_id -> publication date as the ledger parsed it (None when it could not)."""
        try:
            rows = self.ledger.connection.execute("SELECT doc_id, published_date FROM documents").fetchall()
            return {doc_id: day for doc_id, day in rows}
        except Exception:  # an older ledger layout: parse what was given
            out: dict[str, Optional[dt.date]] = {}
            for doc_id, d in self.docs.items():
                try:
                    out[doc_id] = dt.date.fromisoformat((d.published or "")[:10])
                except ValueError:
                    out[doc_id] = None
            return out


def _indicator_id(indicator: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(str(indicator.get(k)) for k in ("event", "counted", "place", "dimension", "whole"))

"""Cross-document checks over a ledger's claims: the findings of the spec's last section.

``run_checks(documents, claims)`` returns a :class:`CheckResult`: the findings
(``conversion_mismatch``, ``sum_mismatch``, ``conflict``, ``series``) and the
*figures*: each distinct stated value of each indicator with the primary
sources and outlets that carry it, so a figure resting on one primary source
is visible however many outlets repeat it. Findings carry the same source
summary in their details.

Modules: ``timing`` (period of a claim), ``indicators`` (grouping key),
``units`` (pint), ``sources`` (primary source), ``context`` (all of it per
claim), and one module per finding kind.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Optional

from claimledger.check.conflicts import find_conflicts
from claimledger.check.context import ClaimContext, build_contexts
from claimledger.check.conversions import find_conversion_mismatches
from claimledger.check.series import find_series
from claimledger.check.sums import find_sum_mismatches
from claimledger.model import Claim, Document, Finding

__all__ = ["CheckResult", "Figure", "IndicatorSeries", "run_checks", "primary_sources", "FINDING_KINDS"]

FINDING_KINDS = ("conversion_mismatch", "sum_mismatch", "conflict", "series")


class _Sourced:
    """What Figure and IndicatorSeries share: the figure rests on one body only when it names one."""

    primary_sources: tuple[str, ...]

    @property
    def single_primary_source(self) -> bool:
        return len(self.primary_sources) == 1


@dataclass(frozen=True)
class Figure(_Sourced):
    """One stated value of one indicator, with everyone who states or carries it."""

    indicator: dict[str, Any]
    value: Optional[float]
    high: Optional[float]
    qualifier: str
    unit: str
    claims: tuple[tuple[str, int], ...]
    primary_sources: tuple[str, ...]
    outlets: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"indicator": self.indicator, "value": self.value, "high": self.high,
                "qualifier": self.qualifier, "unit": self.unit,
                "claims": [{"doc_id": d, "start": s} for d, s in self.claims],
                "primary_sources": list(self.primary_sources), "outlets": list(self.outlets),
                "single_primary_source": self.single_primary_source}


@dataclass(frozen=True)
class IndicatorSeries(_Sourced):
    """Every claim on one indicator, as points in time: what a chart of the indicator draws.

    ``key`` is a short stable id (the same indicator gets the same key on every run).
    Each point: doc_id, start, end, surface, value, high, qualifier, unit, date (ISO date
    of the period's end, or None), period (kind, label, start, end), speaker, source
    (primary source), outlet, copy (a near-duplicate's repeat), usable (a stated
    amount that takes part in conflicts and series).
    """

    key: str
    indicator: dict[str, Any]
    points: tuple[dict[str, Any], ...]
    primary_sources: tuple[str, ...]
    outlets: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "indicator": self.indicator, "points": list(self.points),
                "primary_sources": list(self.primary_sources), "outlets": list(self.outlets),
                "single_primary_source": self.single_primary_source}


@dataclass
class CheckResult:
    findings: list[Finding] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    indicators: list[IndicatorSeries] = field(default_factory=list)


def run_checks(documents: Iterable[Document], claims: Iterable[Claim],
               duplicates: Optional[dict[str, str]] = None) -> CheckResult:
    """All checks over ``claims`` (their documents give text, outlet and date).

    ``duplicates`` maps a near-duplicate document to its original: a figure the
    copy repeats counts once, but its outlet still counts as carrying it.
    """
    ctxs = build_contexts(documents, claims, duplicates)
    by_ref = {c.ref: c for c in ctxs}
    findings: list[Finding] = []
    for finder in (find_conversion_mismatches, find_sum_mismatches, find_conflicts, find_series):
        for f in finder(ctxs):
            findings.append(_with_sources(f, by_ref))
    return CheckResult(findings=findings, figures=_figures(ctxs), indicators=_indicators(ctxs))


def primary_sources(members: Iterable[ClaimContext]) -> list[str]:
    """The distinct bodies a set of claims rests on.

    Attributed claims name their source. A figure an outlet states in its own
    voice adds no independent source when the same figures are attributed
    elsewhere (it usually relays the briefing); only when nobody is named do
    the outlets themselves count as the sources.
    """
    members = list(members)
    attributed = [c for c in members if c.claim.speaker]
    keys: dict[str, str] = {}
    for c in attributed or members:
        keys.setdefault(c.source_key, c.source)
    return sorted(keys.values())


def _with_sources(f: Finding, by_ref: dict[tuple[str, int], ClaimContext]) -> Finding:
    """Add the primary sources and outlets behind a finding's claims to its details."""
    mine = [by_ref[(r.doc_id, r.start)] for r in f.claims if (r.doc_id, r.start) in by_ref]
    details = dict(f.details)
    sources = primary_sources(mine)
    details["primary_sources"] = sources
    details["outlets"] = sorted({c.outlet for c in mine})
    details["single_primary_source"] = len(sources) == 1
    return Finding(kind=f.kind, claims=f.claims, message=f.message, details=details)


def _figures(ctxs: list[ClaimContext]) -> list[Figure]:
    groups: dict[tuple[object, ...], list[ClaimContext]] = defaultdict(list)
    for c in ctxs:
        if c.conversion_of is not None:
            continue
        cl = c.claim
        groups[(c.indicator, cl.value, cl.high, cl.qualifier, cl.unit)].append(c)
    figures = []
    for (indicator, value, high, qualifier, unit), members in groups.items():
        figures.append(Figure(
            indicator=indicator.to_dict(),  # type: ignore[attr-defined]
            value=value, high=high, qualifier=qualifier, unit=unit,  # type: ignore[arg-type]
            claims=tuple(sorted(c.ref for c in members)),
            primary_sources=tuple(primary_sources(members)),
            outlets=tuple(sorted({c.outlet for c in members}))))
    figures.sort(key=lambda f: (f.indicator["label"], f.value if f.value is not None else -1.0))
    return figures


def indicator_key(indicator: dict[str, Any]) -> str:
    """A short id for an indicator, stable across runs (a hash of its key fields)."""
    import hashlib

    raw = "|".join(str(indicator.get(k)) for k in ("event", "counted", "place", "dimension", "whole"))
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:12]


def _point(c: ClaimContext) -> dict[str, Any]:
    cl = c.claim
    return {"doc_id": cl.doc_id, "start": cl.start, "end": cl.end, "surface": cl.surface,
            "value": cl.value, "high": cl.high, "qualifier": cl.qualifier, "unit": cl.unit,
            "date": c.period.end.isoformat() if c.period.end else None, "period": c.period.to_dict(),
            "speaker": cl.speaker, "source": c.source, "outlet": c.outlet, "copy": c.copy,
            "usable": c.usable}


def _indicators(ctxs: list[ClaimContext]) -> list[IndicatorSeries]:
    groups: dict[object, list[ClaimContext]] = defaultdict(list)
    for c in ctxs:
        if c.conversion_of is None:
            groups[c.indicator].append(c)
    out = []
    for indicator, members in groups.items():
        ind = indicator.to_dict()  # type: ignore[attr-defined]
        members.sort(key=lambda c: (c.period.end.isoformat() if c.period.end else "9999", c.ref))
        out.append(IndicatorSeries(
            key=indicator_key(ind), indicator=ind, points=tuple(_point(c) for c in members),
            primary_sources=tuple(primary_sources(members)),
            outlets=tuple(sorted({c.outlet for c in members}))))
    out.sort(key=lambda s: (-len(s.points), s.indicator["label"]))
    return out

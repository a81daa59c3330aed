"""``series``: one indicator reported at different times - a trend, not an error.

A level (a share held, a running total, a figure with no stated window) is
comparable across time; a flow (``over the past 24 hours``, ``another 8,000``)
measures a different stretch each time and enters a series only when its dates
are known. Two claims are at different times when their resolved dates differ,
or - undated - when they come from different articles (or name different
dates). Only pairs from different articles count. A series needs two different values at two different times: the same
figure repeated is relaying, shown by source independence instead.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterator

from claimledger.check.context import ClaimContext
from claimledger.check.indicators import Indicator
from claimledger.check.timing import FLOW_KINDS
from claimledger.model import ClaimRef, Finding


def time_key(c: ClaimContext) -> Hashable:
    p = c.period
    if p.resolved:
        return ("date", p.end)
    if p.kind == "point":
        return ("doc", c.claim.doc_id, p.label.lower())
    return ("doc", c.claim.doc_id)


def _value(c: ClaimContext) -> tuple[object, ...]:
    return (c.claim.value, c.claim.high, c.claim.qualifier)


def find_series(ctxs: list[ClaimContext]) -> Iterator[Finding]:
    groups: dict[tuple[Indicator, str], list[ClaimContext]] = defaultdict(list)
    for c in ctxs:
        if not c.usable or not c.indicator.specific:
            continue
        if c.period.kind in FLOW_KINDS:
            if not (c.period.kind == "window" and c.period.resolved):
                continue
            groups[(c.indicator, c.period.label)].append(c)
        else:
            groups[(c.indicator, "")].append(c)
    for (indicator, window), members in groups.items():
        if not _is_series(members):
            continue
        ordered = sorted(members, key=_order)
        dated = all(c.period.resolved for c in ordered)
        steps = []
        for c in ordered:
            when = c.period.end.isoformat() if c.period.resolved and c.period.end else (c.period.label or "undated")
            steps.append(f"{c.describe()} ({c.doc.doc_id}, {c.who()}, {when})")
        note = "" if dated else " Not every report is dated, so the order is not established."
        yield Finding(
            kind="series",
            claims=tuple(ClaimRef(*c.ref) for c in ordered),
            message=f"{indicator.label()}{', ' + window if window else ''}: "
                    + (" -> " if dated else "; ").join(steps) + "." + note,
            details={"indicator": indicator.to_dict(),
                     "points": [{"doc_id": c.claim.doc_id, "start": c.claim.start, "value": c.claim.value,
                                 "high": c.claim.high, "qualifier": c.claim.qualifier, "unit": c.claim.unit,
                                 "date": c.period.end.isoformat() if c.period.end else None,
                                 "period": c.period.to_dict(), "source": c.source, "outlet": c.outlet}
                                for c in ordered]})


def _is_series(members: list[ClaimContext]) -> bool:
    """Two members from different reports, at different times, with different values?

    Across reports only: two dates inside one article are more often two things
    than a trend.
    """
    return has_differing_pair([(_value(c), c.claim.doc_id, time_key(c)) for c in members])


def has_differing_pair(keys: list[tuple[Hashable, Hashable, Hashable]]) -> bool:
    """Is there a pair of ``(value, doc, time)`` keys that differ in all three?

    Counted by inclusion-exclusion in one pass, not pair by pair: a figure
    relayed by thousands of copies is common.
    """
    counts: Counter[tuple[object, ...]] = Counter()
    for v, d, t in keys:
        counts.update([("v", v), ("d", d), ("t", t), ("vd", v, d), ("vt", v, t), ("dt", d, t), ("vdt", v, d, t)])
    n = len(keys)
    for v, d, t in keys:
        differing = (n - counts[("v", v)] - counts[("d", d)] - counts[("t", t)] + counts[("vd", v, d)]
                     + counts[("vt", v, t)] + counts[("dt", d, t)] - counts[("vdt", v, d, t)])
        if differing > 0:
            return True
    return False


def _order(c: ClaimContext) -> tuple[object, ...]:
    end = c.period.end.isoformat() if c.period.end else "9999"
    return (end, c.claim.doc_id, c.claim.start)

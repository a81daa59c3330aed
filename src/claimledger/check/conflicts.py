"""``conflict``: claims on one indicator and one period whose values cannot both hold.

Same period means evidence of it, not absence of evidence: both periods
resolve to the same dates (the articles are dated), or - within one article -
both state the same window or date (``over the past 24 hours`` twice). Two
undated figures are never called a conflict; across articles they may make a
series. Places must match as stated (``eastern Aleppo`` is not all of
``Aleppo``). Values are compared as the intervals their qualifiers allow, so
``more than two dozen`` and ``21`` conflict while ``more than 1,000`` and
``1,096`` do not.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterator
from typing import Optional

from claimledger.check.context import ClaimContext
from claimledger.model import ClaimRef, Finding


def period_identity(c: ClaimContext) -> Optional[Hashable]:
    """A key shared by claims known to cover the same period, or None when it is not known."""
    p = c.period
    if p.kind == "unspecified" or p.inherited:
        return None  # a period carried over from another sentence is too weak to call a conflict
    if p.kind == "window" and p.resolved and p.start is not None:
        return ("window", p.label, p.start, p.end)
    if p.kind == "point":
        # a date in the sentence is weak evidence within one article (it may date the statement,
        # not the figure); across dated articles it is what a reader would compare
        return ("point", p.end) if p.resolved else None
    if p.kind == "increment":
        return None  # each batch is its own
    if p.kind == "cumulative" and p.resolved:
        return ("cumulative", p.end)
    return (c.claim.doc_id, p.kind, p.label)


def find_conflicts(ctxs: list[ClaimContext]) -> Iterator[Finding]:
    groups: dict[Hashable, list[ClaimContext]] = defaultdict(list)
    for c in ctxs:
        if not c.usable or not c.indicator.specific:
            continue
        ident = period_identity(c)
        if ident is None:
            continue
        groups[(c.indicator, c.area, ident)].append(c)
    for (indicator, _, _), members in groups.items():
        clashing: dict[tuple[str, int], ClaimContext] = {}
        pairs = []
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if a.sentence_start == b.sentence_start and a.claim.doc_id == b.claim.doc_id:
                    continue  # one sentence listing two figures speaks of two things
                if a.period.kind == "point" and a.claim.doc_id == b.claim.doc_id:
                    continue
                if a.bounds and b.bounds and not a.bounds.overlaps(b.bounds):
                    clashing[a.ref] = a
                    clashing[b.ref] = b
                    pairs.append((a, b))
        if not pairs:
            continue
        sides = sorted(clashing.values(), key=lambda c: c.ref)
        a, b = pairs[0]
        when = a.period.label or "the same period"
        quoted = "; ".join(f"{c.who()} ({c.doc.doc_id}) says {c.claim.surface!r}" for c in sides)
        yield Finding(
            kind="conflict",
            claims=tuple(ClaimRef(*c.ref) for c in sides),
            message=f"{indicator.label()}, {when}: {quoted}. "
                    f"{a.describe()} and {b.describe()} cannot both hold.",
            details={"indicator": indicator.to_dict(), "period": a.period.to_dict(),
                     "within_one_document": len({c.doc.doc_id for c in sides}) == 1})

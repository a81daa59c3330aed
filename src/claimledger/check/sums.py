"""``sum_mismatch``: stated parts do not fit their stated total.

Parts are claims with ``part_of`` (``10,500 people, including over 4,000
children``). Two tests, both respecting qualifiers through each claim's bounds:

- the parts' smallest possible sum exceeds the total's largest possible value
  (``1,200 people, including 800 women and 700 children``) - wrong whatever the
  wording;
- the list is declared complete (``comprising``, ``consisting of``, ``made up
  of``, ``divided into``, a colon) and the parts' possible sums cannot reach the
  total. ``including`` does not declare a list complete, so a shortfall there
  is not flagged.
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterator

from claimledger.check import units
from claimledger.check.context import ClaimContext
from claimledger.model import ClaimRef, Finding

_COMPLETE = re.compile(r"(?:comprising|consisting of|made up of|divided into|split into|broken down into|:)"
                       r"\s*(?:of\s+)?(?:them\s+|whom\s+)?$", re.I)


def find_sum_mismatches(ctxs: list[ClaimContext]) -> Iterator[Finding]:
    by_ref = {c.ref: c for c in ctxs}
    parts: dict[tuple[str, int], list[ClaimContext]] = defaultdict(list)
    for c in ctxs:
        if c.claim.part_of is not None:
            parts[(c.claim.doc_id, c.claim.part_of)].append(c)
    for ref, kids in parts.items():
        total = by_ref.get(ref)
        if total is None or total.bounds is None or total.claim.unit in ("fraction", "percent"):
            continue
        kids = [k for k in kids if k.bounds is not None and k.claim.unit == total.claim.unit]
        if not kids:
            continue
        lo = sum(max(k.bounds.lo, 0.0) for k in kids if k.bounds)
        hi = sum(k.bounds.hi for k in kids if k.bounds)
        reason = None
        if lo > total.bounds.hi:
            reason = "the parts add up to more than the total"
        elif len(kids) >= 2 and hi < total.bounds.lo and _declared_complete(total, kids):
            reason = "the parts, declared complete, add up to less than the total"
        if reason is None:
            continue
        stated = " + ".join(k.claim.surface for k in sorted(kids, key=lambda k: k.claim.start))
        parts_sum = units.fmt_number(sum(k.claim.value or 0 for k in kids))
        yield Finding(
            kind="sum_mismatch",
            claims=(ClaimRef(*total.ref), *(ClaimRef(*k.ref) for k in kids)),
            message=f"{total.indicator.label()}: {reason}: {stated} = {parts_sum} "
                    f"against a total of {total.claim.surface!r} ({total.doc.doc_id}).",
            details={"total": total.claim.value, "parts_sum": sum(k.claim.value or 0 for k in kids),
                     "parts_possible": [lo, hi if not math.isinf(hi) else None],
                     "total_possible": [total.bounds.lo if not math.isinf(total.bounds.lo) else None,
                                        total.bounds.hi if not math.isinf(total.bounds.hi) else None]})


def _declared_complete(total: ClaimContext, kids: list[ClaimContext]) -> bool:
    text = total.doc.text
    first = min(k.claim.start for k in kids)
    if not text or first <= total.claim.end:
        return False
    between = text[total.claim.end:first]
    # the connector sits right before the first part, after the total's noun phrase
    return bool(_COMPLETE.search(between.rstrip())) or bool(
        re.search(r"(?:comprising|consisting of|made up of|divided into|split into):?\s*$", between, re.I))

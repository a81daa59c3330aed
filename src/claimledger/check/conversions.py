"""``conversion_mismatch``: a figure and its stated conversion disagree by more than 10%."""
from __future__ import annotations

import math
from collections.abc import Iterator

from claimledger.check import units
from claimledger.check.context import ClaimContext
from claimledger.model import ClaimRef, Finding

TOLERANCE = 0.10  # spec: more than 10% off is a mismatch; 3 km² (1.1 mi²) is 5% off and passes
_SCALE_WORDS = {3: "thousand", 6: "million", 9: "billion"}


def find_conversion_mismatches(ctxs: list[ClaimContext]) -> Iterator[Finding]:
    for b in ctxs:
        a = b.conversion_of
        if a is None or a.claim.value is None or b.claim.value is None or a.claim.value == 0:
            continue
        expected = units.convert(a.claim.value, a.claim.unit, b.claim.unit)
        if expected is None or expected == 0:
            continue
        off = abs(b.claim.value - expected) / abs(expected)
        if off <= TOLERANCE:
            continue
        yield Finding(
            kind="conversion_mismatch",
            claims=(ClaimRef(*a.ref), ClaimRef(*b.ref)),
            message=_message(a, b, expected),
            details={"expected": expected, "stated": b.claim.value, "unit": b.claim.unit,
                     "relative_error": round(off, 4)})


def _message(a: ClaimContext, b: ClaimContext, expected: float) -> str:
    stated = b.claim.value or 0.0
    ratio = expected / stated if stated else math.inf
    base = (f"{a.claim.surface!r} is {units.fmt_number(expected)} {units.READABLE.get(b.claim.unit, b.claim.unit)}, "
            f"but the text converts it to {b.claim.surface!r}")
    if stated and ratio > 1:
        power = round(math.log10(ratio))
        if power in _SCALE_WORDS and abs(math.log10(ratio) - power) < 0.05:
            return f"{base}: the conversion drops the '{_SCALE_WORDS[power]}' (off by a factor of about 10^{power})."
        return f"{base}: about {ratio:,.3g} times too small."
    if stated and ratio < 1:
        return f"{base}: about {1 / ratio:,.3g} times too large."
    return base + "."

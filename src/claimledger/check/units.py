"""Unit maths for the checks: the claim contract's unit names mapped onto pint.

Counts, percents and fractions are dimensionless and stay as they are; every
physical unit is converted with pint, so `3 square kilometers` and `1.1 square
mile` compare in one unit and `24 hectares (2.6 square feet)` can be measured.
Money is left alone: exchange rates are not unit maths.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

# contract unit -> pint unit expression
PINT_NAMES = {
    "hectare": "hectare", "km2": "km**2", "mi2": "mile**2", "m2": "m**2", "ft2": "foot**2",
    "acre": "acre", "km": "km", "mi": "mile", "m": "m", "ft": "foot", "cm": "cm",
    "tonne": "metric_ton", "ton": "metric_ton", "kg": "kg", "lb": "pound", "g": "gram",
    "l": "liter", "liter": "liter", "litre": "liter", "gallon": "gallon",
}
# how a unit reads in a message
READABLE = {"km2": "km²", "mi2": "square miles", "m2": "m²", "ft2": "square feet", "hectare": "hectares",
            "tonne": "tonnes", "ton": "tons", "km": "km", "mi": "miles", "count": "", "percent": "%"}


@lru_cache(maxsize=1)
def registry():
    import pint

    return pint.UnitRegistry()


def dimension(unit: str) -> str:
    """A comparison class: 'count', 'percent', 'fraction', a pint dimensionality, or the unit itself."""
    if unit in PINT_NAMES:
        ureg = registry()
        return str(ureg.Quantity(1, PINT_NAMES[unit]).dimensionality)
    return unit


def canonical_unit(unit: str) -> str:
    """The unit values of this dimension are compared in (SI base), or the unit itself."""
    if unit in PINT_NAMES:
        ureg = registry()
        return str(ureg.Quantity(1, PINT_NAMES[unit]).to_base_units().units)
    return unit


def convert(value: float, unit: str, to_unit: str) -> Optional[float]:
    """``value`` in ``unit`` expressed in ``to_unit``; None when pint cannot relate them."""
    if unit == to_unit:
        return value
    if unit not in PINT_NAMES or to_unit not in PINT_NAMES:
        return None
    import pint

    ureg = registry()
    try:
        return float(ureg.Quantity(value, PINT_NAMES[unit]).to(PINT_NAMES[to_unit]).magnitude)
    except pint.errors.DimensionalityError:
        return None


def to_canonical(value: Optional[float], unit: str) -> Optional[float]:
    if value is None:
        return None
    if unit in PINT_NAMES:
        ureg = registry()
        return float(ureg.Quantity(value, PINT_NAMES[unit]).to_base_units().magnitude)
    return value


@dataclass(frozen=True)
class Bounds:
    """What a stated figure allows: every true value v with lo <= v <= hi."""

    lo: float
    hi: float

    def overlaps(self, other: "Bounds") -> bool:
        return self.lo <= other.hi and other.lo <= self.hi


APPROX_TOLERANCE = 0.10  # "about 8,000" allows 7,200..8,800
ROUNDING_CAP = 0.05  # an exact round number may be rounded by at most 5% of itself


def rounding_tolerance(value: float) -> float:
    """Half the rounding step an exact round figure implies ("1,000", "50,000"), capped at 5%."""
    v = abs(value)
    if v < 100 or not float(v).is_integer():
        return 0.0
    zeros = len(str(int(v))) - len(str(int(v)).rstrip("0"))
    if zeros < 2:
        return 0.0
    return min(0.5 * 10 ** zeros, ROUNDING_CAP * v)


def bounds(value: Optional[float], high: Optional[float], qualifier: str) -> Optional[Bounds]:
    """The interval a claim's qualifier allows; None for vague amounts."""
    if value is None or qualifier == "vague":
        return None
    if qualifier in ("over", "at_least"):
        return Bounds(value, math.inf)
    if qualifier in ("under", "at_most"):
        return Bounds(-math.inf, value)
    if qualifier == "range" and high is not None:
        return Bounds(min(value, high), max(value, high))
    if qualifier == "approx":
        tol = max(abs(value) * APPROX_TOLERANCE, 1.0 if float(value).is_integer() else 0.0)
        return Bounds(value - tol, value + tol)
    tol = rounding_tolerance(value)
    return Bounds(value - tol, value + tol)


def describe(value: Optional[float], high: Optional[float], qualifier: str, unit: str) -> str:
    """'over 4,000', '93%', 'about 8,000', '5 to 7 km²' for messages."""
    if value is None:
        return f"an unstated number ({qualifier})"
    words = {"over": "over ", "under": "under ", "approx": "about ", "at_least": "at least ",
             "at_most": "at most ", "exact": "", "range": "", "vague": ""}
    num = fmt_number(value)
    if qualifier == "range" and high is not None:
        num = f"{num} to {fmt_number(high)}"
    u = READABLE.get(unit, unit)
    if unit == "percent":
        return f"{words.get(qualifier, '')}{num}%"
    if unit == "fraction":
        return f"{words.get(qualifier, '')}{num} (fraction)"
    return f"{words.get(qualifier, '')}{num}{' ' + u if u else ''}"


def fmt_number(v: float) -> str:
    if float(v).is_integer():
        return f"{int(v):,}"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:,.4g}"

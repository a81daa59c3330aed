"""Property tests: any string in, no exception out, and every claim keeps the contract.

Two sources of input: arbitrary unicode (``st.text()``), and text built from a
small grammar of number-ish fragments (digits, separators, unicode spaces,
qualifier and multiplier words, units, quotes, paragraph breaks) so the quantity
grammar and the frame/attribution stages see dense, odd, half-valid input.
Example counts stay moderate: the extractor loads its spaCy model once per process.
"""
from __future__ import annotations

import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimledger import extract_text
from claimledger.model import EVENTS, QUALIFIERS, Claim

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

SPACES = [" ", " ", " ", "\u00a0", "\u2009", "\u202f", "\n", "\n\n", "\t"]
FRAGMENTS = [
    # digits and separators
    "0", "1", "2", "3", "7", "9", "10", "24", "93", "1,096", "10,500", "2.6", "0.5", "1.250.000",
    "12\u00a0400", "8\u2009250", "4\u202f900", ",", ".", "-", "\u2013", "/", ":", "%", "(", ")",
    "$", "\u20ac", "\u00a3", "+", "\u00b2",
    # number words, multipliers, fractions
    "one", "two", "Thirty", "twenty-one", "hundred", "and", "fifty", "million", "billion",
    "thousand", "dozen", "a dozen", "two dozen", "half", "one-third", "two-thirds", "a quarter",
    # qualifiers and ranges
    "about", "around", "some", "nearly", "almost", "close to", "an estimated", "over", "more than",
    "above", "upwards of", "in excess of", "less than", "fewer than", "below", "under", "at least",
    "up to", "no more than", "as many as", "between", "from", "to",
    # vague amounts
    "dozens of", "hundreds of", "thousands", "tens of thousands", "several", "scores of", "many",
    # units
    "percent", "per cent", "hectares", "square", "kilometers", "km", "km2", "miles", "meters",
    "feet", "tons", "tonnes", "metric tons", "kg", "euros", "Syrian pounds", "rubles",
    # time-like and name-like bits the extractor must refuse
    "December 15, 2016", "03:31 GMT", "since 2012", "24-hour", "years", "days", "-year-old",
    "aged", "second-largest", "1st", "COVID-19", "F-16", "Resolution", "Al-Rashidin-4",
    # frame and attribution words
    "people", "civilians", "militants", "children", "of them", "including", "among them",
    "of whom", "were evacuated", "killed", "in eastern Aleppo", "Homs", "said", "he said",
    "according to", "the general", "Sergei Rudskoy", '"', "\u201c", "\u201d", ",\"", ".",
]

fragment_text = st.lists(
    st.one_of(
        st.sampled_from(FRAGMENTS),
        st.sampled_from(SPACES),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=3),
    ),
    max_size=40,
).map("".join)

# Fragments separated by ordinary spaces read more like sentences.
spaced_text = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=30).map(" ".join)


def check_amount(f: Any, where: str) -> None:
    """A figure's qualifier, unit, value and high (a Claim or the grammar's Quantity) keep the contract."""
    assert f.qualifier in QUALIFIERS, where
    assert isinstance(f.unit, str) and f.unit.strip(), where
    assert (f.value is None) == (f.qualifier == "vague"), where
    if f.value is not None:
        assert isinstance(f.value, (int, float)) and math.isfinite(f.value), where
    if f.high is not None:
        assert f.qualifier == "range", where
        assert isinstance(f.high, (int, float)) and math.isfinite(f.high), where
    if f.qualifier == "range":
        assert f.high is not None, where


def check_contract(text: str, claims: list[Claim], doc_id: str) -> None:
    """Every claim respects the output contract of spec/claims.md."""
    assert isinstance(claims, list)
    starts = {c.start for c in claims}
    for c in claims:
        where = f"claim {c!r} in {text!r}"
        assert isinstance(c, Claim), where
        assert c.doc_id == doc_id, where
        assert 0 <= c.start < c.end <= len(text), where
        assert text[c.start:c.end] == c.surface, where
        assert c.event in EVENTS, where
        check_amount(c, where)
        if c.part_of is not None:
            assert c.part_of in starts and c.part_of != c.start, where


def run(text: str) -> None:
    doc_id = "prop"
    check_contract(text, extract_text(text, doc_id=doc_id), doc_id)


@SETTINGS
@given(st.text())
def test_any_text(text: str) -> None:
    run(text)


@SETTINGS
@given(fragment_text)
def test_numberish_fragments(text: str) -> None:
    run(text)


@SETTINGS
@given(spaced_text)
def test_numberish_sentences(text: str) -> None:
    run(text)


def test_empty_and_blank_text() -> None:
    for text in ("", " ", "\n\n", "\u00a0", "\u202f\u2009"):
        assert extract_text(text) == []

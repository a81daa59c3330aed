"""Fuzzing (issue 6): property tests for the quantity grammar and the whole extractor.

Three groups of properties:

a) ``find_quantities`` (the quantity grammar of ``extract/numbers.py``) alone, on arbitrary
   unicode and on number-ish text: no exception; every quantity's span lies in the text,
   ``start <= num_start < num_end <= end``, quantities come in text order and never overlap;
   values are finite, ``high > value`` when set, the qualifier is one of the spec's and
   ``value`` is null exactly for vague amounts.
b) Round trip: a number is generated with its value, written out in digits (with or without
   thousands separators, decimals, "1.5 million") or in English words (with and without
   "and", hyphenated or spaced tens, "a dozen", "half a million"), optionally with a
   qualifier phrase from the spec's vocabulary or as a range, and a unit or counted noun,
   then put in a sentence. Both the grammar and ``extract_text`` must find exactly that
   figure, on exactly the span the spec says the surface is, with the same value, high,
   qualifier and unit (and the counted noun, when it is a plain count of people or things).
c) The whole extractor on hostile unicode: odd whitespace, combining marks, right-to-left
   scripts, emoji, very long tokens and digit runs mixed with number fragments: no
   exception, and every claim keeps the contract against the original, unchanged text.

Example counts stay moderate (the spaCy model loads once per process) so the file runs in
well under 90 s; ``FUZZ_EXAMPLES=2000 pytest tests/test_fuzz.py`` runs a longer campaign.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, replace
from typing import Optional

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from text_to_num import text2num

from claimledger import extract_text
from claimledger.extract.numbers import Quantity, find_quantities
from test_properties import FRAGMENTS, SPACES, check_amount, check_contract

N = int(os.environ.get("FUZZ_EXAMPLES", "0"))


def fuzz_settings(max_examples: int) -> settings:
    return settings(max_examples=N or max_examples, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


# ---------------------------------------------------------------------------
# a) the quantity grammar alone
# ---------------------------------------------------------------------------

def check_quantities(text: str, qs: list[Quantity]) -> None:
    assert isinstance(qs, list)
    prev_end = 0
    for q in qs:
        where = f"quantity {q!r} {text[q.start:q.end]!r} in {text!r}"
        assert isinstance(q, Quantity), where
        assert 0 <= q.start <= q.num_start < q.num_end <= q.end <= len(text), where
        assert q.start < q.end, where
        assert q.start >= prev_end, f"overlaps or out of order: {where}"
        prev_end = q.end
        assert text[q.start:q.end].strip(), where
        check_amount(q, where)
        if q.high is not None:
            assert q.value is not None and q.high > q.value, where
        if q.conversion_of is not None:
            assert q.conversion_of in {p.start for p in qs} and q.conversion_of < q.start, where


numberish_text = st.lists(
    st.one_of(
        st.sampled_from(FRAGMENTS),
        st.sampled_from(SPACES),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=3),
        st.from_regex(r"[0-9][0-9,.\u00a0\u2009\u202f]{0,14}", fullmatch=True),
    ),
    max_size=40,
).map("".join)


@fuzz_settings(300)
@given(st.text())
def test_grammar_any_text(text: str) -> None:
    check_quantities(text, find_quantities(text))


@fuzz_settings(400)
@given(numberish_text)
@example("between 1,500 and 3,000 tonnes (about 2 km2), 5-7 km and 24 hectares (2.6 square feet)")
@example("1.250.000,5 $ 2.6bn +44 20 7946 0958 12\u00a0400 8\u2009250 4\u202f900 5,000+")
def test_grammar_numberish_text(text: str) -> None:
    check_quantities(text, find_quantities(text))


# ---------------------------------------------------------------------------
# b) round trip: value -> text -> value
# ---------------------------------------------------------------------------

ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
        "nineteen"]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
SCALE_WORDS = [(10**9, "billion"), (10**6, "million"), (10**3, "thousand")]


def spell_below_100(n: int, hyphen: bool) -> str:
    if n < 20:
        return ONES[n]
    tens, ones = divmod(n, 10)
    return TENS[tens] + (("-" if hyphen else " ") + ONES[ones] if ones else "")


def spell_below_1000(n: int, use_and: bool, hyphen: bool) -> str:
    hundreds, rest = divmod(n, 100)
    parts = []
    if hundreds:
        parts.append(ONES[hundreds] + " hundred")
    if rest:
        if hundreds and use_and:
            parts.append("and")
        parts.append(spell_below_100(rest, hyphen))
    return " ".join(parts)


def spell(n: int, use_and: bool = False, hyphen: bool = True) -> str:
    """English words for 1 <= n < 10**12: 'one hundred and five thousand', 'twenty-one'."""
    assert 0 < n < 10**12
    parts = []
    for size, word in SCALE_WORDS:
        if n >= size:
            parts.append(spell_below_1000(n // size, use_and, hyphen) + " " + word)
            n %= size
    if n:
        if parts and use_and and n < 100:
            parts.append("and")  # British "two thousand and five"
        parts.append(spell_below_1000(n, use_and, hyphen))
    return " ".join(parts)


def test_spell() -> None:
    assert spell(21) == "twenty-one"
    assert spell(21, hyphen=False) == "twenty one"
    assert spell(150, use_and=True) == "one hundred and fifty"
    assert spell(2005, use_and=True) == "two thousand and five"
    assert spell(21_000) == "twenty-one thousand"
    assert spell(123_405, use_and=True) == "one hundred and twenty-three thousand four hundred and five"
    assert spell(3_000_000_000) == "three billion"


@dataclass(frozen=True)
class Num:
    """A number as written and the value it states."""

    text: str
    value: float
    kind: str  # "digits", "words", "article" (starts with "a"/"half a"), "money"
    unit: Optional[str] = None  # set when the number carries its own unit ("$", "%")


SEPARATORS = st.sampled_from([",", ",", ",", "\u00a0", "\u2009", "\u202f"])


def is_year_like(s: str) -> bool:
    # The spec does not annotate years, and a plain four-digit 1800-2100 reads as one
    # ("since 2012"); the grammar drops them, so the generator never writes them.
    return len(s) == 4 and s.isdigit() and 1800 <= int(s) <= 2100


@st.composite
def digit_integers(draw) -> Num:
    n = draw(st.one_of(st.integers(2, 999), st.integers(1000, 10**12), st.integers(10**12, 10**15)))
    if draw(st.booleans()):
        sep = draw(SEPARATORS)
        s = f"{n:,}".replace(",", sep)
    else:
        s = str(n)
    if is_year_like(s):
        s = f"{n:,}"
    return Num(s, float(n), "digits")


@st.composite
def digit_decimals(draw) -> Num:
    # one or two decimals only: "1.500" (three) is read as a European thousands group
    whole = draw(st.integers(0, 99_999))
    places = draw(st.sampled_from([1, 2]))
    frac = draw(st.integers(1 if places == 1 else 1, 10**places - 1))
    fs = str(frac).rjust(places, "0")
    ws = f"{whole:,}" if draw(st.booleans()) else str(whole)
    s = f"{ws}.{fs}"
    return Num(s, whole + frac / 10**places, "digits")


@st.composite
def scaled(draw) -> Num:
    """'1.5 million', '21 thousand', 'two million', 'twenty-one thousand'."""
    size, word = draw(st.sampled_from([(10**3, "thousand"), (10**6, "million"), (10**9, "billion"),
                                       (100, "hundred")]))
    if draw(st.booleans()):
        base = draw(st.one_of(digit_decimals(), st.integers(2, 999).map(lambda n: Num(str(n), n, "digits"))))
        return Num(f"{base.text} {word}", base.value * size, "digits")
    n = draw(st.integers(2, 999))
    return Num(f"{spell(n, draw(st.booleans()), draw(st.booleans()))} {word}", float(n * size), "words")


@st.composite
def word_integers(draw) -> Num:
    n = draw(st.one_of(st.integers(2, 99), st.integers(100, 999_999), st.integers(10**6, 10**12 - 1)))
    return Num(spell(n, use_and=draw(st.booleans()), hyphen=draw(st.booleans())), float(n), "words")


ARTICLE_NUMBERS = [
    Num("a dozen", 12, "article"), Num("half a dozen", 6, "article"),
    Num("half a million", 500_000, "article"), Num("half a billion", 500_000_000, "article"),
    Num("a hundred", 100, "article"), Num("a thousand", 1000, "article"),
    Num("a million", 1_000_000, "article"),
]


@st.composite
def dozens(draw) -> Num:
    n = draw(st.integers(2, 12))
    if draw(st.booleans()):
        return Num(f"{n} dozen", 12.0 * n, "digits")
    return Num(f"{spell(n)} dozen", 12.0 * n, "words")


@st.composite
def money(draw) -> Num:
    sym, code = draw(st.sampled_from([("$", "USD"), ("\u20ac", "EUR"), ("\u00a3", "GBP")]))
    base = draw(st.one_of(digit_integers(), digit_decimals(), scaled().filter(lambda n: n.kind == "digits")))
    if " " not in base.text and "\u00a0" not in base.text and draw(st.booleans()):
        abbrev, size = draw(st.sampled_from([("bn", 10**9), ("m", 10**6), ("k", 10**3), ("mln", 10**6)]))
        return Num(sym + base.text + abbrev, base.value * size, "money", unit=code)  # "$2.6bn"
    return Num(sym + base.text, base.value, "money", unit=code)


numbers = st.one_of(digit_integers(), digit_decimals(), scaled(), word_integers(), dozens(),
                    st.sampled_from(ARTICLE_NUMBERS))

# The spec's qualifier vocabulary (claims.md, field `qualifier`) -> qualifier.
QUALIFIER_WORDS = {
    "approx": ["about", "around", "some", "roughly", "approximately", "nearly", "almost",
               "close to", "an estimated"],
    "over": ["over", "more than", "above", "upwards of", "in excess of"],
    "under": ["less than", "fewer than", "below", "under"],
    "at_least": ["at least"],
    "at_most": ["up to", "no more than", "as many as"],
}
QUALIFIER_PHRASES = [(p, q) for q, ps in QUALIFIER_WORDS.items() for p in ps]

# unit or counted noun after the number -> (spec unit, counted or None when not checked)
COUNT_NOUNS = ["people", "civilians", "families", "children", "militants", "residents", "tents"]
UNIT_WORDS = {
    "percent": "percent", "per cent": "percent", "hectares": "hectare",
    "square kilometers": "km2", "square miles": "mi2", "kilometers": "km", "miles": "mi",
    "tons": "ton", "tonnes": "tonne", "metric tons": "tonne", "kilograms": "kg",
    "euros": "EUR", "dollars": "USD", "Syrian pounds": "SYP",
}

TEMPLATES = [
    "Officials said {q} were evacuated on Monday.",
    "{q} were registered in the district, the ministry said.",
    "The agency counted {q} in the northern camps.",
    "According to the report, {q} had been delivered by Friday.",
    "\u201cWe saw {q} there,\u201d he said.",
]


@dataclass(frozen=True)
class Case:
    phrase: str  # the expected surface
    tail: str  # words after the surface (the counted noun), not part of it
    value: Optional[float]
    high: Optional[float]
    qualifier: str
    unit: str
    counted: Optional[str]
    lead: str = ""  # words before the surface, not part of it ("a total of ")


def with_unit(draw, num: Num) -> tuple[str, str, str, Optional[str]]:
    """(surface, tail, unit, counted) for a number: '5 hectares', '93%', '12 | people'."""
    if num.unit:
        return num.text, " " + draw(st.sampled_from(COUNT_NOUNS)), num.unit, None
    choice = draw(st.sampled_from(["count", "count", "unit", "percent_sign"]))
    if choice == "percent_sign" and num.kind == "digits" and num.text[-1].isdigit():
        return num.text + "%", "", "percent", None
    if choice == "unit":
        word = draw(st.sampled_from(sorted(UNIT_WORDS)))
        return f"{num.text} {word}", "", UNIT_WORDS[word], None
    noun = draw(st.sampled_from(COUNT_NOUNS))
    return num.text, " " + noun, "count", noun


@st.composite
def single_cases(draw) -> Case:
    num = draw(st.one_of(numbers, money()))
    surface, tail, unit, counted = with_unit(draw, num)
    qualifier = "exact"
    lead = ""
    how = draw(st.sampled_from(["plain", "qualifier", "qualifier", "total", "plus"]))
    if how == "qualifier":
        phrase, qualifier = draw(st.sampled_from(QUALIFIER_PHRASES))
        if phrase == "an estimated" and num.kind == "article":
            phrase, qualifier = "approximately", "approx"  # "an estimated a dozen" is not English
        surface = f"{phrase} {surface}"
    elif how == "total" and unit == "count":
        lead = "a total of "  # the spec: "a total of N" adds nothing, the surface is just the number
    elif how == "plus" and unit == "count" and num.kind == "digits" and surface[-1].isdigit():
        surface, qualifier = surface + "+", "over"  # "5,000+ people"
    return Case(surface, tail, num.value, None, qualifier, unit, counted, lead)


VAGUE_WORDS = ["dozens", "hundreds", "thousands", "tens of thousands", "scores"]
VAGUE_UNITS = {"tons": "ton", "tonnes": "tonne", "hectares": "hectare", "kilometers": "km",
               "square kilometers": "km2", "kilograms": "kg", "miles": "mi"}


@st.composite
def vague_cases(draw) -> Case:
    """'Hundreds' (of families), 'Dozens of tons', 'several' (families), 'several tons'."""
    word = draw(st.sampled_from(VAGUE_WORDS + ["several"]))
    measure = draw(st.booleans())
    if measure:
        unit_word = draw(st.sampled_from(sorted(VAGUE_UNITS)))
        phrase = f"{word} {unit_word}" if word == "several" else f"{word} of {unit_word}"
        return Case(phrase, "", None, None, "vague", VAGUE_UNITS[unit_word], None)
    noun = draw(st.sampled_from(COUNT_NOUNS))
    tail = f" {noun}" if word == "several" else f" of {noun}"
    return Case(word, tail, None, None, "vague", "count", noun)


FRACTIONS = [("one-third", 1 / 3), ("a third", 1 / 3), ("two-thirds", 2 / 3), ("a quarter", 0.25),
             ("one quarter", 0.25), ("three-quarters", 0.75), ("one-fifth", 0.2), ("two-fifths", 0.4),
             ("one-tenth", 0.1), ("half", 0.5)]


@st.composite
def fraction_cases(draw) -> Case:
    """'one-third of the residents', 'about half of the families' (value as a 4-place decimal)."""
    word, value = draw(st.sampled_from(FRACTIONS))
    noun = draw(st.sampled_from(COUNT_NOUNS))
    qualifier = "exact"
    if draw(st.booleans()):
        # "some half", "an estimated one-third" are not English
        phrase, qualifier = draw(st.sampled_from([pq for pq in QUALIFIER_PHRASES
                                                  if pq[0] not in ("some", "an estimated")]))
        word = f"{phrase} {word}"
    return Case(word, f" of the {noun}", round(value, 4), None, qualifier, "fraction", noun)


def readings(words: str, use_and: bool) -> int:
    """In how many ways 'X and Y' splits into two well-spelled numbers X < Y."""
    n = 0
    for i in [i for i, w in enumerate(words.split(" ")) if w == "and"]:
        parts = words.split(" ")
        left, right = " ".join(parts[:i]), " ".join(parts[i + 1:])
        try:
            lv, rv = (text2num(s.replace("-", " "), "en") for s in (left, right))
        except ValueError:
            continue
        if 0 < lv < rv < 10**12 and spell(lv, use_and) == left and spell(rv, use_and) == right:
            n += 1
    return n


@st.composite
def range_cases(draw) -> Case:
    """'between X and Y', 'from X to Y', 'X to Y', 'X-Y' (digits), each end fully written."""
    style = draw(st.sampled_from(["between", "from", "to", "dash"]))
    if style == "dash":
        lo = draw(st.integers(1, 99_999))
        hi = draw(st.integers(lo + 1, lo + 100_000))
        comma = draw(st.booleans())
        fmt = (lambda n: f"{n:,}") if comma else str
        dash = draw(st.sampled_from(["-", "\u2013"]))
        a, b = fmt(lo), fmt(hi)
        if is_year_like(a) or is_year_like(b):  # "1833-33730%" starts with a year
            a, b = f"{lo:,}", f"{hi:,}"
        nums = f"{a}{dash}{b}"
    else:
        words = draw(st.booleans())
        lo = draw(st.integers(1, 10**6))
        hi = draw(st.integers(lo + 1, 2 * 10**6))
        if words:
            use_and = draw(st.booleans())
            a, b = spell(lo, use_and), spell(hi, use_and)
            # "between one thousand and five hundred and two thousand" is 1000-502000 or
            # 1500-2000: English does not say which, so such text is not generated
            assume(style != "between" or readings(f"{a} and {b}", use_and) == 1)
        else:
            fmt = (lambda n: f"{n:,}") if draw(st.booleans()) else str
            a, b = fmt(lo), fmt(hi)
            if is_year_like(a) or is_year_like(b):
                a, b = f"{lo:,}", f"{hi:,}"
        nums = {"between": f"between {a} and {b}", "from": f"from {a} to {b}", "to": f"{a} to {b}"}[style]
        # our reading (README, golden range-shared-scale): "between one and two million" shares the
        # second number's scale word with a first that has none, if the first stays the lower end
        scale = {"thousand": 1e3, "million": 1e6, "billion": 1e9}.get(b.split()[-1]) if words else None
        if scale and not set(a.split()) & {"hundred", "thousand", "million", "billion"} and lo * scale < hi:
            lo = int(lo * scale)
    num = Num(nums, float(lo), "digits")
    surface, tail, unit, counted = with_unit(draw, num)
    return Case(surface, tail, float(lo), float(hi), "range", unit, counted)


ODD_SPACING = st.sampled_from([" ", " ", " ", "\u00a0", "\u2009", "\u202f", "  ", "\n"])


@st.composite
def sentences(draw) -> tuple[str, int, Case]:
    case = draw(st.one_of(single_cases(), single_cases(), range_cases(), vague_cases(), fraction_cases()))
    if draw(st.integers(0, 2)) == 0:  # odd spacing inside the figure: "more\u00a0than 10\u2009500 square  miles"
        parts = case.phrase.split(" ")
        spaced = parts[0] + "".join(draw(ODD_SPACING) + part for part in parts[1:])
        case = replace(case, phrase=spaced, tail=case.tail.replace(" ", draw(ODD_SPACING), 1))
    template = draw(st.sampled_from(TEMPLATES))
    words = case.lead + case.phrase
    at = template.index("{q}")
    if at == 0 or template[at - 2:at] == ". ":
        words = words[0].upper() + words[1:]
    text = template.replace("{q}", words + case.tail)
    return text, at + len(case.lead), case


def close(a: Optional[float], b: Optional[float]) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def check_round_trip(text: str, start: int, case: Case) -> None:
    end = start + len(case.phrase)
    want = (f"{text[start:end]!r} [{start}:{end}] value={case.value} high={case.high} "
            f"qualifier={case.qualifier} unit={case.unit} counted={case.counted} in {text!r}")

    qs = find_quantities(text)
    check_quantities(text, qs)
    got = [(text[q.start:q.end], q.value, q.high, q.qualifier, q.unit) for q in qs]
    assert [(q.start, q.end) for q in qs] == [(start, end)], f"grammar: want {want}, got {got}"
    q = qs[0]
    assert close(q.value, case.value) and close(q.high, case.high), f"grammar: want {want}, got {got}"
    assert (q.qualifier, q.unit) == (case.qualifier, case.unit), f"grammar: want {want}, got {got}"

    claims = extract_text(text, doc_id="fuzz")
    check_contract(text, claims, "fuzz")
    got = [(c.surface, c.value, c.high, c.qualifier, c.unit, c.counted) for c in claims]
    assert [(c.start, c.end) for c in claims] == [(start, end)], f"extractor: want {want}, got {got}"
    c = claims[0]
    assert close(c.value, case.value) and close(c.high, case.high), f"extractor: want {want}, got {got}"
    assert (c.qualifier, c.unit) == (case.qualifier, case.unit), f"extractor: want {want}, got {got}"
    if case.counted is not None:
        assert c.counted == case.counted, f"extractor: want {want}, got {got}"


# Counted bugs the round trip found outside the grammar, fixed in frames/segment: the parser
# tagged a token of the figure as a compound of the noun (counted "dozen residents",
# "4–5 people", "1.01+ people" -> "+ people"); a double space or a line break inside the
# sentence (a spaCy whitespace token, or a hard-wrapped line) lost counted.
@pytest.mark.parametrize("text, counted", [
    ("Officials said ten dozen residents were evacuated on Monday.", "residents"),
    ("Officials said 4\u20135 people were evacuated on Monday.", "people"),
    ("1.01+ people were registered in the district, the ministry said.", "people"),
    ("Hundreds  of civilians were registered in the district.", "civilians"),
    ("Two-thirds\nof the children were registered in the district.", "children"),
])
def test_counted_never_holds_the_figure_or_stops_at_whitespace(text: str, counted: str) -> None:
    claims = extract_text(text)
    assert [c.counted for c in claims] == [counted]


@fuzz_settings(300)
@given(sentences())
# found by this test: a weak "a million" with a unit was dropped; "half a million" was 0.5 plus
# a million; the worded low end of a between-range ran on over the joining "and"
@example(("A million per cent were registered in the district, the ministry said.", 0,
          Case("A million per cent", "", 1e6, None, "exact", "percent", None)))
@example(("Officials said nearly half a million people were evacuated on Monday.", 15,
          Case("nearly half a million", " people", 5e5, None, "approx", "count", "people")))
@example(("Officials said between one hundred and two hundred people were evacuated on Monday.", 15,
          Case("between one hundred and two hundred", " people", 100, 200, "range", "count", "people")))
def test_round_trip(sentence: tuple[str, int, Case]) -> None:
    check_round_trip(*sentence)


# ---------------------------------------------------------------------------
# c) the whole extractor on hostile unicode
# ---------------------------------------------------------------------------

ODD_SPACES = ["\u00a0", "\u2000", "\u2002", "\u2003", "\u2007", "\u2009", "\u200a", "\u202f",
              "\u205f", "\u3000", "\u200b", "\u200c", "\u200d", "\ufeff", "\u2028", "\u2029",
              "\u0085", "\r\n", "\r", "\x0b", "\x0c", "\t", "\n\n\n"]
COMBINING = st.characters(categories=["Mn", "Me"])
RTL = st.text(alphabet=st.characters(min_codepoint=0x0590, max_codepoint=0x06FF), min_size=1, max_size=12)
EMOJI = st.sampled_from(["\U0001F600", "\U0001F4A5", "\U0001F1F8\U0001F1FE",
                         "\U0001F468\u200d\U0001F469\u200d\U0001F467", "\u2764\ufe0f", "\U0001F44D\U0001F3FD",
                         "5\ufe0f\u20e3", "#\ufe0f\u20e3"])
UNICODE_DIGITS = st.text(alphabet=st.characters(categories=["Nd", "No", "Nl"]), min_size=1, max_size=6)

hostile_piece = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.sampled_from(ODD_SPACES + SPACES),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=5),  # surrogate-free by the codec
    COMBINING,
    RTL,
    EMOJI,
    UNICODE_DIGITS,
    st.integers(0, 10**40).map(str),  # many digits
    st.text(alphabet="0123456789,.", min_size=20, max_size=200),
    st.text(alphabet=st.characters(categories=["Ll", "Lu"]), min_size=50, max_size=400),  # very long token
    st.sampled_from(["\u202e", "\u202d", "\u2066", "\u2067", "\u2069", "\u200f", "\u200e"]),  # bidi controls
)

# a number fragment followed by combining marks: "5\u0301 people"
marked_number = st.tuples(st.sampled_from(FRAGMENTS), st.lists(COMBINING, min_size=1, max_size=3).map("".join),
                          st.sampled_from(FRAGMENTS)).map(lambda t: f"{t[0]}{t[1]} {t[2]}")

hostile_text = st.lists(st.one_of(hostile_piece, marked_number), max_size=30).map("".join)


@fuzz_settings(200)
@given(hostile_text)
@example("Some 6,200 residents\u0301, including 1,900 \u0645\u062f\u0646\u064a children, left \U0001F600 10\u00a0500 "
         "\u202eabout 5\u2029 km2.")
@example("9" * 400 + " people and " + "x" * 5000)  # was value=inf
@example("Dozens of square  kilometers were cleared.")  # was KeyError 'square  kilometers'
@example("Between 1 and " + "9" * 309 + " billion people")  # was high=inf
def test_extractor_hostile_unicode(text: str) -> None:
    claims = extract_text(text, doc_id="fuzz")
    check_contract(text, claims, "fuzz")
    check_quantities(text, find_quantities(text))

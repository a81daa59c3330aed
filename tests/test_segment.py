"""Paragraphs over raw text: one per line, except a line that runs on into the next in lower case."""
from __future__ import annotations

import pytest

from claimledger.extract.segment import paragraphs, sentences


def texts(text: str) -> list[str]:
    return [text[p.start:p.end] for p in paragraphs(text)]


@pytest.mark.parametrize("text, want", [
    # hard-wrapped: the line ends mid-sentence and the next goes on in lower case
    ("Officials said about 1,200\npeople left.", ["Officials said about 1,200\npeople left."]),
    ("Two-thirds\nof the children were registered.", ["Two-thirds\nof the children were registered."]),
    ("a line ending in a comma,\n  and the next indented", ["a line ending in a comma,\n  and the next indented"]),
    # a finished line, a blank line, or a capital after the break: separate paragraphs
    ("The army said 300 people left.\nthey came from Homs.",
     ["The army said 300 people left.", "they came from Homs."]),
    ("Aleppo evacuation\n\nofficials said 300 people left.", ["Aleppo evacuation", "officials said 300 people left."]),
    ("Aleppo evacuation ends\nMOSCOW, Dec 15 - The army said",
     ["Aleppo evacuation ends", "MOSCOW, Dec 15 - The army said"]),
    ("  \n\n", []),
])
def test_paragraphs(text: str, want: list[str]) -> None:
    assert texts(text) == want


def test_a_wrapped_sentence_is_one_sentence() -> None:
    text = "Officials said about 1,200\npeople were evacuated on Monday. Another 300 left."
    assert [text[s.start:s.end] for s in sentences(text)] == [
        "Officials said about 1,200\npeople were evacuated on Monday.", "Another 300 left."]


@pytest.mark.parametrize("text, want", [
    ("Officials said between 1 and\n2 people left.", ["Officials said between 1 and\n2 people left."]),
    ("The ministry said\n300 people left.", ["The ministry said\n300 people left."]),
    # a headline then a body that opens with a figure stay apart
    ("Aleppo evacuation ends\n2,000 people left on Monday.",
     ["Aleppo evacuation ends", "2,000 people left on Monday."]),
])
def test_a_line_ending_in_a_word_no_sentence_ends_with_runs_on(text: str, want: list[str]) -> None:
    assert texts(text) == want

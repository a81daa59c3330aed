"""When a figure holds: a period per claim, from the sentence and the article's date.

A time expression is found in the claim's sentence (else in an earlier
sentence of the same paragraph, which news prose often states once for the
paragraph) and classified:

- ``window``: a count over a stretch of time (``over the past 24 hours``,
  ``in the past three days``, ``overnight``, ``daily``, ``on the first day``);
- ``increment``: a new batch (``another group of 8,000``) - a flow, like a window;
- ``cumulative``: a running total (``since the start of the operation``,
  ``overall``, ``a total of``, ``so far``);
- ``point``: a reading on a date (``on Sunday``, ``December 8``, ``last week``);
- ``unspecified``: nothing said (state figures such as a share held, or a
  total whose time is the article's).

Dates are resolved with ``dateparser`` relative to the publication date when
the document has one; without it a period keeps only its label, which is
still enough to compare two figures of one article.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

_NUM_WORDS = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|" \
             r"fifteen|twenty|thirty|forty|forty-eight|seventy-two|several|few)"
_SPAN_UNIT = r"(?:hours?|days?|nights?|weeks?|months?|years?|weekend)"

WINDOW = re.compile(
    rf"\b(?:over|in|during|within|for|throughout)?\s*(?:the\s+)?(?:past|last|previous|preceding)\s+"
    rf"(?:(?P<n>{_NUM_WORDS})\s+)?(?P<u>{_SPAN_UNIT})(?P<alone>\s+alone)?"
    r"|\b(?P<overnight>overnight)\b|\b(?P<daily>daily|per day|a day|every day|each day)\b"
    r"|\b(?:on|during)\s+(?:the\s+)?(?P<nth>first|second|third|fourth|fifth)\s+day\b"
    r"|\bin\s+(?:a|one)\s+(?P<single>day|night|week)\b",
    re.I)
# "a total of N" marks N itself as a running total; it says nothing of the sentence's other figures
TOTAL_OF = re.compile(r"\b(?:a|the)\s+(?:grand\s+)?total\s+of\s+$", re.I)
INCREMENT = re.compile(r"\b(?:another|a further|an additional|a new (?:group|batch|convoy))\b", re.I)
CUMULATIVE = re.compile(
    r"\bsince\s+(?:the\s+)?(?:start|beginning|launch|outset|onset)\b"
    r"|\bsince\s+the\s+[\w\s’'-]{0,40}?\b(?:began|started|was launched)\b"
    r"|\b(?:overall|in total|altogether|so far|to date|in all|cumulative(?:ly)?|"
    r"all told|as of now|thus far)\b",
    re.I)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|" \
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
POINT = re.compile(
    rf"\b(?:on\s+)?(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
    rf"|\b(?P<date>{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?|\d{{1,2}}\s+{_MONTHS}(?:\s+\d{{4}})?)"
    r"|\b(?P<rel>yesterday|today|last week|last month|this week|earlier this week|last year)\b",
    re.I)

PERIOD_KINDS = ("window", "increment", "cumulative", "point", "unspecified")
FLOW_KINDS = ("window", "increment")


@dataclass(frozen=True)
class Period:
    """When a figure holds. ``start``/``end`` are set only when they could be resolved."""

    kind: str
    label: str = ""
    start: Optional[dt.date] = None
    end: Optional[dt.date] = None
    inherited: bool = False  # stated in an earlier sentence of the paragraph, not the claim's own

    @property
    def resolved(self) -> bool:
        return self.end is not None

    def to_dict(self) -> dict[str, Optional[str]]:
        return {"kind": self.kind, "label": self.label or None,
                "start": self.start.isoformat() if self.start else None,
                "end": self.end.isoformat() if self.end else None}


@lru_cache(maxsize=4096)
def parse_date(text: Optional[str], base: Optional[dt.date] = None) -> Optional[dt.date]:
    """A calendar date from a publication date or a time phrase, via dateparser; None if none."""
    if not text or not text.strip():
        return None
    import dateparser

    settings: dict[str, object] = {"PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False}
    if base is not None:
        settings["RELATIVE_BASE"] = dt.datetime(base.year, base.month, base.day, 12)
    try:
        parsed = dateparser.parse(text.strip(), languages=["en"], settings=settings)
    except (ValueError, OverflowError, TypeError):
        return None
    return parsed.date() if parsed else None


def _window_period(m: re.Match[str], published: Optional[dt.date]) -> Period:
    label = re.sub(r"\s+", " ", m.group(0).strip().lower())
    label = re.sub(r"^(?:over|in|during|within|for|throughout)\s+", "", label)
    label = re.sub(r"^the\s+", "", label)
    label = re.sub(r"\s+alone$", "", label)
    label = re.sub(r"^(?:previous|preceding|last)\s", "past ", label)
    if m.group("daily"):
        label = "daily"
    if label in ("past day", "past night", "overnight", "past 24 hours", "in a day", "in one day"):
        label = "past 24 hours"
    start = end = None
    if published is not None:
        end = published
        n, unit = m.group("n"), m.group("u")
        if unit and unit.lower() != "weekend":
            ago = parse_date(f"{n or 1} {unit} ago", published)
            start = ago if ago and ago < published else published - dt.timedelta(days=1)
        else:
            start = published - dt.timedelta(days=1)
    return Period("window", label, start, end)


def _point_period(m: re.Match[str], published: Optional[dt.date]) -> Period:
    label = re.sub(r"^on\s+", "", m.group(0).strip(), flags=re.I)
    day = None
    if published is not None:
        if m.group("weekday") and m.group("weekday").lower() == _WEEKDAYS[published.weekday()]:
            day = published  # "on Thursday" in a Thursday article is that day
        else:
            day = parse_date(label, published)
            if day is not None and day > published:
                day = None
    return Period("point", label, day, day)


@lru_cache(maxsize=16384)
def _periods(sentence: str, published: Optional[dt.date]) -> tuple[tuple[int, int, Period], ...]:
    """Every time expression of a sentence with its span, in text order.

    Cached: each claim asks of its own sentence and the ones before it in its
    paragraph, and wire copies repeat sentences across documents.
    """
    found: list[tuple[int, int, Period]] = []
    for m in WINDOW.finditer(sentence):
        found.append((m.start(), m.end(), _window_period(m, published)))
    for m in CUMULATIVE.finditer(sentence):
        label = m.group(0).lower()
        label = "since the start" if label.startswith("since") else label
        found.append((m.start(), m.end(), Period("cumulative", label, None, published)))
    for m in INCREMENT.finditer(sentence):
        found.append((m.start(), m.end(), Period("increment", "another batch", published, published)))
    for m in POINT.finditer(sentence):
        found.append((m.start(), m.end(), _point_period(m, published)))
    found.sort(key=lambda f: f[0])
    return tuple(found)


def period_in(sentence: str, published: Optional[dt.date], at: Optional[tuple[int, int]] = None
              ) -> Optional[Period]:
    """The period a sentence states for a figure at ``at`` (offsets in the sentence), or None.

    With several expressions the one nearest the figure wins ("270 tons over the past days
    and 3,000 residents over the past three days"); a flow marker (window, increment) beats
    a date at equal footing because it changes what is counted, not just when.
    """
    if at is not None and TOTAL_OF.search(sentence[:at[0]]):
        return Period("cumulative", "a total of", None, published)
    found = _periods(sentence, published)
    if not found:
        return None
    if at is None:
        return found[-1][2]

    def distance(f: tuple[int, int, Period]) -> tuple[int, int]:
        s, e, p = f
        d = at[0] - e if e <= at[0] else (s - at[1] if s >= at[1] else 0)
        return (max(d, 0), 0 if p.kind in FLOW_KINDS else 1)

    # a window stated anywhere in the sentence outranks a mere date ("On Thursday, ... over the
    # past day"), a cumulative marker outranks a date as well
    flows = [f for f in found if f[2].kind != "point"]
    return min(flows or found, key=distance)[2]


def period_for(sentence: str, earlier: list[str], published: Optional[dt.date],
               at: Optional[tuple[int, int]] = None) -> Period:
    """The claim's period: its sentence's, else the nearest earlier sentence's in the paragraph."""
    found = period_in(sentence, published, at)
    if found is not None:
        return found
    for prev in reversed(earlier):
        found = period_in(prev, published)
        if found is not None and found.kind != "increment":
            return dataclasses.replace(found, inherited=True)
    return Period("unspecified", "", None, published)

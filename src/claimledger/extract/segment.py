"""Paragraphs, sentences and quotations over raw text, by character offset.

A fast rule-based splitter: news text is line-broken into paragraphs, and
sentences end at . ! ? (optionally followed by a closing quote) before a
capital, a digit or an opening quote, except after known abbreviations and
initials. Quotations are paired over the whole document because a quote may
span several paragraphs (each re-opened with a quote mark, the last one
closed).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_ABBREV = {
    "mr", "mrs", "ms", "dr", "gen", "lt", "col", "maj", "sgt", "capt", "cpt", "st", "jr", "sr",
    "prof", "rep", "sen", "gov", "adm", "brig", "cmdr", "gens", "lieut", "pres", "rev", "no",
    "vs", "etc", "inc", "ltd", "co", "corp", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "mt", "ft", "approx", "est", "fig", "e.g", "i.e",
    "u.s", "u.n", "u.k", "e.u", "a.m", "p.m",
}
_SENT_END = re.compile(r"[.!?]+[\"”’')\]]*(?=\s+[\"“‘(\[]?[A-Z0-9])")
_LAST_TOKEN = re.compile(r"([\w.]+)$")
_INITIALS = re.compile(r"[a-z]|(?:[a-z]\.)+[a-z]")  # "J." and "U.S."
_OPEN_Q = "“«„"
_CLOSE_Q = "”»"


# words a line of a finished sentence or a headline does not end with
_RUN_ON = {"a", "an", "the", "and", "or", "of", "to", "than", "about", "around", "nearly", "almost", "some",
           "between", "from", "at", "by", "in", "with", "for", "least", "over", "under", "more", "fewer", "less",
           "said", "says", "were", "was", "are", "is", "had", "have", "has"}
_LAST_WORD = re.compile(r"(\w+)\W*$")


def _runs_on(text: str, end: int) -> bool:
    """Does the line ending at ``end`` end in a word no sentence ends with?"""
    last = _LAST_WORD.search(text[max(0, end - 40):end])
    return last is not None and last.group(1).lower() in _RUN_ON


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def paragraphs(text: str) -> list[Span]:
    """Non-empty lines, stripped of surrounding whitespace (offsets into text).

    A line break inside a sentence does not end the paragraph: when a line ends
    without closing punctuation and the next line goes on in lower case ("Two-thirds
    / of the children"), or the line ends in a word no sentence ends with ("between
    1 and / 2 people"), the two are one paragraph (hard-wrapped text).
    """
    out: list[Span] = []
    joinable = False
    for m in re.finditer(r"[^\n]+", text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e <= s:
            joinable = False
            continue
        if joinable and out and (text[s].islower() or (text[s].isalnum() and _runs_on(text, out[-1].end))) \
                and "\n" not in text[out[-1].end:s].replace("\n", "", 1):
            out[-1] = Span(out[-1].start, e)
        else:
            out.append(Span(s, e))
        joinable = text[e - 1].isalnum() or text[e - 1] in ",-–+%&/;)"
    return out


def sentences(text: str) -> list[Span]:
    """Sentence spans in text order; never cross a paragraph break (see :func:`paragraphs`)."""
    return list(_sentences(text))


@lru_cache(maxsize=128)
def _sentences(text: str) -> tuple[Span, ...]:
    """:func:`sentences`, cached: extraction and the checks each ask it of the same texts."""
    out: list[Span] = []
    for p in paragraphs(text):
        start = p.start
        for m in _SENT_END.finditer(text, p.start, p.end):
            word = _LAST_TOKEN.search(text[max(p.start, m.start() - 12):m.start()])
            w = word.group(1).lower() if word else ""
            at = m.start() - len(word.group(1)) if word else 0
            glued = at > 0 and text[at - 1] in "/-"
            if text[m.start()] == "." and (w in _ABBREV or (_INITIALS.fullmatch(w) and not glued)):
                continue  # ("250 km/h. In Haiti": the "h" of a unit is no initial)
            end = m.end()
            if end > start:
                out.append(Span(start, end))
            start = end
            while start < p.end and text[start].isspace():
                start += 1
        if start < p.end:
            out.append(Span(start, p.end))
    return tuple(out)


def _opens(text: str, i: int) -> bool:
    """A straight quote at ``i`` that can open: after a space (or the start, or a bracket) and
    before a word."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before.isspace() or before in "([—–-:") and not after.isspace() and after not in ".,;:!?)"


def _closes(text: str, i: int) -> bool:
    """A straight quote at ``i`` that can close: after a word or punctuation, before a space,
    punctuation or the end."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return not before.isspace() and (after.isspace() or after in ".,;:!?)—–-")


def quotations(text: str) -> list[Span]:
    """Spans of direct quotations (inside the marks), joined across paragraphs.

    Curly and guillemet quotes pair directly; straight double quotes alternate
    within a paragraph. A paragraph that opens a quote and does not close it
    continues into the next paragraph if that one opens with a quote mark.
    A closing mark with no opener (a dropped opening quote) opens at the
    paragraph start.
    """
    out: list[Span] = []
    paras = paragraphs(text)
    open_at: int | None = None
    for p in paras:
        i = p.start
        while i < p.end:
            ch = text[i]
            if ch == '"' and open_at is not None and _opens(text, i) and not _closes(text, i):
                # a straight quote that can only open while one is open: the earlier one was never
                # closed (one lost mark must not turn every later quote inside out); it ends with
                # its first sentence
                end = re.search(r"[.!?](?=\s)", text[open_at:i])
                if end:
                    out.append(Span(open_at, open_at + end.end()))
                open_at = i + 1
                i += 1
                continue
            if ch == '"' and open_at is None and _closes(text, i) and not _opens(text, i) \
                    and i > p.start and text.count('"', p.start, i) == 0:
                # a straight quote that can only close, first in its paragraph: the quotation
                # opened in an earlier paragraph ("... 380 hectares.\nWe expect ...," he said.)
                if i > p.start:
                    out.append(Span(p.start, i))
                i += 1
                continue
            if ch in _OPEN_Q or (ch == '"' and open_at is None):
                if open_at is None:
                    open_at = i + 1
            elif ch in _CLOSE_Q or (ch == '"' and open_at is not None):
                if open_at is None:
                    open_at = p.start  # closing quote without an opener
                if i > open_at:
                    out.append(Span(open_at, i))
                open_at = None
            i += 1
        if open_at is not None:
            # the quote ends with the paragraph; quote_groups() joins it to the
            # next paragraph's quote when that one re-opens with a quote mark
            out.append(Span(open_at, p.end))
            open_at = None
    return out


def quote_groups(text: str) -> list[list[Span]]:
    """Quotations grouped when one paragraph's quote runs on into the next."""
    qs = quotations(text)
    groups: list[list[Span]] = []
    for q in qs:
        if groups:
            last = groups[-1][-1]
            between = text[last.end:q.start]
            unclosed = last.end < len(text) and text[last.end] not in _CLOSE_Q + '"'
            if unclosed and re.fullmatch(r"\s*[“«„\"]", between):
                groups[-1].append(q)
                continue
            # a quote left open at a paragraph's end whose next paragraph closes one it never
            # opened: the same quotation, with its opening mark on the first paragraph only
            if unclosed and re.fullmatch(r"\s+", between) and "\n" in between and q.start > 0 \
                    and text[q.start - 1] not in _OPEN_Q + '"':
                groups[-1].append(q)
                continue
        groups.append([q])
    return groups

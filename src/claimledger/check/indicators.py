"""The grouping key of a claim: what is counted, where, in which unit, for which event.

Two claims are about the same indicator when their keys are equal:

- **counted** is reduced to a class: the head noun in singular, with synonyms
  folded (``facilities``/``sites``, ``militants``/``fighters``/``gunmen``).
  ``civilians``, ``people`` and ``residents`` stay distinct keys but belong to
  one *family* (``RELATED``), so a report can show them side by side without
  claiming they are the same count.
- **place** is the root of the stated location: direction words go
  (``eastern Aleppo`` is in ``Aleppo``), so is a possessive country
  (``Syria's Aleppo``). A figure with no place, or only a people's name,
  takes the article's main place.
- **unit** is compared by dimension (square kilometres and square miles are
  one indicator; their values are compared after conversion).
- a **part** (``part_of``) carries its whole's counted class, so "953 of the
  1,096 who left" and "1,270 of the 1,324 who surrendered" are different
  indicators.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from claimledger.check import units

# synonym classes: a head noun (singular) -> the class name
_SYNONYMS = {
    "fighters": ("militant", "fighter", "gunman", "gunmen", "rebel", "insurgent", "terrorist", "jihadist",
                 "combatant", "extremist"),
    "sites": ("site", "facility", "installation", "structure", "premise", "premises", "location"),
    "neighborhoods": ("neighborhood", "neighbourhood", "district", "quarter"),
    "settlements": ("settlement", "village", "town", "locality", "hamlet"),
    "explosive devices": ("mine", "landmine", "ied", "explosive", "device", "ordnance", "munition", "bomb"),
    "aid": ("aid", "supply", "supplies", "relief", "assistance", "food"),
    "children": ("child", "children", "kid", "minor", "boy", "girl"),
    "dead": ("body", "dead", "death", "fatality", "corpse"),
    "wounded": ("wounded", "injured", "injury", "casualty"),
    "refugees": ("refugee", "displaced", "idp", "evacuee"),
    "territory": ("territory", "land"),
    "residents": ("resident", "inhabitant", "local"),
    "people": ("people", "person", "individual"),
    "civilians": ("civilian",),
    "families": ("family",),
    "family members": ("family member", "relative"),
    "buildings": ("building", "house", "home", "block"),
}
_CLASS_OF = {word: cls for cls, words in _SYNONYMS.items() for word in words}
# kept apart but related: counts of people that overlap without being equal
RELATED = {"civilians": "persons", "people": "persons", "residents": "persons", "refugees": "persons",
           "families": "persons", "family members": "persons"}
# modifiers that turn a noun into another thing ("explosive objects" are not "objects")
_MODIFIER_CLASS = {"explosive": "explosive devices", "unexploded": "explosive devices",
                   "improvised": "explosive devices", "former": None}
_DIRECTION = re.compile(
    r"^(?:the\s+)?(?:north|south|east|west|northern|southern|eastern|western|central|"
    r"north-?eastern|north-?western|south-?eastern|south-?western|northeast|northwest|"
    r"southeast|southwest|greater|old|downtown|rural|besieged|liberated)\s+", re.I)


@lru_cache(maxsize=8192)
def singular(word: str) -> str:
    w = word.lower()
    if w in _CLASS_OF or w in ("people", "police", "news", "series", "species", "premises"):
        return w
    for suffix, repl in (("ies", "y"), ("ches", "ch"), ("shes", "sh"), ("sses", "ss"), ("xes", "x"),
                         ("men", "man"), ("s", "")):
        if w.endswith(suffix) and len(w) > len(suffix) + 2 and not w.endswith(("ss", "us", "is")):
            return w[: -len(suffix)] + repl
    return w


@lru_cache(maxsize=8192)
def counted_class(counted: Optional[str]) -> str:
    """'More than two dozen facilities' and '21 sites' -> 'sites'; unknown -> the singular head."""
    if not counted:
        return ""
    words = re.findall(r"[a-z][a-z'-]*", counted.lower())
    words = [w for w in words if w not in ("of", "the", "a", "an")]
    if not words:
        return ""
    for w in words[:-1]:
        if w in _MODIFIER_CLASS and _MODIFIER_CLASS[w]:
            return _MODIFIER_CLASS[w]  # type: ignore[return-value]
    if words[0] in ("former", "ex") and len(words) > 1:  # former fighters are not fighters
        return "former " + counted_class(" ".join(words[1:]))
    for n in (2, 1):  # "family members" before "members"
        if len(words) >= n:
            phrase = " ".join(singular(w) for w in words[-n:])
            if phrase in _CLASS_OF:
                return _CLASS_OF[phrase]
    # "pieces of heavy military equipment": the thing after "of" is what is counted
    head = singular(words[-1])
    for w in reversed(words):
        cls = _CLASS_OF.get(singular(w))
        if cls and cls in ("aid",):
            return cls
    return _CLASS_OF.get(head, head)


@lru_cache(maxsize=8192)
def place_root(location: Optional[str]) -> str:
    """'eastern Aleppo' -> 'Aleppo'; "Syria’s Aleppo" -> 'Aleppo'; 'Khan al-Shih and Al-Tall' kept whole."""
    if not location:
        return ""
    loc = location.strip()
    loc = re.sub(r"^.*[’']s\s+(?=[A-Z])", "", loc)  # "Syria's Aleppo" -> "Aleppo"
    prev = None
    while prev != loc:
        prev = loc
        loc = _DIRECTION.sub("", loc)
    loc = re.sub(r"\s+(?:city|province|governorate|district|region|area)$", "", loc, flags=re.I)
    loc = re.sub(r"[’']s$", "", loc).strip(" ,.")
    return loc[:1].upper() + loc[1:] if loc else ""


@lru_cache(maxsize=8192)
def is_people_name(location: str) -> bool:
    """'Syrian' names a people, not a place: such a location says nothing about where."""
    from claimledger.extract.places import is_demonym

    if not location or len(location.split()) != 1:
        return False
    return is_demonym(location) or (location.endswith("s") and is_demonym(location[:-1]))


def main_place(locations: list[Optional[str]]) -> str:
    """The place an article is about: its most frequent location root (first seen on ties)."""
    roots = [place_root(loc) for loc in locations if loc]
    roots = [r for r in roots if r and not is_people_name(r) and " and " not in r]
    if not roots:
        return ""
    counts = Counter(roots)
    best = max(counts.values())
    return next(r for r in roots if counts[r] == best)


@dataclass(frozen=True)
class Indicator:
    """The grouping key. ``whole`` is the (event, counted class) of the claim this one is part of."""

    event: str
    counted: str
    place: str
    dimension: str
    whole: Optional[tuple[str, str]] = None

    @property
    def specific(self) -> bool:
        """Says what is counted and what happened: enough to compare two figures."""
        return bool(self.counted) and self.event != "other"

    @property
    def family(self) -> str:
        return RELATED.get(self.counted, self.counted)

    def label(self) -> str:
        """'civilians, evacuation, Aleppo' (with its whole for a part)."""
        what = self.counted or "unspecified things"
        if self.whole:
            what = f"{what} (of {self.whole[1] or 'a total'}, {self.whole[0]})"
        unit = "" if self.dimension in ("count",) else f" [{_readable_dimension(self.dimension)}]"
        where = self.place or "place not stated"
        return f"{what}, {self.event.replace('_', ' ')}, {where}{unit}"

    def to_dict(self) -> dict[str, object]:
        return {"event": self.event, "counted": self.counted, "place": self.place,
                "dimension": self.dimension, "whole": list(self.whole) if self.whole else None,
                "family": self.family, "label": self.label()}


def _readable_dimension(dim: str) -> str:
    return {"[length] ** 2": "area", "[length]": "length", "[mass]": "mass",
            "[length] ** 3": "volume"}.get(dim, dim)


def indicator_for(event: str, counted: Optional[str], location: Optional[str], unit: str,
                  doc_place: str, whole: Optional[tuple[str, str]] = None) -> Indicator:
    """The key of one claim, ``doc_place`` standing in when the claim names no usable place."""
    root = place_root(location)
    if not root or is_people_name(root):
        root = doc_place
    return Indicator(event or "other", counted_class(counted), root, units.dimension(unit), whole)

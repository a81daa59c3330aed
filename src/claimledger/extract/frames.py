"""Frames of a figure: what it counts, the event, where, and what it is part of.

Works on the spaCy parse of the sentence that holds the figure. Every rule
reads the sentence's own words; nothing here knows a name or number of any
particular article.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Optional

# isort: off
from claimledger.extract import _spacy  # noqa: F401  (imports spaCy without its CLI: first)
# isort: on
from spacy.tokens import Span as SpacySpan
from spacy.tokens import Token

from claimledger.extract.lemmas import lemma
from claimledger.extract.lexicon import MONTH_NAMES
from claimledger.extract.places import is_people

# --- counted ---------------------------------------------------------------

_SKIP_MODIFIERS = {"more", "other", "additional", "further", "such", "total", "last", "past",
                   "about", "some", "own", "overall", "new", "several", "many", "few", "least",
                   "another", "same", "recent", "latest", "respective", "approximately", "nearly"}
_PARTITIVES = {"pieces", "piece", "units", "unit", "items", "item", "kinds", "types", "sorts",
               "batches", "rounds", "pairs", "sets", "boxes", "bags", "packages", "parcels",
               "cartons", "crates", "sacks", "loads", "truckloads", "shipments", "portions",
               "members", "groups", "bottles", "litres", "liters", "cases", "categories"}
_ANAPHORS = {"them", "whom", "which", "those", "these", "us", "you", "it"}
_PLACE_NOUNS = {"city", "town", "country", "region", "province", "territory", "area", "state",
                "district", "village", "capital", "enclave", "governorate", "county", "island",
                "zone", "strip", "peninsula", "nation"}
_AREA_UNITS = {"hectare", "km2", "mi2", "m2", "ft2", "acre"}
# "a 13% increase": the percentage measures a change of something else, not the change noun
_CHANGE_NOUNS = {"increase", "rise", "drop", "decline", "fall", "jump", "cut", "reduction", "decrease",
                 "growth", "gain", "loss", "surge", "hike", "share", "majority", "chance", "probability"}
_MONEY_HINT = re.compile(r"^[A-Z]{3}$")


def noun_phrase(head: Token, floor: int = -1) -> str:
    """The head noun with its contiguous compound/adjective modifiers, lower-cased.

    A head at or after character ``floor`` (the figure's end) takes modifiers from
    ``floor`` on only: the figure's own tokens, which the parser may tag as
    compounds of the noun ("ten dozen residents", "4–5 people"), are never part of
    what it counts.
    """
    left: list[Token] = []
    i = head.i - 1
    doc = head.doc
    if head.idx < floor:
        floor = -1
    while i >= 0:
        t = doc[i]
        if t.idx < floor:
            break
        inside = head.left_edge.i <= t.i
        if inside and t.dep_ in ("compound", "amod", "nmod") and t.pos_ in ("NOUN", "PROPN", "ADJ", "VERB") \
                and t.lower_ not in _SKIP_MODIFIERS and not t.like_num and not _DESIGNATION.fullmatch(t.text):
            left.insert(0, t)
        elif t.text == "-" and left and not t.whitespace_ and i > 0 and not doc[i - 1].whitespace_ \
                and doc[i - 1].idx >= max(floor, 0) and (doc[i - 1].is_alpha or doc[i - 1].is_digit):
            # a hyphenated modifier is one word: "coronavirus-related deaths", "intelligence-based operations"
            left[:0] = [doc[i - 1], t]
            i -= 2
            continue
        elif inside and t.text == "-" and left:
            left.insert(0, t)
        else:
            break
        i -= 1
    words = [t.text for t in left] + [head.text]
    phrase = " ".join(words).replace(" - ", "-").lower().lstrip("- ")
    if head.lower_ in _PARTITIVES:
        of = next((c for c in head.rights if c.lower_ == "of"), None)
        pobj = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
        if pobj is not None:
            phrase = f"{phrase} of {noun_phrase(pobj, floor)}"
    return phrase


def _is_place(tok: Token, places: set[str]) -> bool:
    if tok.ent_type_ in ("GPE", "LOC") and not is_people(tok.text):
        return True
    if tok.text in places:
        return True
    return tok.lower_ in _PLACE_NOUNS


# a time phrase right after a figure says when, not what is counted ("killed 25 this week")
_TIME_NOUNS = {"day", "days", "week", "weeks", "weekend", "month", "months", "year", "years", "night", "morning",
               "afternoon", "evening", "time", "season", "spring", "summer", "autumn", "fall", "winter"}
_TIME_DETERMINERS = {"last", "this", "next", "that", "every", "each", "previous", "past", "same"}


_DESIGNATION = re.compile(r"[A-Z][A-Za-z]{0,4}-?\d+[A-Za-z]{0,2}")


def _first_noun_after(toks: list[Token]) -> Optional[Token]:
    """First noun that a figure modifies: 'two temporary accommodation centers' -> centers."""
    for k, t in enumerate(toks[:8]):
        hyphen_next = k + 1 < len(toks) and toks[k + 1].text == "-" and not t.whitespace_
        if hyphen_next and t.is_alpha:
            continue  # the first half of a hyphenated modifier: "coronavirus-related deaths"
        if k > 0 and toks[k - 1].text == "-" and not toks[k - 1].whitespace_ and k + 1 < len(toks) \
                and toks[k + 1].pos_ in ("NOUN", "PROPN", "ADJ"):
            continue  # its second half, a noun or more words follow ("off-duty soldiers")
        if t.lower_ in _TIME_NOUNS and k > 0 and (toks[k - 1].lower_ in _TIME_DETERMINERS or (
                toks[k - 1].lower_ in ("a", "an", "one") and k + 1 < len(toks) and toks[k + 1].lower_ == "ago")):
            return None  # "arrested 40 last month", "up from 800 a week ago": when, not what is counted
        if t.pos_ in ("NOUN", "PROPN") or (t.pos_ == "ADJ" and t.dep_ in ("nsubj", "dobj", "pobj")):
            # walk right through compounds: 'field kitchens'
            head = t
            while head.dep_ in ("compound", "amod") and head.head.i > head.i and head.head.i - t.i < 7:
                head = head.head
            return head
        if t.pos_ in ("ADJ", "DET", "PRON") and t.dep_ in ("amod", "poss", "det", "compound", "nmod"):
            continue
        if t.pos_ == "ADV" and t.lower_.endswith("ly") and k + 1 < len(toks) and toks[k + 1].pos_ in ("ADJ", "VERB"):
            continue  # "some 7,000 internally displaced persons", "40 seriously wounded soldiers"
        if t.pos_ == "VERB" and t.dep_ == "amod" and t.tag_ == "VBN" and k + 1 < len(toks) \
                and toks[k + 1].pos_ in ("NOUN", "ADJ", "VERB"):
            continue  # a participle before the noun: "12 wounded soldiers", "300 displaced families"
        if t.text in ("-", "’s", "'s"):
            continue
        if _DESIGNATION.fullmatch(t.text) and k + 1 < len(toks):
            continue  # a model name before the noun: "two Mi-8 helicopters", "four T-72 tanks"
        break
    return None


# participles and adjectives that name people after a figure ("the 20 injured", "300 displaced");
# "killed" and "arrested" are left out: after a figure they are mostly a headline's verb
_NOMINAL_PARTICIPLES = {"injured", "wounded", "dead", "missing", "displaced", "homeless", "sick", "elderly",
                        "disabled", "detained", "unemployed", "hungry", "poor", "survivors"}
_TOTAL_NOUNS = {"number", "total", "tally", "count", "share", "proportion", "percentage"}
_TOLL_NOUNS = {"toll"}
_TOLL_OF = {"casualty": "casualties", "injury": "injuries", "civilian": "deaths", "death": "deaths"}


def _total_subject(sent: SpacySpan, start: int) -> Optional[str]:
    """What a bare figure counts when the verb's subject names it: "the number of displaced people
    has reached 12 million" -> displaced people; "the death toll rose to 3,145" -> deaths."""
    tok = _governing_verb(sent, start, 5)
    if tok is None:
        return None
    subjs = [c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")]
    if _lemma(tok) in ("put", "place", "set", "bring", "raise", "push", "take", "lift", "revise", "give"):
        # "put the number of wounded at 5,243", "bringing the total number of returnees to 31,000"
        subjs = [c for c in tok.children if c.dep_ == "dobj"] + subjs
    # (a dateline parsed as a second subject, "KHARTOUM, ... -- The death toll ... has risen")
    subj = next((c for c in subjs if c.lower_ in _TOTAL_NOUNS | _TOLL_NOUNS | {"population", "populace"}),
                subjs[0] if subjs else None)
    if subj is None:
        return None
    if subj.lower_ in _TOTAL_NOUNS:
        of = next((c for c in subj.rights if c.lower_ == "of"), None)
        pobj = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
        if pobj is not None and (pobj.pos_ in ("NOUN", "ADJ") or pobj.lower_ in _NOMINAL_PARTICIPLES):
            return noun_phrase(pobj)
        return None
    if subj.lower_ in ("population", "populace"):
        return "population"  # "Aleppo's population shrank from 2.3 million to 1.5 million"
    if subj.lower_ in _TOLL_NOUNS:
        mods = [c.lower_ for c in subj.lefts if c.dep_ in ("compound", "amod")]
        return next((_TOLL_OF[m] for m in reversed(mods) if m in _TOLL_OF), "deaths")
    return None


def _governing_verb(sent: SpacySpan, start: int, hops: int) -> Optional[Token]:
    """The first verb on the way up the parse from the figure starting at ``start`` (within ``hops``)."""
    return _verb_above(next((t for t in sent if t.idx >= start), None), hops)


def _verb_above(tok: Optional[Token], hops: int) -> Optional[Token]:
    """``tok`` if it is a verb, else the first verb on the way up from it (within ``hops``)."""
    for _ in range(hops):
        if tok is None:
            return None
        if tok.pos_ in ("VERB", "AUX"):
            return tok
        if tok.head is tok:
            return None
        tok = tok.head
    return None


def counted_for(sent: SpacySpan, start: int, end: int, unit: str, value: Optional[float],
                places: set[str]) -> tuple[Optional[str], bool]:
    """(counted phrase, is_anaphoric). ``start``/``end`` are the figure's char offsets."""
    # a list line "tanks – 11,256 (+3)": the words before the dash name what the figure counts
    line = sent.doc.text[:start].rsplit("\n", 1)[-1]
    m = _LIST_LABEL.fullmatch(line)
    if m and m.group(1).split()[0] not in places and unit == "count":
        return m.group(1).strip().lower(), False
    counted, ana = _counted_for(sent, start, end, unit, value, places)
    if counted in ("die", "dies", "died"):
        return None, True  # "11 more die": a verb the parser took for a noun
    if counted and (counted.split()[-1] in _TIME_NOUNS or counted.split()[-1] in MONTH_NAMES):
        return None, False  # "$800,000 a month", "$1.3 million in January": when, not what
    return counted, ana


_LIST_LABEL = re.compile(r"[\s\u00a0•*-]*([a-z][a-z/ -]{1,60}?)[\s\u00a0]*[–—:][\s\u00a0]*"
                         r"(?:(?:about|around|some|over|more than|nearly|almost|up to)[\s\u00a0]+)?")


def _counted_for(sent: SpacySpan, start: int, end: int, unit: str, value: Optional[float],
                 places: set[str]) -> tuple[Optional[str], bool]:
    # spaCy makes a token of extra whitespace ("Hundreds  of", a line break inside a sentence)
    after = [t for t in sent if t.idx >= end and not t.is_space]
    before = [t for t in sent if t.idx + len(t) <= start and not t.is_space]
    if after and after[0].text == "(":
        # "18 hectares (180 square kilometres) of farmland": the bracketed conversion is skipped
        close = next((k for k, t in enumerate(after) if t.text == ")"), None)
        if close is not None and close < 12 and close + 1 < len(after) and after[close + 1].lower_ == "of":
            after = after[close + 1:]
    if after and after[0].lower_ == "of" and len(after) > 1:
        rest = after[1:]
        if rest[0].lower_ in _ANAPHORS:
            if len(rest) > 1 and rest[1].pos_ in ("NOUN", "ADJ") and rest[0].lower_ in ("them", "whom", "those",
                                                                                     "these"):
                # "13 people, 11 of them students"; "15 of those centers": the noun after the determiner
                n = _first_noun_after(rest[1:5])
                if n is not None and not n.like_num:
                    return noun_phrase(n, end), False
            if len(rest) > 2 and lemma(rest[1]) == "be":
                n = _first_noun_after(rest[2:])  # "64 of whom were children": the predicate names them
                if n is not None and not n.like_num:
                    return noun_phrase(n, end), False
            return None, True
        pobj = next((c for c in after[0].children if c.dep_ == "pobj"), None)
        if pobj is None:
            pobj = _first_noun_after([t for t in rest if t.dep_ not in ("det", "poss")])
        if pobj is not None and pobj.i + 1 < len(pobj.doc) and pobj.doc[pobj.i + 1].lower_ in ("'s", "’s"):
            # "nine of Sudan's 18 states": the owner's figure, and what it counts
            num = next((t for t in sent if t.i > pobj.i + 1 and t.like_num), None)
            if num is not None and num.i - pobj.i <= 3:
                pobj = num
        if pobj is not None and pobj.like_num:
            # "7 of the 20 injured", "5 of the 30 million": what the second figure counts
            inner = [t for t in sent if t.i > pobj.i and not t.is_space]
            n = _first_noun_after(inner)
            if n is not None and not n.like_num:
                return noun_phrase(n, inner[0].idx), False
            if inner and inner[0].lower_ in _NOMINAL_PARTICIPLES:
                return inner[0].lower_, False
            return None, True
        if pobj is not None:
            if unit in ("percent", "fraction"):
                # "93% of Aleppo", "98 percent of the territory of Aleppo", "93% of the city's territory"
                if _is_place(pobj, places) and pobj.lower_ not in ("area",):
                    return "territory", False
            return noun_phrase(pobj, end), False
    if unit == "percent" and after and after[0].pos_ == "NOUN" and after[0].lower_ not in _CHANGE_NOUNS:
        # "25% tariffs", "a 43% funding gap": the noun the percentage qualifies
        n = _first_noun_after(after)
        pct = [t for t in sent if start <= t.idx < end]
        if n is not None and n.lower_ not in _CHANGE_NOUNS and any(t.head.i == n.i for t in pct):
            return noun_phrase(n, end), False
    if unit in ("percent", "fraction"):
        total = _total_subject(sent, start)  # "put the share of civilians among the dead at around 72 percent"
        if total is not None:
            return total, False
        # "the area held by gunmen has decreased by one-third": the subject of the verb
        verb = _governing_verb(sent, start, 6)
        if verb is not None:
            subjs = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
            subj = next((c for c in subjs if start <= c.idx < end), subjs[0] if subjs else None)
            if subj is not None and start <= subj.idx < end:
                # "of whom 60% are women and children": the figure is the subject, its predicate counts
                attr = next((c for c in verb.children if c.dep_ in ("attr", "acomp") and c.pos_ == "NOUN"), None)
                if attr is not None:
                    return noun_phrase(attr, end), False
            elif subj is not None and subj.pos_ in ("NOUN", "PROPN"):
                return noun_phrase(subj, end), False
        nxt = _first_noun_after(after)
        return (noun_phrase(nxt, end) if nxt is not None else None), False
    if unit in ("count",):
        if len(before) >= 2 and before[-1].lower_ == "of" and before[-2].lower_ in ("population", "populations"):
            return "population", False  # "a population of roughly two million"
        if len(after) >= 2 and lemma(after[0]) == "be":
            k = 1
            while k < min(len(after), 4) and after[k].pos_ in ("ADJ", "DET") and after[k].dep_ in ("amod", "det"):
                k += 1
            if k < len(after) and after[k].pos_ == "NOUN":
                return noun_phrase(after[k], end), False  # "of whom 210 were (foreign) nationals"
        if after and after[0].is_title and sum(t.is_title for t in sent) > 0.6 * sum(t.is_alpha for t in sent):
            return after[0].lower_, False  # a Title Case headline: its parse is unreliable
        nxt = _first_noun_after(after)
        if nxt is not None and not nxt.like_num:
            return noun_phrase(nxt, end), False
        if after and after[0].lower_ in _NOMINAL_PARTICIPLES and not (
                len(after) > 1 and after[1].pos_ in ("NOUN", "PROPN")):
            return after[0].lower_, False  # "the 20 injured", "40 wounded": the people they describe
        total = _total_subject(sent, start)
        if total is not None:
            return total, False
        return None, True
    # measures: "270 tons of humanitarian aid" handled above; "a total area of 24 hectares"
    if len(before) >= 2 and before[-1].lower_ == "of" and before[-2].pos_ == "NOUN":
        return noun_phrase(before[-2], -1), False
    if unit in _AREA_UNITS:
        return "area", False
    if len(after) >= 3 and after[0].lower_ == "worth" and after[1].lower_ == "of" and unit.isupper():
        n = next((c for c in after[1].children if c.dep_ == "pobj"), None) or \
            _first_noun_after([t for t in after[2:] if t.dep_ not in ("det", "poss")])
        if n is not None:
            return noun_phrase(n, end), False  # "$28 billion worth of exports"
    if len(after) >= 2 and after[0].lower_ in ("in", "for", "worth") and unit.isupper():
        n = _first_noun_after(after[1:])
        if n is not None:
            return noun_phrase(n, end), False
    nxt = _first_noun_after(after)
    if nxt is not None:
        return noun_phrase(nxt, end), False
    return None, False


# --- event -----------------------------------------------------------------

# lemma -> event when the word governs the figure (strong: decides alone)
_STRONG_VERBS = {
    "evacuate": "evacuation", "evacuation": "evacuation", "transfer": "evacuation",
    "escape": "evacuation", "withdraw": "evacuation", "withdrawal": "evacuation",
    "relocate": "evacuation", "bus": "evacuation", "evacuee": "evacuation",
    "surrender": "surrender", "capitulate": "surrender", "defect": "surrender",
    "amnesty": "amnesty", "pardon": "amnesty", "amnestie": "amnesty",
    "return": "returns", "repatriate": "returns", "resettle": "returns", "returnee": "returns",
    "exit": "evacuation",
    "flee": "displacement", "displace": "displacement", "uproot": "displacement",
    "kill": "casualties", "die": "casualties", "wound": "casualties", "injure": "casualties",
    "execute": "casualties", "eliminate": "casualties", "massacre": "casualties",
    "slaughter": "casualties", "behead": "casualties", "perish": "casualties", "murder": "casualties",
    "neutralize": "casualties", "neutralise": "casualties", "bury": "casualties", "exhume": "casualties",
    "arrest": "detention", "detain": "detention", "imprison": "detention", "jail": "detention",
    "abduct": "detention", "kidnap": "detention", "abduction": "detention", "kidnapping": "detention",
    "rescue": "evacuation",
    "demine": "demining", "defuse": "demining",
    "liberate": "territorial_control", "recapture": "territorial_control",
    "retake": "territorial_control", "regain": "territorial_control", "control": "territorial_control",
    "reclaim": "territorial_control", "encircle": "territorial_control",
    "restore": "infrastructure", "rebuild": "infrastructure", "repair": "infrastructure",
    "reconstruct": "infrastructure", "reopen": "infrastructure",
    "treat": "medical", "hospitalize": "medical", "hospitalise": "medical", "vaccinate": "medical",
    "airstrike": "military", "strike": "military", "shell": "military", "bomb": "military",
    "sortie": "military",
    "deliver": "aid", "distribute": "aid", "airdrop": "aid", "donate": "aid", "appeal": "aid", "pledge": "aid",
    "feed": "aid",
    "allowance": "aid", "compensation": "aid",
}
_HUMAN = {"people", "civilians", "residents", "persons", "families", "children", "women", "men",
          "inhabitants", "individuals", "refugees", "migrants", "militants", "fighters", "rebels",
          "soldiers", "troops", "terrorists", "gunmen", "insurgents", "citizens", "villagers",
          "evacuees", "patients", "students", "workers", "members", "prisoners", "detainees",
          "hostages", "locals", "survivors", "victims", "households", "person", "family", "protesters",
          "demonstrators", "activists", "journalists", "suspects", "pupils", "girls", "boys", "teachers",
          "doctors", "nurses", "servicemen", "officers", "policemen", "police", "seekers", "pilgrims",
          "farmers", "fishermen", "miners", "wounded", "injured", "dead", "elderly", "orphans",
          "nationals", "tourists", "visitors", "employees", "staff", "voters", "schoolgirls", "schoolchildren",
          "infants", "babies", "adults", "youths", "parents", "mothers"}
HUMAN = _HUMAN


def head_of(counted: Optional[str]) -> str:
    """The head noun of a counted phrase: 'children' of 'displaced children of the camp'."""
    return ((counted or "").split(" of ")[0].split()[-1:] or [""])[0]


# weak verbs: meaning depends on what is counted
_POPULATION_VERBS = {"remain", "live", "stay", "trap", "reside", "inhabit", "shelter", "wait",
                     "besiege", "populate"}
_EVAC_WEAK = {"leave", "take", "exit", "carry", "move", "cross", "pass"}
_SURRENDER_PRT = {("lay", "down"), ("give", "up"), ("hand", "over"), ("put", "down")}
_CAPTURE = {"capture", "seize", "take", "hold", "free", "push", "lose", "gain", "enter",
            "clear", "secure"}
# nouns that name the event when counted or governing
_NOUN_EVENTS = {
    "neighborhood": "territorial_control", "neighbourhood": "territorial_control",
    "district": "territorial_control", "territory": "territorial_control",
    "settlement": "territorial_control", "village": "territorial_control",
    "town": "territorial_control", "township": "territorial_control",
    "kitchen": "aid", "meal": "aid", "aid": "aid", "food": "aid", "supply": "aid",
    "ration": "aid", "blanket": "aid", "parcel": "aid", "shelter": "aid", "assistance": "aid",
    "flour": "aid", "bread": "aid", "accommodation": "aid", "rice": "aid", "wheat": "aid", "biscuit": "aid",
    "kit": "aid", "bottle": "aid", "sack": "aid", "tarpaulin": "aid", "voucher": "aid",
    "mine": "demining", "explosive": "demining", "ordnance": "demining", "ied": "demining",
    "landmine": "demining", "device": "demining", "bomb": "demining",
    "body": "casualties", "corpse": "casualties", "casualty": "casualties", "death": "casualties",
    "fatality": "casualties", "victim": "casualties", "dead": "casualties", "toll": "casualties",
    "grave": "casualties",
    "refugee": "displacement", "idp": "displacement", "displaced": "displacement", "asylum": "displacement",
    "prisoner": "detention", "detainee": "detention", "hostage": "detention", "captive": "detention",
    "custody": "detention",
    "evacuee": "evacuation", "corridor": "evacuation", "convoy": "evacuation",
    "returnee": "returns",
    "hilltop": "territorial_control",
    "hospital": "medical", "clinic": "medical", "patient": "medical", "tent": "medical",
    "doctor": "medical", "surgery": "medical", "vaccine": "medical", "bed": "medical",
    "consultation": "medical", "vaccination": "medical", "treatment": "medical", "hospitalisation": "medical",
    "hospitalization": "medical", "admission": "medical",
    "building": "infrastructure", "school": "infrastructure", "road": "infrastructure",
    "bridge": "infrastructure", "house": "infrastructure", "home": "infrastructure",
    "substation": "infrastructure", "bakery": "infrastructure", "power": "infrastructure",
    "latrine": "infrastructure", "well": "infrastructure",
    "electricity": "infrastructure", "water": "infrastructure", "mosque": "infrastructure",
    "station": "infrastructure", "pipeline": "infrastructure", "infrastructure": "infrastructure",
    "weapon": "military", "tank": "military", "vehicle": "military", "equipment": "military",
    "drone": "military", "missile": "military", "rocket": "military", "aircraft": "military",
    "jet": "military", "artillery": "military", "ammunition": "military", "troop": "military",
    "soldier": "military", "fighter": "military", "combatant": "military", "warplane": "military",
    "helicopter": "military", "sortie": "military",
    "airstrike": "military", "strike": "military", "attack": "military", "shelling": "military",
    "population": "population", "inhabitant": "population", "resident": "population",
    "life": "casualties",
}
# sentence-wide keyword fallbacks (lemma or lower-case word), first hit in text order wins
_KEYWORDS = dict(_NOUN_EVENTS)
_KEYWORDS.update({k: v for k, v in _STRONG_VERBS.items()})
_KEYWORDS.update({"surgical": "medical", "therapeutic": "medical", "paediatric": "medical",
                  "pediatric": "medical", "medical": "medical", "humanitarian": "aid",
                  "demining": "demining", "sapper": "demining", "unexploded": "demining",
                  "liberation": "territorial_control", "hold": "territorial_control"})
for _w in ("feed", "kit", "bottle", "sack", "life", "rescue", "consultation", "admission", "appeal", "allowance",
           "compensation", "pledge",
           "well", "treatment", "tent", "device", "bomb", "hold", "home",
           "water", "power", "station", "strike",
           "attack", "bed", "shelter", "supply", "assistance", "convoy", "corridor", "grave"):
    # too ambiguous to decide from anywhere in the sentence
    _KEYWORDS.pop(_w, None)
# when only loose keywords decide, the more specific event wins
_PRIORITY = ["demining", "casualties", "medical", "amnesty", "surrender", "evacuation", "returns",
             "displacement", "detention", "aid", "infrastructure", "military",
             "territorial_control", "population", "other"]
_REPORTING = {"say", "tell", "add", "state", "report", "announce", "claim", "confirm", "note",
              "declare", "explain", "estimate", "elaborate", "warn", "insist", "write", "reveal",
              "indicate", "stress", "assert", "allege", "quote", "consider", "believe", "accord"}


def _lemma(t: Token) -> str:
    return lemma(t)


_HAZARDS = {"earthquake", "quake", "tremor", "aftershock", "storm", "cyclone", "hurricane", "typhoon", "flood",
            "tornado", "tsunami", "landslide", "wildfire", "fire", "drought", "heatwave", "blizzard"}


_FACILITIES = {"camp", "shelter", "centre", "center", "school", "building", "site", "hall", "stadium", "tent",
               "facility", "settlement", "town", "city", "village", "district", "area", "hostel", "hotel"}
_FORCES = {"servicemen", "troops", "soldiers", "personnel", "police", "policemen", "officers", "fighters", "units",
           "battalions", "brigades", "marines", "paratroopers", "peacekeepers", "forces", "gendarmes", "guards"}
_DEMINERS = {"sapper", "deminer", "engineer"}
_DEMINING_WORDS = {"demine", "demining", "sapper", "deminer", "engineer", "mine", "landmine", "explosive", "ordnance",
                   "ied", "bomb-disposal"}
_DEMINING_VERBS = {"clear", "sweep", "neutralize", "neutralise", "defuse", "detonate", "remove", "demine"}
_FIND_VERBS = {"find", "discover", "destroy", "eliminate", "inspect", "check", "dismantle", "disarm"}
_EXPLOSIVES = {"objects", "devices", "mines", "landmines", "explosives", "ordnance", "ieds", "shells", "munitions",
               "bombs", "charges", "booby-traps", "traps"}


def _hazard_strike(t: Token) -> bool:
    """'an earthquake struck', 'a cyclone hit': a natural hazard, not a military strike."""
    return _lemma(t) in ("strike", "hit") and any(
        c.dep_ in ("nsubj", "nsubjpass") and any(_lemma(g) in _HAZARDS for g in c.subtree) for c in t.children)


def _verb_event(v: Token, counted_head: str) -> Optional[str]:
    lem = _lemma(v)
    if _hazard_strike(v):
        return None  # "an earthquake struck": no air strike
    # "sappers cleared 47 hectares", "neutralized more than 3,200 explosive objects", "completed demining
    # of the old city, clearing 234 hectares"
    if (lem in _DEMINING_VERBS and any(c.dep_ == "nsubj" and any(_lemma(g) in _DEMINERS | {"engineering"}
                                                                 for g in c.subtree) for c in v.children)) or (
            lem in _DEMINING_VERBS | _FIND_VERBS and counted_head in _EXPLOSIVES) or (
            lem in ("clear", "check", "sweep") and any(_lemma(t) in _DEMINING_WORDS for t in v.doc)):
        return "demining"
    if lem in ("restore", "establish", "impose", "extend") and any(
            c.dep_ == "dobj" and _lemma(c) in ("security", "control", "order", "stability", "sovereignty")
            for c in v.children):
        return "territorial_control"  # "restored security to six villages"
    if lem in _STRONG_VERBS:
        return _STRONG_VERBS[lem]
    prts = {c.lower_ for c in v.children if c.dep_ in ("prt", "advmod")}
    objs = [c for c in v.children if c.dep_ in ("dobj", "attr", "oprd", "nsubjpass")]
    obj_lemmas = {_lemma(o) for o in objs}
    pobj_lemmas = {_lemma(g) for c in v.children if c.dep_ in ("prep", "prt") for g in c.children}
    for verb, prt in _SURRENDER_PRT:
        if lem == verb and (prt in prts or (verb == "lay" and "weapon" in obj_lemmas)):
            return "surrender"
    if lem == "give" and any(c.lower_ == "themselves" for c in v.children) and "up" in prts:
        return "surrender"
    if lem in ("lay", "hand", "give", "turn", "put", "surrender") and (obj_lemmas | pobj_lemmas) & {"weapon", "arm"}:
        return "surrender"
    if lem == "grant" and ("amnesty" in obj_lemmas or any(_lemma(c) == "amnesty" for c in v.subtree)):
        return "amnesty"
    if lem == "clear" and any(_lemma(c) in ("mine", "explosive", "ordnance") for c in v.subtree):
        return "demining"

    if lem in ("take", "gain", "seize", "assume") and "control" in obj_lemmas | pobj_lemmas:
        return "territorial_control"
    if lem in ("release", "free", "exchange", "swap") and counted_head in _HUMAN:
        return "detention"  # "released 73 prisoners", "freed 16 soldiers" (captives set free)
    back = [c for c in v.children if c.lower_ == "back" and c.dep_ in ("prt", "advmod")]
    if back and any(_lemma(g) in ("home", "house", "village") for h in [v, *back] for c in h.children
                    if c.dep_ == "prep" for g in c.children):
        return "returns"  # "thousands streamed back to their homes"
    if lem == "advance" and v.pos_ == "VERB":
        return "territorial_control"  # "the army advanced three kilometers" (not "recent advances")
    if lem in ("deploy", "redeploy", "station", "dispatch") and counted_head in _FORCES:
        return "military"  # "200 servicemen have been deployed" (tents and kitchens are deployed too)
    if lem in ("lose", "claim", "take", "cost") and "life" in obj_lemmas:
        return "casualties"  # "31 people lost their lives", "claimed more than 500 lives"
    if lem == "lose" and counted_head in _HUMAN | _FORCES | {"men", "relatives", "sisters", "brothers", "sons",
                                                            "daughters", "parents"}:
        return "casualties"  # "we have lost between 50 and 70 men"
    if lem in ("affect", "employ", "hire", "recruit", "train"):
        return "other"  # "171,782 people were affected", "HALO employs 1,150 staff": none of the events
    if lem in ("drive", "force", "push", "chase", "uproot") and any(
            _lemma(g) in ("home", "house", "village", "land") for c in v.children if c.dep_ == "prep"
            and c.lower_ in ("from", "out") for g in c.subtree):
        return "displacement"  # "driven more than 12 million from their homes"
    if lem in ("bury", "exhume") and counted_head and counted_head not in _HUMAN and _noun_event(counted_head) \
            not in (None, "casualties"):
        return None  # "burying more than 150 houses": what is buried decides
    if lem in _EVAC_WEAK and counted_head in ("refugees", "asylum-seekers"):
        return "displacement"  # "600,000 refugees have crossed into Chad"
    if lem in _POPULATION_VERBS and counted_head in _HUMAN and not (
            lem == "live" and any(c.dep_ == "prep" and c.lower_ == "with" for c in v.children)):  # "living with HIV"
        return "population"
    if lem in _EVAC_WEAK and counted_head in _HUMAN:
        preps = {c.lower_ for c in v.children if c.dep_ == "prep"}
        if lem in ("leave", "exit", "cross", "move", "carry") or preps & {"from", "out", "to", "via", "through"} \
                or "out" in prts:
            return "evacuation"
    if lem in ("bring", "take", "get", "pull", "lead", "bus", "ferry") and counted_head in _HUMAN and any(
            c.lower_ == "out" for c in v.children):
        return "evacuation"  # "34,287 people have been brought out"
    if lem == "take" and obj_lemmas & {"advantage", "part", "place", "refuge", "shelter", "step", "measure"}:
        return None  # "took advantage of the deals and handed in their weapons": no capture
    if lem in ("capture", "seize", "take", "hold") and counted_head in _HUMAN and any(
            o.lower_ == counted_head for o in objs):  # the people are taken ("teachers who took it" are not)
        if lem == "hold" and any(c.dep_ == "nsubj" and _lemma(c) in _FACILITIES for c in v.children) \
                and counted_head not in ("detainees", "prisoners", "inmates", "hostages", "captives"):
            return "population"  # "the camp holds 1,900 families"
        return "detention"
    if lem in ("come", "go", "head", "get", "move") and any(c.lower_ in ("home", "back") for c in v.children):
        return "returns"  # "73 of our citizens have come home"
    if lem in _CAPTURE and counted_head not in _HUMAN and counted_head and (
            _noun_event(counted_head) == "territorial_control" or counted_head in _PLACE_NOUNS):
        return "territorial_control"
    if lem == "destroy" or lem == "damage":
        return None  # depends on the object: left to the counted noun
    return None


def _noun_event(phrase: Optional[str]) -> Optional[str]:
    if not phrase:
        return None
    if " of " in phrase:  # "bottles of water": the head before "of" first
        ev = _noun_event(phrase.split(" of ")[0])
        if ev:
            return ev
    words = phrase.split()
    found = []
    for w in reversed(words):
        base = w[:-3] + "y" if w.endswith("ies") else w[:-1] if w.endswith("s") and not w.endswith("ss") else w
        for cand in (w, base):
            if cand in _NOUN_EVENTS:
                found.append((cand, _NOUN_EVENTS[cand]))
                break
    if not found:
        return None
    if found[0][0] in _CARRIERS and len(found) > 1:
        return found[1][1]  # "aid convoys", "medical tents": what the carrier carries
    return found[0][1]


# nouns whose event is what they carry when a modifier says it ("aid convoys")
_CARRIERS = {"convoy", "tent", "truck", "flight", "shipment"}


_RESIDENTS = {"people", "residents", "inhabitants", "citizens", "persons", "population", "souls"}


def _living_in_place(anchor: Token) -> bool:
    """'a country of about 4.5 million people', 'a city with 2.5 million residents', 'Gaza's 2.3 million
    residents': the people a place holds."""
    noun = anchor.head if anchor.dep_ in ("nummod", "quantmod", "compound") else anchor
    for _ in range(2):  # "about 4.5 million people": the number, then its noun
        if noun.pos_ in ("NOUN", "PROPN") or noun.head is noun:
            break
        noun = noun.head
    if noun.pos_ not in ("NOUN", "PROPN") or noun.i <= anchor.i and noun is not anchor:
        return False
    if noun.dep_ == "pobj" and noun.head.lower_ in ("of", "with"):
        owner = noun.head.head
        return owner.lower_ in _PLACE_NOUNS or owner.ent_type_ in ("GPE", "LOC") or owner.lower_ == "home"
    return any(c.dep_ == "poss" and (c.ent_type_ in ("GPE", "LOC") or c.lower_ in _PLACE_NOUNS
                                     or any(g.lower_ in _PLACE_NOUNS for g in c.children))
               for c in noun.children)


LENGTH_UNITS = _LENGTH_UNITS = {"km", "mi", "m", "nmi", "ft", "cm", "mm", "in"}
_DISEASE = re.compile(r"(?i)\b(?:cholera|suspected|confirmed|infections?|outbreak|virus|disease|covid|measles|dengue|"
                      r"mpox|malaria|diarrh?oea|ebola|tested|epidemic)\b")
_RUIN_VERBS = {"destroy", "damage", "burn", "torch", "raze", "flatten", "level", "loot"}


def event_for(sent: SpacySpan, anchor: Optional[Token], counted: Optional[str], unit: str = "count"
              ) -> Optional[str]:
    """Event from the words that govern the figure, then what it counts, then the sentence."""
    ev = _event_for(sent, anchor, counted, unit)
    if ev == "territorial_control" and anchor is not None and _governed_by(anchor, _RUIN_VERBS):
        return "infrastructure"  # "63 villages were burned", "20 villages destroyed": buildings, not territory
    return ev


def _governed_by(anchor: Token, lemmas_: set[str]) -> bool:
    """The figure's governing verb is one of ``lemmas_``."""
    verb = _verb_above(anchor, 7)
    return verb is not None and _lemma(verb) in lemmas_


def _event_for(sent: SpacySpan, anchor: Optional[Token], counted: Optional[str], unit: str) -> Optional[str]:
    counted_head = head_of(counted)
    if unit in _LENGTH_UNITS and anchor is not None:
        noun = anchor.head if anchor.dep_ in ("nummod", "quantmod") else anchor
        if any(
                c.dep_ in ("prep", "advmod") and c.lower_ in ("from", "away", "off", "north", "south", "east", "west")
                for c in noun.children):
            return None  # "killed ... some 25 kilometers from the border": where, not what happened
    if anchor is not None and counted_head in _RESIDENTS and _living_in_place(anchor):
        return "population"  # "a town of 40,000 people", "the strip's 1.8 million residents"
    if anchor is not None:
        tok = anchor
        hops = 0
        while hops < 12:
            hops += 1
            if tok.pos_ in ("VERB", "AUX", "NOUN", "ADJ") and tok is not anchor:
                if _lemma(tok) in _REPORTING:
                    break
                if tok.pos_ == "NOUN":
                    # "700 fighters handed in their weapons, and ...": the clause on the noun itself
                    for c in tok.children:
                        if c.dep_ == "acl" and c.pos_ == "VERB" and c.i == tok.i + 1:
                            ev = _verb_event(c, counted_head)
                            if ev:
                                return ev
                ev = _verb_event(tok, counted_head) if tok.pos_ in ("VERB", "AUX") else (
                    _STRONG_VERBS.get(_lemma(tok)) if tok.pos_ in ("NOUN", "ADJ") else None)
                if ev is None and tok.pos_ in ("VERB", "AUX"):
                    # "agreed to lay down weapons and gave themselves up" (same subject only)
                    for c in tok.children:
                        if c.dep_ in ("xcomp", "conj") and c.pos_ == "VERB" and not any(
                                g.dep_ in ("nsubj", "nsubjpass") for g in c.children):
                            ev = _verb_event(c, counted_head)
                            if ev:
                                break
                if ev:
                    return ev
                if tok.pos_ == "VERB" and tok.dep_ == "conj":
                    break  # a coordinated predicate is a clause of its own
                if tok.pos_ == "VERB" and _lemma(tok) in ("destroy", "damage") and not _hazard_strike(tok):
                    break  # "destroying 7 vehicles": what is destroyed decides, not the verbs above
                if tok.pos_ == "VERB" and tok.dep_ == "advcl" and any(
                        c.dep_ in ("nsubj", "nsubjpass") for c in tok.children):
                    break  # "..., while 17 injured people were taken to hospital": a clause of its own
            if tok.head is tok:
                break
            tok = tok.head
    if anchor is not None and counted_head in _HUMAN:
        # "people who have lived under siege": the relative clause says what they are
        head_tok = next((t for t in sent if t.lower_ == counted_head and t.i > anchor.i), None) or next(
            (t for t in sent if t.lower_ == counted_head), None)  # "the number of people who have left ... reached N"
        for c in (head_tok.children if head_tok is not None else []):
            if c.dep_ in ("relcl", "acl") and c.pos_ == "VERB":
                ev = _verb_event(c, counted_head)
                if ev:
                    return ev
    ev = _noun_event(counted)
    if ev:
        return ev
    if counted_head == "cases" and _DISEASE.search(sent.text):
        return "medical"  # "12,000 suspected cases of cholera"
    if counted_head in _HUMAN | _FORCES and any(_lemma(t) == "loss" for t in sent):
        return "casualties"  # "combat losses ... about 1,033,850 personnel"
    if unit in _LENGTH_UNITS:
        return None  # "some 30 kilometers from the border": a distance takes no event from the sentence's words
    hits = [(_PRIORITY.index(ev), ev) for t in sent
            for ev in [_KEYWORDS.get(_lemma(t)) or _KEYWORDS.get(t.lower_)]
            if ev and (ev != "population" or counted_head in _HUMAN) and not _hazard_strike(t)
            and not (ev == "territorial_control" and counted_head in _HUMAN)]  # people are no territory
    return min(hits)[1] if hits else None


def first_keyword_event(words: Iterable[Iterable[str]]) -> Optional[str]:
    """The event of the first word whose forms hit the keyword table ('population' is too weak).

    Each item is one word's forms to try in order: (lemma, lower-case text) for a parsed
    token, just the lower-case text for an unparsed sentence.
    """
    for forms in words:
        for form in forms:
            ev = _KEYWORDS.get(form)
            if ev:
                if ev != "population":
                    return ev
                break
    return None


def keyword_event(sent: SpacySpan) -> Optional[str]:
    """First event keyword of a (context) sentence."""
    return first_keyword_event((_lemma(t), t.lower_) for t in sent)

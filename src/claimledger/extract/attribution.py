"""Who a figure is attributed to: quotes, reporting verbs, 'according to'.

The speaker is read from the text only. A direct quotation takes the speaker
of its attribution (after it: '..., he said'; before it: 'X said: "...'); a
quotation with none continues the previous quotation's speaker. A sentence
outside quotes takes the subject of its reporting verb or the object of
'according to'. Pronouns and titles ('he', 'the general', 'the center')
resolve to the last matching speaker named before; names are given as the
fullest form the document uses. The outlet's own voice is ``None``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

# isort: off
from claimledger.extract import _spacy  # noqa: F401  (imports spaCy without its CLI: first)
# isort: on
from spacy.tokens import Span as SpacySpan
from spacy.tokens import Token

from claimledger.extract.lemmas import lemma
from claimledger.extract.places import is_demonym, world_places

REPORTING = {"say", "tell", "add", "state", "report", "announce", "claim", "confirm", "note",
             "declare", "explain", "estimate", "elaborate", "warn", "insist", "write", "reveal",
             "indicate", "stress", "assert", "allege", "quote", "consider", "believe", "acknowledge",
             "emphasize", "emphasise", "underline", "conclude", "continue", "tweet", "argue",
             "predict", "admit", "deny", "brief", "inform", "specify", "clarify", "mention", "speak"}

# "Yusuf Karam runs the clinic": a sentence that opens with a personal name introduces a speaker
NAME_OPENING = re.compile(
    r"(?:(?:And|But|So|Yet|Then)\s+)?"  # "But Treasury Secretary Scott Bessent told CNBC"
    r"(?!(?:And|But|Or|So|Yet|Then|Does|Did|Do|Is|Are|Was|Were|Has|Have|Had|Will|Would|Can|Could|Should|May|"
    r"Might|If|When|While|After|Before|Since|As|Because|In|On|At|For|With|From|The|This|That|These|Those|A|An|"
    r"What|Why|How|Who|Where)\b)"
    r"(?:(?:[A-Z][a-z]+\.?|[A-Z][a-z]+-[A-Z][a-z]+)\s+){0,3}?((?:[A-Z][a-z’'-]+\s+){1,2}[A-Z][a-z’'-]+)\s+(?:[a-z]+)")
# "The governor, Leyla Amani, gave new figures.": a title, then the person's name in commas
TITLE_APPOSITION_OPENING = re.compile(
    r"(?:The|A|An|Its|Their)\s+(?:[a-z][\w-]*\s+){0,4}[a-z][\w-]*,\s+((?:[A-Z][a-z’'-]+\s+){1,2}[A-Z][a-z’'-]+),")
_REPORT_WORDS = re.compile(
    r"\b(?:said|says|say|told|tells|added|adds|stated|states|reported|reports|announced|announces|"
    r"claimed|claims|confirmed|confirms|noted|notes|declared|explained|estimated|elaborated|warned|"
    r"insisted|wrote|writes|revealed|indicated|stressed|asserted|alleged|quoted|considers|"
    r"believes|according|acknowledged|emphasized|emphasised|concluded|continued|tweeted|argued|"
    r"predicted|admitted|specified|clarified|mentioned|briefed|spoke|speaking|toured|visited)\b")
_TITLES = re.compile(
    r"^(?:(?:Lieutenant|Lt\.?|Major|Maj\.?|Brigadier|Brig\.?|Colonel|Col\.?|General|Gen\.?|Admiral|"
    r"Adm\.?|Captain|Capt\.?|Sergeant|Sgt\.?|President|Prime|Minister|Foreign|Defense|Defence|"
    r"Doctor|Dr\.?|Mr\.?|Mrs\.?|Ms\.?|Prof\.?|Professor|Ambassador|Spokesperson|Spokesman|"
    r"Spokeswoman|Senator|Sen\.?|Rep\.?|Governor|Gov\.?|Mayor|Chief|Commander|Secretary|"
    r"Health|Interior|Finance|Justice|Education|Information|Economy|Agriculture|Energy|Trade|Housing|Works|"
    r"Transport|Water|Electricity|Industry|Tourism|Culture|Labou?r|Communications|Environment|Emergency|"
    r"Deputy|Vice|Sheikh|King|Queen|Prince|Pope|Judge|Justice|Rev\.?|Father|Sir|Lord|Lady|"
    r"High|Commissioner|Envoy|Special|UN|U\.N\.|US|U\.S\.|Russian|Syrian|Turkish|Iranian|French|"
    r"British|American|Chinese|Ukrainian)[\s-]+)+")
_PERSON_TITLE_NOUNS = {"general", "minister", "spokesperson", "spokesman", "spokeswoman", "official",
                       "president", "ambassador", "commander", "chief", "head", "director",
                       "envoy", "secretary", "governor", "mayor", "colonel", "lieutenant",
                       "major", "officer", "premier", "leader", "diplomat", "adviser", "advisor",
                       "doctor", "coordinator", "representative", "deputy", "analyst", "expert",
                       "source", "man", "woman", "prosecutor", "judge", "senator", "lawmaker"}
_ORG_NOUNS = {"center", "centre", "ministry", "statement", "agency", "army", "department", "office",
              "committee", "council", "government", "organization", "organisation", "group",
              "report", "military", "staff", "command", "service", "authorities", "police",
              "mission", "agencies", "coalition", "union", "commission", "observatory", "body",
              "bureau", "headquarters", "administration", "media", "network", "forces", "bulletin",
              "communique", "update"}
# bodies a sentence names by their kind alone: "the army said" is no earlier agency
_INSTITUTIONS = {"army", "military", "police", "ministry", "government", "navy", "parliament", "court",
                 "forces", "command", "staff", "authorities", "administration", "council", "commission"}
_PRONOUNS_PERSON = {"he", "she", "him", "her"}
_PRONOUNS_GROUP = {"they", "it", "we", "them"}


@dataclass
class SpeakerState:
    """Running memory of who has spoken or been named, in document order."""

    persons: list[str] = field(default_factory=list)  # fullest names, most recent last
    orgs: list[str] = field(default_factory=list)
    all_persons: set[str] = field(default_factory=set)  # every PERSON name in the document
    text: str = ""

    def fullest_person(self, name: str) -> str:
        """'Rudskoy' -> 'Sergei Rudskoy': the longest form the document gives, titles removed."""
        last = name.split()[-1]
        best = name
        for p in self.all_persons:
            if p.split()[-1].lower() == last.lower() and len(p) > len(best):
                best = p
        # (a surname may carry a particle: "Talal al-Barazi" for "Barazi")
        bare = re.sub(r"^(?:al|el|ad|as|ash|ar|an|at)-", "", last)
        for m in re.finditer(r"((?:[A-Z][\w.’'-]*[\s\u00a0]+){1,4})(?:(?:al|el|ad|as|ash|ar|an|at)-)?"
                             + re.escape(bare) + r"(?![\w-])", self.text):
            # capitalised words run on across a sentence end ("... the United States. Morgan Kehr")
            cand = clean_person(re.split(r"(?<=[a-z]{2})\.[\s\u00a0]+", m.group(0))[-1])
            words = cand.split()
            if len(words) > 2 and re.search(r"\b(?:for|in|of|to|from|at)[\s\u00a0]+$",
                                            self.text[max(0, m.start() - 6):m.start()]):
                cand = clean_person(" ".join(words[1:]))  # "envoy for Syria Jan Egeland": the title's place
                words = cand.split()
            if 2 <= len(words) <= 4 and all(w[0].isupper() or _PARTICLE_NAME.match(w) for w in words) \
                    and len(cand) > len(best):
                best = cand
        return best

    def fullest_org(self, name: str) -> str:
        """Extend 'Russian Center for Reconciliation' to its longest capitalised form in the text."""
        best = name
        rx = re.compile(re.escape(name) + r"((?:\s+(?:of|for|on)(?:\s+the)?(?:\s+[A-Z][\w’'-]+)+))",
                        re.I if name.islower() else 0)
        for m in rx.finditer(self.text):
            cand = name + m.group(1)
            if len(cand) > len(best):
                best = cand
        return best

    def expand_acronym(self, name: str) -> str:
        """'IDF' -> 'Israel Defense Forces' where the text spells it out: 'Israel Defense Forces (IDF)'."""
        if not re.fullmatch(r"[A-Z]{2,7}", name):
            return name
        for m in re.finditer(r"((?:[A-Z][\w’'-]*|of|for|the|and|on|in|de)(?:[\s\u00a0]+(?:[A-Z][\w’'-]*|of|for|the|and|"
                             r"on|in|de)){1,9})[\s\u00a0]*\([\s\u00a0]*" + name + r"[\s\u00a0]*\)", self.text):
            words = m.group(1).split()
            for k in range(len(words)):  # the shortest tail whose capitals spell the letters in order
                if not words[k][:1].isupper():
                    continue
                caps = "".join(w[0] for w in words[k:] if w[:1].isupper())
                if caps[:1] == name[0] and _spells(name, caps):
                    return " ".join(words[k:])
        return name

    def last_named_org(self) -> Optional[str]:
        """The body last named by its name ('UNHCR', not 'one source')."""
        return next((o for o in reversed(self.orgs) if o[:1].isupper()), None)

    def note_person(self, name: str) -> None:
        if name in self.persons:
            self.persons.remove(name)
        self.persons.append(name)

    def note_org(self, name: str) -> None:
        if name in self.orgs:
            self.orgs.remove(name)
        self.orgs.append(name)


def _spells(acronym: str, caps: str) -> bool:
    """The acronym's letters appear in order among the capitals: IPC in IFSPC."""
    it = iter(caps)
    return all(ch in it for ch in acronym)


_PARTICLE_NAME = re.compile(r"(?:al|el|ad|as|ash|ar|an|at|bin|ibn|abu|van|von|de|da|di|du|le|la)-?[A-Z]?")
_NAME_TITLES = {"minister", "secretary", "spokesman", "spokeswoman", "spokesperson", "general", "governor", "mayor",
                "ambassador", "envoy", "commissioner", "president", "chairman", "chairwoman", "director", "chief",
                "commander", "colonel", "lieutenant", "major", "captain", "admiral", "senator", "representative",
                "brigadier", "sergeant"}
# a name led by a rank or office: "Lieutenant General Sergei Rudskoy", "Dr. Amal Saleh"
_RANK_START = re.compile(r"^(?:" + "|".join(t.capitalize() for t in sorted(_NAME_TITLES))
                         + r"|Lt\.?|Maj\.?|Col\.?|Gen\.?|Dr\.?|Mr\.?|Mrs\.?|Ms\.?|Professor|Prime\s+Minister)\s")


def clean_person(name: str) -> str:
    name = name.strip(" ,.:;\"“”’'")
    name = re.sub(r"^(?:the|The)\s+", "", name)
    name = re.sub(r"[’']s$", "", name)
    stripped = _TITLES.sub("", name).strip()
    # "the WHO's Tedros Adhanom Ghebreyesus": the body before the name is not part of it
    # "Water Minister Tamer Haddad", "Deputy Health Minister X": the name after the last title word
    words = (stripped or name).split()
    last_title = max((k for k, w in enumerate(words) if w.lower().rstrip(".") in _NAME_TITLES), default=-1)
    if last_title >= 0 and 2 <= len(words) - last_title - 1 <= 3 and all(
            w[:1].isupper() or _PARTICLE_NAME.match(w) for w in words):
        stripped = " ".join(words[last_title + 1:])
    # "Staff Valery Gerasimov", "Ministry Igor Konashenkov": the tail of the body before the name
    words = (stripped or name).split()
    while len(words) > 2 and (words[0].lower() in _ORG_HEAD_WORDS | _ORG_NOUNS | _PLACE_KINDS
                              or words[0] in ("of", "for") or (len(words) > 3 and words[1].lower() in _PLACE_KINDS)
                              ) and words[1][:1].isupper():
        words = words[1:]
        stripped = " ".join(words)
    owner = re.match(r"^(?:[A-Z][\w.&-]*\s+){0,3}[A-Z][\w.&-]*[’']s\s+(?=(?:[A-Z][\w’'-]+\s+)+[A-Z][\w’'-]+$)",
                     stripped or name)
    if owner:
        stripped = _TITLES.sub("", (stripped or name)[owner.end():]).strip()
    return stripped or name


def _phrase_text(toks: list[Token]) -> str:
    if not toks:
        return ""
    s, e = toks[0].idx, toks[-1].idx + len(toks[-1])
    return toks[0].doc.text[s:e]


_NAME_THEN_TITLE = re.compile(r"^((?:[A-Z][\w’'-]+\s+){1,3}[A-Z][\w’'-]+),\s+(?:the|a|an|its|his|her)\s+[a-z]")
# "Chaudhry, director general of ...", "Sayim, of the World Uyghur Congress": a surname, then its title
_SURNAME_THEN_TITLE = re.compile(r"^([A-Z][\w’'-]+),\s+(?:[a-z]|of\s)")


# "Acting Governor of Kursk Region Alexander Khinshtein": the kind of place a title is for
_PLACE_KINDS = {"region", "oblast", "province", "governorate", "district", "republic", "county", "state", "krai",
                "prefecture", "municipality"}
_ORG_HEAD_WORDS = {"ministry", "staff", "directorate", "headquarters", "service", "office", "command",
                   "center", "centre", "agency", "council", "committee", "department", "forces", "army", "affairs"}
_TITLE_OPENERS = {"chief", "first", "deputy", "head", "spokesman", "spokeswoman", "spokesperson", "commander",
                  "director", "minister", "secretary", "chairman", "chairwoman", "acting", "senior"}
_DOC = (r"(?:statement|report|bulletin|assessment|communiqu[eé]|press\s+release|release|update|data|figures|"
        r"estimates?|tally|survey|study|analysis|review|situation\s+report|sitrep|briefing|findings|system|"
        r"database|dashboard|tracker)")
# "a statement from the Turkish Foreign Ministry", "OCHA's latest situation report", "a preliminary
# UNESCO assessment": the body that issued the document speaks
_DOC_FROM = re.compile(rf"^(?:an?\s+|the\s+)?(?:[\w-]+\s+){{0,2}}?{_DOC}s?\s+(?:from|by|of|issued\s+by|"
                       rf"released\s+by|published\s+by)\s+(?:the\s+)?(?P<n>.+)$", re.I)
_DOC_OF = re.compile(rf"^(?:the\s+)?(?P<n>.+?)[’']s?\s+(?:[\w-]+\s+){{0,4}}{_DOC}s?$", re.I)
_DOC_NAMED = re.compile(rf"^(?:(?i:an?|the|one|this|that|another|its|their|a\s+new)\s+)?(?:[a-z][\w-]*\s+){{0,2}}"
                        rf"(?P<n>[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*)*)\s+{_DOC}s?$")
# "the state news agency SANA", "Syrian news agency SANA" -> SANA; "State-run SANA news agency" -> SANA
_MEDIA = r"(?:news\s+agency|agency|broadcaster|channel|newspaper|daily|television|TV|outlet|news\s+service|wire)"
_MEDIA_BEFORE = re.compile(rf"^(?:the\s+)?(?:[\w-]+\s+){{0,3}}?{_MEDIA}\s+(?P<n>[A-Z][\w-]*(?:\s+[A-Z][\w-]*){{0,2}})$")
_MEDIA_AFTER = re.compile(r"^(?:the\s+)?(?:[\w-]+\s+){0,2}?(?P<n>[A-Z][\w-]*[A-Z][\w-]*|[A-Z][a-z]+)\s+"
                          r"(?:news\s+agency|agency|news|TV|television|newspaper|broadcaster)$")


_TIME_OWNER = re.compile(r"(?i)\b(?:year|month|week|day|today|yesterday|tonight|decade|century|morning|"
                         r"evening|quarter|season)\b|^(?:This|That|Last|Next)\b")


# "the UN agency for Palestinian refugees, UNRWA", "Its commissioner, Teshome Toga": the name after the description
_DESCRIPTION_THEN_NAME = re.compile(r"^(?P<d>[^,]*\b(?:[a-z][\w’'-]*|Its|The|His|Her|Their)\b[^,]*),\s+"
                                    r"(?P<n>(?:[A-Z][\w’'.-]*\s+){0,3}[A-Z][\w’'.-]*)$")
# "the United Nations children's agency UNICEF", "the NGO Acled", "rights group Amnesty International"
_BODY_BEFORE = re.compile(r"^(?:the\s+)?(?:[\w’'-]+\s+){0,4}?(?:agency|group|NGO|organi[sz]ation|monitor|charity|"
                          r"watchdog|body|mission|network|think\s+tank)\s+(?P<n>[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,3})$")


def tidy_speaker(name: str) -> str:
    """The body behind a document or a media outlet's description, as the speaker."""
    if "\n" in name:
        name = name[name.rindex("\n") + 1:].strip()  # a byline or headline above the paragraph is no part of it
    name = re.sub(r",\s*(?:aged\s+)?\d{1,3}$", "", name)  # "A teacher, 34": the age
    name = re.sub(r"^[Oo]ne\s+(?=[a-z])", "", name)  # "one witness told Reuters"
    name = re.sub(r"^(?:As|But|And|So)\s+(?=[A-Z])", "", name)  # "As Ukrinform reported"
    name = re.sub(r"\s+(?:there|here|too|also|themselves|itself)$", "", name)  # "Doctors there said"
    name = re.sub(r"^[A-Z][\w-]*[’']s\s+(?=[A-Z]{2,7}$)", "", name)  # "Sudan's RSF"
    m = _DESCRIPTION_THEN_NAME.match(name) or _BODY_BEFORE.match(name)
    if m and not is_demonym(m.group("n")):
        name = m.group("n")
    if "(" in name and ")" not in name:
        name = name[:name.index("(")].rstrip()  # "... Management Authority (AFAD" cut at its bracket
    name = re.sub(r"^(?:the\s+)?(?:[A-Z][\w.]*-based|[Ss]tate-(?:run|owned)|[\w-]+-backed)\s+(?=[A-Z])", "", name)
    for rx in (_DOC_FROM, _DOC_OF, _DOC_NAMED, _MEDIA_BEFORE, _MEDIA_AFTER):
        m = rx.match(name)
        n = m.group("n").strip() if m else ""
        if n and not (" " not in n and is_demonym(n)) and not _TIME_OWNER.search(n):
            return n
    return name


def speaker_from_phrase(phrase: list[Token], state: SpeakerState) -> Optional[str]:
    """Resolve a subject phrase to a speaker name (or None)."""
    name = _speaker_from_phrase(phrase, state)
    if name:
        tidy = tidy_speaker(name)
        if tidy != name:
            name = state.fullest_org(tidy) if tidy[:1].isupper() else tidy
            state.note_org(name)
        m = _NAME_THEN_TITLE.match(name)  # "Karim Nassar, the provincial governor" -> the name
        if m:
            name = state.fullest_person(m.group(1))
            state.note_person(name)
        else:
            m = _SURNAME_THEN_TITLE.match(name)
            if m:
                full = state.fullest_person(m.group(1))
                if len(full.split()) >= 2:  # a name the document gives in full elsewhere
                    name = full
                    state.note_person(name)
    if name and re.fullmatch(r"[A-Z]{2,7}", name):
        name = state.expand_acronym(name)  # "the IDF said": the Israel Defense Forces the text named
    return name


def _office_of(ent: SpacySpan) -> bool:
    """'the mayor of Kherson': a name after 'of' in a title names the office's place, not a person."""
    of = ent.root.head
    return ent.root.dep_ == "pobj" and of.lower_ == "of" and of.head.lower_ in (_PERSON_TITLE_NOUNS | _ORG_NOUNS)


def _speaker_from_phrase(phrase: list[Token], state: SpeakerState) -> Optional[str]:
    # a dateline the parser hung on the subject ("SARDAN — The provincial governor, ...") is no speaker
    for i, t in enumerate(phrase[:6]):
        if t.text in ("—", "–", "-", "--") and i > 0 and all(x.text.isupper() or x.text in (",", "/")
                                                             for x in phrase[:i]):
            phrase = phrase[i + 1:]
            break
    if not phrase:
        return None
    persons = [e for e in phrase[0].doc.ents if e.label_ == "PERSON"
               and e.start >= phrase[0].i and e.end <= phrase[-1].i + 1 and not _office_of(e)
               and e[-1].lower_ not in _PERSON_TITLE_NOUNS]  # "Humanitarian Adviser" is a title, not a name
    if not persons:
        # NER missed the name: a subject ending in a run of proper nouns ("... envoy Jan Egeland")
        run: list[Token] = []
        for t in reversed(phrase):
            if t.pos_ == "PROPN" and t.ent_type_ not in ("GPE", "ORG", "NORP", "DATE"):
                run.insert(0, t)
            elif run:
                break
        if len(run) > 2 and run[0].i > 0 and run[0].doc[run[0].i - 1].pos_ == "ADP":
            run = run[1:]  # "envoy for Syria Jan Egeland": the place the title is for
        if 2 <= len(run) <= 4 and run[-1] is phrase[-1]:
            name = clean_person(_phrase_text(run))
            if name and len(name.split()) >= 2:
                full = state.fullest_person(name)
                state.note_person(full)
                return full
        # a titled name NER took for an organisation: "... spokesman Major General Igor Konashenkov"
        titled: list[Token] = []
        for t in reversed(phrase):
            if t.pos_ != "PROPN":
                break
            titled.insert(0, t)
        if titled and titled[-1] is phrase[-1] and len(titled) <= 6:
            text = _phrase_text(titled)
            before = phrase[0].doc[titled[0].i - 1] if titled[0].i > 0 else None
            name = clean_person(text)
            if (_RANK_START.match(text) or (before is not None and before.lower_ in _PERSON_TITLE_NOUNS)) \
                    and 2 <= len(name.split()) <= 3 and not any(w.lower() in _ORG_NOUNS for w in name.split()):
                full = state.fullest_person(name)
                state.note_person(full)
                return full
            # "Chief of the General Staff Valery Gerasimov", "Spokesman for the Russian Defense
            # Ministry Igor Konashenkov": the name after the body the title belongs to
            heads = [k for k, t in enumerate(titled) if t.lower_ in _ORG_NOUNS | _ORG_HEAD_WORDS | _PLACE_KINDS]
            rest = titled[heads[-1] + 1:] if heads else []
            if 2 <= len(rest) <= 3 and all(t.text[:1].isupper() and t.text[1:2].islower() for t in rest) and (
                    phrase[0].lower_ in _PERSON_TITLE_NOUNS | _TITLE_OPENERS):
                full = state.fullest_person(_phrase_text(rest))
                state.note_person(full)
                return full
    if persons:
        name = clean_person(persons[-1].text)
        if name and (name[0].isupper() or _PARTICLE_NAME.match(name)):
            full = state.fullest_person(name)
            state.note_person(full)
            return full
    words = [t for t in phrase if t.dep_ not in ("det", "punct") and t.lower_ not in ("also", "the")]
    if not words:
        return None
    if len(words) == 1 and words[0].lower_ in _PRONOUNS_PERSON:
        return state.persons[-1] if state.persons else None
    if len(words) == 1 and words[0].lower_ in _PRONOUNS_GROUP:
        return state.orgs[-1] if state.orgs else (state.persons[-1] if state.persons else None)
    if phrase[0].lower_ in ("its", "their") and words[-1].lower_ in _DOC_NOUNS | {"figures", "data", "numbers"}:
        return state.last_named_org()  # "Its figures put the number at ...": the body's
    # "the general", "the Russian general": the last person named
    root = next((t for t in phrase if t.head not in phrase or t.head is t), phrase[-1])
    if root.like_num or root.lower_ in _QUANTITY_HEADS:
        return None  # "91 percent of them reported ...", "most said": a share of people, not a speaker
    # ("The Governor said": a title in capitals is still a title)
    all_lower = all(t.text[0].islower() or t.lower_ in ("russian", "syrian") or t.lower_ in _PERSON_TITLE_NOUNS
                    for t in words)
    # (none named before: the phrase itself, "the ministry said" is no outlet's own voice)
    if root.lower_ in _PERSON_TITLE_NOUNS and phrase[0].lower_ == "the" and all_lower:
        if len(words) == 1:
            # "The source added": the fuller "military source" named before
            fuller = next((o for o in reversed(state.orgs) if o.lower().split()[-1] == root.lower_), None)
            if fuller:
                return fuller
        return state.persons[-1] if state.persons else _phrase_text(words).lower()
    if root.lower_ in _ORG_NOUNS and phrase[0].lower_ == "the" and all(
            t.text[0].islower() for t in words):
        key = root.lower_ if len(words) == 1 else _phrase_text(words).lower()
        for o in reversed(state.orgs):
            if key in o.lower():
                return o
        # "UNHCR said ... the agency said": a generic noun names the body last named; "the army said"
        # after "one source said" is the army, not the source
        named = state.last_named_org()
        if named and root.lower_ not in _INSTITUTIONS and len(words) == 1:
            return named  # (only a bare "the agency": "the civil protection agency" is one of its own)
        state.note_org(_phrase_text(words).lower())
        return state.orgs[-1]
    # an organisation or body named in full: trim trailing clauses
    toks = [t for t in phrase if t.dep_ not in ("punct",)]
    while toks and toks[0].dep_ == "det":
        toks = toks[1:]
    # cut at a relative clause, apposition comma or preposition introducing time ("on Friday")
    cut: list[Token] = []
    for t in toks:
        if t.dep_ in ("relcl", "acl") or t.text in ("who", "which", "that", "on", "in", "at", "during"):
            break  # (lower case only: "the WHO said" names the World Health Organization)
        if cut and t.i > 0 and t.doc[t.i - 1].text == "," and (t.dep_ == "det" or t.text[:1].islower()):
            break  # an apposition: "the Observatory for Human Rights, a Britain-based monitor"
        cut.append(t)
    if not cut:
        return None
    name = _phrase_text(cut).strip(" ,")
    name = re.sub(r"[’']s$", "", name)
    name = re.sub(r"\s*\((?:[A-Z][\w&.-]*)?\)?$", "", name)  # "... Humanitarian Affairs (OCHA": its acronym
    if len(name.split()) > 10 or not re.search(r"[A-Za-z]", name):
        return None
    if _RANK_START.match(name) and all(t.pos_ == "PROPN" for t in cut):
        person = clean_person(name)  # "Lieutenant General Sergei Rudskoy" that NER did not call a person
        if 2 <= len(person.split()) <= 3 and not any(w.lower() in _ORG_NOUNS for w in person.split()):
            full = state.fullest_person(person)
            state.note_person(full)
            return full
    if len(cut) <= 2 and all(t.pos_ == "PROPN" for t in cut) and not any(
            t.lower_ in _ORG_NOUNS for t in cut):
        # NER may call a bare surname an ORG: a longer personal name ending in it settles it
        full = state.fullest_person(name)
        if full != name and len(full.split()) >= 2:
            state.note_person(full)
            return full
    if any(t.ent_type_ in ("ORG", "GPE", "NORP") or t.pos_ == "PROPN" for t in cut):
        full = state.fullest_org(name)
        state.note_org(full)
        return full
    state.note_org(name)
    if cut[-1].lower_ in _PERSON_TITLE_NOUNS and cut[-1].lower_ not in ("source",):
        # "a senior officer told reporters ... 'We hit 4,600 targets,' he said": he is the officer
        state.note_person(name)
    return name


_QUANTITY_HEADS = {"percent", "%", "cent", "half", "third", "quarter", "majority", "minority", "most", "many",
                   "some", "all", "none", "few", "several", "others", "dozens", "hundreds", "thousands", "millions",
                   "proportion", "share", "number"}


def _puts_a_number(t: Token) -> bool:
    """'The Health Ministry put the number of wounded at 5,243', 'put the death toll at': a report."""
    return lemma(t) in ("put", "place", "set", "give") and any(
        c.dep_ == "dobj" and c.lower_ in ("number", "toll", "figure", "total", "tally", "count", "estimate", "share",
                                          "proportion", "percentage")
        for c in t.children)


_DOC_NOUNS = {"report", "study", "survey", "assessment", "analysis", "investigation", "review", "poll", "census",
              "audit", "data", "estimate", "count", "tally", "statement", "bulletin", "update"}


def _document_finds(t: Token) -> bool:
    """'a preliminary WHO assessment found', 'the survey shows': a document reporting a figure."""
    return lemma(t) in ("find", "show", "reveal", "suggest", "put", "project", "indicate", "estimate") and any(
        c.dep_ == "nsubj" and (c.lower_ in _DOC_NOUNS or c.lower_[:-1] in _DOC_NOUNS) for c in t.children)


def reporting_speaker(sent: SpacySpan, state: SpeakerState,
                      outside: Optional[list[tuple[int, int]]] = None
                      ) -> tuple[Optional[str], Optional[tuple[int, int]], Optional[tuple[int, int]]]:
    """Speaker of a sentence's reporting verb / 'according to', the speaker phrase span, and the part
    of the sentence the speaker reports when it is less than the whole ("X disputed that, saying only
    nine had died": the 'saying' clause), else None. Spans are sentence-relative char offsets.

    ``outside``: char spans (quotations) whose words are not the sentence's own.
    """
    def inside_quote(t: Token) -> bool:
        return bool(outside) and any(s <= t.idx < e for s, e in outside or [])


    for t in sent:
        if inside_quote(t):
            continue
        if t.lower_ == "according" and t.i + 1 < len(t.doc) and t.doc[t.i + 1].lower_ == "to":
            to = t.doc[t.i + 1]
            pobj = next((c for c in to.children if c.dep_ == "pobj"), None)
            if pobj is None:
                nxt = [x for x in t.doc[t.i + 2: min(len(t.doc), t.i + 12)]]
                phrase = []
                for x in nxt:
                    if x.text in (",", ".", ";"):
                        break
                    phrase.append(x)
            else:
                phrase = [x for x in pobj.subtree]
                # "according to the monitoring group Airwars": a name the parser hung elsewhere
                while phrase[-1].i + 1 < len(t.doc) and t.doc[phrase[-1].i + 1].pos_ == "PROPN" \
                        and t.doc[phrase[-1].i + 1].text[:1].isupper():
                    phrase.append(t.doc[phrase[-1].i + 1])
            sp = speaker_from_phrase(phrase, state)
            if sp:
                return sp, (phrase[0].idx, phrase[-1].idx + len(phrase[-1])), None
    # the sentence's main verb first: "300 of the gunmen believed to be ... are mercenaries, a
    # military source told RIA Novosti" is the source's report, not the gunmen's belief
    for t in sorted(sent, key=lambda x: (x.dep_ != "ROOT", x.i)):
        mistagged = t.dep_ == "ROOT" and t.pos_ == "NOUN" and any(c.dep_ == "nsubj" for c in t.children) and any(
            c.dep_ == "ccomp" for c in t.children)  # "A new WHO analysis projects that ...": a verb tagged as a noun
        if inside_quote(t) or (t.pos_ not in ("VERB", "AUX") and not mistagged) or (
                lemma(t) not in REPORTING and not _puts_a_number(t) and not _document_finds(t)):
            continue
        if lemma(t) == "continue" and not any(c.dep_ in ("nsubj",) for c in t.children):
            continue
        if lemma(t) in ("consider", "believe") and not any(
                c.dep_ == "ccomp" and c.pos_ in ("VERB", "AUX") for c in t.children):
            continue  # "China considers AI an important tool": a view, not a report of the figure
        # only a verb that frames the sentence reports it; "after units declared the area safe"
        # or "officials who said" do not
        # "..., saying only nine soldiers had died" (the subject of the verb it hangs on), "As X reported, ..."
        saying = t.dep_ == "advcl" and t.tag_ == "VBG" and lemma(t) in ("say", "claim", "add", "report", "state") \
            and any(c.dep_ == "ccomp" for c in t.children)  # (not "claiming more than 500 lives")
        as_reported = t.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ == "as" for c in t.children)
        if (t.dep_ not in ("ROOT", "conj", "parataxis", "ccomp", "dep") and not saying and not as_reported) or (
                t.dep_ in ("conj", "ccomp") and t.head.dep_ != "ROOT"):
            continue
        # the active subject: "the cost ... is estimated at $250 million" names what is estimated
        subjs = [c for c in t.children if c.dep_ == "nsubj"]
        scope = None
        if saying and not subjs:
            subjs = [c for c in t.head.children if c.dep_ == "nsubj"]
            sub = list(t.subtree)
            scope = (sub[0].idx, sub[-1].idx + len(sub[-1]))
        # a dateline parsed as a second subject ("SARDAN — The governor ... told") gives way; of two
        # subjects ("Three schools reopened ..., the Education Ministry said") the one next to the verb
        cands = [c for c in subjs if not (c.text.isupper() and len(c.text) > 1)] or subjs
        subj = (max(cands, key=lambda c: c.i) if all(c.i < t.i for c in cands) else cands[0]) if cands else None
        if subj is None:
            # mis-parsed ", the head of ..., Lieutenant General X, also said": look back to the clause
            window: list[Token] = []
            for x in reversed(list(sent[: t.i - sent.start])):
                if x.pos_ in ("VERB", "AUX") or inside_quote(x):
                    break
                window.insert(0, x)
            names = [e for e in t.doc.ents if e.label_ == "PERSON" and window
                     and e.start >= window[0].i and e.end <= window[-1].i + 1]
            if names:
                full = state.fullest_person(clean_person(names[-1].text))
                state.note_person(full)
                # the speaker's phrase starts after the clause it follows ("controls 93 percent of
                # Aleppo, the head of ..., Lieutenant General X, said"): the first comma before the name
                comma = next((x for x in window if x.text == "," and x.i < names[-1].start), None)
                first = t.doc[comma.i + 1] if comma is not None else window[0]
                return full, (first.idx, window[-1].idx + len(window[-1])), None
            continue
        if inside_quote(subj):
            continue
        if subj.lower_ in ("i", "we", "you") and not outside:
            continue
        phrase = sorted(subj.subtree, key=lambda x: x.i)
        # do not let the subject swallow the reported clause
        phrase = [x for x in phrase if not inside_quote(x)]
        sp = speaker_from_phrase(phrase, state)
        if sp:
            # a misparsed subject that holds a figure ("about a third of the districts, the governor
            # of Aleppo, Hussein Diab, told"): the speaker's phrase starts after the figure's clause
            nums = [k for k, x in enumerate(phrase) if x.like_num]
            comma = next((k for k in range(nums[-1] + 1, len(phrase)) if phrase[k].text == ","), None) \
                if nums else None
            first = phrase[comma + 1] if comma is not None and comma + 1 < len(phrase) else phrase[0]
            return sp, (first.idx, phrase[-1].idx + len(phrase[-1])), scope
    return None, None, None


_HEADLINE_PREFIX = re.compile(r"^([A-Z][\w’'.-]+(?:\s+[A-Z][\w’'.-]+){0,3}):\s+\S")
_HEADLINE_SUFFIX = re.compile(r"\s[-–—]\s+((?:[A-Za-z][\w’'.-]*\s+){0,4}[A-Z][\w’'.-]+)\s*$")


_HEADLINE_WORDS = {"update", "breaking", "exclusive", "live", "watch", "video", "photos", "analysis", "opinion",
                   "evacuation", "war", "crisis", "report", "explainer", "factbox", "timeline", "interview",
                   # topic labels: "Dengue: 11 more die", "Floods: ..."
                   "dengue", "cholera", "measles", "ebola", "covid", "covid-19", "mpox", "malaria", "floods", "flood",
                   "earthquake", "quake", "heatwave", "cyclone", "hurricane", "typhoon", "famine", "drought",
                   "wildfire", "wildfires", "storm", "landslide", "ceasefire", "truce", "aid", "refugees", "migrants"}


def headline_speaker(line: str) -> Optional[str]:
    """'Erdogan: Over 1,100 ...' and '... - de Mistura' attribute a headline."""
    if len(line.split()) > 25 or line.rstrip().endswith("."):
        return None
    m = _HEADLINE_PREFIX.match(line)
    if m and not any(w.endswith(("ed", "ing")) or w.lower() in _HEADLINE_WORDS for w in m.group(1).split()) \
            and m.group(1) not in world_places():
        return m.group(1)  # "Erdogan: ..." (not "Aleppo Evacuation Completed: ...", not a place label "Yemen: ...")
    m = _HEADLINE_SUFFIX.search(line)
    if m:
        return m.group(1)
    return None

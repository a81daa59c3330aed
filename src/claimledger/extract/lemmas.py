"""Lemmas on demand.

spaCy's rule lemmatizer is the costliest step of the small English pipeline
(pure Python over every token), yet the extractor reads the lemma of a few
tokens per sentence: verbs around a figure, reporting verbs, keywords. So the
pipeline runs without it and :func:`lemma` asks the same lemmatizer, with the
same tables, for the one token at hand. Lemmas the attribute ruler already set
("were" -> "be") and those of a pipeline that did run the lemmatizer (the spaCy
component) are taken as they are.
"""
from __future__ import annotations

from typing import Any, Optional

# isort: off
from claimledger.extract import _spacy  # noqa: F401  (imports spaCy without its CLI: first)
# isort: on
from spacy.language import Language
from spacy.tokens import Token

_LEMMATIZER: Optional[Any] = None
_RULES: Optional["_RuleTables"] = None
_RULE_POS = frozenset({"NOUN", "VERB", "ADJ", "ADV", "AUX"})
_CACHE: dict[tuple[int, int], str] = {}  # (orth, pos) -> lemma; the tables give one answer per pair


def use_lemmatizer_of(nlp: Language) -> None:
    """Remember ``nlp``'s lemmatizer for :func:`lemma` (a no-op if it has none)."""
    global _LEMMATIZER, _RULES
    if "lemmatizer" in getattr(nlp, "pipe_names", ()):
        _LEMMATIZER = nlp.get_pipe("lemmatizer")
        _RULES = _RuleTables.of(_LEMMATIZER)


class _RuleTables:
    """The rule lemmatizer's tables with each word index as a set.

    spaCy keeps ``lemma_index`` as lists (57,000 nouns), so its ``rule_lemmatize``
    spends half a millisecond per word on ``form in index``. :func:`_rule_lemmatize`
    is the same algorithm over sets: the same forms in the same order.
    """

    def __init__(self, lemmatizer: Any, index: dict, exc: dict, rules: dict) -> None:
        self.lemmatizer = lemmatizer
        self.index, self.exc, self.rules = index, exc, rules

    @classmethod
    def of(cls, lemmatizer: Any) -> Optional["_RuleTables"]:
        if getattr(lemmatizer, "mode", None) != "rule":
            return None
        try:
            tables = [lemmatizer.lookups.get_table(n, {}) for n in ("lemma_index", "lemma_exc", "lemma_rules")]
        except Exception:  # an unusual lemmatizer: spaCy's own rule_lemmatize is used
            return None
        index, exc, rules = ({pos: t.get(pos) for pos in _UNIV_POS} for t in tables)
        return cls(lemmatizer, {p: (set(v) if v else v) for p, v in index.items()}, exc, rules)


_UNIV_POS = ("noun", "verb", "adj", "adv", "aux")


def _rule_lemmatize(rt: _RuleTables, t: Token) -> list[str]:
    """``Lemmatizer.rule_lemmatize`` (spaCy 3.x) for a NOUN, VERB, ADJ, ADV or AUX token."""
    string = t.text
    univ_pos = t.pos_.lower()
    if rt.lemmatizer.is_base_form(t):
        return [string.lower()]
    index, exceptions, rules = rt.index.get(univ_pos), rt.exc.get(univ_pos), rt.rules.get(univ_pos)
    if not any((index, exceptions, rules)):
        return [string.lower()]  # (never "propn" here)
    index = index or set()
    exceptions = exceptions or {}
    rules = rules or []
    orig = string
    string = string.lower()
    forms: list[str] = []
    oov_forms: list[str] = []
    for old, new in rules:
        if string.endswith(old):
            form = string[: len(string) - len(old)] + new
            if not form:
                pass
            elif form in index or not form.isalpha():
                if form in index:
                    forms.insert(0, form)
                else:
                    forms.append(form)
            else:
                oov_forms.append(form)
    forms = list(dict.fromkeys(forms))
    for form in exceptions.get(string, []):
        if form not in forms:
            forms.insert(0, form)
    if not forms:
        forms.extend(oov_forms)
    if not forms:
        forms.append(orig)
    return forms


def lemma(t: Token) -> str:
    """The lower-case lemma of ``t``, computed now if the pipeline skipped the lemmatizer."""
    if t.lemma_:
        return t.lemma_.lower()
    if _LEMMATIZER is None or t.pos_ not in _RULE_POS:
        return t.lower_  # the rule tables only change nouns, verbs, adjectives and adverbs
    key = (t.orth, t.pos)
    found = _CACHE.get(key)
    if found is None:
        if len(_CACHE) > 200_000:  # bounded: a long stream meets ever new words
            _CACHE.clear()
        forms = _rule_lemmatize(_RULES, t) if _RULES is not None else _LEMMATIZER.rule_lemmatize(t)
        found = _CACHE[key] = (forms[0] if forms else t.text).lower()
    return found

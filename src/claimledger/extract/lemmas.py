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

from spacy.language import Language
from spacy.tokens import Token

_LEMMATIZER: Optional[Any] = None
_RULE_POS = frozenset({"NOUN", "VERB", "ADJ", "ADV", "AUX"})
_CACHE: dict[tuple[int, int], str] = {}  # (orth, pos) -> lemma; the tables give one answer per pair


def use_lemmatizer_of(nlp: Language) -> None:
    """Remember ``nlp``'s lemmatizer for :func:`lemma` (a no-op if it has none)."""
    global _LEMMATIZER
    if "lemmatizer" in getattr(nlp, "pipe_names", ()):
        _LEMMATIZER = nlp.get_pipe("lemmatizer")


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
        forms = _LEMMATIZER.rule_lemmatize(t)
        found = _CACHE[key] = (forms[0] if forms else t.text).lower()
    return found

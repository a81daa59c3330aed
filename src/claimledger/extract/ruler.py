"""spaCy's attribute ruler without the Matcher: the same attributes, a fifth of the cost.

In ``en_core_web_sm`` the attribute ruler maps each tag to its coarse part of
speech and morphology, plus a few word exceptions: 179 patterns, each one
token except eight of two. spaCy runs them through its general Matcher and
sets the attributes of every match one at a time, which costs as much as the
parser on the short sentences the extractor parses. :class:`FastRuler` reads
the same patterns and attributes from the loaded component and applies them by
table: for each token the patterns that match it (a token's single-token
matches depend only on its tag, lower-case form, dependency label and
whether it is a space, so they are cached by those), in the ruler's own order,
later patterns overriding earlier ones exactly as ``AttributeRuler.match``
sorts them. Patterns that use anything else (other keys, operators, or
quantifiers) make :meth:`FastRuler.of` return None, and the caller keeps
spaCy's component.
"""
from __future__ import annotations

# isort: off
from claimledger.extract import _spacy  # noqa: F401  (imports spaCy without its CLI: first)
# isort: on
import re
from typing import Any, Callable, Optional

from spacy.attrs import DEP, IS_SPACE, LOWER, TAG
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs

_KEYS = {"TAG", "LOWER", "DEP", "IS_SPACE"}
Pred = Callable[[tuple[str, str, str, bool]], bool]  # over (tag, lower, dep, is_space)


def _predicate(spec: dict) -> Optional[Pred]:
    """One token's conditions as a function of (tag, lower, dep, is_space); None if unsupported."""
    tests: list[Callable[[tuple[str, str, str, bool]], bool]] = []
    for key, want in spec.items():
        if key not in _KEYS:
            return None
        at = ("TAG", "LOWER", "DEP", "IS_SPACE").index(key)
        if isinstance(want, dict):
            if len(want) != 1:
                return None
            (op, arg), = want.items()
            if op == "IN":
                allowed = frozenset(arg)
                tests.append(lambda v, at=at, s=allowed: v[at] in s)
            elif op == "NOT_IN":
                banned = frozenset(arg)
                tests.append(lambda v, at=at, s=banned: v[at] not in s)
            elif op == "REGEX" and key != "IS_SPACE":
                rx = re.compile(arg)
                tests.append(lambda v, at=at, rx=rx: rx.search(v[at]) is not None)
            else:
                return None
        elif isinstance(want, bool):
            if key != "IS_SPACE":
                return None
            tests.append(lambda v, at=at, w=want: v[at] is w)
        elif isinstance(want, str) and key != "IS_SPACE":
            tests.append(lambda v, at=at, w=want: v[at] == w)
        else:
            return None
    return lambda v: all(t(v) for t in tests)


class FastRuler:
    """Applies a loaded ``AttributeRuler``'s patterns to parsed Docs (see the module doc)."""

    def __init__(self, single: list[tuple[int, Pred, dict]], multi: list[tuple[int, list[Pred], int]],
                 attrs: list[dict]) -> None:
        self.single = single  # (pattern number, test, the pattern's token spec)
        # candidates by the exact lower-case form or tag a pattern asks for; the rest always tried
        self.by_lower: dict[str, list[tuple[int, Pred]]] = {}
        self.by_tag: dict[str, list[tuple[int, Pred]]] = {}
        self.general: list[tuple[int, Pred]] = []
        for i, test, spec in single:
            for key, table in (("LOWER", self.by_lower), ("TAG", self.by_tag)):
                want = spec.get(key)
                values = [want] if isinstance(want, str) else (
                    list(want["IN"]) if isinstance(want, dict) and "IN" in want else None)
                if values is not None:
                    for v in values:
                        table.setdefault(v, []).append((i, test))
                    break
            else:
                self.general.append((i, test))
        self.multi = multi  # (pattern number, tests of consecutive tokens, index of the token set)
        self.attrs = attrs
        self._matches: dict[tuple[int, int, int, bool], tuple[tuple[int, ...], tuple[int, ...]]] = {}
        self._merged: dict[tuple[int, ...], dict] = {}

    @classmethod
    def of(cls, ruler: Any) -> Optional["FastRuler"]:
        try:
            attrs = list(ruler.attrs)
            indices = list(ruler.indices)
            groups = [ruler.matcher.get(str(i)) for i in range(len(attrs))]
        except Exception:
            return None
        single: list[tuple[int, Pred, dict]] = []
        multi: list[tuple[int, list[Pred], int]] = []
        for i, got in enumerate(groups):
            if got is None:
                return None
            on_match, alternatives = got
            if on_match is not None:
                return None
            for pattern in alternatives:
                preds = [_predicate(spec) for spec in pattern]
                if not preds or any(p is None for p in preds):
                    return None
                idx = indices[i]
                if not -len(preds) <= idx < len(preds):
                    return None
                if len(preds) == 1:
                    single.append((i, preds[0], pattern[0]))  # type: ignore[arg-type]
                else:
                    multi.append((i, preds, idx % len(preds)))  # type: ignore[arg-type]
        return cls(single, multi, attrs)

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if not n:
            return doc
        arr = doc.to_array([TAG, LOWER, DEP, IS_SPACE]).tolist()
        strings = doc.vocab.strings
        ids: list[tuple[int, ...]] = []
        starts: list[tuple[int, int]] = []  # (token, multi-token pattern) whose first token matches
        cache = self._matches
        for t_i, row in enumerate(arr):
            key = (row[0], row[1], row[2], bool(row[3]))
            found = cache.get(key)
            if found is None:
                v = (strings[row[0]], strings[row[1]], strings[row[2]], bool(row[3]))
                cands = self.by_lower.get(v[1], []) + self.by_tag.get(v[0], []) + self.general
                found = cache[key] = (tuple(sorted({i for i, test in cands if test(v)})),
                                      tuple(m for m, (_, tests, _) in enumerate(self.multi) if tests[0](v)))
            ids.append(found[0])
            for m in found[1]:
                starts.append((t_i, m))
        for s, m in starts:
            i, tests, at = self.multi[m]
            if s + len(tests) > n:
                continue
            rows = arr[s + 1:s + len(tests)]
            if all(t((strings[r[0]], strings[r[1]], strings[r[2]], bool(r[3])))
                   for t, r in zip(tests[1:], rows, strict=True)):
                ids[s + at] = tuple(sorted(set(ids[s + at]) | {i}))
        merged_cache = self._merged
        for t_i, found in enumerate(ids):
            if not found:
                continue
            merged = merged_cache.get(found)
            if merged is None:
                merged = {}
                for i in found:  # in pattern order: later patterns win, as AttributeRuler.match sorts
                    merged.update(self.attrs[i])
                merged_cache[found] = merged
            set_token_attrs(doc[t_i], merged)
        return doc

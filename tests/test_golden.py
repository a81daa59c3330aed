"""Golden cases: a short text in, every claim it states out (tests/golden/cases.jsonl).

Each case lists *every* claim of its text. A predicted claim must sit on the
exact span of an expected one and agree on each field the case gives; a
predicted claim whose span touches no expected claim is an extra and fails the
case (that is what makes the negative cases, with ``"claims": []``, bite).
Fields a case omits are not checked. See tests/golden/README.md.
"""
from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path
from typing import Any, Optional

import pytest

from claimledger import extract_text
from claimledger.model import EVENTS, QUALIFIERS, Claim

CASES_PATH = Path(__file__).parent / "golden" / "cases.jsonl"

MIN_CASES = 150
MIN_CASES_PER_RULE = 2

# Fields a case may give for an expected claim, and the keys of a case itself.
CLAIM_KEYS = {
    "surface", "occurrence", "value", "high", "qualifier", "unit", "counted", "event",
    "speaker", "location", "part_of", "part_of_surface", "part_of_occurrence", "note",
}
CASE_KEYS = {"id", "rule", "text", "claims", "note"}
NUMBER_FIELDS = ("value", "high")
EXACT_FIELDS = ("qualifier", "unit", "event")
TEXT_FIELDS = ("counted", "speaker", "location")


def load_cases(path: Path = CASES_PATH) -> list[dict[str, Any]]:
    """Read the golden file; a line that is not JSON fails loudly with its number."""
    cases = []
    with path.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                case = json.loads(line)
            except json.JSONDecodeError as e:  # pragma: no cover - reported at collection
                raise ValueError(f"{path}:{lineno}: not JSON: {e}") from e
            case["_line"] = lineno
            cases.append(case)
    return cases


CASES = load_cases()


def find_span(text: str, surface: str, occurrence: int = 0) -> Optional[tuple[int, int]]:
    """Start/end of the ``occurrence``-th (0-based) occurrence of ``surface`` in ``text``."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.find(surface, start + 1)
        if start < 0:
            return None
    return start, start + len(surface)


def expected_span(text: str, exp: dict[str, Any]) -> tuple[int, int]:
    span = find_span(text, exp["surface"], exp.get("occurrence", 0))
    assert span is not None, f"surface {exp['surface']!r} (occurrence {exp.get('occurrence', 0)}) not in text"
    return span


def parent_start(text: str, exp: dict[str, Any]) -> Optional[int]:
    span = find_span(text, exp["part_of_surface"], exp.get("part_of_occurrence", 0))
    return None if span is None else span[0]


def numbers_match(expected: Optional[float], got: Optional[float]) -> bool:
    if expected is None or got is None:
        return expected is None and got is None
    try:
        return math.isclose(float(got), float(expected), rel_tol=1e-3, abs_tol=1e-9)
    except (TypeError, ValueError):
        return False


def norm_text(s: Optional[str]) -> Optional[str]:
    return None if s is None else " ".join(s.split()).casefold()


def field_problems(text: str, exp: dict[str, Any], got: Claim) -> list[str]:
    """Every disagreement between an expected claim and the predicted one on its span."""
    problems = []
    for name in NUMBER_FIELDS:
        if name in exp and not numbers_match(exp[name], getattr(got, name)):
            problems.append(f"{name}: expected {exp[name]!r}, got {getattr(got, name)!r}")
    for name in EXACT_FIELDS:
        if name in exp and exp[name] != getattr(got, name):
            problems.append(f"{name}: expected {exp[name]!r}, got {getattr(got, name)!r}")
    for name in TEXT_FIELDS:
        if name in exp and norm_text(exp[name]) != norm_text(getattr(got, name)):
            problems.append(f"{name}: expected {exp[name]!r}, got {getattr(got, name)!r}")
    if "part_of_surface" in exp:
        want = parent_start(text, exp)
        if got.part_of != want:
            problems.append(f"part_of: expected {want} (start of {exp['part_of_surface']!r}), got {got.part_of!r}")
    elif "part_of" in exp and exp["part_of"] is None and got.part_of is not None:
        problems.append(f"part_of: expected None, got {got.part_of!r}")
    return problems


def describe(c: Claim) -> str:
    extras = {k: getattr(c, k) for k in ("high", "counted", "event", "speaker", "location", "part_of")
              if getattr(c, k) is not None}
    return (f"  [{c.start}:{c.end}] {c.surface!r} value={c.value!r} qualifier={c.qualifier} "
            f"unit={c.unit} {extras}")


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden_case(case: dict[str, Any]) -> None:
    text = case["text"]
    predicted = extract_text(text, doc_id=case["id"])
    problems: list[str] = []

    expected_spans = []
    for exp in case["claims"]:
        start, end = expected_span(text, exp)
        expected_spans.append((start, end))
        hits = [p for p in predicted if (p.start, p.end) == (start, end)]
        label = f"{exp['surface']!r} [{start}:{end}]"
        if not hits:
            near = [p for p in predicted if p.start < end and start < p.end]
            hint = f"; overlapping predictions: {[p.surface for p in near]}" if near else ""
            problems.append(f"missing claim {label}{hint}")
            continue
        for msg in field_problems(text, exp, hits[0]):
            problems.append(f"{label}: {msg}")

    for p in predicted:
        if not any(p.start < e and s < p.end for s, e in expected_spans):
            problems.append(f"extra claim {p.surface!r} [{p.start}:{p.end}] (no expected claim there)")

    if problems:
        lines = [f"case {case['id']} (rule {case['rule']}, cases.jsonl line {case['_line']})",
                 f"text: {text!r}"]
        if case.get("note"):
            lines.append(f"note: {case['note']}")
        lines += ["problems:"] + [f"  - {m}" for m in problems]
        lines += ["predicted claims:"] + ([describe(p) for p in predicted] or ["  (none)"])
        pytest.fail("\n".join(lines), pytrace=False)


# ---------------------------------------------------------------------------
# The golden file itself: these pass whatever the extractor does.
# ---------------------------------------------------------------------------

def test_enough_cases_and_unique_ids() -> None:
    assert len(CASES) >= MIN_CASES, f"only {len(CASES)} golden cases, want >= {MIN_CASES}"
    dupes = [i for i, n in Counter(c["id"] for c in CASES).items() if n > 1]
    assert not dupes, f"duplicate case ids: {dupes}"


def test_every_rule_has_several_cases() -> None:
    counts = Counter(c["rule"] for c in CASES)
    thin = {r: n for r, n in counts.items() if n < MIN_CASES_PER_RULE}
    assert not thin, f"rule groups with fewer than {MIN_CASES_PER_RULE} cases: {thin}"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case_is_well_formed(case: dict[str, Any]) -> None:
    text = case["text"]
    assert set(case) - {"_line"} <= CASE_KEYS, f"unknown keys {set(case) - CASE_KEYS - {'_line'}}"
    assert isinstance(case["id"], str) and case["id"]
    assert isinstance(case["rule"], str) and case["rule"]
    assert isinstance(text, str) and text.strip()
    assert isinstance(case["claims"], list)
    previous_start = -1
    for exp in case["claims"]:
        assert set(exp) <= CLAIM_KEYS, f"unknown keys {set(exp) - CLAIM_KEYS}"
        assert "surface" in exp and "value" in exp, f"surface and value are required: {exp}"
        span = find_span(text, exp["surface"], exp.get("occurrence", 0))
        assert span is not None, f"surface {exp['surface']!r} (occurrence {exp.get('occurrence', 0)}) not in text"
        if exp.get("occurrence", 0) == 0:
            assert "occurrence" in exp or text.count(exp["surface"]) == 1, (
                f"surface {exp['surface']!r} occurs {text.count(exp['surface'])} times: give 'occurrence'")
        before, after = text[span[0] - 1:span[0]], text[span[1]:span[1] + 1]
        assert not (before.isalnum() or after.isalnum()), (
            f"surface {exp['surface']!r} starts or ends inside a word: {text[span[0] - 1:span[1] + 1]!r}")
        assert span[0] > previous_start, f"claims not in text order at {exp['surface']!r}"
        previous_start = span[0]
        if "qualifier" in exp:
            assert exp["qualifier"] in QUALIFIERS
            assert (exp["value"] is None) == (exp["qualifier"] == "vague"), "value is null iff vague"
            assert (exp.get("high") is not None) <= (exp["qualifier"] == "range"), "high only for a range"
        if "event" in exp:
            assert exp["event"] in EVENTS
        if "unit" in exp:
            assert isinstance(exp["unit"], str) and exp["unit"]
        if "part_of_surface" in exp:
            assert parent_start(text, exp) is not None, f"part_of_surface {exp['part_of_surface']!r} not in text"
            parents = [e for e in case["claims"]
                       if e is not exp and find_span(text, e["surface"], e.get("occurrence", 0))[0]
                       == parent_start(text, exp)]
            assert parents, f"part_of_surface {exp['part_of_surface']!r} is not itself an expected claim"
        if "part_of" in exp:
            assert exp["part_of"] is None, "give the parent as part_of_surface; part_of may only be null"

"""Everything the checks need to know about one claim, computed once.

``build_contexts`` walks each document's claims with its text and adds: the
sentence and its period (timing), the indicator key (indicators), the bounds
its qualifier allows in the dimension's base unit (units), the primary source
(sources), whether it restates another claim as a unit conversion, and, for a
near-duplicate document, whether the original already carries the figure.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Optional

from claimledger.check import units
from claimledger.check.indicators import Indicator, indicator_for, main_place, place_root
from claimledger.check.sources import org_key, primary_source
from claimledger.check.timing import Period, parse_date, period_for
from claimledger.extract import segment
from claimledger.model import Claim, Document

# between a figure and its restatement in another unit: "24 hectares (2.6 square feet)",
# "10 kilometers, or about six miles"
_CONVERSION_GAP = re.compile(r"\s*[(\[]\s*|\s*,?\s*(?:or|i\.e\.,?|that is,?)\s+", re.I)


@dataclass
class ClaimContext:
    claim: Claim
    doc: Document
    sentence: str
    sentence_start: int
    period: Period
    indicator: Indicator
    area: str  # the stated place, direction kept ("eastern aleppo"), for same-place tests
    bounds: Optional[units.Bounds]  # in the dimension's base unit
    source: str  # display name of the primary source
    source_key: str
    outlet: str
    conversion_of: Optional["ClaimContext"] = None
    copy: bool = False  # a near-duplicate document's claim that its original already states

    @property
    def ref(self) -> tuple[str, int]:
        return (self.claim.doc_id, self.claim.start)

    @property
    def usable(self) -> bool:
        """Takes part in conflicts and series: a stated amount, not a restatement or a copy."""
        return self.bounds is not None and self.conversion_of is None and not self.copy

    def describe(self) -> str:
        c = self.claim
        return units.describe(c.value, c.high, c.qualifier, c.unit)

    def who(self) -> str:
        return self.claim.speaker or f"{self.outlet}, own voice"


def _scaled_bounds(claim: Claim) -> Optional[units.Bounds]:
    b = units.bounds(claim.value, claim.high, claim.qualifier)
    if b is None:
        return None
    lo = units.to_canonical(b.lo, claim.unit) if abs(b.lo) != float("inf") else b.lo
    hi = units.to_canonical(b.hi, claim.unit) if abs(b.hi) != float("inf") else b.hi
    return units.Bounds(lo if lo is not None else b.lo, hi if hi is not None else b.hi)


def outlet_name(doc: Document) -> str:
    """The outlet a document is from: its outlet, else its URL's host, else 'outlet of <doc_id>'."""
    if doc.outlet:
        return doc.outlet
    if doc.url:
        host = re.sub(r"^https?://(?:www\.)?", "", doc.url).split("/")[0]
        if host:
            return host
    return f"outlet of {doc.doc_id}"


def build_contexts(documents: Iterable[Document], claims: Iterable[Claim],
                   duplicates: Optional[dict[str, str]] = None) -> list[ClaimContext]:
    """One context per claim whose document is known, in (doc_id, start) order."""
    duplicates = duplicates or {}
    docs = {d.doc_id: d for d in documents}
    by_doc: dict[str, list[Claim]] = defaultdict(list)
    for c in claims:
        by_doc[c.doc_id].append(c)
    out: list[ClaimContext] = []
    per_doc: dict[str, list[ClaimContext]] = {}
    for doc_id in sorted(by_doc):
        doc = docs.get(doc_id) or Document(doc_id=doc_id, text="")
        ctxs = _document_contexts(doc, sorted(by_doc[doc_id], key=lambda c: c.start))
        per_doc[doc_id] = ctxs
        out.extend(ctxs)
    _mark_copies(per_doc, duplicates)
    return out


def _document_contexts(doc: Document, claims: list[Claim]) -> list[ClaimContext]:
    text = doc.text
    sents = segment.sentences(text) if text else []
    starts = [s.start for s in sents]
    paras = segment.paragraphs(text) if text else []
    para_starts = [p.start for p in paras]
    published = parse_date(doc.published) if doc.published else None
    doc_place = main_place([c.location for c in claims])
    outlet = outlet_name(doc)
    by_start = {c.start: c for c in claims}
    ctxs: list[ClaimContext] = []
    by_claim_start: dict[int, ClaimContext] = {}
    source_cache: dict[Optional[str], str] = {}
    for c in claims:
        if sents:
            i = max(bisect_right(starts, c.start) - 1, 0)
            sent = sents[i]
            p = max(bisect_right(para_starts, c.start) - 1, 0)
            para_start = paras[p].start if paras else 0
            earlier = [text[s.start:s.end] for s in sents[:i] if s.start >= para_start]
            sentence, sentence_start = text[sent.start:sent.end], sent.start
            at = (c.start - sent.start, c.end - sent.start)
        else:
            sentence, sentence_start, earlier, at = c.surface, c.start, [], None
        period = period_for(sentence, earlier, published, at)
        whole = None
        if c.part_of is not None and c.part_of in by_start:
            parent = by_start[c.part_of]
            whole_ind = indicator_for(parent.event, parent.counted, parent.location, parent.unit, doc_place)
            whole = (whole_ind.event, whole_ind.counted)
        ind = indicator_for(c.event, c.counted, c.location, c.unit, doc_place, whole)
        if c.speaker not in source_cache:
            source_cache[c.speaker] = primary_source(c.speaker, text) if c.speaker else outlet
        src = source_cache[c.speaker]
        area = (c.location or ind.place).lower()
        area = re.sub(r"^.*[’']s\s+", "", area) if place_root(c.location) else area
        ctx = ClaimContext(claim=c, doc=doc, sentence=sentence, sentence_start=sentence_start, period=period,
                           indicator=ind, area=area, bounds=_scaled_bounds(c), source=src,
                           source_key=org_key(src), outlet=outlet)
        ctxs.append(ctx)
        by_claim_start[c.start] = ctx
    _mark_conversions(text, ctxs)
    return ctxs


def _mark_conversions(text: str, ctxs: list[ClaimContext]) -> None:
    """Link 'B' to 'A' in 'A (B)' / 'A, or B' when both are physical units of one dimension."""
    for a, b in zip(ctxs, ctxs[1:], strict=False):
        ca, cb = a.claim, b.claim
        if ca.unit == cb.unit or ca.unit not in units.PINT_NAMES or cb.unit not in units.PINT_NAMES:
            continue
        if units.dimension(ca.unit) != units.dimension(cb.unit):
            continue
        gap = text[ca.end:cb.start] if text else " " * (cb.start - ca.end)
        if _CONVERSION_GAP.fullmatch(gap) or (not text and len(gap) <= 2):
            b.conversion_of = a


def _mark_copies(per_doc: dict[str, list[ClaimContext]], duplicates: dict[str, str]) -> None:
    """A near-duplicate's claim is a copy when its original states the same figure for the same indicator."""
    for doc_id, original in duplicates.items():
        if doc_id not in per_doc or original not in per_doc:
            continue
        seen = {(c.indicator, c.claim.value, c.claim.qualifier, c.claim.unit) for c in per_doc[original]}
        for ctx in per_doc[doc_id]:
            if (ctx.indicator, ctx.claim.value, ctx.claim.qualifier, ctx.claim.unit) in seen:
                ctx.copy = True

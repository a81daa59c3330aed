"""Typed records passed between stages: Document, Claim, Rejection, Finding.

Every record is a frozen dataclass with ``to_dict``/``from_dict`` so it can be
written as one JSON object per line and read back unchanged.
"""
from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from typing import Any, ClassVar, Optional

QUALIFIERS = ("exact", "approx", "over", "under", "at_least", "at_most", "range", "vague")
EVENTS = (
    "evacuation", "surrender", "amnesty", "returns", "displacement", "casualties",
    "detention", "aid", "medical", "demining", "territorial_control",
    "infrastructure", "military", "population", "other",
)


CONTRACT_FIELDS = ("doc_id", "start", "end", "surface", "value", "high", "qualifier", "unit",
                   "counted", "event", "speaker", "location", "part_of")


class _Record:
    """Shared (de)serialisation for the frozen dataclasses below."""

    _private: ClassVar[tuple[str, ...]] = ()

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)  # type: ignore[arg-type]
                if f.name not in self._private}

    @classmethod
    def from_dict(cls, data: dict[str, Any]):
        names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(frozen=True)
class Document(_Record):
    """One article. ``text`` is what claim offsets index."""

    doc_id: str
    text: str
    title: Optional[str] = None
    outlet: Optional[str] = None
    url: Optional[str] = None
    published: Optional[str] = None
    source: Optional[str] = None  # file the document came from
    lang: Optional[str] = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Claim(_Record):
    """One stated quantity with its frame and provenance (see shared spec/claims.md)."""

    doc_id: str
    start: int
    end: int
    surface: str
    value: Optional[float]
    high: Optional[float] = None
    qualifier: str = "exact"
    unit: str = "count"
    counted: Optional[str] = None
    event: str = "other"
    speaker: Optional[str] = None
    location: Optional[str] = None
    part_of: Optional[int] = None
    # provenance beyond the contract's fields
    sentence_start: Optional[int] = None
    sentence_end: Optional[int] = None
    extractor_version: Optional[str] = None

    def contract_dict(self) -> dict[str, Any]:
        """Only the fields of the output contract, values made JSON-friendly."""
        d = {k: v for k, v in self.to_dict().items() if k in CONTRACT_FIELDS}
        for k in ("value", "high"):
            v = d[k]
            if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
                d[k] = int(v)
        return d


@dataclass(frozen=True)
class Rejection(_Record):
    """A document (or part of an input file) that could not be read, and why."""

    source: str
    reason: str
    doc_id: Optional[str] = None
    line: Optional[int] = None

    def message(self) -> str:
        where = self.source + (f":{self.line}" if self.line else "")
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class ClaimRef(_Record):
    doc_id: str
    start: int


@dataclass(frozen=True)
class Finding(_Record):
    """A cross-document finding (spec, last section): its kind, the claims it rests on, a message.

    ``details`` carries what the contract does not name but users need: the
    indicator key, the primary sources and outlets behind the figures, and
    whether they rest on a single primary source. It is written as extra keys
    after the contract's three.
    """

    kind: str
    claims: tuple[ClaimRef, ...] = field(default_factory=tuple)
    message: str = ""
    details: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"kind": self.kind, "claims": [c.to_dict() for c in self.claims],
                             "message": self.message}
        for k, v in self.details.items():
            d.setdefault(k, v)
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Finding":
        details = {k: v for k, v in data.items() if k not in ("kind", "claims", "message")}
        return cls(kind=data["kind"], claims=tuple(ClaimRef.from_dict(c) for c in data.get("claims", [])),
                   message=data.get("message", ""), details=details)

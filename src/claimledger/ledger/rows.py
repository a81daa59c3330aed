"""Records <-> table rows, and the published date parsed from what a source gave."""
from __future__ import annotations

import datetime as dt
import email.utils
import json
import re
from functools import lru_cache
from typing import Any, Optional

from claimledger.ledger.schema import CLAIM_COLUMNS
from claimledger.model import Claim, ClaimRef, Document, Finding

# dateparser without its relative-time parser ("yesterday" in a feed means nothing once stored),
# and only for text that names a year (otherwise it fills in the current one).
_YEAR = re.compile(r"\d{4}")
DATE_SETTINGS = {
    "REQUIRE_PARTS": ["year"],
    "PREFER_DAY_OF_MONTH": "first",
    "PREFER_MONTH_OF_YEAR": "first",
    "RETURN_AS_TIMEZONE_AWARE": False,
    "PARSERS": ["timestamp", "custom-formats", "absolute-time"],
}


def published_date(published: Optional[str]) -> Optional[dt.date]:
    """The calendar date ``published`` names, or None if it names none.

    ISO 8601 and RFC 2822 (the usual feed formats) are read directly; anything
    else goes to dateparser, which is slow, so its answers are cached.
    """
    if not published or not published.strip():
        return None
    text = published.strip()
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        pass
    if not _YEAR.search(text):  # "n/a", "Tuesday", "14 Dec": no year stated, no date stored
        return None
    return _dateparser_date(text)


@lru_cache(maxsize=4096)
def _dateparser_date(text: str) -> Optional[dt.date]:
    import dateparser  # imported on first use: it is slow to import and often not needed

    try:
        parsed = dateparser.parse(text, settings=DATE_SETTINGS)
    except Exception:  # dateparser raises assorted errors on odd input; unparseable is the answer
        return None
    return parsed.date() if parsed else None


def claim_row(claim: Claim, extractor_version: str) -> tuple[Any, ...]:
    """A claim as a ``claims`` row; a claim that does not say what made it gets ``extractor_version``."""
    row = [getattr(claim, c) for c in CLAIM_COLUMNS]
    if row[-1] is None:
        row[-1] = extractor_version
    return tuple(row)


def claim_from_row(row: tuple[Any, ...]) -> Claim:
    return Claim(**dict(zip(CLAIM_COLUMNS, row, strict=True)))


def document_from_row(row: tuple[Any, ...]) -> Document:
    """``row`` holds doc_id, text, title, outlet, url, published, source, lang."""
    keys = ("doc_id", "text", "title", "outlet", "url", "published", "source", "lang")
    return Document(**dict(zip(keys, row, strict=True)))


def finding_row(finding: Finding) -> tuple[str, str, str, str]:
    """kind, claims (JSON), message, details (JSON)."""
    return (finding.kind, json.dumps([c.to_dict() for c in finding.claims], ensure_ascii=False),
            finding.message, json.dumps(finding.details, ensure_ascii=False, default=str))


def finding_from_row(kind: str, claims: str, message: str, details: str) -> Finding:
    return Finding(kind=kind, claims=tuple(ClaimRef.from_dict(c) for c in json.loads(claims)),
                   message=message, details=json.loads(details))

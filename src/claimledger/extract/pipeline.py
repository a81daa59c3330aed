"""Text -> Claim*: the extraction pipeline (stub being replaced)."""
from __future__ import annotations

from functools import lru_cache

from claimledger.model import Claim, Document


class Extractor:
    def extract(self, doc: Document) -> list[Claim]:
        return []


@lru_cache(maxsize=1)
def get_extractor() -> Extractor:
    return Extractor()

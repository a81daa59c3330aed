"""claimledger: every figure in the news, traced to its words, speaker and outlet."""
from __future__ import annotations

__version__ = "0.1.0"

from claimledger.model import Claim, Document, Finding, Rejection  # noqa: E402

__all__ = ["Claim", "Document", "Finding", "Rejection", "extract_text", "extract_document", "__version__"]


def extract_text(text: str, doc_id: str = "doc") -> list[Claim]:
    """Extract every claim from ``text``; offsets index ``text`` unchanged."""
    from claimledger.extract.pipeline import get_extractor

    return get_extractor().extract(Document(doc_id=doc_id, text=text))


def extract_document(doc: Document) -> list[Claim]:
    """Extract every claim from a :class:`Document`."""
    from claimledger.extract.pipeline import get_extractor

    return get_extractor().extract(doc)

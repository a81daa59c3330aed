"""Near-duplicate detection: MinHash signatures over word 5-gram shingles, banded for lookup.

A signature is ``NUM_PERM`` MinHash values (datasketch). For lookup it is cut
into ``BANDS`` bands of ``ROWS`` values; each band is hashed to one signed
64-bit key that the ledger stores in a table, so finding candidates is an
indexed query and memory does not grow with the ledger. Two documents that
share any band key are candidates; a candidate is a near duplicate when the
signatures estimate a Jaccard similarity of at least ``NEAR_DUPLICATE_THRESHOLD``.

With 16 bands of 8 rows, a pair at Jaccard 0.8 shares a band with probability
1 - (1 - 0.8**8)**16 ≈ 0.95; a pair at 0.5 with probability ≈ 0.06.
"""
from __future__ import annotations

import hashlib
import inspect
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Optional

import numpy as np

if TYPE_CHECKING:
    from claimledger.model import Document

NUM_PERM = 128
BANDS = 16
ROWS = 8  # BANDS * ROWS == NUM_PERM
SHINGLE_WORDS = 5
# Texts shorter than this many words are only checked for exact duplicates: a few
# shared boilerplate phrases would make short texts look alike.
MIN_WORDS = 30
# Estimated Jaccard similarity of shingle sets at or above which a document is a
# near duplicate of an earlier one (a re-run wire story with a new dateline or footer
# scores ~0.85-0.95; rewritten coverage of the same event stays well below 0.5).
NEAR_DUPLICATE_THRESHOLD = 0.8
SEED = 1
SCHEME = "affine32"  # datasketch >= 2.0; older versions have a single (legacy) scheme

_WORD = re.compile(r"\w+(?:['’.,]\w+)*")
_INNER_PUNCT = re.compile(r"['’.,]")


def words(text: str) -> list[str]:
    """Lower-cased words with punctuation stripped ("1,200" -> "1200", "don't" -> "dont")."""
    return [_INNER_PUNCT.sub("", w) for w in _WORD.findall(text.lower())]


def shingles(tokens: list[str], size: int = SHINGLE_WORDS) -> set[bytes]:
    """The distinct ``size``-word shingles of ``tokens``, UTF-8 encoded."""
    return {" ".join(tokens[i:i + size]).encode("utf-8") for i in range(len(tokens) - size + 1)}


@lru_cache(maxsize=1)
def _minhash_kwargs() -> dict[str, Any]:
    from datasketch import MinHash  # imported here: datasketch takes ~1 s to import

    kwargs: dict[str, Any] = {"num_perm": NUM_PERM, "seed": SEED}
    if "scheme" in inspect.signature(MinHash.__init__).parameters:
        kwargs["scheme"] = SCHEME
    return kwargs


def scheme_name() -> str:
    """What produces signatures, recorded in the ledger: they are only comparable within one scheme.

    Read from the installed version, not by importing datasketch (slow), so opening a ledger stays fast.
    """
    from importlib.metadata import version

    major = int(version("datasketch").split(".")[0])
    return f"datasketch-minhash/{SCHEME if major >= 2 else 'legacy'}/{NUM_PERM}/seed{SEED}"


def signature(text: str) -> Optional[np.ndarray]:
    """The MinHash signature of ``text`` as ``NUM_PERM`` uint64 values, or None if it is too short."""
    tokens = words(text)
    if len(tokens) < MIN_WORDS:
        return None
    from datasketch import MinHash

    mh = MinHash(**_minhash_kwargs())
    mh.update_batch(sorted(shingles(tokens)))
    return np.asarray(mh.hashvalues, dtype=np.uint64)


def to_blob(sig: np.ndarray) -> bytes:
    """A signature as little-endian uint64 bytes, as stored in the ledger."""
    return sig.astype("<u8").tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u8")


def band_keys(sig: np.ndarray) -> list[int]:
    """One signed 64-bit key per band; the band number is hashed in, so a key alone identifies its band."""
    data = sig.astype("<u8")
    keys = []
    for band in range(BANDS):
        h = hashlib.blake2b(data[band * ROWS:(band + 1) * ROWS].tobytes(), digest_size=8,
                            person=b"band%04d" % band)
        keys.append(int.from_bytes(h.digest(), "little", signed=True))
    return keys


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the shingle sets behind two signatures."""
    return float(np.count_nonzero(a == b)) / len(a)


def near_duplicates(documents: Iterable["Document"]) -> dict[str, str]:
    """Duplicate links among documents held in memory (``check --claims --docs``): doc_id -> original.

    The same rules as the ledger's ingest: an identical text is an exact
    duplicate of the first document with it; otherwise the most similar earlier
    original sharing a band key, at or above the threshold, is the original.
    """
    links: dict[str, str] = {}
    by_sha: dict[str, str] = {}
    bands: dict[int, list[str]] = {}
    sigs: dict[str, np.ndarray] = {}
    for doc in documents:
        original = by_sha.get(doc.sha256)
        if original is not None:
            links[doc.doc_id] = original
            continue
        by_sha[doc.sha256] = doc.doc_id
        sig = signature(doc.text)
        if sig is None:
            continue
        keys = band_keys(sig)
        candidates = {c for k in keys for c in bands.get(k, ())}
        best = max(((similarity(sig, sigs[c]), c) for c in candidates), default=None)
        if best is not None and best[0] >= NEAR_DUPLICATE_THRESHOLD:
            links[doc.doc_id] = best[1]
            continue
        sigs[doc.doc_id] = sig
        for k in keys:
            bands.setdefault(k, []).append(doc.doc_id)
    return links

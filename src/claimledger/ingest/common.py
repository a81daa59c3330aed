"""Checks shared by the readers: turning raw bytes into text, or saying why not."""
from __future__ import annotations

from pathlib import Path
from typing import Union

from claimledger.model import Rejection

# Enough of a file's start to tell text from binary without reading it all.
SNIFF_BYTES = 8192


def read_bytes(path: Path) -> Union[bytes, Rejection]:
    """The file's bytes, or a Rejection saying why they could not be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        return Rejection(source=str(path), reason=f"cannot read file: {exc.strerror or exc}")


def binary_reason(data: bytes) -> Union[str, None]:
    """Why ``data`` looks like a binary file (a NUL byte), or None if it looks like text."""
    nul = data.find(b"\x00")
    if nul >= 0:
        return f"binary file, not text (NUL byte at byte {nul})"
    return None


def decode_utf8(data: bytes) -> tuple[Union[str, None], Union[str, None]]:
    """``(text, None)`` for valid UTF-8, else ``(None, reason)`` naming the first bad byte.

    The text is decoded unchanged: no BOM stripping, no newline translation, so
    character offsets computed on it index the file as written.
    """
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return None, f"invalid UTF-8 at byte {exc.start} (0x{data[exc.start]:02x})"


def text_problem(data: bytes) -> Union[str, None]:
    """Why ``data`` is not usable article text (empty, binary), or None."""
    if not data.strip():
        return "empty file" if not data else "empty file (only whitespace)"
    return binary_reason(data)

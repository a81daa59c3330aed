"""Checks shared by the readers: turning raw bytes into text, or saying why not."""
from __future__ import annotations

import codecs
import errno
import io
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, Optional, Union

from claimledger.model import Rejection

# Enough of a file's start to tell text from binary without reading it all.
SNIFF_BYTES = 8192

# One record (a JSONL line, a CSV cell) bigger than this is not an article; it is
# rejected without being parsed (or, for a JSONL line, even held in memory).
MAX_RECORD_BYTES = 10 * 1024 * 1024

# Byte-order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).
BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)

_FILE_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
               (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
               (stat.S_ISDIR, "a directory"))


def megabytes(size: int) -> str:
    """``size`` bytes for a message: ``52.4 MB``."""
    return f"{size / 2**20:.1f} MB"


def bom_encoding(data: bytes) -> Optional[tuple[str, str]]:
    """``(codec, name)`` for the byte-order mark ``data`` starts with, or None."""
    for bom, codec, name in BOMS:
        if data.startswith(bom):
            return codec, name
    return None


def file_problem(path: Path) -> Optional[str]:
    """Why ``path`` cannot be read as an input file (a symlink loop or a dangling one, a FIFO,
    a device, no permission), or None if it is a regular file.

    Checked before opening: opening a FIFO would wait for a writer forever.
    """
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "cannot read file: symlink loop (too many levels of symbolic links)"
        if exc.errno == errno.ENOENT and path.is_symlink():
            try:
                target = os.readlink(path)
            except OSError:
                target = "?"
            return f"cannot read file: dangling symlink to {target!r}, which does not exist"
        return f"cannot read file: {exc.strerror or exc}"
    for test, kind in _FILE_KINDS:
        if test(mode):
            return f"cannot read file: not a regular file but {kind}"
    return None


def read_bytes(path: Path) -> Union[bytes, Rejection]:
    """The file's bytes, or a Rejection saying why they could not be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        return Rejection(source=str(path), reason=f"cannot read file: {exc.strerror or exc}")


def binary_reason(data: bytes) -> Union[str, None]:
    """Why ``data`` looks like a binary file (a NUL byte), or None if it looks like text.

    Text with a UTF-16 or UTF-32 byte-order mark has NUL bytes and is not binary.
    """
    if bom_encoding(data):
        return None
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


def decode_text(data: bytes) -> tuple[Union[str, None], Union[str, None]]:
    """``(text, None)`` for a text file in a known encoding, else ``(None, reason)``.

    - A byte-order mark names the encoding (UTF-8, UTF-16 or UTF-32, either byte order).
    - Otherwise valid UTF-8 is UTF-8.
    - Otherwise the file is Windows-1252 (the Western European "ANSI" encoding,
      which includes Latin-1's letters) if it decodes as that and its non-ASCII
      bytes are not mostly valid UTF-8: a UTF-8 file with a damaged byte, or one
      that mixes encodings, is rejected, naming the first bad byte.

    Nothing else changes: a BOM is kept as U+FEFF and newlines as they are, so
    character offsets count the file's characters as written.
    """
    found = bom_encoding(data)
    if found:
        codec, name = found
        try:
            return data.decode(codec), None
        except UnicodeDecodeError as exc:
            return None, f"invalid {name} at byte {exc.start} (after a {name} byte-order mark)"
    text, problem = decode_utf8(data)
    if text is not None:
        return text, None
    if mostly_utf8(data):  # a damaged or mixed file, not a Windows-1252 one
        return None, f"{problem}; the rest of the file is UTF-8"
    try:
        return data.decode("cp1252"), None
    except UnicodeDecodeError as exc:
        return None, f"{problem}, and not Windows-1252 either ({cp1252_undefined(data, exc)})"


def mostly_utf8(data: bytes) -> bool:
    """Whether ``data``'s non-ASCII bytes are mostly valid UTF-8: more multi-byte characters
    than invalid sequences (a U+FFFD in the text counts as one). Pure ASCII is not.

    This is what tells a damaged UTF-8 file (one bad byte among many accented
    letters) from a Windows-1252 one, whose accented letters are single bytes
    that are almost never valid UTF-8 sequences.
    """
    lenient = data.decode("utf-8", errors="replace")
    bad = lenient.count("\ufffd")
    multibyte = len(lenient) - len(lenient.encode("ascii", errors="ignore")) - bad
    return multibyte > bad


def cp1252_undefined(data: bytes, exc: UnicodeDecodeError) -> str:
    """The message part for a byte that Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D)."""
    return f"byte 0x{data[exc.start]:02x} at byte {exc.start} is undefined there"


def text_problem(data: bytes) -> Union[str, None]:
    """Why ``data`` is not usable article text (empty, binary), or None."""
    if not data.strip():
        return "empty file" if not data else "empty file (only whitespace)"
    return binary_reason(data)


def utf8_lines(f: IO[bytes], limit: int = MAX_RECORD_BYTES) -> Iterator[tuple[int, Optional[bytes], int]]:
    """``(number, line, size)`` for each line of ``f`` as UTF-8 bytes; ``line`` is None for
    a line over ``limit`` bytes, which is skipped without being held in memory.

    A file with a UTF-16 or UTF-32 byte-order mark is decoded and re-encoded
    line by line (its mark dropped); a UTF-8 mark stays for the reader to drop.
    """
    peek = getattr(f, "peek", None)
    found = bom_encoding(peek(4)[:4] if peek else b"")
    if found and found[0] != "utf-8":
        text = io.TextIOWrapper(f, encoding=found[0], errors="replace", newline="")
        try:
            text.read(1)  # the mark itself
            yield from _bounded(text.readline, limit, lambda line: line.encode("utf-8", "surrogatepass"))
        finally:
            text.detach()  # the caller closes f
        return
    yield from _bounded(f.readline, limit, lambda line: line)


def _bounded(readline: Callable[[int], Any], limit: int, to_utf8: Callable[[Any], bytes]
             ) -> Iterator[tuple[int, Optional[bytes], int]]:
    number = 0
    while True:
        line = readline(limit + 1)
        if not line:
            return
        number += 1
        data = to_utf8(line)
        if len(line) <= limit and len(data) <= limit:
            yield number, data, len(data)
            continue
        size = len(data)
        while not line.endswith(("\n", "\r") if isinstance(line, str) else b"\n"):
            line = readline(1 << 20)
            if not line:
                break
            size += len(to_utf8(line))
        yield number, None, size

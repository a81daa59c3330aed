"""Readers that turn input files into Documents, one module per format.

``read_paths`` is the entry point: it expands files, folders and globs and
yields a :class:`Document` per article or a :class:`Rejection` saying why some
input could not be read. It never raises for bad input.

Formats: ``.txt`` (text), ``.html``/``.htm`` (html), ``.jsonl`` (jsonl),
``.csv``/``.tsv`` (csv) and ``.warc``/``.warc.gz`` web archives (warc).
"""
from __future__ import annotations

import glob
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Optional, Union

from claimledger.ingest.common import file_problem
from claimledger.ingest.csv import read_csv
from claimledger.ingest.html import read_html
from claimledger.ingest.jsonl import read_jsonl
from claimledger.ingest.text import read_text
from claimledger.ingest.warc import read_warc
from claimledger.model import Document, Rejection

__all__ = ["READERS", "read_path", "read_paths", "iter_files"]

Reader = Callable[[Path], Iterator[Union[Document, Rejection]]]

# Explicit registration: a new format is one module and one line here.
READERS: dict[str, Reader] = {
    ".txt": read_text,
    ".html": read_html,
    ".htm": read_html,
    ".jsonl": read_jsonl,
    ".csv": read_csv,
    ".tsv": read_csv,
    ".warc": read_warc,
    ".warc.gz": read_warc,
}

_GLOB_CHARS = frozenset("*?[")


def reader_for(path: Path) -> Union[Reader, None]:
    """The reader for ``path``'s extension (case-insensitive), or None.

    A double extension such as ``.warc.gz`` is tried before the last one alone.
    """
    double = "".join(path.suffixes[-2:]).lower()
    return READERS.get(double) or READERS.get(path.suffix.lower())


def iter_files(paths: Iterable[Union[str, os.PathLike[str]]]) -> Iterator[Union[Path, Rejection]]:
    """Expand ``paths`` into the files to read, in a stable order.

    A named file is always returned (its reader decides). A folder is walked
    recursively in sorted order, keeping only files with a known extension and
    skipping hidden files and folders. A pattern with ``*``, ``?`` or ``[`` is
    globbed (``**`` recurses) when no file has that literal name.
    """
    for given in paths:
        path = Path(given)
        if path.is_dir():
            yield from _walk(path)
        elif path.exists() or path.is_symlink():
            yield path
        elif _GLOB_CHARS & set(str(given)):
            matches = sorted(glob.glob(str(given), recursive=True))
            if not matches:
                yield Rejection(source=str(given), reason="no files match this pattern")
            for match in matches:
                yield from iter_files([match]) if Path(match).is_dir() else [Path(match)]
        else:
            yield Rejection(source=str(given), reason="no such file or directory")


def _walk(folder: Path) -> Iterator[Union[Path, Rejection]]:
    """Readable files under ``folder``, sorted, hidden entries and unknown extensions skipped.

    Symlinks to folders are followed, each folder read once; a symlink back to
    a folder that contains it (a loop) is reported and not followed.
    """
    errors: list[OSError] = []
    seen: dict[tuple[int, int], str] = {}
    try:
        top = folder.stat()
        seen[(top.st_dev, top.st_ino)] = str(folder)
    except OSError:
        pass  # os.walk reports it
    for root, dirs, files in os.walk(folder, onerror=errors.append, followlinks=True):
        while errors:
            exc = errors.pop(0)
            yield Rejection(source=str(exc.filename or root), reason=f"cannot read folder: {exc.strerror}")
        follow = []
        for d in sorted(d for d in dirs if not d.startswith(".")):
            sub = Path(root, d)
            try:
                st = sub.stat()
            except OSError as exc:
                yield Rejection(source=str(sub), reason=f"cannot read folder: {exc.strerror}")
                continue
            key = (st.st_dev, st.st_ino)
            if key not in seen:
                seen[key] = str(sub)
                follow.append(d)
            elif sub.is_symlink() and _contains(Path(seen[key]), sub):
                yield Rejection(source=str(sub), reason=f"symlink loop: {sub.name} -> {os.readlink(sub)} "
                                                        f"leads back to {seen[key]}, not followed")
            # else: a second way into a folder already read
        dirs[:] = follow
        for name in sorted(files):
            path = Path(root, name)
            if not name.startswith(".") and reader_for(path) is not None:
                yield path
    for exc in errors:  # the top folder itself may be the unreadable one
        yield Rejection(source=str(exc.filename or folder), reason=f"cannot read folder: {exc.strerror}")


def _contains(ancestor: Path, path: Path) -> bool:
    """Whether ``path`` (as walked, through symlinks) lies inside ``ancestor``."""
    return ancestor == path.parent or ancestor in path.parents


def read_path(path: Path) -> Iterator[Union[Document, Rejection]]:
    """Documents in one file, chosen by its extension; an unknown one is a Rejection."""
    reader = reader_for(path)
    if reader is None:
        known = ", ".join(sorted(READERS))
        yield Rejection(source=str(path), reason=f"unsupported file type {path.suffix or '(none)'!r}; "
                                                 f"known: {known}")
        return
    yield from reader(path)


def _guarded(results: Iterator[Union[Document, Rejection]], path: Path
             ) -> Iterator[Union[Document, Rejection]]:
    """``results``, with a reader's unexpected exception turned into a Rejection for that file."""
    try:
        yield from results
    except Exception as exc:  # a reader bug costs its file, not the batch
        yield Rejection(source=str(path), reason=f"reader failed: {type(exc).__name__}: {exc}")


def _doc_id_of(path: Path) -> Optional[str]:
    """The document id a one-document file would have had (its stem), else None."""
    return path.stem if reader_for(path) in (read_text, read_html) else None


def read_paths(paths: Iterable[Union[str, os.PathLike[str]]]) -> Iterator[Union[Document, Rejection]]:
    """Every Document in ``paths`` (files, folders, globs), or a Rejection for what could not be read.

    Documents stream out as their file is read. A file named twice (say, by a
    folder and a glob) is read once. A ``doc_id`` already seen in this call is
    rejected: claims are keyed by ``doc_id``, so two documents with one id would
    mix their offsets.
    """
    files_read: set[Path] = set()
    first_source: dict[str, str] = {}
    for item in iter_files(paths):
        if isinstance(item, Rejection):
            yield item
            continue
        problem = file_problem(item)  # before resolve() (a loop) and open() (a FIFO waits forever)
        if problem:
            yield Rejection(source=str(item), reason=problem, doc_id=_doc_id_of(item))
            continue
        resolved = item.resolve()
        if resolved in files_read:
            continue
        files_read.add(resolved)
        for result in _guarded(read_path(item), item):
            if isinstance(result, Document):
                source = result.source or str(item)
                if result.doc_id in first_source:
                    yield Rejection(source=source, doc_id=result.doc_id,
                                    reason=f"duplicate doc_id {result.doc_id!r} "
                                           f"(already read from {first_source[result.doc_id]})")
                    continue
                first_source[result.doc_id] = source
            yield result

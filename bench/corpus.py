"""The benchmark corpus: the public VOA stories replicated to N documents, streamed to a JSONL file.

Every copy gets a new id (``<story id>-r<copy>``) and, by default, a one-line
tag paragraph at the end (``(bench copy bcd)``, consonants only, so it can
never read as a number word). The tag makes every text distinct, so nothing
can answer from a cache keyed on the text and ``claimledger ingest`` really
extracts every copy instead of storing it as an exact duplicate of the first;
it adds one short sentence without a figure to a ~4,000-character story.

The file is written one line at a time: only the source stories (59) are ever
held in memory, whatever N is, so the generator does not weigh on an RSS
measurement of what reads the file.

    python bench/corpus.py --docs 10000 --out /tmp/voa-10k.jsonl
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent  # the repo root
SHARED = ROOT.parent / "shared"
VOA = SHARED / "corpus" / "voa" / "stories.jsonl"
_TAG_LETTERS = "bcdfghjklmnpqrstvwxz"


def shared_dir(override: Optional[str] = None) -> Path:
    """``../shared`` beside the repo root, or ``override`` (the Makefile's ``SHARED``)."""
    return Path(override).resolve() if override else SHARED


def load_stories(path: Path = VOA) -> list[dict]:
    """The source stories: ``{"id", "text", "title", "url", "published"}`` with a non-empty text."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rec = json.loads(line)
                if isinstance(rec.get("text"), str) and rec["text"].strip():
                    out.append({k: rec.get(k) for k in ("id", "text", "title", "url", "published")})
    if not out:
        raise SystemExit(f"{path}: no stories with text")
    return out


def tag(n: int) -> str:
    """``n`` in base 20 written with consonants: never a number word, never a digit."""
    s = ""
    while True:
        n, r = divmod(n, len(_TAG_LETTERS))
        s = _TAG_LETTERS[r] + s
        if n == 0:
            return s


def replicate(stories: list[dict], n: int, unique: bool = True) -> Iterator[dict]:
    """``n`` records cycling over ``stories``, each with a new id (and a distinct text if ``unique``)."""
    for i in range(n):
        src = stories[i % len(stories)]
        copy = i // len(stories)
        rec = dict(src, id=f"{src['id']}-r{copy}", outlet="VOA")
        if unique:
            rec["text"] = src["text"].rstrip() + f"\n\n(bench copy {tag(i)})"
        yield rec


def write_corpus(out: Path, n: int, source: Path = VOA, unique: bool = True) -> Path:
    """Stream ``n`` replicated stories from ``source`` to ``out`` (JSONL); returns ``out``."""
    stories = load_stories(source)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        for rec in replicate(stories, n, unique):
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return out


def read_texts(path: Path) -> Iterator[tuple[str, str]]:
    """``(id, text)`` of every record of a corpus file, streamed."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rec = json.loads(line)
                yield rec["id"], rec["text"]


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=300, help="number of documents (default 300)")
    ap.add_argument("--out", required=True, help="the JSONL file to write")
    ap.add_argument("--source", default=str(VOA), help=f"source stories (default {VOA})")
    ap.add_argument("--exact-copies", action="store_true",
                    help="no tag paragraph: copies repeat the story's text exactly")
    a = ap.parse_args(argv)
    write_corpus(Path(a.out), a.docs, Path(a.source), unique=not a.exact_copies)
    print(f"wrote {a.docs} documents to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

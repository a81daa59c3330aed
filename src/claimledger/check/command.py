"""``claimledger check``: run the cross-document checks and write findings JSONL."""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from typing import Any, Optional

from claimledger.model import Claim, Document, Rejection


def add_check_parser(subparsers: Any) -> None:
    """Register ``claimledger check``."""
    p = subparsers.add_parser(
        "check", help="cross-check claims: conflicts, series, sums, conversions, sources",
        description="Compare every claim with every other and write findings, one JSON object per line "
                    "(kind, claims, message, then details: indicator, primary_sources, outlets, "
                    "single_primary_source). Read claims from a ledger (--db, the default) or from a "
                    "claims JSONL file written by `extract` together with the documents it came from "
                    "(--claims C.jsonl --docs PATH...). With --db the findings are also stored in the "
                    "ledger. Exit status: 0 ok, 1 some input could not be read, 2 usage error.")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--db", metavar="FILE", help="ledger to check (default ./claimledger.duckdb)")
    src.add_argument("--claims", metavar="FILE", help="claims JSONL written by `claimledger extract`")
    p.add_argument("--docs", nargs="+", metavar="PATH",
                   help="with --claims: the documents (any format `extract` reads) the claims index")
    p.add_argument("--out", metavar="FILE", help="write findings here instead of stdout")
    p.add_argument("--figures", metavar="FILE",
                   help="also write every figure with its primary sources and outlets (JSONL)")
    p.set_defaults(func=cmd_check)


def cmd_check(args: argparse.Namespace) -> int:
    from claimledger.check import run_checks
    from claimledger.cli import EXIT_INPUT_FAILED, EXIT_OK, EXIT_USAGE, error, open_existing_ledger

    failed = False
    duplicates: dict[str, str] = {}
    ledger = None
    if args.claims:
        if not os.path.isfile(args.claims):
            error(f"{args.claims}: no such claims file")
            return EXIT_USAGE
        documents: list[Document] = []
        for item in _read_docs(args.docs or []):
            if isinstance(item, Rejection):
                error(item.message())
                failed = True
            else:
                documents.append(item)
        claims: list[Claim] = []
        for problem, claim in _read_claims(args.claims):
            if problem:
                error(problem)
                failed = True
            elif claim is not None:
                claims.append(claim)
        from claimledger.ledger.dedupe import near_duplicates

        duplicates = near_duplicates(documents)  # the same links `ingest` would make
        known = {d.doc_id for d in documents}
        orphans = sorted({c.doc_id for c in claims} - known)
        if orphans:
            error(f"{args.claims}: {len(orphans)} document(s) not given with --docs (e.g. {orphans[0]!r}); "
                  "their claims are checked without their text (no periods, no conversions)")
    else:
        if args.docs:
            error("--docs goes with --claims; a ledger holds its own documents")
            return EXIT_USAGE
        from claimledger.ledger import DEFAULT_DB

        ledger = open_existing_ledger(args.db or DEFAULT_DB, read_only=False)  # findings are stored
        if ledger is None:
            return EXIT_USAGE
        documents = list(ledger.iter_documents())
        claims = list(ledger.iter_claims())
        duplicates = ledger.duplicates()
    result = run_checks(documents, claims, duplicates)
    if ledger is not None:
        ledger.replace_findings(result.findings)
        ledger.close()
    try:
        _write(args.out, (f.to_dict() for f in result.findings))
        if args.figures:
            _write(args.figures, (f.to_dict() for f in result.figures))
    except OSError as exc:
        error(f"{exc.filename}: cannot write: {exc.strerror}")
        return EXIT_USAGE
    counts: dict[str, int] = {}
    for f in result.findings:
        counts[f.kind] = counts.get(f.kind, 0) + 1
    single = sum(1 for f in result.figures if f.single_primary_source)
    summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "no findings"
    print(f"claimledger: {len(claims)} claims checked: {summary}; "
          f"{single} of {len(result.figures)} figures rest on one primary source", file=sys.stderr)
    return EXIT_INPUT_FAILED if failed else EXIT_OK


def _read_docs(paths: list[str]) -> Iterator[Document | Rejection]:
    from claimledger.ingest import read_paths

    yield from read_paths(paths)


def _read_claims(path: str) -> Iterator[tuple[Optional[str], Optional[Claim]]]:
    """(problem, None) for a bad line, (None, claim) for a good one."""
    try:
        f = open(path, encoding="utf-8")
    except OSError as exc:
        yield f"{path}: cannot read: {exc.strerror}", None
        return
    with f:
        try:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                    if not isinstance(data, dict):
                        raise ValueError("not a JSON object")
                    missing = [k for k in ("doc_id", "start", "end", "surface") if k not in data]
                    if missing:
                        raise ValueError(f"missing {', '.join(missing)}")
                    yield None, Claim.from_dict(data)
                except (ValueError, TypeError) as exc:
                    yield f"{path}:{n}: not a claim: {exc}", None
        except UnicodeDecodeError as exc:
            yield f"{path}: not UTF-8 text ({exc.reason})", None


def _write(path: Optional[str], records: Iterator[dict[str, Any]]) -> None:
    out = open(path, "w", encoding="utf-8", newline="\n") if path else sys.stdout
    try:
        for r in records:
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
    finally:
        if path:
            out.close()
        else:
            out.flush()

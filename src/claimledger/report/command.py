"""``claimledger report``: write the situation report of a ledger as one self-contained HTML file."""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from typing import Any


def add_report_parser(subparsers: Any) -> None:
    """Register ``claimledger report``."""
    from claimledger.ledger import DEFAULT_DB

    p = subparsers.add_parser(
        "report", help="write an HTML situation report of the ledger",
        description="Check the ledger's claims and write one self-contained HTML page (inline CSS and SVG, "
                    "no scripts, works offline): a summary, a chart per indicator, every conflict and "
                    "mismatch with each side quoted, series, figures resting on one primary source, "
                    "per-outlet coverage, and every cited claim in its sentence. Exit status: 0 written, "
                    "2 usage error, missing or unusable ledger, or output not writable.")
    p.add_argument("--db", metavar="FILE", default=DEFAULT_DB, help=f"the ledger (default: ./{DEFAULT_DB})")
    p.add_argument("--out", metavar="FILE", default="report.html",
                   help="where to write the page (default: report.html; - for stdout)")
    p.add_argument("--serve-url", metavar="URL",
                   help="base URL of a running `claimledger` web UI: each quote also links to "
                        "URL/documents/DOC_ID#claim-START")
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    from claimledger.cli import EXIT_OK, EXIT_USAGE, PROG, error, open_existing_ledger

    if args.serve_url and not args.serve_url.lower().startswith(("http://", "https://")):
        error(f"{args.serve_url}: --serve-url must be an http:// or https:// URL")
        return EXIT_USAGE
    ledger = open_existing_ledger(args.db)  # read-only: others may read meanwhile
    if ledger is None:
        return EXIT_USAGE
    import duckdb

    from claimledger.ledger.store import explain
    from claimledger.report.build import make_report

    with ledger:
        try:
            report = make_report(ledger, serve_url=args.serve_url)
        except duckdb.Error as exc:  # the file is damaged
            error(f"{args.db}: {explain(exc)}")
            return EXIT_USAGE
    try:
        if args.out == "-":
            sys.stdout.write(report.html)
            sys.stdout.flush()
        else:
            _write_atomically(args.out, report.html)
    except OSError as exc:
        error(f"{exc.filename or args.out}: cannot write: {exc.strerror or exc}")
        return EXIT_USAGE
    where = "stdout" if args.out == "-" else args.out
    print(f"{PROG}: report written to {where} ({report.indicators_charted} indicators charted, "
          f"{report.findings} findings)", file=sys.stderr, flush=True)
    return EXIT_OK


def _write_atomically(path: str, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file, so a reader never sees half a page."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".html.tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise

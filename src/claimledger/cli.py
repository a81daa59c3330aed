"""The ``claimledger`` command: one entry point, one function per subcommand.

To add a subcommand, write ``add_NAME_parser(subparsers)`` that registers its
arguments and sets ``func`` to ``cmd_NAME(args) -> int``, then list the adder
in ``SUBCOMMANDS``.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from contextlib import ExitStack
from typing import IO, Any, Optional

from claimledger import __version__
from claimledger.model import Document, Rejection

PROG = "claimledger"

# Exit statuses, shared by every subcommand.
EXIT_OK = 0
EXIT_INPUT_FAILED = 1  # some input could not be read or extracted; the rest was
EXIT_USAGE = 2  # bad arguments (argparse uses 2 as well)

DOC_FIELDS = ("doc_id", "text", "title", "outlet", "url", "published", "source")


def error(message: str) -> None:
    """Print one error line to stderr in the command's single error format."""
    print(f"{PROG}: error: {message}", file=sys.stderr, flush=True)


def write_jsonl(out: IO[str], record: dict[str, Any]) -> None:
    """Write one JSON object as one line, non-ASCII kept as is."""
    out.write(json.dumps(record, ensure_ascii=False) + "\n")


# --- extract -----------------------------------------------------------------

def add_extract_parser(subparsers: Any) -> None:
    """Register ``claimledger extract``."""
    p = subparsers.add_parser(
        "extract", help="extract claims from articles to JSONL",
        description="Extract every stated figure (claim) from articles and write one JSON object per "
                    "claim. PATH is a .txt, .html/.htm or .jsonl file, a folder (read recursively) or a "
                    "glob. Exit status: 0 all input read, 1 some input failed (one error line each on "
                    "stderr), 2 usage error.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files, folders or globs to read")
    p.add_argument("--out", metavar="FILE", help="write claims here instead of stdout")
    p.add_argument("--emit-docs", metavar="FILE",
                   help="also write the documents as JSONL (doc_id, text, title, outlet, url, published, "
                        "source): the text every claim's offsets index")
    p.set_defaults(func=cmd_extract)


def cmd_extract(args: argparse.Namespace) -> int:
    """Stream documents from ``args.paths`` through the extractor into claim JSONL."""
    from claimledger.ingest import read_paths

    try:
        extractor = _load_extractor()
    except Exception as exc:  # a broken install, not bad input: say so in one line
        error(f"cannot load the extractor: {type(exc).__name__}: {exc}")
        return EXIT_INPUT_FAILED
    with ExitStack() as stack:
        try:
            claims_out = _open_output(stack, args.out) if args.out else sys.stdout
            docs_out = _open_output(stack, args.emit_docs) if args.emit_docs else None
        except OSError as exc:
            error(f"{exc.filename}: cannot write: {exc.strerror}")
            return EXIT_USAGE
        failed = False
        for doc in read_paths(args.paths):
            if isinstance(doc, Rejection):
                error(doc.message())
                failed = True
                continue
            if docs_out is not None:
                write_jsonl(docs_out, {k: getattr(doc, k) for k in DOC_FIELDS})
            try:
                claims = extractor(doc)
            except Exception as exc:  # one bad document never stops the batch
                error(f"{doc.source}: document {doc.doc_id!r}: extraction failed: "
                      f"{type(exc).__name__}: {exc}")
                failed = True
                continue
            for claim in claims:
                write_jsonl(claims_out, claim.contract_dict())
            claims_out.flush()  # stream: downstream sees each document as it is done
    return EXIT_INPUT_FAILED if failed else EXIT_OK


def _load_extractor() -> Callable[[Document], list[Any]]:
    from claimledger.extract.pipeline import get_extractor

    return get_extractor().extract


def _open_output(stack: ExitStack, path: str) -> IO[str]:
    return stack.enter_context(open(path, "w", encoding="utf-8", newline="\n"))


# --- the command ---------------------------------------------------------------

from claimledger.check.command import add_check_parser  # noqa: E402  (its module imports this one lazily)

SUBCOMMANDS: tuple[Callable[[Any], None], ...] = (add_extract_parser, add_check_parser)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog=PROG, description="Turn news articles into a ledger of every figure they state.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in SUBCOMMANDS:
        add(subparsers)
    return parser


def main(argv: Optional[list[str]] = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_usage(sys.stderr)
        error("a command is required (try --help)")
        return EXIT_USAGE
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader went away (e.g. `| head`); don't complain when Python flushes stdout at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_INPUT_FAILED

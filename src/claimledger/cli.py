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


def open_existing_ledger(path: str, read_only: bool = True) -> Any:
    """The ledger at ``path``, or None after one error line: never creates an empty one.

    Shared by the commands that read a ledger they did not make (check, report, serve).
    """
    from claimledger.ledger import Ledger, LedgerError

    if not os.path.exists(path):
        error(f"{path}: no such ledger (create it with `claimledger ingest PATH... --db {path}`)")
        return None
    try:
        return Ledger(path, read_only=read_only)
    except LedgerError as exc:
        error(f"{path}: {exc}")
        return None


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
    _add_workers_argument(p)
    p.set_defaults(func=cmd_extract)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _add_workers_argument(p: argparse.ArgumentParser, default: Optional[int] = 1, extra: str = "") -> None:
    p.add_argument("--workers", metavar="N", type=_positive_int, default=default,
                   help="extract in N worker processes, each loading the model once (default: 1, in this "
                        "process); the output is the same for any N" + extra)


def cmd_extract(args: argparse.Namespace) -> int:
    """Stream documents from ``args.paths`` through the extractor into claim JSONL."""
    from claimledger.engine import EngineError, LocalEngine
    from claimledger.ingest import read_paths

    with ExitStack() as stack:
        try:
            engine = stack.enter_context(LocalEngine(args.workers))  # the model loads here (in each worker)
        except EngineError as exc:  # a broken install, not bad input: say so in one line
            error(f"cannot load the extractor: {exc}")
            return EXIT_INPUT_FAILED
        try:
            claims_out = _open_output(stack, args.out) if args.out else sys.stdout
            docs_out = _open_output(stack, args.emit_docs) if args.emit_docs else None
        except OSError as exc:
            error(f"{exc.filename}: cannot write: {exc.strerror}")
            return EXIT_USAGE
        failed = False
        try:
            # in input order, a bounded number of documents at a time: nothing piles up in memory
            for doc, claims in engine.stream(read_paths(args.paths), _documents_only):
                if isinstance(doc, Rejection):
                    error(doc.message())
                    failed = True
                    continue
                if docs_out is not None:
                    write_jsonl(docs_out, {k: getattr(doc, k) for k in DOC_FIELDS})
                if isinstance(claims, Exception):  # one bad document never stops the batch
                    error(f"{doc.source}: document {doc.doc_id!r}: extraction failed: "
                          f"{type(claims).__name__}: {claims}")
                    failed = True
                    continue
                for claim in claims or ():
                    write_jsonl(claims_out, claim.contract_dict())
                claims_out.flush()  # stream: downstream sees each document as it is done
                if docs_out is not None:
                    docs_out.flush()
        except EngineError as exc:  # the workers could not be (re)started
            error(f"cannot load the extractor: {exc}")
            return EXIT_INPUT_FAILED
    return EXIT_INPUT_FAILED if failed else EXIT_OK


def _documents_only(item: Any) -> Optional[Document]:
    """What the engine extracts: Documents; a reader's Rejections pass through in their place."""
    return item if isinstance(item, Document) else None


def _load_extractor() -> Callable[[Document], list[Any]]:
    from claimledger.extract.pipeline import get_extractor

    return get_extractor().extract


def _open_output(stack: ExitStack, path: str) -> IO[str]:
    return stack.enter_context(open(path, "w", encoding="utf-8", newline="\n"))


# --- ingest, export (the ledger) ---------------------------------------------------

def add_ingest_parser(subparsers: Any) -> None:
    """Register ``claimledger ingest``."""
    from claimledger.ledger import DEFAULT_DB

    p = subparsers.add_parser(
        "ingest", help="store articles and their claims in the ledger",
        description="Read articles (same inputs as extract), extract their claims and store both in the "
                    "ledger, a DuckDB file. Idempotent: a document already stored with the same text and "
                    "extractor version is left alone; changed text replaces its claims. Exact and near "
                    "duplicates are linked to the original. Exit status: 0 all input stored, 1 some input "
                    "rejected or failed (one error line each on stderr, also kept in the ledger), 2 usage "
                    "error or unusable ledger file.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files, folders or globs to read")
    p.add_argument("--db", metavar="FILE", default=DEFAULT_DB,
                   help=f"the ledger file, created if missing (default: ./{DEFAULT_DB})")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--wait", metavar="SECONDS", type=float, default=60.0,
                   help="if another process is writing the ledger, wait up to SECONDS for it to finish "
                        "(default: 60; 0: fail at once)")
    _add_workers_argument(p, default=None, extra="; with --engine ray, the number of Ray actors (default: "
                                                  "one per CPU of the Ray cluster, less one)")
    p.add_argument("--engine", choices=("local", "ray"), default="local",
                   help="local: this machine (see --workers); ray: Ray Data over Parquet shards, on a local "
                        "Ray instance or the cluster at --ray-address (needs claimledger[ray])")
    p.add_argument("--ray-address", metavar="ADDR",
                   help="with --engine ray: the cluster to run on (e.g. ray://head:10001 or auto); without "
                        "it a local Ray instance is started")
    p.add_argument("--parts", metavar="DIR",
                   help="with --engine ray: keep the document shards and claim parts (Parquet) here; its "
                        "docs/, todo/ and claims/ folders are replaced. On a cluster DIR must be storage that "
                        "every node and this machine share. Default: a temporary folder, removed after")
    p.set_defaults(func=cmd_ingest)


def cmd_ingest(args: argparse.Namespace) -> int:
    """Stream documents from ``args.paths`` through the extractor into the ledger."""
    import duckdb

    from claimledger.engine import EngineError
    from claimledger.extract.pipeline import EXTRACTOR_VERSION
    from claimledger.ingest import read_paths
    from claimledger.ledger import Ledger, LedgerError
    from claimledger.ledger.store import explain

    if args.engine != "ray" and (args.ray_address or args.parts):
        error("--ray-address and --parts go with --engine ray")
        return EXIT_USAGE
    if args.engine == "ray":
        from claimledger.engine.ray_backend import RayUnavailable, require_ray

        if args.ray_address and not args.parts:
            error("--ray-address needs --parts DIR, on storage that every node and this machine share")
            return EXIT_USAGE
        try:
            require_ray()
        except RayUnavailable as exc:
            error(str(exc))
            return EXIT_USAGE
    try:
        # before the model loads: a bad --db fails fast; a busy one is waited for (then one error line)
        ledger = Ledger(args.db, wait=max(0.0, args.wait), on_wait=_waiting_for(args.db, args.wait), publish=True)
    except LedgerError as exc:
        error(f"{args.db}: {exc}")
        return EXIT_USAGE
    with ledger:
        extractor: Optional[Callable[[Document], list[Any]]] = None
        if args.engine == "local" and (args.workers or 1) == 1:
            try:
                extractor = _load_extractor()
            except Exception as exc:
                error(f"cannot load the extractor: {type(exc).__name__}: {exc}")
                return EXIT_INPUT_FAILED
        progress = _IngestProgress(enabled=not args.quiet and sys.stderr.isatty())
        note = ""
        try:
            if extractor is not None:
                stats = ledger.ingest(read_paths(args.paths), extractor, EXTRACTOR_VERSION, on_progress=progress)
            elif args.engine == "local":
                stats = _ingest_with_workers(ledger, read_paths(args.paths), EXTRACTOR_VERSION, args.workers,
                                             progress)
            else:
                stats, note = _ingest_with_ray(ledger, read_paths(args.paths), EXTRACTOR_VERSION, args, progress)
        except EngineError as exc:  # the workers could not be (re)started
            progress.close()
            error(f"cannot load the extractor: {exc}")
            return EXIT_INPUT_FAILED
        except duckdb.Error as exc:  # the file went bad under us (disk full, damaged)
            progress.close()
            error(f"{args.db}: {explain(exc)}")
            return EXIT_USAGE
        except _RayFailed as exc:  # the ledger is as it was: Ray runs before anything is written
            progress.close()
            error(f"ray: {exc}")
            return EXIT_INPUT_FAILED
        progress.close()
    print(f"{PROG}: ingested {stats.read} documents ({stats.added} new, {stats.updated} updated, "
          f"{stats.unchanged} unchanged, {stats.duplicates} duplicates), {stats.claims_added} claims, "
          f"{stats.problems} rejected -> {args.db}", file=sys.stderr, flush=True)
    if note and not args.quiet:
        print(f"{PROG}: {note}", file=sys.stderr, flush=True)
    return EXIT_INPUT_FAILED if stats.problems else EXIT_OK


def _waiting_for(db: str, wait: float) -> Callable[[Optional[int]], None]:
    def say(pid: Optional[int]) -> None:
        holder = f"in use by PID {pid}" if pid else "in use by another process"
        print(f"{PROG}: waiting for ledger {db}: {holder} (up to {wait:g} s, see --wait)", file=sys.stderr,
              flush=True)

    return say


class _RayFailed(Exception):
    """Ray could not be reached or the Ray Data run failed."""


def _ingest_with_workers(ledger: Any, items: Any, version: str, workers: int, progress: Any) -> Any:
    """The ledger places and writes documents here; worker processes extract the ones it will need, ahead."""
    from claimledger.engine import LocalEngine
    from claimledger.engine.prefetch import Predictor, Prefetch

    with LocalEngine(workers, lazy=True) as engine:  # started by the first document to extract
        prefetch = Prefetch(engine, Predictor(ledger.connection, version))
        return ledger.ingest(prefetch.items(items), prefetch.extract, version, on_progress=progress)


def _ingest_with_ray(ledger: Any, items: Any, version: str, args: argparse.Namespace, progress: Any
                     ) -> tuple[Any, str]:
    from claimledger.engine import ray_backend

    try:
        stats, run = ray_backend.ingest(ledger, items, version, parts=args.parts, address=args.ray_address,
                                        workers=args.workers, on_progress=progress, quiet=args.quiet)
    except ray_backend.RayStepFailed as exc:
        raise _RayFailed(str(exc)) from exc
    note = (f"ray: {run.sent} of {run.staged} items extracted on {run.actors} actors"
            + (f", {run.extracted_in_driver} in this process" if run.extracted_in_driver else "")
            + (f"; parts in {run.parts}" if run.parts else ""))
    return stats, note


class _IngestProgress:
    """The ingest progress bar (documents read, claims stored) and the error line for each problem."""

    def __init__(self, enabled: bool) -> None:
        from tqdm import tqdm

        self._tqdm = tqdm
        self.bar = tqdm(unit=" docs", file=sys.stderr, disable=not enabled, dynamic_ncols=True,
                        desc="ingest")

    def __call__(self, stats: Any, problems: Any) -> None:
        from claimledger.ledger.ingest import EXTRACTION_FAILED

        for r in problems:
            msg = (f"{r.source}: document {r.doc_id!r}: {r.reason}" if r.reason.startswith(EXTRACTION_FAILED)
                   else r.message())
            with self._tqdm.external_write_mode(file=sys.stderr):
                error(msg)
        if stats.read != self.bar.n:
            self.bar.set_postfix_str(f"{stats.claims_added} claims", refresh=False)
            self.bar.update(stats.read - self.bar.n)

    def close(self) -> None:
        self.bar.close()


def add_export_parser(subparsers: Any) -> None:
    """Register ``claimledger export``."""
    from claimledger.ledger import DEFAULT_DB, EXPORT_FORMATS, EXPORT_WHATS

    p = subparsers.add_parser(
        "export", help="write a ledger table as JSONL, CSV or Parquet",
        description="Write one table of the ledger. Claims list the contract's fields first, then their "
                    "provenance (sentence span, extractor version). Exit status: 0 written, 2 usage error, "
                    "missing or unusable ledger, or output not writable.")
    p.add_argument("--db", metavar="FILE", default=DEFAULT_DB,
                   help=f"the ledger file (default: ./{DEFAULT_DB})")
    p.add_argument("--what", required=True, choices=EXPORT_WHATS, help="the table to write")
    p.add_argument("--format", required=True, choices=EXPORT_FORMATS, dest="fmt", help="output format")
    p.add_argument("--out", metavar="FILE", help="write here instead of stdout (required for parquet)")
    p.set_defaults(func=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    """Write ``args.what`` from the ledger in ``args.fmt``."""
    import duckdb

    from claimledger.ledger.store import explain

    if args.fmt == "parquet" and not args.out:
        error("parquet is binary: give --out FILE")
        return EXIT_USAGE
    from claimledger.ledger import Ledger, LedgerError

    try:
        ledger = Ledger(args.db, read_only=True)  # never creates an empty ledger
    except LedgerError as exc:
        error(f"{args.db}: {exc}")  # "no such ledger": export names no hint, its users already have one
        return EXIT_USAGE
    with ledger:
        try:
            ledger.export(args.what, args.fmt, args.out or sys.stdout)
        except OSError as exc:
            error(f"{exc.filename or args.out}: cannot write: {exc.strerror or exc}")
            return EXIT_USAGE
        except duckdb.Error as exc:
            error(f"{args.out or args.db}: {explain(exc)}")
            return EXIT_USAGE
    sys.stdout.flush()
    return EXIT_OK


# --- the command ---------------------------------------------------------------

from claimledger.check.command import add_check_parser  # noqa: E402  (its module imports this one lazily)
from claimledger.report.command import add_report_parser  # noqa: E402  (its module imports this one lazily)
from claimledger.web.command import add_serve_parser  # noqa: E402  (its module imports this one lazily)

SUBCOMMANDS: tuple[Callable[[Any], None], ...] = (add_extract_parser, add_check_parser, add_ingest_parser,
                                                  add_export_parser, add_report_parser, add_serve_parser)


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

"""``claimledger serve``: the web UI and JSON API over a ledger, with uvicorn."""
from __future__ import annotations

import argparse
import ipaddress
import os
import re
import socket
import sys
from typing import Any, Optional

TOKEN_ENV = "CLAIMLEDGER_TOKEN"
MIN_TOKEN = 16


def add_serve_parser(subparsers: Any) -> None:
    """Register ``claimledger serve``."""
    from claimledger.ledger import DEFAULT_DB

    p = subparsers.add_parser(
        "serve", help="browse the ledger in a web page; JSON API under /api",
        description="Serve the ledger (read-only unless --allow-ingest): a claims table with filters, each "
                    "article with its claims "
                    "highlighted, the findings and indicator charts, and a JSON API under /api (reference at "
                    "/api/docs, schema at /openapi.json). Requests read a copy of the ledger, refreshed when the "
                    "file changes, so `ingest` and `check` can write to it while it is served: meanwhile "
                    "requests show what has been committed so far, and changes show on the next request. "
                    "With --allow-ingest, POST /api/ingest accepts documents (JSON, JSONL or text bodies, up to "
                    "10 MiB) from clients that send 'Authorization: Bearer TOKEN'; without it the server never "
                    "writes. Exit status: 0 stopped, 2 missing or unusable ledger, the address cannot be used, "
                    "or --allow-ingest without a usable token.")
    p.add_argument("--db", metavar="FILE", default=DEFAULT_DB, help=f"the ledger file (default: ./{DEFAULT_DB})")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    p.add_argument("--allow-ingest", action="store_true",
                   help="accept uploads at POST /api/ingest (needs a token: --token or $%s)" % TOKEN_ENV)
    p.add_argument("--token", metavar="TOKEN",
                   help=f"the bearer token uploads must send (at least {MIN_TOKEN} printable ASCII characters); "
                        f"better: set ${TOKEN_ENV}, which other users cannot read in the process list")
    p.set_defaults(func=cmd_serve)


def ingest_token(args: argparse.Namespace) -> tuple[Optional[str], Optional[str]]:
    """(token, None) with --allow-ingest, (None, None) without, or (None, the error line)."""
    if not args.allow_ingest:
        if args.token is not None:
            return None, "--token goes with --allow-ingest (the server is read-only without it)"
        return None, None
    token = args.token if args.token is not None else os.environ.get(TOKEN_ENV)
    if not token:
        return None, f"--allow-ingest needs a token: --token TOKEN, or set {TOKEN_ENV}"
    if not re.fullmatch(r"[\x21-\x7e]+", token):
        return None, "the token must be printable ASCII without spaces (it travels in an HTTP header)"
    if len(token) < MIN_TOKEN:
        return None, f"the token is too short to be a secret ({len(token)} characters; at least {MIN_TOKEN})"
    return token, None


def cmd_serve(args: argparse.Namespace) -> int:
    from claimledger.cli import EXIT_OK, EXIT_USAGE, error, open_existing_ledger

    if not 1 <= args.port <= 65535:
        error(f"--port {args.port}: not a port number (1 to 65535)")
        return EXIT_USAGE
    token, problem = ingest_token(args)
    if problem:
        error(problem)
        return EXIT_USAGE
    from claimledger.ledger.snapshot import snapshot_path

    if not os.path.exists(snapshot_path(args.db)):  # else an ingest is writing it: serve what it publishes
        ledger = open_existing_ledger(args.db)  # fail now, in one line, rather than on every request
        if ledger is None:
            return EXIT_USAGE
        ledger.close()
    try:
        sock = _listen(args.host, args.port)
    except OSError as exc:
        error(f"{args.host}:{args.port}: cannot listen: {exc.strerror or exc}")
        return EXIT_USAGE

    import uvicorn

    from claimledger.web.app import create_app

    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"claimledger: serving {args.db} at http://{host}:{args.port}/ (API docs: /api/docs)",
          file=sys.stderr, flush=True)
    if token:
        note = "" if _loopback(args.host) else \
            "; the token crosses the network in clear over plain HTTP: put TLS in front"
        print(f"claimledger: uploads allowed: POST /api/ingest with 'Authorization: Bearer <token>'{note}",
              file=sys.stderr, flush=True)
    config = uvicorn.Config(create_app(args.db, ingest_token=token), log_level="warning", access_log=False)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
    return EXIT_OK


def _loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (bound here so that a busy port is one error line, not a traceback)."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                         flags=socket.AI_PASSIVE)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
        sock.set_inheritable(True)
    except OSError:
        sock.close()
        raise
    return sock

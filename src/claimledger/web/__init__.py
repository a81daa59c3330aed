"""The web UI and JSON API over a ledger: ``claimledger serve``.

``create_app(db_path)`` (in ``app``) builds the FastAPI application. Modules:
``data`` (the read model: short-lived read-only ledger connections, the cached
checks), ``api`` (the JSON endpoints under ``/api``), ``pages`` (the HTML pages),
``markup`` (article text with its claims highlighted), ``apidocs`` (the offline
API reference), ``errors`` (the one error shape) and ``command`` (the CLI).

Nothing is imported here, so ``claimledger --help`` does not load FastAPI.
"""

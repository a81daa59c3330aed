"""Import spaCy without its command line.

``import spacy`` runs ``from .cli.info import info``, and ``spacy.cli`` imports
every spaCy command with their dependencies (typer, weasel, requests, httpx,
the project and download machinery): about a third of spaCy's import time,
none of it used to tag and parse. Importing this module first imports spaCy
with ``spacy.cli`` and ``spacy.cli.info`` held by placeholders, removes them
again, and puts a ``spacy.info`` in place that imports the real one when it is
called. ``import spacy.cli`` afterwards imports the real package as usual.

Every claimledger module that imports spaCy imports this module before it.
"""
from __future__ import annotations

import sys
import types
from typing import Any


def _import_spacy_without_cli() -> None:
    if "spacy" in sys.modules:  # already imported (by the user, or spacy.cli in use): nothing to do
        return
    placeholders = {}
    for name in ("spacy.cli", "spacy.cli.info"):
        if name in sys.modules:
            return
        mod = types.ModuleType(name)
        placeholders[name] = mod
    placeholders["spacy.cli"].__path__ = []  # a package with no files: nothing else imports through it
    placeholders["spacy.cli.info"].info = _info  # type: ignore[attr-defined]
    sys.modules.update(placeholders)
    try:
        import spacy  # noqa: F401
    finally:
        for name, mod in placeholders.items():
            if sys.modules.get(name) is mod:
                del sys.modules[name]
        pkg = sys.modules.get("spacy")
        if pkg is not None and getattr(pkg, "cli", None) is placeholders["spacy.cli"]:
            delattr(pkg, "cli")


def _info(*args: Any, **kwargs: Any) -> Any:
    """``spacy.info``, imported on first use."""
    from spacy.cli.info import info

    return info(*args, **kwargs)


_import_spacy_without_cli()

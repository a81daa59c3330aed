"""The situation report: one self-contained HTML page from a ledger, and the inline SVG charts it draws.

``claimledger.report.charts`` holds the charts (also used by the web UI);
``build_report(ledger)`` renders the page. Imported lazily so that importing the
charts does not load the template engine.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["build_report"]

if TYPE_CHECKING:
    from claimledger.report.build import build_report


def __getattr__(name: str) -> Any:
    if name == "build_report":
        from claimledger.report.build import build_report

        return build_report
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

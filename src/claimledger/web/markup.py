"""HTML for text with claims in it: every piece of text and every attribute value is escaped here.

``highlight(text, claims)`` wraps each claim of an article in a ``<mark class="cl-claim"
id="claim-{start}">`` with its fields as ``data-*`` attributes and a popup (shown by
CSS on hover and focus); ``quote_sentence(claim)`` is a claim's sentence with the
claim marked. Both return ``markupsafe.Markup``, safe to drop into a template.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Optional

from markupsafe import Markup, escape

from claimledger.check.units import describe, fmt_number

# (data attribute, claim field), in the order the popup lists them
POPUP_FIELDS = (("value", "value"), ("qualifier", "qualifier"), ("unit", "unit"), ("counted", "counted"),
                ("speaker", "speaker"), ("event", "event"), ("location", "location"))
_DATA_FIELDS = ("value", "high", "qualifier", "unit", "counted", "speaker", "event", "location")


def value_text(claim: dict[str, Any]) -> str:
    """'300', '5 to 7', or '' for a claim without a number."""
    value, high = claim.get("value"), claim.get("high")
    if not isinstance(value, (int, float)):
        return ""
    if isinstance(high, (int, float)):
        return f"{fmt_number(value)} to {fmt_number(high)}"
    return fmt_number(value)


def claim_summary(claim: dict[str, Any]) -> str:
    """'more than 300 people' style reading of the figure: 'over 300' plus what is counted."""
    text = describe(claim.get("value"), claim.get("high"), claim.get("qualifier") or "exact",
                    claim.get("unit") or "count")
    return f"{text} {claim['counted']}" if claim.get("counted") else text


def _attr(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(escape(str(value)))


def _open_tag(claim: dict[str, Any]) -> str:
    start = int(claim["start"])
    data = "".join(f' data-{k}="{_attr(claim.get(k))}"' for k in _DATA_FIELDS if claim.get(k) is not None)
    return (f'<mark class="cl-claim" id="claim-{start}" tabindex="0" aria-describedby="pop-{start}"'
            f' data-start="{start}" data-end="{int(claim["end"])}"{data}>')


def popup(claim: dict[str, Any]) -> str:
    """The claim's fields as a tooltip; hidden until its mark is hovered or focused (see style.css)."""
    rows = [f'<span class="cl-pop-head">{escape(claim_summary(claim))}</span>']
    for label, key in POPUP_FIELDS:
        value = value_text(claim) if key == "value" else claim.get(key)
        shown = escape(str(value)) if value not in (None, "") else Markup('<span class="cl-none">—</span>')
        rows.append(f'<span class="cl-pop-row" data-field="{key}"><span class="cl-pop-key">{label}</span> '
                    f'<span class="cl-pop-val">{shown}</span></span>')
    return f'<span class="cl-pop" role="tooltip" id="pop-{int(claim["start"])}">{"".join(rows)}</span>'


def highlight(text: str, claims: Iterable[dict[str, Any]]) -> Markup:
    """``text`` escaped, with every claim wrapped in its mark (and popup).

    A claim inside another is nested in its mark; one that crosses the end of the
    mark it starts in is cut at that end (marks must nest), so every claim keeps
    its ``id`` anchor. Spans outside the text are left out.
    """
    n = len(text)
    spans = sorted((c for c in claims if 0 <= int(c["start"]) < int(c["end"]) <= n),
                   key=lambda c: (int(c["start"]), -int(c["end"])))
    out: list[str] = []
    pos = 0
    stack: list[tuple[int, str]] = []  # (end, popup) of each open mark, innermost last
    seen: set[int] = set()

    def close_until(limit: Optional[int]) -> None:
        nonlocal pos
        while stack and (limit is None or stack[-1][0] <= limit):
            end, pop = stack.pop()
            out.append(str(escape(text[pos:end])))
            out.append(pop + "</mark>")
            pos = end

    for c in spans:
        start = int(c["start"])
        if start in seen:  # two claims at one offset would share an id
            continue
        seen.add(start)
        close_until(start)
        out.append(str(escape(text[pos:start])))
        pos = start
        end = int(c["end"])
        if stack and end > stack[-1][0]:
            end = stack[-1][0]
        out.append(_open_tag(c))
        stack.append((end, popup(c)))
    close_until(None)
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def quote_sentence(claim: dict[str, Any]) -> Markup:
    """The claim's sentence, escaped, with the claim's words in ``<mark class="cl-quoted">``."""
    sentence = claim.get("sentence") or claim.get("surface") or ""
    s0 = claim.get("sentence_start")
    start, end = int(claim["start"]), int(claim["end"])
    if s0 is None or not (0 <= start - s0 <= end - s0 <= len(sentence)):
        return Markup('<mark class="cl-quoted">') + escape(claim.get("surface", "")) + Markup("</mark>")
    a, b = start - s0, end - s0
    return (escape(sentence[:a]) + Markup('<mark class="cl-quoted">') + escape(sentence[a:b])
            + Markup("</mark>") + escape(sentence[b:]))

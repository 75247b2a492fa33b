"""Hypothesis annotations, as its API and its client give them, → `Incoming`.

The shape (h's API reference, `docs/_extra/api-reference/schemas/annotation.yaml`, and the
client's `APIAnnotationData` in `src/types/api.ts`):

    {"id", "created", "updated", "user": "acct:alice@hypothes.is", "uri", "text", "tags": [],
     "group", "permissions": {"read": ["group:__world__"], …}, "hidden", "references": [ids],
     "target": [{"source": uri, "selector": [RangeSelector, TextPositionSelector, TextQuoteSelector]}],
     "document": {"title": [...]}, "links": {"html", "incontext", "json"}, "user_info": {…}, …}

The search response (`GET /api/search`) is `{"total", "rows": [...]}`, with `"replies": [...]`
too when asked for `_separate_replies`; the client's "Export annotations" file is
`{"export_date", "export_userid", "client_version", "annotations": [...]}`.
A page note has a target without selectors; a reply has `references`; a highlight has no text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .jsonfile import JsonDocument, as_list, text_of
from .records import HYPOTHESIS, Incoming, Location, QuoteSelector, Skip, make_origin

WORLD = "group:__world__"  # the read permission of a public annotation
HIDDEN_STATES = ("DENIED", "SPAM")  # moderation outcomes that take an annotation off the page


def looks_like_annotation(node: Any) -> bool:
    """A Hypothesis API annotation (not a W3C one, which has a `type`)."""
    return isinstance(node, dict) and "type" not in node and "user" in node and "target" in node


def _selector(target: dict[str, Any]) -> tuple[QuoteSelector | None, bool]:
    """The quote selector, and whether the target has selectors at all (False: a page note)."""
    selectors = [s for s in as_list(target.get("selector")) if isinstance(s, dict)]
    quote = next((s for s in selectors if s.get("type") == "TextQuoteSelector"
                  and isinstance(s.get("exact"), str)), None)
    position = next((s for s in selectors if s.get("type") == "TextPositionSelector"), None)
    if quote is None:
        return None, bool(selectors)
    start = position.get("start") if position else None
    end = position.get("end") if position else None
    valid = (isinstance(start, int) and isinstance(end, int) and not isinstance(start, bool)
             and not isinstance(end, bool) and 0 <= start <= end)
    return QuoteSelector(quote["exact"], text_of(quote.get("prefix")), text_of(quote.get("suffix")),
                         start if valid else None, end if valid else None), True


def _skip(row: dict[str, Any], text: str, has_quote: bool, has_selectors: bool) -> Skip | None:
    references = [r for r in as_list(row.get("references")) if isinstance(r, str)]
    if references:
        return Skip("reply", detail=f"a reply to {references[-1]}")
    if row.get("hidden") is True or row.get("moderation_status") in HIDDEN_STATES:
        return Skip("hidden by the group's moderators")
    if has_selectors and not has_quote:
        return Skip("no quote the archive can place (a PDF page, an image region or a media time)", problem=True)
    if not text.strip():
        return Skip("highlight without a note" if has_quote else "page note without text")
    return None


def read_annotation(row: Any, document: JsonDocument, after: int, start: int | None = None
                    ) -> tuple[Incoming | None, int]:
    """One row → Incoming (None if it is not an annotation object), and where the search for the
    next row's position goes on from. `start`: where the row begins in the file, if known."""
    if not isinstance(row, dict):
        return None, after
    annotation_id = text_of(row.get("id"))
    line, col, after = document.locate("id", annotation_id, after) if annotation_id else (0, 0, after)
    if not line and start is not None:  # no id to point at (or written in a way not looked for): the row
        line, col = document.position(start)
    location = Location(document.path, line, col)
    targets = [t for t in as_list(row.get("target")) if isinstance(t, dict)]
    target = targets[0] if targets else {}
    selector, has_selectors = _selector(target)
    uri = text_of(row.get("uri"))
    uris = tuple(dict.fromkeys(u for u in [uri, *(text_of(t.get("source")) for t in targets)] if u))
    text = text_of(row.get("text")).replace("\r\n", "\n").replace("\r", "\n")
    permissions = row.get("permissions")
    readers = as_list(permissions.get("read")) if isinstance(permissions, dict) else []
    user = text_of(row.get("user"))
    skip = _skip(row, text, selector is not None, has_selectors)
    if not annotation_id:
        skip = skip or Skip("no `id`: not a saved annotation (a draft?)", problem=True)
    return Incoming(
        origin=make_origin(HYPOTHESIS, annotation_id, uri),
        location=location,
        uris=uris,
        selector=selector,
        note=text,
        tags=tuple(t for t in as_list(row.get("tags")) if isinstance(t, str)),
        creators=(user,) if user else (),
        created=text_of(row.get("created")) or None,
        modified=text_of(row.get("updated")) or None,
        private=any(isinstance(r, str) for r in readers) and WORLD not in readers,
        skip=skip,
    ), after


def read_rows(rows: Sequence[Any], document: JsonDocument, replies: Sequence[Any] = (),
              starts: Sequence[int] = ()) -> list[Incoming]:
    """Every row (and every separated reply) in file order; `starts`: where each begins in the file."""
    found: list[Incoming] = []
    after = 0
    for n, row in enumerate([*rows, *replies]):
        incoming, after = read_annotation(row, document, after, starts[n] if n < len(starts) else None)
        if incoming is not None:
            found.append(incoming)
    return found


def not_annotations(rows: Sequence[Any]) -> list[int]:
    """Which entries are not annotation objects at all (a sign of the wrong file), by index."""
    return [n for n, row in enumerate(rows) if not isinstance(row, dict)]

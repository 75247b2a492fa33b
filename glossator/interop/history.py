"""Which of an article's texts an imported note was written on, when the outlet has changed it.

A note made on the live page before the outlet changed its words quotes the words of the text
that was current then. `check` keeps such a hand-written note on that earlier text (anchor/carry.py);
import does the same, so that a verdict on the first figures is never moved onto the corrected ones:
the note goes on the text current when it was `created`, if its quote is there exactly, and on the
current text only when the outlet kept those very words (as the word diff says). A note made after
the current text was captured, or one whose words are in no earlier text, is placed in the current
text as usual.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from .engine import Anchor, same_words
from .place import Placed, Text, place
from .records import QuoteSelector


@dataclass(frozen=True)
class Capture:
    """One text of the article: an earlier one (versions/<slug>/<id>.md) or the current one."""

    id: str
    at: dt.datetime
    text: Text


def moment(value: str | None) -> dt.datetime | None:
    """A `created` timestamp as an aware datetime (UTC when it names no zone); None if it is none."""
    if not value:
        return None
    try:
        at = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)


def _aware(at: dt.datetime) -> dt.datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)


def _span(placed: Placed) -> Anchor:
    return Anchor("import", placed.start, placed.end, "", "", "")


def written_on(texts: Sequence[Capture], created: dt.datetime | None, selector: QuoteSelector, slug: str
               ) -> tuple[Capture, Placed] | None:
    """The earlier text the note was written on and its quote's place there, if it stays on it: made
    before the current text was captured, its words exactly in the newest text captured by then
    (any earlier text, newest first, for a note older than every capture), and not kept by the outlet
    where the current text has them. None: the note is one for the current text."""
    if created is None or len(texts) < 2 or created >= _aware(texts[-1].at):
        return None
    earlier = range(len(texts) - 1)
    candidates = [k for k in earlier if _aware(texts[k].at) <= created] or list(earlier)
    for k in reversed(candidates):
        there = place(texts[k].text, selector, slug, exact_only=True)
        if not isinstance(there, Placed):
            continue
        now = place(texts[-1].text, selector, slug, exact_only=True)
        if isinstance(now, Placed) and same_words(texts[k].text.page, _span(there), texts[-1].text.page, _span(now)):
            return None
        return texts[k], there
    return None

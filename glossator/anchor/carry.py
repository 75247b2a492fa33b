"""Which text of an article each note stays on, when the article has several.

A note belongs to the text it was written on. One that names a text (`version:`) stays on
it, whatever the newer texts say. One that names none is on the current text, if its quote
(with its prefix and suffix, under our folding rules) resolves there exactly once. If it
does not, the outlet has changed those words since the note was written: the note stays on
the earlier text it was written on (the newest one captured by the day it was `added` in
which its quote still resolves) and `check` says so in a warning, with the closest passage
of the current text, so the editor can pin it there with `version:`. Nothing is ever moved
to other words, and an outlet's edit never fails the build: only a quote that resolves in
no text it could have been written on is an error, reported against the current text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markdown_it.token import Token

from ..diagnostics import Diagnostic, warning
from ..model import Anchor, Annotation, Article, Version
from .annotate import HINTED_PROBLEMS, quote_diagnostic
from .locate import FoldedText, anchor_quote
from .textmap import PageText

Parsed = tuple[list[Token], PageText, FoldedText]


@dataclass(frozen=True)
class Placement:
    on: dict[str, list[Annotation]]  # version id → the notes that stay on that text, in file order
    diagnostics: list[Diagnostic]


def moment(version: Version) -> str:
    """How the pages and the diagnostics name a text: `6 December 2026, 07:40 UTC`."""
    at = version.captured.at
    return f"{at.day} {at:%B %Y, %H:%M} UTC"


def resolves(annotation: Annotation, parsed: Parsed) -> bool:
    _, page, folded = parsed
    result = anchor_quote(annotation.id, folded, page.text, annotation.quote or "", annotation.prefix,
                          annotation.suffix, explain=False)
    return isinstance(result, Anchor)


def _written_on(annotation: Annotation, texts: Sequence[Version], parsed: Callable[[int], Parsed]) -> int | None:
    """The earlier text an unpinned note stays on: among those captured by the day it was added
    (all of them, oldest first, if it is older than every capture), the newest where its quote
    resolves; None if there is none."""
    earlier = range(len(texts) - 1)
    candidates = [k for k in earlier if texts[k].captured.at.date() <= annotation.added] or list(earlier)
    return next((k for k in reversed(candidates) if resolves(annotation, parsed(k))), None)


def _left_behind(annotation: Annotation, article: Article, current: Parsed, text: Version, explain: bool
                 ) -> Diagnostic:
    """The warning for a note that stays on an earlier text: where it stays, and why (the current
    text's closest passage, or its places, as `check` explains a quote)."""
    _, page, folded = current
    result = anchor_quote(annotation.id, folded, page.text, annotation.quote or "", annotation.prefix,
                          annotation.suffix, explain=explain)
    reason = quote_diagnostic(annotation, article, result)
    pos = annotation.position_of("quote")
    # (the advice on copying words is for a quote that was mistyped; this one was right for its text)
    hints = [hint for hint in reason.hints if not hint.startswith("copy the words exactly")]
    return warning(pos.path, pos.line, pos.col,
                   f"the note stays on the version of {moment(text)} ({text.path}): in the current text, "
                   f"{reason.message}", *hints,
                   f"to say so, add `version: {text.id}` to the annotation (`build.py add` writes it when it "
                   "captures a new text); or quote the words as the current text has them",
                   title="Note on an earlier version")


def place(article: Article, texts: Sequence[Version], parsed: Callable[[int], Parsed],
          annotations: Sequence[Annotation]) -> Placement:
    """Each annotation on the text it stays on; `texts` oldest first, the current one last, and
    `parsed(k)` the k-th text parsed (asked for only when needed: `check` parses an earlier text only
    if a note may stay on it). A `version:` naming no text is the caller's to report
    (validate/versions.py): such a note is on no text."""
    on: dict[str, list[Annotation]] = {text.id: [] for text in texts}
    diagnostics: list[Diagnostic] = []
    current = texts[-1].id
    last = len(texts) - 1
    explained = 0
    for annotation in annotations:
        if annotation.version is not None:
            if annotation.version in on:
                on[annotation.version].append(annotation)
            continue
        if annotation.quote is None or len(texts) == 1 or resolves(annotation, parsed(last)):
            on[current].append(annotation)
            continue
        home = _written_on(annotation, texts, parsed)
        if home is None:  # its words are in no text it could be on: a quote problem of the current text
            on[current].append(annotation)
            continue
        on[texts[home].id].append(annotation)
        diagnostics.append(_left_behind(annotation, article, parsed(last), texts[home], explained < HINTED_PROBLEMS))
        explained += 1
    return Placement(on, diagnostics)

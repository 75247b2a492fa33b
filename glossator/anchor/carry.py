"""Which text of an article each note stays on, when the article has several.

A note belongs to the text it was written on. One that names a text (`version:`) stays on
it, whatever the newer texts say. One that names none is on the current text, if its quote
(with its prefix and suffix, under our folding rules) resolves there exactly once, and, for a
note added before the current text was captured, if the words it finds are the words it was
written on (kept by the outlet, as the word diff says: not the same words written elsewhere
after the outlet removed them). If not, the outlet has changed those words since the note was
written: the note stays on
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
from .diff import carried_span
from .fold import FoldedText, fold_chars
from .locate import anchor_quote
from .textmap import PageText

SURE_WORDS = 4  # a quote this long, kept word for word where it stood, needs no neighbours kept too

Parsed = tuple[list[Token], PageText, FoldedText]


@dataclass(frozen=True)
class Placement:
    on: dict[str, list[Annotation]]  # version id → the notes that stay on that text, in file order
    diagnostics: list[Diagnostic]


def moment(version: Version) -> str:
    """How the pages and the diagnostics name a text: `6 December 2026, 07:40 UTC`."""
    at = version.captured.at
    return f"{at.day} {at:%B %Y, %H:%M} UTC"


def anchored(annotation: Annotation, parsed: Parsed) -> Anchor | None:
    """Where the note's quote lands in a text, or None if it does not resolve there exactly once."""
    _, page, folded = parsed
    result = anchor_quote(annotation.id, folded, page.text, annotation.quote or "", annotation.prefix,
                          annotation.suffix, explain=False)
    return result if isinstance(result, Anchor) else None


def same_words(before: str, at: Anchor, after: str, now: Anchor) -> bool:
    """Whether the words a note was written on (`at`, in the text `before`) are the words its quote
    finds in a later text (`now`): kept by the outlet where the word diff puts them, or in a
    paragraph moved whole. Not so when the outlet removed them and the same words stand elsewhere."""
    # ’ for ' or – for - is no new word (anchoring folds them too); one character for one, so the
    # offsets stand
    before, after = fold_chars(before), fold_chars(after)
    # the word on each side too (or the paragraph's edge): the diff may match the quote's own words
    # with the same words in a new sentence, but not their neighbours as well
    start, end = _with_neighbours(before, at.start, at.end)
    span = carried_span(before, after, start, end)
    if span is not None and (span[0] + at.start - start, span[1] - (end - at.end)) == (now.start, now.end):
        return True
    # a quote of several words, every one kept where it stood, is those words though the outlet
    # rewrote the word beside it ("daily for school, work…" → "daily to reach school, work…")
    if len(before[at.start:at.end].split()) >= SURE_WORDS and carried_span(before, after, at.start, at.end) == (
            now.start, now.end):
        return True
    line, moved = _line(before, at.start), _line(after, now.start)
    return before[line[0]:line[1]] == after[moved[0]:moved[1]] and at.start - line[0] == now.start - moved[0]


def _with_neighbours(text: str, start: int, end: int) -> tuple[int, int]:
    """start..end widened to the word before and the word after, within its block of the page text."""
    first, last = _line(text, start)
    while start > first and text[start - 1].isspace():
        start -= 1
    while start > first and not text[start - 1].isspace():
        start -= 1
    while end < last and text[end].isspace():
        end += 1
    while end < last and not text[end].isspace():
        end += 1
    return start, end


def _line(text: str, at: int) -> tuple[int, int]:
    """The block of page text (a paragraph, a heading, a list item) holding the offset `at`."""
    end = text.find("\n", at)
    return text.rfind("\n", 0, at) + 1, len(text) if end < 0 else end


def _written_on(annotation: Annotation, texts: Sequence[Version], parsed: Callable[[int], Parsed]
                ) -> tuple[int, Anchor] | None:
    """The earlier text an unpinned note stays on, and its quote's place there: among those captured
    by the day it was added (all of them, oldest first, if it is older than every capture), the
    newest where its quote resolves; None if there is none."""
    earlier = range(len(texts) - 1)
    candidates = [k for k in earlier if texts[k].captured.at.date() <= annotation.added] or list(earlier)
    for k in reversed(candidates):
        if (at := anchored(annotation, parsed(k))) is not None:
            return k, at
    return None


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


def _moved_away(annotation: Annotation, text: Version, now: Anchor, current: str) -> Diagnostic:
    """The warning for a note whose words the outlet removed, while the same words stand elsewhere."""
    pos = annotation.position_of("quote")
    start, end = _line(current, now.start)
    passage = current[start:end] if end - start <= 120 else current[max(start, now.start - 50):now.end + 50]
    return warning(pos.path, pos.line, pos.col,
                   f"the note stays on the version of {moment(text)} ({text.path}): the outlet changed or removed "
                   "the words it was written on; its quote finds the same words elsewhere in the current text "
                   f"(“{passage.strip()}”), which are other words",
                   f"to say so, add `version: {text.id}` to the annotation",
                   "if the note is about the words where the current text has them, set its `added:` to a date "
                   "from the current text's capture on: it is then a note on that text",
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
        if annotation.quote is None or len(texts) == 1:
            on[current].append(annotation)
            continue
        now = anchored(annotation, parsed(last))
        if now is not None:
            # a note added before the current text was captured was written on an earlier one: it
            # is on the current text only if the words it was written on are still there
            home = (_written_on(annotation, texts, parsed) if annotation.added < texts[last].captured.at.date()
                    else None)
            if home is None or same_words(parsed(home[0])[1].text, home[1], parsed(last)[1].text, now):
                on[current].append(annotation)
                continue
            on[texts[home[0]].id].append(annotation)
            diagnostics.append(_moved_away(annotation, texts[home[0]], now, parsed(last)[1].text))
            continue
        home = _written_on(annotation, texts, parsed)
        if home is None:  # its words are in no text it could be on: a quote problem of the current text
            on[current].append(annotation)
            continue
        on[texts[home[0]].id].append(annotation)
        diagnostics.append(_left_behind(annotation, article, parsed(last), texts[home[0]],
                                        explained < HINTED_PROBLEMS))
        explained += 1
    return Placement(on, diagnostics)

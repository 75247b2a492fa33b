"""An article with several texts: each text anchored with the notes that stay on it, and what
changed from each text to the next, word by word.

The current text is anchored as any article is (anchor/annotate.py) and becomes the article
page; each earlier text is anchored the same way for its own page (its permalink). The
changes are computed on page texts, so they are the words a reader sees change (a soft line
break read as the space it is shown as: anchor/blocks.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from types import MappingProxyType

from ..diagnostics import Diagnostic
from ..model import AnnotatedArticle, Annotation, Article, History, SiteConfig, TextChange, Version
from .annotate import annotate_article, parse_text
from .blocks import diff_layout
from .carry import Parsed, place
from .diff import count_words, word_diff
from .markdown import parse_texts

Layout = tuple[str, tuple[tuple[int, int, str], ...]]  # a text as the diff reads it, and its blocks


def _as_article(article: Article, text: Version) -> Article:
    """An earlier text as an article of its own: the same facts, its own words and headline."""
    return dataclasses.replace(article, path=text.path, title=text.title, body=text.body, body_line=text.body_line)


def _change(before: Version, after: Version, before_text: Layout, after_text: Layout) -> TextChange:
    runs = word_diff(before_text[0], after_text[0])
    # the outlet's headlines, not a `title` an editor corrected: the change shown is the outlet's
    headlines = (before.captured.headline or before.title, after.captured.headline or after.title)
    title_runs = word_diff(*headlines) if headlines[0] != headlines[1] else ()
    added, deleted, changed = count_words(runs)
    title_added, title_deleted, title_changed = count_words(title_runs)
    return TextChange(before.id, after.id, after.captured.at, added + title_added, deleted + title_deleted,
                      changed + title_changed, runs, title_runs, (before_text[1], after_text[1]))


def annotate_history(article: Article, texts: Sequence[Version], annotations: Sequence[Annotation],
                     config: SiteConfig, *, render: bool = True) -> tuple[AnnotatedArticle | None, list[Diagnostic]]:
    """The current text anchored, with its history (every text anchored, and the changes: those
    only with `render`, as `check` needs none of them; without `render`, an earlier text no note
    stays on is not read, and has no page text); `texts` oldest first, the current one last."""
    if render:  # every text, for its page: parsed together, the paragraphs they share once (newest first)
        newest_first = parse_texts([text.body for text in reversed(texts)])
        parsed = [parse_text(text.body, tokens) for text, tokens in zip(texts, reversed(newest_first), strict=True)]

        def parsed_at(k: int) -> Parsed:
            return parsed[k]
    else:  # `check`: a text is parsed only if a note may stay on it
        cache: dict[int, Parsed] = {}

        def parsed_at(k: int) -> Parsed:
            if k not in cache:
                cache[k] = parse_text(texts[k].body)
            return cache[k]
    placement = place(article, texts, parsed_at, annotations)
    diagnostics = list(placement.diagnostics)
    anchored: list[AnnotatedArticle | None] = []
    for k, text in enumerate(texts):
        is_current = k == len(texts) - 1
        own = article if is_current else _as_article(article, text)
        notes = placement.on[text.id]
        if not render and not notes and not is_current:  # nothing to check in it: left unread
            anchored.append(AnnotatedArticle(own, (), "", "", MappingProxyType({}), MappingProxyType({}),
                                             version=text.id))
            continue
        annotated, problems = annotate_article(own, notes, config, render=render, parsed=parsed_at(k))
        diagnostics += problems
        anchored.append(annotated if annotated is None or is_current
                        else dataclasses.replace(annotated, version=text.id))
    current = anchored[-1]
    if current is None or any(a is None for a in anchored):
        return None, diagnostics
    if len(texts) == 1:
        return current, diagnostics
    read = [diff_layout(tokens, page) for tokens, page, _ in map(parsed_at, range(len(texts)))] if render else []
    changes = tuple(_change(texts[k], texts[k + 1], read[k], read[k + 1])
                    for k in range(len(texts) - 1)) if render else ()
    earlier = tuple(a for a in anchored[:-1] if a is not None)
    return dataclasses.replace(current, history=History(tuple(texts), earlier, changes)), diagnostics

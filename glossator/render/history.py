"""What the pages say of an article's texts: how often and how much the outlet changed it, a
permalink for each text, the notes that stayed on earlier texts, and the changes themselves.

Every decision is made here, as for the other views (views.py); the templates (article.html,
version.html, changes.html, changes-feed.xml) only lay it out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from ..model import KIND_LABELS, AnnotatedArticle, ArticleSummary, SiteConfig, TextChange, article_path, version_path
from .diffhtml import DiffMark, render_diff
from .views import NoteView, note_view, search_key

_TIMES = {1: "once", 2: "twice"}


def changes_path(slug: str) -> str:
    """The page of what changed between an article's texts."""
    return article_path(slug) + "changes/"


def moment(at: dt.datetime) -> str:
    """6 December 2026, 07:40 UTC"""
    return f"{at.day} {at:%B %Y, %H:%M} UTC"


def iso(at: dt.datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def times(n: int) -> str:
    return _TIMES.get(n, f"{n} times")


def words(n: int) -> str:
    return f"{n:,} word{'s' if n != 1 else ''}"


@dataclass(frozen=True)
class TextView:
    """One text of an article, as the pages name and link it."""

    id: str
    number: int  # 1 for the first text captured
    label: str  # when it was captured: "6 December 2026, 07:40 UTC"
    iso: str
    title: str
    headline: str  # the outlet's, as captured (the list of texts names each by it)
    url: str  # where to read it: its version page, or the article page for the current text
    permalink: str  # its version page (for the current text, a page that says it is current)
    current: bool
    notes: int  # the notes that stay on it


@dataclass(frozen=True)
class HistoryView:
    """What the article page says of its history."""

    texts: tuple[TextView, ...]  # oldest first
    edits: int  # texts after the first: "edited twice after publication"
    edits_label: str
    words_changed: int
    words_label: str
    last_label: str  # when the newest text was captured
    last_iso: str
    changes_url: str

    @property
    def current(self) -> TextView:
        return self.texts[-1]


def _text_views(annotated: AnnotatedArticle, config: SiteConfig) -> tuple[TextView, ...]:
    assert annotated.history is not None
    slug, base = annotated.article.slug, config.base_path
    history = annotated.history
    views = []
    for number, (text, anchored) in enumerate(zip(history.texts, (*history.earlier, annotated), strict=True), 1):
        current = number == len(history.texts)
        permalink = base + version_path(slug, text.id)
        views.append(TextView(text.id, number, moment(text.captured.at), iso(text.captured.at), text.title,
                              text.captured.headline or text.title,
                              base + article_path(slug) if current else permalink, permalink, current,
                              len(anchored.annotations)))
    return tuple(views)


def history_view(annotated: AnnotatedArticle, config: SiteConfig) -> HistoryView | None:
    history = annotated.history
    if history is None:
        return None
    texts = _text_views(annotated, config)
    changed = sum(change.words_changed for change in history.changes)
    return HistoryView(texts, len(texts) - 1, times(len(texts) - 1), changed, words(changed), texts[-1].label,
                       texts[-1].iso, config.base_path + changes_path(annotated.article.slug))


@dataclass(frozen=True)
class EarlierNote:
    """A note that stayed on an earlier text, as the article page lists it."""

    note: NoteView
    text: TextView
    place: str  # the note on its text's page, beside its words
    search_key: str  # its entry in the article's data-notes, naming its text (views.search_key)


def earlier_notes(annotated: AnnotatedArticle, config: SiteConfig, view: HistoryView) -> list[EarlierNote]:
    """The notes on earlier texts, newest text first, each in its text's reading order."""
    assert annotated.history is not None
    found = []
    for earlier, text in reversed(list(zip(annotated.history.earlier, view.texts, strict=False))):
        for annotation in earlier.annotations:
            found.append(EarlierNote(note_view(annotation, earlier, config), text, text.url + "#" + annotation.id,
                                     search_key(annotation, config, earlier.version)))
    return found


@dataclass(frozen=True)
class ChangeView:
    """One change, from a text to the next, as the changes page shows it."""

    id: str  # its anchor on the changes page
    before: TextView
    after: TextView
    words_added: str
    words_deleted: str
    words_changed: str
    title_html: Markup  # the headline's change; "" when it stayed
    html: Markup
    places: tuple[str, ...]  # the anchors of the places that changed, in reading order
    notes: tuple[EarlierNote, ...]  # those that stayed on `before`, marked in `html`


def change_anchor(after: str) -> str:
    return f"change-{after}"


def _marks(earlier: AnnotatedArticle, text: TextView, config: SiteConfig) -> list[DiffMark]:
    marks = []
    for annotation in earlier.annotations:
        anchor = earlier.anchors.get(annotation.id)
        if anchor is None:
            continue
        number = earlier.numbers[annotation.id]
        css = f"k-{annotation.kind}" + (f" v-{annotation.verdict}" if annotation.verdict else "")
        verdict = config.verdict(annotation.verdict) if annotation.verdict else None
        label = f"Note {number}: {KIND_LABELS[annotation.kind].lower()}"
        label += (f", {verdict.label.lower()}" if verdict else "") + f", on the text of {text.label}"
        marks.append(DiffMark(anchor.start, anchor.end, css, number, label, f"{text.url}#{annotation.id}"))
    return marks


def change_views(annotated: AnnotatedArticle, config: SiteConfig, view: HistoryView,
                 notes: Sequence[EarlierNote]) -> list[ChangeView]:
    """Every change, oldest first."""
    history = annotated.history
    assert history is not None
    changes = []
    for k, change in enumerate(history.changes):
        before, after = view.texts[k], view.texts[k + 1]
        anchor = change_anchor(after.id)
        html, places = render_diff(change.runs, _marks(history.earlier[k], before, config), anchor,
                                   blocks=(change.blocks[0], change.blocks[1]))
        title_html = Markup()
        if change.title_runs:
            title_html = render_diff(change.title_runs, (), anchor + "-title", inline=True)[0]
        changes.append(ChangeView(anchor, before, after, words(change.words_added), words(change.words_deleted),
                                  words(change.words_changed), title_html, html,
                                  tuple(f"{anchor}-{n}" for n in range(1, places + 1)),
                                  tuple(n for n in notes if n.text.id == before.id)))
    return changes


@dataclass(frozen=True)
class FeedChange:
    """One entry of the feed of changes (/changes.xml)."""

    slug: str
    title: str
    url: str  # the change on the changes page
    version: str  # the new text's id
    at: str  # ISO, UTC
    summary: str


def feed_changes(summaries: Sequence[ArticleSummary], config: SiteConfig, limit: int) -> list[FeedChange]:
    """The newest changes of the archive, newest first."""
    found: list[tuple[dt.datetime, str, TextChange, ArticleSummary]] = [
        (change.at, summary.slug, change, summary) for summary in summaries for change in summary.changes]
    found.sort(key=lambda entry: (entry[0], entry[1], entry[2].after), reverse=True)
    return [FeedChange(summary.slug, summary.title,
                       config.base_url + changes_path(summary.slug) + "#" + change_anchor(change.after),
                       change.after, iso(at),
                       f"{words(change.words_changed)} changed ({words(change.words_added)} added, "
                       f"{words(change.words_deleted)} deleted) in the text captured {moment(at)}.")
            for at, _, change, summary in found[:limit]]

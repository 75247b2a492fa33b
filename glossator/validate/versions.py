"""An article's texts → its history: each earlier version checked on its own, then all of them
against the current text (their moments, their order, their names).

A text is placed in time by its `captured.at`; the current text (content/<slug>.md) is the
newest. Each version's file is named by that same moment (versions/<slug>/YYYY-MM-DD-HHMM.md),
so a reader's permalink to a version, and an annotation's `version:`, never change meaning.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from ..diagnostics import Diagnostic, error
from ..model import Article, Capture, RawArticle, SiteConfig, Version, YNode
from . import schema
from .plain import to_plain

CAPTURE_EXAMPLE = "2026-12-06T07:40:00Z"
# `published` is the outlet's local day; `captured.at` is UTC: a day's slack for the time zones
PUBLISHED_SLACK = dt.timedelta(days=1)


def version_id(at: dt.datetime, seconds: bool = False) -> str:
    """The name of the text captured at `at`: YYYY-MM-DD-HHMM in UTC (with the seconds when asked)."""
    utc = at.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%d-%H%M%S" if seconds else "%Y-%m-%d-%H%M")


def parse_capture(data: Any) -> Capture | None:
    """Front matter `captured` (in plain form, already checked by the schema) as a Capture;
    None when it is absent or its moment is no real one (capture_problem() says why)."""
    if not isinstance(data, dict) or not isinstance(data.get("at"), str):
        return None
    try:
        at = dt.datetime.fromisoformat(data["at"])
        return Capture(at.astimezone(dt.UTC), str(data.get("sha256", "")), str(data.get("from", "")),
                       str(data.get("headline", ""))) if at.tzinfo is not None else None
    except (ValueError, OverflowError):
        return None


def capture_problem(at: str) -> tuple[str, str] | None:
    """What is wrong with a `captured.at` of the right shape, and the hint; None if nothing is."""
    try:
        moment = dt.datetime.fromisoformat(at)
    except ValueError:
        return f"`captured.at` is not a real time: `{at}`", f"write it in UTC, e.g. {CAPTURE_EXAMPLE}"
    try:
        moment.astimezone(dt.UTC)
    except OverflowError:  # year 1 east of Greenwich, year 9999 west of it: no such moment in UTC
        return (f"`captured.at` is out of range: `{at}` is before the year 1 or after 9999 in UTC",
                f"write the moment the text was read, in UTC, e.g. {CAPTURE_EXAMPLE}")
    return None


def _matches_name(name: str, at: dt.datetime) -> bool:
    """A version's name states its moment to the day, minute or second; it must agree with `at`."""
    utc = at.astimezone(dt.UTC)
    return name in (utc.strftime("%Y-%m-%d"), utc.strftime("%Y-%m-%d-%H%M"), utc.strftime("%Y-%m-%d-%H%M%S"))


def _at_node(front: YNode | None) -> YNode | None:
    captured = front.get("captured") if front is not None else None
    return captured.get("at") if captured is not None else captured


def validate_version(raw: RawArticle, config: SiteConfig) -> tuple[Version | None, list[Diagnostic]]:
    """One version file, checked on its own: its front matter, its moment, its name and its text."""
    front = raw.front
    data = to_plain(front) if front is not None else {}
    problems = schema.diagnose("version.schema.json", data, front, raw.path)
    if front is None:
        problems = [error(raw.path, 2, 1, "the front matter is empty",
                          f"add `captured:` with `at: \"{CAPTURE_EXAMPLE}\"`, the moment this text was read (UTC)",
                          title="Missing field")]
    if problems:
        return None, problems
    at_node = _at_node(front)
    capture = parse_capture(data.get("captured"))
    line, col = (at_node.line, at_node.col) if at_node is not None else (1, 1)
    if capture is None:
        message, hint = capture_problem(str(data["captured"]["at"])) or (
            f"`captured.at` is not a real time: `{data['captured']['at']}`", f"write it in UTC, e.g. {CAPTURE_EXAMPLE}")
        return None, [error(raw.path, line, col, message, hint, title="Bad date")]
    name = raw.path.rsplit("/", 1)[-1].removesuffix(".md")
    if not _matches_name(name, capture.at):
        right = version_id(capture.at)
        return None, [error(raw.path, line, col,
                            f"the file's name says {name}, but `captured.at` is {capture.at:%Y-%m-%dT%H:%M:%SZ}",
                            f"a version is named by the moment it was captured, in UTC: rename the file to "
                            f"versions/{raw.slug}/{right}.md, or correct `captured.at`", title="Version name")]
    if not raw.body.strip():
        return None, [error(raw.path, raw.body_line, 1, "the version has no text below its front matter",
                            title="Empty article")]
    return Version(name, raw.path, capture, str(data.get("title", "")), raw.body, raw.body_line, (line, col)), []


def _published_start(published: str) -> dt.datetime:
    parts = [int(part) for part in published.split("-")] + [1, 1]
    return dt.datetime(parts[0], parts[1], parts[2], tzinfo=dt.UTC)


def _same_text(a: str, b: str) -> bool:
    return a.split() == b.split()


def order_texts(article: Article, versions: Sequence[Version], front_line: int = 2
                ) -> tuple[tuple[Version, ...] | None, list[Diagnostic]]:
    """Every text of the article, oldest first, the current one last (its id from its capture);
    None, with the problems, when they cannot be put in one order."""
    problems: list[Diagnostic] = []
    current_capture = article.captured
    if current_capture is None:
        return None, [error(article.path, front_line, 1,
                            f"the article has earlier versions (versions/{article.slug}/) but no `captured` moment",
                            f"add `captured:` with `at:` the moment its text was read, in UTC (e.g. "
                            f"`at: \"{CAPTURE_EXAMPLE}\"`): it orders this text after the versions",
                            title="Missing field")]
    ordered = sorted(versions, key=lambda v: (v.captured.at, v.id))
    published = _published_start(article.published) - PUBLISHED_SLACK
    for before, version in pairwise([None, *ordered]):
        if before is not None and before.captured.at == version.captured.at:
            problems.append(error(version.path, *version.at_position, f"captured at the same moment as {before.path}",
                                  "two texts cannot have been read at once: correct `captured.at` in one of them",
                                  title="Version order"))
        if version.captured.at >= current_capture.at:
            problems.append(error(version.path, *version.at_position,
                                  f"captured at {version.captured.at:%Y-%m-%dT%H:%M:%SZ}, not before the current "
                                  f"text ({article.path}, captured at {current_capture.at:%Y-%m-%dT%H:%M:%SZ})",
                                  f"the newest text is the current one: put it in {article.path}, and this file's "
                                  "text in a version named by its own capture", title="Version order"))
        if version.captured.at < published:
            problems.append(error(version.path, *version.at_position,
                                  f"captured at {version.captured.at:%Y-%m-%d}, before the article was published "
                                  f"({article.published})",
                                  f"correct `captured.at`, or `published` in {article.path}", title="Version order"))
    if problems:
        return None, problems
    ids = {v.id for v in ordered}
    current_id = version_id(current_capture.at)
    if current_id in ids:  # a version captured in the same minute: the seconds tell them apart
        current_id = version_id(current_capture.at, seconds=True)
    current = Version(current_id, article.path, current_capture, article.title, article.body, article.body_line)
    # a version names its headline only when it differs from the next text's
    titled: list[Version] = [current]
    for version in reversed(ordered):
        title = version.title or titled[-1].title
        titled.append(dataclasses.replace(version, title=title))
    texts = list(reversed(titled))
    for before, after in pairwise(texts):
        if before.title == after.title and _same_text(before.body, after.body):
            # the later copy is the redundant one, unless it is the current text
            extra, other = (before, after) if after.path == article.path else (after, before)
            problems.append(error(extra.path, extra.body_line, 1,
                                  f"the same text as {other.path}: nothing changed between them",
                                  "a version records what the outlet changed: delete this file", title="Same text"))
    return (None, problems) if problems else (tuple(texts), [])


def unknown_version(path: str, line: int, col: int, named: str, texts: Sequence[Version]) -> Diagnostic:
    """`version:` naming no text of the article."""
    ids = [text.id for text in texts]
    # (never the current text: a note on it needs no `version:`, and the hint below says so)
    close = difflib.get_close_matches(named, ids[:-1], n=1, cutoff=0.6)
    listed = ", ".join(ids) if ids else "none: the article has no versions/ folder"
    return error(path, line, col, f"`version: {named}` is no text of this article",
                 f"did you mean `{close[0]}`?" if close else "",
                 f"its texts: {listed} (the last is the current one; a note on it needs no `version:`)",
                 title="Unknown version")

"""Imported annotations → the article's annotation file, checked before anything is written.

The items are appended as `build.py new` appends its stub (`insert_items`): every byte of the
file stays as it was, comments and layout included. The new text must then

1. read back to exactly the values meant (the YAML says what we think it says);
2. pass the engine's own checks, as `check` runs them on this article: the schema, the
   cross-field rules, and anchoring, each note on the text the build shows it on (an article
   with earlier texts: the one `version:` names, or the earlier one an unpinned note was written
   on if its words left the current text; build/article.py `anchor_notes` decides, for both),
   each quote resolving once there; a new note on the text import placed it in (the current one,
   or the earlier one whose page it was made on), where import placed it.

A problem in an imported annotation is reported at that annotation in the imported file,
and the caller writes no file at all.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .engine import (
    FORBIDDEN_CHAR,
    Anchor,
    AnnotatedArticle,
    Annotation,
    Article,
    ArticleInput,
    Diagnostic,
    Layout,
    Plan,
    RawAnnotations,
    YamlProblem,
    YNode,
    anchor_notes,
    decode_utf8,
    error,
    insert_items,
    parse_yaml,
    to_plain,
    validate_annotations,
    warning,
)
from .records import Location
from .yamltext import Draft, item_lines


@dataclass(frozen=True)
class Existing:
    """An annotation file as it is now (or as it will start, if there is none)."""

    path: Path
    rel: str  # as diagnostics name it
    text: str  # "" when the file does not exist
    root: YNode | None
    ids: frozenset[str]


@dataclass(frozen=True)
class Planned:
    """A file's new text, checked, with where each new item starts."""

    existing: Existing
    text: str
    lines: tuple[int, ...]  # the first line of each draft's item

    def write(self) -> None:
        path = self.existing.path
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.import")
        temporary.write_bytes(self.text.encode("utf-8"))
        os.replace(temporary, path)  # all or nothing: an interrupted import never leaves half a file


@dataclass(frozen=True)
class Target:
    """The article an import writes into, as `check` sees it: the build's plan of the archive
    (site.yaml, every slug, the article's earlier texts) and the article itself."""

    plan: Plan
    item: ArticleInput
    article: Article

    def anchored(self, rel: str, root: YNode | None) -> tuple[AnnotatedArticle | None, list[Diagnostic]]:
        """An annotation file's text (`root`; None: no notes) validated, then each note anchored on the
        text it stays on, exactly as `check` does; with every problem found, warnings too."""
        annotations: tuple[Annotation, ...] = ()
        problems: list[Diagnostic] = []
        if root is not None:
            validated, problems = validate_annotations(RawAnnotations(rel, self.article.slug, root), self.plan.config,
                                                       self.plan.all_slugs)
            if validated is None or any(d.is_error for d in problems):
                return None, problems
            annotations = validated.annotations
        annotated, problems, _ = anchor_notes(self.plan, self.item, self.article, annotations, problems, drafts=True,
                                              render=False)
        return annotated, problems


def file_problems(existing: Existing, target: Target) -> list[Diagnostic]:
    """The errors `check` finds in the file as it is, and in the article's earlier texts (an import
    adds to an article that passes)."""
    _, problems = target.anchored(existing.rel, existing.root)
    return [d for d in problems if d.is_error]


def _render(drafts: Sequence[Draft], starts: list[int]) -> Callable[[Layout, str], str]:
    """Writes the drafts for the file's layout, noting the line (from 0) where each starts."""

    def render(layout: Layout, newline: str) -> str:
        chunks, offset = [], 0
        for n, draft in enumerate(drafts):
            lines = item_lines(draft, layout)
            if n:
                lines.insert(0, "")  # a blank line between items, as in the seed file
                offset += 1
            starts.append(offset)
            offset += len(lines) - (1 if n else 0)
            chunks.append(newline.join(lines) + newline)
        return "".join(chunks)

    return render


def _reads_back(text: str, drafts: Sequence[Draft], count_before: int) -> bool:
    """The new file holds the old items and exactly the drafts' values after them."""
    normalised, _ = decode_utf8(text.encode("utf-8"))
    try:
        root = parse_yaml(normalised or "")
    except YamlProblem:
        return False
    items = root.get("annotations") if root is not None else None
    if items is None or items.kind != "sequence" or len(items.value) != count_before + len(drafts):
        return False
    return all(to_plain(node) == draft.plain() for node, draft in zip(items.value[count_before:], drafts, strict=True))


def _count(root: YNode | None) -> int:
    items = root.get("annotations") if root is not None else None
    return len(items.value) if items is not None and items.kind == "sequence" else 0


def _at(draft_lines: tuple[int, ...], line: int) -> int | None:
    """Which draft a line of the new file belongs to."""
    found = None
    for index, first in enumerate(draft_lines):
        if line >= first:
            found = index
    return found


def _anchor_on(annotated: AnnotatedArticle, draft: Draft) -> Anchor | None:
    """The draft's anchor on the text it was placed in."""
    if draft.version is None:
        return annotated.anchors.get(draft.id)
    earlier = annotated.history.earlier if annotated.history else ()
    return next((text.anchors.get(draft.id) for text in earlier if text.version == draft.version), None)


def _forbidden(value: Any, field: str = "") -> Iterator[tuple[str, str]]:
    """(field, character) for each text in a draft's plain form holding a character YAML files may not."""
    if isinstance(value, str):
        if bad := FORBIDDEN_CHAR.search(value):
            yield field, bad.group()
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _forbidden(item, f"{field}.{key}" if field else f"`{key}`")
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _forbidden(item, field)


def plan(existing: Existing, target: Target, drafts: Sequence[Draft], locations: Sequence[Location],
         spans: Sequence[tuple[int, int] | None]) -> tuple[Planned | None, list[Diagnostic]]:
    """The file with the drafts added and checked (None if it would not pass `check`), and the problems
    found, each at its annotation in the import file. `spans`: where each draft's quote must anchor
    in the text it was placed in (page-text offsets; None for a note on the whole article)."""
    config = target.plan.config
    # a character no value may hold (the file would be refused as written, and blamed for it)
    invisible = [error(at.path, at.line, at.col, f"`{draft.id}` holds the control character U+{ord(bad):04X} "
                       f"in its {field}", "remove it from the annotation (it is invisible where it was written); "
                       "nothing was written", title="Control character")
                 for draft, at in zip(drafts, locations, strict=True)
                 for field, bad in _forbidden(draft.plain())]
    if invisible:
        return None, invisible
    starts: list[int] = []
    inserted = insert_items(existing.text, existing.root, target.article.slug, _render(drafts, starts))
    where = locations[0]
    if isinstance(inserted, str):
        return None, [error(where.path, 0, 0, f"cannot add to {existing.rel}: {inserted}", title="Cannot write")]
    text = inserted.text
    if len(text.encode("utf-8")) > config.max_file_bytes:
        return None, [error(where.path, 0, 0, f"{existing.rel} would grow past {config.max_file_bytes:,} bytes, the "
                      "limit for an annotation file", "raise `max_file_bytes` in site.yaml, or import fewer "
                      "annotations into this article", title="File too large")]
    if not _reads_back(text, drafts, _count(existing.root)):
        return None, [error(where.path, 0, 0, f"cannot add to {existing.rel} without changing its layout",
                      "its list of annotations is written in a form import cannot extend safely; "
                      "`python build.py check` shows whether the file is sound", title="Cannot write")]
    draft_lines = tuple(inserted.first_line + s for s in starts)
    root = parse_yaml(decode_utf8(text.encode("utf-8"))[0] or "")
    annotated, problems = target.anchored(existing.rel, root)
    found: list[Diagnostic] = []
    for problem in problems:
        index = _at(draft_lines, problem.line) if problem.path == existing.rel else None
        if index is None:
            # the article passed before: an error outside the new items is still theirs (a warning there,
            # such as a note that stays on an earlier text, is the file's own, and `check` shows it)
            if problem.is_error:
                found.append(error(where.path, 0, 0, f"{problem.path} would not pass `check`: {problem.message}",
                                   *problem.hints, "nothing was written"))
            continue
        at, draft = locations[index], drafts[index]
        report = error if problem.is_error else warning
        found.append(report(at.path, at.line, at.col, problem.message, *problem.hints,
                            f"(in `{draft.id}`, the annotation it would be in {existing.rel}"
                            + (": nothing was written)" if problem.is_error else ")"), title=problem.title))
    for draft, at, span in zip(drafts, locations, spans, strict=True):
        if span is None or annotated is None:  # (None: the errors above say why)
            continue
        # a new note must anchor on the text import placed it in (the current one, or the earlier one
        # its `version:` names), where it was placed
        anchor = _anchor_on(annotated, draft)
        if anchor is None or (anchor.start, anchor.end) != span:
            where_instead = ("stay on another text of the article than the one import placed it in"
                             if anchor is None else "anchor elsewhere than where import placed it")
            found.append(error(at.path, at.line, at.col, f"`{draft.id}` would {where_instead}; nothing was written",
                               "please report this: import and check disagree", title="Anchoring mismatch"))
    if any(d.is_error for d in found):
        return None, found
    return Planned(existing, text, draft_lines), found

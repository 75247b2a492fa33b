"""`build.py add URL` for an article the archive holds already: the page read again, and if the
outlet changed its words, a new current text with the old one kept as a version.

The article is read through the build's own path (build/article.py), so the notes are where
the build puts them. Each note on the current text whose quote, with its prefix and suffix,
still resolves exactly once in the new text carries over (it stays on the current text, so its
file is untouched); every other one is pinned to the text it was written on with `version:`,
and the report says why, with the closest passage of the new text as `check` gives it. No
note is ever moved to other words. Nothing is written when the words are the same.
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..anchor.annotate import HINTED_PROBLEMS, parse_text, quote_diagnostic
from ..anchor.carry import same_words
from ..anchor.diff import count_words, word_diff
from ..anchor.locate import Anchor, anchor_quote
from ..build.article import anchored_article
from ..build.options import BuildOptions
from ..build.plan import make_plan
from ..diagnostics import Diagnostic, warning, yaml_quoted
from ..load.files import split_front_matter
from ..load.yamlio import decode_utf8
from ..model import AnnotatedArticle, Annotation, Capture
from ..new import annotation_file
from ..project import Project
from ..validate.versions import version_id
from . import CaptureError
from .pin import pinned_text, quote_positions, write_atomically

_TOP_KEY = re.compile(r"([A-Za-z_][\w-]*)[ \t]*:")


@dataclass(frozen=True)
class LeftBehind:
    annotation: Annotation
    version: str  # the text it stays on
    reason: Diagnostic | None  # why its quote does not resolve in the new text; None: `version:` pins it already


def moment(capture: Capture) -> str:
    at = capture.at
    return f"{at.day} {at:%B %Y, %H:%M} UTC"


def _captured_yaml(capture: Capture, headline: str | None, indent: str = "  ") -> list[str]:
    lines = ["captured:", f"{indent}at: {yaml_quoted(capture.at.strftime('%Y-%m-%dT%H:%M:%SZ'))}"]
    if capture.sha256:
        lines.append(f"{indent}sha256: {yaml_quoted(capture.sha256)}")
    if capture.read_from:
        lines.append(f"{indent}from: {yaml_quoted(capture.read_from)}")
    if headline:
        lines.append(f"{indent}headline: {yaml_quoted(headline)}")
    return lines


def _recorded_headline(front: str) -> str | None:
    """`captured.headline`: the page's headline when the current text was read; None if not recorded."""
    try:
        data = yaml.safe_load(front)
    except yaml.YAMLError:
        return None
    captured = data.get("captured") if isinstance(data, dict) else None
    headline = captured.get("headline") if isinstance(captured, dict) else None
    return headline if isinstance(headline, str) else None


def new_title(page_headline: str, recorded: str | None, title: str) -> str:
    """The title the new text takes. The outlet changed its headline if the page's differs from the one
    recorded at the last capture; then the page's is taken. Otherwise `title` stays, an editor's
    correction included. With no headline recorded (captures before it was), the page's is compared
    with `title` itself; with none on the page ("": the metadata had none), nothing is known to change."""
    if not page_headline:
        return title
    before = recorded if recorded is not None else title
    return page_headline if page_headline.split() != before.split() else title


def replace_keys(front: str, replacements: dict[str, list[str]]) -> str:
    """Front matter with the top-level keys named (and their indented lines) replaced; the other
    lines, comments included, as they were. A key it does not have is added at the end."""
    out: list[str] = []
    skipping = False
    done: set[str] = set()
    for line in front.splitlines(keepends=True):
        key = _TOP_KEY.match(line)
        if skipping and line[:1] in (" ", "\t") and line.strip():
            continue  # a line of the block being replaced
        skipping = False
        if key and key.group(1) in replacements:
            out.extend(entry + "\n" for entry in replacements[key.group(1)])
            done.add(key.group(1))
            skipping = True
            continue
        out.append(line if line.endswith("\n") else line + "\n")
    for name, entries in replacements.items():
        if name not in done:
            out.extend(entry + "\n" for entry in entries)
    return "".join(out)


def _current(project: Project, slug: str) -> AnnotatedArticle:
    """The held article as the build sees it, every note on its text; refused if it has errors."""
    plan = make_plan(project, BuildOptions())
    item = plan.articles.get(slug)
    if item is None:
        raise CaptureError(f"content/{slug}.md cannot be read")
    annotated, problems, _ = anchored_article(plan, item, drafts=True, render=False)
    errors = [d for d in problems if d.is_error]
    if annotated is None or errors:
        raise CaptureError(f"content/{slug}.md, its versions or its annotations have "
                           f"{len(errors) or 'some'} problem(s), so the notes' places are not known",
                           "run `python build.py check`, fix what it reports, then capture the page again")
    if annotated.article.captured is None:
        raise CaptureError(f"content/{slug}.md has no `captured` moment, so its text cannot be kept as a version",
                           "add `captured:` with `at:` the moment its text was read, in UTC (e.g. "
                           '`at: "2026-12-06T07:40:00Z"`; the date of an archived copy will do), then capture again')
    return annotated


def _sort_notes(annotated: AnnotatedArticle, markdown: str, title: str, old_id: str
                ) -> tuple[list[Annotation], list[LeftBehind], dict[str, str]]:
    """The current text's notes that carry over to the new text, those left behind, and the
    `version:` each note without one must now say (id → version)."""
    _, page, folded = parse_text(markdown)
    new_article = dataclasses.replace(annotated.article, path="the new text", body=markdown, title=title)
    carried: list[Annotation] = []
    left: list[LeftBehind] = []
    for annotation in annotated.annotations:
        if annotation.version is not None:  # pinned to this text already: it stays
            left.append(LeftBehind(annotation, annotation.version, None))
        elif annotation.quote is None:
            carried.append(annotation)  # a note on the whole article goes with the article
        else:
            result = anchor_quote(annotation.id, folded, page.text, annotation.quote, annotation.prefix,
                                  annotation.suffix, explain=len(left) < HINTED_PROBLEMS)
            at = annotated.anchors.get(annotation.id)
            if isinstance(result, Anchor) and (at is None or same_words(annotated.page_text, at, page.text, result)):
                carried.append(annotation)
            elif isinstance(result, Anchor):  # the same words, but elsewhere: the outlet removed these
                left.append(LeftBehind(annotation, old_id, warning(
                    "the new text", 0, 0, "the outlet changed or removed the words it is about; the same words "
                    "stand elsewhere in the new text, which are other words")))
            else:
                left.append(LeftBehind(annotation, old_id, quote_diagnostic(annotation, new_article, result)))
    pins = {entry.annotation.id: entry.version for entry in left if entry.annotation.version is None}
    # notes the build showed on an earlier text without their saying so: said now, where they are
    for earlier in annotated.history.earlier if annotated.history else ():
        pins.update((a.id, earlier.version) for a in earlier.annotations if a.version is None)
    return carried, left, pins


def _create(path: Path, text: str) -> None:
    """A new file, whole or not at all, never over an existing one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.capture-{os.getpid()}")
    try:
        staging.write_text(text, encoding="utf-8")
        os.link(staging, path)
    except FileExistsError:
        raise CaptureError(f"{path.name} exists already in {path.parent.name}/; nothing was written") from None
    except OSError as exc:
        raise CaptureError(f"cannot write {path}: {exc.strerror}") from None
    finally:
        staging.unlink(missing_ok=True)


def _same_bytes(rel: str, old_capture: Capture, edited: bool) -> None:
    """The page's bytes are those of the last capture: the outlet changed nothing. Where the held
    text differs from them, an editor tidied it (an advert's sentence removed, a heading fixed):
    that is no outlet's edit, and it stays."""
    print(f"{rel}: unchanged since its capture of {moment(old_capture)}: the page's bytes are the ones read then "
          "(the same SHA-256); nothing was written")
    if edited:
        print(f"  {rel} differs from the text read from them: the edits made to it since stand")


def _not_newer(rel: str, slug: str, capture: Capture, old_capture: Capture, copy: str) -> CaptureError:
    """A text read before the held one cannot become the current text: readers would see the outlet
    undo its later edit."""
    held = f"the capture of {rel} ({old_capture.at:%Y-%m-%dT%H:%M:%SZ})"
    if not copy:
        return CaptureError(f"the page was read at {capture.at:%Y-%m-%dT%H:%M:%SZ}, not after {held}",
                            "check the computer's clock")
    return CaptureError(f"{copy} is a copy made at {capture.at:%Y-%m-%dT%H:%M:%SZ}, before {held}: an earlier "
                        "text cannot become the current one",
                        f"to keep it as an earlier text, write it by hand as versions/{slug}/"
                        f"{capture.at:%Y-%m-%d-%H%M}.md (docs/versions.md, \"By hand\"), then run "
                        "`python build.py check`")


def _cut_short(held_text: str, read_text: str) -> bool:
    """Whether the text read is the held one's opening, ending inside one of its paragraphs (an outlet
    that deletes the closing paragraphs leaves whole ones: that is an edit, and is recorded)."""
    held, read = held_text.split(), read_text.split()
    if not read or len(read) >= len(held) or held[:len(read)] != read:
        return False
    last = read_text.strip().split("\n")[-1].split()
    return last not in (block.split() for block in held_text.split("\n"))


def _refuse_a_teaser(rel: str, held_text: str, read_text: str, paywalled: bool) -> None:
    """A page that holds only the opening of the held text (a paywall's teaser, a page cut short) is
    no outlet's deletion of the rest: recorded as one, it would pin every note on the rest."""
    held, read = held_text.split(), read_text.split()
    if not (paywalled and len(read) < len(held)) and not _cut_short(held_text, read_text):
        return
    why = "the page marks the article as paywalled and" if paywalled else "the page"
    raise CaptureError(f"{why} holds {len(read):,} of the {len(held):,} words of {rel}: it is only the text's "
                       "opening, not a new text of it",
                       "capture the whole page: open it in a browser where you can read it all, save it "
                       "(File → Save Page As…) and run `build.py add FILE.html --url URL`")


def recapture(project: Project, slug: str, markdown: str, title: str, capture: Capture,
              paywalled: bool = False, copy: str = "") -> int:
    """Capture content/<slug>.md again from the page just read (its Markdown and headline);
    `paywalled`: the page says the article is not free to read; `copy`: the Wayback Machine copy
    read, whose moment `capture.at` is."""
    annotated = _current(project, slug)
    article = annotated.article
    old_capture = article.captured
    assert old_capture is not None
    rel = f"content/{slug}.md"
    new_page = parse_text(markdown)[1].text
    text, _ = decode_utf8((project.content_dir / f"{slug}.md").read_bytes())  # (a BOM and CRLF, as the build reads)
    parts = split_front_matter(text or "")
    assert parts is not None  # (the build read it)
    front, _, old_body, _ = parts
    recorded = _recorded_headline(front)
    headline = new_title(title, recorded, article.title)
    if capture.sha256 and capture.sha256 == old_capture.sha256:
        _same_bytes(rel, old_capture, new_page.split() != annotated.page_text.split() or title != article.title)
        return 0
    if new_page.split() == annotated.page_text.split() and headline == article.title:
        print(f"{rel}: unchanged since its capture of {moment(old_capture)}: the page has the same words and "
              "headline; nothing was written")
        return 0
    _refuse_a_teaser(rel, annotated.page_text, new_page, paywalled)
    if capture.at <= old_capture.at:
        raise _not_newer(rel, slug, capture, old_capture, copy)
    history = annotated.history
    old_id = history.texts[-1].id if history else version_id(old_capture.at)
    carried, left, pins = _sort_notes(annotated, markdown, headline, old_id)
    # the headline the outlet gave the old text, not a title the editor corrected
    version_front = _captured_yaml(old_capture, recorded) + ([f"title: {yaml_quoted(recorded or article.title)}"]
                                                            if headline != article.title else [])
    # (the page's headline recorded even when the editor's title differs: the next capture compares with it)
    replacements = {"captured": _captured_yaml(capture, title or None)}
    if headline != article.title:
        replacements["title"] = [f"title: {yaml_quoted(headline)}"]
    annotations_path = annotation_file(project, slug)
    # (bytes decoded, not read as text: that would turn CRLF line ends into LF, and pin.py keeps them)
    pinned = pinned_text(annotations_path.read_bytes().decode("utf-8"), pins) if pins else None
    version_path = project.versions_dir / slug / f"{old_id}.md"
    _create(version_path, "---\n" + "\n".join(version_front) + "\n---\n" + old_body)
    if pinned is not None:
        write_atomically(annotations_path, pinned)
    write_atomically(project.content_dir / f"{slug}.md", "---\n" + replace_keys(front, replacements) + "---\n"
                     + markdown)
    # where the report points: the notes' places in the file as it is now, lines added included
    _report(project, slug, annotated, version_path, new_page, headline, carried, left, pins,
            quote_positions(pinned) if pinned is not None else {}, paywalled)
    return 0


def _report(project: Project, slug: str, annotated: AnnotatedArticle, path: Path, new_page: str,
            headline: str, carried: list[Annotation], left: list[LeftBehind], pins: dict[str, str],
            places: dict[str, tuple[int, int]], paywalled: bool) -> None:
    article = annotated.article
    assert article.captured is not None
    added, deleted, changed = count_words(word_diff(annotated.page_text, new_page))
    rel, annotations = f"content/{slug}.md", project.relative(annotation_file(project, slug))
    if added or deleted:
        print(f"{rel} changed since its capture of {moment(article.captured)}: {changed:,} word(s) changed "
              f"({deleted:,} deleted, {added:,} added)")
    else:
        print(f"{rel}: its headline changed since its capture of {moment(article.captured)}; its words did not")
    print(f"  the earlier text is now {project.relative(path)}; {rel} holds the text read now")
    if headline != article.title:
        print(f"  headline: “{article.title}” → “{headline}” (check it: a title corrected by hand shows here too)")
    print(f"notes: {len(carried)} carried over to the new text, {len(left)} stayed on the text of "
          f"{moment(article.captured)}" + (":" if left else ""))
    for entry in left:
        pos = entry.annotation.position_of("quote")
        line, col = places.get(entry.annotation.id, (pos.line, pos.col))
        if entry.reason is None:
            print(f"  {pos.path}:{line}:{col}: `{entry.annotation.id}` — pinned there with `version:`")
            continue
        print(f"  {pos.path}:{line}:{col}: `{entry.annotation.id}` — {entry.reason.message}")
        for hint in entry.reason.hints:
            if not hint.startswith("copy the words exactly"):
                print("      " + hint.replace("\n", "\n      "))
    moved = sorted(set(pins) - {entry.annotation.id for entry in left})
    if moved:
        print(f"  {len(moved)} note(s) already shown on earlier texts now say so: {', '.join(moved)}")
    if pins:
        print(f"  {annotations} now gives `version:` for {', '.join(sorted(pins))}")
    if paywalled:
        print("check by eye:\n  - the page marks the article as paywalled: compare the end of the new text with "
              "the earlier text's")
    print(f"next: read what changed (python build.py serve, then /articles/{slug}/changes/), "
          "then run `python build.py check`")

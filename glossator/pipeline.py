"""Runs the stages: load → validate → anchor → render → write. Writes nothing if any error.

As in MkDocs, all data is gathered and checked before anything is rendered; unlike
Pelican, a file that fails is never skipped: its problems fail the build.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .annotate import AnnotatedArticle, annotate_article
from .config import load_config
from .diagnostics import Diagnostic, sort_diagnostics
from .load import list_sources, load_annotations, load_article
from .model import AnnotationSet, Archive, Article
from .output import SiteWriter
from .project import Project
from .render import TemplateProblem
from .validate import validate_annotations, validate_article
from .write import Staging

Progress = Callable[[str, int, int], None]


@dataclass
class Loaded:
    archive: Archive | None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.archive is not None and not any(d.is_error for d in self.diagnostics)


def load_archive(project: Project, *, base_url: str | None = None, drafts: bool = False) -> Loaded:
    """Read and validate every file. Never raises on bad content."""
    config, diagnostics = load_config(project.site_yaml, "site.yaml", base_url)
    article_paths, annotation_paths, listing_problems = list_sources(project)
    diagnostics += listing_problems
    articles: list[Article] = []
    every_slug = {path.stem for path in article_paths}
    for path in article_paths:
        raw, problems = load_article(project, path, config.max_file_bytes)
        diagnostics += problems
        if raw is None:
            continue
        article, problems = validate_article(raw, config)
        diagnostics += problems
        if article is not None:
            articles.append(article)
    annotation_sets: dict[str, AnnotationSet] = {}
    for path in annotation_paths:
        raw_set, problems = load_annotations(project, path, config.max_file_bytes)
        diagnostics += problems
        if raw_set is None:
            continue
        validated, problems = validate_annotations(raw_set, config, every_slug)
        diagnostics += problems
        if validated is not None:
            annotation_sets[validated.slug] = validated
    if not drafts:
        drafts_out = {a.slug for a in articles if a.draft}
        articles = [a for a in articles if not a.draft]
        annotation_sets = {k: v for k, v in annotation_sets.items() if k not in drafts_out}
    archive = Archive(config, tuple(sorted(articles, key=lambda a: a.slug)), annotation_sets)
    return Loaded(archive, diagnostics)


def anchor_all(
    archive: Archive, progress: Progress | None = None
) -> Iterable[tuple[AnnotatedArticle | None, list[Diagnostic]]]:
    total = len(archive.articles)
    for done, article in enumerate(archive.articles, 1):
        yield annotate_article(article, archive.annotations_for(article.slug), archive.config)
        if progress:
            progress("anchoring", done, total)


def check(project: Project, progress: Progress | None = None) -> list[Diagnostic]:
    """Everything `build` verifies, with nothing written."""
    loaded = load_archive(project, drafts=True)
    diagnostics = list(loaded.diagnostics)
    if loaded.archive is not None:
        for _, problems in anchor_all(loaded.archive, progress):
            diagnostics += problems
    return sort_diagnostics(diagnostics)


def terminal_progress(stream=sys.stderr) -> Progress | None:
    """A one-line counter on a terminal; nothing when output is piped or in CI."""
    if not stream.isatty():
        return None
    last = [-1]

    def report(stage: str, done: int, total: int) -> None:
        percent = done * 100 // max(total, 1)
        if percent != last[0] or done == total:
            last[0] = percent
            stream.write(f"\r{stage}: {done}/{total} ({percent}%)")
            if done == total:
                stream.write("\n")
            stream.flush()

    return report


def out_dir_inside_inputs(project: Project) -> Path | None:
    """The output may not be one of the folders we read from."""
    for folder in (project.content_dir, project.annotations_dir, project.root / "templates", project.root):
        if project.out == folder.resolve():
            return folder
    return None


@dataclass
class BuildResult:
    diagnostics: list[Diagnostic]
    articles: int = 0
    annotations: int = 0

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


def build(
    project: Project,
    *,
    base_url: str | None = None,
    drafts: bool = False,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the whole site into project.out, or leave it untouched and return the errors."""
    loaded = load_archive(project, base_url=base_url, drafts=drafts)
    if not loaded.ok:
        return BuildResult(sort_diagnostics(loaded.diagnostics))
    archive = loaded.archive
    assert archive is not None
    diagnostics = list(loaded.diagnostics)
    staging = Staging(project.out)
    committed = False
    try:
        writer = SiteWriter(project, archive.config, staging)
        summaries = []
        for annotated, problems in anchor_all(archive, progress):
            diagnostics += problems
            if annotated is not None and not problems:
                summaries.append(writer.write_article(annotated))
        if any(d.is_error for d in diagnostics):
            return BuildResult(sort_diagnostics(diagnostics))
        writer.write_listings(summaries)
        writer.write_assets()
        staging.commit()
        committed = True
        return BuildResult(
            sort_diagnostics(diagnostics),
            articles=len(summaries),
            annotations=sum(s.annotation_count for s in summaries),
        )
    except TemplateProblem as problem:
        return BuildResult(sort_diagnostics([*diagnostics, problem.diagnostic]))
    finally:
        if not committed:
            staging.abort()

"""The per-article work, done in batches by worker processes.

An article and its annotation file are independent of every other article, so each
worker loads, validates, anchors and renders its own slice of the archive and sends
back only diagnostics and the small summaries the listings need; pages never travel
between processes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..anchor.annotate import AnnotatedArticle, annotate_article
from ..diagnostics import Diagnostic
from ..load.files import ArticleInput, load_annotations, load_article
from ..model import SiteConfig
from ..project import Project
from ..render.jinja import TemplateProblem
from ..render.pages import SiteWriter
from ..render.views import ArticleSummary
from ..validate.rules import validate_annotations, validate_article
from .staging import Staging


@dataclass(frozen=True)
class BatchJob:
    project: Project
    config: SiteConfig
    items: tuple[ArticleInput, ...]
    all_slugs: frozenset[str]
    drafts: bool
    staging_dir: Path | None  # None: check only, render nothing


@dataclass
class BatchResult:
    summaries: list[ArticleSummary] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    articles: int = 0
    outputs: dict[str, tuple[str, ...]] = field(default_factory=dict)  # slug → files written


# One writer per worker process and staging directory: compiled templates are reused.
_writers: dict[Path, SiteWriter] = {}


def _writer(job: BatchJob) -> SiteWriter:
    assert job.staging_dir is not None
    writer = _writers.get(job.staging_dir)
    if writer is None:
        writer = SiteWriter(job.project, job.config, Staging.attach(job.staging_dir))
        _writers.clear()
        _writers[job.staging_dir] = writer
    return writer


def prepare(project: Project, config: SiteConfig, item: ArticleInput, all_slugs: frozenset[str],
            drafts: bool, render: bool = True) -> tuple[AnnotatedArticle | None, list[Diagnostic], bool]:
    """One article through load → validate → anchor: the annotated article (None if it cannot
    be, or is an unpublished draft; without its body's HTML unless `render`), every problem
    found, and whether it counts as an article."""
    diagnostics: list[Diagnostic] = []
    limit = config.max_file_bytes
    raw, problems = load_article(project, item.article_path, limit)
    diagnostics += problems
    article = None
    if raw is not None:
        article, problems = validate_article(raw, config)
        diagnostics += problems
    annotations = ()
    if item.annotation_path is not None:
        raw_set, problems = load_annotations(project, item.annotation_path, limit)
        diagnostics += problems
        if raw_set is not None:
            validated, problems = validate_annotations(raw_set, config, all_slugs)
            diagnostics += problems
            if validated is not None:
                annotations = validated.annotations
    if article is None or (article.draft and not drafts):
        return None, diagnostics, False
    annotated, problems = annotate_article(article, annotations, config, render=render)
    return annotated, diagnostics + problems, True


def run_batch(job: BatchJob) -> BatchResult:
    result = BatchResult()
    failed = False  # once an error is found the build fails: keep checking, stop rendering
    for item in job.items:
        annotated, problems, counted = prepare(job.project, job.config, item, job.all_slugs, job.drafts,
                                               render=job.staging_dir is not None and not failed)
        result.diagnostics += problems
        result.articles += counted
        failed = failed or any(d.is_error for d in problems)
        if annotated is None or job.staging_dir is None or failed:
            continue
        try:
            writer = _writer(job)
            result.summaries.append(writer.write_article(annotated))
            result.outputs[item.slug] = writer.last_outputs
        except TemplateProblem as problem:
            result.diagnostics.append(problem.diagnostic)
    return result

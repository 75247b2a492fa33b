"""The per-article work, done in batches by worker processes.

An article and its annotation file are independent of every other article, so each
worker loads, validates, anchors and renders its own slice of the archive and sends
back only diagnostics and the small summaries the listings need; pages never travel
between processes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .annotate import annotate_article
from .diagnostics import Diagnostic
from .load import load_annotations, load_article
from .model import SiteConfig
from .output import SiteWriter
from .pages import ArticleSummary
from .project import Project
from .render import TemplateProblem
from .validate import validate_annotations, validate_article
from .write import Staging


@dataclass(frozen=True)
class ArticleInput:
    slug: str
    article_path: Path
    annotation_path: Path | None


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


def run_batch(job: BatchJob) -> BatchResult:
    result = BatchResult()
    limit = job.config.max_file_bytes
    failed = False  # once an error is found the build fails: keep checking, stop rendering
    for item in job.items:
        seen = len(result.diagnostics)
        raw, problems = load_article(job.project, item.article_path, limit)
        result.diagnostics += problems
        article = None
        if raw is not None:
            article, problems = validate_article(raw, job.config)
            result.diagnostics += problems
        annotations = ()
        if item.annotation_path is not None:
            raw_set, problems = load_annotations(job.project, item.annotation_path, limit)
            result.diagnostics += problems
            if raw_set is not None:
                validated, problems = validate_annotations(raw_set, job.config, job.all_slugs)
                result.diagnostics += problems
                if validated is not None:
                    annotations = validated.annotations
        if article is None or (article.draft and not job.drafts):
            continue
        annotated, problems = annotate_article(article, annotations, job.config)
        result.diagnostics += problems
        result.articles += 1
        failed = failed or any(d.is_error for d in result.diagnostics[seen:])
        if annotated is None or job.staging_dir is None or failed:
            continue
        try:
            writer = _writer(job)
            result.summaries.append(writer.write_article(annotated))
            result.outputs[item.slug] = writer.last_outputs
        except TemplateProblem as problem:
            result.diagnostics.append(problem.diagnostic)
    return result

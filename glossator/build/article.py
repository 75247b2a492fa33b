"""One article, from its input files to its outcome: load → validate → anchor → render → write.

An article and its annotation file are independent of every other article, so this is
the unit of work: the build's worker processes run it over their slice of the archive,
`check` runs it without rendering, and the live preview runs it on the article just
edited. All of them get the same outcome for the same files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..anchor.annotate import annotate_article
from ..diagnostics import Diagnostic
from ..load.files import load_annotations, load_article
from ..model import AnnotatedArticle, Annotation, Article, ArticleInput, ArticleSummary
from ..render.jinja import TemplateProblem
from ..validate.rules import validate_annotations, validate_article
from .plan import Plan
from .site import SiteWriter
from .staging import OutputDir
from .versions import texts_of


@dataclass(frozen=True)
class ArticleOutcome:
    slug: str
    diagnostics: tuple[Diagnostic, ...]
    counted: bool  # an article of this build (not a draft left out, not a file that cannot be read)
    summary: ArticleSummary | None = None  # None: nothing was written
    outputs: tuple[str, ...] = ()  # the files written, relative to the site root

    @property
    def failed(self) -> bool:
        return any(d.is_error for d in self.diagnostics)


def anchored_article(plan: Plan, item: ArticleInput, *, drafts: bool, render: bool = True
                     ) -> tuple[AnnotatedArticle | None, list[Diagnostic], bool]:
    """load → validate → anchor: the annotated article (None if it cannot be, or is a draft left
    out; without its body's HTML unless `render`), every problem found, and whether it counts."""
    diagnostics: list[Diagnostic] = []
    limit = plan.config.max_file_bytes
    raw, problems = load_article(plan.project, item.article_path, limit)
    diagnostics += problems
    article = None
    if raw is not None:
        article, problems = validate_article(raw, plan.config)
        diagnostics += problems
    annotations: Sequence[Annotation] = ()
    if item.annotation_path is not None:
        raw_set, problems = load_annotations(plan.project, item.annotation_path, limit)
        diagnostics += problems
        if raw_set is not None:
            validated, problems = validate_annotations(raw_set, plan.config, plan.all_slugs)
            diagnostics += problems
            if validated is not None:
                annotations = validated.annotations
    return anchor_notes(plan, item, article, annotations, diagnostics, drafts=drafts, render=render)


def anchor_notes(plan: Plan, item: ArticleInput, article: Article | None, annotations: Sequence[Annotation],
                 diagnostics: list[Diagnostic], *, drafts: bool, render: bool = True
                 ) -> tuple[AnnotatedArticle | None, list[Diagnostic], bool]:
    """anchored_article's last step, for annotations already validated: each note anchored on the
    text it stays on (the current one, an earlier one it was written on, the one `version:` names),
    the article's earlier texts read when it has them. `import` checks the file it writes with this,
    before writing it, so it accepts what `check` accepts and places every note where the build does."""
    if item.version_paths or any(a.version is not None for a in annotations):
        return texts_of(plan, item, article, annotations, diagnostics, drafts=drafts, render=render)
    if article is None or (article.draft and not drafts):
        return None, diagnostics, False
    annotated, problems = annotate_article(article, annotations, plan.config, render=render)
    return annotated, diagnostics + problems, True


# The writer of the current plan, in this process: its templates are compiled once per build
# (a worker runs many batches of one build; the live preview many edits of one plan).
_writer: tuple[str, SiteWriter] | None = None


def site_writer(plan: Plan) -> SiteWriter:
    global _writer
    if _writer is None or _writer[0] != plan.token:
        _writer = (plan.token, SiteWriter(plan.project, plan.config))
    return _writer[1]


def build_article(plan: Plan, item: ArticleInput, *, drafts: bool, out: OutputDir | None) -> ArticleOutcome:
    """One article through every stage; its files are written under `out` (None: only checked).
    One OutputDir serves many articles: it makes each sub-folder once."""
    annotated, problems, counted = anchored_article(plan, item, drafts=drafts, render=out is not None)
    if annotated is None or out is None or any(d.is_error for d in problems):
        return ArticleOutcome(item.slug, tuple(problems), counted)
    try:
        summary, outputs = site_writer(plan).write_article(annotated, out)
    except TemplateProblem as problem:
        return ArticleOutcome(item.slug, (*problems, problem.diagnostic), counted)
    return ArticleOutcome(item.slug, tuple(problems), counted, summary, outputs)

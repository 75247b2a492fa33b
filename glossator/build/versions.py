"""An article with earlier texts (versions/<slug>/), through the stages: each version file
loaded and validated, the texts put in order, then every text anchored with the notes that
stay on it (anchor/history.py). The unit of work stays the article: its versions are its
inputs, as its annotation file is."""

from __future__ import annotations

from collections.abc import Sequence

from ..anchor.annotate import annotate_article
from ..anchor.history import annotate_history
from ..diagnostics import Diagnostic
from ..load.versions import load_version
from ..model import AnnotatedArticle, Annotation, Article, ArticleInput, Version
from ..validate.versions import order_texts, unknown_version, validate_version
from .plan import Plan


def load_texts(plan: Plan, item: ArticleInput, article: Article | None
               ) -> tuple[tuple[Version, ...] | None, list[Diagnostic]]:
    """Every text of the article, oldest first and the current one last: the versions' files read
    and checked (all of them, so every problem is reported), then put in order; None on errors."""
    diagnostics: list[Diagnostic] = []
    versions: list[Version] = []
    for path in item.version_paths:
        raw, problems = load_version(plan.project, path, plan.config.max_file_bytes)
        diagnostics += problems
        if raw is not None:
            version, problems = validate_version(raw, plan.config)
            diagnostics += problems
            if version is not None:
                versions.append(version)
    if article is None or diagnostics:
        return None, diagnostics
    if not versions and article.captured is None:
        return (), []  # no versions/ folder, and no capture to name the current text by
    return order_texts(article, versions)


def texts_of(plan: Plan, item: ArticleInput, article: Article | None, annotations: Sequence[Annotation],
             diagnostics: list[Diagnostic], *, drafts: bool, render: bool
             ) -> tuple[AnnotatedArticle | None, list[Diagnostic], bool]:
    """anchored_article's answer for an article with versions, or with notes naming one."""
    texts, problems = load_texts(plan, item, article)
    diagnostics = diagnostics + problems
    if article is None or (article.draft and not drafts):
        return None, diagnostics, False
    if texts is None:
        return None, diagnostics, True
    names = {text.id for text in texts}
    for annotation in annotations:  # (such a note is placed on no text: the others are still anchored)
        if annotation.version is not None and annotation.version not in names:
            pos = annotation.position_of("version")
            diagnostics.append(unknown_version(pos.path, pos.line, pos.col, annotation.version, texts))
    if not texts:  # no text has a name (no capture, no versions): the others are on the current text
        annotated, problems = annotate_article(article, [a for a in annotations if a.version is None],
                                               plan.config, render=render)
        return annotated, diagnostics + problems, True
    annotated, problems = annotate_history(article, texts, annotations, plan.config, render=render)
    return annotated, diagnostics + problems, True

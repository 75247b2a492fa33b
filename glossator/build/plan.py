"""What a build will do, worked out once: the site's settings, every article with its
annotation file, the annotation files without an article, and the problems found so far.

The plan is frozen and shared: the build hands it to its workers, `check` to its own, and
the live preview keeps the last one for its fast path, so all of them pair files, list
slugs and read site.yaml the same way.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic
from ..load.files import folder_problems, list_sources
from ..load.site import load_site
from ..load.templates import template_link_problems
from ..load.versions import list_versions
from ..model import ArticleInput, SiteConfig
from ..project import Project, forget_folders
from ..validate.site import site_config
from .options import BuildOptions


@dataclass(frozen=True)
class Plan:
    project: Project
    config: SiteConfig
    articles: Mapping[str, ArticleInput]  # by slug, in slug order
    orphans: tuple[Path, ...]  # annotation files whose article does not exist
    diagnostics: tuple[Diagnostic, ...]  # site.yaml's and the listing's
    # names this plan in worker processes, which keep its compiled templates (build/article.py)
    token: str = field(default_factory=lambda: secrets.token_hex(8))
    all_slugs: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "all_slugs", frozenset(self.articles))

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)

    def __reduce__(self) -> tuple[Any, ...]:
        # As a worker gets it (the pool's initializer): the articles' paths as text, each made into an
        # ArticleInput when the worker first asks for it. 20,000 paths pickled as Paths took each
        # worker ~0.12 s to unpickle before it could start, and the parent 0.05 s a worker to pickle.
        return Plan, (self.project, self.config, _PathsByName(self._rows), self.orphans, self.diagnostics, self.token)

    @cached_property  # (once for every worker: ~40 ms at 10,000 articles)
    def _rows(self) -> dict[str, _Row]:
        if isinstance(self.articles, _PathsByName):
            return self.articles.rows
        return {slug: (str(item.article_path), None if item.annotation_path is None else str(item.annotation_path),
                       tuple(map(str, item.version_paths))) for slug, item in self.articles.items()}


_Row = tuple[str, str | None, tuple[str, ...]]  # an article's file, its annotation file, its earlier texts


class _PathsByName(Mapping[str, ArticleInput]):
    """A plan's articles by slug, kept as their files' paths in text until one is asked for."""

    def __init__(self, rows: dict[str, _Row]) -> None:
        self.rows = rows
        self._made: dict[str, ArticleInput] = {}

    def __getitem__(self, slug: str) -> ArticleInput:
        item = self._made.get(slug)
        if item is None:
            article, annotations, versions = self.rows[slug]
            item = self._made[slug] = ArticleInput(slug, Path(article),
                                                   None if annotations is None else Path(annotations),
                                                   tuple(map(Path, versions)))
        return item

    def __iter__(self) -> Iterator[str]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __reduce__(self) -> tuple[Any, ...]:
        return _PathsByName, (self.rows,)


def read_config(project: Project, base_url: str | None = None) -> tuple[SiteConfig, list[Diagnostic]]:
    """site.yaml through the load and validate stages; the defaults where it has problems."""
    raw, problems = load_site(project)
    if problems:
        return site_config(None, base_url)[0], problems
    return site_config(raw, base_url)


def make_plan(project: Project, options: BuildOptions, config: SiteConfig | None = None) -> Plan:
    """The plan of a build of `project`; with `config`, site.yaml is known unchanged and not read again."""
    forget_folders()  # (the folders are looked at again: one may have become a link)
    problems: list[Diagnostic] = []
    if config is None:
        config, problems = read_config(project, options.base_url)
    article_paths, annotation_paths, listing_problems = list_sources(project)
    by_stem = {path.stem: path for path in annotation_paths}
    versions, version_problems = list_versions(project, {path.stem for path in article_paths})
    listing_problems += [*folder_problems(project), *template_link_problems(project)]
    articles = {stem: ArticleInput(stem, path, by_stem.pop(stem, None), versions.get(stem, ()))
                for path in article_paths for stem in (path.stem,)}
    return Plan(project, config, articles, tuple(sorted(by_stem.values())),
                (*problems, *listing_problems, *version_problems))

"""The fast path of a rebuild: an edited article, on its own, straight into the served site.

Saving an article's Markdown or its annotation file changes that article's files, and
then the listings, the archive-wide exports and the search index. The reader looking at
the article should not wait for the rest: the edited article is loaded, checked,
anchored and rendered here, in the server's process with its templates already compiled,
and its changed files replace the served ones one by one (each an atomic rename), so the
open page can reload at once. The full incremental build follows and publishes everything
else; it renders the same bytes for this article, so the page is not reloaded twice.

Anything else (templates, site.yaml, a new, deleted or renamed file, a draft, an article
with an error) is left to the full build: errors are reported by one path only. The article
goes through the build's own function (build/article.py) with the build's own plan, so the
bytes published here are the ones the full build writes; this module holds only the policy
of which edits take the fast path.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..build.article import build_article, site_writer
from ..build.cache import mark_changed_outside
from ..build.options import BuildOptions
from ..build.plan import Plan, make_plan
from ..build.staging import STAGING_MARK, OutputDir, publish_files
from ..model import SiteConfig, article_page
from ..project import Project


@dataclass(frozen=True)
class HotUpdate:
    slugs: tuple[str, ...]  # the articles rendered
    written: dict[str, bytes]  # site path → the bytes now served, for every file that changed


class HotRenderer:
    def __init__(self, project: Project, options: BuildOptions) -> None:
        self.project = project
        self.options = options
        self._plan: Plan | None = None  # the last good build's (its token keeps the templates compiled)
        # beside the site, so each file moves in with an atomic rename; named like a build's
        # staging directory so a server that dies leaves nothing behind (staging.clean_stale)
        self.scratch = project.out.parent / f".{project.out.name}{STAGING_MARK}{os.getpid()}-hot"

    def forget(self) -> None:
        """Templates, assets or site.yaml may have changed: compile again after the next good build."""
        self._plan = None

    def warm(self, config: SiteConfig) -> None:
        """After a good build: plan with its settings, and compile the article template now rather
        than during the next edit."""
        if self._plan is None or self._plan.config != config:
            self._plan = make_plan(self.project, self.options, config)
        try:
            site_writer(self._plan).pages.compile_article_template()
        except Exception:  # a broken template: the full build reports it
            self.forget()

    def handles(self, changed: frozenset[str]) -> bool:
        """Whether these changes leave templates, assets and site.yaml alone (an article's files:
        its text, its annotations, its earlier texts in versions/<slug>/)."""
        content, annotations, versions = self.project.content_dir, self.project.annotations_dir, \
            self.project.versions_dir
        return all(Path(name).parent in (content, annotations) or Path(name).parent.parent == versions
                   for name in changed)

    def _edited(self, plan: Plan, changed: frozenset[str]) -> list[str] | None:
        """The slugs of the articles whose own files are all that changed, or None."""
        slugs: set[str] = set()
        for name in changed:
            path = Path(name)
            version = path.parent.parent == self.project.versions_dir
            item = plan.articles.get(path.parent.name if version else path.stem)
            if item is None or path.is_symlink():
                return None  # a stray file, a new article, a link: the full build decides
            # an earlier text added, edited or taken away is an edit of its article: the article's files
            # are all it changes (then its listings, which the full build that follows brings up to date)
            own = path in item.version_paths or not path.exists() if version else \
                path in (item.article_path, item.annotation_path)
            if not own:
                return None  # a new, deleted or renamed article or annotation file: the full build decides
            if not (self.project.out / article_page(item.slug)).is_file():
                return None  # not published yet (a draft, or an article that had errors): listings change first
            slugs.add(item.slug)
        return sorted(slugs)

    def update(self, changed: frozenset[str]) -> HotUpdate | None:
        """Publish the edited articles' changed files; None when this change is not for the fast path."""
        if self._plan is None or not self.handles(changed):
            return None
        # listed again (a file may have come or gone), with the settings of the last good build
        plan = make_plan(self.project, self.options, self._plan.config)
        if not plan.ok:
            return None
        plan = self._plan = _same_token(plan, self._plan)
        slugs = self._edited(plan, changed)
        if not slugs:
            return None
        shutil.rmtree(self.scratch, ignore_errors=True)
        self.scratch.mkdir(parents=True)
        try:
            outputs: list[str] = []
            scratch = OutputDir(self.scratch)
            for slug in slugs:
                outcome = build_article(plan, plan.articles[slug], drafts=self.options.drafts, out=scratch)
                if outcome.failed or outcome.summary is None:
                    return None
                outputs += outcome.outputs
            mark_changed_outside(self.project, slugs)  # (the build that follows may be stopped)
            return HotUpdate(tuple(slugs), publish_files(self.scratch, self.project.out, outputs))
        except OSError:
            self.forget()
            return None
        finally:
            shutil.rmtree(self.scratch, ignore_errors=True)


def _same_token(plan: Plan, previous: Plan) -> Plan:
    """The fresh listing, under the previous plan's token: same settings, same templates, so the
    article template compiled for it is still good."""
    return Plan(plan.project, plan.config, plan.articles, plan.orphans, plan.diagnostics, previous.token)

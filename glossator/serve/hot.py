"""The fast path of a rebuild: an edited article, on its own, straight into the served site.

Saving an article's Markdown or its annotation file changes that article's files, and
then the listings, the archive-wide exports and the search index. The reader looking at
the article should not wait for the rest: the edited article is loaded, checked,
anchored and rendered here, in the server's process with its templates already compiled,
and its changed files replace the served ones one by one (each an atomic rename), so the
open page can reload at once. The full incremental build follows and publishes everything
else; it renders the same bytes for this article, so the page is not reloaded twice.

Anything else (templates, site.yaml, a new, deleted or renamed file, a draft, an article
with an error) is left to the full build: errors are reported by one path only.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..build.staging import STAGING_MARK, Staging
from ..build.workers import prepare
from ..load.files import ANNOTATION_SUFFIXES, ArticleInput
from ..model import SiteConfig
from ..project import Project
from ..render.jinja import TemplateProblem
from ..render.pages import SiteWriter
from ..render.views import article_path
from ..validate.site import load_config


@dataclass(frozen=True)
class HotUpdate:
    slugs: tuple[str, ...]  # the articles rendered
    written: dict[str, bytes]  # site path → the bytes now served, for every file that changed


class HotRenderer:
    def __init__(self, project: Project) -> None:
        self.project = project
        self._config: SiteConfig | None = None
        self._writer: SiteWriter | None = None
        # beside the site, so each file moves in with an atomic rename; named like a build's
        # staging directory so a server that dies leaves nothing behind (write.clean_stale)
        self.scratch = project.out.parent / f".{project.out.name}{STAGING_MARK}{os.getpid()}-hot"

    def forget(self) -> None:
        """Templates, assets or site.yaml may have changed: compile again on next use."""
        self._config = None
        self._writer = None

    def warm(self) -> None:
        """Compile the article template now, after a build, rather than during the next edit."""
        if self._writer is None:
            try:
                self._setup()
            except Exception:  # a broken template: the full build reports it
                self.forget()

    def _setup(self) -> tuple[SiteConfig, SiteWriter] | None:
        """The site's settings and a writer with the article template compiled; None while
        site.yaml has errors (the full build reports them)."""
        if self._config is None or self._writer is None:
            config, problems = load_config(self.project.site_yaml, "site.yaml")
            if any(d.is_error for d in problems):
                return None
            writer = SiteWriter(self.project, config, Staging.attach(self.scratch))
            writer.renderer.env.get_template("article.html")
            self._config, self._writer = config, writer
        return self._config, self._writer

    def handles(self, changed: frozenset[str]) -> bool:
        """Whether these changes leave templates, assets and site.yaml alone."""
        content, annotations = self.project.content_dir, self.project.annotations_dir
        return all(Path(name).parent in (content, annotations) for name in changed)

    def _edited_articles(self, changed: frozenset[str]) -> list[ArticleInput] | None:
        """The articles whose own files are all that changed, or None."""
        content, annotations = self.project.content_dir, self.project.annotations_dir
        slugs: set[str] = set()
        for name in changed:
            path = Path(name)
            in_content = path.parent == content and path.suffix == ".md"
            in_annotations = path.parent == annotations and path.suffix in ANNOTATION_SUFFIXES
            if not (in_content or in_annotations) or not path.is_file() or path.is_symlink():
                return None  # a deletion, a rename, a link: the full build decides
            slugs.add(path.stem)
        items = []
        for slug in sorted(slugs):
            article = content / f"{slug}.md"
            annotation = next((p for p in (annotations / f"{slug}{s}" for s in ANNOTATION_SUFFIXES) if p.is_file()),
                              None)
            if not article.is_file() or not (self.project.out / article_path(slug) / "index.html").is_file():
                return None  # a new article: listings and links change first
            items.append(ArticleInput(slug, article, annotation))
        return items

    def update(self, changed: frozenset[str]) -> HotUpdate | None:
        """Publish the edited articles' changed files; None when this change is not for the fast path."""
        items = self._edited_articles(changed)
        if not items:
            return None
        try:
            ready = self._setup()
        except Exception:  # a broken template: the full build reports it
            ready = None
        if ready is None:
            self.forget()
            return None
        config, writer = ready
        slugs = frozenset(name[:-3] for name in os.listdir(self.project.content_dir) if name.endswith(".md"))
        annotated = []
        for item in items:
            article, problems, _ = prepare(self.project, config, item, slugs, drafts=False)
            if article is None or any(d.is_error for d in problems):
                return None
            annotated.append(article)
        shutil.rmtree(self.scratch, ignore_errors=True)
        writer.staging = Staging.attach(self.scratch)
        self.scratch.mkdir(parents=True)
        try:
            outputs = []
            for article in annotated:
                writer.write_article(article)
                outputs += writer.last_outputs
            return HotUpdate(tuple(item.slug for item in items), self._publish(outputs))
        except (OSError, TemplateProblem):
            self.forget()
            return None
        finally:
            shutil.rmtree(self.scratch, ignore_errors=True)

    def _publish(self, outputs: list[str]) -> dict[str, bytes]:
        written: dict[str, bytes] = {}
        for path in outputs:
            new, served = self.scratch / path, self.project.out / path
            data = new.read_bytes()
            try:
                if served.read_bytes() == data:
                    continue
            except OSError:
                pass  # not there yet: the article had no annotation file before
            served.parent.mkdir(parents=True, exist_ok=True)
            os.replace(new, served)
            written[path] = data
        return written

"""Every file of the site, rendered into the staging directory."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from ..anchor.annotate import AnnotatedArticle
from ..build.staging import Staging, collect_assets
from ..exports.claimreview import claim_reviews
from ..exports.merge import COLLECTION, write_archive_data
from ..exports.w3c import article_data_path, article_export
from ..model import SiteConfig
from ..project import Project
from .jinja import Renderer, markup
from .views import (
    ArticleSummary,
    by_recency,
    claim_groups,
    group_by_outlet,
    group_by_tag,
    kind_key,
    note_view,
    repo_edit_url,
    summarise,
    totals,
)

HOME_LATEST = 20
ITEMS = "_items.html"  # an article's entries in the listings, rendered with its page
FEED_ENTRIES = 50


def _newest(summaries: Sequence[ArticleSummary]) -> str:
    """A listing changes when one of its articles gains or changes an annotation (sitemap lastmod)."""
    return max((s.last_modified for s in summaries), default="")


def static_dirs(project: Project) -> list:
    return [d / "static" for d in project.templates_dirs]


class SiteWriter:
    def __init__(self, project: Project, config: SiteConfig, staging: Staging) -> None:
        self.config = config
        self.staging = staging
        self.assets = collect_assets(static_dirs(project))
        self.renderer = Renderer(project.templates_dirs, config, {k: v[0] for k, v in self.assets.items()})
        self.pages: list[tuple[str, str]] = []  # (site path, lastmod) for the sitemap
        self.last_outputs: tuple[str, ...] = ()

    def _template_sources(self, names: list[str]) -> list[str]:
        loader = self.renderer.env.loader
        assert loader is not None
        return [loader.get_source(self.renderer.env, name)[0] for name in names]

    def article_fingerprint(self) -> str:
        """What every article page depends on besides its own files: its templates and the assets."""
        names = sorted({*self.renderer.template_files("article.html"), *self.renderer.template_files(ITEMS)})
        return "\0".join([*names, *self._template_sources(names), *sorted(v[0] for v in self.assets.values())])

    def site_fingerprint(self) -> str:
        """Every template (listings included), for the whole-site "nothing changed" check."""
        names = sorted(self.renderer.env.list_templates())
        return "\0".join([*names, *self._template_sources(names)])

    def write_assets(self) -> None:
        for hashed, data in self.assets.values():
            self.staging.write_bytes("static/" + hashed, data)

    def _page(self, path: str, template: str, lastmod: str = "", **context: object) -> None:
        html = self.renderer.render(template, page_path=path, **context)
        self.staging.write_text(path + "index.html" if path.endswith("/") or not path else path, html)
        if template.endswith(".html") and template != "404.html":
            self.pages.append((path, lastmod))

    def write_article(self, annotated: AnnotatedArticle) -> ArticleSummary:
        """Render one article's files; their paths are left in `last_outputs` (for the build cache)."""
        self.staging.recorder = []
        config = self.config
        summary = self._with_listing_entries(summarise(annotated, config))
        notes = [note_view(a, annotated, config) for a in annotated.annotations]
        self._page(
            summary.path,
            "article.html",
            lastmod=summary.last_modified,
            article=annotated.article,
            summary=summary,
            body_html=markup(annotated.body_html),
            notes=[n for n in notes if n.number],
            article_notes=[n for n in notes if not n.number],
            claim_reviews=claim_reviews(annotated, config),
            kind_key=kind_key(notes),
            edit_url=repo_edit_url(config, annotated.article.slug, file_exists=bool(annotated.annotations)),
        )
        export = article_export(annotated, config)
        self.staging.write_text(summary.path + COLLECTION, export.collection)
        self.staging.write_text(article_data_path(annotated.article.slug), export.data)
        self.last_outputs = tuple(self.staging.recorder)
        self.staging.recorder = None
        return summary

    def _with_listing_entries(self, summary: ArticleSummary) -> ArticleSummary:
        """Rendered here, in the worker, and cached with the article: a listing of every article
        then joins finished entries instead of running a template 10,000 times."""
        render = self.renderer.call_macro
        claims = tuple(dataclasses.replace(c, html=render(ITEMS, "claim_item", c)) for c in summary.claims)
        return dataclasses.replace(summary, claims=claims, item_html=render(ITEMS, "article_item", summary))

    def write_listings(self, summaries: Sequence[ArticleSummary]) -> None:
        config = self.config
        recent = by_recency(summaries)
        newest = max((s.last_modified for s in summaries), default="")
        self._page("", "home.html", lastmod=newest, latest=recent[:HOME_LATEST], totals=totals(summaries, config),
                   article_count=len(summaries))
        self._page("articles/", "articles.html", lastmod=newest, articles=recent)
        self._page("claims/", "claims.html", lastmod=newest, groups=claim_groups(summaries, config))
        tags = group_by_tag(summaries)
        self._page("tags/", "tags.html", lastmod=newest, tags=[(tag, len(entries)) for tag, entries in tags.items()])
        for tag, entries in tags.items():
            self._page(f"tags/{tag}/", "tag.html", lastmod=_newest(entries), tag=tag, articles=entries)
        outlets = group_by_outlet(summaries)
        self._page("sources/", "sources.html", lastmod=newest,
                   outlets=[(slug, name, len(entries)) for slug, (name, entries) in outlets.items()])
        for slug, (name, entries) in outlets.items():
            self._page(f"sources/{slug}/", "source.html", lastmod=_newest(entries), outlet=name, articles=entries)
        self._page("search/", "search.html")
        self._page("404.html", "404.html")
        feed_updated = newest or max((s.published for s in summaries), default="1970-01-01")
        self._page("feed.xml", "feed.xml", articles=recent[:FEED_ENTRIES], updated=feed_updated)
        data = write_archive_data(self.staging, summaries, config, FEED_ENTRIES)
        self._page("annotations.xml", "annotations-feed.xml", entries=data.newest, updated=data.updated or "1970-01-01")
        self._page("robots.txt", "robots.txt")
        # article pages were rendered by workers, whose page lists stay in their processes
        pages = dict(self.pages)
        pages.update((s.path, s.last_modified) for s in summaries)
        self.staging.write_text("sitemap.xml", self.renderer.render("sitemap.xml", pages=sorted(pages.items())))

"""Every file of the site, rendered into the staging directory."""

from __future__ import annotations

from collections.abc import Sequence

from .annotate import AnnotatedArticle
from .exports import annotation_collection, claim_reviews, to_json
from .model import SiteConfig
from .pages import (
    ArticleSummary,
    by_recency,
    claim_groups,
    group_by_outlet,
    group_by_tag,
    note_view,
    summarise,
    totals,
)
from .project import Project
from .render import Renderer, markup
from .write import Staging, collect_assets

HOME_LATEST = 20
FEED_ENTRIES = 50


def static_dirs(project: Project) -> list:
    return [d / "static" for d in project.templates_dirs]


class SiteWriter:
    def __init__(self, project: Project, config: SiteConfig, staging: Staging) -> None:
        self.config = config
        self.staging = staging
        self.assets = collect_assets(static_dirs(project))
        self.renderer = Renderer(project.templates_dirs, config, {k: v[0] for k, v in self.assets.items()})
        self.pages: list[tuple[str, str]] = []  # (site path, lastmod) for the sitemap

    def write_assets(self) -> None:
        for hashed, data in self.assets.values():
            self.staging.write_bytes("static/" + hashed, data)

    def _page(self, path: str, template: str, lastmod: str = "", **context: object) -> None:
        html = self.renderer.render(template, page_path=path, **context)
        self.staging.write_text(path + "index.html" if path.endswith("/") or not path else path, html)
        if template.endswith(".html") and template != "404.html":
            self.pages.append((path, lastmod))

    def write_article(self, annotated: AnnotatedArticle) -> ArticleSummary:
        config = self.config
        summary = summarise(annotated, config)
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
        )
        self.staging.write_text(summary.path + "annotations.jsonld", to_json(annotation_collection(annotated, config)))
        return summary

    def write_listings(self, summaries: Sequence[ArticleSummary]) -> None:
        config = self.config
        recent = by_recency(summaries)
        newest = max((s.last_modified for s in summaries), default="")
        self._page("", "home.html", lastmod=newest, latest=recent[:HOME_LATEST], totals=totals(summaries, config),
                   article_count=len(summaries))
        self._page("articles/", "articles.html", lastmod=newest, articles=recent)
        self._page("claims/", "claims.html", lastmod=newest, groups=claim_groups(summaries, config))
        tags = group_by_tag(summaries)
        self._page("tags/", "tags.html", tags=[(tag, len(entries)) for tag, entries in tags.items()])
        for tag, entries in tags.items():
            self._page(f"tags/{tag}/", "tag.html", tag=tag, articles=entries)
        outlets = group_by_outlet(summaries)
        self._page("sources/", "sources.html",
                   outlets=[(slug, name, len(entries)) for slug, (name, entries) in outlets.items()])
        for slug, (name, entries) in outlets.items():
            self._page(f"sources/{slug}/", "source.html", outlet=name, articles=entries)
        self._page("search/", "search.html")
        self._page("404.html", "404.html")
        feed_updated = newest or max((s.published for s in summaries), default="1970-01-01")
        self._page("feed.xml", "feed.xml", articles=recent[:FEED_ENTRIES], updated=feed_updated)
        annotations = sorted(
            ((added, s, ann_id, kind, note) for s in summaries for added, ann_id, kind, note in s.new_annotations),
            key=lambda e: (e[0], e[1].slug, e[2]), reverse=True,
        )[:FEED_ENTRIES]
        self._page("annotations.xml", "annotations-feed.xml", entries=annotations, updated=feed_updated)
        self._page("robots.txt", "robots.txt")
        self.staging.write_text("sitemap.xml", self.renderer.render("sitemap.xml", pages=sorted(self.pages)))

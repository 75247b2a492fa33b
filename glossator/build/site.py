"""The site's files put together: each article's page (render) beside its data files
(exports), then the listings, the feeds and the archive-wide exports merged from the
articles' files. Every write says what it wrote."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

from ..exports.article import article_export
from ..exports.claimreview import claim_reviews
from ..exports.merge import COLLECTION, ArchiveData, ArchiveEntries, ArchiveEntry, ExportLayout, write_archive_data
from ..exports.w3c import article_data_path
from ..model import AnnotatedArticle, ArticleSummary, SiteConfig
from ..project import Project
from ..render.pages import FEED_ENTRIES, PageRenderer
from .background import InBackground
from .staging import OutputDir


class SiteWriter:
    """The templates compiled once, for every article of a build and for its listings."""

    def __init__(self, project: Project, config: SiteConfig) -> None:
        self.config = config
        self.pages = PageRenderer(project, config)

    def write_article(self, annotated: AnnotatedArticle, out: OutputDir) -> tuple[ArticleSummary, tuple[str, ...]]:
        """One article's page and data files: its summary for the listings, and the files written."""
        summary, page = self.pages.article_page(annotated, claim_reviews(annotated, self.config))
        export = article_export(annotated, self.config)
        return summary, (
            out.write_text(page.file, page.text),
            out.write_text(summary.path + COLLECTION, export.collection),
            out.write_text(article_data_path(annotated.article.slug), export.data),
            # its earlier texts and what changed, when the outlet changed it (render/history.py)
            *(out.write_text(other.file, other.text) for other in self.pages.history_pages(annotated, summary)),
        )

    def start_archive_data(self, summaries: Sequence[ArticleSummary], out: OutputDir,
                           keys: Mapping[str, str] | None = None, previous: tuple[Path, ExportLayout] | None = None,
                           *, reused: Collection[str] | None = None, apart: bool = False) -> InBackground[ArchiveData]:
        """The archive's exports, merged from the articles' files in `out` (or copied from the
        `previous` site's for articles whose cache `keys` are unchanged): in a child process if
        `apart`, while this one writes the listings (build/background.py). `reused`: the articles
        whose files in `out` the cache took from the last site (None: any may be)."""
        site, layout = previous if previous else (None, None)
        entries = ArchiveEntries(map(ArchiveEntry.of, summaries))
        return InBackground(write_archive_data, out.root, entries, self.config, FEED_ENTRIES, keys, site, layout,
                            None if reused is None else frozenset(reused), apart=apart)

    def write_listings(self, summaries: Sequence[ArticleSummary], out: OutputDir) -> None:
        """Everything but the article pages, which are in `out` already, and the archive's exports
        and the feed of annotations made from them (write_annotations_feed)."""
        listed = []
        for page in self.pages.listing_pages(summaries):
            if isinstance(page.text, str):
                out.write_text(page.file, page.text)
            else:
                out.write_pieces(page.file, page.text)
            if page.sitemap_path is not None:
                listed.append((page.sitemap_path, page.lastmod))
        changes = self.pages.changes_feed(summaries)
        out.write_text(changes.file, changes.text)
        for sitemap in self.pages.sitemap(listed, summaries):
            assert isinstance(sitemap.text, str)
            out.write_text(sitemap.file, sitemap.text)

    def write_annotations_feed(self, data: ArchiveData, out: OutputDir) -> ExportLayout:
        """The feed of the newest annotations, once the exports are merged; where the exports put
        each article, for the next build."""
        feed = self.pages.annotations_feed(data.newest, data.updated)
        out.write_text(feed.file, feed.text)
        return data.layout

    def write_assets(self, out: OutputDir) -> None:
        for path, data in self.pages.static_files():
            out.write_bytes(path, data)

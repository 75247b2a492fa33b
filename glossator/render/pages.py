"""Every page of the site as text: the article pages (in the workers) and the listings,
feeds and sitemap (in the parent). Writing them, and the exports beside them, is the
build's (build/site.py)."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ..model import RESERVED_IDS, AnnotatedArticle, ArticleSummary, ClaimEntry, SiteConfig, version_path
from ..project import Project, is_noise
from .assets import collect_assets
from .claims import claim_groups, verdict_pages
from .history import change_anchor, change_views, changes_path, earlier_notes, feed_changes, history_view
from .jinja import Renderer, markup
from .paging import paged
from .views import (
    OutletCount,
    annotation_file,
    by_recency,
    claim_entries,
    group_by_outlet,
    group_by_tag,
    kind_key,
    note_view,
    pack_claims,
    repo_edit_url,
    stub_indent,
    summarise,
    totals,
)

HOME_LATEST = 20
ARTICLES_PER_PAGE = 100  # the list of every article, and a topic's or an outlet's (paging.py)
SITEMAP_URLS = 50_000  # a sitemap file's most (sitemaps.org)
# the ids the site gives its own elements, for the Suggest panel's script to leave them out as new.fresh_id does
RESERVED_ID_TEXT = " ".join(sorted(RESERVED_IDS))
ITEMS = "_items.html"  # an article's entries in the listings, rendered with its page
# the pages of an article: its page, its earlier texts' and the changes between them (history.py)
ARTICLE_TEMPLATES = ("article.html", "version.html", "version-current.html", "changes.html")
FEED_ENTRIES = 50


@dataclass(frozen=True)
class Page:
    file: str  # relative to the site root
    # the whole text, or (a large listing: the claims page of 10,000 articles is 28 MB) its pieces,
    # to be written as they come
    text: str | Iterator[str]
    sitemap_path: str | None = None  # its URL path, when the sitemap lists it
    lastmod: str = ""


def _newest(summaries: Sequence[ArticleSummary]) -> str:
    """A listing changes when one of its articles gains or changes an annotation (sitemap lastmod)."""
    return max((s.last_modified for s in summaries), default="")


def static_dirs(project: Project) -> list:
    return [d / "static" for d in project.templates_dirs]


class PageRenderer:
    """The site's templates, compiled once, with the hashed names of its static files."""

    def __init__(self, project: Project, config: SiteConfig) -> None:
        self.project = project
        self.config = config
        self.assets = collect_assets(static_dirs(project))
        self.renderer = Renderer(project.templates_dirs, config, {k: v[0] for k, v in self.assets.items()})

    def compile_article_template(self) -> None:
        self.renderer.env.get_template("article.html")

    def article_fingerprint(self) -> str:
        """What every article page depends on besides its own files: its templates and the assets.
        Raises TemplateProblem for a template missing or not UTF-8."""
        files = {name: text for template in (*ARTICLE_TEMPLATES, ITEMS)
                 for name, text in self.renderer.template_files(template).items()}
        names = sorted(files)
        return "\0".join([*names, *(files[n] for n in names), *sorted(v[0] for v in self.assets.values())])

    def site_fingerprint(self) -> str:
        """Every template (listings included), for the whole-site "nothing changed" check. The static
        files are not templates (their hashed names are in the article fingerprint; a font is not
        text), nor are an editor's leftovers beside the templates."""
        names = sorted(name for name in self.renderer.env.list_templates()
                       if not name.startswith("static/") and not is_noise(name.rpartition("/")[2]))
        return "\0".join([*names, *(self.renderer.source(name) for name in names)])

    def static_files(self) -> Iterator[tuple[str, bytes]]:
        for hashed, data in self.assets.values():
            yield "static/" + hashed, data

    def _page(self, path: str, template: str, lastmod: str = "", *, stream: bool = False, **context: object) -> Page:
        render = self.renderer.render_pieces if stream else self.renderer.render
        text = render(template, page_path=path, **context)
        file = path + "index.html" if path.endswith("/") or not path else path
        listed = template.endswith(".html") and template != "404.html"
        return Page(file, text, path if listed else None, lastmod)

    def article_page(self, annotated: AnnotatedArticle, claim_reviews: list[dict[str, Any]]) -> tuple[
            ArticleSummary, Page]:
        """An article's page, and its summary for the listings (with its entries in them rendered)."""
        config = self.config
        summary = self._with_listing_entries(summarise(annotated, config), claim_entries(annotated, config))
        notes = [note_view(a, annotated, config) for a in annotated.annotations]
        history = history_view(annotated, config)
        listed_file = annotation_file(annotated)
        notes_file = listed_file or self._empty_annotation_file(annotated.article.slug)
        page = self._page(
            summary.path,
            "article.html",
            lastmod=summary.last_modified,
            article=annotated.article,
            summary=summary,
            body_html=markup(annotated.body_html),
            notes=[n for n in notes if n.number],
            article_notes=[n for n in notes if not n.number],
            claim_reviews=claim_reviews,
            kind_key=kind_key(notes),
            edit_url=repo_edit_url(config, annotated.article.slug, notes_file),
            annotation_file=notes_file,
            empty_annotation_list=notes_file is not None and listed_file is None,
            stub_indent=stub_indent(annotated),
            reserved_ids=RESERVED_ID_TEXT,
            history=history,
            earlier_notes=earlier_notes(annotated, config, history) if history else [],
        )
        return summary, page

    def _empty_annotation_file(self, slug: str) -> str | None:
        """An annotation file of the article's that holds no notes yet (`annotations: []`, as `new` leaves
        one): a suggestion goes into it, not into a new file beside it."""
        for name in (f"{slug}.yaml", f"{slug}.yml"):
            if (self.project.annotations_dir / name).is_file():
                return f"annotations/{name}"
        return None

    def history_pages(self, annotated: AnnotatedArticle, summary: ArticleSummary) -> list[Page]:
        """An article's other pages when it has several texts: each earlier text's (its permalink),
        the current text's permalink, and the changes between them; none for an article of one text."""
        config = self.config
        history = history_view(annotated, config)
        if history is None or annotated.history is None:
            return []
        slug = annotated.article.slug
        pages = []
        for k, earlier in enumerate(annotated.history.earlier):
            text = history.texts[k]
            notes = [note_view(a, earlier, config) for a in earlier.annotations]
            pages.append(self._page(
                version_path(slug, text.id), "version.html", lastmod=summary.last_modified,
                article=earlier.article, summary=summary, body_html=markup(earlier.body_html),
                notes=[n for n in notes if n.number], article_notes=[n for n in notes if not n.number],
                claim_reviews=[], kind_key=kind_key(notes), edit_url="", history=history, earlier_notes=[],
                text=text, next_change=history.changes_url + "#" + change_anchor(history.texts[k + 1].id)))
        pages.append(self._page(version_path(slug, history.current.id), "version-current.html", history=history))
        changes = change_views(annotated, config, history, earlier_notes(annotated, config, history))
        pages.append(self._page(changes_path(slug), "changes.html", lastmod=summary.last_modified,
                                article=annotated.article, summary=summary, history=history, changes=changes))
        return pages

    def _with_listing_entries(self, summary: ArticleSummary, claims: tuple[ClaimEntry, ...]) -> ArticleSummary:
        """Rendered here, in the worker, and cached with the article: a listing of every article
        then joins finished entries instead of running a template 10,000 times."""
        render = self.renderer.call_macro
        packed = pack_claims((c.verdict, render(ITEMS, "claim_item", c)) for c in claims)
        return dataclasses.replace(summary, claims=packed, item_html=render(ITEMS, "article_item", summary))

    def listing_pages(self, summaries: Sequence[ArticleSummary]) -> Iterator[Page]:
        """Home, lists, tags, outlets, search, 404, the articles feed and robots.txt."""
        config = self.config
        recent = by_recency(summaries)
        newest = _newest(summaries)
        yield self._page("", "home.html", lastmod=newest, latest=recent[:HOME_LATEST],
                         totals=totals(summaries, config), article_count=len(summaries))
        for page in paged("articles/", recent, len(recent), self._per_page("articles.html")):
            yield self._page(page.path, "articles.html", lastmod=newest, stream=True, articles=page.entries,
                             pager=page.pager, article_count=len(recent))
        # (an archive's own claims page that names no verdict's pages lists every claim, as it always did)
        claims_paged = self.renderer.names("claims.html", "all_claims")
        yield self._page("claims/", "claims.html", lastmod=newest, stream=True,
                         groups=claim_groups(summaries, config, claims_paged))
        for group, page in verdict_pages(summaries, config, claims_paged):
            yield self._page(page.path, "claims-verdict.html", lastmod=newest, stream=True, group=group, page=page)
        tags = group_by_tag(summaries)
        yield self._page("tags/", "tags.html", lastmod=newest,
                         tags=[(tag, len(entries)) for tag, entries in tags.items()])
        for tag, entries in tags.items():
            lastmod = _newest(entries)
            for page in paged(f"tags/{tag}/", entries, len(entries), self._per_page("tag.html")):
                yield self._page(page.path, "tag.html", lastmod=lastmod, stream=True, tag=tag, articles=page.entries,
                                 pager=page.pager, article_count=len(entries))
        outlets = group_by_outlet(summaries)
        yield self._page("sources/", "sources.html", lastmod=newest,
                         outlets=[OutletCount(slug, name, len(entries)) for slug, (name, entries) in outlets.items()])
        for slug, (name, entries) in outlets.items():
            lastmod = _newest(entries)
            for page in paged(f"sources/{slug}/", entries, len(entries), self._per_page("source.html")):
                yield self._page(page.path, "source.html", lastmod=lastmod, stream=True, outlet=name,
                                 articles=page.entries, pager=page.pager, article_count=len(entries))
        yield self._page("search/", "search.html")
        yield self._page("404.html", "404.html")
        # the feed tells subscribers what is new in the archive: an article of 2010 annotated today is
        # (entries by the day each last changed here: its newest note's, or its publication's)
        changed = sorted(summaries, key=lambda s: (s.last_modified or s.published, s.published, s.slug),
                         reverse=True)[:FEED_ENTRIES]
        feed_updated = changed[0].last_modified or changed[0].published if changed else "1970-01-01"
        yield self._page("feed.xml", "feed.xml", articles=changed, updated=feed_updated)
        yield self._page("robots.txt", "robots.txt")

    def _per_page(self, template: str) -> int:
        """A list's articles a page: all of them for an archive's own template that shows no pager."""
        return ARTICLES_PER_PAGE if self.renderer.names(template, "pager") else sys.maxsize

    def changes_feed(self, summaries: Sequence[ArticleSummary]) -> Page:
        """/changes.xml: the newest changes the outlets made to the archive's articles."""
        changes = feed_changes(summaries, self.config, FEED_ENTRIES)
        return self._page("changes.xml", "changes-feed.xml", changes=changes,
                          updated=changes[0].at if changes else "1970-01-01T00:00:00Z")

    def annotations_feed(self, entries: Sequence[Any], updated: str | None) -> Page:
        return self._page("annotations.xml", "annotations-feed.xml", entries=entries, updated=updated or "1970-01-01")

    def sitemap(self, listed: Sequence[tuple[str, str]], summaries: Sequence[ArticleSummary]) -> list[Page]:
        """Every listed page, as (path, lastmod); the article pages were rendered by workers and come
        from their summaries. Over SITEMAP_URLS pages, sitemaps.org's limit for one file, the pages
        are in sitemap-1.xml, sitemap-2.xml…, and sitemap.xml is their index."""
        pages = dict(listed)
        for s in summaries:  # an article's page, its earlier texts' and the changes between them
            # (changed when a note was, or when the outlet's new text was captured)
            lastmod = max(s.last_modified, s.changes[-1].at.date().isoformat() if s.changes else "")
            pages.update((path, lastmod) for path in [s.path, *(version_path(s.slug, v) for v in s.versions),
                                                      *([changes_path(s.slug)] if s.versions else [])])
        entries = sorted(pages.items())
        if len(entries) <= SITEMAP_URLS:
            return [Page("sitemap.xml", self.renderer.render("sitemap.xml", pages=entries))]
        parts = [entries[start:start + SITEMAP_URLS] for start in range(0, len(entries), SITEMAP_URLS)]
        files = [Page(f"sitemap-{n}.xml", self.renderer.render("sitemap.xml", pages=part))
                 for n, part in enumerate(parts, 1)]
        index = [(page.file, max(lastmod for _, lastmod in part)) for page, part in zip(files, parts, strict=True)]
        return [*files, Page("sitemap.xml", self.renderer.render("sitemap-index.xml", sitemaps=index))]

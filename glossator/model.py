"""The archive as plain data: what each stage hands to the next. Every stage imports this
module; none imports another stage. Nothing here does work beyond reading its own fields.

In the order of the build: the inputs found (ArticleInput), the raw documents read from
them (YNode trees in RawArticle, RawAnnotations), the validated archive (SiteConfig,
Article, Annotation), the anchored article (Anchor, AnnotatedArticle), and what the
listings need of it (ArticleSummary, ClaimEntry). The site's URL scheme is here too, so
that pages, exports, search and the live preview agree on it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from markupsafe import Markup

Kind = Literal["claim", "sourcing", "context"]
KINDS: tuple[Kind, ...] = ("claim", "sourcing", "context")
KIND_LABELS: Mapping[str, str] = MappingProxyType({"claim": "Claim", "sourcing": "Sourcing note", "context": "Context"})
CLOSE_ENOUGH = 60  # words of a quote's closest passage below this similarity (%) are no clue (`check`, `new`)
# What `new` writes where a contributor must fill something in; `check` refuses it left in place.
PLACEHOLDER = "TODO"
# Element ids the templates use on article pages; an annotation id becomes an element id
# too (its permalink), so it may not be one of these or start like a highlight's id.
RESERVED_IDS = frozenset({
    "main", "page-text", "notes-heading", "article-notes-heading", "earlier-notes-heading", "latest-heading",
    "totals-heading",
    "site-search-q", "home-search-q", "search-q", "search-results", "search-filters", "search-keys",
    "search-more", "search-status",
})
RESERVED_ID_PREFIXES = ("hl-", "ref-")


# --- the site's URL scheme ------------------------------------------------------

ARTICLE_PAGES_GLOB = "articles/*/index.html"  # every article page, as a site path pattern
_ARTICLE_PAGE = re.compile(r"articles/([a-z0-9][a-z0-9-]*)/index\.html\Z")


def article_path(slug: str) -> str:
    """An article's folder in the site, relative to its root: its page, collection and notes' permalinks."""
    return f"articles/{slug}/"


def article_page(slug: str) -> str:
    """The file of an article's page, relative to the site root."""
    return article_path(slug) + "index.html"


def version_path(slug: str, version: str) -> str:
    """The page of one text of an article, earlier or current: its permalink."""
    return article_path(slug) + f"versions/{version}/"


def slug_of_page(site_path: str) -> str | None:
    """The article whose page this site path is, or None for any other file."""
    return match.group(1) if (match := _ARTICLE_PAGE.match(site_path)) else None


# --- inputs and raw documents (load) -------------------------------------------


@dataclass(frozen=True)
class ArticleInput:
    """One article to build: its Markdown file and its annotation file, if it has one."""

    slug: str
    article_path: Path
    annotation_path: Path | None
    version_paths: tuple[Path, ...] = ()  # its earlier texts: versions/<slug>/<id>.md, by name


@dataclass(slots=True, eq=False)  # smaller and quicker to make: an annotation file has hundreds of nodes
class YNode:
    """A YAML node with its position: a scalar's Python value, a list of nodes, or a dict of nodes."""

    kind: str  # "scalar" | "sequence" | "mapping"
    value: Any
    line: int
    col: int
    end_line: int = 0
    end_col: int = 0
    # A mapping's key nodes (`keys`), so diagnostics can point at a key. The line reader
    # (load/yamllines.py) gives them as (key, line, column), made into nodes when first asked for:
    # a file has a hundred keys, and only a diagnostic ever looks at one.
    key_nodes: dict[str, YNode] | list[tuple[str, int, int]] | None = None
    quoted: bool = False

    @property
    def keys(self) -> dict[str, YNode]:
        if type(keys := self.key_nodes) is not dict:
            keys = self.key_nodes = {key: YNode("scalar", key, line, col, line, col + len(key))
                                     for key, line, col in keys or ()}
        return keys

    def get(self, key: str) -> YNode | None:
        if self.kind != "mapping":
            return None
        node: YNode | None = self.value.get(key)
        return node

    def __eq__(self, other: object) -> bool:  # (key nodes as nodes, however they were given)
        if type(other) is not YNode:
            return NotImplemented
        return ((self.kind, self.value, self.line, self.col, self.end_line, self.end_col, self.keys, self.quoted)
                == (other.kind, other.value, other.line, other.col, other.end_line, other.end_col, other.keys,
                    other.quoted))

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True)
class RawSite:
    """site.yaml as read: None when the archive has none (the defaults apply)."""

    path: str
    root: YNode | None


@dataclass(frozen=True)
class RawArticle:
    path: str
    slug: str
    front: YNode | None
    body: str
    body_line: int


@dataclass(frozen=True)
class RawAnnotations:
    path: str
    slug: str
    root: YNode | None


# --- the validated archive (validate) ------------------------------------------


@dataclass(slots=True)  # (this, Source, Annotation, Anchor: 15 an article; no frozen __init__'s object.__setattr__)
class Position:
    path: str
    line: int
    col: int


@dataclass(frozen=True)
class Verdict:
    id: str
    label: str
    rating: int | None
    description: str = ""


@dataclass(frozen=True)
class SiteConfig:
    title: str
    description: str
    base_url: str  # absolute, ends with "/"
    repo_url: str  # e.g. https://github.com/owner/repo, or ""
    repo_branch: str
    language: str
    verdicts: tuple[Verdict, ...]
    max_file_bytes: int = 1_000_000
    search_shard_size: int = 500  # articles a search bundle (search/shards.py)

    @cached_property  # (asked once an article or more; a frozen dataclass keeps it in __dict__)
    def base_path(self) -> str:
        """The path part of base_url ("/" or "/sub/"): every internal link starts with it."""
        rest = self.base_url.split("://", 1)[-1]
        path = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
        return path if path.endswith("/") else path + "/"

    @cached_property
    def verdict_ids(self) -> tuple[str, ...]:
        return tuple(v.id for v in self.verdicts)

    def verdict(self, verdict_id: str) -> Verdict | None:
        for verdict in self.verdicts:
            if verdict.id == verdict_id:
                return verdict
        return None

    @cached_property
    def best_rating(self) -> int | None:
        return max((v.rating for v in self.verdicts if v.rating is not None), default=None)

    @property
    def worst_rating(self) -> int | None:
        return min((v.rating for v in self.verdicts if v.rating is not None), default=None)


@dataclass(frozen=True)
class Capture:  # front matter `captured`: when the text was read, and what from
    at: dt.datetime  # aware, UTC
    sha256: str = ""
    read_from: str = ""
    headline: str = ""  # the page's own headline when `add` read it (an editor may correct `title`)


@dataclass(slots=True)
class Source:
    title: str
    url: str
    publisher: str = ""
    date: str = ""
    archived: str = ""


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(slots=True)
class Annotation:
    id: str
    kind: Kind
    note: str  # Markdown
    by: tuple[str, ...]
    added: dt.date
    position: Position  # the list item in the annotation file
    quote: str | None = None  # None: a note on the whole article
    prefix: str | None = None
    suffix: str | None = None
    verdict: str | None = None
    sources: tuple[Source, ...] = ()
    links: tuple[Link, ...] = ()
    updated: dt.date | None = None
    version: str | None = None  # the text it stays on (a version id); None: the current text
    # each field's (line, column) in the annotation file (a Position is made only when one is asked for)
    field_positions: Mapping[str, tuple[int, int]] = field(default_factory=lambda: MappingProxyType({}),
                                                          compare=False, hash=False)

    def position_of(self, key: str) -> Position:
        return Position(self.position.path, *at) if (at := self.field_positions.get(key)) else self.position

    @property
    def last_modified(self) -> dt.date:
        return self.updated or self.added


@dataclass(frozen=True)
class Article:
    slug: str
    path: str  # relative to the archive root
    title: str
    source: str  # the outlet
    published: str  # YYYY, YYYY-MM or YYYY-MM-DD, as written
    body: str  # Markdown, line endings normalised
    body_line: int  # line of the file where the body starts
    language: str
    url: str = ""
    archived: str = ""
    author: str = ""
    tags: tuple[str, ...] = ()
    summary: str = ""
    draft: bool = False
    captured: Capture | None = None

    @property
    def year(self) -> str:
        return self.published[:4]

    @property
    def sort_key(self) -> tuple[str, str]:
        return (self.published, self.slug)


@dataclass(frozen=True)
class Version:  # one text of an article: an earlier one (versions/<slug>/<id>.md) or the current one
    id: str  # the capture's moment in UTC, YYYY-MM-DD-HHMM[SS]: permanent, its permalink
    path: str
    captured: Capture
    title: str  # the headline it had
    body: str
    body_line: int
    at_position: tuple[int, int] = (0, 0)  # (line, column) of its `captured.at`, for problems with its order


@dataclass(frozen=True)
class AnnotationSet:
    """One annotation file, validated."""

    path: str
    slug: str
    annotations: tuple[Annotation, ...]


# --- results of anchoring (anchor) ----------------------------------------------


@dataclass(slots=True)
class Anchor:
    """Where an annotation's quote landed in the page text (code point offsets)."""

    annotation_id: str
    start: int
    end: int
    exact: str  # verbatim page text[start:end]
    prefix: str  # up to 32 characters (UTF-16 units) of page text before
    suffix: str  # and after


@dataclass(frozen=True)
class AnnotatedArticle:
    article: Article
    annotations: tuple[Annotation, ...]  # anchored ones in reading order, then article-level ones
    page_text: str
    body_html: str
    anchors: Mapping[str, Anchor]
    numbers: Mapping[str, int]  # note numbers of anchored annotations, in reading order
    # each note's Markdown as HTML (raw HTML off), by id; empty, like body_html, when only checked
    note_html: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    version: str = ""  # the id of the earlier text these are; "" for the current one (the article page)
    history: History | None = None  # the current text's: every text, and what changed (None: one text)


DiffRun = tuple[Literal["equal", "delete", "insert"], str]  # (op, text diffed): old = equal+delete, new = equal+insert


@dataclass(frozen=True)
class TextChange:  # from one text of an article to the next, word by word
    before: str  # version ids
    after: str
    at: dt.datetime  # when `after` was captured
    words_added: int
    words_deleted: int
    words_changed: int  # each run of changes counts its longer side: a word replaced is one
    runs: tuple[DiffRun, ...] = ()  # () in listing summaries
    title_runs: tuple[DiffRun, ...] = ()  # () when the headline stayed
    blocks: tuple[tuple[tuple[int, int, str], ...], ...] = ((), ())  # the texts' (start, end, kind): anchor/blocks


@dataclass(frozen=True)
class History:
    texts: tuple[Version, ...]  # oldest first; the last is the current text
    earlier: tuple[AnnotatedArticle, ...]  # texts[:-1], each with the notes that stay on it
    changes: tuple[TextChange, ...]  # one per text after the first


# --- what the listings need of an article (render) ------------------------------

NO_HTML = Markup()


@dataclass(slots=True)  # (made for a macro and dropped: no frozen __init__'s object.__setattr__ per field)
class ClaimEntry:
    """A claim as its entry on the claims page shows it (rendered with the article, then only its HTML is kept)."""

    article_slug: str
    article_title: str
    language: str  # the article's: its title's and the quote's
    source: str
    published: str
    id: str
    quote: str
    verdict: str
    permalink: str  # on the page of the text it is on
    version: str = ""  # the earlier text it stays on, if not the current


@dataclass(frozen=True)
class ArticleSummary:
    """Lightweight listing data: all that listings, feeds and the sitemap need of an article."""

    slug: str
    path: str
    title: str
    source: str
    source_slug: str
    published: str
    author: str
    tags: tuple[str, ...]
    summary: str
    language: str  # the article's: its title's (the summary is the archive's, in the site's language)
    kind_counts: tuple[tuple[str, int], ...]
    verdict_counts: tuple[tuple[str, int], ...]
    # each claim's entry on the claims page by verdict, rendered with the article (templates/_items.html)
    # and packed (render/views.py pack_claims): the build holds every article's summary at once
    claims: tuple[tuple[str, bytes], ...]
    last_modified: str  # ISO date of the newest annotation, or ""
    # "<added> <id>" of each annotation, a line each, in file order: the archive's exports find the newest
    # annotations by them (150,000 at 10,000 articles, sent and cached as one text an article)
    feed_keys: str = ""
    item_html: Markup = NO_HTML  # its entry in article lists (templates/_items.html), rendered with the article
    versions: tuple[str, ...] = ()  # the ids of its earlier texts, oldest first
    changes: tuple[TextChange, ...] = ()  # what changed after publication, oldest first (without runs)

    @property
    def annotation_count(self) -> int:
        return sum(n for _, n in self.kind_counts)

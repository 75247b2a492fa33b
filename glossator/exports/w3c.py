"""The archive as data (pure functions → JSON-ready values; docs/data-format.md describes them).

- W3C Web Annotations: one AnnotationCollection per article and a paged one for the archive;
- the flat, versioned research export `/data/annotations.json`;
- the entries of the annotations feed.

Selectors come verbatim from the anchors (SPEC §6): `exact`, `prefix`, `suffix` are slices of
the page text, `start`/`end` count code points. Nothing here re-derives or re-folds them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..model import (
    KIND_LABELS,
    Anchor,
    AnnotatedArticle,
    Annotation,
    Article,
    SiteConfig,
    Source,
    article_path,
    version_path,
)
from .jsontext import ARRAY

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"  # exactly this IRI: the W3C suite rejects the https form
DATA_FORMAT = "glossator-annotations"
DATA_VERSION = 1  # bump only for changes that break readers (docs/data-format.md, "Versions")
ARCHIVE_PAGE_SIZE = 500  # annotations per page of /annotations.jsonld
PAGE_TEXT_SELECTOR = "#page-text"  # the page-text element of templates/article.html (SPEC §6)

# Web Annotation Vocabulary motivations (https://www.w3.org/TR/annotation-vocab/#motivation).
# A claim is judged true or false: `assessing`. A sourcing note says where the article's
# information comes from and how far to trust it: `commenting`. A context note points to
# background elsewhere: `linking`. docs/data-format.md documents the mapping.
MOTIVATIONS = {"claim": "assessing", "sourcing": "commenting", "context": "linking"}
# The purpose of the note body itself: what the words of the note do.
NOTE_PURPOSES = {"claim": "assessing", "sourcing": "commenting", "context": "describing"}


def _datetime(day: dt.date) -> str:
    """Annotation dates are days; the model wants xsd:dateTime, so midnight UTC."""
    return day.isoformat() + "T00:00:00Z"


def page_url(article: Article, config: SiteConfig) -> str:
    return config.base_url + article_path(article.slug)


def original_urls(article: Article) -> list[str]:
    return [url for url in (article.url, article.archived) if url]


@dataclass(frozen=True)
class ArticlePage:
    """What all the annotations of an article share in the exports, worked out once for them."""

    article: Article
    url: str  # the page the selectors refer to: the article's, or an earlier text's (its version page)
    target_source: dict[str, Any]  # the page as the source of a Web Annotation target
    notes_url: str = ""  # the article's page, where every note has its permalink (#id)
    version: str = ""  # the earlier text's id, when the page is one

    @property
    def permalink(self) -> str:
        return self.notes_url or self.url


def article_page(article: Article, config: SiteConfig, version: str = "") -> ArticlePage:
    """The page of the article (or of its earlier text `version`) as the exports name it."""
    url = page_url(article, config)
    text_url = config.base_url + version_path(article.slug, version) if version else url
    source: dict[str, Any] = {"id": text_url, "type": "Text", "format": "text/html", "language": article.language}
    originals = original_urls(article)
    if originals:
        # our page is a copy of the outlet's article: dcterms:source names what it derives from
        source["dcterms:source"] = originals[0] if len(originals) == 1 else originals
    return ArticlePage(article, text_url, source, url, version)


# --- W3C Web Annotation -------------------------------------------------------------


def _creators(annotation: Annotation) -> list[dict[str, str]]:
    return [{"type": "Person", "nickname": handle} for handle in annotation.by]


def _note_bodies(annotation: Annotation, note_html: str, language: str) -> dict[str, Any]:
    """The note in two formats. A Choice, because they are one note: a client shows one of
    them (the first, HTML, by default), not both as if they were two comments."""
    purpose = NOTE_PURPOSES[annotation.kind]
    return {"type": "Choice", "items": [
        {"type": "TextualBody", "purpose": purpose, "value": note_html, "format": "text/html", "language": language},
        {"type": "TextualBody", "purpose": purpose, "value": annotation.note, "format": "text/markdown",
         "language": language},
    ]}


def _source_body(source: Source, annotation: Annotation) -> dict[str, Any]:
    """A source of evidence. Both it and a context link are `linking` bodies; a source has the
    note's own purpose as well (it is what the note's judgement or comment rests on), so that a
    reader of the export tells the two lists apart even when a source has nothing but a title and URL."""
    resource: dict[str, Any] = {"id": source.url, "label": source.title}
    if source.publisher:
        resource["dcterms:publisher"] = source.publisher
    if source.date:
        resource["dcterms:date"] = source.date
    body: dict[str, Any] = {"type": "SpecificResource", "purpose": ["linking", NOTE_PURPOSES[annotation.kind]],
                            "source": resource}
    if source.archived:
        # TimeState (model §4.3.1): the source as it was on `sourceDate` (the day the annotation was
        # added: when its author read it), and `cached`, a copy of it then. The model requires the date.
        body["state"] = {"type": "TimeState", "sourceDate": _datetime(annotation.added), "cached": source.archived}
    return body


def _verdict_bodies(annotation: Annotation, config: SiteConfig) -> list[dict[str, Any]]:
    if not annotation.verdict:
        return []
    verdict = config.verdict(annotation.verdict)
    return [
        # what tag-reading clients (Hypothesis and its descendants) show
        {"type": "TextualBody", "purpose": "tagging", "value": verdict.label if verdict else annotation.verdict},
        # the same verdict as an IRI: its section of the claims page
        {"type": "SpecificResource", "purpose": "classifying",
         "source": config.base_url + "claims/#verdict-" + annotation.verdict},
    ]


def text_quote_selector(anchor: Anchor) -> dict[str, Any]:
    """The words, with the page text around them. An empty `prefix` (the quote opens the page
    text) or `suffix` is left out, as the model allows: clients descended from dom-anchor-text-quote
    take `""` as a prefix they must find, search from the middle of the text and then ignore the suffix."""
    selector: dict[str, Any] = {"type": "TextQuoteSelector", "exact": anchor.exact}
    if anchor.prefix:
        selector["prefix"] = anchor.prefix
    if anchor.suffix:
        selector["suffix"] = anchor.suffix
    return selector


def _target(anchor: Anchor | None, page: ArticlePage) -> dict[str, Any] | str:
    if anchor is None:
        return page.url  # a note on the whole article (or on the whole of an earlier text): the page itself
    return {
        "type": "SpecificResource",
        "source": page.target_source,  # one dict for all the article's annotations: they are encoded apart
        "selector": [
            # Unique in the whole page (the page repeats no quoted words outside the page text: SPEC §6),
            # so a client may resolve it against document.body, as the Hypothesis client does.
            text_quote_selector(anchor),
            # Offsets count in the page-text element only: the CssSelector says which text they count in.
            {"type": "CssSelector", "value": PAGE_TEXT_SELECTOR,
             "refinedBy": {"type": "TextPositionSelector", "start": anchor.start, "end": anchor.end}},
        ],
    }


def web_annotation(annotation: Annotation, anchor: Anchor | None, page: ArticlePage, config: SiteConfig,
                   note_html: str) -> dict[str, Any]:
    """One annotation as a W3C Web Annotation; `anchor`: where its quote is (None: on the whole article)."""
    # (the note is the archive's, in its language; the target's source says the article's)
    body: list[dict[str, Any]] = [_note_bodies(annotation, note_html, config.language)]
    body += _verdict_bodies(annotation, config)
    body += [_source_body(source, annotation) for source in annotation.sources]
    body += [{"type": "SpecificResource", "purpose": "linking", "source": {"id": link.url, "label": link.title}}
             for link in annotation.links]
    item: dict[str, Any] = {
        "id": page.permalink + "#" + annotation.id,
        "type": "Annotation",
        "motivation": MOTIVATIONS[annotation.kind],
        "creator": _creators(annotation),
        "created": _datetime(annotation.added),
        "body": body,
        "target": _target(anchor, page),
    }
    if annotation.updated:
        item["modified"] = _datetime(annotation.updated)
    return item


def _collection(collection_id: str, label: str, total: int, first: dict[str, Any] | None,
                last_id: str) -> dict[str, Any]:
    collection: dict[str, Any] = {"@context": ANNO_CONTEXT, "id": collection_id, "type": "AnnotationCollection",
                                  "label": label, "total": total}
    if total:  # model §5.1/5.2: an empty collection has no pages (a page holds at least one annotation)
        collection.update(first=first, last=last_id)
    return collection


def collection_items(collection: dict[str, Any]) -> list[dict[str, Any]]:
    """The annotations of a one-page collection (an article's)."""
    return collection["first"]["items"] if "first" in collection else []


def annotation_collection(annotated: AnnotatedArticle, config: SiteConfig, total: int | None = None
                          ) -> dict[str, Any]:
    """`/articles/<slug>/annotations.jsonld`: one collection, one embedded page whose items are ARRAY.
    `total`: its annotations, those on the article's earlier texts included (default: the current text's)."""
    collection_id = page_url(annotated.article, config) + "annotations.jsonld"
    first_id = collection_id + "#page-1"
    first = {"id": first_id, "type": "AnnotationPage", "partOf": collection_id, "startIndex": 0, "items": ARRAY}
    total = len(annotated.annotations) if total is None else total
    return _collection(collection_id, f"Annotations of “{annotated.article.title}”", total, first, first_id)


@dataclass(frozen=True)
class ArchivePage:
    path: str  # site path
    document: dict[str, Any]  # its "items" (or its first page's) are ARRAY, for merge.py to stream in
    items: range  # which annotations of the archive, in slug order, it holds


def archive_collection(total: int, config: SiteConfig, page_size: int = 0) -> list[ArchivePage]:
    """`/annotations.jsonld` and its pages `/annotations/page-<n>.jsonld`, for `total` annotations.

    The collection embeds its first page (so a small archive is one request); every page is
    also a file of its own, linked by `next`/`prev`, so a client can walk a large archive."""
    collection_id = config.base_url + "annotations.jsonld"
    page_size = page_size or ARCHIVE_PAGE_SIZE
    count = -(-total // page_size)

    def page_id(n: int) -> str:
        return f"{config.base_url}annotations/page-{n}.jsonld"

    pages: list[ArchivePage] = []
    for n in range(1, count + 1):
        start = (n - 1) * page_size
        page: dict[str, Any] = {"@context": ANNO_CONTEXT, "id": page_id(n), "type": "AnnotationPage",
                                "partOf": collection_id, "startIndex": start, "items": ARRAY}
        if n > 1:
            page["prev"] = page_id(n - 1)
        if n < count:
            page["next"] = page_id(n + 1)
        pages.append(ArchivePage(f"annotations/page-{n}.jsonld", page, range(start, min(total, start + page_size))))
    first = {k: v for k, v in pages[0].document.items() if k != "@context"} if pages else None
    collection = _collection(collection_id, f"{config.title}: every annotation", total, first, page_id(count))
    return [ArchivePage("annotations.jsonld", collection, pages[0].items if pages else range(0)), *pages]


# --- the flat research export ---------------------------------------------------------


def _source_record(source: Source) -> dict[str, Any]:
    return {"title": source.title, "url": source.url, "publisher": source.publisher or None,
            "date": source.date or None, "archived": source.archived or None}


def annotation_record(annotation: Annotation, anchor: Anchor | None, page: ArticlePage, config: SiteConfig,
                      note_html: str) -> dict[str, Any]:
    article = page.article
    verdict = config.verdict(annotation.verdict) if annotation.verdict else None
    return {
        "id": annotation.id,
        "url": page.permalink + "#" + annotation.id,
        "article": article.slug,
        "version": page.version or None,  # the earlier text it stays on; null: the current text
        "text_url": page.url,  # the page whose text exact/prefix/suffix/start/end refer to
        "article_title": article.title,
        "outlet": article.source,
        "kind": annotation.kind,
        "motivation": MOTIVATIONS[annotation.kind],
        "verdict": annotation.verdict,
        "verdict_label": verdict.label if verdict else None,
        "rating": verdict.rating if verdict else None,
        "quote": annotation.quote,
        "exact": anchor.exact if anchor else None,
        "prefix": (anchor.prefix or None) if anchor else None,  # null, never "": at the edges of the text
        "suffix": (anchor.suffix or None) if anchor else None,
        "start": anchor.start if anchor else None,
        "end": anchor.end if anchor else None,
        "note": annotation.note,
        "note_html": note_html,
        "sources": [_source_record(s) for s in annotation.sources],
        "links": [{"title": link.title, "url": link.url} for link in annotation.links],
        "by": list(annotation.by),
        "added": annotation.added.isoformat(),
        "updated": annotation.updated.isoformat() if annotation.updated else None,
    }


def article_record(article: Article, config: SiteConfig, count: int) -> dict[str, Any]:
    url = page_url(article, config)
    return {
        "slug": article.slug,
        "url": url,
        "annotations_url": url + "annotations.jsonld",
        "title": article.title,
        "outlet": article.source,
        "published": article.published,
        "author": article.author or None,
        "language": article.language,
        "tags": list(article.tags),
        "summary": article.summary or None,
        "original_url": article.url or None,
        "archived_url": article.archived or None,
        "annotation_count": count,
    }


def article_data_path(slug: str) -> str:
    return f"data/articles/{slug}.json"


def _documentation_url(config: SiteConfig) -> str | None:
    """docs/data-format.md on the repository (GitHub's URL form, as the "suggest an annotation" link assumes)."""
    return f"{config.repo_url}/blob/{config.repo_branch}/docs/data-format.md" if config.repo_url else None


def data_document(config: SiteConfig, updated: str | None) -> dict[str, Any]:
    """`data/articles/<slug>.json`, and `/data/annotations.json` that merges them, with their
    `articles` and `annotations` left as ARRAY. `updated`: the newest `added` or `updated` date."""
    return {
        "format": DATA_FORMAT,
        "version": DATA_VERSION,
        "documentation": _documentation_url(config),
        "site": {"title": config.title, "url": config.base_url},
        "updated": updated,
        "kinds": [{"id": k, "label": label, "motivation": MOTIVATIONS[k]} for k, label in KIND_LABELS.items()],
        "verdicts": [{"id": v.id, "label": v.label, "rating": v.rating, "description": v.description or None}
                     for v in config.verdicts],
        "articles": ARRAY,
        "annotations": ARRAY,
    }


# --- the annotations feed -------------------------------------------------------------


@dataclass(frozen=True)
class FeedEntry:
    """One annotation as the Atom feed of annotations shows it."""

    id: str
    url: str  # the permalink
    article_title: str
    kind_label: str
    verdict_label: str
    quote: str  # white space collapsed, as the notes list shows it
    note_html: str  # our Markdown renderer's output (raw HTML off)
    by: tuple[str, ...]
    added: str
    updated: str


def newest_annotations(per_article: Sequence[dict[str, Any]], limit: int) -> list[FeedEntry]:
    """The most recently added annotations, newest first, from the flat records."""
    records = sorted((r for doc in per_article for r in doc["annotations"]),
                     key=lambda r: (r["added"], r["article"], r["id"]), reverse=True)[:limit]
    return [
        FeedEntry(
            id=r["id"],
            url=r["url"],
            article_title=r["article_title"],
            kind_label=KIND_LABELS[r["kind"]],
            verdict_label=r["verdict_label"] or "",
            quote=" ".join((r["exact"] or "").split()),
            note_html=r["note_html"],
            by=tuple(r["by"]),
            added=r["added"],
            updated=r["updated"] or r["added"],
        )
        for r in records
    ]

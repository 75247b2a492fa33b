"""One article, every export: its two data files, written beside its page (in a worker, for
parallel builds); the archive-wide exports are then merged from these files (merge.py)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin

from markupsafe import escape

from ..model import AnnotatedArticle, SiteConfig
from .jsontext import Layout, dumps, layout, to_text
from .w3c import annotation_collection, annotation_record, article_page, article_record, data_document, web_annotation


@dataclass(frozen=True)
class ArticleExport:
    """An article's two data files, as text."""

    collection: str  # articles/<slug>/annotations.jsonld
    data: str  # data/articles/<slug>.json


# An href our Markdown renderer wrote (attribute-escaped; `javascript:` and the like never get one).
_LINK = re.compile(r'\b(href|src)="([^"]*)"')  # a link's, or an image's (images from the site's own host)
_ABSOLUTE = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")


def absolute_links(note_html: str, base: str) -> str:
    """The note's links and images made absolute against the page it is shown on: the exports and the
    feed are read elsewhere (a feed reader resolves a relative link against the feed's own address)."""
    if 'href="' not in note_html and 'src="' not in note_html:
        return note_html

    def absolute(match: re.Match[str]) -> str:
        address = html.unescape(match.group(2))
        if _ABSOLUTE.match(address):
            return match.group(0)
        return f'{match.group(1)}="{escape(urljoin(base, address))}"'

    return _LINK.sub(absolute, note_html)


def article_export(annotated: AnnotatedArticle, config: SiteConfig) -> ArticleExport:
    """The current text's annotations in reading order, then those that stayed on earlier texts, text
    by text, oldest first: each targets the page of its own text (its selectors were taken there)."""
    texts = (annotated, *annotated.history.earlier) if annotated.history else (annotated,)
    items, records, dates = [], [], []
    for text in texts:
        # (an earlier text is the article with its own words and headline: its page is named by the article's)
        page = article_page(annotated.article, config, text.version)
        for annotation in text.annotations:
            note_html = absolute_links(text.note_html[annotation.id], page.url)
            anchor = text.anchors.get(annotation.id)
            items.append(dumps(web_annotation(annotation, anchor, page, config, note_html)))
            records.append(dumps(annotation_record(annotation, anchor, page, config, note_html)))
            dates.append(annotation.last_modified.isoformat())
    article = dumps(article_record(annotated.article, config, len(records)))
    collection = annotation_collection(annotated, config, len(items))
    return ArticleExport(to_text(collection, {"items": items} if items else {}),
                         to_text(_data_layout(config, max(dates, default=None)),
                                 {"articles": [article], "annotations": records}))


@lru_cache(maxsize=512)
def _data_layout(config: SiteConfig, updated: str | None) -> Layout:
    """The text around an article data file's two arrays: the same for every article of a day."""
    return layout(data_document(config, updated))

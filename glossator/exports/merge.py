"""The archive-wide exports, merged from the per-article data files the workers wrote.

`/annotations.jsonld` with its pages and `/data/annotations.json` hold every annotation
of the archive: hundreds of megabytes at 10,000 articles. The per-article files hold one
annotation per line (jsontext.py), so the merge joins lines and never parses or holds
the whole: one article's files are in memory at a time. Articles reused from the build
cache are merged from their files in the current site, exactly like the new ones.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

from ..model import ArticleSummary, SiteConfig
from .jsontext import split_arrays, write_document
from .w3c import FeedEntry, archive_collection, article_data_path, data_document, newest_annotations

COLLECTION = "annotations.jsonld"  # in each article's folder, and at the site root
DATA_DUMP = "data/annotations.json"


@dataclass(frozen=True)
class ArchiveData:
    updated: str | None  # the newest `added` or `updated` date in the archive
    newest: list[FeedEntry]  # for the annotations feed, newest first


class DamagedExport(Exception):
    """A per-article file of the current site does not hold what the build cache says it does:
    it was changed after it was built."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def _elements(site: Path, path: str, name: str, expected: int) -> list[str]:
    # (a plain string path: 30,000 files at 10k articles, and Path objects cost more than the reads)
    try:
        with open(f"{site}/{path}", encoding="utf-8") as stream:
            elements = split_arrays(stream.read()).get(name, [])
    except (OSError, ValueError) as exc:  # (UnicodeDecodeError is a ValueError)
        raise DamagedExport(path, f"the built file cannot be read ({exc}): it was changed after it was built") from None
    if len(elements) != expected:
        raise DamagedExport(path, f"the built file holds {len(elements)} {name}, not {expected}: "
                                  "it was changed after it was built")
    return elements


def _open(site: Path, path: str) -> TextIO:
    target = site / path
    target.parent.mkdir(parents=True, exist_ok=True)
    return target.open("w", encoding="utf-8", newline="\n")


def write_archive_data(site: Path, summaries: Sequence[ArticleSummary], config: SiteConfig,
                       feed_entries: int) -> ArchiveData:
    ordered = sorted(summaries, key=lambda s: s.slug)
    total = sum(len(s.feed_keys) for s in ordered)
    newest = heapq.nlargest(feed_entries, ((added, s.slug, id_, i) for s in ordered
                                           for i, (added, id_) in enumerate(s.feed_keys)))
    wanted = {(slug, i) for _, slug, _, i in newest}
    updated = max((s.last_modified for s in ordered if s.last_modified), default=None)

    def items() -> Iterator[str]:
        for s in ordered:
            yield from _elements(site, s.path + COLLECTION, "items", len(s.feed_keys))

    collection, *pages = archive_collection(total, config)
    stream = items()
    first: list[str] = []
    for page in pages:
        chunk = list(islice(stream, len(page.items)))
        first = first or chunk
        with _open(site, page.path) as out:
            write_document(out, page.document, {"items": chunk})
    with _open(site, collection.path) as out:
        write_document(out, collection.document, {"items": first} if total else {})

    feed_records: list[dict[str, Any]] = []
    article_lines: list[str] = []

    def records() -> Iterator[str]:
        for s in ordered:
            path = article_data_path(s.slug)
            article_lines.extend(_elements(site, path, "articles", 1))
            for i, line in enumerate(_elements(site, path, "annotations", len(s.feed_keys))):
                if (s.slug, i) in wanted:
                    feed_records.append(json.loads(line))
                yield line

    def articles() -> Iterator[str]:
        # "annotations" sorts before "articles", so every record has been read by now
        assert len(article_lines) == len(ordered), "the data dump's arrays were written out of order"
        yield from article_lines

    with _open(site, DATA_DUMP) as out:
        write_document(out, data_document(config, updated), {"annotations": records(), "articles": articles()})
    return ArchiveData(updated, newest_annotations([{"annotations": feed_records}], feed_entries))

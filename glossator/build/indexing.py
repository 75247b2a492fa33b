"""The search stage of one build: which shards keep their bundle from the last build, and each
of the others indexed as soon as its pages are written (search/queue.py), while the workers
render the next shard.

A shard's bundle is kept when the cache keys of all its articles (their files, templates,
settings and the engine) are those the bundle was indexed from: the same keys make the
same pages, and the same pages the same bundle, so a cached build stays byte-identical to
a clean one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..diagnostics import Diagnostic
from ..search.queue import ShardQueue
from ..search.shards import Shards
from .article import ArticleOutcome
from .cache import CachedArticle, fingerprint, link_files
from .plan import Plan

ENTRY = "pagefind-entry.json"


class ShardedIndex:
    def __init__(self, plan: Plan, site_dir: Path, previous_site: Path, *, search: bool,
                 article_keys: Mapping[str, str], previous_keys: Mapping[str, str]) -> None:
        self.shards = Shards.for_archive(len(plan.articles), plan.config.search_shard_size)
        self.members = self.shards.split(plan.articles)  # every article, drafts too: their shard is their slug's
        self.site_dir = site_dir
        self.previous_site = previous_site
        self.queue = ShardQueue(site_dir, plan.config) if search else None
        # an article's key covers its page; a shard's, the pages of all its articles
        self.keys = {self.shards.folder(shard): fingerprint(plan.config.language, self.shards.folder(shard),
                                                            *(f"{slug}\0{article_keys[slug]}" for slug in slugs))
                     for shard, slugs in self.members.items()} if article_keys else {}
        self.previous_keys = previous_keys
        self.kept: set[int] = set()
        self._pending: Counter[int] = Counter()
        self._published: dict[int, list[str]] = {shard: [] for shard in self.members}

    def start(self, reused: Mapping[str, CachedArticle], dirty: Iterable[str]) -> list[str]:
        """Keep the bundles still good (linked from the previous site); the dirty articles come back
        in the order to render them, shard by shard, so that shards are ready one after another."""
        order = sorted(dirty, key=lambda slug: (self.shards.of(slug), slug))
        self._pending.update(self.shards.of(slug) for slug in order)
        for slug in reused:
            self._published[self.shards.of(slug)].append(slug)
        if self.queue is None:
            return order
        for shard in self.members:
            folder = self.shards.folder(shard)
            old = self.previous_site / folder
            if self.keys and self.previous_keys.get(folder) == self.keys[folder] and (old / ENTRY).is_file():
                link_files(self.previous_site, self.site_dir, _files_under(self.previous_site, folder))
                self.kept.add(shard)
            elif not self._pending[shard]:
                self._ready(shard)
        return order

    def rendered(self, outcomes: list[ArticleOutcome]) -> None:
        """A batch of articles is written: index each shard that has all of its pages now."""
        for outcome in outcomes:
            shard = self.shards.of(outcome.slug)
            if outcome.summary is not None:
                self._published[shard].append(outcome.slug)
            self._pending[shard] -= 1
            if not self._pending[shard] and self.queue is not None and shard not in self.kept:
                self._ready(shard)

    def _ready(self, shard: int) -> None:
        assert self.queue is not None
        if self._published[shard]:  # a shard of drafts only has no bundle
            self.queue.ready(self.shards.folder(shard), sorted(self._published[shard]))

    def finish(self) -> list[Diagnostic]:
        return self.queue.finish() if self.queue is not None else []

    def stop(self) -> None:
        if self.queue is not None:
            self.queue.stop()

    def bundles(self) -> list[str]:
        """The bundles the search page merges: those of the shards with a published article."""
        return [self.shards.folder(shard) for shard, slugs in self._published.items() if slugs]

    def saved_keys(self) -> dict[str, str]:
        """What the next build compares: the keys of the bundles this one wrote or kept."""
        if self.queue is None:
            return {}
        return {folder: self.keys[folder] for folder in self.bundles() if folder in self.keys}


def _files_under(root: Path, folder: str) -> tuple[str, ...]:
    return tuple(p.relative_to(root).as_posix() for p in sorted((root / folder).rglob("*")) if p.is_file())

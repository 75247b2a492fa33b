"""The search stage of one build: which shards keep their bundle from the last build, each of
the others indexed as soon as its pages are written (search/queue.py) while the workers render
the next shard, and at the end the shards merged into the site's one bundle (search/merge.py).

Shard bundles live in the build cache's folder (`search/<key>/`), named by a key made of the
cache keys of all their articles (their files, templates, settings and the engine, Pagefind's
version included): the same keys make the same pages, and the same pages the same bundle, so
a kept bundle is the one a clean build would index, and the merged bundle byte-identical.
A build without the cache indexes into a scratch folder beside the staged site.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..diagnostics import Diagnostic
from ..search.pagefind import ENTRY
from ..search.queue import ShardQueue
from ..search.shards import BUNDLE, Shards
from .article import ArticleOutcome
from .cache import CachedArticle, fingerprint
from .plan import Plan

CHUNKS = "chunks"  # in the store: the merged bundle's index chunks, compressed, by their content's digest


class ShardedIndex:
    def __init__(self, plan: Plan, site_dir: Path, store: Path, *, search: bool,
                 article_keys: Mapping[str, str]) -> None:
        self.shards = Shards.for_archive(len(plan.articles), plan.config.search_shard_size)
        self.members = self.shards.split(plan.articles)  # every article, drafts too: their shard is their slug's
        self.site_dir = site_dir
        self.store = store
        self.config = plan.config
        self.queue = ShardQueue(site_dir, plan.config) if search else None
        # an article's key covers its page; a shard's, the pages of all its articles
        self.keys = {shard: fingerprint(plan.config.language, self.shards.name(shard),
                                        *(f"{slug}\0{article_keys[slug]}" for slug in slugs))
                     for shard, slugs in self.members.items()} if article_keys else {}
        self.kept: set[int] = set()
        self._pending: Counter[int] = Counter()
        self._published: dict[int, list[str]] = {shard: [] for shard in self.members}
        self._chunks: set[str] = set()  # the compressed index chunks the merged bundle uses

    def bundle(self, shard: int) -> Path:
        """Where the shard's bundle is (or goes): by its key, or by its place when there is no cache."""
        return self.store / (self.keys[shard] if self.keys else self.shards.name(shard))

    def first_pages(self, reused: Mapping[str, CachedArticle], dirty: Iterable[str]) -> list[str]:
        """Which shards keep their bundle; the reused articles of the others, whose pages (linked from
        the last build) Pagefind needs first: the rest may be linked while it runs."""
        pending = {self.shards.of(slug) for slug in dirty}
        if self.queue is not None and self.keys:
            self.kept = {shard for shard in self.members
                         if (self.bundle(shard) / ENTRY).is_file()}  # (pending pages: the same again)
        if self.queue is None:
            return []
        return [slug for slug in reused if self.shards.of(slug) in pending or self.shards.of(slug) not in self.kept]

    def start(self, reused: Mapping[str, CachedArticle], dirty: Iterable[str]) -> list[str]:
        """Index the shards whose pages are all there; the dirty articles come back in the order to
        render them, shard by shard, so that shards are ready one after another."""
        order = sorted(dirty, key=lambda slug: (self.shards.of(slug), slug))
        self._pending.update(self.shards.of(slug) for slug in order)
        for slug in reused:
            self._published[self.shards.of(slug)].append(slug)
        if self.queue is None:
            return order
        for shard in self.members:
            if shard not in self.kept and not self._pending[shard]:
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
            self.queue.ready(self.bundle(shard), sorted(self._published[shard]), self.shards.label(shard))

    def seal(self) -> None:
        """Every article is rendered: once the last shards are indexed, merge them all into the
        site's bundle (on the queue's thread, while the listings are written)."""
        bundles = [self.bundle(shard) for shard, slugs in self._published.items() if slugs]
        if self.queue is not None and bundles:
            self.queue.merge(bundles, self.site_dir / BUNDLE, self.store / CHUNKS)

    def finish(self) -> list[Diagnostic]:
        """Wait for the shards still being indexed and their merge."""
        if self.queue is None:
            return []
        problems = self.queue.finish()
        if problems and self.queue.merge_failed and self.kept:
            problems = self._index_kept_again()
        self._chunks = self.queue.chunks
        return problems

    def _index_kept_again(self) -> list[Diagnostic]:
        """A bundle kept in the cache could not be read (a damaged cache): as for the rest of the
        cache, that means indexing again, not an error. The kept shards are indexed from their
        pages (linked into the site being built) and everything merged again."""
        for shard in self.kept:
            shutil.rmtree(self.bundle(shard), ignore_errors=True)
        shutil.rmtree(self.site_dir / BUNDLE, ignore_errors=True)  # the failed merge's
        shutil.rmtree(self.store / CHUNKS, ignore_errors=True)
        kept, self.kept = sorted(self.kept), set()
        self.queue = ShardQueue(self.site_dir, self.config)
        for shard in kept:
            self._ready(shard)
        self.seal()
        return self.queue.finish()

    def stop(self) -> None:
        if self.queue is not None:
            self.queue.stop()

    def close(self, built: bool) -> None:
        """After the build: a scratch store goes; the cache's keeps this build's bundles only, once it
        succeeded (a failed build's stay: they may serve the next)."""
        if not self.keys:
            shutil.rmtree(self.store, ignore_errors=True)
            return
        if not built or not self.store.is_dir():
            return
        wanted = {CHUNKS, *(self.keys[shard] for shard, slugs in self._published.items() if slugs)}
        for entry in self.store.iterdir():
            if entry.name in wanted:
                continue
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
        if self.queue is not None and (self.store / CHUNKS).is_dir():  # (no search this time: nothing to tell)
            for chunk in (self.store / CHUNKS).iterdir():
                if chunk.name not in self._chunks:
                    chunk.unlink(missing_ok=True)

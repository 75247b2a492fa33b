"""The search stage of one build: which shards keep their bundle from the last build, each of
the others indexed as soon as its pages are written (search/queue.py) while the workers render
the next shard, and at the end the shards merged into the site's one bundle (search/merge.py).

A shard is indexed in parts (search/shards.py), each a Pagefind run, merged into the shard's
bundle: an edit re-indexes its part, joins the shard's parts again and merges the shards.

Bundles live in the build cache's folder: a shard's at `search/<key>/`, a part's at
`search/parts/<key>/`, named by a key made of the cache keys of all their articles (their files,
templates, settings and the engine, Pagefind's version included): the same keys make the same
pages, and the same pages the same bundle, so a kept bundle is the one a clean build would
index, and the merged bundle byte-identical. A build without the cache indexes into a scratch
folder beside the staged site.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import cached_property
from pathlib import Path

from ..diagnostics import Diagnostic
from ..search.merge import COMPRESSED_AS
from ..search.pagefind import ENTRY
from ..search.queue import INDEX_APART_UP_TO, ShardQueue
from ..search.shards import BUNDLE, Shards
from .article import ArticleOutcome
from .cache import CachedArticle, fingerprint
from .plan import Plan

# in the store: the merged bundle's index chunks, compressed, by their content's digest (in a
# folder named for how they were compressed: another compressor's are not this build's)
CHUNKS = f"chunks-{COMPRESSED_AS}"
PARTS = "parts"  # in the store: the parts' bundles

Unit = tuple[int, int]  # (shard, part)


class ShardedIndex:
    def __init__(self, plan: Plan, site_dir: Path, store: Path, *, search: bool,
                 article_keys: Mapping[str, str], reuse: bool = True) -> None:
        self.shards = Shards.for_archive(len(plan.articles), plan.config.search_shard_size)
        self.parts = Shards.parts_of(plan.config.search_shard_size)
        self.members = self.shards.split(plan.articles)  # every article, drafts too: their shard is their slug's
        self.units: dict[Unit, list[str]] = {}
        for shard, slugs in self.members.items():
            for part, members in self.parts.split(slugs).items():
                self.units[shard, part] = members
        self.site_dir = site_dir
        self.store = store
        self.config = plan.config
        self.article_keys = article_keys
        self.reuse = reuse  # False: nothing is reused, so no stored bundle is looked for (keys.py)
        self.queue = ShardQueue(site_dir, plan.config) if search else None
        self.kept: set[int] = set()  # shards whose bundle is kept
        self.kept_units: set[Unit] = set()
        self._pending: Counter[Unit] = Counter()  # pages still to write
        self._waiting: Counter[int] = Counter()  # a shard's parts still to index
        self._published: dict[Unit, list[str]] = {unit: [] for unit in self.units}
        self._indexed: set[Unit] = set()  # parts given to Pagefind in this build
        self._chunks: set[str] = set()  # the compressed index chunks the merged bundle uses

    # an article's key covers its page; a shard's, the pages of all its articles (made when first
    # asked for: keys.py's are hashed while the first pages are rendered)
    @cached_property
    def keys(self) -> dict[int, str]:
        return {shard: self._key(self.shards.name(shard), slugs) for shard, slugs in self.members.items()}

    @cached_property
    def unit_keys(self) -> dict[Unit, str]:
        return {unit: self._key(f"{self.shards.name(unit[0])} part {unit[1] + 1}", slugs)
                for unit, slugs in self.units.items()}

    def _key(self, name: str, slugs: list[str]) -> str:
        if not self.article_keys:
            return ""
        return fingerprint(self.config.language, name, *(f"{slug}\0{self.article_keys[slug]}" for slug in slugs))

    def _unit_of(self, slug: str) -> Unit:
        shard = self.shards.of(slug)
        return shard, self.parts.of(slug)

    def bundle(self, shard: int) -> Path:
        """Where the shard's bundle is (or goes): by its key, or by its place when there is no cache."""
        return self.store / (self.keys[shard] or self.shards.name(shard))

    def unit_bundle(self, unit: Unit) -> Path:
        """A part's bundle: the shard's own when the shard is one part."""
        if self.parts.count == 1:
            return self.bundle(unit[0])
        return self.store / PARTS / (self.unit_keys[unit] or f"{self.shards.name(unit[0])}-{unit[1] + 1}")

    def forget(self, slugs: Iterable[str]) -> None:
        """Drop the stored bundles that hold these articles' pages (pages that may not be those their
        keys name): the next build indexes their parts again."""
        for slug in slugs:
            unit = self._unit_of(slug)
            shutil.rmtree(self.unit_bundle(unit), ignore_errors=True)
            shutil.rmtree(self.bundle(unit[0]), ignore_errors=True)

    def first_pages(self, reused: Mapping[str, CachedArticle], dirty: Iterable[str]) -> list[str]:
        """Which bundles are kept; the reused articles of the parts to index, whose pages (linked from
        the last build) Pagefind needs first: the rest may be linked while it runs."""
        if self.queue is None:
            return []
        pending = {self._unit_of(slug) for slug in dirty}
        if self.article_keys and self.reuse:  # (pending pages: the same again)
            self.kept = {shard for shard in self.members if (self.bundle(shard) / ENTRY).is_file()}
            self.kept_units = {unit for unit in self.units if unit[0] not in self.kept
                               and (self.unit_bundle(unit) / ENTRY).is_file()}
        wanted = {unit for unit in self.units if unit[0] not in self.kept and unit not in self.kept_units}
        return [slug for slug in reused if (unit := self._unit_of(slug)) in pending or unit in wanted]

    def start(self, reused: Mapping[str, CachedArticle], dirty: Iterable[str]) -> list[str]:
        """Index the parts whose pages are all there (after first_pages); the dirty articles come back
        in the order to render them, part by part, so that parts are ready one after another."""
        order = sorted(dirty, key=lambda slug: (self._unit_of(slug), slug))
        self._pending.update(self._unit_of(slug) for slug in order)
        for slug in reused:
            self._published[self._unit_of(slug)].append(slug)
        if self.queue is None:
            return order
        for unit in self.units:
            if unit[0] not in self.kept and unit not in self.kept_units:
                self._waiting[unit[0]] += 1
        self.queue.apart = sum(self._waiting.values()) <= INDEX_APART_UP_TO
        for shard in self.members:
            if shard not in self.kept and not self._waiting[shard]:  # every part kept: join them now
                self._join(shard)
        for unit in self.units:
            if unit[0] not in self.kept and unit not in self.kept_units and not self._pending[unit]:
                self._ready(unit)
        return order

    def rendered(self, outcomes: list[ArticleOutcome]) -> None:
        """A batch of articles is written: index each part that has all of its pages now."""
        for outcome in outcomes:
            unit = self._unit_of(outcome.slug)
            if outcome.summary is not None:
                self._published[unit].append(outcome.slug)
            self._pending[unit] -= 1
            if (not self._pending[unit] and self.queue is not None and unit[0] not in self.kept
                    and unit not in self.kept_units):
                self._ready(unit)

    def _ready(self, unit: Unit) -> None:
        assert self.queue is not None
        if self._published[unit]:  # a part of drafts only has no bundle
            self._indexed.add(unit)
            self.queue.ready(self.unit_bundle(unit), sorted(self._published[unit]), self.shards.label(unit[0]))
        self._waiting[unit[0]] -= 1
        if not self._waiting[unit[0]]:
            self._join(unit[0])

    def _join(self, shard: int) -> None:
        """Every part of the shard is kept or queued to be indexed: merge them into its bundle."""
        assert self.queue is not None
        # (not by what is published yet: a kept part's pages may still be being written again)
        parts = [self.unit_bundle(unit) for unit in self.units
                 if unit[0] == shard and (unit in self.kept_units or unit in self._indexed)]
        if parts and self.parts.count > 1:
            self.queue.join_parts(parts, self.bundle(shard))

    def _shard_published(self, shard: int) -> bool:
        return any(self._published[unit] for unit in self.units if unit[0] == shard)

    def seal(self) -> None:
        """Every article is rendered: once the last shards are indexed, merge them all into the
        site's bundle (on the queue's thread, while the listings are written)."""
        bundles = [self.bundle(shard) for shard in self.members if self._shard_published(shard)]
        if self.queue is not None and bundles:
            self.queue.merge(bundles, self.site_dir / BUNDLE, self.store / CHUNKS)

    def finish(self) -> list[Diagnostic]:
        """Wait for the parts still being indexed, their shards' and the site's merges."""
        if self.queue is None:
            return []
        problems = self.queue.finish()
        if problems and self.queue.merge_failed and (self.kept or self.kept_units):
            problems = self._index_kept_again()
        self._chunks = self.queue.chunks
        return problems

    def _index_kept_again(self) -> list[Diagnostic]:
        """A bundle kept in the cache could not be read (a damaged cache): as for the rest of the
        cache, that means indexing again, not an error. The kept parts are indexed from their
        pages (linked into the site being built) and everything merged again."""
        kept_shards, self.kept = self.kept, set()
        for shard in kept_shards:
            shutil.rmtree(self.bundle(shard), ignore_errors=True)
        for unit in self.units:
            if unit[0] in kept_shards or unit in self.kept_units:
                shutil.rmtree(self.unit_bundle(unit), ignore_errors=True)
        self.kept_units, self._indexed = set(), set()
        shutil.rmtree(self.site_dir / BUNDLE, ignore_errors=True)  # the failed merge's
        shutil.rmtree(self.store / CHUNKS, ignore_errors=True)
        self.queue = ShardQueue(self.site_dir, self.config)
        self._waiting = Counter(unit[0] for unit in self.units)
        for unit in self.units:
            self._ready(unit)
        self.seal()
        return self.queue.finish()

    def stop(self) -> None:
        if self.queue is not None:
            self.queue.stop()

    def close(self, built: bool) -> None:
        """After the build: a scratch store goes; the cache's keeps this build's bundles only, once it
        succeeded (a failed build's stay: they may serve the next)."""
        if not self.article_keys:
            shutil.rmtree(self.store, ignore_errors=True)
            return
        if not built or not self.store.is_dir():
            return
        wanted = {CHUNKS, PARTS, *(self.keys[shard] for shard in self.members if self._shard_published(shard))}
        _prune(self.store, wanted)
        if self.parts.count > 1:
            _prune(self.store / PARTS, {self.unit_keys[unit] for unit in self.units if self._published[unit]})
        if self.queue is not None and (self.store / CHUNKS).is_dir():  # (no search this time: nothing to tell)
            _prune(self.store / CHUNKS, self._chunks)


def _prune(folder: Path, wanted: set[str]) -> None:
    """Remove what `folder` holds but the entries named in `wanted`."""
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        if entry.name in wanted:
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)

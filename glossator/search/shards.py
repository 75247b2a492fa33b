"""Which shard an article is indexed in.

Pagefind holds a whole index in memory while it writes it (about 0.9 GB per 1,000 of our
pages), so a large archive is indexed in shards of a few hundred articles each, one Pagefind
run at a time, and the shards' bundles are then merged into the site's one bundle
(search/merge.py). Articles are assigned by a stable hash of the slug, not by date or name,
so that an edit touches one shard and shards stay alike in size.

A shard is itself indexed in parts (PARTS Pagefind runs, by another hash of the slug) merged
into its bundle: Pagefind's time is per page, so an edit re-indexes a third of a shard, and
the merge of the site's bundle still reads a few shards, not a hundred parts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

BUNDLE = "pagefind"  # the search index's folder in the site
PARTS = 3  # Pagefind runs a shard is indexed in (fewer if the shard size is smaller)


@dataclass(frozen=True)
class Shards:
    count: int
    salt: str = ""  # parts hash the slug with a salt: otherwise a shard's slugs would share one part

    @classmethod
    def for_archive(cls, articles: int, shard_size: int) -> Shards:
        return cls(max(1, -(-articles // max(1, shard_size))))

    @classmethod
    def parts_of(cls, shard_size: int) -> Shards:
        """How each shard is split into Pagefind runs."""
        return cls(max(1, min(PARTS, shard_size)), salt="part\0")

    def of(self, slug: str) -> int:
        if self.count == 1:
            return 0
        return int.from_bytes(hashlib.sha256((self.salt + slug).encode()).digest()[:8], "big") % self.count

    def name(self, shard: int) -> str:
        """The shard's place in the layout, e.g. "3-of-20": part of its bundle's key."""
        return f"{shard + 1}-of-{self.count}"

    def label(self, shard: int) -> str:
        """How messages name a file of the shard's bundle: put before its path in the bundle."""
        return f"{BUNDLE}/" if self.count == 1 else f"search shard {shard + 1} of {self.count}: "

    def split(self, slugs: Iterable[str]) -> dict[int, list[str]]:
        """The slugs of each shard that has any, in shard order, each list sorted."""
        by_shard: dict[int, list[str]] = {}
        for slug in sorted(slugs):
            by_shard.setdefault(self.of(slug), []).append(slug)
        return dict(sorted(by_shard.items()))


ONE_BUNDLE = Shards(1)

"""Which search bundle an article is indexed in.

Pagefind holds a whole index in memory while it writes it (about 0.9 GB per 1,000 of our
pages), so a large archive is indexed as several bundles ("shards") of a few hundred
articles each, one Pagefind run at a time, and the search page merges them
(`pagefind.mergeIndex`). Articles are assigned by a stable hash of the slug, not by date
or name: Pagefind ranks each bundle with its own page count and average length, so
bundles of similar make-up rank alike, and an edit touches one bundle.

A small archive stays one bundle, at `pagefind/`; shards live at `pagefind/<k>-of-<n>/`,
their folder naming the layout they belong to, so a bundle of another layout is never
mistaken for one of this.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

BUNDLE = "pagefind"  # the search index's folder in the site


@dataclass(frozen=True)
class Shards:
    count: int

    @classmethod
    def for_archive(cls, articles: int, shard_size: int) -> Shards:
        return cls(max(1, -(-articles // max(1, shard_size))))

    def of(self, slug: str) -> int:
        if self.count == 1:
            return 0
        return int.from_bytes(hashlib.sha256(slug.encode()).digest()[:8], "big") % self.count

    def folder(self, shard: int) -> str:
        """The bundle's folder, relative to the site root, with a trailing slash (mergeIndex needs
        one folder per bundle: it skips a bundle whose path the primary's starts with)."""
        return f"{BUNDLE}/" if self.count == 1 else f"{BUNDLE}/{shard + 1}-of-{self.count}/"

    def split(self, slugs: Iterable[str]) -> dict[int, list[str]]:
        """The slugs of each shard that has any, in shard order, each list sorted."""
        by_shard: dict[int, list[str]] = {}
        for slug in sorted(slugs):
            by_shard.setdefault(self.of(slug), []).append(slug)
        return dict(sorted(by_shard.items()))

    def folders(self, slugs: Iterable[str]) -> list[str]:
        """The bundles a search page merges: one per shard that holds an article."""
        return [self.folder(shard) for shard in self.split(slugs)]


ONE_BUNDLE = Shards(1)

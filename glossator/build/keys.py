"""The articles' cache keys, on a build that can reuse nothing: hashed while the pages are rendered.

An article's key hashes its files (cache.py article_key), so making the keys reads every input of
the archive: 20,000 files at 10,000 articles. Where a build may reuse articles it must know their
keys first. A build with nothing to reuse (the first, or one after the cache was deleted) needs them
only once pages are written (to name the search bundles and to save the cache), so a thread reads
and hashes the files while the workers render, in the order they render them. The two cores are not
kept waiting on it, and where the inputs are not in memory (a server's nightly build; this bench
machine, whose kernel pages out what was not read for a minute) the thread reads them ahead of the
workers instead of one by one before any page is rendered: 2-5 s at 10,000 articles here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping

from ..model import ArticleInput
from .cache import BuildCache


class KeysInBackground(Mapping[str, str]):
    """Every article's key, by slug. Which slugs there are is known at once; a key, once all are made."""

    def __init__(self, cache: BuildCache, items: Mapping[str, ArticleInput], shared: str) -> None:
        self._cache = cache
        self._items = items
        self._shared = shared
        self._keys: dict[str, str] = {}
        self._failure: BaseException | None = None
        self._thread: threading.Thread | None = None

    def start(self, order: Iterable[str]) -> None:
        """Hash the articles in `order` first (the order they are rendered in), then any others."""
        first = list(order)
        chosen = set(first)
        rest = [slug for slug in self._items if slug not in chosen]
        self._thread = threading.Thread(target=self._hash, args=([*first, *rest],), name="article keys", daemon=True)
        self._thread.start()

    def _hash(self, slugs: list[str]) -> None:
        try:
            for slug in slugs:
                self._keys[slug] = self._cache.article_key(self._items[slug], self._shared)
        except BaseException as exc:  # raised again where a key is asked for
            self._failure = exc

    def _all(self) -> dict[str, str]:
        if self._thread is None:
            self.start(())
        assert self._thread is not None
        self._thread.join()
        if self._failure is not None:
            raise self._failure
        return self._keys

    def __getitem__(self, slug: str) -> str:
        return self._all()[slug]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, slug: object) -> bool:
        return slug in self._items

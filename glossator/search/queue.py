"""Shards indexed while the pages of the next ones are still being made.

The build's workers render the articles shard by shard; as soon as every page of a shard
is written, its bundle is indexed here, on a thread of the build's process, one Pagefind
run at a time (one run's memory is the budget), while the workers go on with the next
shard. The two cores never wait on each other, and memory stays that of one shard. Once every
page is written, the shards are merged into the site's bundle here too, while the build writes
the listings.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostic
from ..model import SiteConfig
from .pagefind import Cancelled, index_shard
from .sharded import combine
from .wordtable import describe

_DONE = None


@dataclass(frozen=True)
class _Shard:
    target: Path  # where its bundle goes
    slugs: list[str]
    label: str  # how messages name it


@dataclass(frozen=True)
class _Merge:
    bundles: list[Path]
    target: Path
    compressed: Path


class ShardQueue:
    def __init__(self, site_dir: Path, config: SiteConfig) -> None:
        self.site_dir = site_dir
        self.config = config
        self._work: queue.Queue[_Shard | _Merge | None] = queue.Queue()
        self.chunks: set[str] = set()  # the compressed chunks the merged bundle uses
        self.merge_failed = False  # the shards were indexed, but could not be merged
        self._cancel = threading.Event()
        self._problems: list[Diagnostic] = []
        self._failure: BaseException | None = None  # a bug, raised again in the build's thread
        self._thread = threading.Thread(target=self._run, name="glossator-shards", daemon=True)
        self._thread.start()

    def ready(self, target: Path, slugs: list[str], label: str) -> None:
        """Every page of this shard is written: index it into `target` (after the shards given before it)."""
        self._work.put(_Shard(target, slugs, label))

    def merge(self, bundles: list[Path], target: Path, compressed: Path) -> None:
        """Every shard is given: merge their bundles, in this order, into `target` once they are indexed
        (with the compressed chunks kept in `compressed`)."""
        self._work.put(_Merge(bundles, target, compressed))

    def finish(self) -> list[Diagnostic]:
        """Wait for every shard given; the problems of the first that failed (the rest are skipped)."""
        self._work.put(_DONE)
        self._thread.join()
        if self._failure is not None:
            raise self._failure
        return self._problems

    def stop(self) -> None:
        """The build failed or was interrupted: kill the run in progress, index nothing more."""
        self._cancel.set()
        self._work.put(_DONE)
        self._thread.join()

    def _run(self) -> None:
        while (item := self._work.get()) is not _DONE:
            if self._problems or self._failure or self._cancel.is_set():
                continue
            try:
                if isinstance(item, _Merge):
                    self._problems, self.chunks = combine(item.bundles, item.target, item.compressed)
                    self.merge_failed = bool(self._problems)
                    continue
                self._problems = index_shard(self.site_dir, item.target, item.slugs, self.config, self._cancel,
                                             item.label)
                if not self._problems:
                    describe(item.target)  # here, while the workers make the next shard's pages, not in the merge
            except Cancelled:
                return
            except Exception as failure:  # (disk full, a vanished folder…): the build reports it, not this thread
                self._failure = failure

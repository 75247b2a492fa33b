"""Shards indexed while the pages of the next ones are still being made.

The build's workers render the articles part by part; as soon as every page of a shard's part
is written, its bundle is indexed here, by Pagefind runs started from threads of the build's
process (or, when a build indexes only a few parts, by processes of their own: search/job.py),
while the workers go on. Once a shard's parts are indexed, they are joined into the
shard's bundle by a process of its own while Pagefind goes on with the next parts; once every
page is written and every shard joined, the shards are merged into the site's bundle, by a
process of its own too, while the build writes the listings. The two cores never wait on each
other, and memory stays that of a few parts.
"""

from __future__ import annotations

import os
import queue
import shutil
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostic, error
from ..model import SiteConfig
from .job import index_apart
from .pagefind import REPORTED, Cancelled, index_shard, replace_folder
from .sharded import combine

_DONE = None
# Pagefind runs at once. A run over one part (~170 pages) keeps about one core busy: alone, it
# left the second idle once the workers were done (a cold 10k build spent its last minute at
# 65% of two cores). Two runs cost one more part's memory (~160 MB).
INDEX_RUNS = 2
# Parts to index, at most, for each to be indexed by a process of its own (search/job.py): where a
# build indexes few (a rebuild), its main thread is busy linking, listing and caching meanwhile;
# in a cold build it waits on the workers, and ~0.1 s of CPU to start each process would not pay.
INDEX_APART_UP_TO = 2 * INDEX_RUNS


@dataclass(frozen=True)
class _Shard:
    target: Path  # where its bundle goes
    slugs: list[str]
    label: str  # how messages name it


@dataclass(frozen=True)
class _Join:
    parts: list[Path]
    target: Path  # the shard's bundle (with its word table, for the site's merge)


@dataclass(frozen=True)
class _Merge:
    bundles: list[Path]
    target: Path
    compressed: Path  # the store of compressed chunks


class ShardQueue:
    def __init__(self, site_dir: Path, config: SiteConfig) -> None:
        self.site_dir = site_dir
        self.config = config
        self._work: queue.Queue[_Shard | _Join | _Merge | None] = queue.Queue()
        self.chunks: set[str] = set()  # the compressed chunks the merged bundle uses
        self.merge_failed = False  # the parts were indexed, but could not be merged
        self.apart = False  # each part indexed by a process of its own (INDEX_APART_UP_TO)
        self._cancel = threading.Event()
        self._problems: list[Diagnostic] = []
        self._failure: BaseException | None = None  # a bug, raised again in the build's thread
        self._joins: list[Future[list[Diagnostic]]] = []
        self._runs: dict[Path, Future[list[Diagnostic]]] = {}  # the parts' Pagefind runs, by their bundle
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="glossator-shards", daemon=True)
        self._thread.start()

    def ready(self, target: Path, slugs: list[str], label: str) -> None:
        """Every page of this part is written: index it into `target` (after the parts given before it)."""
        self._work.put(_Shard(target, slugs, label))

    def join_parts(self, parts: list[Path], target: Path) -> None:
        """A shard's parts are given: merge them, in this order, into the shard's bundle `target`
        (which replaces any folder of that name) once they are indexed."""
        self._work.put(_Join(parts, target))

    def merge(self, bundles: list[Path], target: Path, compressed: Path) -> None:
        """Every shard is given: merge their bundles, in this order, into `target` once they are joined
        (with the compressed chunks kept in `compressed`)."""
        self._work.put(_Merge(bundles, target, compressed))

    def finish(self) -> list[Diagnostic]:
        """Wait for everything given; the problems of the first that failed (the rest are skipped)."""
        self._work.put(_DONE)
        self._thread.join()
        if self._failure is not None:
            raise self._failure
        return self._problems

    def stop(self) -> None:
        """The build failed or was interrupted: kill the runs in progress, index nothing more."""
        self._cancel.set()
        self._work.put(_DONE)
        self._thread.join()

    def _run(self) -> None:
        with (ThreadPoolExecutor(INDEX_RUNS, thread_name_prefix="glossator-index") as indexing,
              ThreadPoolExecutor(1, thread_name_prefix="glossator-join") as joining):
            while (item := self._work.get()) is not _DONE:
                if self._problems or self._failure or self._cancel.is_set():
                    continue
                try:
                    if isinstance(item, _Join):
                        # (a thread that waits on the join's process: Pagefind goes on meanwhile)
                        self._joins.append(joining.submit(self._join, item))
                    elif isinstance(item, _Merge):
                        if self._joined():
                            problems, self.chunks = combine(item.bundles, item.target, item.compressed,
                                                            self._cancel, apart=True)
                            self._record(problems, merging=True)
                    else:
                        self._runs[item.target] = indexing.submit(self._index, item)
                except Cancelled:
                    self._stopped()
                    break
                except Exception as failure:  # (disk full, a vanished folder…): the build reports it, not this thread
                    self._failure = failure
            try:
                self._joined()
            except Cancelled:
                self._stopped()
            except Exception as failure:
                self._failure = self._failure or failure

    def _stopped(self) -> None:
        """A run was stopped. Asked by stop(), the build is ending anyway; not asked, a signal reached
        Pagefind (or the process running it) but not the build, which must not publish a search
        index with parts missing."""
        if not self._cancel.is_set():
            self._record([error(REPORTED, 0, 0, "Pagefind was stopped (interrupted) before the search index "
                                "was finished", "the previous site was kept; build again", title="Search index")])

    def _index(self, item: _Shard) -> list[Diagnostic]:
        if self._cancel.is_set():
            raise Cancelled
        if self._problems:  # an earlier part failed: the build fails, index nothing more
            return []
        # (the part's word table is made by the join, in its process: here, on a thread of the build's,
        # it took turns at the GIL with the main thread linking the pages of 10,000 articles)
        index = index_apart if self.apart else index_shard
        return index(self.site_dir, item.target, item.slugs, self.config.language, self._cancel, item.label)

    def _indexed(self, parts: list[Path]) -> bool:
        """Wait for these parts' Pagefind runs (those of this queue); False if one failed."""
        for part in parts:
            run = self._runs.get(part)
            if run is not None:
                self._record(run.result())
        return not self._problems

    def _record(self, problems: list[Diagnostic], merging: bool = False) -> None:
        with self._lock:  # (the first problems found are the ones reported)
            if problems and not self._problems:
                self._problems, self.merge_failed = problems, merging

    def _join(self, item: _Join) -> list[Diagnostic]:
        if not self._indexed(item.parts):
            return []
        scratch = item.target.with_name(f".{item.target.name}.{os.getpid()}.tmp")
        shutil.rmtree(scratch, ignore_errors=True)
        problems = combine(item.parts, scratch, None, self._cancel, table=True, apart=True)[0]
        if not problems:
            replace_folder(item.target, scratch)
        return problems

    def _joined(self) -> bool:
        """Wait for the Pagefind runs and the joins started; False if one failed (its problems are
        the queue's)."""
        self._indexed(list(self._runs))
        joins, self._joins = self._joins, []
        for join in joins:
            self._record(join.result(), merging=True)
        return not self._problems

"""The live preview's search index: the full bundle, and a small delta for the pages changed since.

Pagefind cannot update an index in place, and indexing the whole site takes about 10 s at
1,000 articles and minutes (and gigabytes) at 10,000: far too much for every save. So the
site's own bundle (site/pagefind/) is built in full once, in the background, and again
only when it is owed: the session began without a bundle known to match the pages, the
engine could not say what changed, or a large share of the articles changed since (a
template change). Every other change goes into a *delta*: a bundle of only the articles
whose pages changed or went away since the full one, indexed from marked copies of their
current pages, in well under a second. The preview server serves it under its own prefix
and names it in the pages it sends; the search page merges it into the full index
(Pagefind's mergeIndex) and leaves out the full index's results for the pages it
supersedes, which delta.json lists by Pagefind page id.

Runs happen on their own thread, over the served site; a newer build stops them (its pages
are about to replace the ones being read) and asks again once published.

A file beside the site marks the full bundle as possibly behind its pages, from the moment
a build may change them until a full run catches up, so the next session knows whether the
bundle it finds can be trusted or must be rebuilt.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..build.staging import pid_alive
from ..diagnostics import format_text
from ..model import ARTICLE_PAGES_GLOB, SiteConfig, article_page, article_path, slug_of_page
from ..project import Project
from ..search.pagefind import BUNDLE, ENTRY, Cancelled, index_pages, page_ids, site_bundles
from ..search.sharded import index_site
from ..search.shards import ONE_BUNDLE, Shards

FULL_SHARE = 0.25  # more of the archive changed than this: index it all again rather than a delta
DELTA_ALWAYS = 10  # a delta of this many pages is always cheaper than the whole site
WORK_MARK = ".glossator-search-"  # + pid: this session's deltas, beside the site
BEHIND_MARK = ".glossator-search-behind"
# Added to the copies that go into a delta: their fragments then never equal the full index's
# (whose page ids the search page drops), and the search page can tell delta results apart.
DELTA_META = b' data-pagefind-meta="glossator_delta:1"'
HTML_TAG = re.compile(rb"<html\b", re.IGNORECASE)
KEEP_DELTAS = 2  # the current delta and the one before it, for a search page still loading it
SIGNAL_GRACE = 2.0  # seconds for the preview to say a signal that stopped Pagefind was its Ctrl-C


@dataclass(frozen=True)
class SearchDelta:
    """What the server needs: `folder` holds one numbered folder per delta (delta.json and
    pagefind/), `current` names the one pages should merge; None when the full index is current."""

    folder: Path
    current: str | None


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def marked(document: bytes) -> bytes:
    """The page with the delta's meta on its <html> element (Pagefind reads meta anywhere in a page)."""
    match = HTML_TAG.search(document)
    if match is None:
        return b"<html" + DELTA_META + b">" + document
    return document[:match.end()] + DELTA_META + document[match.end():]


class BackgroundIndexer:
    def __init__(self, project: Project, say: Callable[[str], None],
                 publish: Callable[[SearchDelta], None] = lambda delta: None) -> None:
        self.project = project
        self.say = say
        self.publish = publish  # called (from the indexer's thread) when the delta to merge changes
        out = project.out
        self.work = out.parent / f".{out.name}{WORK_MARK}{os.getpid()}"
        self.published = self.work / "published"
        self.behind_mark = out.parent / f".{out.name}{BEHIND_MARK}"
        self._clean_stale()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._cancel = threading.Event()
        self._config: SiteConfig | None = None  # the settings of the site as last published
        self._shards = ONE_BUNDLE  # and its search index's layout
        # Read before this session's first build marks the bundle as behind: a bundle left by a
        # session that ended with deltas, or died, is rebuilt; one that matched its pages is kept.
        self._full_owed = self.behind_mark.exists() or not site_bundles(out)
        self._marked = False
        self._superseded: set[str] = set()  # slugs whose page changed or went away since the full bundle
        self._delta_current = True  # the published delta covers every superseded page as it is now
        self._deltas = 0  # number of the latest delta
        self._ids: tuple[bytes, dict[str, str]] | None = None  # the full bundle's page ids, by its entry file

    def pause(self, wait: bool = True) -> None:
        """The served pages are about to change: stop a run in progress (Pagefind is killed, the
        bundles served stay), and mark the full bundle as possibly behind until it is known not to be."""
        with self._lock:
            self._cancel.set()
            if not self._marked:
                with contextlib.suppress(OSError):  # no folder for the site yet: no bundle to be behind
                    self.behind_mark.touch()
                    self._marked = True
        if wait and self._thread is not None:
            self._thread.join()
            self._thread = None

    def refresh(self, pages: frozenset[str] | None, config: SiteConfig, shards: Shards = ONE_BUNDLE) -> None:
        """The served site, built with `config`, changed `pages` (site paths; None: any page may have):
        bring the index up to date."""
        self.pause()
        with self._lock:
            self._config = config
            self._shards = shards
            if pages is None:
                self._full_owed = True
            else:
                slugs = {slug for page in pages if (slug := slug_of_page(page))}
                if slugs:
                    self._superseded |= slugs
                    self._delta_current = False
            if not self._full_owed and self._delta_current:
                if not self._superseded:
                    self._caught_up()
                return
            self._cancel = threading.Event()
            self._thread = threading.Thread(target=self._run, args=(self._cancel,), name="glossator-index",
                                            daemon=True)
            self._thread.start()

    def close(self) -> None:
        self.pause()
        shutil.rmtree(self.work, ignore_errors=True)

    def _caught_up(self) -> None:
        """The full bundle matches the served pages (under the lock)."""
        self.behind_mark.unlink(missing_ok=True)
        self._marked = False

    def _clean_stale(self) -> None:
        """Remove the delta folders of preview servers that are gone."""
        out = self.project.out
        prefix = f".{out.name}{WORK_MARK}"
        if not out.parent.is_dir():
            return
        for candidate in out.parent.iterdir():
            pid = candidate.name[len(prefix):]
            if candidate.name.startswith(prefix) and pid.isdigit() and not pid_alive(int(pid)):
                shutil.rmtree(candidate, ignore_errors=True)

    def _run(self, cancel: threading.Event) -> None:
        if not self.project.out.is_dir():
            return  # not built yet (the first build failed): nothing to index
        try:
            articles = sum(1 for _ in self.project.out.glob(ARTICLE_PAGES_GLOB))
            with self._lock:
                config, shards = self._config, self._shards
                assert config is not None, "runs start from refresh(), which sets the config"
                slugs = frozenset(self._superseded)
                large = len(slugs) > max(DELTA_ALWAYS, FULL_SHARE * articles)
                # a delta that large would cost about as much as the whole site
                self._full_owed = self._full_owed or large
                full, delta = self._full_owed, not large and not self._delta_current
            # the delta first: it is quick, and makes the edit searchable while the full run goes on
            if delta:
                self._index_delta(slugs, config, cancel)
            if full:
                self._index_full(config, shards, cancel)
        except Cancelled:
            # Stopped by a signal: Ctrl-C's reaches the preview too, which then stops this run (sets
            # `cancel`) within moments; one that reached Pagefind alone leaves the index behind
            if not cancel.wait(SIGNAL_GRACE):
                self.say("search index not updated: Pagefind was stopped (interrupted); "
                         "it is indexed again after the next change")
            return
        except OSError as exc:  # e.g. the site folder went away: the next build says why
            self.say(f"search index not updated: {exc}")

    def _index_full(self, config: SiteConfig, shards: Shards, cancel: threading.Event) -> None:
        started = time.perf_counter()
        problems = index_site(self.project.out, config, shards, cancel)
        if problems:
            self.say("search index not updated:\n" + format_text(problems))
            return
        # The bundle now holds the pages as they were when this run began: a build that has
        # started since (and set `cancel`) reports its own changes once it is published.
        with self._lock:
            self._superseded.clear()
            self._full_owed = False
            self._delta_current = True
            if not cancel.is_set():
                self._caught_up()
            self.publish(SearchDelta(self.published, None))
        self.say(f"search index updated in {time.perf_counter() - started:.2f} s")

    def _index_delta(self, slugs: frozenset[str], config: SiteConfig, cancel: threading.Event) -> None:
        """Index the superseded articles' current pages into a new delta, and publish it."""
        started = time.perf_counter()
        scratch = self.work / "next"
        shutil.rmtree(scratch, ignore_errors=True)
        pages, delta = scratch / "pages", scratch / "delta"
        delta.mkdir(parents=True)
        indexed = 0
        for slug in sorted(slugs):
            try:
                document = (self.project.out / article_page(slug)).read_bytes()
            except FileNotFoundError:
                continue  # deleted: the full index's page is only left out
            copy = pages / article_page(slug)
            copy.parent.mkdir(parents=True)
            copy.write_bytes(marked(document))
            indexed += 1
        if indexed:
            problems = index_pages(pages, delta / BUNDLE, config, indexed, cancel)
            if problems:
                self.say("search index not updated:\n" + format_text(problems))
                return
        urls = ["/" + article_path(slug) for slug in sorted(slugs)]  # as Pagefind stores them: root-relative
        ids = self._full_ids()
        manifest = {"bundle": indexed > 0, "superseded": urls, "drop": sorted(ids[u] for u in urls if u in ids)}
        (delta / "delta.json").write_text(json.dumps(manifest), encoding="utf-8")
        with self._lock:
            if cancel.is_set():
                raise Cancelled
            self._deltas += 1
            self.published.mkdir(exist_ok=True)
            delta.rename(self.published / str(self._deltas))
            self._delta_current = True
            self.publish(SearchDelta(self.published, str(self._deltas)))
        shutil.rmtree(scratch, ignore_errors=True)
        for old in self.published.iterdir():
            if old.name.isdigit() and int(old.name) <= self._deltas - KEEP_DELTAS:
                shutil.rmtree(old, ignore_errors=True)
        self.say(f"search index updated for {plural(len(slugs), 'article')} in {time.perf_counter() - started:.2f} s")

    def _full_ids(self) -> dict[str, str]:
        """URL → page id in the full index (every shard's bundle), read again only when it changed."""
        bundles = site_bundles(self.project.out)
        try:
            key = b"\0".join(bundle.name.encode() + (bundle / ENTRY).read_bytes() for bundle in bundles)
        except FileNotFoundError:
            return {}
        if self._ids is None or self._ids[0] != key:
            ids: dict[str, str] = {}
            for bundle in bundles:
                ids.update(page_ids(bundle))
            self._ids = (key, ids)
        return self._ids[1]

"""A site's one search bundle, made from its shards' bundles (search/merge.py).

The build indexes shards as their pages are written and keeps those that did not change
(build/indexing.py); the live preview's full run indexes them all, here, one after another.
Either way the site gets one bundle, at pagefind/, put in place only once it is checked.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path

from ..diagnostics import Diagnostic, error
from ..model import ARTICLE_PAGES_GLOB, SiteConfig
from .job import merge_apart
from .merge import link_bundle, merge_bundles
from .pagefind import REPORTED, BundleProblem, Cancelled, index_shard, replace_folder
from .shards import BUNDLE, Shards


def combine(bundles: Sequence[Path], target: Path, compressed: Path | None = None,
            cancel: threading.Event | None = None, *, table: bool = False,
            apart: bool = False) -> tuple[list[Diagnostic], set[str]]:
    """The shards' bundles, in shard order, as one bundle in `target` (a new folder); with the
    index chunks compressed before kept in `compressed` (merge_bundles), the ones it used. With
    `table`, the bundle gets its word table (a shard's, joined from its parts: one part is linked
    as it is); with `apart`, the merge runs in a process of its own. Without `table` (the site's
    bundle) even one shard is merged: a shard joined from parts keeps its index chunks stored,
    uncompressed, for the merges it goes into, and readers get them compressed."""
    used: set[str] = set()
    try:
        if len(bundles) == 1 and table:
            link_bundle(bundles[0], target, table=True)
        elif apart:
            used = merge_apart(bundles, target, compressed, table, cancel)
        else:
            used = merge_bundles(bundles, target, compressed, table=table)
    except BundleProblem as problem:
        return [error(REPORTED, 0, 0, f"the search index's shards could not be merged: {problem}",
                      "the previous search index was kept. Delete the build cache (the folder beside the site "
                      "named .<site>.glossator-cache) and build again; if it recurs, report it with the "
                      "Pagefind version (pagefind --version).", title="Search index")], used
    if cancel is not None and cancel.is_set():
        raise Cancelled
    return [], used


def index_site(site_dir: Path, config: SiteConfig, shards: Shards,
               cancel: threading.Event | None = None) -> list[Diagnostic]:
    """Index the article pages under site_dir into site_dir/pagefind/, shard by shard; problems come
    back as diagnostics, with the bundle served until then left in place. Setting `cancel` stops
    Pagefind and raises Cancelled."""
    split = shards.split(path.parent.name for path in site_dir.glob(ARTICLE_PAGES_GLOB))
    if not split:
        # Pagefind refuses to build an empty index; a new archive has nothing to search yet.
        shutil.rmtree(site_dir / BUNDLE, ignore_errors=True)
        return []
    work = Path(tempfile.mkdtemp(prefix=f".{BUNDLE}-shards-", dir=site_dir))
    try:
        bundles = []
        for shard, members in split.items():
            bundles.append(work / str(shard))
            if problems := index_shard(site_dir, bundles[-1], members, config.language, cancel, shards.label(shard)):
                return problems
        if problems := combine(bundles, work / "merged", cancel=cancel)[0]:
            return problems
        replace_folder(site_dir / BUNDLE, work / "merged")
        return []
    finally:
        shutil.rmtree(work, ignore_errors=True)

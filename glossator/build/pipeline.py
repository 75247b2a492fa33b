"""Runs the stages: load → validate → anchor → render → write. Writes nothing if any error.

As in MkDocs, all data is gathered and checked before anything is rendered; unlike
Pelican, a file that fails is never skipped: its problems fail the build.
"""

from __future__ import annotations

import filecmp
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..diagnostics import Diagnostic, error, sort_diagnostics
from ..project import Project
from .cache import BuildCache, CachedArticle, Manifest, fingerprint, link_files

# The stages are imported where they are used, not here: a build with nothing changed answers
# from the cache's manifest alone, and importing them (Jinja, markdown-it, the JSON Schema
# validators) would take half of its 0.6 s budget at 10,000 articles (#7).
if TYPE_CHECKING:
    from ..load.files import ArticleInput
    from ..model import SiteConfig
    from .workers import BatchResult

Progress = Callable[[str, int, int], None]
SEARCH_DIR = "pagefind"
SERIAL_BELOW = 64  # articles; below this, worker processes cost more than they save
BATCH_MAX = 200


def plan(
    project: Project, base_url: str | None = None
) -> tuple[SiteConfig, list[ArticleInput], list[Path], list[Diagnostic]]:
    """The work to do: every article with its annotation file, and annotation files without an article."""
    from ..load.files import ArticleInput, list_sources
    from ..validate.site import load_config

    config, diagnostics = load_config(project.site_yaml, "site.yaml", base_url)
    article_paths, annotation_paths, listing_problems = list_sources(project)
    by_stem = {path.stem: path for path in annotation_paths}
    items = [ArticleInput(path.stem, path, by_stem.pop(path.stem, None)) for path in article_paths]
    return config, items, sorted(by_stem.values()), [*diagnostics, *listing_problems]


def _leave_interrupts_to_the_parent() -> None:
    """Ctrl-C reaches the whole process group: the parent stops the build and terminates the pool,
    so the workers need not each print a KeyboardInterrupt traceback on the way out."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _pool_context() -> multiprocessing.context.BaseContext:
    """fork: workers start at once with the engine already imported. But a process with other
    threads (the dev server's HTTP, watcher and indexer threads) must not fork: a lock one of
    them holds at that instant stays locked forever in the child. There the workers come
    from a fork server, a clean single-threaded process started once, engine preloaded."""
    if threading.active_count() == 1 or "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["glossator.build.workers"])
    return context


def run_batches(
    project: Project,
    config: SiteConfig,
    items: list[ArticleInput],
    *,
    drafts: bool,
    staging_dir: Path | None,
    jobs: int = 0,
    progress: Progress | None = None,
) -> BatchResult:
    """Every article through load → validate → anchor (→ render), over worker processes."""
    from .workers import BatchJob, BatchResult, run_batch

    all_slugs = frozenset(item.slug for item in items)
    jobs = jobs or default_jobs()
    # small archives are not worth the processes' start-up
    if jobs == 1 or len(items) < SERIAL_BELOW:
        batches = [items]
    else:
        size = max(1, min(BATCH_MAX, len(items) // (jobs * 4)))
        batches = [items[i : i + size] for i in range(0, len(items), size)]
    work = [BatchJob(project, config, tuple(batch), all_slugs, drafts, staging_dir) for batch in batches]
    total = BatchResult()
    done = 0

    def gather(result: BatchResult) -> None:
        nonlocal done
        total.summaries += result.summaries
        total.diagnostics += result.diagnostics
        total.articles += result.articles
        total.outputs.update(result.outputs)
        done += len(result.summaries) or result.articles
        if progress:
            progress("articles", min(done, len(items)), len(items))

    if len(work) == 1:
        gather(run_batch(work[0]))
    else:
        with _pool_context().Pool(min(jobs, len(work)), initializer=_leave_interrupts_to_the_parent) as pool:
            for result in pool.imap_unordered(run_batch, work):
                gather(result)
    total.summaries.sort(key=lambda s: s.slug)
    return total


def check(project: Project, progress: Progress | None = None, jobs: int = 0) -> list[Diagnostic]:
    """Everything `build` verifies, with nothing written.

    Articles whose inputs are unchanged since the last successful build of `project.out`
    are not checked again: their diagnostics (warnings only) come from the build cache,
    which holds exactly what checking them again would find.
    """
    from ..render.pages import SiteWriter
    from .staging import Staging

    config, items, orphans, diagnostics = plan(project)
    diagnostics += _orphan_problems(project, config, items, orphans)
    cache = BuildCache(project)
    unchecked = items
    if cache.articles:
        # a writer that never writes: only its templates are read, for the cache keys
        writer = SiteWriter(project, config, Staging.attach(project.out))
        shared = fingerprint(repr(config), str(False), writer.article_fingerprint())
        unchecked = []
        for item in items:
            entry = cache.reusable(item.slug, cache.article_key(item, shared))
            if entry is None:
                unchecked.append(item)
            else:
                diagnostics += entry.diagnostics
    result = run_batches(project, config, unchecked, drafts=True, staging_dir=None, jobs=jobs, progress=progress)
    return sort_diagnostics([*diagnostics, *result.diagnostics])


def _orphan_problems(
    project: Project, config: SiteConfig, items: list[ArticleInput], orphans: list[Path]
) -> list[Diagnostic]:
    """Annotation files whose article does not exist: validated for their own errors too."""
    from ..load.files import load_annotations
    from ..validate.rules import validate_annotations

    slugs = {item.slug for item in items}
    problems: list[Diagnostic] = []
    for path in orphans:
        raw, found = load_annotations(project, path, config.max_file_bytes)
        problems += found
        if raw is not None:
            problems += validate_annotations(raw, config, slugs)[1]
    return problems


def terminal_progress(stream=sys.stderr) -> Progress | None:
    """A one-line counter on a terminal; nothing when output is piped or in CI."""
    if not stream.isatty():
        return None
    last = [-1]

    def report(stage: str, done: int, total: int) -> None:
        percent = done * 100 // max(total, 1)
        if percent != last[0] or done == total:
            last[0] = percent
            stream.write(f"\r{stage}: {done}/{total} ({percent}%)")
            if done == total:
                stream.write("\n")
            stream.flush()

    return report


def out_dir_inside_inputs(project: Project) -> Path | None:
    """The output may not be one of the folders we read from."""
    for folder in (project.content_dir, project.annotations_dir, project.root / "templates", project.root):
        if project.out == folder.resolve():
            return folder
    return None


@dataclass
class BuildResult:
    diagnostics: list[Diagnostic]
    articles: int = 0
    annotations: int = 0
    rebuilt: tuple[str, ...] = ()  # slugs whose pages were rendered (the rest came from the cache)
    up_to_date: bool = False  # nothing changed: the site was left as it was
    changed: tuple[str, ...] | None = None  # files that differ from the previous site (None: no previous site)

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


def _slug_of(diagnostic: Diagnostic) -> str:
    return _stem(diagnostic.path)


@lru_cache(maxsize=4096)
def _stem(path: str) -> str:
    # (once per file, not per warning: 150,000 warnings at 10k articles, 0.4 s of Path objects)
    return Path(path).stem


def _files_under(root: Path, folder: str) -> tuple[str, ...]:
    return tuple(p.relative_to(root).as_posix() for p in sorted((root / folder).rglob("*")) if p.is_file())


def _site_files(root: Path) -> Iterator[tuple[str, str]]:
    """(path relative to root, full path) of a site's files, but the search index and the hidden
    folders beside it (Pagefind writes the new index into one while the listings are made)."""
    for directory, folders, files in os.walk(root):
        if directory == str(root):
            folders[:] = [name for name in folders if name != SEARCH_DIR and not name.startswith(".")]
            prefix = ""
        else:
            prefix = Path(directory).relative_to(root).as_posix() + "/"
        for name in files:
            yield prefix + name, f"{directory}/{name}"


def _changed_files(old: Path, new: Path, rendered: set[str], reused: dict[str, CachedArticle]) -> tuple[str, ...]:
    """What a reader of the old site would see change: re-rendered article files, listings whose
    bytes differ, and files that appeared or went away (the search index is left out)."""
    kept = {path for entry in reused.values() for path in entry.outputs}
    changed = set(rendered)
    seen: set[str] = set()
    for relative, path in _site_files(new):
        seen.add(relative)
        if relative in kept or relative in rendered:
            continue
        before = f"{old}/{relative}"
        # filecmp compares sizes before bytes: the 100 MB data dump is rarely read
        if not os.path.isfile(before) or not filecmp.cmp(before, path, shallow=False):
            changed.add(relative)
    changed.update(relative for relative, _ in _site_files(old) if relative not in seen)
    return tuple(sorted(changed))


def _up_to_date(previous: Manifest, other_warnings: list[Diagnostic]) -> BuildResult:
    warnings = sort_diagnostics([*other_warnings, *previous.warnings]) if other_warnings else list(previous.warnings)
    return BuildResult(warnings, articles=previous.articles, annotations=previous.annotations, up_to_date=True)


def build(
    project: Project,
    *,
    base_url: str | None = None,
    drafts: bool = False,
    jobs: int = 0,
    progress: Progress | None = None,
    use_cache: bool = True,
    search: bool = True,
    keep_old_search: bool = False,
) -> BuildResult:
    """Build the whole site into project.out, or leave it untouched and return the errors.

    With search=False and keep_old_search, the previous site's search index is carried
    over unchanged (the dev server re-indexes after the pages are published).
    """
    cache = BuildCache(project) if use_cache else None
    options = repr((base_url, drafts, search))
    inputs = cache.stat_inputs() if cache else {}
    if cache and cache.unchanged(options, inputs) and project.out.is_dir():
        return _up_to_date(cache.previous, list(cache.previous.other_warnings))
    from ..exports.merge import DamagedExport
    from ..render.jinja import TemplateProblem
    from ..render.pages import SiteWriter
    from ..search.pagefind import index_site
    from .staging import Staging

    config, items, orphans, diagnostics = plan(project, base_url)
    diagnostics += _orphan_problems(project, config, items, orphans)
    if any(d.is_error for d in diagnostics):
        # the build has failed, but every article is still checked: list all the problems, as `check` does
        checked = run_batches(project, config, items, drafts=drafts, staging_dir=None, jobs=jobs, progress=progress)
        return BuildResult(sort_diagnostics([*diagnostics, *checked.diagnostics]))
    other_warnings = list(diagnostics)
    staging = Staging(project.out)
    committed = False
    try:
        writer = SiteWriter(project, config, staging)
        shared = fingerprint(repr(config), str(drafts), writer.article_fingerprint())
        keys = {item.slug: cache.article_key(item, shared) for item in items} if cache else {}
        site_key = fingerprint(shared, str(search), writer.site_fingerprint(), *(keys[i.slug] for i in items)) \
            if cache else ""
        if cache and site_key == cache.previous.site_key and project.out.is_dir():
            # files saved without change: the next build need not hash them again to know it
            cache.restamp(options, inputs, other_warnings)
            return _up_to_date(cache.previous, diagnostics)
        reused: dict[str, CachedArticle] = {}
        if cache:
            made: set[str] = set()
            for item in items:
                entry = cache.reusable(item.slug, keys[item.slug])
                if entry is not None:
                    link_files(project.out, staging.dir, entry.outputs, made)
                    reused[item.slug] = entry
        dirty = [item for item in items if item.slug not in reused]
        result = run_batches(project, config, dirty, drafts=drafts, staging_dir=staging.dir, jobs=jobs,
                             progress=progress)
        diagnostics += result.diagnostics
        for entry in reused.values():
            diagnostics += entry.diagnostics
        if any(d.is_error for d in diagnostics):
            return BuildResult(sort_diagnostics(diagnostics))
        summaries = sorted([*result.summaries, *(e.summary for e in reused.values())], key=lambda s: s.slug)
        # Pagefind reads only the article pages, all written now, and mostly works on one core: the
        # other makes the listings and the exports meanwhile (5 s of the 10k build, #7).
        stop_indexing = threading.Event()
        with ThreadPoolExecutor(1) as background:
            indexing = background.submit(index_site, staging.dir, config, stop_indexing) if search else None
            try:
                writer.write_listings(summaries)
                writer.write_assets()
                rendered = {path for outputs in result.outputs.values() for path in outputs}
                changed = _changed_files(project.out, staging.dir, rendered, reused) if project.out.is_dir() else None
            except BaseException:
                stop_indexing.set()
                raise
            if indexing and (search_problems := indexing.result()):
                return BuildResult(sort_diagnostics([*diagnostics, *search_problems]))
        if not search and keep_old_search and (project.out / SEARCH_DIR).is_dir():
            link_files(project.out, staging.dir, _files_under(project.out, SEARCH_DIR))
        staging.commit()
        committed = True
        if cache:
            by_slug: dict[str, list[Diagnostic]] = {}
            for diagnostic in result.diagnostics:
                by_slug.setdefault(_slug_of(diagnostic), []).append(diagnostic)
            entries = dict(reused)
            for summary in result.summaries:
                entries[summary.slug] = CachedArticle(keys[summary.slug], summary, result.outputs[summary.slug],
                                                      tuple(by_slug.get(summary.slug, ())))
            cache.save(site_key, entries, options, inputs, other_warnings)
        return BuildResult(
            sort_diagnostics(diagnostics),
            articles=len(summaries),
            annotations=sum(s.annotation_count for s in summaries),
            rebuilt=tuple(s.slug for s in result.summaries),
            changed=changed,
        )
    except TemplateProblem as problem:
        return BuildResult(sort_diagnostics([*diagnostics, problem.diagnostic]))
    except DamagedExport as problem:
        damaged = error(f"{project.out.name}/{problem.path}", 0, 0, problem.message,
                        f"delete {project.out.name}/ and build again", title="Damaged site")
        return BuildResult(sort_diagnostics([*diagnostics, damaged]))
    finally:
        if not committed:
            staging.abort()

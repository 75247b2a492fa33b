"""Runs the stages: load → validate → anchor → render → write → index. Writes nothing if any error.

As in MkDocs, all data is gathered and checked before anything is rendered; unlike
Pelican, a file that fails is never skipped: its problems fail the build.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..diagnostics import Diagnostic, error, sort_diagnostics
from ..project import Project
from .cache import BuildCache, CachedArticle, Manifest, PendingSave, fingerprint, link_files
from .changes import SEARCH_DIR, changed_files, files_under
from .options import BuildOptions

# The stages are imported where they are used, not here: a build with nothing changed answers
# from the cache's manifest alone, and importing them (Jinja, markdown-it, the JSON Schema
# validators) would take half of its 0.6 s budget at 10,000 articles (#7).
if TYPE_CHECKING:
    from ..exports.merge import ExportLayout
    from ..model import SiteConfig
    from .plan import Plan
    from .site import SiteWriter

Progress = Callable[[str, int, int], None]
MERGE_APART_FROM = 1000  # articles rendered: from here the exports' merge is worth a process of its own


def _articles_among(inputs: Mapping[str, object]) -> int:
    """About how many articles an archive has, from its input files (at most: earlier texts count too)."""
    return sum(1 for name in inputs if name.endswith(".md"))


def _children_ahead(articles: int, search: bool) -> bool:
    """Whether rendering `articles` will start processes from the fork server: the exports' merge
    apart, or the workers of a build whose search runs on threads (build/background.py)."""
    from .workers import SERIAL_BELOW

    return articles >= MERGE_APART_FROM or (search and articles >= SERIAL_BELOW)


def _orphan_problems(plan: Plan) -> list[Diagnostic]:
    """Annotation files whose article does not exist: validated for their own errors too."""
    from ..load.files import load_annotations
    from ..validate.rules import validate_annotations

    problems: list[Diagnostic] = []
    for path in plan.orphans:
        raw, found = load_annotations(plan.project, path, plan.config.max_file_bytes)
        problems += found
        if raw is not None:
            problems += validate_annotations(raw, plan.config, plan.all_slugs)[1]
    return problems


def _shared_key(plan: Plan, options: BuildOptions, writer: SiteWriter) -> str:
    """What every article's cache key holds besides its own files."""
    return fingerprint(repr(plan.config), str(options.drafts), writer.pages.article_fingerprint())


def _site_key(shared: str, options: BuildOptions, writer: SiteWriter, keys: Mapping[str, str]) -> str:
    """What the whole site's pages depend on: an unchanged key means an unchanged site."""
    return fingerprint(shared, str(options.search), writer.pages.site_fingerprint(), *keys.values())


def check(project: Project, progress: Progress | None = None, jobs: int = 0) -> list[Diagnostic]:
    """Everything `build` verifies, with nothing written.

    Articles whose inputs are unchanged since the last successful build of `project.out`
    are not checked again: their diagnostics (warnings only) come from the build cache,
    which holds exactly what checking them again would find.
    """
    from ..render.jinja import TemplateProblem
    from .plan import make_plan
    from .site import SiteWriter
    from .workers import run_articles

    plan = make_plan(project, BuildOptions())
    diagnostics = [*plan.diagnostics, *_orphan_problems(plan)]
    cache = BuildCache(project)
    unchecked = list(plan.articles)
    try:
        # a writer that never writes: only its templates are read, for the cache keys
        shared = _shared_key(plan, BuildOptions(), SiteWriter(project, plan.config)) if cache.articles else None
    except TemplateProblem:  # (check reads no template otherwise: it renders nothing, so it has no keys)
        shared = None
    if shared is not None:
        unchecked = []
        for slug, item in plan.articles.items():
            entry = cache.reusable(slug, cache.article_key(item, shared))
            if entry is None:
                unchecked.append(slug)
            else:
                diagnostics += entry.diagnostics
    outcomes = run_articles(plan, unchecked, drafts=True, out=None, jobs=jobs, progress=progress)
    return sort_diagnostics([*diagnostics, *(d for outcome in outcomes for d in outcome.diagnostics)])


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


# Files every site a build writes has: a folder holding both was made by a build
_BUILT_MARKS = ("annotations.jsonld", "404.html")


def out_problem(project: Project) -> str | None:
    """Why the site may not be written at project.out, or None. A build swaps the whole folder for
    the new site (the old one is deleted), so it must not hold the archive, lie inside one of the
    folders the build reads, or be a folder with other things in it."""
    out = project.out
    if project.root.is_relative_to(out):
        return f"--out {out} holds the archive itself: the site would replace it"
    for folder in (project.content_dir, project.annotations_dir, project.versions_dir, project.root / "templates",
                   project.root / "schemas"):
        if out.is_relative_to(folder.resolve()):
            return f"--out {out} is inside the archive's {folder.name}/ folder: the site would replace its files"
    if out.exists() and not out.is_dir():
        return f"--out {out} is a file, not a folder"
    if out.is_dir() and not _made_by_a_build(out):
        return (f"--out {out} is a folder with other files in it, and a build replaces the whole folder with "
                "the site; choose a new or empty folder, or delete this one first")
    return None


def _made_by_a_build(out: Path) -> bool:
    """An empty folder, or a site a build wrote (its cache beside it, or the files every site has)."""
    try:
        with os.scandir(out) as entries:
            if next(entries, None) is None:
                return True
    except OSError:
        return True  # (the build reports what it cannot read or write)
    return ((out.parent / f".{out.name}.glossator-cache").is_dir()
            or all(os.path.isfile(out / name) for name in _BUILT_MARKS))


@dataclass
class BuildResult:
    diagnostics: list[Diagnostic]
    articles: int = 0
    annotations: int = 0
    rebuilt: tuple[str, ...] = ()  # slugs whose pages were rendered (the rest came from the cache)
    up_to_date: bool = False  # nothing changed: the site was left as it was
    changed: tuple[str, ...] | None = None  # files that differ from the previous site (None: not asked, or none)
    plan: Plan | None = None  # what was built (None when nothing changed: the manifest answered)
    config: SiteConfig | None = None  # the site's settings (None only if neither plan nor manifest had them)
    search_shards: int = 1  # the search index's shards (search/shards.py)

    def __post_init__(self) -> None:
        if self.config is None and self.plan is not None:
            self.config = self.plan.config

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


_CANNOT_WRITE = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT}


def _cannot_write(project: Project, exc: OSError) -> Diagnostic:
    return error(project.relative(project.out), 0, 0,
                 f"the site cannot be written into {project.out}: {(exc.strerror or str(exc)).lower()}",
                 f"check that you may write to {project.out.parent}/ and {project.out.name}/ (a site made by "
                 "`sudo make build` belongs to root: delete it with sudo) and that the disk has room; "
                 "the previous site was left as it was", title="Cannot write the site")


def _up_to_date(previous: Manifest, other_warnings: list[Diagnostic], plan: Plan | None = None) -> BuildResult:
    warnings = sort_diagnostics([*other_warnings, *previous.warnings]) if other_warnings else list(previous.warnings)
    return BuildResult(warnings, articles=previous.articles, annotations=previous.annotations, up_to_date=True,
                       plan=plan, config=previous.config, search_shards=previous.search_shards)


def build(
    project: Project,
    options: BuildOptions | None = None,
    *,
    jobs: int = 0,
    progress: Progress | None = None,
    use_cache: bool = True,
    keep_old_search: bool = False,
    report_changes: bool = False,
    detach_cleanup: bool = False,
) -> BuildResult:
    """Build the whole site into project.out, or leave it untouched and return the errors.

    With options.search off and keep_old_search, the previous site's search index is carried
    over unchanged (the dev server re-indexes after the pages are published). With report_changes,
    the result says which files differ from the previous site (the dev server reloads those pages).
    With detach_cleanup, the previous site's files are deleted by a process of their own (the
    command line returns once the new site is in place).
    """
    options = options or BuildOptions()
    cache = BuildCache(project) if use_cache else None
    inputs = cache.stat_inputs() if cache else {}
    if cache and cache.unchanged(options.key, inputs) and project.out.is_dir():
        return _up_to_date(cache.previous, list(cache.previous.other_warnings))
    from .background import start_fork_server

    if cache and not cache.previous.articles and _children_ahead(_articles_among(inputs), options.search):
        start_fork_server()  # (its engine loads while the archive is listed: ~0.25 s at the start of a cold build)
    from ..exports.merge import DamagedExport
    from ..render.jinja import TemplateProblem
    from .indexing import ShardedIndex
    from .keys import KeysInBackground
    from .plan import make_plan
    from .site import SiteWriter
    from .staging import Staging
    from .workers import run_articles

    plan = make_plan(project, options)
    if not (cache and cache.previous.articles) and _children_ahead(len(plan.articles), options.search):
        start_fork_server()  # (every article will be rendered: known before the cache keys are made)
    config = plan.config
    diagnostics = [*plan.diagnostics, *_orphan_problems(plan)]
    if any(d.is_error for d in diagnostics):
        # the build has failed, but every article is still checked: list all the problems, as `check` does
        checked = run_articles(plan, list(plan.articles), drafts=options.drafts, out=None, jobs=jobs,
                               progress=progress)
        return BuildResult(sort_diagnostics([*diagnostics, *(d for o in checked for d in o.diagnostics)]),
                           plan=plan)
    other_warnings = list(diagnostics)
    try:
        staging = Staging(project.out)
    except OSError as exc:
        return BuildResult(sort_diagnostics([*diagnostics, _cannot_write(project, exc)]), plan=plan)
    committed = False
    search: ShardedIndex | None = None
    saved: PendingSave | None = None
    raced: set[str] = set()
    try:
        writer = SiteWriter(project, config)
        shared = _shared_key(plan, options, writer)
        items = plan.articles
        keys: Mapping[str, str] = {}
        site_key = ""  # (made once the keys are, in the background: see below)
        background = KeysInBackground(cache, items, shared) if cache and items and not cache.previous.articles else None
        if background is not None:
            keys = background  # nothing to reuse: hashed while pages are rendered
        elif cache:
            keys = {slug: cache.article_key(item, shared) for slug, item in items.items()}
            site_key = _site_key(shared, options, writer, keys)
            if site_key == cache.previous.site_key and not cache.changed_outside and project.out.is_dir():
                # files saved without change: the next build need not hash them again to know it
                cache.restamp(options.key, inputs, other_warnings, config)
                return _up_to_date(cache.previous, diagnostics, plan)
        reused: dict[str, CachedArticle] = {}
        if cache and background is None:
            for slug in items:
                entry = cache.reusable(slug, keys[slug])
                if entry is not None:
                    reused[slug] = entry
        made: set[str] = set()

        def link(slugs: Iterable[str]) -> None:
            for slug in slugs:
                link_files(project.out, staging.dir, reused[slug].outputs, made)

        store = cache.dir / "search" if cache else Path(f"{staging.dir}-shards")
        search = ShardedIndex(plan, staging.dir, store, search=options.search, article_keys=keys,
                              reuse=background is None)
        try:
            dirty = [slug for slug in items if slug not in reused]
            if _children_ahead(len(dirty), options.search):
                start_fork_server()
            first = search.first_pages(reused, dirty)
            link(first)
            # shard by shard, each indexed once its pages are written, while the next is rendered
            order = search.start(reused, dirty)
            if background is not None:
                background.start(order)
            outcomes = run_articles(plan, order, drafts=options.drafts, out=staging.dir, jobs=jobs,
                                    progress=progress, on_batch=search.rendered)
            if background is not None:  # (all hashed by now; a child process the exports are merged in takes a copy)
                keys = dict(background)
                site_key = _site_key(shared, options, writer, keys)
            linked = set(first)
            link(slug for slug in reused if slug not in linked)
            rendered = [outcome for outcome in outcomes if outcome.summary is not None]
            diagnostics += [d for outcome in outcomes for d in outcome.diagnostics]
            for entry in reused.values():
                diagnostics += entry.diagnostics
            if any(d.is_error for d in diagnostics):
                search.stop()
                return BuildResult(sort_diagnostics(diagnostics), plan=plan)
            search.seal()
            summaries = sorted([*(o.summary for o in rendered if o.summary), *(e.summary for e in reused.values())],
                               key=lambda s: s.slug)
            # the last shards are indexed meanwhile; the archive's exports are merged in a child
            # process while this one renders the listings and writes the cache
            laid_out = cache.exports if cache else None
            archive = writer.start_archive_data(summaries, staging.files, keys,
                                                (project.out, laid_out) if laid_out else None,
                                                reused=reused.keys(), apart=len(rendered) >= MERGE_APART_FROM)
            try:
                writer.write_listings(summaries, staging.files)
                writer.write_assets(staging.files)

                def exports() -> ExportLayout:
                    layout = writer.write_annotations_feed(archive.result(), staging.files)
                    return layout.without(raced) if raced else layout

                if cache:  # written now, while the last shards are indexed and merged; in use once the site is
                    # an article saved while this build ran may have been rendered from either text
                    raced = cache.changed_during_build(inputs, (items[o.slug] for o in rendered))
                    entries = dict(reused)
                    for outcome in rendered:
                        assert outcome.summary is not None
                        if outcome.slug not in raced:
                            entries[outcome.slug] = CachedArticle(keys[outcome.slug], outcome.summary,
                                                                  outcome.outputs, outcome.diagnostics)
                    saved = cache.save(site_key if not raced else "", entries, options.key, inputs, other_warnings,
                                       config, search.shards.count, exports)
                else:
                    exports()
            finally:
                archive.stop()
            written = {path for outcome in rendered for path in outcome.outputs}
            kept = {path for entry in reused.values() for path in entry.outputs}
            changed = (changed_files(project.out, staging.dir, written, kept)
                       if report_changes and project.out.is_dir() else None)
            search_problems = search.finish()
            if raced:  # their search bundles are named by their keys too
                search.forget(raced)
        except BaseException:  # a listing failed, or Ctrl-C: no Pagefind run may go on
            search.stop()
            raise
        if search_problems:
            return BuildResult(sort_diagnostics([*diagnostics, *search_problems]), plan=plan)
        if not options.search and keep_old_search and (project.out / SEARCH_DIR).is_dir():
            link_files(project.out, staging.dir, files_under(project.out, SEARCH_DIR))
        staging.commit(detach_cleanup=detach_cleanup)
        committed = True
        if saved is not None:
            saved.publish()
        search.close(built=True)
        return BuildResult(
            sort_diagnostics(diagnostics),
            articles=len(summaries),
            annotations=sum(s.annotation_count for s in summaries),
            rebuilt=tuple(o.slug for o in rendered),
            changed=changed,
            plan=plan,
            search_shards=search.shards.count,
        )
    except TemplateProblem as problem:
        return BuildResult(sort_diagnostics([*diagnostics, problem.diagnostic]), plan=plan)
    except DamagedExport as problem:
        damaged = error(f"{project.out.name}/{problem.path}", 0, 0, problem.message,
                        f"delete {project.out.name}/ and build again", title="Damaged site")
        return BuildResult(sort_diagnostics([*diagnostics, damaged]), plan=plan)
    except OSError as exc:
        if exc.errno not in _CANNOT_WRITE:
            raise
        return BuildResult(sort_diagnostics([*diagnostics, _cannot_write(project, exc)]), plan=plan)
    finally:
        if not committed:
            staging.abort()
            if saved is not None:
                saved.discard()
            if search is not None:
                search.close(built=False)

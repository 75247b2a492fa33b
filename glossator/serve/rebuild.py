"""One rebuild: run the pipeline, tell open pages what changed, and say so in the terminal.

An edit to one article is published first on its own (hot.py), so its page reloads at
once. Then the pipeline writes the whole site into a staging directory and swaps it in
only on success, so the served site is always a complete build; a failed build leaves
the last good one served and its diagnostics go to the overlay and the terminal. The
search index follows in the background (indexer.py). Nothing a file contains can stop
the server: even a crash inside the engine becomes a reported problem.
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from ..build import pipeline
from ..build.options import BuildOptions
from ..diagnostics import Diagnostic, error, format_text, sort_diagnostics
from ..model import SiteConfig
from ..project import Project
from ..search.shards import Shards
from .hot import HotRenderer, HotUpdate
from .indexer import BackgroundIndexer, SearchDelta
from .paths import HASHED_ASSET
from .server import PreviewServer
from .state import Problems, SiteState

OVERLAY_LIMIT = 100  # diagnostics shown in the browser; the terminal gets them all
NEW_WARNINGS_LIMIT = 20  # warnings printed per rebuild: a corpus can have thousands
SEARCH_PAGE = "search/index.html"  # reloaded when the search index changes: it loaded the old one


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def stylesheets(site: Path) -> dict[str, str]:
    """Logical stylesheet name → its hashed file under static/."""
    found: dict[str, str] = {}
    static = site / "static"
    if static.is_dir():
        for path in static.rglob("*.css"):
            relative = path.relative_to(site).as_posix()
            match = HASHED_ASSET.match(relative)
            if match:
                found[match["stem"] + (match["ext"] or "")] = relative
    return found


def changed_pages(result: pipeline.BuildResult) -> frozenset[str] | None:
    """Output files the build changed, relative to the site root, when the engine reports
    them (the incremental engine does); None means "assume every page changed"."""
    if getattr(result, "up_to_date", False):  # inputs unchanged (a save without edits): the site was left alone
        return frozenset()
    changed = getattr(result, "changed", None)
    return None if changed is None else frozenset(str(path) for path in changed)


class Rebuilder:
    def __init__(self, project: Project, state: SiteState, server: PreviewServer, config: SiteConfig, *,
                 drafts: bool = False, stream: TextIO = sys.stderr) -> None:
        self.project = project
        self.state = state
        self.server = server
        self.stream = stream
        # pages first, published at once; the search index follows in the background (indexer.py)
        self.options = BuildOptions(drafts=drafts, search=False)
        self.config = config  # the last good build's settings (at first: site.yaml as serve found it)
        self.shards = Shards(1)  # and its search index's layout
        self._warnings: set[Diagnostic] = set()
        # Inputs changed since the last successful build: a failed build's changes are still
        # unpublished, so "only stylesheets changed" must hold for all of them.
        self._unpublished: set[str] = set()
        self.hot = HotRenderer(project, self.options)
        self.indexer = BackgroundIndexer(project, self.say, self._search_changed)

    def say(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def stylesheets_only(self, changed: Iterable[str]) -> bool:
        statics = [folder / "static" for folder in self.project.templates_dirs]
        paths = [Path(p) for p in changed]
        return bool(paths) and all(
            p.suffix == ".css" and any(p.is_relative_to(folder) for folder in statics) for p in paths
        )

    def rebuild(self, changed: frozenset[str] | None) -> bool:
        """Build once; `changed` is None for the first build. True if the build succeeded."""
        self.indexer.pause(wait=False)  # Pagefind would compete for the cores the edit needs
        hot = None
        if changed is not None and self.state.version > 0 and not self._unpublished:
            hot = self._hot_update(changed)
        self.indexer.pause()  # before the site it reads is replaced
        if changed is not None:
            self._unpublished.update(changed)
            if not self.hot.handles(changed):
                self.hot.forget()  # templates, assets or site.yaml: compile again
        # (and never before this session's first good build: the site on disk may be older)
        restyle = changed is not None and self.state.version > 0 and self.stylesheets_only(self._unpublished)
        before = stylesheets(self.project.out) if restyle else {}
        started = time.perf_counter()
        try:
            progress = pipeline.terminal_progress(self.stream) if changed is None else None
            result = pipeline.build(self.project, self.options, progress=progress, keep_old_search=True,
                                    report_changes=True)
            diagnostics = result.diagnostics
        except Exception as exc:  # a bug in the engine must not take the preview down
            traceback.print_exc(file=self.stream)
            result = None
            diagnostics = [error("(build)", 0, 0, f"internal error: {type(exc).__name__}: {exc}",
                                 "this is a bug in Glossator, not in your files; the traceback is in the terminal")]
        seconds = time.perf_counter() - started
        errors = [d for d in diagnostics if d.is_error]
        self._report_warnings([d for d in diagnostics if not d.is_error])
        what = "built" if changed is None else "rebuilt"
        if result is None or errors:
            self._failed(errors, seconds)
            # the site served is unchanged but for the fast path's pages; its index may be unfinished
            self.indexer.refresh(frozenset(hot.written) if hot is not None else frozenset(), self.config, self.shards)
            return False
        self._unpublished.clear()
        self.config = result.config or self.config
        self.shards = Shards(result.search_shards)
        self.server.mount = self.config.base_path
        # what the search index must catch up with: a stylesheet's new name is no indexed text
        indexed = frozenset() if restyle else changed_pages(result)
        if indexed is not None and hot is not None:
            indexed |= frozenset(hot.written)
        if restyle:
            after = stylesheets(self.project.out)
            mount = self.server.mount
            swaps = {mount + old: mount + after[name] for name, old in before.items()
                     if name in after and after[name] != old}
            self.state.published(frozenset(), swaps)
        else:
            self.state.published(self._not_yet_shown(changed_pages(result), hot))
        if changed is None:
            outcome = f": {plural(result.articles, 'article')}, {plural(result.annotations, 'annotation')}"
        else:
            outcome = ": nothing to update" if getattr(result, "up_to_date", False) else ""
        self.say(f"{what} in {seconds:.2f} s{self._describe(changed)}{outcome}")
        self.hot.warm(self.config)
        # after the reload went out: the open pages need not wait for it
        self.indexer.refresh(indexed, self.config, self.shards)
        return True

    def close(self) -> None:
        self.indexer.close()

    def _search_changed(self, delta: SearchDelta) -> None:
        """The indexer's thread has a new delta, or none now that the full index caught up."""
        self.server.search_delta = delta
        # (after a failed build the index still catches up with the last good site: its overlay stays)
        self.state.published(frozenset({SEARCH_PAGE}), by_build=False)

    def _hot_update(self, changed: frozenset[str]) -> HotUpdate | None:
        """The edited article alone, published before the full build (hot.py)."""
        started = time.perf_counter()
        try:
            hot = self.hot.update(changed)
        except Exception:  # the full build that follows reports whatever this was
            traceback.print_exc(file=self.stream)
            self.hot.forget()
            return None
        if hot is not None and hot.written:
            self.state.published(frozenset(hot.written))
            self.say(f"updated {', '.join(hot.slugs)} in "
                     f"{(time.perf_counter() - started) * 1000:.0f} ms; rebuilding listings and exports…")
        return hot

    def _not_yet_shown(self, pages: frozenset[str] | None, hot: HotUpdate | None) -> frozenset[str] | None:
        """The build's changed pages, less those the fast path already published as they are now."""
        if pages is None or hot is None:
            return pages
        out = self.project.out

        def shown(page: str) -> bool:
            try:
                return page in hot.written and (out / page).read_bytes() == hot.written[page]
            except OSError:
                return False

        return frozenset(p for p in pages if not shown(p))

    def _failed(self, errors: list[Diagnostic], seconds: float) -> None:
        errors = sort_diagnostics(errors)
        root = self.project.root
        self.say(format_text(errors, root))
        summary = plural(len(errors), "error")
        shown = format_text(errors[:OVERLAY_LIMIT], root)
        if len(errors) > OVERLAY_LIMIT:
            shown += f"\n… and {len(errors) - OVERLAY_LIMIT} more (all of them are in the terminal)"
        self.state.failed(Problems(shown, summary))
        self.say(f"build failed in {seconds:.2f} s ({summary}); still serving the last good site")

    def _report_warnings(self, warnings: list[Diagnostic]) -> None:
        """Print warnings the previous build did not have, so a rebuild does not repeat thousands."""
        current = set(warnings)
        fresh = sort_diagnostics(current - self._warnings)
        self._warnings = current
        if not fresh:
            return
        self.say(format_text(fresh[:NEW_WARNINGS_LIMIT], self.project.root))
        if len(fresh) > NEW_WARNINGS_LIMIT:
            self.say(f"… and {len(fresh) - NEW_WARNINGS_LIMIT} more warnings (`build.py check` lists them all)")

    def _describe(self, changed: frozenset[str] | None) -> str:
        if not changed:
            return ""
        names = sorted(self.project.relative(Path(p)) for p in changed)
        more = f" and {len(names) - 3} more" if len(names) > 3 else ""
        return " (" + ", ".join(names[:3]) + more + ")"

"""What the preview server knows: the site version, what each build changed, and the current problems.

Epochs follow MkDocs' livereload: every page records the site version it was served from
(its *stamp*), and is told to reload only once a newer build that affects it is complete —
never in the middle of a build, and never because of a build that failed.
"""

from __future__ import annotations

import secrets
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

HISTORY = 256  # builds remembered; a page older than that simply reloads


@dataclass(frozen=True)
class Change:
    """One successful build that replaced the site."""

    version: int
    # Output files (relative to the site root, e.g. "articles/x/index.html") the build changed;
    # None when the engine cannot tell, which means every page.
    pages: frozenset[str] | None
    # True when only stylesheets changed (the pages differ only in their hashed <link> URLs):
    # open pages then swap their stylesheets, old URL → new URL, instead of reloading.
    stylesheets_only: bool = False
    stylesheets: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Problems:
    """Why the latest build failed, formatted exactly as `check` prints it."""

    text: str
    summary: str  # "2 errors"


@dataclass(frozen=True)
class Action:
    """What an open page must do to show the current site."""

    reload: bool = False
    stylesheets: Mapping[str, str] = field(default_factory=dict)

    @property
    def nothing(self) -> bool:
        return not self.reload and not self.stylesheets


@dataclass(frozen=True)
class Snapshot:
    generation: int  # bumped by every build outcome, so waiters notice any news
    problems: Problems | None
    closed: bool


class SiteState:
    """Shared by the build loop (writer) and the server's event streams (readers)."""

    def __init__(self) -> None:
        # Identifies this server run: a page served by an earlier run always reloads.
        self.instance = secrets.token_hex(4)
        self._cond = threading.Condition()
        self._version = 0
        self._generation = 0
        self._history: deque[Change] = deque(maxlen=HISTORY)
        self._problems: Problems | None = None
        self._closed = False

    @property
    def version(self) -> int:
        with self._cond:
            return self._version

    def stamp(self) -> str:
        """What a page served now records. Read *before* reading the file, so a page can only
        be newer than its stamp says (one needless reload), never older (a missed one)."""
        return f"{self.instance}:{self.version}"

    def published(self, pages: frozenset[str] | None, stylesheets: Mapping[str, str] | None = None, *,
                  by_build: bool = True) -> int:
        """A build succeeded and its output is in place. With `stylesheets` (old URL → new URL),
        the build changed stylesheets only. Not `by_build` (the search index caught up, in the
        background): the pages changed, but the last build's problems stand until one succeeds."""
        with self._cond:
            self._version += 1
            swaps = dict(stylesheets or {})
            self._history.append(Change(self._version, pages, stylesheets is not None, swaps))
            if by_build:
                self._problems = None
            self._generation += 1
            self._cond.notify_all()
            return self._version

    def failed(self, problems: Problems) -> None:
        """A build failed: the site is unchanged, open pages show the problems."""
        with self._cond:
            self._problems = problems
            self._generation += 1
            self._cond.notify_all()

    def close(self) -> None:
        """Shutting down: wake every event stream so its thread can end."""
        with self._cond:
            self._closed = True
            self._generation += 1
            self._cond.notify_all()

    def snapshot(self) -> Snapshot:
        with self._cond:
            return Snapshot(self._generation, self._problems, self._closed)

    def wait(self, seen: int, timeout: float) -> Snapshot:
        """Block until the generation differs from `seen`, or `timeout` passes."""
        with self._cond:
            self._cond.wait_for(lambda: self._generation != seen, timeout)
            return Snapshot(self._generation, self._problems, self._closed)

    def catch_up(self, page: str, stamp: str) -> tuple[Action, str]:
        """What a page served at `stamp` must do now, and the stamp it has afterwards.

        `page` is the output file the page came from; "" (a not-found or placeholder page)
        is affected by every build, since the missing page may just have been created.
        """
        with self._cond:
            current = f"{self.instance}:{self._version}"
            instance, _, version_text = stamp.partition(":")
            if instance != self.instance or not version_text.isdigit() or int(version_text) > self._version:
                return Action(reload=True), current
            since = int(version_text)
            if since == self._version:
                return Action(), current
            changes = [c for c in self._history if c.version > since]
            if not changes or changes[0].version != since + 1:  # older than the history we kept
                return Action(reload=True), current
            return _combine(changes, page), current


def _combine(changes: list[Change], page: str) -> Action:
    swaps: dict[str, str] = {}
    for change in changes:
        if change.stylesheets_only:
            # chain the renames: a page still on v1 of a stylesheet must get v3, not v2
            swaps = {old: change.stylesheets.get(new, new) for old, new in swaps.items()}
            for old, new in change.stylesheets.items():
                swaps.setdefault(old, new)
            continue
        if not page or change.pages is None or page in change.pages:
            return Action(reload=True)
    return Action(stylesheets={old: new for old, new in swaps.items() if old != new})

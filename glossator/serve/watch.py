"""Watching the archive's inputs with watchdog, and letting bursts of changes settle.

Editors save in many ways: in place (modify + close), by writing a temporary file and
renaming it over the original (vim, VS Code, atomic-write libraries), or by moving the
original aside first. All of them end in an event naming the real file, and temporary
names are ignored. Changes are gathered into a set and handed over only once the
archive has been quiet for a moment (Zola keeps the last event per path; MkDocs waits
for changes to settle), so 200 saves in a second make one build, maybe two, and the
build always reads the final content.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch

from ..project import BUILTIN_SCHEMAS, BUILTIN_TEMPLATES, Project, is_noise, looks_like_article

SETTLE_SECONDS = 0.04  # quiet time before a build starts: longer than the gaps inside one save
LONGEST_WAIT_SECONDS = 3.0  # a never-ending stream of changes still gets a build this often

# Only what changes content: no open/close-without-write events (a build reading its
# inputs must not trigger the next build), no bare directory "modified" events.
EVENT_FILTER: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    FileModifiedEvent,
    FileClosedEvent,
    FileDeletedEvent,
    FileMovedEvent,
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
]
@dataclass(frozen=True)
class Inputs:
    """What the build reads, and so what is watched."""

    root: Path
    content: Path
    annotations: Path
    versions: Path  # versions/<slug>/<name>.md: the articles' earlier texts
    site_yaml: Path
    other_dirs: tuple[Path, ...]  # templates (with static/) and schemas, the archive's and built-in

    @classmethod
    def of(cls, project: Project) -> Inputs:
        root = project.root
        others = [root / "templates", root / "schemas", BUILTIN_TEMPLATES, BUILTIN_SCHEMAS]
        unique: list[Path] = []
        for folder in others:
            resolved = folder.resolve()
            if resolved not in unique:
                unique.append(resolved)
        return cls(root, project.content_dir.resolve(), project.annotations_dir.resolve(),
                   project.versions_dir.resolve(), project.site_yaml.resolve(), tuple(unique))

    @property
    def dirs(self) -> tuple[Path, ...]:
        return (self.content, self.annotations, self.versions, *self.other_dirs)

    def relevant(self, path: Path, is_directory: bool) -> bool:
        """Does a change at `path` affect the build?"""
        if path == self.site_yaml:
            return True
        if path in self.dirs:  # a watched folder itself created, deleted or moved
            return True
        if is_noise(path.name):
            return False
        if path.is_relative_to(self.content):  # (foo.txt is reported, a photo is the author's, left alone)
            return is_directory or looks_like_article(path.name)
        # any file in annotations/ or versions/ is read, or reported as a stray (load/files.py): one
        # appearing fails the build, and its going away clears the error
        return any(path.is_relative_to(folder) for folder in (self.annotations, self.versions, *self.other_dirs))


class Changes:
    """Changed paths, gathered until they settle. Filled by the watcher, emptied by the build loop."""

    def __init__(self, settle: float = SETTLE_SECONDS, longest: float = LONGEST_WAIT_SECONDS) -> None:
        self.settle = settle
        self.longest = longest
        self._cond = threading.Condition()
        self._pending: set[str] = set()
        self._first = 0.0
        self._last = 0.0
        self._closed = False

    def add(self, paths: Iterable[str]) -> None:
        with self._cond:
            now = time.monotonic()
            if not self._pending:
                self._first = now
            self._pending.update(paths)
            self._last = now
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def take(self) -> frozenset[str] | None:
        """Block until there are changes and they have settled; None once closed.

        Waits are short and repeated so that Ctrl-C reaches the main thread promptly.
        """
        with self._cond:
            while not self._pending and not self._closed:
                self._cond.wait(0.25)
            while not self._closed:
                deadline = min(self._last + self.settle, self._first + self.longest)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(min(remaining, 0.25))
            if self._closed:
                return None
            batch = frozenset(self._pending)
            self._pending.clear()
            return batch


class _Handler(FileSystemEventHandler):
    def __init__(self, inputs: Inputs, changes: Changes) -> None:
        self.inputs = inputs
        self.changes = changes
        # an input that is a symlink to a file elsewhere in the archive: the target → the links to it
        # (an edit to the target is an edit to each of them; Watcher.refresh keeps this up to date)
        self.linked: dict[Path, tuple[Path, ...]] = {}

    def on_any_event(self, event: FileSystemEvent) -> None:
        paths = [event.src_path, event.dest_path] if event.dest_path else [event.src_path]
        touched = [Path(os.fsdecode(p)) for p in paths]
        # A move counts if either end is an input: a temp file renamed over a real one, or a real one moved away.
        relevant = [str(p) for p in touched if self.inputs.relevant(p, event.is_directory)]
        relevant += [str(link) for p in touched for link in self.linked.get(p, ())]
        if relevant:
            self.changes.add(relevant)


def _links(content: Path, annotations: Path, versions: Path) -> Iterator[os.DirEntry[str]]:
    """The symlinks among the inputs: content/*, annotations/*, versions/*/* (from the listings'
    own file types: no stat for the 10,000 files that are not links)."""
    folders = [content, annotations]
    with contextlib.suppress(OSError), os.scandir(versions) as scan:
        folders += [Path(entry.path) for entry in scan if entry.is_dir(follow_symlinks=False)]
    for folder in folders:
        with contextlib.suppress(OSError), os.scandir(folder) as scan:
            yield from (entry for entry in scan if entry.is_symlink())


class Watcher:
    """A watchdog observer over the inputs. Folders that appear later (or are deleted and
    re-created) are picked up by `refresh`, which the build loop calls before each build."""

    def __init__(self, inputs: Inputs, changes: Changes) -> None:
        self.inputs = inputs
        self.observer: BaseObserver = Observer()
        self.handler = _Handler(inputs, changes)
        self._watches: dict[Path, tuple[ObservedWatch, tuple[int, int]]] = {}
        self._link_folders: dict[Path, ObservedWatch] = {}  # the folders of symlinked inputs' targets

    def start(self) -> None:
        # The root, not recursively: site.yaml, and input folders being created or replaced.
        self.observer.schedule(self.handler, str(self.inputs.root), recursive=False, event_filter=EVENT_FILTER)
        self.refresh()
        self.observer.start()

    def refresh(self) -> None:
        for folder in self.inputs.dirs:
            try:
                info = folder.stat()
                identity = (info.st_dev, info.st_ino)
            except OSError:
                identity = None
            known = self._watches.get(folder)
            if known is not None and known[1] == identity:
                continue
            if known is not None:
                self._unschedule(known[0])
                del self._watches[folder]
            if identity is not None and folder.is_dir():
                watch = self.observer.schedule(self.handler, str(folder), recursive=True, event_filter=EVENT_FILTER)
                self._watches[folder] = (watch, identity)
        self._refresh_links()

    def _refresh_links(self) -> None:
        """Watch the folder of every file an input links to inside the archive (the loader reads
        such links; an event names the target, not the link)."""
        linked: dict[Path, tuple[Path, ...]] = {}
        for entry in _links(self.inputs.content, self.inputs.annotations, self.inputs.versions):
            link = Path(entry.path)
            with contextlib.suppress(OSError, RuntimeError):  # (a dangling link, a loop: the build says)
                target = link.resolve(strict=True)
                if target.is_relative_to(self.inputs.root):
                    linked[target] = (*linked.get(target, ()), link)
        self.handler.linked = linked
        wanted = {target.parent for target in linked} - set(self._watches)
        for folder in set(self._link_folders) - wanted:
            self._unschedule(self._link_folders.pop(folder))
        for folder in wanted - set(self._link_folders):
            with contextlib.suppress(OSError):
                self._link_folders[folder] = self.observer.schedule(self.handler, str(folder), recursive=False,
                                                                    event_filter=EVENT_FILTER)

    def _unschedule(self, watch: ObservedWatch) -> None:
        with contextlib.suppress(KeyError, OSError):  # its folder is gone and watchdog dropped it
            self.observer.unschedule(watch)

    def stop(self) -> None:
        self.observer.stop()
        self.observer.join(timeout=5)

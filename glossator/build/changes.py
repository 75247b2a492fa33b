"""Which files of a site a build changed: the dev server reloads the pages that show them."""

from __future__ import annotations

import filecmp
import os
from collections.abc import Iterator
from pathlib import Path

SEARCH_DIR = "pagefind"


def files_under(root: Path, folder: str) -> tuple[str, ...]:
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


def changed_files(old: Path, new: Path, rendered: set[str], kept: set[str]) -> tuple[str, ...]:
    """What a reader of the old site would see change: re-rendered article files, listings whose
    bytes differ, and files that appeared or went away (the search index is left out). `kept`: the
    files linked unchanged from the old site."""
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

"""Writing the site: a staging directory beside the output, swapped in only on success.

The swap uses Linux's renameat2(RENAME_EXCHANGE), so `site/` is at every instant either
the old tree or the new one; elsewhere it falls back to two renames. A build that fails
or is killed leaves the previous site untouched; its staging directory (named after
its process) is removed by the next build.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import os
import secrets
import shutil
from pathlib import Path
from typing import TextIO

STAGING_MARK = ".glossator-staging-"
OLD_MARK = ".glossator-old-"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name, use_errno=True) if name else None
    except OSError:
        return None


_LIBC = _libc()


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths; False if the system cannot."""
    renameat2 = getattr(_LIBC, "renameat2", None) if _LIBC else None
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale(out: Path) -> None:
    """Remove staging/old directories left by builds that were killed."""
    parent = out.parent
    if not parent.is_dir():
        return
    for candidate in parent.iterdir():
        for mark in (STAGING_MARK, OLD_MARK):
            prefix = "." + out.name + mark
            if candidate.name.startswith(prefix):
                pid_text = candidate.name[len(prefix):].split("-", 1)[0]
                if not pid_text.isdigit() or not pid_alive(int(pid_text)) or int(pid_text) == os.getpid():
                    shutil.rmtree(candidate, ignore_errors=True)


class Staging:
    """Files written here become the site only when `commit()` is called."""

    def __init__(self, out: Path) -> None:
        self.out = out
        out.parent.mkdir(parents=True, exist_ok=True)
        clean_stale(out)
        # unique per build (workers keep per-directory state), with the pid first for clean_stale
        self.dir = out.parent / f".{out.name}{STAGING_MARK}{os.getpid()}-{secrets.token_hex(4)}"
        self.dir.mkdir()
        self._made: set[Path] = {self.dir}
        self.recorder: list[str] | None = None  # when a list, every path written is appended

    @classmethod
    def attach(cls, directory: Path) -> Staging:
        """A worker's handle on a staging directory another process created and will commit."""
        staging = cls.__new__(cls)
        staging.out = directory
        staging.dir = directory
        staging._made = {directory}
        staging.recorder = None
        return staging

    def path(self, relative: str) -> Path:
        target = self.dir / relative
        parent = target.parent
        if parent not in self._made:
            parent.mkdir(parents=True, exist_ok=True)
            self._made.add(parent)
        return target

    def write_text(self, relative: str, text: str) -> None:
        if self.recorder is not None:
            self.recorder.append(relative)
        self.path(relative).write_bytes(text.encode("utf-8"))

    def write_bytes(self, relative: str, data: bytes) -> None:
        if self.recorder is not None:
            self.recorder.append(relative)
        self.path(relative).write_bytes(data)

    def open_text(self, relative: str) -> TextIO:
        """For files too large to build in memory (the archive-wide exports)."""
        if self.recorder is not None:
            self.recorder.append(relative)
        return self.path(relative).open("w", encoding="utf-8", newline="\n")

    def commit(self) -> None:
        if self.out.exists() and _exchange(self.dir, self.out):
            shutil.rmtree(self.dir, ignore_errors=True)
            return
        if self.out.exists():
            old = self.out.parent / f".{self.out.name}{OLD_MARK}{os.getpid()}"
            self.out.rename(old)
            self.dir.rename(self.out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            self.dir.rename(self.out)

    def abort(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def hashed_name(name: str, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()[:10]
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.{digest}.{ext}" if dot else f"{name}.{digest}"


def collect_assets(static_dirs: list[Path]) -> dict[str, tuple[str, bytes]]:
    """name → (hashed name, bytes); an archive's own static files override built-in ones."""
    assets: dict[str, tuple[str, bytes]] = {}
    for directory in reversed(static_dirs):
        if not directory.is_dir():
            continue
        for path in sorted(directory.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                name = path.relative_to(directory).as_posix()
                data = path.read_bytes()
                assets[name] = (hashed_name(name, data), data)
    return assets

"""Writing the site: a staging directory beside the output, swapped in only on success.

The swap uses Linux's renameat2(RENAME_EXCHANGE), so `site/` is at every instant either
the old tree or the new one; elsewhere it falls back to two renames. A build that fails
or is killed leaves the previous site untouched; its staging directory (named after
its process) is removed by the next build.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

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


# The detached deletion of an old site (argv: the tree, the prefix of its name). It first renames
# the tree after its own pid: named after the build's, which has returned, the next build's
# clean_stale took it for a killed build's leftover and deleted it again, on its main thread,
# before planning (1.6 s of a one-note rebuild begun just after a cold build, at 10,000 articles).
_REMOVE = """import os, shutil, sys
tree, prefix = sys.argv[1], sys.argv[2]
mine = os.path.join(os.path.dirname(tree), f"{prefix}{os.getpid()}-{os.path.basename(tree)[-8:]}")
try:
    os.rename(tree, mine)
except OSError:
    mine = tree
shutil.rmtree(mine, ignore_errors=True)
"""


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


class OutputDir:
    """Writes the files of (part of) a site under a folder, making each sub-folder once, and
    says what it wrote: each write returns the file's path relative to the folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._prefix = f"{root}/"
        self._made: set[str] = {""}  # sub-folders known to exist, relative to root

    def path(self, relative: str) -> str:
        # strings, not Path objects: three files an article, 30,000 at 10,000 articles
        folder = relative.rpartition("/")[0]
        if folder not in self._made:
            os.makedirs(self._prefix + folder, exist_ok=True)
            self._made.add(folder)
        return self._prefix + relative

    def write_text(self, relative: str, text: str) -> str:
        _write_file(self.path(relative), text.encode("utf-8"))
        return relative

    def write_pieces(self, relative: str, pieces: Iterable[str]) -> str:
        with open(self.path(relative), "w", encoding="utf-8", newline="\n") as stream:
            stream.writelines(pieces)
        return relative

    def write_bytes(self, relative: str, data: bytes) -> str:
        _write_file(self.path(relative), data)
        return relative


def _write_file(path: str, data: bytes) -> None:
    """What Path.write_bytes does, without its file object around the descriptor."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


class Staging:
    """A build's output folder beside the site: its files become the site only when `commit()` is called."""

    def __init__(self, out: Path) -> None:
        self.out = out
        out.parent.mkdir(parents=True, exist_ok=True)
        clean_stale(out)
        # unique per build (workers keep per-build state), with the pid first for clean_stale
        self.dir = out.parent / f".{out.name}{STAGING_MARK}{os.getpid()}-{secrets.token_hex(4)}"
        self.dir.mkdir()
        self.files = OutputDir(self.dir)

    def commit(self, *, detach_cleanup: bool = False) -> None:
        """Make the staged folder the site. The previous site is deleted; with detach_cleanup, by a
        process of its own that outlives this one (a command line build returns as soon as the site
        is in place: at 10,000 articles the old tree is 45,000 files, a second to delete)."""
        if self.out.exists() and _exchange(self.dir, self.out):
            self._remove(self.dir, detach_cleanup)
            return
        if self.out.exists():
            old = self.out.parent / f".{self.out.name}{OLD_MARK}{os.getpid()}"
            self.out.rename(old)
            self.dir.rename(self.out)
            self._remove(old, detach_cleanup)
        else:
            self.dir.rename(self.out)

    def _remove(self, tree: Path, detach: bool) -> None:
        if detach:
            # named as an old tree of this process, then of the one deleting it (_REMOVE): a later build
            # deletes it if that one is cut short
            old = self.out.parent / f".{self.out.name}{OLD_MARK}{os.getpid()}-{secrets.token_hex(4)}"
            try:
                tree.rename(old)
                subprocess.Popen([sys.executable, "-I", "-S", "-c", _REMOVE, str(old), f".{self.out.name}{OLD_MARK}"],
                                 start_new_session=True,
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                return
            except OSError:
                tree = old if old.exists() else tree
        shutil.rmtree(tree, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def publish_files(scratch: Path, out: Path, paths: list[str]) -> dict[str, bytes]:
    """Move files from `scratch` into the live site `out` one by one, each with an atomic rename,
    skipping those whose bytes are already served: path → the bytes now served, for each one moved.
    (The live preview's fast path: a whole build swaps the site in with `Staging.commit`.)"""
    written: dict[str, bytes] = {}
    for path in paths:
        new, served = scratch / path, out / path
        data = new.read_bytes()
        try:
            if served.read_bytes() == data:
                continue
        except OSError:
            pass  # not there yet (the article had no annotation file before)
        served.parent.mkdir(parents=True, exist_ok=True)
        os.replace(new, served)
        written[path] = data
    return written

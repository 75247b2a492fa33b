"""Where things are: the archive's folders, the built-in templates, and path containment."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ENGINE_DIR = Path(__file__).resolve().parent
BUILTIN_TEMPLATES = ENGINE_DIR.parent / "templates"
BUILTIN_SCHEMAS = ENGINE_DIR.parent / "schemas"

SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
MAX_SLUG = 120


# An earlier text's name (versions/<slug>/<name>.md): the moment it was captured, in UTC, to the
# day, minute or second: 2026-12-06, 2026-12-06-0740, 2026-12-06-074012. Its permalink too.
VERSION_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(-[0-9]{4}([0-9]{2})?)?\Z")


# Editors' swap, backup, autosave and temporary files, and the files file browsers leave: never
# input, so the loaders skip them (as they skip dot-files) and the live preview ignores their
# changes. (vim writes "4913" to test a folder; Emacs autosaves to "#name#".)
NOISE_SUFFIXES = ("~", ".swp", ".swx", ".swo", ".tmp", ".temp", ".part", ".crdownload", ".bak")
NOISE_NAMES = frozenset({"4913", "Thumbs.db", "desktop.ini"})


def is_noise(name: str) -> bool:
    """A file no one means as input: hidden, an editor's leftover, a file browser's."""
    return name.startswith((".", "#")) or name.endswith(NOISE_SUFFIXES) or name in NOISE_NAMES


# Files in content/ that are not read but look meant to be articles (foo.MD, foo.markdown, foo.txt):
# reported, while others there (a photo) are the author's business
ARTICLE_LIKE_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".txt", ".text")


def looks_like_article(name: str) -> bool:
    return name.lower().endswith(ARTICLE_LIKE_SUFFIXES)


def is_slug(name: str) -> bool:
    return len(name) <= MAX_SLUG and SLUG_RE.match(name) is not None


def is_version_name(name: str) -> bool:
    return VERSION_RE.match(name) is not None


@dataclass(frozen=True)
class Project:
    root: Path
    out: Path

    @classmethod
    def at(cls, root: Path | str, out: Path | str | None = None) -> Project:
        root_path = Path(root).resolve()
        out_path = Path(out) if out is not None else root_path / "site"
        if not out_path.is_absolute():
            out_path = Path.cwd() / out_path
        return cls(root_path, out_path.resolve())

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def annotations_dir(self) -> Path:
        return self.root / "annotations"

    @property
    def versions_dir(self) -> Path:
        """Earlier texts of the articles: versions/<slug>/<id>.md."""
        return self.root / "versions"

    @property
    def site_yaml(self) -> Path:
        return self.root / "site.yaml"

    @property
    def templates_dirs(self) -> list[Path]:
        """The archive's own templates first, so they override the built-in ones."""
        own = self.root / "templates"
        dirs = [own] if own.is_dir() and own.resolve() != BUILTIN_TEMPLATES.resolve() else []
        return [*dirs, BUILTIN_TEMPLATES]

    def relative(self, path: Path) -> str:
        # the entry itself, not what it links to: a symlink out of the archive is reported
        # where it stands (content/x.md), not as the absolute path of its target
        within = _folder_within(path.parent, self.root)
        return path.as_posix() if within is None else within + path.name

    def contains(self, path: Path) -> bool:
        """True if `path`, with symlinks resolved, stays inside the archive root."""
        try:
            if path.is_symlink():
                path.resolve().relative_to(self.root)
                return True
            # (a file that is no link is inside if its folder is: asked once a build for each folder)
            return _folder_within(path.parent, self.root) is not None
        except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
            return False


@lru_cache(maxsize=1024)
def real_folder(folder: Path) -> Path:
    """Where a folder really is, symlinks resolved: asked for every file a build reads (resolving
    stats every part of the path), answered once a build. make_plan() forgets the answers
    (forget_folders), so a folder replaced by a link is seen by the next build."""
    return folder.resolve()


@lru_cache(maxsize=1024)
def _folder_within(folder: Path, root: Path) -> str | None:
    """`folder`, symlinks resolved, as a path from `root` ending in "/" ("" for the root itself); None
    if it is outside. Asked for the two files an article has (relative, contains): a Path made and
    parsed each time was ~7 µs a file."""
    try:
        inside = real_folder(folder).relative_to(root).as_posix()
    except ValueError:
        return None
    return "" if inside == "." else inside + "/"


def forget_folders() -> None:
    """Let the next build look at the folders again: one may have become a link (make_plan)."""
    real_folder.cache_clear()
    _folder_within.cache_clear()


def safe_join(base: Path, relative: str) -> Path | None:
    """base/relative, or None if the result (symlinks resolved) would leave base."""
    base = base.resolve()
    try:
        candidate = (base / relative.lstrip("/")).resolve()
        candidate.relative_to(base)
    except (ValueError, OSError, RuntimeError):
        return None
    return candidate

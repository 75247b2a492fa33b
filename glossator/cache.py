"""The build cache: skip articles whose inputs have not changed since the last build.

Each article's pages depend on its Markdown file, its annotation file, the templates
the article page uses (and the static assets whose hashed names it links), site.yaml,
the base URL and the engine's own code. The cache keys each article by a hash of all
of those; an article whose key is unchanged is not parsed, anchored or rendered: its
folder `articles/<slug>/` is hard-linked from the current site into the new one (built
files are never modified in place, so sharing them is safe). Listings are always
rendered again, from the cached summaries. File contents are hashed only when a file's
size or modification time changed, as make and ninja do.

The cache lives beside the output (`.site.glossator-cache/`), and is only ever written
after a successful build; a missing or unreadable cache just means a full build. It is
two files: the manifest (keys, file hashes, the warnings, sorted) answers "nothing
changed" on its own; the articles' summaries and outputs (tens of megabytes at 10,000
articles) are read only when something did change.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISLNK, S_ISREG

from .batch import ArticleInput
from .diagnostics import Diagnostic, sort_diagnostics
from .pages import ArticleSummary
from .project import ENGINE_DIR, Project

FORMAT = 2
CACHE_MARK = ".glossator-cache"


@dataclass(frozen=True)
class CachedArticle:
    key: str
    summary: ArticleSummary
    outputs: tuple[str, ...]  # the article's files, relative to the site root
    diagnostics: tuple[Diagnostic, ...]  # warnings, reported again on every build


@dataclass
class Manifest:
    engine: str = ""
    site_key: str = ""  # everything the whole site depends on, for the "nothing changed" check
    file_hashes: dict[str, tuple[int, int, str]] = field(default_factory=dict)  # path → (mtime_ns, size, sha)
    warnings: tuple[Diagnostic, ...] = ()  # of every article, sorted
    articles: int = 0
    annotations: int = 0
    token: str = ""  # names the articles file written with this manifest


def _engine_version() -> str:
    digest = hashlib.sha256(str(FORMAT).encode())
    for path in sorted(ENGINE_DIR.rglob("*.py")):
        digest.update(path.relative_to(ENGINE_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


class BuildCache:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.dir = project.out.parent / f".{project.out.name}{CACHE_MARK}"
        self.engine = _engine_version()
        self.previous = self._load()
        self.hashes: dict[str, tuple[int, int, str]] = {}
        self._folders: dict[Path, bool] = {}
        self._articles: dict[str, CachedArticle] | None = None

    def _read(self, name: str) -> object:
        try:
            with (self.dir / name).open("rb") as stream:
                return pickle.load(stream)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
            return None

    def _load(self) -> Manifest:
        manifest = self._read("manifest.pickle")
        if not isinstance(manifest, Manifest) or manifest.engine != self.engine:
            return Manifest()
        return manifest

    @property
    def articles(self) -> dict[str, CachedArticle]:
        """The previous build's articles (read on first use; empty if unreadable or not this manifest's)."""
        if self._articles is None:
            stored = self._read("articles.pickle") if self.previous.token else None
            valid = isinstance(stored, tuple) and len(stored) == 2 and stored[0] == self.previous.token
            self._articles = stored[1] if valid else {}  # type: ignore[index]
        return self._articles

    def file_hash(self, path: Path | None) -> str:
        if path is None:
            return "-"
        name = str(path)
        try:
            stat = os.lstat(name)
            if S_ISLNK(stat.st_mode):
                stat = os.stat(name)
                inside = self.project.contains(path)
            else:  # resolving every path costs more than hashing at 10,000 articles: check its folder once
                inside = self._inside(path.parent)
        except OSError:
            return "missing"
        if not S_ISREG(stat.st_mode) or not inside:
            # a link out of the archive (to /etc/passwd, or /dev/zero, which would never end) or a
            # folder: never read here; the loader reports it, and the build fails
            return "unreadable"
        known = self.previous.file_hashes.get(name)
        if known and known[0] == stat.st_mtime_ns and known[1] == stat.st_size:
            sha = known[2]
        else:
            try:
                sha = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                return "unreadable"
        self.hashes[name] = (stat.st_mtime_ns, stat.st_size, sha)
        return sha

    def _inside(self, folder: Path) -> bool:
        known = self._folders.get(folder)
        if known is None:
            known = self._folders[folder] = self.project.contains(folder)
        return known

    def article_key(self, item: ArticleInput, shared: str) -> str:
        parts = (shared, item.slug, self.file_hash(item.article_path), self.file_hash(item.annotation_path))
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    def reusable(self, slug: str, key: str) -> CachedArticle | None:
        entry = self.articles.get(slug)
        if entry is None or entry.key != key:
            return None
        out = str(self.project.out)
        if not all(os.path.isfile(f"{out}/{path}") for path in entry.outputs):  # (strings: 30,000 at 10k)
            return None
        return entry

    def save(self, site_key: str, articles: dict[str, CachedArticle]) -> None:
        token = secrets.token_hex(8)
        warnings = tuple(sort_diagnostics(d for entry in articles.values() for d in entry.diagnostics))
        manifest = Manifest(self.engine, site_key, self.hashes, warnings, len(articles),
                            sum(e.summary.annotation_count for e in articles.values()), token)
        self.dir.mkdir(parents=True, exist_ok=True)
        # articles first: a manifest is only ever read beside the articles file it names
        self._write("articles.pickle", (token, articles))
        self._write("manifest.pickle", manifest)

    def _write(self, name: str, value: object) -> None:
        temporary = self.dir / f"{name}.{os.getpid()}.tmp"
        with temporary.open("wb") as stream:
            pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, self.dir / name)

    def forget(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def fingerprint(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def link_files(source: Path, target: Path, paths: tuple[str, ...], made: set[str] | None = None) -> None:
    """Hard-link files of the current site into the new one (copying where links are impossible).
    `made`: folders already created, shared across calls (paths as strings: 30,000 files at 10k)."""
    made = set() if made is None else made
    for path in paths:
        old, new = f"{source}/{path}", f"{target}/{path}"
        folder = os.path.dirname(new)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        try:
            os.link(old, new)
        except OSError:
            shutil.copy2(old, new)

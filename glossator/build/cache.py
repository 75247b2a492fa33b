"""The build cache: skip articles whose inputs have not changed since the last build.

Each article's pages depend on its Markdown file, its annotation file, the templates
the article page uses (and the static assets whose hashed names it links), site.yaml,
the base URL and the engine (its code and the formats' schemas). The cache keys each
article by a hash of all of those; an article whose key is unchanged is not parsed,
anchored or rendered: its folder `articles/<slug>/` is hard-linked from the current site
into the new one (built files are never modified in place, so sharing them is safe).
Listings are always rendered again, from the cached summaries. File contents are hashed
only when a file's size or modification time changed, as make and ninja do.

Before any of that, the build compares the size and modification time of every input file
(and the options) with those of the last successful build: when none differs, nothing is
read, hashed or imported beyond this module, and the build answers "up to date" from the
manifest alone. Any difference falls through to the content hashes, so a file saved
without change costs a hash, never a rebuild.

The cache lives beside the output (`.site.glossator-cache/`), and is only ever written
after a successful build; a missing or unreadable cache just means a full build. It is
two files: the manifest (keys, file hashes, the warnings, sorted) answers "nothing
changed" on its own; the articles' summaries and outputs (tens of megabytes at 10,000
articles) are read only when something did change.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import importlib.util
import os
import pickle
import secrets
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISLNK, S_ISREG
from typing import TYPE_CHECKING, Any

from ..diagnostics import Diagnostic, from_columns, sort_diagnostics, to_columns
from ..project import BUILTIN_SCHEMAS, ENGINE_DIR, Project
from .inputs import MISSING, file_stat, input_stats, shared_changed

if TYPE_CHECKING:  # (not imported to run: a build with nothing changed needs neither)
    from ..exports.merge import ExportLayout
    from ..model import ArticleInput, ArticleSummary, SiteConfig

FORMAT = 8
CHUNK = 500  # articles a pickle in the articles file
UNSETTLED = (-3, -3)  # matches no file's stat
CACHE_MARK = ".glossator-cache"
# Articles whose files in the site were written by the live preview's quick path (serve/hot.py),
# not by a build the cache describes: their entries are not reused until a build is saved.
CHANGED_OUTSIDE = "changed-outside-builds"
EXPORTS = "exports.pickle"  # (token, ExportLayout): where the last build's exports put each article


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
    options: str = ""  # the build's options (base URL, drafts, search)
    inputs: dict[str, tuple[int, int]] = field(default_factory=dict)  # input_stats() when the build began
    other_warnings: tuple[Diagnostic, ...] = ()  # site.yaml's and the orphan annotation files'
    config: SiteConfig | None = None  # the site's settings the last build had (the live preview's mount)
    search_shards: int = 1  # how many shards the search index has (search/shards.py)

    # Its warnings pickled as columns (to_columns): written at the end of every build that renders,
    # on the single-core part, and read by every build that finds nothing changed.
    def __getstate__(self) -> dict[str, object]:
        return {**self.__dict__, "warnings": to_columns(self.warnings)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, warnings=from_columns(state["warnings"]))


# The libraries whose versions shape the output: a new markdown-it or Pagefind may render or index
# the same input differently, so an upgrade rebuilds everything.
RENDERING_LIBRARIES = ("jinja2", "markupsafe", "markdown_it_py", "mdit_py_plugins", "pyyaml", "pagefind_bin", "deflate")


def _library_versions() -> str:
    """Their installed distributions' folder names (`Jinja2-3.1.6.dist-info`): a directory listing,
    where importlib.metadata would cost a tenth of the no-change build's budget."""
    spec = importlib.util.find_spec("jinja2")
    if spec is None or spec.origin is None:
        return ""
    folder = Path(spec.origin).parent.parent
    try:
        names = os.listdir(folder)
    except OSError:
        return ""
    wanted = [name for name in names if name.endswith(".dist-info")
              and name.split("-", 1)[0].lower().replace(".", "_") in RENDERING_LIBRARIES]
    return ";".join(sorted(wanted))


def _engine_version() -> str:
    """The engine's code, the formats' schemas (a changed schema changes what files pass) and the
    versions of the libraries that render and index."""
    digest = hashlib.sha256(f"{FORMAT}\0{_library_versions()}".encode())
    for path in [*sorted(ENGINE_DIR.rglob("*.py")), *sorted(BUILTIN_SCHEMAS.glob("*.json"))]:
        digest.update(path.relative_to(ENGINE_DIR.parent).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_dir(project: Project) -> Path:
    return project.out.parent / f".{project.out.name}{CACHE_MARK}"


def mark_changed_outside(project: Project, slugs: Iterable[str]) -> None:
    """Say, before writing them, that these articles' files in the site will no longer be those the
    cache's entries name (the preview publishes an edited article before its build runs, and that
    build may never finish): the next build renders them again."""
    folder = cache_dir(project)
    if folder.is_dir():
        with (folder / CHANGED_OUTSIDE).open("a", encoding="utf-8") as stream:
            stream.writelines(f"{slug}\n" for slug in slugs)


class BuildCache:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.dir = cache_dir(project)
        self.engine = _engine_version()
        self.previous = self._load()
        try:
            self.changed_outside = frozenset((self.dir / CHANGED_OUTSIDE).read_text(encoding="utf-8").split())
        except (OSError, UnicodeDecodeError):
            self.changed_outside = frozenset()
        self.hashes: dict[str, tuple[int, int, str]] = {}
        self._folders: dict[Path, bool] = {}
        self._articles: dict[str, CachedArticle] | None = None
        self.started = 0  # the file system's clock when the inputs were stat'ed (see stat_inputs)

    def _read(self, name: str) -> object:
        # The collector would walk the growing heap again and again while hundreds of thousands
        # of objects are restored, none of them garbage: 0.8 s → 0.3 s for the 10k manifest.
        collecting = gc.isenabled()
        gc.disable()
        try:
            with (self.dir / name).open("rb") as stream:
                return pickle.load(stream)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
            return None
        finally:
            if collecting:
                gc.enable()

    def stat_inputs(self) -> dict[str, tuple[int, int]]:
        """input_stats(), with the file system's clock read just before (for _settled)."""
        clock = self.dir / "clock"
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            clock.write_bytes(b"")
            self.started = clock.stat().st_mtime_ns
        except OSError:
            self.started = 0  # nothing recorded now will be trusted (nor saved: the folder is unwritable)
        return input_stats(self.project)

    def unchanged(self, options: str, inputs: dict[str, tuple[int, int]]) -> bool:
        """True if the last build had these options and every input file is as it was then."""
        return (bool(self.previous.site_key) and not self.changed_outside and self.previous.options == options
                and self.previous.inputs == inputs)

    def _load(self) -> Manifest:
        manifest = self._read("manifest.pickle")
        if not isinstance(manifest, Manifest) or manifest.engine != self.engine:
            return Manifest()
        return manifest

    @property
    def articles(self) -> dict[str, CachedArticle]:
        """The previous build's articles (read on first use; empty if unreadable or not this manifest's)."""
        if self._articles is None:
            self._articles = self._read_articles() if self.previous.token else {}
        return self._articles

    @property
    def exports(self) -> ExportLayout | None:
        """Where the previous build's archive-wide exports hold each article (exports/merge.py)."""
        if not self.previous.token:
            return None
        saved = self._read(EXPORTS)
        if not isinstance(saved, tuple) or len(saved) != 2 or saved[0] != self.previous.token:
            return None
        return saved[1]

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
        # (the engine too: the search index's shards are kept by these keys, beyond this manifest)
        # (the annotation file's name too: its warnings name it, and x.yaml may become x.yml)
        parts = (shared, self.engine, item.slug, self.file_hash(item.article_path),
                 item.annotation_path.name if item.annotation_path else "", self.file_hash(item.annotation_path),
                 *(f"{path.name}\0{self.file_hash(path)}" for path in item.version_paths))
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    def changed_during_build(self, inputs: dict[str, tuple[int, int]], items: Iterable[ArticleInput]) -> set[str]:
        """The articles some of whose files are no longer as they were when the build began: saved while
        it ran, their pages may hold either text, whatever their keys say. They are not cached. Every
        article, if site.yaml or a template was saved meanwhile (the workers read templates from disk)."""
        if shared_changed(self.project, inputs):
            return {item.slug for item in items}
        return {item.slug for item in items
                if any(file_stat(str(path)) != inputs.get(str(path), MISSING)
                       for path in (item.article_path, item.annotation_path, *item.version_paths) if path is not None)}

    def reusable(self, slug: str, key: str) -> CachedArticle | None:
        entry = self.articles.get(slug)
        if entry is None or entry.key != key or slug in self.changed_outside:
            return None
        out = str(self.project.out)
        if not all(os.path.isfile(f"{out}/{path}") for path in entry.outputs):  # (strings: 30,000 at 10k)
            return None
        return entry

    def save(self, site_key: str, articles: dict[str, CachedArticle], options: str,
             inputs: dict[str, tuple[int, int]], other_warnings: list[Diagnostic], config: SiteConfig,
             search_shards: int, exports: Callable[[], ExportLayout | None] = lambda: None) -> PendingSave:
        """Write this build's cache beside the one in use; it replaces it on publish(), once the site
        it describes is in place (so it can be written while the search index is finished). `exports`
        gives where the exports put each article, once they are merged: it is asked for last, so
        the articles are written while they are merged elsewhere."""
        token = secrets.token_hex(8)
        warnings = tuple(sort_diagnostics(d for slug in sorted(articles) for d in articles[slug].diagnostics))
        manifest = Manifest(self.engine, site_key, self._settled_hashes(), warnings, len(articles),
                            sum(e.summary.annotation_count for e in articles.values()), token,
                            options, self._settled(inputs), tuple(other_warnings), config, search_shards)
        self.dir.mkdir(parents=True, exist_ok=True)
        # articles first: a manifest is only ever read beside the articles file it names
        written = self._write_articles(token, articles)
        try:
            layout = exports()
        except BaseException:
            written[0].unlink(missing_ok=True)
            raise
        settled = (self.dir / CHANGED_OUTSIDE, frozenset(self.changed_outside)) if self.changed_outside else None
        return PendingSave([written, self._stage(EXPORTS, (token, layout)), self._stage("manifest.pickle", manifest)],
                           settled)

    def restamp(self, options: str, inputs: dict[str, tuple[int, int]], other_warnings: list[Diagnostic],
                config: SiteConfig) -> None:
        """Record that these inputs build the site as it stands (their contents were found unchanged)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        self._write("manifest.pickle", dataclasses.replace(
            self.previous, file_hashes=self._settled_hashes(), options=options, inputs=self._settled(inputs),
            other_warnings=tuple(other_warnings), config=config))

    # A file's modification time has the file system's granularity (a few milliseconds here, a
    # second or two on some file systems): a file saved again in the same tick as it was stat'ed
    # keeps its time, and its size if the edit kept it. As git does with its index, times not
    # older than the clock read before the stat are not trusted: such a file is hashed next time.
    def _settled(self, inputs: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
        return {path: stat if stat[0] < self.started else UNSETTLED for path, stat in inputs.items()}

    def _settled_hashes(self) -> dict[str, tuple[int, int, str]]:
        return {path: known for path, known in self.hashes.items() if known[0] < self.started}

    def _write_articles(self, token: str, articles: dict[str, CachedArticle]) -> tuple[Path, Path]:
        """The articles in pickles of CHUNK each, one after another in one file: a pickle's memo holds
        every object it wrote, which for 20,000 articles at once is a few hundred megabytes."""
        temporary = self.dir / f"articles.pickle.{os.getpid()}.tmp"
        entries = list(articles.items())
        with temporary.open("wb") as stream:
            pickle.dump((token, len(entries)), stream, protocol=pickle.HIGHEST_PROTOCOL)
            for start in range(0, len(entries), CHUNK):
                pickle.dump(entries[start : start + CHUNK], stream, protocol=pickle.HIGHEST_PROTOCOL)
        return temporary, self.dir / "articles.pickle"

    def _read_articles(self) -> dict[str, CachedArticle]:
        collecting = gc.isenabled()
        gc.disable()  # (see _read)
        try:
            with (self.dir / "articles.pickle").open("rb") as stream:
                token, count = pickle.load(stream)
                if token != self.previous.token:
                    return {}
                articles: dict[str, CachedArticle] = {}
                while len(articles) < count:
                    articles.update(pickle.load(stream))
                return articles
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
            return {}
        finally:
            if collecting:
                gc.enable()

    def _stage(self, name: str, value: object) -> tuple[Path, Path]:
        temporary = self.dir / f"{name}.{os.getpid()}.tmp"
        with temporary.open("wb") as stream:
            pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
        return temporary, self.dir / name

    def _write(self, name: str, value: object) -> None:
        os.replace(*self._stage(name, value))

    def forget(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


@dataclass
class PendingSave:
    """A build's cache files, written beside the ones in use: (temporary, final) paths, in order."""

    files: list[tuple[Path, Path]]
    settled: tuple[Path, frozenset[str]] | None = None  # (CHANGED_OUTSIDE, the articles this build rendered)

    def publish(self) -> None:
        for temporary, final in self.files:
            os.replace(temporary, final)
        self.files = []
        if self.settled is not None:  # those the preview marked since this build began stay marked
            path, rendered = self.settled
            try:
                left = [slug for slug in path.read_text(encoding="utf-8").split() if slug not in rendered]
                if left:
                    path.write_text("".join(f"{slug}\n" for slug in left), encoding="utf-8")
                else:
                    path.unlink()
            except (OSError, UnicodeDecodeError):
                pass

    def discard(self) -> None:
        for temporary, _ in self.files:
            temporary.unlink(missing_ok=True)
        self.files = []


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

"""Files → raw documents with positions. Never raises on bad input: problems are diagnostics."""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

from ..diagnostics import Diagnostic, error, warning
from ..model import RawAnnotations, RawArticle
from ..project import MAX_SLUG, Project, is_noise, is_slug, looks_like_article
from .yamlio import FORBIDDEN_CHAR, YamlProblem, decode_utf8, parse_yaml

ANNOTATION_SUFFIXES = (".yaml", ".yml")


def _bad_name_hint(stem: str) -> str:
    return (
        f"file names are slugs: lowercase letters, digits and hyphens, at most {MAX_SLUG} characters; "
        f"rename it, e.g. to `{_suggest_slug(stem)}`"
    )


def _suggest_slug(stem: str) -> str:
    out = "".join(c if c.isascii() and c.isalnum() else "-" for c in stem.lower())
    out = "-".join(p for p in out.split("-") if p)
    return (out or "article")[:MAX_SLUG]


def read_text(
    project: Project, path: Path, max_bytes: int, rel: str | None = None
) -> tuple[str | None, list[Diagnostic]]:
    """A file's text, refusing symlinks out of the archive, oversized files and non-UTF-8.
    `rel`: the caller's `project.relative(path)`, if it has it (it resolves the folder: not free)."""
    rel = rel if rel is not None else project.relative(path)
    if not project.contains(path):
        if link_loops(path):
            return None, [link_loop(rel)]
        return None, [error(rel, 0, 0, "this file is a link to somewhere outside the archive; it was not read",
                            "replace the link with the file itself", title="Outside the archive")]
    try:
        size, data = _read_bytes(path, max_bytes)
    except OSError as exc:
        return None, [error(rel, 0, 0, f"cannot read this file: {exc.strerror}", title="Unreadable file")]
    if data is None:
        return None, [error(rel, 0, 0, f"file is too large ({size:,} bytes; the limit is {max_bytes:,})",
                            "split it, or raise `max_file_bytes` in site.yaml", title="File too large")]
    text, bad = decode_utf8(data)
    if text is None:
        assert bad is not None
        return None, [error(rel, bad[0], bad[1], f"file is not valid UTF-8 text (bad byte at offset {bad[2]})",
                            "save the file as UTF-8 in your editor", title="Not UTF-8")]
    return text, []


def _read_bytes(path: Path, max_bytes: int) -> tuple[int, bytes | None]:
    """The file's size and bytes; None for the bytes of a file larger than max_bytes, which is not read
    (or only up to the limit, for one that grew since its fstat). One open and one fstat, without the file
    object and the second stat of Path.stat() then Path.read_bytes(): two files an article."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        size = os.fstat(fd).st_size
        if size > max_bytes:
            return size, None
        chunks = [os.read(fd, size + 1)]
        read = len(chunks[0])
        while chunks[-1] and read <= max_bytes:
            chunks.append(os.read(fd, 1 << 20))
            read += len(chunks[-1])
        if read > max_bytes:
            return read, None
        return size, chunks[0] if len(chunks) == 2 else b"".join(chunks)
    finally:
        os.close(fd)


def link_loops(path: Path) -> bool:
    """True if `path` is a symlink that leads, through links, back to itself (ELOOP)."""
    try:
        path.resolve(strict=True)
    except RuntimeError:  # Python < 3.13 says a loop so
        return True
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


def link_loop(rel: str) -> Diagnostic:
    return error(rel, 0, 0, "this file is a link that leads back to itself (a symlink loop); it was not read",
                 "replace the link with the file it should lead to, or remove it", title="Link loop")


def _is_file(entry: os.DirEntry[str]) -> bool | None:
    """Whether the entry is a file (or a link to one); None for a link that loops."""
    try:
        return entry.is_file()
    except OSError:  # ELOOP: the link leads back to itself
        return None


# The line that closes the front matter: `---`, then only white space. (`\s` in a str pattern is
# what str.rstrip strips, both being str.isspace; a search, not a split of the whole file into lines.)
_CLOSING_LINE = re.compile(r"^---[^\S\n]*$", re.MULTILINE)
_OPENING_LINE = re.compile(r"---[^\S\n]*\n")  # the same white space allowed (an editor may leave `--- `)


def split_front_matter(text: str) -> tuple[str, int, str, int] | None:
    """(front matter, its first line, body, body's first line), or None without front matter
    (opens_front_matter() tells one not closed from none at all)."""
    opening = _OPENING_LINE.match(text)
    if opening is None:
        return None
    after = opening.end()
    closing = _CLOSING_LINE.search(text, after)
    if closing is None:
        return None
    start = closing.start()
    front = text[after : start - 1] if start > after else ""
    return front, 2, text[closing.end() + 1 :], text.count("\n", 0, start) + 2


def opens_front_matter(text: str) -> bool:
    return _OPENING_LINE.match(text) is not None


def load_article(project: Project, path: Path, max_bytes: int) -> tuple[RawArticle | None, list[Diagnostic]]:
    rel = project.relative(path)
    slug = path.stem
    if not is_slug(slug):
        return None, [error(rel, 0, 0, f"`{path.name}` is not a valid article file name", _bad_name_hint(slug),
                            title="Bad file name")]
    return read_document(project, path, max_bytes, rel, slug,
                         "start the file with a `---` line, then `title:`, `source:` and `published:`, "
                         "then another `---` line")


def read_document(project: Project, path: Path, max_bytes: int, rel: str, slug: str,
                  missing_front_hint: str) -> tuple[RawArticle | None, list[Diagnostic]]:
    """A Markdown file with front matter (an article, or one earlier text of one) as a raw document."""
    text, problems = read_text(project, path, max_bytes, rel)
    if text is None:
        return None, problems
    parts = split_front_matter(text)
    if parts is None and opens_front_matter(text):
        return None, [error(rel, 1, 1, "the front matter is not closed: add a `---` line after it",
                            "the front matter ends at a line of its own that is `---`; the text follows it",
                            title="Unclosed front matter")]
    if parts is None:
        return None, [error(rel, 1, 1, "missing front matter", missing_front_hint, title="Missing front matter")]
    front_text, front_line, body, body_line = parts
    if bad := FORBIDDEN_CHAR.search(body):
        # invisible in an editor, an error in HTML, and fatal to the Atom feeds that quote the text
        before = body[: bad.start()]
        return None, [error(rel, body_line + before.count("\n"), bad.start() - (before.rfind("\n") + 1) + 1,
                            f"the text contains the control character U+{ord(bad.group()):04X}",
                            "delete it (retype the words around it)", title="Control character")]
    try:
        front = parse_yaml(front_text, line_offset=front_line - 1)
    except YamlProblem as problem:
        return None, [error(rel, problem.line, problem.col, problem.message, problem.hint, title="YAML error")]
    return RawArticle(rel, slug, front, body, body_line), []


def load_annotations(project: Project, path: Path, max_bytes: int) -> tuple[RawAnnotations | None, list[Diagnostic]]:
    rel = project.relative(path)
    slug = path.stem
    if not is_slug(slug):
        return None, [error(rel, 0, 0, f"`{path.name}` is not a valid annotation file name", _bad_name_hint(slug),
                            title="Bad file name")]
    text, problems = read_text(project, path, max_bytes, rel)
    if text is None:
        return None, problems
    try:
        root = parse_yaml(text)
    except YamlProblem as problem:
        return None, [error(rel, problem.line, problem.col, problem.message, problem.hint, title="YAML error")]
    return RawAnnotations(rel, slug, root), []


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    """A folder's entries but dot-files and editors' leftovers (project.is_noise), sorted by name
    (as `glob("*")` sorted would give them)."""
    try:
        with os.scandir(folder) as scan:
            return sorted((e for e in scan if not is_noise(e.name)), key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return []


def _folder_named_like_input(project: Project, path: Path, what: str) -> Diagnostic:
    return error(project.relative(path), 0, 0, f"this is a folder, named like {what}; nothing in it is read",
                 f"move what it holds out of it and remove it, or rename it so it does not end in `{path.suffix}`",
                 title="Folder named like a file")


def _stray_annotation(project: Project, path: Path) -> Diagnostic:
    renamed = path.with_name(f"{path.name.split('.')[0]}.yaml")
    # a copy of a real file (notes.yaml.orig) is not to be renamed over it
    hint = (f"move it out of annotations/: `{renamed.name}` is the annotation file"
            if renamed.exists() else f"rename it to `{renamed.name}` or move it out of annotations/")
    return error(project.relative(path), 0, 0, "not an annotation file (annotation files end in .yaml)", hint,
                 title="Stray file")


def folder_problems(project: Project) -> list[Diagnostic]:
    """An archive without its content/ folder, or with a file where a folder belongs (an empty site
    would be built, and `check` would say all is well)."""
    problems: list[Diagnostic] = []
    for folder, what in ((project.content_dir, "its articles, content/<slug>.md"),
                         (project.annotations_dir, "its annotation files, annotations/<slug>.yaml")):
        if folder.is_dir():
            continue
        if folder.exists() or folder.is_symlink():
            problems.append(error(folder.name, 0, 0, f"`{folder.name}` is a file, not the folder of {what}",
                                  f"rename or remove it, and make a folder `{folder.name}/`", title="Not a folder"))
        elif folder == project.content_dir:
            problems.append(error(
                "content/", 0, 0, f"no content/ folder in {project.root}: this is not an archive",
                "an archive holds its articles in content/<slug>.md and their notes in annotations/<slug>.yaml "
                "(README.md, The formats): give --root the archive's folder, or start one with "
                "`python build.py add URL --root DIR`, which makes content/", title="No articles"))
    return problems


def list_sources(project: Project) -> tuple[list[Path], list[Path], list[Diagnostic]]:
    """The article and annotation files, sorted; stray files are reported, not silently skipped."""
    diagnostics: list[Diagnostic] = []
    # (scandir: the entries' types come with the listing, no stat per file at 10,000 files)
    articles: list[Path] = []
    content = project.content_dir  # (a property that makes a Path: not asked 10,000 times)
    for entry in _entries(content):
        path = content / entry.name
        if entry.name.endswith(".md"):
            if entry.is_dir(follow_symlinks=False):
                diagnostics.append(_folder_named_like_input(project, path, "an article"))
            else:
                articles.append(path)
        elif looks_like_article(entry.name) and _is_file(entry):
            renamed = path.with_name(f"{entry.name.split('.')[0]}.md")
            diagnostics.append(warning(
                project.relative(path), 0, 0, "not an article: articles are `.md` files; it is not read",
                "move it out of content/" if renamed.exists() else
                f"rename it to `{renamed.name}` if it is one, or move it out of content/", title="Stray file"))
    annotation_files: list[Path] = []
    annotations = project.annotations_dir
    for entry in _entries(annotations):
        path = annotations / entry.name
        if path.suffix in ANNOTATION_SUFFIXES and entry.is_dir(follow_symlinks=False):
            diagnostics.append(_folder_named_like_input(project, path, "an annotation file"))
        # a symlink is taken as an annotation file even when it leads nowhere or to a folder, so
        # the loader reports it (outside the archive, unreadable) instead of it vanishing unread
        elif path.suffix in ANNOTATION_SUFFIXES and (entry.is_symlink() or entry.is_file()):
            annotation_files.append(path)
        elif (is_file := _is_file(entry)) is None:
            diagnostics.append(link_loop(project.relative(path)))
        elif is_file:
            diagnostics.append(_stray_annotation(project, path))
    stems: dict[str, Path] = {}
    for path in annotation_files:
        if path.stem in stems:
            diagnostics.append(error(project.relative(path), 0, 0,
                                     f"two annotation files for `{path.stem}`: "
                                     f"{project.relative(stems[path.stem])} and this one",
                                     "merge them into one file", title="Duplicate file"))
        stems.setdefault(path.stem, path)
    return articles, annotation_files, diagnostics

"""Earlier texts of the articles, `versions/<slug>/<name>.md`: found and read, never trusted.

The current text of an article stays `content/<slug>.md`; each text the outlet published
before it is a file of its own in the article's folder under `versions/`, named by the
moment it was captured. A folder for an article that does not exist, a file that is not a
version, a name that is no moment: each is reported, never skipped in silence.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection
from pathlib import Path

from ..diagnostics import Diagnostic, error
from ..model import RawArticle
from ..project import Project, is_slug, is_version_name
from .files import _entries, link_loop, link_loops, read_document

NAME_HINT = ("a version is named by the moment it was captured, in UTC: YYYY-MM-DD-HHMM.md "
             "(e.g. 2026-12-06-0740.md; YYYY-MM-DD.md or YYYY-MM-DD-HHMMSS.md also do)")


def list_versions(project: Project, slugs: Collection[str]) -> tuple[dict[str, tuple[Path, ...]], list[Diagnostic]]:
    """Each article's version files (by name, so by time), and what does not belong in versions/."""
    found: dict[str, tuple[Path, ...]] = {}
    problems: list[Diagnostic] = []
    folder = project.versions_dir
    for entry in _entries(folder):
        path = folder / entry.name
        if entry.is_symlink() and link_loops(path):  # (is_dir() would raise ELOOP)
            problems.append(link_loop(project.relative(path)))
            continue
        if not entry.is_dir():
            problems.append(error(project.relative(path), 0, 0,
                                  "versions/ holds one folder per article, named by its slug; this file is not read",
                                  "move it into versions/<slug>/, the folder of the article it is a version of",
                                  title="Stray file"))
            continue
        if entry.name not in slugs:
            close = difflib.get_close_matches(entry.name, sorted(slugs), n=1)
            problems.append(error(project.relative(path), 0, 0,
                                  f"versions of `{entry.name}`, but there is no article content/{entry.name}.md",
                                  f"did you mean `versions/{close[0]}/`?" if close else
                                  "the folder is named by the slug of the article its files are versions of",
                                  title="Unknown article"))
            continue
        files: list[Path] = []
        for inner in _entries(path):
            inner_path = path / inner.name
            if inner.name.endswith(".md") and not inner.is_dir(follow_symlinks=False):
                files.append(inner_path)  # (a link too: the loader says where it leads)
            else:
                problems.append(error(project.relative(inner_path), 0, 0,
                                      "not a version file (version files are Markdown, ending in .md); it is not read",
                                      NAME_HINT, title="Stray file"))
        if files:
            found[entry.name] = tuple(files)
    return found, problems


def load_version(project: Project, path: Path, max_bytes: int) -> tuple[RawArticle | None, list[Diagnostic]]:
    """A version file as a raw document: its slug is its folder's name, its version its own name."""
    rel = project.relative(path)
    if not is_version_name(path.stem) or not is_slug(path.parent.name):
        return None, [error(rel, 0, 0, f"`{path.name}` is not a valid version file name", NAME_HINT,
                            title="Bad file name")]
    return read_document(project, path, max_bytes, rel, path.parent.name,
                         "start the file with a `---` line, `captured:` with the `at:` moment the text was "
                         "read, and another `---` line")

"""The archive's own templates/ (and static/ in it): links out of the archive are refused.

Jinja's loader and the static files' copy follow symlinks, so a link at templates/robots.txt
or templates/static/x.css to a file elsewhere on the machine would be published; as in
content/ and annotations/, such a link is an error at the link, and nothing is built.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..diagnostics import Diagnostic, error
from ..project import BUILTIN_TEMPLATES, Project
from .files import link_loop, link_loops


def template_link_problems(project: Project) -> list[Diagnostic]:
    own = project.root / "templates"
    if own not in project.templates_dirs or own.resolve() == BUILTIN_TEMPLATES.resolve():
        return []
    problems: list[Diagnostic] = []
    paths = [own]
    for folder, folders, files in os.walk(own):  # (links to folders are listed, not entered)
        paths += [Path(folder, name) for name in (*folders, *files)]
    for path in paths:
        if path.is_symlink() and not project.contains(path):
            rel = project.relative(path)
            problems.append(link_loop(rel) if link_loops(path) else error(
                rel, 0, 0, "this is a link to somewhere outside the archive; it is not used, nor published",
                "replace the link with the file itself", title="Outside the archive"))
    return sorted(problems, key=lambda d: d.path)

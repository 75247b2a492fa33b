"""What a build reads, by size and modification time: taken before it reads anything, they tell
the cache (cache.py) whether anything changed since the last build, and, taken again at its end,
whether a file was saved while it ran."""

from __future__ import annotations

import os
from stat import S_ISDIR

from ..project import Project

MISSING = (-1, -1)


def input_stats(project: Project) -> dict[str, tuple[int, int]]:
    """(mtime_ns, size) of every file a build reads: site.yaml, the articles, annotation files and
    versions (links followed, as the loader follows them), and the archive's and built-in templates.
    Taken before the build reads anything, so a file saved during a build is seen as changed."""
    stats: dict[str, tuple[int, int]] = {str(project.site_yaml): file_stat(str(project.site_yaml))}
    for folder in (project.content_dir, project.annotations_dir):
        _stat_folder(str(folder), stats)
    versions = str(project.versions_dir)
    if _stat_folder(versions, stats):  # versions/<slug>/<name>.md: one level further
        for path, stat in list(stats.items()):
            if stat == (-2, -2) and path.startswith(versions + os.sep):
                _stat_folder(path, stats)
    stats.update(_template_stats(project))
    return stats


def shared_stats(project: Project) -> dict[str, tuple[int, int]]:
    """The stats of what every page is made from: site.yaml and the templates (static files included)."""
    return {str(project.site_yaml): file_stat(str(project.site_yaml)), **_template_stats(project)}


def shared_changed(project: Project, inputs: dict[str, tuple[int, int]]) -> bool:
    """Whether site.yaml or a template was saved, made or deleted since `inputs` were taken."""
    now = shared_stats(project)
    folders = tuple(f"{folder}/" for folder in project.templates_dirs)
    before = {path: stat for path, stat in inputs.items() if path in now or path.startswith(folders)}
    return now != before


def _template_stats(project: Project) -> dict[str, tuple[int, int]]:
    stats: dict[str, tuple[int, int]] = {}
    for folder in project.templates_dirs:
        for directory, _folders, files in os.walk(folder, followlinks=True):
            for name in files:
                path = f"{directory}/{name}"
                stats[path] = file_stat(path)
    return stats


def _stat_folder(folder: str, stats: dict[str, tuple[int, int]]) -> bool:
    """Each entry of a folder but dot-files into `stats` (the folder as MISSING if it cannot be read)."""
    try:
        with os.scandir(folder) as scan:
            for entry in scan:
                if not entry.name.startswith("."):
                    stats[entry.path] = file_stat(entry.path)
    except OSError:
        stats[folder] = MISSING
        return False
    return True


def file_stat(path: str) -> tuple[int, int]:
    try:
        stat = os.stat(path)
    except OSError:
        return MISSING
    return (-2, -2) if S_ISDIR(stat.st_mode) else (stat.st_mtime_ns, stat.st_size)

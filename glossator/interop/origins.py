"""What the archive already holds: the origins of annotations imported before (so that a second
import of the same file adds nothing) and the ids in each annotation file.

Only files that mention `origin:` are parsed for origins: a large archive of hand-written
files is looked through, not read into trees.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .engine import Project, SiteConfig, YamlProblem, YNode, list_sources, parse_yaml, read_text
from .records import origin_key


def existing_ids(root: YNode | None) -> set[str]:
    items = root.get("annotations") if root is not None else None
    found = set()
    for item in items.value if items is not None and items.kind == "sequence" else ():
        node = item.get("id")
        if node is not None and isinstance(node.value, str):
            found.add(node.value)
    return found


@dataclass(frozen=True)
class ImportedNote:
    """An annotation imported before, as the archive holds it now."""

    id: str
    path: str  # its annotation file, relative to the archive
    line: int  # where it starts in that file
    last: dt.date | None  # its `updated`, else its `added`: the day of the version the archive holds

    def __str__(self) -> str:
        return f"{self.path}: `{self.id}`"


def _day(node: YNode | None) -> dt.date | None:
    value = node.value if node is not None else None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _origins(root: YNode | None, path: str) -> list[tuple[tuple[str, str], ImportedNote]]:
    """Each imported annotation's origin (source, id) with the note it is here."""
    items = root.get("annotations") if root is not None else None
    found = []
    for item in items.value if items is not None and items.kind == "sequence" else ():
        origin, id_node = item.get("origin"), item.get("id")
        source = origin.get("source") if origin is not None else None
        origin_id = origin.get("id") if origin is not None else None
        if source is not None and origin_id is not None and isinstance(source.value, str) \
                and isinstance(origin_id.value, str):
            here = str(id_node.value) if id_node is not None else "?"
            last = _day(item.get("updated")) or _day(item.get("added"))
            found.append((origin_key(source.value, origin_id.value), ImportedNote(here, path, item.line, last)))
    return found


@dataclass
class KnownOrigins:
    imported: dict[tuple[str, str], ImportedNote] = field(default_factory=dict)  # origin → the note here
    ids: dict[str, set[str]] = field(default_factory=dict)  # slug → ids in its file (of the files read)
    project: Project | None = None
    config: SiteConfig | None = None

    @classmethod
    def scan(cls, project: Project, config: SiteConfig) -> KnownOrigins:
        known = cls(project=project, config=config)
        _, files, _ = list_sources(project)
        for path in files:
            try:
                if b"origin:" not in path.read_bytes():
                    continue
            except OSError:
                continue
            root = known._read(path)
            for key, here in _origins(root, project.relative(path)):
                known.imported.setdefault(key, here)
        return known

    def _read(self, path: Path) -> YNode | None:
        assert self.project is not None and self.config is not None
        text, _ = read_text(self.project, path, self.config.max_file_bytes)
        if text is None:
            return None
        try:
            root = parse_yaml(text)
        except YamlProblem:
            return None
        self.ids[path.stem] = existing_ids(root)
        return root

    def ids_of(self, slug: str) -> set[str]:
        """The ids in the article's annotation file."""
        if slug not in self.ids:
            assert self.project is not None
            self.ids[slug] = set()
            for suffix in (".yaml", ".yml"):
                path = self.project.annotations_dir / f"{slug}{suffix}"
                if path.exists():
                    self._read(path)
                    break
        return self.ids[slug]

"""The archive as plain, frozen data. Every stage reads these; none of them does work."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

Kind = Literal["claim", "sourcing", "context"]
KINDS: tuple[Kind, ...] = ("claim", "sourcing", "context")
KIND_LABELS: Mapping[str, str] = MappingProxyType(
    {"claim": "Claim", "sourcing": "Sourcing note", "context": "Context"}
)


@dataclass(frozen=True)
class Position:
    path: str
    line: int
    col: int


@dataclass(frozen=True)
class Verdict:
    id: str
    label: str
    rating: int | None
    description: str = ""


@dataclass(frozen=True)
class SiteConfig:
    title: str
    description: str
    base_url: str  # absolute, ends with "/"
    repo_url: str  # e.g. https://github.com/owner/repo, or ""
    repo_branch: str
    language: str
    verdicts: tuple[Verdict, ...]
    max_file_bytes: int = 1_000_000

    @property
    def base_path(self) -> str:
        """The path part of base_url ("/" or "/sub/"): every internal link starts with it."""
        rest = self.base_url.split("://", 1)[-1]
        path = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
        return path if path.endswith("/") else path + "/"

    @property
    def verdict_ids(self) -> tuple[str, ...]:
        return tuple(v.id for v in self.verdicts)

    def verdict(self, verdict_id: str) -> Verdict | None:
        for verdict in self.verdicts:
            if verdict.id == verdict_id:
                return verdict
        return None

    @property
    def best_rating(self) -> int | None:
        ratings = [v.rating for v in self.verdicts if v.rating is not None]
        return max(ratings) if ratings else None

    @property
    def worst_rating(self) -> int | None:
        ratings = [v.rating for v in self.verdicts if v.rating is not None]
        return min(ratings) if ratings else None


@dataclass(frozen=True)
class Source:
    title: str
    url: str
    publisher: str = ""
    date: str = ""
    archived: str = ""


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class Annotation:
    id: str
    kind: Kind
    note: str  # Markdown
    by: tuple[str, ...]
    added: dt.date
    position: Position  # the list item in the annotation file
    quote: str | None = None  # None: a note on the whole article
    prefix: str | None = None
    suffix: str | None = None
    verdict: str | None = None
    sources: tuple[Source, ...] = ()
    links: tuple[Link, ...] = ()
    updated: dt.date | None = None
    field_positions: Mapping[str, Position] = field(
        default_factory=lambda: MappingProxyType({}), compare=False, hash=False
    )

    def position_of(self, key: str) -> Position:
        return self.field_positions.get(key, self.position)

    @property
    def last_modified(self) -> dt.date:
        return self.updated or self.added


@dataclass(frozen=True)
class Article:
    slug: str
    path: str  # relative to the archive root
    title: str
    source: str  # the outlet
    published: str  # YYYY, YYYY-MM or YYYY-MM-DD, as written
    body: str  # Markdown, line endings normalised
    body_line: int  # line of the file where the body starts
    language: str
    url: str = ""
    archived: str = ""
    author: str = ""
    tags: tuple[str, ...] = ()
    summary: str = ""
    draft: bool = False

    @property
    def year(self) -> str:
        return self.published[:4]

    @property
    def sort_key(self) -> tuple[str, str]:
        return (self.published, self.slug)


@dataclass(frozen=True)
class AnnotationSet:
    """One annotation file, validated."""

    path: str
    slug: str
    annotations: tuple[Annotation, ...]


@dataclass(frozen=True)
class Archive:
    config: SiteConfig
    articles: tuple[Article, ...]  # sorted by slug
    annotations: Mapping[str, AnnotationSet]  # by article slug

    def annotations_for(self, slug: str) -> tuple[Annotation, ...]:
        found = self.annotations.get(slug)
        return found.annotations if found else ()


# --- results of anchoring -------------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    """Where an annotation's quote landed in the page text (code point offsets)."""

    annotation_id: str
    start: int
    end: int
    exact: str  # verbatim page text[start:end]
    prefix: str  # up to 32 characters (UTF-16 units) of page text before
    suffix: str  # and after

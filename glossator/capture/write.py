"""The article file: its slug, its front matter (every text value quoted), and a write that
never replaces a file already there."""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..diagnostics import yaml_quoted
from ..interop.urls import url_key
from ..project import MAX_SLUG, Project, is_slug
from . import CaptureError

# letters NFKD does not take apart into a base letter and a mark
_FOLD = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "œ": "oe", "Œ": "oe", "đ": "d",
                       "Đ": "d", "ł": "l", "Ł": "l", "þ": "th", "Þ": "th", "ð": "d", "Ð": "d", "ı": "i",
                       "&": " and "})
_FRONT = re.compile(r"\A---\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
FRONT_BYTES = 64 * 1024  # front matter lies at the top; an article's first 64 kB hold it


@dataclass(frozen=True)
class FrontMatter:
    title: str
    source: str
    published: str
    url: str
    captured_at: str  # ISO 8601 in UTC, e.g. 2026-12-06T07:40:00Z
    sha256: str
    read_from: str = ""  # the http(s) address the bytes were read from, when it was the web
    headline: str = ""  # the page's own headline, when its metadata had one (a capture again compares it)
    author: str = ""
    language: str = ""
    archived: str = ""
    tags: tuple[str, ...] = ()
    draft: bool = False

    def yaml(self) -> str:
        lines = [f"title: {yaml_quoted(self.title)}", f"source: {yaml_quoted(self.source)}",
                 f"published: {self.published}"]
        lines += [f"{key}: {yaml_quoted(value)}" for key, value in
                  (("author", self.author), ("language", self.language), ("url", self.url),
                   ("archived", self.archived)) if value]
        if self.tags:
            lines.append(f"tags: [{', '.join(self.tags)}]")
        if self.draft:
            lines.append("draft: true")
        lines += ["captured:", f"  at: {yaml_quoted(self.captured_at)}", f"  sha256: {yaml_quoted(self.sha256)}"]
        if self.read_from:
            lines.append(f"  from: {yaml_quoted(self.read_from)}")
        if self.headline:
            lines.append(f"  headline: {yaml_quoted(self.headline)}")
        return "\n".join(lines) + "\n"


def slugify(title: str) -> str:
    """ASCII words of the title, joined by hyphens, at most MAX_SLUG characters, cut between words."""
    folded = unicodedata.normalize("NFKD", title.translate(_FOLD))
    ascii_text = "".join(c for c in folded if c.isascii()).lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)
    slug = ""
    for word in words:
        longer = f"{slug}-{word}" if slug else word
        if len(longer) > MAX_SLUG:
            break
        slug = longer
    return slug or (words[0][:MAX_SLUG] if words else "")


def taken(project: Project, slug: str) -> bool:
    """A slug is taken by an article, or by an annotation file that would attach itself to it."""
    return ((project.content_dir / f"{slug}.md").exists()
            or any((project.annotations_dir / f"{slug}{suffix}").exists() for suffix in (".yaml", ".yml")))


def unique_slug(project: Project, base: str) -> str:
    if not taken(project, base):
        return base
    for number in range(2, 10_000):
        suffix = f"-{number}"
        candidate = base[: MAX_SLUG - len(suffix)].rstrip("-") + suffix
        if not taken(project, candidate):
            return candidate
    raise CaptureError(f"no free file name for `{base}` in content/", "choose one with --slug")


def same_address(url: str) -> str:
    """A form of the address that ignores what does not change the page: scheme, `www.`, case of
    the host, a trailing slash, the fragment, the order of the query's parameters and the
    campaign parameters among them (the importer's url_key)."""
    return url_key(url) or url.strip()


def held_url(path: str) -> str | None:
    """The `url` in the front matter of an article file, if it has one."""
    return _held_addresses(path)[0]


def _held_addresses(path: str) -> tuple[str | None, str | None]:
    """The `url` in the front matter of an article file, and the address its text was read from
    (`captured.from`), where it has them."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(FRONT_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return None, None
    match = _FRONT.match(head.removeprefix("\ufeff"))  # (a BOM: the build reads such a file too)
    if not match:
        return None, None
    try:
        front = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return None, None  # `check` reports a broken file; it holds no address we can compare
    if not isinstance(front, dict):
        return None, None
    captured = front.get("captured")
    read_from = captured.get("from") if isinstance(captured, dict) else None
    return (front["url"] if isinstance(front.get("url"), str) else None,
            read_from if isinstance(read_from, str) else None)


def holding(project: Project, url: str) -> str | None:
    """The article (content/<slug>.md) whose front matter has this `url`, if any; else the one whose
    text was read from this address (`captured.from`: the page there may now name another address
    as its own, which the capture again then refuses rather than make a second article of it)."""
    wanted = same_address(url)
    try:
        entries = sorted(os.scandir(project.content_dir), key=lambda e: e.name)
    except OSError:
        return None
    read_there = None
    for entry in entries:
        if not entry.name.endswith(".md") or entry.name.startswith(".") or not entry.is_file():
            continue
        url, read_from = _held_addresses(entry.path)
        if url is not None and same_address(url) == wanted:
            return f"content/{entry.name}"
        if read_there is None and read_from is not None and same_address(read_from) == wanted:
            read_there = f"content/{entry.name}"
    return read_there


def write_article(project: Project, slug: str, front: FrontMatter, body: str) -> Path:
    """content/<slug>.md, created whole or not at all, and never over an existing file."""
    if not is_slug(slug):
        raise CaptureError(f"`{slug}` is not a valid slug")
    folder = project.content_dir
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CaptureError(f"cannot create {folder}: {exc.strerror}") from None
    if not project.contains(folder):
        raise CaptureError("content/ is a link to somewhere outside the archive; nothing was written")
    target = folder / f"{slug}.md"
    staging = folder / f".{slug}.md.capture-{os.getpid()}"
    try:
        staging.write_text(f"---\n{front.yaml()}---\n{body}", encoding="utf-8")
        os.link(staging, target)  # fails if the file appeared meanwhile: nothing is replaced
    except FileExistsError:
        raise CaptureError(f"content/{slug}.md already exists; it was left as it was",
                           "choose another name with --slug") from None
    except OSError as exc:
        raise CaptureError(f"cannot write content/{slug}.md: {exc.strerror}") from None
    finally:
        staging.unlink(missing_ok=True)
    return target

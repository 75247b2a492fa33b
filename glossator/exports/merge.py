"""The archive-wide exports, merged from the per-article data files the workers wrote.

`/annotations.jsonld` with its pages and `/data/annotations.json` hold every annotation
of the archive: hundreds of megabytes at 10,000 articles. The per-article files hold one
annotation per line (jsontext.py), so the merge joins lines and never parses or holds
the whole: one article's files are in memory at a time.

A build after a small change copies most of it instead. The build cache keeps where each
article's elements lie in the files the last build wrote (ExportLayout, with the article's
cache key then); an article whose key is unchanged has the same elements, so their bytes
are copied from the previous site's file — runs of neighbours at once, in the kernel
(os.copy_file_range) — and a collection page holding the same elements as before is linked.
A previous file is used only while its inode, size and modification time are those the
layout recorded: a site changed after it was built is merged from the articles' files, as a
build without the cache is. The bytes are the same either way (the cache's tests compare
cached builds with clean ones).
"""

from __future__ import annotations

import errno
import hashlib
import heapq
import json
import os
from bisect import bisect_right
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from ..model import ArticleSummary, SiteConfig
from .jsontext import Layout, array_elements, document_bytes, layout
from .w3c import FeedEntry, archive_collection, article_data_path, data_document, newest_annotations

COLLECTION = "annotations.jsonld"  # in each article's folder, and at the site root
DATA_DUMP = "data/annotations.json"
SEPARATOR = b",\n"  # between two elements of an array (jsontext.write_document)


@dataclass(frozen=True)
class Span:
    """An article's elements in one array of an archive-wide file the last build wrote."""

    key: str  # the article's cache key then
    order: int  # its place among the articles with elements in that array
    start: int  # byte offsets: its first element's first byte, its last element's end
    end: int


Stamp = tuple[int, int, int]  # (inode, size, mtime_ns) of a file as its build left it


@dataclass(frozen=True)
class ExportLayout:
    """Where the last build put every article's elements, for the next build to copy them."""

    stamps: dict[str, Stamp] = field(default_factory=dict)  # file → its stamp when written
    spans: dict[str, dict[str, Span]] = field(default_factory=dict)  # array (DATA_DUMP#name) → slug → Span
    pages: dict[str, str] = field(default_factory=dict)  # collection file → the key of what it holds

    def without(self, slugs: set[str]) -> ExportLayout:
        """This layout but for these articles' elements, and with no collection page kept whole: for
        articles built from other bytes than their keys name (saved while the build ran)."""
        return ExportLayout(self.stamps, {array: {slug: span for slug, span in spans.items() if slug not in slugs}
                                          for array, spans in self.spans.items()})


class ArchiveEntry(NamedTuple):
    """What the archive's exports need of an article's summary: all that is sent to the process
    that merges them (build/background.py), not the summary's rendered listing entries."""

    slug: str
    path: str
    feed_keys: str  # "<added> <id>" of each annotation, a line each (ArticleSummary.feed_keys)
    last_modified: str

    @classmethod
    def of(cls, summary: ArticleSummary) -> ArchiveEntry:
        return cls(summary.slug, summary.path, summary.feed_keys, summary.last_modified)

    def feed(self) -> list[tuple[str, str]]:
        """(added, id) of each of its annotations, in file order (ids are slugs: no spaces)."""
        return [(line[:space], line[space + 1:]) for line in self.feed_keys.split("\n")
                if (space := line.find(" ")) > 0]


class ArchiveEntries(tuple[ArchiveEntry, ...]):
    """The entries of every article, pickled as four columns of text for the process that merges the
    exports: as 10,000 named tuples, pickling took 0.15 s of the build's single-core end."""

    def __reduce__(self) -> tuple[Any, ...]:
        return _entries, (tuple(zip(*self, strict=True)) if self else (),)


def _entries(columns: tuple[tuple[str, ...], ...]) -> ArchiveEntries:
    return ArchiveEntries(map(ArchiveEntry, *columns) if columns else ())


@dataclass(frozen=True)
class ArchiveData:
    updated: str | None  # the newest `added` or `updated` date in the archive
    newest: list[FeedEntry]  # for the annotations feed, newest first
    layout: ExportLayout  # for the next build


class DamagedExport(Exception):
    """A per-article file of the current site does not hold what the build cache says it does:
    it was changed after it was built."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message

    def __reduce__(self) -> tuple[type[DamagedExport], tuple[str, str]]:  # (raised in a child: build/background.py)
        return DamagedExport, (self.path, self.message)


def _elements(site: Path, path: str, name: str, expected: int, reused: bool = True) -> list[bytes]:
    """The elements of the array `name` in a per-article file, as bytes (jsontext.array_elements):
    never decoded, split or encoded again, which at 10,000 articles was most of the merge's time."""
    return _array(_export_bytes(site, path, reused), path, name, expected)


def _export_bytes(site: Path, path: str, reused: bool) -> bytes:
    """A per-article file's bytes. One the cache `reused` from the last site may have been edited
    since, so it must still be text; one this build's workers wrote from text is (decoding 20,000
    files to see so was a quarter of the merge's time)."""
    # (a plain string path: 30,000 files at 10k articles, and Path objects cost more than the reads)
    try:
        with open(f"{site}/{path}", "rb") as stream:
            data = stream.read()
        if reused and not data.isascii():
            data.decode()  # what goes into the archive's files is text
    except (OSError, ValueError) as exc:  # (UnicodeDecodeError is a ValueError)
        raise DamagedExport(path, f"the built file cannot be read ({exc}): it was changed after it was built") from None
    return data


def _array(data: bytes, path: str, name: str, expected: int) -> list[bytes]:
    elements = array_elements(data, name)
    if len(elements) != expected:
        raise DamagedExport(path, f"the built file holds {len(elements)} {name}, not {expected}: "
                                  "it was changed after it was built")
    return elements


def _stamp(path: str) -> Stamp:
    stat = os.stat(path)
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


class _Previous:
    """The previous site's archive-wide files, as far as the layout still vouches for them."""

    def __init__(self, site: Path | None, layout: ExportLayout | None) -> None:
        self.site = site
        self.layout = layout or ExportLayout()

    def file(self, path: str) -> str | None:
        """The previous file at `path`, if it is still the one the layout describes."""
        stamp = self.layout.stamps.get(path)
        if self.site is None or stamp is None:
            return None
        full = f"{self.site}/{path}"
        try:
            return full if _stamp(full) == stamp else None
        except OSError:
            return None


class _Output:
    """A file written from new bytes and from ranges of another file, counting its offset."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.file: BinaryIO = path.open("wb")
        self.position = 0
        self._in_kernel = hasattr(os, "copy_file_range")

    def write(self, data: bytes) -> None:
        self.file.write(data)
        self.position += len(data)

    def copy(self, source: int, start: int, end: int, name: str) -> None:
        """Bytes [start, end) of the open file `source`."""
        offset = start
        if self._in_kernel:
            self.file.flush()
            target = self.file.fileno()
            try:
                while offset < end:
                    done = os.copy_file_range(source, target, end - offset, offset, self.position + offset - start)
                    if not done:
                        raise DamagedExport(name, "the file is shorter than when it was built: it was changed")
                    offset += done
            except OSError as exc:  # another file system, an old kernel: copy through memory
                if exc.errno not in (errno.EXDEV, errno.ENOSYS, errno.EOPNOTSUPP, errno.EINVAL, errno.EPERM):
                    raise
                self._in_kernel = False
            self.file.seek(self.position + offset - start)
        while offset < end:
            data = os.pread(source, min(end - offset, 1 << 20), offset)
            if not data:
                raise DamagedExport(name, "the file is shorter than when it was built: it was changed")
            self.file.write(data)
            offset += len(data)
        self.position += end - start

    def close(self) -> None:
        self.file.close()


@dataclass(frozen=True)
class _Member:
    slug: str
    key: str  # its cache key ("": never copied)
    count: int  # its elements in the array


def _write_array(out: _Output, members: Sequence[_Member], elements: Callable[[str], list[bytes]],
                 old: Mapping[str, Span], source: int | None, name: str) -> dict[str, Span]:
    """An array's elements, one a line; the spans of runs of unchanged articles that were
    neighbours in the previous file are copied from it at once."""
    present = [m for m in members if m.count]
    spans: dict[str, Span] = {}
    out.write(b"[\n")
    i = 0
    while i < len(present):
        member = present[i]
        first = old.get(member.slug) if source is not None and member.key else None
        if i:
            out.write(SEPARATOR)
        if first is None or first.key != member.key:
            start = out.position
            out.write(b",\n".join(elements(member.slug)))
            spans[member.slug] = Span(member.key, i, start, out.position)
            i += 1
            continue
        run = [first]
        while i + len(run) < len(present):
            after = present[i + len(run)]
            span = old.get(after.slug)
            if span is None or span.key != after.key or not after.key or span.order != run[-1].order + 1:
                break
            run.append(span)
        shift = out.position - first.start
        assert source is not None
        out.copy(source, first.start, run[-1].end, name)
        for k, span in enumerate(run):
            spans[present[i + k].slug] = Span(span.key, i + k, span.start + shift, span.end + shift)
        i += len(run)
    out.write(b"\n]" if present else b"]")
    return spans


def _write_spliced(site: Path, path: str, shape: Layout, arrays: Mapping[str, tuple[list[_Member], Callable]],
                   previous: _Previous) -> tuple[Stamp, dict[str, Span]]:
    """A document with big arrays (as jsontext.write_document writes it), copying what it can."""
    before = previous.file(path)
    source = os.open(before, os.O_RDONLY) if before else None
    out = _Output(site / path)
    spans: dict[str, Span] = {}
    try:
        out.write(shape.head.encode())
        for name, after in shape.rest:
            members, elements = arrays[name]
            old = previous.layout.spans.get(f"{path}#{name}", {})
            spans.update({f"{name}\0{slug}": span for slug, span in
                          _write_array(out, members, elements, old, source, path).items()})
            out.write(after.encode())
        out.write(b"\n")
    finally:
        out.close()
        if source is not None:
            os.close(source)
    return _stamp(f"{site}/{path}"), spans


def _page_key(document: Mapping[str, Any], slices: Sequence[tuple[str, str, int, int]]) -> str:
    """What a collection page holds: its document and which elements of which article (by key)."""
    digest = hashlib.sha256(repr(layout(document)).encode())
    for slug, key, start, end in slices:
        digest.update(f"\0{slug}\0{key}\0{start}\0{end}".encode())
    return digest.hexdigest()


def _slices(members: Sequence[_Member], starts: Sequence[int], items: range) -> list[tuple[str, str, int, int]]:
    """Which elements of which articles fill the archive's elements `items` (in slug order);
    `starts`: where each article's elements begin among the archive's."""
    first = max(0, bisect_right(starts, items.start) - 1)  # (the articles before it: not walked for every page)
    slices = []
    for k in range(first, len(members)):
        member, start = members[k], starts[k]
        end = start + member.count
        if end <= items.start:
            continue
        if start >= items.stop:
            break
        slices.append((member.slug, member.key, max(items.start, start) - start, min(items.stop, end) - start))
    return slices


def write_archive_data(site: Path, summaries: Sequence[ArchiveEntry], config: SiteConfig, feed_entries: int,
                       keys: Mapping[str, str] | None = None, previous_site: Path | None = None,
                       previous: ExportLayout | None = None, reused: Collection[str] | None = None) -> ArchiveData:
    """The collection, its pages and the data dump, into `site`; `keys` (the articles' cache keys),
    `previous_site` and `previous` (its layout) let unchanged articles' bytes be copied. `reused`:
    the articles whose files the cache took from the last site rather than built (None: any)."""
    keys = keys or {}
    before = _Previous(previous_site, previous if keys else None)
    ordered = sorted(summaries, key=lambda s: s.slug)
    feeds = {s.slug: s.feed() for s in ordered}
    annotated = [_Member(s.slug, keys.get(s.slug, ""), len(feeds[s.slug])) for s in ordered]
    total = sum(m.count for m in annotated)
    newest = heapq.nlargest(feed_entries, ((added, s.slug, id_, i) for s in ordered
                                           for i, (added, id_) in enumerate(feeds[s.slug])))
    updated = max((s.last_modified for s in ordered if s.last_modified), default=None)
    counts = {m.slug: m.count for m in annotated}
    layout_out = ExportLayout()

    paths = {s.slug: s.path for s in ordered}
    was_reused = (lambda slug: True) if reused is None else reused.__contains__
    read: dict[str, list[bytes]] = {}  # the last article's items: two neighbouring pages share it

    def items(slug: str) -> list[bytes]:
        if slug not in read:
            read.clear()
            read[slug] = _elements(site, paths[slug] + COLLECTION, "items", counts[slug], was_reused(slug))
        return read[slug]

    starts = list(accumulate((m.count for m in annotated), initial=0))
    collection, *pages = archive_collection(total, config)
    for page in [*pages, collection]:
        slices = _slices(annotated, starts, page.items)
        key = _page_key(page.document, slices)
        layout_out.pages[page.path] = key
        old = before.file(page.path) if before.layout.pages.get(page.path) == key else None
        target = site / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if old is not None:
            try:
                os.link(old, target)
            except OSError:
                old = None
        if old is None:
            chunk = [line for slug, _key, start, end in slices for line in items(slug)[start:end]]
            target.write_bytes(document_bytes(layout(page.document), {"items": chunk} if chunk or page is not collection
                                              else {}))
        layout_out.stamps[page.path] = _stamp(str(target))

    # An article's data file holds both arrays of the dump; it is read once, for `annotations`, which
    # the dump writes first (keys sorted), and its `articles` element, one short line, is kept until
    # that array is written. (Reading it again for it was a third of the merge's file reads.)
    article_lines: dict[str, list[bytes]] = {}

    def annotation_lines(slug: str) -> list[bytes]:
        path = article_data_path(slug)
        data = _export_bytes(site, path, was_reused(slug))
        article_lines[slug] = _array(data, path, "articles", 1)
        return _array(data, path, "annotations", counts[slug])

    def article_line(slug: str) -> list[bytes]:  # (or read: an article without notes, or copied from the last dump)
        return article_lines.pop(slug, None) or _elements(site, article_data_path(slug), "articles", 1,
                                                          was_reused(slug))

    arrays = {
        "annotations": (annotated, annotation_lines),
        "articles": ([_Member(m.slug, m.key, 1) for m in annotated], article_line),
    }
    stamp, spans = _write_spliced(site, DATA_DUMP, layout(data_document(config, updated)), arrays, before)
    layout_out.stamps[DATA_DUMP] = stamp
    for named, span in spans.items():
        name, slug = named.split("\0", 1)
        layout_out.spans.setdefault(f"{DATA_DUMP}#{name}", {})[slug] = span

    return ArchiveData(updated, _feed(site, newest, counts, feed_entries), layout_out)


def _feed(site: Path, newest: list[tuple[str, str, str, int]], counts: Mapping[str, int],
          feed_entries: int) -> list[FeedEntry]:
    """The annotations feed's entries, from the records of the newest annotations (a few files)."""
    wanted: dict[str, list[int]] = {}
    for _added, slug, _id, i in newest:
        wanted.setdefault(slug, []).append(i)
    records: Iterator[dict[str, Any]] = (
        json.loads(line) for slug in sorted(wanted)
        for line in [_elements(site, article_data_path(slug), "annotations", counts[slug])[i]
                     for i in sorted(wanted[slug])])
    return newest_annotations([{"annotations": list(records)}], feed_entries)

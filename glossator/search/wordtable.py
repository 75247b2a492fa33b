"""Where each word of a shard's bundle is, for the merge (search/merge.py) to splice its bytes.

A word's entry in an index chunk holds its pages as differences from the page before; merged
after other shards', only its first page needs a new number. So the merge needs, for each word,
where its entry and its pages are in the chunk's bytes, how many pages it has, its first and
last page: the *word table*, made once, by the first merge that reads the bundle (a part's, by
its shard's join; a shard's, written by that join), and kept with the bundle. The files' layout
is in merge.py's docstring.
"""

from __future__ import annotations

import functools
import io
import operator
import os
import pickle
from bisect import bisect_right
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import chain, repeat
from pathlib import Path
from typing import BinaryIO, NamedTuple

import cbor2

from .pagefind import BundleProblem, inflate, read_cbor, read_entry

TABLE = ".words.pickle"  # beside a shard's files: where each word's bytes are (a hidden file: never published)
TABLE_FORMAT = 2  # a table of another layout is made again
PREFETCH = 2  # chunks of each bundle inflated ahead of the merge


class Span(NamedTuple):
    """Where a word is in its index chunk (decompressed, signature removed), and what splicing needs."""

    word: str
    start: int  # the word's entry: data[start:end]
    end: int
    postings: int  # where its first page is: [delta, locations, meta locations]
    count: int  # its pages
    first: int  # the first page's number (its delta from 0)
    first_size: int  # the bytes of that number's CBOR head
    last: int  # the last page's number (the sum of the deltas)
    plain: bool  # no variants: the entry ends with an empty array, after the pages
    weight: int  # its share of a chunk, as Pagefind counts it


def describe(bundle: Path) -> list[bytes]:
    """Record where each word of the bundle is (TABLE), so merging it need not decode its pages
    again; the index chunks' contents come back, in order (the merge that asked need not inflate
    them again). Done once, when the bundle is first merged."""
    entry = read_entry(bundle)
    [info] = entry["languages"].values()
    meta = read_cbor(bundle / f"pagefind.{info['hash']}.pf_meta", bundle)
    tables, contents = [], []
    for _, _, name in meta[2]:
        contents.append(inflate(bundle / "index" / f"{name}.pf_index", bundle))
        try:
            spans = _spans(contents[-1])
        except (cbor2.CBORDecodeError, ValueError, IndexError) as exc:
            raise BundleProblem(f"{bundle.name}/index/{name}.pf_index cannot be read ({exc})") from None
        tables.append(pack_spans(spans))
    write_table(bundle, tables)
    return contents


def pack_spans(spans: list[Span] | list[tuple]) -> bytes:
    """A chunk's spans as the table stores them: a column a field (lists of strings and integers
    unpickle several times faster than as many tuples of a class)."""
    columns = tuple(map(list, zip(*spans, strict=True))) if spans else tuple([] for _ in Span._fields)
    return pickle.dumps(columns, protocol=pickle.HIGHEST_PROTOCOL)


def write_table(bundle: Path, tables: list[bytes]) -> None:
    """The word table: each chunk's spans (pack_spans), in chunk order, after their count. The merge
    holds one chunk's spans of each shard at a time (all of them at 20,000 articles: 910,000
    spans, ~300 MiB)."""
    scratch = bundle / f"{TABLE}.{os.getpid()}.tmp"
    with scratch.open("wb") as stream:
        pickle.dump((TABLE_FORMAT, len(tables)), stream, protocol=pickle.HIGHEST_PROTOCOL)
        stream.writelines(tables)
    os.replace(scratch, bundle / TABLE)


def _spans(data: bytes) -> list[tuple]:
    """A chunk's spans, as plain tuples in Span's order (pack_spans takes them; a named tuple for
    each of ~60,000 words a part cost 10% of a join)."""
    _, _, at = head(data, 0)  # [words]
    _, count, at = head(data, at)
    stream = io.BytesIO(data)
    stream.seek(at)
    decode, tell = cbor2.CBORDecoder(stream).decode, stream.tell
    spans = []
    for _ in range(count):
        start = tell()
        word, pages, variants = decode()
        end = tell()
        # the entry's array head, the word (a text string: its head, then its bytes), the pages' array
        # head, each read from the bytes (1 byte below 24; head() for the longer forms)
        at = start + 1 if data[start] & 0x1F < 24 else head(data, start)[2]
        minor = data[at] & 0x1F
        at = at + 1 + minor if minor < 24 else _after_text(data, at)
        postings = at + 1 if data[at] & 0x1F < 24 else head(data, at)[2]
        if pages:  # the first page: its array's head (one byte), then its number's
            minor = data[postings + 1] & 0x1F
            first_size = 1 if minor < 24 else 1 + (1 << (minor - 24))
            spans.append((word, start, end, postings, len(pages), pages[0][0], first_size, sum(map(_delta, pages)),
                          not variants, sum(map(len, map(_locations, pages)))
                          + sum(map(len, map(_meta_locations, pages))) + len(pages)))
        else:
            spans.append((word, start, end, postings, 0, 0, 0, 0, False, 0))
    return spans


# (map over C getters: a chunk's words have ~10 pages each, 200,000 a part, and a generator's
# frame per page was half of describe's time). A word's weight, its share of an index chunk as
# Pagefind 1.5.2 counts it: its locations in the text and in meta fields, and one for each page;
# its variants' pages do not count (so chunks here end where Pagefind's own would: checked on its
# output, tests/test_search_merge.py).
_delta, _locations, _meta_locations = (operator.itemgetter(k) for k in range(3))


def _after_text(data: bytes, at: int) -> int:
    _, length, at = head(data, at)
    return at + length


def head(data: bytes, at: int) -> tuple[int, int, int]:
    """A CBOR item's major type, argument and where what follows it begins."""
    major, minor = data[at] >> 5, data[at] & 0x1F
    if minor < 24:
        return major, minor, at + 1
    size = 1 << (minor - 24)
    return major, int.from_bytes(data[at + 1:at + 1 + size], "big"), at + 1 + size


@functools.lru_cache(maxsize=1 << 16)  # (the merge asks for ~500,000 heads at 10k articles, mostly the same)
def head_bytes(major: int, argument: int) -> bytes:
    """The CBOR head of an item: its major type and argument, in the shortest form (as Pagefind writes)."""
    if argument < 24:
        return bytes([major << 5 | argument])
    for extra, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if argument < 1 << (8 * size):
            return bytes([major << 5 | extra]) + argument.to_bytes(size, "big")
    raise ValueError(f"{argument} does not fit in 64 bits")


def read_columns(bundle: Path) -> Iterator[tuple[list, ...]]:
    """The bundle's word table, a chunk at a time, as it stores it: the chunk's words, then their
    starts, ends… (a list per field of Span, in its order); made now if the bundle has none
    (indexed before tables were kept) or it cannot be read."""
    stream, chunks = _open_table(bundle)
    if stream is None:
        describe(bundle)
        stream, chunks = _open_table(bundle)
        if stream is None:
            raise BundleProblem(f"{bundle.name}/{TABLE} cannot be read after it was written")
    with stream:
        for _ in range(chunks):
            try:
                columns = pickle.load(stream)
            except (pickle.UnpicklingError, EOFError, ValueError) as exc:
                raise BundleProblem(f"{bundle.name}/{TABLE} is cut short ({exc})") from None
            if (not isinstance(columns, tuple) or len(columns) != len(Span._fields)
                    or not all(isinstance(column, list) for column in columns)
                    or len({len(column) for column in columns}) > 1):
                raise BundleProblem(f"{bundle.name}/{TABLE} is not a word table")
            yield columns


def ensure_table(bundle: Path) -> list[bytes] | None:
    """Make the bundle's word table if it has none that can be read, and give its index chunks'
    contents, read to make it; None if it had one."""
    stream, _ = _open_table(bundle)
    if stream is None:
        return describe(bundle)
    stream.close()
    return None


def _open_table(bundle: Path) -> tuple[BinaryIO | None, int]:
    """The table's file, at its first chunk, and its number of chunks; None if it is missing or not one."""
    try:
        stream = (bundle / TABLE).open("rb")
    except OSError:
        return None, 0
    try:
        layout = pickle.load(stream)
        if isinstance(layout, tuple) and len(layout) == 2 and layout[0] == TABLE_FORMAT:
            return stream, layout[1]
    except (pickle.UnpicklingError, EOFError, ValueError):
        pass
    stream.close()
    return None, 0


def words_in_order(bundles: list[tuple[Path, list[str]]], inflating: ThreadPoolExecutor, *,
                   keep_read: bool = False) -> Iterator[tuple]:
    """The words of these bundles (each with its index chunks' names, in order), all in order, each
    as (word, the bundle's number, its chunk's bytes, then the rest of its Span's fields): tuples
    made by zip over the tables' columns (the merge takes ~450,000 at 10,000 articles; a Python
    frame or a named tuple for each was a third of its time). (word, number) is unique: the tuples
    compare without a key function, and in bundle order. With `keep_read`, a bundle read whole to
    make its word table is merged from what was read (the parts of a join: a few bundles)."""
    return chain.from_iterable(_batches(bundles, inflating, keep_read))


def _batches(bundles: list[tuple[Path, list[str]]], inflating: ThreadPoolExecutor,
             keep_read: bool) -> Iterator[list[tuple]]:
    """words_in_order() in batches: each holds every bundle's words up to the least of the last
    words of the chunks in hand, sorted by one C sort, not by a heap merge's Python step for each
    word of each bundle."""
    chunks = [_chunk_words(bundle, names, number, inflating, keep_read)
              for number, (bundle, names) in enumerate(bundles)]
    hand: list[list | None] = [[[], [], 0] for _ in bundles]  # each bundle's chunk: words, tuples, how far taken
    while True:
        for number, held in enumerate(hand):
            while held is not None and held[2] == len(held[0]):  # (a chunk may have no words)
                chunk = next(chunks[number], None)
                if chunk is None:
                    held = hand[number] = None
                else:
                    held[0], held[1], held[2] = *chunk, 0
        active = [held for held in hand if held is not None]
        if not active:
            return
        boundary = min(held[0][-1] for held in active)
        batch: list[tuple] = []
        for held in active:
            end = bisect_right(held[0], boundary, held[2])
            batch += held[1][held[2]:end]
            held[2] = end
        batch.sort()
        yield batch


def _chunk_words(bundle: Path, names: list[str], number: int, inflating: ThreadPoolExecutor,
                 keep_read: bool = False) -> Iterator[tuple[list[str], list[tuple]]]:
    """A bundle's chunks in order, each as its words and their tuples; a few chunks in memory at a
    time, the next ones inflated on `inflating`'s threads meanwhile (zlib lets go of the GIL). A
    bundle without a table (a part just indexed) is read whole to make one, and with `keep_read`
    merged from that (without, its chunks are let go: all of a site's shards would be in memory)."""
    made = ensure_table(bundle)
    if made is not None and keep_read:  # (the table was made from these very chunks: they are in hand)
        contents = deque(made)
        del made
        chunks = (contents.popleft() for _ in range(len(contents)))  # (each let go once merged)
    else:
        chunks = _inflated([bundle / "index" / f"{name}.pf_index" for name in names], bundle, inflating)
    for words, *fields in read_columns(bundle):
        data = next(chunks, None)
        if data is None:
            raise BundleProblem(f"{bundle.name}: its word table has more chunks than its meta file")
        yield words, list(zip(words, repeat(number), repeat(data), *fields))
    if next(chunks, None) is not None:
        raise BundleProblem(f"{bundle.name}: its word table has fewer chunks than its meta file")


def _inflated(paths: list[Path], bundle: Path, inflating: ThreadPoolExecutor) -> Iterator[bytes]:
    """These chunks' contents in order, PREFETCH of them inflated ahead on `inflating`'s threads."""
    ahead = deque(inflating.submit(inflate, path, bundle) for path in paths[:PREFETCH])
    for k in range(len(paths)):
        if k + PREFETCH < len(paths):
            ahead.append(inflating.submit(inflate, paths[k + PREFETCH], bundle))
        yield ahead.popleft().result()

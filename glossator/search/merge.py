"""One search bundle made from the shards' bundles, offline, a word at a time.

Pagefind holds a whole index in memory while it writes it, so a large archive is indexed in
shards (search/shards.py), each in a run of its own. Merged in the browser (`mergeIndex`), the
shards do not search like one bundle: each resolves a query's words alone, so a word missing
from a shard falls back to a shorter word there, or drops out, and each ranks with its own page
count. Merged here instead, into the bundle one Pagefind run would have written, the reader
gets one index: the same words, the same page counts and lengths for ranking, one entry file,
one meta file and one chunk per term to fetch.

The merge reads Pagefind 1.5.2's files and writes the same format (see `PINNED`); it refuses
bundles of another version rather than guess. What it relies on, checked against that
version's output:
- the meta file is `[version, pages, chunks, filters, sorts, meta fields]`: pages are
  `[fragment name, word count]` in page-number order, chunks `[from, to, name]` in word order;
- an index chunk is `[[word, pages, variants]…]`, sorted by word; `pages` are
  `[page delta, locations, meta locations]`, the page numbers as differences from the one
  before (the first from 0); `variants` (the accented forms of the word) are
  `[[variant, pages]…]` with pages the same way;
- in meta locations, -(i + 1) says the positions after it are in the i-th meta field;
- a filter file is `[filter, [[value, [page number…]]…]]`, page numbers absolute.
Pages are numbered shard after shard; the fragments are hard-linked, renamed only where two
shards gave two different pages the same short name.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import groupby, pairwise
from operator import itemgetter
from pathlib import Path

import cbor2

from .pagefind import ENTRY, GZIP, SIGNATURE, BundleProblem, gzipped, read_cbor, read_entry, verify_bundle
from .wordtable import TABLE, Span, ensure_table, head_bytes, pack_spans, words_in_order, write_table

PINNED = "1.5.2"  # the Pagefind version whose files this module reads and writes
# Pagefind 1.5.2 closes an index chunk once its words' pages hold this many locations, in the
# text and in meta fields (each page counting one more): chunks of 20-30 KB compressed, one
# fetched per search term. Cut the same way, the merged chunks are those one run writes, which
# matters to results: a term's extensions are looked up in its chunk only.
CHUNK_WEIGHT = 20_000
COMPRESSION = 6  # gzip level (libdeflate's): 1.6% smaller than zlib's 6, which was within 2% of Pagefind's sizes
COMPRESSED_AS = f"{GZIP}-{COMPRESSION}"  # what the compressed chunks kept across builds (`compressed`) are
WRITERS = 2  # threads compressing chunks, and threads inflating the shards' chunks

Posting = list  # [page delta, locations, meta locations]
Word = list  # [word, postings, variants]


@dataclass(frozen=True)
class _Shard:
    bundle: Path
    language: str
    meta: list
    offset: int  # the number of its first page in the merged bundle
    fields: dict[int, int]  # its meta field numbers → the merged bundle's (identity: empty)


def merge_bundles(bundles: Sequence[Path], target: Path, compressed: Path | None = None, *,
                  table: bool = False) -> set[str]:
    """Merge the bundles, in this order, into `target` (a new folder). With `compressed`, a folder of
    index chunks already compressed (by the digest of their content) is used and added to; the
    digests this bundle uses come back. With `table`, the merged bundle is a shard's, for a merge
    of merged bundles: it gets its word table, and its index chunks are stored, not compressed
    (gzip level 0: never served, only merged again, and inflating level-1 chunks was 0.8 s of a
    10k site's merge; 3 MB more a shard in the build cache). Raises BundleProblem if a bundle is
    not Pagefind PINNED's or its files are damaged."""
    level = 0 if table else COMPRESSION
    entry = read_entry(bundles[0])
    shards = _read_shards(bundles)
    language = shards[0].language
    fields = sorted({field for shard in shards for field in shard.meta[5]})
    shards = [_Shard(s.bundle, s.language, s.meta, s.offset, _remap(s.meta[5], fields)) for s in shards]
    target.mkdir(parents=True)
    for name in ("fragment", "filter", "index"):
        (target / name).mkdir()
    pages, fragments = _fragments(shards, target, language)
    # (linked on a thread of their own while the words are merged: os.link lets go of the GIL)
    with (ThreadPoolExecutor(1, thread_name_prefix="glossator-fragments") as linker,
          ThreadPoolExecutor(WRITERS, thread_name_prefix="glossator-inflate") as inflating):
        linked = linker.submit(lambda: [_link(source, link) for source, link in fragments])
        filters = _merge_filters(shards, target, language)
        checked = {f"fragment/{name}.pf_fragment" for name, _ in pages}  # (checked in their shards)
        tables: list[bytes] | None = [] if table else None
        chunks, digests = _write_chunks(_merged_words(shards, inflating, table), target, language, compressed, checked,
                                        tables, level)
        linked.result()
    if tables is not None:
        write_table(target, tables)
    meta = [PINNED, pages, chunks, filters, [], fields]
    meta_name = _write(target, language, 10, SIGNATURE + cbor2.dumps(meta), prefix="pagefind.", suffix=".pf_meta")
    for path in bundles[0].iterdir():  # the scripts and WebAssembly: the same in every shard
        if path.is_file() and path.name != ENTRY and path.suffix != ".pf_meta" and not path.name.startswith("."):
            _link(path, target / path.name)
    info = entry["languages"][language]
    info["hash"], info["page_count"] = meta_name, len(pages)
    (target / ENTRY).write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    verify_bundle(target, len(pages), checked)
    return digests


def _read_shards(bundles: Sequence[Path]) -> list[_Shard]:
    shards, offset = [], 0
    for bundle in bundles:
        entry = read_entry(bundle)
        if entry.get("version") != PINNED or len(entry["languages"]) != 1:
            raise BundleProblem(f"{bundle.name}: a bundle of Pagefind {entry.get('version')} with "
                                f"{len(entry['languages'])} languages; shards are merged for Pagefind {PINNED}, "
                                "one language (install the locked version: pip install -r requirements.lock)")
        [(language, info)] = entry["languages"].items()
        meta = read_cbor(bundle / f"pagefind.{info['hash']}.pf_meta", bundle)
        if not isinstance(meta, list) or len(meta) != 6 or meta[0] != PINNED:
            raise BundleProblem(f"{bundle.name}: its meta file is not laid out as Pagefind {PINNED}'s")
        if meta[4]:
            raise BundleProblem(f"{bundle.name}: pages sort by {', '.join(s[0] for s in meta[4])}: a sharded "
                                "index cannot keep a sort order (remove data-pagefind-sort from the templates)")
        if shards and language != shards[0].language:
            raise BundleProblem(f"{bundle.name}: indexed as {language!r}, the first shard as {shards[0].language!r}")
        shards.append(_Shard(bundle, language, meta, offset, {}))
        offset += len(meta[1])
    return shards


def _remap(own: list[str], merged: list[str]) -> dict[int, int]:
    mapping = {i: merged.index(field) for i, field in enumerate(own)}
    return {} if all(i == j for i, j in mapping.items()) else mapping


def _fragments(shards: list[_Shard], target: Path, language: str) -> tuple[list[list], list[tuple[str, str]]]:
    """The meta file's page list, and every page's fragment with the path it is linked to."""
    pages: list[list] = []
    links: list[tuple[str, str]] = []
    taken: set[str] = set()
    for shard in shards:
        folder = f"{shard.bundle}/fragment"
        for name, word_count in shard.meta[1]:
            source = f"{folder}/{name}.pf_fragment"
            if name in taken:  # Pagefind shortens names to be unique within one run only
                name = _unique(language, hashlib.sha256(Path(source).read_bytes()).hexdigest(), 7, taken)
            taken.add(name)
            links.append((source, f"{target}/fragment/{name}.pf_fragment"))
            pages.append([name, word_count])
    return pages, links


def _merge_filters(shards: list[_Shard], target: Path, language: str) -> list[list]:
    merged: dict[str, dict[str, list[int]]] = {}
    for shard in shards:
        for _, name in shard.meta[3]:
            content = read_cbor(shard.bundle / "filter" / f"{name}.pf_filter", shard.bundle)
            values = merged.setdefault(content[0], {})
            for value, numbers in content[1]:
                values.setdefault(value, []).extend(shard.offset + n for n in numbers)
    taken: set[str] = set()
    return sorted([name, _write(target / "filter", language, 7,
                                SIGNATURE + cbor2.dumps([name, [[v, values[v]] for v in sorted(values)]]),
                                suffix=".pf_filter", taken=taken)]
                  for name, values in merged.items())


# A word of a shard, as the merge takes it (wordtable.words_in_order): (word, shard number, its
# chunk's bytes, then the rest of its Span's fields). Span's field k (after its word) is at
# _DATA + k; the unpacking fails if Span gains or loses one.
_DATA = 2
_START, _END, _POSTINGS, _COUNT, _FIRST, _FIRST_SIZE, _LAST, _PLAIN, _WEIGHT = range(
    _DATA + 1, _DATA + len(Span._fields))


def _merged_words(shards: list[_Shard], inflating: ThreadPoolExecutor,
                  keep_read: bool = False) -> Iterator[tuple[bytes, Span]]:
    """Each word of every shard once, in order, as its entry in the merged bundle, with its span
    (where its pages begin counted from the entry's start, its weight…) for the merged bundle's
    own word table.

    An entry is spliced from the shards' bytes: the pages of each shard after the first follow
    those of the shard before, and only the first page of each shard's run is renumbered (the
    others are differences from the page before, in the same shard). Entries with variants, or
    whose shard numbers the meta fields otherwise, are decoded and encoded again. `keep_read`: see
    wordtable.words_in_order (a join's parts, read whole for their tables, are merged from that)."""
    offsets = [shard.offset for shard in shards]
    renumbered = [bool(shard.fields) for shard in shards]
    renumbering = any(renumbered)
    chunks = [(shard.bundle, [name for _, _, name in shard.meta[2]]) for shard in shards]
    for word, group in groupby(words_in_order(chunks, inflating, keep_read=keep_read), key=itemgetter(0)):
        parts = list(group)
        weight = sum(map(itemgetter(_WEIGHT), parts))
        if not all(map(itemgetter(_PLAIN), parts)) or (renumbering and any(renumbered[part[1]] for part in parts)):
            decoded = _decoded(word, [(shards[part[1]], part[_DATA][part[_START]:part[_END]]) for part in parts])
            yield cbor2.dumps(decoded), _span_of(decoded, weight)
        elif len(parts) == 1 and offsets[parts[0][1]] == 0:
            _, _, data, start, end, postings, count, first, first_size, last, plain, _ = parts[0]
            yield data[start:end], Span(word, 0, end - start, postings - start, count, first, first_size, last,
                                        plain, weight)
        else:
            text = word.encode()
            count = sum(map(itemgetter(_COUNT), parts))
            before = b"".join([b"\x83", head_bytes(3, len(text)), text, head_bytes(4, count)])
            pieces, last = [before], 0
            for part in parts:  # (each shard's first page renumbered, then the rest of its bytes)
                offset = offsets[part[1]]
                pieces.append(_page_head(offset + part[_FIRST] - last))
                pieces.append(part[_DATA][part[_POSTINGS] + 1 + part[_FIRST_SIZE]:part[_END] - 1])
                last = offset + part[_LAST]
            pieces.append(b"\x80")
            entry = b"".join(pieces)
            first = offsets[parts[0][1]] + parts[0][_FIRST]
            yield entry, Span(word, 0, len(entry), len(before), count, first, len(head_bytes(0, first)), last,
                              True, weight)


@functools.lru_cache(maxsize=1 << 16)
def _page_head(delta: int) -> bytes:
    """A page's array head and its number: the start of a shard's run of a word's pages."""
    return b"\x83" + head_bytes(0, delta)


def _span_of(word: Word, weight: int) -> Span:
    """The span of an entry encoded whole (as cbor2 encodes it: Pagefind's shortest heads)."""
    text, postings, variants = word
    size = len(text.encode())
    start = 1 + len(head_bytes(3, size)) + size
    first = postings[0][0] if postings else 0
    return Span(text, 0, 0, start + len(head_bytes(4, len(postings))), len(postings), first,
                len(head_bytes(0, first)) if postings else 0, sum(p[0] for p in postings),
                not variants and bool(postings), weight)


def _decoded(word: str, parts: list[tuple[_Shard, bytes]]) -> Word:
    """The word's entries in these shards (shard, the entry's bytes), decoded and spliced."""
    lists, variants = [], {}
    for shard, data in parts:
        entry = cbor2.loads(data)
        if shard.fields:
            entry = _renumber_fields(entry, shard.fields)
        lists.append((shard.offset, entry[1]))
        for variant, postings in entry[2]:
            variants.setdefault(variant, []).append((shard.offset, postings))
    return [word, _splice(lists), [[variant, _splice(runs)] for variant, runs in variants.items()]]


def _splice(lists: list[tuple[int, list[Posting]]]) -> list[Posting]:
    spliced: list[Posting] = []
    last = 0
    for offset, postings in lists:
        if not postings:
            continue
        first = postings[0]
        spliced.append([offset + first[0] - last, first[1], first[2]])
        spliced.extend(postings[1:])
        last = offset + sum(posting[0] for posting in postings)
    return spliced


def _renumber_fields(word: Word, fields: dict[int, int]) -> Word:
    def posting(p: Posting) -> Posting:
        return [p[0], p[1], [-fields[-n - 1] - 1 if n < 0 else n for n in p[2]]]

    return [word[0], [posting(p) for p in word[1]], [[v, [posting(p) for p in ps]] for v, ps in word[2]]]


def _write_chunks(words: Iterator[tuple[bytes, Span]], target: Path, language: str, compressed: Path | None,
                  checked: set[str], tables: list[bytes] | None = None,
                  level: int = COMPRESSION) -> tuple[list[list[str]], set[str]]:
    """The words in chunks as Pagefind cuts them: the meta file's chunk list, and the digests used.
    Chunks kept from an earlier merge (checked with its bundle) are added to `checked` (paths in the
    bundle). With
    `tables`, each chunk's word table (wordtable.py) is added to it, pickled."""
    chunks: list[list[str]] = []
    digests: set[str] = set()
    taken: set[str] = set()
    chunk: list[bytes] = []
    spans: list[Span] = []
    weight = 0

    def flush() -> None:
        heads = head_bytes(4, 1) + head_bytes(4, len(chunk))
        data = b"".join([SIGNATURE, heads, *chunk])
        if tables is not None:
            at, placed = len(heads), []
            for entry, span in zip(chunk, spans, strict=True):
                placed.append(span._replace(start=at, end=at + len(entry), postings=at + span.postings))
                at += len(entry)
            tables.append(pack_spans(placed))
        digest = hashlib.sha256(data).hexdigest()
        name = _unique(language, digest, 7, taken)
        taken.add(name)
        digests.add(digest)
        path = target / "index" / f"{name}.pf_index"
        if compressed is None:
            writing.append(pool.submit(_compress, data, path, None, level))
        elif (compressed / digest).is_file():  # most chunks survive an edit unchanged: not compressed again
            _link(compressed / digest, path)
            checked.add(f"index/{name}.pf_index")
        else:
            writing.append(pool.submit(_compress, data, compressed / digest, path))
        if len(writing) > 2 * WRITERS:
            writing.pop(0).result()  # (a few chunks in memory at a time)
        chunks.append([spans[0].word, spans[-1].word, name])
        chunk.clear()
        spans.clear()

    if compressed is not None:
        compressed.mkdir(parents=True, exist_ok=True)
    # zlib lets go of the GIL: chunks are compressed on threads while the next are spliced
    with ThreadPoolExecutor(WRITERS, thread_name_prefix="glossator-merge") as pool:
        writing: list[Future[None]] = []
        for entry, span in words:
            chunk.append(entry)
            spans.append(span)
            weight += span.weight
            if weight >= CHUNK_WEIGHT:
                flush()
                weight = 0
        if chunk:
            flush()
        for future in writing:
            future.result()
    # as Pagefind does: a chunk's range ends, and the next begins, at the shortest prefixes that tell them apart
    # (a one-word chunk whose range would end before it begins keeps its word, as in Pagefind 1.5.2)
    for before, after in pairwise(chunks):
        end, after[0] = _prefixes(before[1], after[0])
        before[1] = end if end >= before[0] else before[1]
    return chunks, digests


def _compress(data: bytes, path: Path, link: Path | None = None, level: int = COMPRESSION) -> None:
    scratch = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    scratch.write_bytes(gzipped(data, level))
    os.replace(scratch, path)  # (a kept chunk is whole or absent)
    if link is not None:
        _link(path, link)


def _prefixes(a: str, b: str) -> tuple[str, str]:
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return a[:common + 1], b[:common + 1]


def _unique(language: str, digest: str, digits: int, taken: set[str]) -> str:
    while (name := f"{language}_{digest[:digits]}") in taken and digits < len(digest):
        digits += 1
    return name


def _write(folder: Path, language: str, digits: int, data: bytes, *, suffix: str, prefix: str = "",
           taken: set[str] | None = None) -> str:
    """Write a Pagefind file named after its content, as Pagefind names them (longer where two names
    in `taken` would clash); return the name."""
    name = _unique(language, hashlib.sha256(data).hexdigest(), digits, taken if taken is not None else set())
    if taken is not None:
        taken.add(name)
    (folder / f"{prefix}{name}{suffix}").write_bytes(gzipped(data, COMPRESSION))
    return name


def link_bundle(source: Path, target: Path, *, table: bool = False) -> None:
    """A bundle as it is (a shard of one part: nothing to join), hard-linked file by file; its word
    table only if asked (a hidden file: never in the site)."""
    shutil.copytree(source, target, copy_function=_link, ignore=shutil.ignore_patterns(".*"))
    if table:
        ensure_table(source)
        _link(source / TABLE, target / TABLE)


def _link(source: Path | str, target: Path | str) -> None:
    # bundles are never changed in place once written, so the site and the cache may share files
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)

"""The shards' bundles merged into one (search/merge.py) hold what one Pagefind run over the same
pages writes: the same words on the same pages at the same places, the same accented variants,
meta fields, filters, page lengths and fragments (tests/search_index_dump.py compares them by page
URL, whatever the page order, chunk boundaries or file names)."""

from __future__ import annotations

import gzip
import heapq
import importlib.metadata
import json
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import cbor2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glossator.model import ARTICLE_PAGES_GLOB
from glossator.search import wordtable
from glossator.search.merge import PINNED, merge_bundles
from glossator.search.pagefind import BundleProblem, index_pages, verify_bundle
from glossator.search.shards import PARTS
from glossator.search.wordtable import TABLE, Span, describe, head_bytes, read_columns
from glossator.validate.site import DEFAULTS

from .helpers import REPO, article_md, run_cli, write_archive
from .search_index_dump import dump

CORPUS = REPO.parent / "shared" / "bench" / "make_corpus.py"  # CI lays shared/ beside the checkout
# accented words make variants ("cafe" indexes "café")
WORDS = ["café crème", "résumé", "Zürich", "naïve", "harbour", "ledger", "budget", "quorum", "ferry", "tariff"]


def _archive(root: Path) -> Path:
    articles, notes = {}, {}
    for n in range(14):
        words = " ".join(WORDS[(n + k) % len(WORDS)] for k in range(4))
        articles[f"story-{n}"] = article_md(f"Story {n} on {WORDS[n % len(WORDS)]}",
                                            f"The council spoke of {words} on day {n}.\n\n"
                                            f"A second paragraph names the {WORDS[(n * 3) % len(WORDS)]} again.\n")
        notes[f"story-{n}"] = (f"article: story-{n}\nannotations:\n  - id: n{n}\n    kind: context\n"
                               f"    quote: \"The council spoke of\"\n    note: \"Context {n}: the {WORDS[n % 7]}.\"\n"
                               "    by: tester\n    added: 2026-01-02\n")
    return write_archive(root, articles, notes)


def _build(root: Path, out: Path, shard_size: int) -> Path:
    (root / "site.yaml").write_text(f"search_shard_size: {shard_size}\n", encoding="utf-8")
    result = run_cli("build", "--root", root, "--out", out)
    assert result.returncode == 0, result.stderr
    return out


def _shards(out: Path) -> list[Path]:
    store = out.parent / f".{out.name}.glossator-cache" / "search"
    return sorted(entry.parent for entry in store.glob("*/pagefind-entry.json"))


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The articles above, and enough generated ones (the bench's generator) for several index chunks."""
    root = tmp_path_factory.mktemp("merge") / "archive"
    made = subprocess.run([sys.executable, str(CORPUS), "--articles", "100", "--annotations", "3", "--seed", "5",
                           "--out", str(root)], capture_output=True, text=True, check=False)
    assert made.returncode == 0, made.stderr
    _archive(root)
    one = _build(root, root.parent / "one", 1000)
    many = _build(root, root.parent / "many", 12)
    return one, many


def test_merged_shards_hold_what_one_pagefind_run_writes(builds: tuple[Path, Path], tmp_path: Path) -> None:
    one, many = builds
    assert len(_shards(one)) == 1 and len(_shards(many)) >= 8
    # one shard of several parts, and many shards of several parts each, against one Pagefind run
    def parts(out: Path) -> int:
        return len(list((_shards(out)[0].parent / "parts").glob("*/pagefind-entry.json")))

    assert parts(one) == PARTS and parts(many) > len(_shards(many))
    pages = len(list(one.glob(ARTICLE_PAGES_GLOB)))
    assert index_pages(one, tmp_path / "single", DEFAULTS, pages) == []
    single = dump(tmp_path / "single")
    # what the merge must get right was there to get right: variants, and words cut into chunks
    assert any(variants for _, variants in single["words"].values()) and len(single["chunks"]) >= 4
    # chunks included: a term's extensions are found in its own chunk only
    assert dump(one / "pagefind") == single
    assert dump(many / "pagefind") == single


def _page(n: int, meta: str) -> str:
    return (f'<!doctype html><html lang="en"><head><title>Page {n}</title></head><body {meta}><main data-pagefind-body>'
            f'<h1>Notice {n} on the café</h1><p>{" ".join(WORDS[(n + k) % len(WORDS)] for k in range(5))} '
            f'and the résumé {n}.</p><h2 id="note-{n}">A note</h2><p>Ferry number {n}.</p></main></body></html>')


def test_shards_with_other_meta_fields_merge_as_one_run(tmp_path: Path) -> None:
    """Pagefind numbers a bundle's meta fields among those its pages have: a shard whose pages lack
    one numbers the others differently, and the merge must renumber its words' meta locations."""
    pages = {n: _page(n, 'data-pagefind-meta="date:2024, kind:claim"' if n % 3 else 'data-pagefind-meta="kind:x"')
             for n in range(9)}
    shards = {"a": [0, 3, 6], "b": [1, 2, 4], "c": [5, 7, 8], "all": list(range(9))}  # "a": no `date` anywhere
    bundles = {}
    for name, members in shards.items():
        site = tmp_path / f"pages-{name}"
        for n in members:
            (site / "articles" / f"page-{n}").mkdir(parents=True)
            (site / "articles" / f"page-{n}" / "index.html").write_text(pages[n], encoding="utf-8")
        bundles[name] = tmp_path / f"bundle-{name}"
        assert index_pages(site, bundles[name], DEFAULTS, len(members)) == []
    assert dump(bundles["a"])["fields"] != dump(bundles["b"])["fields"]
    merge_bundles([bundles["a"], bundles["b"], bundles["c"]], tmp_path / "merged")
    assert dump(tmp_path / "merged") == dump(bundles["all"])


def _spans(bundle: Path) -> list[list[Span]]:
    """A bundle's word table, a list of spans a chunk."""
    return [list(map(Span._make, zip(*columns, strict=True))) for columns in read_columns(bundle)]


def test_a_merged_bundle_s_word_table_is_the_one_made_by_reading_it(builds: tuple[Path, Path], tmp_path: Path) -> None:
    """A shard's bundle is merged from its parts with its word table written as it goes (for the
    site's merge): it must say what reading the merged chunks back says, entry by entry."""
    shards = _shards(builds[1])
    merge_bundles(shards[:4], tmp_path / "merged", table=True)
    written = _spans(tmp_path / "merged")
    (tmp_path / "merged" / TABLE).unlink()
    describe(tmp_path / "merged")
    read = _spans(tmp_path / "merged")
    assert sum(map(len, read)) > 500 and any(not span.plain for spans in read for span in spans)
    assert written == read


def test_a_damaged_word_table_is_a_bundle_problem(builds: tuple[Path, Path], tmp_path: Path) -> None:
    """A word table in the cache whose columns do not match (damaged, or of another layout) is
    reported as a damaged bundle, which the build answers by indexing again, not as a crash."""
    shard = _shards(builds[1])[0]
    bundle = tmp_path / "shard"
    shutil.copytree(shard, bundle)
    table = bundle / TABLE
    with table.open("rb") as stream:
        layout, first = pickle.load(stream), pickle.load(stream)
    words, *fields = first
    for damaged in ((words[:-1], *fields), [words, *fields], (words,), "columns"):
        with table.open("wb") as stream:
            pickle.dump(layout, stream)
            pickle.dump(damaged, stream)
        with pytest.raises(BundleProblem, match="not a word table"):
            list(read_columns(bundle))


def test_a_fragment_name_in_two_shards_is_renamed(builds: tuple[Path, Path], tmp_path: Path) -> None:
    """Pagefind shortens fragment names to be unique within one run: two shards can share one."""
    [bundle] = _shards(builds[0])
    merged = tmp_path / "merged"
    merge_bundles([bundle, bundle], merged)
    meta_pages = len(list((merged / "fragment").iterdir()))
    assert meta_pages == 2 * len(list((bundle / "fragment").iterdir()))
    assert verify_bundle(merged, meta_pages).pages == meta_pages  # every page's fragment, under its own name


def test_a_bundle_of_another_pagefind_version_is_refused(builds: tuple[Path, Path], tmp_path: Path) -> None:
    [bundle] = _shards(builds[0])
    other = tmp_path / "other"
    shutil.copytree(bundle, other)
    entry = json.loads((other / "pagefind-entry.json").read_text(encoding="utf-8"))
    entry["version"] = "1.6.0"
    (other / "pagefind-entry.json").write_text(json.dumps(entry), encoding="utf-8")
    with pytest.raises(BundleProblem, match=f"merged for Pagefind {PINNED}"):
        merge_bundles([bundle, other], tmp_path / "merged")
    assert not (tmp_path / "merged" / "pagefind-entry.json").exists()


def test_the_merge_is_pinned_to_the_locked_pagefind() -> None:
    """Upgrading Pagefind must come with a merge checked against its format (this file's first test)."""
    assert importlib.metadata.version("pagefind_bin") == PINNED


def test_spliced_heads_encode_as_cbor2_and_pagefind_do() -> None:
    """The merge writes the heads of the entries it splices itself (page numbers, counts, words)."""
    for n in (0, 23, 24, 255, 256, 65_535, 65_536, 2**32 - 1, 2**32):
        assert head_bytes(0, n) == cbor2.dumps(n)
    for n in (0, 23, 24, 300, 70_000):
        assert cbor2.dumps([0] * n).startswith(head_bytes(4, n))
    for word in ("a", "café", "x" * 300):
        assert head_bytes(3, len(word.encode())) + word.encode() == cbor2.dumps(word)


def test_the_site_s_index_chunks_are_compressed_even_from_one_shard(builds: tuple[Path, Path]) -> None:
    """A shard joined from parts keeps its chunks stored (gzip level 0) for the merges it goes into;
    the site's bundle is merged even from one shard, so readers never fetch them uncompressed."""
    for out in builds:
        chunks = list((out / "pagefind" / "index").glob("*.pf_index"))
        assert chunks
        for path in chunks:
            data = path.read_bytes()
            assert len(data) < 0.8 * len(gzip.decompress(data)), (out.name, path.name)
    # (the shards themselves are stored: what this test guards against serving)
    [shard] = _shards(builds[0])
    sample = next((shard / "index").glob("*.pf_index")).read_bytes()
    assert len(sample) > len(gzip.decompress(sample))


@st.composite
def _chunked_bundles(draw: st.DrawFn) -> list[list[list[str]]]:
    """Bundles, each its sorted words cut into chunks (some empty), the last chunk taking the rest."""
    bundles = []
    for _ in range(draw(st.integers(0, 5))):
        words = sorted(draw(st.sets(st.sampled_from("abcdefghijkl"))))
        chunks = []
        for size in draw(st.lists(st.integers(0, 3), max_size=4)):
            chunks.append(words[:size])
            words = words[size:]
        bundles.append([*chunks, words] if words or not chunks else chunks)
    return bundles


@given(_chunked_bundles())
@settings(max_examples=300, deadline=None)
def test_words_in_order_are_the_heap_merge_of_the_bundles(chunks: list[list[list[str]]]) -> None:
    """The batches (wordtable.words_in_order) give what a heap merge of every bundle's words gives:
    bundles without chunks, chunks without words, words in several bundles, one bundle."""
    def fake_chunk_words(bundle: Path, names: list[str], number: int, inflating: object, keep_read: bool):
        for words in chunks[number]:
            yield words, [(w, number, b"", len(w)) for w in words]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(wordtable, "_chunk_words", fake_chunk_words)
        merged = list(wordtable.words_in_order([(Path(str(n)), []) for n in range(len(chunks))], None))
    expected = list(heapq.merge(*([(w, n, b"", len(w)) for chunk in bundle for w in chunk]
                                  for n, bundle in enumerate(chunks))))
    assert merged == expected

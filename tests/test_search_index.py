"""The search index: what Pagefind is given (one page per article, notes as sub-results,
filters and meta from attributes), and the bundle check that stops a damaged index from
being published."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import cbor2
import pytest

from glossator.build import indexing, pipeline
from glossator.model import ARTICLE_PAGES_GLOB
from glossator.project import Project
from glossator.search import pagefind
from glossator.search.job import index_apart
from glossator.search.pagefind import BundleProblem, verify_bundle
from glossator.search.sharded import index_site
from glossator.search.shards import ONE_BUNDLE, Shards
from glossator.validate.site import DEFAULTS

from .helpers import article_md, build_site, pagefind_stopped_by_sigint, processes_working_in, run_cli, write_archive

TITLE = "Ferry <b>fares</b> & 'the harbour'"
OUTLET = "AT&T, Inc: News"

ALPHA_BODY = """
The harbour authority raised ferry fares twice in one winter, the council said.

Critics called the second rise unlawful, citing the charter of the port.
"""

ALPHA_NOTES = """
article: alpha
annotations:
  - id: about-alpha
    kind: sourcing
    note: "The outlet belongs to the ferry operator's parent company, a detail the byline omits."
    by: tester
    added: 2026-01-01
  - id: twice-claim
    kind: claim
    quote: "raised ferry fares twice in one winter"
    verdict: inaccurate
    note: "Tariff records show one increase, in December; gondolier unions disputed it."
    by: tester
    added: 2026-01-01
  - id: unlawful-claim
    kind: claim
    quote: "unlawful"
    verdict: inaccurate
    note: "No court found the rise unlawful."
    by: tester
    added: 2026-01-01
  - id: charter-context
    kind: context
    quote: "the charter of the port"
    note: "The charter dates from 1848 and was amended in 1990."
    by: tester
    added: 2026-01-01
"""


def write_search_archive(root: Path) -> Path:
    return write_archive(
        root,
        {
            "alpha": "\n".join(["---", f"title: {json.dumps(TITLE)}", f"source: {json.dumps(OUTLET)}",
                                 "published: 2019-03", "tags: [ferries, harbours]", "---", ALPHA_BODY]),
            "beta": article_md("Lighthouse keepers return", "Keepers came back to the lighthouse this spring.\n"),
        },
        {"alpha": ALPHA_NOTES},
    )


def fragments(site: Path) -> dict[str, dict]:
    """url → the Pagefind record of that page, as the browser will read it."""
    out = {}
    for path in (site / "pagefind" / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        record = json.loads(data[len(b"pagefind_dcd"):])
        out[record["url"]] = record
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = write_search_archive(tmp_path_factory.mktemp("search") / "archive")
    return root, build_site(root, root.parent / "site")


def test_one_page_per_article_with_notes_as_sections(built: tuple[Path, Path]) -> None:
    _, site = built
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text())
    assert list(entry["languages"]) == ["en"] and entry["languages"]["en"]["page_count"] == 2
    records = fragments(site)
    assert set(records) == {"/articles/alpha/", "/articles/beta/"}
    alpha = records["/articles/alpha/"]
    # each note's heading is an anchor, in page order; the hidden heading ends the
    # article-level note's section so the article's words are not credited to it
    headings = [a["id"] for a in alpha["anchors"] if a["element"].startswith("h")]
    assert headings == ["about-alpha", "gl_article_text", "twice-claim", "unlawful-claim", "charter-context"]
    content = alpha["content"]
    assert "gondolier unions" in content and "critics called the second rise" in content.lower()
    # a highlight's note reference is no word boundary: excerpts read "unlawful, citing", not "unlawful , citing"
    assert "rise unlawful, citing the charter of the port." in content
    # each heading keeps a (zero-width) character, or Pagefind's script drops it as a sub-result
    assert all(a["text"] == "\u200b" for a in alpha["anchors"] if a["element"].startswith("h"))
    at = {a["id"]: a["location"] for a in alpha["anchors"]}
    words = content.split()
    assert at["about-alpha"] < at["gl_article_text"] < at["twice-claim"]
    assert words.index("omits.") < at["gl_article_text"] <= words.index("harbour")
    # navigation, the header's byline and counts, controls, section labels and the notes' badges and
    # bylines stay out of the index (searching "claimed" matched every article with a claim)
    for chrome in ("Skip to content", "Search the archive", "Topics", "annotations as data", "About this article",
                   "Suggest an annotation", "Permalink", "original", "Glossator archive", "Article text",
                   "Sourcing note", "Claim", "Inaccurate", "Context", "By tester"):
        assert chrome not in content, chrome
    assert "Keepers came back" in records["/articles/beta/"]["content"]


def test_filters_and_meta_come_from_attributes(built: tuple[Path, Path]) -> None:
    _, site = built
    alpha = fragments(site)["/articles/alpha/"]
    # one value per kind and verdict: Pagefind counts repeats, and two claims are rated alike
    assert sorted(alpha["filters"]["kind"]) == ["claim", "context", "sourcing"]
    assert alpha["filters"]["verdict"] == ["inaccurate"]
    assert alpha["filters"]["outlet"] == [OUTLET]
    assert sorted(alpha["filters"]["tag"]) == ["ferries", "harbours"]
    assert alpha["filters"]["year"] == ["2019"]
    meta = alpha["meta"]
    assert meta["title"] == TITLE and meta["outlet"] == OUTLET and meta["date"] == "2019-03"
    # kinds and verdicts by code (k0 claim, k1 sourcing, k2 context; v<the verdict's place in site.yaml>):
    # Pagefind indexes meta words, and "claim" or "inaccurate" there matched every such article
    notes = dict(entry.split(":", 1) for entry in meta["notes"].split())
    inaccurate = f"v{DEFAULTS.verdict_ids.index('inaccurate')}"
    assert notes == {"about-alpha": "k1", "twice-claim": f"k0:{inaccurate}",
                     "unlawful-claim": f"k0:{inaccurate}", "charter-context": "k2"}
    # attribute values never leak into the words (the probe saw "article article" in excerpts)
    assert "inaccurate" not in alpha["content"].lower().replace("claim inaccurate", "")
    beta = fragments(site)["/articles/beta/"]
    assert "kind" not in beta["filters"] and "verdict" not in beta["filters"]


def test_bundle_ships_only_what_the_search_page_loads(built: tuple[Path, Path]) -> None:
    _, site = built
    bundle = site / "pagefind"
    assert not list(bundle.glob("pagefind-*ui*")) and not (bundle / "pagefind-highlight.js").exists()
    assert (bundle / "pagefind.js").is_file() and (bundle / "pagefind-worker.js").is_file()
    # readable by a web server, like the rest of the site (the scratch folder starts as 0700)
    assert bundle.stat().st_mode & 0o777 == site.stat().st_mode & 0o777
    summary = verify_bundle(bundle, 2)
    assert summary.pages == 2 and summary.files > 5
    assert not [p for p in site.iterdir() if p.name.startswith(".")]


def _truncate(path: Path, keep: int | None = None) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 if keep is None else keep])


def _first(bundle: Path, pattern: str) -> Path:
    return sorted(bundle.glob(pattern))[0]


DAMAGE: dict[str, tuple[Callable[[Path], Path], Callable[[Path], None]]] = {
    "truncated index chunk": (lambda b: _first(b, "index/*.pf_index"), _truncate),
    "truncated fragment": (lambda b: _first(b, "fragment/*.pf_fragment"), _truncate),
    "filter chunk that is not gzip": (lambda b: _first(b, "filter/*.pf_filter"), lambda p: p.write_bytes(b"nope")),
    "empty entry file": (lambda b: b / "pagefind-entry.json", lambda p: p.write_bytes(b"")),
    "truncated meta": (lambda b: _first(b, "*.pf_meta"), _truncate),
    "missing fragment": (lambda b: _first(b, "fragment/*.pf_fragment"), Path.unlink),
    "truncated wasm (64 KiB, as seen in the race)": (lambda b: b / "wasm.en.pagefind", lambda p: _truncate(p, 65536)),
    "truncated library": (lambda b: b / "pagefind.js", lambda p: _truncate(p, 32768)),
    "empty worker": (lambda b: b / "pagefind-worker.js", lambda p: p.write_bytes(b"")),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_bundle_check_names_the_damaged_file(built: tuple[Path, Path], tmp_path: Path, damage: str) -> None:
    bundle = tmp_path / "pagefind"
    shutil.copytree(built[1] / "pagefind", bundle)
    choose, harm = DAMAGE[damage]
    victim = choose(bundle)
    harm(victim)
    with pytest.raises(BundleProblem) as problem:
        verify_bundle(bundle, 2)
    assert "pagefind/" + victim.relative_to(bundle).as_posix() in str(problem.value)


def test_bundle_check_counts_pages(built: tuple[Path, Path]) -> None:
    with pytest.raises(BundleProblem, match="holds 2 pages, but the site has 3 articles"):
        verify_bundle(built[1] / "pagefind", 3)


def test_damaged_bundle_fails_the_build_and_keeps_the_previous_site(
    built: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_search_archive(tmp_path / "archive")
    out = tmp_path / "site"
    assert pipeline.build(Project.at(root, out)).ok
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    # Pagefind, then its first index chunk cut short (in the process that indexes: a rebuild's own)
    fake = tmp_path / "indexer-then-cut"
    fake.write_text(f"#!/bin/sh\n'{pagefind._executable()}' \"$@\" || exit $?\n"
                    'while [ $# -gt 0 ]; do [ "$1" = --output-path ] && out=$2; shift; done\n'
                    'chunk=$(ls "$out"/index/*.pf_index | head -n 1)\n'
                    'head -c 40 "$chunk" > "$out/cut" && mv "$out/cut" "$chunk"\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
    (root / "content" / "beta.md").write_text(article_md("Changed", "New words.\n"), encoding="utf-8")
    result = pipeline.build(Project.at(root, out))
    assert not result.ok
    [problem] = [d for d in result.diagnostics if d.is_error]
    assert problem.path == "search index"
    assert "damaged" in problem.message and "pagefind/index/" in problem.message and "truncated" in problem.message
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert not [p.name for p in tmp_path.iterdir() if "staging" in p.name or "pagefind" in p.name]


def test_damaged_bundle_on_the_command_line(tmp_path: Path) -> None:
    """The user's view: exit 1, one error naming the file, the previous site kept."""
    root = write_search_archive(tmp_path / "archive")
    out = tmp_path / "site"
    build_site(root, out)
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    # Pagefind, then the race's damage: the library cut short at a 4 KiB page boundary.
    fake = tmp_path / "pagefind-then-cut"
    fake.write_text(
        f"#!/bin/sh\n'{pagefind._executable()}' \"$@\" || exit $?\n"
        'while [ $# -gt 0 ]; do [ "$1" = --output-path ] && out=$2; shift; done\n'
        'head -c 8192 "$out/pagefind.js" > "$out/cut" && mv "$out/cut" "$out/pagefind.js"\n'
    )
    fake.chmod(0o755)
    (root / "content" / "beta.md").write_text(article_md("Changed", "New words.\n"), encoding="utf-8")
    result = run_cli("build", "--root", root, "--out", out, env={"PAGEFIND_BINARY_PATH": str(fake)})
    assert result.returncode == 1
    assert "search index: error: the search index Pagefind wrote is damaged: pagefind/pagefind.js is truncated" \
        in result.stderr
    assert "the previous site was left as it was" in result.stderr
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before


def test_missing_or_failing_pagefind_is_a_diagnostic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_search_archive(tmp_path / "archive")
    out = tmp_path / "site"
    # (indexed on the build's thread, where the package's absence can be faked)
    monkeypatch.setattr(indexing, "INDEX_APART_UP_TO", 0)
    monkeypatch.setattr(pagefind, "_executable", lambda: None)
    result = pipeline.build(Project.at(root, out))
    assert not result.ok and not out.exists()
    assert "Pagefind binary is not installed" in result.diagnostics[-1].message
    monkeypatch.undo()
    # a Pagefind that fails, in the process that indexes a small archive's part
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", shutil.which("false") or "/bin/false")
    result = pipeline.build(Project.at(root, out))
    assert not result.ok and not out.exists()
    assert "Pagefind failed (exit status 1)" in result.diagnostics[-1].message
    assert not [p.name for p in tmp_path.iterdir() if "staging" in p.name or "pagefind" in p.name]


@pytest.mark.parametrize("apart", [True, False])
def test_a_pagefind_stopped_by_a_signal_the_build_did_not_get_fails_the_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apart: bool) -> None:
    """SIGINT that reaches Pagefind alone (not Ctrl-C, which stops the build too) leaves the index
    unfinished: the build must fail, not publish a site with parts of its search index missing."""
    root = write_search_archive(tmp_path / "archive")
    out = tmp_path / "site"
    if not apart:  # (indexed on the build's own threads, as a large archive's parts are)
        monkeypatch.setattr(indexing, "INDEX_APART_UP_TO", 0)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(pagefind_stopped_by_sigint(tmp_path)))
    result = pipeline.build(Project.at(root, out))
    assert not result.ok and not out.exists()
    assert "Pagefind was stopped (interrupted) before the search index was finished" in \
        result.diagnostics[-1].message
    assert not [p.name for p in tmp_path.iterdir() if "staging" in p.name or "pagefind" in p.name]


def test_pagefind_settings_from_the_environment_are_ignored(tmp_path: Path) -> None:
    root = write_search_archive(tmp_path / "archive")
    out = tmp_path / "site"
    result = run_cli("build", "--root", root, "--out", out,
                     env={"PAGEFIND_OUTPUT_SUBDIR": "elsewhere", "PAGEFIND_FORCE_LANGUAGE": "de",
                          "PAGEFIND_ROOT_SELECTOR": "footer"})
    assert result.returncode == 0, result.stderr
    assert not (out / "elsewhere").exists()
    entry = json.loads((out / "pagefind" / "pagefind-entry.json").read_text())
    assert list(entry["languages"]) == ["en"]
    assert "harbour authority" in fragments(out)["/articles/alpha/"]["content"]


def test_reindexing_a_site_replaces_its_bundle(built: tuple[Path, Path], tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(built[1], site)
    old_meta = sorted(p.name for p in (site / "pagefind").glob("*.pf_meta"))
    (site / "articles" / "beta").rename(site / "articles" / "gamma")
    assert index_site(site, DEFAULTS, ONE_BUNDLE) == []
    assert set(fragments(site)) == {"/articles/alpha/", "/articles/gamma/"}
    assert sorted(p.name for p in (site / "pagefind").glob("*.pf_meta")) != old_meta
    assert not [p for p in site.iterdir() if p.name.startswith(".")]


def test_an_archive_without_articles_builds_without_an_index(tmp_path: Path) -> None:
    root = write_archive(tmp_path / "archive", {})
    build_site(root, tmp_path / "site")
    assert (tmp_path / "site" / "search" / "index.html").is_file()
    assert not (tmp_path / "site" / "pagefind").exists()


def _digest(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_builds_give_the_same_bundle(built: tuple[Path, Path], tmp_path: Path) -> None:
    """Pagefind 1.5.2 writes filter values in hash-map order; the build sorts them (SPEC §8)."""
    out = tmp_path / "again"
    build_site(built[0], out)
    assert _digest(out / "pagefind") == _digest(built[1] / "pagefind")
    for path in (out / "pagefind" / "filter").glob("*.pf_filter"):
        values = [value for value, _ in cbor2.loads(gzip.decompress(path.read_bytes())[12:])[1]]
        assert values == sorted(values)


def test_cbor_reads_and_writes_pagefind_files_byte_for_byte(built: tuple[Path, Path], tmp_path: Path) -> None:
    """Filter and meta files are rewritten with cbor2, and merged chunks spliced with our CBOR heads:
    both must encode exactly as Pagefind does."""
    binary = pagefind._executable()
    assert binary is not None
    raw = tmp_path / "raw"
    done = subprocess.run([str(binary), "--site", str(built[1]), "--glob", ARTICLE_PAGES_GLOB, "--output-path",
                           str(raw), "--silent"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    files = [*raw.glob("*.pf_meta"), *raw.glob("filter/*.pf_filter"), *raw.glob("index/*.pf_index")]
    assert len(files) >= 7
    for path in files:
        data = gzip.decompress(path.read_bytes())[12:]
        assert cbor2.dumps(cbor2.loads(data)) == data, path.name


def _slow_indexer(folder: Path) -> tuple[Path, Path]:
    """A Pagefind that waits 20 s before it indexes, and the file it leaves once it starts."""
    marker = folder / "indexer-finished"
    slow = folder / "slow-indexer"
    slow.write_text(f"#!{sys.executable}\nimport os, sys, time\ntime.sleep(20)\n"
                    f"open({str(marker)!r}, 'w').close()\nos.execv({str(pagefind._executable())!r}, sys.argv)\n",
                    encoding="utf-8")
    slow.chmod(0o755)
    return slow, marker


def test_a_listing_that_fails_while_pagefind_indexes_stops_it_and_keeps_the_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pagefind indexes the article pages while the listings are rendered: a listing's template error
    must stop it, leave no process or scratch folder behind, and the previous site as it was."""
    root = write_search_archive(tmp_path / "archive")
    out = tmp_path / "site"
    assert pipeline.build(Project.at(root, out)).ok
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (root / "templates").mkdir()
    (root / "templates" / "sitemap.xml").write_text("{{ no_such_macro() }}", encoding="utf-8")
    # a Pagefind that is still indexing when the listing fails (one process: killing it ends it)
    slow, marker = _slow_indexer(tmp_path)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(slow))
    result = pipeline.build(Project.at(root, out))
    assert not marker.exists()  # stopped, not waited for
    assert not result.ok
    [problem] = [d for d in result.diagnostics if d.is_error]
    assert "sitemap.xml" in problem.path
    assert not processes_working_in(tmp_path)
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not [p.name for p in tmp_path.iterdir() if "staging" in p.name or "pagefind" in p.name]


def _sharded_archive(root: Path) -> tuple[Path, Shards]:
    """Eight articles in bundles of two: four shards (the assignment is the slug's hash)."""
    slugs = [f"ward-{i}" for i in range(8)]
    write_archive(root, {slug: article_md(f"Ward {slug}", f"The {slug} council met.\n") for slug in slugs},
                  site_yaml="search_shard_size: 2\n")
    shards = Shards.for_archive(len(slugs), 2)
    assert len(shards.split(slugs)) == 4
    return root, shards


@pytest.mark.parametrize("shard", [0, 3], ids=["first-shard", "last-shard"])
def test_bundle_checks_cover_every_shard(tmp_path: Path, shard: int) -> None:
    """A shard's bundle damaged while the build writes it fails the build, naming that shard's file;
    the previous site (every shard's bundle included) is kept as it was."""
    root, shards = _sharded_archive(tmp_path / "archive")
    out = tmp_path / "site"
    assert run_cli("build", "--root", root, "--out", out).returncode == 0
    assert [p.relative_to(out).as_posix() for p in pagefind.site_bundles(out)] == ["pagefind"]
    assert len(list((tmp_path / ".site.glossator-cache" / "search").glob("*/pagefind-entry.json"))) == 4
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    victim = shards.split(f"ward-{i}" for i in range(8))[shard][0]
    # Pagefind indexes each shard in a folder of that shard's pages: only the victim's bundle is cut
    fake = tmp_path / "indexer-then-cut"
    fake.write_text(
        f"#!/bin/sh\n'{pagefind._executable()}' \"$@\" || exit $?\n"
        f'[ -d articles/{victim} ] || exit 0\n'
        'while [ $# -gt 0 ]; do [ "$1" = --output-path ] && out=$2; shift; done\n'
        'chunk=$(ls "$out"/index/*.pf_index | head -n 1)\n'
        'head -c 40 "$chunk" > "$out/cut" && mv "$out/cut" "$chunk"\n'
    )
    fake.chmod(0o755)
    # a new title changes every page, so every shard is indexed again
    (root / "site.yaml").write_text("search_shard_size: 2\ntitle: Renamed archive\n", encoding="utf-8")
    result = run_cli("build", "--root", root, "--out", out, env={"PAGEFIND_BINARY_PATH": str(fake)})
    assert result.returncode == 1
    damaged = re.search(r"search index: error: the search index Pagefind wrote is damaged: (.+?) is truncated",
                        result.stderr)
    assert damaged, result.stderr
    assert damaged[1].startswith(f"search shard {shard + 1} of 4: index/") and damaged[1].endswith(".pf_index")
    assert "the previous site was left as it was" in result.stderr
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not [p.name for p in tmp_path.iterdir() if "staging" in p.name or "pagefind" in p.name]


def test_a_part_indexed_apart_is_the_part_indexed_here(built: tuple[Path, Path], tmp_path: Path) -> None:
    """A rebuild indexes its few parts in processes of their own (search/job.py): the same bundle,
    byte for byte, as on a thread of the build; a problem comes back as the same diagnostic."""
    site = tmp_path / "site"
    shutil.copytree(built[1], site)
    here, apart = tmp_path / "here", tmp_path / "apart"
    assert pagefind.index_shard(site, here, ["alpha", "beta"], "en") == []
    assert index_apart(site, apart, ["alpha", "beta"], "en") == []
    assert _digest(apart) == _digest(here) and (apart / "pagefind-entry.json").is_file()
    # a bundle that holds two pages where three were asked for: refused alike, by the same diagnostic
    fake = tmp_path / "pagefind-of-two"
    fake.write_text(f"#!/bin/sh\nrm -rf articles/gamma\nexec '{pagefind._executable()}' \"$@\"\n")
    fake.chmod(0o755)
    shutil.copytree(site / "articles" / "beta", site / "articles" / "gamma")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PAGEFIND_BINARY_PATH", str(fake))
        problems = [index(site, tmp_path / name, ["alpha", "beta", "gamma"], "en", label="search shard 2 of 3: ")
                    for name, index in (("x", pagefind.index_shard), ("y", index_apart))]
    assert problems[0] == problems[1] and len(problems[0]) == 1
    assert problems[0][0].is_error and problems[1][0].is_error
    assert "it holds 2 pages, but the site has 3 articles" in problems[0][0].message
    assert problems[0][0].hints == problems[1][0].hints and problems[0][0].title == problems[1][0].title
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()


def test_cancelling_a_part_indexed_apart_stops_its_pagefind(built: tuple[Path, Path], tmp_path: Path) -> None:
    """The child runs Pagefind in turn: cancelled, it stops Pagefind and cleans up; nothing is left
    running, nor any scratch folder."""
    site = tmp_path / "site"
    shutil.copytree(built[1], site)
    slow, marker = _slow_indexer(tmp_path)
    cancel = threading.Event()
    threading.Timer(1.0, cancel.set).start()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PAGEFIND_BINARY_PATH", str(slow))
        with pytest.raises(pagefind.Cancelled):
            index_apart(site, tmp_path / "bundle", ["alpha", "beta"], "en", cancel)
    time.sleep(0.2)
    assert not processes_working_in(site)  # the indexer worked in a folder of the site's pages
    assert not marker.exists() and not (tmp_path / "bundle").exists()
    assert not [p.name for p in site.iterdir() if p.name.startswith(".")]  # its scratch folder went too


def test_a_search_job_does_not_import_from_the_working_directory(built: tuple[Path, Path], tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The child process of a search job runs Python in the build's working directory, an archive
    of contributors' files: a module there (json.py, cbor2.py, glossator/) must not be imported."""
    marker = tmp_path / "imported"
    for name in ("json.py", "cbor2.py"):
        (tmp_path / name).write_text(f"open({str(marker)!r}, 'w').close()\nraise SystemExit(9)\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert index_apart(built[1], tmp_path / "bundle", ["alpha", "beta"], "en") == []
    assert not marker.exists() and (tmp_path / "bundle" / "pagefind-entry.json").is_file()


@pytest.mark.parametrize("shard_size", [500, 1])
def test_a_language_pagefind_has_no_stemmer_for_builds_its_index(tmp_path: Path, shard_size: int) -> None:
    """Pagefind 1.5.2 writes `"wasm": null` for a language it has no stemmer for (Japanese, Chinese,
    Ukrainian, Hebrew…) and ships its language-neutral wasm.unknown.pagefind: the bundle check
    looked for `wasm.None.pagefind`, and such a site could not be built (one shard or several)."""
    root = write_archive(tmp_path / "archive",
                         {"alpha": article_md("港の運賃", "港湾局は冬に二度フェリー運賃を上げた。\n"),
                          "beta": article_md("灯台", "灯台守が春に戻った。\n"),
                          "gamma": article_md("橋", "古い橋は車の通行を止める。\n")},
                         site_yaml="title: 注釈アーカイブ\nbase_url: https://example.org/\nlanguage: ja\n"
                                   f"search_shard_size: {shard_size}\n")
    out = tmp_path / "site"
    result = run_cli("build", "--root", root, "--out", out)
    assert result.returncode == 0, result.stderr
    entry = json.loads((out / "pagefind" / "pagefind-entry.json").read_text())
    assert list(entry["languages"]) == ["ja"] and entry["languages"]["ja"]["wasm"] is None
    assert (out / "pagefind" / "wasm.unknown.pagefind").is_file()
    assert "運賃" in fragments(out)["/articles/alpha/"]["content"]

"""The build cache never changes the output: after any sequence of edits, a cached
rebuild is byte-identical to a clean build of the same inputs."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from glossator.build import pipeline
from glossator.build.cache import BuildCache, input_stats
from glossator.exports import merge, w3c
from glossator.project import Project
from glossator.search import queue
from glossator.search.pagefind import page_ids
from glossator.search.shards import Shards

from .helpers import REPO, article_md, run_cli, write_archive
from .test_build import tree_digest

WORDS = ["the", "minister", "said", "budget", "rose", "fell", "sharply", "according", "to", "officials",
         "report", "claims", "new", "data"]


def _body(rng: random.Random, n: int) -> str:
    sentences = [" ".join(rng.choice(WORDS) for _ in range(8)).capitalize() + "." for _ in range(6)]
    sentences[2] = f"Unique marker {n} appears here."
    return " ".join(sentences[:3]) + "\n\n" + " ".join(sentences[3:]) + "\n"


def _article(rng: random.Random, n: int) -> str:
    # captured after every version the test writes (versions/<slug>/2025-…): it is the newest text
    return article_md(f"Article {n}", _body(rng, n), tags=f"[topic-{n % 3}]",
                      captured='\n  at: "2026-01-01T00:00:00Z"')


def _version(rng: random.Random, n: int, day: int) -> tuple[str, str]:
    """An earlier text of article n: its file name and content (its marker is kept: the note carries)."""
    return f"2025-03-{day:02d}-1000.md", f'---\ncaptured:\n  at: "2025-03-{day:02d}T10:00:00Z"\n---\n{_body(rng, n)}'


def _annotations(slug: str, n: int, note: str) -> str:
    return (
        f"article: {slug}\nannotations:\n"
        f"  - id: marker\n    kind: claim\n    quote: \"Unique marker {n}\"\n    verdict: mixed\n"
        f"    note: \"{note}\"\n    by: tester\n    added: 2026-01-0{1 + n % 9}\n"
    )


SHARD = 2  # articles a search bundle in these archives


def _bundles(site: Path, folder: str = "") -> dict[str, int]:
    """Each shard's bundle in the build cache (named by its key; each part's, with folder="parts")
    → its entry file's inode: a bundle indexed again is a new file, a bundle kept the same one."""
    store = site.parent / f".{site.name}.glossator-cache" / "search" / folder
    return {entry.parent.name: entry.stat().st_ino for entry in store.glob("*/pagefind-entry.json")}


def _build(root: Path, out: Path, use_cache: bool) -> pipeline.BuildResult:
    result = pipeline.build(Project.at(root, out), jobs=1, use_cache=use_cache, report_changes=True)
    assert result.ok, result.diagnostics
    return result


def test_random_edit_sequences_match_clean_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # collection pages of two annotations (one an article here): several pages, kept or written again
    monkeypatch.setattr(w3c, "ARCHIVE_PAGE_SIZE", 2)
    copies = []  # the data dump's bytes copied from the last build's, for unchanged articles
    copy = merge._Output.copy
    monkeypatch.setattr(merge._Output, "copy", lambda self, *args: copies.append(args[1:3]) or copy(self, *args))
    apart: list[Path] = []  # the parts indexed by processes of their own (a rebuild's few)
    index_apart = queue.index_apart
    monkeypatch.setattr(queue, "index_apart", lambda site, target, *args: apart.append(target) or index_apart(
        site, target, *args))
    kept_pages = 0
    rng = random.Random(7)
    articles = {f"a{n}": _article(rng, n) for n in range(6)}
    notes = {slug: _annotations(slug, int(slug[1:]), "First note.") for slug in articles}
    # bundles of two articles: the search index is several shards, each kept or re-indexed
    root = write_archive(tmp_path / "archive", articles, notes, site_yaml=f"search_shard_size: {SHARD}\n")
    shutil.copytree(Path(__file__).resolve().parent.parent / "templates", root / "templates")
    cached_out = tmp_path / "cached" / "site"
    _build(root, cached_out, use_cache=True)
    done: set[str] = set()
    for step in range(24):
        bundles_before, parts_before = _bundles(cached_out), _bundles(cached_out, "parts")
        pages_before = {p.name: p.stat().st_ino for p in (cached_out / "annotations").glob("page-*.jsonld")}
        # the random sequence, with an earlier text added, edited and taken away at fixed steps at least
        action = {2: "version", 5: "version-edit", 8: "version", 11: "version-delete"}.get(step) or rng.choice(
            ["note", "article", "template", "delete", "add", "css", "none", "site", "version", "version-edit",
             "version-delete"])
        slug = rng.choice(sorted(articles))
        if action in ("version-edit", "version-delete"):  # an article that has versions, if one does
            slug = rng.choice(sorted({p.parent.name for p in root.glob("versions/*/*.md")} or {slug}))
        versions = root / "versions" / slug
        held = sorted(versions.glob("*.md")) if versions.is_dir() else []
        if action == "version":  # the outlet changed the article: its earlier text kept
            name, text = _version(rng, int(slug[1:]), 1 + step)
            versions.mkdir(parents=True, exist_ok=True)
            (versions / name).write_text(text)
        elif action == "version-edit" and held:
            held[0].write_text(held[0].read_text().replace("Unique marker", f"Unique marker {step} and"))
        elif action == "version-delete" and held:
            held[-1].unlink()
        elif action == "note":
            (root / "annotations" / f"{slug}.yaml").write_text(
                _annotations(slug, int(slug[1:]), f"Note edited at step {step}."))
        elif action == "article":
            (root / "content" / f"{slug}.md").write_text(_article(rng, int(slug[1:])))
        elif action == "template":
            path = root / "templates" / "article.html"
            path.write_text(path.read_text().replace("</article>", f"<!-- step {step} --></article>", 1))
        elif action == "css":
            path = root / "templates" / "static" / "glossator.css"
            path.write_text(path.read_text() + f"\n/* step {step} */\n")
        elif action == "site":
            (root / "site.yaml").write_text(f"title: Archive {step}\nsearch_shard_size: {SHARD}\n")
        elif action == "delete" and len(articles) > 2:
            del articles[slug]
            (root / "content" / f"{slug}.md").unlink()
            (root / "annotations" / f"{slug}.yaml").unlink()
            shutil.rmtree(versions, ignore_errors=True)
        elif action == "add":
            n = 100 + step
            articles[f"a{n}"] = _article(rng, n)
            write_archive(root, {f"a{n}": articles[f"a{n}"]}, {f"a{n}": _annotations(f"a{n}", n, "New.")})
        done.add(action if not action.startswith("version-") or held else "none")
        apart.clear()
        cached = _build(root, cached_out, use_cache=True)
        clean_out = tmp_path / f"clean-{step}" / "site"
        _build(root, clean_out, use_cache=False)
        assert tree_digest(cached_out) == tree_digest(clean_out), (step, action)
        if action == "note" or (action.startswith("version") and (action == "version" or held)):
            assert cached.rebuilt == (slug,)  # one note or text edited: one article rendered again
            # and only its page (with the listings that show it) is reported changed, for reloads
            assert cached.changed is not None and f"articles/{slug}/index.html" in cached.changed
            others = [p for p in cached.changed if p.startswith("articles/") and not p.startswith(f"articles/{slug}/")]
            # the collection pages without its annotation are the last build's files
            kept_pages += sum(pages_before.get(p.name) == p.stat().st_ino
                              for p in (cached_out / "annotations").glob("page-*.jsonld"))
            # (a text added or taken away changes how the list of articles marks it)
            assert not [p for p in others if p != "articles/index.html" or action == "note"]
        bundles_after = _bundles(cached_out)
        assert len(bundles_after) == len(Shards.for_archive(len(articles), SHARD).split(articles))  # (old: pruned)
        if action == "note":  # the note's words are indexed: only its shard is indexed again
            [indexed] = [key for key, inode in bundles_after.items() if bundles_before.get(key) != inode]
            assert len(bundles_before.keys() - bundles_after.keys()) == 1, step
            store = cached_out.parent / f".{cached_out.name}.glossator-cache" / "search"
            assert f"/articles/{slug}/" in page_ids(store / indexed), (step, slug)
            # of which one part only was given to Pagefind again: the part the article is in
            [part] = [key for key, inode in _bundles(cached_out, "parts").items() if parts_before.get(key) != inode]
            assert f"/articles/{slug}/" in page_ids(store / "parts" / part), (step, slug)
            assert [target.name for target in apart] == [part]  # by a process of its own
            # and the site's one bundle holds every article
            assert len(page_ids(cached_out / "pagefind")) == len(articles)
        if action == "none":
            assert cached.up_to_date
    assert {"version", "version-edit", "version-delete", "note", "article"} <= done, ", ".join(sorted(done))
    assert kept_pages and copies  # (so the equality above covers the exports copied from the last build)


def test_a_damaged_search_shard_in_the_cache_is_indexed_again(tmp_path: Path) -> None:
    """The cache's contract: a damaged cache means work done again, never an error or a wrong site.
    A shard's bundle kept in the cache that cannot be read is indexed again from its pages."""
    rng = random.Random(3)
    articles = {f"a{n}": _article(rng, n) for n in range(6)}
    notes = {slug: _annotations(slug, int(slug[1:]), "First note.") for slug in articles}
    root = write_archive(tmp_path / "archive", articles, notes, site_yaml=f"search_shard_size: {SHARD}\n")
    out = tmp_path / "cached" / "site"
    _build(root, out, use_cache=True)
    store = out.parent / f".{out.name}.glossator-cache" / "search"
    shards = Shards.for_archive(len(articles), SHARD)
    edited = "a0"
    # cut an index chunk of a shard the edit does not touch: its bundle will be kept, then fail to merge
    [victim] = [key for key in _bundles(out) if f"/articles/{edited}/" not in page_ids(store / key)][:1]
    chunk = next((store / victim / "index").iterdir())
    chunk.write_bytes(chunk.read_bytes()[:20])
    (root / "annotations" / f"{edited}.yaml").write_text(_annotations(edited, 0, "Edited note."))
    cached = _build(root, out, use_cache=True)
    assert cached.rebuilt == (edited,)  # the pages came from the cache; only the search index was redone
    clean = tmp_path / "clean" / "site"
    _build(root, clean, use_cache=False)
    assert tree_digest(out) == tree_digest(clean)
    assert len(_bundles(out)) == len(shards.split(articles))
    assert len(chunk.read_bytes()) > 20  # the bundle at that key was indexed again, whole


def test_unchanged_rebuild_renders_nothing(tmp_path: Path) -> None:
    rng = random.Random(1)
    root = write_archive(tmp_path / "archive", {"a1": _article(rng, 1)}, {"a1": _annotations("a1", 1, "N.")})
    out = tmp_path / "site"
    first = _build(root, out, use_cache=True)
    assert first.rebuilt == ("a1",) and not first.up_to_date
    before = tree_digest(out)
    second = _build(root, out, use_cache=True)
    assert second.up_to_date and second.rebuilt == () and tree_digest(out) == before


def test_a_first_build_hashes_its_files_while_it_renders_and_caches_the_keys_a_hashing_build_makes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With nothing to reuse, the articles' keys are made beside the workers (build/keys.py). The
    next build, which hashes first, must find every article's, every search bundle's and the
    site's key as it would have made them itself."""
    from glossator.build import keys

    orders: list[list[str]] = []
    start = keys.KeysInBackground.start
    monkeypatch.setattr(keys.KeysInBackground, "start",
                        lambda self, order: (orders.append(list(order)), start(self, order))[1])
    root, notes = _notes_archive(tmp_path)
    out = tmp_path / "site"
    first = _build(root, out, use_cache=True)
    assert len(orders) == 1 and sorted(orders[0]) == sorted(first.rebuilt) and len(first.rebuilt) == 6
    bundles = _bundles(out)
    assert len(bundles) == 3
    for path in [*(root / "content").iterdir(), *(root / "annotations").iterdir()]:  # saved again, unchanged
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns - 5_000_000_000))
    assert _build(root, out, use_cache=True).up_to_date
    notes.write_text(notes.read_text().replace("First note.", "Second note."))
    third = _build(root, out, use_cache=True)
    assert third.rebuilt == ("a3",) and len(orders) == 1  # (a build that may reuse hashes first)
    assert len(set(_bundles(out)) & set(bundles)) == 2  # the edited article's shard alone is indexed again
    clean = tmp_path / "clean" / "site"
    _build(root, clean, use_cache=False)
    assert tree_digest(out) == tree_digest(clean)


def test_a_failure_while_the_keys_are_made_beside_the_workers_fails_the_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: BuildCache, item: object, shared: str) -> str:
        raise RuntimeError("hashing failed")

    root, _ = _notes_archive(tmp_path)
    monkeypatch.setattr(BuildCache, "article_key", broken)
    out = tmp_path / "site"
    with pytest.raises(RuntimeError, match="hashing failed"):
        _build(root, out, use_cache=True)
    assert not out.exists() and not list(tmp_path.glob(".site.glossator-staging-*"))


def test_build_with_nothing_changed_imports_no_stage(tmp_path: Path) -> None:
    """`build` with nothing changed answers from the manifest before importing the stages (Jinja,
    markdown-it, the JSON Schema validator, the workers): a third of a second at 10,000 articles,
    half of such a build."""
    rng = random.Random(3)
    root = write_archive(tmp_path / "archive", {"a1": _article(rng, 1)}, {"a1": _annotations("a1", 1, "N.")})
    out = tmp_path / "site"
    assert run_cli("build", "--root", root, "--out", out).returncode == 0
    heavy = ["jinja2", "markdown_it", "jsonschema", "glossator.build.workers", "glossator.render.jinja"]
    script = ("import sys\nfrom glossator.cli import main\n"
              f"code = main(['build', '--root', {str(root)!r}, '--out', {str(out)!r}])\n"
              f"print(code, sorted(name for name in {heavy!r} if name in sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.stdout.splitlines()[-1] == "0 []", (result.stdout, result.stderr)


def test_the_manifest_alone_answers_nothing_changed_and_a_lost_articles_file_means_a_full_build(
    tmp_path: Path,
) -> None:
    rng = random.Random(2)
    root = write_archive(tmp_path / "archive", {f"a{n}": _article(rng, n) for n in range(1, 4)},
                         {f"a{n}": _annotations(f"a{n}", n, "A note of a few words, enough to say something.")
                          for n in range(1, 4)})
    (root / "annotations" / "a1.yaml").write_text(_annotations("a1", 1, "Short."), encoding="utf-8")  # a warning
    out = tmp_path / "site"
    first = _build(root, out, use_cache=True)
    warnings = [d for d in first.diagnostics if not d.is_error]
    assert warnings and first.rebuilt == ("a1", "a2", "a3")
    cache_dir = tmp_path / ".site.glossator-cache"
    (cache_dir / "articles.pickle").unlink()  # the summaries are not needed to see that nothing changed
    second = _build(root, out, use_cache=True)
    assert second.up_to_date and second.diagnostics == warnings
    assert (second.articles, second.annotations) == (3, 3)
    # with the articles file gone (or from another build), every article is rendered again
    (root / "annotations" / "a2.yaml").write_text(_annotations("a2", 2, "Another note of several words here."),
                                                  encoding="utf-8")
    third = _build(root, out, use_cache=True)
    assert third.rebuilt == ("a1", "a2", "a3")
    clean = tmp_path / "clean"
    _build(root, clean, use_cache=False)
    assert tree_digest(out) == tree_digest(clean)
    # and a stale articles file (another build's) is never used
    stale = (cache_dir / "articles.pickle").read_bytes()
    (root / "annotations" / "a3.yaml").write_text(_annotations("a3", 3, "A third note, long enough to pass."),
                                                  encoding="utf-8")
    assert _build(root, out, use_cache=True).rebuilt == ("a3",)
    (cache_dir / "articles.pickle").write_bytes(stale)  # the manifest now names a newer one
    (root / "annotations" / "a3.yaml").write_text(_annotations("a3", 3, "A fourth note, long enough to pass."),
                                                  encoding="utf-8")
    assert _build(root, out, use_cache=True).rebuilt == ("a1", "a2", "a3")


def test_nothing_changed_is_answered_from_file_times_and_a_saved_but_unchanged_file_is_hashed_once(
    tmp_path: Path,
) -> None:
    rng = random.Random(3)
    root = write_archive(tmp_path / "archive", {"a1": _article(rng, 1), "a2": _article(rng, 2)},
                         {"a1": _annotations("a1", 1, "A note long enough to say something.")})
    project = Project.at(root, tmp_path / "site")
    options = repr((None, False, True))
    _build(root, project.out, use_cache=True)
    _build(root, project.out, use_cache=True)  # (files written in the clock tick of the first build are hashed again)
    assert BuildCache(project).unchanged(options, input_stats(project))
    # saved without change: the times differ, the contents are hashed and found equal, and the new
    # times are recorded, so the next build answers from them again
    note = root / "annotations" / "a1.yaml"
    os.utime(note, ns=(note.stat().st_atime_ns, note.stat().st_mtime_ns - 5_000_000_000))
    assert not BuildCache(project).unchanged(options, input_stats(project))
    assert _build(root, project.out, use_cache=True).up_to_date
    assert BuildCache(project).unchanged(options, input_stats(project))
    # any input counts: a template of the archive's own, a new file, other options
    (root / "templates").mkdir()
    (root / "templates" / "extra.html").write_text("<p>extra</p>", encoding="utf-8")
    assert not BuildCache(project).unchanged(options, input_stats(project))
    assert not BuildCache(project).unchanged(repr(("https://example.org/", False, True)), input_stats(project))


def test_a_file_saved_twice_in_one_clock_tick_is_not_taken_as_built(tmp_path: Path) -> None:
    """A second save in the file system's clock tick of the first keeps the file's time, and its size
    if the edit kept it: the cache must not take such a time as proof that nothing changed."""
    rng = random.Random(4)
    root = write_archive(tmp_path / "archive", {"a1": _article(rng, 1)},
                         {"a1": _annotations("a1", 1, "First version of the note.")})
    note = root / "annotations" / "a1.yaml"
    tick = time.time_ns() + 3_600_000_000_000  # a time the build's clock has not reached: "the same tick"
    os.utime(note, ns=(tick, tick))
    out = tmp_path / "site"
    _build(root, out, use_cache=True)
    note.write_text(_annotations("a1", 1, "Other version of the note."), encoding="utf-8")  # same size
    os.utime(note, ns=(tick, tick))
    second = _build(root, out, use_cache=True)
    assert second.rebuilt == ("a1",)
    assert "Other version" in (out / "articles" / "a1" / "index.html").read_text(encoding="utf-8")


def test_a_built_file_changed_by_hand_fails_the_build_with_a_clear_error(tmp_path: Path) -> None:
    """The archive-wide exports are merged from the per-article files the cache reuses: one
    edited or broken by hand is named, the site is left as it was, and deleting it mends it."""
    rng = random.Random(5)
    articles = {"a1": _article(rng, 1), "a2": _article(rng, 2)}
    root = write_archive(tmp_path / "archive", articles,
                         {slug: _annotations(slug, int(slug[1:]), "A note long enough to say something.")
                          for slug in articles})
    out = tmp_path / "site"
    _build(root, out, use_cache=True)
    reused = out / "articles" / "a1" / "annotations.jsonld"
    # (the last keeps the file's shape: only decoding it finds the byte that is not UTF-8)
    not_text = reused.read_bytes().replace(b"A note", b"A n\xffte", 1)
    assert b"\xff" in not_text
    for damage in (b"\xff\xfe not text", b'{"items": []}', not_text):
        reused.write_bytes(damage)
        before = tree_digest(out)
        (root / "annotations" / "a2.yaml").write_text(
            _annotations("a2", 2, f"Edited so that a1 is reused {len(damage)}."), encoding="utf-8")
        result = pipeline.build(Project.at(root, out), jobs=1)
        [problem] = [d for d in result.diagnostics if d.is_error]
        assert problem.path == "site/articles/a1/annotations.jsonld" and "changed after it was built" in problem.message
        assert tree_digest(out) == before
    shutil.rmtree(out)
    _build(root, out, use_cache=True)


def test_a_new_engine_indexes_every_shard_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Shard bundles are kept by their articles' keys, across builds: an upgraded engine (code,
    markdown-it, Pagefind) may make other pages of the same files, so its keys are new."""
    rng = random.Random(3)
    articles = {f"a{n}": _article(rng, n) for n in range(4)}
    root = write_archive(tmp_path / "archive", articles, site_yaml=f"search_shard_size: {SHARD}\n")
    out = tmp_path / "site"
    _build(root, out, use_cache=True)
    before = _bundles(out)
    monkeypatch.setattr("glossator.build.cache._engine_version", lambda: "another engine")
    _build(root, out, use_cache=True)
    after = _bundles(out)
    assert len(after) == len(before) and not set(after) & set(before)


def test_the_engine_version_covers_the_rendering_libraries() -> None:
    """An upgraded markdown-it or Pagefind may render or index the same input differently: the
    cache's engine version names the installed versions, so an upgrade rebuilds everything."""
    import importlib.metadata

    from glossator.build.cache import RENDERING_LIBRARIES, _library_versions

    found = _library_versions()
    for name in ("Jinja2", "markdown-it-py", "pagefind_bin", "PyYAML"):
        assert f"-{importlib.metadata.version(name)}.dist-info" in found, (name, found)
    assert found.count(".dist-info") == len(RENDERING_LIBRARIES)


def _notes_archive(tmp_path: Path) -> tuple[Path, Path]:
    rng = random.Random(3)
    articles = {f"a{n}": _article(rng, n) for n in range(6)}
    notes = {slug: _annotations(slug, int(slug[1:]), "First note.") for slug in articles}
    root = write_archive(tmp_path / "archive", articles, notes, site_yaml=f"search_shard_size: {SHARD}\n")
    return root, root / "annotations" / "a3.yaml"


def test_a_file_saved_while_the_build_runs_is_not_cached_under_its_earlier_text(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The keys are made from the files as the build begins; an editor saving during the build gives
    the workers other bytes. Saved back as it was, the next build must not reuse that page."""
    from glossator.build import workers

    root, _ = _notes_archive(tmp_path)
    notes = root / "annotations" / "a0.yaml"
    out = tmp_path / "cached" / "site"
    _build(root, out, use_cache=True)
    (root / "content" / "a0.md").write_text(_article(random.Random(9), 0))  # a0 is built again
    original = notes.read_text()
    real = workers.run_articles

    def saved_meanwhile(*args, **options):  # type: ignore[no-untyped-def]
        notes.write_text(original.replace("First note.", "Saved during the build."))
        return real(*args, **options)

    monkeypatch.setattr(workers, "run_articles", saved_meanwhile)
    _build(root, out, use_cache=True)
    monkeypatch.setattr(workers, "run_articles", real)
    assert "Saved during the build." in (out / "articles" / "a0" / "index.html").read_text()
    notes.write_text(original)  # the editor undoes it
    _build(root, out, use_cache=True)
    clean = tmp_path / "clean" / "site"
    _build(root, clean, use_cache=False)
    assert tree_digest(out) == tree_digest(clean)


def test_a_template_saved_while_the_build_runs_leaves_nothing_cached_under_its_earlier_text(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same for a template, which every page is made from and the workers read from disk: saved
    twice during one preview rebuild and undone, every page kept the text in between, and a `build`
    then said "nothing to update" and published it."""
    from glossator.build import workers

    root, _ = _notes_archive(tmp_path)
    template = root / "templates" / "article.html"
    template.parent.mkdir()
    builtin = (REPO / "templates" / "article.html").read_text(encoding="utf-8")
    first = builtin.replace("</article>", "<p>MARKONE</p></article>", 1)
    template.write_text(first, encoding="utf-8")
    out = tmp_path / "cached" / "site"
    _build(root, out, use_cache=True)
    real = workers.run_articles

    def saved_meanwhile(*args, **options):  # type: ignore[no-untyped-def]
        template.write_text(builtin.replace("</article>", "<p>MARK-SECOND</p></article>", 1), encoding="utf-8")
        return real(*args, **options)

    template.write_text(builtin.replace("</article>", "<p>MARKTWO</p></article>", 1), encoding="utf-8")
    monkeypatch.setattr(workers, "run_articles", saved_meanwhile)
    _build(root, out, use_cache=True)
    monkeypatch.setattr(workers, "run_articles", real)
    assert "MARK-SECOND" in (out / "articles" / "a0" / "index.html").read_text()
    template.write_text(builtin.replace("</article>", "<p>MARKTWO</p></article>", 1), encoding="utf-8")  # undone
    _build(root, out, use_cache=True)
    assert "MARKTWO" in (out / "articles" / "a0" / "index.html").read_text()
    clean = tmp_path / "clean" / "site"
    _build(root, clean, use_cache=False)
    assert tree_digest(out) == tree_digest(clean)

def test_the_previews_quick_publish_is_not_taken_for_a_built_page(tmp_path: Path) -> None:
    """serve publishes an edited article before its build runs; stopped before that build ends, and
    the edit undone, the next build renders the article again rather than keep the published page."""
    from glossator.build.options import BuildOptions
    from glossator.serve.hot import HotRenderer

    root, notes = _notes_archive(tmp_path)
    out = tmp_path / "cached" / "site"
    _build(root, out, use_cache=True)
    hot = HotRenderer(Project.at(root, out), BuildOptions())
    hot.warm(BuildCache(Project.at(root, out)).previous.config)
    original = notes.read_text()
    notes.write_text(original.replace("First note.", "Published by the preview."))
    update = hot.update(frozenset({str(notes)}))
    assert update is not None and update.slugs == ("a3",)
    assert "Published by the preview." in (out / "articles" / "a3" / "index.html").read_text()
    notes.write_text(original)  # its build was stopped; the edit undone
    _build(root, out, use_cache=True)
    clean = tmp_path / "clean" / "site"
    _build(root, clean, use_cache=False)
    assert tree_digest(out) == tree_digest(clean)


def test_warnings_from_the_cache_name_a_renamed_annotation_file(tmp_path: Path) -> None:
    """x.yaml renamed x.yml, unchanged: the cached warnings must name the file as it is now."""
    root, notes = _notes_archive(tmp_path)
    notes.write_text(notes.read_text() + "    sources:\n      - title: The report\n        url: https://example.org/r\n")
    out = tmp_path / "cached" / "site"
    _build(root, out, use_cache=True)
    notes.rename(notes.with_suffix(".yml"))
    found = {d.path for d in pipeline.check(Project.at(root, out), jobs=1) if "no `date`" in d.message}
    assert found == {"annotations/a3.yml"}

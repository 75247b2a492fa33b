"""Search in the live preview (issue 6): after the full index, each change is indexed into a
small delta of the changed articles, which the search page merges over the full index."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from glossator.build import pipeline
from glossator.project import Project
from glossator.search.pagefind import BUNDLE, page_ids, site_bundles
from glossator.serve.indexer import BackgroundIndexer, SearchDelta
from glossator.validate.site import DEFAULTS
from tests.browser.test_search import results, wait_until
from tests.helpers import article_md, build_site, write_archive
from tests.serve_process import ARTICLE, SLUG, ServeProcess, annotation_yaml

FULL = r"^search index updated in "
DELTA = r"^search index updated for (\d+) articles? in "
OLD_WORD, NEW_WORD = "quillmarsh", "vexbridge"  # each only ever in the harbour report's one note
GONE = "tide-tables"
GONE_WORD = "brackenwold"  # only in the article that gets deleted
TIMEOUT = 20_000


def write_preview_archive(root: Path, site_yaml: str | None = None) -> Path:
    """Three articles; the harbour report's one note holds OLD_WORD, the article GONE holds GONE_WORD."""
    articles = {
        SLUG: ARTICLE,
        GONE: article_md("Tide tables", f"The {GONE_WORD} tide tables were printed in spring."),
        "pier-notes": article_md("Pier notes", "The pier was painted white before the summer."),
    }
    note = f"The crane was ordered from {OLD_WORD.capitalize()} in 2019."
    return write_archive(root, articles, {SLUG: annotation_yaml(note=note)}, site_yaml)


def search(page: Page, url: str) -> list[dict]:
    page.goto(url)
    wait_until(page, "document.getElementById('search-status').textContent !== ''")
    return results(page)


def leave(page: Page) -> None:
    """Close the search page before a change: the change's delta reloads an open one."""
    page.goto("about:blank")


def delta_meta(page: Page) -> str | None:
    return page.evaluate("document.querySelector('meta[name=glossator-search-delta]')?.content ?? null")


@pytest.mark.browser
def test_an_edited_note_and_a_deleted_article_are_searchable_at_once(tmp_path: Path, page: Page) -> None:
    root = write_preview_archive(tmp_path / "archive")
    server = ServeProcess(root).ready()
    try:
        server.wait_for(FULL)
        [found] = search(page, server.url + f"search/?q={OLD_WORD}")
        assert found["href"] == f"/articles/{SLUG}/"
        assert delta_meta(page) is None, "no delta before the first change"

        leave(page)
        mark = server.mark()
        (root / "annotations" / f"{SLUG}.yaml").write_text(
            annotation_yaml(note=f"The crane was ordered from {NEW_WORD.capitalize()} in 2019."))
        assert re.match(DELTA, server.wait_for(DELTA, since=mark))[1] == "1"
        assert server.count(re.compile(FULL), since=mark) == 0, "a note edit never re-indexes the whole site"

        [found] = search(page, server.url + f"search/?q={NEW_WORD}")
        assert found["href"] == f"/articles/{SLUG}/"
        [note] = found["notes"]
        assert note["href"] == f"/articles/{SLUG}/#crane"
        assert [m.lower() for m in note["marks"]] == [NEW_WORD]
        assert delta_meta(page) == "/__glossator/search-delta/1/"
        assert search(page, server.url + f"search/?q={OLD_WORD}") == []
        assert page.inner_text("#search-status") == f"No results for “{OLD_WORD}”."
        # a word of the article's text: the delta's page stands in for the full index's, once
        assert [r["href"] for r in search(page, server.url + "search/?q=crane")] == [f"/articles/{SLUG}/"]
        assert page.inner_text("#search-status") == "1 article matches “crane”."

        [found] = search(page, server.url + f"search/?q={GONE_WORD}")
        assert found["href"] == f"/articles/{GONE}/"
        leave(page)
        mark = server.mark()
        (root / "content" / f"{GONE}.md").unlink()
        assert re.match(DELTA, server.wait_for(DELTA, since=mark))[1] == "2", "the edited article stays in the delta"
        assert search(page, server.url + f"search/?q={GONE_WORD}") == []
        assert [r["href"] for r in search(page, server.url + f"search/?q={NEW_WORD}")] == [f"/articles/{SLUG}/"]
        assert {r["href"] for r in search(page, server.url + "search/?q=the")} == {
            f"/articles/{SLUG}/", "/articles/pier-notes/"}
    finally:
        assert server.stop() == 0
    assert "Traceback" not in server.output()
    assert not list(root.glob(".site.glossator-search-[0-9]*")), "the deltas are removed on exit"

    for html in build_site(root, tmp_path / "built").rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert "glossator-search-delta" not in text and "__glossator" not in text, html


@pytest.mark.browser
def test_an_open_search_page_reloads_with_the_delta_under_a_sub_path(tmp_path: Path, page: Page) -> None:
    root = write_preview_archive(tmp_path / "archive", site_yaml="base_url: https://example.org/archive/\n")
    server = ServeProcess(root).ready()
    try:
        server.wait_for(FULL)
        assert search(page, server.url + f"archive/search/?q={NEW_WORD}") == []
        expect(page.locator("html")).to_have_attribute("data-glossator-preview", "live")
        (root / "annotations" / f"{SLUG}.yaml").write_text(
            annotation_yaml(note=f"The crane was ordered from {NEW_WORD.capitalize()} in 2019."))
        link = page.locator("#search-results .result-note a")
        expect(link).to_have_attribute("href", f"/archive/articles/{SLUG}/#crane", timeout=TIMEOUT)
        assert [r["href"] for r in results(page)] == [f"/archive/articles/{SLUG}/"]
        link.click()
        page.wait_for_url(f"**/archive/articles/{SLUG}/#crane")
    finally:
        assert server.stop() == 0


COUNTS = """() => Object.fromEntries([...document.querySelectorAll('#search-filters input')].map(
    i => [i.name + '=' + i.value, i.closest('label').querySelector('.facet-count').textContent]))"""


def filter_counts(page: Page, expect_outlet: int) -> dict[str, str]:
    """Open the filter panel; its counts once they cover `expect_outlet` articles (each has one outlet)."""
    page.click("#search-filters-toggle")
    wait_until(page, "document.querySelector('[data-facet=outlet] input[value=\"Example Outlet\"] ~ .facet-count')"
                     f"?.textContent === '{expect_outlet}'")
    return page.evaluate(COUNTS)


@pytest.mark.browser
def test_filter_counts_count_a_changed_article_once_while_a_delta_is_merged(tmp_path: Path, page: Page) -> None:
    """Issue 19, item 7: the delta's page stands in for the full index's in the counts too (they once
    counted both), and a deleted article is counted out; with the full index merged from shards."""
    root = write_preview_archive(tmp_path / "archive", site_yaml="search_shard_size: 2\n")
    write_archive(root, {"quay-notes": article_md("Quay notes", "The quay was swept.")})
    server = ServeProcess(root).ready()
    try:
        server.wait_for(FULL)
        # one bundle, merged from the two shards' (the preview's full run indexes them one at a time)
        assert site_bundles(root / "site") == [root / "site" / BUNDLE]
        assert len(page_ids(root / "site" / BUNDLE)) == 4
        mark = server.mark()
        (root / "annotations" / f"{SLUG}.yaml").write_text(
            annotation_yaml(note=f"The crane was ordered from {NEW_WORD.capitalize()} in 2019."))
        server.wait_for(DELTA, since=mark)
        # nothing searched: every article once (four, one of them with one claim, rated accurate)
        page.goto(server.url + "search/")
        assert delta_meta(page) is not None
        counts = filter_counts(page, 4)
        assert counts["kind=claim"] == "1" and counts["verdict=accurate"] == "1" and counts["year=2024"] == "4"
        assert counts["kind=context"] == "0" and counts["verdict=misleading"] == "0"
        # a search: its results only, the changed article among them once
        assert [r["href"] for r in search(page, server.url + "search/?q=crane")] == [f"/articles/{SLUG}/"]
        counts = filter_counts(page, 1)
        assert counts["kind=claim"] == "1" and counts["verdict=accurate"] == "1" and counts["year=2024"] == "1"
        leave(page)
        mark = server.mark()
        (root / "content" / f"{GONE}.md").unlink()  # three articles: still two shards
        assert re.match(DELTA, server.wait_for(DELTA, since=mark))[1] == "2"
        page.goto(server.url + "search/")
        counts = filter_counts(page, 3)
        assert counts["kind=claim"] == "1" and counts["year=2024"] == "3"
        assert server.count(re.compile(FULL), since=mark) == 0, "the counts were the delta's, not a new full index's"
    finally:
        assert server.stop() == 0


@pytest.mark.browser
def test_search_keeps_working_when_a_deletion_changes_the_shard_layout(tmp_path: Path, page: Page) -> None:
    root = write_preview_archive(tmp_path / "archive", site_yaml="search_shard_size: 1\n")  # three shards, then two
    server = ServeProcess(root).ready()
    try:
        server.wait_for(FULL)
        mark = server.mark()
        (root / "content" / f"{GONE}.md").unlink()
        server.wait_for(DELTA, since=mark)
        found = {r["href"] for r in search(page, server.url + "search/?q=pier")}
        assert page.inner_text("#search-status") == "2 articles match “pier”."
        assert found == {f"/articles/{SLUG}/", "/articles/pier-notes/"}
    finally:
        assert server.stop() == 0


class Indexer:
    """A BackgroundIndexer driven directly, its terminal lines and published deltas recorded."""

    def __init__(self, project: Project) -> None:
        self.lines: list[str] = []
        self.deltas: list[SearchDelta] = []
        self.done = threading.Condition()
        self.indexer = BackgroundIndexer(project, self._say, self.deltas.append)

    def _say(self, text: str) -> None:
        with self.done:
            self.lines.append(text)
            self.done.notify_all()

    def refresh(self, pages: frozenset[str] | None, expect_line: str) -> str:
        count = len(self.lines)
        self.indexer.refresh(pages, DEFAULTS)
        with self.done:
            assert self.done.wait_for(lambda: len(self.lines) > count, timeout=60), "the indexer said nothing"
            line = self.lines[count]
        assert re.match(expect_line, line), line
        return line


def test_a_template_change_re_indexes_the_whole_site_not_a_giant_delta(tmp_path: Path) -> None:
    slugs = [f"ward-{i:02d}" for i in range(12)]
    root = write_archive(tmp_path / "archive", {s: article_md(f"Ward {s}", f"Ward {s} met today.") for s in slugs})
    project = Project.at(root)
    assert not pipeline.build(project).diagnostics  # with its full search index
    pages = frozenset(f"articles/{s}/index.html" for s in slugs)
    indexer = Indexer(project)
    try:
        # a bundle the previous build left matching its pages is kept: one change, one small delta
        indexer.refresh(frozenset({f"articles/{slugs[0]}/index.html", "index.html"}), DELTA)
        delta = indexer.deltas[-1]
        manifest = json.loads((delta.folder / delta.current / "delta.json").read_text())
        url = f"/articles/{slugs[0]}/"
        assert manifest == {"bundle": True, "superseded": [url], "drop": [page_ids(root / "site" / BUNDLE)[url]]}
        assert page_ids(delta.folder / delta.current / BUNDLE).keys() == {url}
        assert indexer.indexer.behind_mark.exists(), "the full bundle is behind its pages"
        # every page changed (a template): the whole site again, and no delta left to merge
        indexer.refresh(pages, FULL)
        assert indexer.deltas[-1].current is None
        assert not indexer.indexer.behind_mark.exists()
        # a deleted article needs no Pagefind run: its page is only left out
        (root / "site" / "articles" / slugs[1] / "index.html").unlink()
        indexer.refresh(frozenset({f"articles/{slugs[1]}/index.html"}), DELTA)
        delta = indexer.deltas[-1]
        manifest = json.loads((delta.folder / delta.current / "delta.json").read_text())
        assert manifest["bundle"] is False and manifest["superseded"] == [f"/articles/{slugs[1]}/"]
        assert len(manifest["drop"]) == 1
        # a change to listings only leaves the index alone
        count = len(indexer.lines)
        indexer.indexer.refresh(frozenset({"index.html", "tags/index.html"}), DEFAULTS)
        indexer.indexer.pause()
        assert len(indexer.lines) == count
    finally:
        indexer.indexer.close()
    assert not indexer.indexer.work.exists()
    # a new session finds the bundle behind (deltas were never folded in): it indexes in full
    again = Indexer(project)
    try:
        again.refresh(frozenset(), FULL)
    finally:
        again.indexer.close()

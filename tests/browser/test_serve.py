"""Live preview in Chromium: `build.py serve` runs as a subprocess on a free port, files are
edited on disk as an editor would, and the open pages are watched as an editor watches them."""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from glossator.project import BUILTIN_TEMPLATES
from tests.helpers import article_md, write_archive
from tests.serve_process import FAILED, REBUILT, SLUG, ServeProcess, annotation_yaml, raw_get

pytestmark = pytest.mark.browser

FILLER = "\n\n".join(f"Paragraph {i}: the port authority kept a careful log of every arrival." for i in range(80))
LONG_ARTICLE = article_md(
    "Harbour report",
    "The harbour master said the new crane arrived on Tuesday after a long delay.\n\n" + FILLER,
)
OVERLAY = "#glossator-preview-overlay [role=alertdialog]"  # Playwright's CSS reaches into open shadow roots
TIMEOUT = 20_000


@pytest.fixture
def live(tmp_path: Path) -> Iterator[ServeProcess]:
    root = write_archive(tmp_path / "archive", {SLUG: LONG_ARTICLE}, {SLUG: annotation_yaml()})
    static = root / "templates" / "static"
    static.mkdir(parents=True)
    shutil.copy(BUILTIN_TEMPLATES / "static" / "glossator.css", static / "glossator.css")
    server = ServeProcess(root).ready()
    yield server
    assert server.stop() == 0
    assert "Traceback" not in server.output()


def annotation_file(server: ServeProcess) -> Path:
    return server.root / "annotations" / f"{SLUG}.yaml"


def open_article(page: Page, server: ServeProcess) -> None:
    page.goto(server.url + f"articles/{SLUG}/")
    expect(page.locator(".note-text")).to_have_text("The crane was ordered in 2019.")
    page.evaluate("window.__notReloaded = true")
    listening(page)


def listening(page: Page) -> None:
    """Wait until the page's event stream is open, so no edit happens before it listens."""
    expect(page.locator("html")).to_have_attribute("data-glossator-preview", "live")


def reloaded(page: Page) -> bool:
    return page.evaluate("window.__notReloaded === undefined")


def test_editing_a_note_reloads_the_page_with_the_new_text_and_keeps_the_scroll(live: ServeProcess,
                                                                                 page: Page) -> None:
    open_article(page, live)
    assert page.evaluate("[...document.scripts].filter(s => s.src.endsWith('/__glossator/reload.js')).length") == 1
    page.evaluate("window.scrollTo(0, 900)")
    page.wait_for_function("() => window.scrollY === 900")
    annotation_file(live).write_text(annotation_yaml(note="The crane was ordered in 2017, not 2019."))
    expect(page.locator(".note-text")).to_have_text("The crane was ordered in 2017, not 2019.", timeout=TIMEOUT)
    assert reloaded(page)
    page.wait_for_load_state("load")
    assert abs(page.evaluate("window.scrollY") - 900) <= 2


def test_broken_yaml_shows_an_overlay_on_every_open_page_and_the_fix_clears_it(live: ServeProcess,
                                                                                page: Page) -> None:
    open_article(page, live)
    home = page.context.new_page()
    home.goto(live.url)
    listening(home)
    good = annotation_file(live).read_text()
    annotation_file(live).write_text(good.replace("verdict: accurate", "verdict: [accurate"))

    overlay = page.locator(OVERLAY)
    expect(overlay).to_be_visible(timeout=TIMEOUT)
    expect(overlay.locator("h2")).to_have_text("Build failed: 1 error")
    expect(overlay.locator("pre")).to_contain_text(f"annotations/{SLUG}.yaml:7:9: error: YAML syntax error")
    expect(overlay.locator("pre")).to_contain_text("hint: ")
    expect(home.locator(OVERLAY)).to_be_visible(timeout=TIMEOUT)
    # the close button has focus, Escape dismisses, and the page underneath is the last good build
    assert page.evaluate("document.getElementById('glossator-preview-overlay').shadowRoot.activeElement.textContent") \
        == "Dismiss"
    expect(page.locator(".note-text")).to_have_text("The crane was ordered in 2019.")
    assert not reloaded(page)
    home.keyboard.press("Escape")
    expect(home.locator(OVERLAY)).to_have_count(0)

    # diagnostics are text: markup in a message is shown, never parsed
    annotation_file(live).write_text(good.replace("    by: tester\n", "    by: tester\n    <img src=x>: 1\n"))
    expect(overlay.locator("pre")).to_contain_text("<img src=x>", timeout=TIMEOUT)
    assert page.evaluate("document.getElementById('glossator-preview-overlay').shadowRoot.querySelector('img')") \
        is None

    annotation_file(live).write_text(annotation_yaml(note="Fixed: ordered in 2018."))
    expect(page.locator(".note-text")).to_have_text("Fixed: ordered in 2018.", timeout=TIMEOUT)
    expect(page.locator(OVERLAY)).to_have_count(0)
    assert reloaded(page)
    expect(home.locator(OVERLAY)).to_have_count(0, timeout=TIMEOUT)
    home.close()


def test_a_stylesheet_change_is_applied_without_reloading(live: ServeProcess, page: Page) -> None:
    open_article(page, live)
    css = live.root / "templates" / "static" / "glossator.css"
    css.write_text(css.read_text() + "\nbody { border-top: 7px solid rgb(1, 2, 3); }\n")
    page.wait_for_function("() => getComputedStyle(document.body).borderTopColor === 'rgb(1, 2, 3)'", timeout=TIMEOUT)
    assert not reloaded(page), "stylesheets are swapped in place"
    sheets = page.evaluate("[...document.querySelectorAll('link[rel=stylesheet]')].map(l => l.getAttribute('href'))")
    assert len(sheets) == 1 and sheets[0] != "" and (live.root / "site" / sheets[0].lstrip("/")).is_file()
    # a content change after that still reloads, with the new stylesheet in the new page
    annotation_file(live).write_text(annotation_yaml(note="After the restyle."))
    expect(page.locator(".note-text")).to_have_text("After the restyle.", timeout=TIMEOUT)
    assert reloaded(page)
    page.wait_for_load_state("load")
    assert page.evaluate("getComputedStyle(document.body).borderTopColor") == "rgb(1, 2, 3)"


def test_deleting_and_recreating_an_annotation_file(live: ServeProcess, page: Page) -> None:
    open_article(page, live)
    marks = page.locator("#page-text mark")
    expect(marks).to_have_count(1)
    original = annotation_file(live).read_text()
    annotation_file(live).unlink()
    expect(marks).to_have_count(0, timeout=TIMEOUT)
    expect(page.locator(".note-text")).to_have_count(0)
    annotation_file(live).write_text(original.replace("ordered in 2019", "back again"))
    expect(page.locator(".note-text")).to_have_text("The crane was back again.", timeout=TIMEOUT)
    expect(marks).to_have_count(1)


def test_rename_style_saves_as_vim_and_vs_code_do(live: ServeProcess, page: Page) -> None:
    open_article(page, live)
    target = annotation_file(live)
    # write a temporary file, then rename it over the original (VS Code, atomic writers)
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_text(annotation_yaml(note="Saved by rename."))
    os.replace(temporary, target)
    expect(page.locator(".note-text")).to_have_text("Saved by rename.", timeout=TIMEOUT)
    # move the original aside as a backup, write a new file, delete the backup (vim's default)
    backup = target.with_name(target.name + "~")
    target.rename(backup)
    target.write_text(annotation_yaml(note="Saved the vim way."))
    backup.unlink()
    expect(page.locator(".note-text")).to_have_text("Saved the vim way.", timeout=TIMEOUT)


def test_a_new_article_appears_on_its_not_found_page(live: ServeProcess, page: Page) -> None:
    page.goto(live.url + "articles/late-edition/")
    expect(page.locator("h1")).to_have_text("Page not found")
    listening(page)
    (live.root / "content" / "late-edition.md").write_text(article_md("Late edition", "Printed after midnight."))
    expect(page.locator("h1")).to_have_text("Late edition", timeout=TIMEOUT)
    expect(page.locator("#page-text")).to_have_text("Printed after midnight.")


def test_a_burst_of_200_saves_builds_once_or_twice_and_serves_the_last(live: ServeProcess, page: Page) -> None:
    open_article(page, live)
    mark = live.mark()
    target = annotation_file(live)
    started = time.monotonic()
    for n in range(200):
        target.write_text(annotation_yaml(note=f"Save number {n}."))
        time.sleep(0.004)
    burst = time.monotonic() - started
    expect(page.locator(".note-text")).to_have_text("Save number 199.", timeout=TIMEOUT)
    time.sleep(0.5)  # any build still queued would have started by now
    builds = live.count(REBUILT, mark) + live.count(FAILED, mark)
    assert 1 <= builds <= 3, f"{builds} builds for 200 saves in {burst:.2f} s"
    assert live.proc.poll() is None
    status, _, body = raw_get(live.port, f"/articles/{SLUG}/")
    assert status == 200 and b"Save number 199." in body


def test_a_new_version_file_is_an_edit_of_its_article(live: ServeProcess, page: Page) -> None:
    """Issue 22: the outlet changed the article, and the editor keeps its earlier text in
    versions/<slug>/: the open page reloads with its history, and an edit of that file takes the
    fast path, as any edit of the article's own files does."""
    content = live.root / "content" / f"{SLUG}.md"
    mark = live.mark()
    content.write_text(LONG_ARTICLE.replace("published: 2024-05-01\n",
                                            'published: 2024-05-01\ncaptured:\n  at: "2024-06-01T00:00:00Z"\n'))
    # Opened before that edit's build is done, the page would reload under the test.
    live.wait_for(REBUILT, mark)
    open_article(page, live)
    expect(page.locator(".article-history")).to_have_count(0)
    folder = live.root / "versions" / SLUG
    folder.mkdir(parents=True)
    earlier = folder / "2024-05-02-1000.md"
    earlier.write_text('---\ncaptured:\n  at: "2024-05-02T10:00:00Z"\n---\n'
                       + LONG_ARTICLE.split("---\n", 2)[2].replace("on Tuesday", "on Monday"))
    history = page.locator(".article-history")
    expect(history).to_contain_text("Edited once after publication, 1 word changed", timeout=TIMEOUT)
    assert reloaded(page)
    page.evaluate("window.__notReloaded = true")
    listening(page)
    mark = live.mark()
    earlier.write_text(earlier.read_text().replace("after a long delay", "after a delay"))
    expect(history).to_contain_text("Edited once after publication, 2 words changed", timeout=TIMEOUT)
    assert reloaded(page)
    page.wait_for_timeout(300)
    assert live.count(re.compile(rf"^updated {SLUG} in "), mark) == 1, live.output()
    page.goto(live.url + f"articles/{SLUG}/versions/2024-05-02-1000/")
    expect(page.locator("#page-text")).to_contain_text("arrived on Monday after a delay")


SET_VISIBILITY = """(state) => {
  Object.defineProperty(document, "visibilityState", {configurable: true, get: () => state});
  document.dispatchEvent(new Event("visibilitychange"));
}"""


def test_tabs_out_of_sight_let_their_connection_go_so_a_seventh_tab_loads(live: ServeProcess, page: Page) -> None:
    """Each listening page held one of the six connections a browser opens to a host: a seventh
    preview tab never loaded. (Headless Chromium shows every tab, so the tabs are hidden here as a
    browser hides a background tab: visibilityState and its event.)"""
    context = page.context
    background = [page, *(context.new_page() for _ in range(5))]
    for tab in background:
        tab.goto(live.url + f"articles/{SLUG}/")
        listening(tab)
        tab.evaluate("window.__notReloaded = true")
        tab.evaluate(SET_VISIBILITY, "hidden")
        expect(tab.locator("html")).to_have_attribute("data-glossator-preview", "paused")
    seventh = context.new_page()
    open_article(seventh, live)  # (it waited for ever for a connection)
    annotation_file(live).write_text(annotation_yaml(note="The crane was ordered in 2017, not 2019."))
    expect(seventh.locator(".note-text")).to_have_text("The crane was ordered in 2017, not 2019.", timeout=TIMEOUT)
    assert not reloaded(page), "a hidden tab waits"
    page.evaluate(SET_VISIBILITY, "visible")  # shown again: it catches up
    expect(page.locator(".note-text")).to_have_text("The crane was ordered in 2017, not 2019.", timeout=TIMEOUT)
    assert reloaded(page)

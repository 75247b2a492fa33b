"""What the outlet changed, as a reader sees it in Chromium (issue 22): the changes page's
marks (struck through and underlined, never colour alone, named for screen readers), its
keyboard paths, without JavaScript and in print; the article and version pages around it;
axe and the Nu Html Checker clean; everything served from a sub-path."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_accessibility import VNU, _axe
from tests.browser.test_search import wait_until
from tests.helpers import run_cli
from tests.versions_fixtures import CURRENT, FIRST, SECOND, SLUG, write_versions_archive

pytestmark = pytest.mark.browser

PAGES = {
    "changes": f"articles/{SLUG}/changes/",
    "article": f"articles/{SLUG}/",
    "first": f"articles/{SLUG}/versions/{FIRST}/",
    "second": f"articles/{SLUG}/versions/{SECOND}/",
    "current": f"articles/{SLUG}/versions/{CURRENT}/",
    "home": "",
    "claims": "claims/",
}


@pytest.fixture(scope="module")
def versions_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_versions_archive(tmp_path_factory.mktemp("versions") / "archive")
    out = root.parent / "site"
    result = run_cli("build", "--root", root, "--out", out, "--base-url", "https://archive.example/sub/",
                     "--no-search")
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture
def base(versions_site: Path, serve_dir: Callable[..., str]) -> str:
    return serve_dir(versions_site, mount="/sub/")


MARKS = """() => [...document.querySelectorAll('.diff del, .diff ins')].map((el) => {
  const style = getComputedStyle(el);
  const shown = el.cloneNode(true);
  for (const hidden of shown.querySelectorAll('.visually-hidden, .diff-note-ref')) hidden.remove();
  return {tag: el.tagName, line: style.textDecorationLine, label: el.querySelector('.visually-hidden').textContent,
          shown: shown.textContent.trim()};
})"""


def test_the_marks_say_what_they_are_without_colour(page: Any, base: str) -> None:
    page.goto(base + PAGES["changes"])
    marks = page.evaluate(MARKS)
    assert {(m["tag"], m["line"], m["label"]) for m in marks} == {("DEL", "line-through", "deleted: "),
                                                                 ("INS", "underline", "inserted: ")}
    assert [m["shown"] for m in marks][:4] == ["30", "31", "5", "4"]
    # the screen reader's words: what was deleted and inserted, said as such
    snapshot = page.locator(f"#change-{SECOND}").locator("..").locator(".diff").aria_snapshot()
    assert '- deletion:\n    - text: "deleted:"\n    - mark: "30"\n    - text: (end of deletion)' in snapshot
    assert "- insertion:" in snapshot and "inserted:" in snapshot and "(end of insertion)" in snapshot
    # the notes left on the older text are marked at their words, each linking to its note on its page
    assert page.locator(".diff del mark.hl.k-claim").count() == 3  # 30, 5 (one note: "30 to 5"), 12
    page.locator(".diff-note-ref", has_text="2").click()
    page.wait_for_url(base + PAGES["second"] + "#market")
    assert page.locator("#market").is_visible()


def test_every_change_is_reached_by_keyboard(page: Any, base: str) -> None:
    page.goto(base + PAGES["changes"])
    link = page.get_by_role("link", name="Change 2 of 2").last
    link.focus()
    page.keyboard.press("Enter")
    # the fragment's navigation lands after the key press returns: wait for it, then look
    page.wait_for_url(f"**#change-{CURRENT}-2")
    wait_until(page, f"document.activeElement.id === 'change-{CURRENT}-2'")
    assert page.evaluate("document.activeElement.tagName") == "INS"
    # tabbing from there goes on through the page: the next link is a note of the text before
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('.diff-notes') !== null || "
                         "document.activeElement.classList.contains('diff-note-ref')")
    # the folded paragraphs open from the keyboard
    summary = page.locator("details.diff-unchanged summary").first
    summary.focus()
    page.keyboard.press("Enter")
    assert page.locator("details.diff-unchanged").first.get_attribute("open") is not None


def test_without_javascript_every_text_and_note_is_there(browser: Any, base: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(base + PAGES["article"])
        assert page.locator(".article-history").inner_text().startswith(
            "Edited twice after publication, 13 words changed")
        notes = page.locator(".earlier-note")
        assert notes.count() == 3 and notes.first.locator(".note-version").inner_text() == \
            "on the text of 1 December 2026, 09:00 UTC"
        page.locator(".earlier-note .note-place a").first.click()
        page.wait_for_url(base + PAGES["second"] + "#cost")
        assert page.locator("#page-text mark.hl[data-ann='cost']").inner_text() == "12 million pounds"
        assert page.locator(".note-list li.note").count() == 2  # numbered after the text, as with any page
        page.get_by_role("link", name="What changed next").click()
        page.wait_for_url(base + PAGES["changes"] + f"#change-{CURRENT}")
        assert page.locator(".diff del").count() == 3 and page.locator(".diff ins").count() == 4
    finally:
        context.close()


def test_print_brackets_the_changes(page: Any, base: str) -> None:
    page.goto(base + PAGES["changes"])
    page.emulate_media(media="print")
    found = page.evaluate("""() => ({
      del: getComputedStyle(document.querySelector('.diff del'), '::before').content,
      ins: getComputedStyle(document.querySelector('.diff ins'), '::before').content,
      end: getComputedStyle(document.querySelector('.diff ins'), '::after').content,
      background: getComputedStyle(document.querySelector('.diff del')).backgroundColor,
      places: getComputedStyle(document.querySelector('.change-places')).display,
      header: getComputedStyle(document.querySelector('.site-header')).display,
    })""")
    assert found == {"del": '"[−"', "ins": '"[+"', "end": '"]"', "background": "rgba(0, 0, 0, 0)", "places": "none",
                     "header": "none"}
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF")


def test_every_link_works_from_the_sub_path(page: Any, base: str) -> None:
    for name in ("changes", "article", "second", "current"):
        page.goto(base + PAGES[name])
        hrefs = page.evaluate("() => [...document.querySelectorAll('a[href]')].map((a) => a.href)"
                              ".filter((h) => h.startsWith(location.origin))")
        broken = page.evaluate("""async (hrefs) => {
          const out = [];
          for (const href of [...new Set(hrefs.map((h) => h.split('#')[0]))]) {
            const response = await fetch(href);
            if (!response.ok) out.push(href + ' ' + response.status);
          }
          return out;
        }""", hrefs)
        assert broken == [], name
        assert all("/sub/" in href for href in hrefs), name


@pytest.mark.parametrize("name", list(PAGES))
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations(page: Any, base: str, name: str, scheme: str) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    page.emulate_media(color_scheme=scheme)
    page.goto(base + PAGES[name])
    page.wait_for_load_state("load")
    violations = _axe(page)
    assert violations == [], json.dumps(violations, indent=2)


def test_the_version_pages_lay_out_their_notes_like_the_article(page: Any, base: str) -> None:
    """The margin notes' script works on a text's page as on the article's (notes.js)."""
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(base + PAGES["second"])
    page.wait_for_function("() => document.querySelector('article.article').classList.contains('gl-margin')")
    page.hover("#hl-cost")
    assert "is-lit" in (page.locator("li.note[data-ann='cost']").get_attribute("class") or "")
    assert _axe(page) == []


def test_nu_html_checker_finds_no_errors(versions_site: Path) -> None:
    java = shutil.which("java")
    assert java, "Java is needed for the Nu Html Checker (Debian: default-jre-headless)"
    files = sorted(versions_site.rglob("*.html"))
    assert len(files) >= 12
    checked = subprocess.run([java, "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
                             capture_output=True, text=True, timeout=300, check=False)
    messages = json.loads(checked.stderr or checked.stdout or '{"messages": []}')["messages"]
    errors = [f"{m.get('url', '')}:{m.get('lastLine', '?')}: {m['message']}" for m in messages
              if m.get("type") == "error" or m.get("subType") == "fatal"]
    assert errors == [], "\n".join(errors)

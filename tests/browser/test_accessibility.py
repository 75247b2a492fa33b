"""Accessibility and validity of every page type (issue 11): axe-core (the npm file, run in
Chromium under the pages' own Content-Security-Policy) reports no violations, and the Nu Html
Checker (npm vnu-jar, run with Java) reports no errors on any page of the built site."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.helpers import REPO, SEED_SLUG

pytestmark = pytest.mark.browser

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
WIDE = {"width": 1440, "height": 900}
NARROW = {"width": 390, "height": 844}

PAGES = {
    "home": "",
    "articles": "articles/",
    "article": f"articles/{SEED_SLUG}/",
    "claims": "claims/",
    "tags": "tags/",
    "tag": "tags/turkey/",
    "sources": "sources/",
    "source": "sources/rt/",
    "search": "search/",
    "404": "404.html",
}


def _axe(page: Page) -> list[dict]:
    """Violations on the page as it stands. axe is evaluated through the debugging protocol,
    so the page's CSP (no inline script) stays in force for everything else."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("""async () => {
      const r = await axe.run(document, {resultTypes: ['violations']});
      return r.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + n.failureSummary),
      }));
    }""")
    return result


@pytest.fixture
def site_url(seed_site: Path, serve_dir: Callable[..., str]) -> str:
    return serve_dir(seed_site)


@pytest.mark.parametrize("name", list(PAGES))
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations(page: Page, site_url: str, name: str, scheme: str) -> None:
    page.set_viewport_size(WIDE)
    page.emulate_media(color_scheme=scheme)
    page.goto(site_url + PAGES[name])
    page.wait_for_load_state("load")
    violations = _axe(page)
    assert violations == [], json.dumps(violations, indent=2)


PAGED = {"claims overview": "claims/", "claims of a verdict": "claims/unsupported/page/2/"}


@pytest.mark.parametrize("name", list(PAGED))
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_on_a_large_archives_claims_pages(page: Page, paged_seed_site: Path, serve_dir: Callable[..., str],
                                              name: str, scheme: str) -> None:
    page.set_viewport_size(WIDE)
    page.emulate_media(color_scheme=scheme)
    page.goto(serve_dir(paged_seed_site) + PAGED[name])
    page.wait_for_load_state("load")
    assert page.locator(".verdict-more, nav.pager").count() > 0  # (the pages of a large archive)
    violations = _axe(page)
    assert violations == [], json.dumps(violations, indent=2)


def test_axe_on_the_article_in_its_interactive_states(page: Page, site_url: str) -> None:
    url = site_url + PAGES["article"]
    # narrow: a note open under its paragraph
    page.set_viewport_size(NARROW)
    page.goto(url)
    page.click("#ref-who-is-badr")
    assert page.locator("#note_who-is-badr").is_visible()
    assert _axe(page) == []
    # wide: a permalink target, a lit note, a hidden kind and the suggestion panel open
    page.set_viewport_size(WIDE)
    page.goto(url + "#speicher-toll")
    page.wait_for_function("() => document.activeElement.id === 'note_speicher-toll'")
    page.uncheck("#show_context")
    page.hover("#hl-who-is-badr")
    page.evaluate("""() => {
      const p = document.querySelectorAll('#page-text > p')[2];
      getSelection().setBaseAndExtent(p.firstChild, 1, p.firstChild, 20);
    }""")
    page.locator("#gl_suggest .suggest-open").click()
    assert page.locator("#gl_suggest_panel").is_visible()
    violations = _axe(page)
    assert violations == [], json.dumps(violations, indent=2)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [WIDE, NARROW], ids=["wide", "narrow"])
def test_axe_on_the_search_page_with_results_and_the_filters_open(
    page: Page, site_url: str, scheme: str, viewport: dict[str, int]
) -> None:
    """The filter panel (a disclosure, opened) with its topics, outlets and years listed and counted,
    a filter chosen, and results with notes under them."""
    page.set_viewport_size(viewport)
    page.emulate_media(color_scheme=scheme)
    page.goto(site_url + "search/?q=Speicher&kind=claim")
    page.wait_for_function("() => document.querySelectorAll('#search-results .result-note').length > 0")
    assert page.get_attribute("#search-filters-toggle", "aria-expanded") == "true"
    page.wait_for_function("() => document.querySelectorAll('[data-facet=outlet] li:not([hidden])').length > 0")
    violations = _axe(page)
    assert violations == [], json.dumps(violations, indent=2)


CONTRAST = """() => {
  const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const linear = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const lum = (c) => rgb(c).map(linear).reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((m, n) => n - m);
    return (x + 0.05) / (y + 0.05);
  };
  const page = getComputedStyle(document.body).backgroundColor;
  return [...document.querySelectorAll('#page-text mark.hl')].map(m => {
    const style = getComputedStyle(m);
    return {ann: m.dataset.ann, line: ratio(style.textDecorationColor, page), style: style.textDecorationStyle,
            kind: [...m.classList].find(c => c.startsWith('k-'))};
  });
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_highlights_stand_out_without_relying_on_colour(page: Page, site_url: str, scheme: str) -> None:
    """Each highlight's line has at least 3:1 contrast with the page (WCAG 1.4.11), and each kind
    draws a different line (solid, dashed, dotted), so colour is never the only cue."""
    page.emulate_media(color_scheme=scheme)
    page.goto(site_url + PAGES["article"])
    marks = page.evaluate(CONTRAST)
    assert len(marks) >= 11
    for mark in marks:
        assert mark["line"] >= 3, mark
    styles = {(m["kind"], m["style"]) for m in marks}
    assert styles == {("k-claim", "solid"), ("k-sourcing", "dashed"), ("k-context", "dotted")}
    # verdicts: a label and a symbol, not colour alone
    badges = page.evaluate("""() => [...document.querySelectorAll('.note .verdict')].map(v =>
        [v.textContent.trim(), getComputedStyle(v, '::before').content])""")
    assert badges and all(label and symbol not in ("none", "normal", '""') for label, symbol in badges)


QUOTES = """() => {
  const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 4).map(Number);
  const linear = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const lum = (c) => rgb(c).slice(0, 3).map(linear).reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((m, n) => n - m); return (x + 0.05) / (y + 0.05); };
  const opaque = (c) => { const v = rgb(c); return v.length < 4 || v[3] === 1; };
  const backdrop = (el) => {
    for (let node = el; node; node = node.parentElement) {
      const bg = getComputedStyle(node).backgroundColor;
      if (opaque(bg)) return bg;
    }
    return getComputedStyle(document.documentElement).backgroundColor;
  };
  return [...document.querySelectorAll('.note-list .note-quote')].filter((q) => q.getClientRects().length)
    .map((q) => ({ann: q.closest('li.note').dataset.ann,
                  contrast: ratio(getComputedStyle(q, '::before').color, backdrop(q))}));
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_note_quotes_are_read_out_and_legible(page: Page, site_url: str, scheme: str) -> None:
    """A note's quote is generated content (SPEC §6: its words are not text of the page), which
    axe does not look at: screen readers must still get the words, and they must be legible."""
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size(NARROW)
    page.goto(site_url + PAGES["article"])
    page.click("#ref-who-is-badr")  # open under its paragraph, on the note's own background
    quote = page.locator("#note_who-is-badr .note-quote")
    words = quote.get_attribute("data-quote")
    assert words and quote.text_content() == ""
    # the accessibility tree: a block quote of the words, without the typographic marks drawn around them
    assert quote.aria_snapshot() == f"- blockquote: {words}"
    shown = page.evaluate(QUOTES)
    assert [q["ann"] for q in shown] == ["who-is-badr"]
    assert shown[0]["contrast"] >= 4.5, shown  # WCAG 1.4.3, normal text
    # the notes after the text, as without the margin (no JavaScript, print): every quote legible
    page.emulate_media(media="print")
    shown = page.evaluate(QUOTES)
    assert len(shown) == 11 and all(q["contrast"] >= 4.5 for q in shown), shown


def test_nu_html_checker_finds_no_errors(seed_site: Path, stress_site: Path, paged_seed_site: Path) -> None:
    java = shutil.which("java")
    assert java, "Java is needed for the Nu Html Checker (Debian: default-jre-headless)"
    files = [*sorted(seed_site.rglob("*.html")), *sorted(stress_site.rglob("*.html")),
             *sorted((paged_seed_site / "claims").rglob("*.html"))]
    assert len(files) >= 10
    checked = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    messages = json.loads(checked.stderr or checked.stdout or '{"messages": []}')["messages"]
    errors = [f"{m.get('url', '')}:{m.get('lastLine', '?')}: {m['message']}" for m in messages
              if m.get("type") == "error" or m.get("subType") == "fatal"]
    assert errors == [], "\n".join(errors)
    assert checked.returncode == 0

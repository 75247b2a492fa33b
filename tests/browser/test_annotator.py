"""A real W3C client lands on our words (issue 13).

Apache Annotator's DOM matchers — the W3C selector reference implementation, bundled for
the browser with esbuild at test time — resolve every exported TextQuoteSelector and
TextPositionSelector against the page-text element in Chromium, and each resolved range
must cover exactly the text of the annotation's <mark>s.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, SEED_SLUG
from tests.html_text import page_text_of
from tests.w3c_conformance import BASE_URL, HARD_SLUG, VERDICT_SLUG, build, write_hard_archive

pytestmark = pytest.mark.browser

ESBUILD = REPO / "node_modules" / ".bin" / "esbuild"
ENTRY = """\
import { createTextQuoteSelectorMatcher, createTextPositionSelectorMatcher } from "@apache-annotator/dom";
window.ApacheAnnotator = { createTextQuoteSelectorMatcher, createTextPositionSelectorMatcher };
"""
BUNDLE_PATH = "_test/apache-annotator.js"  # inside a copy of the built site, never in the repository

# For each annotation: every range each matcher yields, and the span of its <mark>s, as
# [start, end, text] in UTF-16 units of the page text (what a DOM Range measures).
RESOLVE = """
async (items) => {
  const scope = document.getElementById("page-text");
  const { createTextQuoteSelectorMatcher, createTextPositionSelectorMatcher } = window.ApacheAnnotator;
  const offset = (node, at) => {
    const range = document.createRange();
    range.setStart(scope, 0);
    range.setEnd(node, at);
    return range.toString().length;
  };
  const span = (range) => [offset(range.startContainer, range.startOffset),
                           offset(range.endContainer, range.endOffset), range.toString()];
  const all = async (matches) => {
    const out = [];
    for await (const range of matches) out.push(span(range));
    return out;
  };
  const result = {};
  for (const item of items) {
    const id = item.id.split("#").pop();
    const [quote, position] = item.target.selector;
    const marks = scope.querySelectorAll(`mark[data-ann="${id}"]`);
    const covered = document.createRange();
    covered.setStartBefore(marks[0]);
    covered.setEndAfter(marks[marks.length - 1]);
    result[id] = {
      quote: await all(createTextQuoteSelectorMatcher(quote)(scope)),
      position: await all(createTextPositionSelectorMatcher(position)(scope)),
      marks: span(covered),
      pieces: marks.length,
    };
  }
  return result;
}
"""


@pytest.fixture(scope="session")
def annotator_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """@apache-annotator/dom bundled for the browser (an IIFE setting window.ApacheAnnotator)."""
    if not ESBUILD.exists():
        pytest.fail("node_modules/.bin/esbuild missing: run `npm ci` (make test does)")
    out = tmp_path_factory.mktemp("annotator") / "apache-annotator.js"
    # the entry comes on stdin, so esbuild resolves packages from the repository's node_modules
    subprocess.run([str(ESBUILD), "--bundle", "--format=iife", "--sourcefile=annotator-entry.js",
                    f"--outfile={out}", "--log-level=warning"],
                   input=ENTRY, cwd=REPO, text=True, capture_output=True, check=True, timeout=120)
    return out


@pytest.fixture(scope="session")
def hard_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_hard_archive(tmp_path_factory.mktemp("hard-browser") / "archive")
    return build(root, root.parent / "site", "--base-url", BASE_URL)


def _with_bundle(site: Path, bundle: Path, tmp_path: Path) -> Path:
    """A copy of the built site with the client beside it: the page's CSP allows scripts from
    its own origin only, so the test serves the bundle from there (as an extension would inject it)."""
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    (copy / BUNDLE_PATH).parent.mkdir()
    shutil.copy(bundle, copy / BUNDLE_PATH)
    return copy


def resolve_all(page: Any, base: str, slug: str, site: Path) -> int:
    """Open the article, resolve every anchored annotation's selectors; return how many selectors resolved."""
    page.goto(base + f"articles/{slug}/")
    page.add_script_tag(url=base + BUNDLE_PATH)
    items = [i for i in json.loads((site / "articles" / slug / "annotations.jsonld").read_text(encoding="utf-8"))
             ["first"]["items"] if not isinstance(i["target"], str)]
    assert items
    text: str = page.evaluate("document.getElementById('page-text').textContent")
    # the browser's page text is the engine's (which every offset was computed against)
    assert text == page_text_of((site / "articles" / slug / "index.html").read_text(encoding="utf-8"))
    results: dict[str, Any] = page.evaluate(RESOLVE, items)
    resolved = 0
    for item in items:
        ann_id = item["id"].rsplit("#", 1)[1]
        quote, position = item["target"]["selector"]
        found = results[ann_id]
        start, end, marked = found["marks"]
        assert marked == quote["exact"], ann_id  # the marks span exactly the exported words
        assert found["quote"] == [[start, end, quote["exact"]]], ann_id  # one match, on the marks
        assert found["position"] == [[start, end, quote["exact"]]], ann_id
        resolved += 2
        # without a library: code point slicing and uniqueness of the quote with its context
        assert text[position["start"] : position["end"]] == quote["exact"], ann_id
        assert text.count(quote["prefix"] + quote["exact"] + quote["suffix"]) == 1, ann_id
    return resolved


def test_apache_annotator_resolves_the_seed_article(seed_site: Path, annotator_bundle: Path, tmp_path: Path,
                                                   serve_dir, page) -> None:
    site = _with_bundle(seed_site, annotator_bundle, tmp_path)
    assert resolve_all(page, serve_dir(site), SEED_SLUG, site) == 22  # 11 anchored annotations, 2 selectors each


def test_apache_annotator_resolves_the_hard_article(hard_site: Path, annotator_bundle: Path, tmp_path: Path,
                                                   serve_dir, page) -> None:
    """Across paragraphs, list items, bold and a link; nested and overlapping; curly quotes and
    dashes; emoji and a combining mark before the quote, and context edges that cut an emoji."""
    site = _with_bundle(hard_site, annotator_bundle, tmp_path)
    base = serve_dir(site, mount="/sub/")
    assert resolve_all(page, base, HARD_SLUG, site) == 18
    assert resolve_all(page, base, VERDICT_SLUG, site) == 14
    # the hard cases really are hard: several pieces, and nesting
    page.goto(base + f"articles/{HARD_SLUG}/")
    pieces = page.evaluate("""() => Object.fromEntries(['across-paragraphs', 'across-bold-link', 'across-list',
        'overlapping'].map(id => [id, document.querySelectorAll(`#page-text mark[data-ann="${id}"]`).length]))""")
    assert all(n >= 2 for n in pieces.values()), pieces
    assert page.locator("#page-text mark[data-ann='curly'] mark[data-ann='nested']").count() == 1

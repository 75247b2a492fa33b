"""Real annotation clients in Chromium, resolving our exported selectors (issues 13 and 20).

Two libraries, pinned in package.json and bundled for the browser by esbuild at test time:

- Apache Annotator 0.2.0, the W3C selector reference implementation: its matchers for
  TextQuoteSelector, TextPositionSelector and CssSelector, made to follow `refinedBy` by its
  own `makeRefinable`, as its documentation shows;
- dom-anchor-text-quote 4.0.2, the Hypothesis client's former anchoring library.

Each resolves every exported selector against `document.body` (as the Hypothesis client and
Apache Annotator's examples do) and against the page-text element. Every range is measured in
UTF-16 units of the body's text (what a DOM Range counts), so "lands on its marks" means the
same characters of the same page, whichever boundary points a library chose.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPO
from tests.html_text import page_text_of

ESBUILD = REPO / "node_modules" / ".bin" / "esbuild"
ENTRY = """\
import { createTextQuoteSelectorMatcher, createTextPositionSelectorMatcher, createCssSelectorMatcher }
  from "@apache-annotator/dom";
import { makeRefinable } from "@apache-annotator/selector";
import { toRange } from "dom-anchor-text-quote";
window.GlossatorClients = {
  annotator: { createTextQuoteSelectorMatcher, createTextPositionSelectorMatcher, createCssSelectorMatcher,
               makeRefinable },
  textQuote: { toRange },
};
"""
BUNDLE_PATH = "_test/clients.js"  # inside a copy of the built site, never in the repository

ANNOTATOR = "Apache Annotator"
TEXT_QUOTE = "dom-anchor-text-quote"
SCOPES = ("body", "page text")

# For each annotation: the span of its <mark>s, and every range each client yields for each
# selector in each scope, as [start, end, text] in UTF-16 units of document.body's text.
RESOLVE = """
async (items) => {
  const { annotator, textQuote } = window.GlossatorClients;
  const body = document.body;
  const pageText = document.getElementById("page-text");
  const offset = (node, at) => {
    const range = document.createRange();
    range.setStart(body, 0);
    range.setEnd(node, at);
    return range.toString().length;
  };
  const span = (range) => [offset(range.startContainer, range.startOffset),
                           offset(range.endContainer, range.endOffset), range.toString()];
  // Apache Annotator's documented way of resolving a selector and its refinements
  const createMatcher = annotator.makeRefinable((selector) => ({
    TextQuoteSelector: annotator.createTextQuoteSelectorMatcher,
    TextPositionSelector: annotator.createTextPositionSelectorMatcher,
    CssSelector: annotator.createCssSelectorMatcher,
  })[selector.type](selector));
  const all = async (matches) => {
    const out = [];
    for await (const range of matches) out.push(span(range));
    return out;
  };
  const pageStart = offset(pageText, 0);
  const text = pageText.textContent;
  const result = {};
  for (const item of items) {
    const id = item.id.split("#").pop();
    const marks = pageText.querySelectorAll(`mark[data-ann="${id}"]`);
    const covered = document.createRange();
    covered.setStartBefore(marks[0]);
    covered.setEndAfter(marks[marks.length - 1]);
    const found = {};
    for (const selector of item.target.selector) {
      found[`${selector.type} in body`] = await all(createMatcher(selector)(body));
      // in the page-text element, the CssSelector has found its scope: what is left is its refinement
      const inner = selector.type === "CssSelector" ? selector.refinedBy : selector;
      found[`${inner.type} in page text`] = await all(createMatcher(inner)(pageText));
    }
    const quote = item.target.selector.find((s) => s.type === "TextQuoteSelector");
    const position = item.target.selector.find((s) => s.type === "CssSelector").refinedBy;
    const hint = Array.from(text).slice(0, position.start).join("").length;  // code points → UTF-16 units
    const dtq = {};
    for (const [name, root, at] of [["body", body, pageStart + hint], ["page text", pageText, hint]]) {
      const range = textQuote.toRange(root, quote);
      dtq[name] = range ? [span(range)] : [];
      // the position as a hint, as the Hypothesis client once gave it: where the search starts
      const hinted = textQuote.toRange(root, quote, { hint: at });
      dtq[name + ", with the position as hint"] = hinted ? [span(hinted)] : [];
    }
    result[id] = {
      marks: span(covered), pieces: marks.length, annotator: found, textQuote: dtq,
      // the quote with its context, counted in the whole body's text (no library)
      inBody: body.textContent.split((quote.prefix || "") + quote.exact + (quote.suffix || "")).length - 1,
    };
  }
  return result;
}
"""


@dataclass(frozen=True)
class Resolution:
    """One annotation of one article, resolved by both clients."""

    slug: str
    id: str
    item: dict[str, Any]  # the exported W3C annotation
    marks: list[Any]  # [start, end, text] of its <mark>s, in UTF-16 units of the body's text
    pieces: int  # how many <mark>s
    annotator: dict[str, list[list[Any]]]  # "<selector type> in <scope>" → ranges found
    text_quote: dict[str, list[list[Any]]]  # "<scope>[, with the position as hint]" → ranges found
    in_body: int  # occurrences of prefix + exact + suffix in document.body's text

    @property
    def exact(self) -> str:
        return next(s for s in self.item["target"]["selector"] if s["type"] == "TextQuoteSelector")["exact"]


def build_bundle(out_dir: Path) -> Path:
    """Both libraries as one IIFE setting window.GlossatorClients."""
    if not ESBUILD.exists():
        pytest.fail("node_modules/.bin/esbuild missing: run `npm ci` (make test does)")
    out = out_dir / "clients.js"
    # the entry comes on stdin, so esbuild resolves packages from the repository's node_modules
    subprocess.run([str(ESBUILD), "--bundle", "--format=iife", "--sourcefile=clients-entry.js",
                    f"--outfile={out}", "--log-level=warning"],
                   input=ENTRY, cwd=REPO, text=True, capture_output=True, check=True, timeout=120)
    return out


def with_bundle(site: Path, bundle: Path, into: Path) -> Path:
    """A copy of the built site with the clients beside it: the page's CSP allows scripts from
    its own origin only, so the test serves the bundle from there (as an extension would inject it)."""
    copy = into / "site"
    shutil.copytree(site, copy)
    (copy / BUNDLE_PATH).parent.mkdir()
    shutil.copy(bundle, copy / BUNDLE_PATH)
    return copy


def anchored_items(site: Path, slug: str) -> list[dict[str, Any]]:
    collection = json.loads((site / "articles" / slug / "annotations.jsonld").read_text(encoding="utf-8"))
    return [item for item in collection.get("first", {}).get("items", []) if not isinstance(item["target"], str)]


def resolve_article(page: Any, base: str, site: Path, slug: str) -> list[Resolution]:
    """Open the article and resolve every anchored annotation's selectors with both clients."""
    items = anchored_items(site, slug)
    return _resolve_on(page, base, site, slug, f"articles/{slug}/", items) if items else []


def resolve_texts(page: Any, base: str, site: Path, slug: str, base_url: str) -> list[Resolution]:
    """Every anchored annotation of an article with several texts, resolved on the page its target
    names: the article's for the notes on the current text, an earlier text's for the others."""
    by_page: dict[str, list[dict[str, Any]]] = {}
    for item in anchored_items(site, slug):
        by_page.setdefault(item["target"]["source"]["id"].removeprefix(base_url), []).append(item)
    return [resolution for path, items in sorted(by_page.items())
            for resolution in _resolve_on(page, base, site, slug, path, items)]


def _resolve_on(page: Any, base: str, site: Path, slug: str, path: str, items: list[dict[str, Any]]
                ) -> list[Resolution]:
    page.goto(base + path)
    page.add_script_tag(url=base + BUNDLE_PATH)
    text: str = page.evaluate("document.getElementById('page-text').textContent")
    # the browser's page text is the engine's (which every offset was computed against)
    assert text == page_text_of((site / path / "index.html").read_text(encoding="utf-8")), path
    results: dict[str, Any] = page.evaluate(RESOLVE, items)
    out = []
    for item in items:
        ann_id = item["id"].rsplit("#", 1)[1]
        found = results[ann_id]
        out.append(Resolution(slug, ann_id, item, found["marks"], found["pieces"], found["annotator"],
                              found["textQuote"], found["inBody"]))
    return out


def annotator_misses(resolution: Resolution) -> list[str]:
    """Each Apache Annotator resolution that is not exactly one range on the marks."""
    return [f"{resolution.slug}#{resolution.id}: {ANNOTATOR} {key} gave {ranges}, the marks are {resolution.marks}"
            for key, ranges in resolution.annotator.items() if ranges != [resolution.marks]]


def text_quote_misses(resolution: Resolution, *, hinted: bool = False) -> set[str]:
    """The scopes in which dom-anchor-text-quote lands elsewhere than on the marks (or nowhere)."""
    return {scope for scope in SCOPES
            if resolution.text_quote[scope + (", with the position as hint" if hinted else "")] != [resolution.marks]}

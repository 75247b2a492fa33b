"""Real annotation clients land on our words, from the body or from the page text (issues 13, 20).

Every exported selector of every article of a hard archive (tests/browser/interop_fixtures.py)
and of a generated one (make_corpus.py) is resolved in Chromium by Apache Annotator 0.2.0 and by
dom-anchor-text-quote 4.0.2, against `document.body` and against the page-text element
(tests/browser/clients.py), and must land on exactly the characters its <mark>s cover.

Apache Annotator always does. dom-anchor-text-quote, given no hint, misses a few annotations of
the hard archive's most repetitive texts, and only those: it looks for the prefix first, by a
fuzzy search (diff-match-patch's bitap) that starts from the middle of the text and scores a
candidate by its errors plus its distance from there; once something like the prefix is found,
the suffix is never consulted. So where the text repeats itself with small differences (forty
sentences from one template, "Claim number 2 …" beside "Claim number 6 …"), a context a few
characters off but nearer the middle beats the exact one; and where the quote lies within 32
characters of the start of the text, its prefix is short (“Yes. ” in “Yes. No. Yes. No. Yes.”)
and occurs elsewhere too. Nothing in the export can fix that: the prefix and suffix are already
the most context the format allows. Given the TextPositionSelector's start as its `hint` (as
the Hypothesis client once did), it lands on all of them but two, in a text of five words.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.browser.clients import (
    SCOPES,
    Resolution,
    annotator_misses,
    build_bundle,
    resolve_article,
    resolve_texts,
    text_quote_misses,
    with_bundle,
)
from tests.browser.interop_fixtures import REPEATS_SLUG, SHORT_SLUG, write_interop_archive
from tests.browser.reader_fixtures import STRESS_SLUG
from tests.helpers import SEED_SLUG, build_site, make_corpus
from tests.versions_fixtures import FIRST, SECOND, write_versions_archive
from tests.versions_fixtures import SLUG as VERSIONS_SLUG
from tests.w3c_conformance import BASE_URL, HARD_SLUG, VERDICT_SLUG

pytestmark = pytest.mark.browser

GENERATED_ARTICLES = 30

# Where dom-anchor-text-quote, without a hint, lands elsewhere (the module docstring says why).
# The page-text misses depend on the article's text alone; the body misses also on the text of
# the page around it (the header, the notes), so a change of template may move them: check that
# any new one is of the same kind (it lands with the hint) before updating this table.
KNOWN_TEXT_QUOTE_MISSES: dict[tuple[str, str], set[str]] = {
    # near-identical sentences: a fuzzy match of the context nearer the middle of the text wins
    (VERDICT_SLUG, "claim-mostly-accurate"): {"page text"},
    (STRESS_SLUG, "note-04"): {"page text"},
    (STRESS_SLUG, "note-05"): {"page text"},
    (STRESS_SLUG, "note-06"): {"page text"},
    (STRESS_SLUG, "note-38"): {"page text"},
    (STRESS_SLUG, "note-40"): {"page text"},
    (SHORT_SLUG, "middle-yes"): {"page text"},
    # at or near the start of the text: no prefix (the search for the suffix starts from the
    # middle), or a short one that recurs, after which the suffix is not looked at
    (STRESS_SLUG, "note-01"): {"page text"},
    (STRESS_SLUG, "note-02"): {"page text"},
    (STRESS_SLUG, "note-08"): {"body", "page text"},
    (REPEATS_SLUG, "nested-near-the-start"): {"body", "page text"},
    (SHORT_SLUG, "first-no"): {"page text"},
}
# Out of its reach even with the position as hint: the hint is where the search for the prefix
# starts, though the prefix ends there; in a text of a dozen characters another copy of a short
# prefix (“Yes. ”, “No. ”) lies nearer the hint than its own, and the suffix is not looked at.
KNOWN_HINTED_MISSES: dict[tuple[str, str], set[str]] = {
    (SHORT_SLUG, "first-no"): {"body", "page text"},
    (SHORT_SLUG, "middle-yes"): {"body", "page text"},
}


@pytest.fixture(scope="session")
def clients_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_bundle(tmp_path_factory.mktemp("clients"))


@pytest.fixture(scope="session")
def interop_site(tmp_path_factory: pytest.TempPathFactory, clients_bundle: Path) -> Path:
    root = write_interop_archive(tmp_path_factory.mktemp("interop") / "archive")
    site = build_site(root, root.parent / "built", "--base-url", BASE_URL)
    return with_bundle(site, clients_bundle, root.parent)


@pytest.fixture(scope="session")
def generated_site(tmp_path_factory: pytest.TempPathFactory, clients_bundle: Path) -> Path:
    root = tmp_path_factory.mktemp("generated") / "archive"
    make_corpus(root, GENERATED_ARTICLES, "--seed", "20")
    site = build_site(root, root.parent / "built")
    return with_bundle(site, clients_bundle, root.parent)


@pytest.fixture(scope="session")
def versions_site(tmp_path_factory: pytest.TempPathFactory, clients_bundle: Path) -> Path:
    root = write_versions_archive(tmp_path_factory.mktemp("versions") / "archive")
    site = build_site(root, root.parent / "built", "--base-url", BASE_URL)
    return with_bundle(site, clients_bundle, root.parent)


def resolve_site(page: Any, base: str, site: Path) -> list[Resolution]:
    return [resolution for slug in sorted(p.name for p in (site / "articles").iterdir() if p.is_dir())
            for resolution in resolve_article(page, base, site, slug)]


Misses = dict[tuple[str, str], set[str]]


def check_resolutions(resolutions: list[Resolution]) -> tuple[Misses, Misses]:
    """Apache Annotator must land on the marks everywhere; returns where dom-anchor-text-quote
    missed them, without a hint and with the position as hint."""
    problems: list[str] = []
    unhinted: Misses = {}
    hinted: Misses = {}
    for r in resolutions:
        assert r.marks[2] == r.exact, (r.slug, r.id)  # the marks span exactly the exported words
        problems += annotator_misses(r)
        # the quote with its context occurs once in the whole body: the page repeats none of it
        if r.in_body != 1:
            problems.append(f"{r.slug}#{r.id}: prefix + exact + suffix occurs {r.in_body} times in the body")
        if missed := text_quote_misses(r):
            unhinted[(r.slug, r.id)] = missed
        if missed := text_quote_misses(r, hinted=True):
            hinted[(r.slug, r.id)] = missed
    assert not problems, "\n".join(problems)
    return unhinted, hinted


def _changes(found: Misses, known: Misses) -> str:
    new = {k: v for k, v in found.items() if known.get(k) != v}
    gone = {k: v for k, v in known.items() if found.get(k) != v}
    return f"dom-anchor-text-quote's misses changed: now {new}; no longer {gone}"


def test_every_selector_of_the_hard_archive_lands_on_its_marks(
    interop_site: Path, page: Any, serve_dir: Callable[..., str]
) -> None:
    base = serve_dir(interop_site, mount="/sub/")
    resolutions = resolve_site(page, base, interop_site)
    by_article: dict[str, int] = {}
    for r in resolutions:
        by_article[r.slug] = by_article.get(r.slug, 0) + 1
    assert by_article == {HARD_SLUG: 9, VERDICT_SLUG: 7, SEED_SLUG: 11, STRESS_SLUG: 40, REPEATS_SLUG: 9,
                          SHORT_SLUG: 3}
    # each annotation: 2 selectors × 2 scopes by Apache Annotator, the quote × 2 scopes × (no hint, hint)
    unhinted, hinted = check_resolutions(resolutions)
    assert unhinted == KNOWN_TEXT_QUOTE_MISSES, _changes(unhinted, KNOWN_TEXT_QUOTE_MISSES)
    assert hinted == KNOWN_HINTED_MISSES, _changes(hinted, KNOWN_HINTED_MISSES)
    # the misses are confined to the repetitive texts: the seed and the hard-selectors article have none
    assert {slug for slug, _ in unhinted} == {VERDICT_SLUG, STRESS_SLUG, REPEATS_SLUG, SHORT_SLUG}

    # the hard cases really are hard
    by_id = {(r.slug, r.id): r for r in resolutions}
    for ann_id in ("across-paragraphs", "across-bold-link", "across-list", "overlapping"):
        assert by_id[(HARD_SLUG, ann_id)].pieces >= 2, ann_id
    assert by_id[(REPEATS_SLUG, "across-the-lists")].pieces >= 2
    starts = [r for r in resolutions if "prefix" not in r.item["target"]["selector"][0]]
    assert {(r.slug, r.id) for r in starts} >= {(HARD_SLUG, "curly"), (VERDICT_SLUG, "claim-accurate"),
                                                (REPEATS_SLUG, "at-the-start"), (SHORT_SLUG, "first-yes")}
    page.goto(base + f"articles/{REPEATS_SLUG}/")
    assert page.locator("#page-text mark[data-ann='at-the-start'] mark[data-ann='nested-near-the-start']").count()
    text = page.evaluate("document.getElementById('page-text').textContent")
    assert text.endswith(by_id[(REPEATS_SLUG, "at-the-end")].exact + "\n")  # the end of the text
    assert text.count("The council said the bridge would reopen in May") == 3


def test_every_selector_of_a_generated_archive_lands_on_its_marks(
    generated_site: Path, page: Any, serve_dir: Callable[..., str]
) -> None:
    """Articles of about 800 words with 15 annotations each, as the benchmarks make them: both
    clients, without any hint, land on every annotation, from the body and from the page text."""
    resolutions = resolve_site(page, serve_dir(generated_site), generated_site)
    assert len({r.slug for r in resolutions}) == GENERATED_ARTICLES and len(resolutions) > 10 * GENERATED_ARTICLES
    assert check_resolutions(resolutions) == ({}, {})
    assert {s for r in resolutions for s in r.text_quote} == {*SCOPES, *(s + ", with the position as hint"
                                                                          for s in SCOPES)}


def test_the_css_selector_picks_the_page_text_and_the_notes_hold_no_quoted_text(
    interop_site: Path, page: Any, serve_dir: Callable[..., str]
) -> None:
    """The page shows each note's quote without holding its words as text (SPEC §6): the
    quoted words occur in the body's text exactly as often as in the page text, but for what
    contributors write in their notes (one note of the repeated-phrases article quotes its words)."""
    base = serve_dir(interop_site, mount="/sub/")
    for slug in (SEED_SLUG, HARD_SLUG, REPEATS_SLUG):
        page.goto(base + f"articles/{slug}/")
        page.add_script_tag(url=base + "_test/clients.js")
        found = page.evaluate("""async (slug) => {
          const collection = await (await fetch('annotations.jsonld')).json();
          const items = collection.first.items.filter((item) => typeof item.target !== 'string');
          // what the page itself writes: the body, less what contributors wrote in their notes
          const clone = document.body.cloneNode(true);
          for (const note of clone.querySelectorAll('.note-text')) note.remove();
          const body = clone.textContent, text = document.getElementById('page-text').textContent;
          const count = (haystack, needle) => haystack.split(needle).length - 1;
          return {
            css: [...new Set(items.map((item) => item.target.selector[1].value))].map(
              (value) => [...document.querySelectorAll(value)].map((el) => el.id)),
            quotes: items.map((item) => item.target.selector[0].exact).filter((exact) => exact.length >= 12)
              .map((exact) => [exact, count(body, exact), count(text, exact)]),
            noteQuotes: [...document.querySelectorAll('.note-quote')].map((el) => [el.childNodes.length,
              getComputedStyle(el, '::before').content]),
          };
        }""", slug)
        assert found["css"] == [["page-text"]], slug
        assert found["quotes"] and all(in_body == in_text for _, in_body, in_text in found["quotes"]), found["quotes"]
        # each note shows its words, drawn by the stylesheet from data-quote
        assert found["noteQuotes"] and all(nodes == 0 and "“" in content for nodes, content in found["noteQuotes"])


def test_notes_on_earlier_texts_land_on_their_words_in_their_text(
    versions_site: Path, page: Any, serve_dir: Callable[..., str]
) -> None:
    """A note that stayed on an earlier text (issue 22) is exported with that text's page as its
    target and selectors taken from its page text: both clients land on its marks there, from the
    body and from the page text, and its words occur once in that page's body."""
    base = serve_dir(versions_site, mount="/sub/")
    resolutions = resolve_texts(page, base, versions_site, VERSIONS_SLUG, BASE_URL)
    pages = {r.id: r.item["target"]["source"]["id"].removeprefix(BASE_URL) for r in resolutions}
    text = f"articles/{VERSIONS_SLUG}/"
    assert pages == {"borrow": text, "first-count": f"{text}versions/{FIRST}/", "cost": f"{text}versions/{SECOND}/",
                     "market": f"{text}versions/{SECOND}/"}
    assert check_resolutions(resolutions) == ({}, {})

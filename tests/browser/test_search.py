"""Search in Chromium: a generated archive of 50 articles plus the seed and one fixture
article, indexed by the build, searched through /search/ as a reader would (issue 12)."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from glossator.render.jinja import CONTENT_SECURITY_POLICY
from tests.helpers import REPO, SEED_SLUG, build_site, write_archive

pytestmark = pytest.mark.browser

ARTICLES = 50
WORDS = ["river", "budget", "council", "ferry", "school", "market", "bridge", "tower", "garden", "station",
         "library", "clinic", "tram", "pier", "quarry", "orchard", "mill", "canal", "forge", "depot"]
OUTLETS = ["North Gazette", "Valley Post", "Coast Herald"]
TAGS = ["transport", "housing", "health", "energy", "water"]
VERDICTS = ["accurate", "mostly-accurate", "mixed", "misleading", "inaccurate", "unsupported", "unverifiable"]
KINDS = ["claim", "claim", "sourcing", "context"]
COMMON = "ledger"  # in every generated note and nowhere else

FIXTURE = "search-fixture"
FIXTURE_TITLE = "Fixture <b>bold</b> & co"
FIXTURE_OUTLET = "Q&A <i>Weekly</i>"
NOTE_PHRASE = "quixotic xylophone"  # only in one note of the fixture article
BODY_PHRASE = "zephyr marmalade"  # only in the fixture article's text
NOTE_ID = "fixture-claim"


def _sentence(i: int, n: int) -> str:
    return f"The {WORDS[(i + n) % len(WORDS)]} of ward {i} reported {n} complaints"


def generated_articles() -> tuple[dict[str, str], dict[str, str], dict[str, set[str]]]:
    """(articles, annotation files, verdict → slugs with a claim so rated)."""
    articles, annotations = {}, {}
    rated: dict[str, set[str]] = {v: set() for v in VERDICTS}
    for i in range(ARTICLES):
        slug = f"ward-{i:02d}"
        body = "\n\n".join(" ".join(_sentence(i, p * 4 + s) + "." for s in range(4)) for p in range(3))
        tags = ", ".join(TAGS[(i + k) % len(TAGS)] for k in range(2))
        articles[slug] = (f'---\ntitle: "Ward {i} {WORDS[i % len(WORDS)]} report"\nsource: {OUTLETS[i % 3]}\n'
                          f"published: {2015 + i % 5}-0{1 + i % 9}\ntags: [{tags}]\n---\n{body}\n")
        notes = []
        for j, kind in enumerate(KINDS):
            lines = [f"  - id: n{j}", f"    kind: {kind}", f'    quote: "{_sentence(i, j * 3)}"']
            if kind == "claim":
                verdict = VERDICTS[(i + j) % len(VERDICTS)]
                rated[verdict].add(slug)
                lines.append(f"    verdict: {verdict}")
            lines += [f'    note: "Checked against the {COMMON} of ward {i}, entry {j}."', "    by: tester",
                      "    added: 2026-01-02"]
            notes.append("\n".join(lines))
        annotations[slug] = f"article: {slug}\nannotations:\n" + "\n".join(notes) + "\n"
    return articles, annotations, rated


def fixture_article() -> tuple[str, str]:
    article = (f'---\ntitle: "{FIXTURE_TITLE}"\nsource: "{FIXTURE_OUTLET}"\npublished: 2021-06-30\n---\n'
               f"The harbour board met on Tuesday.\n\nA {BODY_PHRASE} stall opened by the pier.\n")
    notes = (f"article: {FIXTURE}\nannotations:\n"
             f"  - id: {NOTE_ID}\n    kind: claim\n    quote: \"The harbour board met on Tuesday\"\n"
             f"    verdict: misleading\n    note: \"The minutes mention a {NOTE_PHRASE} but no meeting.\"\n"
             "    by: tester\n    added: 2026-01-02\n"
             "  - id: fixture-context\n    kind: context\n    quote: \"stall opened\"\n"
             f"    note: \"Stalls open every {COMMON} day.\"\n    by: tester\n    added: 2026-01-02\n")
    return article, notes


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, set[str]]]:
    articles, annotations, rated = generated_articles()
    articles[FIXTURE], annotations[FIXTURE] = fixture_article()
    root = write_archive(tmp_path_factory.mktemp("search-corpus") / "archive", articles, annotations)
    shutil.copy(REPO / "content" / f"{SEED_SLUG}.md", root / "content")
    shutil.copy(REPO / "annotations" / f"{SEED_SLUG}.yaml", root / "annotations")
    rated["misleading"].add(FIXTURE)
    seed = (REPO / "annotations" / f"{SEED_SLUG}.yaml").read_text(encoding="utf-8")
    for verdict in VERDICTS:
        if f"verdict: {verdict}\n" in seed:
            rated[verdict].add(SEED_SLUG)
    return root, rated


@pytest.fixture(scope="module")
def site(corpus: tuple[Path, dict[str, set[str]]]) -> Path:
    return build_site(corpus[0], corpus[0].parent / "site")


@pytest.fixture
def base(site: Path, serve_dir: Callable[..., str]) -> str:
    return serve_dir(site)


def wait_until(page, expression: str, timeout: float = 15.0) -> None:
    """Poll an expression (wait_for_function evaluates strings, which the page's CSP forbids)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {expression}")
        page.wait_for_timeout(20)


def search(page, url: str) -> None:
    """Open a search page and wait until the results (or their absence) are announced."""
    page.goto(url)
    wait_until(page, "document.getElementById('search-status').textContent !== ''")


def results(page) -> list[dict]:
    return page.evaluate("""() => [...document.querySelectorAll('#search-results > li')].map(li => ({
        title: li.querySelector('.result-title a').textContent,
        href: li.querySelector('.result-title a').getAttribute('href'),
        titleHtml: li.querySelector('.result-title').innerHTML,
        meta: li.querySelector('.result-meta').textContent,
        text: li.querySelector('.result-text')?.textContent ?? null,
        textMarks: [...li.querySelectorAll('.result-text mark')].map(m => m.textContent),
        notes: [...li.querySelectorAll('.result-note')].map(n => ({
            href: n.querySelector('a').getAttribute('href'), cls: n.className, text: n.textContent,
            marks: [...n.querySelectorAll('mark')].map(m => m.textContent)})),
    }))""")


def test_a_phrase_from_one_note_opens_the_article_at_that_note(page, base: str) -> None:
    page.goto(base + "search/")
    page.fill("#search-q", NOTE_PHRASE)
    wait_until(page, "document.querySelectorAll('#search-results > li').length > 0")
    [first, *rest] = results(page)
    assert rest == []
    assert first["href"] == f"/articles/{FIXTURE}/"
    [note] = first["notes"]
    assert note["href"] == f"/articles/{FIXTURE}/#{NOTE_ID}"
    assert "Claim" in note["text"] and "Misleading" in note["text"]  # kind and verdict, as labels
    assert [m.lower() for m in note["marks"]] == NOTE_PHRASE.split()
    assert "2021-06-30" in first["meta"]
    page.click(f"#search-results a[href$='#{NOTE_ID}']")
    page.wait_for_url(f"**/articles/{FIXTURE}/#{NOTE_ID}")
    target = page.evaluate("document.querySelector(':target')?.id")
    assert target == NOTE_ID
    note_box = page.locator(f".note[data-ann='{NOTE_ID}']")
    assert note_box.is_visible() and NOTE_PHRASE in note_box.inner_text()
    wait_until(page, f"document.querySelector(\".note[data-ann='{NOTE_ID}']\").classList.contains('is-target')")


def test_a_phrase_from_an_article_body_opens_the_article(page, base: str) -> None:
    search(page, base + "search/?q=" + BODY_PHRASE.replace(" ", "+"))
    [first] = results(page)
    assert first["href"] == f"/articles/{FIXTURE}/" and first["notes"] == []
    assert [m.lower() for m in first["textMarks"]] == BODY_PHRASE.split()
    page.click("#search-results .result-title a")
    page.wait_for_url(f"**/articles/{FIXTURE}/")
    assert BODY_PHRASE in page.inner_text("#page-text")


def test_meta_from_the_index_is_shown_as_text(page, base: str) -> None:
    search(page, base + "search/?q=" + BODY_PHRASE.replace(" ", "+"))
    [first] = results(page)
    assert first["title"] == FIXTURE_TITLE and "<b>" not in first["titleHtml"] and "&lt;b&gt;" in first["titleHtml"]
    assert FIXTURE_OUTLET in first["meta"]
    assert page.locator("#search-results b, #search-results i").count() == 0


def show_all(page) -> None:
    """Every result of the search shown: "more" clicked until it goes."""
    while page.locator("#search-more").is_visible():
        shown = page.locator("#search-results > li").count()
        page.click("#search-more")
        wait_until(page, f"document.querySelectorAll('#search-results > li').length > {shown}")


def test_a_verdict_filter_keeps_rated_articles_and_only_their_matching_notes(
    page, base: str, corpus: tuple[Path, dict[str, set[str]]]
) -> None:
    rated = corpus[1]
    # without filters, the common note word lists every kind of note
    search(page, base + f"search/?q={COMMON}")
    unfiltered = page.inner_text("#search-status")
    show_all(page)  # (which articles come first, among equal scores, depends on how pages are numbered)
    classes = " ".join(n["cls"] for r in results(page) for n in r["notes"])
    assert "k-context" in classes and "k-sourcing" in classes and "v-accurate" in classes
    # the filters are a panel the reader opens; a verdict filter alone lists exactly the articles with a claim so rated
    assert not page.locator("input[name=verdict][value=inaccurate]").is_visible()
    page.click("#search-filters-toggle")
    page.check("input[name=verdict][value=inaccurate]")
    page.wait_for_url("**/search/?q=ledger&verdict=inaccurate")
    wait_until(page, f"document.getElementById('search-status').textContent !== {json.dumps(unfiltered)}")
    expected = {s for s in rated["inaccurate"] if s.startswith("ward-")}
    count = len(expected)
    assert page.inner_text("#search-status") == f"{count} articles match “{COMMON}” with the chosen filters."
    show_all(page)
    found = results(page)
    assert {r["href"].split("/")[2] for r in found} == expected
    for result in found:
        assert result["notes"], result["title"]
        for note in result["notes"]:
            assert note["cls"] == "result-note k-claim v-inaccurate", note
            assert "Inaccurate" in note["text"]
    # the counts beside the checkboxes follow the query (counted over the results, once they are shown)
    wait_until(page, "document.querySelector('input[name=verdict][value=inaccurate] ~ .facet-count').textContent"
                     f" === '{count}'")
    assert page.inner_text("input[name=verdict][value=accurate] ~ .facet-count") != ""
    # filters without a query list every article that has the filter
    search(page, base + "search/?verdict=inaccurate")
    assert page.inner_text("#search-status") == f"{len(rated['inaccurate'])} articles with the chosen filters."


def test_a_filtered_out_note_never_stands_as_the_article_text(page, base: str) -> None:
    """A word only in a context note, searched for claims: the article is listed (it has claims), but the
    note's words are not shown as the article's own text, unbadged; nor, with filters alone, the words of
    a note on the whole article (the start of the page, before the text)."""
    search(page, base + "search/?q=Klassekampen")
    [found] = results(page)
    assert found["text"] is None and "Klassekampen" in found["notes"][0]["text"]
    assert found["notes"][0]["cls"] == "result-note k-context"
    search(page, base + "search/?q=Klassekampen&kind=claim")
    [found] = results(page)
    assert found["href"] == f"/articles/{SEED_SLUG}/" and found["notes"] == []
    assert "Klassekampen" not in page.inner_text("#search-results")
    search(page, base + "search/?kind=sourcing&outlet=RT")
    [found] = results(page)
    assert "Published by RT" not in page.inner_text("#search-results")  # the seed's note on the whole article


def test_query_and_filters_round_trip_through_the_url(page, base: str) -> None:
    search(page, base + "search/?q=harbour")
    before = results(page)
    assert {r["href"] for r in before} >= {f"/articles/{FIXTURE}/"}
    page.click("#search-filters-toggle")
    page.check("input[name=kind][value=context]")
    page.wait_for_url("**/search/?q=harbour&kind=context")
    wait_until(page, "document.getElementById('search-status').textContent.includes('chosen filters')")
    filtered = results(page)
    # a shared link gives the same search
    page.goto(page.url)
    wait_until(page, "document.getElementById('search-status').textContent.includes('chosen filters')")
    assert page.input_value("#search-q") == "harbour"
    assert page.is_checked("input[name=kind][value=context]")
    assert page.get_attribute("#search-filters-toggle", "aria-expanded") == "true"  # a chosen filter is shown
    assert results(page) == filtered
    # back undoes the filter
    page.go_back()
    page.wait_for_url("**/search/?q=harbour")
    wait_until(page, "!document.getElementById('search-status').textContent.includes('chosen filters')")
    assert not page.is_checked("input[name=kind][value=context]")
    assert results(page) == before
    # typing replaces the query in the address without piling up history
    length = page.evaluate("history.length")
    page.fill("#search-q", "harbour board")
    page.wait_for_url("**/search/?q=harbour+board")
    assert page.evaluate("history.length") == length


def test_search_works_under_a_sub_path(
    page, corpus: tuple[Path, dict[str, set[str]]], serve_dir: Callable[..., str]
) -> None:
    root = corpus[0]
    out = build_site(root, root.parent / "site-sub", "--base-url", "http://127.0.0.1/sub/")
    base = serve_dir(out, mount="/sub/")
    assert base.endswith("/sub/")
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    search(page, base + "search/?q=" + NOTE_PHRASE.replace(" ", "+"))
    [first] = results(page)
    assert first["href"] == f"/sub/articles/{FIXTURE}/"
    assert first["notes"][0]["href"] == f"/sub/articles/{FIXTURE}/#{NOTE_ID}"
    assert any("/sub/pagefind/pagefind.js" in url for url in fetched)
    assert not [url for url in fetched if "/pagefind/" in url and "/sub/pagefind/" not in url]
    response = page.goto(base.removesuffix("sub/") + first["notes"][0]["href"].lstrip("/"))
    assert response is not None and response.ok
    assert page.evaluate("document.querySelector(':target')?.id") == NOTE_ID


def test_keyboard_slash_arrows_and_enter(page, base: str) -> None:
    page.goto(base + f"articles/{SEED_SLUG}/")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "site-search-q"
    page.keyboard.type("Speicher")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=Speicher")
    wait_until(page, "document.querySelectorAll('#search-results a').length > 1")
    page.locator("main h1").click()  # focus leaves the box, then "/" brings it back to this page's box
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "search-q"
    hrefs = page.evaluate("[...document.querySelectorAll('#search-results a')].map(a => a.getAttribute('href'))")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.getAttribute('href')") == hrefs[0]
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.getAttribute('href')") == hrefs[1]
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == "search-q"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url("**" + hrefs[1])
    # typing "/" into a field types it
    page.goto(base + "search/")
    page.click("#search-q")
    page.keyboard.type("a/b")
    assert page.input_value("#search-q") == "a/b"


def test_slash_searches_from_every_page_and_only_the_search_page_loads_search_js(page, base: str) -> None:
    # search.js is the search page's alone (other pages would parse and run it for nothing, which
    # cost the home page Lighthouse points); shortcut.js gives every page the "/" shortcut.
    scripts = "[...document.scripts].map(s => new URL(s.src || location.href).pathname.split('/').pop())"
    for path, box in [("", "home-search-q"), (f"articles/{SEED_SLUG}/", "site-search-q"), ("claims/", "site-search-q"),
                      ("search/", "search-q")]:
        page.goto(base + path)
        loaded = page.evaluate(scripts)
        assert any(name.startswith("shortcut.") for name in loaded), (path, loaded)
        assert any(name.startswith("search.") for name in loaded) == (path == "search/"), (path, loaded)
        page.keyboard.press("/")
        assert page.evaluate("document.activeElement.id") == box, path
        assert page.input_value("#" + box) == ""  # the "/" itself is not typed


@pytest.mark.parametrize("wasm_allowed", [True, False], ids=["policy", "without-wasm-unsafe-eval"])
def test_content_security_policy_sent_as_a_header(
    page, site: Path, serve_dir: Callable[..., str], wasm_allowed: bool
) -> None:
    policy = CONTENT_SECURITY_POLICY if wasm_allowed else CONTENT_SECURITY_POLICY.replace(" 'wasm-unsafe-eval'", "")
    assert "'wasm-unsafe-eval'" in CONTENT_SECURITY_POLICY and "unsafe-inline" not in CONTENT_SECURITY_POLICY
    base = serve_dir(site, headers={"Content-Security-Policy": policy})
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    search(page, base + "search/?q=" + NOTE_PHRASE.replace(" ", "+"))
    blocked = [m for m in messages if "Content Security Policy" in m or "Content-Security-Policy" in m]
    if wasm_allowed:
        assert len(results(page)) == 1 and blocked == []
    else:
        # the header really is enforced, worker included: without the WebAssembly allowance search cannot run
        assert page.inner_text("#search-status") == "Search is unavailable: its index could not be loaded."
        assert results(page) == []


def test_without_javascript_the_page_says_so_and_links_to_listings(browser, base: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(base + "search/?q=harbour")
        message = page.locator(".search-nojs")
        assert message.is_visible() and "Search needs JavaScript" in message.inner_text()
        hrefs = message.evaluate("p => [...p.querySelectorAll('a')].map(a => a.getAttribute('href'))")
        assert "/claims/" in hrefs and "/tags/" in hrefs
        assert not page.locator("#search-filters").is_visible()
    finally:
        context.close()


def test_a_first_search_loads_one_pagefind_and_no_filter_data(page, base: str) -> None:
    """Issue 19: the filters are a panel the reader opens; only then do their data and counts come."""
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url.removeprefix(base.rstrip("/"))))
    search(page, base + f"search/?q={COMMON}")
    count = int(page.inner_text("#search-status").split()[0])
    page.wait_for_timeout(500)  # (the filter data used to follow the results)
    assert [url for url in fetched if "pagefind.js" in url] == ["/pagefind/pagefind.js"]  # one Pagefind
    assert len([url for url in fetched if url.endswith(".pf_meta")]) == 1
    assert not [url for url in fetched if "/filter/" in url or "search-filters" in url]
    toggle = page.locator("#search-filters-toggle")
    assert toggle.get_attribute("aria-expanded") == "false" and not page.locator("#search-facets").is_visible()
    assert page.get_attribute("#search-filters-toggle", "aria-controls") == "search-facets"
    # opened from the keyboard: the topics, outlets and years are listed, with counts over the results
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    wait_until(page, "document.querySelectorAll('[data-facet=outlet] li:not([hidden])').length > 0")
    assert [url for url in fetched if "/filter/" in url]
    outlets = page.evaluate("[...document.querySelectorAll('[data-facet=outlet] li:not([hidden])')].map(li => ["
                            "li.querySelector('.facet-value').textContent,"
                            " Number(li.querySelector('.facet-count').textContent)])")
    assert {name for name, _ in outlets} == set(OUTLETS) | {FIXTURE_OUTLET}  # the seed has no "ledger"
    assert sum(n for _, n in outlets) == count  # one outlet an article
    assert page.locator("#search-facets").get_attribute("aria-busy") is None
    # a chosen filter is named on the button, and the panel closes again
    page.check("input[name=kind][value=context]")
    wait_until(page, "document.getElementById('search-status').textContent.includes('chosen filters')")
    assert " ".join(toggle.text_content().split()) == "Filter 1 chosen"
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "false" and not page.locator("#search-facets").is_visible()
    assert "chosen filters" in page.inner_text("#search-status")  # the filter still applies


def _year_counts(page) -> dict[str, int]:
    return dict(page.evaluate("[...document.querySelectorAll('[data-facet=year] li:not([hidden])')].map(li => ["
                              "li.querySelector('.facet-value').textContent,"
                              " Number(li.querySelector('.facet-count').textContent)])"))


def test_a_chosen_year_leaves_the_other_years_to_choose_with_their_counts(page, base: str) -> None:
    """Values of one filter are alternatives: with 2015 chosen, the other years stay listed, each
    counted over the search without the year filter (what choosing it too would add)."""
    search(page, base + f"search/?q={COMMON}&kind=context")
    with_context = int(page.inner_text("#search-status").split()[0])
    search(page, base + f"search/?q={COMMON}")
    page.click("#search-filters-toggle")
    wait_until(page, "document.querySelectorAll('[data-facet=year] li:not([hidden])').length > 1")
    before = _year_counts(page)
    assert sum(before.values()) == int(page.inner_text("#search-status").split()[0])
    page.check("input[name=year][value='2015']")
    wait_until(page, "document.getElementById('search-status').textContent.includes('chosen filters')")
    assert page.inner_text("#search-status").startswith(f"{before['2015']} articles match")
    wait_until(page, f"document.querySelectorAll('[data-facet=year] li:not([hidden])').length === {len(before)}")
    assert _year_counts(page) == before
    page.check("input[name=year][value='2016']")
    wait_until(page, f"document.getElementById('search-status').textContent.startsWith("
                     f"'{before['2015'] + before['2016']} articles')")
    # another filter narrows the years' counts: they are over the search but for the year's own choice
    page.check("input[name=kind][value=context]")
    wait_until(page, "[...document.querySelectorAll('[data-facet=year] .facet-count')]"
                     f".reduce((n, c) => n + Number(c.textContent), 0) === {with_context}")


def test_a_one_letter_query_with_a_filter_is_no_query_for_results_and_counts_alike(page, base: str) -> None:
    """One letter is too short to search: alone it lists nothing, and with a year chosen it lists that
    year's articles, as the year alone does; the status and the checkboxes' counts say the same numbers."""
    search(page, base + "search/?year=2016")
    alone = page.inner_text("#search-status")
    search(page, base + "search/?year=2017")
    other = int(page.inner_text("#search-status").split()[0])
    search(page, base + "search/?q=z&year=2016")
    assert page.inner_text("#search-status") == alone
    shown = int(alone.split()[0])
    assert len(results(page)) == min(shown, 10)
    wait_until(page, "document.querySelector('input[name=year][value=\"2016\"] ~ .facet-count')?.textContent"
                     f" === '{shown}'")
    wait_until(page, "document.querySelector('input[name=year][value=\"2017\"] ~ .facet-count')?.textContent"
                     f" === '{other}'")


@pytest.fixture(scope="module")
def versions_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.versions_fixtures import write_versions_archive

    root = write_versions_archive(tmp_path_factory.mktemp("versions") / "archive")
    return build_site(root, root.parent / "site")


def test_a_note_on_an_earlier_text_is_found_and_says_which_text(page, versions_site: Path,
                                                                serve_dir: Callable[..., str]) -> None:
    """Issue 22: a note that stayed on an earlier text is indexed with its article, and the result
    says which text it is on; it opens at its permalink on the article page."""
    from tests.versions_fixtures import SLUG

    base = serve_dir(versions_site)
    search(page, base + "search/?q=eighteen")
    [first] = results(page)
    assert first["href"] == f"/articles/{SLUG}/"
    [note] = first["notes"]
    assert note["href"] == f"/articles/{SLUG}/#cost" and note["cls"] == "result-note k-claim v-inaccurate"
    version = page.locator(".result-version").inner_text()
    assert version == "(on the text of 2026-12-01 09:00 UTC, since changed)"
    page.click("#search-results a[href$='#cost']")
    page.wait_for_url(f"**/articles/{SLUG}/#cost")
    assert page.evaluate("document.querySelector(':target')?.closest('.earlier-note')?.dataset.ann") == "cost"
    # a note on the current text says no such thing
    search(page, base + "search/?q=loan")
    assert page.locator(".result-note").count() == 1 and page.locator(".result-version").count() == 0


def test_the_site_labels_of_a_note_are_no_words_to_find(page, base: str) -> None:
    """A note's kind, verdict and byline are the site's labels, not its words: searching for "misleading"
    (a verdict of many notes here, a word of none) or "tester" (every note's author) found every article
    so rated or annotated, and each note's excerpt began with its badges' words again. The notes are
    still found by their own words, each as a note with its badges."""
    for word in ("misleading", "tester"):
        search(page, base + "search/?q=" + word)
        assert results(page) == [], word
    search(page, base + "search/?q=" + NOTE_PHRASE.replace(" ", "+"))
    [first] = results(page)
    [note] = first["notes"]
    assert note["href"] == f"/articles/{FIXTURE}/#{NOTE_ID}" and "Misleading" in note["text"]
    assert note["text"].count("Misleading") == 1  # (the badge once, not again at the excerpt's start)

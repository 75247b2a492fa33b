"""Search in shards (issue 19): one archive built as one Pagefind bundle and as ten shards,
searched through /search/ as a reader would. A query, with and without filters, must list the same
articles with the same notes under them, and the filter panel the same counts; the counts
search-filters.js makes are also checked against Pagefind's own.

The shards are merged into one bundle (search/merge.py), so this holds for every query. Merged in
the browser instead (Pagefind's mergeIndex, the first design), it did not: each bundle resolves a
query's words alone, so a shard without a word falls back to its longest word that is a prefix of
it ("harbourmaster" found every "harbour" article there), or leaves the word out of the query;
the last two queries here are those cases, kept as the proof. The planted words have no prefix and
no extension among the corpus's words (its words start with a consonant, or are English function
words), and the generated word searched is chosen so, so that the other queries test the merging
itself."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page

from glossator.search.pagefind import site_bundles
from tests.browser.test_search import wait_until
from tests.helpers import REPO, article_md, run_cli, write_archive

pytestmark = pytest.mark.browser

CORPUS = REPO.parent / "shared" / "bench" / "make_corpus.py"  # CI lays shared/ beside the checkout
GENERATED = 60
SHARD_SIZE = 7  # 66 articles: ten shards
PLANTED = "glimmerwick"  # in the planted articles only, some times in their text, some in notes
NOTE_PHRASE = "quixotic xylophone"  # in one note only
BODY_PHRASE = "quince oxbow"  # in one article's text only
LONGER = "harbourmaster"  # in one planted article; every planted article has "harbour"
EVERYWHERE = "yellowfin"  # in every planted article
VERDICTS = ["misleading", "accurate", "inaccurate"]


def planted_articles() -> tuple[dict[str, str], dict[str, str]]:
    """Six articles with the planted word in different amounts (so they rank apart), each with a
    claim, and every other one a context note that names the word too."""
    articles, notes = {}, {}
    for i in range(6):
        slug = f"planted-{i}"
        words = " ".join([PLANTED] * (i + 1))
        body = (f"The harbour board met on Tuesday to discuss the {words} budget.\n\n"
                f"The pier stall opened beside the {EVERYWHERE} boat.\n")
        if i == 0:
            body += f"\nA {BODY_PHRASE} stall opened by the pier.\n"
        if i == 1:
            body += f"\nThe {LONGER} was away.\n"
        articles[slug] = article_md(f"Planted report {i}", body, tags="[planted, harbours]")
        claim = f"The minutes mention a {NOTE_PHRASE} but no meeting." if i == 0 else f"Minutes {i} say otherwise."
        entries = [f"  - id: claim-{i}\n    kind: claim\n    quote: \"The harbour board met on Tuesday\"\n"
                   f"    verdict: {VERDICTS[i % 3]}\n    note: \"{claim}\"\n    by: tester\n    added: 2026-01-02\n"]
        if i % 2 == 0:
            entries.append(f"  - id: context-{i}\n    kind: context\n    quote: \"The pier stall opened\"\n"
                           f"    note: \"Every {PLANTED} stall opens in spring.\"\n"
                           "    by: tester\n    added: 2026-01-02\n")
        notes[slug] = f"article: {slug}\nannotations:\n" + "".join(entries)
    return articles, notes


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("shards") / "archive"
    made = subprocess.run([sys.executable, str(CORPUS), "--articles", str(GENERATED), "--annotations", "4",
                           "--seed", "3", "--out", str(root)], capture_output=True, text=True, check=False)
    assert made.returncode == 0, made.stderr
    write_archive(root, *planted_articles())
    return root


@pytest.fixture(scope="module")
def sites(corpus: Path) -> dict[str, Path]:
    built = {}
    for name, size in (("one", 1000), ("many", SHARD_SIZE)):
        (corpus / "site.yaml").write_text(f"search_shard_size: {size}\n", encoding="utf-8")
        out = corpus.parent / f"site-{name}"
        result = run_cli("build", "--root", corpus, "--out", out)
        assert result.returncode == 0, result.stderr
        built[name] = out
    for name in built:  # one bundle in each site; for "many", made from ten
        assert [b.name for b in site_bundles(built[name])] == ["pagefind"]
    shards = list((corpus.parent / ".site-many.glossator-cache" / "search").glob("*/pagefind-entry.json"))
    assert len(shards) == 10
    return built


def front_matter(corpus: Path, key: str) -> Counter[str]:
    """How many articles have each value of a front matter list or field."""
    found: Counter[str] = Counter()
    for article in (corpus / "content").glob("*.md"):
        match = re.search(rf"^{key}: \[?(.*?)\]?$", article.read_text(encoding="utf-8"), re.MULTILINE)
        if match:
            found.update({value.strip()[:4] if key == "published" else value.strip()
                          for value in match[1].split(",")})
    return found


def isolated_word(corpus: Path) -> str:
    """A generated word in a few articles (the text of some, the notes of others) that no other
    word of the corpus extends or begins."""
    documents: Counter[str] = Counter()
    for article in (corpus / "content").glob("*.md"):
        notes = corpus / "annotations" / f"{article.stem}.yaml"
        documents.update(set(re.findall(r"[a-z]+", (article.read_text() + notes.read_text()).lower())))
    def alone(word: str) -> bool:
        return not any(other != word and (word.startswith(other) or other.startswith(word)) for other in documents)

    return next(word for word, n in sorted(documents.items()) if 5 <= n <= 15 and len(word) >= 5 and alone(word))


def queries(corpus: Path) -> dict[str, tuple[str, dict[str, list[str]]]]:
    tag = front_matter(corpus, "tags").most_common(1)[0][0]
    outlet = front_matter(corpus, "source").most_common(1)[0][0]
    year = front_matter(corpus, "published").most_common(1)[0][0]
    isolated = isolated_word(corpus)
    return {
        "planted": (PLANTED, {}),
        "planted-context": (PLANTED, {"kind": ["context"]}),
        "planted-two-verdicts": (PLANTED, {"verdict": ["misleading", "inaccurate"]}),
        "note-phrase": (NOTE_PHRASE, {}),
        "body-phrase": (BODY_PHRASE, {}),
        "two-words-context": (f"{PLANTED} {EVERYWHERE}", {"kind": ["context"]}),
        "generated": (isolated, {}),
        "generated-outlet": (isolated, {"outlet": [outlet]}),
        "common": ("the", {}),
        "common-outlet-year": ("the", {"outlet": [outlet], "year": [year]}),
        "verdict-only": ("", {"verdict": ["unsupported"]}),
        "tag-and-kind-only": ("", {"tag": [tag], "kind": ["sourcing"]}),
        "nothing": ("", {}),  # nothing searched: the counts are every article's
        "prefix-fallback": (LONGER, {}),
        "term-dropped": (f"{PLANTED} {BODY_PHRASE.split()[0]}", {}),
    }


# results of the one-bundle search where the planted words say how many (elsewhere: some)
EXPECTED = {"planted": 6, "planted-context": 3, "note-phrase": 1, "body-phrase": 1, "two-words-context": 3,
            "common": GENERATED + 6, "prefix-fallback": 1, "term-dropped": 1}


def url_of(base: str, q: str, filters: dict[str, list[str]]) -> str:
    params = [("q", q)] if q else []
    params += [(facet, value) for facet, values in filters.items() for value in values]
    return base + "search/?" + "&".join(f"{k}={v.replace(' ', '+')}" for k, v in params)


STATUS_COUNT = "(() => { const m = document.getElementById('search-status').textContent.match(/^\\d+/);" \
               " return m ? Number(m[0]) : 0; })()"
OUTLET_SUM = "[...document.querySelectorAll('[data-facet=outlet] .facet-count')]" \
             ".reduce((sum, c) => sum + Number(c.textContent || 0), 0)"
READ = """() => [...document.querySelectorAll('#search-results > li')].map(li => [
    li.querySelector('.result-title a').getAttribute('href'), {
    title: li.querySelector('.result-title').textContent,
    meta: li.querySelector('.result-meta').textContent,
    text: li.querySelector('.result-text')?.textContent ?? null,
    notes: [...li.querySelectorAll('.result-note a')].map(a => [a.getAttribute('href'), a.textContent]),
    more: li.querySelector('.result-more-notes')?.textContent ?? null}])"""
COUNTS = """() => Object.fromEntries([...document.querySelectorAll('#search-filters input')].map(
    i => [i.name + '=' + i.value, i.closest('label').querySelector('.facet-count').textContent]))"""
# Pagefind's own counts, from the page's own Pagefind (the same module search.js imported), once
# every filter is loaded into it; a filter with a choice made, counted over the search without its
# own choice (its values are alternatives: the panel shows what each would add).
PAGEFIND_COUNTS = """async ([q, filters]) => {
  const form = document.getElementById('gl_search');
  const pagefind = await import(form.dataset.bundle + 'pagefind.js');
  const all = await pagefind.filters();
  const counted = async (except) => {
    const chosen = Object.fromEntries(Object.entries(filters).filter(([facet]) => facet !== except)
      .map(([facet, values]) => [facet, {any: values}]));
    if (!q && !Object.keys(chosen).length) return all;
    return (await pagefind.search(q || null, {filters: chosen})).filters;
  };
  const counts = await counted(null);
  for (const facet of Object.keys(filters)) counts[facet] = (await counted(facet))[facet];
  return counts;
}"""


def reader_view(page: Page, base: str, q: str, filters: dict[str, list[str]]) -> dict[str, object]:
    """Everything the reader sees for a search: status, every result (all pages of them) with its
    notes, and the count beside every filter value."""
    page.goto(url_of(base, q, filters))
    articles = GENERATED + 6  # nothing searched: every article is counted
    if q or filters:
        wait_until(page, "document.getElementById('search-status').textContent !== ''")
        articles = page.evaluate(STATUS_COUNT)
    if page.get_attribute("#search-filters-toggle", "aria-expanded") != "true":
        page.click("#search-filters-toggle")
    # the counts are those of the results on show once each of their articles (one outlet each) is
    # counted (with an outlet chosen, over the search without it: see PAGEFIND_COUNTS)
    if "outlet" not in filters:
        wait_until(page, f"document.querySelector('[data-facet=outlet] li') && {OUTLET_SUM} === {articles}")
    while page.locator("#search-more").is_visible():
        shown = page.locator("#search-results > li").count()
        page.click("#search-more")
        wait_until(page, f"document.querySelectorAll('#search-results > li').length > {shown}")
    theirs = page.evaluate(PAGEFIND_COUNTS, [q, filters])
    wanted = {f"{facet}={value}": str(n) for facet, values in theirs.items() for value, n in values.items()}
    deadline = time.monotonic() + 15
    while True:  # (a chosen filter's counts come from searches of their own, after the results)
        counts = page.evaluate(COUNTS)
        if all(counts[key] == n for key, n in wanted.items()) or time.monotonic() > deadline:
            break
        page.wait_for_timeout(50)
    for key, n in wanted.items():
        assert counts[key] == n, (q, filters, key)
    assert all(n == "0" for key, n in counts.items() if key not in wanted), (q, filters)
    return {"status": page.inner_text("#search-status"), "results": dict(page.evaluate(READ)), "counts": counts}


@pytest.mark.parametrize("name", [
    "planted", "planted-context", "planted-two-verdicts", "note-phrase", "body-phrase",
                 "two-words-context", "generated", "generated-outlet", "common", "common-outlet-year",
    "verdict-only", "tag-and-kind-only", "nothing", "prefix-fallback", "term-dropped"])
def test_shards_give_the_same_results_notes_and_counts_as_one_bundle(
    page: Page, corpus: Path, sites: dict[str, Path], serve_dir: Callable[..., str], name: str
) -> None:
    q, filters = queries(corpus)[name]
    single = reader_view(page, serve_dir(sites["one"]), q, filters)
    # not trivial: the planted words are found where they were put, and filters keep some results
    assert len(single["results"]) == EXPECTED.get(name, len(single["results"]))
    assert single["results"] or name == "nothing"
    sharded = reader_view(page, serve_dir(sites["many"]), q, filters)
    assert sharded["status"] == single["status"]
    assert sharded["counts"] == single["counts"]
    assert sharded["results"] == single["results"]

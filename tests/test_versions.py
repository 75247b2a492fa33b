"""Every version of an article (issue 22): the format checked, the notes placed on the texts
they were written on, and the site that shows readers what the outlet changed.

The archive is tests/versions_fixtures.py: an article with three texts and notes that split
every way (carried to the current text, left on an earlier one because its words changed,
left because they became ambiguous, pinned with `version:`)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from glossator.build import pipeline
from glossator.build.options import BuildOptions
from glossator.project import Project
from glossator.render.direction import dir_attribute, direction
from glossator.validate.site import DEFAULTS
from tests.helpers import article_md, run_cli
from tests.html_text import mark_texts, page_text_of, text_content
from tests.versions_fixtures import CURRENT, FIRST, PLAIN_SLUG, SECOND, SLUG, write_versions_archive

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_versions_archive(tmp_path / "archive")


def check(root: Path) -> list[tuple[str, str, str]]:
    return [(d.location(), d.severity, d.message) for d in pipeline.check(Project.at(root), jobs=1)]


def build(root: Path, out: Path, base_url: str | None = None) -> pipeline.BuildResult:
    result = pipeline.build(Project.at(root, out), BuildOptions(base_url=base_url, search=False), jobs=1)
    assert result.ok, [d.message for d in result.diagnostics if d.is_error]
    return result


def read(site: Path, path: str) -> str:
    return (site / path).read_text(encoding="utf-8")


# --- the notes split three ways ---------------------------------------------------------------


def test_notes_stay_on_the_text_they_were_written_on_and_say_why(root: Path) -> None:
    found = check(root)
    assert [(where, severity) for where, severity, _ in found] == [
        (f"annotations/{SLUG}.yaml:12:12", "warning"), (f"annotations/{SLUG}.yaml:19:12", "warning")]
    cost, market = (message for _, _, message in found)
    moment = "1 December 2026, 09:00 UTC"
    assert cost == (f"the note stays on the version of {moment} (versions/{SLUG}/{SECOND}.md): in the current "
                    f"text, quote not found in content/{SLUG}.md")
    assert market == (f"the note stays on the version of {moment} (versions/{SLUG}/{SECOND}.md): in the current "
                      f"text, quote occurs 2 times in content/{SLUG}.md; it must select exactly one place")
    diagnostics = {d.message: d for d in pipeline.check(Project.at(root), jobs=1)}
    # the reasons, as `check` gives them for any quote: the closest passage, each place
    closest = diagnostics[cost].hints[0]
    assert "the closest passage (9" in closest and "“18 million pounds”" in closest
    assert "the quote has `12` where the article has `18`" in diagnostics[cost].hints
    assert any("`prefix: \"beside \"` would choose it" in hint for hint in diagnostics[market].hints)
    assert diagnostics[cost].hints[-1].startswith(f"to say so, add `version: {SECOND}`")
    # warnings only: the build never fails because the outlet edited its article
    assert run_cli("check", "--root", root).returncode == 0
    assert run_cli("check", "--strict", "--root", root).returncode == 1


def test_each_text_has_its_page_with_its_own_notes_highlighted(root: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = build(root, site)
    assert result.annotations == 5
    article = read(site, f"articles/{SLUG}/index.html")
    assert mark_texts(article) == {"borrow": "borrow £11 million over 30 years"}
    first = read(site, f"articles/{SLUG}/versions/{FIRST}/index.html")
    second = read(site, f"articles/{SLUG}/versions/{SECOND}/index.html")
    assert mark_texts(first) == {"first-count": "30 to 5"}
    assert mark_texts(second) == {"cost": "12 million pounds", "market": "the fish market"}
    assert "Councillors voted 30 to 5" in page_text_of(first) and "Traders" not in page_text_of(second)
    # each text keeps its own headline: the first had another; the second, the current one's
    heading = '<h1 class="article-title" lang="en" data-pagefind-body>'
    assert f"{heading}Council approves harbour wall</h1>" in first
    assert f"{heading}Council approves a new harbour wall</h1>" in second
    assert "this is text 1 of 3, captured <time datetime=\"2026-11-28T10:00:00Z\">28 November 2026, 10:00 UTC" \
        in first
    # the current text's permalink says where it is read
    current = read(site, f"articles/{SLUG}/versions/{CURRENT}/index.html")
    assert f'<a href="/articles/{SLUG}/">read it with its notes</a>' in current


def test_the_article_page_says_what_changed_and_keeps_every_permalink(root: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    build(root, site)
    page = read(site, f"articles/{SLUG}/index.html")
    assert "Edited twice after publication, 13 words changed" in page
    assert f'<a href="/articles/{SLUG}/changes/">What changed</a>' in page
    assert f'<a href="/articles/{SLUG}/versions/{CURRENT}/">Permalink to this text</a>' in page
    # the notes left on earlier texts keep their permalinks here (#id), and link to their words
    for note, version in (("cost", SECOND), ("market", SECOND), ("first-count", FIRST)):
        assert f'<h3 class="note-head" id="{note}">' in page
        assert f'href="/articles/{SLUG}/versions/{version}/#{note}"' in page
    # …without repeating their words as text of the page's body (SPEC §6; the head's ClaimReview names them)
    body = page[page.index("<body") :]
    assert 'data-quote="12 million pounds"' in body and "12 million pounds" not in text_content(body)
    # search reads which text each note is on
    notes = re.search(r'data-notes="([^"]*)"', page).group(1).split()  # type: ignore[union-attr]
    # (kinds and verdicts coded as search.html's inputs name them, texts by their moment's digits)
    inaccurate = f"v{DEFAULTS.verdict_ids.index('inaccurate')}"

    def moment(version: str) -> str:
        return "t" + version.replace("-", "")

    assert notes == ["about:k2", "borrow:k1", f"cost:k0:{inaccurate}:{moment(SECOND)}",
                     f"market:k2::{moment(SECOND)}", f"first-count:k0:{inaccurate}:{moment(FIRST)}"]
    # an article of one text says nothing of the kind
    plain = read(site, f"articles/{PLAIN_SLUG}/index.html")
    assert "article-history" not in plain and not (site / f"articles/{PLAIN_SLUG}/changes").exists()


def test_the_changes_page_marks_words_and_the_notes_left_behind(root: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    build(root, site)
    page = read(site, f"articles/{SLUG}/changes/index.html")
    deleted = '<del id="change-{0}-{1}" tabindex="-1"><span class="visually-hidden">deleted: </span>{2}'
    inserted = ('<ins><span class="visually-hidden">inserted: </span>{0}'
                '<span class="visually-hidden"> (end of insertion)')
    # the first change: the count, with the pinned note's words marked in the older text
    assert deleted.format(SECOND, 1, '<mark class="hl k-claim v-inaccurate">30</mark>') in page
    assert inserted.format("31") in page
    assert ('<a class="diff-note-ref k-claim v-inaccurate" href="/articles/harbour-wall/versions/2026-11-28-1000/'
            '#first-count" aria-label="Note 1: claim, inaccurate, on the text of 28 November 2026, 10:00 UTC">1</a>'
            in page)
    # the headline
    assert ('<span class="diff-label">Headline:</span> <span lang="en">Council approves '
            '<ins id="change-2026-12-01-0900-title-1" '
            in page)
    # the second: the cost, the new paragraph; both notes of the second text marked
    assert deleted.format(CURRENT, 1, '<mark class="hl k-claim v-inaccurate">12</mark>') in page
    assert inserted.format("18") in page
    assert (f'<ins id="change-{CURRENT}-2" tabindex="-1"><span class="visually-hidden">inserted: </span>Traders beside '
            "the fish market welcomed the vote.<span" in page)
    assert '<mark class="hl k-context"> the fish market</mark>' not in page  # the marks cover words, not spaces
    assert page.count('class="diff-note-ref') == 3
    assert "Changed in 2 places:" in page
    assert (f'<li><a href="/articles/{SLUG}/versions/{SECOND}/#market">Note 2: Context</a>, on the words '
            "<q lang=\"en\">the fish market</q></li>" in page)


def test_feeds_listings_claims_and_sitemap_know_what_changed(root: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    build(root, site, base_url="https://archive.example/sub/")
    feed = ET.fromstring(read(site, "changes.xml"))
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}updated") for e in entries] == ["2026-12-06T07:40:00Z", "2026-12-01T09:00:00Z"]
    assert entries[0].findtext(f"{ATOM}id") == \
        f"https://archive.example/sub/articles/{SLUG}/changes/#change-{CURRENT}"
    assert entries[0].findtext(f"{ATOM}summary").startswith("9 words changed (9 words added, 1 word deleted)")
    assert feed.findtext(f"{ATOM}updated") == "2026-12-06T07:40:00Z"
    home, listing = read(site, "index.html"), read(site, "articles/index.html")
    for page in (home, listing):
        assert f'<a href="/sub/articles/{SLUG}/changes/">Changed after publication: edited twice</a>' in page
        assert page.count("Changed after publication: edited") == 1
    assert "<dt>Changed after publication</dt><dd>1 " in home
    claims = read(site, "claims/index.html")
    assert (f'<a href="/sub/articles/{SLUG}/versions/{SECOND}/#cost">“<span lang="en">12 million pounds</span>”</a>'
            in claims
            and "on its text of 1 December 2026, 09:00 UTC, since changed" in claims)
    sitemap = read(site, "sitemap.xml")
    for path in (f"articles/{SLUG}/changes/", f"articles/{SLUG}/versions/{FIRST}/",
                 f"articles/{SLUG}/versions/{SECOND}/"):
        assert f"<loc>https://archive.example/sub/{path}</loc>" in sitemap


def test_the_exports_target_the_text_each_note_is_on(root: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    build(root, site, base_url="https://archive.example/")
    collection = json.loads(read(site, f"articles/{SLUG}/annotations.jsonld"))
    items = {item["id"].rsplit("#", 1)[1]: item for item in collection["first"]["items"]}
    assert list(items) == ["borrow", "about", "first-count", "cost", "market"] and collection["total"] == 5
    page = f"https://archive.example/articles/{SLUG}/"
    assert items["borrow"]["target"]["source"]["id"] == page
    assert items["cost"]["id"] == page + "#cost"  # its permalink stays on the article page
    for note, version in (("cost", SECOND), ("market", SECOND), ("first-count", FIRST)):
        target = items[note]["target"]
        assert target["source"]["id"] == f"{page}versions/{version}/"
        text = page_text_of(read(site, f"articles/{SLUG}/versions/{version}/index.html"))
        quote, css = target["selector"]
        position = css["refinedBy"]
        assert text[position["start"] : position["end"]] == quote["exact"]
        assert text.count(quote.get("prefix", "") + quote["exact"] + quote.get("suffix", "")) == 1
    data = json.loads(read(site, f"data/articles/{SLUG}.json"))
    records = {r["id"]: r for r in data["annotations"]}
    assert records["borrow"]["version"] is None and records["borrow"]["text_url"] == page
    assert records["market"]["version"] == SECOND and records["market"]["text_url"] == f"{page}versions/{SECOND}/"
    dump = json.loads(read(site, "data/annotations.json"))
    assert len(dump["annotations"]) == 5 and dump["articles"][0]["annotation_count"] == 5


def test_a_version_no_note_refers_to_is_fine_and_an_unknown_one_is_an_error(root: Path) -> None:
    annotations = root / "annotations" / f"{SLUG}.yaml"
    text = annotations.read_text(encoding="utf-8")
    # every note on the current text: the versions are still the article's history
    kept = text.split("  - id: cost")[0]
    annotations.write_text(kept, encoding="utf-8")
    assert check(root) == []
    annotations.write_text(kept + '  - id: typo\n    kind: context\n    quote: "30 to 5"\n'
                           '    version: "2026-11-28-1001"\n'
                           "    note: A note pinned to a text that does not exist at all.\n    by: ed\n"
                           "    added: 2026-12-01\n", encoding="utf-8")
    assert check(root) == [(f"annotations/{SLUG}.yaml:13:14", "error",
                            "`version: 2026-11-28-1001` is no text of this article")]
    diagnostic = pipeline.check(Project.at(root), jobs=1)[0]
    assert diagnostic.hints[0] == f"did you mean `{FIRST}`?"
    # a name closest to the current text's is not given as the guess: a note on it needs no `version:`
    annotations.write_text(annotations.read_text(encoding="utf-8").replace(
        '"2026-11-28-1001"', f'"{CURRENT[:-1]}1"'), encoding="utf-8")
    diagnostic = pipeline.check(Project.at(root), jobs=1)[0]
    assert diagnostic.message == f"`version: {CURRENT[:-1]}1` is no text of this article"
    assert f"did you mean `{CURRENT}`?" not in diagnostic.hints, diagnostic.hints


# --- the format, checked --------------------------------------------------------------------


def _break(root: Path, name: str, text: str) -> None:
    (root / "versions" / SLUG / name).write_text(text, encoding="utf-8")


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("draft.md", "---\ncaptured:\n  at: \"2026-11-30T10:00:00Z\"\n---\nWords.\n",
     ("versions/harbour-wall/draft.md", "`draft.md` is not a valid version file name")),
    ("2026-11-30-1000.md", "---\ncaptured:\n  at: \"2026-11-30T11:00:00Z\"\n---\nWords.\n",
     ("versions/harbour-wall/2026-11-30-1000.md:3:7",
      "the file's name says 2026-11-30-1000, but `captured.at` is 2026-11-30T11:00:00Z")),
    ("2026-11-30-1000.md", "---\ncaptured:\n  at: \"2026-11-31T10:00:00Z\"\n---\nWords.\n",
     ("versions/harbour-wall/2026-11-30-1000.md:3:7", "`captured.at` is not a real time: `2026-11-31T10:00:00Z`")),
    ("2026-11-30-1000.md", "---\ncaptured:\n  at: \"0001-01-01T00:00:00+01:00\"\n---\nWords.\n",
     ("versions/harbour-wall/2026-11-30-1000.md:3:7",
      "`captured.at` is out of range: `0001-01-01T00:00:00+01:00` is before the year 1 or after 9999 in UTC")),
    ("2026-11-30-1000.md", "---\ncaptured:\n  at: \"9999-12-31T23:59:59-01:00\"\n---\nWords.\n",
     ("versions/harbour-wall/2026-11-30-1000.md:3:7",
      "`captured.at` is out of range: `9999-12-31T23:59:59-01:00` is before the year 1 or after 9999 in UTC")),
    ("2026-11-30-1000.md", "---\ntitle: Old\n---\nWords.\n",
     ("versions/harbour-wall/2026-11-30-1000.md:2:1", "missing required field `captured`")),
    ("2026-11-30-1000.md", "---\ncaptured:\n  at: \"2026-11-30T10:00:00Z\"\nsource: RT\n---\nWords.\n",
     ("versions/harbour-wall/2026-11-30-1000.md:4:1", "unknown key `source`")),
    ("2026-12-07-1000.md", "---\ncaptured:\n  at: \"2026-12-07T10:00:00Z\"\n---\nWords.\n",
     ("versions/harbour-wall/2026-12-07-1000.md:3:7", "captured at 2026-12-07T10:00:00Z, not before the current text "
      "(content/harbour-wall.md, captured at 2026-12-06T07:40:00Z)")),
    ("2026-11-20-1000.md", "---\ncaptured:\n  at: \"2026-11-20T10:00:00Z\"\n---\nWords.\n",
     ("versions/harbour-wall/2026-11-20-1000.md:3:7", "captured at 2026-11-20, before the article was published "
      "(2026-11-28)")),
    ("2026-11-28.md", "---\ncaptured:\n  at: \"2026-11-28T10:00:00Z\"\n---\nWords.\n",
     ("versions/harbour-wall/2026-11-28-1000.md:3:7",
      "captured at the same moment as versions/harbour-wall/2026-11-28.md")),
    ("2026-11-30-1000.md", "---\ncaptured:\n  at: \"2026-11-30T10:00:00Z\"\n---\n\n",
     ("versions/harbour-wall/2026-11-30-1000.md:5:1", "the version has no text below its front matter")),
    ("notes.txt", "a stray file",
     ("versions/harbour-wall/notes.txt", "not a version file (version files are Markdown, ending in .md); "
      "it is not read")),
])
def test_a_broken_version_file_is_an_error_where_it_is(root: Path, name: str, text: str,
                                                       expected: tuple[str, str]) -> None:
    _break(root, name, text)
    errors = [(where, message) for where, severity, message in check(root) if severity == "error"]
    assert errors == [expected]
    assert run_cli("build", "--root", root, "--out", root.parent / "out").returncode == 1


def test_two_texts_in_a_row_with_the_same_words_are_refused(root: Path) -> None:
    second = root / "versions" / SLUG / f"{SECOND}.md"
    # the same words, wrapped differently, under the same headline as the text before it
    text = (root / "versions" / SLUG / f"{FIRST}.md").read_text(encoding="utf-8")
    second.write_text(text.replace("2026-11-28T10:00:00Z", "2026-12-01T09:00:00Z").replace(
        "on Thursday night", "on Thursday\nnight"), encoding="utf-8")
    assert [(w, m) for w, s, m in check(root) if s == "error"] == [
        (f"versions/{SLUG}/{SECOND}.md:6:1",
         f"the same text as versions/{SLUG}/{FIRST}.md: nothing changed between them")]
    # a revert (the outlet changed a text back) is history, not a duplicate
    second.write_text(text.replace("2026-11-28T10:00:00Z", "2026-12-01T09:00:00Z").replace("30 to 5", "31 to 4")
                      .replace('title: "Council approves harbour wall"\n', ""), encoding="utf-8")
    first_again = root / "versions" / SLUG / "2026-12-03-1200.md"
    first_again.write_text(text.replace("2026-11-28T10:00:00Z", "2026-12-03T12:00:00Z"), encoding="utf-8")
    assert [s for _, s, _ in check(root) if s == "error"] == []


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_current_text_captured_at_no_moment_in_utc_is_an_error_there(root: Path, at: str) -> None:
    content = root / "content" / f"{SLUG}.md"
    content.write_text(content.read_text(encoding="utf-8").replace("2026-12-06T07:40:00Z", at), encoding="utf-8")
    assert [(w, m) for w, s, m in check(root) if s == "error"] == [
        (f"content/{SLUG}.md:8:7", f"`captured.at` is out of range: `{at}` is before the year 1 or after 9999 in UTC")]
    result = run_cli("build", "--root", root, "--out", root.parent / "out")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr


def test_folders_that_are_no_article_and_a_current_text_without_its_moment(root: Path) -> None:
    (root / "versions" / "harbor-wall").mkdir()
    (root / "versions" / "stray.md").write_text("words", encoding="utf-8")
    content = root / "content" / f"{SLUG}.md"
    content.write_text(re.sub(r"captured:\n.*\n.*\n", "", content.read_text(encoding="utf-8")), encoding="utf-8")
    errors = [(w, m) for w, s, m in check(root) if s == "error"]
    assert errors == [
        (f"content/{SLUG}.md:2:1", f"the article has earlier versions (versions/{SLUG}/) but no `captured` moment"),
        ("versions/harbor-wall", "versions of `harbor-wall`, but there is no article content/harbor-wall.md"),
        ("versions/stray.md", "versions/ holds one folder per article, named by its slug; this file is not read"),
    ]


def test_a_note_may_name_the_current_text_and_an_article_without_versions(make_archive: Callable[..., Path]) -> None:
    front = {"captured": '\n  at: "2026-12-06T07:40:00Z"'}
    root = make_archive({"one": article_md("One", "Words that the outlet wrote once and never changed.\n", **front)},
                   {"one": "article: one\nannotations:\n  - id: pinned\n    kind: context\n    quote: never changed\n"
                    "    version: 2026-12-06-0740\n    note: Pinned to the one text this article has.\n"
                    "    by: ed\n    added: 2026-12-06\n"})
    assert check(root) == []


# --- the build cache and the live preview's fast path --------------------------------------


def test_a_version_file_is_an_input_of_its_article(root: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    build(root, site)
    again = build(root, site)
    assert again.up_to_date
    first = root / "versions" / SLUG / f"{FIRST}.md"
    first.write_text(first.read_text(encoding="utf-8").replace("Residents were pleased", "Residents were glad"),
                     encoding="utf-8")
    edited = build(root, site)
    assert edited.rebuilt == (SLUG,)
    assert "Residents were glad" in read(site, f"articles/{SLUG}/versions/{FIRST}/index.html")
    # the same bytes as a build from nothing
    clean = tmp_path / "clean"
    build(root, clean)
    assert _files(site) == _files(clean)
    # a version taken away (with the note pinned to it): its page goes
    first.unlink()
    annotations = root / "annotations" / f"{SLUG}.yaml"
    text = annotations.read_text(encoding="utf-8")
    annotations.write_text(text[: text.index("  - id: first-count")] + text[text.index("  - id: about"):],
                           encoding="utf-8")
    gone = build(root, site)
    assert gone.rebuilt == (SLUG,) and not (site / f"articles/{SLUG}/versions/{FIRST}").exists()
    assert (site / f"articles/{SLUG}/versions/{SECOND}/index.html").is_file()


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_import_adds_to_an_article_whose_notes_stay_on_earlier_texts(root: Path, tmp_path: Path) -> None:
    """`build.py import` anchors what it adds in the current text, and leaves the notes that name an
    earlier text to that text (they do not make the file look broken)."""
    annotations = root / "annotations" / f"{SLUG}.yaml"
    text = annotations.read_text(encoding="utf-8")
    for note in ("cost", "market"):  # pinned, as `build.py add` pins them
        text = re.sub(rf"(  - id: {note}\b[^\n]*\n)", rf'\1    version: "{SECOND}"\n', text)
    annotations.write_text(text, encoding="utf-8")
    assert check(root) == []
    export = tmp_path / "elsewhere.jsonld"
    export.write_text(json.dumps({
        "@context": "http://www.w3.org/ns/anno.jsonld", "id": "https://elsewhere.example/anno/1",
        "type": "Annotation", "motivation": "commenting", "created": "2026-12-06T00:00:00Z",
        "creator": {"type": "Person", "nickname": "kim"},
        "body": {"type": "TextualBody", "value": "The north quay flooded eleven times in ten years.",
                 "format": "text/plain"},
        "target": {"source": "https://harbourledger.example/wall",
                   "selector": {"type": "TextQuoteSelector", "exact": "the north quay"}},
    }), encoding="utf-8")
    result = run_cli("import", export, "--root", root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "quote: \"the north quay\"" in annotations.read_text(encoding="utf-8")
    assert check(root) == []


def test_a_note_pinned_to_a_text_is_checked_against_that_text(root: Path) -> None:
    annotations = root / "annotations" / f"{SLUG}.yaml"
    annotations.write_text(annotations.read_text(encoding="utf-8").replace('quote: "30 to 5"', 'quote: "30 to 6"'),
                           encoding="utf-8")
    errors = [(w, m) for w, s, m in check(root) if s == "error"]
    assert errors == [(f"annotations/{SLUG}.yaml:25:12", f"quote not found in versions/{SLUG}/{FIRST}.md")]
    diagnostic = next(d for d in pipeline.check(Project.at(root), jobs=1) if d.is_error)
    assert "“30 to 5”" in diagnostic.hints[0]


# --- the changes page reads blocks, not source lines -----------------------------------------


def _change_section(page: str, after: str) -> str:
    start = page.index(f'<section class="change" aria-labelledby="change-{after}">')
    return page[start : page.index("</section>", start)]


def test_a_paragraph_wrapped_at_other_places_is_no_change(root: Path, tmp_path: Path) -> None:
    """The first text's paragraphs hard-wrapped in its Markdown (soft line breaks), the second's
    wrapped elsewhere: the words that changed are all that show, each paragraph one paragraph."""
    first, second = (root / "versions" / SLUG / f"{name}.md" for name in (FIRST, SECOND))
    first.write_text(first.read_text(encoding="utf-8").replace("on Thursday night to pay", "on Thursday\nnight to pay")
                     .replace("a new sea wall along", "a new\nsea wall along")
                     .replace("the fish market and", "the fish\nmarket and"), encoding="utf-8")
    second.write_text(second.read_text(encoding="utf-8").replace(
        "to pay for a new", "to pay\nfor a new").replace("of which the council", "of which\nthe council"),
        encoding="utf-8")
    site = tmp_path / "site"
    build(root, site)
    section = _change_section(read(site, f"articles/{SLUG}/changes/index.html"), SECOND)
    # what changed is the count alone (30 → 31, 5 → 4) and the headline's "a new"
    assert "¶" not in section and "Changed in 2 places:" in section and ": 4 words changed</h2>" in section
    paragraph = re.search(r'<p class="diff-changed">(.*?)</p>', section, re.S).group(1)  # type: ignore[union-attr]
    assert text_content(paragraph).endswith(" on Thursday night to pay for a new sea wall along the north quay.")
    # the unchanged paragraphs are folded as paragraphs, not as source lines
    assert "<summary>2 paragraphs unchanged</summary>" in section and section.count('<p class="diff-same">') == 3


def test_tables_lists_and_headings_keep_their_shape_in_the_diff(root: Path, tmp_path: Path) -> None:
    """A table row is one line, its cells apart; a list's items are a list's; a heading looks one."""
    added = ("\n## Tolls\n\n| City | Toll |\n|------|------|\n| Tikrit | 600 |\n| Mosul | 20 |\n\n"
             "- the first point\n- the second point\n\n3. counted\n")
    second, current = root / "versions" / SLUG / f"{SECOND}.md", root / "content" / f"{SLUG}.md"
    second.write_text(second.read_text(encoding="utf-8") + added, encoding="utf-8")
    current.write_text(current.read_text(encoding="utf-8") + added.replace("600", "1,700").replace(
        "second point", "second point, revised").replace("## Tolls", "## The tolls"), encoding="utf-8")
    site = tmp_path / "site"
    build(root, site)
    section = _change_section(read(site, f"articles/{SLUG}/changes/index.html"), CURRENT)
    cell = '<span class="diff-cell"> | </span>'
    assert f'<p class="diff-same diff-row diff-head">City{cell}Toll</p>' in section
    row = re.search(r'<p class="diff-changed diff-row">(.*?)</p>', section).group(1)  # type: ignore[union-attr]
    assert row.startswith(f"Tikrit{cell}<del ") and text_content(row) == (
        "Tikrit | deleted: 600 (end of deletion)inserted: 1,700 (end of insertion)")
    assert f'<p class="diff-same diff-row">Mosul{cell}20</p>' in section
    assert re.search(r'<p class="diff-changed diff-heading"><del [^>]*><span class="visually-hidden">deleted: '
                     r"</span>Tolls<span", section)
    assert re.search(r'<ul class="diff-list"><li class="diff-same">the first point</li><li class="diff-changed">'
                     r"the second point<ins", section)
    assert '<ol class="diff-list"><li class="diff-same" value="3">counted</li></ol>' in section


# --- the direction of right-to-left languages ----------------------------------------------


def test_direction_of_a_language_tag() -> None:
    for tag in ("ar", "ar-EG", "he", "fa-IR", "ur", "ps", "yi", "dv", "ug", "ckb", "ku-Arab", "pa-Arab", "uz-Arab-AF"):
        assert direction(tag) == "rtl", tag
    for tag in ("en", "en-GB", "zh-Hant", "ja", "ru", "ku", "ug-Latn", "az", "sr-Latn"):
        assert direction(tag) == "ltr", tag
    assert dir_attribute("ar", "en") == ' dir="rtl"' and dir_attribute("en", "he") == ' dir="ltr"'
    assert dir_attribute("fr", "en") == "" and dir_attribute("ar", "fa") == ""


def test_an_arabic_article_runs_right_to_left_on_every_page(root: Path, tmp_path: Path) -> None:
    current = root / "content" / f"{SLUG}.md"
    text = current.read_text(encoding="utf-8")
    current.write_text(text.replace("tags: [harbour]\n", "tags: [harbour]\nlanguage: ar\n"), encoding="utf-8")
    site = tmp_path / "site"
    build(root, site)
    article, version, changes = (read(site, f"articles/{SLUG}/{path}index.html")
                                 for path in ("", f"versions/{FIRST}/", "changes/"))
    for page in (article, version):
        assert '<h1 class="article-title" lang="ar" dir="rtl" data-pagefind-body>' in page
        assert '<div class="page-text" id="page-text" lang="ar" dir="rtl">' in page
        assert 'lang="ar" data' not in page and 'lang="ar">' not in page  # every one of them
        assert '<html lang="en">' in page  # the notes and controls are the archive's, in English
    assert '<div class="diff" lang="ar" dir="rtl">' in changes and '<span lang="ar" dir="rtl">Council' in changes
    assert '<q lang="ar" dir="rtl">' in changes and 'lang="ar">' not in changes
    # an archive in Hebrew: the page runs right to left, an English article's words left to right
    (root / "site.yaml").write_text('title: "ארכיון"\nbase_url: "https://archive.example/"\nlanguage: he\n',
                                    encoding="utf-8")
    current.write_text(text.replace("tags: [harbour]\n", "tags: [harbour]\nlanguage: en\n"), encoding="utf-8")
    build(root, site)
    article = read(site, f"articles/{SLUG}/index.html")
    assert '<html lang="he" dir="rtl">' in article
    assert '<div class="page-text" id="page-text" lang="en" dir="ltr">' in article

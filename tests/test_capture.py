"""`build.py add URL`: seven page shapes made the way news sites make them, fetched over real
HTTP from 127.0.0.1, captured into one archive that must pass `check` and build. Each shape
keeps its chosen sentences and loses its navigation, comments, related links and banners."""

from __future__ import annotations

import contextlib
import hashlib
import html
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from glossator.cli import main
from tests.capture_server import page_bytes, serve

NBSP = "\u00a0"


@dataclass(frozen=True)
class Shape:
    page: str
    front: dict[str, str]
    present: tuple[str, ...]  # exact Markdown the body must hold
    absent: tuple[str, ...]  # page text that must not reach the body
    report: tuple[str, ...] = ()  # what the command must tell the editor
    extra: dict[str, object] = field(default_factory=dict)


SHAPES = {
    "wordpress": Shape(
        "wordpress-post.html",
        {"title": "Council approves new harbour wall after a decade of delays", "source": "Harbour Ledger",
         "published": "2026-11-28", "author": "Martha Green", "language": "en-GB",
         "url": "https://harbourledger.example/2026/11/28/council-approves-harbour-wall/"},
        ("Councillors voted 31 to 4 on Thursday night", "## What the wall will do",
         "- the fish market and its cold stores;", "> A wall that keeps out the sea",
         "said the council leader, **Ruth Ainsley**.", "rejected as *too costly to maintain*.",
         "[engineers’ report](https://harbourledger.example/wp-content/uploads/2026/11/engineers-report.pdf)",
         "Click here to win a weekend by the sea."),
        ("Fishing fleet", "Letters to the editor", "Share on Twitter", "Quay flooded for the eleventh time",
         "Residents petition for", "My grandfather remembered", "Eighteen million pounds",
         "Lifeboat station welcomes", "Proudly powered", "Leave a comment", "Recent Posts", "javascript",
         "Skip to content", "News from the quay"),
        ("author:    Martha Green  — from the byline",)),
    "jsonld": Shape(
        "jsonld-opengraph.html",
        {"title": "Rail operator to cut night services as energy costs rise", "source": "The Northern Courier",
         "published": "2026-12-01", "author": "Priya Raman, Tomás Ortega", "language": "en-GB",
         "url": "https://www.northerncourier.example/business/2026/dec/01/rail-night-services-cut"},
        ("The cuts fall hardest on the Carrow–Eastmouth line", "“no longer cover the cost of the power they draw”",
         f"about 12{NBSP}per cent of that power", "## A tripled bill", "a minimum of *two* late services",
         "night — nurses, cleaners, kitchen staff,”"),
        ("We value your privacy", "847 partners", "Accept all cookies", "Manage preferences",
         "Crosswords and puzzles", "Support independent journalism", "Most read", "Energy price cap",
         "Sign up to Business Today", "Copy link", "All rights reserved", "| The Northern Courier"),
        ("title:     Rail operator to cut night services as energy costs rise  — from JSON-LD headline",)),
    "comments": Shape(
        "comments.html",
        {"title": "Library opening hours extended after petition", "source": "eastvalepost.example",
         "published": "2026-11-30", "author": "Sam Okafor", "language": "en-US",
         "url": "https://www.eastvalepost.example/news/2026/11/30/library-hours-extended"},
        ("Eastvale’s four public libraries will stay open until 8pm",
         "said the cuts of 2023 had saved “less than the council spent on consultants that year”."),
        ("BookwormBetty", "Wonderful news for the town", "Selling the registry office to pay for running costs",
         "The baths closed because of the roof", "removed by a moderator", "Readers’ comments", "house rules",
         "Most commented", "Jobs in Eastvale", "Join the discussion", "Share this story", "Log in"),
        ("`source` is a guess (the address's host name)",)),
    "paywall": Shape(
        "paywall-teaser.html",
        {"title": "How a shipping firm hid £90m of losses from its lenders", "source": "The Ledger Review",
         "published": "2026-11-20", "author": "Helen Marsh", "language": "en",
         "url": "https://ledgerreview.example/investigations/meridian-shipping-losses"},
        ("the company lost £90 million between 2023 and 2025.", "described the practice as “routine”"),
        ("Keep reading with a subscription", "£1 for your first 3 months", "Already a subscriber",
         "The port authority contracts", "More from Investigations", "Start your trial", "Terms"),
        ("paywalled: the text may be only its opening",)),
    "live": Shape(
        "live-blog.html",
        {"title": "Storm Idris live: power cuts and flooding along the coast", "source": "Coastline News",
         "published": "2026-12-04", "author": "Owen Price, Mei Lin", "language": "en-GB",
         "url": "https://coastline.example/live/2026/dec/04/storm-idris-live"},
        ("### Ferries cancelled until Saturday", "### Power restored to 9,000 homes",
         "### Red warning issued for the coast", "waves of more than eight metres had been recorded",
         "> Our crews are working in winds", "Schools in Westhaven and Port Ellis are closed today.", "11.48 GMT"),
        ("Jump to latest", "Show older posts", "Show key events only", "Auto-update", "what we know so far",
         "How storms are named", "Terms of use", "Advertisement", "Copy link", "All live coverage"),
        ("a live blog",)),
    "french": Shape(
        "non-english.html",
        {"title": "Le conseil régional adopte un budget en hausse pour les transports",
         "source": "La Gazette du Littoral", "published": "2026-11-27", "author": "Camille Lefèvre",
         "language": "fr", "url": "https://www.gazette-littoral.example/region/2026/11/27/budget-transports"},
        (f"a qualifiée de «{NBSP}nécessaire et attendue{NBSP}».", f"jusqu’ici 120{NBSP}€ par an",
         "## Des cars gratuits pour les lycéens", "la ligne Saint-Aubin – Port-Louis",
         f"«{NBSP}On augmente la dépense"),
        ("Ce site utilise des cookies", "J’accepte", "Grève des TER", "lire aussi", "Mentions légales",
         "Publié le", "Envoyer par e-mail", "S’abonner"),
        ("left out the byline: “Par Camille Lefèvre", "left out the headline, repeated above the text")),
    "ads": Shape(
        "ads-related.html",
        {"title": "Hospital waiting lists fall for third month running", "source": "Midland Chronicle Ltd",
         "published": "2026-12-02", "author": "Alan Moss", "language": "en-GB",
         "url": "https://midlandchronicle.example/health/waiting-lists-fall-third-month-a1b2c3"},
        ("in October, to 412,600,", "“proved their worth faster than any of us expected”",
         "61.8% of patients were seen within four hours", "The next figures, for November, are due on 7 January."),
        ("Advertisement", "READ MORE", "Two surgical hubs open in bid", "Nurses to vote on pay offer",
         "GP appointments reach record", "health newsletter", "Council tax set to rise", "Panto review",
         "Promoted Stories", "knee pain", "M6 closed", "Sponsored", "Privacy Notice"),
        ()),
}


@dataclass(frozen=True)
class Captured:
    status: int
    out: str
    err: str
    front: dict[str, object]
    body: str
    path: Path | None


def split(path: Path) -> tuple[dict[str, object], str]:
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


def capture(root: Path, *args: str) -> Captured:
    """`build.py add ARGS --root ROOT`, run in this process; what it wrote and printed."""
    folder = root / "content"
    before = set(folder.glob("*.md")) if folder.is_dir() else set()
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["add", *args, "--root", str(root)])
    written = sorted(set(folder.glob("*.md")) - before) if folder.is_dir() else []
    if not written:
        return Captured(status, out.getvalue(), err.getvalue(), {}, "", None)
    front, body = split(written[0])
    return Captured(status, out.getvalue(), err.getvalue(), front, body, written[0])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    yield from serve()


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("captured")
    (root / "content").mkdir()
    return root


@pytest.fixture(scope="module")
def captured(server: str, archive: Path) -> dict[str, Captured]:
    """Every shape captured once into the same archive (the module's tests read the results)."""
    return {name: capture(archive, f"{server}/pages/{shape.page}") for name, shape in SHAPES.items()}


@pytest.mark.parametrize("name", SHAPES)
def test_a_shape_keeps_its_article_and_loses_the_rest(captured: dict[str, Captured], name: str) -> None:
    shape, result = SHAPES[name], captured[name]
    assert result.status == 0, result.err
    for words in shape.present:
        assert words in result.body, f"{name}: missing {words!r}\n{result.body}"
    for words in shape.absent:
        assert words not in result.body, f"{name}: should not hold {words!r}\n{result.body}"
    assert "<" not in result.body.replace("\\<", ""), "raw HTML reached the Markdown"


@pytest.mark.parametrize("name", SHAPES)
def test_a_shape_gets_its_front_matter_from_the_page(server: str, captured: dict[str, Captured], name: str) -> None:
    shape, result = SHAPES[name], captured[name]
    for key, value in shape.front.items():
        assert str(result.front.get(key)) == value, f"{name}: {key}"
    stamp = result.front["captured"]
    assert isinstance(stamp, dict)
    assert stamp["sha256"] == hashlib.sha256(page_bytes(shape.page)).hexdigest()
    assert stamp["from"] == f"{server}/pages/{shape.page}"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", str(stamp["at"]))


@pytest.mark.parametrize("name", SHAPES)
def test_the_report_names_the_file_the_words_and_what_to_check(captured: dict[str, Captured], name: str) -> None:
    shape, result = SHAPES[name], captured[name]
    assert result.path is not None
    words = len(re.findall(r"\w+", html.unescape(result.body)))
    first = result.out.splitlines()[0]
    assert first.startswith(f"wrote content/{result.path.name} (")
    reported = int(re.search(r"\(([\d,]+) words\)", first).group(1).replace(",", ""))  # type: ignore[union-attr]
    assert abs(reported - words) <= words // 10  # the report counts the reader's words, not the escapes
    for line in shape.report:
        assert line in result.out, result.out


def test_the_captured_archive_passes_check_and_builds(captured: dict[str, Captured], archive: Path,
                                                       tmp_path: Path) -> None:
    assert all(result.status == 0 for result in captured.values())
    assert main(["check", "--root", str(archive)]) == 0
    out = tmp_path / "site"
    assert main(["build", "--root", str(archive), "--out", str(out), "--no-search", "--jobs", "1"]) == 0
    page = (out / "articles" / captured["french"].path.stem / "index.html").read_text(encoding="utf-8")  # type: ignore[union-attr]
    assert f"«{NBSP}nécessaire et attendue{NBSP}»" in html.unescape(page)
    assert "<script>alert" not in page


PAGE = Path(__file__).resolve().parent / "capture_pages" / "wordpress-post.html"
WORDPRESS_URL = "https://harbourledger.example/2026/11/28/council-approves-harbour-wall/"


def test_a_saved_page_takes_its_address_from_url(tmp_path: Path) -> None:
    result = capture(tmp_path, str(PAGE), "--url", WORDPRESS_URL, "--tags", "harbour,council")
    assert result.status == 0, result.err
    assert result.front["url"] == WORDPRESS_URL
    assert result.front["tags"] == ["harbour", "council"]
    stamp = result.front["captured"]
    assert stamp == {"at": stamp["at"], "sha256": hashlib.sha256(PAGE.read_bytes()).hexdigest(),  # type: ignore[index]
                     "headline": result.front["title"]}
    assert main(["check", "--root", str(tmp_path)]) == 0


def test_a_wayback_copy_is_archived_under_the_original_address(tmp_path: Path) -> None:
    wayback = f"https://web.archive.org/web/20261128101500/{WORDPRESS_URL}"
    result = capture(tmp_path, str(PAGE), "--url", wayback)
    assert result.status == 0, result.err
    assert result.front["url"] == WORDPRESS_URL
    assert result.front["archived"] == wayback
    assert "read from the Wayback Machine" in result.out
    # the text is the outlet's as the copy found it, not as it is at the moment of the run
    assert result.front["captured"]["at"] == "2026-11-28T10:15:00Z"  # type: ignore[index]


def test_an_article_already_held_is_captured_again_not_overwritten(tmp_path: Path) -> None:
    """The same address (written another way) is the same article: captured again, and with the same
    words nothing is written (a changed text becomes a version: tests/test_recapture.py)."""
    first = capture(tmp_path, str(PAGE), "--url", WORDPRESS_URL)
    assert first.status == 0 and first.path is not None
    before = first.path.read_bytes()
    again = capture(tmp_path, str(PAGE), "--url", WORDPRESS_URL.replace("https://", "http://www."))
    assert again.status == 0 and again.path is None and again.err == ""
    assert again.out.startswith(f"content/{first.path.name}: unchanged since its capture of ")
    assert first.path.read_bytes() == before and len(list((tmp_path / "content").iterdir())) == 1
    assert not (tmp_path / "versions").exists()


def test_the_same_title_from_another_address_gets_a_numbered_slug(tmp_path: Path) -> None:
    first = capture(tmp_path, str(PAGE), "--url", WORDPRESS_URL)
    second = capture(tmp_path, str(PAGE), "--url", "https://mirror.example/harbour-wall")
    assert first.path is not None and second.path is not None
    assert second.path.stem == first.path.stem + "-2"


def test_a_chosen_slug_that_is_taken_is_refused(tmp_path: Path) -> None:
    (tmp_path / "annotations").mkdir()
    (tmp_path / "annotations" / "harbour.yaml").write_text("article: harbour\nannotations: []\n")
    result = capture(tmp_path, str(PAGE), "--url", WORDPRESS_URL, "--slug", "harbour")
    assert result.status == 1 and "`harbour` is taken" in result.err


@pytest.mark.parametrize(("args", "message"), [
    ((str(PAGE),), "a saved page needs the article's address too"),
    ((str(PAGE), "--url", "ftp://example.org/x"), "is not an http or https address"),
    (("ftp://example.org/story",), "is not an http or https address"),
    (("https://",), "has no host name"),
    ((str(PAGE), "--url", WORDPRESS_URL, "--slug", "Not A Slug"), "is not a slug"),
    ((str(PAGE), "--url", WORDPRESS_URL, "--tags", "ok,Not Ok"), "`Not Ok` is not a tag"),
    ((str(PAGE), "--url", WORDPRESS_URL, "--timeout", "0"), "--timeout must be"),
])
def test_usage_errors_exit_2_and_write_nothing(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    result = capture(tmp_path, *args)
    assert result.status == 2 and result.path is None
    assert result.err.startswith("error: ") and message in result.err.splitlines()[0]


def test_a_missing_file_is_one_line(tmp_path: Path) -> None:
    result = capture(tmp_path, str(tmp_path / "nope.html"), "--url", WORDPRESS_URL)
    assert result.status == 1 and "nope.html: no such file" in result.err.splitlines()[0]


@pytest.mark.parametrize(("title", "slug"), [
    ("Le conseil régional adopte un budget", "le-conseil-regional-adopte-un-budget"),
    ("Straße, Ærø & Łódź: “Quotes” — dashes", "strasse-aero-and-lodz-quotes-dashes"),
    ("  ¿Qué? ¡Sí!  ", "que-si"),
    ("Ελληνικά 2026", "2026"),
    ("word " * 40, "-".join(["word"] * 24)),  # cut between words, at most 120 characters
])
def test_slugs_are_ascii_words_of_the_title(title: str, slug: str) -> None:
    from glossator.capture.write import slugify

    assert slugify(title) == slug
    assert len(slugify(title)) <= 120


@pytest.mark.parametrize(("data", "said"), [
    (b"From: <Saved by Blink>\r\nSnapshot-Content-Location: https://example.org/x\r\nMIME-Version: 1.0\r\n"
     b"Content-Type: multipart/related;\r\n\ttype=\"text/html\";\r\n\r\n------MultipartBoundary\r\n"
     b"Content-Type: text/html\r\n\r\n<!DOCTYPE html><html><body><p>Council votes to close =\r\nthe old bridge</p>",
     "an MHTML archive (a browser’s “Webpage, Single File”)"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <</Type /Catalog>> endobj\n" + b"x" * 400, "not a web page"),
    (b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4, "not a web page"),
])
def test_a_file_that_is_no_html_page_is_refused(tmp_path: Path, data: bytes, said: str) -> None:
    """Over HTTP such bytes were refused ("not a web page"); from a file, they became an article of
    quoted-printable debris or mojibake that `check` passed."""
    saved = tmp_path / "saved.bin"
    saved.write_bytes(data)
    result = capture(tmp_path, str(saved), "--url", WORDPRESS_URL)
    assert result.status == 1 and result.path is None and "Traceback" not in result.err
    assert f"{saved}: {said}: its bytes do not begin as an HTML page does" in result.err.splitlines()[0]
    assert not (tmp_path / "content").exists() or not list((tmp_path / "content").iterdir())


def test_relative_links_are_resolved_against_the_articles_own_address(tmp_path: Path) -> None:
    """`chart.html` on a page at /news/2026/port-traffic.html is /news/2026/chart.html, and `#fn1` is a
    place on that page: trafilatura, given the address, resolved both against the site's root."""
    saved = Path(__file__).resolve().parent / "capture_pages" / "relative-links.html"
    result = capture(tmp_path, str(saved), "--url", "https://harbourtimes.example/news/2026/port-traffic.html")
    assert result.status == 0, result.err
    assert "[the chart](https://harbourtimes.example/news/2026/chart.html)" in result.body
    assert "(https://harbourtimes.example/news/2026/port-traffic.html#fn1)" in result.body
    assert "(https://harbourtimes.example/chart.html)" not in result.body and "example#fn1" not in result.body


def test_a_short_chinese_article_is_captured_and_its_words_counted_as_characters(tmp_path: Path) -> None:
    """Three paragraphs, some 130 characters: counted by runs between spaces they were "only 14 words",
    and refused as a page with no article text."""
    saved = Path(__file__).resolve().parent / "capture_pages" / "chinese-brief.html"
    result = capture(tmp_path, str(saved), "--url", "https://zh.example/a/1")
    assert result.status == 0, result.err
    assert "市议会周四晚以31票对4票通过决议" in result.body
    han = len(re.findall(r"[\u4e00-\u9fff]", result.body))
    reported = int(re.search(r"\(([\d,]+) words\)", result.out).group(1).replace(",", ""))  # type: ignore[union-attr]
    assert han <= reported <= han + 20  # each character a word, and the numbers' digits


def test_a_tables_caption_is_a_line_above_it_and_its_header_row_stays_the_header(tmp_path: Path) -> None:
    """trafilatura made the <caption> the table's first row, padded with empty cells, so the caption
    became the header and the real header row a row of data."""
    story = "".join(f"<p>Paragraph {n}: the council met on Tuesday and argued over the harbour budget for the "
                    "coming year, line by line, until late in the evening.</p>" for n in range(6))
    saved = tmp_path / "votes.html"
    saved.write_text(f"""<!doctype html><html lang="en"><head><title>Budget passes</title></head><body><article>
<h1>Budget passes</h1>{story}
<table><caption>Votes by <b>district</b></caption>
<tr><th>District</th><th>Yes</th><th>No</th></tr><tr><td>North</td><td>12</td><td>3</td></tr>
<tr><td>South</td><td>8</td><td>7</td></tr></table>{story}</article></body></html>""", encoding="utf-8")
    result = capture(tmp_path, str(saved), "--url", "https://harbourtimes.example/news/budget-passes")
    assert result.status == 0, result.err
    assert "\n\nVotes by **district**\n\n| District | Yes | No |\n| --- | --- | --- |\n| North | 12 | 3 |\n" \
        in result.body, result.body

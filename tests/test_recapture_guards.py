"""`build.py add URL` again for a held article, when what is read is not a new text of it: the held
address now redirects to another page, the bytes are those read before, the page is a paywalled
teaser, an old Wayback copy. Each is said in one line and nothing is written. And an editor's
corrected title is never taken for the outlet's headline."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from glossator.capture.command import add
from glossator.cli import main
from glossator.project import Project
from tests.capture_server import Handler, serve
from tests.test_recapture import ANNOTATIONS, HEADLINE, OK, ORIGINAL, SECOND, SLUG, URL, capture, check, files, front

UTC = dt.UTC
PATH = "/2026/11/28/council-approves-harbour-wall/"


@pytest.fixture
def site() -> Iterator[tuple[str, dict[str, object]]]:
    """The story's address on a local server; what it does (a body, or a redirect) a test changes."""
    served: dict[str, object] = {"body": ORIGINAL}

    def story(handler: Handler) -> None:
        if "redirect" in served:
            return handler.redirect(str(served["redirect"]), 301)
        handler.send(served["body"])  # type: ignore[arg-type]

    yield from ((f"{base}{PATH}", served) for base in serve({PATH: story}))


@pytest.fixture
def held(tmp_path: Path, site: tuple[str, dict[str, object]]) -> Path:
    """The article captured once, on 1 December, and annotated."""
    root = tmp_path / "archive"
    (root / "content").mkdir(parents=True)
    status, _, err = capture(root, site[0], dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    assert status == 0, err
    (root / "annotations").mkdir()
    (root / "annotations" / f"{SLUG}.yaml").write_text(ANNOTATIONS, encoding="utf-8")
    assert check(root) == OK
    return root


@pytest.mark.parametrize(("target", "said"), [
    ("/pages/jsonld-opengraph.html", "names https://www.northerncourier.example/business/2026/dec/01/"
                                     "rail-night-services-cut as its own address (<link rel=canonical>), not "),
    ("/pages/comments.html", "names https://www.eastvalepost.example/news/2026/11/30/library-hours-extended "
                             "as its own address"),
    ("/deep-ok", "now redirects to http://127.0.0.1:"),  # a page that names no address of its own
])
def test_a_held_address_that_redirects_elsewhere_is_refused(held: Path, site: tuple[str, dict[str, object]],
                                                            target: str, said: str) -> None:
    """The outlet sends the held address to another article (or its home page): that page used to
    become the held article's new text, every note pinned to the old one."""
    before = files(held)
    site[1]["redirect"] = target
    status, out, err = capture(held, site[0], dt.datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
    assert (status, out) == (1, "")
    assert err.startswith("error: ") and said in err.splitlines()[0] and "Traceback" not in err
    assert f"set `url:` in content/{SLUG}.md" in err and err.endswith("nothing was written\n")
    assert files(held) == before


def test_a_redirect_to_the_page_naming_the_held_address_is_still_captured(
        held: Path, site: tuple[str, dict[str, object]]) -> None:
    """A redirect is fine when the page it ends on names the held address as its own (http → https, a
    short link, a new path the canonical address still points back from)."""
    site[1]["redirect"] = "/pages/wordpress-post.html"
    status, out, err = capture(held, site[0], dt.datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
    assert (status, err) == (0, "") and "unchanged since its capture" in out


def test_the_same_bytes_again_keep_the_editors_tidied_text(held: Path, site: tuple[str, dict[str, object]]) -> None:
    """The editor took an advert's sentence out of the text; the page, read again, has the very bytes
    read before: the outlet changed nothing, yet that made a version saying the outlet added the advert."""
    content = held / "content" / f"{SLUG}.md"
    text = content.read_text(encoding="utf-8")
    assert "Click here to win a weekend by the sea." in text
    content.write_text(text.replace("Click here to win a weekend by the sea.", ""), encoding="utf-8")
    before = files(held)
    status, out, err = capture(held, site[0], dt.datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        f"content/{SLUG}.md: unchanged since its capture of 1 December 2026, 09:00 UTC: the page's bytes are the "
        "ones read then (the same SHA-256); nothing was written",
        f"  content/{SLUG}.md differs from the text read from them: the edits made to it since stand"]
    assert files(held) == before


PAYWALLED_URL = "https://ledgerreview.example/investigations/meridian-shipping-losses"
PAGES = Path(__file__).resolve().parent / "capture_pages"


def test_a_paywalled_teaser_is_no_deletion_of_the_rest(tmp_path: Path) -> None:
    """The whole article saved from a browser, then its paywalled teaser: the teaser was recorded as the
    outlet deleting all but the opening, and the note on the rest pinned, without a paywall warning."""
    (tmp_path / "content").mkdir()
    project = Project.at(tmp_path)
    with contextlib.redirect_stdout(io.StringIO()):
        assert add(project, str(PAGES / "paywall-full.html"), url=PAYWALLED_URL,
                   now=dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)) == 0
    slug = next((tmp_path / "content").iterdir()).stem
    (tmp_path / "annotations").mkdir()
    (tmp_path / "annotations" / f"{slug}.yaml").write_text(
        f"article: {slug}\nannotations:\n  - id: auditors\n    kind: sourcing\n    quote: \"had relied on figures "
        "supplied by management\"\n    note: The auditors said so in a statement to the paper on 19 November.\n"
        "    by: ed\n    added: 2026-12-01\n",
        encoding="utf-8")
    assert check(tmp_path) == OK
    before = files(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = add(project, str(PAGES / "paywall-teaser.html"), url=PAYWALLED_URL,
                     now=dt.datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
    assert (status, out.getvalue()) == (1, "")
    first = err.getvalue().splitlines()[0]
    assert first.startswith("error: the page marks the article as paywalled and holds ")
    assert f"words of content/{slug}.md: it is only the text's opening, not a new text of it" in first
    assert "Save Page As" in err.getvalue() and err.getvalue().endswith("nothing was written\n")
    assert files(tmp_path) == before


def test_a_wayback_copy_older_than_the_held_text_is_refused(held: Path, site: tuple[str, dict[str, object]],
                                                            tmp_path: Path) -> None:
    """The archive holds the corrected text; a Wayback copy of the first one, captured again, became the
    current text stamped with the moment of the run: readers saw the outlet undo its correction today."""
    site[1]["body"] = SECOND
    assert capture(held, site[0], dt.datetime(2026, 12, 3, 9, 0, tzinfo=UTC))[0] == 0
    before = files(held)
    saved = tmp_path / "wp-orig.html"
    saved.write_bytes(ORIGINAL)
    copy = f"https://web.archive.org/web/20261128100000/{URL}"
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = add(Project.at(held), str(saved), url=copy, now=dt.datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    assert (status, out.getvalue()) == (1, "")
    assert err.getvalue().splitlines()[0] == (
        f"error: {copy} is a copy made at 2026-11-28T10:00:00Z, before the capture of content/{SLUG}.md "
        "(2026-12-03T09:00:00Z): an earlier text cannot become the current one")
    assert f"versions/{SLUG}/2026-11-28-1000.md" in err.getvalue()
    assert files(held) == before


def test_the_changes_show_the_outlets_headlines_not_the_editors_title(
        held: Path, site: tuple[str, dict[str, object]], tmp_path: Path) -> None:
    """The editor corrected `title`; the outlet then changed its headline: the version file was given the
    editor's title, and the changes page showed it as the outlet's old headline."""
    content = held / "content" / f"{SLUG}.md"
    corrected = "Council approves harbour wall after 10 years of delays"
    content.write_text(content.read_text(encoding="utf-8").replace(f'title: "{HEADLINE}"', f'title: "{corrected}"'),
                       encoding="utf-8")
    site[1]["body"] = ORIGINAL.replace(HEADLINE.encode(), b"Harbour wall approved after ten-year wait")
    status, _, err = capture(held, site[0], dt.datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
    assert (status, err) == (0, "")
    assert front(held / "versions" / SLUG / "2026-12-01-0900.md")["title"] == HEADLINE
    # and the editor corrects the new title too: the outlet's headline stays what the pages compare
    content.write_text(content.read_text(encoding="utf-8").replace(
        'title: "Harbour wall approved after ten-year wait"', 'title: "Harbour wall approved after 10-year wait"'),
        encoding="utf-8")
    assert check(held) == OK
    out = tmp_path / "site"
    assert main(["build", "--root", str(held), "--out", str(out), "--no-search", "--jobs", "1"]) == 0
    changes = (out / "articles" / SLUG / "changes" / "index.html").read_text(encoding="utf-8")
    listed = re.findall(r'<li><a href="[^"]*">([^<]*)</a>, captured', changes)
    assert listed == [HEADLINE, "Harbour wall approved after ten-year wait"]
    headline = changes[changes.index('class="diff-title"'):]
    headline = headline[:headline.index("</p>")]
    assert "decade of delays" in headline and "ten-year" in headline and "10" not in headline


def test_a_text_cut_inside_a_paragraph_is_refused_but_a_closing_paragraph_deleted_is_an_edit(
        held: Path, site: tuple[str, dict[str, object]]) -> None:
    before = files(held)
    closing = b"<p>Work is due to start in April"
    start = ORIGINAL.index(closing)
    site[1]["body"] = ORIGINAL[:start] + b"<p>Work is due to start</p>" + ORIGINAL[ORIGINAL.index(b"</p>", start) + 4:]
    status, _, err = capture(held, site[0], dt.datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
    assert status == 1 and "it is only the text's opening, not a new text of it" in err and files(held) == before
    # the outlet withdrew the closing paragraph: a change of its own, recorded as one
    site[1]["body"] = ORIGINAL[:start] + ORIGINAL[ORIGINAL.index(b"</p>", start) + 4:]
    status, out, err = capture(held, site[0], dt.datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
    assert (status, err) == (0, "") and out.startswith(f"content/{SLUG}.md changed since its capture")

"""`build.py add URL` for an article already held (issue 22): the page read again over real HTTP
from 127.0.0.1. Same words: nothing written. Changed words: the old text kept as a version, the
notes that still resolve carried over, the others pinned to their text with the reason given,
the annotation file's layout kept. Three captures make an article of three texts whose notes
split three ways, and the archive still passes `check` and builds."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from glossator.capture.command import add
from glossator.cli import main
from glossator.project import Project
from tests.capture_server import Handler, page_bytes, serve
from tests.html_text import mark_texts

URL = "https://harbourledger.example/2026/11/28/council-approves-harbour-wall/"
SLUG = "council-approves-new-harbour-wall-after-a-decade-of-delays"
HEADLINE = "Council approves new harbour wall after a decade of delays"
ORIGINAL = page_bytes("wordpress-post.html")
# the outlet's corrections: the count, then a new sentence naming the fish market again, then the cost
SECOND = ORIGINAL.replace(b"voted 31 to 4 on Thursday", b"voted 30 to 5 on Thursday").replace(
    b"<p>Opponents argued", b"<p>Traders near the fish market welcomed the vote.</p>\n<p>Opponents argued")
THIRD = SECOND.replace("£18.2 million".encode(), "£19.5 million".encode())
UTC = dt.UTC
OK = (0, "ok: no problems found")

ANNOTATIONS = f"""\
# yaml-language-server: $schema=../schemas/annotations.schema.json
# Notes on the harbour wall, kept in this order on purpose.
article: {SLUG}
annotations:
  - id: vote
    kind: claim
    quote: "voted 31 to 4"   # the count, from the minutes
    verdict: accurate
    note: The minutes of the meeting record this vote count exactly.
    by: ed
    added: 2026-12-01

  - {{id: market, kind: context, quote: "the fish market", note: "Rebuilt in 1990, after the flood.", by: ed,
     added: 2026-12-01}}

  - id: borrow
    kind: sourcing
    quote: "borrow £11 million over 30 years"
    note: |
      The loan terms come from the council's budget papers of November.
    by: ed
    added: 2026-12-01
  - id: whole
    kind: context
    note: The wall has been debated since the storms of 2016, when the quay flooded.
    by: ed
    added: 2026-12-01
"""

COST = """\
  - id: cost
    kind: claim
    quote: "£18.2 million"
    verdict: accurate
    note: The budget papers give this figure for the wall and its foundations.
    by: kim
    added: 2026-12-02
"""


@pytest.fixture
def page() -> Iterator[tuple[str, dict[str, bytes]]]:
    """The story's address on a local server, and what it serves (a test changes it between captures)."""
    served = {"body": ORIGINAL}

    def story(handler: Handler) -> None:
        handler.send(served["body"])

    yield from ((f"{base}/2026/11/28/council-approves-harbour-wall/", served) for base in serve({
        "/2026/11/28/council-approves-harbour-wall/": story}))


def capture(root: Path, url: str, at: dt.datetime) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = add(Project.at(root), url, url=URL, now=at)
    return status, out.getvalue(), err.getvalue()


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def front(path: Path) -> dict[str, object]:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def check(root: Path) -> tuple[int, str]:
    """`check --strict`: its status and what it printed (a clean archive: 0, "ok: no problems found")."""
    out = io.StringIO()
    with contextlib.redirect_stderr(out), contextlib.redirect_stdout(out):
        status = main(["check", "--strict", "--root", str(root)])
    return status, out.getvalue().strip()


@pytest.fixture
def held(tmp_path: Path, page: tuple[str, dict[str, bytes]]) -> Path:
    """The article captured once, on 1 December, and annotated."""
    root = tmp_path / "archive"
    (root / "content").mkdir(parents=True)
    status, out, err = capture(root, page[0], dt.datetime(2026, 12, 1, 9, 0, 12, tzinfo=UTC))
    assert status == 0 and out.startswith(f"wrote content/{SLUG}.md"), err
    (root / "annotations").mkdir()
    (root / "annotations" / f"{SLUG}.yaml").write_text(ANNOTATIONS, encoding="utf-8")
    assert check(root) == OK
    return root


def test_the_same_words_again_write_nothing(held: Path, page: tuple[str, dict[str, bytes]]) -> None:
    before = files(held)
    # the page's bytes differ (a new advert, say), its words do not
    page[1]["body"] = ORIGINAL.replace(b"</body>", b"<div class='ad'>Buy a boat</div></body>")
    status, out, err = capture(held, page[0], dt.datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
    assert (status, err) == (0, "")
    assert out == (f"content/{SLUG}.md: unchanged since its capture of 1 December 2026, 09:00 UTC: the page has "
                   "the same words and headline; nothing was written\n")
    assert files(held) == before


def test_changed_words_make_a_new_text_and_the_notes_follow(held: Path, page: tuple[str, dict[str, bytes]]) -> None:
    content = held / "content" / f"{SLUG}.md"
    first_body = content.read_text(encoding="utf-8").split("---\n", 2)[2]
    page[1]["body"] = SECOND
    status, out, err = capture(held, page[0], dt.datetime(2026, 12, 3, 10, 30, tzinfo=UTC))
    assert (status, err) == (0, "")
    version = held / "versions" / SLUG / "2026-12-01-0900.md"
    # the old text, as it was, under the moment it was captured
    assert front(version) == {"captured": {"at": "2026-12-01T09:00:12Z", "sha256": _sha(ORIGINAL), "from": page[0],
                                           "headline": HEADLINE}}
    assert version.read_text(encoding="utf-8").split("---\n", 2)[2] == first_body
    # the new text, its capture, and every other fact of the front matter as the editor left it
    new = front(content)
    assert new["captured"] == {"at": "2026-12-03T10:30:00Z", "sha256": _sha(SECOND), "from": page[0],
                               "headline": HEADLINE}
    assert new["title"] == "Council approves new harbour wall after a decade of delays"
    assert "Traders near the fish market welcomed the vote." in content.read_text(encoding="utf-8")
    # the report: what changed, what carried, what stayed and why
    lines = out.splitlines()
    assert lines[0] == (f"content/{SLUG}.md changed since its capture of 1 December 2026, 09:00 UTC: 10 word(s) "
                        "changed (2 deleted, 10 added)")
    assert lines[1] == (f"  the earlier text is now versions/{SLUG}/2026-12-01-0900.md; content/{SLUG}.md holds the "
                        "text read now")
    assert lines[2] == "notes: 2 carried over to the new text, 2 stayed on the text of 1 December 2026, 09:00 UTC:"
    # (where the quotes are in the file as written, its `version:` lines added)
    assert lines[3] == f"  annotations/{SLUG}.yaml:8:12: `vote` — quote not found in the new text"
    assert "“voted 30 to 5 on”" in out or "“voted 30 to 5”" in out
    assert "the quote has `31` where the article has `30`" in out
    assert (f"  annotations/{SLUG}.yaml:14:68: `market` — quote occurs 2 times in the new text; it must select "
            "exactly one place") in lines
    assert "→ `prefix: \"near \"` would choose it" in out
    # the annotation file: one line added to each note left behind, nothing else touched
    text = (held / "annotations" / f"{SLUG}.yaml").read_text(encoding="utf-8")
    assert text == ANNOTATIONS.replace(
        "  - id: vote\n", '  - id: vote\n    version: "2026-12-01-0900"\n').replace(
        "  - {id: market,", '  - {version: "2026-12-01-0900", id: market,')
    written = text.splitlines()
    assert written[7][11:].startswith('"voted 31 to 4"') and written[13][67:].startswith('"the fish market"')
    # and the archive is sound: no warning, every note where it belongs
    assert check(held) == OK


def test_three_texts_and_notes_split_three_ways(held: Path, page: tuple[str, dict[str, bytes]],
                                                 tmp_path: Path) -> None:
    page[1]["body"] = SECOND
    assert capture(held, page[0], dt.datetime(2026, 12, 3, 10, 30, tzinfo=UTC))[0] == 0
    annotations = held / "annotations" / f"{SLUG}.yaml"
    annotations.write_text(annotations.read_text(encoding="utf-8") + COST, encoding="utf-8")
    assert check(held) == OK
    page[1]["body"] = THIRD
    status, out, err = capture(held, page[0], dt.datetime(2026, 12, 5, 8, 15, tzinfo=UTC))
    assert (status, err) == (0, "")
    assert "notes: 2 carried over to the new text, 1 stayed on the text of 3 December 2026, 10:30 UTC:" in out
    assert f"annotations/{SLUG}.yaml:32:12: `cost` — quote not found in the new text" in out
    assert "the quote has `£18.2` where the article has `£19.5`" in out
    assert sorted(p.name for p in (held / "versions" / SLUG).iterdir()) == ["2026-12-01-0900.md", "2026-12-03-1030.md"]
    assert check(held) == OK
    site = tmp_path / "site"
    assert main(["build", "--root", str(held), "--out", str(site), "--no-search", "--jobs", "1"]) == 0
    pages = {name: (site / "articles" / SLUG / path / "index.html").read_text(encoding="utf-8")
             for name, path in (("first", "versions/2026-12-01-0900"), ("second", "versions/2026-12-03-1030"),
                                ("current", ""))}
    # carried: on the current text; left behind: each on the text it was written on
    assert set(mark_texts(pages["current"])) == {"borrow"}
    assert mark_texts(pages["first"]) == {"vote": "voted 31 to 4", "market": "the fish market"}
    assert mark_texts(pages["second"]) == {"cost": "£18.2 million"}
    assert "Edited twice after publication" in pages["current"]


def test_a_capture_again_is_refused_while_the_archive_has_errors(held: Path,
                                                                  page: tuple[str, dict[str, bytes]]) -> None:
    annotations = held / "annotations" / f"{SLUG}.yaml"
    annotations.write_text(annotations.read_text(encoding="utf-8").replace("voted 31 to 4", "voted 13 to 4"),
                           encoding="utf-8")
    before = files(held)
    page[1]["body"] = SECOND
    status, out, err = capture(held, page[0], dt.datetime(2026, 12, 3, 10, 30, tzinfo=UTC))
    assert status == 1 and out == ""
    assert err.startswith(f"error: content/{SLUG}.md, its versions or its annotations have 1 problem(s)")
    assert "run `python build.py check`" in err and err.endswith("nothing was written\n")
    assert files(held) == before


def test_a_text_without_its_moment_cannot_become_a_version(held: Path, page: tuple[str, dict[str, bytes]]) -> None:
    content = held / "content" / f"{SLUG}.md"
    text = content.read_text(encoding="utf-8")
    start = text.index("captured:")
    content.write_text(text[:start] + text[text.index("---\n", start):], encoding="utf-8")
    page[1]["body"] = SECOND
    status, _, err = capture(held, page[0], dt.datetime(2026, 12, 3, 10, 30, tzinfo=UTC))
    assert status == 1 and f"content/{SLUG}.md has no `captured` moment" in err


def test_the_address_with_campaign_parameters_is_the_same_article(held: Path,
                                                                   page: tuple[str, dict[str, bytes]]) -> None:
    """A shared link's `utm_source` names where the reader came from: the capture is the held article's."""
    page[1]["body"] = SECOND
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        status = add(Project.at(held), page[0], url=f"http://www.{URL[8:]}?utm_source=x&fbclid=y", now=dt.datetime(
            2026, 12, 3, 10, 30, tzinfo=UTC))
    assert status == 0 and out.getvalue().startswith(f"content/{SLUG}.md changed since its capture")
    assert sorted(p.name for p in (held / "content").iterdir()) == [f"{SLUG}.md"]


def test_campaign_parameters_are_left_out_of_a_new_articles_address(tmp_path: Path,
                                                                     page: tuple[str, dict[str, bytes]]) -> None:
    (tmp_path / "content").mkdir()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        status = add(Project.at(tmp_path), page[0], url=f"{URL}?id=7&utm_medium=social&b=%20x",
                     now=dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    assert status == 0
    assert front(tmp_path / "content" / f"{SLUG}.md")["url"] == f"{URL}?id=7&b=%20x"


def test_another_slug_for_a_held_address_is_refused(held: Path, page: tuple[str, dict[str, bytes]]) -> None:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = main(["add", page[0], "--url", URL, "--slug", "harbour", "--root", str(held)])
    assert status == 1
    assert err.getvalue().startswith(f"error: content/{SLUG}.md already holds {URL}")
    assert "leave out `--slug harbour`" in err.getvalue()



def test_another_slug_for_a_page_whose_own_address_is_held_is_refused(held: Path,
                                                                      page: tuple[str, dict[str, bytes]]) -> None:
    """The page fetched from another address (a copy of it elsewhere) names the held one as its
    canonical address: `--slug` was ignored without a word and the held article captured again."""
    before = files(held)
    err = io.StringIO()
    copies = serve({"/copy/": lambda handler: handler.send(SECOND)})
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = main(["add", f"{next(copies)}/copy/", "--slug", "harbour-copy", "--root", str(held)])
    copies.close()
    assert status == 1
    assert f"content/{SLUG}.md already holds {URL}" in err.getvalue()
    assert "leave out `--slug harbour-copy`" in err.getvalue()
    assert files(held) == before


def test_the_same_address_naming_another_as_its_own_makes_no_second_article(
        held: Path, page: tuple[str, dict[str, bytes]]) -> None:
    """The address the text was read from serves a page whose canonical address changed: `add` made a
    second article of it without a word, though `captured.from` named the same address."""
    page[1]["body"] = SECOND.replace(URL.encode(), b"https://harbourledger.example/news/harbour-wall/")
    before = files(held)
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = main(["add", page[0], "--root", str(held)])
    assert status == 1, err.getvalue()
    assert "names https://harbourledger.example/news/harbour-wall/ as its own address" in err.getvalue()
    assert f"set `url:` in content/{SLUG}.md" in err.getvalue()
    assert files(held) == before

def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_text_saved_with_a_bom_and_crlf_is_captured_again_as_itself(held: Path,
                                                                      page: tuple[str, dict[str, bytes]]) -> None:
    """An editor on Windows saved the article with a byte order mark and CRLF line ends, and the notes
    with CRLF: the build reads both, so the capture finds the article, and keeps the notes' line ends."""
    content = held / "content" / f"{SLUG}.md"
    content.write_bytes(b"\xef\xbb\xbf" + content.read_bytes().replace(b"\n", b"\r\n"))
    annotations = held / "annotations" / f"{SLUG}.yaml"
    annotations.write_bytes(annotations.read_bytes().replace(b"\n", b"\r\n"))
    assert check(held) == OK
    page[1]["body"] = SECOND
    status, out, err = capture(held, page[0], dt.datetime(2026, 12, 3, 10, 30, tzinfo=UTC))
    assert (status, err) == (0, "") and out.startswith(f"content/{SLUG}.md changed since its capture")
    assert sorted(p.name for p in (held / "content").iterdir()) == [f"{SLUG}.md"]
    written = annotations.read_bytes()
    assert b'    version: "2026-12-01-0900"\r\n' in written and b"\n" not in written.replace(b"\r\n", b"")
    assert check(held) == OK


def test_a_note_whose_words_went_stays_though_the_same_words_stand_elsewhere(
        held: Path, page: tuple[str, dict[str, bytes]], tmp_path: Path) -> None:
    """The outlet removed the loan's terms from the cost paragraph and wrote the same words into a new
    sentence about other towns: the quote finds them once in the new text, but they are other words."""
    page[1]["body"] = ORIGINAL.replace(b"of which the council will borrow \xc2\xa311 million over 30 years",
                                       b"of which the council will raise most").replace(
        b"<p>Opponents argued", b"<p>Neighbouring towns also borrow \xc2\xa311 million over 30 years.</p>\n"
                                b"<p>Opponents argued")
    status, out, err = capture(held, page[0], dt.datetime(2026, 12, 3, 10, 30, tzinfo=UTC))
    assert (status, err) == (0, "")
    assert "notes: 3 carried over to the new text, 1 stayed on the text of 1 December 2026, 09:00 UTC:" in out
    assert "`borrow` — the outlet changed or removed the words it is about" in out
    assert '  - id: borrow\n    version: "2026-12-01-0900"\n' in (held / "annotations" / f"{SLUG}.yaml").read_text(
        encoding="utf-8")
    assert check(held) == OK
    site = tmp_path / "site"
    assert main(["build", "--root", str(held), "--out", str(site), "--no-search", "--jobs", "1"]) == 0
    current = (site / "articles" / SLUG / "index.html").read_text(encoding="utf-8")
    first = (site / "articles" / SLUG / "versions" / "2026-12-01-0900" / "index.html").read_text(encoding="utf-8")
    assert "borrow" not in mark_texts(current) and mark_texts(first)["borrow"] == "borrow £11 million over 30 years"
    # without its `version:` (versions made by hand, say), the build finds the same: it stays, with a warning
    annotations = held / "annotations" / f"{SLUG}.yaml"
    annotations.write_text(annotations.read_text(encoding="utf-8").replace(
        '  - id: borrow\n    version: "2026-12-01-0900"\n', "  - id: borrow\n"), encoding="utf-8")
    status, said = check(held)
    assert status == 1 and "warning: the note stays on the version of 1 December 2026, 09:00 UTC" in said
    assert "the outlet changed or removed the words it was written on" in said
    assert "“Neighbouring towns also borrow £11 million over 30 years.”" in said
    site = tmp_path / "site-2"  # (a new folder: a build over the last one deletes that one in a process apart)
    assert main(["build", "--root", str(held), "--out", str(site), "--no-search", "--jobs", "1"]) == 0
    current = (site / "articles" / SLUG / "index.html").read_text(encoding="utf-8")
    first = (site / "articles" / SLUG / "versions" / "2026-12-01-0900" / "index.html").read_text(encoding="utf-8")
    assert "borrow" not in mark_texts(current) and mark_texts(first)["borrow"] == "borrow £11 million over 30 years"
    # a note added once the new text was there is about the words it has
    annotations.write_text(annotations.read_text(encoding="utf-8").replace(
        "    quote: \"borrow £11 million over 30 years\"\n    note: |\n      The loan terms come from the council's "
        "budget papers of November.\n    by: ed\n    added: 2026-12-01",
        "    quote: \"borrow £11 million over 30 years\"\n    note: |\n      The loan terms come from the council's "
        "budget papers of November.\n    by: ed\n    added: 2026-12-04"), encoding="utf-8")
    assert check(held) == OK


def test_a_new_headline_on_the_same_words_is_a_new_text(held: Path, page: tuple[str, dict[str, bytes]],
                                                        tmp_path: Path) -> None:
    """Only the headline changed: the earlier text is kept with the headline it had (before, nothing was
    written and the editor was told to edit `title:`, which gave every earlier text the new headline)."""
    page[1]["body"] = ORIGINAL.replace(HEADLINE.encode(), b"Harbour wall approved after ten-year wait")
    status, out, err = capture(held, page[0], dt.datetime(2026, 12, 3, 10, 30, tzinfo=UTC))
    assert (status, err) == (0, "")
    assert out.splitlines()[0] == (f"content/{SLUG}.md: its headline changed since its capture of 1 December 2026, "
                                   "09:00 UTC; its words did not")
    assert f"  headline: “{HEADLINE}” → “Harbour wall approved after ten-year wait”" in out
    assert front(held / "versions" / SLUG / "2026-12-01-0900.md")["title"] == HEADLINE
    new = front(held / "content" / f"{SLUG}.md")
    assert new["title"] == "Harbour wall approved after ten-year wait"
    assert new["captured"]["headline"] == "Harbour wall approved after ten-year wait"  # type: ignore[index]
    assert check(held) == OK
    site = tmp_path / "site"
    assert main(["build", "--root", str(held), "--out", str(site), "--no-search", "--jobs", "1"]) == 0
    changes = (site / "articles" / SLUG / "changes" / "index.html").read_text(encoding="utf-8")
    assert "ten-year wait" in changes and "decade of delays" in changes


def test_a_title_the_editor_corrected_stays_when_the_outlet_keeps_its_headline(
        held: Path, page: tuple[str, dict[str, bytes]]) -> None:
    """The page's headline is recorded at each capture (`captured.headline`): a later capture compares
    the page's headline with it, not with `title`, which the editor may have corrected."""
    content = held / "content" / f"{SLUG}.md"
    corrected = "Council approves harbour wall after 10 years of delays"
    content.write_text(content.read_text(encoding="utf-8").replace(f'title: "{HEADLINE}"', f'title: "{corrected}"'),
                       encoding="utf-8")
    before = files(held)
    page[1]["body"] = ORIGINAL.replace(b"</body>", b"<div class='ad'>Buy a boat</div></body>")  # (other bytes)
    status, out, _ = capture(held, page[0], dt.datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    assert status == 0 and "the same words and headline; nothing was written" in out and files(held) == before
    page[1]["body"] = SECOND
    status, out, err = capture(held, page[0], dt.datetime(2026, 12, 3, 10, 30, tzinfo=UTC))
    assert (status, err) == (0, "") and "headline:" not in out
    assert front(content)["title"] == corrected
    assert "title" not in front(held / "versions" / SLUG / "2026-12-01-0900.md")
    assert check(held) == OK

"""`build.py import` into an article with earlier texts (issue 22): the importer checks the file it
writes into as `check` does, so a note that stays on an earlier text, or one pinned to a text with
`version:`, is anchored on that text, and import accepts exactly the files `check` accepts.

The archive is tests/versions_fixtures.py: `cost` and `market` are unpinned notes whose quotes
resolve only in the second text (left behind there, with a warning); `first-count` is pinned to the
first text, whose words the current text no longer has."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from glossator.build import pipeline
from glossator.build.options import BuildOptions
from glossator.cli import main
from glossator.project import Project
from tests.html_text import mark_texts
from tests.versions_fixtures import FIRST, SECOND, SLUG, write_versions_archive

NOTES = f"annotations/{SLUG}.yaml"
NEW_QUOTE = "Traders beside the fish market welcomed the vote."  # only in the current text


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_versions_archive(tmp_path / "archive")


def hypothesis_file(folder: Path, exact: str = NEW_QUOTE) -> Path:
    """A Hypothesis export of one annotation on the article's page."""
    page = "https://harbourledger.example/wall"
    row = {
        "id": "HarbourTraders1", "created": "2026-12-06T09:00:00.000000+00:00",
        "updated": "2026-12-06T09:00:00.000000+00:00", "user": "acct:dana@hypothes.is", "uri": page,
        "text": "The traders' association had lobbied for the wall since the floods of 2016.",
        "tags": ["context"], "group": "__world__", "permissions": {"read": ["group:__world__"]},
        "target": [{"source": page, "selector": [{"type": "TextQuoteSelector", "exact": exact,
                                                  "prefix": "cold stores.\n", "suffix": "\nResidents"}]}],
        "document": {"title": ["Council approves a new harbour wall"]},
    }
    path = folder / "hypothesis.json"
    path.write_text(json.dumps({"export_date": "2026-12-08T10:00:00.000Z", "export_userid": "acct:dana@hypothes.is",
                                "annotations": [row]}, indent=1), encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], root: Path, *args: str | Path) -> tuple[int, str, str]:
    status = main(["import", "--root", str(root), *map(str, args)])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def problems(root: Path) -> list[tuple[str, str, str]]:
    return [(d.location(), d.severity, d.message) for d in pipeline.check(Project.at(root), jobs=1)]


def errors(root: Path) -> list[str]:
    return [message for _, severity, message in problems(root) if severity == "error"]


def pin_left_behind(root: Path) -> None:
    """`cost` and `market` pinned to the text they stay on: then every note of the file is pinned or
    on the current text, and only a pinned note can make the file fail."""
    text = (root / NOTES).read_text(encoding="utf-8")
    pinned = text.replace("    added: 2026-12-02\n", f'    added: 2026-12-02\n    version: "{SECOND}"\n')
    assert pinned.count("version:") == 3
    (root / NOTES).write_text(pinned, encoding="utf-8")


def test_a_note_left_on_an_earlier_text_does_not_stop_an_import(root: Path, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    before = problems(root)
    assert [(where, severity) for where, severity, _ in before] == [
        (f"{NOTES}:12:12", "warning"), (f"{NOTES}:19:12", "warning")]  # `cost` and `market` stay on SECOND
    status, out, err = run(capsys, root, hypothesis_file(tmp_path))
    assert (status, err) == (0, ""), out
    assert f"added 1 annotation to {NOTES}:\n  traders-beside-fish-market  context" in out
    text = (root / NOTES).read_text(encoding="utf-8")
    assert f'    quote: "{NEW_QUOTE}"\n' in text or f"    quote: {NEW_QUOTE}\n" in text
    assert problems(root) == before  # the file passes `check` as it did, with the same warnings
    # and the build shows the new note on the current text, the others where they were
    site = tmp_path / "site"
    result = pipeline.build(Project.at(root, site), BuildOptions(search=False), jobs=1)
    assert result.ok, [d.message for d in result.diagnostics if d.is_error]
    current = mark_texts((site / "articles" / SLUG / "index.html").read_text(encoding="utf-8"))
    assert current == {"borrow": "borrow £11 million over 30 years", "traders-beside-fish-market": NEW_QUOTE}
    second = mark_texts((site / "articles" / SLUG / "versions" / SECOND / "index.html").read_text(encoding="utf-8"))
    assert set(second) == {"cost", "market"}


def test_an_imported_annotation_is_placed_in_the_current_text(root: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """Its selectors describe the page as it is: words that only an earlier text has exactly are
    placed at the current text's closest passage, never on the earlier text."""
    before = problems(root)
    status, out, err = run(capsys, root, hypothesis_file(tmp_path, "The wall will cost 12 million pounds"))
    assert (status, err) == (0, ""), out
    assert "the quote has `12` where the article has `18`" in out
    text = (root / NOTES).read_text(encoding="utf-8")
    assert '    quote: "The wall will cost 18 million pounds"\n' in text and text.count("version:") == 1
    assert problems(root) == before


def test_an_annotation_file_that_did_not_exist(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (root / NOTES).unlink()
    status, out, err = run(capsys, root, hypothesis_file(tmp_path))
    assert (status, err) == (0, ""), out
    assert problems(root) == []


def test_a_pinned_note_is_checked_against_its_own_text(root: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """`31 to 4` is in the current text, not in the first one the note is pinned to."""
    pin_left_behind(root)
    assert problems(root) == []
    text = (root / NOTES).read_text(encoding="utf-8")
    (root / NOTES).write_text(text.replace('quote: "30 to 5"', 'quote: "31 to 4"'), encoding="utf-8")
    assert errors(root) == [f"quote not found in versions/{SLUG}/{FIRST}.md"]
    before = (root / NOTES).read_bytes()
    status, _, err = run(capsys, root, hypothesis_file(tmp_path))
    assert status == 1
    assert f"error: {NOTES} does not pass `python build.py check`; the 1 annotation of this file on " \
           f"content/{SLUG}.md was not imported" in err
    assert (root / NOTES).read_bytes() == before


@pytest.mark.parametrize(("change", "message"), [
    # `cost`: unpinned, a quote that resolves in no text it could have been written on; pinned, a
    # quote not in its own text
    pytest.param(lambda text: text.replace('quote: "12 million pounds"', 'quote: "14 million pounds"'),
                 "quote not found in ", id="quote-in-no-text"),
    pytest.param(lambda text: text.replace(f'version: "{FIRST}"', 'version: "2026-11-27-1000"'),
                 "`version: 2026-11-27-1000` is no text of this article", id="unknown-version"),
])
@pytest.mark.parametrize("pinned", [False, True], ids=["left-behind", "pinned"])
def test_a_file_check_rejects_is_refused(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         change: Callable[[str], str], message: str, pinned: bool) -> None:
    if pinned:
        pin_left_behind(root)
    (root / NOTES).write_text(change((root / NOTES).read_text(encoding="utf-8")), encoding="utf-8")
    found = errors(root)
    assert len(found) == 1 and found[0].startswith(message), found
    before = (root / NOTES).read_bytes()
    status, _, err = run(capsys, root, hypothesis_file(tmp_path))
    assert status == 1 and "does not pass `python build.py check`" in err
    assert (root / NOTES).read_bytes() == before


def test_a_broken_earlier_text_is_refused(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`check` reads the article's earlier texts; so does import, with or without an annotation file."""
    version = root / "versions" / SLUG / f"{FIRST}.md"
    version.write_text(version.read_text(encoding="utf-8").replace('at: "2026-11-28T10:00:00Z"', "at: yesterday"),
                       encoding="utf-8")
    pin_left_behind(root)
    assert errors(root)
    before = (root / NOTES).read_bytes()
    status, _, err = run(capsys, root, hypothesis_file(tmp_path))
    assert status == 1 and f"versions/{SLUG}/{FIRST}.md does not pass `python build.py check`" in err
    assert (root / NOTES).read_bytes() == before
    (root / NOTES).unlink()
    status, _, err = run(capsys, root, hypothesis_file(tmp_path))
    assert status == 1 and f"versions/{SLUG}/{FIRST}.md does not pass `python build.py check`" in err
    assert not (root / NOTES).exists()


def test_our_export_comes_back_on_the_texts_its_notes_are_on(root: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Export, then import into the archive without its notes: each note on an earlier text targets
    that text's page, and comes back pinned to it, on the same words (the corrected figure of the
    current text never receives the `inaccurate` verdict given to the first one)."""
    site = tmp_path / "site"
    assert pipeline.build(Project.at(root, site), BuildOptions(search=False), jobs=1).ok
    (root / NOTES).unlink()
    status, out, err = run(capsys, root, site / "articles" / SLUG / "annotations.jsonld", "--by", "ed")
    assert (status, err) == (0, ""), out
    assert "adjusted" not in out and "imported 5 annotations into 1 file" in out
    assert problems(root) == []
    text = (root / NOTES).read_text(encoding="utf-8")
    pinned = {item.split("\n")[0]: item for item in text.split("  - id: ")[1:]}
    assert f'version: "{FIRST}"' in pinned["first-count"] and '"30 to 5"' in pinned["first-count"]
    assert f'version: "{SECOND}"' in pinned["cost"] and '"12 million pounds"' in pinned["cost"]
    assert f'version: "{SECOND}"' in pinned["market"]
    assert "version:" not in pinned["borrow"] and "version:" not in pinned["about"]
    # rebuilt, every note is where it was: the same marks on every text's page
    again = tmp_path / "again"
    assert pipeline.build(Project.at(root, again), BuildOptions(search=False), jobs=1).ok
    marks = {page: mark_texts((again / page).read_text(encoding="utf-8"))
             for page in (f"articles/{SLUG}/index.html", f"articles/{SLUG}/versions/{FIRST}/index.html",
                          f"articles/{SLUG}/versions/{SECOND}/index.html")}
    assert marks == {page: mark_texts((site / page).read_text(encoding="utf-8")) for page in marks}
    assert marks[f"articles/{SLUG}/versions/{FIRST}/index.html"] == {"first-count": "30 to 5"}


def test_our_export_brings_a_note_on_a_whole_earlier_text_back_to_that_text(root: Path, tmp_path: Path,
                                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """A note on the whole of an earlier text (no quote, `version:`) came back on the current text:
    only quoted notes were looked up by the earlier text's page their target names."""
    whole = ('  - id: old-whole\n    kind: context\n    note: "The first text gave no source for the count."\n'
             f'    by: ed\n    added: 2026-11-29\n    version: "{FIRST}"\n')
    (root / NOTES).write_text((root / NOTES).read_text(encoding="utf-8") + whole, encoding="utf-8")
    assert errors(root) == []
    site = tmp_path / "site"
    assert pipeline.build(Project.at(root, site), BuildOptions(search=False), jobs=1).ok
    (root / NOTES).unlink()
    status, out, err = run(capsys, root, site / "articles" / SLUG / "annotations.jsonld", "--by", "ed")
    assert (status, err) == (0, ""), out
    text = (root / NOTES).read_text(encoding="utf-8")
    pinned = {item.split("\n")[0]: item for item in text.split("  - id: ")[1:]}
    assert f'version: "{FIRST}"' in pinned["old-whole"]
    assert "version:" not in pinned["about"]  # the current text's whole-article note stays there
    assert problems(root) == []

def test_a_note_made_before_the_outlet_changed_its_words_stays_on_that_text(
        root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Made on 29 November, when the first text was current, a note on "30 to 5" and "12 million" is
    placed on the first text and pinned to it, as `check` keeps a hand-written note of that date: its
    verdict never lands on the corrected figures. A note made then on words the outlet kept goes on
    the current text."""
    page = "https://harbourledger.example/wall"

    def row(ident: str, exact: str, suffix: str) -> dict[str, object]:
        return {"id": ident, "created": "2026-11-29T12:00:00+00:00", "updated": "2026-11-29T12:00:00+00:00",
                "user": "acct:dana@hypothes.is", "uri": page, "text": "The minutes record other figures.",
                "tags": ["claim", "inaccurate"], "target": [{"source": page, "selector": [
                    {"type": "TextQuoteSelector", "exact": exact, "prefix": "", "suffix": suffix}]}]}

    rows = [row("HarbourVote01", "Councillors voted 30 to 5 on Thursday night", " to pay for a new sea wall"),
            row("HarbourCost02", "The wall will cost 12 million pounds", ", of which the council"),
            row("HarbourQuay03", "a new sea wall along the north quay", ".\n\nThe wall")]
    path = tmp_path / "early.json"
    path.write_text(json.dumps({"total": 3, "rows": rows}, indent=1), encoding="utf-8")
    status, out, err = run(capsys, root, path)
    assert (status, err) == (0, ""), out
    assert "adjusted" not in out
    text = (root / NOTES).read_text(encoding="utf-8")
    imported = {item.split("\n")[0]: item for item in text.split("  - id: ")[1:] if "origin:" in item}
    assert set(imported) == {"councillors-voted-30-5", "wall-will-cost-12", "new-sea-wall-along"}
    for ident, words in (("councillors-voted-30-5", "30 to 5"), ("wall-will-cost-12", "12 million")):
        assert f'version: "{FIRST}"' in imported[ident] and words in imported[ident]
    assert "version:" not in imported["new-sea-wall-along"]
    assert errors(root) == []
    site = tmp_path / "site"
    assert pipeline.build(Project.at(root, site), BuildOptions(search=False), jobs=1).ok
    first = mark_texts((site / "articles" / SLUG / "versions" / FIRST / "index.html").read_text(encoding="utf-8"))
    assert first["councillors-voted-30-5"] == "Councillors voted 30 to 5 on Thursday night"
    current = mark_texts((site / "articles" / SLUG / "index.html").read_text(encoding="utf-8"))
    assert "councillors-voted-30-5" not in current and "wall-will-cost-12" not in current
    assert current["new-sea-wall-along"] == "a new sea wall along the north quay"

"""`build.py import` of another Glossator archive's export: its notes are that archive's, on that
archive's copy of the text, which may not be ours to the character (a headnote added, a paragraph
cut). So its positions only weigh in, its prefix and suffix choose the place, and its notes on the
whole article come in too."""

from __future__ import annotations

from pathlib import Path

import pytest

from glossator.cli import main
from tests.helpers import article_md, write_archive
from tests.test_import import run

STORY = """
    First the army lost ground near the river.

    Then the army lost ground near the hills.
    """
NOTES = """\
article: pos-story
annotations:
  - id: hills
    kind: context
    quote: "the army lost ground"
    prefix: "Then"
    note: The hills fight, the second time the words occur.
    by: bea
    added: 2024-06-02
  - id: whole-b
    kind: sourcing
    note: A note on the whole article in the other archive.
    by: bea
    added: 2024-06-02
"""


def other_archive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """Archive B, built under its own base_url: its article's export."""
    source = write_archive(tmp_path / "b", {"pos-story": article_md("Positions story", STORY,
                                                                    url="https://wire.example/pos-story")},
                           {"pos-story": NOTES}, "title: B\nbase_url: https://b.example/\n")
    site = tmp_path / "b-site"
    assert main(["build", "--root", str(source), "--out", str(site), "--no-search"]) == 0
    capsys.readouterr()
    return site / "articles" / "pos-story" / "annotations.jsonld"


def our_archive(tmp_path: Path, body: str = "Editor's note: corrected.\n" + STORY) -> Path:
    return write_archive(tmp_path / "a", {"pos-story": article_md("Positions story", body,
                                                                  url="https://wire.example/pos-story")},
                         site_yaml="title: A\nbase_url: https://a.example/\n")


def test_their_positions_do_not_override_their_prefix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Our copy has a headnote B's lacks: B's offsets of the second occurrence fall on our first."""
    exported = other_archive(tmp_path, capsys)
    ours = our_archive(tmp_path)
    status, out, err = run(capsys, ours, exported)
    assert (status, err) == (0, ""), out
    text = (ours / "annotations" / "pos-story.yaml").read_text(encoding="utf-8")
    assert '  - id: hills\n    kind: context\n    quote: "the army lost ground"\n    prefix: "Then"\n' in text


def test_their_notes_on_the_whole_article_come_in(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """B's export names a whole-article note's page only by B's address; our archive holds the
    article under another slug, found by the outlet's address the file's other notes give."""
    exported = other_archive(tmp_path, capsys)
    ours = write_archive(tmp_path / "a", {"army-story": article_md("Positions story", STORY,
                                                                   url="https://wire.example/pos-story")},
                         site_yaml="title: A\nbase_url: https://a.example/\n")
    status, out, err = run(capsys, ours, exported)
    assert (status, err) == (0, ""), out
    assert "skipped" not in out
    assert "whole-b  sourcing note (on the whole article)" in out
    notes = (ours / "annotations" / "army-story.yaml").read_text(encoding="utf-8")
    assert "  - id: whole-b\n    kind: sourcing\n" in notes

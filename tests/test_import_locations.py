"""Where `build.py import` says an annotation it refuses stands in the file: at that annotation, by
line and column, whether it has an id to find it by or not, and what to do about it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.test_import import FIXTURES, run
from tests.test_import_addresses import hypothesis_row

ARMY_PAGE = "https://www.example-news.org/2024/05/army-figures"

W3C_LIST = """\
[
  {"@context": "http://www.w3.org/ns/anno.jsonld", "id": "urn:uuid:1111", "type": "Annotation",
   "bodyValue": "A claim with no verdict here, which cannot be imported.", "motivation": "assessing",
   "creator": "carol", "target": {"source": "%(page)s", "selector": {"type": "TextQuoteSelector",
   "exact": "Officials called it"}}},
  {"@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation",
   "bodyValue": "Second, without an id, and nobody to credit.",
   "target": {"source": "%(page)s", "selector": {"type": "TextQuoteSelector", "exact": "crystal clear"}}},
  "https://example.org/anno/3",
  42
]
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    copy = tmp_path / "archive"
    shutil.copytree(FIXTURES / "archive", copy)
    return copy


def test_each_w3c_entry_is_reported_where_it_stands(root: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "list.json"
    path.write_text(W3C_LIST % {"page": ARMY_PAGE}, encoding="utf-8")
    status, _, err = run(capsys, root, path)
    assert status == 1
    shown = str(path)
    assert f"{shown}:2:52: error: not imported: a claim with no verdict" in err
    # the id-less annotation at its own place, not at the one before it
    assert f"{shown}:6:3: error: not imported: no author the archive can name" in err
    assert f"{shown}:9:3: error: an annotation is given only by its IRI, not embedded: not imported" in err
    assert f"{shown}:10:3: error: an entry of the file is not an annotation\n" in err


def test_a_hypothesis_row_without_an_id_and_a_stray_entry(root: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    saved = hypothesis_row("Located00001", ARMY_PAGE, "crystal clear", "A note that was saved, with its id.")
    draft = hypothesis_row("", ARMY_PAGE, "Officials called it", "A draft the client never saved.")
    del draft["id"]
    path = tmp_path / "rows.json"
    rows = ",\n ".join([json.dumps(saved), json.dumps(draft), '"not a row"'])
    path.write_text('{"total": 3, "rows": [\n ' + rows + "\n]}\n", encoding="utf-8")
    status, _, err = run(capsys, root, path)
    assert status == 1
    assert f"{path}:3:2: error: not imported: no `id`" in err  # the row itself: it has no id to point at
    assert f"{path}:4:2: error: an entry of the file is not an annotation object" in err


def test_a_quote_of_the_headline_is_explained(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    title = next(line for line in (root / "content" / "army-figures.md").read_text(encoding="utf-8").splitlines()
                 if line.startswith("title:")).split(":", 1)[1].strip().strip('"')
    path = tmp_path / "headline.json"
    path.write_text(json.dumps({"total": 1, "rows": [hypothesis_row(
        "Headline0001", ARMY_PAGE, title, "The headline overstates what one spokesman said.")]}), encoding="utf-8")
    status, _, err = run(capsys, root, path)
    assert status == 1
    assert "the quote is the article's headline (the `title` of content/army-figures.md)" in err
    assert "make it a note on the whole article" in err and "is this annotation about this article?" not in err

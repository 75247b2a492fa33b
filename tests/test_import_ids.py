"""The ids `import` and `new` make from the quoted words: never one the page gives its own elements
(`search-results`, `main`…) or one of its highlight and reference prefixes (`hl-`, `ref-`), which
`check` refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from glossator.build import pipeline
from glossator.cli import main
from glossator.project import Project
from tests.helpers import article_md, write_archive
from tests.test_import_addresses import hypothesis_row, write_rows

PAGE = "https://news.example.org/search-story"
BODY = """
    Users saw the search results first, then the ads.

    HL Mencken was quoted on the main page.
    """


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_archive(tmp_path / "archive", {"search-story": article_md("Search story", BODY, url=PAGE)})


def ids(root: Path) -> list[str]:
    text = (root / "annotations" / "search-story.yaml").read_text(encoding="utf-8")
    return [line.split("id: ", 1)[1] for line in text.splitlines() if line.startswith("  - id: ")]


def test_import_makes_ids_the_page_does_not_reserve(root: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    path = write_rows(tmp_path / "rows.json",
                      hypothesis_row("Reserved0001", PAGE, "search results", "Which search engine, and when?"),
                      hypothesis_row("Reserved0002", PAGE, "HL Mencken", "Mencken died in 1956, so not recently."),
                      hypothesis_row("Reserved0003", PAGE, "main", "The main page of which site, and on which day?"))
    status = main(["import", "--root", str(root), str(path)])
    out, err = capsys.readouterr()
    assert (status, err) == (0, ""), out
    assert ids(root) == ["search-results-2", "note-hl-mencken", "main-2"]
    assert [d.message for d in pipeline.check(Project.at(root), jobs=1) if d.is_error] == []


def test_new_makes_ids_the_page_does_not_reserve(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "--root", str(root), "search-story", "search results"]) == 0
    assert main(["new", "--root", str(root), "search-story", "HL Mencken"]) == 0
    capsys.readouterr()
    assert ids(root) == ["search-results-2", "note-hl-mencken"]

"""`build.py import` again after the annotation was edited where it was made: import never rewrites a
note of the archive (people edit these files), but says which note is behind, where, and how to apply
the change."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import article_md, write_archive
from tests.test_import import run
from tests.test_import_addresses import hypothesis_row, write_rows

PAGE = "https://news.example.org/vote"


def test_an_annotation_edited_since_it_was_imported_is_reported(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    root = write_archive(tmp_path / "archive", {"vote": article_md(
        "Vote", "The council approved the plan by 40 votes to 2 on Monday.\n", url=PAGE)})
    first = hypothesis_row("Edited000001", PAGE, "by 40 votes to 2", "The minutes record 38 votes to 4 that day.",
                           tags=("claim", "inaccurate"))
    assert run(capsys, root, write_rows(tmp_path / "first.json", first))[0] == 0
    notes = root / "annotations" / "vote.yaml"
    before = notes.read_bytes()
    line = before.decode().splitlines().index("  - id: 40-votes-2") + 1
    edited = {**first, "updated": "2024-07-01T09:00:00+00:00", "tags": ["claim", "accurate"],
              "text": "Corrected: the minutes do record 40 votes to 2."}
    status, out, err = run(capsys, root, write_rows(tmp_path / "edited.json", edited))
    assert status == 0 and "1 × imported before" in out
    assert (f"edited.json:5:4: warning: changed on 2024-07-01 where it was made, after the version imported as "
            f"`40-votes-2` (annotations/vote.yaml:{line}, 2024-05-10)") in err
    assert "its text now: “Corrected: the minutes do record 40 votes to 2.” (tags: claim, accurate)" in err
    assert f"edit `40-votes-2` at annotations/vote.yaml:{line}" in err and "`updated: 2024-07-01`" in err
    assert notes.read_bytes() == before
    # not edited since: nothing said
    status, out, err = run(capsys, root, write_rows(tmp_path / "same.json", first))
    assert status == 0 and "changed on" not in err

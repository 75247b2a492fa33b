"""The front matter of an article (load.py): it opens with a first line that is `---`, and ends at
the first line after it that is `---`, each once trailing white space is stripped; found by a search,
it must split exactly as going through the file line by line does."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from glossator.load.files import _read_bytes, split_front_matter

# `---` with every kind of trailing white space (str.isspace), and lines that only look like it
LINES = ["---", "--- ", "---\t", "---\x0b", "---\x0c", "---\x1c", "---\x85", "---\xa0", "---\u2028", "---\u3000",
         "----", " ---", "---x", "--", "-- -", "", " ", "title: x", "a: ---", "\u2029", "\x85"]


def by_lines(text: str) -> tuple[str, int, str, int] | None:
    lines = text.split("\n")
    if len(lines) < 2 or lines[0].rstrip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() == "---":
            return "\n".join(lines[1:index]), 2, "\n".join(lines[index + 1 :]), index + 2
    return None


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(LINES), max_size=8), st.booleans(), st.booleans())
@example(["---"], True, False)
@example([], True, True)
@example(["--- ", "title: x", "---"], False, True)
def test_front_matter_splits_as_line_by_line(lines: list[str], opened: bool, final_newline: bool) -> None:
    text = ("---\n" if opened else "") + "\n".join(lines) + ("\n" if final_newline else "")
    assert split_front_matter(text) == by_lines(text), repr(text)


def test_a_file_is_read_whole_or_refused_by_its_size(tmp_path: Path) -> None:
    # (load/files.py reads with one open and one fstat; what it reads past the fstat's size counts too)
    path = tmp_path / "a.md"
    path.write_bytes(b"0123456789")
    assert _read_bytes(path, 10) == (10, b"0123456789")
    assert _read_bytes(path, 9) == (10, None)
    (tmp_path / "empty.md").write_bytes(b"")
    assert _read_bytes(tmp_path / "empty.md", 0) == (0, b"")
    fifo = tmp_path / "fifo.md"  # a file whose size says nothing of its length: read to its end, refused past the limit
    os.mkfifo(fifo)
    for limit, expected in ((200, b"x" * 100), (50, None)):
        writer = threading.Thread(target=lambda: fifo.write_bytes(b"x" * 100))
        writer.start()
        assert _read_bytes(fifo, limit)[1] == expected
        writer.join(timeout=5)

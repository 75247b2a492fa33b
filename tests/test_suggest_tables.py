""""Suggest an annotation" (templates/static/suggest.js) restates Python's rules so that the stub a
reader gets anchors where they selected, as `build.py new` would make it: the fold table and
white-space rule anchoring compares with, how many words of context it offers, and how an id is
made. Python owns them; these tests read suggest.js's copies and fail when the two differ. (The
ids and stubs made with them are compared in a browser: tests/browser/test_suggest.py.)"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

# Python's side, in one place (module paths change when the package is reorganised)
from glossator.anchor.fold import _FOLDED as PY_FOLDED
from glossator.anchor.fold import _SPACE_RUN as PY_SPACE_RUN
from glossator.anchor.locate import MAX_CONTEXT_WORDS as PY_MAX_CONTEXT_WORDS
from glossator.new import _STOPWORDS as PY_STOPWORDS
from glossator.new import ID_WORDS as PY_ID_WORDS

SUGGEST_JS = Path(__file__).resolve().parent.parent / "templates" / "static" / "suggest.js"


def js_constant(source: str, name: str) -> Any:
    """The value of `const NAME = <JSON>;` (or `new Set(<JSON>)`) in the script."""
    match = re.search(rf"^\s*const {name} = (new Set\()?", source, re.M)
    assert match, f"suggest.js has no `const {name} = …`: keep the name, or change this test with it"
    value, end = json.JSONDecoder().raw_decode(source, match.end())
    closing = ")" if match.group(1) else ""
    assert source.startswith(closing + ";", end), f"suggest.js: `const {name}` is not a JSON literal"
    return value


def js_regex(source: str, name: str) -> str:
    """The pattern of `const NAME = /pattern/flags;`."""
    match = re.search(rf"^\s*const {name} = /(.+)/[a-z]*;$", source, re.M)
    assert match, f"suggest.js has no `const {name} = /…/;`"
    return match.group(1)


@pytest.fixture(scope="module")
def source() -> str:
    return SUGGEST_JS.read_text(encoding="utf-8")


def test_fold_table_is_pythons(source: str) -> None:
    folded: dict[str, str] = {}
    for chars, plain in js_constant(source, "FOLD"):
        for char in chars:
            assert char not in folded, f"U+{ord(char):04X} is in suggest.js's FOLD twice"
            folded[char] = plain
    named = {char: f"U+{ord(char):04X}" for char in {*folded, *PY_FOLDED}}
    assert {named[c]: p for c, p in folded.items()} == {named[c]: p for c, p in PY_FOLDED.items()}


def test_white_space_rule_is_pythons(source: str) -> None:
    assert js_regex(source, "SPACE_RUN") == PY_SPACE_RUN.pattern


def test_context_length_is_pythons(source: str) -> None:
    assert js_constant(source, "MAX_CONTEXT_WORDS") == PY_MAX_CONTEXT_WORDS


def test_id_words_and_stop_words_are_pythons(source: str) -> None:
    assert js_constant(source, "ID_WORDS") == PY_ID_WORDS
    stopwords = js_constant(source, "STOPWORDS")
    assert len(stopwords) == len(set(stopwords))
    assert sorted(stopwords) == sorted(PY_STOPWORDS)


def test_the_tables_are_what_the_script_uses(source: str) -> None:
    """A table read here but no longer used by the script would make the tests above vacuous."""
    code = re.sub(r"//.*", "", source)  # comments name the tables too
    for name in ("FOLD", "SPACE_RUN", "MAX_CONTEXT_WORDS", "ID_WORDS", "STOPWORDS"):
        uses = len(re.findall(rf"\b{name}\b", code)) - 1  # less the definition
        assert uses >= 1, f"suggest.js defines {name} but does not use it"

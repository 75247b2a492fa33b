"""Per-article data files put one array element per line so the archive-wide exports are
merged by joining lines (jsontext.py, merge.py): the text must stay exactly the JSON it
stands for, and the merge must find exactly the elements written."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from glossator.exports.jsontext import ARRAY, array_elements, document_bytes, dumps, layout, to_text
from tests.helpers import article_md, build_site, run_cli

# NUL marks an array in the encoder's text; the values we export never hold control characters,
# nor lone surrogates (UTF-8 has none: the files are bytes)
CHARS = st.characters(blacklist_characters="\0", blacklist_categories=("Cs",))
text = st.text(CHARS)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=12,
)
names = st.text(CHARS, min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(CHARS, max_size=8), json_values, max_size=4),
       st.dictionaries(names, st.lists(json_values, max_size=4), min_size=1, max_size=3), st.booleans())
def test_text_is_the_document_and_splits_back(base: dict[str, Any], arrays: dict[str, list[Any]],
                                              nested: bool) -> None:
    document: dict[str, Any] = {k: v for k, v in base.items() if k not in arrays}
    holder = document.setdefault("inner", {}) if nested and isinstance(document.get("inner", {}), dict) \
        else document
    for name in arrays:
        holder[name] = ARRAY
    text = to_text(document, {name: [dumps(e) for e in elements] for name, elements in arrays.items()})
    # a layout worked out once (exports.py keeps the data files' one) writes the same text
    assert to_text(layout(document), {name: [dumps(e) for e in elements] for name, elements in arrays.items()}) == text
    expected = json.loads(json.dumps(document, default=lambda _: None))
    for name, elements in arrays.items():
        holder_expected = expected["inner"] if holder is not document else expected
        holder_expected[name] = elements
    assert json.loads(text) == expected
    for name, elements in arrays.items():  # the merge's way back to the elements, as bytes
        assert array_elements(text.encode(), name) == [dumps(e).encode() for e in elements]
    assert document_bytes(layout(document), {name: [dumps(e).encode() for e in elements]
                                             for name, elements in arrays.items()}) == text.encode()


def test_a_changed_built_file_fails_the_next_build_clearly(make_archive: Callable[..., Path]) -> None:
    root = make_archive(articles={"one": article_md("One", "The quick brown fox.")},
                        annotations={"one": "article: one\nannotations:\n  - id: fox\n    kind: context\n"
                                            "    quote: brown fox\n    note: A fox.\n    by: me\n"
                                            "    added: 2026-01-02\n"})
    site = root / "site"
    build_site(root, site, "--no-search")
    data = site / "data" / "articles" / "one.json"
    data.write_text(json.dumps(json.loads(data.read_text())), encoding="utf-8")  # re-encoded by another tool
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    (root / "content" / "two.md").write_text(article_md("Two", "Another article."), encoding="utf-8")
    result = run_cli("build", "--root", root, "--out", site, "--no-search")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "site/data/articles/one.json" in result.stderr and "build again" in result.stderr
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before


@given(json_values)
def test_dumps_writes_what_the_json_module_writes(value: Any) -> None:
    """orjson is a speed-up only: the exports' bytes are those of json.dumps with our options."""
    import json

    assert dumps(value) == json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def test_an_array_is_found_by_its_own_key_not_by_the_end_of_another() -> None:
    """`"\\"a":[` ends with `"a":[`: the merge must not take that array's elements for those of `a`."""
    document = {'"a': ARRAY, "a": ARRAY, "x": 'say "a":['}
    text = to_text(document, {'"a': [dumps("first")], "a": [dumps("second"), dumps(2)]}).encode()
    assert array_elements(text, "a") == [b'"second"', b"2"]
    assert array_elements(text, '"a') == [b'"first"']
    assert array_elements(text, "missing") == []

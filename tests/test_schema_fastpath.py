"""The compiled fast path (jsonschema-rs) and jsonschema agree on every document (annotation
files, front matter, site.yaml), so skipping jsonschema for files the fast path accepts can
never hide an error."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from glossator.validate import schema

SCALARS = st.one_of(
    st.sampled_from(["", "x", "claim", "sourcing", "context", "mixed", "Bad Id", "a-b", "2026-11-24", "2026-1-2",
                     "https://example.org/a", "javascript:alert(1)", "http://", "ok-id", "\n", "é"]),
    st.integers(-3, 3), st.booleans(), st.none(),
)
KEYS = ["id", "kind", "quote", "prefix", "suffix", "verdict", "note", "by", "added", "updated", "sources",
        "links", "qoute", "title", "url", "publisher", "date", "archived"]
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.sampled_from(KEYS), inner, max_size=5),
), max_leaves=12)


def annotation() -> st.SearchStrategy[dict[str, object]]:
    valid = st.fixed_dictionaries({
        "id": st.sampled_from(["a", "b-2", "Bad Id"]),
        "kind": st.sampled_from(["claim", "sourcing", "context", "other"]),
        "note": st.sampled_from(["A note.", ""]),
        "by": st.one_of(st.just("me"), st.lists(st.sampled_from(["me", "you", "no spaces!"]), max_size=2)),
        "added": st.sampled_from(["2026-11-24", "2026-13-45", "24.11.2026"]),
    }, optional={
        "quote": st.sampled_from(["words", ""]),
        "prefix": st.just("before "),
        "suffix": st.just(" after"),
        "verdict": st.sampled_from(["mixed", "Mixed", "made-up"]),
        "sources": st.lists(st.fixed_dictionaries({"title": st.just("T")}, optional={
            "url": st.sampled_from(["https://e.org/", "ftp://e.org/", "HTTPS://E.ORG/x"]),
            "date": st.sampled_from(["2015", "2015-12", "2015-12-20", "Dec 2015"])}), max_size=2),
        "links": st.lists(st.dictionaries(st.sampled_from(["title", "url", "extra"]), SCALARS), max_size=2),
        "qoute": st.just("typo"),
    })
    return st.one_of(valid, st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=6))


@settings(max_examples=400, deadline=None)
@given(st.fixed_dictionaries({"article": st.sampled_from(["ok-slug", "Bad Slug", 3]),
                              "annotations": st.lists(annotation(), max_size=3)},
                             optional={"extra": SCALARS}))
def test_fast_path_agrees_with_jsonschema_on_annotation_files(document: dict[str, object]) -> None:
    name = "annotations.schema.json"
    assert schema.is_valid_fast(name, document) == schema.validator(name).is_valid(document)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["title", "source", "published", "url", "archived", "author", "language",
                                        "tags", "summary", "draft", "titel"]), VALUES, max_size=8))
def test_fast_path_agrees_with_jsonschema_on_front_matter(document: dict[str, object]) -> None:
    name = "article.schema.json"
    assert schema.is_valid_fast(name, document) == schema.validator(name).is_valid(document)


def verdict() -> st.SearchStrategy[dict[str, object]]:
    valid = st.fixed_dictionaries({"id": st.sampled_from(["mixed", "Mostly True", "", 3]),
                                   "label": st.sampled_from(["Mixed", ""])},
                                  optional={"rating": st.sampled_from([5, 5.0, None, "5", 2.5, False]),
                                            "description": st.sampled_from(["Partly right.", 7]),
                                            "colour": st.just("red")})
    return st.one_of(valid, st.dictionaries(st.sampled_from(["id", "label", "rating", "description"]), VALUES,
                                            max_size=4))


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({}, optional={
    "title": st.sampled_from(["An archive", "", 3]),
    "description": st.sampled_from(["Notes.", None]),
    "base_url": st.sampled_from(["https://example.org/archive/", "http://127.0.0.1:8000/", "ftp://example.org/",
                                 "example.org", "https://example.org/a b", ""]),
    "repo_url": st.sampled_from(["", "https://github.com/owner/repo", "github.com/owner/repo", "http://"]),
    "repo_branch": st.sampled_from(["main", ""]),
    "language": st.sampled_from(["en", "en-GB", "english", "e", "zh-Hant-TW"]),
    "max_file_bytes": st.sampled_from([999, 1000, 2_000_000, 2000.0, -1, 1.5, "1000", True]),
    "verdicts": st.one_of(st.lists(verdict(), max_size=3), VALUES),
    "titel": SCALARS,
}))
def test_fast_path_agrees_with_jsonschema_on_site_yaml(document: dict[str, object]) -> None:
    name = "site.schema.json"
    assert schema.is_valid_fast(name, document) == schema.validator(name).is_valid(document)

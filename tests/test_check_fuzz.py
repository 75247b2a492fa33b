"""`check` never raises on bad input: whatever a pull request puts in an annotation file
(YAML of any shape, broken YAML, arbitrary bytes), the answer is diagnostics."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glossator.build import pipeline
from glossator.diagnostics import Diagnostic, format_github, format_text
from glossator.project import Project
from tests.helpers import article_md, write_archive

BODY = """
The **minister** said the army lost 600 soldiers in [June](https://example.org/june).

Critics said “the figure” was too low — far too low. The minister said nothing more.

- a list item with `code` and *emphasis*
- another item: the minister said so

| a | b |
|---|---|
| the army | 600 |
"""
WORDS = BODY.split()
KEYS = ["article", "annotations", "id", "kind", "quote", "prefix", "suffix", "verdict", "note", "sources",
        "links", "by", "added", "updated", "title", "url", "publisher", "date", "archived", "qoute"]
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = write_archive(tmp_path_factory.mktemp("fuzz") / "archive", {"sample": article_md("Sample", BODY)})
    return Project.at(root)


def passages() -> st.SearchStrategy[str]:
    """Runs of the article's words: quotes, prefixes and suffixes that may or may not anchor."""
    return st.tuples(st.integers(0, len(WORDS) - 1), st.integers(1, 8)).map(
        lambda span: " ".join(WORDS[span[0] : span[0] + span[1]]))


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=30), passages(),
    st.sampled_from(["claim", "sourcing", "context", "accurate", "mixed", "TODO", "sample", "https://example.org",
                     "javascript:alert(1)", "2024-02-30", "2024-06", "tester"]),
    st.dates(min_value=dt.date(1, 1, 1)),
)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8),
                                                                      children, max_size=6),
    max_leaves=25,
)
annotation = st.dictionaries(st.sampled_from(KEYS), values, max_size=10)
context = passages() | st.text(max_size=12) | st.sampled_from(["the ", " said", "— ", "“", "**"])
# sound annotations, so anchoring and its hints run on quotes, prefixes and suffixes of every kind
sound = st.fixed_dictionaries(
    {"id": st.from_regex(r"[a-z0-9][a-z0-9-]{0,10}", fullmatch=True), "kind": st.just("context"),
     "note": st.just("A note long enough to be a sentence."), "by": st.just("tester"), "added": st.dates()},
    optional={"quote": passages() | st.text(min_size=1, max_size=40), "prefix": context, "suffix": context},
)
documents = st.one_of(
    values,
    st.fixed_dictionaries({"article": st.sampled_from(["sample", "other", "Sample"]) | values,
                           "annotations": st.lists(annotation | sound, max_size=5) | values}),
)


def yaml_text(document: object) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def run_check(project: Project, data: bytes) -> list[Diagnostic]:
    (project.annotations_dir / "sample.yaml").write_bytes(data)
    diagnostics = pipeline.check(project)
    # every diagnostic can be printed, in both formats, and points into the archive
    format_text(diagnostics, project.root)
    format_github(diagnostics)
    for diag in diagnostics:
        assert diag.path in ("annotations/sample.yaml", "content/sample.md"), diag
        assert diag.line >= 0 and diag.col >= 0 and diag.message
    return diagnostics


@FUZZ
@given(documents)
def test_yaml_of_any_shape(project: Project, document: object) -> None:
    run_check(project, yaml_text(document).encode("utf-8"))


@FUZZ
@given(documents, st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 3), st.text(max_size=3)), max_size=4))
def test_yaml_with_edits(project: Project, document: object, edits: list[tuple[int, int, str]]) -> None:
    """Valid YAML, then characters cut and inserted here and there: broken indentation, quotes, colons."""
    text = yaml_text(document)
    for at, cut, insert in edits:
        at %= len(text) + 1
        text = text[:at] + insert + text[at + cut :]
    run_check(project, text.encode("utf-8"))


@FUZZ
@given(st.text())
def test_arbitrary_text(project: Project, text: str) -> None:
    run_check(project, text.encode("utf-8", errors="surrogatepass"))


@FUZZ
@given(st.binary(max_size=400))
def test_arbitrary_bytes(project: Project, data: bytes) -> None:
    run_check(project, data)


def test_a_good_file_gives_no_diagnostics(project: Project) -> None:
    """The property tests above would pass on a `check` that reports everything: this one would not."""
    good = {"article": "sample", "annotations": [{
        "id": "toll", "kind": "claim", "quote": "the army lost 600 soldiers", "verdict": "inaccurate",
        "note": "Independent counts put the toll far higher.", "by": "tester", "added": "2024-06-01",
    }]}
    assert run_check(project, yaml_text(good).encode("utf-8")) == []

"""Fuzzing the stages that read strangers' bytes (issue 9): the loaders, the YAML reader and the
anchoring. Whatever comes in, the answer is a value or diagnostics that point into the file:
never an uncaught exception, and never more than a bounded time per example (the deadline).

Arbitrary bytes go in as an annotation file and as an article, both raw and as mutations of good
files (so the fuzzer reaches past the first line); the YAML reader gets YAML-shaped text rich in
the constructs it must refuse; anchoring gets adversarial Markdown (tables, code, lists, quotes,
entities, escapes, emoji, combining marks, bidi and line-separator characters) with quotes,
prefixes and suffixes cut from its own page text or made up.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from glossator.anchor.annotate import annotate_article
from glossator.anchor.fold import fold, fold_text
from glossator.anchor.markdown import parse
from glossator.anchor.textmap import page_text
from glossator.diagnostics import Diagnostic, format_text
from glossator.load.files import load_annotations, load_article
from glossator.load.yamlio import MAX_DEPTH, YamlProblem, decode_utf8, parse_yaml
from glossator.model import Annotation, Article, Position, YNode
from glossator.project import Project
from glossator.validate.rules import validate_annotations, validate_article
from glossator.validate.site import DEFAULTS
from tests.html_text import HtmlText

# Bounded time per example: generous for a loaded CI machine, far below what a hang would take.
FUZZ = settings(max_examples=400, deadline=dt.timedelta(seconds=2), suppress_health_check=[HealthCheck.too_slow])

GOOD_ANNOTATIONS = b"""\
# yaml-language-server: $schema=../schemas/annotations.schema.json
article: sample
annotations:
  - id: toll
    kind: claim
    quote: "lost 600 soldiers"
    prefix: "army "
    verdict: inaccurate
    note: |
      The inquiry counted **1,700**. See [the report](https://example.org/report).
    sources: [{title: Report, url: "https://example.org/r", publisher: Inquiry, date: 2015-06}]
    links:
      - {title: Background, url: "https://example.org/b"}
    by: [tester, other.person]
    added: 2024-06-01
"""
GOOD_ARTICLE = """\
---
title: "The army’s losses"
source: Example Outlet
published: 2015-06
tags: [iraq, army]
summary: A sample.
---
The **minister** said the army lost 600 soldiers in [June](https://example.org/june).

> Critics said “the figure” was too low — far too low.

- one item
- two `items`

| a | b |
|---|---|
| the army | 600 |
""".encode()

# Pieces that matter to a YAML parser, or to our refusals of its features.
YAML_PIECES = [
    "article: sample\n", "annotations:\n", "  - ", "    ", "id: x\n", "kind: claim\n", "quote: ", "note: |\n",
    ": ", "- ", "[", "]", "{", "}", ",", "&a ", "*a", "!!str ", "!tag ", "!!python/object:os.system ", "? ",
    "'", '"', "\\x1b", "\\u2028", "\\0", "#", "|", ">", "---\n", "...\n", "%YAML 1.1\n", "%TAG ! tag:x,2000:\n",
    "<<: ", "\t", "\n", "\r\n", "\ufeff", "\u2028", "\x85", "\x00", "\x1b", "é", "😀", "2024-13-45", "0x1F",
    "1e400", "~", "null", "yes", ".nan",
]
yaml_shaped = st.lists(st.sampled_from(YAML_PIECES) | st.text(max_size=4), max_size=60).map("".join)


def mutated(good: bytes) -> st.SearchStrategy[bytes]:
    """A good file with bytes cut, inserted and flipped here and there."""
    edit = st.tuples(st.integers(0, len(good)), st.integers(0, 8), st.binary(max_size=6))

    def apply(edits: list[tuple[int, int, bytes]]) -> bytes:
        data = good
        for at, cut, insert in edits:
            at %= len(data) + 1
            data = data[:at] + insert + data[at + cut:]
        return data

    return st.lists(edit, min_size=1, max_size=6).map(apply)


def any_bytes(good: bytes) -> st.SearchStrategy[bytes]:
    return st.one_of(st.binary(max_size=600), mutated(good), yaml_shaped.map(lambda t: t.encode("utf-8", "replace")))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("fuzz") / "archive"
    (root / "content").mkdir(parents=True)
    (root / "annotations").mkdir()
    (root / "content" / "sample.md").write_bytes(GOOD_ARTICLE)
    return Project.at(root)


def lines_of(data: bytes) -> int:
    return data.count(b"\n") + data.count(b"\r") + 1


def check_diagnostics(diagnostics: list[Diagnostic], path: str, data: bytes, root: Path) -> None:
    """Each diagnostic names the file, a line inside it (0: the whole file) and can be printed."""
    format_text(diagnostics, root)
    for diag in diagnostics:
        assert diag.path == path, diag
        assert 0 <= diag.line <= lines_of(data) + 1, (diag, lines_of(data))
        assert diag.col >= 0 and diag.message, diag


@FUZZ
@given(any_bytes(GOOD_ANNOTATIONS))
def test_any_bytes_as_an_annotation_file(project: Project, data: bytes) -> None:
    path = project.annotations_dir / "sample.yaml"
    path.write_bytes(data)
    raw, problems = load_annotations(project, path, DEFAULTS.max_file_bytes)
    check_diagnostics(problems, "annotations/sample.yaml", data, project.root)
    assert (raw is None) == bool(problems)
    if raw is not None:
        _validated, problems = validate_annotations(raw, DEFAULTS, {"sample"})
        check_diagnostics(problems, "annotations/sample.yaml", data, project.root)


@FUZZ
@given(any_bytes(GOOD_ARTICLE))
def test_any_bytes_as_an_article(project: Project, data: bytes) -> None:
    """Load, validate, anchor and render: every stage an article's bytes go through."""
    path = project.content_dir / "fuzzed.md"
    path.write_bytes(data)
    raw, problems = load_article(project, path, DEFAULTS.max_file_bytes)
    check_diagnostics(problems, "content/fuzzed.md", data, project.root)
    if raw is None:
        return
    article, problems = validate_article(raw, DEFAULTS)
    check_diagnostics(problems, "content/fuzzed.md", data, project.root)
    if article is not None:
        annotated, problems = annotate_article(article, (), DEFAULTS)
        assert annotated is not None and not problems
        assert annotated.page_text == page_text(parse(article.body)).text


@FUZZ
@given(yaml_shaped | st.text(max_size=300))
def test_the_yaml_reader_returns_a_tree_or_a_positioned_problem(text: str) -> None:
    try:
        root = parse_yaml(text)
    except YamlProblem as problem:
        assert 1 <= problem.line <= text.count("\n") + text.count("\r") + 2, (problem.line, problem.message)
        assert problem.col >= 1 and problem.message
        return
    for node, depth in walk(root):
        assert depth <= MAX_DEPTH
        assert node.line >= 1 and node.col >= 1
        if node.kind == "scalar" and isinstance(node.value, str):
            # what the reader lets through never holds a character it refuses in a file
            assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", node.value), repr(node.value)


def walk(node: YNode | None, depth: int = 1) -> list[tuple[YNode, int]]:
    if node is None:
        return []
    out = [(node, depth)]
    children = node.value.values() if node.kind == "mapping" else node.value if node.kind == "sequence" else ()
    for child in children:
        out += walk(child, depth + 1 if child.kind != "scalar" else depth)
    return out


def test_the_yaml_reader_refuses_what_it_must() -> None:
    """The properties above would hold for a reader that accepted everything: this would not."""
    for text in ("a: &x 1\n", "a: *x\n", "a: !!python/object:os.system x\n", "a: " + "[" * 100 + "]" * 100,
                 'a: "\\x1b"\n', "a: 1\n---\nb: 2\n", "a: 1\na: 2\n"):
        with pytest.raises(YamlProblem):
            parse_yaml(text)


@FUZZ
@given(st.binary(max_size=200))
def test_decoding_reports_the_first_bad_byte(data: bytes) -> None:
    text, bad = decode_utf8(data)
    try:
        expected = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        assert text is None and bad is not None
        line, col, offset = bad
        assert offset == exc.start and line == data[:offset].count(b"\n") + 1 and col >= 1
        return
    assert bad is None and text is not None
    assert text == expected.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


# --- anchoring ------------------------------------------------------------------------------------

WORDS = ["the", "army", "lost", "600", "soldiers", "“quoted”", "it’s", "—", "x–y", "café", "cafe\u0301", "😀",
         "\u202eevil", "zero\u200bwidth", "line\u2028sep", "nbsp\u00a0here", "&amp;", "&lt;b&gt;", "\\*", "<b>",
         "a_b", "ＡＢＣ", "ﬁ", "İ", "ß", "Ω", "‘", "’", "...", "1,700", "**", "_", "`", "[", "]", "(", ")", "#",
         "\t", "  ", "<https://example.org>", "<script>"]
word = st.sampled_from(WORDS)


@st.composite
def inline(draw: st.DrawFn) -> str:
    words = draw(st.lists(word, min_size=1, max_size=10))
    out = []
    for w in words:
        style = draw(st.sampled_from(["", "", "", "**", "*", "_", "~~", "`", "link", "image", "break"]))
        if style == "link":
            out.append(f"[{w}](https://example.org/{len(out)})")
        elif style == "image":
            out.append(f"![{w}](/img.png)")
        elif style == "break":
            out.append(w + draw(st.sampled_from(["  \n", "\\\n", "\n"])))
        else:
            out.append(f"{style}{w}{style}")
    return " ".join(out)


@st.composite
def block(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["p", "p", "p", "h", "quote", "list", "olist", "code", "fence", "table", "hr",
                                 "aside", "html"]))
    text = draw(inline())
    if kind == "h":
        return "#" * draw(st.integers(1, 6)) + " " + text
    if kind == "quote":
        return "> " + text + "\n> " + draw(inline())
    if kind in ("list", "olist"):
        items = draw(st.lists(inline(), min_size=1, max_size=4))
        nested = draw(st.booleans())
        marker = "- " if kind == "list" else "1. "
        return "\n".join(("   " if nested and i else "") + marker + item for i, item in enumerate(items))
    if kind == "code":
        return "    " + text.replace("\n", " ")
    if kind == "fence":
        return "```\n" + text + "\n```"
    if kind == "table":
        return f"| {text.replace(chr(10), ' ')} | b |\n|---|---|\n| {draw(inline()).replace(chr(10), ' ')} | d |"
    if kind == "hr":
        return "***"
    if kind == "aside":
        return "::: aside\n" + text + "\n:::"
    if kind == "html":
        return "<div>\n" + text + "\n</div>"
    return text


articles = st.lists(block(), min_size=1, max_size=6).map("\n\n".join)


@st.composite
def article_and_selector(draw: st.DrawFn) -> tuple[str, str, str | None, str | None]:
    body = draw(articles)
    text = page_text(parse(body)).text
    made_up = st.text(min_size=1, max_size=30) | st.lists(word, min_size=1, max_size=5).map(" ".join)
    if text.strip() and draw(st.integers(0, 3)):  # mostly words of the article, as contributors quote
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, min(len(text), start + 80)))
        quote = text[start:end]
        # as a contributor copies it: line breaks and spaces changed, curly quotes straightened
        quote = draw(st.sampled_from([quote, " ".join(quote.split()), quote.replace("“", '"').replace("’", "'")]))
        context = st.none() | st.none() | st.none()
        prefix = draw(context | st.just(text[max(0, start - 12):start]) | made_up)
        suffix = draw(context | st.just(text[end:end + 12]) | made_up)
    else:
        quote = draw(made_up)
        prefix = draw(st.none() | made_up)
        suffix = draw(st.none() | made_up)
    assume(re.search(r"\w", quote))  # a slice of blanks between blocks is no quote anyone writes
    return body, quote, prefix or None, suffix or None


def annotation(quote: str, prefix: str | None, suffix: str | None) -> Annotation:
    where = Position("annotations/sample.yaml", 3, 5)
    return Annotation(id="a", kind="claim", note="A note.", by=("tester",), added=dt.date(2024, 1, 1),
                      position=where, quote=quote, prefix=prefix, suffix=suffix, verdict="mixed")


@settings(max_examples=600, deadline=dt.timedelta(seconds=2), suppress_health_check=[HealthCheck.too_slow])
@given(article_and_selector())
def test_anchoring_random_articles_and_selectors(case: tuple[str, str, str | None, str | None]) -> None:
    body, quote, prefix, suffix = case
    article = Article(slug="sample", path="content/sample.md", title="T", source="S", published="2024", body=body,
                      body_line=6, language="en")
    annotated, problems = annotate_article(article, (annotation(quote, prefix, suffix),), DEFAULTS)
    needle = fold(quote).strip()
    folded = fold_text(page_text(parse(body)).text).text
    # occurrences that overlap count too ("_ _" twice in "_ _ _"), as anchoring counts them
    unique = bool(needle) and folded.find(needle) != -1 and folded.find(needle, folded.find(needle) + 1) == -1
    event("anchored" if annotated else problems[0].title)
    if unique and prefix is None and suffix is None:
        assert annotated is not None, problems  # words that occur once are found, whatever surrounds them
    if annotated is None:
        # not found, ambiguous, or the context does not fit: one diagnostic, at the quote's line
        assert len(problems) == 1 and problems[0].line == 3 and problems[0].message
        format_text(problems)
        return
    assert not problems
    anchor = annotated.anchors["a"]
    text = annotated.page_text
    assert text[anchor.start:anchor.end] == anchor.exact
    assert fold(anchor.exact).strip() == fold(quote).strip()
    assert len(anchor.prefix.encode("utf-16-le")) <= 64 and len(anchor.suffix.encode("utf-16-le")) <= 64
    assert text[:anchor.start].endswith(anchor.prefix) and text[anchor.end:].startswith(anchor.suffix)
    # the highlight only adds elements: the words inside the marks are the quoted ones
    assert fold("".join(HtmlText(annotated.body_html).marked)).replace(" ", "") == fold(anchor.exact).replace(" ", "")


# --- the largest inputs the limits allow ----------------------------------------------------------

def big_article(rng_seed: int = 1, size: int = 950_000) -> str:
    """Just under the 1 MB limit: paragraphs of random words, a few of them common."""
    import random

    rng = random.Random(rng_seed)
    words = ["".join(rng.choice("abcdefghij") for _ in range(rng.randint(2, 8))) for _ in range(3000)] + ["the"] * 300
    paragraphs, length = [], 0
    while length < size:
        paragraph = " ".join(rng.choice(words) for _ in range(100))
        paragraphs.append(paragraph)
        length += len(paragraph) + 2
    return "\n\n".join(paragraphs)


PATHOLOGICAL = {
    "brackets": "[" * 400_000,
    "emphasis": "*a **a " * 60_000,
    "link openers": "[a](" * 100_000,
    "backticks": "a``" * 150_000,
    "wide table": "|" + "a|" * 5000 + "\n|" + "-|" * 5000 + "\n" + ("|" + "b|" * 5000 + "\n") * 30,
    "nested quotes": "> " * 50_000 + "x",
}


@pytest.mark.parametrize("quote", ["long and absent", "one common word"])
def test_the_worst_quote_in_the_largest_article_is_answered_in_seconds(quote: str) -> None:
    """A quote of the longest allowed length that is nowhere in a 1 MB article, or a word found
    thousands of times, still gets its diagnostic (closest passage, or places and prefixes) fast."""
    import random
    import time

    body = big_article()
    rng = random.Random(2)
    text = "the" if quote == "one common word" else " ".join(
        "".join(rng.choice("klmnop") for _ in range(6)) for _ in range(900))[:5000]
    article = Article(slug="sample", path="content/sample.md", title="T", source="S", published="2024", body=body,
                      body_line=6, language="en")
    started = time.perf_counter()
    annotate_article(article, (), DEFAULTS)  # parsing and mapping a megabyte: the part every build pays
    plain = time.perf_counter() - started
    started = time.perf_counter()
    annotated, problems = annotate_article(article, (annotation(text, None, None),), DEFAULTS)
    assert annotated is None and len(problems) == 1 and problems[0].hints
    assert time.perf_counter() - started - plain < 5, "one annotation may not cost a build this long"


@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_pathological_markdown_does_not_hang(name: str) -> None:
    """Inputs that make naive Markdown parsers quadratic or recurse without end: parsed, mapped and
    rendered in bounded time (the bound is loose: it is there to catch a hang, not to time us)."""
    import time

    article = Article(slug="sample", path="content/sample.md", title="T", source="S", published="2024",
                      body=PATHOLOGICAL[name], body_line=6, language="en")
    started = time.perf_counter()
    annotated, problems = annotate_article(article, (), DEFAULTS)
    assert annotated is not None and not problems
    assert time.perf_counter() - started < 20

"""What `check` tells a contributor: one test per kind of mistake, each asserting the exact
file, line and column, and the words of the message and hint that let them fix it."""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from glossator.build import pipeline
from glossator.diagnostics import Diagnostic, format_github, format_text, from_columns, sort_diagnostics, to_columns
from glossator.project import Project
from tests.helpers import article_md, run_cli

GOLDEN = Path(__file__).parent / "golden"
FILE = "annotations/sample.yaml"
ARTICLE = article_md("Sample", """
    The minister said the army lost 600 soldiers in June.

    Critics said the figure was too low. The minister said nothing more.
    """)
NOTE = "The army lost far more than that, by every published count."

Check = Callable[..., list[Diagnostic]]
SampleArchive = Callable[..., Path]


@pytest.fixture
def sample_archive(make_archive: Callable[..., Path]) -> SampleArchive:
    """sample_archive(yaml) → the root of an archive of ARTICLE (content/sample.md) and, as
    annotations/sample.yaml, `yaml` dedented, or with raw= the text or bytes exactly as given.
    name= names the annotation file, articles= replaces ARTICLE, site_yaml= writes site.yaml."""
    def make(annotations: str | None = None, *, raw: str | bytes | None = None, name: str = "sample",
             articles: dict[str, str] | None = None, site_yaml: str | None = None) -> Path:
        root = make_archive(articles or {"sample": ARTICLE}, {} if annotations is None else {name: annotations},
                            site_yaml=site_yaml)
        path = root / "annotations" / f"{name}.yaml"
        if isinstance(raw, bytes):
            path.write_bytes(raw)
        elif raw is not None:
            path.write_text(raw, encoding="utf-8")
        return root
    return make


@pytest.fixture
def check(sample_archive: SampleArchive) -> Check:
    """check(yaml) → the diagnostics `check` gives for annotations/sample.yaml (sample_archive's arguments)."""
    def run(annotations: str | None = None, name: str = "sample", articles: dict[str, str] | None = None, *,
            raw: str | bytes | None = None, site_yaml: str | None = None) -> list[Diagnostic]:
        root = sample_archive(annotations, raw=raw, name=name, articles=articles, site_yaml=site_yaml)
        return pipeline.check(Project.at(root))
    return run


def one(diagnostics: list[Diagnostic]) -> Diagnostic:
    assert len(diagnostics) == 1, "\n".join(map(str, diagnostics))
    return diagnostics[0]


def at(diag: Diagnostic, path: str, line: int, col: int) -> None:
    assert (diag.path, diag.line, diag.col) == (path, line, col), diag


def hints(diag: Diagnostic) -> str:
    return "\n".join(diag.hints)


def test_quote_not_found_names_the_closest_passage_and_what_differs(check: Check) -> None:
    diag = one(check(f"""
        article: sample
        annotations:
          - id: lost-soldiers
            kind: claim
            quote: "the army lost 700 soldier"
            verdict: inaccurate
            note: {NOTE}
            by: tester
            added: 2024-06-01
        """))
    at(diag, FILE, 5, 12)
    assert diag.is_error and diag.message == "quote not found in content/sample.md"
    assert "the closest passage (" in hints(diag) and "% similar) is:\n“the army lost 600 soldiers”" in hints(diag)
    assert "the quote has `700` where the article has `600`" in diag.hints
    assert "the quote has `soldier` where the article has `soldiers`" in diag.hints


def test_quote_from_another_text_is_not_matched_to_noise(check: Check) -> None:
    diag = one(check(f"""
        article: sample
        annotations:
          - id: elsewhere
            kind: context
            quote: "Parliament voted on Tuesday to dissolve itself"
            note: {NOTE}
            by: tester
            added: 2024-06-01
        """))
    at(diag, FILE, 5, 12)
    assert "nothing in content/sample.md comes close" in hints(diag)
    assert "closest passage" not in hints(diag)


def test_repeated_quote_lists_each_place_and_the_prefix_or_suffix_that_picks_it(check: Check) -> None:
    diag = one(check(f"""
        article: sample
        annotations:
          - id: minister
            kind: claim
            quote: "The minister said"
            verdict: mixed
            note: {NOTE}
            by: tester
            added: 2024-06-01
        """))
    at(diag, FILE, 5, 12)
    assert diag.message == "quote occurs 2 times in content/sample.md; it must select exactly one place"
    first, second = diag.hints[:2]
    # the first is at the very start of the text: only a suffix can pick it
    assert first.startswith("occurrence 1: [The minister said] the army lost")
    assert '→ `suffix: " the"` would choose it' in first
    assert second.startswith("occurrence 2: …") and "too low. [The minister said] nothing more." in second
    assert '→ `prefix: "low. "` would choose it' in second


def test_prefix_that_matches_no_place(check: Check) -> None:
    diag = one(check(f"""
        article: sample
        annotations:
          - id: minister
            kind: claim
            quote: "The minister said"
            prefix: "Yesterday "
            verdict: mixed
            note: {NOTE}
            by: tester
            added: 2024-06-01
        """))
    at(diag, FILE, 6, 13)  # the prefix is at fault, not the quote
    assert diag.message.startswith("the quote occurs 2 times in content/sample.md, but never with this prefix")
    assert '`prefix: "low. "` would choose it' in hints(diag)


def test_prefix_on_a_quote_that_occurs_once(check: Check) -> None:
    diag = one(check(f"""
        article: sample
        annotations:
          - id: figure
            kind: context
            quote: "the figure was too low"
            suffix: " indeed"
            note: {NOTE}
            by: tester
            added: 2024-06-01
        """))
    at(diag, FILE, 6, 13)
    assert diag.message.startswith("the quote occurs once in content/sample.md")
    assert "needs no `prefix` or `suffix`: remove them" in hints(diag)


def test_unknown_key_suggests_the_nearest_valid_key(check: Check) -> None:
    diags = check(f"""
        article: sample
        annotations:
          - id: figure
            kind: context
            qoute: "the figure was too low"
            note: {NOTE}
            by: tester
            added: 2024-06-01
        """)
    diag = one(diags)
    at(diag, FILE, 5, 5)
    assert diag.message == "unknown key `qoute`"
    assert diag.hints[0] == "did you mean `quote`?"
    assert "valid keys here:" in diag.hints[1] and "prefix" in diag.hints[1]


def test_wrong_type(check: Check) -> None:
    diag = one(check("""
        article: sample
        annotations:
          - id: figure
            kind: context
            quote: "the figure was too low"
            note: 42
            by: tester
            added: 2024-06-01
        """))
    at(diag, FILE, 6, 11)
    assert diag.message == "`note` must be text, not a number"
    assert "put the value in quotes to make it text" in diag.hints


def test_a_mapping_where_a_list_belongs(check: Check) -> None:
    diag = one(check("""
        article: sample
        annotations:
          id: figure
        """))
    at(diag, FILE, 3, 3)
    assert diag.message == "`annotations` must be a list, not a mapping"
    assert "starts on its own line with `- `" in hints(diag)


def test_missing_field(check: Check) -> None:
    diag = one(check(f"""
        article: sample
        annotations:
          - id: figure
            kind: context
            quote: "the figure was too low"
            note: {NOTE}
            added: 2024-06-01
        """))
    at(diag, FILE, 3, 5)  # the annotation that lacks it
    assert diag.message == "missing required field `by`"
    assert "handle" in hints(diag)


def test_duplicate_id_points_at_both(check: Check) -> None:
    diags = check(f"""
        article: sample
        annotations:
          - id: figure
            kind: context
            quote: "the figure was too low"
            note: {NOTE}
            by: tester
            added: 2024-06-01
          - id: figure
            kind: context
            quote: "the army lost 600 soldiers"
            note: {NOTE}
            by: tester
            added: 2024-06-01
        """)
    assert len(diags) == 2
    first, second = diags
    at(first, FILE, 3, 9)
    assert first.message == "id `figure` is used again at line 9"
    at(second, FILE, 9, 9)
    assert second.message == "duplicate id `figure` (first used at line 3)"
    assert "must be unique" in hints(second)


def test_verdict_outside_the_scale(check: Check) -> None:
    diag = one(check(f"""
        article: sample
        annotations:
          - id: figure
            kind: claim
            quote: "the figure was too low"
            verdict: Inacurate
            note: {NOTE}
            by: tester
            added: 2024-06-01
        """))
    at(diag, FILE, 6, 14)
    assert diag.message == "`verdict: Inacurate` is not on the verdict scale"
    assert diag.hints[0] == "did you mean `inaccurate`?"
    assert "accurate, mostly-accurate, mixed" in diag.hints[1]


def test_verdict_from_a_site_scale(check: Check) -> None:
    site = """
        verdicts:
          - {id: correct, label: Correct, rating: 2}
          - {id: wrong, label: Wrong, rating: 1}
        """
    diag = one(check(f"""
        article: sample
        annotations:
          - id: figure
            kind: claim
            quote: "the figure was too low"
            verdict: accurate
            note: {NOTE}
            by: tester
            added: 2024-06-01
        """, site_yaml=site))
    at(diag, FILE, 6, 14)
    assert diag.message == "`verdict: accurate` is not on the verdict scale"
    assert "the scale (site.yaml): correct, wrong" in hints(diag)


def test_verdict_on_a_note_that_is_not_a_claim(check: Check) -> None:
    diag = one(check(f"""
        article: sample
        annotations:
          - id: figure
            kind: sourcing
            quote: "the figure was too low"
            verdict: accurate
            note: {NOTE}
            by: tester
            added: 2024-06-01
        """))
    at(diag, FILE, 6, 14)
    assert diag.message == "`verdict` is only for claims, not for a sourcing note"
    assert "remove the verdict, or change `kind` to `claim`" in diag.hints


def test_claim_without_verdict(check: Check) -> None:
    diag = one(check(f"""
        article: sample
        annotations:
          - id: figure
            kind: claim
            quote: "the figure was too low"
            note: {NOTE}
            by: tester
            added: 2024-06-01
        """))
    at(diag, FILE, 3, 5)
    assert diag.message == "a claim needs a `verdict`"
    assert "add `verdict:`" in hints(diag)


def test_article_that_does_not_exist(check: Check) -> None:
    diags = check("""
        article: sampel
        annotations: []
        """, name="sampel")
    diag = one(diags)
    at(diag, "annotations/sampel.yaml", 1, 10)
    assert diag.message == "there is no article `content/sampel.md`"
    assert diag.hints == ("did you mean `sample`?",)


def test_article_that_differs_from_the_file_name(check: Check) -> None:
    diag = one(check("""
        article: other
        annotations: []
        """))
    at(diag, FILE, 1, 10)
    assert diag.message == "`article: other` does not match the file name `sample.yaml`"
    assert diag.hints == ("write `article: sample`",)


def _link_with_url(check: Check, url: str) -> Diagnostic:
    """The one problem of a note whose link has this `url` (at its value: line 9, column 14)."""
    diag = one(check(f"""
        article: sample
        annotations:
          - id: figure
            kind: context
            quote: "the figure was too low"
            note: {NOTE}
            links:
              - title: The report
                url: {url}
            by: tester
            added: 2024-06-01
        """))
    at(diag, FILE, 9, 14)
    return diag


@pytest.mark.parametrize(("url", "what"), [
    ("javascript:alert(1)", "the scheme `javascript:` is not allowed"),
    ("ftp://example.org/report.pdf", "the scheme `ftp:` is not allowed"),
    ("www.example.org/report", "not a web address"),
])
def test_url_that_is_not_http(check: Check, url: str, what: str) -> None:
    diag = _link_with_url(check, url)
    assert diag.message == f"`url` must be an http or https address: {what}"
    assert "starting with https://" in hints(diag)


@pytest.mark.parametrize(("url", "what", "hint"), [
    ('"https://en.wikipedia.org/wiki/Camp Speicher"', "the address contains a space",
     "write a space in an address as %20: `https://en.wikipedia.org/wiki/Camp%20Speicher`"),
    ('"https://example.org/ "', "the address begins or ends with white space", "delete the white space"),
    ("https:/example.org/report", "`https:` is not followed by `//`", "write `https://` and the site's name"),
    ("https://", "there is no site name after `https://`", "e.g. https://example.org/page"),
    ("http:///report", "there is no site name after `http://`", "e.g. http://example.org/page"),
])
def test_an_http_address_of_the_wrong_form_is_told_what_is_wrong(check: Check, url: str, what: str,
                                                                  hint: str) -> None:
    diag = _link_with_url(check, url)
    assert diag.message == f"`url` must be an http or https address: {what}"
    assert hint in hints(diag) and "scheme" not in diag.message


@pytest.mark.parametrize(("value", "message", "hint"), [
    ("2024-13-45", "`added` is not a real date: `2024-13-45`", "a month from 01 to 12"),
    ('"2024-06"', "`added` is not a valid date: `2024-06`", "YYYY-MM-DD"),
    ("1/6/2024", "`added` is not a valid date: `1/6/2024`", "YYYY-MM-DD"),
])
def test_bad_date(check: Check, value: str, message: str, hint: str) -> None:
    diag = one(check(f"""
        article: sample
        annotations:
          - id: figure
            kind: context
            note: {NOTE}
            by: tester
            added: {value}
        """))
    at(diag, FILE, 7, 12)
    assert diag.message == message
    assert hint in hints(diag)


def test_updated_before_added(check: Check) -> None:
    diag = one(check(f"""
        article: sample
        annotations:
          - id: figure
            kind: context
            note: {NOTE}
            by: tester
            added: 2024-06-01
            updated: 2024-05-01
        """))
    at(diag, FILE, 8, 14)
    assert diag.message == "`updated` (2024-05-01) is before `added` (2024-06-01)"


def test_yaml_syntax_error_with_the_parsers_position(check: Check) -> None:
    diag = one(check("""
        article: sample
        annotations:
          - id: figure
            kind: context
            note: The minister said: nothing
            by: tester
        """))
    at(diag, FILE, 5, 28)
    assert diag.message == "YAML syntax error: mapping values are not allowed in this context"
    assert "must be quoted" in hints(diag)


def test_duplicate_key(check: Check) -> None:
    diag = one(check(f"""
        article: sample
        annotations:
          - id: figure
            kind: context
            note: {NOTE}
            kind: claim
        """))
    at(diag, FILE, 6, 5)
    assert diag.message == "duplicate key `kind` (first at line 4)"
    assert "each key may appear once" in hints(diag)


def test_file_that_is_not_utf8_gives_the_byte_offset(sample_archive: SampleArchive) -> None:
    data = b"article: sample\nannotations:\n  - id: caf\xe9\n"
    root = sample_archive(raw=data)
    diag = one(pipeline.check(Project.at(root)))
    at(diag, FILE, 3, 12)
    assert data.index(0xE9) == 40
    assert diag.message == "file is not valid UTF-8 text (bad byte at offset 40)"
    assert "save the file as UTF-8" in hints(diag)
    excerpt = format_text([diag], root).splitlines()
    assert excerpt[1] == "   3 |   - id: caf\ufffd" and excerpt[2] == "     |            ^"


@pytest.mark.parametrize(("yaml", "line", "col", "message", "hint"), [
    ("  - &base\n    id: a\n", 3, 5, "YAML anchor `&base` is not allowed", "remove the anchor"),
    ("  - id: a\n  - *base\n", 4, 5, "YAML alias `*base` is not allowed", "write the value out in full"),
    ("  - id: !!str a\n", 3, 9, "YAML tag `tag:yaml.org,2002:str` is not allowed", "remove the tag"),
])
def test_anchors_aliases_and_tags_are_refused(
    check: Check, yaml: str, line: int, col: int, message: str, hint: str
) -> None:
    diag = one(check(raw="article: sample\nannotations:\n" + yaml))
    at(diag, FILE, line, col)
    assert diag.message == message
    assert hint in hints(diag)


def test_article_front_matter_problems_are_all_reported(check: Check) -> None:
    article = "---\ntitle: Sample\nsource: RT\npublished: 2015-13\nurl: ftp://example.org/a\ntitel: x\n---\nText.\n"
    diags = check("article: sample\nannotations: []\n", articles={"sample": article})
    assert [(d.path, d.line, d.col) for d in diags] == [("content/sample.md", 4, 12), ("content/sample.md", 5, 6),
                                                         ("content/sample.md", 6, 1)]
    assert diags[0].message == "`published` is not a real date: `2015-13`"
    assert diags[1].message == "`url` must be an http or https address: the scheme `ftp:` is not allowed"
    assert diags[2].message == "unknown key `titel`" and diags[2].hints[0] == "did you mean `title`?"


def test_placeholders_left_by_new_are_errors_that_name_the_field(check: Check) -> None:
    diags = check("""
        article: sample
        annotations:
          - id: figure
            kind: claim
            quote: "the figure was too low"
            verdict: TODO  # one of: accurate, …
            note: |
              TODO: is this claim accurate?
            by: TODO
            added: 2024-06-01
            sources:
              - title: TODO
                url: https://example.org/report
                date: 2024-05
        """)
    assert [(d.line, d.col, d.message) for d in diags] == [
        (6, 14, "`verdict` is still a placeholder: `TODO`"),
        (7, 11, "`note` is still a placeholder: `TODO: is this claim accurate?`"),
        (9, 9, "`by` is still a placeholder: `TODO`"),
        (12, 16, "`title` is still a placeholder: `TODO`"),  # (a source's: the lists' entries are looked in)
    ]
    assert all(d.is_error for d in diags)
    assert "choose one of the verdict scale: accurate," in hints(diags[0])
    assert "your handle" in hints(diags[2])


def test_warnings_short_note_and_undated_source(check: Check) -> None:
    diags = check("""
        article: sample
        annotations:
          - id: figure
            kind: context
            quote: "the figure was too low"
            note: Too low.
            sources:
              - title: The ministry's own figures
                url: https://example.org/figures
            by: tester
            added: 2024-06-01
        """)
    assert [(d.severity, d.line, d.col) for d in diags] == [("warning", 6, 11), ("warning", 8, 9)]
    assert diags[0].message == "the note is shorter than a sentence (2 words)"
    assert diags[1].message == "this source has no `date`"
    assert "when it was published" in hints(diags[1])


def _with_source(check: Check, date: str, more: str = "") -> list[Diagnostic]:
    """The problems of a note with one source dated `date`, its list then going on with the lines `more`."""
    return check(f"""
        article: sample
        annotations:
          - id: figure
            kind: context
            quote: "the figure was too low"
            note: {NOTE}
            sources:
              - title: The ministry's own figures
                url: https://example.org/figures
                date: {date}{more}
            by: tester
            added: 2024-06-01
        """)


def test_a_wrong_item_of_a_list_is_named_as_the_item(check: Check) -> None:
    """A source written as a bare address: the message named the list (`sources` must be a mapping),
    which is a list, as it should be."""
    diag = one(_with_source(check, "2024-05", "\n              - https://example.org/other"))
    assert diag.message == "item 2 of `sources` must be a mapping of `key: value` lines, not text"
    at(diag, FILE, 11, 9)


def test_a_sources_year_may_be_written_unquoted(check: Check) -> None:
    """`date: 2015` is the documented YYYY form, as `published: 2015` is: YAML reads it as a number,
    which was refused ("must be text, not a number") for a source."""
    for date, problems in (("2015", []), ('"2015-06"', []), ("2015-13", ["`date` is not a real date"])):
        diags = _with_source(check, date)
        assert [d.message.split(":")[0] for d in diags] == problems, (date, diags)


def test_warnings_fail_only_with_strict(sample_archive: SampleArchive) -> None:
    root = sample_archive("""
        article: sample
        annotations:
          - id: figure
            kind: context
            quote: "the figure was too low"
            note: Too low.
            by: tester
            added: 2024-06-01
        """)
    relaxed = run_cli("check", "--root", root)
    assert relaxed.returncode == 0, relaxed.stderr
    assert f"{FILE}:6:11: warning: the note is shorter than a sentence" in relaxed.stderr
    assert "0 errors, 1 warning" in relaxed.stderr and "--strict" in relaxed.stderr
    strict = run_cli("check", "--strict", "--root", root)
    assert strict.returncode == 1


def test_bad_handle_and_bad_id(check: Check) -> None:
    diags = check(f"""
        article: sample
        annotations:
          - id: Lost Soldiers
            kind: context
            note: {NOTE}
            by: Jane Doe
            added: 2024-06-01
        """)
    assert [(d.line, d.col) for d in diags] == [(3, 9), (6, 9)]
    assert diags[0].message.startswith("`id` must use only lowercase letters, digits and hyphens")
    assert diags[0].hints[0] == "for example `lost-soldiers`"
    assert diags[1].message == "`by` must be a handle (letters, digits, `.`, `_` and `-`, no spaces): `Jane Doe`"


def test_good_annotations_in_a_bad_file_are_still_anchored(check: Check) -> None:
    """A schema error in one annotation must not hide a quote problem in another."""
    diags = check(f"""
        article: sample
        annotations:
          - id: figure
            kind: context
            quote: "the figure was far too low"
            note: {NOTE}
            by: tester
            added: 2024-06-01
          - id: other
            kind: context
            note: {NOTE}
            by: [tester, 42]
            added: 2024-06-01
        """)
    assert [(d.line, d.col) for d in diags] == [(5, 12), (12, 18)]
    assert diags[0].message == "quote not found in content/sample.md"


FIVE_PROBLEMS = f"""\
# yaml-language-server: $schema=../schemas/annotations.schema.json
article: sample
annotations:
  - id: army
    kind: claim
    quote: "the army lost 700 soldiers"
    verdict: inaccurate
    note: {NOTE}
    by: tester
    added: 2024-06-01
  - id: figure
    kind: context
    quote: "the figure was too low"
    note: {NOTE}
    by: tester
    added: 2024-06-31
  - id: minister
    kind: sourcing
    quote: "The minister said nothing"
    verdict: accurate
    note: {NOTE}
    souces:
      - title: Ministry statement
        url: https://example.org/statement
    by: tester
    added: 2024-06-01
  - id: june
    kind: context
    quote: "in June"
    note: [The army, lost more]
    by: tester
    added: 2024-06-01
"""


def test_five_problems_are_all_reported_in_order(sample_archive: SampleArchive) -> None:
    root = sample_archive(raw=FIVE_PROBLEMS)
    result = run_cli("check", "--root", root, env={"GITHUB_ACTIONS": "false"})
    assert result.returncode == 1
    headlines = [line for line in result.stderr.splitlines() if line.startswith(FILE)]
    assert headlines == [
        f"{FILE}:6:12: error: quote not found in content/sample.md",
        f"{FILE}:16:12: error: `added` is not a real date: `2024-06-31`",
        f"{FILE}:20:14: error: `verdict` is only for claims, not for a sourcing note",
        f"{FILE}:22:5: error: unknown key `souces`",
        f"{FILE}:30:11: error: `note` must be text, not a list",
    ]
    assert result.stderr.rstrip().endswith("5 errors")
    # the whole text, excerpts and hints included, as a contributor sees it
    golden = GOLDEN / "five-problems.txt"
    if os.environ.get("GLOSSATOR_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(result.stderr, encoding="utf-8")
    assert result.stderr == golden.read_text(encoding="utf-8")


def test_github_actions_format(sample_archive: SampleArchive) -> None:
    root = sample_archive("""
        article: sample
        annotations:
          - id: figure
            kind: context
            qoute: "the figure was too low"
            note: Too low.
            by: tester
            added: 2024-06-01
        """)
    on_ci = run_cli("check", "--root", root, env={"GITHUB_ACTIONS": "true"})
    assert on_ci.returncode == 1
    assert on_ci.stdout.splitlines() == [
        f"::error file={FILE},line=5,col=5,title=Unknown key::unknown key `qoute`"
        "%0Ahint: did you mean `quote`?"
        "%0Ahint: valid keys here: added, by, id, kind, links, note, origin, prefix, quote, sources, suffix, updated, "
        "verdict, version",
        f"::warning file={FILE},line=6,col=11,title=Short note::the note is shorter than a sentence (2 words)"
        "%0Ahint: say what a reader should know about these words, and how you know it",
    ]
    # the terminal text is printed too, for the log
    assert f"{FILE}:5:5: error: unknown key `qoute`" in on_ci.stderr
    local = run_cli("check", "--root", root, env={"GITHUB_ACTIONS": ""})
    assert "::error" not in local.stdout + local.stderr


def test_github_format_escapes_what_would_break_the_command() -> None:
    diag = Diagnostic("annotations/a,b.yaml", 3, 4, "error", "50% of it: wrong\nreally", ("say: 100%",), "T: x")
    assert format_github([diag]) == (
        "::error file=annotations/a%2Cb.yaml,line=3,col=4,title=T%3A x::50%25 of it: wrong%0Areally%0Ahint: say: 100%25"
    )


def test_excerpt_of_a_long_line_keeps_the_caret_under_the_column(tmp_path: Path) -> None:
    line = "    quote: \"" + "word " * 40 + "東京 target\""
    (tmp_path / "a.yaml").write_text("x: 1\n" + line + "\n", encoding="utf-8")
    col = line.index("target") + 1
    text = format_text([Diagnostic("a.yaml", 2, col, "error", "m")], tmp_path).splitlines()
    source, caret = text[1], text[2]
    assert source.startswith("   2 | …") and not source.endswith("…")
    # 東京 takes two terminal columns each: the caret sits under the `t` of `target`
    shown = source[len("   2 | "):]
    width_before = sum(2 if c in "東京" else 1 for c in shown[: shown.index("target")])
    assert caret == "     | " + " " * width_before + "^"


def test_clean_archive_says_ok(sample_archive: SampleArchive) -> None:
    root = sample_archive(f"""
        # comments are fine
        article: sample
        annotations:
          - id: figure
            kind: claim
            quote: "the figure was too low"
            verdict: accurate
            note: {NOTE}
            by: tester
            added: 2024-06-01
        """)
    result = run_cli("check", "--root", root)
    assert result.returncode == 0 and "ok: no problems found" in result.stderr


def test_ids_taken_by_the_page_are_refused(sample_archive: SampleArchive) -> None:
    root = sample_archive("""\
        article: one
        annotations:
          - id: page-text
            kind: context
            note: A note that is long enough to read.
            by: tester
            added: 2026-01-02
          - id: hl-words
            kind: context
            note: A note that is long enough to read.
            by: tester
            added: 2026-01-02
        """, name="one", articles={"one": article_md("One", "Some words here.")})
    result = run_cli("check", "--root", root)
    assert result.returncode == 1
    assert "annotations/one.yaml:3:9: error: id `page-text` is taken by the page itself" in result.stderr
    assert "annotations/one.yaml:8:9: error: id `hl-words` is taken by the page itself" in result.stderr


def test_build_lists_the_same_problems_as_check_when_an_orphan_file_fails(
        make_archive: Callable[..., Path]) -> None:
    """An annotation file without its article fails the build before anything is rendered; the
    articles are still checked, so one run shows every problem, as `check` does."""
    root = make_archive({"sample": article_md("Sample", "The minister said the budget rose sharply.")},
                             {"sample": "article: sample\nannotations:\n  - id: x\n    kind: context\n"
                              "    quote: not in the text\n    note: A note of enough words to say something.\n"
                              "    by: me\n    added: 2026-01-02\n",
                    "sampel": "article: sampel\nannotations: []\n"})
    built = run_cli("build", "--root", root, "--out", root.parent / "site", "--no-search")
    checked = run_cli("check", "--root", root)
    assert built.returncode == checked.returncode == 1
    for where in ("annotations/sampel.yaml:1:10: error", "annotations/sample.yaml:5:12: error: quote not found"):
        assert where in built.stderr and where in checked.stderr, (built.stderr, checked.stderr)
    assert not (root.parent / "site").exists()


def test_quote_problems_past_the_first_twenty_of_an_article_are_not_explained(check: Check) -> None:
    """Explaining a bad quote searches the whole article (the closest passage, a prefix for each
    place): a file of thousands of bad quotes must not hold `check` for minutes."""
    body = " ".join(f"Sentence {n} says the budget rose by {n} percent." for n in range(200))
    items = "".join(f"  - id: q{n}\n    kind: context\n    quote: budget fell by {n} percent\n"
                    f"    note: A note of enough words to say something.\n    by: me\n    added: 2026-01-02\n"
                    for n in range(24))
    items += ("  - id: again\n    kind: context\n    quote: the budget rose\n"
              "    note: A note of enough words to say something.\n    by: me\n    added: 2026-01-02\n")
    diags = check(f"article: long\nannotations:\n{items}", name="long", articles={"long": article_md("Long", body)})
    problems = [d for d in diags if d.is_error]
    assert len(problems) == 25
    explained, terse = problems[:20], problems[20:]
    assert all(any("% similar) is:" in h for h in d.hints) for d in explained)
    assert not any("first 20 quote problems" in h for d in explained for h in d.hints)
    assert all(any("first 20 quote problems" in h for h in d.hints) for d in terse)
    assert not any("% similar" in h or "would choose it" in h for d in terse for h in d.hints)
    ambiguous = terse[-1]
    assert ambiguous.message.startswith("quote occurs 200 times")
    assert any(h.startswith("occurrence 1: ") and "[the budget rose]" in h for h in ambiguous.hints)


@given(st.lists(st.tuples(st.sampled_from(["annotations/a.yaml", "annotations/b.yaml", "content/a.md"]),
                          st.integers(0, 4), st.integers(1, 3), st.sampled_from(["x", "y"]),
                          st.sampled_from(["error", "warning"]))))
def test_sort_diagnostics_orders_by_position_and_drops_repeats(raw: list[tuple[str, int, int, str, str]]) -> None:
    diagnostics = [Diagnostic(path, line, col, severity, message) for path, line, col, message, severity in raw]  # type: ignore[arg-type]
    ordered = sort_diagnostics(diagnostics)
    keys = [(d.path, d.line, d.col, d.message) for d in ordered]
    assert keys == sorted({(d.path, d.line, d.col, d.message) for d in diagnostics})
    for kept in ordered:  # of equal ones (severity aside), the first given
        assert kept is next(d for d in diagnostics if d == kept)


@given(st.lists(st.builds(Diagnostic, st.text(max_size=8), st.integers(0, 10**6), st.integers(0, 10**6),
                          st.sampled_from(["error", "warning"]), st.text(max_size=8),
                          st.lists(st.text(max_size=4), max_size=3).map(tuple), st.text(max_size=4)), max_size=20))
def test_diagnostics_through_columns_are_the_same_diagnostics(diagnostics: list[Diagnostic]) -> None:
    # (how a build's cache pickles its warnings: tests/test_cache.py reports them again from it)
    back = from_columns(pickle.loads(pickle.dumps(to_columns(diagnostics))))
    assert [(d.path, d.line, d.col, d.severity, d.message, d.hints, d.title) for d in back] == [
        (d.path, d.line, d.col, d.severity, d.message, d.hints, d.title) for d in diagnostics]

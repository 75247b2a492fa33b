"""`build.py import FILE`: every format read from fixtures written after the real ones, the article
found by its address, quotes placed exactly or fuzzily (or refused), files kept as they were,
a second import adding nothing, hostile files refused cleanly, and our own export coming back
as the annotations it was made from."""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest

from glossator.anchor.annotate import annotate_article
from glossator.anchor.fold import fold
from glossator.build import pipeline
from glossator.build.plan import read_config
from glossator.cli import main
from glossator.interop.place import Placed, Text, Unplaced, place
from glossator.interop.records import QuoteSelector
from glossator.interop.urls import url_key
from glossator.load.files import load_annotations, load_article
from glossator.model import Anchor, Annotation
from glossator.project import Project
from glossator.validate.rules import validate_annotations, validate_article
from tests.helpers import article_md, write_archive

FIXTURES = Path(__file__).parent / "import_fixtures"
ARMY, BUDGET = "annotations/army-figures.yaml", "annotations/budget-vote.yaml"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of the fixture archive (two articles, no annotations yet)."""
    copy = tmp_path / "archive"
    shutil.copytree(FIXTURES / "archive", copy)
    (copy / "annotations").mkdir()
    return copy


def run(capsys: pytest.CaptureFixture[str], root: Path, *args: str | Path) -> tuple[int, str, str]:
    status = main(["import", "--root", str(root), *map(str, args)])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def loaded(root: Path, slug: str) -> tuple[dict[str, Annotation], dict[str, Anchor], str]:
    """The article's annotations as the engine reads them, their anchors, and its page text; asserting
    that the file passes every check `check` makes."""
    project = Project.at(root)
    config, _ = read_config(project)
    raw, _ = load_article(project, project.content_dir / f"{slug}.md", config.max_file_bytes)
    assert raw is not None
    article, _ = validate_article(raw, config)
    raw_set, _ = load_annotations(project, project.annotations_dir / f"{slug}.yaml", config.max_file_bytes)
    assert article is not None and raw_set is not None
    slugs = {p.stem for p in project.content_dir.glob("*.md")}
    validated, problems = validate_annotations(raw_set, config, slugs)
    assert validated is not None and not [d for d in problems if d.is_error], problems
    annotated, problems = annotate_article(article, validated.annotations, config)
    assert annotated is not None and not problems, problems
    return {a.id: a for a in validated.annotations}, dict(annotated.anchors), annotated.page_text


def quoted(root: Path, slug: str) -> dict[str, str]:
    """Each anchored annotation → the words it anchors to."""
    _, anchors, _ = loaded(root, slug)
    return {key: anchor.exact for key, anchor in anchors.items()}


# --- formats ----------------------------------------------------------------------------


def test_hypothesis_search_response(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, root, FIXTURES / "hypothesis-search.json")
    assert status == 1  # two annotations need the user: a quote not in our text, a claim with no verdict
    annotations, anchors, _ = loaded(root, "army-figures")
    assert list(annotations) == ["army-lost-600-soldiers", "critics-said-figure-too", "example-news-regional-daily",
                                 "tax", "mentions-border-again"]
    claim = annotations["army-lost-600-soldiers"]
    assert (claim.kind, claim.verdict, claim.by, str(claim.added)) == ("claim", "inaccurate", ("alice",), "2024-05-02")
    assert claim.note.startswith("The ministry's own figures, published in July, give 1,700 dead.\n\nSee [")
    sourcing = annotations["critics-said-figure-too"]
    assert (sourcing.kind, sourcing.by, str(sourcing.updated)) == ("sourcing", ("bob.smith",), "2024-05-06")
    page_note = annotations["example-news-regional-daily"]
    assert (page_note.kind, page_note.quote) == ("context", None)  # no selector: a note on the whole article
    assert quoted(root, "army-figures") == {
        "army-lost-600-soldiers": "the army lost 600 soldiers in June",
        "critics-said-figure-too": "Critics said the figure was too low.",  # the live page said "number"
        "tax": "the tax",
        "mentions-border-again": "mentions the border again",
    }
    assert anchors["tax"].suffix.startswith(" rose;")  # the first of the two, as its prefix said
    assert "this response holds 10 of the 27 annotations the search found" in out
    assert "1 × reply" in out and "1 × highlight without a note" in out
    assert "1 × on a page this archive does not hold\n      https://another.example.com/world/story-123" in out
    assert "1 annotation was private or a group's annotation where it was made" in out
    assert "tags that are neither a kind nor a verdict were left out: army (1)" in out
    assert ("  critics-said-figure-too: 89% similar\n"
            "      before: “Critics said the number was too low.”\n"
            "      after:  “Critics said the figure was too low.”\n"
            "      the quote has `number` where the article has `figure`") in out
    shown = str(FIXTURES / "hypothesis-search.json")
    assert f"{shown}:536:7: error: not imported: quote not placed: the quote is not in content/army-figures.md" in err
    assert "hint: nothing in content/army-figures.md comes close (the best match is 52% similar)" in err
    assert f"{shown}:605:7: error: not imported: a claim with no verdict: its kind comes from tag `claim`" in err
    assert "imported 5 annotations into 1 file; 2 could not be imported (the errors above)" in out
    assert pipeline.check(Project.at(root)) == []


def test_hypothesis_export_file(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, root, FIXTURES / "hypothesis-export.json")
    assert status == 0, err
    assert out.startswith("Hypothesis export file: 3 annotations\n")
    annotations, _, _ = loaded(root, "budget-vote")
    # a verdict is a tag equal to a verdict's id or label, in any case
    assert [(a.id, a.kind, a.verdict) for a in annotations.values()] == [
        ("201-votes-187", "claim", "mostly-accurate"),
        ("cut-school-funding-tenth", "claim", "mostly-accurate"),
        ("school-funding", "context", None),
    ]
    assert quoted(root, "budget-vote")["school-funding"] == "school funding"
    assert "1 annotation had nothing to say which kind: imported as context" in out


def test_w3c_annotation_from_hypothesis_jsonld(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, root, FIXTURES / "w3c-annotation.jsonld")
    assert status == 0, err
    annotations, anchors, _ = loaded(root, "army-figures")
    [(key, annotation)] = annotations.items()
    assert (key, annotation.kind, annotation.by) == ("officials-called-crystal-clear", "sourcing", ("carol",))
    assert (str(annotation.added), str(annotation.updated)) == ("2024-05-03", "2024-05-04")
    # typed with straight quotes, found as folding finds it, written as our text has it
    assert annotation.quote == "Officials called it “crystal clear” proof."
    assert anchors[key].exact == annotation.quote
    assert "adjusted" not in out and "evidence (1)" in out
    text = (root / ARMY).read_text(encoding="utf-8")
    # Hypothesis's JSON-LD names its annotation by its Hypothesis id: the origin is that annotation's
    assert "    origin:\n      source: hypothesis\n      id: W3cSingleAnno1\n" in text


def test_w3c_bodies_that_are_only_an_address(root: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """A body may be a bare IRI (the model's first example), also as a Choice's items: a link."""
    annotation = json.loads((FIXTURES / "w3c-annotation.jsonld").read_text(encoding="utf-8"))
    annotation["body"] = ["https://evidence.example/report", annotation["body"][0],
                          {"type": "Choice", "items": ["https://evidence.example/other"]}]
    path = tmp_path / "bare.jsonld"
    path.write_text(json.dumps(annotation), encoding="utf-8")
    status, _, err = run(capsys, root, path, "--by", "carol")
    assert status == 0, err
    [annotation_read] = loaded(root, "army-figures")[0].values()
    assert [link.url for link in annotation_read.links] == ["https://evidence.example/report",
                                                            "https://evidence.example/other"]


def test_w3c_list(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, root, FIXTURES / "w3c-list.jsonld")
    assert status == 0, err
    annotations, _, _ = loaded(root, "budget-vote")
    first, second = annotations.values()
    assert (first.kind, first.by, first.note) == (
        "sourcing", ("erin",), "The vote count is in the parliament's published record for that night's sitting.")
    # a Choice of HTML and plain text is one note: the plain text is read
    assert (second.kind, second.by, second.note) == (
        "context", ("erin",), "The debate ran from 9 p.m. to 6 a.m.; see the sitting's record.")


def test_replies_given_apart_and_entries_that_are_not_annotations(root: Path, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    rows = json.loads((FIXTURES / "hypothesis-search.json").read_text(encoding="utf-8"))["rows"]
    separated = tmp_path / "separated.json"  # `_separate_replies=true`: the replies in a list of their own
    separated.write_text(json.dumps({"total": 1, "rows": [rows[0]], "replies": [rows[3]]}), encoding="utf-8")
    status, out, _ = run(capsys, root, separated)
    assert status == 0 and "added 1 annotation to" in out and "1 × reply" in out
    items = json.loads((FIXTURES / "w3c-list.jsonld").read_text(encoding="utf-8"))
    mixed = tmp_path / "mixed.jsonld"
    mixed.write_text(json.dumps([*items, 42, {"type": "Person"}]), encoding="utf-8")
    status, out, err = run(capsys, root, mixed)
    assert status == 1 and "error: 2 entries of the file are not annotations" in err
    assert "added 2 annotations to annotations/budget-vote.yaml" in out


def test_w3c_collection_with_embedded_pages(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, root, FIXTURES / "w3c-collection.jsonld")
    assert status == 0, err
    assert out.startswith("W3C Web Annotation collection: 3 annotations\n")
    annotations, _, _ = loaded(root, "budget-vote")
    votes, tenth, outlet = annotations.values()
    assert (votes.verdict, votes.by) == ("mostly-accurate", ("frank", "gita"))  # a `classifying` body
    [source] = votes.sources
    assert (source.title, source.url, source.publisher, source.date) == (
        "Record of the sitting", "https://parliament.example.org/record/2024-06-11", "Parliament", "2024-06-12")
    assert source.archived.startswith("https://web.archive.org/web/20240615000000/")
    assert tenth.verdict == "mostly-accurate"  # a tag equal to the verdict's label
    assert (outlet.kind, outlet.quote, [link.title for link in outlet.links]) == ("context", None, ["Example Gazette"])


def test_w3c_collection_with_linked_pages(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, root, FIXTURES / "linked" / "collection.jsonld")
    assert status == 0, err
    # each annotation is reported where it stands: in the page's own file
    assert f"{FIXTURES / 'linked' / 'pages' / '1.jsonld'}:10" in out
    # the first was made on a Wayback Machine copy of the article
    assert quoted(root, "army-figures") == {"600-soldiers": "600 soldiers", "mentions-border": "mentions the border."}


def test_a_linked_page_that_is_not_there(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "download"
    folder.mkdir()
    shutil.copy(FIXTURES / "linked" / "collection.jsonld", folder)
    status, out, err = run(capsys, root, folder / "collection.jsonld")
    assert status == 1
    assert "error: the page https://annotations.example.org/sets/army/pages/1.jsonld is linked, not embedded" in err
    assert "the collection says it holds 2 annotations; 0 were found in its pages" in out


def test_linked_pages_outside_the_folder_and_cycles(root: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "secret.jsonld").write_text(json.dumps({"type": "AnnotationPage", "items": []}), encoding="utf-8")
    folder = tmp_path / "download"
    folder.mkdir()
    page = {"id": "https://x.example.org/p/1.jsonld", "type": "AnnotationPage",
            "next": "https://x.example.org/p/1.jsonld", "items": []}  # a page that is its own next
    (folder / "1.jsonld").write_text(json.dumps(page), encoding="utf-8")
    collection = {"id": "https://x.example.org/c.jsonld", "type": "AnnotationCollection", "total": 0,
                  "first": "https://x.example.org/p/1.jsonld"}
    (folder / "c.jsonld").write_text(json.dumps(collection), encoding="utf-8")
    status, out, _ = run(capsys, root, folder / "c.jsonld")
    assert status == 0 and out.startswith("W3C Web Annotation collection: 0 annotations")
    collection["first"] = "../secret.jsonld"
    (folder / "c.jsonld").write_text(json.dumps(collection), encoding="utf-8")
    status, _, err = run(capsys, root, folder / "c.jsonld")
    assert status == 1 and "the page ../secret.jsonld is linked, not embedded, and no file beside this one" in err


def test_files_that_are_not_a_format(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cases = {
        "package.json": ('{"name": "x", "version": "1.0.0"}', "this is not a file of annotations import can read: "
                         "it holds a JSON object with the keys `name`, `version`"),
        "broken.json": ('{"rows": [1, 2', ":1:15: error: the file is not valid JSON: Expecting ',' delimiter"),
        "nan.json": ('{"total": NaN, "rows": []}', "error: the file is not standard JSON: `NaN` is not a JSON value"),
        "deep.json": ("[" * 100_000 + "]" * 100_000, "error: the file's JSON is nested too deeply"),
        "number.json": ("42", "it holds a single JSON int"),
        "empty.json": ("  \n", "error: the file is empty"),
        "strings.json": ('["a", "b"]', "it holds a list of 2 entries that are neither Hypothesis nor W3C annotations"),
        # half of a character: the second line's escape, not the pair before it nor the escaped backslash
        "surrogate.json": ('{"rows": [{"text": "\\ud83d\\ude00 \\\\ud800",\n "uri": "x \\udfff"}]}',
                           ":2:12: error: `\\udfff` is half of a character"),
    }
    for name, (text, expected) in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        status, _, err = run(capsys, root, tmp_path / name)
        assert status == 1 and expected in err, (name, err)
        assert "Traceback" not in err
    (tmp_path / "utf16.json").write_bytes('{"rows": []}'.encode("utf-16"))
    status, _, err = run(capsys, root, tmp_path / "utf16.json")
    assert status == 1 and "error: the file is not UTF-8 text (bad byte at offset 0)" in err
    with (tmp_path / "huge.json").open("wb") as huge:  # sparse: the size is what is refused, unread
        huge.truncate(65 * 1024 * 1024)
    status, _, err = run(capsys, root, tmp_path / "huge.json")
    assert status == 1 and "error: the file is too large to import (68,157,440 bytes; the limit is 67,108,864)" in err
    assert list((root / "annotations").iterdir()) == []


def test_usage_errors(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fixture = FIXTURES / "hypothesis-export.json"
    assert run(capsys, root, root / "missing.json")[0] == 2
    assert run(capsys, root, fixture, "--article", "Not A Slug")[0] == 2
    assert run(capsys, root, fixture, "--by", "two words")[0] == 2
    status, _, err = run(capsys, root, fixture, "--article", "budget-votes")
    assert status == 2 and "there is no article `budget-votes` to import into" in err  # (as docs/importing.md says)
    assert "did you mean `budget-vote`?" in err


# --- which article ---------------------------------------------------------------------


@pytest.mark.parametrize(("address", "same"), [
    ("http://www.example-news.org/2024/05/army-figures", True),
    ("https://example-news.org/2024/05/army-figures/?utm_source=x&utm_campaign=y&fbclid=z&gclid=w#top", True),
    ("HTTPS://WWW.Example-News.org:443/2024/05/army-figures/index.html", True),
    ("https://web.archive.org/web/20991231000000/https://www.example-news.org/2024/05/army-figures/", True),
    ("https://web.archive.org/web/2024id_/http://example-news.org/2024/05/army-figures", True),
    ("https://www.example-news.org/2024/05/army%2Dfigures/", True),
    ("https://www.example-news.org/2024/05/Army-Figures/", False),  # paths are case-sensitive
    ("https://www.example-news.org/2024/05/army-figures/?page=2", False),  # a real parameter
    ("https://www.example-news.org:8080/2024/05/army-figures/", False),
    ("https://news.example-news.org/2024/05/army-figures/", False),
    ("urn:x-pdf:6b3c8f0e", False),
    ("not an address", False),
])
def test_addresses_of_one_page(address: str, same: bool) -> None:
    assert (url_key(address) == url_key("https://www.example-news.org/2024/05/army-figures/")) is same


def test_query_parameters_are_compared_in_any_order() -> None:
    assert url_key("https://gazette.example.org/politics/budget-vote?id=7&utm_medium=mail&lang=en") == \
        url_key("http://gazette.example.org/politics/budget-vote/?lang=en&id=7")


def test_the_archives_own_page_and_article_option(root: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    rows = json.loads((FIXTURES / "hypothesis-search.json").read_text(encoding="utf-8"))["rows"]
    first, elsewhere = dict(rows[0]), dict(rows[5])
    first["uri"] = first["target"][0]["source"] = "https://archive.example.org/articles/army-figures/"  # our page
    (tmp_path / "two.json").write_text(json.dumps({"total": 2, "rows": [first, elsewhere]}), encoding="utf-8")
    status, out, _ = run(capsys, root, tmp_path / "two.json", "--dry-run")
    assert status == 0 and "would add 1 annotation to annotations/army-figures.yaml" in out
    assert "1 × on a page this archive does not hold" in out
    assert not (root / ARMY).exists()
    # --article takes the annotations on pages it does not hold too; not those on another article
    status, out, err = run(capsys, root, tmp_path / "two.json", "--article", "budget-vote")
    assert status == 1  # "some words" is not in the budget article
    assert "1 × about another article than --article\n      https://archive.example.org/articles/army-figures/ is " \
           "content/army-figures.md" in out
    assert "not imported: quote not placed" in err


# --- placement ------------------------------------------------------------------------------

PLACE_TEXT = """
    The minister said the army lost 600 soldiers in June, a figure the ministry later revised.

    Critics said the figure was too low. The minister said nothing more about the losses.

    Officials called it “crystal clear” proof. Then the tax rose; later the tax fell.

    The report counted 40 tanks at the base. The report counted 40 tanks at the port.
    """


def placed(selector: dict[str, Any], reliable: bool = False) -> Placed | Unplaced:
    text = Text.of(textwrap.dedent(PLACE_TEXT).lstrip("\n"))
    return place(text, QuoteSelector(**selector), "sample", reliable_positions=reliable)


def found(selector: dict[str, Any], reliable: bool = False) -> Placed:
    result = placed(selector, reliable)
    assert isinstance(result, Placed), result
    return result


def test_exact_quotes_fold_white_space_and_typography() -> None:
    result = found({"exact": 'Officials  called it\n"crystal clear" proof.'})
    assert (result.quote, result.similarity, result.prefix, result.suffix) == (
        "Officials called it “crystal clear” proof.", 100, None, None)


def test_a_corrected_word_is_placed_and_reported() -> None:
    result = found({"exact": "the army lost 600 troops in June", "prefix": "The minister said "})
    assert result.quote == "the army lost 600 soldiers in June"
    assert result.similarity == 85
    assert result.differences == ("the quote has `troops` where the article has `soldiers`",)


def test_words_added_or_cut_in_our_copy() -> None:
    added = found({"exact": "Critics said the figure was far too low."})
    assert added.quote == "Critics said the figure was too low."
    cut = found({"exact": "a figure the ministry revised"})
    assert cut.quote == "a figure the ministry later revised"


def test_a_quote_that_is_not_there_is_refused_with_the_closest_passage() -> None:
    result = placed({"exact": "the army lost 900 tanks in July"})
    assert isinstance(result, Unplaced)
    assert "no passage is close enough to stand for it (at least 80% similar)" in result.message
    assert result.hints[0].startswith("the closest passage (")
    assert "the army lost 600 soldiers in June" in result.hints[0]


def test_repeated_words_are_chosen_by_context_or_position_or_refused() -> None:
    by_prefix = found({"exact": "the tax", "prefix": "proof. Then ", "suffix": " rose; later"})
    assert (by_prefix.quote, by_prefix.prefix) == ("the tax", "Then")
    by_suffix = found({"exact": "the tax", "prefix": "", "suffix": " fell."})
    second = by_prefix.start + len("the tax rose; later ")
    assert (by_suffix.prefix, by_suffix.start) == ("later", second)
    nothing = placed({"exact": "the tax"})
    assert isinstance(nothing, Unplaced) and "occurs 2 times" in nothing.message
    assert nothing.hints == ("place 1: …it “crystal clear” proof. Then [the tax] rose; later the tax fell.…",
                             "place 2: …Then the tax rose; later [the tax] fell. The report counted 40…")
    # offsets in the live page's body only hint; offsets in our page text choose
    at = by_suffix.start
    assert isinstance(placed({"exact": "the tax", "start": at, "end": at + 7}), Unplaced)
    chosen = found({"exact": "the tax", "start": at, "end": at + 7}, reliable=True)
    assert (chosen.start, chosen.prefix) == (at, "later")


def test_two_passages_as_close_are_refused() -> None:
    result = placed({"exact": "The report counted 40 tanks at the camp."})
    assert isinstance(result, Unplaced) and "two passages are about as close to it" in result.message
    # the given prefix tells them apart; the passage it chose needs none (its words occur once)
    by_prefix = found({"exact": "The report counted 40 tanks at the camp.", "prefix": "at the base. "})
    assert (by_prefix.quote, by_prefix.prefix) == ("The report counted 40 tanks at the port.", None)


def test_a_short_quote_found_once_in_another_context_is_in_doubt() -> None:
    result = placed({"exact": "Critics said", "prefix": "Weather report: ", "suffix": " it would rain all week"})
    assert isinstance(result, Unplaced) and "but not between the words the file gives around it" in result.message
    assert found({"exact": "Critics said", "prefix": "later revised.\n\n"}).quote == "Critics said"


def test_a_selection_that_starts_inside_a_word() -> None:
    result = found({"exact": "rmy lost 600", "prefix": "said the a", "suffix": " soldiers"})
    assert (result.quote, result.similarity) == ("rmy lost 600", 100)


# --- safe and repeatable -----------------------------------------------------------------------

EXISTING = """\
# yaml-language-server: $schema=../schemas/annotations.schema.json
# Hand-written notes: keep this comment.
article: budget-vote
annotations:
  # the first note, by hand
  - id: debate
    kind: context
    quote: after a night of debate   # a plain scalar, and a comment after it
    note: >-
      The sitting began at nine in the evening and ended at six in the morning.
    by: [someone, someone-else]
    added: 2024-06-20
"""


def test_existing_notes_comments_and_layout_are_kept(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (root / BUDGET).write_text(EXISTING, encoding="utf-8")
    status, out, err = run(capsys, root, FIXTURES / "hypothesis-export.json")
    assert status == 0, err
    text = (root / BUDGET).read_text(encoding="utf-8")
    assert text.startswith(EXISTING + "\n  - id: 201-votes-187\n    kind: claim\n")
    assert list(loaded(root, "budget-vote")[0]) == ["debate", "201-votes-187", "cut-school-funding-tenth",
                                                     "school-funding"]
    assert "added 3 annotations to annotations/budget-vote.yaml" in out


def test_a_second_import_adds_nothing(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, root, FIXTURES / "hypothesis-export.json")[0] == 0
    assert run(capsys, root, FIXTURES / "w3c-collection.jsonld")[0] == 0
    before = (root / BUDGET).read_bytes()
    for fixture in ("hypothesis-export.json", "w3c-collection.jsonld"):
        status, out, _ = run(capsys, root, FIXTURES / fixture)
        assert status == 0 and "nothing new to import" in out
        assert "3 × imported before\n      annotations/budget-vote.yaml: `" in out
    assert (root / BUDGET).read_bytes() == before
    # ids are taken from the words and kept unique: the collection's claims quote the same words
    assert list(loaded(root, "budget-vote")[0]) == [
        "201-votes-187", "cut-school-funding-tenth", "school-funding",
        "201-votes-187-2", "cut-school-funding-tenth-2", "example-gazette-owned-governing"]
    # an annotation twice in one file is imported once
    export = json.loads((FIXTURES / "hypothesis-export.json").read_text(encoding="utf-8"))
    export["annotations"] = [export["annotations"][0]] * 2
    twice = root.parent / "twice.json"
    twice.write_text(json.dumps(export), encoding="utf-8")
    (root / BUDGET).unlink()
    status, out, _ = run(capsys, root, twice)
    assert status == 0 and "1 × appears more than once in the file" in out
    assert list(loaded(root, "budget-vote")[0]) == ["201-votes-187"]


def test_dry_run_writes_nothing(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, root, FIXTURES / "hypothesis-export.json", "--dry-run")
    assert status == 0
    assert "would add 3 annotations to annotations/budget-vote.yaml" in out
    assert out.rstrip().endswith("dry run: 3 annotations would be imported; nothing was written")
    assert list((root / "annotations").iterdir()) == []


def _one_row(tmp_path: Path, **changes: object) -> Path:
    export = json.loads((FIXTURES / "hypothesis-export.json").read_text(encoding="utf-8"))
    row = {**export["annotations"][2], **changes}
    export["annotations"] = [row]
    path = tmp_path / "one.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    return path


def test_kind_and_author_options(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, root, _one_row(tmp_path), "--kind", "sourcing", "--by", "desk")[0] == 0
    [annotation] = loaded(root, "budget-vote")[0].values()
    assert (annotation.kind, annotation.by) == ("sourcing", ("dana",))  # --by only where the file names nobody
    (root / BUDGET).unlink()
    nameless = _one_row(tmp_path, user="acct:_x@hypothes.is", tags=["inaccurate"])
    status, _, err = run(capsys, root, nameless)
    assert status == 1 and "not imported: no author the archive can name: the file names acct:_x@hypothes.is" in err
    assert run(capsys, root, nameless, "--by", "desk")[0] == 0
    [annotation] = loaded(root, "budget-vote")[0].values()
    assert (annotation.kind, annotation.verdict, annotation.by) == ("claim", "inaccurate", ("desk",))


@pytest.mark.parametrize(("tags", "message"), [
    (["claim", "context"], "not imported: tags name more than one kind"),
    (["accurate", "inaccurate"], "not imported: tags name more than one verdict: verdicts: accurate, inaccurate"),
    (["sourcing", "misleading"], "not imported: a verdict on a sourcing note: the tag `sourcing` makes it sourcing"),
])
def test_tags_that_contradict_each_other(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         tags: list[str], message: str) -> None:
    status, _, err = run(capsys, root, _one_row(tmp_path, tags=tags))
    assert status == 1 and message in err
    assert not (root / BUDGET).exists()


# --- hostile input -----------------------------------------------------------------------------


def test_an_unsafe_link_is_refused_and_nothing_is_written(root: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    collection = json.loads((FIXTURES / "w3c-collection.jsonld").read_text(encoding="utf-8"))
    outlet = collection["first"]["next"]["items"][1]
    outlet["body"][1]["source"]["id"] = "javascript:alert(document.cookie)"
    path = tmp_path / "hostile.jsonld"
    path.write_text(json.dumps(collection, indent=1), encoding="utf-8")
    status, out, err = run(capsys, root, path)
    assert status == 1
    lines = path.read_text(encoding="utf-8").splitlines()
    [(line, col)] = [(n, text.index('"id"') + 1) for n, text in enumerate(lines, 1)
                     if '"id": "https://factcheck.example.org/annotations/outlet"' in text]
    assert f"{path}:{line}:{col}: error: `url` must be an http or https address: the scheme `javascript:` is " \
           "not allowed" in err
    assert "(in `example-gazette-owned-governing`, the annotation it would be in annotations/budget-vote.yaml: " \
           "nothing was written)" in err
    assert "nothing was written: 1 problem above would fail `python build.py check`" in out
    assert list((root / "annotations").iterdir()) == []


def test_a_javascript_link_in_a_note_stays_text(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    note = "Which funding? [The table](javascript:alert(1)) and <script>alert(2)</script> say nothing."
    assert run(capsys, root, _one_row(tmp_path, text=note))[0] == 0
    out = tmp_path / "site"
    assert main(["build", "--root", str(root), "--out", str(out), "--no-search"]) == 0
    page = (out / "articles" / "budget-vote" / "index.html").read_text(encoding="utf-8")
    assert "[The table](javascript:alert(1))" in page and 'href="javascript' not in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page and "<script>alert(2)" not in page


def test_control_characters_are_refused_not_a_traceback(root: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    path = _one_row(tmp_path, text="A note with a bell \x07 in it, and more words.")
    status, out, err = run(capsys, root, path)
    assert status == 1 and "Traceback" not in err
    assert "nothing was written" in out and not (root / BUDGET).exists()
    # at the annotation, as docs/importing.md says (it was blamed on the file's layout, with no position)
    assert re.search(re.escape(str(path)) + r":\d+:\d+: error: `[\w-]+` holds the control character U\+0007 in "
                     r"its `note`", err), err
    assert "without changing its layout" not in err


def test_a_file_that_would_grow_too_large(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (root / "site.yaml").write_text("title: Small\nbase_url: https://archive.example.org/\nmax_file_bytes: 1000\n",
                                    encoding="utf-8")
    status, _, err = run(capsys, root, FIXTURES / "hypothesis-export.json")
    assert status == 1 and "annotations/budget-vote.yaml would grow past 1,000 bytes" in err


def test_origin_is_checked_like_any_field(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, root, FIXTURES / "hypothesis-export.json")[0] == 0
    text = (root / BUDGET).read_text(encoding="utf-8")
    (root / BUDGET).write_text(text.replace("id: Zx1leHBvcnQtMg", "id: Zx1leHBvcnQtMQ"), encoding="utf-8")
    problems = [d.message for d in pipeline.check(Project.at(root))]
    assert problems == ["this annotation has the same origin as the one at line 16"]
    (root / BUDGET).write_text(text.replace("source: hypothesis", "source: hypothes.is", 1), encoding="utf-8")
    assert [d.message for d in pipeline.check(Project.at(root))] == ["`source` cannot be `hypothes.is`"]


# --- round trip ---------------------------------------------------------------------------------

ROUND_TRIP = article_md("Round trip", """
    Officials said the plan was "crystal clear" and the plan would work.

    The plan would cost 4 million; critics said the plan would fail.

    - First point about the plan.
    - Second point about *the plan*.

    The plan ended the story.
    """, url="https://news.example.org/round-trip", language="en")
ROUND_TRIP_NOTES = """\
article: round-trip
annotations:
  - id: at-start
    kind: claim
    quote: "Officials said"
    verdict: accurate
    note: |
      The statement is on the ministry's site.

      It is **dated** the same day, and [archived](https://archive.example.org/x).
    sources:
      - title: "Ministry statement"
        url: https://ministry.example.org/statement
        publisher: Ministry
        date: 2024-04
        archived: https://web.archive.org/web/2024/https://ministry.example.org/statement
      - title: "The budget tables"
        url: https://budget.example.org/tables
    by: [ann, bo]
    added: 2024-05-02
    updated: 2024-05-09
  - id: crystal
    kind: sourcing
    quote: '"crystal clear"'
    note: The phrase is the officials' own; nothing in the piece shows what it refers to.
    links:
      - title: "Phrase search"
        url: https://search.example.org/?q=crystal+clear
    by: ann
    added: 2024-05-03
  - id: second-plan
    kind: context
    quote: the plan
    prefix: critics said
    note: The plan here is the revised one, not the one from March.
    by: bo
    added: 2024-05-03
  - id: critics
    kind: claim
    quote: critics said the plan would fail
    verdict: unverifiable
    note: Which critics is not said, so the claim cannot be traced to anyone.
    by: bo
    added: 2024-05-04
  - id: across
    kind: context
    quote: "would work. The plan would cost"
    note: A quote across two paragraphs comes back whole, with both of its pieces.
    by: ann
    added: 2024-05-04
  - id: list-item
    kind: context
    quote: "Second point about the plan."
    note: A quote in a list item, through emphasis, comes back as the reader sees it.
    by: ann
    added: 2024-05-05
  - id: at-end
    kind: sourcing
    quote: The plan ended the story.
    note: The last words of the text, with nothing after them to export as a suffix.
    by: ann
    added: 2024-05-05
  - id: whole-article
    kind: context
    note: A note on the whole article comes back as one, with no quote.
    links:
      - title: "Background"
        url: https://background.example.org/
    by: ann
    added: 2024-05-06
"""
COMPARED = ("id", "kind", "verdict", "note", "sources", "links", "by", "added", "updated")


def _span(anchor: Anchor | None) -> tuple[int, int] | None:
    return (anchor.start, anchor.end) if anchor else None


def _compare(original: dict[str, Annotation], imported: dict[str, Annotation],
             original_anchors: dict[str, Anchor], imported_anchors: dict[str, Anchor]) -> None:
    assert sorted(imported) == sorted(original)
    for key, annotation in original.items():
        back = imported[key]
        assert {f: getattr(back, f) for f in COMPARED} == {f: getattr(annotation, f) for f in COMPARED}, key
        # the quote as our text has it: the same words, folded as anchoring folds them
        assert (fold(back.quote) if back.quote else None) == (fold(annotation.quote) if annotation.quote else None)
        assert _span(imported_anchors.get(key)) == _span(original_anchors.get(key)), key


@pytest.mark.parametrize("empty_file", ["annotations: []", None])
def test_round_trip_of_our_own_export(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      empty_file: str | None) -> None:
    source = write_archive(tmp_path / "source", {"round-trip": ROUND_TRIP}, {"round-trip": ROUND_TRIP_NOTES})
    site = tmp_path / "site"
    assert main(["build", "--root", str(source), "--out", str(site), "--no-search"]) == 0
    copy = write_archive(tmp_path / "copy", {"round-trip": ROUND_TRIP},
                         {"round-trip": f"article: round-trip\n{empty_file}\n"} if empty_file else {})
    status, out, err = run(capsys, copy, site / "articles" / "round-trip" / "annotations.jsonld")
    assert status == 0, err
    assert "adjusted" not in out and "skipped" not in out
    original, original_anchors, _ = loaded(source, "round-trip")
    imported, imported_anchors, _ = loaded(copy, "round-trip")
    _compare(original, imported, original_anchors, imported_anchors)
    assert imported["second-plan"].prefix == "critics said"
    # and the import itself is recognised when the copy is imported into again
    status, out, _ = run(capsys, copy, site / "articles" / "round-trip" / "annotations.jsonld")
    assert status == 0 and "8 × imported before" in out
    # the archive's own annotations are recognised in the archive they came from
    before = (source / "annotations" / "round-trip.yaml").read_bytes()
    status, out, _ = run(capsys, source, site / "articles" / "round-trip" / "annotations.jsonld")
    assert status == 0 and "8 × already in this archive\n      `at-start` of annotations/round-trip.yaml" in out
    assert (source / "annotations" / "round-trip.yaml").read_bytes() == before


def test_round_trip_of_the_archive_wide_collection(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Over 500 annotations: the archive's collection links its second page (annotations/page-2.jsonld)."""
    articles, files = {}, {}
    for n in (1, 2):
        sentences = " ".join(f"Sentence number {i} says that the count was {i * n}." for i in range(260))
        articles[f"part-{n}"] = article_md(f"Part {n}", sentences, url=f"https://news.example.org/part-{n}")
        items = "".join(f"""\
  - id: s{i}
    kind: {"claim" if i % 2 else "context"}
    quote: "number {i} says"
{"    verdict: mixed" + chr(10) if i % 2 else ""}    note: Sentence {i} of part {n}, annotated to fill the pages.
    by: bench
    added: 2024-01-{1 + i % 28:02d}
""" for i in range(260))
        files[f"part-{n}"] = f"article: part-{n}\nannotations:\n{items}"
    source = write_archive(tmp_path / "source", articles, files)
    site = tmp_path / "site"
    assert main(["build", "--root", str(source), "--out", str(site), "--no-search"]) == 0
    assert (site / "annotations" / "page-2.jsonld").is_file()
    copy = write_archive(tmp_path / "copy", articles)
    status, out, err = run(capsys, copy, site / "annotations.jsonld")
    assert status == 0, err
    assert out.startswith("W3C Web Annotation collection: 520 annotations\n")
    for slug in articles:
        original, original_anchors, _ = loaded(source, slug)
        imported, imported_anchors, _ = loaded(copy, slug)
        _compare(original, imported, original_anchors, imported_anchors)


def test_round_trip_with_selectors_in_other_valid_forms(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The export may leave out an empty prefix/suffix and say which element its positions count
    in (a CssSelector refined by the position): the import reads those forms alike."""
    source = write_archive(tmp_path / "source", {"round-trip": ROUND_TRIP}, {"round-trip": ROUND_TRIP_NOTES})
    site = tmp_path / "site"
    assert main(["build", "--root", str(source), "--out", str(site), "--no-search"]) == 0
    exported = site / "articles" / "round-trip" / "annotations.jsonld"
    collection = json.loads(exported.read_text(encoding="utf-8"))
    for item in collection["first"]["items"]:
        if not isinstance(item["target"], dict):
            continue
        quote, position = item["target"]["selector"]
        quote = {k: v for k, v in quote.items() if v != ""}
        item["target"]["selector"] = [quote, {"type": "CssSelector", "value": "#page-text", "refinedBy": position}]
    changed = tmp_path / "changed.jsonld"
    changed.write_text(json.dumps(collection), encoding="utf-8")
    copy = write_archive(tmp_path / "copy", {"round-trip": ROUND_TRIP})
    status, _, err = run(capsys, copy, changed)
    assert status == 0, err
    original, original_anchors, _ = loaded(source, "round-trip")
    imported, imported_anchors, _ = loaded(copy, "round-trip")
    _compare(original, imported, original_anchors, imported_anchors)

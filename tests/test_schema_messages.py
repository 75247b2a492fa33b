"""A contributor's words for a rule live beside the rule, in the schema: editing a pattern keeps
them, editing them changes what `check` prints, and a field's description is looked up in the
schema that failed, through its `$ref`s."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from string import Formatter
from typing import Any

import jsonschema
import pytest

from glossator.build import pipeline
from glossator.diagnostics import Diagnostic, format_text
from glossator.load.yamlio import parse_yaml
from glossator.project import BUILTIN_SCHEMAS, Project
from glossator.validate import schema
from glossator.validate.plain import to_plain
from tests.helpers import article_md

Edit = Callable[[str, Callable[[dict[str, Any]], None]], Path]

ANNOTATIONS = """\
article: sample
annotations:
  - id: Bad Id
    kind: context
    note: A note.
    by: no spaces!
    added: 24.11.2026
    sources:
      - title: A report
        url: ftp://example.org/report
        date: Dec 2015
"""


@pytest.fixture
def edited(tmp_path: Path) -> Edit:
    """edited(name, change) → a copy of the schemas folder with `change` applied to schema `name`
    (each call makes a new folder: the compiled schemas are cached by folder)."""
    copies = iter(range(1000))

    def edit(name: str, change: Callable[[dict[str, Any]], None]) -> Path:
        folder = tmp_path / f"schemas-{next(copies)}"
        shutil.copytree(BUILTIN_SCHEMAS, folder)
        document = json.loads((folder / name).read_text(encoding="utf-8"))
        change(document)
        (folder / name).write_text(json.dumps(document, indent=2), encoding="utf-8")
        return folder
    return edit


def diagnose(name: str, text: str, schemas: Path = BUILTIN_SCHEMAS) -> list[Diagnostic]:
    root = parse_yaml(text)
    return schema.diagnose(name, to_plain(root), root, "f.yaml", schemas=schemas)


def words(diagnostics: list[Diagnostic]) -> list[tuple[int, int, str, tuple[str, ...], str]]:
    return [(d.line, d.col, d.message, d.hints, d.title) for d in diagnostics]


def subschemas(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from subschemas(value)
    elif isinstance(node, list):
        for value in node:
            yield from subschemas(value)


@pytest.mark.parametrize("name", schema.SCHEMA_FILES)
def test_the_message_keywords_are_well_formed_and_leave_validation_alone(name: str) -> None:
    document = json.loads((BUILTIN_SCHEMAS / name).read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(document).check_schema(document)
    assert schema.is_valid_fast(name, "not an object") is False  # jsonschema-rs compiles it
    for rule in subschemas(document):
        if schema.PATTERN_MESSAGE in rule or schema.PATTERN_DIAGNOSTIC in rule:
            assert "pattern" in rule, rule
        message = rule.get(schema.PATTERN_MESSAGE)
        if message is not None:  # printed as "`field` <message>: <detail>"
            assert message[:1].islower() and (message[-1:].isalnum() or message.endswith(")")), message
        # draft-07 (the fast path) ignores whatever stands beside a `$ref`; 2020-12 does not
        assert "$ref" not in rule or set(rule) <= {"$ref", "description"}, rule
        spec = rule.get(schema.PATTERN_DIAGNOSTIC, {})
        assert set(spec) <= {"title", "detail", "hints"}, spec
        for template in [spec.get("detail", ""), *spec.get("hints", [])]:
            used = {field for _, field, _, _ in Formatter().parse(template) if field}
            assert used <= set(schema.PLACEHOLDERS), template


def test_each_pattern_rule_says_what_it_always_said(make_archive: Callable[..., Path]) -> None:
    site = """\
        base_url: ftp://example.org/
        repo_url: github.com/owner/repo
        language: english
        verdicts:
          - id: Mostly True
            label: Mostly true
        """
    front = {"url": "javascript:alert(1)", "language": "en_GB", "tags": "[Foreign Policy]"}
    root = make_archive({"sample": article_md("Sample", "Some text.\n", **front).replace("2024-05-01", "May 2024")},
                        {"sample": ANNOTATIONS}, site_yaml=site)
    found = words(pipeline.check(Project.at(root)))
    wanted = [
        (1, 11, "`base_url` must be an http or https address: the scheme `ftp:` is not allowed",
         ("write the full address, starting with https://",), "Bad URL"),
        (2, 11, "`repo_url` must be an http or https address: not a web address",
         ("write the full address, starting with https://",), "Bad URL"),
        (3, 11, "`language` has the wrong form: `english`", (), "Wrong form"),
        (5, 9, "`id` must use only lowercase letters, digits and hyphens, starting with a letter or digit: "
         "`Mostly True`", ("for example `mostly-true`",), "Bad identifier"),
    ]
    assert [d for d in found if d in wanted] == wanted, found
    wanted_front = [
        (4, 12, "`published` is not a valid date: `May 2024`",
         ("When it was published: YYYY, YYYY-MM or YYYY-MM-DD.",), "Bad date"),
        (5, 6, "`url` must be an http or https address: the scheme `javascript:` is not allowed",
         ("write the full address, starting with https://",), "Bad URL"),
        (6, 11, "`language` has the wrong form: `en_GB`", ("A BCP 47 language tag, e.g. en.",), "Wrong form"),
        (7, 8, "`tags` must use only lowercase letters, digits and hyphens, starting with a letter or digit: "
         "`Foreign Policy`", ("for example `foreign-policy`",), "Bad identifier"),
    ]
    assert [d for d in found if d in wanted_front] == wanted_front, found
    wanted_notes = [
        (3, 9, "`id` must use only lowercase letters, digits and hyphens, starting with a letter or digit: `Bad Id`",
         ("for example `bad-id`",), "Bad identifier"),
        (6, 9, "`by` must be a handle (letters, digits, `.`, `_` and `-`, no spaces): `no spaces!`",
         ("A contributor handle, e.g. your GitHub user name.",), "Bad handle"),
        (7, 12, "`added` is not a valid date: `24.11.2026`", ("A date written YYYY-MM-DD, e.g. 2026-11-24.",),
         "Bad date"),
        (10, 14, "`url` must be an http or https address: the scheme `ftp:` is not allowed",
         ("write the full address, starting with https://",), "Bad URL"),
        (11, 15, "`date` is not a valid date: `Dec 2015`", ("A date written YYYY, YYYY-MM or YYYY-MM-DD.",),
         "Bad date"),
    ]
    assert [d for d in found if d in wanted_notes] == wanted_notes, found


def test_editing_a_pattern_keeps_its_message(edited: Edit) -> None:
    # each language written another way: the old code chose its words by searching the pattern's
    # text ("[Hh][Tt][Tt][Pp]", "[0-9]{4}", "[a-z0-9]"…) and said "has the wrong form" to all five
    patterns = {"slug": r"^[0-9a-z][0-9a-z-]*$", "url": r"^(?i:https?)://[^\s/?#]+[^\s]*$",
                "date": r"^\d{4}-\d{2}-\d{2}$", "partialDate": r"^\d{4}(?:-\d{2}){0,2}$",
                "handle": r"^[0-9A-Za-z][0-9A-Za-z_.-]*$"}

    def repattern(document: dict[str, Any]) -> None:
        for name, pattern in patterns.items():
            assert document["$defs"][name]["pattern"] != pattern
            document["$defs"][name]["pattern"] = pattern
    before = diagnose("annotations.schema.json", ANNOTATIONS)
    after = diagnose("annotations.schema.json", ANNOTATIONS, edited("annotations.schema.json", repattern))
    assert words(after) == words(before)
    assert len(after) == 5 and "Wrong form" not in {d.title for d in after}


def test_editing_the_message_keywords_changes_what_check_prints(edited: Edit) -> None:
    def reword(document: dict[str, Any]) -> None:
        url = document["$defs"]["url"]
        url[schema.PATTERN_MESSAGE] = "must be a link a reader can open"
        url[schema.PATTERN_DIAGNOSTIC] = {"title": "Unopenable link", "detail": "`{value}` is not one",
                                          "hints": ["copy it from your browser's address bar", "{description}"]}
    found = diagnose("annotations.schema.json", ANNOTATIONS, edited("annotations.schema.json", reword))
    url = next(d for d in found if d.line == 10)
    assert (url.message, url.hints, url.title) == (
        "`url` must be a link a reader can open: `ftp://example.org/report` is not one",
        ("copy it from your browser's address bar", "A web address starting with http:// or https://."),
        "Unopenable link")
    assert "f.yaml:10:14: error: `url` must be a link a reader can open: `ftp://example.org/report` is not one" \
        in format_text([url])
    # a rule with no words of its own still says something true, with the field's description
    found = diagnose("annotations.schema.json", ANNOTATIONS, edited(
        "annotations.schema.json", lambda d: [d["$defs"]["handle"].pop(k) for k in (schema.PATTERN_MESSAGE,
                                                                                       schema.PATTERN_DIAGNOSTIC)]))
    handle = next(d for d in found if d.line == 6)
    assert (handle.message, handle.hints, handle.title) == (
        "`by` has the wrong form: `no spaces!`", ("A contributor handle, e.g. your GitHub user name.",), "Wrong form")


def test_a_site_yaml_description_comes_through_a_ref_in_site_schema(edited: Edit) -> None:
    # annotations.schema.json has a `$defs/url` too, described for annotation sources: the old
    # lookup read every `$ref` in that file, whichever schema had failed
    def required_by_ref(document: dict[str, Any]) -> None:
        document["required"] = ["base_url"]
        document["properties"]["base_url"] = {"$ref": "#/$defs/url"}
        document["$defs"] = {"url": {"type": "string", "pattern": "^https?://[^\\s]+$",
                                     "description": "Where the archive is published, e.g. https://example.org/."}}
    folder = edited("site.schema.json", required_by_ref)
    diag, = diagnose("site.schema.json", "title: An archive\n", folder)
    assert (diag.message, diag.hints) == ("missing required field `base_url`",
                                          ("Where the archive is published, e.g. https://example.org/.",))


def test_a_front_matter_description_comes_through_a_ref_in_article_schema(edited: Edit) -> None:
    def source_by_ref(document: dict[str, Any]) -> None:
        document["properties"]["source"] = {"$ref": "#/$defs/text"}  # annotations' `text` has no description
        document["$defs"]["text"] = {"type": "string", "minLength": 1, "maxLength": 200,
                                     "description": "The outlet that published it, e.g. RT."}
    folder = edited("article.schema.json", source_by_ref)
    diag, = diagnose("article.schema.json", 'title: T\npublished: "2015"\n', folder)
    assert (diag.message, diag.hints) == ("missing required field `source`",
                                          ("The outlet that published it, e.g. RT.",))


def test_a_missing_source_url_is_described_through_its_ref(make_archive: Callable[..., Path]) -> None:
    # the one diagnostic that changed: `required` read the description of the missing field's
    # own subschema only, so the two fields defined by `$ref` (source and link `url`) had no hint
    text = ANNOTATIONS.replace("id: Bad Id", "id: good-id").replace("no spaces!", "tester")
    text = text.replace("24.11.2026", "2024-06-01").replace("        url: ftp://example.org/report\n", "")
    text = text.replace("        date: Dec 2015\n", "")
    root = make_archive({"sample": article_md("Sample", "Some text.\n")}, {"sample": text})
    diag, = [d for d in pipeline.check(Project.at(root)) if d.is_error]
    assert (diag.path, diag.line, diag.col) == ("annotations/sample.yaml", 9, 9)
    assert (diag.message, diag.hints) == ("missing required field `url`",
                                          ("A web address starting with http:// or https://.",))


def test_an_editor_reading_the_schema_accepts_the_unquoted_years_check_accepts() -> None:
    """`date: 2015` and `published: 2015` are documented and pass `check`, but an editor's YAML language
    server reads them as numbers, and the schemas allowed only text: a false error under each."""
    def errors(name: str, instance: dict[str, Any]) -> list[str]:
        validator = jsonschema.Draft202012Validator(json.loads((BUILTIN_SCHEMAS / name).read_text(encoding="utf-8")))
        return [error.message for error in validator.iter_errors(instance)]

    source = {"title": "Budget", "url": "https://example.org/budget"}
    note = {"id": "n1", "kind": "context", "quote": "the words", "note": "Context.", "by": "ed", "added": "2024-05-02"}
    for year, fine in ((2015, True), ("2015", True), ("2015-06", True), (15, False), (20150, False)):
        annotations = {"article": "sample", "annotations": [{**note, "sources": [{**source, "date": year}]}]}
        assert (errors("annotations.schema.json", annotations) == []) is fine, year
        article = {"title": "Budget", "source": "Outlet", "published": year}
        assert (errors("article.schema.json", article) == []) is fine, year

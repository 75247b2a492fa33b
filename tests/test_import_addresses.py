"""`build.py import`: how an annotation's addresses name this archive's articles and notes, beyond
the outlet's address (tests/test_import.py has the formats and the placement): the archive as
deployed under another base than site.yaml's, the same Hypothesis note in two formats,
internationalised domain names."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from glossator.cli import main
from tests.helpers import article_md, write_archive
from tests.test_import import FIXTURES, ROUND_TRIP, ROUND_TRIP_NOTES, run

DEPLOYED = "https://someone.github.io/archive/"  # the publishing workflow's --base-url, not site.yaml's


def hypothesis_row(ident: str, page: str, exact: str | None, text: str = "A note made on the page itself.",
                   tags: tuple[str, ...] = ("context",)) -> dict[str, object]:
    selectors = [{"type": "TextQuoteSelector", "exact": exact, "prefix": "", "suffix": ""}] if exact else []
    target: dict[str, object] = {"source": page, **({"selector": selectors} if selectors else {})}
    return {"id": ident, "created": "2024-05-10T10:00:00+00:00", "updated": "2024-05-10T10:00:00+00:00",
            "user": "acct:erin@hypothes.is", "uri": page, "text": text, "tags": list(tags),
            "permissions": {"read": ["group:__world__"]}, "target": [target]}


def write_rows(path: Path, *rows: dict[str, object]) -> Path:
    path.write_text(json.dumps({"total": len(rows), "rows": list(rows)}, indent=1), encoding="utf-8")
    return path


def test_the_archive_deployed_under_another_base_is_recognised(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    """Built as the publishing workflow builds it (--base-url of the host), its export names its notes
    under that base: importing it back adds nothing, and a Hypothesis note on the published page is on
    its article."""
    source = write_archive(tmp_path / "source", {"round-trip": ROUND_TRIP}, {"round-trip": ROUND_TRIP_NOTES})
    site = tmp_path / "site"
    assert main(["build", "--root", str(source), "--out", str(site), "--base-url", DEPLOYED, "--no-search"]) == 0
    capsys.readouterr()
    notes = source / "annotations" / "round-trip.yaml"
    before = notes.read_bytes()
    status, out, err = run(capsys, source, site / "articles" / "round-trip" / "annotations.jsonld")
    assert (status, err) == (0, ""), out
    assert "8 × already in this archive\n      `at-start` of annotations/round-trip.yaml" in out
    assert notes.read_bytes() == before
    page = f"{DEPLOYED}articles/round-trip/"
    status, out, err = run(capsys, source, write_rows(tmp_path / "on-page.json",
                                                      hypothesis_row("OwnPage00001", page, "the plan would work")))
    assert (status, err) == (0, ""), out
    assert "added 1 annotation to annotations/round-trip.yaml" in out
    assert "origin:\n      source: hypothesis\n      id: OwnPage00001\n" in notes.read_text(encoding="utf-8")


def test_a_page_of_that_path_for_an_article_not_held_is_not_matched(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    source = write_archive(tmp_path / "source", {"round-trip": ROUND_TRIP})
    path = write_rows(tmp_path / "other.json",
                      hypothesis_row("Elsewhere001", f"{DEPLOYED}articles/another-story/", "the plan would work"))
    status, out, _ = run(capsys, source, path)
    assert status == 0 and "1 × on a page this archive does not hold" in out


def test_a_hypothesis_note_as_json_ld_and_as_api_json_is_one_note(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Hypothesis's JSON-LD (`id`: https://hypothes.is/a/<id>) and its API's JSON (`id`: <id>) are the
    same annotation: the second import adds nothing, whichever came first, and whatever form of the
    origin an earlier import wrote."""
    root = tmp_path / "archive"
    shutil.copytree(FIXTURES / "archive", root)
    status, out, err = run(capsys, root, FIXTURES / "w3c-annotation.jsonld")
    assert (status, err) == (0, ""), out
    notes = root / "annotations" / "army-figures.yaml"
    assert "    origin:\n      source: hypothesis\n      id: W3cSingleAnno1\n" in notes.read_text(encoding="utf-8")
    row = hypothesis_row("W3cSingleAnno1", "https://www.example-news.org/2024/05/army-figures",
                         "Officials called it \"crystal clear\" proof.", tags=("sourcing",))
    api = write_rows(tmp_path / "api.json", row)
    status, out, _ = run(capsys, root, api)
    assert status == 0 and "1 × imported before" in out and "added" not in out
    # an origin written by an earlier version of import, with the IRI
    text = notes.read_text(encoding="utf-8").replace(
        "source: hypothesis\n      id: W3cSingleAnno1\n", "source: w3c\n      id: https://hypothes.is/a/W3cSingleAnno1\n")
    notes.write_text(text, encoding="utf-8")
    status, out, _ = run(capsys, root, api)
    assert status == 0 and "1 × imported before" in out and "added" not in out


@pytest.mark.parametrize(("ours", "theirs"), [("https://новости.рф/city/42", "https://xn--b1amnebsh.xn--p1ai/city/42"),
                                              ("https://xn--b1amnebsh.xn--p1ai/city/42", "https://НОВОСТИ.рф/city/42/")])
def test_an_internationalised_domain_name_in_either_form(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         ours: str, theirs: str) -> None:
    """The address bar shows the name in its own letters; Hypothesis may record it as DNS has it."""
    root = write_archive(tmp_path / "archive", {"city-news": article_md(
        "City news", "The council approved the plan by 40 votes to 2 on Monday.\n", url=ours)})
    path = write_rows(tmp_path / "idn.json", hypothesis_row("IdnHost00001", theirs, "by 40 votes to 2",
                                                            "The minutes record 38 votes to 4 that day."))
    status, out, err = run(capsys, root, path)
    assert (status, err) == (0, ""), out
    assert "added 1 annotation to annotations/city-news.yaml" in out

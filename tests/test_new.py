"""`build.py new SLUG "words"`: the stub lands where the words are, keeps the file as it
was, is refused by `check` until filled in, and once filled in passes and anchors as meant."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from glossator.anchor.annotate import annotate_article
from glossator.anchor.markdown import parse
from glossator.anchor.textmap import page_text
from glossator.build import pipeline
from glossator.build.plan import read_config
from glossator.load.files import load_annotations, load_article
from glossator.new import fresh_id, new_stub
from glossator.project import Project
from glossator.validate.rules import validate_annotations, validate_article
from tests.helpers import article_md, run_cli

TODAY = dt.date(2024, 6, 1)
FILE = "annotations/sample.yaml"
ARTICLE = article_md("Sample", """
    The minister said the army lost 600 soldiers in June.

    Critics said the figure was too low. The minister said nothing more.

    Officials called it “crystal clear” proof. Then the tax rose; later the tax fell.
    """)
NOTE = "The ministry's own figures, published in July, give a higher number."
VERDICTS = "accurate, mostly-accurate, mixed, misleading, inaccurate, unsupported, unverifiable"


def fill(text: str) -> str:
    """What a contributor does after `new`: replace each placeholder."""
    text = text.replace("verdict: TODO", "verdict: inaccurate")
    text = re.sub(r"TODO: .*", NOTE, text)
    return text.replace("by: TODO", "by: tester")


def anchors(root: Path) -> dict[str, str]:
    """Each annotation of content/sample.md → the page text it anchors to, with its offset."""
    project = Project.at(root)
    config, _ = read_config(project)
    raw, _ = load_article(project, project.content_dir / "sample.md", config.max_file_bytes)
    assert raw is not None
    article, _ = validate_article(raw, config)
    raw_set, _ = load_annotations(project, project.annotations_dir / "sample.yaml", config.max_file_bytes)
    assert article is not None and raw_set is not None
    validated, problems = validate_annotations(raw_set, config, {"sample"})
    assert validated is not None and not problems, problems
    annotated, problems = annotate_article(article, validated.annotations, config)
    assert annotated is not None and not problems, problems
    return {key: f"{anchor.start}:{anchor.exact}" for key, anchor in annotated.anchors.items()}


def page(root: Path) -> str:
    body = (root / "content" / "sample.md").read_text(encoding="utf-8").split("---\n", 2)[2]
    return page_text(parse(body)).text


@pytest.fixture
def root(make_archive: Callable[..., Path]) -> Path:
    return make_archive({"sample": ARTICLE})


def test_round_trip_from_the_command_line(root: Path) -> None:
    result = run_cli("new", "--root", root, "sample", "the figure was too low")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"added `figure-too-low` to {FILE}, line 7"
    today = dt.date.today().isoformat()
    assert (root / FILE).read_text(encoding="utf-8") == f"""\
# yaml-language-server: $schema=../schemas/annotations.schema.json
#
# Annotations of content/sample.md.
# The format is described in CONTRIBUTING.md; `python build.py check` validates it.
article: sample
annotations:
  - id: figure-too-low
    kind: claim
    quote: "the figure was too low"
    verdict: TODO  # one of: {VERDICTS}
    note: |
      TODO: is this claim accurate? Say what the evidence shows, and list it under `sources`.
    # sources:  (the evidence; remove the # signs to use them)
    #   - title: "…"
    #     url: https://…
    #     publisher: …
    #     date: YYYY-MM-DD
    by: TODO  # your handle, e.g. your GitHub user name
    added: {today}
"""
    # check refuses the placeholders, naming each
    unfilled = run_cli("check", "--root", root)
    assert unfilled.returncode == 1
    assert [line for line in unfilled.stderr.splitlines() if line.startswith(FILE)] == [
        f"{FILE}:10:14: error: `verdict` is still a placeholder: `TODO`",
        f"{FILE}:11:11: error: `note` is still a placeholder: `TODO: is this claim accurate? Say what …`",
        f"{FILE}:18:9: error: `by` is still a placeholder: `TODO`",
    ]
    (root / FILE).write_text(fill((root / FILE).read_text(encoding="utf-8")), encoding="utf-8")
    filled = run_cli("check", "--root", root)
    assert filled.returncode == 0, filled.stderr
    text = page(root)
    assert anchors(root) == {"figure-too-low": f"{text.index('the figure was too low')}:the figure was too low"}


def test_repeated_words_take_the_first_place_with_a_prefix(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert new_stub(Project.at(root), "sample", "the tax", "context", TODAY) == 0
    out = capsys.readouterr().out
    assert "these words occur 2 times in content/sample.md; the stub takes the first, " \
           'chosen by `prefix: "Then "`. The others:' in out
    assert 'proof. Then the tax rose; later [the tax] fell.  (prefix: "later ")\n' in out
    stub = (root / FILE).read_text(encoding="utf-8")
    assert '    quote: "the tax"\n    prefix: "Then "\n' in stub
    (root / FILE).write_text(fill(stub), encoding="utf-8")
    assert pipeline.check(Project.at(root)) == []
    assert anchors(root) == {"tax": f"{page(root).index('the tax')}:the tax"}


def test_words_at_the_very_start_are_chosen_with_a_suffix(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert new_stub(Project.at(root), "sample", "The minister said", "claim", TODAY) == 0
    out = capsys.readouterr().out
    assert 'chosen by `suffix: " the"`' in out
    assert 'was too low. [The minister said] nothing more. Officials' in out and '(prefix: "low. ")\n' in out
    stub = (root / FILE).read_text(encoding="utf-8")
    assert '    quote: "The minister said"\n    suffix: " the"\n' in stub
    (root / FILE).write_text(fill(stub), encoding="utf-8")
    assert pipeline.check(Project.at(root)) == []
    assert anchors(root) == {"minister-said": "0:The minister said"}


def test_quote_takes_the_articles_own_characters(root: Path) -> None:
    # typed with straight quotes and a line break; the article has curly quotes
    assert new_stub(Project.at(root), "sample", 'called it "crystal\nclear" proof', "sourcing", TODAY) == 0
    stub = (root / FILE).read_text(encoding="utf-8")
    assert '    quote: "called it “crystal clear” proof"\n' in stub
    assert "verdict" not in stub and "# sources:" in stub
    (root / FILE).write_text(fill(stub), encoding="utf-8")
    assert pipeline.check(Project.at(root)) == []
    assert list(anchors(root).values()) == [f"{page(root).index('called it')}:called it “crystal clear” proof"]


SEED_LIKE = """\
# yaml-language-server: $schema=../schemas/annotations.schema.json
#
# Notes for editors: keep this comment.
article: sample
annotations:
  - id: army-toll   # the first note
    kind: claim
    quote: "the army lost 600 soldiers"
    verdict: misleading
    note: |
      Independent counts are higher.   Spacing kept.
    by: tester
    added: 2024-05-30
"""


def test_existing_file_keeps_every_byte(root: Path) -> None:
    (root / FILE).write_text(SEED_LIKE, encoding="utf-8")
    assert new_stub(Project.at(root), "sample", "the figure was too low", "context", TODAY) == 0
    updated = (root / FILE).read_text(encoding="utf-8")
    assert updated.startswith(SEED_LIKE + "\n  - id: figure-too-low\n    kind: context\n")
    assert updated.endswith("    by: TODO  # your handle, e.g. your GitHub user name\n    added: 2024-06-01\n")
    assert "    # links:  (further reading; remove the # signs to use them)\n" in updated
    (root / FILE).write_text(fill(updated), encoding="utf-8")
    assert pipeline.check(Project.at(root)) == []
    assert set(anchors(root)) == {"army-toll", "figure-too-low"}


def test_windows_line_endings_are_kept(root: Path) -> None:
    (root / FILE).write_bytes(SEED_LIKE.replace("\n", "\r\n").encode("utf-8"))
    assert new_stub(Project.at(root), "sample", "the figure was too low", "context", TODAY) == 0
    data = (root / FILE).read_bytes()
    assert data.startswith(SEED_LIKE.replace("\n", "\r\n").encode("utf-8"))
    assert b"\n" not in data.replace(b"\r\n", b"") and data.endswith(b"added: 2024-06-01\r\n")


def test_empty_list_and_a_key_after_the_list(root: Path) -> None:
    (root / FILE).write_text("annotations: []   # none yet\narticle: sample\n", encoding="utf-8")
    assert new_stub(Project.at(root), "sample", "the figure was too low", "context", TODAY) == 0
    first = (root / FILE).read_text(encoding="utf-8")
    assert first.startswith("annotations:\n  - id: figure-too-low\n")
    assert first.endswith("    added: 2024-06-01\narticle: sample\n")
    # a second stub goes at the end of the list, still before `article:`
    assert new_stub(Project.at(root), "sample", "600 soldiers", "context", TODAY) == 0
    second = (root / FILE).read_text(encoding="utf-8")
    assert second.startswith(first.removesuffix("article: sample\n") + "\n  - id: 600-soldiers\n")
    assert second.endswith("    added: 2024-06-01\narticle: sample\n")
    (root / FILE).write_text(fill(second), encoding="utf-8")
    assert pipeline.check(Project.at(root)) == []


def test_ids_stay_unique(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for _ in range(2):
        assert new_stub(Project.at(root), "sample", "the figure was too low", "context", TODAY) == 0
    out = capsys.readouterr().out
    assert f"added `figure-too-low-2` to {FILE}, line 18" in out
    assert f"note: line 9 of {FILE} already annotates these words" in out
    assert fresh_id("Ça, c’est “la” vérité!", set()) == "ca-cest-la-verite"
    assert fresh_id("« »", {"note"}) == "note-2"


def test_words_not_in_the_article(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert new_stub(Project.at(root), "sample", "the army lost 700 soldiers", "claim", TODAY) == 1
    err = capsys.readouterr().err
    assert "error: these words are not in content/sample.md" in err
    assert "“the army lost 600 soldiers”" in err and "the quote has `700` where the article has `600`" in err
    assert not (root / FILE).exists()


def test_unknown_article_and_bad_slug(root: Path) -> None:
    missing = run_cli("new", "--root", root, "sampel", "the figure")
    assert missing.returncode == 1
    assert "error: there is no article content/sampel.md" in missing.stderr
    assert "did you mean `sample`?" in missing.stderr
    bad = run_cli("new", "--root", root, "../sample", "the figure")
    assert bad.returncode == 2 and "is not an article slug" in bad.stderr
    empty = run_cli("new", "--root", root, "sample", "  ")
    assert empty.returncode == 2 and "give the words to annotate" in empty.stderr


@pytest.mark.parametrize("text", [
    "article: sample\nannotations:\n  - id: a\n    note: He said: no\n",  # not YAML
    "article: sample\nannotations: [{id: a}]\n",  # a flow list: appending text cannot extend it
    "- just a list\n",
])
def test_files_it_cannot_extend_are_left_alone(root: Path, text: str, capsys: pytest.CaptureFixture[str]) -> None:
    (root / FILE).write_text(text, encoding="utf-8")
    assert new_stub(Project.at(root), "sample", "the figure was too low", "context", TODAY) == 1
    assert (root / FILE).read_text(encoding="utf-8") == text
    assert "error:" in capsys.readouterr().err


def test_words_in_many_places_are_counted_all(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A few places are listed, then "… and N more": the count says how many there are in all."""
    body = " ".join(f"Paragraph {n}: the council met." for n in range(12))
    (root / "content" / "many.md").write_text(article_md("Many", body), encoding="utf-8")
    assert new_stub(Project.at(root), "many", "the council met", "context", TODAY) == 0
    out = capsys.readouterr().out
    assert "these words occur 12 times in content/many.md" in out
    assert out.count("  (prefix: ") + int(out.split("… and ")[1].split(" more")[0]) == 11

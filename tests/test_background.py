"""A build's work done in a child process (build/background.py): the archive's exports are merged
there while the build writes its listings. What the child returns or raises reaches the build as
if the work had been done in it, and the site is the one an inline merge writes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from glossator.build import pipeline
from glossator.build.background import InBackground
from glossator.exports.merge import COLLECTION, DamagedExport
from glossator.project import Project

from .helpers import article_md, write_archive
from .test_build import tree_digest


def _damaged(path: str) -> None:
    raise DamagedExport(path, "the file is shorter than when it was built: it was changed")


def _dies() -> None:
    os._exit(3)


class _Unpicklable(Exception):
    def __init__(self, a: str, b: str) -> None:  # (pickled as its args, (a + b,): cannot be made again)
        super().__init__(a + b)


def _raises_unpicklable() -> None:
    raise _Unpicklable("made ", "here")


def test_the_work_is_done_in_another_process_and_its_value_comes_back() -> None:
    assert InBackground(os.getpid).result() != os.getpid()
    assert InBackground(os.getpid, apart=False).result() == os.getpid()


def test_what_the_child_raises_is_raised_here() -> None:
    job = InBackground(_damaged, "data/annotations.json")
    with pytest.raises(DamagedExport) as raised:
        job.result()
    assert raised.value.path == "data/annotations.json" and "shorter" in raised.value.message
    inline = InBackground(_damaged, "x.json", apart=False)  # raised at result(), not when made
    with pytest.raises(DamagedExport):
        inline.result()


def test_a_child_that_dies_or_answers_what_cannot_be_read_is_an_error_not_a_hang() -> None:
    with pytest.raises(RuntimeError, match="exit status 3"):
        InBackground(_dies).result()
    with pytest.raises(RuntimeError, match="_Unpicklable"):
        InBackground(_raises_unpicklable).result()


def _archive(root: Path, count: int) -> Path:
    articles = {f"a{n}": article_md(f"Article {n}", f"Marker {n} is in the text.\n") for n in range(count)}
    notes = {slug: f"article: {slug}\nannotations:\n  - id: n1\n    kind: context\n"
                   f"    quote: \"Marker {slug[1:]}\"\n    note: \"The marker of this article, noted.\"\n"
                   f"    by: tester\n    added: 2026-01-0{1 + int(slug[1:]) % 9}\n"
             for slug in articles}
    return write_archive(root, articles, notes)


def test_exports_merged_apart_equal_exports_merged_inline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _archive(tmp_path / "archive", 5)
    inline = pipeline.build(Project.at(root, tmp_path / "inline" / "site"), jobs=1)
    assert inline.ok, inline.diagnostics
    monkeypatch.setattr(pipeline, "MERGE_APART_FROM", 0)
    apart = pipeline.build(Project.at(root, tmp_path / "apart" / "site"), jobs=1)
    assert apart.ok, apart.diagnostics
    assert tree_digest(tmp_path / "apart" / "site") == tree_digest(tmp_path / "inline" / "site")


def test_a_damaged_export_found_apart_fails_the_build_and_keeps_the_site(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "MERGE_APART_FROM", 0)
    root = _archive(tmp_path / "archive", 5)
    out = tmp_path / "site"
    assert pipeline.build(Project.at(root, out), jobs=1).ok
    # an unchanged article's file, which the next build links and reads, changed behind the build's back
    collection = out / "articles" / "a0" / COLLECTION
    with collection.open("r+b") as stream:  # (in place: the next build's link is to this very file)
        stream.truncate(10)
    before = tree_digest(out)
    (root / "content" / "a4.md").write_text(article_md("Article 4, edited", "Marker 4 is in the text.\n"))
    result = pipeline.build(Project.at(root, out), jobs=1)
    assert not result.ok
    [problem] = [d for d in result.diagnostics if d.is_error]
    assert problem.title == "Damaged site" and problem.path == f"site/articles/a0/{COLLECTION}", problem
    assert tree_digest(out) == before
    cache = out.parent / f".{out.name}.glossator-cache"
    assert not list(cache.glob("*.tmp"))  # the cache's files written meanwhile are gone too


def test_the_fork_server_preloads_the_engine_when_run_from_another_folder(tmp_path: Path) -> None:
    # The fork server is a `python -c` in the build's working folder; from another one than the
    # engine's it could not import the engine, and every child imported it anew (~0.3 s of CPU each).
    # A child that unpickles only background.py finds the rest of the engine already imported.
    script = (
        "import sys\n"
        f"sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})\n"
        "from glossator.build.background import InBackground, start_fork_server\n"
        "if __name__ == '__main__':\n"
        "    start_fork_server()\n"
        "    print(InBackground(eval, \"'glossator.anchor.annotate' in __import__('sys').modules\").result())\n"
        "    print('PYTHONPATH' in __import__('os').environ)\n"
    )
    (tmp_path / "probe.py").write_text(script)
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "probe.py"], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "False"]  # preloaded; this process's environment left as it was


class _Planned(Exception):
    """Raised where the build would list the archive: the test has seen what came before."""


def test_a_cold_build_starts_the_fork_server_before_it_lists_the_archive(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # The server imports the engine (~0.25 s) while the build lists the archive and makes its plan,
    # so that the workers can start as soon as the plan is made.
    from glossator.build import background, plan

    write_archive(tmp_path, {f"a-{n:03}": article_md(f"A {n}", "Words.\n") for n in range(70)})
    calls: list[str] = []
    monkeypatch.setattr(background, "start_fork_server", lambda: calls.append("fork server"))

    def planned(*args: object, **kwargs: object) -> None:
        calls.append("plan")
        raise _Planned

    monkeypatch.setattr(plan, "make_plan", planned)
    with pytest.raises(_Planned):
        pipeline.build(Project.at(tmp_path))
    assert calls == ["fork server", "plan"]


def test_a_plan_reaches_a_worker_as_text_and_is_the_same_plan(tmp_path: Path) -> None:
    # A worker gets the plan when it starts: its articles' paths travel as text, and an article is
    # made one when the worker asks for it (unpickling 20,000 Paths held each worker ~0.12 s).
    import pickle

    from glossator.build.options import BuildOptions
    from glossator.build.plan import make_plan

    write_archive(tmp_path, {"a": article_md("A", "Words.\n"), "b": article_md("B", "More words.\n")},
                  {"b": "annotations: []\n", "orphan": "annotations: []\n"})
    (tmp_path / "versions" / "a").mkdir(parents=True)
    (tmp_path / "versions" / "a" / "2026-01-02-0300.md").write_text(article_md("A", "Old words.\n"), encoding="utf-8")
    made = make_plan(Project.at(tmp_path), BuildOptions())
    assert made.articles["a"].version_paths and made.articles["b"].annotation_path and made.orphans
    sent = pickle.loads(pickle.dumps(made))
    assert not sent.articles._made  # type: ignore[attr-defined]  (nothing made until asked for)
    assert sent == made and list(sent.articles) == list(made.articles) and sent.all_slugs == made.all_slugs
    assert {slug: sent.articles[slug] for slug in sent.articles} == dict(made.articles)
    assert pickle.loads(pickle.dumps(sent)) == made  # (and again, as the live preview's fast path might)

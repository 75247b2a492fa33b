"""Interrupted builds (SPEC §8, issue 9): Ctrl-C, SIGTERM or SIGKILL at any moment of a build leaves
the previous site byte for byte as it was, and nothing of the interrupted build inside it.

A generated archive of 300 articles is built once; then its articles change, and a second build
is started in a process group of its own and signalled, as a terminal or CI runner signals the
whole group, at several moments: while Python starts, while workers render articles, and while
Pagefind indexes the staged site. Every file of the site is hashed before and after. A SIGKILL'd
build cannot clean up: its staging directory, beside the site, must be removed by the next build.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from glossator.build.staging import _REMOVE, OLD_MARK, STAGING_MARK, clean_stale
from tests.helpers import REPO, make_corpus, processes_working_in, run_cli

ARTICLES = 300
CHANGED = "This sentence was added after the first build."
EXIT_TIMEOUT = 60  # seconds a signalled build may take to go


def snapshot(site: Path) -> dict[str, str]:
    """Every directory and every file's hash: what "byte-identical" means here."""
    out = {}
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        out[rel] = "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def staging_dirs(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if STAGING_MARK in p.name)


def leftovers_inside(site: Path) -> list[str]:
    """Anything of a build in progress: staging or scratch directories inside the site."""
    return sorted(p.relative_to(site).as_posix() for p in site.rglob(".*") if p.is_dir() or STAGING_MARK in p.name)


def _lingering_in(root: Path, grace: float = 5.0) -> list[int]:
    deadline = time.monotonic() + grace
    while (found := processes_working_in(root)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def group_members(pgid: int, grace: float = 5.0) -> list[str]:
    """Processes still in the group after `grace` seconds, zombies (dead, not yet reaped) excepted.

    A process signalled an instant ago can still be listed as running while the kernel tears it
    down; one that is still there seconds later outlived the build."""
    deadline = time.monotonic() + grace
    while (alive := _members(pgid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive


def _members(pgid: int) -> list[str]:
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, pgrp = fields[0], int(fields[2])
        if pgrp == pgid and state != "Z":
            alive.append(f"{stat.parent.name} ({state})")
    return alive


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A built archive of ARTICLES articles whose articles then all changed: the next build has work to do."""
    root = tmp_path_factory.mktemp("interrupt") / "archive"
    make_corpus(root, ARTICLES)
    built = run_cli("build", "--root", root)
    assert built.returncode == 0, built.stderr
    before = snapshot(root / "site")
    assert sum(1 for rel in before if rel.startswith("pagefind/fragment/")) == ARTICLES
    for path in sorted((root / "content").glob("*.md")):
        with path.open("a", encoding="utf-8") as stream:
            stream.write(f"\n{CHANGED}\n")
    return root, before


def start_build(root: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, str(REPO / "build.py"), "build", "--root", str(root)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def wait_for_pagefind(root: Path, build: subprocess.Popen[str]) -> None:
    """Until Pagefind writes into this build's staging directory (its scratch bundle appears)."""
    pattern = f".site{STAGING_MARK}{build.pid}-*/.pagefind-*"
    deadline = time.monotonic() + EXIT_TIMEOUT
    while not list(root.glob(pattern)):
        assert build.poll() is None, f"the build ended before Pagefind ran: {build.returncode}"
        assert time.monotonic() < deadline, "Pagefind never started"
        time.sleep(0.002)


MOMENTS = [
    ("SIGINT", 0.2),  # Python still starting
    ("SIGTERM", 0.5),
    ("SIGKILL", 1.0),  # workers rendering articles
    ("SIGINT", 2.0),
    ("SIGINT", "pagefind"),
    ("SIGTERM", "pagefind"),
    ("SIGKILL", "pagefind"),
]


@pytest.mark.parametrize(("name", "moment"), MOMENTS, ids=[f"{n}-{m}" for n, m in MOMENTS])
def test_an_interrupted_build_leaves_the_site_as_it_was(name: str, moment: float | str,
                                                        corpus: tuple[Path, dict[str, str]]) -> None:
    root, before = corpus
    sig = getattr(signal, name)
    build = start_build(root)
    if moment == "pagefind":
        wait_for_pagefind(root, build)
    else:
        time.sleep(float(moment))
        assert build.poll() is None, "the build ended before it could be interrupted: make it longer"
    os.killpg(build.pid, sig)  # the whole group, as a terminal's Ctrl-C or a CI runner does
    try:
        _, stderr = build.communicate(timeout=EXIT_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(build.pid, signal.SIGKILL)
        build.communicate()
        pytest.fail(f"the build did not stop within {EXIT_TIMEOUT} s of {name}")
    assert build.returncode in (130, -sig), (build.returncode, stderr[-2000:])
    assert not group_members(build.pid), "processes of the build outlived it"
    # (nor any that left its group: a process of its own indexing a part, or the Pagefind it ran)
    assert not _lingering_in(root), "processes of the build outlived it, in a session of their own"
    assert snapshot(root / "site") == before, "the previous site changed"
    assert not leftovers_inside(root / "site")
    if "interrupted" in stderr:
        # Ctrl-C reached the build's own handler: it cleans up, and its workers keep quiet
        assert "Traceback" not in stderr, stderr[-2000:]
        assert build.returncode == 130
        assert not [d for d in staging_dirs(root) if f"{STAGING_MARK}{build.pid}-" in d]


def wait_for_staging(root: Path, build: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + EXIT_TIMEOUT
    while not list(root.glob(f".site{STAGING_MARK}{build.pid}-*")):
        assert build.poll() is None and time.monotonic() < deadline, "the build never staged anything"
        time.sleep(0.002)


def test_the_next_build_removes_what_killed_builds_left(corpus: tuple[Path, dict[str, str]]) -> None:
    root, before = corpus
    build = start_build(root)
    wait_for_staging(root, build)
    time.sleep(0.1)  # workers writing into it
    os.killpg(build.pid, signal.SIGKILL)
    build.communicate(timeout=EXIT_TIMEOUT)
    stale = staging_dirs(root)
    assert any(f"{STAGING_MARK}{build.pid}-" in d for d in stale), stale  # SIGKILL leaves it behind
    assert snapshot(root / "site") == before
    done = run_cli("build", "--root", root)
    assert done.returncode == 0, done.stderr
    assert staging_dirs(root) == []
    after = snapshot(root / "site")
    # the same pages; Pagefind names its files after their contents, so those differ, one for one
    assert {k for k in after if not k.startswith("pagefind/")} == {k for k in before if not k.startswith("pagefind/")}
    assert sum(k.startswith("pagefind/fragment/") for k in after) == ARTICLES
    assert after != before
    pages = sorted((root / "site" / "articles").glob("*/index.html"))
    assert len(pages) == ARTICLES and all(CHANGED in page.read_text(encoding="utf-8") for page in pages)
    assert not leftovers_inside(root / "site")


def test_an_old_site_being_deleted_is_left_to_the_process_deleting_it(tmp_path: Path) -> None:
    """The previous site is deleted by a process of its own once the build returns (named after the
    build, by then gone): that process renames it after itself first, so that the next build does
    not take it for a killed build's leftover and delete it again, on its own time."""
    prefix = f".site{OLD_MARK}"
    # a file stands for the old tree: a folder's deletion cannot fail, and what it was renamed to would go
    old = tmp_path / f"{prefix}{os.getpid()}-abcd1234"
    old.write_text("the previous site", encoding="utf-8")
    remover = subprocess.Popen([sys.executable, "-I", "-S", "-c", _REMOVE, str(old), prefix])
    assert remover.wait(timeout=EXIT_TIMEOUT) == 0
    renamed = tmp_path / f"{prefix}{remover.pid}-abcd1234"
    assert [p.name for p in tmp_path.iterdir()] == [renamed.name]
    renamed.unlink()
    # the next build's sweep leaves a tree named after a live process alone, and takes a dead one's
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        alive = tmp_path / f"{prefix}{sleeper.pid}-00000000"
        alive.mkdir()
        (tmp_path / f"{prefix}{remover.pid}-11111111").mkdir()
        clean_stale(tmp_path / "site")
        assert [p.name for p in tmp_path.iterdir()] == [alive.name]
    finally:
        sleeper.kill()
        sleeper.wait()

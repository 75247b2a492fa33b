"""Two builds of the same input give byte-identical output (SPEC §8, issue 9), the search index
included, whatever the number of worker processes, the output folder, or the build cache's state.

Builds of one generated archive (enough articles that `--jobs 2` really uses two workers, which
finish in no fixed order) go to different folders, each with its own build cache; every file of
every tree is hashed, and a difference names the files and the builds that disagree.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from glossator.build.workers import SERIAL_BELOW
from tests.helpers import REPO, build_site, make_corpus

ARTICLES = max(120, 2 * SERIAL_BELOW)  # above the size below which a build stays in one process


def tree(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): ("dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(site.rglob("*"))}


def differences(a: dict[str, str], b: dict[str, str]) -> list[str]:
    out = [f"only in the first: {k}" for k in sorted(a.keys() - b.keys())]
    out += [f"only in the second: {k}" for k in sorted(b.keys() - a.keys())]
    out += [f"differs: {k}" for k in sorted(a.keys() & b.keys()) if a[k] != b[k]]
    return out


@pytest.fixture(scope="module")
def generated_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ARTICLES generated articles (make_corpus.py) and the seed article, in one archive folder."""
    root = tmp_path_factory.mktemp("determinism") / "archive"
    make_corpus(root, ARTICLES, "--seed", "9")
    # and the real article, with its nested highlights, notes on the whole article and ClaimReviews
    shutil.copy(REPO / "content" / "iraqi-militia-turkey-isis-claims.md", root / "content")
    shutil.copy(REPO / "annotations" / "iraqi-militia-turkey-isis-claims.yaml", root / "annotations")
    return root


def build_tree(root: Path, out: Path, *extra: str) -> dict[str, str]:
    return tree(build_site(root, out, *extra))


@pytest.fixture(scope="module")
def builds(generated_archive: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    base = tmp_path_factory.mktemp("outputs")
    return {
        "--jobs 1": build_tree(generated_archive, base / "one" / "site", "--jobs", "1"),
        "--jobs 2": build_tree(generated_archive, base / "two" / "site", "--jobs", "2"),
        "--jobs 2, again": build_tree(generated_archive, base / "again" / "site", "--jobs", "2"),
    }


def test_the_trees_are_complete(builds: dict[str, dict[str, str]]) -> None:
    """What is compared is a whole site: every article page and the search bundle."""
    for name, files in builds.items():
        pages = [k for k in files if k.startswith("articles/") and k.endswith("/index.html")]
        listing = {"articles/index.html", "articles/page/2/index.html"}  # (100 articles a page)
        fragments = [k for k in files if k.startswith("pagefind/fragment/")]
        assert listing <= set(pages) and len(pages) == ARTICLES + 1 + len(listing), name
        assert len(fragments) == ARTICLES + 1, name


@pytest.mark.parametrize(("first", "second"), [("--jobs 1", "--jobs 2"), ("--jobs 2", "--jobs 2, again")])
def test_two_builds_are_byte_identical(builds: dict[str, dict[str, str]], first: str, second: str) -> None:
    found = differences(builds[first], builds[second])
    assert not found, f"builds with {first} and {second} differ:\n" + "\n".join(found[:40])


def test_an_incremental_build_equals_a_full_one(generated_archive: Path, builds: dict[str, dict[str, str]],
                                                tmp_path: Path) -> None:
    """A build that takes most articles from the build cache writes what a full build writes."""
    root = tmp_path / "archive"
    shutil.copytree(generated_archive, root)
    out = tmp_path / "site"
    build_tree(root, out, "--jobs", "2")
    edited = sorted((root / "content").glob("*.md"))[:5]
    originals = {path: path.read_bytes() for path in edited}
    for path in edited:
        path.write_bytes(originals[path] + b"\nA sentence added, and removed again.\n")
    build_tree(root, out, "--jobs", "2")
    for path, data in originals.items():
        path.write_bytes(data)
    found = differences(builds["--jobs 1"], build_tree(root, out, "--jobs", "2"))
    assert not found, "an incremental build differs from a full one:\n" + "\n".join(found[:40])

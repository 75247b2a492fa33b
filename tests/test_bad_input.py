"""Bad input, class by class (SPEC §5 and §8; issues 3 and 9): oversized files, YAML anchors,
aliases and tags, deep nesting, text that is not UTF-8, bad slugs and ids, symlinks out of the
archive, files that are not annotation files.

Each case is added to a copy of a good archive whose site is already built; then `check` and
`build` must both exit 1 with the diagnostic at the right file:line:col, print no traceback,
and leave `site/` byte for byte as it was, with no staging directory left beside it.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from glossator.build import pipeline
from glossator.build.staging import STAGING_MARK
from glossator.project import Project
from tests.helpers import article_md, run_cli, write_archive

GOOD_BODY = """
The minister said the army lost 600 soldiers in June.

Critics said the figure was too low. The minister said nothing more.
"""
GOOD_ANNOTATIONS = """\
article: good
annotations:
  - id: toll
    kind: claim
    quote: "lost 600 soldiers"
    verdict: inaccurate
    note: The inquiry later counted 1,700 dead, nearly three times the figure given here.
    by: tester
    added: 2024-06-01
"""
MEMORY_LIMIT = 2 << 30  # bytes of address space: a regression that reads /dev/zero fails instead of swapping
CLI_TIMEOUT = 60


@dataclass(frozen=True)
class Link:
    """A symlink to create: `target` as written, or `outside` for a file beside the archive."""

    target: str


@dataclass(frozen=True)
class Case:
    name: str
    files: dict[str, bytes | str | Link]  # archive path → content (str is UTF-8) or a symlink
    where: str  # the diagnostic's location, "path:line:col" or "path" for a whole file
    words: tuple[str, ...]  # words its message must contain
    site_yaml: str | None = None


def annotations_with(line: str, at: str = "note") -> str:
    """The good annotation file with the `at:` line replaced by `line`."""
    return "".join(line + "\n" if row.strip().startswith(f"{at}:") else row + "\n"
                   for row in GOOD_ANNOTATIONS.splitlines())


def front_with(line: str) -> str:
    return article_md("Good", GOOD_BODY).replace('title: "Good"', line)


BILLION_LAUGHS = "article: good\nannotations: []\nlol: &a [\"lol\", \"lol\"]\n" + "".join(
    f"l{i}: &a{i} [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n" for i in range(9))
UTF8_AFTER = b"article: good\nannotations:\n  - id: toll\n    note: caf"

CASES = [
    # sizes: 1 MB by default, `max_file_bytes` in site.yaml
    Case("oversize-article", {"content/big.md": article_md("Big", "word " * 210_000)}, "content/big.md",
         ("too large", "1,000,000")),
    Case("oversize-annotations", {"annotations/good.yaml": GOOD_ANNOTATIONS + "# padding\n" * 100_001},
         "annotations/good.yaml", ("too large", "1,000,000")),
    Case("over-configured-limit", {"annotations/good.yaml": GOOD_ANNOTATIONS + "# padding\n" * 300},
         "annotations/good.yaml", ("too large", "2,000"), site_yaml="max_file_bytes: 2000\n"),
    # YAML: anchors, aliases, tags (in annotation files and in front matter)
    Case("anchor", {"annotations/good.yaml": annotations_with("    note: &n The inquiry later counted more.")},
         "annotations/good.yaml:7:11", ("anchor", "&n")),
    Case("alias", {"annotations/good.yaml": annotations_with("    note: *n")}, "annotations/good.yaml:7:11",
         ("alias", "*n")),
    Case("billion-laughs", {"annotations/good.yaml": BILLION_LAUGHS}, "annotations/good.yaml:3:6", ("anchor",)),
    Case("python-tag", {"annotations/good.yaml": annotations_with(
        '    note: !!python/object/apply:os.system ["touch /tmp/glossator-pwned"]')},
         "annotations/good.yaml:7:11", ("tag", "python/object/apply")),
    Case("local-tag", {"annotations/good.yaml": annotations_with("    note: !secret value")},
         "annotations/good.yaml:7:11", ("tag", "!secret")),
    Case("front-matter-tag", {"content/good.md": front_with("title: !!python/name:os.system")},
         "content/good.md:2:8", ("tag",)),
    Case("front-matter-unclosed", {"content/good.md": article_md("Good", GOOD_BODY).replace("\n---\n", "\n\n", 1)},
         "content/good.md:1:1", ("the front matter is not closed", "add a `---` line")),
    Case("front-matter-missing", {"content/good.md": GOOD_BODY.lstrip()}, "content/good.md:1:1",
         ("missing front matter",)),
    Case("front-matter-anchor", {"content/good.md": front_with("title: &t Good")}, "content/good.md:2:8",
         ("anchor", "&t")),
    # a quote mark inside quoted text: reported where the text ends early, or where an unclosed quote opens
    Case("quote-inside-double-quotes", {"annotations/good.yaml": annotations_with('    quote: "lost "600" soldiers"',
                                                                                  at="quote")},
         "annotations/good.yaml:5:18", ("this `\"` ends the quoted text",)),
    Case("apostrophe-inside-single-quotes", {"annotations/good.yaml": annotations_with("    quote: 'the army's toll'",
                                                                                       at="quote")},
         "annotations/good.yaml:5:21", ("this `'` ends the quoted text",)),
    Case("quote-inside-front-matter", {"content/good.md": front_with('title: "The "Good" one"')},
         "content/good.md:2:13", ("ends the quoted text",)),
    Case("unclosed-quote", {"annotations/good.yaml": annotations_with('    quote: "lost 600 soldiers', at="quote")},
         "annotations/good.yaml:5:12", ("this `\"` opens quoted text that is never closed",)),
    Case("unclosed-quote-closed-lines-below", {"annotations/good.yaml": GOOD_ANNOTATIONS.replace(
        'quote: "lost 600 soldiers"', 'quote: "lost 600 soldiers').replace("by: tester", 'by: "tester"')},
         "annotations/good.yaml:5:12", ("opens quoted text that runs on to the `\"` on line 8",)),
    # nesting: at most 32 levels, reported where the 33rd opens
    Case("deep-flow", {"annotations/good.yaml": "article: good\nannotations: " + "[" * 200 + "]" * 200 + "\n"},
         "annotations/good.yaml:2:45", ("nesting", "32")),
    Case("deep-block", {"content/good.md": front_with(
        "title:\n" + "".join("  " * depth + "- \n" for depth in range(1, 40)).rstrip("\n"))},
         "content/good.md:34:65", ("nesting", "32")),
    # not UTF-8: the line, column and byte offset of the first bad byte
    Case("latin-1-annotations", {"annotations/good.yaml": UTF8_AFTER + b"\xe9 bad\n"}, "annotations/good.yaml:4:14",
         ("UTF-8", f"offset {len(UTF8_AFTER)}")),
    Case("latin-1-article", {"content/good.md": article_md("Good", GOOD_BODY).encode() + b"Caf\xe9 au lait.\n"},
         "content/good.md:9:4", ("UTF-8", f"offset {len(article_md('Good', GOOD_BODY).encode()) + 3}")),
    Case("utf-16", {"annotations/good.yaml": GOOD_ANNOTATIONS.encode("utf-16")}, "annotations/good.yaml:1:1",
         ("UTF-8", "offset 0")),
    Case("overlong-slash", {"annotations/good.yaml": b"article: good\x0aannotations: [\xc0\xaf]\n"},
         "annotations/good.yaml:2:15", ("UTF-8", "offset 28")),
    Case("encoded-surrogate", {"content/good.md": b"---\ntitle: \xed\xa0\x80\n"}, "content/good.md:2:8",
         ("UTF-8", "offset 11")),
    Case("truncated-sequence", {"annotations/good.yaml": GOOD_ANNOTATIONS.encode() + b"# \xe2\x82"},
         f"annotations/good.yaml:{GOOD_ANNOTATIONS.count(chr(10)) + 1}:3", ("UTF-8",)),
    Case("control-character-in-text", {"content/good.md": article_md("Good", GOOD_BODY + "\nBell\x07 here.\n")},
         "content/good.md:10:5", ("control character", "U+0007")),
    Case("control-character-escape", {"annotations/good.yaml": annotations_with('    note: "ring \\a the bell"')},
         "annotations/good.yaml:7:11", ("control character", "U+0007")),
    # slugs and ids: names are patterns, never paths
    Case("slug-space", {"content/Bad Name.md": article_md("B", GOOD_BODY)}, "content/Bad Name.md",
         ("not a valid article file name",)),
    Case("slug-upper", {"content/UPPER.md": article_md("B", GOOD_BODY)}, "content/UPPER.md",
         ("not a valid article file name",)),
    Case("slug-leading-hyphen", {"content/-lead.md": article_md("B", GOOD_BODY)}, "content/-lead.md",
         ("not a valid article file name",)),
    Case("slug-underscore", {"content/a_b.md": article_md("B", GOOD_BODY)}, "content/a_b.md",
         ("not a valid article file name",)),
    Case("slug-unicode", {"content/café.md": article_md("B", GOOD_BODY)}, "content/café.md",
         ("not a valid article file name",)),
    Case("slug-too-long", {f"content/{'a' * 121}.md": article_md("B", GOOD_BODY)}, f"content/{'a' * 121}.md",
         ("not a valid article file name",)),
    Case("annotation-file-name", {"annotations/Good Notes.yaml": GOOD_ANNOTATIONS}, "annotations/Good Notes.yaml",
         ("not a valid annotation file name",)),
    Case("article-path", {"annotations/good.yaml": GOOD_ANNOTATIONS.replace("article: good",
                                                                            "article: ../content/good")},
         "annotations/good.yaml:1:10", ("article",)),
    Case("id-with-space", {"annotations/good.yaml": GOOD_ANNOTATIONS.replace("id: toll", "id: Toll Count")},
         "annotations/good.yaml:3:9", ("id",)),
    Case("id-path", {"annotations/good.yaml": GOOD_ANNOTATIONS.replace("id: toll", 'id: "../../etc/passwd"')},
         "annotations/good.yaml:3:9", ("id",)),
    Case("id-markup", {"annotations/good.yaml": GOOD_ANNOTATIONS.replace("id: toll", "id: 'x\" onclick=\"y'")},
         "annotations/good.yaml:3:9", ("id",)),
    Case("id-too-long", {"annotations/good.yaml": GOOD_ANNOTATIONS.replace("id: toll", "id: " + "t" * 121)},
         "annotations/good.yaml:3:9", ("id",)),
    # symlinks: nothing outside the archive is read, whatever the link says
    Case("link-to-passwd", {"content/passwd.md": Link("/etc/passwd")}, "content/passwd.md", ("outside the archive",)),
    Case("link-to-outside-file", {"annotations/good.yaml": Link("outside")}, "annotations/good.yaml",
         ("outside the archive",)),
    Case("link-to-dev-zero", {"content/zero.md": Link("/dev/zero")}, "content/zero.md", ("outside the archive",)),
    Case("link-up-and-out", {"annotations/good.yaml": Link("../../outside.yaml")}, "annotations/good.yaml",
         ("outside the archive",)),
    Case("dangling-link", {"annotations/gone.yaml": Link("/nonexistent/gone.yaml")}, "annotations/gone.yaml",
         ("outside the archive",)),
    Case("link-loop", {"content/loop.md": Link("loop.md")}, "content/loop.md", ("symlink loop",)),
    Case("annotation-link-loop", {"annotations/loop.yaml": Link("loop.yaml")}, "annotations/loop.yaml",
         ("symlink loop",)),
    Case("stray-link-loop", {"annotations/x.txt": Link("x.txt")}, "annotations/x.txt", ("symlink loop",)),
    Case("versions-folder-link-loop", {"versions/x": Link("x")}, "versions/x", ("symlink loop",)),
    Case("version-file-link-loop", {"versions/good/2026-12-01-0900.md": Link("2026-12-01-0900.md")},
         "versions/good/2026-12-01-0900.md", ("symlink loop",)),
    Case("link-to-folder", {"annotations/etc.yaml": Link("/etc")}, "annotations/etc.yaml", ("outside the archive",)),
    # templates: what Jinja reads and static/ holds is published, so no link may lead out either
    Case("template-link-outside", {"templates/robots.txt": Link("outside")}, "templates/robots.txt",
         ("outside the archive",)),
    Case("static-link-outside", {"templates/static/x.css": Link("outside")}, "templates/static/x.css",
         ("outside the archive",)),
    Case("static-folder-link-outside", {"templates/static/etc": Link("/etc")}, "templates/static/etc",
         ("outside the archive",)),
    # folders named like inputs: reported, never silently skipped
    Case("folder-named-like-an-article", {"content/folder.md/x": "x"}, "content/folder.md", ("folder",)),
    Case("folder-named-like-an-annotation-file", {"annotations/extra-notes.yaml/x": GOOD_ANNOTATIONS},
         "annotations/extra-notes.yaml", ("folder", "annotation file")),
    # site.yaml is read like every other input
    Case("site-yaml-folder", {"site.yaml/x": "title: x\n"}, "site.yaml", ("folder",)),
    Case("site-yaml-link-outside", {"site.yaml": Link("/etc/passwd")}, "site.yaml", ("outside the archive",)),
    Case("site-yaml-too-large", {"site.yaml": "title: x\n" + "# padding\n" * 100_001}, "site.yaml",
         ("too large", "1,000,000")),
    Case("site-yaml-latin-1", {"site.yaml": b"title: Caf\xe9\n"}, "site.yaml:1:11", ("UTF-8",)),
    Case("site-yaml-duplicate-verdict", {}, "site.yaml:5:9", ("verdict `accurate`", "twice"),
         site_yaml="verdicts:\n  - id: accurate\n    label: Accurate\n    rating: 5\n  - id: accurate\n"
                   "    label: Mixed\n  - id: inaccurate\n    label: Inaccurate\n"),
    Case("site-yaml-alias", {"site.yaml": "title: &t x\ndescription: *t\n"}, "site.yaml:1:8", ("anchor",)),
    # files that are not annotation files
    Case("text-file", {"annotations/notes.txt": "remember to check the toll\n"}, "annotations/notes.txt",
         ("not an annotation file",)),
    Case("markdown-in-annotations", {"annotations/good.md": article_md("G", GOOD_BODY)}, "annotations/good.md",
         ("not an annotation file",)),
    Case("json-in-annotations", {"annotations/good.json": '{"article": "good"}'}, "annotations/good.json",
         ("not an annotation file",)),
    Case("copy-of-a-file", {"annotations/good.yaml.orig": GOOD_ANNOTATIONS}, "annotations/good.yaml.orig",
         ("not an annotation file",)),
    Case("article-as-annotations", {"annotations/good.yaml": article_md("Good", GOOD_BODY)},
         "annotations/good.yaml:", ("YAML",)),
    Case("list-not-mapping", {"annotations/good.yaml": "- toll\n- count\n"}, "annotations/good.yaml:1:1", ()),
    Case("empty-annotations", {"annotations/good.yaml": ""}, "annotations/good.yaml:1:1", ("empty",)),
    Case("binary-annotations", {"annotations/good.yaml": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"},
         "annotations/good.yaml:1:1", ("UTF-8", "offset 0")),
    Case("two-documents", {"annotations/good.yaml": GOOD_ANNOTATIONS + "---\narticle: good\n"},
         "annotations/good.yaml:10:1", ("more than one",)),
]


def tree_hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """`python build.py ARGS` with bounded memory and time: a hang or a read of /dev/zero fails, never stalls."""
    return run_cli(*args, timeout=CLI_TIMEOUT, memory_limit=MEMORY_LIMIT, env={"GITHUB_ACTIONS": ""})


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A good archive and its built site, copied for each case."""
    root = write_archive(tmp_path_factory.mktemp("good") / "archive",
                         {"good": article_md("Good", GOOD_BODY)}, {"good": GOOD_ANNOTATIONS})
    result = cli("build", "--root", root)
    assert result.returncode == 0, result.stderr
    return root


def apply(case: Case, root: Path) -> None:
    outside = root.parent / "outside.yaml"  # a valid annotation file, but not in the archive
    outside.write_text(GOOD_ANNOTATIONS, encoding="utf-8")
    if case.site_yaml is not None:
        (root / "site.yaml").write_text(case.site_yaml, encoding="utf-8")
    for relative, content in case.files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink() or path.exists():
            path.unlink()
        if isinstance(content, Link):
            path.symlink_to(outside if content.target == "outside" else content.target)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_is_a_diagnostic_and_the_site_is_untouched(case: Case, built: Path, tmp_path: Path) -> None:
    root = tmp_path / "archive"
    shutil.copytree(built, root, symlinks=True)
    before = tree_hashes(root / "site")
    apply(case, root)
    for command in ("check", "build"):
        started = time.monotonic()
        result = cli(command, "--root", root)
        output = result.stderr + result.stdout
        assert result.returncode == 1, f"{command}: exit {result.returncode}\n{output[-3000:]}"
        assert "Traceback" not in output, output[-3000:]
        lines = [line for line in result.stderr.splitlines() if ": error: " in line and (
            line.startswith(case.where) if case.where.endswith(":") else line.split(": error: ")[0] == case.where)]
        assert lines, f"{command}: no error at {case.where}\n{result.stderr[-3000:]}"
        assert any(all(word in line for word in case.words) for line in lines), (lines, case.words)
        assert time.monotonic() - started < CLI_TIMEOUT / 2
    assert tree_hashes(root / "site") == before, "the site changed"
    assert not [p.name for p in tmp_path.iterdir() if STAGING_MARK in p.name], "a staging directory was left"
    assert not Path("/tmp/glossator-pwned").exists()


def test_a_file_within_the_configured_limit_is_read(built: Path, tmp_path: Path) -> None:
    """The limit is the configured one, not a fixed one: the same archive passes under a limit it fits."""
    root = tmp_path / "archive"
    shutil.copytree(built, root, symlinks=True)
    (root / "site.yaml").write_text("max_file_bytes: 2000\n", encoding="utf-8")
    assert (root / "annotations" / "good.yaml").stat().st_size < 2000
    result = cli("check", "--root", root)
    assert result.returncode == 0, result.stderr
    (root / "annotations" / "good.yaml").write_text(GOOD_ANNOTATIONS + "# pad\n" * 300, encoding="utf-8")
    assert cli("check", "--root", root).returncode == 1


def test_every_problem_in_every_file_is_reported_in_one_check(built: Path, tmp_path: Path) -> None:
    """All the cases at once (each in a file of its own): `check` lists every one of them."""
    root = tmp_path / "archive"
    shutil.copytree(built, root, symlinks=True)
    separate = [case for case in CASES if case.site_yaml is None and "annotations/good.yaml" not in case.files
                and "content/good.md" not in case.files and not any(f.startswith("site.yaml") for f in case.files)]
    for case in separate:
        apply(case, root)
    result = cli("check", "--root", root)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    missing = [case.name for case in separate if not any(
        line.startswith(case.where) for line in result.stderr.splitlines() if ": error: " in line)]
    assert not missing, missing
    assert len(separate) >= 15


def test_a_folder_that_becomes_a_link_out_is_seen_by_the_next_build(tmp_path: Path) -> None:
    """Where a folder really is, is looked up once a build (project.real_folder): a folder replaced by a
    link to somewhere outside, between two builds of one process (the dev server's), is refused."""
    root = write_archive(tmp_path / "archive", {"good": article_md("G", GOOD_BODY)})
    outside = tmp_path / "outside"
    shutil.copytree(root / "content", outside)
    project = Project.at(root)
    first = pipeline.build(project, jobs=1, use_cache=False)
    assert first.ok, first.diagnostics
    shutil.rmtree(root / "content")
    (root / "content").symlink_to(outside)
    second = pipeline.build(project, jobs=1, use_cache=False)
    assert not second.ok
    assert any("outside the archive" in d.message and d.path.endswith("content/good.md") for d in second.diagnostics), \
        second.diagnostics


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_an_output_folder_that_is_not_the_sites_own_is_refused(tmp_path: Path) -> None:
    """A build swaps the whole output folder for the site: given the folder holding the archive, an
    input folder, a file or somebody's folder of other things, it replaced them (the archive gone)."""
    root = write_archive(tmp_path / "work" / "archive", {"alpha": article_md("Alpha", GOOD_BODY)})
    (root / "versions").mkdir()
    (tmp_path / "work" / "precious.txt").write_text("mine", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("mine too", encoding="utf-8")
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents" / "letter.odt").write_bytes(b"\x00letter")
    before = _tree(tmp_path)
    for out, said in ((tmp_path / "work", "holds the archive itself"),
                      (root, "holds the archive itself"),
                      (root / "versions", "is inside the archive's versions/ folder"),
                      (root / "templates" / "static", "is inside the archive's templates/ folder"),
                      (tmp_path / "notes.txt", "is a file, not a folder"),
                      (tmp_path / "documents", "is a folder with other files in it")):
        result = run_cli("build", "--root", root, "--out", out)
        assert result.returncode == 2 and f"error: --out {out} {said}" in result.stderr, (out, result.stderr)
        assert "Traceback" not in result.stderr
    assert _tree(tmp_path) == before
    # a new folder, an empty one, and a site built before (with its cache, or without it) are the site's
    (tmp_path / "empty").mkdir()
    for out in (tmp_path / "new-site", tmp_path / "empty"):
        assert run_cli("build", "--root", root, "--out", out).returncode == 0
    shutil.rmtree(tmp_path / ".empty.glossator-cache")
    assert run_cli("build", "--root", root, "--out", tmp_path / "empty").returncode == 0


def _immutable(path: Path, on: bool) -> bool:
    """chattr ±i (root on ext4 and the like): a folder nobody, root included, may write into."""
    return subprocess.run(["chattr", "+i" if on else "-i", str(path)], capture_output=True).returncode == 0


@pytest.mark.parametrize("locked", ["parent", "site"])
def test_a_site_that_cannot_be_written_is_an_error_not_a_traceback(tmp_path: Path, locked: str) -> None:
    root = write_archive(tmp_path / "archive", {"alpha": article_md("Alpha", GOOD_BODY)})
    out = tmp_path / "archive" / "site"
    assert run_cli("build", "--root", root, "--no-search").returncode == 0
    (root / "content" / "alpha.md").write_text(article_md("Alpha", GOOD_BODY + "\nA new line.\n"), encoding="utf-8")
    before = _tree(out)
    folder = root if locked == "parent" else out
    if not _immutable(folder, True):
        pytest.skip("chattr +i is not available here")
    try:
        result = run_cli("build", "--root", root, "--no-search")
    finally:
        _immutable(folder, False)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert f"site: error: the site cannot be written into {out}: operation not permitted" in result.stderr
    assert _tree(out) == before
    assert not [p for p in root.iterdir() if "staging" in p.name]


EDITORS_LEFTOVERS = ("annotations/good.yaml~", "annotations/#good.yaml#", "annotations/4913",
                     "annotations/good.yaml.swp", "annotations/good.yaml.bak", "content/good.md~", "content/#good.md#",
                     "versions/good/2026-12-01-0900.md~", "versions/good/Thumbs.db", "versions/Thumbs.db")


def test_editors_leftovers_are_not_read(built: Path, tmp_path: Path) -> None:
    """Backups, autosaves, swap files and vim's probe beside the inputs are skipped, as the live preview
    ignores them (project.is_noise), never reported as strays with a hint to rename them over the real file."""
    root = tmp_path / "archive"
    shutil.copytree(built, root, symlinks=True)
    for relative in EDITORS_LEFTOVERS:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text("title: [unclosed\n", encoding="utf-8")
    for command in ("check", "build"):
        result = cli(command, "--root", root)
        assert result.returncode == 0, f"{command}: exit {result.returncode}\n{result.stderr[-3000:]}"
        assert "warning" not in result.stderr, result.stderr


def test_a_copy_of_an_annotation_file_is_not_to_be_renamed_over_it(built: Path, tmp_path: Path) -> None:
    root = tmp_path / "archive"
    shutil.copytree(built, root, symlinks=True)
    (root / "annotations" / "good.yaml.orig").write_text(GOOD_ANNOTATIONS, encoding="utf-8")
    (root / "annotations" / "notes.txt").write_text("to do\n", encoding="utf-8")
    result = cli("check", "--root", root)
    assert result.returncode == 1
    assert "rename it to `good.yaml`" not in result.stderr, result.stderr
    assert "move it out of annotations/: `good.yaml` is the annotation file" in result.stderr, result.stderr
    assert "rename it to `notes.yaml`" in result.stderr, result.stderr


BUILTIN_ARTICLE = (Path(__file__).parent.parent / "templates" / "article.html").read_text(encoding="utf-8")
TEMPLATE_CASES = {
    "missing-include": ({"templates/article.html": '{% include "nope.html" %}\n' + BUILTIN_ARTICLE},
                        "templates/article.html:1:1", "template not found: nope.html"),
    "missing-include-in-a-listing": ({"templates/home.html": 'x\n{% include "nope.html" %}\n'},
                                     "templates/home.html:2:1", "template not found: nope.html"),
    "latin-1": ({"templates/home.html": b"<p>caf\xe9</p>\n"}, "templates/home.html:1:7",
                "template is not valid UTF-8"),
}


@pytest.mark.parametrize("name", TEMPLATE_CASES)
def test_a_broken_template_is_a_diagnostic(name: str, built: Path, tmp_path: Path) -> None:
    """A template that names one that does not exist, or is not UTF-8: an error at its place, no traceback
    (their texts are read for the cache keys, before anything is rendered)."""
    files, where, words = TEMPLATE_CASES[name]
    root = tmp_path / "archive"
    shutil.copytree(built, root, symlinks=True)
    before = tree_hashes(root / "site")
    for relative, content in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            (root / relative).write_bytes(content)
        else:
            (root / relative).write_text(content, encoding="utf-8")
    result = cli("build", "--root", root)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-3000:]
    assert f"{where}: error: {words}" in result.stderr, result.stderr
    assert tree_hashes(root / "site") == before
    check = cli("check", "--root", root)  # (it renders nothing: the cache's keys alone read the templates)
    assert "Traceback" not in check.stderr, check.stderr[-3000:]


def test_optional_includes_binary_static_files_and_editors_leftovers_in_templates_build(
        built: Path, tmp_path: Path) -> None:
    root = tmp_path / "archive"
    shutil.copytree(built, root, symlinks=True)
    (root / "templates" / "static").mkdir(parents=True)
    (root / "templates" / "article.html").write_text(
        '{% include "maybe.html" ignore missing %}\n' + BUILTIN_ARTICLE, encoding="utf-8")
    (root / "templates" / "static" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff")
    (root / "templates" / ".home.html.swp").write_bytes(b"b0VIM 9.0\x00\xff\xfe")
    # vim's backup of a stylesheet (`set backup`) and its swap file were published as static files
    (root / "templates" / "static" / "logo.png~").write_bytes(b"\x89PNG old")
    (root / "templates" / "static" / ".logo.png.swp").write_bytes(b"b0VIM 9.0")
    result = cli("build", "--root", root)
    assert result.returncode == 0, result.stderr[-3000:]
    published = sorted(path.name for path in (root / "site" / "static").iterdir())
    assert any(name.startswith("logo.") and name.endswith(".png") for name in published)
    assert not [name for name in published if name.endswith("~") or name.endswith(".swp")], published


def test_a_folder_without_content_is_no_archive(tmp_path: Path) -> None:
    """`check` said "ok" and `build` made an empty site of a folder with no content/ (a mistyped --root)."""
    for command in ("check", "build"):
        result = cli(command, "--root", tmp_path)
        assert result.returncode == 1, result.stderr
        assert "content/: error: no content/ folder" in result.stderr and "build.py add URL" in result.stderr
    assert not (tmp_path / "site").exists()
    (tmp_path / "content").write_text("", encoding="utf-8")
    (tmp_path / "annotations").write_text("", encoding="utf-8")
    result = cli("check", "--root", tmp_path)
    assert result.returncode == 1
    assert "content: error: `content` is a file, not the folder of its articles" in result.stderr, result.stderr
    assert "annotations: error: `annotations` is a file" in result.stderr, result.stderr


def test_text_files_in_content_that_are_no_articles_are_warned_of(built: Path, tmp_path: Path) -> None:
    root = tmp_path / "archive"
    shutil.copytree(built, root, symlinks=True)
    for name in ("other.MD", "other.markdown", "other.txt", "good.txt"):
        (root / "content" / name).write_text(article_md("Other", GOOD_BODY), encoding="utf-8")
    (root / "content" / "photo.jpg").write_bytes(b"\xff\xd8\xff")  # the author's business
    result = cli("check", "--root", root)
    assert result.returncode == 0, result.stderr
    warned = sorted(line.split(": warning: ")[0] for line in result.stderr.splitlines() if ": warning: " in line)
    assert warned == ["content/good.txt", "content/other.MD", "content/other.markdown", "content/other.txt"]
    assert "not an article: articles are `.md` files" in result.stderr
    assert "rename it to `other.md` if it is one" in result.stderr and "rename it to `good.md`" not in result.stderr


def test_white_space_after_the_opening_dashes_is_allowed_as_after_the_closing_ones(built: Path, tmp_path: Path) -> None:
    root = tmp_path / "archive"
    shutil.copytree(built, root, symlinks=True)
    good = root / "content" / "good.md"
    good.write_text(good.read_text(encoding="utf-8").replace("---\n", "--- \t\n"), encoding="utf-8")
    assert good.read_text(encoding="utf-8").count("--- \t\n") == 2
    result = cli("check", "--root", root)
    assert result.returncode == 0, result.stderr

"""What tests share besides fixtures: archives written into a folder or generated, the CLI run as
a user runs it, a build that must succeed, and a free port. Fixtures are in conftest.py; helper modules
(w3c_conformance.py, browser/*_fixtures.py) import from here, so conftest can import them."""

from __future__ import annotations

import functools
import os
import resource
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED_SLUG = "iraqi-militia-turkey-isis-claims"
CORPUS = REPO.parent / "shared" / "bench" / "make_corpus.py"  # CI lays shared/ beside the checkout


def write_archive(
    root: Path,
    articles: dict[str, str],
    annotations: dict[str, str] | None = None,
    site_yaml: str | None = None,
) -> Path:
    """An archive folder: content/<slug>.md and annotations/<slug>.yaml (text dedented)."""
    (root / "content").mkdir(parents=True, exist_ok=True)
    (root / "annotations").mkdir(parents=True, exist_ok=True)
    for slug, text in articles.items():
        (root / "content" / f"{slug}.md").write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    for slug, text in (annotations or {}).items():
        (root / "annotations" / f"{slug}.yaml").write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    if site_yaml is not None:
        (root / "site.yaml").write_text(textwrap.dedent(site_yaml), encoding="utf-8")
    return root


def article_md(title: str, body: str, **front: str) -> str:
    """Front matter + body for a generated article."""
    lines = ["---", f'title: "{title}"', "source: Example Outlet", "published: 2024-05-01"]
    lines += [f"{key}: {value}" for key, value in front.items()]
    lines.append("---")
    return "\n".join(lines) + "\n" + textwrap.dedent(body).lstrip("\n")


def _limit_memory(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def run_cli(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None,
            timeout: float = 300, memory_limit: int | None = None) -> subprocess.CompletedProcess[str]:
    """`python build.py ARGS` as a user runs it; with `memory_limit` (bytes of address space),
    a runaway read fails the command instead of the machine."""
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), *map(str, args)],
        cwd=cwd or REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        preexec_fn=None if memory_limit is None else functools.partial(_limit_memory, memory_limit),
        check=False,
    )


def build_site(root: Path, out: Path, *extra: str | Path) -> Path:
    """`build.py build --root ROOT --out OUT EXTRA…`, which must succeed; returns OUT."""
    result = run_cli("build", "--root", root, "--out", out, *extra)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def make_corpus(root: Path, articles: int, *extra: str) -> Path:
    """A generated archive of `articles` articles at ROOT (bench's make_corpus.py), which must succeed."""
    made = subprocess.run([sys.executable, str(CORPUS), "--articles", str(articles), "--out", str(root), *extra],
                          capture_output=True, text=True, timeout=300, check=False)
    assert made.returncode == 0, made.stderr
    return root


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def processes_working_in(folder: Path) -> list[int]:
    """The processes whose working directory is in `folder` (Pagefind works in a folder of pages)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and Path(os.readlink(entry / "cwd")).is_relative_to(folder):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def pagefind_stopped_by_sigint(folder: Path) -> Path:
    """A stand-in for Pagefind that ends as a SIGINT sent to it alone would end it (for
    PAGEFIND_BINARY_PATH). Named so that no test's search for leftover "pagefind" folders finds it."""
    stopped = folder / "indexer-stopped"
    stopped.write_text(f"#!/bin/sh\nexec '{sys.executable}' -c 'import os, signal; "
                       "signal.signal(signal.SIGINT, signal.SIG_DFL); os.kill(os.getpid(), signal.SIGINT)'\n")
    stopped.chmod(0o755)
    return stopped

"""Shared fixtures: generated archives in temp dirs, the CLI as a user runs it, a static
server on 127.0.0.1, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import socket
import subprocess
import sys
import textwrap
import threading
import typing
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEED_SLUG = "iraqi-militia-turkey-isis-claims"
CHROMIUM = os.environ.get("GLOSSATOR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]


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


def run_cli(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """`python build.py ARGS` as a user runs it."""
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), *map(str, args)],
        cwd=cwd or REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
    )


@pytest.fixture
def archive(tmp_path: Path) -> Callable[..., Path]:
    """Factory: archive(articles={...}, annotations={...}) → root of a new archive."""
    def make(articles: dict[str, str], annotations: dict[str, str] | None = None,
             site_yaml: str | None = None) -> Path:
        return write_archive(tmp_path / "archive", articles, annotations, site_yaml)
    return make


@pytest.fixture(scope="session")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own archive, built once per session."""
    out = tmp_path_factory.mktemp("seed") / "site"
    result = run_cli("build", "--root", REPO, "--out", out)
    assert result.returncode == 0, result.stderr
    return out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extra_headers: typing.ClassVar[dict[str, str]] = {}

    def log_message(self, format: str, *args: object) -> None:
        pass

    def end_headers(self) -> None:
        for key, value in self.extra_headers.items():
            self.send_header(key, value)
        super().end_headers()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def serve_dir() -> Iterator[Callable[..., str]]:
    """Factory: serve_dir(path, headers={}, mount="/") → base URL on 127.0.0.1.

    With mount="/sub/", the directory is served under that sub-path (for base_url tests).
    """
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(directory: Path, headers: dict[str, str] | None = None, mount: str = "/") -> str:
        root = directory
        if mount != "/":
            holder = directory.parent / f".mount-{free_port()}"
            target = holder / mount.strip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(directory.resolve(), target_is_directory=True)
            root = holder
        handler = type("Handler", (_QuietHandler,), {"extra_headers": headers or {}})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}{mount}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium (Playwright never downloads a browser here)."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test` (it installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh page; the test fails if the page makes any request off 127.0.0.1."""
    context = browser.new_context()  # type: ignore[attr-defined]
    outside: list[str] = []

    def watch(request: object) -> None:
        url = request.url  # type: ignore[attr-defined]
        if not (url.startswith("http://127.0.0.1") or url.startswith("data:") or url.startswith("about:")):
            outside.append(url)

    context.on("request", watch)
    page = context.new_page()
    yield page
    context.close()
    assert not outside, f"requests left 127.0.0.1: {outside}"

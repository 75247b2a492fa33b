"""Shared fixtures: archives in temp dirs, the sites every module reads (the seed archive, the
hard archive for exports, the reader's stress article), each built once per session, a static
server on 127.0.0.1, and Debian's Chromium driven by Playwright. Plain helpers are in helpers.py."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import signal
import threading
import typing
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.browser.reader_fixtures import STRESS_SLUG, stress_article
from tests.helpers import REPO, SEED_SLUG, build_site, free_port, write_archive
from tests.w3c_conformance import BASE_URL, write_hard_archive

# A shell without job control starts a background command with SIGINT ignored (`make test &`,
# `nohup`), and what is ignored stays ignored across exec: the builds and servers the tests stop
# with Ctrl-C's signal would not stop. A handled signal is reset to its default in a child, so
# the suite handles it, as Python does when started from a terminal.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

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


@pytest.fixture
def make_archive(tmp_path: Path) -> Callable[..., Path]:
    """Factory: make_archive(articles={...}, annotations={...}, site_yaml=...) → the root of a new
    archive at tmp_path/archive (each call writes into the same folder)."""
    def make(articles: dict[str, str], annotations: dict[str, str] | None = None,
             site_yaml: str | None = None) -> Path:
        return write_archive(tmp_path / "archive", articles, annotations, site_yaml)
    return make


# --- sites built once per session: read them, never change them --------------------------------


@pytest.fixture(scope="session")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own archive, built."""
    return build_site(REPO, tmp_path_factory.mktemp("seed") / "site")


@pytest.fixture(scope="session")
def paged_seed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed archive built as a large archive's claims are: an overview, and a verdict's pages
    (render/claims.py, one claim a page: "unsupported" has two)."""
    from glossator.build import pipeline
    from glossator.project import Project
    from glossator.render import claims

    out = tmp_path_factory.mktemp("paged") / "site"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(claims, "CLAIMS_PER_PAGE", 1)
        patch.setattr(claims, "CLAIMS_PREVIEW", 1)
        result = pipeline.build(Project.at(REPO, out), jobs=1, use_cache=False)
    assert result.ok, result.diagnostics
    return out


@pytest.fixture
def seed_url(seed_site: Path, serve_dir: Callable[..., str]) -> str:
    """The seed article's page, on a static server of its own."""
    return serve_dir(seed_site) + f"articles/{SEED_SLUG}/"


@pytest.fixture(scope="session")
def hard_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hard archive (tests/w3c_conformance.py: selectors built to be hard, every verdict), built
    with --base-url."""
    root = write_hard_archive(tmp_path_factory.mktemp("hard") / "archive")
    return build_site(root, root.parent / "site", "--base-url", BASE_URL)


@pytest.fixture(scope="session")
def stress_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reader's stress article (tests/browser/reader_fixtures.py) alone in an archive, built."""
    article, annotations = stress_article()
    root = write_archive(tmp_path_factory.mktemp("stress") / "archive", {STRESS_SLUG: article},
                         {STRESS_SLUG: annotations})
    return build_site(root, root.parent / "site")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extra_headers: typing.ClassVar[dict[str, str]] = {}

    def log_message(self, format: str, *args: object) -> None:
        pass

    def end_headers(self) -> None:
        for key, value in self.extra_headers.items():
            self.send_header(key, value)
        super().end_headers()


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

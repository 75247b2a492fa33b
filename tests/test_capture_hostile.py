"""A page is untrusted input: every way a server or a page can fail ends in one clear line,
exit 1 and nothing written — or in a clean article — never a traceback or a hang."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from glossator.anchor.markdown import markdown
from glossator.capture import CaptureError
from glossator.capture.fetch import fetch
from tests.capture_server import serve
from tests.helpers import REPO, free_port
from tests.test_capture import Captured, capture


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    yield from serve()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "content").mkdir()
    return tmp_path


def refused(result: Captured, *words: str) -> str:
    """The error line, after checking the failure's shape: exit 1, one `error:` line, nothing written."""
    assert result.status == 1, (result.out, result.err)
    assert result.path is None and not result.out
    lines = result.err.splitlines()
    assert lines[0].startswith("error: ") and "Traceback" not in result.err
    assert lines[-1] == "nothing was written"
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize(("path", "words"), [
    ("/nowhere", ("no such page", "HTTP 404")),
    ("/gone", ("no such page", "HTTP 410")),
    ("/forbidden", ("refused to serve", "HTTP 403")),
    ("/broken", ("server failed", "HTTP 500")),
    ("/pdf", ("not a web page", "application/pdf")),
    # (an ELF program labelled text/html became an article of 12,067 "words")
    ("/binary-as-html", ("not a web page (the server says `text/html`, but its bytes do not begin as an HTML page",)),
    ("/huge", ("too large", "52,428,800 bytes")),
    ("/huge-unannounced", ("too large", "more than 16,777,216 bytes")),
    ("/gzip-bomb", ("too large",)),
    ("/loop", ("redirects in a loop",)),
    ("/hop-0", ("more than 10 redirects",)),
    ("/to-ftp", ("redirects to `ftp://127.0.0.1/story.html`", "not an http or https address")),
    ("/to-javascript", ("redirects to `javascript:alert(1)`",)),
    ("/deep", ("nests its elements more than 2,000 levels deep",)),
    ("/no-article", ("no article text found on the page",)),
    ("/pages/home-page.html", ("no article text found on the page",)),  # twelve teasers, og:type=website
    ("/pages/search-results.html", ("no article text found on the page",)),
])
def test_a_failing_page_is_one_clear_line_and_nothing_written(server: str, root: Path, path: str,
                                                              words: tuple[str, ...]) -> None:
    refused(capture(root, f"{server}{path}"), *words)
    assert not list((root / "content").iterdir())


def test_an_article_page_typed_as_a_website_is_still_an_article(server: str, root: Path) -> None:
    """Teasers are told by the page's shape, not by og:type alone: some outlets' articles say `website`."""
    result = capture(root, f"{server}/website-typed")
    assert result.status == 0, result.err
    assert "Councillors voted 31 to 4 on Thursday night" in result.body


def test_a_silent_server_times_out(server: str, root: Path) -> None:
    started = time.monotonic()
    refused(capture(root, f"{server}/slow", "--timeout", "1"), "no answer within 1 seconds (timed out)")
    assert time.monotonic() - started < 6  # the server would stay silent for 8


def test_a_trickling_server_meets_the_deadline(server: str) -> None:
    started = time.monotonic()
    with pytest.raises(CaptureError, match="took too long to arrive"):
        fetch(f"{server}/trickle", timeout=2, deadline=1)
    assert time.monotonic() - started < 6


def test_a_closed_port_is_a_refused_connection(root: Path) -> None:
    refused(capture(root, f"http://127.0.0.1:{free_port()}/story"), "connection refused by 127.0.0.1")


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs unshare(1) for a network namespace")
def test_an_unknown_host_is_a_dns_error(root: Path) -> None:
    # in a network namespace of its own, the lookup fails without leaving the machine
    probe = subprocess.run(["unshare", "-rn", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip("cannot make a network namespace here")
    result = subprocess.run(["unshare", "-rn", sys.executable, str(REPO / "build.py"), "add",
                             "http://no-such-host.invalid/story", "--root", str(root)],
                            capture_output=True, text=True, timeout=60, check=False,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 1, result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith("error: http://no-such-host.invalid/story: cannot find the host `no-such-host.invalid`")
    assert "(DNS: " in first and "Traceback" not in result.stderr
    assert not list((root / "content").iterdir())


def test_redirects_are_followed_to_the_page(server: str, root: Path) -> None:
    result = capture(root, f"{server}/redirect-1")
    assert result.status == 0, result.err
    assert result.front["title"] == "Council approves new harbour wall after a decade of delays"
    assert result.front["captured"]["from"] == f"{server}/pages/wordpress-post.html"  # type: ignore[index]


def test_a_gzipped_page_is_read_and_hashed_as_html(server: str, root: Path) -> None:
    import hashlib

    from tests.capture_server import page_bytes

    result = capture(root, f"{server}/gzip")
    assert result.status == 0, result.err
    assert result.front["captured"]["sha256"] == hashlib.sha256(page_bytes("wordpress-post.html")).hexdigest()  # type: ignore[index]


def test_a_page_without_content_type_is_sniffed(server: str, root: Path) -> None:
    result = capture(root, f"{server}/no-type")
    assert result.status == 0, result.err
    assert "Eastvale’s four public libraries" in result.body


def test_a_deep_page_within_the_limit_gives_a_clean_article(server: str, root: Path) -> None:
    result = capture(root, f"{server}/deep-ok")
    assert result.status == 0, result.err
    assert result.body.startswith("This sentence sits deep inside the page")


def test_a_page_naming_no_address_is_said_to_be_read_from_its_own(server: str, root: Path) -> None:
    """A page with no canonical link, og:url or JSON-LD url: the report said its `url` came "from Open
    Graph og:url", and a capture again took it for a page naming the held address as its own."""
    result = capture(root, f"{server}/deep-ok")
    assert result.status == 0, result.err
    assert f"  url:       {server}/deep-ok  — from the address it was read from" in result.out.splitlines()
    assert "og:url" not in result.out


def test_utf8_declared_as_latin1_is_read_as_utf8(server: str, root: Path) -> None:
    result = capture(root, f"{server}/wrong-charset")
    assert result.status == 0, result.err
    assert "“no longer cover the cost of the power they draw”" in result.body
    assert "â€" not in result.body
    assert "says its charset is `iso-8859-1`, but its bytes are UTF-8" in result.out


def test_windows_1252_declared_as_utf8_is_guessed_and_said(server: str, root: Path) -> None:
    result = capture(root, f"{server}/cp1252-as-utf8")
    assert result.status == 0, result.err
    assert "L’opposition a voté contre." in result.body
    assert "\ufffd" not in result.body
    assert "says `utf-8`, but its bytes are not" in result.out and "(a guess)" in result.out


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += attrs


def test_a_hostile_page_reaches_the_markdown_as_text_only(server: str, root: Path) -> None:
    result = capture(root, f"{server}/hostile")
    assert result.status == 0, result.err
    body = result.body
    for gone in ("written by script", "Frame fallback", "svg text", "object fallback", "Hidden paragraph",
                 "template text", "form value", "Button text", "alert(1)", "alert(2)", "alert(5)", "alert(8)",
                 "data:", "vbscript:"):
        assert gone not in body.replace("\\", ""), gone
    assert body.count("javascript:") == 1 and "\\[brackets\\](javascript:alert(4))" in body  # the page's own text
    rendered = markdown().render(body)
    parsed = _Elements()
    parsed.feed(rendered)
    assert set(parsed.tags) <= {"p", "a", "em", "strong", "code", "h2", "h3", "ul", "ol", "li", "blockquote"}
    assert all(name in ("href", "rel") for name, _ in parsed.attributes)
    hrefs = [value or "" for name, value in parsed.attributes if name == "href"]
    assert all(href.startswith(("https://", "http://")) for href in hrefs)
    # what looked like markup on the page is text on ours, character for character
    for shown in ("&lt;script&gt;alert(3)&lt;/script&gt;", "**stars**", "_underscores_",
                  "[brackets](javascript:alert(4))", "`backticks`", "# Not a heading, 1. not a list, &gt; not a quote",
                  "and &amp;amp; is text &amp;copy; too.", "- not a list item", "~~struck~~", "::: aside",
                  "&lt;b&gt;not bold&lt;/b&gt;", "&lt;http://autolink.example&gt;"):
        assert shown in rendered, shown
    assert '<a href="https://good.example/a_%28b%29?q=1&amp;copy;=2"' in rendered
    assert "4 link(s) to other than web addresses" in result.out
    # the title with a colon, quotes and a hash survives the YAML round trip
    assert result.front["title"] == 'A headline: with "quotes" and # hash'


@pytest.mark.parametrize("label", ["hex", "base64", "rot13", "zlib", "idna", "unicode_escape"])
def test_a_charset_label_that_names_no_charset_is_ignored(label: str) -> None:
    """Python's codecs include bytes-to-bytes ones and escapes: a page naming one is guessed, and said."""
    from glossator.capture.decode import decode_page

    data = f'<html><head><meta charset="{label}"></head><body><p>Caf\xe9 au lait</p></body></html>'.encode("cp1252")
    decoded = decode_page(data, None)
    assert "au lait</p>" in decoded.text  # (which accent, the guess decides: a sample this short is a coin toss)
    assert f"the page names `{label}` as its charset, which is none" in decoded.note


def test_json_ld_ids_that_are_not_text_are_not_looked_up() -> None:
    from lxml import html as lxml_html

    from glossator.capture.jsonld import article_node

    page = ('<html><head><script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
            '{"@type": "NewsArticle", "headline": "Wall", "author": {"@id": ["#me"]}},'
            '{"@id": "#me", "@type": "Person", "name": "Martha Green"}]}</script></head><body></body></html>')
    node = article_node(lxml_html.fromstring(page))
    assert node is not None and node.authors == ()

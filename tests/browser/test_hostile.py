"""Every field of every pull request is hostile until proven inert (SPEC §8, issue 9).

A generated archive puts XSS vectors in every field a contributor controls: front matter
(title, source, author, summary, url, archived), the Markdown body, and each annotation's
quote, prefix, suffix, note, sources (title, publisher, url, archived) and links (title,
url). Each vector, if it ever ran, would set its own global `window.xss_<n>` or request
`/__xss/<n>` from the test server. The site is built, checked file by file (HTML, JSON-LD,
feeds, data JSON, the gzipped Pagefind fragments), then opened page by page in Chromium
twice: once with the CSP sent as a header as well as the page's <meta>, and once from a
copy whose <meta> CSP is removed and with no header, which proves the HTML itself is
inert rather than merely blocked. Every highlight, note and control is hovered, focused
and clicked with a real pointer; every element of every page gets the events inline handlers
listen for; the search page lists the hostile titles and outlets; the live preview's error
overlay quotes hostile diagnostics. Fields whose format forbids such values (tags, handles,
ids, verdicts, dates, non-http(s) URLs, control characters) must instead fail `check` with a
diagnostic on their line. The detectors themselves are tested against a page that is not inert.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from glossator.diagnostics import yaml_quoted
from glossator.render.jinja import CONTENT_SECURITY_POLICY
from tests.browser.hostile.audit import (
    audit_html,
    audit_xml,
    fragment_documents,
    html_strings,
    html_unescape,
    marker,
    raw_vectors,
    url_is_safe,
)
from tests.browser.hostile.chromium import OVERLAY_AUDIT_SCRIPT, SWEEP_SCRIPT, Run, page_urls, strip_meta_csp
from tests.browser.hostile.vectors import (
    ARTICLES,
    MARKDOWN_VECTORS,
    TEXT_VECTORS,
    URL_VECTORS,
    Catalogue,
    forbidden_archive,
    hostile_archive,
    markdown_escape,
)
from tests.helpers import run_cli

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Catalogue]:
    catalogue = Catalogue()
    root = hostile_archive(tmp_path_factory.mktemp("hostile") / "archive", catalogue)
    result = run_cli("build", "--root", root)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return root / "site", catalogue


def test_every_field_reaches_the_site_and_every_file_is_inert(hostile_site: tuple[Path, Catalogue]) -> None:
    site, catalogue = hostile_site
    problems: list[str] = []
    decoded: list[str] = []  # every file's text with its own escaping undone: where the vectors must show
    raw = raw_vectors(catalogue)
    counts = {"html": 0, "xml": 0, "json": 0, "fragment": 0}
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        rel = path.relative_to(site).as_posix()
        if rel.startswith(("static/", "pagefind/")) or rel == "robots.txt":
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".html":
            counts["html"] += 1
            problems += audit_html(rel, text).problems
            problems += [f"{rel}: vector {n} stands unescaped" for n, vector in raw.items() if vector in text]
            decoded.append(html_unescape(text))
        elif path.suffix == ".xml":
            counts["xml"] += 1
            problems += audit_xml(rel, text)
            problems += [f"{rel}: vector {n} stands unescaped" for n, vector in raw.items() if vector in text]
            decoded.append(html_unescape(html_unescape(text)))
        elif path.suffix in (".json", ".jsonld"):
            counts["json"] += 1
            document = json.loads(text)
            for i, fragment in enumerate(html_strings(document)):
                problems += audit_html(f"{rel} (HTML string {i})", fragment).problems
            decoded.append(json.dumps(document, ensure_ascii=False))
        else:
            problems.append(f"{rel}: a file of an unexpected type")
    # Pagefind keeps the page's words as JSON text (its excerpts are escaped when a search runs: the
    # browser test reads them); what must hold here is that every fragment is data and says where it is.
    for name, document in fragment_documents(site):
        counts["fragment"] += 1
        if not re.fullmatch(r"/articles/hostile-\d/", document["url"]):
            problems.append(f"pagefind fragment {name}: url {document['url']!r}")
        decoded.append(json.dumps(document, ensure_ascii=False))
    assert counts["html"] >= 2 * ARTICLES and counts["xml"] == 4 and counts["json"] >= ARTICLES, counts
    assert (site / "articles" / "hostile-4" / "changes" / "index.html").is_file()
    assert counts["fragment"] == ARTICLES, counts
    assert not problems, "\n".join(problems[:40])
    # and the vectors were really there to be escaped: each planted one shows, decoded, in the output
    everything = "\n".join(decoded)
    templates = {**TEXT_VECTORS, **MARKDOWN_VECTORS, **URL_VECTORS}
    missing = [(n, where, name) for n, (where, name) in catalogue.planted.items()
               if not marker(n, templates[name]).search(everything)]
    assert not missing, missing[:20]
    # nothing evaluated the text as a template (Jinja, JavaScript template literals)
    assert "{{ 7*191 }}" in everything and "${7*191}" in everything
    assert not re.search(r"(?<![0-9a-f])1337(?![0-9a-f])", everything)


def test_forbidden_values_fail_check(tmp_path: Path) -> None:
    catalogue = Catalogue()
    root, expected = forbidden_archive(tmp_path / "archive", catalogue)
    result = run_cli("check", "--root", root)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    reported = {(m["path"], int(m["line"])) for m in re.finditer(
        r"^(?P<path>[\w/.-]+):(?P<line>\d+):\d+: error: ", result.stderr, re.MULTILINE)}
    missing = {f"{path}:{line} ({what})" for (path, line), what in expected.items() if (path, line) not in reported}
    assert not missing, sorted(missing)
    assert len(expected) == len(catalogue.planted) >= 100
    assert not (root / "site").exists()


MODES = {
    # the CSP as an HTTP header too; wide screens (notes in the margin)
    "csp-header": ({"Content-Security-Policy": CONTENT_SECURITY_POLICY}, False, {"width": 1400, "height": 900}),
    # no CSP anywhere; narrow screens (notes open under their paragraph)
    "no-csp": ({}, True, {"width": 600, "height": 900}),
}


@pytest.mark.parametrize("mode", list(MODES))
def test_no_vector_runs_in_chromium(mode: str, hostile_site: tuple[Path, Catalogue], browser: object,
                                    serve_dir: Callable[..., str], tmp_path: Path) -> None:
    site, catalogue = hostile_site
    headers, strip, viewport = MODES[mode]
    served = strip_meta_csp(site, tmp_path / "site") if strip else site
    base = serve_dir(served, headers=headers)
    run = Run(browser, base, viewport)
    try:
        urls = page_urls(served, base)
        for url in urls:
            run.visit(url)
        if strip:  # what the script makes of the address does not depend on the CSP: once is enough
            run.hashes(base + "articles/hostile-0/")
        run.search(base + "search/", ["script", "onerror"], ["xss", "iframe", "javascript", "svg", "style"])
    finally:
        run.close()
    found = run.found
    assert found.pages >= len(urls) + 2 and found.actions > 10 * ARTICLES and found.swept > 1000, found
    assert found.excerpts > 2 * ARTICLES, found
    failures = found.failures()
    assert not failures, json.dumps(failures, indent=1, default=sorted)[:6000]
    print(f"{mode}: {len(catalogue.planted)} vectors planted, {len(found.executed)} executed; "
          f"{found.pages} page loads, {found.actions} reader actions, {found.swept} elements swept")


# --- the detectors detect ---------------------------------------------------------------------------

VULNERABLE_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>a page that is not inert</title>{head}</head><body>
<img src="/__xss/1" onerror="window.xss_1=1">
<p><a href="javascript:window.xss_2=1">a javascript: link</a></p>
<div onmouseover="window.xss_3=1">hovered</div>
<button type="button" onclick="alert('xss 4')">a button</button>
<iframe srcdoc="<script>parent.xss_5=1</script>"></iframe>
<script>window.xss_6=1</script>
</body></html>
"""


def test_the_browser_detectors_catch_a_page_that_is_not_inert(browser: object, serve_dir: Callable[..., str],
                                                                tmp_path: Path) -> None:
    """Against a page with the holes the suite looks for, each detector reports its own."""
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "index.html").write_text(VULNERABLE_PAGE.format(head=""), encoding="utf-8")
    run = Run(browser, serve_dir(plain), {"width": 1000, "height": 800})
    try:
        run.visit(run.base)
    finally:
        run.close()
    assert {1, 2, 3, 5, 6} <= run.found.executed
    assert any("/__xss/1" in url for url in run.found.requests)
    assert run.found.dialogs == ["alert: xss 4"]
    assert any("onerror" in problem for problem in run.found.dom) and any("IFRAME" in p for p in run.found.dom)
    assert any("javascript:" in problem for problem in run.found.dom)
    # with the CSP, the inline script is blocked and reported as a violation
    strict = tmp_path / "strict"
    strict.mkdir()
    meta = f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
    (strict / "index.html").write_text(VULNERABLE_PAGE.format(head=meta), encoding="utf-8")
    run = Run(browser, serve_dir(strict), {"width": 1000, "height": 800})
    try:
        run.visit(run.base)
    finally:
        run.close()
    assert 6 not in run.found.executed and 3 not in run.found.executed
    assert any("script-src" in violation for violation in run.found.violations)


def test_the_file_auditors_catch_markup_that_is_not_inert() -> None:
    assert audit_html("page", '<p>fine <a href="https://example.org/" rel="nofollow">x</a></p>').problems == []
    assert audit_html("page", '<p><img src="/x.png" onerror="alert(1)"></p>').problems
    assert audit_html("page", "<p><svg><script>alert(1)</script></svg></p>").problems
    assert audit_html("page", '<a href="java&#x09;script:alert(1)">x</a>').problems
    assert audit_html("page", '<a href=" \x01JavaScript:alert(1)">x</a>').problems
    assert audit_html("page", '<meta http-equiv="refresh" content="0;url=/x">').problems
    breakout = '<script type="application/ld+json">{"a": "</script><script>alert(1)</script>"}</script>'
    assert len(audit_html("page", breakout).problems) >= 2
    assert audit_html("page", '<script type="application/ld+json">{"a": "\u2028"}</script>').problems
    assert audit_xml("feed", "<feed xmlns='http://www.w3.org/2005/Atom'><title>\x1b</title></feed>")
    assert audit_xml("feed", "<feed xmlns='http://www.w3.org/2005/Atom'><script/></feed>")
    html_entry = "<feed xmlns='http://www.w3.org/2005/Atom'><content type='html'>&lt;img onerror=x&gt;</content></feed>"
    assert audit_xml("feed", html_entry)
    assert [url_is_safe(u) for u in ("https://x.org/", "/a/b", "#id", "?q=1", "../x", "HTTPS://x.org")] == [True] * 6
    assert not any(url_is_safe(u) for u in ("javascript:x", " JAVASCRIPT:x", "java\tscript:x", "\x01javascript:x",
                                            "data:text/html,x", "vbscript:x", "jav\nascript:x"))


# --- the preview's error overlay ------------------------------------------------------------------


def test_the_preview_overlay_shows_hostile_diagnostics_as_text(browser: object, tmp_path: Path) -> None:
    """`serve` shows a failed build's diagnostics over the page; they quote the contributor's text."""
    from tests.serve_process import ServeProcess

    catalogue = Catalogue()
    vectors = {name: catalogue.make("overlay", name, TEXT_VECTORS[name])
               for name in ("img-onerror", "script", "svg-onload", "tag-breakout", "iframe-srcdoc")}
    body = "Plain words first. " + markdown_escape(vectors["script"] + " and " + vectors["iframe-srcdoc"]) + "\n"
    root = tmp_path / "archive"
    (root / "content").mkdir(parents=True)
    (root / "annotations").mkdir()
    (root / "content" / "hostile.md").write_text("---\ntitle: T\nsource: S\npublished: 2024\n---\n" + body,
                                                 encoding="utf-8")
    server = ServeProcess(root).ready()
    run = Run(browser, server.url, {"width": 1200, "height": 800})
    try:
        run.page.goto(server.url + "articles/hostile/", wait_until="load")
        run.page.wait_for_selector("html[data-glossator-preview=live]", timeout=20_000)
        broken = "\n".join([
            "article: hostile", "annotations:", "  - id: a", "    kind: claim",
            f"    quote: {yaml_quoted(vectors['script'] + ' and nearly')}",  # not found: the hint quotes the text
            f"    verdict: {yaml_quoted(vectors['svg-onload'])}", "    note: A note long enough to be a sentence.",
            "    by: tester", "    added: 2024-06-01", f"    {yaml_quoted(vectors['img-onerror'])}: 1",
            f"    qoute: {yaml_quoted(vectors['tag-breakout'])}", ""])
        (root / "annotations" / "hostile.yaml").write_text(broken, encoding="utf-8")
        pre = run.page.locator("#glossator-preview-overlay [role=alertdialog] pre")
        pre.wait_for(timeout=20_000)
        run.page.wait_for_function(  # the build that reports this file, not an earlier one
            "(text) => document.getElementById('glossator-preview-overlay')?.shadowRoot.querySelector('pre')"
            ".textContent.includes(text)", arg=vectors["img-onerror"], timeout=20_000)
        shown = pre.text_content() or ""
        run.found.dom += run.page.evaluate(OVERLAY_AUDIT_SCRIPT)
        run.found.swept += run.page.evaluate(SWEEP_SCRIPT)
        run.harvest()
    finally:
        run.close()
        assert server.stop() == 0
    assert "Traceback" not in server.output()
    # the vectors are in the overlay, as the words of the diagnostics
    assert vectors["img-onerror"] in shown and vectors["svg-onload"] in shown, shown
    assert not run.found.failures(), run.found.failures()

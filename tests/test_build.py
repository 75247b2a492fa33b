"""Integration: build whole archives in temp dirs and read the result as a user would."""

from __future__ import annotations

import hashlib
import html
import json
import re
import time
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import yaml
from markupsafe import escape as html_escape

from .helpers import REPO, SEED_SLUG, article_md, build_site, run_cli, write_archive
from .html_text import mark_texts


def tree_digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        for key in ("href", "src"):
            if values.get(key):
                self.hrefs.append(str(values[key]))


def parse_links(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


def test_seed_article_page(seed_site: Path) -> None:
    html = (seed_site / "articles" / SEED_SLUG / "index.html").read_text(encoding="utf-8")
    seed = yaml.safe_load((REPO / "annotations" / f"{SEED_SLUG}.yaml").read_text(encoding="utf-8"))
    quotes = {a["id"]: a["quote"] for a in seed["annotations"] if "quote" in a}
    assert len(quotes) == 11 and len(seed["annotations"]) == 12
    body = html[html.index('<div class="page-text" id="page-text" lang="en">') :]
    body = body[: body.index('<section class="notes"')]
    marks = mark_texts(body)
    assert set(marks) == set(quotes)
    for ann_id, quote in quotes.items():
        assert marks[ann_id] == quote, ann_id
    # the nested pair: the context note's mark sits inside the claim's mark
    assert re.search(r'data-ann="logistical-support"[^>]*>Terrorists are <mark [^>]*data-ann="border-transit"', body)
    # every note exists with its id, verdicts and kinds in words
    links = parse_links(html)
    for ann in seed["annotations"]:
        assert ann["id"] in links.ids
    assert "About this article" in html and 'id="about-the-outlet"' in html
    assert ">Inaccurate<" in html and ">Unsupported<" in html and ">Sourcing note<" in html
    # the READ MORE line is an aside without a link
    assert re.search(r"<aside[^>]*>\s*<p>READ MORE: <mark", html)
    # highlight → note and note → highlight links resolve on the page
    for href in links.hrefs:
        if href.startswith("#"):
            assert href[1:] in links.ids, href


def test_listings_link_every_page(seed_site: Path) -> None:
    pages = sorted(seed_site.rglob("*.html"))
    paths = {"/" + p.relative_to(seed_site).as_posix().removesuffix("index.html") for p in pages}
    for page in pages:
        for href in parse_links(page.read_text(encoding="utf-8")).hrefs:
            if href.startswith("/") and not href.startswith("//"):
                target = href.split("#")[0].split("?")[0]
                assert target in paths or (seed_site / target.lstrip("/")).is_file(), (page, href)
    home = (seed_site / "index.html").read_text(encoding="utf-8")
    assert f"/articles/{SEED_SLUG}/" in home
    claims = (seed_site / "claims" / "index.html").read_text(encoding="utf-8")
    assert f"/articles/{SEED_SLUG}/#speicher-toll" in claims
    for tag in ("turkey", "iraq"):
        assert (seed_site / "tags" / tag / "index.html").is_file()
    assert (seed_site / "sources" / "rt" / "index.html").is_file()


def test_feed_and_sitemap_are_valid_xml(seed_site: Path) -> None:
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.parse(seed_site / "feed.xml").getroot()
    assert feed.tag == atom + "feed"
    for required in ("id", "title", "updated"):
        assert feed.find(atom + required) is not None
    entries = feed.findall(atom + "entry")
    assert len(entries) == 1 and entries[0].find(atom + "id").text.endswith(f"/articles/{SEED_SLUG}/")
    sitemap = ET.parse(seed_site / "sitemap.xml").getroot()
    locs = [e.text for e in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert any(loc.endswith(f"/articles/{SEED_SLUG}/") for loc in locs)
    assert len(locs) == len(set(locs))


def test_broken_annotation_fails_and_keeps_previous_site(tmp_path: Path) -> None:
    root = write_archive(
        tmp_path / "a",
        {"one": article_md("One", "The quick brown fox jumps.")},
        {"one": """\
            article: one
            annotations:
              - id: fox
                kind: claim
                quote: "quick brown fox"
                verdict: accurate
                note: It is quick.
                by: tester
                added: 2026-01-02
            """},
    )
    out = tmp_path / "site"
    build_site(root, out)
    before = tree_digest(out)
    broken = (root / "annotations" / "one.yaml").read_text().replace('"quick brown fox"', '"slow brown fox"')
    (root / "annotations" / "one.yaml").write_text(broken)
    result = run_cli("build", "--root", root, "--out", out)
    assert result.returncode == 1
    assert "annotations/one.yaml:5:12: error: quote not found" in result.stderr
    assert "Traceback" not in result.stderr
    assert tree_digest(out) == before
    assert not list(tmp_path.glob(".site.glossator-staging-*"))  # no staging left behind


def test_a_command_line_build_leaves_the_old_site_to_a_process_that_deletes_it(tmp_path: Path) -> None:
    """`build` returns once the new site is in place; the previous one's files are deleted by a
    process of its own, which finishes the job after the command has returned."""
    root = write_archive(tmp_path / "archive", {"one": article_md("One", "The first text of the article.")})
    out = tmp_path / "site"
    for text in ("The first text of the article.", "The second text of the article."):
        (root / "content" / "one.md").write_text(article_md("One", text), encoding="utf-8")
        result = run_cli("build", "--root", root, "--out", out, "--no-search")
        assert result.returncode == 0, result.stderr
    assert "The second text" in (out / "articles" / "one" / "index.html").read_text(encoding="utf-8")
    deadline = time.monotonic() + 60
    while (left := [p.name for p in tmp_path.iterdir() if p.name.startswith(".site.glossator-")
                    and "cache" not in p.name]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not left  # the old tree (renamed .site.glossator-old-<pid>-…) is gone


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    build_site(REPO, first)
    build_site(REPO, second)
    assert tree_digest(first) == tree_digest(second)


def test_sub_path_base_url(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site(REPO, out, "--base-url", "https://example.org/archive/")
    html = (out / "articles" / SEED_SLUG / "index.html").read_text(encoding="utf-8")
    internal = [h for h in parse_links(html).hrefs if h.startswith("/")]
    assert internal and all(h.startswith("/archive/") for h in internal)
    assert 'href="https://example.org/archive/articles/' in html  # canonical


def test_drafts_build_only_with_flag(tmp_path: Path) -> None:
    root = write_archive(tmp_path / "a", {
        "public": article_md("Public", "Text."),
        "secret": article_md("Secret", "Draft text.", draft="true"),
    })
    out = tmp_path / "site"
    build_site(root, out)
    assert not (out / "articles" / "secret").exists() and (out / "articles" / "public").is_dir()
    build_site(root, out, "--drafts")
    assert (out / "articles" / "secret" / "index.html").is_file()


def test_assets_are_content_hashed(seed_site: Path) -> None:
    css = list((seed_site / "static").glob("glossator.*.css"))
    assert len(css) == 1
    digest = hashlib.sha256(css[0].read_bytes()).hexdigest()[:10]
    assert css[0].name == f"glossator.{digest}.css"
    assert f"/static/{css[0].name}" in (seed_site / "index.html").read_text(encoding="utf-8")


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run_cli("build", "--root", tmp_path / "missing").returncode == 2
    assert run_cli("frobnicate").returncode == 2


def test_a_base_url_that_is_no_absolute_web_address_is_a_usage_error(tmp_path: Path) -> None:
    root = write_archive(tmp_path / "archive", {"one": article_md("One", "Words.\n")})
    for url in ("example.org/archive", "javascript:alert(1)", "/archive/", "https://", "ftp://example.org/"):
        result = run_cli("build", "--root", root, "--base-url", url)
        assert result.returncode == 2, (url, result.stderr)
        assert "--base-url" in result.stderr and "e.g. --base-url https://example.org/archive/" in result.stderr
        assert not (root / "site").exists()
    # a query or a fragment: every address of the site was made by adding to it (…/a#frag/feed.xml)
    for url in ("https://example.org/a#frag", "https://example.org/a?b=1"):
        result = run_cli("build", "--root", root, "--base-url", url)
        assert result.returncode == 2 and "has a query (?…) or a fragment (#…)" in result.stderr, result.stderr
        (root / "site.yaml").write_text(f"base_url: {url}\n", encoding="utf-8")
        result = run_cli("check", "--root", root)
        assert result.returncode == 1, result.stderr
        assert "site.yaml:1:11: error: `base_url` must be an http or https address: it has a query" in result.stderr
        assert "write the folder the site is published in, e.g. https://example.org/archive/" in result.stderr
        (root / "site.yaml").unlink()


def test_a_build_with_many_warnings_shows_some_and_counts_all(tmp_path: Path) -> None:
    sources = "".join(f"      - title: Report {n}\n        url: https://example.org/{n}\n" for n in range(25))
    notes = ("article: story\nannotations:\n  - id: n1\n    kind: context\n    quote: \"The minister said\"\n"
             "    note: \"Twenty-five reports, none of them dated.\"\n    by: ed\n    added: 2024-05-02\n"
             f"    sources:\n{sources}")
    root = write_archive(tmp_path / "archive", {"story": article_md("Story", "The minister said so.")},
                         {"story": notes})
    result = run_cli("build", "--root", root, "--no-search")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert "25 warnings; the first 20 follow, `python build.py check` lists them all" in lines
    assert result.stderr.count("warning: this source has no `date`") == 20
    assert "0 errors, 25 warnings" in lines


def test_the_suggest_panel_names_the_annotation_file_as_it_is(tmp_path: Path) -> None:
    """An archive whose annotation file is `.yml`: the edit link and the help text name that file."""
    notes = ("article: story\nannotations:\n  - id: n1\n    kind: context\n    quote: \"The minister said\"\n"
             "    note: \"The minister spoke at a press conference on Monday.\"\n    by: ed\n    added: 2024-05-02\n")
    root = write_archive(tmp_path / "archive", {"story": article_md("Story", "The minister said so.")},
                         {"story": notes}, site_yaml="repo_url: https://github.com/example/archive\n")
    (root / "annotations" / "story.yaml").rename(root / "annotations" / "story.yml")
    result = run_cli("build", "--root", root, "--no-search")
    assert result.returncode == 0, result.stderr
    page = (root / "site" / "articles" / "story" / "index.html").read_text(encoding="utf-8")
    assert 'href="https://github.com/example/archive/edit/main/annotations/story.yml"' in page
    assert "Add this to the end of <code>annotations/story.yml</code>" in page
    # a file with no notes yet (`annotations: []`, as `new` may leave one) is still the one to edit: the
    # page offered GitHub's new-file form (refused for a file that exists) and named story.yaml
    (root / "annotations" / "story.yml").write_text("article: story\nannotations: []\n", encoding="utf-8")
    assert run_cli("build", "--root", root, "--no-search").returncode == 0
    page = (root / "site" / "articles" / "story" / "index.html").read_text(encoding="utf-8")
    assert 'href="https://github.com/example/archive/edit/main/annotations/story.yml"' in page
    assert "Put this in place of the <code>annotations:</code> line of <code>annotations/story.yml</code>" in page
    assert "data-new-file" not in page and "data-empty-list" in page
    (root / "annotations" / "story.yml").unlink()
    assert run_cli("build", "--root", root, "--no-search").returncode == 0
    page = (root / "site" / "articles" / "story" / "index.html").read_text(encoding="utf-8")
    assert "/new/main/annotations?filename=story.yaml" in page and "data-new-file" in page
    assert "Save this as <code>annotations/story.yaml</code>" in page


def test_a_claim_on_the_whole_article_is_named_on_the_claims_page(tmp_path: Path) -> None:
    notes = ("article: story\nannotations:\n  - id: whole\n    kind: claim\n    verdict: misleading\n"
             "    note: \"The article's framing overstates what the minister said.\"\n    by: ed\n"
             "    added: 2024-05-02\n")
    root = write_archive(tmp_path / "archive", {"story": article_md("Story", "The minister said so.")},
                         {"story": notes})
    build_site(root, tmp_path / "site", "--no-search")
    claims = (tmp_path / "site" / "claims" / "index.html").read_text(encoding="utf-8")
    assert '<a href="/articles/story/#whole">The article as a whole</a>' in claims
    assert "“”" not in claims


def test_outlets_named_in_other_scripts_have_a_page_each(tmp_path: Path) -> None:
    # (and names that differ by a sign: "Spiegel+" shared "Spiegel"'s page, which was titled after one)
    names = {"first": "Первый канал", "russia": "Россия 24", "world": "Мир 24", "xinhua": "新华社",
             "spiegel": "Spiegel", "plus": "Spiegel+", "att": "'AT&T <News>'", "at-t": "AT-T News"}
    articles = {slug: article_md(f"Story {slug}", f"Reported by {slug}.").replace("source: Example Outlet",
                                                                                 f"source: {name}")
                for slug, name in names.items()}
    root = write_archive(tmp_path / "archive", articles)
    site = build_site(root, tmp_path / "site", "--no-search")
    pages = sorted(p.parent.name for p in (site / "sources").glob("*/index.html"))
    assert len(pages) == len(names), pages
    outlets = html.unescape((site / "sources" / "index.html").read_text(encoding="utf-8"))
    assert all(name.strip("'") in outlets for name in names.values())
    assert "sources/spiegel/" in outlets and "sources/at-t-news/" in outlets, "a plain name keeps its plain address"


def test_the_articles_language_is_on_its_words_and_the_archives_on_its_notes(tmp_path: Path) -> None:
    """A Russian article in an English archive: the notes, the controls and the exports' note bodies
    and reviews are the archive's words, in English; the article's headline, text and quoted words Russian."""
    notes = ("article: story\nannotations:\n  - id: n1\n    kind: claim\n    verdict: misleading\n"
             "    quote: \"Министр сказал\"\n    note: \"The minister said no such thing on Monday.\"\n    by: ed\n"
             "    added: 2024-05-02\n")
    article = article_md("Заголовок", "Министр сказал это.", language="ru")
    root = write_archive(tmp_path / "archive", {"story": article}, {"story": notes})
    site = build_site(root, tmp_path / "site", "--no-search")
    page = (site / "articles" / "story" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and '<article class="article" data-slug="story"' in page
    assert '<h1 class="article-title" lang="ru"' in page and 'id="page-text" lang="ru">' in page
    assert page.count('lang="ru"') == 3  # the headline, the text, the note's quoted words
    claim_review = json.loads(page.split('<script type="application/ld+json">')[1].split("</script>")[0])
    assert claim_review[0]["inLanguage"] == "en"
    export = json.loads((site / "articles" / "story" / "annotations.jsonld").read_text(encoding="utf-8"))
    [annotation] = export["first"]["items"]
    [note] = [body for body in annotation["body"] if body["type"] == "Choice"]
    assert {item["language"] for item in note["items"]} == {"en"}
    assert annotation["target"]["source"]["language"] == "ru"


def test_relative_links_in_notes_are_absolute_in_the_exports_and_the_feed(tmp_path: Path) -> None:
    notes = ("article: story\nannotations:\n  - id: n1\n    kind: context\n    quote: \"The minister said\"\n"
             "    note: \"See [the other story](../other/#fall), [prices](#prices) and [a report](https://example.org/r?a=1&b=2).\"\n"
             "    by: ed\n    added: 2024-05-02\n")
    root = write_archive(tmp_path / "archive", {"story": article_md("Story", "The minister said so."),
                                                "other": article_md("Other", "It fell.")}, {"story": notes})
    site = build_site(root, tmp_path / "site", "--no-search")
    wanted = ('<a href="http://127.0.0.1:8000/articles/other/#fall">the other story</a>',
              '<a href="http://127.0.0.1:8000/articles/story/#prices">prices</a>',
              '<a href="https://example.org/r?a=1&amp;b=2" rel="nofollow ugc noopener">a report</a>')
    data = json.loads((site / "data" / "articles" / "story.json").read_text(encoding="utf-8"))
    assert all(link in data["annotations"][0]["note_html"] for link in wanted)
    feed = (site / "annotations.xml").read_text(encoding="utf-8")
    assert all(html_escape(link) in feed for link in wanted)
    # the page itself keeps them as written: they work from where they are shown
    assert '<a href="../other/#fall">' in (site / "articles" / "story" / "index.html").read_text(encoding="utf-8")


def test_an_old_article_annotated_today_is_news_in_the_articles_feed(tmp_path: Path) -> None:
    """The articles feed says what is new in the archive: its entries by the day each last changed."""
    articles = {f"recent-{n:02d}": article_md(f"Recent {n}", "The council met.").replace(
        "published: 2024-05-01", f"published: 2024-06-{1 + n % 28:02d}") for n in range(55)}
    articles["old-story"] = article_md("Old story", "The minister said so.").replace(
        "published: 2024-05-01", "published: 2010-05-01")
    notes = ("article: old-story\nannotations:\n  - id: n1\n    kind: context\n    quote: \"The minister said\"\n"
             "    note: \"The minister said it again in 2025, on the record.\"\n    by: ed\n    added: 2025-02-03\n")
    root = write_archive(tmp_path / "archive", articles, {"old-story": notes})
    feed = ET.parse(build_site(root, tmp_path / "site", "--no-search") / "feed.xml").getroot()
    atom = "{http://www.w3.org/2005/Atom}"
    entries = feed.findall(f"{atom}entry")
    assert len(entries) == 50
    assert entries[0].findtext(f"{atom}title") == "Old story"
    assert feed.findtext(f"{atom}updated") == entries[0].findtext(f"{atom}updated")
    # then by publication, newest first
    assert [e.findtext(f"{atom}title") for e in entries[1:3]] == ["Recent 27", "Recent 54"]


def test_links_from_the_sites_root_lead_into_a_site_under_a_sub_path(tmp_path: Path) -> None:
    """`[the other story](/articles/beta/)` in a note or an article: under base_url …/archive/ the link
    led out of the site (a 404), where a site at the host's root has the page."""
    notes = ("article: alpha\nannotations:\n  - id: see-beta\n    kind: context\n    quote: \"ferry fares\"\n"
             "    note: \"See [the other story](/articles/beta/) and [elsewhere](//cdn.example.org/x).\"\n"
             "    by: tester\n    added: 2026-01-01\n")
    body = "The ferry fares rose. [Topics](/tags/ferries/) and [a page](https://example.org/p).\n"
    for name, base, prefix in (("sub", "https://example.org/archive/", "/archive/"),
                               ("root", "https://example.org/", "/")):
        root = write_archive(tmp_path / name, {"alpha": article_md("Alpha", body), "beta": article_md("Beta", "W.\n")},
                             {"alpha": notes}, site_yaml=f"base_url: {base}\n")
        site = build_site(root, root / "site")
        page = (site / "articles" / "alpha" / "index.html").read_text(encoding="utf-8")
        assert f'href="{prefix}articles/beta/"' in page and f'href="{prefix}tags/ferries/"' in page
        assert 'href="//cdn.example.org/x"' in page and 'href="https://example.org/p"' in page
        # the data export makes it absolute, on the site
        data = json.loads((site / "data" / "articles" / "alpha.json").read_text(encoding="utf-8"))
        assert f'href="{base}articles/beta/"' in data["annotations"][0]["note_html"]

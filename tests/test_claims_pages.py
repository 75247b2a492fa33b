"""A large archive's lists come in pages (render/paging.py): its claims page is an overview, and each
verdict's claims have pages of their own (render/claims.py); the list of every article is paged, and so
is a topic's or an outlet's.
30 MB of HTML for the claims of 10,000 articles, or 5.8 MB for the list of them, is no page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from glossator.build import pipeline
from glossator.project import Project
from glossator.render import claims as claims_module
from glossator.render import pages as pages_module
from glossator.render.paging import Pager

from .helpers import article_md, write_archive

# article n (1-7) has n claims rated "mixed" and one "inaccurate"; published on day n: 7 is the newest
ARTICLES = range(1, 8)


def _notes(slug: str, n: int) -> str:
    lines = [f"article: {slug}", "annotations:"]
    for k in range(n):
        lines += [f"  - id: m{k}", "    kind: claim", f'    quote: "word{n}x{k}"', "    verdict: mixed",
                  f"    note: Claim {k} of article {n}, checked.", "    by: tester", "    added: 2026-01-01"]
    lines += ["  - id: wrong", "    kind: claim", f'    quote: "other{n}"', "    verdict: inaccurate",
              f"    note: Wrong in article {n}.", "    by: tester", "    added: 2026-01-01"]
    return "\n".join(lines) + "\n"


def _archive(tmp_path: Path) -> Path:
    articles = {f"a{n}": article_md(f"Article {n}", " ".join([*(f"word{n}x{k}" for k in range(n)), f"other{n}."]))
                .replace("published: 2024-05-01", f"published: 2024-05-0{n}") for n in ARTICLES}
    return write_archive(tmp_path / "archive", articles, {f"a{n}": _notes(f"a{n}", n) for n in ARTICLES})


def _build(root: Path, out: Path) -> None:
    result = pipeline.build(Project.at(root, out), jobs=1, use_cache=False)
    assert result.ok, result.diagnostics


def _claims(html: str) -> list[str]:
    """The permalinks of the claims a page lists, in order."""
    return re.findall(r'<li class="claim-item"><a href="([^"]+)"', html)


def _read(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def test_a_large_archives_claims_are_listed_a_page_at_a_time_newest_first(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(claims_module, "CLAIMS_PER_PAGE", 5)
    monkeypatch.setattr(claims_module, "CLAIMS_PREVIEW", 3)
    site = tmp_path / "site"
    _build(_archive(tmp_path), site)
    mixed = [f"/articles/a{n}/#m{k}" for n in reversed(ARTICLES) for k in range(n)]  # 28, newest article first
    inaccurate = [f"/articles/a{n}/#wrong" for n in reversed(ARTICLES)]  # 7
    # the overview: every verdict's section (the exports link to them), its count, its newest claims
    overview = _read(site, "claims")
    for verdict in ("accurate", "mixed", "inaccurate"):
        assert f'id="verdict-{verdict}"' in overview
    assert _claims(overview) == mixed[:3] + inaccurate[:3]
    assert '<a href="/claims/mixed/">All 28 claims rated Mixed</a>' in overview
    assert 'The newest of 28 · <a href="/claims/mixed/">all of them, a page at a time</a>' in overview
    assert '<a href="/claims/inaccurate/">All 7 claims rated Inaccurate</a>' in overview
    assert "No claims with this verdict yet." in overview  # (accurate: none, and no pages of its own)
    assert not (site / "claims" / "accurate").exists()
    # each verdict's pages: every claim once, in order, five a page
    pages = ["claims/mixed/", *(f"claims/mixed/page/{n}/" for n in range(2, 7))]
    listed = [_claims(_read(site, page)) for page in pages]
    assert [len(claims) for claims in listed] == [5, 5, 5, 5, 5, 3]
    assert [c for claims in listed for c in claims] == mixed
    assert not (site / "claims" / "mixed" / "page" / "7").exists()
    assert [c for page in ("claims/inaccurate/", "claims/inaccurate/page/2/") for c in _claims(_read(site, page))] \
        == inaccurate
    # the pager: newer and older, the first, the last and the pages near this one
    fourth = _read(site, "claims/mixed/page/4/")
    assert '<a href="/claims/mixed/page/3/" rel="prev">Newer</a>' in fourth
    assert '<a href="/claims/mixed/page/5/" rel="next">Older</a>' in fourth
    assert '<a href="/claims/mixed/page/4/" aria-current="page">4</a>' in fourth
    # (and at the top of the page: where it stands, newer and older)
    assert ('28 claims, newest article first · page 4 of 6 · <a href="/claims/mixed/page/3/">Newer</a> · '
            '<a href="/claims/mixed/page/5/">Older</a>') in fourth
    numbers = re.findall(r'<li(?: class="pager-gap" aria-hidden="true")?>(?:<a href="[^"]+"[^>]*>)?([0-9]+|…)', fourth)
    assert numbers == ["1", "2", "3", "4", "5", "6"]
    first = _read(site, "claims/mixed/")
    assert 'rel="prev"' not in first and re.findall(r'>([0-9]+|…)</', first.split('class="pager"')[1]) == \
        ["1", "2", "3", "…", "6"]
    assert "<title>Claims rated Mixed, page 4 · " in fourth and "page 4 of 6" in fourth
    # and the sitemap lists them
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert all(f"/{page}</loc>" in sitemap for page in [*pages, "claims/inaccurate/page/2/"])


def test_the_list_of_a_large_archives_articles_is_paged_newest_first(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages_module, "ARTICLES_PER_PAGE", 3)
    site = tmp_path / "site"
    _build(_archive(tmp_path), site)
    paths = ["articles/", "articles/page/2/", "articles/page/3/"]
    listed = [re.findall(r'<a href="/articles/(a[0-9])/"', _read(site, path)) for path in paths]
    assert listed == [["a7", "a6", "a5"], ["a4", "a3", "a2"], ["a1"]]
    second = _read(site, "articles/page/2/")
    assert "7 articles, newest first · page 2 of 3" in second and "<title>Articles, page 2 · " in second
    assert '<a href="/articles/" rel="prev">Newer</a>' in second
    assert '<a href="/articles/page/3/" rel="next">Older</a>' in second
    assert not (site / "articles" / "page" / "4").exists()
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert all(f"/{path}</loc>" in sitemap for path in paths)


def test_a_large_topics_and_outlets_articles_are_paged_newest_first(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages_module, "ARTICLES_PER_PAGE", 3)
    root = _archive(tmp_path)
    for n in ARTICLES:  # every article on the topic "budget"; the odd ones from a second outlet too
        path = root / "content" / f"a{n}.md"
        text = path.read_text(encoding="utf-8").replace("---\n", "---\ntags: [budget]\n", 1)
        path.write_text(text.replace("source: Example Outlet", "source: Other Outlet") if n % 2 else text,
                        encoding="utf-8")
    site = tmp_path / "site"
    _build(root, site)
    for first, slugs in (("tags/budget/", ["a7", "a6", "a5", "a4", "a3", "a2", "a1"]),
                         ("sources/other-outlet/", ["a7", "a5", "a3", "a1"])):
        paths = [first, *(f"{first}page/{n}/" for n in range(2, -(-len(slugs) // 3) + 1))]
        listed = [re.findall(r'<a href="/articles/(a[0-9])/"', _read(site, path)) for path in paths]
        assert [slug for page in listed for slug in page] == slugs, first
        assert [len(page) for page in listed][:-1] == [3] * (len(paths) - 1)
        assert not (site / first / "page" / str(len(paths) + 1)).exists()
        second = _read(site, paths[1])
        assert f"{len(slugs)} articles, newest first · page 2 of {len(paths)}" in second
        assert f'<a href="/{first}" rel="prev">Newer</a>' in second
        sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
        assert all(f"/{path}</loc>" in sitemap for path in paths)
    assert "<title>Topic: budget, page 2 · " in _read(site, "tags/budget/page/2/")
    assert "<title>Outlet: Other Outlet, page 2 · " in _read(site, "sources/other-outlet/page/2/")
    example = _read(site, "sources/example-outlet/")  # three articles: one page, as before
    assert len(re.findall(r'<a href="/articles/a[0-9]/"', example)) == 3 and 'class="pager' not in example


def test_an_archives_own_list_templates_without_a_pager_list_everything_on_one_page(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Templates an archive made before its lists were paged show no pager: cut into pages, their
    first page would have hidden the rest. Such a list stays whole, as it was."""
    monkeypatch.setattr(pages_module, "ARTICLES_PER_PAGE", 3)
    monkeypatch.setattr(claims_module, "CLAIMS_PER_PAGE", 5)
    monkeypatch.setattr(claims_module, "CLAIMS_PREVIEW", 3)
    root = _archive(tmp_path)
    for n in ARTICLES:
        path = root / "content" / f"a{n}.md"
        path.write_text(path.read_text(encoding="utf-8").replace("---\n", "---\ntags: [budget]\n", 1),
                        encoding="utf-8")
    own = root / "templates"
    own.mkdir()
    for name, heading in (("articles.html", "Articles"), ("tag.html", "Topic: {{ tag }}"),
                          ("source.html", "Outlet: {{ outlet }}")):
        (own / name).write_text('{% extends "base.html" %}{% from "_macros.html" import article_list %}'
                                "{# (made before lists had a pager) #}{% block main %}"
                                f"<h1>{heading}</h1>{{{{ article_list(articles) }}}}{{% endblock %}}\n",
                                encoding="utf-8")
    (own / "claims.html").write_text('{% extends "base.html" %}{% block main %}<h1>Claims</h1>'
                                     "{% for group in groups %}<ul>{% for claim in group.claims %}{{ claim }}"
                                     "{% endfor %}</ul>{% endfor %}{% endblock %}\n", encoding="utf-8")
    site = tmp_path / "site"
    _build(root, site)
    for path in ("articles/", "tags/budget/", "sources/example-outlet/"):
        assert len(re.findall(r'<a href="/articles/a[0-9]/"', _read(site, path))) == 7, path
        assert not (site / path / "page").exists(), path
    assert len(_claims(_read(site, "claims"))) == 35
    assert not (site / "claims" / "mixed").exists()


def test_a_small_archives_lists_are_one_page_each(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _build(_archive(tmp_path), site)
    overview = _read(site, "claims")
    assert len(_claims(overview)) == 35 and "All 28 claims" not in overview
    assert not (site / "claims" / "mixed").exists()
    articles = _read(site, "articles")
    assert len(re.findall(r'<a href="/articles/a[0-9]/"', articles)) == 7 and 'class="pager' not in articles
    assert not (site / "articles" / "page").exists()


def test_the_pager_names_the_first_the_last_and_the_pages_near_this_one() -> None:
    def shown(number: int, count: int) -> list[int | str]:
        pager = Pager(number, tuple(f"p{n}/" for n in range(1, count + 1)))
        return [entry[0] if entry else "…" for entry in pager.numbers]

    assert shown(6, 11) == [1, "…", 4, 5, 6, 7, 8, "…", 11]
    assert shown(5, 11) == [1, 2, 3, 4, 5, 6, 7, "…", 11]  # (no "…" for page 2 alone)
    assert shown(1, 11) == [1, 2, 3, "…", 11]
    assert shown(11, 11) == [1, "…", 9, 10, 11]
    assert shown(1, 1) == [1]
    assert (Pager(1, ("a/", "b/")).newer, Pager(1, ("a/", "b/")).older) == (None, "b/")

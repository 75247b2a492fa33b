"""Whether a page is a list of other pages (a home page, a section front, search results) rather
than an article: trafilatura reads the teasers' standfirsts or snippets as an article's paragraphs.

The sign that holds is the page's shape where the text was found: a headline link to another page
before every paragraph or two. An article's own links stand inside its sentences; a "READ MORE"
line or two among twenty paragraphs does not make a list. A page that declares itself an article
(JSON-LD NewsArticle and kin, or og:type=article) is taken at its word: an outlet's article pages
sometimes say og:type=website, but its index pages do not say they are articles.
"""

from __future__ import annotations

from lxml.etree import _Element

from .jsonld import article_node

MIN_TEASERS = 4  # a list of other pages has more; a few standalone links are an article's "read more"s
TEASER_SHARE = 0.5  # headline links per paragraph beside them
HEADLINE_WORDS = 3  # "Home", "Sport", "Log in" are menus; a headline has words
BLOCKS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "div", "td", "dd", "dt", "blockquote",
                    "section", "article", "main", "header", "footer", "figcaption"})
PARAGRAPH_WORDS = 5


def _words(element: _Element) -> str:
    return " ".join(element.text_content().split())


def declares_article(tree: _Element) -> bool:
    if article_node(tree) is not None:
        return True
    return any((meta.get("property") or meta.get("name") or "").strip().lower() == "og:type"
               and (meta.get("content") or "").strip().lower() == "article" for meta in tree.iter("meta"))


def _stands_alone(link: _Element) -> bool:
    """A link that is the whole line it begins (a headline over its standfirst), not words of a sentence."""
    parent = link.getparent()
    if parent is None or link.getprevious() is not None or (parent.text or "").strip():
        return False
    follower = link.getnext()
    return not (link.tail or "").strip() and (follower is None or follower.tag in BLOCKS)


def _headline_links(container: _Element) -> int:
    count = 0
    for link in container.iter("a"):
        href = (link.get("href") or "").strip()
        if href and not href.startswith("#") and len(_words(link).split()) >= HEADLINE_WORDS and _stands_alone(link):
            count += 1
    return count


def _container(tree: _Element, paragraphs: list[str]) -> _Element | None:
    """The smallest element of the page holding every paragraph extracted."""
    wanted = set(paragraphs)
    found = [element for element in tree.iter(*BLOCKS - {"div", "section", "article", "main"})
             if _words(element) in wanted]
    if not found:
        return None
    common = [found[0], *found[0].iterancestors()]
    for element in found[1:]:
        ancestors = {id(element), *(id(a) for a in element.iterancestors())}
        common = [c for c in common if id(c) in ancestors]
    return common[0] if common else None


def lists_other_pages(tree: _Element, body: _Element) -> bool:
    """Whether the text extracted (trafilatura's `body`) is the teasers of a page listing other pages."""
    if declares_article(tree):
        return False
    paragraphs = [" ".join("".join(p.itertext()).split()) for p in body.iter("p")]
    paragraphs = [text for text in paragraphs if len(text.split()) >= PARAGRAPH_WORDS]
    container = _container(tree, paragraphs) if paragraphs else None
    if container is None:
        return False
    teasers = _headline_links(container)
    return teasers >= MIN_TEASERS and teasers >= TEASER_SHARE * len(paragraphs)

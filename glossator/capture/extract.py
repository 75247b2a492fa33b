"""The article's own text, found by trafilatura (the field's reference extractor for news pages).

We parse the page ourselves (lxml, with the deep-tree option, so a page nested 2,000 levels
deep is still read and a deeper one is refused with a reason), take out what can never be
article text (scripts, frames, forms, hidden elements, ad slots, share bars, cookie banners)
and hand trafilatura the rest. Its output is an XML tree (p, head, list, quote, hi, ref…),
which convert.py turns into our Markdown.
"""

from __future__ import annotations

import copy
import logging
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import lxml.html
from lxml.etree import ParserError, _Element
from trafilatura import bare_extraction

from . import CaptureError
from .jsonld import article_node
from .teasers import lists_other_pages

LINKED_SHARE = 0.6  # an "article" most of whose lines are the page's link texts is its navigation
MAX_ELEMENTS = 300_000  # a long article page has a few thousand; more is a generated page, not news
# Elements that never hold the article's words: code, embedded documents, controls, drawings.
NEVER_TEXT = ("script", "style", "noscript", "template", "iframe", "frame", "frameset", "object", "embed",
              "applet", "svg", "math", "canvas", "form", "button", "input", "select", "textarea", "dialog",
              "link", "meta", "base")
# class/id words of the blocks news sites put between and around the text; whole words only
# ("ad" in `ad-slot` or `c-ad`, not in `head`), and never a block holding most of the page's text
_BOILERPLATE = re.compile(
    r"(?:^|[\s_-])(?:ads?|adslot|adunit|advert|adverts|advertisement|advertising|dfp|gpt|sponsored|promoted|"
    r"cookies?|consent|gdpr|newsletter|newsletters|signup|share|sharing|sharebar|social|related|"
    r"read-?more|recommended|recirculation|outbrain|taboola|ob-widget|most-read|most-popular)(?:$|[\s_-])",
    re.IGNORECASE)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# the spaces an outlet sets on purpose: no-break, narrow no-break (French), thin, figure…
SPACES = "\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_QUIET = ("trafilatura", "htmldate", "courlan", "justext", "charset_normalizer", "dateparser")


@dataclass(frozen=True)
class Extracted:
    body: _Element  # trafilatura's XML: <body> with p, head, list/item, quote, hi, ref, lb, table…
    found: Any  # trafilatura's Document: the metadata it found (title, author, date, sitename…)
    removed: int  # blocks taken out before extraction (ads, share bars, banners, hidden elements)


def parse_page(text: str) -> lxml.html.HtmlElement:
    """The page as an lxml tree, or a CaptureError for a page no reader would call a page."""
    parser = lxml.html.HTMLParser(huge_tree=True, remove_comments=True, remove_pis=True, collect_ids=False)
    try:
        tree = lxml.html.document_fromstring(text, parser=parser)
    except (ParserError, ValueError) as exc:
        raise CaptureError(f"the page cannot be read as HTML ({exc})") from None
    if any("Excessive depth" in entry.message for entry in parser.error_log):
        raise CaptureError("the page nests its elements more than 2,000 levels deep; text that deep is not read",
                           "this is not how an article page is made: check that the address is the article's")
    return tree


def _tokens(element: _Element) -> str:
    return f"{element.get('class', '')} {element.get('id', '')}"


def prune(tree: lxml.html.HtmlElement) -> int:
    """Take out what is never article text; returns how many visible blocks went."""
    body = tree.find("body")
    page_chars = len(body.text_content()) if body is not None else 0
    doomed: list[lxml.html.HtmlElement] = []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if tag in NEVER_TEXT:
            doomed.append(element)
            continue
        if tag in ("html", "head", "body", "main", "article"):
            continue
        hidden = element.get("hidden") is not None or _HIDDEN_STYLE.search(element.get("style", ""))
        banner = element.get("role") in ("dialog", "alertdialog") or element.get("aria-modal") == "true"
        # a wrapper named `social-layout` or `share-enabled` around the whole story stays
        if (hidden or banner or _BOILERPLATE.search(_tokens(element))) and \
                len(element.text_content()) <= page_chars // 2:
            doomed.append(element)
    marked = {id(element) for element in doomed}
    removed = 0
    for element in doomed:
        if any(id(ancestor) in marked for ancestor in element.iterancestors()):
            continue  # goes with its ancestor
        removed += element.tag not in ("script", "style", "link", "meta", "base", "noscript", "template")
        element.drop_tree()  # keeps the element's tail: the words after it are not part of it
    return removed


def live_feed(tree: lxml.html.HtmlElement) -> int:
    """A live blog's posts are sibling <article>s, and trafilatura takes the first <article> for
    the whole story: present the feed as one article, each post a section, its time a line of
    its own (trafilatura drops a bare <time>). Only for pages that declare a LiveBlogPosting:
    elsewhere sibling <article>s are teaser cards. Returns how many posts were found."""
    node = article_node(tree)
    if node is None or node.type != "LiveBlogPosting":
        return 0
    posts = 0
    for parent in {id(a.getparent()): a.getparent() for a in tree.iter("article")}.values():
        siblings = [child for child in parent if child.tag == "article"]
        if len(siblings) < 2 or parent.tag in ("body", "html"):
            continue
        for post in siblings:
            post.tag = "section"
            for moment in post.iter("time"):
                moment.tag = "p"
        parent.tag = "article"
        posts += len(siblings)
    return posts


def captions_above_tables(tree: lxml.html.HtmlElement) -> None:
    """A table's <caption> as a paragraph above it, where a reader sees it: trafilatura makes it the
    table's first row, padded with empty cells, and the real header row then read as data."""
    for caption in list(tree.iter("caption")):
        table = caption.getparent()
        if table is None or table.tag != "table":
            continue
        caption.tail = None  # (white space inside the table)
        caption.tag = "p"
        table.addprevious(caption)


def _mask_spaces(tree: _Element) -> dict[str, str]:
    """Swap the page's no-break and narrow spaces for stand-ins trafilatura leaves alone (it
    splits text on every white space, and an outlet's no-break spaces are part of what we
    store); returns stand-in → space, for `_unmask_spaces`."""
    text = "".join(tree.itertext())
    present = [space for space in SPACES if space in text]
    if not present:
        return {}
    # printable symbols (the Control Pictures block) that this page does not use
    free = [chr(code) for code in range(0x2400, 0x2427) if chr(code) not in text]
    if len(free) < len(present):
        return {}
    stand_in = dict(zip(present, free, strict=False))
    table = str.maketrans(stand_in)
    for element in tree.iter():
        if element.text:
            element.text = element.text.translate(table)
        if element.tail:
            element.tail = element.tail.translate(table)
    return {value: key for key, value in stand_in.items()}


def _unmask_spaces(body: _Element, found: Any, stand_ins: dict[str, str]) -> None:
    if not stand_ins:
        return
    table = str.maketrans(stand_ins)
    for element in body.iter():
        if isinstance(element.tag, str) and element.text:
            element.text = element.text.translate(table)
        if element.tail:
            element.tail = element.tail.translate(table)
    for name in ("title", "author", "sitename", "description"):
        value = getattr(found, name, None)
        if isinstance(value, str):
            setattr(found, name, value.translate(table))


def _only_links(body: _Element, tree: _Element) -> bool:
    """True when what was extracted is mostly the page's link texts: trafilatura's last resort
    dumps a page's text, and on a home page or an index that is its menus and headlines."""
    anchors = {" ".join(a.text_content().split()) for a in tree.iter("a")} - {""}
    lines = [" ".join(line.split()) for line in "\n".join(body.itertext()).split("\n")]
    total = sum(len(line) for line in lines)
    linked = sum(len(line) for line in lines if line in anchors)
    return total > 0 and linked >= LINKED_SHARE * total


@contextmanager
def _quiet() -> Iterator[None]:
    """trafilatura and its helpers log and warn freely; the editor's report says what matters."""
    loggers = [logging.getLogger(name) for name in _QUIET]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def extract(tree: lxml.html.HtmlElement, base_url: str) -> Extracted:
    """The article in trafilatura's XML, or a CaptureError when the page holds none."""
    count = sum(1 for _ in tree.iter())
    if count > MAX_ELEMENTS:
        raise CaptureError(f"the page has {count:,} elements (the limit is {MAX_ELEMENTS:,})",
                           "this is not how an article page is made: check that the address is the article's")
    work = copy.deepcopy(tree)
    # resolved here, as a browser does (against the page's address, or its <base href>): trafilatura,
    # given `url`, resolves relative links against the site's root (`chart.html` → https://host/chart.html)
    work.make_links_absolute(base_url, handle_failures="ignore")
    live_feed(work)  # (before prune, which takes out the JSON-LD scripts with the others)
    removed = prune(work)
    captions_above_tables(work)
    stand_ins = _mask_spaces(work)
    with _quiet():
        try:
            found = bare_extraction(work, url=base_url, include_comments=False, include_formatting=True,
                                    include_links=True, include_tables=True, include_images=False,
                                    with_metadata=True, deduplicate=False)
        except RecursionError:
            raise CaptureError("the page is nested too deeply to be read") from None
    if found is not None and found.body is not None:
        _unmask_spaces(found.body, found, stand_ins)
    empty = found is None or found.body is None or not "".join(found.body.itertext()).strip()
    if empty or _only_links(found.body, tree) or lists_other_pages(tree, found.body):
        raise CaptureError("no article text found on the page",
                           "is this the article's own page (not a home page, a search or a login page)? "
                           "If the text is loaded by a script, save the page from the browser once it shows the "
                           "text, and run `build.py add FILE.html --url URL`")
    return Extracted(found.body, found, removed)

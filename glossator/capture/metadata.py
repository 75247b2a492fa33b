"""The front matter's facts, from the page's own metadata, each with where it was found.

For each field the most deliberate statement wins: the JSON-LD article node (what the
outlet tells search engines), then Open Graph (what it tells social sites), then <meta>
and microdata, then what trafilatura found by reading the page (the byline, htmldate's date
search), and last a guess that the report names as one.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import urllib.parse
from dataclasses import dataclass
from typing import Any

from lxml.etree import _Element

from ..interop.urls import without_tracking
from .jsonld import ArticleNode, article_node

LANGUAGE = re.compile(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*\Z")  # the article schema's pattern
MAX_TITLE, MAX_SOURCE, MAX_AUTHOR = 500, 200, 300  # the article schema's limits
_WAYBACK = re.compile(r"https?://(?:www\.)?web\.archive\.org/web/[0-9]{1,14}[a-z_]*/(.+)\Z", re.IGNORECASE)
_WAYBACK_MOMENT = re.compile(r"https?://(?:www\.)?web\.archive\.org/web/([0-9]{14})[a-z_]*/", re.IGNORECASE)
_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " • ", ": ")
_DATE_METAS = ("article:published_time", "og:published_time", "datepublished", "date", "pubdate", "publish-date",
               "publishdate", "publication_date", "dc.date", "dc.date.issued", "dcterms.date", "dcterms.created",
               "sailthru.date", "parsely-pub-date", "citation_publication_date")
_AUTHOR_METAS = ("author", "byl", "dc.creator", "dcterms.creator", "sailthru.author", "parsely-author",
                 "article:author", "citation_author")
_HOSTLIKE = re.compile(r"[\w-]+(\.[\w-]+)+(:[0-9]+)?|[0-9.:\[\]]+")
_BY = re.compile(r"^(?:by|par|von|por|di|door|av|af)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Fact:
    value: str
    origin: str  # where it was found, as the report names it
    guessed: bool = False


@dataclass(frozen=True)
class Metadata:
    title: Fact
    source: Fact
    published: Fact
    author: Fact | None
    language: Fact | None
    url: Fact  # the article's address: `--url` if given, else the page's canonical address
    named: Fact  # the address the page names as its own (canonical), or the one it was read from
    archived: str  # a Wayback Machine copy the page was read from, if it was
    kind: str  # the JSON-LD type (NewsArticle, LiveBlogPosting…), or ""
    paywalled: bool


def unwrap_wayback(url: str) -> str | None:
    """The original address inside a Wayback Machine address, or None."""
    match = _WAYBACK.match(url.strip())
    if not match:
        return None
    inner = match.group(1)
    if not inner.lower().startswith(("http://", "https://")):
        inner = "http://" + inner.lstrip("/")
    return inner


def wayback_moment(url: str) -> dt.datetime | None:
    """When a Wayback Machine copy was made: the 14 digits of its address (UTC), or None (a partial
    timestamp names no copy: the Wayback Machine redirects it to the nearest one)."""
    match = _WAYBACK_MOMENT.match(url.strip())
    try:
        return dt.datetime.strptime(match.group(1), "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC) if match else None
    except ValueError:
        return None


def _clean(value: str | None, limit: int = 10_000) -> str:
    text = " ".join((value or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _metas(tree: _Element) -> dict[str, str]:
    """<meta> values by lower-cased name, property or itemprop; the first of each wins."""
    found: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop") or meta.get("http-equiv")
        value = meta.get("content")
        if key and value and value.strip():
            found.setdefault(key.strip().lower(), value.strip())
    return found


def _itemprop(tree: _Element, name: str) -> str:
    for element in tree.iterfind(f".//*[@itemprop='{name}']"):
        value = element.get("datetime") or element.get("content")
        if not value:
            named = element.find(".//*[@itemprop='name']")
            value = (named if named is not None else element).text_content()
        if value and value.strip():
            return _clean(value)
    return ""


def day(value: str) -> str:
    """YYYY-MM-DD from the date forms pages use (ISO 8601, YYYYMMDD, RFC 2822), or ""."""
    value = value.strip()
    for candidate in (value[:10], f"{value[:4]}-{value[4:6]}-{value[6:8]}" if value[:8].isdigit() else ""):
        try:
            return dt.date.fromisoformat(candidate).isoformat() if len(candidate) == 10 else ""
        except ValueError:
            continue
    try:
        return email.utils.parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return ""


def _without_site(title: str, site: str) -> str:
    """`Headline | The Courier` → `Headline`, when the part cut off names the outlet."""
    if not site:
        return title
    for separator in _SEPARATORS:
        head, found, tail = title.rpartition(separator)
        if found and head and tail.strip().casefold() == site.casefold():
            return head.strip()
    return title


def _absolute(value: str, base: str) -> str:
    if not value.strip():
        return ""  # (urljoin would give `base`: a page naming no address would seem to name the one read)
    try:
        url = urllib.parse.urljoin(base, value.strip())
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        return ""
    return urllib.parse.urlunsplit(parts._replace(fragment=""))


def _first(*candidates: tuple[str, str]) -> Fact | None:
    for value, origin in candidates:
        if value:
            return Fact(value, origin)
    return None


def read_metadata(tree: _Element, found: Any, read_from: str, given_url: str | None, today: dt.date) -> Metadata:
    """`found`: trafilatura's Document; `read_from`: the address the bytes came from (a file's path
    for a saved page); `given_url`: the article's address from `--url`, which a saved page needs."""
    node = article_node(tree) or ArticleNode("", "", "", (), "", "", "", True, "")
    metas = _metas(tree)
    base = given_url or read_from

    source = _first((_clean(node.publisher, MAX_SOURCE), "JSON-LD publisher"),
                    (_clean(metas.get("og:site_name"), MAX_SOURCE), "Open Graph og:site_name"),
                    (_clean(metas.get("application-name"), MAX_SOURCE), "<meta name=application-name>"),
                    (_clean(node.website, MAX_SOURCE), "JSON-LD WebSite"))
    canonical = _canonical(tree, metas, node, base)
    url = canonical
    if given_url:
        url = Fact(unwrap_wayback(given_url) or given_url, "--url")
    # where a reader came from is no part of the article's address (a shared link's `utm_source`)
    url = Fact(without_tracking(url.value), url.origin, url.guessed)
    # the outlet's own host: the address the page names (a saved copy's may be a file's)
    host = (urllib.parse.urlsplit(canonical.value).hostname or "").removeprefix("www.")
    sitename = _clean(getattr(found, "sitename", None), MAX_SOURCE)
    if source is None and sitename and not _HOSTLIKE.fullmatch(sitename):  # (trafilatura falls back to hosts)
        source = Fact(sitename, "the page, by trafilatura")
    source = source or Fact(host or "unknown", "the address's host name", guessed=True)

    def titled(value: str | None) -> str:
        return _clean(_without_site(_clean(value), source.value), MAX_TITLE)

    title = _first((titled(node.headline), "JSON-LD headline"),
                   (titled(metas.get("og:title")), "Open Graph og:title"),
                   (titled(metas.get("twitter:title")), "<meta name=twitter:title>"),
                   (titled(_itemprop(tree, "headline")), "microdata headline"),
                   (titled(getattr(found, "title", None)), "the page's <title> or <h1>"))
    if title is None:
        slug_words = urllib.parse.unquote(url.value.rstrip("/").rsplit("/", 1)[-1]).rsplit(".", 1)[0]
        title = Fact(_clean(re.sub(r"[-_+]+", " ", slug_words)).capitalize() or "Untitled",
                     "the address", guessed=True)

    published = _first((day(node.published), "JSON-LD datePublished"),
                       *((day(metas.get(name, "")), f"<meta {name}>") for name in _DATE_METAS),
                       (day(_itemprop(tree, "datePublished")), "microdata datePublished"))
    if published is None and getattr(found, "date", None):
        published = Fact(day(found.date), "trafilatura's date search (dates in the page or its address)",
                         guessed=True)
    if published is None or not published.value:
        published = Fact(today.isoformat(), "no date on the page: the day of capture", guessed=True)

    author = _first((_clean(", ".join(node.authors), MAX_AUTHOR), "JSON-LD author"),
                    *((_person(metas.get(name, "")), f"<meta {name}>") for name in _AUTHOR_METAS),
                    (_person(_itemprop(tree, "author")), "microdata author"))
    if author is None and _person(getattr(found, "author", None) or ""):
        author = Fact(_person(found.author.replace("; ", ", ")), "the byline, by trafilatura")

    html_lang = tree.getroottree().getroot().get("lang")
    language = _first(*((_language(value), origin) for value, origin in (
        (node.language, "JSON-LD inLanguage"), (html_lang or "", "<html lang>"),
        (metas.get("content-language", ""), "<meta http-equiv=content-language>"),
        (metas.get("og:locale", ""), "Open Graph og:locale"))))

    archived = ""
    for address in (given_url or "", read_from):
        if unwrap_wayback(address):
            archived = address
            break
    return Metadata(title, source, published, author, language, url, canonical, archived, node.type, not node.free)


def _canonical(tree: _Element, metas: dict[str, str], node: ArticleNode, base: str) -> Fact:
    links = [link.get("href", "") for link in tree.iter("link")
             if "canonical" in (link.get("rel") or "").lower().split()]
    candidates = [(_absolute(links[0], base) if links else "", "<link rel=canonical>"),
                  (_absolute(metas.get("og:url", ""), base), "Open Graph og:url"),
                  (_absolute(node.url, base), "JSON-LD url")]
    for value, origin in candidates:
        inner = unwrap_wayback(value) if value else None
        if inner:
            value = _absolute(inner, inner)
        if value:
            return Fact(value, origin)
    inner = unwrap_wayback(base)
    return Fact(_absolute(inner, inner) if inner else base, "the address it was read from")


def _person(value: str) -> str:
    value = _BY.sub("", _clean(value))
    if not value or value.lower().startswith(("http://", "https://", "www.")) or not any(c.isalpha() for c in value):
        return ""
    return _clean(value, MAX_AUTHOR)


def _language(value: str) -> str:
    value = value.strip().replace("_", "-")
    return value if LANGUAGE.match(value) else ""

"""Which article an annotation is about: its page's address against each article's `url` and
`archived` (and the archive's own page for it), compared in a normalised form.

Two addresses of one page differ in ways that say nothing about the page: `http` or `https`,
`www.` or not, a trailing slash, `index.html`, the order of query parameters, parameters
that only track the click (utm_*, fbclid, gclid…), a `#fragment`, the port a scheme
implies, the case of the host and of percent-escapes, and whether an internationalised domain
name is written in its own letters or as DNS has it (`xn--…`). A Wayback Machine copy
(`web.archive.org/web/<time>/<address>`) stands for the address it copies, whatever the time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, unquote, unquote_plus, urlencode, urlsplit, urlunsplit

from .engine import Article, SiteConfig, page_url

TRACKING_PREFIXES = ("utm_", "pk_", "mtm_")  # Google Analytics, Piwik/Matomo campaign parameters
TRACKING_PARAMETERS = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid", "li_fat_id",
    "igshid", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id",
    "vero_id", "rb_clickid", "s_cid", "ocid", "cmpid", "ncid", "sr_share", "at_medium", "at_campaign",
})
_WAYBACK = re.compile(r"/web/[0-9]{1,14}(?:[a-z]{2}_)?/(.+)", re.DOTALL)
_SAFE_PATH = "/:@!$&'()*+,;=-._~"


def _tracking(name: str) -> bool:
    name = name.lower()
    return name.startswith(TRACKING_PREFIXES) or name in TRACKING_PARAMETERS


def without_tracking(address: str) -> str:
    """The address without its campaign parameters (`utm_source`, `fbclid`…), which say where a reader
    came from, not which page; the rest of it exactly as written."""
    try:
        parts = urlsplit(address)
    except ValueError:
        return address
    pieces = parts.query.split("&") if parts.query else []
    kept = [piece for piece in pieces if not _tracking(unquote_plus(piece.split("=", 1)[0]))]
    return address if len(kept) == len(pieces) else urlunsplit(parts._replace(query="&".join(kept)))


def _wayback_original(host: str, path: str, query: str) -> str | None:
    if host not in ("web.archive.org", "wayback.archive.org"):
        return None
    match = _WAYBACK.fullmatch(path)
    if match is None:
        return None
    original = match.group(1)
    if not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", original):
        original = "http://" + original
    # the Wayback Machine squeezes `https://` to `https:/` in some of its links
    original = re.sub(r"^(https?):/(?!/)", r"\1://", original)
    return original + (f"?{query}" if query else "")


def _ascii_host(host: str) -> str:
    """An internationalised domain name as DNS has it (`новости.рф` → `xn--b1amnebsh.xn--p1ai`): a page
    is named in either form (the address bar shows one, Hypothesis records the other)."""
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:  # not a valid name: compared as written
        return host


def url_key(address: str, depth: int = 0) -> str | None:
    """The normalised form two addresses of one page share; None for what is not a web address."""
    try:
        parts = urlsplit(address.strip())
        port = parts.port
    except ValueError:  # a malformed IPv6 host or port
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    host = _ascii_host(parts.hostname.lower().rstrip("."))
    original = _wayback_original(host, parts.path, parts.query)
    if original is not None and depth < 2:
        return url_key(original, depth + 1)
    host = host.removeprefix("www.")
    if port is not None and port not in (80, 443):
        host += f":{port}"
    path = quote(unquote(parts.path), safe=_SAFE_PATH)
    path = re.sub(r"/+", "/", path)
    path = re.sub(r"/index\.html?$", "/", path).rstrip("/")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not _tracking(k)]
    return host + path + (f"?{urlencode(sorted(query))}" if query else "")


# the path of one of a Glossator archive's pages, under whatever base it is published at: an article's
# page, or the page of one of its earlier texts (url_key form: no trailing slash, no index.html)
_ARTICLE_PATH = re.compile(r"[^/?]+(?:/[^?]*)?/articles/([^/?]+)(?:/versions/([^/?]+))?")


@dataclass
class ArticleIndex:
    """Every article under each normalised address it is known by."""

    keys: dict[str, list[str]] = field(default_factory=dict)
    own_pages: dict[str, str] = field(default_factory=dict)  # our page's address (normalised) → slug
    # the page of one of an article's earlier texts (normalised) → (slug, the text's version id)
    own_versions: dict[str, tuple[str, str]] = field(default_factory=dict)
    versions: dict[str, frozenset[str]] = field(default_factory=dict)  # slug → its earlier texts' ids

    def add(self, slug: str, addresses: Iterable[str]) -> None:
        for address in addresses:
            key = url_key(address) if address else None
            if key is not None and slug not in self.keys.setdefault(key, []):
                self.keys[key].append(slug)

    def deployed_page(self, key: str) -> tuple[str, str | None] | None:
        """(slug, version id or None) if the normalised address has the path of one of this archive's
        pages, on any host and under any base: the site as deployed (the publishing workflow builds
        with the host's own --base-url, which site.yaml cannot know), a preview, a mirror."""
        match = _ARTICLE_PATH.fullmatch(key)
        if match is None or match[1] not in self.versions:
            return None
        slug, version = unquote(match[1]), match[2] and unquote(match[2])
        if version is not None and version not in self.versions[slug]:
            return None
        return slug, version

    def _slugs_at(self, key: str) -> list[str]:
        earlier = self.own_versions.get(key)
        found = [*self.keys.get(key, ()), *(earlier[:1] if earlier else ())]
        if not found and (deployed := self.deployed_page(key)) is not None:
            found = [deployed[0]]
        return found

    def match(self, addresses: Iterable[str]) -> list[str]:
        """The articles any of the addresses names, in the order they are named."""
        found: list[str] = []
        for address in addresses:
            key = url_key(address)
            for slug in self._slugs_at(key) if key else ():
                if slug not in found:
                    found.append(slug)
        return found

    def earlier_text(self, addresses: Iterable[str]) -> tuple[str, str] | None:
        """(slug, version id) if one of the addresses is the page of an article's earlier text, as our
        export names the text a note stays on."""
        for address in addresses:
            key = url_key(address) or ""
            found = self.own_versions.get(key)
            if found is None and key not in self.keys and (deployed := self.deployed_page(key)) is not None:
                found = (deployed[0], deployed[1]) if deployed[1] is not None else None
            if found is not None:
                return found
        return None

    def own_annotation(self, iri: str) -> tuple[str, str] | None:
        """(slug, id) if `iri` names one of this archive's annotations, as its exports do:
        the article's page at site.yaml's base_url, `#` the annotation's id."""
        page, _, fragment = iri.partition("#")
        slug = self.own_pages.get(url_key(page) or "") if fragment else None
        return (slug, unquote(fragment)) if slug else None

    def deployed_annotation(self, iri: str) -> tuple[str, str] | None:
        """(slug, id) if `iri` has the form of one of this archive's annotation IRIs published under
        any base: `…/articles/<slug>/#<id>` for an article of this archive. Whether the id is one of
        that article's notes is the caller's to ask; only own_annotation's positions are trusted."""
        page, _, fragment = iri.partition("#")
        found = self.deployed_page(url_key(page) or "") if fragment else None
        return (found[0], unquote(fragment)) if found is not None and found[1] is None else None


def article_index(articles: Iterable[Article], config: SiteConfig,
                  earlier: Mapping[str, Iterable[str]] | None = None) -> ArticleIndex:
    """`earlier`: each article's earlier texts, by version id (versions/<slug>/<id>.md)."""
    index = ArticleIndex()
    for article in articles:
        own = page_url(article, config)
        index.add(article.slug, [article.url, article.archived, own])
        key = url_key(own)
        if key is not None:
            index.own_pages[key] = article.slug
        versions = frozenset((earlier or {}).get(article.slug, ()))
        index.versions[article.slug] = versions
        for version in versions:
            version_key = url_key(f"{own}versions/{version}/")
            if version_key is not None:
                index.own_versions[version_key] = (article.slug, version)
    return index

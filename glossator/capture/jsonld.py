"""The page's schema.org JSON-LD: the article node (NewsArticle and its kin) and what it says.

Pages carry several blocks, `@graph` lists, `@type` lists and `@id` references (a publisher
given as `{"@id": "#org"}`); broken blocks are common and are skipped, never fatal.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from typing import Any

from lxml.etree import _Element

ARTICLE_TYPES = ("NewsArticle", "ReportageNews", "AnalysisNewsArticle", "OpinionNewsArticle",
                 "BackgroundNewsArticle", "ReviewNewsArticle", "AskPublicNewsArticle", "LiveBlogPosting",
                 "Article", "BlogPosting", "Report", "SocialMediaPosting", "TechArticle", "ScholarlyArticle")
MAX_BLOCK = 2 * 1024 * 1024  # characters of one block; bigger ones are data dumps, not metadata
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


@dataclass(frozen=True)
class ArticleNode:
    type: str
    headline: str
    published: str
    authors: tuple[str, ...]
    publisher: str
    language: str
    url: str
    free: bool  # False when the page says the article is not free to read (a paywall)
    website: str  # the name of the WebSite node, if any


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str | dict)), "")
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or ""
    if not isinstance(value, str):
        return ""
    # some CMSs write entities into JSON (`&#8217;`): they mean the character
    value = html.unescape(value) if _ENTITY.search(value) else value
    return " ".join(value.split())


def _types(node: dict[str, Any]) -> list[str]:
    kind = node.get("@type", [])
    kinds = kind if isinstance(kind, list) else [kind]
    return [k.rsplit("/", 1)[-1] for k in kinds if isinstance(k, str)]


def nodes(tree: _Element) -> list[dict[str, Any]]:
    """Every JSON-LD object with an @type, from every block, @graph lists flattened."""
    found: list[dict[str, Any]] = []
    for script in tree.iter("script"):
        kind = (script.get("type") or "").split(";")[0].strip().lower()
        if kind != "application/ld+json" or not script.text or len(script.text) > MAX_BLOCK:
            continue
        try:
            data = json.loads(script.text.strip().rstrip(";"), strict=False)
        except (ValueError, RecursionError):
            continue
        pending = [data]
        while pending and len(found) < 1000:
            item = pending.pop(0)
            if isinstance(item, list):
                pending.extend(item)
            elif isinstance(item, dict):
                if isinstance(item.get("@graph"), list):
                    pending.extend(item["@graph"])
                if item.get("@type"):
                    found.append(item)
    return found


def _resolve(value: Any, by_id: dict[str, dict[str, Any]]) -> Any:
    if (isinstance(value, dict) and set(value) <= {"@id", "@type"} and isinstance(value.get("@id"), str)
            and value["@id"] in by_id):
        return by_id[value["@id"]]
    if isinstance(value, list):
        return [_resolve(v, by_id) for v in value]
    return value


def _names(value: Any, by_id: dict[str, dict[str, Any]]) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = _text(_resolve(item, by_id))
        if name and not name.lower().startswith(("http://", "https://")) and name not in names:
            names.append(name)
    return tuple(names)


def _address(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("@id") or value.get("url") or ""
    return value.strip() if isinstance(value, str) else ""


def article_node(tree: _Element) -> ArticleNode | None:
    """The page's article, as its JSON-LD describes it; None without one."""
    found = nodes(tree)
    by_id = {n["@id"]: n for n in found if isinstance(n.get("@id"), str)}
    ranked = [(ARTICLE_TYPES.index(t), i) for i, n in enumerate(found) for t in _types(n) if t in ARTICLE_TYPES]
    if not ranked:
        return None
    rank, index = min(ranked)
    node = found[index]
    website = next((_text(n.get("name")) for n in found if "WebSite" in _types(n)), "")
    free = node.get("isAccessibleForFree", True)
    published = node.get("datePublished") or node.get("dateCreated") or node.get("coverageStartTime") or ""
    return ArticleNode(
        type=ARTICLE_TYPES[rank],
        headline=_text(node.get("headline") or node.get("name")),
        published=published if isinstance(published, str) else "",
        authors=_names(node.get("author", []), by_id),
        publisher=_text(_resolve(node.get("publisher"), by_id)),
        language=_text(node.get("inLanguage")),
        url=_address(node.get("url")) or _address(node.get("mainEntityOfPage")),
        free=str(free).strip().lower() not in ("false", "0", "no"),
        website=website,
    )

"""Raw documents → the typed model: schema checks, then the rules that span files."""

from __future__ import annotations

import datetime as dt
import difflib
import unicodedata
from collections.abc import Iterable
from types import MappingProxyType
from typing import Any

from . import schema
from .diagnostics import Diagnostic, error
from .load import RawAnnotations, RawArticle
from .model import Annotation, AnnotationSet, Article, Link, Position, SiteConfig, Source
from .yamlio import YNode, to_plain


def _pos(path: str, node: YNode | None) -> Position:
    return Position(path, node.line, node.col) if node else Position(path, 1, 1)


def _bad_url_char(url: str) -> bool:
    return any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in url)


def _check_url(path: str, node: YNode | None, field: str) -> list[Diagnostic]:
    if node is None or not isinstance(node.value, str):
        return []
    if _bad_url_char(node.value):
        return [error(path, node.line, node.col, f"`{field}` contains invisible or control characters",
                      "retype the address by hand", title="Bad URL")]
    return []


def _real_date(path: str, node: YNode | None, field: str) -> tuple[dt.date | None, list[Diagnostic]]:
    if node is None:
        return None, []
    value = node.value
    if isinstance(value, dt.datetime):
        return value.date(), []
    if isinstance(value, dt.date):
        return value, []
    try:
        return dt.date.fromisoformat(str(value)), []
    except ValueError:
        return None, [error(path, node.line, node.col, f"`{field}` is not a real date: `{value}`",
                            "write dates as YYYY-MM-DD with a month from 01 to 12 and a day that exists",
                            title="Bad date")]


def _partial_date_ok(value: str) -> bool:
    parts = value.split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else 1
        day = int(parts[2]) if len(parts) > 2 else 1
        dt.date(year, month, day)
    except (ValueError, IndexError):
        return False
    return True


def validate_article(raw: RawArticle, config: SiteConfig) -> tuple[Article | None, list[Diagnostic]]:
    front = raw.front
    data = to_plain(front)
    if isinstance(data, dict) and isinstance(data.get("published"), int):
        data["published"] = str(data["published"])  # `published: 2015` is a year, not a number
    if data is None:
        data = {}
    problems = schema.diagnose("article.schema.json", data, front, raw.path)
    if front is not None and front.kind == "mapping":
        for key in ("url", "archived"):
            problems += _check_url(raw.path, front.get(key), key)
        published = front.get("published")
        if not problems and published is not None and not _partial_date_ok(str(data["published"])):
            problems.append(error(raw.path, published.line, published.col,
                                  f"`published` is not a real date: `{data['published']}`",
                                  "write YYYY, YYYY-MM or YYYY-MM-DD", title="Bad date"))
    elif front is None:
        problems = [error(raw.path, 2, 1, "the front matter is empty",
                          "add `title:`, `source:` and `published:` between the `---` lines")]
    if problems:
        return None, problems
    if not raw.body.strip():
        return None, [error(raw.path, raw.body_line, 1, "the article has no text below its front matter",
                            title="Empty article")]
    return Article(
        slug=raw.slug,
        path=raw.path,
        title=data["title"],
        source=data["source"],
        published=data["published"],
        body=raw.body,
        body_line=raw.body_line,
        language=data.get("language", config.language),
        url=data.get("url", ""),
        archived=data.get("archived", ""),
        author=data.get("author", ""),
        tags=tuple(dict.fromkeys(data.get("tags", []))),
        summary=data.get("summary", ""),
        draft=bool(data.get("draft", False)),
    ), []


def _source(item: dict[str, Any]) -> Source:
    return Source(item["title"], item["url"], item.get("publisher", ""), str(item.get("date", "")),
                  item.get("archived", ""))


def validate_annotations(
    raw: RawAnnotations, config: SiteConfig, article_slugs: Iterable[str]
) -> tuple[AnnotationSet | None, list[Diagnostic]]:
    path, root = raw.path, raw.root
    data = to_plain(root)
    if root is None:
        return None, [error(path, 1, 1, "the file is empty",
                            f"start it with `article: {raw.slug}` and `annotations:`", title="Empty file")]
    problems = schema.diagnose("annotations.schema.json", data, root, path)
    article_node = root.get("article")
    slugs = set(article_slugs)
    if article_node is not None and isinstance(article_node.value, str):
        named = article_node.value
        if named != raw.slug:
            problems.append(error(path, article_node.line, article_node.col,
                                  f"`article: {named}` does not match the file name `{raw.slug}.yaml`",
                                  f"the file for content/{named}.md must be annotations/{named}.yaml"
                                  if named in slugs else f"write `article: {raw.slug}`",
                                  title="Article mismatch"))
        elif named not in slugs:
            close = difflib.get_close_matches(named, sorted(slugs), n=1)
            problems.append(error(path, article_node.line, article_node.col,
                                  f"there is no article `content/{named}.md`",
                                  f"did you mean `{close[0]}`?" if close else
                                  "add the article first, or fix the name", title="Unknown article"))
    items_node = root.get("annotations")
    annotations: list[Annotation] = []
    seen_ids: dict[str, YNode] = {}
    if items_node is not None and items_node.kind == "sequence":
        for item in items_node.value:
            if item.kind != "mapping":
                continue
            id_node = item.get("id")
            if id_node is not None and isinstance(id_node.value, str):
                first = seen_ids.get(id_node.value)
                if first is not None:
                    problems.append(error(path, id_node.line, id_node.col,
                                          f"duplicate id `{id_node.value}` (first used at line {first.line})",
                                          "ids are permanent links (#id) and must be unique; choose another",
                                          title="Duplicate id"))
                    problems.append(error(path, first.line, first.col,
                                          f"id `{id_node.value}` is used again at line {id_node.line}",
                                          title="Duplicate id"))
                else:
                    seen_ids[id_node.value] = id_node
            verdict_node = item.get("verdict")
            kind_node = item.get("kind")
            if (verdict_node is not None and isinstance(verdict_node.value, str)
                    and kind_node is not None and kind_node.value == "claim"
                    and verdict_node.value not in config.verdict_ids):
                close = difflib.get_close_matches(verdict_node.value, config.verdict_ids, n=1, cutoff=0.5)
                problems.append(error(path, verdict_node.line, verdict_node.col,
                                      f"`{verdict_node.value}` is not on the verdict scale",
                                      f"did you mean `{close[0]}`?" if close else "",
                                      "the scale (site.yaml): " + ", ".join(config.verdict_ids),
                                      title="Unknown verdict"))
            for key in ("added", "updated"):
                _, date_problems = _real_date(path, item.get(key), key)
                problems += date_problems
            for list_key in ("sources", "links"):
                list_node = item.get(list_key)
                if list_node is None or list_node.kind != "sequence":
                    continue
                for entry in list_node.value:
                    for url_key in ("url", "archived"):
                        problems += _check_url(path, entry.get(url_key), url_key)
            if not problems:
                annotations.append(_annotation(path, item))
    if problems:
        return None, problems
    return AnnotationSet(path, raw.slug, tuple(annotations)), []


def _annotation(path: str, item: YNode) -> Annotation:
    data = to_plain(item)
    by = data["by"]
    positions = {key: _pos(path, node) for key, node in item.value.items()}
    added, _ = _real_date(path, item.get("added"), "added")
    updated, _ = _real_date(path, item.get("updated"), "updated")
    assert added is not None
    return Annotation(
        id=data["id"],
        kind=data["kind"],
        note=data["note"],
        by=(by,) if isinstance(by, str) else tuple(by),
        added=added,
        updated=updated,
        position=_pos(path, item),
        quote=data.get("quote"),
        prefix=data.get("prefix"),
        suffix=data.get("suffix"),
        verdict=data.get("verdict"),
        sources=tuple(_source(s) for s in data.get("sources", [])),
        links=tuple(Link(link["title"], link["url"]) for link in data.get("links", [])),
        field_positions=MappingProxyType(positions),
    )

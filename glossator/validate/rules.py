"""Raw documents → the typed model: schema checks, then the rules that span files."""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from types import MappingProxyType
from typing import Any

from ..diagnostics import Diagnostic, error, warning
from ..model import (
    PLACEHOLDER,
    RESERVED_ID_PREFIXES,
    RESERVED_IDS,
    Annotation,
    AnnotationSet,
    Article,
    Link,
    Position,
    RawAnnotations,
    RawArticle,
    SiteConfig,
    Source,
    YNode,
)
from . import schema
from .plain import to_plain
from .versions import capture_problem, parse_capture


def _pos(path: str, node: YNode | None) -> Position:
    return Position(path, node.line, node.col) if node else Position(path, 1, 1)


def _bad_url_char(url: str) -> bool:
    # a printable string has no character of the categories Other or Separator (but the space):
    # one C call settles nearly every address before the per-character look-up
    return not url.isprintable() and any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in url)


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
        hint = "write dates as YYYY-MM-DD with a month from 01 to 12 and a day that exists"
        year, month = str(value)[:4], str(value)[5:7]
        if year.isdigit() and month.isdigit() and 1 <= int(month) <= 12:
            days = calendar.monthrange(int(year), int(month))[1]
            hint = f"{calendar.month_name[int(month)]} {year} has {days} days; " + hint
        return None, [error(path, node.line, node.col, f"`{field}` is not a real date: `{value}`", hint,
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


_DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_PARTIAL_SHAPE = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?\Z")

# `build.py new` writes this where only the contributor can fill in the value; check
# refuses it, so a stub cannot be merged half-written
_PLACEHOLDER_RE = re.compile(rf"\s*{PLACEHOLDER}\b")
_PLACEHOLDER_HINTS = {
    "note": "write the note: what a reader should know about the quoted words, and how you know it",
    "by": "write your handle, e.g. your GitHub user name",
    "title": "write the title of the source as it appears on it",
    "url": "write the address of the source, starting with https://",
    "publisher": "write who published the source, or remove the line",
    "date": "write when the source was published (YYYY, YYYY-MM or YYYY-MM-DD), or remove the line",
}
MIN_NOTE_WORDS = 5  # fewer words than this cannot be a sentence that explains anything
_WORD = re.compile(r"\w+")
_ENOUGH_WORDS = re.compile(rf"\W*(?:\w+\W+){{{MIN_NOTE_WORDS - 1}}}\w")  # MIN_NOTE_WORDS runs of \w, or more


def _fields_and_entries(item: YNode) -> Iterator[tuple[str, YNode]]:
    """An item's fields, then those of the entries of its lists (sources and links)."""
    yield from item.value.items()
    for entry in (entry for value in item.value.values() if value.kind == "sequence" for entry in value.value):
        if entry.kind == "mapping":
            yield from entry.value.items()


def _placeholders(path: str, item: YNode, config: SiteConfig) -> list[Diagnostic]:
    """Values still holding the `TODO` placeholder that `build.py new` wrote."""
    found: list[Diagnostic] = []
    for key, node in _fields_and_entries(item):
        # (the word looked for first: a regex call for each of a file's values, 0.45% of an article)
        if (node.kind != "scalar" or type(node.value) is not str or PLACEHOLDER not in node.value
                or not _PLACEHOLDER_RE.match(node.value)):
            continue
        hint = _PLACEHOLDER_HINTS.get(key, "replace it with the real value")
        if key == "verdict":
            hint = "choose one of the verdict scale: " + ", ".join(config.verdict_ids) + \
                " (CONTRIBUTING.md says what each means)"
        shown = node.value.strip().split("\n")[0]
        shown = shown if len(shown) <= 40 else shown[:39] + "…"
        found.append(error(path, node.line, node.col, f"`{key}` is still a placeholder: `{shown}`", hint,
                           title="Placeholder"))
    return found


def _advice(path: str, item: YNode, today: Callable[[], dt.date]) -> list[Diagnostic]:
    """Warnings: allowed, but a reviewer would ask for more (they fail only `check --strict`)."""
    found = []
    fields = item.value  # (items are mappings: their dict is read directly, not through YNode.get)
    note = fields.get("note")
    # one match says a note has enough words (most do); only a short one is counted
    if (note is not None and isinstance(note.value, str) and not _PLACEHOLDER_RE.match(note.value)
            and not _ENOUGH_WORDS.match(note.value)):
        words = len(_WORD.findall(note.value))
        found.append(warning(path, note.line, note.col,
                             f"the note is shorter than a sentence ({words} word{'s' * (words != 1)})",
                             "say what a reader should know about these words, and how you know it",
                             title="Short note"))
    sources = fields.get("sources")
    for entry in sources.value if sources is not None and sources.kind == "sequence" else ():
        if entry.kind == "mapping" and "date" not in entry.value:
            found.append(warning(path, entry.line, entry.col, "this source has no `date`",
                                 "add `date:` (YYYY, YYYY-MM or YYYY-MM-DD), when it was published: "
                                 "readers weigh evidence by when it appeared", title="Undated source"))
    added = fields.get("added")
    if (added is not None and isinstance(added.value, dt.date) and not isinstance(added.value, dt.datetime)
            and added.value > today()):
        found.append(warning(path, added.line, added.col, f"`added` is in the future ({added.value})",
                             "write the day you wrote the annotation", title="Date in the future"))
    return found


def _captured_time(path: str, captured: YNode | None) -> list[Diagnostic]:
    """`captured.at` of the right shape (the schema checks that) that is no real moment."""
    at = captured.get("at") if captured is not None else None
    if at is None or not isinstance(at.value, str) or not _CAPTURED_SHAPE.match(at.value):
        return []  # (an unquoted time is a datetime already: YAML checked it)
    problem = capture_problem(at.value)
    return [error(path, at.line, at.col, *problem, title="Bad date")] if problem else []


_CAPTURED_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T")


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
        # a date of the right shape that does not exist (the schema reports other shapes)
        shaped = published is not None and _PARTIAL_SHAPE.match(str(data.get("published", "")))
        if shaped and not _partial_date_ok(str(data["published"])):
            problems.append(error(raw.path, published.line, published.col,
                                  f"`published` is not a real date: `{data['published']}`",
                                  "write YYYY, YYYY-MM or YYYY-MM-DD", title="Bad date"))
        problems += _captured_time(raw.path, front.get("captured"))
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
        captured=parse_capture(data.get("captured")),
    ), []


def _source(item: dict[str, Any]) -> Source:
    return Source(item["title"], item["url"], item.get("publisher", ""), str(item.get("date", "")),
                  item.get("archived", ""))


def _years_as_text(data: Any) -> None:
    """A source's `date: 2015` is a year, as `published: 2015` is (YAML reads both as numbers)."""
    items = data.get("annotations") if isinstance(data, dict) else None
    for item in items if isinstance(items, list) else ():
        sources = item.get("sources") if isinstance(item, dict) else None
        for source in sources if isinstance(sources, list) else ():
            if isinstance(source, dict) and type(source.get("date")) is int:
                source["date"] = str(source["date"])


def validate_annotations(
    raw: RawAnnotations, config: SiteConfig, article_slugs: Iterable[str]
) -> tuple[AnnotationSet | None, list[Diagnostic]]:
    path, root = raw.path, raw.root
    data = to_plain(root)  # made once: the items' plain forms below are parts of it
    _years_as_text(data)
    if root is None:
        return None, [error(path, 1, 1, "the file is empty",
                            f"start it with `article: {raw.slug}` and `annotations:`", title="Empty file")]
    problems = schema.diagnose("annotations.schema.json", data, root, path)
    schema_ok = not problems  # then every item is sound, and none needs checking on its own
    article_node = root.get("article")
    # the caller's set of all slugs is used as it is: copying it for each file is quadratic
    slugs = article_slugs if isinstance(article_slugs, set | frozenset) else set(article_slugs)
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
    # each mapping item with its plain form, taken from `data` rather than made again
    items: list[tuple[YNode, Any]] = []
    if items_node and items_node.kind == "sequence":
        pairs = zip(items_node.value, data["annotations"], strict=True)
        items = [(item, plain) for item, plain in pairs if item.kind == "mapping"]
    annotations: list[Annotation] = []
    id_nodes = _id_nodes([item for item, _ in items])
    problems += _origin_problems(path, [item for item, _ in items])
    today = cache(dt.date.today)  # asked once per file, and only if a date needs it
    for item, plain in items:
        item_problems = _item_problems(path, item, config, id_nodes)
        placeholders = _placeholders(path, item, config)
        # a placeholder is reported once, as a placeholder, not also as a bad verdict or handle
        marked = {(d.line, d.col) for d in placeholders}
        problems += [d for d in item_problems if (d.line, d.col) not in marked] + placeholders
        problems += _advice(path, item, today)
        # every structurally sound annotation is anchored, so one run reports all quote problems too
        if not item_problems and (schema_ok or schema.valid_annotation(plain)):
            annotations.append(_annotation(path, item, plain))
    return AnnotationSet(path, raw.slug, tuple(annotations)), problems


def _origin_problems(path: str, items: list[YNode]) -> list[Diagnostic]:
    """`origin` (written by `build.py import`): no invisible characters in its address, and no
    annotation imported twice into one file (a second import recognises the first by it)."""
    problems: list[Diagnostic] = []
    first: dict[tuple[str, str], YNode] = {}
    for item in items:
        origin = item.value.get("origin")
        if origin is None or origin.kind != "mapping":
            continue
        problems += _check_url(path, origin.get("uri"), "uri")
        source, origin_id = origin.get("source"), origin.get("id")
        if source is None or origin_id is None or not isinstance(origin_id.value, str):
            continue
        key = (str(source.value), origin_id.value)
        if key in first:
            problems.append(error(path, origin.line, origin.col,
                                  f"this annotation has the same origin as the one at line {first[key].line}",
                                  "it was imported twice: keep one of them", title="Duplicate origin"))
        first.setdefault(key, origin)
    return problems


def _id_nodes(items: list[YNode]) -> dict[str, list[YNode]]:
    """Each id and the nodes that use it, in file order."""
    found: dict[str, list[YNode]] = {}
    for item in items:
        id_node = item.get("id")
        if id_node is not None and isinstance(id_node.value, str):
            found.setdefault(id_node.value, []).append(id_node)
    return found


def _item_problems(path: str, item: YNode, config: SiteConfig, id_nodes: dict[str, list[YNode]]) -> list[Diagnostic]:
    """The rules the schema cannot express: unique ids, the verdict scale, real dates."""
    problems: list[Diagnostic] = []
    fields = item.value  # (items are mappings: their dict is read directly, not through YNode.get)
    id_node = fields.get("id")
    if id_node is not None and isinstance(id_node.value, str):
        first, *again = id_nodes[id_node.value]
        if first is not id_node:
            problems.append(error(path, id_node.line, id_node.col,
                                  f"duplicate id `{id_node.value}` (first used at line {first.line})",
                                  "ids are permanent links (#id) and must be unique; choose another",
                                  title="Duplicate id"))
        elif again:
            problems.append(error(path, first.line, first.col,
                                  f"id `{id_node.value}` is used again at line {again[0].line}",
                                  title="Duplicate id"))
        if id_node.value in RESERVED_IDS or id_node.value.startswith(RESERVED_ID_PREFIXES):
            problems.append(error(path, id_node.line, id_node.col,
                                  f"id `{id_node.value}` is taken by the page itself",
                                  f"choose another, e.g. `note-{id_node.value}`", title="Reserved id"))
    verdict_node, kind_node = fields.get("verdict"), fields.get("kind")
    if (verdict_node is not None and isinstance(verdict_node.value, str)
            and kind_node is not None and kind_node.value == "claim"
            and verdict_node.value not in config.verdict_ids):
        close = difflib.get_close_matches(verdict_node.value, config.verdict_ids, n=1, cutoff=0.5)
        problems.append(error(path, verdict_node.line, verdict_node.col,
                              f"`verdict: {verdict_node.value}` is not on the verdict scale",
                              f"did you mean `{close[0]}`?" if close else "",
                              "the scale (site.yaml): " + ", ".join(config.verdict_ids),
                              title="Unknown verdict"))
    dates: dict[str, dt.date] = {}
    for key in ("added", "updated"):
        node = fields.get(key)
        if node is not None and (isinstance(node.value, dt.date) or _DATE_SHAPE.match(str(node.value))):
            # other shapes are the schema's to report ("write YYYY-MM-DD")
            day, date_problems = _real_date(path, node, key)
            problems += date_problems
            if day is not None:
                dates[key] = day
    updated_node = fields.get("updated")
    if updated_node is not None and "added" in dates and "updated" in dates and dates["updated"] < dates["added"]:
        problems.append(error(path, updated_node.line, updated_node.col,
                              f"`updated` ({dates['updated']}) is before `added` ({dates['added']})",
                              "`updated` is the day of the last change; it cannot precede the first",
                              title="Bad date"))
    for list_key in ("sources", "links"):
        list_node = fields.get(list_key)
        if list_node is None or list_node.kind != "sequence":
            continue
        for entry in list_node.value:
            for url_key in ("url", "archived"):
                problems += _check_url(path, entry.get(url_key), url_key)
            date_node = entry.get("date")
            if (date_node is not None and isinstance(date_node.value, str) and _PARTIAL_SHAPE.match(date_node.value)
                    and not _partial_date_ok(date_node.value)):
                problems.append(error(path, date_node.line, date_node.col,
                                      f"`date` is not a real date: `{date_node.value}`",
                                      "write YYYY, YYYY-MM or YYYY-MM-DD with a month from 01 to 12 "
                                      "and a day that exists", title="Bad date"))
    return problems


def _annotation(path: str, item: YNode, data: dict[str, Any]) -> Annotation:
    by = data["by"]
    positions = {key: (node.line, node.col) for key, node in item.value.items()}
    added, _ = _real_date(path, item.value.get("added"), "added")
    updated, _ = _real_date(path, item.value.get("updated"), "updated")
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
        version=data.get("version"),
        field_positions=MappingProxyType(positions),
    )

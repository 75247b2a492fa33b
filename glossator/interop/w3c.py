"""One W3C Web Annotation (JSON-LD, the `anno.jsonld` context) → `Incoming`.

What is read (Web Annotation Data Model, /TR/annotation-model/):

- `body`/`bodyValue`: `TextualBody` values are the note (Markdown preferred inside a `Choice`,
  then plain text, then HTML made into Markdown); those with the purpose `tagging` are tags;
  a `SpecificResource` with the purpose `classifying` names a verdict (our export points it at
  `…/claims/#verdict-<id>`); other resources are evidence (`sources`, when they say a
  publisher, a date or a cached copy) or further reading (`links`). `Composite`, `List` and
  `Independents` are read item by item.
- `target`: a page IRI (a note on the whole page), or a `SpecificResource` whose `source` is the
  page (its `dcterms:source` too: our export names the original article there) and whose
  selectors hold a `TextQuoteSelector` and a `TextPositionSelector`, at the top or in a
  `refinedBy` (a `CssSelector` `#page-text` refined by a position counts in a Glossator page text;
  the offsets name the place only for this archive's own notes, and weigh in for the others).
- `motivation` (then the note body's `purpose`): `assessing` → claim, `commenting` → sourcing,
  `linking`/`describing` → context, as our export writes them; `replying` → a reply.
- `creator`, `created`, `modified`; the `id`, whose fragment (`…/#speicher-toll`) is reused as
  our id where it can be.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from .engine import Link, Source
from .htmltext import html_to_markdown
from .jsonfile import JsonDocument, as_list, node_id, text_of, type_names
from .records import W3C, Incoming, Location, QuoteSelector, Skip, make_origin

MAX_NESTING = 8  # Choice in Composite in …, refinedBy in refinedBy: real annotations use two or three
MOTIVATION_KINDS = {"assessing": "claim", "commenting": "sourcing", "linking": "context", "describing": "context"}
PAGE_TEXT_SELECTORS = frozenset({"#page-text", ".page-text", "div#page-text", "div.page-text"})
_FORMAT_RANK = {"text/markdown": 0, "text/x-markdown": 0, "text/plain": 1, "": 2, "text/html": 3}
_PARTIAL_DATE = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?")


def _names(value: Any) -> list[str]:
    """Motivations and purposes: strings, without an `oa:` prefix."""
    return [v.split(":", 1)[-1] if v.startswith("oa:") else v for v in as_list(value) if isinstance(v, str)]


def _label(*nodes: Any) -> str:
    """The first label, title or name of the nodes (a string, or the first string of a list)."""
    for node in nodes:
        if not isinstance(node, dict):
            continue
        for key in ("label", "title", "dcterms:title", "name"):
            for value in as_list(node.get(key)):
                if isinstance(value, str) and value.strip():
                    return " ".join(value.split())
                if isinstance(value, dict) and isinstance(value.get("@value"), str):
                    return " ".join(value["@value"].split())
    return ""


def _partial_date(value: Any) -> str:
    """A source's date as our format writes it (YYYY, YYYY-MM or YYYY-MM-DD); "" if none."""
    text = text_of(value).strip()
    match = _PARTIAL_DATE.match(text)
    return match.group(0) if match else ""


@dataclass
class _Bodies:
    notes: list[str] = field(default_factory=list)
    purposes: list[str] = field(default_factory=list)  # of the note bodies
    tags: list[str] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)  # IRIs of `classifying` bodies
    sources: list[Source] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)


def _textual(body: dict[str, Any]) -> str:
    value = text_of(body.get("value"))
    if text_of(body.get("format")).lower() == "text/html":
        return html_to_markdown(value)
    return value.replace("\r\n", "\n").replace("\r", "\n")


def _choose(items: list[Any]) -> Any:
    """A Choice's one item to read: Markdown over plain text over HTML (they are one note)."""
    textual = [i for i in items if isinstance(i, dict) and "TextualBody" in type_names(i)]
    if textual:
        return min(textual, key=lambda i: _FORMAT_RANK.get(text_of(i.get("format")).lower(), 2))
    return items[0] if items else None


def _resource(body: dict[str, Any] | str, found: _Bodies, purposes: list[str]) -> None:
    """An external resource in the body: evidence or further reading. Our export marks evidence
    with a purpose beside `linking` (the note's own: `assessing`, `commenting`…); other tools'
    evidence is known by what only evidence has (a publisher, a date, a cached copy)."""
    source = body.get("source", body) if isinstance(body, dict) else body
    url = node_id(source) or ""
    if not url:
        return
    title = _label(source, body) or url
    described = source if isinstance(source, dict) else {}
    publisher = described.get("dcterms:publisher", described.get("publisher"))
    publisher_name = _label(publisher) if isinstance(publisher, dict) else text_of(publisher).strip()
    date = _partial_date(described.get("dcterms:date", described.get("date")))
    state = body.get("state") if isinstance(body, dict) else None
    archived = next((node_id(s.get("cached")) or "" for s in as_list(state)
                     if isinstance(s, dict) and s.get("cached")), "")
    evidence = any(purpose != "linking" for purpose in purposes)
    if evidence or publisher_name or date or archived:
        found.sources.append(Source(title, url, publisher_name, date, archived))
    else:
        found.links.append(Link(title, url))


def _read_body(body: Any, found: _Bodies, depth: int = 0) -> None:
    if depth > MAX_NESTING:
        return
    if isinstance(body, str):
        _resource(body, found, [])
        return
    if not isinstance(body, dict):
        return
    types = type_names(body)
    purposes = _names(body.get("purpose"))
    if "Choice" in types:
        _read_body(_choose(as_list(body.get("items"))), found, depth + 1)
    elif {"Composite", "List", "Independents"} & set(types):
        for item in as_list(body.get("items")):
            _read_body(item, found, depth + 1)
    elif "TextualBody" in types or ("value" in body and "source" not in body):
        text = _textual(body)
        if "tagging" in purposes:
            found.tags.append(text.strip())
        elif text.strip():
            found.notes.append(text)
            found.purposes += purposes
    elif "classifying" in purposes:
        iri = node_id(body.get("source", body))
        if iri:
            found.classes.append(iri)
    elif "tagging" in purposes:
        label = _label(body.get("source"), body)
        if label:
            found.tags.append(label)
    else:
        _resource(body, found, purposes)


def verdict_of_class(iri: str) -> str:
    """The verdict id a classifying IRI names: `…/claims/#verdict-inaccurate` → `inaccurate`;
    otherwise the IRI's fragment or last path segment, for the mapping to look up."""
    parts = urlsplit(iri)
    name = parts.fragment or parts.path.rstrip("/").rsplit("/", 1)[-1]
    return unquote(name).removeprefix("verdict-")


def _selector(selectors: Any, found: dict[str, Any], in_page_text: bool, depth: int = 0) -> None:
    """The quote and position among the selectors, refinements followed."""
    if depth > MAX_NESTING:
        return
    for selector in as_list(selectors):
        if not isinstance(selector, dict):
            continue
        types = type_names(selector)
        if "TextQuoteSelector" in types and isinstance(selector.get("exact"), str) and "quote" not in found:
            found["quote"] = selector
        elif "TextPositionSelector" in types and "position" not in found and (in_page_text or depth == 0):
            found["position"] = selector
        refined = selector.get("refinedBy")
        if refined is not None:
            inside = "CssSelector" in types and text_of(selector.get("value")).strip() in PAGE_TEXT_SELECTORS
            # a position refining some other element (an XPath, a fragment) counts from that element,
            # which this archive's page may not have: it is no hint at all
            _selector(refined, found, inside, depth + 1)


def _offset(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _target(targets: list[Any]) -> tuple[tuple[str, ...], QuoteSelector | None, bool]:
    """The page addresses, the quote selector, and whether a target has selectors at all."""
    uris: list[str] = []
    selector: QuoteSelector | None = None
    has_selectors = False
    for target in targets:
        if isinstance(target, str):
            uris.append(target)
            continue
        if not isinstance(target, dict):
            continue
        source = target.get("source")
        if source is None and target.get("selector") is None:
            source = target  # an external web resource given as an object: the page itself
        iri = node_id(source)
        if iri:
            uris.append(iri)
        if isinstance(source, dict):
            uris += [v for v in as_list(source.get("dcterms:source")) if isinstance(v, str)]
        if target.get("selector") is None:
            continue
        has_selectors = True
        found: dict[str, Any] = {}
        _selector(target.get("selector"), found, False)
        quote = found.get("quote")
        if quote is not None and selector is None:
            position = found.get("position") or {}
            start, end = _offset(position.get("start")), _offset(position.get("end"))
            if start is None or end is None or end < start:
                start = end = None
            selector = QuoteSelector(quote["exact"], text_of(quote.get("prefix")), text_of(quote.get("suffix")),
                                     start, end)
    return tuple(dict.fromkeys(u for u in uris if u)), selector, has_selectors


def _creators(value: Any) -> tuple[str, ...]:
    found = []
    for creator in as_list(value):
        if isinstance(creator, str):
            found.append(creator)
        elif isinstance(creator, dict):
            name = (text_of(creator.get("nickname")) or text_of(creator.get("account"))
                    or node_id(creator) or text_of(creator.get("name")))
            if name:
                found.append(name)
    return tuple(found)


def synthetic_id(node: dict[str, Any]) -> str:
    """An annotation without an `id` (the model requires one; some tools leave it out) is known
    by its content, so that importing the same file twice still adds it once."""
    digest = hashlib.sha256(json.dumps(node, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return f"sha256:{digest[:32]}"


def read_annotation(node: dict[str, Any], document: JsonDocument, after: int, start: int | None = None
                    ) -> tuple[Incoming, int]:
    """One annotation → Incoming, and where the search for the next one's position goes on from.
    `start`: where it begins in the file, if known."""
    iri = node_id(node)
    line, col, after = document.locate("id", iri, after) if iri else (0, 0, after)
    if not line and start is not None:  # no id to point at: the annotation itself, not the one before
        line, col = document.position(start)
        after = max(after, start)
    elif not iri:
        line, col, after = document.locate("type", "Annotation", after)
    found = _Bodies()
    for body in as_list(node.get("body")):
        _read_body(body, found)
    if isinstance(node.get("bodyValue"), str) and node["bodyValue"].strip():
        found.notes.append(node["bodyValue"].replace("\r\n", "\n"))
    uris, selector, has_selectors = _target(as_list(node.get("target")))
    motivations = _names(node.get("motivation"))
    kind_hint, hint_from = None, ""
    for name, where in [*((m, "motivation") for m in motivations), *((p, "purpose") for p in found.purposes)]:
        if name in MOTIVATION_KINDS:
            kind_hint, hint_from = MOTIVATION_KINDS[name], f"{where} `{name}`"
            break
    # one note as it is (its final line break too); several, as paragraphs of one
    note = found.notes[0] if len(found.notes) == 1 else "\n\n".join(n.strip("\n") for n in found.notes)
    skip = None
    if "replying" in motivations:
        skip = Skip("reply")
    elif has_selectors and selector is None:
        skip = Skip("no quote the archive can place (no TextQuoteSelector)", problem=True)
    elif not note.strip():
        skip = Skip("highlight without a note" if selector is not None else "page note without text")
    fragment = urlsplit(iri).fragment if iri else ""
    page_uri = uris[0] if uris else ""
    return Incoming(
        origin=make_origin(W3C, iri or synthetic_id(node), page_uri),
        location=Location(document.path, line, col),
        uris=uris,
        selector=selector,
        note=note,
        tags=tuple(t for t in found.tags if t),
        kind_hint=kind_hint,
        kind_hint_from=hint_from,
        verdict_hint=verdict_of_class(found.classes[0]) if found.classes else None,
        creators=_creators(node.get("creator")),
        created=text_of(node.get("created")) or None,
        modified=text_of(node.get("modified")) or None,
        sources=tuple(found.sources),
        links=tuple(found.links),
        fragment_id=unquote(fragment) or None,
        skip=skip,
    ), after

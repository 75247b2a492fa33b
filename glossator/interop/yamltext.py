"""Imported annotations as YAML items, written the way a contributor writes them (the seed
file's order of keys, `note: |` blocks), in the layout of the file they join.

Every value that is not a plain word is double-quoted with the engine's own escaping, and
the writer checks afterwards that the file reads back to exactly these values (write.py).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import yaml

from .engine import Layout, Link, Source, yaml_quoted
from .records import Origin

# a plain scalar: no indicator first, nothing that starts a comment, a flow collection or a key;
# whether YAML then takes it for text (not a number, a date, a boolean) the resolver says
_PLAIN = re.compile(r"[A-Za-z0-9][!-~]*\Z")
_NOT_PLAIN = re.compile(r"[#,\[\]{}]")
_RESOLVER = yaml.resolver.Resolver()
# characters a literal block cannot hold as they are (YAML takes NEL, LS, PS as line breaks)
_NOT_LITERAL = re.compile("[^\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Draft:
    """One annotation as it will be written."""

    id: str
    kind: str
    note: str
    by: tuple[str, ...]
    added: dt.date
    origin: Origin
    quote: str | None = None
    prefix: str | None = None
    suffix: str | None = None
    verdict: str | None = None
    sources: tuple[Source, ...] = ()
    links: tuple[Link, ...] = ()
    updated: dt.date | None = None
    version: str | None = None  # the earlier text of the article the quote was placed in

    def plain(self) -> dict[str, Any]:
        """The item as the engine reads it back (validate/plain.py to_plain): what the written text must give."""
        item: dict[str, Any] = {"id": self.id, "kind": self.kind}
        for key in ("quote", "prefix", "suffix", "verdict", "version"):
            if getattr(self, key) is not None:
                item[key] = getattr(self, key)
        item["note"] = self.note
        if self.sources:
            item["sources"] = [_source(s) for s in self.sources]
        if self.links:
            item["links"] = [{"title": link.title, "url": link.url} for link in self.links]
        item["by"] = self.by[0] if len(self.by) == 1 else list(self.by)
        item["added"] = self.added.isoformat()
        if self.updated:
            item["updated"] = self.updated.isoformat()
        item["origin"] = {"source": self.origin.source, "id": self.origin.id}
        if self.origin.uri:
            item["origin"]["uri"] = self.origin.uri
        return item


def _source(source: Source) -> dict[str, str]:
    entry = {"title": source.title, "url": source.url}
    for key in ("publisher", "date", "archived"):
        if getattr(source, key):
            entry[key] = getattr(source, key)
    return entry


def scalar(text: str, dated: bool = False) -> str:
    """A word, an address or (`dated`) a date as it is, when YAML reads it back as that very text;
    anything else double-quoted."""
    if _PLAIN.match(text) and not _NOT_PLAIN.search(text) and ": " not in text and not text.endswith(":"):
        tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))
        if tag == "tag:yaml.org,2002:str" or (dated and tag == "tag:yaml.org,2002:timestamp"):
            return text
    return yaml_quoted(text)


def _literal(key: str, text: str, pad: str) -> list[str] | None:
    """`key: |` and the text's lines, or None when a literal block would not read back the same."""
    body = text.rstrip("\n")
    lines = body.split("\n")
    if (not body or _NOT_LITERAL.search(text) or lines[0][:1] in (" ", "\t")
            or any(line and not line.strip() for line in lines) or any(line.endswith((" ", "\t")) for line in lines)):
        return None
    trailing = len(text) - len(body)
    indicator = "|-" if trailing == 0 else "|" if trailing == 1 else "|+"
    out = [f"{pad}{key}: {indicator}"]
    out += [f"{pad}  {line}" if line else "" for line in lines]
    out += [""] * (trailing - 1 if trailing > 1 else 0)
    return out


def _value(key: str, value: str) -> str:
    """Words of prose quoted, as contributors write them; identifiers and addresses bare where they can be."""
    if key in ("quote", "prefix", "suffix", "title", "publisher"):
        return yaml_quoted(value)
    return scalar(value, dated=key == "date")


def _entries(key: str, entries: list[dict[str, str]], pad: str) -> list[str]:
    out = [f"{pad}{key}:"]
    for entry in entries:
        first = True
        for name, value in entry.items():
            out.append(f"{pad}  {'- ' if first else '  '}{name}: {_value(name, value)}")
            first = False
    return out


def item_lines(draft: Draft, layout: Layout) -> list[str]:
    """The item's lines (without line endings), indented as the file's list is."""
    indent = " " * layout.dash_indent
    pad = indent + " " * layout.key_offset
    plain = draft.plain()
    lines = [f"{indent}- id: {scalar(draft.id)}", f"{pad}kind: {scalar(draft.kind)}"]
    for key in ("quote", "prefix", "suffix", "verdict"):
        if key in plain:
            lines.append(f"{pad}{key}: {_value(key, plain[key])}")
    if "version" in plain:  # (quoted, as `add` writes it: an id of digits and hyphens is text)
        lines.append(f"{pad}version: {yaml_quoted(plain['version'])}")
    lines += _literal("note", draft.note, pad) or [f"{pad}note: {yaml_quoted(draft.note)}"]
    for key in ("sources", "links"):
        if key in plain:
            lines += _entries(key, plain[key], pad)
    by = plain["by"]
    lines.append(f"{pad}by: {scalar(by)}" if isinstance(by, str) else f"{pad}by: [{', '.join(map(scalar, by))}]")
    lines.append(f"{pad}added: {plain['added']}")
    if "updated" in plain:
        lines.append(f"{pad}updated: {plain['updated']}")
    lines.append(f"{pad}origin:")
    lines += [f"{pad}  {name}: {scalar(value)}" for name, value in plain["origin"].items()]
    return lines

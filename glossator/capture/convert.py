"""trafilatura's XML (p, head, list/item, quote, code, table/row/cell, hi, ref, lb) → our Markdown.

Blocks become paragraphs, `##` headings, `-`/`1.` lists, `>` quotes, fenced code and pipe
tables; each run of inline text is written and checked by inline.py. Images are dropped.
What an extractor keeps but is not the article — the headline repeated above the text, the
byline, a "READ MORE:" link, a lone "Advertisement" — is left out here and named in the report.
"""

from __future__ import annotations

import re
import unicodedata
from copy import deepcopy
from dataclasses import dataclass

from lxml.etree import Element, _Element

from ..anchor.diff import SPACELESS
from .inline import MAX_DEPTH, render

MAX_NESTING = 8  # lists and quotes nested deeper than this are written flat
BLOCK_TAGS = frozenset({"p", "head", "list", "item", "quote", "table", "div", "row", "cell"})
_SPACE = re.compile(r"[ \t\n\r\f\v]+")
_WORD = re.compile(r"\w+")
# words as a reader counts them (and as the changes pages do): a character of a script written
# without spaces (Chinese, Japanese, Thai…) is a word, or a 150-character Chinese story had 14
_COUNTED = re.compile(rf"[{SPACELESS}]|[^\W{SPACELESS}]+")
_HEADING = re.compile(r"h([1-6])\Z")
# the words a byline starts with, in the languages of the outlets we archive most
_BYLINE = re.compile(r"(?:by|from|par|von|por|di|door|av|af|przez|от|від)\s+\w", re.IGNORECASE)
_RELATED = re.compile(
    r"(?:read more|read also|also read|related|see also|more on this|recommended|watch|listen|lire aussi|"
    r"à lire aussi|a lire aussi|voir aussi|lesen sie auch|mehr zum thema|lee también|leer más|leggi anche)\b",
    re.IGNORECASE)
# whole paragraphs that label page furniture rather than say anything
LABELS = frozenset({"advertisement", "advert", "ad", "sponsored", "sponsored content", "share", "share this",
                    "share this article", "copy link", "read more", "related", "continue reading", "show more",
                    "subscribe", "sign up", "publicité", "anzeige", "werbung", "publicidad", "pubblicità"})


@dataclass(frozen=True)
class Block:
    lines: tuple[str, ...]
    text: str  # what a reader sees, for counting words and deciding what to leave out
    kind: str  # p | h | list | quote | code | table
    link_chars: int = 0  # characters of the text inside links


@dataclass(frozen=True)
class Converted:
    markdown: str
    words: int
    left_out: tuple[str, ...]  # passages left out, each as `what: “the words…”`
    links_dropped: int  # links to other than web addresses (javascript:, data:, mailto:), kept as text


def _plain(element: _Element) -> str:
    return _SPACE.sub(" ", "".join(element.itertext())).strip(" ")


def _link_chars(element: _Element) -> int:
    return sum(len(_plain(ref)) for ref in element.iter("ref"))


class _Writer:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.links_dropped = 0

    def inline(self, element: _Element, kind: str = "p", level: int = 0) -> Block | None:
        heading = kind == "h"
        run = render(element, self.base_url, breaks=not heading, heading=heading)
        self.links_dropped += run.links_dropped
        if not run.text:
            return None
        lines = run.markdown.split("\n")
        if heading:
            lines = ["#" * level + " " + lines[0]]
        return Block(tuple(lines), run.text, kind, _link_chars(element))

    def flow(self, container: _Element, depth: int) -> list[Block]:
        """A container's blocks; runs of text and inline elements between them are paragraphs."""
        blocks: list[Block] = []
        run = Element("p")

        def flush() -> None:
            nonlocal run
            if not len(run) and not (run.text or "").strip():
                return  # (most runs between blocks are empty)
            block = self.inline(run)
            if block is not None:
                blocks.append(block)
            run = Element("p")

        run.text = container.text
        for child in container:
            # (code is a block when it holds lines, as trafilatura writes a <pre>; else a code span)
            block = child.tag in BLOCK_TAGS or (child.tag == "code" and "\n" in "".join(child.itertext()))
            if isinstance(child.tag, str) and block and depth < MAX_DEPTH:
                flush()
                blocks.extend(self.block(child, depth + 1))
                run.text = child.tail
            elif isinstance(child.tag, str) and child.tag == "lb" and len(run) == 0 and not (run.text or "").strip():
                run.text = child.tail  # a break before any text: nothing to break
            elif isinstance(child.tag, str):
                run.append(deepcopy(child))  # (a copy: appending would move it out of the source tree)
            elif child.tail:
                run.append(Element("span"))
                run[-1].tail = child.tail
        flush()
        return blocks

    def block(self, element: _Element, depth: int) -> list[Block]:
        tag = element.tag
        if tag == "head":
            match = _HEADING.match(element.get("rend", ""))
            level = min(max(int(match.group(1)) if match else 3, 2), 6)  # the title is the page's h1
            block = self.inline(element, "h", level)
            return [block] if block else []
        if tag == "p" and not any(isinstance(c.tag, str) and c.tag in BLOCK_TAGS for c in element):
            block = self.inline(element)
            return [block] if block else []
        if tag == "code":
            return self.code(element)
        if tag == "table":
            return self.table(element)
        if tag == "list" and depth <= MAX_NESTING:
            return self.listing(element, depth)
        if tag == "quote" and depth <= MAX_NESTING:
            inner = self.flow(element, depth)
            if not inner:
                return []
            lines = [("> " + line).rstrip() for line in _join(inner)]
            return [Block(tuple(lines), " ".join(b.text for b in inner), "quote", sum(b.link_chars for b in inner))]
        return self.flow(element, depth)

    def listing(self, element: _Element, depth: int) -> list[Block]:
        ordered = element.get("rend") == "ol"
        lines: list[str] = []
        texts: list[str] = []
        links = 0
        number = 0
        for item in element:
            if not isinstance(item.tag, str):
                continue
            inner = self.flow(item, depth + 1) if item.tag == "item" else self.block(item, depth + 1)
            if not inner:
                continue
            number += 1
            marker = f"{number}. " if ordered else "- "
            for index, line in enumerate(_join(inner, tight=True)):
                lines.append(marker + line if index == 0 else (" " * len(marker) + line).rstrip())
            texts.append(" ".join(b.text for b in inner))
            links += sum(b.link_chars for b in inner)
        return [Block(tuple(lines), " ".join(texts), "list", links)] if lines else []

    def code(self, element: _Element) -> list[Block]:
        content = "".join(element.itertext()).strip("\n")
        if not content.strip():
            return []
        longest = max((len(m) for m in re.findall(r"`{3,}", content)), default=0)
        fence = "`" * max(3, longest + 1)
        return [Block((fence, *content.split("\n"), fence), content, "code")]

    def table(self, element: _Element) -> list[Block]:
        rows: list[list[str]] = []
        texts: list[str] = []
        for row in element.iter("row"):
            cells = []
            for cell in row.findall("cell"):
                block = self.inline(cell, "cell")
                cells.append(block.lines[0] if block else "")
                texts.append(block.text if block else "")
            if any(cells):
                rows.append(cells)
        if not rows:
            return []
        width = max(len(row) for row in rows)
        rows = [row + [""] * (width - len(row)) for row in rows]
        lines = ["| " + " | ".join(row) + " |" for row in rows]
        lines.insert(1, "|" + " --- |" * width)
        return [Block(tuple(lines), " ".join(texts), "table", _link_chars(element))]


def _join(blocks: list[Block], tight: bool = False) -> list[str]:
    """Blocks' lines with a blank line between (none before a list inside a tight list item)."""
    lines: list[str] = []
    for block in blocks:
        if lines and not (tight and block.kind == "list"):
            lines.append("")
        lines.extend(block.lines)
    return lines


def _folded(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_WORD.findall(text))


def _names_the_author(words: list[str], name: list[str]) -> bool:
    """A byline by its author's name: a short line that begins with it (after "By", say), or is
    mostly it. A lead that only mentions the author ("LONDON (Reuters) - …") is the text."""
    if not name or len(words) > 16:
        return False
    starts = words[: len(name)] == name or (
        _BYLINE.match(" ".join(words[:2])) is not None and words[1 : len(name) + 1] == name)
    return starts or (all(part in words for part in name) and 2 * len(name) >= len(words))


def _left_out(index: int, block: Block, title: str, author: str) -> str | None:
    """Why a top-level block is not the article's text, or None if it is."""
    folded = _folded(block.text)
    words = len(folded.split())
    if index == 0 and title and folded == _folded(title):
        return "the headline, repeated above the text"
    if index < 3 and block.kind == "p" and (_names_the_author(folded.split(), _folded(author).split()[:2]) or (
            _BYLINE.match(block.text) and words <= 12 and index < 2)):
        return "the byline"
    if folded in LABELS:
        return "a label of the page"
    if block.kind in ("p", "list") and block.link_chars:
        share = block.link_chars / max(len(block.text), 1)
        if share >= 0.9 and (block.kind == "list" or words <= 30):
            return "a list of links" if block.kind == "list" else "a link to another article"
        if share >= 0.5 and _RELATED.match(block.text):
            return "a link to another article"
    return None


def convert(body: _Element, base_url: str, title: str = "", author: str = "") -> Converted:
    writer = _Writer(base_url)
    blocks = writer.flow(body, 0)
    kept: list[Block] = []
    left_out: list[str] = []
    for index, block in enumerate(blocks):
        reason = _left_out(index, block, title, author)
        if reason is None:
            kept.append(block)
        else:
            shown = block.text if len(block.text) <= 70 else block.text[:69] + "…"
            left_out.append(f"{reason}: “{shown}”")
    text = " ".join(block.text for block in kept)
    markdown = "\n".join(_join(kept)) + "\n" if kept else ""
    return Converted(markdown, len(_COUNTED.findall(text)), tuple(left_out), writer.links_dropped)

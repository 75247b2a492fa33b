"""One run of inline text (a paragraph, a heading, a list item, a cell) as our Markdown.

Every character that Markdown could read as syntax is escaped; emphasis and links are
written only where they will parse as such. Each run is then parsed back with markdown-it
(our configuration: CommonMark, tables, strikethrough, `:::` containers, raw HTML off) and
must give exactly the text a reader saw on the page, with the emphasis and links intended;
if it does not, the run is written again without emphasis, then without links, so what is
stored always reads as the outlet wrote it.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from functools import cache

from lxml.etree import _Element
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin

from . import CaptureError

MAX_DEPTH = 24  # inline nesting deeper than this is read as plain text
MAX_URL = 2000  # the article schema's limit for addresses
_SPACE = re.compile(r"[ \t\n\r\f\v]+")  # ASCII white space only: no-break spaces are the outlet's
_ENTITY = re.compile(r"&(?=#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)")
_ALWAYS = re.compile(r"([\\`*_\[\]<~|])")
_ORDERED = re.compile(r"^([0-9]{1,9})([.)])(?=[ \t]|$)")
_LINE_START = ("#", ">", "-", "+", "=", ":")  # (":" begins a table's delimiter row, and `:::` an aside)
_EMPHASIS = {"#b": "**", "#i": "*", "#em": "*", "#strong": "**"}
_CODE = ("#t",)


@dataclass(frozen=True)
class Run:
    markdown: str
    text: str  # what a reader sees: the page's characters, a line break as "\n"
    links_dropped: int = 0  # links whose target was not a web address, kept as their text


# The inline stream: ("text", s) ("code", s) ("break",) ("open", marker) ("close", marker)
# ("link", url) ("unlink",)
Piece = tuple[str, ...]


def web_address(target: str | None, base_url: str) -> str | None:
    """An absolute http(s) address for a link target, or None (javascript:, data:, mailto:…)."""
    if not target:
        return None
    target = target.strip()
    if any(ord(c) < 0x20 or c == "\x7f" for c in target):
        return None
    try:
        absolute = urllib.parse.urljoin(base_url, target)
        parts = urllib.parse.urlsplit(absolute)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    # spaces, parentheses and angle brackets would end a Markdown link destination
    encoded = urllib.parse.quote(absolute, safe="/:?#[]@!$&'*+,;=%~-._")
    return encoded if len(encoded) <= MAX_URL else None


def pieces(element: _Element, base_url: str, depth: int = 0) -> tuple[list[Piece], int]:
    """The element's inline content (its text and its children's, not its tail)."""
    out: list[Piece] = []
    dropped = 0
    if element.text:
        out.append(("text", element.text))
    for child in element:
        if depth >= MAX_DEPTH:
            out.append(("text", "".join(child.itertext())))
        elif not isinstance(child.tag, str) or child.tag == "graphic":
            pass
        elif child.tag == "lb":
            out.append(("break",))
        elif (child.tag == "hi" and child.get("rend") in _CODE) or child.tag == "code":
            out.append(("code", "".join(child.itertext())))
        elif child.tag == "hi" and child.get("rend") in _EMPHASIS:
            marker = _EMPHASIS[child.get("rend", "")]
            inner, lost = pieces(child, base_url, depth + 1)
            out += [("open", marker), *inner, ("close", marker)]
            dropped += lost
        elif child.tag == "ref":
            inner, lost = pieces(child, base_url, depth + 1)
            url = web_address(child.get("target"), base_url)
            inner = [p for p in inner if p[0] not in ("link", "unlink")]  # no link inside a link
            out += [("link", url), *inner, ("unlink",)] if url else inner
            dropped += lost + (url is None and bool(child.get("target")))
        else:
            inner, lost = pieces(child, base_url, depth + 1)
            # a block inside inline text (a paragraph in a table cell) is set off by spaces
            spaced = child.tag in ("p", "head", "item", "list", "quote", "div", "row", "cell")
            out += [("text", " "), *inner, ("text", " ")] if spaced else inner
            dropped += lost
        if child.tail:
            out.append(("text", child.tail))
    return out, dropped


def escape(text: str, heading: bool = False) -> str:
    text = _ALWAYS.sub(r"\\\1", text)
    text = _ENTITY.sub(r"\\&", text)
    return text.replace("#", "\\#") if heading else text


def _escape_line_start(line: str) -> str:
    if line.startswith(_LINE_START):
        return "\\" + line
    return _ORDERED.sub(r"\1\\\2", line, count=1)


def _code_span(content: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", content)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if content.startswith(("`", " ")) or content.endswith(("`", " ")) else ""
    return f"{fence}{pad}{content}{pad}{fence}"


def write(stream: list[Piece], *, emphasis: bool, links: bool, breaks: bool,
          heading: bool, code: bool = True) -> tuple[str, str, list[tuple[str, str]]]:
    """(Markdown, the reader's text, the marks written). White space and line breaks are
    collapsed and moved outside emphasis and links, and an opening mark waits for the first
    character it will hold, so no mark is empty or has a space on its inner side."""
    md: list[str] = []
    text: list[str] = []
    marks: list[tuple[str, str]] = []
    gap = ""  # "", " " or "\n": due before the next character written
    waiting: list[Piece] = []  # opening marks not yet written
    opened: list[Piece] = []  # marks written and not yet closed

    def emit(markdown: str, plain: str) -> None:
        nonlocal gap
        if gap and text:
            md.append(" " if gap == " " else "\\\n")
            text.append(gap)
        gap = ""
        for mark in waiting:
            if mark[0] == "open":
                md.append(mark[1])
                marks.append(("strong_open" if mark[1] == "**" else "em_open", ""))
            else:
                md.append("[")
                marks.append(("link_open", _parser().normalizeLink(mark[1])))
            opened.append(mark)
        waiting.clear()
        md.append(markdown)
        text.append(plain)

    for piece in stream:
        kind = piece[0]
        if kind == "text" or (kind == "code" and not code):
            value = _SPACE.sub(" ", piece[1])
            words = value.strip(" ")
            if value[:1] == " " and not gap:
                gap = " "
            if words:
                emit(escape(words, heading), words)
                gap = " " if value[-1:] == " " else ""
        elif kind == "code":
            value = _SPACE.sub(" ", piece[1])
            content = value.strip(" ")
            if value[:1] == " " and not gap:
                gap = " "
            if content:
                emit(_code_span(content), content)
                gap = " " if value[-1:] == " " else ""
        elif kind == "break":
            gap = "\n" if breaks else (gap or " ")
        elif kind in ("open", "link"):
            if (kind == "open" and emphasis) or (kind == "link" and links):
                waiting.append(piece)
        elif kind in ("close", "unlink"):
            wanted = "open" if kind == "close" else "link"
            if waiting and waiting[-1][0] == wanted:
                waiting.pop()  # nothing was written inside it
            elif opened and opened[-1][0] == wanted:
                mark = opened.pop()
                md.append(mark[1] if kind == "close" else "](" + _ENTITY.sub(r"\\&", mark[1]) + ")")
    markdown = "\n".join(_escape_line_start(line) for line in "".join(md).split("\n"))
    return markdown, "".join(text), marks


@cache
def _parser() -> MarkdownIt:
    # the engine's configuration (glossator/markdown.py), built here so capture imports no stage
    md = MarkdownIt("commonmark", {"html": False, "typographer": False, "linkify": False})
    md.enable(["table", "strikethrough"])
    md.use(container_plugin, name="aside")
    return md


def _read_back(markdown: str, heading: bool) -> tuple[str, list[tuple[str, str]]] | None:
    """The text and the marks markdown-it finds, if the Markdown is one paragraph (or heading)."""
    tokens = _parser().parse(markdown if not heading else "## " + markdown)
    opening = "heading_open" if heading else "paragraph_open"
    if [t.type for t in tokens] != [opening, "inline", opening.replace("open", "close")]:
        return None
    text: list[str] = []
    marks: list[tuple[str, str]] = []
    for child in tokens[1].children or []:
        text.append(_leaf(child))
        if child.type in ("em_open", "strong_open", "link_open"):
            marks.append((child.type, str(child.attrGet("href") or "")))
    return "".join(text), marks


def _leaf(token: Token) -> str:
    if token.type in ("text", "code_inline"):
        return token.content
    return "\n" if token.type in ("hardbreak", "softbreak") else ""


def _trim(stream: list[Piece]) -> list[Piece]:
    """Adjacent code spans merged, and no white space (no-break spaces too) at the run's start
    or end: Markdown drops it there, and a reader cannot see it."""
    merged: list[Piece] = []
    for piece in stream:  # two code spans side by side are one: their backticks would run together
        if piece[0] == "code" and merged and merged[-1][0] == "code":
            merged[-1] = ("code", merged[-1][1] + piece[1])
        else:
            merged.append(piece)
    stream = merged
    for order in (range(len(stream)), range(len(stream) - 1, -1, -1)):
        for index in order:
            kind = stream[index][0]
            if kind in ("text", "code"):
                value = stream[index][1]
                value = value.lstrip() if order.step == 1 else value.rstrip()
                stream[index] = (kind, value)
                if value:
                    break
            elif kind == "break":
                stream[index] = ("text", "")
    return stream


def render(element: _Element, base_url: str, *, breaks: bool = True, heading: bool = False) -> Run:
    """The element's inline content as checked Markdown; empty when it holds no text."""
    stream, dropped = pieces(element, base_url)
    stream = _trim(stream)
    # fewer marks at each try: two code spans side by side, for one, cannot be written apart
    for emphasis, links, code in ((True, True, True), (False, True, True), (False, False, True), (False, False, False)):
        markdown, text, marks = write(stream, emphasis=emphasis, links=links, breaks=breaks, heading=heading,
                                      code=code)
        if not text:
            return Run("", "", dropped)
        if _read_back(markdown, heading) == (text, marks):
            return Run(markdown, text, dropped)
    # escaping alone should never fail to give a plain paragraph: if it does, that is our bug, and
    # the capture stops with the words it could not write rather than write them changed
    raise CaptureError(f"cannot write this passage as Markdown without changing it: {text[:80]!r}; "
                       "please report it, with the page's address")

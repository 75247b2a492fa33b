"""The page text of a token stream, and where each text-bearing token sits in it.

The page text is what the browser's `textContent` gives for the element holding the
rendered article (SPEC §6): the text of every text node, including the newlines the
renderer writes between block tags. We mirror markdown-it's RendererHTML exactly
(tests compare against an HTML parser and against Chromium), so offsets computed
here are offsets in the DOM.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from markdown_it.token import Token

TEXT_LEAVES = ("text", "code_inline", "softbreak", "hardbreak")
BLOCK_LEAVES = ("code_block", "fence")


class Leaf(NamedTuple):
    """A token whose text appears in the page text (a tuple: an article has hundreds, made quickly)."""

    block: int  # index in the block token list
    child: int | None  # index in the inline token's children; None for code blocks
    start: int
    end: int
    in_link: bool = False


@dataclass(frozen=True)
class PageText:
    text: str
    leaves: tuple[Leaf, ...]


def _leaf_text(token: Token) -> str:
    if token.type in ("softbreak", "hardbreak"):
        return "\n"
    return token.content


def _block_text(tokens: list[Token], index: int) -> str:
    """What RendererHTML.renderToken writes outside the tag: only newlines."""
    token = tokens[index]
    if token.hidden:
        return ""
    out = ""
    if token.block and token.nesting != -1 and index and tokens[index - 1].hidden:
        out += "\n"
    if token.block:
        need_newline = True
        if token.nesting == 1 and index + 1 < len(tokens):
            following = tokens[index + 1]
            closes_at_once = following.nesting == -1 and following.tag == token.tag
            if following.type == "inline" or following.hidden or closes_at_once:
                need_newline = False
        if need_newline:
            out += "\n"
    return out


def page_text(tokens: list[Token]) -> PageText:
    parts: list[str] = []
    leaves: list[Leaf] = []
    position = 0
    for index, token in enumerate(tokens):
        if token.type == "inline":
            link_depth = 0
            for child_index, child in enumerate(token.children or ()):
                kind = child.type
                if kind == "link_open":
                    link_depth += 1
                elif kind == "link_close":
                    link_depth -= 1
                elif kind in TEXT_LEAVES:
                    text = _leaf_text(child)
                    if text:
                        end = position + len(text)
                        leaves.append(Leaf(index, child_index, position, end, link_depth > 0))
                        parts.append(text)
                        position += len(text)
            continue
        if token.type in BLOCK_LEAVES:
            text = token.content
            if text:
                leaves.append(Leaf(index, None, position, position + len(text)))
            parts.append(text + "\n")
            position += len(text) + 1
            continue
        text = _block_text(tokens, index)
        parts.append(text)
        position += len(text)
    return PageText("".join(parts), tuple(leaves))

"""The plain block YAML that annotation files are made of, read line by line.

Nearly every annotation file is block mappings and sequences of one-line plain or quoted values
and `|` or `>` notes: the shape `build.py new` writes and the shape contributors copy. Reading it
through libyaml's events costs ~0.6 µs an event in event and mark objects alone, and an
article's notes have hundreds. This reader takes each line apart with one regular expression and
builds the same YNode tree, positions included (end marks where libyaml puts them, block scalars
folded by its rules, comments where `build.py new` puts them). Anything outside that subset (flow
mappings, flow sequences over lines or nested, values over several lines, escapes, indentation
indicators, anchors, tags, tabs, characters YAML refuses or reads as line breaks, null values,
duplicate keys) makes it give up, and parse_yaml reads the file through the events as before:
every error and refusal is still theirs.
tests/test_yaml_lines.py holds both to the same trees.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..model import YNode

# Characters a value may hold here: what YAML allows raw (yamlio.FORBIDDEN_CHAR's complement) less
# what changes how a line reads (tab, backslash, NEL, U+2028/U+2029, BOM).
_CHAR = r"\x20-\x5b\x5d-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff"
# indent, `- ` (one), a key and its colon (and a comment, if nothing else follows), the rest of the line
_LINE = re.compile(rf"( *)(?:(-) +)?(?:([A-Za-z_][A-Za-z0-9_-]*):(?: +#[{_CHAR}]*$| +|$))?([{_CHAR}]*)").fullmatch
# a quoted value, then spaces, or a comment after at least one
_DOUBLE = re.compile(r'"([^"\\]*)"(?: +#.*| *)').fullmatch
_SINGLE = re.compile(r"'((?:[^']|'')*)'(?: +#.*| *)").fullmatch
# one item of a one-line flow sequence, and what follows it: a quoted text, or a plain one without
# the characters that end or may end it in flow context
_FLOW_ITEM = re.compile(
    r""" *(?:"([^"\\]*)"|'((?:[^']|'')*)'|([^-,\[\]{}:#?'"&*!|>%@` ][^,\[\]{}:#]*?)) *([,\]])""").match
_FLOW_END = re.compile(r" *\]").match
_BLOCK_HEADER = re.compile(r"([|>])([-+]?)(?: +#.*| *)").fullmatch
_TEXT = re.compile(rf"[{_CHAR}]*").fullmatch
# what cannot begin a plain value (YAML's indicators), or may not be within one in block context
_NOT_PLAIN_FIRST = frozenset("-?:,[]{}#&*!|>'\"%@`")
_MAX_KEY = 1000  # libyaml's simple keys are at most 1024 characters


class _NotSimple(Exception):
    """The file steps outside the subset: read it through the events."""


class _Open:
    """A collection still open: where it stands, and what it waits for."""

    __slots__ = ("col", "entry_line", "indentless", "key", "keys", "mapping", "node", "values")

    def __init__(self, node: YNode, col: int, indentless: bool, keys: list[tuple[str, int, int]]) -> None:
        self.node = node
        self.values = node.value
        self.keys = keys  # a mapping's (key, line, column), as its node was given them
        self.col = col
        self.mapping = node.kind == "mapping"
        self.key: str | None = None  # a mapping's key whose value has not come yet
        self.entry_line = 0  # a sequence's `- ` whose item has not come yet: its line
        self.indentless = indentless  # a sequence at its mapping's column (`key:` then `- item` below it)


def read_block_yaml(text: str, line_offset: int, max_depth: int,
                    plain_value: Callable[[str], Any], typed_first: frozenset[str]) -> YNode | None:
    """The tree parse_yaml would build, or None when the file is not of the plain block subset."""
    if "\t" in text or "\r" in text or "\\" in text:
        return None
    try:
        return _read(text, line_offset, max_depth, plain_value, typed_first)
    except _NotSimple:
        return None


def _read(text: str, line_offset: int, max_depth: int, plain_value: Callable[[str], Any],
          typed_first: frozenset[str]) -> YNode | None:
    stack: list[_Open] = []
    top: _Open | None = None
    root: YNode | None = None
    lines = text.split("\n")
    line = line_offset
    resume = 0  # the index of the first line after a block scalar

    def close(col: int, key: bool) -> _Open | None:
        """End the collections a token at `col` falls outside of; libyaml ends them where it stands."""
        nonlocal top
        while top is not None and (top.col > col or (key and top.indentless and top.col == col)):
            if top.key is not None or top.entry_line:
                raise _NotSimple  # a key or a `-` with nothing after it: null, left to the events
            top.node.end_line, top.node.end_col = line, max(col, 0) + 1
            stack.pop()
            top = stack[-1] if stack else None
        return top

    def open_(node: YNode, col: int, indentless: bool, keys: list[tuple[str, int, int]]) -> _Open:
        nonlocal top, root
        if len(stack) >= max_depth:
            raise _NotSimple
        if top is None:
            if root is not None:
                raise _NotSimple  # a second node after the root: an error the events will name
            root = node
        elif top.mapping:
            top.node.value[top.key] = node
            top.key = None
        else:
            top.node.value.append(node)
            top.entry_line = 0
        top = _Open(node, col, indentless, keys)
        stack.append(top)
        return top

    def value(rest: str, index: int, col: int, parent_col: int) -> YNode:
        nonlocal resume
        if rest[0] in "|>[":
            if rest[0] == "[":
                if len(stack) >= max_depth:
                    raise _NotSimple
                return _flow_sequence(rest, line, col + 1, plain_value, typed_first)
            node, resume = _block_scalar(lines, index + 1, line, col + 1, rest, parent_col)
            return node
        return _value(rest, line, col + 1, plain_value, typed_first)

    for index, raw in enumerate(lines):
        line += 1
        if index < resume:
            continue
        match = _LINE(raw)
        if match is None:  # a character outside the subset, even in a comment (libyaml refuses some)
            raise _NotSimple
        indent, dash, key, rest = match.groups()
        col = len(indent)
        if dash is None:
            if key is None:
                if not rest or rest[0] == "#":
                    continue  # blank, or a comment line
                raise _NotSimple  # a value alone on its line: a continuation, or a scalar document
        else:
            close(col, False)
            if top is None or (top.mapping and top.key is not None and col >= top.col):
                top = open_(YNode("sequence", [], line, col + 1, 0, 0, None, False), col,
                            top is not None and col == top.col, [])
            elif top.mapping or top.col != col:
                raise _NotSimple
            top.entry_line = line
            if key is None:
                if not rest:
                    raise _NotSimple  # the entry's node is on the lines below
                top.node.value.append(value(rest, index, match.start(4), col))
                top.entry_line = 0
                continue
            col = match.start(3)
        # the common line, the next key of the open mapping, needs none of this: a key that opens a
        # mapping, or follows the end of a nested collection
        if dash is not None or top is None or top.col != col or not top.mapping or top.key is not None:
            close(col, True)
            if top is None or (top.mapping and top.key is not None and col > top.col) or (
                    not top.mapping and top.entry_line == line):
                keys: list[tuple[str, int, int]] = []
                top = open_(YNode("mapping", {}, line, col + 1, 0, 0, keys, False), col, False, keys)
            elif not top.mapping or top.col != col or top.key is not None:
                raise _NotSimple
        values = top.values
        if len(key) > _MAX_KEY or key in values or (key[0] in typed_first and type(plain_value(key)) is not str):
            raise _NotSimple  # a long key, a duplicate, or one read as a number, date or boolean
        top.keys.append((key, line, col + 1))
        if rest:
            values[key] = (value(rest, index, match.start(4), col) if rest[0] in "|>[" else
                           _value(rest, line, match.start(4) + 1, plain_value, typed_first))
        else:
            top.key = key
    if root is None:
        return None
    # At the end, libyaml first ends what stands right of where it stopped: on a last line without a
    # line break that holds only spaces or a comment, that is its end. Then the rest, at column 1 of
    # the line after the last.
    last = lines[-1]
    if last and last.lstrip(" ")[:1] in ("", "#"):
        line = line_offset + len(lines)
        close(len(last), False)
    line = line_offset + 1 + text.count("\n") + (0 if text.endswith("\n") else 1)
    close(-1, False)
    return root


def _block_scalar(lines: list[str], at: int, line: int, col: int, header: str,
                  parent_col: int) -> tuple[YNode, int]:
    """A `|` or `>` scalar whose header is on `line` and whose text starts at lines[at], as libyaml's
    scan_block_scalar reads it (its folding rules, step for step); and the index of the line after it."""
    if (head := _BLOCK_HEADER(header)) is None:
        raise _NotSimple  # an indentation indicator, or a comment after the header
    literal = head.group(1) == "|"
    chomping = head.group(2)
    last = len(lines) - 1
    first = at
    while first <= last and not lines[first].strip(" "):
        first += 1
    if first > last:
        raise _NotSimple  # no text: an empty scalar
    indent = len(lines[first]) - len(lines[first].lstrip(" "))
    if indent <= parent_col:
        raise _NotSimple
    parts: list[str] = []
    leading_break = ""
    trailing_breaks = 0
    leading_blank = False
    end_line, end_col = line + 1, 1  # after the header's line break
    k = at
    while k <= last:
        raw = lines[k]
        spaces = len(raw) - len(raw.lstrip(" "))
        if spaces == len(raw) and (spaces <= indent or k < first):  # an empty line: a break
            if spaces > indent:
                raise _NotSimple  # before the text, it would set the indentation
            if k == last:  # without a line break after it: nothing
                break
            trailing_breaks += 1
            end_line += 1
            k += 1
            continue
        if spaces < indent:
            break  # the line that ends the scalar
        if _TEXT(raw) is None:
            raise _NotSimple
        text = raw[indent:]
        trailing_blank = text[0] == " "
        if not literal and leading_break and not leading_blank and not trailing_blank:
            if not trailing_breaks:
                parts.append(" ")
            leading_break = ""
        parts.append(leading_break)
        parts.append("\n" * trailing_breaks)
        leading_break = ""
        trailing_breaks = 0
        leading_blank = trailing_blank
        parts.append(text)
        k += 1
        if k > last:  # the text ends without a line break
            end_col = len(raw) + 1
            break
        leading_break = "\n"
        end_line += 1
    if chomping != "-":
        parts.append(leading_break)
        if chomping == "+":
            parts.append("\n" * trailing_breaks)
    return YNode("scalar", "".join(parts), line, col, end_line, end_col, None, False), k


def _value(rest: str, line: int, col: int, plain_value: Callable[[str], Any], typed_first: frozenset[str]) -> YNode:
    first = rest[0]
    if first == '"':
        if (quoted := _DOUBLE(rest)) is None:
            raise _NotSimple
        return YNode("scalar", quoted.group(1), line, col, line, col + quoted.end(1) + 1, None, True)
    if first == "'":
        if (quoted := _SINGLE(rest)) is None:
            raise _NotSimple
        return YNode("scalar", quoted.group(1).replace("''", "'"), line, col, line, col + quoted.end(1) + 1, None, True)
    if (comment := rest.find(" #")) >= 0:
        rest = rest[:comment]  # a plain value ends where a comment begins
    if first in _NOT_PLAIN_FIRST or ": " in rest:
        raise _NotSimple
    text = rest.rstrip(" ")
    if text[-1] == ":":
        raise _NotSimple
    value = plain_value(text) if first in typed_first else text
    return YNode("scalar", value, line, col, line, col + len(text), None, False)


def _flow_sequence(rest: str, line: int, col: int, plain_value: Callable[[str], Any],
                   typed_first: frozenset[str]) -> YNode:
    """`[a, 'b c', 2026-11-24]` on one line: the front matter's tags."""
    items: list[YNode] = []
    at = 1
    if (empty := _FLOW_END(rest, 1)) is None:
        while True:
            if (item := _FLOW_ITEM(rest, at)) is None:
                raise _NotSimple  # a nested collection, a mapping, a comma too many, or no `]` on the line
            plain, double, single = item.group(3), item.group(1), item.group(2)
            if plain is not None:
                start = item.start(3)
                value = plain_value(plain) if plain[0] in typed_first else plain
                items.append(YNode("scalar", value, line, col + start, line, col + item.end(3), None, False))
            else:
                start = item.start(1 if double is not None else 2) - 1
                text = double if double is not None else single.replace("''", "'")
                end = item.end(1 if double is not None else 2) + 1
                items.append(YNode("scalar", text, line, col + start, line, col + end, None, True))
            at = item.end()
            if item.group(4) == "]":
                closing = at - 1
                break
    else:
        closing = empty.end() - 1
        at = empty.end()
    if (tail := rest[at:].lstrip(" ")) and not (tail[0] == "#" and at < len(rest) and rest[at] == " "):
        raise _NotSimple  # something after the `]` but spaces, or a comment after one
    return YNode("sequence", items, line, col, line, col + closing, None, False)

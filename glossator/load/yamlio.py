"""Safe YAML with source positions.

Contributors' files are untrusted, so we build our own tree from the parser's event
stream: every node keeps its line and column, and anchors, aliases and explicit tags
are refused outright (contributors never need them; aliases are a memory bomb).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any, NoReturn

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from ..model import YNode
from .yamllines import read_block_yaml

try:  # the C parser is several times faster; the pure-Python one gives the same events
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

MAX_DEPTH = 32
# What YAML refuses raw in a file (control characters, U+FFFE/U+FFFF). A double-quoted escape such
# as "\x1b" or "\0" can still produce them, and Atom XML (the feeds) and HTML forbid them too, so
# they are refused in every value, and in article text (load.py).
FORBIDDEN_CHAR = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

_resolver = yaml.resolver.Resolver()
_constructor = yaml.constructor.SafeConstructor()
# A plain scalar is typed only if an implicit resolver is registered for its first character
# (digits, `-`, `~`, `t`, `n`…); any other one is text without asking the resolver.
_TYPED_FIRST = frozenset(_resolver.yaml_implicit_resolvers)
_FAST_STR = None not in _TYPED_FIRST and not _resolver.yaml_path_resolvers
_QUOTES = ("'", '"')


class YamlProblem(Exception):
    """Bad YAML: a message and a 1-based position."""

    def __init__(self, message: str, line: int, col: int, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col
        self.hint = hint


def _positions(text: str) -> Callable[[Any], tuple[int, int]] | None:
    """None when the parser's own line numbers are right (the usual case, read inline).

    YAML 1.1 also ends lines at NEL, U+2028 and U+2029; editors, diffs and our excerpts count only
    "\n", so in a file holding one of them the parser's line numbers drift: recount from the index.
    """
    if "\x85" not in text and "\u2028" not in text and "\u2029" not in text:  # (a regex is 100× slower)
        return None
    starts = [0, *(match.end() for match in re.finditer("\n", text))]

    def position(mark: Any) -> tuple[int, int]:
        line = bisect.bisect_right(starts, mark.index)
        return line, mark.index - starts[line - 1] + 1

    return position


@lru_cache(maxsize=2048)  # the same few dates, numbers and words recur in every file
def _plain_value(value: str) -> Any:
    """The typed value of a plain (unquoted) scalar; the result is immutable, so it can be shared."""
    tag = _resolver.resolve(yaml.ScalarNode, value, (True, False))
    if tag == "tag:yaml.org,2002:str":
        return value
    node = yaml.ScalarNode(tag, value)
    try:
        return _constructor.construct_object(node, deep=True)
    except (ValueError, OverflowError, yaml.YAMLError):
        # e.g. `2026-13-45` looks like a date but is none: keep the text so the
        # validator can say "not a valid date" at this position
        return value
    finally:  # the constructor memoises every node it sees; ours are never seen twice
        _constructor.constructed_objects.clear()
        _constructor.recursive_objects.clear()


def _at(position: Callable[[Any], tuple[int, int]] | None, mark: Any) -> tuple[int, int]:
    """A mark's 1-based line and column, before line_offset (the loop's hot paths inline this)."""
    return position(mark) if position else (mark.line + 1, mark.column + 1)


def _refuse(event: Any, line: int, col: int) -> NoReturn:
    """Raise for the anchor or the tag on a node."""
    if event.anchor is not None:
        raise YamlProblem(f"YAML anchor `&{event.anchor}` is not allowed", line, col,
                          "remove the anchor; anchors and aliases are refused")
    raise YamlProblem(f"YAML tag `{event.tag}` is not allowed", line, col,
                      "remove the tag; quote the value if it must be text")


def parse_yaml(text: str, *, max_depth: int = MAX_DEPTH, line_offset: int = 0) -> YNode | None:
    """Parse one YAML document into a YNode tree; None for an empty document.

    Raises YamlProblem for syntax errors and for constructs we refuse.
    `line_offset` shifts reported lines (front matter starts below the `---`).
    """
    position = _positions(text)
    if position is None and _FAST_STR and (root := read_block_yaml(text, line_offset, max_depth, _plain_value,
                                                                    _TYPED_FIRST)) is not None:
        return root
    base = 1 + line_offset  # marks count lines from 0
    # The reader refuses a raw FORBIDDEN_CHAR before the scanner can take it into a value, so
    # only a double-quoted escape can put one there: without a backslash, no value needs a scan.
    check_values = "\\" in text
    # The open collections, and for each the key awaiting its value (a mapping's) or None.
    # The loop below runs once per event (hundreds per file): event types are compared by
    # identity rather than through a chain of isinstance, and positions are read inline.
    stack: list[YNode] = []
    pending: list[YNode | None] = []
    root: YNode | None = None
    documents = 0
    try:
        get_event = _Loader(text).get_event
        while True:
            event = get_event()
            cls = type(event)
            if cls is ScalarEvent or cls is MappingStartEvent or cls is SequenceStartEvent:
                mark = event.start_mark
                if position is None:
                    line, col = mark.line + base, mark.column + 1
                else:
                    line, col = position(mark)
                    line += line_offset
                if event.anchor is not None or event.tag is not None:
                    _refuse(event, line, col)
                if cls is ScalarEvent:
                    value = event.value
                    if check_values and (bad := FORBIDDEN_CHAR.search(value)):
                        raise YamlProblem(
                            f"this value contains the control character U+{ord(bad.group()):04X}", line, col,
                            "remove the escape that produces it (such as \\x1b or \\0); only \\t and \\n are allowed",
                        )
                    # a plain scalar may be typed; a quoted or block one is always text
                    if event.implicit[0] and (not _FAST_STR or not value or value[0] in _TYPED_FIRST):
                        value = _plain_value(value)
                    mark = event.end_mark
                    if position is None:
                        end_line, end_col = mark.line + base, mark.column + 1
                    else:
                        end_line, end_col = position(mark)
                        end_line += line_offset
                    node = YNode("scalar", value, line, col, end_line, end_col, None, event.style in _QUOTES)
                else:
                    if len(stack) >= max_depth:
                        raise YamlProblem(
                            f"nesting deeper than {max_depth} levels", line, col,
                            "annotation files are at most a few levels deep; flatten this structure",
                        )
                    if cls is MappingStartEvent:
                        stack.append(YNode("mapping", {}, line, col, 0, 0, {}, False))
                    else:
                        stack.append(YNode("sequence", [], line, col, 0, 0, None, False))
                    pending.append(None)
                    continue
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                # the end of a collection: it becomes a value of its parent
                node = stack.pop()
                pending.pop()
                mark = event.start_mark
                if position is None:
                    node.end_line, node.end_col = mark.line + base, mark.column + 1
                else:
                    end_line, node.end_col = position(mark)
                    node.end_line = end_line + line_offset
            elif cls is AliasEvent:
                line, col = _at(position, event.start_mark)
                raise YamlProblem(f"YAML alias `*{event.anchor}` is not allowed", line + line_offset, col,
                                  "write the value out in full; anchors and aliases are refused")
            elif cls is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    line, col = _at(position, event.start_mark)
                    raise YamlProblem("more than one YAML document in this file", line + line_offset, col,
                                      "remove the second `---` and keep everything in one document")
                continue
            elif cls is StreamEndEvent or event is None:
                break
            else:  # stream start, document end
                continue
            # attach the finished node to the open collection, if any
            if not stack:
                root = node
                continue
            parent = stack[-1]
            if parent.kind == "sequence":
                parent.value.append(node)
                continue
            key_node = pending[-1]
            if key_node is None:  # a key: a new text one is the common case, checked inline
                if node.kind != "scalar" or type(node.value) is not str or node.value in parent.value:
                    _check_key(parent, node)
                pending[-1] = node
            else:
                key = key_node.value
                if type(key) is not str:
                    key = str(key)
                parent.value[key] = node
                parent.keys[key] = key_node
                pending[-1] = None
    except yaml.YAMLError as exc:
        raise _syntax_problem(exc, text, position, line_offset) from None
    return root


def _check_key(mapping: YNode, key_node: YNode) -> None:
    if key_node.kind != "scalar":
        raise YamlProblem("a mapping key must be plain text", key_node.line, key_node.col,
                          "write keys as `name: value`")
    key = key_node.value if isinstance(key_node.value, str) else str(key_node.value)
    if key in mapping.value:
        raise YamlProblem(f"duplicate key `{key}` (first at line {mapping.keys[key].line})",
                          key_node.line, key_node.col, "each key may appear once in a mapping; remove one of them")


def _syntax_problem(exc: yaml.YAMLError, text: str, position: Callable[[Any], tuple[int, int]] | None,
                    line_offset: int) -> YamlProblem:
    if isinstance(exc, yaml.MarkedYAMLError) and (quoted := _quote_problem(exc, text, position, line_offset)):
        return quoted
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        if mark is None:
            line, col = 1, 1
        else:
            line, col = _at(position, mark)
        context = f" ({exc.context})" if exc.context else ""
        return YamlProblem(
            f"YAML syntax error: {exc.problem or 'invalid YAML'}{context}",
            line + line_offset,
            col,
            "check indentation and quoting on this line or the one above; "
            "text containing `: ` or starting with a quote mark must be quoted",
        )
    if isinstance(exc, yaml.reader.ReaderError):  # characters YAML does not allow, e.g. control characters
        before = text[: exc.position]
        line = before.count("\n") + 1
        col = exc.position - (before.rfind("\n") + 1) + 1
        return YamlProblem(
            f"character U+{exc.character:04X} is not allowed in YAML" if isinstance(exc.character, int)
            else f"YAML error: {exc.reason}",
            line + line_offset,
            col,
            "remove the invisible or control character (retype the text around it)",
        )
    return YamlProblem(f"YAML error: {exc}", 1 + line_offset, 1)


_QUOTE_HINTS = {
    '"': "write `\\\"` for a quote mark inside double quotes, or put the text in single quotes, or use curly "
         "quotes (“ ”)",
    "'": "write `''` (two single quotes) for an apostrophe inside single quotes, or put the text in double "
         "quotes, or use a curly apostrophe (’)",
}


def _quote_problem(exc: yaml.MarkedYAMLError, text: str, position: Callable[[Any], tuple[int, int]] | None,
                   line_offset: int) -> YamlProblem | None:
    """The commonest YAML mistake told as such: a quote mark inside quoted text, which ends it early
    (`quote: "citing "crystal clear" evidence"`), or a quote never closed. The parser reports
    neither where it is: it stumbles on the words after the early end, or on the next quote mark
    in the file, maybe lines below."""
    if exc.context == "while scanning a quoted scalar" and exc.context_mark is not None:
        line, col = _at(position, exc.context_mark)
        index = exc.context_mark.index
        quote = text[index] if index < len(text) and text[index] in _QUOTES else "quote mark"
        return YamlProblem(f"this `{quote}` opens quoted text that is never closed", line + line_offset, col,
                           f"close it with `{quote}` at the end of the text")
    problem = exc.problem_mark
    if problem is None:
        return None
    # the parser found a value right after a quoted one: the pure-Python scanner says where that one began
    scanner = yaml.SafeLoader(text)
    previous: Any = None
    try:
        while scanner.check_token():
            token = scanner.get_token()
            start = token.start_mark
            if (start.line, start.column) >= (problem.line, problem.column):
                break
            previous = token
        else:
            return None
    except yaml.YAMLError:
        return None
    finally:
        scanner.dispose()
    if ((start.line, start.column) != (problem.line, problem.column) or type(token) is not yaml.ScalarToken
            or type(previous) is not yaml.ScalarToken or previous.style not in _QUOTES
            or previous.end_mark.line != start.line):
        return None
    quote, end = previous.style, previous.end_mark
    if previous.start_mark.line != end.line:  # it began on a line above: its opening quote was never closed
        line, col = _at(position, previous.start_mark)
        end_line = _at(position, end)[0] + line_offset
        return YamlProblem(f"this `{quote}` opens quoted text that runs on to the `{quote}` on line {end_line}, "
                           "and more text follows that one", line + line_offset, col,
                           f"close the quote at the end of its line; {_QUOTE_HINTS[quote]}")
    closing = yaml.Mark(end.name, end.index - 1, end.line, end.column - 1, None, None)
    line, col = _at(position, closing)
    return YamlProblem(f"this `{quote}` ends the quoted text, but more text follows it", line + line_offset, col,
                       _QUOTE_HINTS[quote])


def decode_utf8(data: bytes) -> tuple[str | None, tuple[int, int, int] | None]:
    """Text with a BOM stripped and line endings normalised, or (None, (line, col, byte offset))."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", errors="replace")) + 1
        return None, (line, col, exc.start)
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n"), None

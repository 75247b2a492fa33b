"""Safe YAML with source positions.

Contributors' files are untrusted, so we build our own tree from the parser's event
stream: every node keeps its line and column, and anchors, aliases and explicit tags
are refused outright (contributors never need them; aliases are a memory bomb).
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

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


class YamlProblem(Exception):
    """Bad YAML: a message and a 1-based position."""

    def __init__(self, message: str, line: int, col: int, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col
        self.hint = hint


@dataclass
class YNode:
    """A YAML node: a scalar's Python value, a list of nodes, or a dict of nodes."""

    kind: str  # "scalar" | "sequence" | "mapping"
    value: Any
    line: int
    col: int
    end_line: int = 0
    end_col: int = 0
    # for mappings: the key nodes, so diagnostics can point at a key
    keys: dict[str, YNode] = field(default_factory=dict)
    quoted: bool = False

    def get(self, key: str) -> YNode | None:
        if self.kind != "mapping":
            return None
        node: YNode | None = self.value.get(key)
        return node


def _position(mark: Any) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


# YAML 1.1 also ends lines at NEL, U+2028 and U+2029; editors, diffs and our excerpts count only
# "\n", so in a file holding one of them the parser's line numbers drift: recount from the index.
_YAML_ONLY_BREAKS = re.compile("[\x85\u2028\u2029]")


def _positions(text: str) -> Callable[[Any], tuple[int, int]]:
    if not _YAML_ONLY_BREAKS.search(text):
        return _position
    starts = [0, *(match.end() for match in re.finditer("\n", text))]

    def position(mark: Any) -> tuple[int, int]:
        line = bisect.bisect_right(starts, mark.index)
        return line, mark.index - starts[line - 1] + 1

    return position


def _scalar_value(event: yaml.ScalarEvent) -> Any:
    if not event.implicit[0]:
        return event.value  # quoted: always a string
    tag = _resolver.resolve(yaml.ScalarNode, event.value, event.implicit)
    if tag == "tag:yaml.org,2002:str":
        return event.value
    node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark)
    try:
        return _constructor.construct_object(node, deep=True)
    except (ValueError, OverflowError, yaml.YAMLError):
        # e.g. `2026-13-45` looks like a date but is none: keep the text so the
        # validator can say "not a valid date" at this position
        return event.value


def parse_yaml(text: str, *, max_depth: int = MAX_DEPTH, line_offset: int = 0) -> YNode | None:
    """Parse one YAML document into a YNode tree; None for an empty document.

    Raises YamlProblem for syntax errors and for constructs we refuse.
    `line_offset` shifts reported lines (front matter starts below the `---`).
    """
    stack: list[tuple[YNode, str | None, YNode | None]] = []  # node, pending key, key node
    root: YNode | None = None
    documents = 0
    position = _positions(text)
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    line, col = position(event.start_mark)
                    raise YamlProblem(
                        "more than one YAML document in this file",
                        line + line_offset,
                        col,
                        "remove the second `---` and keep everything in one document",
                    )
                continue
            if isinstance(event, yaml.AliasEvent):
                line, col = position(event.start_mark)
                raise YamlProblem(
                    f"YAML alias `*{event.anchor}` is not allowed",
                    line + line_offset,
                    col,
                    "write the value out in full; anchors and aliases are refused",
                )
            if not isinstance(event, yaml.NodeEvent | yaml.CollectionEndEvent):
                continue
            line, col = position(event.start_mark)
            line += line_offset
            if isinstance(event, yaml.NodeEvent):
                if event.anchor is not None:
                    raise YamlProblem(
                        f"YAML anchor `&{event.anchor}` is not allowed",
                        line,
                        col,
                        "remove the anchor; anchors and aliases are refused",
                    )
                tag = getattr(event, "tag", None)
                if tag is not None:
                    raise YamlProblem(
                        f"YAML tag `{tag}` is not allowed",
                        line,
                        col,
                        "remove the tag; quote the value if it must be text",
                    )
            if isinstance(event, yaml.ScalarEvent):
                if bad := FORBIDDEN_CHAR.search(event.value):
                    raise YamlProblem(
                        f"this value contains the control character U+{ord(bad.group()):04X}",
                        line,
                        col,
                        "remove the escape that produces it (such as \\x1b or \\0); only \\t and \\n are allowed",
                    )
                node = YNode("scalar", _scalar_value(event), line, col, quoted=event.style in ("'", '"'))
                end_line, end_col = position(event.end_mark)
                node.end_line, node.end_col = end_line + line_offset, end_col
            elif isinstance(event, yaml.SequenceStartEvent):
                node = YNode("sequence", [], line, col)
            elif isinstance(event, yaml.MappingStartEvent):
                node = YNode("mapping", {}, line, col)
            else:  # end of a collection: it becomes a value of its parent
                node, _, _ = stack.pop()
                end_line, end_col = position(event.start_mark)
                node.end_line, node.end_col = end_line + line_offset, end_col
                root = _attach(stack, node, root)
                continue
            if node.kind != "scalar":
                if len(stack) >= max_depth:
                    raise YamlProblem(
                        f"nesting deeper than {max_depth} levels",
                        line,
                        col,
                        "annotation files are at most a few levels deep; flatten this structure",
                    )
                stack.append((node, None, None))
                continue
            root = _attach(stack, node, root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = position(mark) if mark else (1, 1)
        problem = exc.problem or "invalid YAML"
        context = f" ({exc.context})" if exc.context else ""
        raise YamlProblem(
            f"YAML syntax error: {problem}{context}",
            line + line_offset,
            col,
            "check indentation and quoting on this line or the one above; "
            "text containing `: ` or starting with a quote mark must be quoted",
        ) from None
    except yaml.reader.ReaderError as exc:  # characters YAML does not allow, e.g. control characters
        before = text[: exc.position]
        line = before.count("\n") + 1
        col = exc.position - (before.rfind("\n") + 1) + 1
        raise YamlProblem(
            f"character U+{exc.character:04X} is not allowed in YAML" if isinstance(exc.character, int)
            else f"YAML error: {exc.reason}",
            line + line_offset,
            col,
            "remove the invisible or control character (retype the text around it)",
        ) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"YAML error: {exc}", 1 + line_offset, 1) from None
    return root


def _attach(stack: list[tuple[YNode, str | None, YNode | None]], node: YNode, root: YNode | None) -> YNode | None:
    if not stack:
        return node
    parent, pending_key, key_node = stack[-1]
    if parent.kind == "sequence":
        parent.value.append(node)
    elif pending_key is None:
        if node.kind != "scalar":
            raise YamlProblem(
                "a mapping key must be plain text", node.line, node.col, "write keys as `name: value`"
            )
        key = node.value if isinstance(node.value, str) else str(node.value)
        if key in parent.value:
            first = parent.keys[key]
            raise YamlProblem(
                f"duplicate key `{key}` (first at line {first.line})",
                node.line,
                node.col,
                "each key may appear once in a mapping; remove one of them",
            )
        stack[-1] = (parent, key, node)
    else:
        assert key_node is not None
        parent.value[pending_key] = node
        parent.keys[pending_key] = key_node
        stack[-1] = (parent, None, None)
    return root


def to_plain(node: YNode | None) -> Any:
    """JSON-compatible data for schema validation: dates become ISO strings."""
    if node is None:
        return None
    if node.kind == "mapping":
        return {k: to_plain(v) for k, v in node.value.items()}
    if node.kind == "sequence":
        return [to_plain(v) for v in node.value]
    value = node.value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value


def node_at(root: YNode | None, path: tuple[str | int, ...]) -> YNode | None:
    """The deepest existing node along a JSON path (for pointing at schema errors)."""
    node = root
    for part in path:
        if node is None:
            return None
        in_mapping = node.kind == "mapping" and isinstance(part, str) and part in node.value
        in_sequence = node.kind == "sequence" and isinstance(part, int) and part < len(node.value)
        if not (in_mapping or in_sequence):
            return node
        node = node.value[part]
    return node
    return node


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

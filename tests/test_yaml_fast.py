"""The fast YAML reader (issue 7) builds exactly the trees, and refuses exactly the files, that
the straightforward one did. The oracle below is the reader as it was before the speed-up, its
code copied unchanged (only the comments are left out): it is the specification. Hypothesis
writes YAML in every style the reader meets (block and flow collections; plain, quoted and block
scalars; typed and look-alike values), then damages some of it with the constructs the reader
must refuse (anchors, aliases, tags, second documents, control characters, NEL and U+2028 line
breaks, duplicate and non-scalar keys, deep nesting, broken syntax). For every text both readers
must agree: the same tree, node for node, or the same problem.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glossator.load import yamlio
from glossator.load.yamlio import YamlProblem, parse_yaml
from glossator.validate.plain import to_plain

# ---- the oracle: glossator/yamlio.py's reader before issue 7 (parse_yaml renamed oracle_parse_yaml) ----

_Loader: type = yaml.CSafeLoader
MAX_DEPTH = 32
FORBIDDEN_CHAR = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_resolver = yaml.resolver.Resolver()
_constructor = yaml.constructor.SafeConstructor()


@dataclass
class YNode:
    kind: str
    value: Any
    line: int
    col: int
    end_line: int = 0
    end_col: int = 0
    keys: dict[str, YNode] = field(default_factory=dict)
    quoted: bool = False


def _position(mark: Any) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


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
        return event.value
    tag = _resolver.resolve(yaml.ScalarNode, event.value, event.implicit)
    if tag == "tag:yaml.org,2002:str":
        return event.value
    node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark)
    try:
        return _constructor.construct_object(node, deep=True)
    except (ValueError, OverflowError, yaml.YAMLError):
        return event.value


def oracle_parse_yaml(text: str, *, max_depth: int = MAX_DEPTH, line_offset: int = 0) -> YNode | None:
    stack: list[tuple[YNode, str | None, YNode | None]] = []
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
            else:
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
        # (added since: a quote mark that ends quoted text early, or one never closed, is told as such;
        # the wording of an error, not what the reader accepts)
        if quoted := yamlio._quote_problem(exc, text, position, line_offset):
            raise quoted from None
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
    except yaml.reader.ReaderError as exc:
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


# ---- comparing the two readers ----


def shape(node: Any) -> Any:
    """Every field of a tree, as nested tuples; values keep their type (1 is not True, nor "1")."""
    if node is None:
        return None
    if node.kind == "mapping":
        value: Any = tuple((k, shape(v)) for k, v in node.value.items())
    elif node.kind == "sequence":
        value = tuple(shape(v) for v in node.value)
    else:  # NaN is not equal to itself: compare its text instead
        value = repr(node.value) if isinstance(node.value, float) and math.isnan(node.value) else node.value
        value = (type(node.value), value)
    keys = tuple((k, shape(v)) for k, v in node.keys.items())
    return (node.kind, value, node.line, node.col, node.end_line, node.end_col, keys, node.quoted)


def outcome(reader: Callable[..., Any], text: str, **options: Any) -> Any:
    try:
        return "tree", shape(reader(text, **options))
    except YamlProblem as problem:
        return "problem", problem.message, problem.line, problem.col, problem.hint
    except Exception as exc:  # anything else (a surrogate the encoder refuses) must fail alike
        return "exception", type(exc), str(exc)


def assert_same(text: str, **options: Any) -> None:
    assert outcome(parse_yaml, text, **options) == outcome(oracle_parse_yaml, text, **options), repr(text)


# ---- YAML in every style, then damaged ----

WORDS = st.sampled_from(["claim", "a-b", "x", "Note with words", "ümlaut", "emoji 🙂", "tab\there", "#hash", "a: b"])
LOOKALIKES = st.sampled_from([
    "", "~", "null", "Null", "true", "False", "yes", "No", "on", "OFF", "y", "n", "0", "-1", "+7", "012", "0o17",
    "0x1F", "0b101", "1_000", "1:30", "1.5", "-.5", ".inf", "-.Inf", ".nan", "1e3", "1.0e+3", "2026-11-24",
    "2026-13-45", "2026-02-30", "2015-06", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10",
    "2026-1-2", "<<", "=", "!", "&", "*", "-", ".", "9" * 400, "1e99999", "12:30:45",
])
ESCAPES = st.sampled_from(["\\x1b", "\\0", "\\t", "\\n", "\\u2028", "\\x85", "\\ufeff", "\\uFFFE", "\\\\", '\\"',
                           "\\a", "\\e", "\\N", "\\_", "\\L", "\\P", "\\U0001F642", "\\x7f"])


@st.composite
def scalar(draw: st.DrawFn) -> str:
    value = draw(st.one_of(WORDS, LOOKALIKES))
    style = draw(st.sampled_from(["plain", "single", "double", "escaped"]))
    if style == "single":
        return "'" + value.replace("'", "''") + "'"
    if style == "double":
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t") + '"'
    if style == "escaped":
        return '"' + value.replace("\\", "").replace('"', "") + draw(ESCAPES) + '"'
    return value


KEYS = st.one_of(st.sampled_from(["id", "kind", "note", "by", "added", "a", "b", "1", "true", "null", "~", "2026-11-24",
                                  "'q'", '"d"', "? x", "[k]", "{k: v}"]), scalar())


@st.composite
def block(draw: st.DrawFn, indent: int = 0, depth: int = 0) -> list[str]:
    """A block collection as lines, nested; leaves are scalars, flow collections or block scalars."""
    pad = " " * indent
    lines: list[str] = []
    as_list = draw(st.booleans())
    for _ in range(draw(st.integers(1, 3))):
        head = f"{pad}- " if as_list else f"{pad}{draw(KEYS)}: "
        leaf = draw(st.sampled_from(["scalar", "flow", "literal", "folded", "nested", "empty"]))
        if leaf == "nested" and depth < 4:
            lines.append(head.rstrip())
            lines += draw(block(indent + 2, depth + 1))
        elif leaf == "flow":
            items = draw(st.lists(scalar(), max_size=3))
            flow = "[" + ", ".join(items) + "]" if draw(st.booleans()) else \
                "{" + ", ".join(f"k{i}: {v}" for i, v in enumerate(items)) + "}"
            lines.append(head + flow)
        elif leaf in ("literal", "folded"):
            lines.append(head + ("|" if leaf == "literal" else ">") + draw(st.sampled_from(["", "-", "+", "2"])))
            lines += [f"{pad}  {draw(WORDS)}" for _ in range(draw(st.integers(1, 3)))]
        elif leaf == "empty":
            lines.append(head.rstrip())
        else:
            lines.append(head + draw(scalar()) + draw(st.sampled_from(["", "  # comment"])))
    return lines


DAMAGE = st.sampled_from([
    "&a ", "*a", "!!str ", "!t ", "! ", "\n---\n", "\n...\n", "\x85", "\u2028", "\u2029", "\x1b", "\x00", "\ufffe",
    "\t", ": ", "- ", "? ", "[", "]", "{", "}", "'", '"', "#", "\r\n", "\r", "\ufeff", "\ud800", "%YAML 1.1\n", "|",
    ">", "@", "`", ",", "\n  ", "\n", "\\x1b", "\\0",
])


@st.composite
def yaml_text(draw: st.DrawFn) -> str:
    text = "\n".join(draw(block())) + draw(st.sampled_from(["\n", "", "\n\n"]))
    if draw(st.booleans()):
        text = draw(st.sampled_from(["", "---\n", "# top\n", "%YAML 1.1\n---\n"])) + text
    for _ in range(draw(st.integers(0, 3))):  # damage: insert at random places
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(DAMAGE) + text[at:]
    if draw(st.integers(0, 9)) == 0:  # a line duplicated: duplicate keys, or a second item
        lines = text.split("\n")
        at = draw(st.integers(0, len(lines) - 1))
        text = "\n".join([*lines[: at + 1], lines[at], *lines[at + 1 :]])
    return text


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(yaml_text(), st.sampled_from([0, 0, 1, 7]), st.sampled_from([32, 32, 3, 1]))
def test_the_fast_reader_agrees_with_the_oracle(text: str, line_offset: int, max_depth: int) -> None:
    assert_same(text, line_offset=line_offset, max_depth=max_depth)


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from("ab1-: \n\t'\"[]{},#&*!|>?%@`\\\x85\u2028\x1b.~"), max_size=60))
def test_the_fast_reader_agrees_on_yaml_shaped_noise(text: str) -> None:
    assert_same(text)


def test_the_constructs_we_refuse_are_refused_alike() -> None:
    """Each refusal, stated once so a regression names the construct (the property test samples them)."""
    cases = {
        "alias": "a: &x 1\nb: *x\n", "anchor": "a: &x 1\n", "tag": "a: !!str 1\n", "local tag": "a: !x 1\n",
        "two documents": "a: 1\n---\nb: 2\n", "escaped control": 'a: "\\x1b"\n', "raw control": "a: \x1b\n",
        "deep": "a: " + "[" * 40 + "]" * 40 + "\n", "duplicate": "a: 1\nb: 2\na: 3\n", "key list": "[a]: 1\n",
        "key map": "? {a: 1}\n: 2\n", "syntax": "a: b: c\n", "unclosed": 'a: "x\n', "NEL drift": "a: 1\x85b: *x\n",
        "U+2028 drift": "a: 1\u2028\nb: !t 2\n", "tab indent": "a:\n\tb: 1\n", "BOM inside": "a: 1\n\ufeffb: 2\n",
    }
    for name, text in cases.items():
        with_offset = outcome(parse_yaml, text, line_offset=4)
        assert with_offset[0] == "problem", name
        assert with_offset == outcome(oracle_parse_yaml, text, line_offset=4), name


def test_an_annotation_file_reads_alike_and_shares_only_immutable_values() -> None:
    text = (
        "article: sample\nannotations:\n"
        + "".join(f"  - id: a{i}\n    kind: claim\n    quote: \"q {i}\"\n    verdict: mixed\n"
                  f"    note: |\n      Line one.\n      Line two.\n    by: [me, 'you']\n    added: 2026-11-24\n"
                  f"    sources: [{{title: T, url: 'https://e.org/{i}', date: 2015-06}}]\n" for i in range(20))
    )
    assert_same(text)
    root = parse_yaml(text)
    assert root is not None
    added = [item.value["added"].value for item in root.value["annotations"].value]
    assert added == [dt.date(2026, 11, 24)] * 20  # typed through the cache, still a date
    assert to_plain(root)["annotations"][3]["added"] == "2026-11-24"
    # the constructor's memo is emptied after each value, so reading files does not leak nodes
    assert not yamlio._constructor.constructed_objects


def test_a_mapping_key_that_is_not_text_is_named_as_text() -> None:
    root = parse_yaml("1: a\ntrue: b\nnull: c\n2026-11-24: d\n")
    assert root is not None and list(root.value) == ["1", "True", "None", "2026-11-24"]
    assert [k.value for k in root.keys.values()] == [1, True, None, dt.date(2026, 11, 24)]

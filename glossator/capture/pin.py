"""Pin notes to a text: add `version: <id>` to annotations in their file, as text.

The editor's file keeps every comment, blank line and quoting style it had: one line is added
to each annotation named, under its `id` and indented as its keys are (or, in a `{ … }` item,
one entry after the brace). The new text is parsed again before it is written, and refused
unless it holds the same annotations with just that key added.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from ..diagnostics import yaml_quoted
from ..load.yamlio import YamlProblem, decode_utf8, parse_yaml
from ..model import YNode
from ..validate.plain import to_plain
from . import CaptureError


def _items(root: YNode | None) -> list[YNode]:
    items = root.get("annotations") if root is not None else None
    return [item for item in items.value if item.kind == "mapping"] if items and items.kind == "sequence" else []


def pinned_text(text: str, pins: Mapping[str, str]) -> str:
    """The file's text with `version:` added to each annotation whose id is in `pins` (id → version)."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    try:
        root = parse_yaml(text)
    except YamlProblem as problem:
        raise CaptureError(f"the annotation file is not valid YAML (line {problem.line}): {problem.message}",
                           "fix it (python build.py check says how), then capture again") from None
    edits: list[tuple[int, int, str]] = []  # (line index, column, text to insert there)
    found: set[str] = set()
    for item in _items(root):
        id_node = item.get("id")
        if id_node is None or id_node.value not in pins or "version" in item.value:
            continue
        found.add(str(id_node.value))
        entry = f"version: {yaml_quoted(pins[str(id_node.value)])}"
        opening = lines[item.line - 1][item.col - 1 : item.col]
        if opening == "{":  # a flow mapping: a first entry, on the same line
            edits.append((item.line - 1, item.col, f"{entry}, "))
        else:  # a block mapping: a line of its own, after the id's value, at the keys' indentation
            key = item.keys["id"]
            edits.append((id_node.end_line, 0, " " * (key.col - 1) + entry + newline))
    missing = set(pins) - found
    if missing:
        raise CaptureError(f"cannot find the annotation(s) {', '.join(sorted(missing))} to pin in the file",
                           "the file changed while it was read: capture again")
    for index, column, insertion in sorted(edits, reverse=True):
        if column == 0:
            if index > 0 and not lines[index - 1].endswith(("\n", "\r")):
                lines[index - 1] += newline
            lines.insert(index, insertion)
        else:
            lines[index] = lines[index][:column] + insertion + lines[index][column:]
    updated = "".join(lines)
    _check(text, updated, pins)
    return updated


def quote_positions(text: str) -> dict[str, tuple[int, int]]:
    """Each annotation's id → the line and column of its `quote` (of its item, without one) in the file's text."""
    normalised, _ = decode_utf8(text.encode("utf-8"))
    try:
        items = _items(parse_yaml(normalised or ""))
    except YamlProblem:
        return {}
    positions: dict[str, tuple[int, int]] = {}
    for item in items:
        id_node, quote = item.get("id"), item.get("quote")
        if id_node is not None:
            place = quote or item
            positions[str(id_node.value)] = (place.line, place.col)
    return positions


def _check(before: str, after: str, pins: Mapping[str, str]) -> None:
    """The new text holds the same annotations, each pinned one with `version` added and nothing else."""
    normalised, _ = decode_utf8(after.encode("utf-8"))
    try:
        old_items, new_items = _items(parse_yaml(before)), _items(parse_yaml(normalised or ""))
        same = len(old_items) == len(new_items)
    except YamlProblem:
        old_items, new_items, same = [], [], False
    for old, new in zip(old_items, new_items, strict=False) if same else ():
        expected = to_plain(old)
        if isinstance(expected, dict) and expected.get("id") in pins:
            expected["version"] = pins[expected["id"]]
        same = same and to_plain(new) == expected
    if not same:
        raise CaptureError("cannot add `version:` to the annotation file without rewriting its layout",
                           "add it by hand to each annotation named above; nothing was written")


def write_atomically(path: Path, text: str) -> None:
    """All or nothing: an interrupted capture never leaves half a file."""
    temporary = path.with_name(f".{path.name}.capture-{os.getpid()}")
    try:
        temporary.write_bytes(text.encode("utf-8"))
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise CaptureError(f"cannot write {path.name}: {exc.strerror}") from None

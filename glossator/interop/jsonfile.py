"""An import file, read safely: bounded size, UTF-8, strict JSON, nesting that cannot blow the
stack, and positions for the diagnostics that point into it.

The file comes from elsewhere (an API, another tool, a stranger's export), so every way it
can be wrong ends in a diagnostic, never a traceback.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .engine import Diagnostic, decode_utf8, error

# A prolific Hypothesis user's export is a few megabytes; an API page holds at most 200 rows.
# Beyond this the file is not an export of annotations one imports by hand.
MAX_IMPORT_BYTES = 64 * 1024 * 1024


@dataclass
class JsonDocument:
    """A parsed file, and its text for finding where things stand in it."""

    path: str  # as it is shown in diagnostics
    file: Path
    text: str
    data: Any
    _line_starts: list[int] = field(default_factory=list)

    def position(self, offset: int) -> tuple[int, int]:
        if not self._line_starts:
            self._line_starts = [0, *(m.end() for m in re.finditer("\n", self.text))]
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def locate(self, key: str, value: str, after: int = 0) -> tuple[int, int, int]:
        """Line, column and end offset of `"key": "value"`, the first at or after `after`;
        (0, 0, after) if the file writes it in a way not looked for (unicode escapes, say)."""
        written = json.dumps(value, ensure_ascii=False)
        # json.dumps writes "/" as it is; some servers write "\/". The search goes on from the
        # previous annotation's place: the readers walk the file in order, so it stays linear.
        pattern = re.compile(re.escape(json.dumps(key)) + r"\s*:\s*(?:"
                             + re.escape(written) + "|" + re.escape(written.replace("/", "\\/")) + ")")
        found = pattern.search(self.text, after)
        if found is None:
            return 0, 0, after
        line, col = self.position(found.start())
        return line, col, found.end()


    def elements(self, key: str | None, after: int = 0) -> list[int]:
        """Where each element of an array starts: the array of `"key": [`, the first at or after `after`,
        or (key None) the file itself when it is an array, or a one-element list of the file's start
        when it is an object. Empty if not found. Entries without an id are located so, not after the
        entry before them."""
        text = self.text
        if key is None:
            start = _SPACE.match(text).end()
            if not text.startswith("[", start):
                return [start]
            at = start + 1
        else:
            found = re.compile(re.escape(json.dumps(key)) + r"\s*:\s*\[").search(text, after)
            if found is None:
                return []
            at = found.end()
        return _array_elements(text, at)


_SPACE = re.compile(r"[ \t\n\r]*")


def _array_elements(text: str, at: int) -> list[int]:
    """The offsets of the elements of the array whose `[` ends just before `at` (the file parsed before)."""
    decoder = json.JSONDecoder()
    at = _SPACE.match(text, at).end()
    starts: list[int] = []
    while at < len(text) and text[at] != "]":
        starts.append(at)
        try:
            _, at = decoder.raw_decode(text, at)
        except (ValueError, RecursionError):
            return starts
        at = _SPACE.match(text, at).end()
        if text.startswith(",", at):
            at = _SPACE.match(text, at + 1).end()
    return starts


# A \uD800-\uDFFF escape is half of a character: a pair of them (high, then low) is one, and JSON
# decodes it so; a lone one decodes to a string that no UTF-8 file can hold.
_SURROGATE_ESCAPES = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}"  # a pair
                                r"|\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _lone_surrogate(text: str, data: Any) -> int | None:
    """Where the file escapes half a character (the first such escape), or None if it does not."""
    if "\\u" not in text or not _SURROGATE_ESCAPES.search(text):
        return None
    try:  # (only for a file that escapes surrogates at all: an export's emoji, say)
        json.dumps(data, ensure_ascii=False).encode("utf-8")
        return None
    except UnicodeEncodeError:
        pass
    for found in _SURROGATE_ESCAPES.finditer(text):
        start = before = found.start()
        if found.end() - start != 6:
            continue  # a pair
        while before and text[before - 1] == "\\":
            before -= 1
        if (start - before) % 2 == 0:  # (after an odd number of backslashes, "\\u…" is text)
            return start
    return 0


def _no_constants(name: str) -> Any:
    raise ValueError(f"`{name}` is not a JSON value")


def read_json(file: Path, shown: str,
              max_bytes: int = MAX_IMPORT_BYTES) -> tuple[JsonDocument | None, list[Diagnostic]]:
    """The file parsed, or the diagnostics that say why it cannot be."""
    try:
        size = file.stat().st_size
        if size > max_bytes:
            return None, [error(shown, 0, 0, f"the file is too large to import ({size:,} bytes; the limit is "
                                f"{max_bytes:,})", "split it: import each page of the API's results, or each "
                                "page of the collection, on its own", title="File too large")]
        data = file.read_bytes()
    except OSError as exc:
        return None, [error(shown, 0, 0, f"cannot read the file: {exc.strerror}", title="Unreadable file")]
    text, bad = decode_utf8(data)
    if text is None:
        assert bad is not None
        return None, [error(shown, bad[0], bad[1], f"the file is not UTF-8 text (bad byte at offset {bad[2]})",
                            "annotation exports are UTF-8 JSON; is this the right file?", title="Not UTF-8")]
    if not text.strip():
        return None, [error(shown, 0, 0, "the file is empty", title="Empty file")]
    try:
        parsed = json.loads(text, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        return None, [error(shown, exc.lineno, exc.colno, f"the file is not valid JSON: {exc.msg}",
                            "import reads JSON: a Hypothesis API response or export file, or W3C Web "
                            "Annotations (JSON-LD)", title="Not JSON")]
    except RecursionError:
        return None, [error(shown, 0, 0, "the file's JSON is nested too deeply to be an annotation export",
                            title="Nested too deeply")]
    except ValueError as exc:  # NaN/Infinity, numbers longer than Python will convert
        return None, [error(shown, 0, 0, f"the file is not standard JSON: {exc}", title="Not JSON")]
    document = JsonDocument(shown, file, text, parsed)
    if (lone := _lone_surrogate(text, parsed)) is not None:
        line, col = document.position(lone)
        return None, [error(shown, line, col, f"`{text[lone:lone + 6]}` is half of a character (a lone UTF-16 "
                            "surrogate), which no text file can hold",
                            "the tool that wrote the file cut a character in two: remove the escape, or "
                            "write the whole character", title="Broken character")]
    return document, []


def type_names(node: Any) -> tuple[str, ...]:
    """A JSON-LD node's types, without an `oa:` or `as:` prefix: "Annotation", "AnnotationPage"…"""
    if not isinstance(node, dict):
        return ()
    value = node.get("type", node.get("@type"))
    values = value if isinstance(value, list) else [value]
    return tuple(v.split(":", 1)[-1] if v.startswith(("oa:", "as:")) else v for v in values if isinstance(v, str))


def node_id(node: Any) -> str | None:
    """A JSON-LD node's IRI: the node itself when it is a string, else its `id` (or `@id`)."""
    if isinstance(node, str):
        return node
    if isinstance(node, dict):
        value = node.get("id", node.get("@id"))
        return value if isinstance(value, str) else None
    return None


def as_list(value: Any) -> list[Any]:
    """JSON-LD lets one value stand for a list of one."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def text_of(value: Any) -> str:
    """A string value, or "" for anything else (a number where text belongs, a null)."""
    return value if isinstance(value, str) else ""

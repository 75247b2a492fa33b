"""Diagnostics: every problem the build finds, as `path:line:col: error: message`.

Stages never raise on bad input; they return diagnostics, which the command line
sorts, prints (with the offending source line and a caret) and turns into an exit code.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Any, Literal

Severity = Literal["error", "warning"]


# Not frozen: the build cache restores one per warning (150,000 in the 10k benchmark) on every
# build, and a frozen dataclass's __init__ (object.__setattr__ per field) costs 3× a plain slotted
# one. Hashed by the compared fields all the same: diagnostics are deduplicated in sets.
@dataclass(order=True, slots=True, unsafe_hash=True)
class Diagnostic:
    path: str  # relative to the archive root, with forward slashes
    line: int  # 1-based; 0 when the problem concerns the whole file
    col: int  # 1-based, in characters
    severity: Severity = field(compare=False)
    message: str = field(compare=True)
    hints: tuple[str, ...] = field(default=(), compare=False)
    title: str = field(default="", compare=False)  # short label for GitHub annotations

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __reduce__(self) -> tuple[type[Diagnostic], tuple[str, int, int, Severity, str, tuple[str, ...], str]]:
        # as a plain call: the build cache holds one per warning (150,000 in the 10k benchmark),
        # and this pickles them in 27% fewer bytes than a dataclass's default (state dicts)
        return Diagnostic, (self.path, self.line, self.col, self.severity, self.message, self.hints, self.title)

    def location(self) -> str:
        if self.line <= 0:
            return self.path
        return f"{self.path}:{self.line}:{self.col}"


_FIELDS = tuple(attrgetter(name) for name in ("path", "line", "col", "severity", "message", "hints", "title"))
Columns = tuple[list[Any], ...]  # one list per field of Diagnostic, in its order


def to_columns(diagnostics: Sequence[Diagnostic]) -> Columns:
    """Many diagnostics as one list per field, to pickle: a build's cache holds all its warnings in
    one tuple (150,000 in the 10k benchmark), which pickled one __reduce__ at a time in 0.15 s,
    as columns in 0.05."""
    return tuple(list(map(field_of, diagnostics)) for field_of in _FIELDS)


def from_columns(columns: Columns) -> tuple[Diagnostic, ...]:
    return tuple(map(Diagnostic, *columns))


def error(path: str, line: int, col: int, message: str, *hints: str, title: str = "") -> Diagnostic:
    return Diagnostic(path, line, col, "error", message, tuple(h for h in hints if h), title)


def warning(path: str, line: int, col: int, message: str, *hints: str, title: str = "") -> Diagnostic:
    return Diagnostic(path, line, col, "warning", message, tuple(h for h in hints if h), title)


_YAML_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _yaml_printable(char: str) -> bool:
    # YAML folds its other line breaks (NEL, U+2028/9) to spaces inside quotes: escape them too
    code = ord(char)
    return (0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
            or code >= 0x10000) and code not in (0xFEFF, 0x2028, 0x2029)


def yaml_quoted(text: str) -> str:
    """`text` as a double-quoted YAML scalar a contributor can paste (hints, `new` stubs)."""
    out = []
    for char in text:
        if char in _YAML_ESCAPES:
            out.append(_YAML_ESCAPES[char])
        elif _yaml_printable(char):
            out.append(char)
        else:
            out.append(f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    # duplicates dropped keeping the order they came in (a set's order undid the runs they come in,
    # each article's sorted: 150,000 warnings at 10,000 articles sorted in 0.25 s rather than 0.06)
    return sorted(dict.fromkeys(diagnostics), key=lambda d: (d.path, d.line, d.col, d.message))


EXCERPT_WIDTH = 100  # characters of a long source line shown around the column


def _display_width(text: str) -> int:
    # East Asian wide characters take two terminal columns: the caret must still line up
    if text.isascii():  # (most lines: `check` prints 150,000 excerpts at 10k articles)
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _source_excerpt(root: Path, diag: Diagnostic, cache: dict[str, list[str] | None]) -> list[str]:
    """The offending line with a caret under the column, as compilers print it."""
    if diag.line <= 0:
        return []
    if diag.path not in cache:
        try:
            # undecodable bytes become U+FFFD, so a "not UTF-8" error can show where the bad byte is
            text = (root / diag.path).read_bytes().decode("utf-8", errors="replace").removeprefix("\ufeff")
            cache[diag.path] = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        except OSError:
            cache[diag.path] = None
    lines = cache[diag.path]
    if not lines or diag.line > len(lines):
        return []
    source = lines[diag.line - 1].expandtabs(1)
    if not source.isprintable():
        source = "".join(c if c.isprintable() else " " for c in source)
    col = min(max(diag.col - 1, 0), len(source))
    if len(source) > EXCERPT_WIDTH:  # a window around the column, marked as cut with …
        start = max(0, min(col - EXCERPT_WIDTH // 3, len(source) - EXCERPT_WIDTH))
        end = start + EXCERPT_WIDTH
        window = source[start:end]
        col -= start
        if start > 0:
            window, col = "…" + window, col + 1
        if end < len(source):
            window += "…"
        source = window
    gutter = f"{diag.line:>4} | "
    caret = " " * _display_width(source[:col]) + "^"
    return [gutter + source.rstrip(), " " * (len(gutter) - 2) + "| " + caret]


def format_text(diagnostics: Iterable[Diagnostic], root: Path | None = None) -> str:
    cache: dict[str, list[str] | None] = {}
    out: list[str] = []
    for diag in diagnostics:
        out.append(f"{diag.location()}: {diag.severity}: {diag.message}")
        if root is not None:
            out.extend(_source_excerpt(root, diag, cache))
        for hint in diag.hints:
            first, *rest = hint.split("\n")
            out.append(f"    hint: {first}")
            out.extend(f"          {line}" for line in rest)
    return "\n".join(out)


def _escape_property(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A").replace(":", "%3A").replace(",", "%2C")


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def format_github(diagnostics: Iterable[Diagnostic]) -> str:
    """GitHub Actions workflow commands, so problems show on the pull request's diff."""
    out = []
    for diag in diagnostics:
        props = [f"file={_escape_property(diag.path)}"]
        if diag.line > 0:
            props += [f"line={diag.line}", f"col={diag.col}"]
        props.append(f"title={_escape_property(diag.title or 'Glossator ' + diag.severity)}")
        body = diag.message + "".join("\nhint: " + h for h in diag.hints)
        out.append(f"::{diag.severity} {','.join(props)}::{_escape_data(body)}")
    return "\n".join(out)


def on_github_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"

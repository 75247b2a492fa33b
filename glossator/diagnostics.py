"""Diagnostics: every problem the build finds, as `path:line:col: error: message`.

Stages never raise on bad input; they return diagnostics, which the command line
sorts, prints (with the offending source line and a caret) and turns into an exit code.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
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

    def location(self) -> str:
        if self.line <= 0:
            return self.path
        return f"{self.path}:{self.line}:{self.col}"


def error(path: str, line: int, col: int, message: str, *hints: str, title: str = "") -> Diagnostic:
    return Diagnostic(path, line, col, "error", message, tuple(h for h in hints if h), title)


def warning(path: str, line: int, col: int, message: str, *hints: str, title: str = "") -> Diagnostic:
    return Diagnostic(path, line, col, "warning", message, tuple(h for h in hints if h), title)


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(set(diagnostics), key=lambda d: (d.path, d.line, d.col, d.message))


def _source_excerpt(root: Path, diag: Diagnostic, cache: dict[str, list[str] | None]) -> list[str]:
    """The offending line with a caret under the column, as compilers print it."""
    if diag.line <= 0:
        return []
    if diag.path not in cache:
        try:
            text = (root / diag.path).read_text(encoding="utf-8")
            cache[diag.path] = text.replace("\r\n", "\n").split("\n")
        except (OSError, UnicodeDecodeError):
            cache[diag.path] = None
    lines = cache[diag.path]
    if not lines or diag.line > len(lines):
        return []
    source = lines[diag.line - 1].expandtabs(1)
    if len(source) > 160:
        return []
    gutter = f"{diag.line:>4} | "
    return [gutter + source, " " * (len(gutter) - 2) + "| " + " " * max(diag.col - 1, 0) + "^"]


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
        body = diag.message + "".join("\n" + h for h in diag.hints)
        out.append(f"::{diag.severity} {','.join(props)}::{_escape_data(body)}")
    return "\n".join(out)


def on_github_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"

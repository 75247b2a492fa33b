"""JSON Schema validation, with each error walked back to the YAML node at fault.

The schemas in schemas/ are the single truth of the formats, and of the words a contributor
reads when a value has the wrong form: beside each `pattern` stand `patternErrorMessage` (the
rule in words, which the editors' language servers show too) and `x-pattern-diagnostic` (the
title, the hints and what follows the colon; see `_pattern`). This module only turns
jsonschema's errors into diagnostics, one small handler per keyword that failed.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from string import Formatter
from typing import Any
from urllib.parse import quote

import jsonschema
import jsonschema_rs
from referencing import Registry, Resource
from referencing.exceptions import Unresolvable

from ..diagnostics import Diagnostic, error
from ..model import YNode
from ..project import BUILTIN_SCHEMAS

SCHEMA_FILES = ("annotations.schema.json", "article.schema.json", "site.schema.json", "version.schema.json")
PATTERN_MESSAGE = "patternErrorMessage"  # the name VS Code's JSON and Red Hat's YAML servers read
PATTERN_DIAGNOSTIC = "x-pattern-diagnostic"  # ours: `x-` marks a keyword JSON Schema leaves alone


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


@cache
def _registry(schemas: Path = BUILTIN_SCHEMAS) -> Registry:
    resources = []
    for name in SCHEMA_FILES:
        contents = json.loads((schemas / name).read_text(encoding="utf-8"))
        resources.append((name, Resource.from_contents(contents)))
    return Registry().with_resources(resources)


@cache
def validator(name: str, schemas: Path = BUILTIN_SCHEMAS) -> jsonschema.protocols.Validator:
    schema = _registry(schemas).contents(name)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, registry=_registry(schemas))


def valid_annotation(data: Any) -> bool:
    """True if `data` (one annotation, in plain form) satisfies the schema on its own,
    so a file with one bad annotation still has its good ones anchored."""
    whole = validator("annotations.schema.json")
    items = whole.schema["properties"]["annotations"]["items"]
    return next(iter(whole.descend(data, items)), None) is None


@cache
def _compiled(name: str, schemas: Path = BUILTIN_SCHEMAS) -> jsonschema_rs.Validator:
    """The same schema compiled by jsonschema-rs (Rust): about 30× faster than fastjsonschema was
    on our annotation files (0.08 against 2.4 ms a file, measured side by side), which was 20×
    faster than jsonschema. jsonschema then explains the files the fast check rejects
    (tests/test_schema_fastpath.py holds the two to the same answers). Both ignore the message
    keywords."""
    return jsonschema_rs.validator_for(_registry(schemas).contents(name))


def is_valid_fast(name: str, data: Any, schemas: Path = BUILTIN_SCHEMAS) -> bool:
    try:
        return _compiled(name, schemas).is_valid(data)
    except ValueError:  # what JSON has no form for (a YAML key that is a number): the slow path says what
        return False


def diagnose(
    name: str, data: Any, root: YNode | None, path: str, *, schemas: Path = BUILTIN_SCHEMAS
) -> list[Diagnostic]:
    """Validate `data` (the plain form of `root`) against schema `name`."""
    if is_valid_fast(name, data, schemas):
        return []
    found: list[Diagnostic] = []
    for raw in validator(name, schemas).iter_errors(data):
        err = _best(raw)
        location = tuple(err.absolute_path)
        node = node_at(root, location)
        failure = _Failure(err, name, schemas, path, node, location)
        found.extend(_HANDLERS.get(str(err.validator), _other)(failure))
    return found


def _best(err: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """For anyOf/oneOf, report the alternative that got furthest rather than a vague summary."""
    if err.validator in ("anyOf", "oneOf") and err.context:
        matching = [e for e in err.context if e.validator != "type"]
        pool = matching or list(err.context)
        return _best(max(pool, key=lambda e: len(e.absolute_path)))
    return err


@dataclass(frozen=True)
class _Failure:
    """One jsonschema error and where it points: what every handler words its diagnostic from."""

    err: jsonschema.ValidationError
    name: str  # the schema that failed: `$ref`s are resolved in it (ours stay within their file)
    schemas: Path
    path: str
    node: YNode | None
    location: tuple[str | int, ...]

    @property
    def field(self) -> str:
        names = [p for p in self.location if isinstance(p, str)]
        return names[-1] if names else "document"

    @property
    def rule(self) -> dict[str, Any]:
        """The subschema holding the keyword that failed."""
        return self.err.schema if isinstance(self.err.schema, dict) else {}

    def description(self, subschema: Any = None) -> str:
        """The description of `subschema` (the failing one by default), through its `$ref`."""
        subschema = self.rule if subschema is None else subschema
        resolver = _registry(self.schemas).resolver(base_uri=self.name)
        for _ in range(8):  # a `$ref` to a `$ref`…: bounded, so a cycle cannot hang
            if not isinstance(subschema, dict) or subschema.get("description"):
                break
            if not isinstance(ref := subschema.get("$ref"), str):
                return ""
            try:
                resolved = resolver.lookup(ref)
            except Unresolvable:
                return ""
            subschema, resolver = resolved.contents, resolved.resolver
        return str(subschema.get("description", "")) if isinstance(subschema, dict) else ""

    def error(self, message: str, *hints: str, title: str, at: YNode | None = None) -> Diagnostic:
        node = at if at is not None else self.node
        line, col = (node.line, node.col) if node else (1, 1)
        return error(self.path, line, col, message, *hints, title=title)


def _additional_properties(f: _Failure) -> list[Diagnostic]:
    if not isinstance(f.err.instance, dict):
        return _other(f)
    allowed = sorted(f.rule.get("properties", {}))
    found = []
    for key in (k for k in f.err.instance if k not in allowed):
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        hints = [f"did you mean `{close[0]}`?"] if close else []
        hints.append("valid keys here: " + ", ".join(allowed))
        key_node = f.node.keys.get(key) if f.node else None
        found.append(f.error(f"unknown key `{key}`", *hints, title="Unknown key", at=key_node))
    return found


def _required(f: _Failure) -> list[Diagnostic]:
    message = f.err.message
    missing = message.split("'")[1] if "'" in message else str(f.err.validator_value)
    if missing == "quote" and "properties" not in f.rule:
        # from the schema's `if prefix/suffix then quote` rules
        return [f.error("`prefix` and `suffix` need a `quote`", "add the quote they surround, or remove them",
                        title="Missing quote")]
    if missing == "verdict":
        return [f.error("a claim needs a `verdict`",
                        "add `verdict:` with one of the ids of the verdict scale in site.yaml",
                        title="Missing verdict")]
    field_schema = f.rule.get("properties", {}).get(missing, {})
    return [f.error(f"missing required field `{missing}`", f.description(field_schema), title="Missing field")]


def _not(f: _Failure) -> list[Diagnostic]:
    value = f.err.instance
    if not (isinstance(value, dict) and "verdict" in value):
        return _other(f)
    if value.get("kind") not in ("sourcing", "context"):
        return []  # kind is missing or wrong: that error says what to fix
    verdict_node = f.node.value.get("verdict") if f.node and f.node.kind == "mapping" else None
    return [f.error(f"`verdict` is only for claims, not for a {value['kind']} note",
                    "remove the verdict, or change `kind` to `claim`", title="Verdict on a non-claim", at=verdict_node)]


_EXPECTED = {"string": "text", "array": "a list", "object": "a mapping of `key: value` lines",
             "boolean": "true or false", "integer": "a whole number", "null": "nothing"}


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _type(f: _Failure) -> list[Diagnostic]:
    expected = f.err.validator_value
    names = [expected] if isinstance(expected, str) else list(expected)
    value = f.err.instance
    hints = [f.description()]
    if names == ["string"] and value is not None:
        hints.append("put the value in quotes to make it text")
    if names == ["array"] and isinstance(value, dict):
        hints.append("each item of a list starts on its own line with `- ` (a dash and a space)")
    if names == ["object"] and isinstance(value, str) and ": " not in value:
        hints.append("write `key: value` pairs, each on its own line, indented under this one")
    subject = f"`{f.field}`" if f.location else "the file"
    if f.location and isinstance(f.location[-1], int):  # an item of the list, not the list
        subject = f"item {f.location[-1] + 1} of `{f.field}`"
    wanted = " or ".join(_EXPECTED.get(t, t) for t in names)
    return [f.error(f"{subject} must be {wanted}, not {_type_name(value)}", *hints, title="Wrong type")]


def _enum(f: _Failure) -> list[Diagnostic]:
    options = [str(o) for o in f.err.validator_value]
    close = difflib.get_close_matches(str(f.err.instance), options, n=1, cutoff=0.5)
    hints = [f"did you mean `{close[0]}`?"] if close else []
    hints.append("one of: " + ", ".join(options))
    return [f.error(f"`{f.field}` cannot be `{f.err.instance}`", *hints, title="Invalid value")]


class _Words(dict[str, str]):
    """Placeholder values; a name the code does not know stays visible as `{name}`."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _url_problem(value: str) -> tuple[str, str]:
    """What is wrong with an address that is not http(s), and how to write it."""
    scheme, colon, rest = value.partition(":")
    if not colon or not scheme or "/" in scheme:
        return "not a web address", "write the full address, starting with https://"
    if scheme.lower() not in ("http", "https"):
        return f"the scheme `{scheme}:` is not allowed", "write the full address, starting with https://"
    if value != value.strip():
        return "the address begins or ends with white space", "delete the white space around it"
    if any(c.isspace() for c in value):
        # (a space copied from a page's title or a wiki's name; the browser escaped it in its address bar)
        escaped = "".join(quote(c) if c.isspace() else c for c in value)
        return (f"the address contains {'a space' if ' ' in value else 'white space'}",
                f"write a space in an address as %20: `{escaped}`")
    if not rest.startswith("//"):
        return f"`{scheme}:` is not followed by `//`", f"write `{scheme}://` and the site's name, e.g. {scheme}://example.org/page"
    if re.match(r"//[^/?#]+", rest) and ("?" in rest or "#" in rest):  # (only `base_url` refuses them)
        return ("it has a query (`?…`) or a fragment (`#…`), and the site's addresses are made by adding to it",
                f"write the folder the site is published in, e.g. {scheme}://example.org/archive/")
    return f"there is no site name after `{scheme}://`", f"write the site's name after it, e.g. {scheme}://example.org/page"


# what a pattern's `x-pattern-diagnostic` may say; {example} is the value as lowercase words
# joined by hyphens (the slug it was probably meant to be)
PLACEHOLDERS = ("field", "value", "example", "url_problem", "url_hint", "description")


def _placeholders(f: _Failure) -> _Words:
    value = str(f.err.instance)
    example = "-".join(re.findall(r"[a-z0-9]+", value.lower()))
    return _Words(zip(PLACEHOLDERS, (f.field, value, example, *_url_problem(value), f.description()), strict=True))


def _hint(template: str, words: _Words) -> str:
    """The hint with its placeholders filled, or none if one it uses is empty (no half hints)."""
    used = [name for _, name, _, _ in Formatter().parse(template) if name]
    return "" if any(name in words and not words[name] for name in used) else template.format_map(words)


def _pattern(f: _Failure) -> list[Diagnostic]:
    """`field` <patternErrorMessage>: <detail>, with the diagnostic's hints and title from the
    schema. Without them: "has the wrong form", the value, and the field's description."""
    if f.location and f.location[-1] == "verdict":
        return []  # validate.py checks verdicts against the scale in site.yaml, with a suggestion
    words = _placeholders(f)
    spec = f.rule.get(PATTERN_DIAGNOSTIC, {})
    rule = f.rule.get(PATTERN_MESSAGE, "has the wrong form")
    message = f"`{f.field}` {rule}: " + spec.get("detail", "`{value}`").format_map(words)
    hints = [_hint(hint, words) for hint in spec.get("hints", ["{description}"])]
    return [f.error(message, *hints, title=spec.get("title", "Wrong form"))]


def _min_length(f: _Failure) -> list[Diagnostic]:
    return [f.error(f"`{f.field}` is empty", f.description(), title="Empty value")]


def _max_length(f: _Failure) -> list[Diagnostic]:
    return [f.error(f"`{f.field}` is too long (at most {f.err.validator_value} characters)", title="Too long")]


def _min_items(f: _Failure) -> list[Diagnostic]:
    return [f.error(f"`{f.field}` is an empty list", f.description(), title="Empty list")]


def _other(f: _Failure) -> list[Diagnostic]:
    return [f.error(f"`{f.field}`: {f.err.message}", f.description(), title="Invalid")]


# `format` is absent on purpose: neither jsonschema (without a FormatChecker, and we pass none) nor
# jsonschema-rs asserts it for our 2020-12 schemas, so a `format` rule would check nothing; write a pattern.
_HANDLERS: dict[str, Callable[[_Failure], list[Diagnostic]]] = {
    "additionalProperties": _additional_properties,
    "required": _required,
    "not": _not,
    "type": _type,
    "enum": _enum,
    "pattern": _pattern,
    "minLength": _min_length,
    "maxLength": _max_length,
    "minItems": _min_items,
}

"""JSON Schema validation, with each error walked back to the YAML node at fault.

The schemas in schemas/ are the single truth of the formats (editors use them too);
this module only turns jsonschema's errors into diagnostics a contributor can act on.
"""

from __future__ import annotations

import difflib
import json
import re
from functools import cache
from typing import Any

import fastjsonschema
import jsonschema
from referencing import Registry, Resource

from ..diagnostics import Diagnostic, error
from ..model import YNode, node_at
from ..project import BUILTIN_SCHEMAS

SCHEMA_FILES = ("annotations.schema.json", "article.schema.json", "site.schema.json")


@cache
def _registry() -> Registry:
    resources = []
    for name in SCHEMA_FILES:
        contents = json.loads((BUILTIN_SCHEMAS / name).read_text(encoding="utf-8"))
        resources.append((name, Resource.from_contents(contents)))
    return Registry().with_resources(resources)


@cache
def validator(name: str) -> jsonschema.protocols.Validator:
    schema = _registry().contents(name)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, registry=_registry())


def valid_annotation(data: Any) -> bool:
    """True if `data` (one annotation, in plain form) satisfies the schema on its own,
    so a file with one bad annotation still has its good ones anchored."""
    whole = validator("annotations.schema.json")
    items = whole.schema["properties"]["annotations"]["items"]
    return next(iter(whole.descend(data, items)), None) is None


@cache
def _compiled(name: str) -> Any:
    """The same schema compiled to Python by fastjsonschema: ~20× faster on valid files.

    Our schemas use only keywords that draft-07 has too, so the compiled check agrees with
    jsonschema (tests/test_schema_fastpath.py holds it to that); jsonschema then explains
    the files the fast check rejects.
    """
    schema = dict(_registry().contents(name))
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    return fastjsonschema.compile(schema)


def is_valid_fast(name: str, data: Any) -> bool:
    try:
        _compiled(name)(data)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


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


_EXPECTED = {
    "string": "text",
    "array": "a list",
    "object": "a mapping of `key: value` lines",
    "boolean": "true or false",
    "integer": "a whole number",
    "null": "nothing",
}


def _field_name(path: tuple[str | int, ...]) -> str:
    names = [p for p in path if isinstance(p, str)]
    return names[-1] if names else "document"


def _describe(err: jsonschema.ValidationError) -> str:
    schema = err.schema if isinstance(err.schema, dict) else {}
    description = schema.get("description", "")
    if not description and isinstance(schema.get("$ref"), str):
        ref = schema["$ref"].split("#", 1)[-1]
        try:
            target = _registry().contents("annotations.schema.json")
            for part in ref.strip("/").split("/"):
                target = target[part]
            description = target.get("description", "")
        except (KeyError, TypeError):
            description = ""
    return description


def _best(err: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """For anyOf/oneOf, report the alternative that got furthest rather than a vague summary."""
    if err.validator in ("anyOf", "oneOf") and err.context:
        instance_type = type(err.instance)
        matching = [e for e in err.context if _instance_type_ok(e, instance_type)]
        pool = matching or list(err.context)
        return _best(max(pool, key=lambda e: len(e.absolute_path)))
    return err


def _instance_type_ok(err: jsonschema.ValidationError, instance_type: type) -> bool:
    return err.validator != "type"


def diagnose(
    name: str, data: Any, root: YNode | None, path: str, where: str = "file"
) -> list[Diagnostic]:
    """Validate `data` (the plain form of `root`) against schema `name`."""
    if is_valid_fast(name, data):
        return []
    found: list[Diagnostic] = []
    for raw in validator(name).iter_errors(data):
        found.extend(_to_diagnostics(_best(raw), root, path, where))
    return found


def _to_diagnostics(
    err: jsonschema.ValidationError, root: YNode | None, path: str, where: str
) -> list[Diagnostic]:
    location = tuple(err.absolute_path)
    node = node_at(root, location)
    line, col = (node.line, node.col) if node else (1, 1)
    field = _field_name(location)
    hint = _describe(err)
    validator_name = err.validator
    value = err.instance

    if validator_name == "additionalProperties" and isinstance(value, dict):
        allowed = sorted(err.schema.get("properties", {}))
        extras = [k for k in value if k not in allowed]
        results = []
        for key in extras:
            key_node = node.keys.get(key) if node else None
            k_line, k_col = (key_node.line, key_node.col) if key_node else (line, col)
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            hints = [f"did you mean `{close[0]}`?"] if close else []
            hints.append("valid keys here: " + ", ".join(allowed))
            results.append(error(path, k_line, k_col, f"unknown key `{key}`", *hints, title="Unknown key"))
        return results
    if validator_name == "required":
        missing = err.message.split("'")[1] if "'" in err.message else str(err.validator_value)
        props = err.schema.get("properties", {}) if isinstance(err.schema, dict) else {}
        if missing == "quote" and "properties" not in err.schema:
            # from the schema's `if prefix/suffix then quote` rules
            return [error(path, line, col, "`prefix` and `suffix` need a `quote`",
                          "add the quote they surround, or remove them", title="Missing quote")]
        if missing == "verdict":
            return [error(path, line, col, "a claim needs a `verdict`",
                          "add `verdict:` with one of the ids of the verdict scale in site.yaml",
                          title="Missing verdict")]
        description = props.get(missing, {}).get("description", "")
        return [error(path, line, col, f"missing required field `{missing}`", description,
                      title="Missing field")]
    if validator_name == "not" and isinstance(value, dict) and "verdict" in value:
        if value.get("kind") not in ("sourcing", "context"):
            return []  # kind is missing or wrong: that error says what to fix
        verdict_node = node.value.get("verdict") if node and node.kind == "mapping" else None
        v_line, v_col = (verdict_node.line, verdict_node.col) if verdict_node else (line, col)
        kind_name = value.get("kind", "this kind")
        return [error(path, v_line, v_col, f"`verdict` is only for claims, not for a {kind_name} note",
                      "remove the verdict, or change `kind` to `claim`", title="Verdict on a non-claim")]
    if validator_name == "type":
        expected = err.validator_value
        expected_names = [expected] if isinstance(expected, str) else list(expected)
        wanted = " or ".join(_EXPECTED.get(t, t) for t in expected_names)
        hints = [hint]
        if expected_names == ["string"] and value is not None:
            hints.append("put the value in quotes to make it text")
        if expected_names == ["array"] and isinstance(value, dict):
            hints.append("each item of a list starts on its own line with `- ` (a dash and a space)")
        if expected_names == ["object"] and isinstance(value, str) and ": " not in value:
            hints.append("write `key: value` pairs, each on its own line, indented under this one")
        subject = f"`{field}`" if location else "the file"
        return [error(path, line, col, f"{subject} must be {wanted}, not {_type_name(value)}", *hints,
                      title="Wrong type")]
    if validator_name == "enum":
        options = [str(o) for o in err.validator_value]
        close = difflib.get_close_matches(str(value), options, n=1, cutoff=0.5)
        hints = [f"did you mean `{close[0]}`?"] if close else []
        hints.append("one of: " + ", ".join(options))
        return [error(path, line, col, f"`{field}` cannot be `{value}`", *hints, title="Invalid value")]
    if validator_name == "pattern":
        pattern = str(err.validator_value)
        if location and location[-1] == "verdict":
            return []  # validate.py checks verdicts against the scale in site.yaml, with a suggestion
        if "[Hh][Tt][Tt][Pp]" in pattern or pattern.startswith("^https?") or pattern.startswith("^(https?"):
            scheme = str(value).split(":", 1)[0] if ":" in str(value) else ""
            what = f"the scheme `{scheme}:` is not allowed" if scheme and "//" not in scheme else "not a web address"
            return [error(path, line, col, f"`{field}` must be an http or https address: {what}",
                          "write the full address, starting with https://", title="Bad URL")]
        if "[0-9]{4}" in pattern:
            return [error(path, line, col, f"`{field}` is not a valid date: `{value}`",
                          hint or "write dates as YYYY-MM-DD", title="Bad date")]
        if "[a-z0-9]" in pattern:
            suggestion = "-".join(re.findall(r"[a-z0-9]+", str(value).lower()))
            return [error(path, line, col, f"`{field}` must use only lowercase letters, digits and hyphens, "
                          f"starting with a letter or digit: `{value}`",
                          f"for example `{suggestion}`" if suggestion else "", hint, title="Bad identifier")]
        if "[A-Za-z0-9_.-]" in pattern:
            return [error(path, line, col, f"`{field}` must be a handle (letters, digits, `.`, `_` and `-`, "
                          f"no spaces): `{value}`", hint, title="Bad handle")]
        return [error(path, line, col, f"`{field}` has the wrong form: `{value}`", hint, title="Wrong form")]
    if validator_name == "minLength":
        return [error(path, line, col, f"`{field}` is empty", hint, title="Empty value")]
    if validator_name == "maxLength":
        return [error(path, line, col, f"`{field}` is too long (at most {err.validator_value} characters)",
                      title="Too long")]
    if validator_name == "minItems":
        return [error(path, line, col, f"`{field}` is an empty list", hint, title="Empty list")]
    return [error(path, line, col, f"`{field}`: {err.message}", hint, title="Invalid")]

"""The two pinned sets stay what the Makefile promises: requirements.lock is the engine and
exactly what it pulls in (no test runner, no browser driver), requirements-test.lock adds
the test tools and what they pull in, and pyproject.toml names the same versions."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.helpers import REPO

# The lock files are for the oldest Python the project supports: a marker such as
# `python_version < "3.13"` is read as it is there.
OLDEST_PYTHON = {"python_version": "3.11", "python_full_version": "3.11.0"}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)$")


def read_lock(path: Path) -> dict[str, str]:
    """Canonical name → version, following `-r` includes."""
    pins: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("-r "):
            pins.update(read_lock(path.parent / line[3:].strip()))
            continue
        match = PIN.match(line)
        assert match, f"{path.name}:{number}: not an exact pin: {raw!r}"
        pins[canonicalize_name(match[1])] = match[2]
    return pins


def closure(requirements: list[str]) -> set[str]:
    """Every distribution the requirements pull in, themselves included, as installed here."""
    seen: set[str] = set()
    todo = [(Requirement(text), "") for text in requirements]
    while todo:
        requirement, extra = todo.pop()
        if requirement.marker and not requirement.marker.evaluate({**OLDEST_PYTHON, "extra": extra}):
            continue
        name = canonicalize_name(requirement.name)
        wanted = ["", *sorted(requirement.extras)]
        if name in seen and not requirement.extras:
            continue
        seen.add(name)
        for text in metadata.requires(name) or []:
            todo.extend((Requirement(text), chosen) for chosen in wanted)
    return seen


def project() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_the_engine_set_is_the_engine_and_what_it_pulls_in() -> None:
    engine = read_lock(REPO / "requirements.lock")
    dependencies = project()["dependencies"]
    assert set(engine) == closure(dependencies), "requirements.lock: exactly the engine's packages"
    for text in dependencies:
        requirement = Requirement(text)
        assert engine[canonicalize_name(requirement.name)] == str(requirement.specifier).removeprefix("=="), text
    assert not {"pytest", "playwright", "hypothesis", "ruff", "zizmor"} & set(engine)


def test_the_test_set_adds_the_test_tools_and_what_they_pull_in() -> None:
    engine = read_lock(REPO / "requirements.lock")
    full = read_lock(REPO / "requirements-test.lock")
    tools = project()["optional-dependencies"]["test"]
    assert set(full) - set(engine) == closure(tools) - set(engine)
    assert {name: full[name] for name in engine} == engine, "the test set does not re-pin the engine's packages"
    for text in tools:
        requirement = Requirement(text)
        assert full[canonicalize_name(requirement.name)] == str(requirement.specifier).removeprefix("=="), text


def test_the_lock_files_are_what_is_installed() -> None:
    """Run under `make test`, whose venv is made from requirements-test.lock: a pin that does
    not match what pip installed is a lock file edited without installing it."""
    for name, version in read_lock(REPO / "requirements-test.lock").items():
        assert metadata.version(name) == version, name

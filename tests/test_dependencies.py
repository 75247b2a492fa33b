"""The two pinned sets stay what the Makefile promises: requirements.lock is the engine and
exactly what it pulls in (no test runner, no browser driver), requirements-test.lock adds
the test tools and what they pull in, and pyproject.toml names the same versions."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
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


def _python_without_the_engine() -> str | None:
    """This venv's base interpreter, if it lacks the engine's libraries (a user's bare `python`)."""
    base = getattr(sys, "_base_executable", None)
    if not base or sys.prefix == sys.base_prefix:  # (not in a venv: this Python is the bare one)
        return None
    lacks = subprocess.run([base, "-c", "import jinja2, jsonschema_rs, yaml"], capture_output=True).returncode
    return base if lacks else None


def test_build_py_with_a_bare_python_runs_in_the_projects_venv_or_says_how_to_make_one(tmp_path: Path) -> None:
    """CONTRIBUTING's `python build.py new …`: a Python without the engine's libraries ran into a
    traceback (ModuleNotFoundError: rapidfuzz). With a .venv beside build.py it runs there; without
    one it says to run `make deps`."""
    bare = _python_without_the_engine()
    if bare is None:
        pytest.skip("no Python without the engine's libraries on this machine")
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    shutil.copy(REPO / "build.py", checkout / "build.py")
    (checkout / "glossator").symlink_to(REPO / "glossator")
    archive = tmp_path / "archive"
    (archive / "content").mkdir(parents=True)
    command = [bare, str(checkout / "build.py"), "check", "--root", str(archive)]
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV"))}

    without = subprocess.run(command, capture_output=True, text=True, env=env)
    assert without.returncode == 2
    assert "Traceback" not in without.stderr
    assert "is not installed for" in without.stderr and "make deps" in without.stderr

    (checkout / ".venv").symlink_to(Path(sys.prefix))  # the project's .venv, as `make deps` leaves it
    within = subprocess.run(command, capture_output=True, text=True, env=env)
    assert within.returncode == 0, within.stderr
    assert "Traceback" not in within.stderr

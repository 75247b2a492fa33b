"""The engine's shape, held to what the README promises: one folder per stage, stages that
share the model but never import each other, the live preview on the build's own path,
and no module too long to read in one go."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parent.parent / "glossator"
STAGES = ("load", "validate", "anchor", "render", "exports", "search")
SHARED = {"model", "project", "diagnostics"}  # what every stage may import
MAX_LINES = 400


def _imports(path: Path, text: str | None = None) -> set[str]:
    """The glossator modules a file imports, as dotted names under glossator (e.g. "build.plan")."""
    package = path.relative_to(ENGINE).with_suffix("").parts[:-1]
    found: set[str] = set()
    source = path.read_text(encoding="utf-8") if text is None else text
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package[: len(package) - node.level + 1])
                target = [*base, *(node.module.split(".") if node.module else [])]
            elif node.module and node.module.startswith("glossator"):
                target = node.module.split(".")[1:]
            else:
                continue
            # `from X import y`: y may be a module of X or a name in it; both count
            found.update(".".join([*target, alias.name]) for alias in node.names)
            found.add(".".join(target))
    return {name for name in found if name}


def _top(name: str) -> str:
    return name.split(".", 1)[0]


def _modules(folder: str) -> list[Path]:
    return sorted((ENGINE / folder).glob("*.py"))


def test_stages_import_only_the_model_and_themselves() -> None:
    for stage in STAGES:
        for path in _modules(stage):
            foreign = {name for name in _imports(path) if _top(name) not in {stage, *SHARED}}
            assert not foreign, f"{path.relative_to(ENGINE.parent)} imports {sorted(foreign)}"


def test_the_shared_modules_import_no_stage() -> None:
    for name in SHARED:
        imported = {_top(n) for n in _imports(ENGINE / f"{name}.py")}
        assert imported <= SHARED, (name, imported)


def test_the_live_preview_goes_through_the_build() -> None:
    """serve/ takes the build's plan and per-article function, never the stages one by one."""
    for path in _modules("serve"):
        stages = {_top(name) for name in _imports(path)} & {"load", "validate", "anchor", "render", "exports"}
        assert not stages, f"{path.relative_to(ENGINE.parent)} imports the stages {sorted(stages)}"
    hot = _imports(ENGINE / "serve" / "hot.py")
    assert "build.article.build_article" in hot and "build.plan.make_plan" in hot


def test_no_module_is_too_long() -> None:
    for path in ENGINE.rglob("*.py"):
        lines = path.read_text(encoding="utf-8").count("\n")
        assert lines <= MAX_LINES, f"{path.relative_to(ENGINE.parent)}: {lines} lines"


def test_the_checker_sees_a_stage_importing_another() -> None:
    """(The import reader itself: relative imports across stages are resolved.)"""
    probe = ENGINE / "exports" / "probe.py"
    assert "anchor.markdown.render_note" in _imports(probe, "from ..anchor.markdown import render_note\n")
    assert "anchor.markdown" in _imports(probe, "from ..anchor import markdown\n")
    assert "exports.w3c" in _imports(probe, "from . import w3c\n")
    assert "model.Article" in _imports(probe, "from glossator.model import Article\n")

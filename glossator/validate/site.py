"""site.yaml (as read by load/site.py) → SiteConfig, with the default verdict scale."""

from __future__ import annotations

import dataclasses

from ..diagnostics import Diagnostic, error
from ..model import RawSite, SiteConfig, Verdict
from . import schema
from .plain import to_plain

DEFAULT_VERDICTS = (
    Verdict("accurate", "Accurate", 5, "The claim is correct and nothing significant is missing."),
    Verdict("mostly-accurate", "Mostly accurate", 4, "Correct, but needs clarification or additional information."),
    Verdict("mixed", "Mixed", 3, "Partly correct and partly wrong or unsupported."),
    Verdict("misleading", "Misleading", 2, "Contains some truth but leaves a false impression."),
    Verdict("inaccurate", "Inaccurate", 1, "The claim is false."),
    Verdict("unsupported", "Unsupported", None, "No evidence is offered, and none could be found."),
    Verdict("unverifiable", "Unverifiable", None, "It cannot be checked with the information available."),
)

DEFAULTS = SiteConfig(
    title="Glossator archive",
    description="Annotated news articles: claims checked, sources traced, context added.",
    base_url="http://127.0.0.1:8000/",
    repo_url="",
    repo_branch="main",
    language="en",
    verdicts=DEFAULT_VERDICTS,
)


def site_config(raw: RawSite | None, base_url: str | None = None) -> tuple[SiteConfig, list[Diagnostic]]:
    """The site's settings from site.yaml as read (None: the defaults). Problems come back as
    diagnostics, with the defaults in force; `base_url` (the --base-url option) wins over the file's."""
    config = DEFAULTS
    diagnostics: list[Diagnostic] = []
    if raw is not None:
        root = raw.root
        data = to_plain(root) or {}
        diagnostics = schema.diagnose("site.schema.json", data, root, raw.path)
        if not diagnostics:
            diagnostics = _duplicate_verdicts(raw)
        if not diagnostics and isinstance(data, dict):
            verdicts = config.verdicts
            if "verdicts" in data:
                verdicts = tuple(
                    Verdict(v["id"], v["label"], v.get("rating"), v.get("description", ""))
                    for v in data["verdicts"]
                )
            config = SiteConfig(
                title=data.get("title", config.title),
                description=data.get("description", config.description),
                base_url=data.get("base_url", config.base_url),
                repo_url=data.get("repo_url", config.repo_url).rstrip("/"),
                repo_branch=data.get("repo_branch", config.repo_branch),
                language=data.get("language", config.language),
                verdicts=verdicts,
                max_file_bytes=data.get("max_file_bytes", config.max_file_bytes),
                search_shard_size=data.get("search_shard_size", config.search_shard_size),
            )
    return _with_base(config, base_url), diagnostics


def _duplicate_verdicts(raw: RawSite) -> list[Diagnostic]:
    """A verdict id given twice (the schema cannot say it of one key of objects): two verdicts
    would share the claims page's heading and its `#verdict-<id>` anchor."""
    verdicts = raw.root.get("verdicts") if raw.root is not None else None
    seen: set[str] = set()
    problems: list[Diagnostic] = []
    for item in verdicts.value if verdicts is not None else []:
        node = item.get("id")
        if node is None:
            continue
        if node.value in seen:
            problems.append(error(raw.path, node.line, node.col, f"the verdict `{node.value}` is on the scale twice",
                                  "give each verdict its own id (claims name their verdict by it), or remove this one",
                                  title="Duplicate id"))
        seen.add(node.value)
    return problems


def _with_base(config: SiteConfig, base_url: str | None) -> SiteConfig:
    url = base_url or config.base_url
    if not url.endswith("/"):
        url += "/"
    if url == config.base_url:
        return config
    return dataclasses.replace(config, base_url=url)

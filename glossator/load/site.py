"""site.yaml → its raw YAML tree, read like every other input: inside the archive, within a
size limit, UTF-8, and parsed safely (no anchors, aliases or tags)."""

from __future__ import annotations

from ..diagnostics import Diagnostic, error
from ..model import RawSite, SiteConfig
from ..project import Project
from .files import read_text
from .yamlio import YamlProblem, parse_yaml

SITE_FILE = "site.yaml"
# Limits come from site.yaml itself (`max_file_bytes`), so site.yaml is read under the default.
MAX_SITE_BYTES = SiteConfig.__dataclass_fields__["max_file_bytes"].default


def load_site(project: Project) -> tuple[RawSite | None, list[Diagnostic]]:
    """The archive's site.yaml, or None when it has none (the defaults apply)."""
    path = project.site_yaml
    if not path.exists() and not path.is_symlink():
        return None, []
    if path.is_dir():
        return None, [error(SITE_FILE, 0, 0, "site.yaml is a folder, not the site's settings file",
                            "remove the folder, or replace it with a site.yaml file (it is optional)",
                            title="Not a file")]
    text, problems = read_text(project, path, MAX_SITE_BYTES, SITE_FILE)
    if text is None:
        return None, problems
    try:
        root = parse_yaml(text)
    except YamlProblem as problem:
        return None, [error(SITE_FILE, problem.line, problem.col, problem.message, problem.hint, title="YAML error")]
    return RawSite(SITE_FILE, root), []

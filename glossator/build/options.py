"""A build's options, in a module of their own: a build with nothing changed compares them
with the last build's before importing anything else (build/cache.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BuildOptions:
    """What the command line chose. `key` is what the build cache records of them: a build
    with other options never answers "nothing changed" from the last one."""

    base_url: str | None = None
    drafts: bool = False
    search: bool = True

    @property
    def key(self) -> str:
        return repr((self.base_url, self.drafts, self.search))

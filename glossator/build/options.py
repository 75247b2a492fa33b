"""A build's options, in a module of their own: a build with nothing changed compares them
with the last build's before importing anything else (build/cache.py). And how often its
processes collect garbage, set by the command line before anything else is imported too."""

from __future__ import annotations

import gc
from dataclasses import dataclass

# The cyclic collector's first threshold. An article's objects (tokens, YAML nodes, views) live
# while it is made and hold few cycles; at Python's default (700 more containers made than freed)
# the collector ran about twice an article and took 0.23 ms of its ~6 ms of CPU, at 10,000
# 0.02 ms (1,500 articles of the 10k bench corpus, timed with gc.callbacks).
COLLECT_AFTER = 10_000


def collect_less() -> None:
    """Run the cyclic collector less often, in a process that runs the articles of one build."""
    gc.set_threshold(COLLECT_AFTER, *gc.get_threshold()[1:])


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

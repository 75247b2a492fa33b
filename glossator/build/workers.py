"""The articles of a build, in batches, over worker processes.

Each worker gets the plan once, when it starts, then batches of slugs; it runs every
article of a batch through build_article and sends back only the outcomes (diagnostics,
the small summaries the listings need, the names of the files written): pages never
travel between processes.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import Diagnostic
from .article import ArticleOutcome, build_article
from .background import process_context
from .options import collect_less
from .plan import Plan
from .staging import OutputDir

Progress = Callable[[str, int, int], None]
SERIAL_BELOW = 64  # articles; below this, worker processes cost more than they save
BATCH_MAX = 200
BATCH_MIN = 8


@dataclass(frozen=True)
class Batch:
    slugs: tuple[str, ...]
    drafts: bool
    out: Path | None  # None: check only, render nothing


@dataclass
class BatchResult:
    outcomes: list[ArticleOutcome] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(outcome.failed for outcome in self.outcomes)


_plan: Plan | None = None  # the worker's plan, set when it starts


def _start_worker(plan: Plan) -> None:
    global _plan
    _plan = plan
    collect_less()
    # Ctrl-C reaches the whole process group: the parent stops the build and terminates the pool,
    # so the workers need not each print a KeyboardInterrupt traceback on the way out.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def run_batch(batch: Batch, plan: Plan | None = None) -> BatchResult:
    plan = plan or _plan
    assert plan is not None, "a worker runs batches only after _start_worker"
    result = BatchResult()
    failed = False  # once an error is found the build fails: keep checking, stop rendering
    out = OutputDir(batch.out) if batch.out is not None else None
    for slug in batch.slugs:
        outcome = build_article(plan, plan.articles[slug], drafts=batch.drafts, out=None if failed else out)
        result.outcomes.append(outcome)
        failed = failed or outcome.failed
    return result


def _share_texts(diagnostics: Sequence[Diagnostic], shared: dict[object, object]) -> None:
    """One copy of each message, hint list and title for the whole build: most warnings repeat
    across articles (150,000 at 10,000 articles, a few dozen distinct texts), and the parent
    holds them all until the build is cached."""
    for diagnostic in diagnostics:
        diagnostic.message = shared.setdefault(diagnostic.message, diagnostic.message)  # type: ignore[assignment]
        diagnostic.hints = shared.setdefault(diagnostic.hints, diagnostic.hints)  # type: ignore[assignment]
        diagnostic.title = shared.setdefault(diagnostic.title, diagnostic.title)  # type: ignore[assignment]
        diagnostic.path = shared.setdefault(diagnostic.path, diagnostic.path)  # type: ignore[assignment]


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _batches(slugs: Sequence[str], jobs: int) -> list[tuple[str, ...]]:
    """Slices of `slugs` that shrink towards the end, each at most a quarter of a worker's share of
    what is left: the workers run out of work together, not one a whole batch (~1 s) after the other."""
    batches = []
    start = 0
    while start < len(slugs):
        size = max(BATCH_MIN, min(BATCH_MAX, (len(slugs) - start) // (jobs * 4)))
        batches.append(tuple(slugs[start : start + size]))
        start += size
    return batches


def run_articles(plan: Plan, slugs: Sequence[str], *, drafts: bool, out: Path | None, jobs: int = 0,
                 progress: Progress | None = None,
                 on_batch: Callable[[list[ArticleOutcome]], None] | None = None) -> list[ArticleOutcome]:
    """Every article named through build_article, over worker processes, in batches taken in the
    order given; `on_batch` hears of each batch as it is done. Outcomes come back in slug order."""
    jobs = jobs or default_jobs()
    # small archives are not worth the processes' start-up
    batches = [tuple(slugs)] if jobs == 1 or len(slugs) < SERIAL_BELOW else _batches(slugs, jobs)
    outcomes: list[ArticleOutcome] = []

    shared: dict[object, object] = {}

    def gather(result: BatchResult) -> None:
        for outcome in result.outcomes:
            _share_texts(outcome.diagnostics, shared)
        outcomes.extend(result.outcomes)
        if on_batch:
            on_batch(result.outcomes)
        if progress:
            progress("articles", len(outcomes), len(slugs))

    if len(batches) == 1:
        gather(run_batch(Batch(batches[0], drafts, out), plan))
    else:
        with process_context().Pool(min(jobs, len(batches)), initializer=_start_worker, initargs=(plan,)) as pool:
            for result in pool.imap_unordered(run_batch, [Batch(b, drafts, out) for b in batches]):
                gather(result)
    outcomes.sort(key=lambda outcome: outcome.slug)
    return outcomes

"""The claims page, and in a large archive the pages of each verdict's claims.

One page of every claim is no page at 10,000 articles: 30 MB of HTML for 90,000 claims, which a
phone will not open. From CLAIMS_PER_PAGE claims on, /claims/ is an overview (every verdict's count
and its newest claims, with its section as before, for the exports' `claims/#verdict-<id>`), and a
verdict's claims are listed CLAIMS_PER_PAGE a page at /claims/<verdict>/, /claims/<verdict>/2/…,
newest article first. A smaller archive's /claims/ lists every claim on one page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice

from markupsafe import Markup

from ..model import ArticleSummary, SiteConfig
from .views import by_recency, unpack_claims

CLAIMS_PER_PAGE = 100
CLAIMS_PREVIEW = 10  # a verdict's newest claims on the overview
PAGER_REACH = 2  # the pages linked by number on each side of the current one


@dataclass(frozen=True)
class VerdictGroup:
    id: str
    label: str
    description: str
    count: int
    claims: Iterable[Markup]  # each claim's entry, newest article first; read once, as the page is written
    all_claims: str | None = None  # the first of its own pages, when /claims/ shows only its newest


@dataclass(frozen=True)
class Pager:
    """Where a page stands among the pages of one list."""

    number: int  # 1-based
    paths: tuple[str, ...]  # every page's path, first to last

    @property
    def count(self) -> int:
        return len(self.paths)

    @property
    def newer(self) -> str | None:
        return self.paths[self.number - 2] if self.number > 1 else None

    @property
    def older(self) -> str | None:
        return self.paths[self.number] if self.number < self.count else None

    @property
    def numbers(self) -> list[tuple[int, str] | None]:
        """The pages linked by number: the first, the last and those near this one; None where
        pages are left out between them."""
        shown = sorted({1, self.count, *range(max(1, self.number - PAGER_REACH),
                                               min(self.count, self.number + PAGER_REACH) + 1)})
        numbers: list[tuple[int, str] | None] = []
        for n in shown:
            if numbers and (previous := numbers[-1]) is not None and n > previous[0] + 1:
                numbers.append(None)
            numbers.append((n, self.paths[n - 1]))
        return numbers


@dataclass(frozen=True)
class ClaimsPage:
    """One page of a verdict's claims."""

    path: str
    group: VerdictGroup
    claims: list[Markup]
    pager: Pager


def verdict_page_path(verdict: str, number: int) -> str:
    return f"claims/{verdict}/" if number == 1 else f"claims/{verdict}/{number}/"


def _claims_with(verdict: str, summaries: Sequence[ArticleSummary]) -> Iterator[Markup]:
    for summary in summaries:
        for of, packed in summary.claims:
            if of == verdict:
                yield from unpack_claims(packed)


def _groups(summaries: Sequence[ArticleSummary], config: SiteConfig) -> list[VerdictGroup]:
    recent = by_recency(summaries)
    counts: Counter[str] = Counter()
    for summary in summaries:
        counts.update(dict(summary.verdict_counts))
    return [VerdictGroup(v.id, v.label, v.description, counts[v.id], _claims_with(v.id, recent))
            for v in config.verdicts]


def _paged(groups: Sequence[VerdictGroup]) -> bool:
    return sum(group.count for group in groups) > CLAIMS_PER_PAGE


def claim_groups(summaries: Sequence[ArticleSummary], config: SiteConfig) -> list[VerdictGroup]:
    """The claims page's groups; each unpacks its claims only as the page is written. In a large
    archive, a group shows its newest claims and names its own pages."""
    groups = _groups(summaries, config)
    if not _paged(groups):
        return groups
    return [VerdictGroup(g.id, g.label, g.description, g.count, islice(g.claims, CLAIMS_PREVIEW),
                         verdict_page_path(g.id, 1) if g.count > CLAIMS_PREVIEW else None) for g in groups]


def verdict_pages(summaries: Sequence[ArticleSummary], config: SiteConfig) -> Iterator[ClaimsPage]:
    """The pages of every verdict the overview names (none in a small archive), one at a time."""
    groups = _groups(summaries, config)
    if not _paged(groups):
        return
    for group in groups:
        if group.count <= CLAIMS_PREVIEW:
            continue
        count = -(-group.count // CLAIMS_PER_PAGE)
        paths = tuple(verdict_page_path(group.id, n) for n in range(1, count + 1))
        claims = iter(group.claims)
        for number, path in enumerate(paths, 1):
            yield ClaimsPage(path, group, list(islice(claims, CLAIMS_PER_PAGE)), Pager(number, paths))

"""The claims page, and in a large archive the pages of each verdict's claims.

One page of every claim is no page at 10,000 articles: 30 MB of HTML for 90,000 claims, which a
phone will not open. From CLAIMS_PER_PAGE claims on, /claims/ is an overview (every verdict's count
and its newest claims, with its section as before, for the exports' `claims/#verdict-<id>`), and a
verdict's claims are listed CLAIMS_PER_PAGE a page at /claims/<verdict>/, /claims/<verdict>/page/2/…,
newest article first (paging.py). A smaller archive's /claims/ lists every claim on one page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice

from markupsafe import Markup

from ..model import ArticleSummary, SiteConfig
from .paging import ListPage, paged
from .views import by_recency, unpack_claims

CLAIMS_PER_PAGE = 100
CLAIMS_PREVIEW = 10  # a verdict's newest claims on the overview


@dataclass(frozen=True)
class VerdictGroup:
    id: str
    label: str
    description: str
    count: int
    claims: Iterable[Markup]  # each claim's entry, newest article first; read once, as the page is written
    all_claims: str | None = None  # the first of its own pages, when /claims/ shows only its newest


def _claims_with(packed: Sequence[bytes]) -> Iterator[Markup]:
    for entries in packed:
        yield from unpack_claims(entries)


def _groups(summaries: Sequence[ArticleSummary], config: SiteConfig) -> list[VerdictGroup]:
    # each article's packed claims filed under their verdict in one pass, newest article first (a pass
    # over every article for each verdict took 0.2 s of a 10,000-article build's last, single-core part)
    packed: dict[str, list[bytes]] = {v.id: [] for v in config.verdicts}
    for summary in by_recency(summaries):
        for verdict, entries in summary.claims:
            if verdict in packed:
                packed[verdict].append(entries)
    counts: Counter[str] = Counter()
    for summary in summaries:
        counts.update(dict(summary.verdict_counts))
    return [VerdictGroup(v.id, v.label, v.description, counts[v.id], _claims_with(packed[v.id]))
            for v in config.verdicts]


def _paged(groups: Sequence[VerdictGroup], pages: bool) -> bool:
    return pages and sum(group.count for group in groups) > CLAIMS_PER_PAGE


def claim_groups(summaries: Sequence[ArticleSummary], config: SiteConfig, pages: bool = True
                 ) -> list[VerdictGroup]:
    """The claims page's groups; each unpacks its claims only as the page is written. In a large
    archive, a group shows its newest claims and names its own pages (unless `pages` is False: the
    claims page names none)."""
    groups = _groups(summaries, config)
    if not _paged(groups, pages):
        return groups
    return [VerdictGroup(g.id, g.label, g.description, g.count, islice(g.claims, CLAIMS_PREVIEW),
                         f"claims/{g.id}/" if g.count > CLAIMS_PREVIEW else None) for g in groups]


def verdict_pages(summaries: Sequence[ArticleSummary], config: SiteConfig, pages: bool = True
                  ) -> Iterator[tuple[VerdictGroup, ListPage[Markup]]]:
    """The pages of every verdict the overview names (none in a small archive), one at a time."""
    groups = _groups(summaries, config)
    if not _paged(groups, pages):
        return
    for group in groups:
        if group.count > CLAIMS_PREVIEW:
            for page in paged(f"claims/{group.id}/", group.claims, group.count, CLAIMS_PER_PAGE):
                yield group, page

"""Long listings in pages: a list of 10,000 articles is 5.8 MB of HTML, and of their 90,000 claims
30 MB. A list of more than a page's worth is cut into pages of that many entries, newest first,
each linked to the others by a pager; a shorter list stays one page, as it always was."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Generic, TypeVar

PAGER_REACH = 2  # the pages linked by number on each side of the current one
Entry = TypeVar("Entry")


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
        near = range(max(1, self.number - PAGER_REACH), min(self.count, self.number + PAGER_REACH) + 1)
        shown = {1, self.count, *near}
        shown |= {n + 1 for n in shown if n + 2 in shown}  # ("…" for one page would hide no more than its number)
        numbers: list[tuple[int, str] | None] = []
        for n in sorted(shown):
            if numbers and (previous := numbers[-1]) is not None and n > previous[0] + 1:
                numbers.append(None)
            numbers.append((n, self.paths[n - 1]))
        return numbers


@dataclass(frozen=True)
class ListPage(Generic[Entry]):
    """One page of a list: its path, its entries, and (when the list has several) its pager."""

    path: str
    entries: list[Entry]
    pager: Pager | None


def paged(first: str, entries: Iterable[Entry], count: int, per_page: int) -> Iterator[ListPage[Entry]]:
    """The pages of a list of `count` entries, read from `entries` a page at a time: `first` (a
    folder's path) holds the first page, and `first/page/<n>/` the others ("page/": an article's
    slug may be a number, never a path of two segments)."""
    if count <= per_page:
        yield ListPage(first, list(entries), None)
        return
    paths = (first, *(f"{first}page/{n}/" for n in range(2, -(-count // per_page) + 1)))
    reading = iter(entries)
    for number, path in enumerate(paths, 1):
        yield ListPage(path, list(islice(reading, per_page)), Pager(number, paths))


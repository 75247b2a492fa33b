"""Folding (SPEC §4): the form in which quotes and the page text are compared. Unicode NFC, curly
quotes, apostrophes, dashes and no-break spaces as their plain forms, white space collapsed; case
kept. A folded text maps its offsets back to the page text's (FoldedText.to_page)."""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

_FOLDED = {
    **{c: "'" for c in "\u2018\u2019\u201a\u201b\u2032\u02bc"},
    **{c: '"' for c in "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"},
    **{c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"},
    **{c: " " for c in "\u00a0\u2007\u202f\u2009\u200a\u2002\u2003\u2004\u2005\u2006\u2008\u205f\u3000"},
}
_FOLDED_CHAR = re.compile("[" + "".join(_FOLDED) + "]")


def fold_chars(text: str) -> str:
    """Typographic quotes, dashes and spaces as their plain forms, one character for one
    (a regex: str.translate with a non-ASCII table costs a dictionary lookup per character)."""
    return _FOLDED_CHAR.sub(lambda match: _FOLDED[match.group()], text)


# A run of white space but one plain space (not `\s{2,}|[^\S ]`: each try at a space cost two there)
_SPACE_RUN = re.compile(r"(?: \s|[^\S ])\s*")
# White space but the plain space: a search for it skips the spaces in C, where one for _SPACE_RUN
# stops at each of them (a page's ~1,000 spaces, to find its ~15 runs: 2.5% of an article's time)
_NOT_A_SPACE = re.compile(r"[^\S ]")


class _OffsetMap:
    """Maps an index of a derived string back to the source: piecewise identity."""

    def __init__(self) -> None:
        self.derived: list[int] = [0]
        self.source: list[int] = [0]

    def add(self, derived: int, source: int) -> None:
        self.derived.append(derived)
        self.source.append(source)

    def __call__(self, index: int) -> int:
        k = bisect.bisect_right(self.derived, index) - 1
        return self.source[k] + (index - self.derived[k])


def _nfc(text: str) -> tuple[str, _OffsetMap | None]:
    if unicodedata.is_normalized("NFC", text):
        return text, None
    mapping = _OffsetMap()
    out: list[str] = []
    length = 0
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and unicodedata.combining(text[j]):
            j += 1
        cluster = unicodedata.normalize("NFC", text[i:j])
        out.append(cluster)
        length += len(cluster)
        mapping.add(length, j)
        i = j
    return "".join(out), mapping


def _space_runs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each run that _SPACE_RUN matches, in order: every longest run of white space
    but a lone plain space. Each holds a character other than the plain space, or two plain spaces in
    a row; found so, it is widened to the white space on either side (re's `\\s` is str.isspace)."""
    hits = [match.start() for match in _NOT_A_SPACE.finditer(text)]
    at = text.find("  ")
    while at != -1:
        hits.append(at)
        at = text.find("  ", at + 2)
    hits.sort()
    runs: list[tuple[int, int]] = []
    end = 0
    for hit in hits:
        if hit < end:
            continue
        start = hit
        while start > end and text[start - 1].isspace():
            start -= 1
        end = hit + 1
        while end < len(text) and text[end].isspace():
            end += 1
        runs.append((start, end))
    return runs


def _collapse(text: str) -> tuple[str, _OffsetMap]:
    mapping = _OffsetMap()
    out: list[str] = []
    last = 0
    removed = 0
    for start, end in _space_runs(text):
        out.append(text[last:start])
        out.append(" ")
        folded_at = start - removed
        removed += end - start - 1
        mapping.add(folded_at + 1, end)
        last = end
    out.append(text[last:])
    return "".join(out), mapping


@dataclass(frozen=True)
class FoldedText:
    text: str
    _collapse_map: _OffsetMap
    _nfc_map: _OffsetMap | None

    def to_page(self, index: int) -> int:
        middle = self._collapse_map(index)
        return self._nfc_map(middle) if self._nfc_map else middle


def fold_text(page: str) -> FoldedText:
    normalised, nfc_map = _nfc(fold_chars(page))
    collapsed, collapse_map = _collapse(normalised)
    return FoldedText(collapsed, collapse_map, nfc_map)


def fold(text: str) -> str:
    """A quote, prefix or suffix in the form matching compares."""
    normalised = unicodedata.normalize("NFC", fold_chars(text))
    return _SPACE_RUN.sub(" ", normalised)

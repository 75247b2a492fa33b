"""A quote taken from the live page → its place in our archived text, or why it has none.

The live page and our copy differ: white space and typography (which anchoring folds away,
SPEC §4), a corrected word, a sentence cut. So:

1. **exact** (folded) first. Found once: that is the place (for a short quote whose given
   context disagrees with ours, the place is in doubt). Found several times: the file's
   prefix and suffix, and its position where it counts in our page text, choose one.
2. **fuzzy** otherwise: the closest passage (RapidFuzz alignment, widened to whole words and
   snapped to the quote's first and last words), if it is similar enough and clearly closer
   than any other passage once the context and position are weighed in.

A place in doubt is refused, never taken: the report shows the closest passage instead,
as `check` does. The quote is then written as our text has it, with the shortest prefix or
suffix that makes it resolve exactly once (what `check` will require).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

from .engine import (
    CLOSE_ENOUGH,
    Anchor,
    FoldedText,
    NotFound,
    anchor_quote,
    describe_differences,
    fold,
    fold_text,
    page_text,
    parse,
)
from .records import QuoteSelector

ACCEPT = 80  # % similarity (RapidFuzz ratio of the folded texts) from which a passage may stand for the quote
MARGIN = 6  # the best place must score this much above the next, hints included, or it is in doubt
MIN_CONTEXT = 60  # % similarity of the given prefix/suffix to ours, for them to choose among exact matches
SHORT_QUOTE = 20  # characters: below this, a quote found once is checked against its given context
DOUBTFUL_CONTEXT = 60  # … and is in doubt when neither its prefix nor its suffix is as similar to ours as this
MAX_CANDIDATES = 200  # exact matches weighed against the hints; more than this and the quote is too common
HEAD = 200  # a longer quote is aligned by its first HEAD characters (alignment cost grows faster than length)
MAX_CONTEXT_WORDS = 12
MAX_QUOTE = 5000  # the schema's limit for `quote`


@dataclass(frozen=True)
class Text:
    """An article's page text, folded once for all its quotes."""

    page: str
    folded: FoldedText

    @classmethod
    def of(cls, body: str) -> Text:
        page = page_text(parse(body)).text
        return cls(page, fold_text(page))

    @property
    def flat(self) -> str:
        return self.folded.text

    def to_page(self, start: int, end: int) -> tuple[int, int]:
        """Folded offsets → page-text offsets (a composed character's marks included)."""
        page_start = self.folded.to_page(start)
        page_end = self.folded.to_page(end - 1) + 1
        while page_end < len(self.page) and unicodedata.combining(self.page[page_end]):
            page_end += 1
        return page_start, page_end


@dataclass(frozen=True)
class Placed:
    quote: str  # as our text has it, white space collapsed
    prefix: str | None
    suffix: str | None
    start: int  # the passage in the page text
    end: int
    given: str  # the quote as the file gave it, white space collapsed
    similarity: int  # 100: the words as given (folding aside)
    differences: tuple[str, ...] = ()

    @property
    def adjusted(self) -> bool:
        return self.similarity < 100


@dataclass(frozen=True)
class Unplaced:
    message: str
    hints: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Candidate:
    start: int  # folded offsets
    end: int
    similarity: float
    score: float  # similarity with the hints weighed in
    context: float | None  # how alike the given prefix and suffix are to ours, on average
    best_context: float | None  # … the better of the two


def _occurrences(haystack: str, needle: str) -> list[int]:
    found, at = [], haystack.find(needle)
    while at != -1 and len(found) <= MAX_CANDIDATES:
        found.append(at)
        at = haystack.find(needle, at + 1)
    return found


def _context(text: Text, start: int, end: int, selector: QuoteSelector) -> tuple[float, float] | None:
    """How alike the given prefix/suffix are to the words around [start, end): on average, and the
    better of the two (None: none given)."""
    scores = []
    prefix, suffix = fold(selector.prefix).strip(), fold(selector.suffix).strip()
    if prefix:
        before = text.flat[max(0, start - len(prefix) - 2) : start].strip()[-len(prefix) :]
        scores.append(fuzz.ratio(prefix, before, processor=None))
    if suffix:
        after = text.flat[end : end + len(suffix) + 2].strip()[: len(suffix)]
        scores.append(fuzz.ratio(suffix, after, processor=None))
    return (sum(scores) / len(scores), max(scores)) if scores else None


def _points_at(text: Text, candidate: _Candidate, selector: QuoteSelector) -> bool:
    """Whether the selector's offsets (in our page text) fall on the candidate."""
    if selector.start is None or selector.end is None:
        return False
    start, end = text.to_page(candidate.start, candidate.end)
    return min(end, selector.end) - max(start, selector.start) > 0 or (start, end) == (selector.start, selector.end)


def _position_bonus(text: Text, start: int, end: int, selector: QuoteSelector, reliable: bool) -> float:
    if selector.start is None or selector.end is None:
        return 0.0
    page_start, page_end = text.to_page(start, end)
    if reliable:  # offsets in our page text: the place itself, or near it if the text changed since
        return 10.0 if min(page_end, selector.end) - max(page_start, selector.start) > 0 else 0.0
    # offsets in the live page's body (menus, headlines before the article): a weak tie-breaker
    return 3.0 * (1 - min(1.0, abs(page_start - selector.start) / max(1, len(text.page))))


def _weigh(text: Text, start: int, end: int, similarity: float, selector: QuoteSelector,
           reliable: bool) -> _Candidate:
    context = _context(text, start, end, selector)
    score = similarity if context is None else 0.7 * similarity + 0.3 * context[0]
    return _Candidate(start, end, similarity, score + _position_bonus(text, start, end, selector, reliable),
                      context[0] if context else None, context[1] if context else None)


def _boundary(text: str, at: int) -> bool:
    return at <= 0 or at >= len(text) or not (text[at - 1].isalnum() and text[at].isalnum())


def _edges(needle: str) -> tuple[str, str]:
    """The quote's first and last words, as many as make four characters (`a figure`, not `a`)."""
    words = needle.split(" ")
    first, last = words[0], words[-1]
    for word in words[1:]:
        if len(first) >= 4:
            break
        first += " " + word
    for word in reversed(words[:-1]):
        if len(last) >= 4:
            break
        last = word + " " + last
    return first, last


def _snap(text: str, needle: str, start: int, end: int) -> tuple[int, int]:
    """An alignment → a passage of whole words, its ends on the quote's first and last words
    where those stand nearby (words added or cut in our copy), else widened to whole words."""
    reach = max(12, len(needle) // 5)
    first, last = _edges(needle)
    low = max(0, start - reach)
    starts = [low + m.start() for m in re.finditer(re.escape(first), text[low : start + reach])]
    starts = [s for s in starts if _boundary(text, s)]
    if starts:
        start = min(starts, key=lambda s: abs(s - start))
    else:
        while start < end and needle[:1].isalnum() and not text[start].isalnum():
            start += 1
        while start > 0 and not _boundary(text, start):
            start -= 1
    low = max(start + 1, end - reach)
    ends = [low + m.end() for m in re.finditer(re.escape(last), text[low : end + reach])]
    ends = [e for e in ends if _boundary(text, e)]
    if ends:
        end = min(ends, key=lambda e: abs(e - end))
    else:
        while end > start and needle[-1:].isalnum() and not text[end - 1].isalnum():
            end -= 1
        while end < len(text) and not _boundary(text, end):
            end += 1
    while start < end and text[start] == " ":
        start += 1
    while end > start and text[end - 1] == " ":
        end -= 1
    return start, end


def _align(text: str, needle: str) -> tuple[int, int] | None:
    """The passage of `text` closest to `needle`, roughly: RapidFuzz's best alignment."""
    if not text.strip():
        return None
    if len(needle) >= len(text):
        return 0, len(text)
    head = needle[:HEAD] if len(needle) > HEAD else needle
    alignment = fuzz.partial_ratio_alignment(head, text, processor=None)
    if alignment is None or alignment.score == 0:
        return None
    if head is needle:
        return alignment.dest_start, alignment.dest_end
    return alignment.dest_start, min(len(text), alignment.dest_start + len(needle))


def _fuzzy(text: Text, needle: str, selector: QuoteSelector, reliable: bool) -> list[_Candidate]:
    """The closest passage and the next closest elsewhere, best first."""
    found: list[_Candidate] = []
    haystack = text.flat
    for _ in range(2):
        aligned = _align(haystack, needle)
        if aligned is None:
            break
        start, end = _snap(haystack, needle, *aligned)
        if end <= start:
            break
        similarity = fuzz.ratio(needle, haystack[start:end], processor=None)
        found.append(_weigh(text, start, end, similarity, selector, reliable))
        # blank it out, keeping every offset, and look for the next closest
        haystack = haystack[:start] + "\0" * (end - start) + haystack[end:]
    return sorted(found, key=lambda c: -c.score)


def _places(text: Text, candidates: list[_Candidate]) -> tuple[str, ...]:
    hints = []
    for n, candidate in enumerate(candidates[:4], 1):
        start, end = text.to_page(candidate.start, candidate.end)
        before = " ".join(text.page[max(0, start - 40) : start].split()[-5:])
        after = " ".join(text.page[end : end + 40].split()[:5])
        quote = " ".join(text.page[start:end].split())
        hints.append(f"place {n}: …{before} [{quote}] {after}…")
    return tuple(hints)


def _context_words(page: str, start: int, end: int) -> tuple[list[str], list[str]]:
    before = page[max(0, start - 400) : start]
    after = page[end : end + 400]
    return before.split()[-MAX_CONTEXT_WORDS:], after.split()[:MAX_CONTEXT_WORDS]


def selection(text: Text, quote: str, start: int, end: int) -> tuple[str | None, str | None] | None:
    """The shortest prefix (or suffix, or both) with which `quote` resolves to [start, end) alone,
    as `check` resolves it; None if no dozen words around it tell it apart."""

    def resolves(prefix: str | None, suffix: str | None) -> bool:
        result = anchor_quote("import", text.folded, text.page, quote, prefix, suffix, explain=False)
        return isinstance(result, Anchor) and (result.start, result.end) == (start, end)

    if resolves(None, None):
        return None, None
    words_before, words_after = _context_words(text.page, start, end)
    prefixes = [" ".join(words_before[-k:]) for k in range(1, len(words_before) + 1)]
    suffixes = [" ".join(words_after[:k]) for k in range(1, len(words_after) + 1)]
    prefixes = [p for p in prefixes if any(c.isalnum() for c in p)]
    suffixes = [s for s in suffixes if any(c.isalnum() for c in s)]
    prefix = next((p for p in prefixes if resolves(p, None)), None)
    suffix = next((s for s in suffixes if resolves(None, s)), None)
    if prefix and (suffix is None or len(prefix.split()) <= len(suffix.split())):
        return prefix, None
    if suffix:
        return None, suffix
    for prefix in prefixes[-1:]:  # the longest prefix, and as few words after as will do
        for suffix in suffixes:
            if resolves(prefix, suffix):
                return prefix, suffix
    return None


def _closest_hints(text: Text, selector: QuoteSelector, slug: str) -> tuple[str, ...]:
    """The closest passage, worded as `check` words it."""
    result = anchor_quote("import", text.folded, text.page, selector.exact)
    if not isinstance(result, NotFound) or not result.closest:
        return ()
    if result.similarity < CLOSE_ENOUGH:
        return (f"nothing in content/{slug}.md comes close (the best match is {result.similarity}% similar): "
                "is this annotation about this article?",)
    return (f"the closest passage ({result.similarity}% similar) is:\n“{result.closest}”", *result.differences)


def place(text: Text, selector: QuoteSelector, slug: str, reliable_positions: bool = False,
          exact_only: bool = False) -> Placed | Unplaced:
    """The quote's place in our text, or why it has none. `reliable_positions`: the selector's
    offsets count in this archive's page text (our own export). `exact_only`: no approximate
    place (asking whether a text has the words themselves)."""
    # another archive's page text (even a Glossator export's `#page-text`) may not be ours: a headnote
    # added, a paragraph cut. Its offsets only weigh in; its prefix and suffix say which place it is
    reliable = reliable_positions
    given = " ".join(selector.exact.split())
    needle = fold(selector.exact).strip()
    if not needle:
        return Unplaced("the quote is empty")
    if len(given) > MAX_QUOTE:
        return Unplaced(f"the quote is {len(given):,} characters long; a quote is at most {MAX_QUOTE:,}")
    starts = _occurrences(text.flat, needle)
    if len(starts) > MAX_CANDIDATES:
        return Unplaced(f"the quote occurs more than {MAX_CANDIDATES} times in content/{slug}.md",
                        ("nothing in the file can tell that many places apart",))
    candidates = sorted((_weigh(text, at, at + len(needle), 100, selector, reliable) for at in starts),
                        key=lambda c: -c.score)
    if len(candidates) == 1:
        chosen = candidates[0]
        if len(needle) < SHORT_QUOTE and chosen.best_context is not None and chosen.best_context < DOUBTFUL_CONTEXT:
            return Unplaced(f"the quote occurs once in content/{slug}.md, but not between the words the file "
                            "gives around it", (*_places(text, candidates), "a short quote in another context may "
                            "be other words than the annotation's: add it by hand if it is"))
    elif candidates:
        pointed = [c for c in candidates if _points_at(text, c, selector)] if reliable else []
        chosen = pointed[0] if len(pointed) == 1 else candidates[0]
        told_apart = (chosen.context is not None and chosen.context >= MIN_CONTEXT
                      and chosen.score - candidates[1].score >= MARGIN)
        if len(pointed) != 1 and not told_apart:
            return Unplaced(f"the quote occurs {len(candidates)} times in content/{slug}.md, and the file's "
                            "prefix, suffix and position do not tell which one it is about", _places(text, candidates))
    elif exact_only:
        return Unplaced(f"the quote is not in content/{slug}.md")
    else:
        fuzzy = _fuzzy(text, needle, selector, reliable)
        if not fuzzy or fuzzy[0].similarity < ACCEPT:
            return Unplaced(f"the quote is not in content/{slug}.md, and no passage is close enough to stand for "
                            f"it (at least {ACCEPT}% similar)", _closest_hints(text, selector, slug))
        chosen = fuzzy[0]
        if len(fuzzy) > 1 and fuzzy[1].similarity >= ACCEPT and chosen.score - fuzzy[1].score < MARGIN:
            return Unplaced(f"the quote is not in content/{slug}.md as it was given, and two passages are "
                            "about as close to it", _places(text, fuzzy))
    start, end = text.to_page(chosen.start, chosen.end)
    quote = " ".join(text.page[start:end].split())
    context = selection(text, quote, start, end)
    if context is None:
        return Unplaced(f"the passage occurs several times in content/{slug}.md with the same words around it",
                        ("no prefix or suffix of a dozen words tells the places apart: add it by hand, quoting "
                         "more words",))
    passage = text.flat[chosen.start : chosen.end]
    similarity = 100 if chosen.similarity >= 100 else min(99, round(chosen.similarity))
    differences = describe_differences(needle, passage) if similarity < 100 else ()
    return Placed(quote, context[0], context[1], start, end, given, similarity, differences)


def quotes_headline(selector: QuoteSelector, title: str) -> bool:
    """Whether the quote is (most of) the article's headline: words the page shows above the text,
    which the archive does not annotate."""
    needle, headline = fold(selector.exact).strip(), fold(title).strip()
    if not needle or not headline or len(needle) > len(headline) + MAX_CONTEXT_WORDS:
        return False
    return needle in headline or fuzz.ratio(needle, headline, processor=None) >= ACCEPT

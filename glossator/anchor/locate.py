"""Quote (+ prefix/suffix) → one place in the page text, or a diagnostic that says why not.

Matching compares *folded* text (SPEC §4): Unicode NFC, curly quotes, apostrophes,
dashes and no-break spaces as their plain forms, white space collapsed; case kept.
The result is given in page-text offsets, and the exported selector is sliced from the
page text verbatim, so it is exactly what a client sees in the DOM.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

from ..model import Anchor
from .diff import SPACELESS
from .fold import FoldedText, fold

_SPACELESS_CHAR = re.compile(f"[{SPACELESS}]")

CONTEXT_UNITS = 32  # W3C / Hypothesis clients reject longer prefix/suffix (UTF-16 units)

# --- results --------------------------------------------------------------------


@dataclass(frozen=True)
class NotFound:
    closest: str  # the nearest passage, as the page shows it
    similarity: int  # 0-100
    differences: tuple[str, ...]  # "`600` where the article has `1,700`", …
    explained: bool = True  # False: the closest passage was not looked for (annotate.HINTED_PROBLEMS)


@dataclass(frozen=True)
class Occurrence:
    context: str  # "…words before [quote] words after…", as the page shows them
    prefix: str  # a prefix that selects this occurrence alone, as the page shows it; "" if none does
    line_hint: str = ""
    suffix: str = ""  # when no prefix selects it (e.g. at the very start), a suffix that does
    searched: bool = True  # False: prefix and suffix were not looked for (annotate.HINTED_PROBLEMS)


@dataclass(frozen=True)
class Ambiguous:
    occurrences: tuple[Occurrence, ...]
    total: int


@dataclass(frozen=True)
class NoMatchWithContext:
    """The quote occurs, but not with the given prefix/suffix."""

    count: int
    occurrences: tuple[Occurrence, ...]


AnchorResult = Anchor | NotFound | Ambiguous | NoMatchWithContext


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def context_before(page: str, start: int) -> str:
    prefix = page[max(0, start - CONTEXT_UNITS) : start]
    while _utf16_len(prefix) > CONTEXT_UNITS:
        prefix = prefix[1:]
    return prefix


def context_after(page: str, end: int) -> str:
    suffix = page[end : end + CONTEXT_UNITS]
    while _utf16_len(suffix) > CONTEXT_UNITS:
        suffix = suffix[:-1]
    return suffix


def make_anchor(annotation_id: str, page: str, start: int, end: int) -> Anchor:
    return Anchor(annotation_id, start, end, page[start:end], context_before(page, start), context_after(page, end))


def _occurrences(haystack: str, needle: str, limit: int = 10_000) -> list[int]:
    found = []
    at = haystack.find(needle)
    while at != -1 and len(found) < limit:
        found.append(at)
        at = haystack.find(needle, at + 1)
    return found


def _fits_prefix(folded: str, at: int, prefix: str) -> bool:
    wanted = prefix.strip()
    if not wanted:
        return True
    return folded[max(0, at - len(wanted) - 2) : at].rstrip().endswith(wanted)


def _fits_suffix(folded: str, end: int, suffix: str) -> bool:
    wanted = suffix.strip()
    if not wanted:
        return True
    return folded[end : end + len(wanted) + 2].lstrip().startswith(wanted)


MAX_CONTEXT_WORDS = 12  # a longer prefix than this is no help to anyone: quote more words instead


def _words_back(text: str, at: int) -> list[int]:
    """Where each of the words before `at` starts, nearest first."""
    starts: list[int] = []
    i = at
    while i > 0 and len(starts) < MAX_CONTEXT_WORDS:
        while i > 0 and text[i - 1] == " ":
            i -= 1
        while i > 0 and text[i - 1] != " ":
            i -= 1
        starts.append(i)
    return starts


def _words_ahead(text: str, end: int) -> list[int]:
    """Where each of the words after `end` ends, nearest first."""
    ends: list[int] = []
    i = end
    while i < len(text) and len(ends) < MAX_CONTEXT_WORDS:
        while i < len(text) and text[i] == " ":
            i += 1
        while i < len(text) and text[i] != " ":
            i += 1
        ends.append(i)
    return ends


def _page_slice(folded: FoldedText, page: str, start: int, end: int) -> str:
    """Folded offsets → the page's own characters (curly quotes kept), white space collapsed."""
    return re.sub(r"\s+", " ", page[folded.to_page(start) : folded.to_page(end)])


def _has_word(text: str) -> bool:
    return any(c.isalnum() for c in text)


def _unique_prefix(folded: FoldedText, page: str, starts: list[int], at: int) -> str:
    # grow word by word until it selects this occurrence alone; a lone quote mark or
    # comma would select it too, but a reader could not tell what it refers to
    text = folded.text
    for word_start in _words_back(text, at):
        candidate = text[word_start:at]
        if _has_word(candidate) and sum(_fits_prefix(text, other, candidate) for other in starts) == 1:
            return _page_slice(folded, page, word_start, at)
    return ""


def _unique_suffix(folded: FoldedText, page: str, starts: list[int], at: int, length: int) -> str:
    text = folded.text
    for word_end in _words_ahead(text, at + length):
        candidate = text[at + length : word_end]
        if _has_word(candidate) and sum(_fits_suffix(text, other + length, candidate) for other in starts) == 1:
            return _page_slice(folded, page, at + length, word_end)
    return ""


def _around(page: str, start: int, end: int, reach: int = 50) -> str:
    """`…words before [the quote] words after…`, cut at whole words."""
    before = re.sub(r"\s+", " ", page[max(0, start - reach) : start])
    after = re.sub(r"\s+", " ", page[end : end + reach])
    if start > reach and " " in before.strip():
        before = "…" + before.lstrip().split(" ", 1)[1]
    if end + reach < len(page) and " " in after.strip():
        after = after.rstrip().rsplit(" ", 1)[0] + "…"
    quote = re.sub(r"\s+", " ", page[start:end])
    return f"{before.lstrip()}[{quote}]{after.rstrip()}"


def _describe_occurrences(
    folded: FoldedText, page: str, starts: list[int], length: int, among: list[int] | None = None,
    explain: bool = True,
) -> tuple[Occurrence, ...]:
    """Each place, with a prefix (or suffix) that tells it apart from every place in `among`
    (all the quote's occurrences: a suggested prefix replaces the one that was given).
    Without `explain`, the places only: the search for a prefix is the costly part."""
    among = among if among is not None else starts
    described = []
    for at in starts[:8]:
        if not explain:
            context = _around(page, folded.to_page(at), folded.to_page(at + length))
            described.append(Occurrence(context, "", searched=False))
            continue
        prefix = _unique_prefix(folded, page, among, at)
        suffix = _unique_suffix(folded, page, among, at, length)
        # offer the shorter of the two; a prefix when they are as long
        if prefix and suffix and len(suffix.split()) < len(prefix.split()):
            prefix = ""
        elif prefix:
            suffix = ""
        context = _around(page, folded.to_page(at), folded.to_page(at + length))
        described.append(Occurrence(context, prefix, suffix=suffix))
    return tuple(described)


# The fuzzy alignment's cost grows faster than the quote's length (a 4,900-character quote against
# a 1 MB article: 18 s, against 0.1 s for 400): a longer quote is matched by its beginning, which is
# what a contributor needs to see where their copy went wrong.
MAX_FUZZY_QUOTE = 400


def describe_differences(quote: str, passage: str) -> tuple[str, ...]:
    """How a (folded) quote differs from a (folded) passage, word by word: at most four phrases
    such as "the quote has `600` where the article has `1,700`"."""
    differences = []
    quote_words, passage_words = quote.split(" "), passage.split(" ")
    matcher = difflib.SequenceMatcher(a=quote_words, b=passage_words, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        theirs, ours = " ".join(quote_words[a1:a2]), " ".join(passage_words[b1:b2])
        if op == "replace" and a2 - a1 == b2 - b1:  # word for word: name each changed word on its own
            differences.extend(f"the quote has `{q}` where the article has `{p}`"
                               for q, p in zip(quote_words[a1:a2], passage_words[b1:b2], strict=True) if q != p)
        elif op == "replace":
            differences.append(f"the quote has `{theirs}` where the article has `{ours}`")
        elif op == "delete":
            differences.append(f"the quote has `{theirs}`, which the article does not")
        elif op == "insert":
            differences.append(f"the article has `{ours}` here, which the quote lacks")
    if not differences and quote != passage:
        differences.append("they differ in case or punctuation")
    return tuple(differences[:4])


def _closest(folded: FoldedText, page: str, quote: str) -> NotFound:
    text = folded.text
    if not text.strip():
        return NotFound("", 0, ())
    if len(quote) > MAX_FUZZY_QUOTE:
        quote = quote[:MAX_FUZZY_QUOTE].rsplit(" ", 1)[0] or quote[:MAX_FUZZY_QUOTE]
    alignment = fuzz.partial_ratio_alignment(quote, text, processor=None)
    if alignment is None:
        return NotFound("", 0, ())
    start, end = alignment.dest_start, alignment.dest_end
    # the alignment may begin on the space or comma before a word: do not let that pull
    # the previous word into the passage
    while start < end and quote[:1].isalnum() and not text[start].isalnum():
        start += 1
    while end > start and quote[-1:].isalnum() and not text[end - 1].isalnum():
        end -= 1
    # widen to whole words so the passage reads naturally (not across a script written without
    # spaces, where that took in the whole paragraph)
    while start > 0 and text[start - 1] != " " and not _SPACELESS_CHAR.match(text[start - 1]):
        start -= 1
    while end < len(text) and text[end] != " " and not _SPACELESS_CHAR.match(text[end]):
        end += 1
    # as many words as the quote: the alignment can stop short of its last one (“30 to” for "31 to 4")
    words = len(quote.split())
    while end < len(text) and len(text[start:end].split()) < words and not _SPACELESS_CHAR.match(text[end - 1]):
        end += 1
        while end < len(text) and text[end] != " ":
            end += 1
    # and without punctuation the quote does not end with (`cent,` for "12 per cent")
    while end > start and quote[-1:].isalnum() and not text[end - 1].isalnum():
        end -= 1
    passage = text[start:end].strip()
    page_passage = " ".join(page[folded.to_page(start) : folded.to_page(end)].split())
    differences = describe_differences(quote, passage)
    return NotFound(page_passage, round(alignment.score), differences)


def anchor_quote(
    annotation_id: str,
    folded: FoldedText,
    page: str,
    quote: str,
    prefix: str | None = None,
    suffix: str | None = None,
    explain: bool = True,
) -> AnchorResult:
    """The quote's place; or why there is none, with the closest passage or a prefix for each
    place found (`explain`: these searches can cost a tenth of a second each)."""
    needle = fold(quote).strip()
    if not needle:
        return NotFound("", 0, ())
    starts = _occurrences(folded.text, needle)
    if not starts:
        return _closest(folded, page, needle) if explain else NotFound("", 0, (), explained=False)
    chosen = starts
    if prefix or suffix:
        folded_prefix = fold(prefix or "")
        folded_suffix = fold(suffix or "")
        chosen = [
            at
            for at in starts
            if _fits_prefix(folded.text, at, folded_prefix)
            and _fits_suffix(folded.text, at + len(needle), folded_suffix)
        ]
        if not chosen:
            return NoMatchWithContext(len(starts), _describe_occurrences(folded, page, starts, len(needle),
                                                                         explain=explain))
    if len(chosen) > 1:
        return Ambiguous(_describe_occurrences(folded, page, chosen, len(needle), among=starts, explain=explain),
                         len(chosen))
    at = chosen[0]
    start = folded.to_page(at)
    end = folded.to_page(at + len(needle) - 1) + 1
    # the last folded character may stand for several page characters (a composed
    # character); extend over any combining marks that follow it
    while end < len(page) and unicodedata.combining(page[end]):
        end += 1
    return make_anchor(annotation_id, page, start, end)


def find_all(folded: FoldedText, text: str) -> list[tuple[int, int]]:
    """Every place `text` occurs, as page-text spans (used by `new` and the tests)."""
    needle = fold(text).strip()
    if not needle:
        return []
    return [
        (folded.to_page(at), folded.to_page(at + len(needle) - 1) + 1)
        for at in _occurrences(folded.text, needle)
    ]

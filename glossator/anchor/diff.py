"""Two texts of an article, word by word: what was deleted, what was inserted, what stayed.

The texts compared are page texts (what a reader sees, SPEC §6; a soft line break read as the
space it is shown as, anchor/blocks.py), so a change of Markdown that changes no word (a
paragraph wrapped at other places) is no change here. The units compared are what a reader would point at:
a word is a run of non-space characters, its inner punctuation kept (`600` → `1,700` is one word
replaced, not digits and a comma) but the punctuation at its edges apart (`“balanced”,` →
`“balanced”;` marks the comma alone); in the scripts written without spaces between words
(Chinese, Japanese, Thai…) each character is a unit of its own, as `31票对4票` → `30票对5票`
changes two numbers, not the whole paragraph.

News edits are local (a number corrected, a paragraph added), so the texts are first matched
line by line (a line is a block of the page text: a paragraph, a heading, a list item), and
only the lines that differ are compared word by word. That keeps a long article's diff fast
and its changes where a reader expects them: a deleted paragraph is one deletion, not a
scatter of words matched by chance with the next one.

The result is exact: the equal and deleted runs, in order, are the old text, and the equal
and inserted runs the new one, white space included (tests/test_diff.py holds it to that).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from difflib import SequenceMatcher
from functools import cache

from ..model import DiffRun

# Scripts written without spaces between words: Han, kana, Bopomofo, Yi, and the scripts of South-East
# Asia (Thai, Lao, Myanmar, Khmer, Tai…) and Tibetan. Hangul is written with spaces: it stays in words.
SPACELESS = ("\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff\u1950-\u19ff\u1a20-\u1aaf"
             "\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029\u3031-\u3035\u3038-\u303c\u3040-\u30ff\u3100-\u312f"
             "\u31a0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uf900-\ufaff\uff66-\uff9f"
             "\U00020000-\U0003134f")


def _class(categories: str) -> str:
    """A regex character class's inside: the characters of the BMP in these Unicode categories (the
    BMP holds all the punctuation and marks news text uses, and takes 6 ms to scan; all of Unicode, 100)."""
    ranges: list[tuple[int, int]] = []
    for code in range(0x10000):
        if unicodedata.category(chr(code))[0] in categories:
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return "".join(re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b > a else "") for a, b in ranges)


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(the units compared, the words counted); made at the first diff, as most runs diff nothing."""
    punct, marks = _class("P"), _class("M")
    unit = re.compile(rf"[{punct}]|[{SPACELESS}][{marks}]*"
                      rf"|[^\s{punct}{SPACELESS}](?:[^\s{SPACELESS}]*[^\s{punct}{SPACELESS}])?")
    # a reader counts a run of non-space characters as one word, punctuation and all, and a character
    # of a spaceless script as one: a CJK character changed is one word changed
    counted = re.compile(rf"[{SPACELESS}][{marks}]*|[^\s{SPACELESS}]+")
    return unit, counted


# A word diff of more words than this lets difflib skip the most frequent words as anchors (its
# "autojunk"): exact either way, but without it a rewritten 10,000-word article would take seconds.
EXHAUSTIVE_WORDS = 3000


def _split(text: str) -> tuple[list[str], list[str]]:
    """The units of a text and the white space around them: separators[k] stands before words[k] (""
    between a word and its punctuation), and the last separator ends the text (so there is always one
    more separator than words)."""
    words: list[str] = []
    separators: list[str] = []
    last = 0
    for match in _patterns()[0].finditer(text):
        separators.append(text[last : match.start()])
        words.append(match.group())
        last = match.end()
    separators.append(text[last:])
    return words, separators


Opcode = tuple[str, int, int, int, int]


def _without_chance_matches(opcodes: list[Opcode]) -> list[Opcode]:
    """The opcodes, each stretch of units kept equal by chance in a rewritten passage made part of the
    change around it: an equal stretch shorter than the changes on both its sides (a `的` or a `市`
    shared by two different Chinese sentences). One as long as either is kept: `600 Iraqi soldiers` →
    `1,700 Iraqi troops` keeps `Iraqi`."""
    out: list[Opcode] = []
    for opcode in opcodes:
        out.append(opcode)
        while len(out) >= 3 and out[-1][0] != "equal" and out[-3][0] != "equal" and out[-2][0] == "equal":
            (_, i1, i2, j1, j2), (_, e1, e2, _, _), (_, k1, k2, l1, l2) = out[-3:]
            if not e2 - e1 < min(max(i2 - i1, j2 - j1), max(k2 - k1, l2 - l1)):
                break
            out[-3:] = [("replace", i1, k2, j1, l2)]  # and the equal before it may now be shorter than it
    return out


def _word_runs(old: str, new: str) -> Iterator[DiffRun]:
    old_words, old_spaces = _split(old)
    new_words, new_spaces = _split(new)
    size = max(len(old_words), len(new_words))
    matcher = SequenceMatcher(None, old_words, new_words, autojunk=size > EXHAUSTIVE_WORDS)
    for op, i1, i2, j1, j2 in _without_chance_matches(matcher.get_opcodes()):
        if op == "equal":
            for k in range(i2 - i1):
                before, after = old_spaces[i1 + k], new_spaces[j1 + k]
                if before == after:
                    yield "equal", before
                else:  # the same words, laid out apart: a line break became a space, say
                    yield "delete", before
                    yield "insert", after
                yield "equal", old_words[i1 + k]
            continue
        deleted = "".join(old_spaces[i] + old_words[i] for i in range(i1, i2))
        inserted = "".join(new_spaces[j] + new_words[j] for j in range(j1, j2))
        # the space before a replaced passage is kept apart when both sides have it: the marks
        # then cover the words alone ("the <del>600</del><ins>1,700</ins>", not "the<del> 600</del>…")
        lead = old_spaces[i1] if i1 < i2 and j1 < j2 and old_spaces[i1] == new_spaces[j1] else ""
        if lead:
            yield "equal", lead
        yield "delete", deleted[len(lead) :]
        yield "insert", inserted[len(lead) :]
    before, after = old_spaces[-1], new_spaces[-1]
    if before == after:
        yield "equal", before
    else:
        yield "delete", before
        yield "insert", after


def _line_runs(old: str, new: str) -> Iterator[DiffRun]:
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    matcher = SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            yield "equal", "".join(old_lines[i1:i2])
        else:
            yield from _word_runs("".join(old_lines[i1:i2]), "".join(new_lines[j1:j2]))


def word_diff(old: str, new: str) -> tuple[DiffRun, ...]:
    """The runs that turn `old` into `new`. Between two equal runs stands at most one deletion
    followed by at most one insertion (a stretch of changes is shown as what went, then what
    came), and no run is empty."""
    merged: list[DiffRun] = []
    deleted: list[str] = []
    inserted: list[str] = []

    def close_stretch() -> None:
        if deleted and (text := "".join(deleted)):
            merged.append(("delete", text))
        if inserted and (text := "".join(inserted)):
            merged.append(("insert", text))
        deleted.clear()
        inserted.clear()

    for op, text in _line_runs(old, new):
        if op == "delete":
            deleted.append(text)
        elif op == "insert":
            inserted.append(text)
        elif text:
            close_stretch()
            if merged and merged[-1][0] == "equal":
                merged[-1] = ("equal", merged[-1][1] + text)
            else:
                merged.append(("equal", text))
    close_stretch()
    return tuple(merged)


def old_text(runs: tuple[DiffRun, ...]) -> str:
    return "".join(text for op, text in runs if op != "insert")


def new_text(runs: tuple[DiffRun, ...]) -> str:
    return "".join(text for op, text in runs if op != "delete")


def count_words(runs: tuple[DiffRun, ...]) -> tuple[int, int, int]:
    """(words added, words deleted, words changed): a change is a stretch of deletions and insertions
    between equal text, and counts its longer side, so a word replaced by another is one word changed.
    The words are the texts' own, as a reader counts them (`counted`): a word whose comma changed is
    one word changed, however many units of the diff it was cut into, and is counted once."""
    counted = _patterns()[1]
    spans = {op: [(m.start(), m.end()) for m in counted.finditer(text)]
             for op, text in (("delete", old_text(runs)), ("insert", new_text(runs)))}
    seen: dict[str, set[int]] = {"delete": set(), "insert": set()}
    stretch: dict[str, set[int]] = {"delete": set(), "insert": set()}
    at = {"delete": 0, "insert": 0}  # where each text is up to
    added = deleted = changed = 0
    for op, text in (*runs, ("equal", "")):
        if op != "equal":
            words = spans[op]
            first = bisect_right(words, at[op], key=lambda span: span[1])
            last = bisect_left(words, at[op] + len(text), key=lambda span: span[0])
            stretch[op].update(k for k in range(first, last) if k not in seen[op])
            at[op] += len(text)
            continue
        if counted.search(text) or not text:  # equal white space between two changes leaves them one stretch
            added, deleted = added + len(stretch["insert"]), deleted + len(stretch["delete"])
            changed += max(len(stretch["insert"]), len(stretch["delete"]))
            for side in stretch:
                seen[side] |= stretch[side]
                stretch[side] = set()
        at["delete"] += len(text)
        at["insert"] += len(text)
    return added, deleted, changed


def carried_span(old: str, new: str, start: int, end: int) -> tuple[int, int] | None:
    """Where the words at old[start:end] stand in `new`, if the outlet left them as they were (white
    space aside): the diff keeps each of them, with nothing inserted among them. None if one of them
    was deleted or changed: the same words elsewhere in `new` are other words, not these."""
    if start >= end:
        return None
    at_old = at_new = 0
    new_start: int | None = None
    for op, text in word_diff(old, new):
        size = len(text)
        if op == "equal":
            if new_start is None and at_old <= start < at_old + size:
                new_start = at_new + start - at_old
            if at_old < end <= at_old + size:
                return (new_start, at_new + end - at_old) if new_start is not None else None
            at_old += size
            at_new += size
        elif op == "delete":
            if at_old < end and at_old + size > start and text.strip():
                return None
            at_old += size
        else:
            if new_start is not None and text.strip():
                return None
            at_new += size
    return None

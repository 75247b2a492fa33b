"""The word-level changes between two texts as HTML: `<del>` and `<ins>` that say what they are
(a hidden "deleted:" / "inserted:" for screen readers, struck-through and underlined for the
eye, bracketed in print: never colour alone), each block of the text as what it is (a paragraph,
a heading, a list item, a table row with its cells apart: anchor/blocks.py), and the notes that
stayed on the older text marked at their words.

Paragraphs that did not change are folded away (`<details>`, which needs no script) but for
one on each side of a change, so a long article's changes can be read one after another.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby, pairwise

from markupsafe import Markup, escape

from ..model import DiffRun

LABELS = {"delete": ("del", "deleted: ", " (end of deletion)"), "insert": ("ins", "inserted: ", " (end of insertion)")}
BREAK = "¶"  # a paragraph break that was deleted or inserted: shown, since white space is not
CELL = "\x1f"  # between two cells of a table row in the texts diffed (anchor/blocks.py)
CELL_HTML = '<span class="diff-cell"> | </span>'
# how each kind of block (anchor/blocks.py) is shown: a class on its paragraph; list items are <li>
BLOCK_CLASSES = {"h": " diff-heading", "quote": " diff-quote", "code": " diff-code", "row": " diff-row",
                 "head": " diff-row diff-head"}
Block = tuple[int, int, str]  # start, end, kind


@dataclass(frozen=True)
class DiffMark:
    """A note on the older text, marked where its words are."""

    start: int  # code points of the older page text
    end: int
    css_class: str  # kind and verdict, as on the article page
    number: int
    label: str  # the reference's accessible name
    href: str  # the note on its text's page


@dataclass
class _Line:
    html: list[str]
    changed: bool = False
    old_at: int = 0  # where it starts in each text
    new_at: int = 0
    in_new: bool = False  # whether the newer text has words in it (its kind is then the newer text's)


def _marked(text: str, start: int, marks: Sequence[DiffMark]) -> str:
    """A piece of the older text (starting at `start`) with the marks over it, and the reference of
    each note that ends in it after its last word."""
    end = start + len(text)
    cuts = sorted({start, end, *(m.start for m in marks if start < m.start < end),
                   *(m.end for m in marks if start < m.end < end)})
    out: list[str] = []
    for a, b in pairwise(cuts):
        covering = [m for m in marks if m.start <= a and b <= m.end]
        piece = str(escape(text[a - start : b - start]))
        for mark in covering:
            piece = f'<mark class="hl {mark.css_class}">{piece}</mark>'
        out.append(piece)
        for mark in marks:
            if mark.end == b:
                out.append(f'<a class="diff-note-ref {mark.css_class}" href="{escape(mark.href)}" '
                           f'aria-label="{escape(mark.label)}">{mark.number}</a>')
    return "".join(out)


def _joins_or_parts(runs: Sequence[DiffRun], k: int) -> bool:
    """Whether runs[k] stands between two characters that touch in the other text (a unit of the diff may
    end where a word does not: `—` `the`, `以` `31`). Its white space then stays inside its mark, shown:
    outside, it would part those two in the other text's reading. Otherwise white space at a mark's
    edges, or a change of white space alone, is nothing a reader could see."""
    op = runs[k][0]
    # the characters either side of it in the other text, where shown unmarked it would stand too
    before = next((t[-1:] for o, t in reversed(runs[:k]) if o != op), "")
    after = next((t[:1] for o, t in runs[k + 1 :] if o != op), "")
    return bool(before.strip() and after.strip())


def _kind(blocks: Sequence[Block], at: int) -> str:
    """The kind of the block a line starting at `at` shows (the next one, from the white space before it)."""
    k = bisect_right(blocks, at, key=lambda block: block[1])
    return blocks[k][2] if k < len(blocks) else "p"


def render_diff(runs: Sequence[DiffRun], marks: Sequence[DiffMark] = (), anchor: str = "c", *,
                inline: bool = False, blocks: tuple[Sequence[Block], Sequence[Block]] = ((), ())) -> tuple[Markup, int]:
    """The runs as paragraphs of HTML (`inline`: as one line, for a headline), and the number of
    places that changed; the first element of the n-th place has the id `<anchor>-<n>`, for links.
    `blocks`, the old and new texts', say what each line is: a heading, a list item, a table row…"""
    lines = [_Line([])]
    old = new = 0
    places = 0
    starts_place = False  # the next <del> or <ins> shown opens a place
    previous = "equal"
    for k, (op, text) in enumerate(runs):
        if op == "equal":
            starts_place = False
        elif previous == "equal":
            starts_place = True
        touching = op != "equal" and _joins_or_parts(runs, k)
        previous = op
        pieces = text.split("\n")
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            # a break alone (two paragraphs made one, or one split): the ¶ shows it, as white space cannot
            shown = piece + (BREAK if not last and op != "equal" and not piece.strip() else "")
            if op != "delete" and piece.strip():
                lines[-1].in_new = True
            if op == "equal":
                lines[-1].html.append(_marked(piece, old, marks) if marks else str(escape(piece)))
            elif shown.strip() or (touching and piece):
                tag, opening, closing = LABELS[op]
                # the white space at its edges stands outside the mark: a struck-through space says nothing
                lead = piece[: len(piece) - len(piece.lstrip())] if piece.strip() and not touching else ""
                trail = piece[len(piece.rstrip()) :] if piece.strip() and not touching else ""
                inner = piece[len(lead) : len(piece) - len(trail)]
                start = old + len(lead)
                body = _marked(inner, start, marks) if op == "delete" and marks else str(escape(inner))
                lines[-1].html.append(str(escape(lead)))
                ident = ""
                if starts_place:
                    places += 1
                    ident = f' id="{anchor}-{places}" tabindex="-1"'
                    starts_place = False
                lines[-1].html.append(f'<{tag}{ident}><span class="visually-hidden">{opening}</span>{body}'
                                      f'{BREAK if shown.endswith(BREAK) else ""}'
                                      f'<span class="visually-hidden">{closing}</span></{tag}>')
                lines[-1].html.append(str(escape(trail)))
                lines[-1].changed = True
            else:  # white space alone (two spaces became one): nothing a reader could see
                lines[-1].html.append(str(escape(piece)))
            if op != "insert":
                old += len(piece) + (0 if last else 1)
            if op != "delete":
                new += len(piece) + (0 if last else 1)
            if not last:
                lines.append(_Line([], old_at=old, new_at=new))
    if inline:
        return Markup(" ".join("".join(line.html) for line in lines)), places
    for line in lines:
        if "<mark" in "".join(line.html):
            line.changed = True
    return Markup(_fold(lines, blocks)), places


def _element(line: _Line, blocks: tuple[Sequence[Block], Sequence[Block]]) -> tuple[str, str]:
    """A line as HTML, and the list it is an item of ("" for none)."""
    state = "diff-changed" if line.changed else "diff-same"
    html = "".join(line.html).replace(CELL, CELL_HTML)
    kind, _, number = (_kind(blocks[1], line.new_at) if line.in_new else _kind(blocks[0], line.old_at)).partition(" ")
    if kind in ("ul", "ol"):
        value = f' value="{number}"' if number else ""
        return kind, f'<li class="{state}"{value}>{html}</li>'
    return "", f'<p class="{state}{BLOCK_CLASSES.get(kind, "")}">{html}</p>'


def _joined(elements: list[tuple[str, str]]) -> list[str]:
    """The elements, each run of list items in its list."""
    out: list[str] = []
    for group, items in groupby(elements, key=lambda element: element[0]):
        html = [element for _, element in items]
        out.extend([f'<{group} class="diff-list">{"".join(html)}</{group}>'] if group else html)
    return out


def _fold(lines: list[_Line], blocks: tuple[Sequence[Block], Sequence[Block]]) -> str:
    """Paragraphs, the unchanged ones away from any change folded into a <details>."""
    kept = [line for line in lines if "".join(line.html).strip()]
    near = [line.changed or any(other.changed for other in kept[max(0, k - 1) : k + 2])
            for k, line in enumerate(kept)]
    out: list[tuple[str, str]] = []
    folded: list[tuple[str, str]] = []

    def flush() -> None:
        if len(folded) > 1:
            out.append(("", f'<details class="diff-unchanged"><summary>{len(folded)} paragraphs unchanged</summary>'
                            f'{"".join(_joined(folded))}</details>'))
        else:
            out.extend(folded)
        folded.clear()

    for line, show in zip(kept, near, strict=True):
        element = _element(line, blocks)
        if show:
            flush()
            out.append(element)
        else:
            folded.append(element)
    flush()
    return "\n".join(_joined(out))

"""The page text as the diff reads it (anchor/diff.py): the blocks a reader sees apart, and within
them the words as they run on.

In the page text (textmap.py) a soft line break of the Markdown source is a newline, as is the
break between two paragraphs, and between two cells of a table row: the browser shows the first as
a space, the last as the next cell of the same row. Compared as written, a paragraph wrapped at
other places would read as changed, and a row would be split into a line per cell on the changes
page. So the diff reads each soft break as the space it is shown as, and the break between two
cells as CELL (white space to the diff; the changes page shows it as a cell's edge). The text keeps
its length: every offset in it is an offset in the page text, as the notes' marks need.

Its blocks say what each is, for the changes page to show it so: a paragraph, a heading, a list
item (and its number in an ordered list), a table row (a header row), a quotation, code.
"""

from __future__ import annotations

from markdown_it.token import Token

from .textmap import PageText

CELL = "\x1f"  # the Unicode "unit separator": white space to Python, and found in no Markdown text
_KINDS = {"th": "head", "td": "row", "blockquote": "quote", **{f"h{n}": "h" for n in range(1, 7)}}


def _kinds(tokens: list[Token]) -> dict[int, tuple[str, int]]:
    """Each text-bearing token's kind, and the token that groups it (a cell, the row it is in)."""
    kinds: dict[int, tuple[str, int]] = {}
    opened: list[tuple[str, int]] = []  # the open containers: tag, index
    numbers: list[int] = []  # each open list's last item number (-1: a bullet list)
    started: set[int] = set()  # the list items whose first block has been seen
    for index, token in enumerate(tokens):
        if token.nesting == 1:
            opened.append((token.tag, index))
            if token.type == "ordered_list_open":
                start = token.attrGet("start")
                numbers.append(int(start) - 1 if start is not None else 0)
            elif token.type == "bullet_list_open":
                numbers.append(-1)
            elif token.type == "list_item_open" and numbers and numbers[-1] >= 0:
                numbers[-1] += 1
        elif token.nesting == -1:
            tag, _ = opened.pop()
            if tag in ("ul", "ol"):
                numbers.pop()
        elif token.type in ("fence", "code_block"):
            kinds[index] = ("code", index)
        elif token.type == "inline":
            kinds[index] = ("p", index)
            for tag, at in reversed(opened):
                if tag == "li":  # its first block is the item; any after it, paragraphs of the item
                    if at not in started:
                        started.add(at)
                        kinds[index] = (f"ol {numbers[-1]}" if numbers[-1] >= 0 else "ul", index)
                    break
                if tag in _KINDS:
                    row = next((i for t, i in reversed(opened) if t == "tr"), index)
                    kinds[index] = (_KINDS[tag], row)
                    break
    return kinds


def diff_layout(tokens: list[Token], page: PageText) -> tuple[str, tuple[tuple[int, int, str], ...]]:
    """The page text with each soft break a space and each break between two cells CELL, and its
    blocks in order: (start, end, kind), a table row one block."""
    chars = list(page.text)
    kinds = _kinds(tokens)
    blocks: list[tuple[int, int, str, int]] = []  # start, end, kind, group
    for leaf in page.leaves:
        if leaf.child is not None and (tokens[leaf.block].children or [])[leaf.child].type == "softbreak":
            chars[leaf.start] = " "
        kind, group = kinds.get(leaf.block, ("p", leaf.block))
        if blocks and blocks[-1][3] == group:
            blocks[-1] = (blocks[-1][0], leaf.end, kind, group)
        else:
            blocks.append((leaf.start, leaf.end, kind, group))
    for start, end, kind, _ in blocks:
        if kind in ("row", "head"):
            chars[start:end] = [CELL if c == "\n" else c for c in chars[start:end]]
    return "".join(chars), tuple((start, end, kind) for start, end, kind, _ in blocks)

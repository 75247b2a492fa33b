"""The page text as the diff reads it (anchor/diff.py): the blocks a reader sees apart, and within
them the words as they run on.

In the page text (textmap.py) a soft line break of the Markdown source is a newline, as is the
break between two paragraphs: the browser shows the first as a space. Compared as written, a
paragraph wrapped at other places would read as changed, and split into lines on the changes page.
So the diff reads each soft break as the space it is shown as. The text keeps its length: every
offset in it is an offset in the page text, as the notes' marks need.
"""

from __future__ import annotations

from markdown_it.token import Token

from .textmap import PageText


def diff_text(tokens: list[Token], page: PageText) -> str:
    """The page text with each soft break a space."""
    chars = list(page.text)
    for leaf in page.leaves:
        if leaf.child is not None:
            children = tokens[leaf.block].children or []
            if children[leaf.child].type == "softbreak":
                chars[leaf.start] = " "
    return "".join(chars)

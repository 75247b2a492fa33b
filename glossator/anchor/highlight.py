"""Put highlights into the token stream: `<mark>`s around the anchored words.

Marks are split at every inline boundary (a quote may cross bold, links and
paragraphs) and nested where annotations nest or overlap, so the HTML stays well
formed and every annotation keeps all of its pieces. The page text is unchanged:
only elements are added, never characters.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it.common.utils import MD_TRIM_RE, escapeHtml, mdTrim, unescapeAll
from markdown_it.token import Token

from .textmap import Leaf, PageText

HTML_TOKEN = "glossator_html"


@dataclass(slots=True)  # (made for one article's marking and dropped: no frozen __init__'s object.__setattr__)
class Highlight:
    annotation_id: str
    start: int
    end: int
    css_class: str  # kind and verdict classes
    number: int  # the note's number, shown by the reference after the last piece
    label: str  # accessible name of the reference, e.g. "Note 3: claim, inaccurate"


def _html_token(html: str) -> Token:
    token = Token(HTML_TOKEN, "", 0)
    token.content = html
    return token


def _mark_open(hl: Highlight, first: bool) -> str:
    ident = f' id="hl-{hl.annotation_id}"' if first else ""
    return f'<mark class="hl {hl.css_class}" data-ann="{hl.annotation_id}"{ident}>'


def _ref_html(hl: Highlight) -> str:
    # Ignored by Pagefind: an empty element with an id is an anchor to it, and it puts a space
    # where the anchor stands, so excerpts read "unlawful , citing" (Pagefind 1.5.2).
    return (
        f'<a class="note-ref" href="#{hl.annotation_id}" id="ref-{hl.annotation_id}" '
        f'data-ann="{hl.annotation_id}" data-n="{hl.number}" aria-label="{escapeHtml(hl.label)}" '
        'data-pagefind-ignore="all"></a>'
    )


class _Marker:
    """Writes the HTML of one text run with nested marks, piece by piece."""

    def __init__(self, highlights: Sequence[Highlight]) -> None:
        self.highlights = highlights  # ordered by start
        self.opened: set[str] = set()  # annotations whose first piece is written
        # Which highlights meet a span, in O(log n) rather than a scan of all of them per
        # text run: those starting before its end, of which the furthest-reaching must pass its start.
        self.starts = [h.start for h in highlights]
        self.reach = list(itertools.accumulate((h.end for h in highlights), max))

    def touches(self, start: int, end: int) -> bool:
        count = bisect_left(self.starts, end)
        return count > 0 and self.reach[count - 1] > start

    def run_html(self, chunks: list[tuple[str, str]], start: int, in_link: bool = False) -> tuple[str, str]:
        """(HTML of the run, note references deferred until an enclosing link closes).

        chunks: (kind, text) with kind text|softbreak|hardbreak|code; start: page offset.
        A reference follows the last piece of its annotation, outside its mark.
        """
        text = "".join(t for _, t in chunks)
        end = start + len(text)
        active = [h for h in self.highlights[: bisect_left(self.starts, end)] if h.end > start]
        cuts = {start, end}
        for hl in active:
            cuts.update(p for p in (hl.start, hl.end) if start < p < end)
        # Pieces end where a mark opens or closes, and around hard breaks (written as <br>). Other
        # chunk edges need no cut: escaping goes character by character, and a paragraph of many
        # lines would otherwise be written line by line.
        breaks: set[int] = set()
        position = start
        for kind, chunk_text in chunks:
            if kind == "hardbreak":
                breaks.add(position)
                cuts.update((position, position + len(chunk_text)))
            position += len(chunk_text)
        points = sorted(cuts)
        out: list[str] = []
        deferred: list[str] = []
        stack: list[Highlight] = []

        def references(at: int) -> None:
            refs = "".join(_ref_html(h) for h in active if h.end == at)
            (deferred if in_link else out).append(refs)

        for a, b in itertools.pairwise(points):
            wanted = [h for h in active if h.start <= a and h.end >= b]
            common = 0
            while common < len(stack) and common < len(wanted) and stack[common] is wanted[common]:
                common += 1
            while len(stack) > common:
                stack.pop()
                out.append("</mark>")
            if a > start:
                references(a)
            for hl in wanted[common:]:
                out.append(_mark_open(hl, hl.annotation_id not in self.opened))
                self.opened.add(hl.annotation_id)
                stack.append(hl)
            out.append("<br>\n" if a in breaks else escapeHtml(text[a - start : b - start]))
        out.extend("</mark>" for _ in stack)
        references(end)
        return "".join(out), "".join(deferred)


def apply_highlights(tokens: list[Token], page: PageText, highlights: Sequence[Highlight]) -> list[Token]:
    """A new token list with marks and note references inserted."""
    if not highlights:
        return tokens
    ordered = sorted(highlights, key=lambda h: (h.start, -h.end, h.annotation_id))
    marker = _Marker(ordered)
    leaves_by_block: dict[int, list[Leaf]] = {}
    for leaf in page.leaves:
        leaves_by_block.setdefault(leaf.block, []).append(leaf)

    result: list[Token] = []
    for index, token in enumerate(tokens):
        leaves = leaves_by_block.get(index)
        # a block no highlight reaches is kept as it is (its leaves are in order, end to end)
        if not leaves or not marker.touches(leaves[0].start, leaves[-1].end):
            result.append(token)
            continue
        if token.type in ("code_block", "fence"):
            leaf = leaves[0]
            inner, refs = marker.run_html([("code", token.content)], leaf.start, in_link=True)
            # the language as markdown-it's own fence rule reads it: entities and escapes resolved
            info = mdTrim(unescapeAll(token.info)) if token.info else ""
            language = MD_TRIM_RE.split(info, maxsplit=1)[0] if info else ""
            cls = f' class="language-{escapeHtml(language)}"' if language else ""
            result.append(_html_token(f"<pre><code{cls}>{inner}</code></pre>{refs}\n"))
            continue
        result.append(_highlight_inline(token, leaves, marker))
    return result


def _highlight_inline(token: Token, leaves: list[Leaf], marker: _Marker) -> Token:
    children = list(token.children or [])
    leaf_at = {leaf.child: leaf for leaf in leaves}
    new_children: list[Token] = []
    pending_refs: list[str] = []  # refs waiting for the enclosing link to close
    link_depth = 0
    i = 0
    while i < len(children):
        child = children[i]
        if child.type == "link_open":
            link_depth += 1
        elif child.type == "link_close":
            link_depth -= 1
            new_children.append(child)
            if link_depth == 0 and pending_refs:
                new_children.append(_html_token("".join(pending_refs)))
                pending_refs = []
            i += 1
            continue
        if i not in leaf_at:
            new_children.append(child)
            i += 1
            continue
        # gather a run of plain text leaves (text, softbreak, hardbreak); code spans alone
        run_start = leaf_at[i].start
        chunks: list[tuple[str, str]] = []
        j = i
        if child.type == "code_inline":
            chunks.append(("code", child.content))
            j = i + 1
        else:
            while j < len(children) and j in leaf_at and children[j].type != "code_inline":
                kind = children[j].type
                chunks.append((kind, "\n" if kind in ("softbreak", "hardbreak") else children[j].content))
                j += 1
        run_end = run_start + sum(len(t) for _, t in chunks)
        if not marker.touches(run_start, run_end):
            new_children.extend(children[i:j])
            i = j
            continue
        is_code = child.type == "code_inline"
        html, refs = marker.run_html(chunks, run_start, in_link=link_depth > 0 or is_code)
        if is_code:
            html = f"<code>{html}</code>"
        new_children.append(_html_token(html))
        if refs and link_depth > 0:
            pending_refs.append(refs)
        elif refs:
            new_children.append(_html_token(refs))
        i = j
    if pending_refs:
        new_children.append(_html_token("".join(pending_refs)))
    return _with_children(token, new_children)


def _with_children(token: Token, children: list[Token]) -> Token:
    """dataclasses.replace(token, children=children), without its walk over the fields (a copy of
    every block a note reaches); test_highlight.py holds it to replace's result."""
    return Token(token.type, token.tag, token.nesting, token.attrs, token.map, token.level, children,
                 token.content, token.markup, token.info, token.meta, token.block, token.hidden)

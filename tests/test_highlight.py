"""Highlights only add elements (highlight.py, SPEC §6): with the marks and the note references
taken out, the body's HTML is markdown-it's own, for any Markdown and any set of overlapping
highlights. Blocks no highlight reaches are kept as they are, and a text run is cut only where
a mark opens or closes or at a hard break; this checks that neither shortcut changes a byte."""

from __future__ import annotations

import dataclasses
import re

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from glossator.anchor.highlight import Highlight, _with_children, apply_highlights
from glossator.anchor.markdown import parse, render_tokens
from glossator.anchor.textmap import page_text
from tests.test_fuzz import articles

ADDED = re.compile(r'<mark class="hl [^"]*" data-ann="[^"]*"(?: id="hl-[^"]*")?>|</mark>'
                   r'|<a class="note-ref" [^>]*></a>')


@st.composite
def highlighted(draw: st.DrawFn) -> tuple[str, list[Highlight]]:
    body = draw(articles)
    text = page_text(parse(body)).text
    # where a quote can begin and end: on a character of the text, not on the breaks between blocks
    visible = [i for i, char in enumerate(text) if not char.isspace()]
    assume(visible)
    highlights = []
    for n in range(1, draw(st.integers(1, 6)) + 1):
        start = draw(st.sampled_from(visible))
        end = draw(st.sampled_from([i for i in visible if start <= i < start + 80])) + 1
        highlights.append(Highlight(f"a{n}", start, end, "k-claim v-mixed", n, f"Note {n}: claim, mixed"))
    return body, highlights


@settings(max_examples=400, deadline=None)
@given(highlighted())
def test_highlights_only_add_elements(case: tuple[str, list[Highlight]]) -> None:
    body, highlights = case
    plain = render_tokens(parse(body))  # (rendering changes some tokens, e.g. an aside's class: parse twice)
    tokens = parse(body)
    marked = render_tokens(apply_highlights(tokens, page_text(tokens), highlights))
    # (a hard break inside a mark is written <br>, markdown-it's own is <br />: the same element)
    assert ADDED.sub("", marked).replace("<br />", "<br>") == plain.replace("<br />", "<br>")
    for hl in highlights:  # each annotation: its first piece carries its id, one reference after the last
        assert marked.count(f'id="hl-{hl.annotation_id}"') == 1
        assert marked.count(f'id="ref-{hl.annotation_id}"') == 1


def test_a_highlighted_fence_keeps_markdown_its_language_class() -> None:
    body = "```a&amp;b\\_c more words\nx = 1\n```\n"
    tokens = parse(body)
    text = page_text(tokens)
    start = text.text.index("x = 1")
    marked = apply_highlights(tokens, text, [Highlight("a1", start, start + 5, "k-claim", 1, "Note 1: claim")])
    html = render_tokens(marked)
    assert 'class="language-a&amp;b_c"' in html
    assert ADDED.sub("", html) == render_tokens(parse(body))


def test_a_highlighted_block_is_the_token_dataclasses_replace_would_make() -> None:
    # _with_children names Token's fields one by one: a field markdown-it adds must be added there too
    for token in parse("# A *title*\n\nSome `code` and [a link](https://example.org) here.\n\n```py\nx\n```\n"):
        children = [*(token.children or []), token]
        assert _with_children(token, children) == dataclasses.replace(token, children=children)
        token.meta["seen"] = True
        token.hidden = not token.hidden
        assert _with_children(token, children) == dataclasses.replace(token, children=children)

"""render_note skips markdown-it for one-line prose (markdown.py): it must give exactly what
markdown-it gives, for any text it takes that path for. parse_texts, which parses the texts of
one article sharing the paragraphs they have in common, must give what parsing each alone gives."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from glossator.anchor.highlight import Highlight, apply_highlights
from glossator.anchor.markdown import _PROSE, markdown, parse, parse_texts, render_note, render_tokens
from glossator.anchor.textmap import page_text

# letters, digits, spaces of several kinds, and every character with a meaning somewhere in Markdown
TRICKY = "aZé9 \u00a0\u3000\u2028\t\n\"'#>-+=.:;!?()*_`~|\\[]<>&/%$@{}^,0123)"


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from(TRICKY), max_size=24))
@example("Said the minister.")
@example('He said "no" (twice): 1. not a list, # not a heading')
@example("Trailing spaces  ")
@example("a\u3000")
@example("x = y - z !")
def test_fast_path_equals_markdown_it(text: str) -> None:
    render_note.cache_clear()
    assert render_note(text) == markdown().render(text), repr(text)


def test_fast_path_is_taken_for_ordinary_prose() -> None:
    assert _PROSE.fullmatch("The ministry's figures, published on 3 March, show a 4% rise (not 40%).")
    assert not _PROSE.fullmatch("*emphasis*") and not _PROSE.fullmatch("1. a list")


@settings(max_examples=2000, deadline=None)
@given(st.from_regex(_PROSE, fullmatch=True))
def test_every_text_the_fast_path_takes_renders_as_markdown_it_would(text: str) -> None:
    render_note.cache_clear()
    assert render_note(text) == markdown().render(text), repr(text)


# paragraphs of a few kinds: prose, inline markup, links (inline, by reference, external, unsafe,
# images), escapes that make `text_special` tokens, and the reference definitions themselves
BLOCKS = st.sampled_from([
    "The council voted 31 to 4.", "The council voted 30 to 5.", "A **bold** claim, *softened*.",
    "See [the report](https://example.org/report) and [the minutes][m].", "See [the minutes][m].",
    "[m]: https://example.org/minutes", "[m]: /local/minutes", "An image ![map](https://example.org/map.png).",
    "A link to [elsewhere](javascript:alert(1)).", "Escaped \\*stars\\* and \\_lines\\_ and &amp; too.",
    "- a list item\n- another [item](https://example.org/)", "> A quote with `code` in it.", "## A heading",
    "Two lines\nof one paragraph.", "| a | b |\n|---|---|\n| *c* | d |", "~~struck~~ words",
])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(BLOCKS, min_size=1, max_size=6), min_size=1, max_size=4))
def test_texts_parsed_together_are_parsed_as_each_alone(texts: list[list[str]]) -> None:
    bodies = ["\n\n".join(blocks) + "\n" for blocks in texts]
    together = parse_texts(bodies)
    for body, tokens in zip(bodies, together, strict=True):
        alone = parse(body)
        assert render_tokens(tokens) == render_tokens(alone)
        assert page_text(tokens).text == page_text(alone).text
        assert [(t.type, t.content, t.attrs) for t in tokens] == [(t.type, t.content, t.attrs) for t in alone]
    # highlighting one text's shared tokens leaves the others' as they were
    first = together[0]
    text = page_text(first)
    if text.text.strip():
        apply_highlights(first, text, [Highlight("n", 0, len(text.text.rstrip()), "k-claim", 1, "Note 1")])
        assert [render_tokens(tokens) for tokens in together] == [render_tokens(parse(body)) for body in bodies]

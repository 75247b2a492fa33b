"""render_note skips markdown-it for one-line prose (markdown.py): it must give exactly what
markdown-it gives, for any text it takes that path for."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from glossator.anchor.markdown import _PROSE, markdown, render_note

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

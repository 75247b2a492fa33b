"""render_note skips markdown-it for one-line prose (markdown.py): it must give exactly what
markdown-it gives, for any text it takes that path for. parse_texts, which parses the texts of
one article sharing the paragraphs they have in common, must give what parsing each alone gives.

Each test of the fast path renders through render_note while watching the shared MarkdownIt
instance: a text for which markdown-it was not called was rendered by the fast path, so the
comparison with markdown-it's own HTML is a comparison of the two renderers, not of markdown-it
with itself."""

from __future__ import annotations

from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it.common.normalize_url import normalizeLink

from glossator.anchor.highlight import Highlight, apply_highlights
from glossator.anchor.markdown import (
    _PLAIN_LINK,
    _PROSE,
    DELIMITER_RULES,
    markdown,
    normalize_link,
    parse,
    parse_texts,
    render_note,
    render_tokens,
)
from glossator.anchor.textmap import page_text

# letters, digits, spaces of several kinds, and every character with a meaning somewhere in Markdown
TRICKY = "aZé9 \u00a0\u3000\u2028\t\n\"'#>-+=.:;!?()*_`~|\\[]<>&/%$@{}^,0123)"
# the part of TRICKY the fast path's pattern admits: as the first character, and after it
PROSE_FIRST = [c for c in dict.fromkeys(TRICKY) if _PROSE.fullmatch(c)]
PROSE_REST = [c for c in dict.fromkeys(TRICKY) if _PROSE.fullmatch("a" + c)]


def render(text: str) -> tuple[str, bool]:
    """render_note(text), and whether the fast path rendered it (markdown-it was not called)."""
    render_note.cache_clear()
    md = markdown()
    real = md.render
    calls: list[str] = []

    def watched(src: str, env: Any = None) -> Any:
        calls.append(src)
        return real(src, env)

    md.render = watched  # type: ignore[method-assign]
    try:
        html = render_note(text)
    finally:
        del md.render
    return html, not calls


def is_fast(text: str) -> bool:
    return render(text)[1]


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from(TRICKY), max_size=24))
@example("Said the minister.")
@example('He said "no" (twice): 1. not a list, # not a heading')
@example("Trailing spaces  ")
@example("a\u3000")
@example("x = y - z !")
def test_fast_path_equals_markdown_it(text: str) -> None:
    html, _ = render(text)
    assert html == markdown().render(text), repr(text)


@settings(max_examples=3000, deadline=None)
@given(st.builds(lambda first, rest: first + rest, st.sampled_from(PROSE_FIRST),
                 st.text(alphabet=st.sampled_from(PROSE_REST), max_size=23)).filter(lambda t: not t[-1].isspace()))
@example("Said the minister.")
@example('He said "no" (twice): 1. not a list, # not a heading')
@example("x = y - z !")
def test_fast_path_on_tricky_prose_equals_markdown_it(text: str) -> None:
    """Texts of TRICKY's characters that the fast path takes: it renders them (markdown-it is never
    called), and gives what markdown-it gives."""
    html, fast = render(text)
    assert fast, repr(text)
    assert html == markdown().render(text), repr(text)


def test_fast_path_is_taken_for_ordinary_prose() -> None:
    assert _PROSE.fullmatch("The ministry's figures, published on 3 March, show a 4% rise (not 40%).")
    assert not _PROSE.fullmatch("*emphasis*") and not _PROSE.fullmatch("1. a list")
    assert is_fast("The ministry's figures, published on 3 March, show a 4% rise (not 40%).")
    assert not is_fast("*emphasis*") and not is_fast("1. a list")


@settings(max_examples=2000, deadline=None)
@given(st.from_regex(_PROSE, fullmatch=True))
def test_every_text_the_fast_path_takes_renders_as_markdown_it_would(text: str) -> None:
    html, fast = render(text)
    # the pattern's texts are the fast path's, but for those that end in a space (markdown-it trims it)
    assert fast or text[-1].isspace(), repr(text)
    assert html == markdown().render(text), repr(text)


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


# the characters of a link's address, and more: each with a meaning to URL parsing, percent-encoding or
# punycode somewhere
LINK_CHARS = "aZ09-._~/?#=&;+,:@%!*'()$[] \\\u00e9\u4e2dxn"


@settings(max_examples=3000, deadline=None)
@given(st.one_of(st.from_regex(_PLAIN_LINK, fullmatch=True),
                 st.builds(lambda scheme, rest: scheme + rest, st.sampled_from(["", "http://", "https://", "//", "/"]),
                           st.text(alphabet=st.sampled_from(LINK_CHARS), max_size=30))))
@example("https://example.org/a-page?x=1&y=2#part")
@example("http://" + "a" * 64 + ".org/")
@example("http://a:/")
@example("http://a.b_c/")
def test_plain_links_are_what_normalize_link_makes_them(url: str) -> None:
    """The links normalize_link gives back without markdown-it's normalizeLink are those it would give
    back unchanged; every other one goes through it."""
    assert normalize_link(url) == normalizeLink(url), repr(url)


def test_links_are_normalized_through_the_fast_path() -> None:
    assert _PLAIN_LINK.fullmatch("https://example.org/draimsha") and _PLAIN_LINK.fullmatch("../x/#n-2")
    assert markdown().normalizeLink is normalize_link
    html = markdown().render("[a](https://example.org/a) [b](https://example.org/ä) [c](HTTP://EX.org/%zz)")
    assert 'href="https://example.org/a"' in html and 'href="https://example.org/%C3%A4"' in html
    assert 'href="HTTP://EX.org/%25zz"' in html


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab *_~[]()\n`\\!"), max_size=40))
@example("a *b* ~~c~~ _d_ [x](y) ~e~ **f**")
@example("[a *b*](c) ~~[d](e)~~")
def test_delimiter_rules_skipped_without_marks_change_nothing(text: str) -> None:
    """The rules that pair `*`, `_` and `~` run only for a text that holds one (DELIMITER_RULES): the
    tokens are the ones markdown-it's own rules make."""
    md = markdown()
    ours = md.render(text)
    ruler = md.inline.ruler2
    guarded = [(name, ruler.getRules("")[ruler.get_all_rules().index(name)]) for name, _, _ in DELIMITER_RULES]
    try:
        for name, _, rule in DELIMITER_RULES:
            ruler.at(name, rule)
        assert ours == md.render(text), repr(text)
    finally:
        for name, rule in guarded:
            ruler.at(name, rule)
    assert [rule.__name__ for rule in ruler.getRules("")][:3] == ["guarded"] * 3

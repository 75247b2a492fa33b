"""The page text we compute equals the DOM text of the rendered HTML (checked here with an
HTML parser; tests/browser/test_page_text.py checks it in Chromium)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from glossator.anchor.markdown import link_is_safe, parse, render_tokens
from glossator.anchor.textmap import page_text
from tests.html_text import text_content

CASES = [
    "a *b* c\nd\n\ne",
    "- a\n- b\n\n  > q\n- c",
    "1. x\n\n2. y",
    "| a | b |\n|---|---|\n| 1 | **2** |",
    "```py\ncode <b>\n```\n\n    indented\n\n---\n# H\n",
    'x  \ny [l](http://x "t") ![im](a.png) & < > "',
    "> - a\n>   - b\n",
    "::: aside\nREAD MORE: x\n:::\n\ntext",
    "<b>raw html</b> is text",
    "~~struck~~ and `code`",
]


def test_page_text_matches_html_text_content() -> None:
    for case in CASES:
        tokens = parse(case)
        assert page_text(tokens).text == text_content(render_tokens(tokens)), case


MARKDOWN_BITS = st.sampled_from(
    ["word", "**bold**", "*em*", "`code`", "[link](https://e.org)", "\n", "\n\n", "- ", "> ", "1. ", "# ",
     "  \n", "|a|b|\n|-|-|\n|c|d|\n", "```\nfence\n```\n", "    indent\n", "&amp;", "<i>", "~~s~~", "\u00a0", "’"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(MARKDOWN_BITS, max_size=25).map("".join))
def test_property_page_text_is_text_content(markdown: str) -> None:
    tokens = parse(markdown)
    assert page_text(tokens).text == text_content(render_tokens(tokens))


def test_raw_html_is_text_and_unsafe_links_are_dropped() -> None:
    html = render_tokens(parse('<script>alert(1)</script> [x](javascript:alert(1)) [y](JaVa\tScRiPt:alert(1))'))
    assert "<script>" not in html and "<a" not in html  # the tag is text; unsafe links stay unlinked text
    assert not link_is_safe("java\nscript:alert(1)") and not link_is_safe("data:text/html,x")
    assert not link_is_safe("vbscript:x") and link_is_safe("https://example.org/") and link_is_safe("/a/b#c")

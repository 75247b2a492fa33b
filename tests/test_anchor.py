"""Anchoring (SPEC §4): quotes resolved against the text a reader sees."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glossator.anchor.fold import _SPACE_RUN, _collapse, fold_text
from glossator.anchor.highlight import Highlight, apply_highlights
from glossator.anchor.locate import Ambiguous, NoMatchWithContext, NotFound, anchor_quote
from glossator.anchor.markdown import parse, render_tokens
from glossator.anchor.textmap import page_text
from glossator.model import Anchor

from .html_text import mark_texts, text_content


def resolve(body: str, quote: str, prefix: str | None = None, suffix: str | None = None):
    text = page_text(parse(body)).text
    return anchor_quote("a", fold_text(text), text, quote, prefix, suffix), text


def marked(body: str, spans: dict[str, tuple[int, int]]) -> str:
    tokens = parse(body)
    text = page_text(tokens)
    highlights = [Highlight(k, s, e, "k", n, f"Note {n}") for n, (k, (s, e)) in enumerate(spans.items(), 1)]
    return render_tokens(apply_highlights(tokens, text, highlights))


def test_plain_quote() -> None:
    result, text = resolve("The minister said the budget rose by 4%.", "budget rose")
    assert isinstance(result, Anchor)
    assert text[result.start : result.end] == "budget rose" == result.exact


def test_quote_across_bold_and_link() -> None:
    body = "It was **very [widely reported](https://example.org/x) by** the press."
    result, text = resolve(body, "very widely reported by the")
    assert isinstance(result, Anchor) and result.exact == "very widely reported by the"
    html = marked(body, {"a": (result.start, result.end)})
    assert mark_texts(html)["a"] == "very widely reported by the"
    assert text_content(html) == text  # marks add elements, never characters


def test_quote_across_two_paragraphs() -> None:
    body = "First paragraph ends here.\n\nSecond one starts here."
    result, _ = resolve(body, "ends here. Second one")
    assert isinstance(result, Anchor)
    assert result.exact == "ends here.\nSecond one"  # verbatim page text, the DOM's newline included
    html = marked(body, {"a": (result.start, result.end)})
    assert html.count('<mark class="hl k" data-ann="a"') == 2
    assert mark_texts(html)["a"] == "ends here.Second one"


def test_quote_across_list_items() -> None:
    body = "Intro.\n\n- apples and\n- pears too\n"
    result, _ = resolve(body, "apples and pears")
    assert isinstance(result, Anchor) and result.exact == "apples and\npears"


def test_curly_and_straight_quotes_dashes_and_nbsp() -> None:
    body = "He called it \u201ccrystal clear\u201d \u2013 twice, and it\u2019s\u00a0done."
    result, _ = resolve(body, "called it \"crystal clear\" - twice, and it's done")
    assert isinstance(result, Anchor)
    assert result.exact == "called it \u201ccrystal clear\u201d \u2013 twice, and it\u2019s\u00a0done"
    # and the other way round: a curly quote matches straight text
    result, _ = resolve('He said "no".', "said \u201cno\u201d")
    assert isinstance(result, Anchor) and result.exact == 'said "no"'


def test_nfd_article_nfc_quote() -> None:
    body = unicodedata.normalize("NFD", "Le café de la gare était fermé.")
    result, text = resolve(body, "café de la gare était")
    assert isinstance(result, Anchor)
    assert unicodedata.normalize("NFC", result.exact) == "café de la gare était"
    assert result.exact == text[result.start : result.end]


def test_case_matters() -> None:
    result, _ = resolve("The Budget rose.", "the budget")
    assert isinstance(result, NotFound)


def test_ambiguous_quote_and_prefix() -> None:
    body = "The tax rose. Then the tax fell. Later the tax rose again."
    result, _ = resolve(body, "the tax")
    assert isinstance(result, Ambiguous) and result.total == 2  # "The tax" differs in case
    assert [o.prefix.strip() for o in result.occurrences] == ["Then", "Later"]
    chosen, text = resolve(body, "the tax", prefix="Later ")
    assert isinstance(chosen, Anchor) and text[: chosen.start].endswith("Later ")
    chosen, text = resolve(body, "the tax", suffix=" fell")
    assert isinstance(chosen, Anchor) and text[chosen.end :].startswith(" fell")


def test_prefix_that_matches_nothing() -> None:
    result, _ = resolve("One cat. Two cats.", "cat", prefix="Three ")
    assert isinstance(result, NoMatchWithContext) and result.count == 2


def test_absent_quote_gives_closest_passage() -> None:
    body = "Nouri has personally seen the massacre of some 600 Iraqi soldiers in June."
    result, _ = resolve(body, "the massacre of some 700 Iraqi soldiers")
    assert isinstance(result, NotFound)
    assert "600" in result.closest and result.similarity >= 80
    assert any("`700`" in d and "`600`" in d for d in result.differences)


def test_nested_and_overlapping_highlights_keep_all_pieces() -> None:
    body = "alpha beta gamma delta epsilon"
    text = page_text(parse(body)).text
    spans = {"outer": (0, 22), "inner": (6, 16), "overlap": (11, 30)}
    html = marked(body, spans)
    texts = mark_texts(html)
    for key, (start, end) in spans.items():
        assert texts[key] == text[start:end]
    assert text_content(html) == text


def test_prefix_suffix_context_is_at_most_32_utf16_units() -> None:
    emoji = "\U0001f600"
    body = (emoji * 40) + " the quote " + (emoji * 40)
    result, _ = resolve(body, "the quote")
    assert isinstance(result, Anchor)
    assert len(result.prefix.encode("utf-16-le")) // 2 <= 32
    assert len(result.suffix.encode("utf-16-le")) // 2 <= 32
    assert result.prefix.endswith(emoji + " ") and result.suffix.startswith(" " + emoji)


# --- property: any span of the visible text can be anchored back exactly -----------------

WORDS = st.sampled_from(["alpha", "beta", "gamma", "delta", "“quoted”", "it’s", "end.", "x–y", "café", "1,700"])


@st.composite
def article_and_span(draw: st.DrawFn) -> tuple[str, int, int]:
    paragraphs = []
    for _ in range(draw(st.integers(1, 4))):
        words = draw(st.lists(WORDS, min_size=2, max_size=12))
        styled = []
        for word in words:
            style = draw(st.sampled_from(["", "", "", "**", "*", "link"]))
            styled.append(f"[{word}](https://example.org/)" if style == "link" else f"{style}{word}{style}")
        paragraphs.append(" ".join(styled))
    body = "\n\n".join(paragraphs)
    text = page_text(parse(body)).text
    words = [(m_start, m_start + len(w)) for m_start, w in _word_spans(text)]
    i = draw(st.integers(0, len(words) - 1))
    j = draw(st.integers(i, min(len(words) - 1, i + 6)))
    return body, words[i][0], words[j][1]


def _word_spans(text: str) -> list[tuple[int, str]]:
    import re

    return [(m.start(), m.group()) for m in re.finditer(r"\S+", text)]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(article_and_span())
def test_property_random_spans_anchor_exactly(case: tuple[str, int, int]) -> None:
    body, start, end = case
    text = page_text(parse(body)).text
    quote = text[start:end]
    folded = fold_text(text)
    result = anchor_quote("a", folded, text, quote)
    if isinstance(result, Ambiguous):
        # the span repeats: its context in the page (all of it, so it is unique) must pick it
        result = anchor_quote("a", folded, text, quote, prefix=text[:start], suffix=text[end:])
    assert isinstance(result, Anchor), result
    assert (result.start, result.end) == (start, end)
    html = marked(body, {"a": (result.start, result.end)})
    assert mark_texts(html)["a"] == "".join(quote.split("\n"))
    assert text_content(html) == text


@pytest.mark.parametrize(("text", "quote", "closest"), [
    ("The council voted 30 to 5 on Thursday night.", "31 to 4", "30 to 5"),  # it stopped at “30 to”
    ("Fares will rise by 12 per cent, the operator said.", "13 per cent", "12 per cent"),  # not “cent,”
    # not the whole paragraph, in a script written without spaces
    ("市议会以31票对4票通过了新的海堤计划。居民们表示欢迎。", "市议会以30票对5票通过", "市议会以31票对4票通过"),
])
def test_the_closest_passage_has_the_quotes_words_and_no_more(text: str, quote: str, closest: str) -> None:
    result = anchor_quote("x", fold_text(text), text, quote)
    assert isinstance(result, NotFound) and result.closest == closest


def _collapse_by_regex(text: str) -> tuple[str, list[int], list[int]]:
    """What fold._collapse computed before it found runs without the regex: the reference."""
    out, derived, source, last, removed = [], [0], [0], 0, 0
    for match in _SPACE_RUN.finditer(text):
        out += [text[last : match.start()], " "]
        derived.append(match.start() - removed + 1)
        source.append(match.end())
        removed += match.end() - match.start() - 1
        last = match.end()
    return "".join(out) + text[last:], derived, source


_WHITE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u2028\u2029\u1680\u3000"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from([*_WHITE, "a", "b", "é", *"   "]), max_size=40))  # (spaces: thrice)
def test_white_space_runs_are_collapsed_as_the_regex_collapses_them(text: str) -> None:
    collapsed, mapping = _collapse(text)
    assert (collapsed, mapping.derived, mapping.source) == _collapse_by_regex(text)

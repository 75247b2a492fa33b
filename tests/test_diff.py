"""The word-level diff (anchor/diff.py) and its HTML (render/diffhtml.py).

The property that matters: applied to the old text, the diff gives the new one, white space and
all (and taken back, the old one), whatever the texts; so what the changes page shows is
exactly what changed. Texts are drawn from a small vocabulary, with paragraph breaks and odd
white space, so that edits collide with repeated words as they do in real corrections."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glossator.anchor.carry import same_words
from glossator.anchor.diff import EXHAUSTIVE_WORDS, SPACELESS, carried_span, count_words, new_text, old_text, word_diff
from glossator.model import Anchor
from glossator.render.diffhtml import DiffMark, render_diff

VOCABULARY = ["the", "council", "said", "600", "1,700", "soldiers.", "“killed”", "Iraqi", "—", "it", "was", "not",
              "a", "b", "é", "🙂", "x" * 12, "“balanced”,", "“balanced”;", "(AP)", "以31票对4票通过。",
              "以30票对5票通过。", "票", "「引用」", "ภาษาไทย", "หิ์น"]
WORDS = st.sampled_from(VOCABULARY)
SPACES = st.sampled_from([" ", " ", " ", "\n", "\n\n", "  ", "\t", "\u00a0 ", " \n"])


@st.composite
def texts(draw: st.DrawFn) -> str:
    words = draw(st.lists(WORDS, max_size=60))
    out = [draw(st.sampled_from(["", " ", "\n"]))]
    for word in words:
        out += [word, draw(SPACES)]
    return "".join(out)


@st.composite
def edited(draw: st.DrawFn) -> tuple[str, str]:
    """A text and an edit of it: words replaced, inserted, deleted; paragraphs split or joined."""
    old = draw(texts())
    tokens = re.findall(r"\S+|\s+", old)
    for _ in range(draw(st.integers(0, 6))):
        if not tokens:
            tokens.append(draw(WORDS))
            continue
        at = draw(st.integers(0, len(tokens) - 1))
        action = draw(st.sampled_from(["replace", "insert", "delete", "break"]))
        if action == "replace":
            tokens[at] = draw(WORDS) if tokens[at].strip() else draw(SPACES)
        elif action == "insert":
            tokens[at:at] = [draw(WORDS), " "]
        elif action == "delete":
            del tokens[at]
        else:
            tokens[at] = "\n" if tokens[at].isspace() else tokens[at] + "\n"
    return old, "".join(tokens)


def _words(text: str) -> int:
    """The words of a whole text, as count_words counts them: white space apart, and each character
    of a script written without spaces."""
    words = count_words((("insert", text),))[0]
    if not re.search(f"[{SPACELESS}]", text):
        assert words == len(text.split())
    return words


def _well_formed(runs: tuple) -> None:
    for (op, text), following in zip(runs, (*runs[1:], None), strict=False):
        assert text, runs
        assert op in ("equal", "delete", "insert")
        if following is not None:
            assert (op, following[0]) not in {("equal", "equal"), ("delete", "delete"), ("insert", "insert"),
                                              ("insert", "delete")}, runs


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(edited(), st.tuples(texts(), texts())))
def test_the_diff_applied_to_the_old_text_gives_the_new_one(pair: tuple[str, str]) -> None:
    old, new = pair
    runs = word_diff(old, new)
    assert new_text(runs) == new
    assert old_text(runs) == old
    _well_formed(runs)
    added, deleted, changed = count_words(runs)
    assert max(added, deleted) <= changed <= added + deleted
    assert added <= _words(new) and deleted <= _words(old)
    if old == new:
        assert runs == (("equal", old),) if old else runs == ()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited())
def test_the_html_shows_every_word_of_both_texts(pair: tuple[str, str]) -> None:
    """What the page shows, with its hidden labels and the ¶ signs taken out, holds the old text's
    words (outside <ins>) and the new one's (outside <del>), in order."""
    old, new = pair
    html, places = render_diff(word_diff(old, new), [DiffMark(0, len(old) // 2, "k-claim", 1, "Note 1", "#n")])
    shown = _Shown(html)
    assert "".join(shown.words(skip="ins")) == "".join(old.split())
    assert "".join(shown.words(skip="del")) == "".join(new.split())
    if not _glued(old, new):
        assert shown.words(skip="ins") == old.split()
        assert shown.words(skip="del") == new.split()
    assert places == len(re.findall(r'<(?:del|ins) id="c-\d+"', html))


def _glued(old: str, new: str) -> bool:
    """Whether an edit made two words touch (`thethe`, `——`, `the以31票`): the diff's units then may
    touch across what was white space, and the changes page shows the characters of both texts in
    order, but a paragraph break of the one text may stand between them in the other's reading."""
    return any(word not in VOCABULARY for word in (old + " " + new).split())


class _Shown(HTMLParser):
    """The text of rendered HTML, leaving out the hidden labels, the note numbers and one of ins/del."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[tuple[str, frozenset[str]]] = []
        self.open: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "p":  # paragraphs stand apart: a word never runs on into the next paragraph's
            self.parts.append((" ", frozenset()))
        classes = dict(attrs).get("class") or ""
        self.open.append("hidden" if "visually-hidden" in classes or "diff-note-ref" in classes else tag)

    def handle_endtag(self, tag: str) -> None:
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.parts.append((data, frozenset(self.open)))

    def words(self, skip: str) -> list[str]:
        text = "".join(data for data, inside in self.parts
                        if skip not in inside and "hidden" not in inside and "summary" not in inside)
        joined = re.sub(r"\s*¶\s*", " ", text)
        return joined.split()


def test_a_corrected_number_is_one_word_replaced() -> None:
    runs = word_diff("the massacre of some 600 Iraqi soldiers\n", "the massacre of some 1,700 Iraqi soldiers\n")
    assert runs == (("equal", "the massacre of some "), ("delete", "600"), ("insert", "1,700"),
                    ("equal", " Iraqi soldiers\n"))
    assert count_words(runs) == (1, 1, 1)


def test_a_deleted_paragraph_is_one_deletion_and_unchanged_ones_are_folded() -> None:
    paragraphs = [f"Paragraph {n} says something." for n in range(8)]
    old = "\n".join(paragraphs) + "\n"
    new = "\n".join(paragraphs[:5] + paragraphs[6:]) + "\n"
    runs = word_diff(old, new)
    assert [op for op, _ in runs] == ["equal", "delete", "equal"] and runs[1][1] == "Paragraph 5 says something.\n"
    html, places = render_diff(runs)
    assert places == 1 and '<details class="diff-unchanged"><summary>4 paragraphs unchanged</summary>' in html


def test_a_long_rewrite_is_still_exact() -> None:
    old = " ".join(f"w{n % 50}" for n in range(EXHAUSTIVE_WORDS + 500))
    new = " ".join(f"w{(n * 7) % 50}" for n in range(EXHAUSTIVE_WORDS + 300))
    runs = word_diff(old, new)
    assert old_text(runs) == old and new_text(runs) == new


def test_carried_span_follows_words_the_outlet_kept_and_only_those() -> None:
    old = "The quay flooded eleven times.\nWork is due to start in spring.\n"
    kept = "The old quay flooded eleven times.\nWork is due to start in May.\n"
    start = old.index("eleven times")
    assert carried_span(old, kept, start, start + 12) == (kept.index("eleven times"), kept.index("eleven times") + 12)
    # a word inserted among them, or one of them changed
    assert carried_span(old, old.replace("eleven times", "eleven more times"), start, start + 12) is None
    assert carried_span(old, old.replace("eleven", "twelve"), start, start + 12) is None
    # a line break that became a space inside them is no change of words
    wrapped = old.replace("eleven times", "eleven\ntimes")
    assert carried_span(wrapped, old, start, start + 12) == (start, start + 12)


def test_chinese_changes_character_by_character() -> None:
    """Chinese is written without spaces: a paragraph is not one word, and two numbers corrected in it
    are two words changed, the rest of the paragraph left as it was."""
    runs = word_diff("委员会以31票对4票通过了这项计划。\n", "委员会以30票对5票通过了这项计划。\n")
    assert runs == (("equal", "委员会以"), ("delete", "31"), ("insert", "30"), ("equal", "票对"), ("delete", "4"),
                    ("insert", "5"), ("equal", "票通过了这项计划。\n"))
    assert count_words(runs) == (2, 2, 2)
    # a character is a word: one replaced is one word changed, in kana and Thai as in Han
    assert count_words(word_diff("東京で会議が開かれた", "東北で会議が開かれた")) == (1, 1, 1)
    runs = word_diff("ภาษาไทยง่าย", "ภาษาลาวง่าย")
    assert runs[0] == ("equal", "ภาษา") and runs[-1] == ("equal", "ง่าย")  # the tone mark stays on its letter
    # a sentence rewritten is one deletion and one insertion, not a scatter of characters the two share
    runs = word_diff("市议会周四晚上以三十一票对四票通过了在北码头修建新海堤的计划。\n",
                     "经过长时间的辩论，市政府最终决定暂停这个有争议的项目。\n")
    assert [op for op, _ in runs] == ["delete", "insert", "equal"] and runs[-1] == ("equal", "。\n")
    assert count_words(runs) == (26, 30, 30)
    # a Latin word inside Chinese text stays whole
    assert word_diff("他用iPhone拍照", "他用Android拍照") == (
        ("equal", "他用"), ("delete", "iPhone"), ("insert", "Android"), ("equal", "拍照"))


def test_punctuation_changed_at_a_word_edge_is_marked_alone() -> None:
    runs = word_diff("a “balanced”, fair report", "a “balanced”; fair report")
    assert runs == (("equal", "a “balanced”"), ("delete", ","), ("insert", ";"), ("equal", " fair report"))
    assert count_words(runs) == (1, 1, 1)
    # a word replaced keeps its punctuation as it was; punctuation inside a word keeps it whole
    assert word_diff("600 soldiers.", "1,700 troops.") == (("delete", "600 soldiers"), ("insert", "1,700 troops"),
                                                          ("equal", "."))


def test_the_words_a_note_was_written_on_are_not_the_same_words_written_elsewhere() -> None:
    """carry.same_words: the quote's words kept where they were, with their neighbours; not the same
    words in a new sentence, which a word diff may align with them."""
    old = "The quay flooded eleven times.\nWork is due to start in spring.\n"
    start = old.index("eleven times")
    at = Anchor("n", start, start + 12, "eleven times", "", "")

    def now(text: str) -> Anchor:
        return Anchor("n", text.index("eleven times"), text.index("eleven times") + 12, "eleven times", "", "")

    kept = "The old quay flooded eleven times.\nWork is due to start in May.\n"
    assert same_words(old, at, kept, now(kept))
    moved = ("The quay flooded.\nTraders, who have complained eleven times about parking, welcomed it.\n"
             "Work is due to start in spring.\n")
    assert not same_words(old, at, moved, now(moved))
    # a paragraph moved whole keeps its words
    reordered = "Work is due to start in spring.\nThe quay flooded eleven times.\n"
    assert same_words(old, at, reordered, now(reordered))


def test_a_long_quote_kept_where_it_stood_is_the_same_words_whatever_its_neighbours_or_quote_marks() -> None:
    """Notes were left on the earlier text when the outlet rewrote only the word beside their quote
    ("daily for school, work…" → "daily to reach school, work…") or only its quote marks (' → ’),
    with a warning that their words were gone."""
    def anchor(text: str, quote: str) -> Anchor:
        start = text.index(quote)
        return Anchor("n", start, start + len(quote), quote, "", "")

    old = "Islanders' groups said the ferry runs daily for school, work and hospital visits.\n"
    rewritten = "Islanders' groups said the ferry runs daily to reach school, work and hospital visits.\n"
    quote = "school, work and hospital visits"
    assert same_words(old, anchor(old, quote), rewritten, anchor(rewritten, quote))
    curly = "Islanders’ groups said the ferry runs daily for school, work and hospital visits.\n"
    start = curly.index("Islanders’ groups said")
    assert same_words(old, anchor(old, "Islanders' groups said"), curly,
                      Anchor("n", start, start + len("Islanders’ groups said"), "Islanders’ groups said", "", ""))
    # a short quote still needs its neighbours: "eleven times" in a new sentence is other words
    flooded, moved = "The quay flooded eleven times.\n", "Traders, who have complained eleven times about parking.\n"
    assert not same_words(flooded, anchor(flooded, "eleven times"), moved, anchor(moved, "eleven times"))

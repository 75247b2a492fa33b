"""The reading experience in Chromium (issue 11, SPEC §6): margin notes that never collide,
notes under their paragraph on narrow screens, lighting, permalinks, kind toggles, the page
text left untouched, no-JavaScript reading and print footnotes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.reader_fixtures import STRESS_SLUG
from tests.helpers import SEED_SLUG, build_site, write_archive

pytestmark = pytest.mark.browser

WIDE = {"width": 1440, "height": 900}
NARROW = {"width": 390, "height": 844}
GAP = 12  # px between stacked notes (notes.js)
SLACK = 4  # px


@pytest.fixture(params=["seed", "stress"])
def article_url(request: pytest.FixtureRequest, serve_dir: Callable[..., str]) -> str:
    """The URL of the seed article or of the stress article, each on its own static server."""
    if request.param == "seed":
        return serve_dir(request.getfixturevalue("seed_site")) + f"articles/{SEED_SLUG}/"
    return serve_dir(request.getfixturevalue("stress_site")) + f"articles/{STRESS_SLUG}/"


@pytest.fixture
def nojs_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


GEOMETRY = """() => {
  const box = (el) => { const r = el.getBoundingClientRect();
    return {top: r.top + scrollY, bottom: r.bottom + scrollY, left: r.left, right: r.right}; };
  const shown = (el) => getComputedStyle(el).display !== 'none';
  const text = document.getElementById('page-text');
  const notes = [...document.querySelectorAll('.note-list > li.note')].filter(shown).map(li => {
    const mark = document.getElementById('hl-' + li.dataset.ann);
    const first = mark.getClientRects()[0];
    // a note opens under the block that holds its reference (the end of its quote)
    const ref = document.getElementById('ref-' + li.dataset.ann);
    let block = ref;
    while (block.parentElement !== text) block = block.parentElement;
    if (/^(UL|OL|DL)$/.test(block.tagName)) block = [...block.children].find(c => c.contains(ref));
    return {id: li.dataset.ann, kind: li.dataset.kind, n: Number(li.getAttribute('value')), box: box(li),
            hl: first.top + scrollY, block: block ? box(block) : null};
  });
  const blocks = [...text.children].map(box);
  return {text: box(text), blocks, notes};
}"""


def _intersects(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


def _ready(page: Page, url: str, viewport: dict) -> None:
    page.set_viewport_size(viewport)
    page.goto(url)
    page.wait_for_function("() => document.querySelector('article').classList.contains('gl-margin') || "
                           "document.querySelector('article').classList.contains('gl-inline')")
    page.evaluate("document.fonts.ready")


def _eventually(page: Page, expression: str, low: float, high: float) -> bool:
    """The value settles between low and high within 3 s (smooth scrolling; works without JS,
    where wait_for_function cannot run)."""
    for _ in range(60):
        if low <= page.evaluate(expression) <= high:
            return True
        page.wait_for_timeout(50)
    return False


def _page_text(page: Page) -> str:
    return page.evaluate("document.getElementById('page-text').textContent")


def _structure(page: Page) -> list[str]:
    """Every node under the page text, in order: element names and text (no attributes)."""
    return page.evaluate("""() => {
      const out = [];
      const walk = (node) => { for (const c of node.childNodes) {
        out.push(c.nodeType === 1 ? c.localName : c.nodeType === 3 ? '#' + c.data : '?' + c.nodeType);
        walk(c); } };
      walk(document.getElementById('page-text'));
      return out;
    }""")


# --- wide screens: the margin ------------------------------------------------------------------


def test_margin_notes_never_collide_and_sit_beside_their_highlights(page: Page, article_url: str) -> None:
    _ready(page, article_url, WIDE)
    geo = page.evaluate(GEOMETRY)
    notes = sorted(geo["notes"], key=lambda n: (n["box"]["top"], n["n"]))
    assert len(notes) in (11, 40)
    text = geo["text"]
    for i, note in enumerate(notes):
        box = note["box"]
        assert box["bottom"] - box["top"] > 10, note["id"]
        assert box["left"] >= text["right"], f"note {note['id']} overlaps the text column"
        for other in notes[i + 1 :]:
            assert not _intersects(box, other["box"]), f"notes {note['id']} and {other['id']} overlap"
        if abs(box["top"] - note["hl"]) > SLACK:
            # pushed down, and only as far as the note above requires
            assert i > 0 and box["top"] > note["hl"], f"note {note['id']} is above its highlight"
            above = notes[i - 1]["box"]["bottom"]
            assert abs(box["top"] - (above + GAP)) <= SLACK, f"note {note['id']} pushed further than needed"
    # at least the first note stands exactly beside its highlight
    assert abs(notes[0]["box"]["top"] - notes[0]["hl"]) <= SLACK
    # the footer comes after the last note: the margin column's height is accounted for
    footer_top = page.evaluate("document.querySelector('.site-footer').getBoundingClientRect().top + scrollY")
    assert footer_top >= max(n["box"]["bottom"] for n in notes)


def test_the_text_column_is_readable(page: Page, seed_url: str) -> None:
    _ready(page, seed_url, WIDE)
    chars_per_line = page.evaluate("""() => {
      const p = document.querySelector('#page-text p:nth-of-type(2)');
      const range = document.createRange(); range.selectNodeContents(p);
      const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
      return p.textContent.length / lines;
    }""")
    assert 55 <= chars_per_line <= 80


def test_layout_follows_resizes_and_hidden_kinds(page: Page, article_url: str) -> None:
    _ready(page, article_url, WIDE)
    before = {n["id"]: n["box"]["top"] for n in page.evaluate(GEOMETRY)["notes"]}
    # hiding sourcing notes lets later notes move up to their highlights
    page.uncheck("#show_sourcing")
    geo = page.evaluate(GEOMETRY)
    assert geo["notes"] and all(n["kind"] != "sourcing" for n in geo["notes"])
    after = {n["id"]: n["box"]["top"] for n in geo["notes"]}
    assert all(after[i] <= before[i] + 0.5 for i in after)
    assert any(after[i] < before[i] - 1 for i in after)
    page.check("#show_sourcing")
    # the narrowest wide window: the margin still clears the text column
    page.set_viewport_size({"width": 1210, "height": 900})
    page.wait_for_timeout(100)
    geo = page.evaluate(GEOMETRY)
    for note in geo["notes"]:
        assert note["box"]["left"] >= geo["text"]["right"]


# --- hover and focus: each side lights the other ---------------------------------------------------


def _lit(page: Page, ann: str) -> dict:
    return page.evaluate("""(id) => ({
      note: document.getElementById('note_' + id).classList.contains('is-lit'),
      marks: [...document.querySelectorAll(`#page-text mark[data-ann="${id}"]`)]
        .map(m => m.classList.contains('is-lit')),
      background: getComputedStyle(document.getElementById('hl-' + id)).backgroundColor,
    })""", ann)


def test_hover_and_focus_light_note_and_highlight(page: Page, seed_url: str) -> None:
    _ready(page, seed_url, WIDE)
    plain = _lit(page, "who-is-badr")
    assert not plain["note"] and not any(plain["marks"])
    page.hover("#hl-who-is-badr")
    lit = _lit(page, "who-is-badr")
    assert lit["note"] and all(lit["marks"]) and lit["background"] != plain["background"]
    # pointing at the note lights its highlight
    page.mouse.move(5, 5)
    assert not _lit(page, "who-is-badr")["note"]
    page.hover("#note_speicher-toll .note-text")
    lit = _lit(page, "speicher-toll")
    assert lit["note"] and all(lit["marks"])
    page.mouse.move(5, 5)
    assert not any(_lit(page, "speicher-toll")["marks"])
    # the inner of two nested highlights lights its own note, not the outer one
    page.hover("#hl-border-transit")
    assert _lit(page, "border-transit")["note"] and not _lit(page, "logistical-support")["note"]
    page.mouse.move(5, 5)
    # keyboard focus on a reference, and inside a note
    page.focus("#ref-safe-havens")
    assert _lit(page, "safe-havens")["note"]
    page.focus("#note_crystal-clear-evidence .permalink")
    assert all(_lit(page, "crystal-clear-evidence")["marks"])
    assert not _lit(page, "safe-havens")["note"]


def test_wide_reference_moves_focus_to_its_note_and_escape_returns(page: Page, seed_url: str) -> None:
    _ready(page, seed_url, WIDE)
    page.focus("#ref-foreign-fighters-origin")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "note_foreign-fighters-origin"
    assert page.evaluate("location.hash") == ""  # the page did not jump to the notes list
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") == "ref-foreign-fighters-origin"


def _scrolled(page: Page) -> None:
    """Wait for a (smooth) scroll to end: scrollY the same over 200 ms."""
    last, same = None, 0
    for _ in range(60):
        now = page.evaluate("scrollY")
        same = same + 1 if now == last else 0
        if same >= 4:
            return
        last = now
        page.wait_for_timeout(50)


def test_wide_click_on_words_keeps_them_on_screen_with_their_note(page: Page, seed_url: str) -> None:
    """A click on highlighted words shows their note without scrolling the words away (the note's
    bottom brought into view put the words above the window)."""
    _ready(page, seed_url, {"width": 1280, "height": 720})
    tops = """(id) => { const m = document.getElementById('hl-' + id).getBoundingClientRect();
      const n = document.getElementById('note_' + id).getBoundingClientRect();
      return {mark: m.top, markBottom: m.bottom, note: n.top, height: innerHeight}; }"""
    page.click("#hl-who-is-badr")
    _scrolled(page)
    at = page.evaluate(tops, "who-is-badr")
    assert at["mark"] >= 0 and at["markBottom"] <= at["height"], at
    assert 0 <= at["note"] < at["height"], at
    assert _lit(page, "who-is-badr")["note"]
    # a note already on screen: nothing moves
    before = page.evaluate("scrollY")
    page.click("#hl-who-is-badr")
    _scrolled(page)
    assert page.evaluate("scrollY") == before
    # Enter on a reference: focus goes to its note, on screen, with the words
    page.evaluate("scrollTo({top: 0, behavior: 'instant'})")
    page.focus("#ref-who-is-badr")
    page.keyboard.press("Enter")
    _scrolled(page)
    at = page.evaluate(tops, "who-is-badr")
    assert page.evaluate("document.activeElement.id") == "note_who-is-badr"
    assert at["mark"] >= 0 and 0 <= at["note"] < at["height"], at


# --- narrow screens: notes open under their paragraph ----------------------------------------------


def _note_state(page: Page, ann: str) -> dict:
    return page.evaluate("""(id) => {
      const li = document.getElementById('note_' + id), ref = document.getElementById('ref-' + id);
      return {visible: getComputedStyle(li).display !== 'none', expanded: ref.getAttribute('aria-expanded'),
              controls: ref.getAttribute('aria-controls'), active: document.activeElement.id};
    }""", ann)


def test_narrow_open_close_escape_and_focus_return(page: Page, seed_url: str) -> None:
    _ready(page, seed_url, NARROW)
    state = _note_state(page, "who-is-badr")
    assert state == {"visible": False, "expanded": "false", "controls": "note_who-is-badr", "active": ""}
    # keyboard: Enter opens, focus goes to the note, Escape closes and returns focus
    page.focus("#ref-who-is-badr")
    page.keyboard.press("Enter")
    state = _note_state(page, "who-is-badr")
    assert state["visible"] and state["expanded"] == "true" and state["active"] == "note_who-is-badr"
    assert page.evaluate("location.hash") == ""
    page.keyboard.press("Escape")
    state = _note_state(page, "who-is-badr")
    assert not state["visible"] and state["expanded"] == "false" and state["active"] == "ref-who-is-badr"
    # Space works too
    page.keyboard.press(" ")
    assert _note_state(page, "who-is-badr")["visible"]
    # the close control closes and returns focus
    page.click("#note_who-is-badr .note-close")
    state = _note_state(page, "who-is-badr")
    assert not state["visible"] and state["active"] == "ref-who-is-badr"
    # a tap on the highlighted words opens the note; a second tap closes it
    page.click("#hl-speicher-toll")
    assert _note_state(page, "speicher-toll")["visible"]
    page.click("#hl-speicher-toll")
    assert not _note_state(page, "speicher-toll")["visible"]


def test_narrow_escape_elsewhere_leaves_an_open_note_alone(page: Page, seed_url: str) -> None:
    """Escape in the header's search box is the box's: the open note stays open, focus stays in the
    box and the page does not scroll; from the page text, Escape closes the note as before."""
    _ready(page, seed_url, NARROW)
    page.focus("#ref-who-is-badr")
    page.keyboard.press("Enter")
    assert _note_state(page, "who-is-badr")["visible"]
    page.focus("#site-search-q")
    page.keyboard.type("turkey")
    _scrolled(page)
    before = page.evaluate("scrollY")
    page.keyboard.press("Escape")
    _scrolled(page)
    state = _note_state(page, "who-is-badr")
    assert state["visible"] and state["active"] == "site-search-q"
    assert page.evaluate("scrollY") == before
    page.focus("#ref-who-is-badr")
    page.keyboard.press("Escape")
    state = _note_state(page, "who-is-badr")
    assert not state["visible"] and state["active"] == "ref-who-is-badr"


@pytest.mark.parametrize("viewport", [NARROW, {"width": 720, "height": 450}], ids=["phone", "zoom-200"])
def test_narrow_tab_goes_from_an_open_note_on_through_the_text(page: Page, seed_url: str, viewport: dict) -> None:
    """An open note stands under its paragraph: Tab past its last control goes on after its opener in
    the text (not to the footer, past the rest of the article), Shift+Tab from it back to the opener."""
    _ready(page, seed_url, viewport)
    refs = page.evaluate("[...document.querySelectorAll('#page-text a.note-ref')].map(a => a.id)")
    active = "document.activeElement.id || document.activeElement.className"
    page.focus("#" + refs[0])
    page.keyboard.press("Enter")
    assert page.evaluate(active) == "note_" + refs[0][4:]
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate(active) == "note-close":
            break
    assert page.evaluate("document.activeElement.closest('li.note')?.id") == "note_" + refs[0][4:]
    page.keyboard.press("Tab")
    assert page.evaluate(active) == refs[1]
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(active) == refs[0]
    # from the opener of the open note, Tab goes into the note, and Shift+Tab from there comes back
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "note-num"
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(active) == refs[0]
    # the note's own first stop (where opening put focus) goes back to the opener too
    page.keyboard.press("Enter")  # closes it
    page.keyboard.press("Enter")
    assert page.evaluate(active) == "note_" + refs[0][4:]
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(active) == refs[0]


def test_narrow_notes_open_under_their_paragraph_without_overlap(page: Page, article_url: str) -> None:
    _ready(page, article_url, NARROW)
    ids = page.evaluate("[...document.querySelectorAll('.note-list > li.note')].map(li => li.dataset.ann)")
    for ann in ids:
        page.evaluate("(id) => document.getElementById('ref-' + id).click()", ann)
    _assert_under_their_paragraphs(page.evaluate(GEOMETRY), len(ids))


def test_narrow_layout_follows_reflow_and_closing(page: Page, article_url: str) -> None:
    # The layout writes only the positions and reserved room that changed: after the text
    # reflows (notes grow taller, paragraphs end lower) and after notes close (a paragraph's
    # room shrinks or goes), every note must still stand right under its paragraph.
    _ready(page, article_url, NARROW)
    ids = page.evaluate("[...document.querySelectorAll('.note-list > li.note')].map(li => li.dataset.ann)")
    for ann in ids:
        page.evaluate("(id) => document.getElementById('ref-' + id).click()", ann)
    settle = "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
    page.set_viewport_size({"width": 320, "height": NARROW["height"]})
    page.evaluate(settle)
    _assert_under_their_paragraphs(page.evaluate(GEOMETRY), len(ids))
    closed = ids[::3]
    for ann in closed:
        page.evaluate("(id) => document.getElementById('ref-' + id).click()", ann)
    page.set_viewport_size(NARROW)
    page.evaluate(settle)
    geo = page.evaluate(GEOMETRY)
    assert {n["id"] for n in geo["notes"]} == set(ids) - set(closed)
    _assert_under_their_paragraphs(geo, len(ids) - len(closed))
    for ann in ids:
        if ann not in closed:
            page.evaluate("(id) => document.getElementById('ref-' + id).click()", ann)
    # nothing open: no room is left reserved under any paragraph
    assert page.evaluate("document.querySelectorAll('#page-text .gl-reserved').length") == 0


def _assert_under_their_paragraphs(geo: dict, count: int) -> None:
    assert len(geo["notes"]) == count
    by_block: dict[float, list[dict]] = {}
    for note in geo["notes"]:
        by_block.setdefault(note["block"]["bottom"], []).append(note)
    for i, note in enumerate(geo["notes"]):
        box = note["box"]
        assert box["left"] >= geo["text"]["left"] - 1 and box["right"] <= geo["text"]["right"] + 1
        for block in geo["blocks"]:
            assert not _intersects(box, block), f"note {note['id']} covers the text"
        for other in geo["notes"][i + 1 :]:
            assert not _intersects(box, other["box"]), f"notes {note['id']} and {other['id']} overlap"
    # each note stands right under its paragraph, stacked in number order
    for bottom, group in by_block.items():
        group.sort(key=lambda n: n["n"])
        expected = bottom + GAP
        for note in group:
            assert abs(note["box"]["top"] - expected) <= SLACK, note["id"]
            expected = note["box"]["bottom"] + GAP


# --- permalinks ------------------------------------------------------------------------------------


@pytest.mark.parametrize("viewport", [WIDE, NARROW], ids=["wide", "narrow"])
def test_permalink_opens_lights_and_focuses_the_note(page: Page, seed_url: str, viewport: dict) -> None:
    page.set_viewport_size(viewport)
    page.goto(seed_url + "#speicher-toll")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'note_speicher-toll'")
    note = page.locator("#note_speicher-toll")
    assert note.is_visible()
    assert "is-target" in note.get_attribute("class")
    assert page.evaluate("""() => { const r = document.getElementById('note_speicher-toll').getBoundingClientRect();
                                     return r.top >= 0 && r.top < innerHeight; }""")
    assert page.evaluate("document.getElementById('hl-speicher-toll').classList.contains('is-target')")
    # the same from a permalink control on the page
    if viewport == NARROW:
        page.click("#ref-who-is-badr")
    page.click("#note_who-is-badr .permalink")
    page.wait_for_function("() => document.activeElement.id === 'note_who-is-badr'")
    assert page.evaluate("location.hash") == "#who-is-badr"
    assert "is-target" in page.locator("#note_who-is-badr").get_attribute("class")
    assert "is-target" not in page.locator("#note_speicher-toll").get_attribute("class")


def test_permalink_to_a_hidden_kind_shows_it(page: Page, seed_url: str) -> None:
    _ready(page, seed_url, WIDE)
    page.uncheck("#show_claim")
    page.goto(seed_url + "#speicher-toll")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'note_speicher-toll'")
    assert page.locator("#note_speicher-toll").is_visible()


# --- kinds: toggles and persistence ------------------------------------------------------------------


def test_kind_toggles_hide_show_and_persist(page: Page, seed_url: str) -> None:
    _ready(page, seed_url, WIDE)
    toggle = page.locator("#show_context")
    assert toggle.is_visible() and toggle.is_checked()
    context_bg = page.evaluate("getComputedStyle(document.getElementById('hl-norwegian-report')).backgroundColor")
    toggle.uncheck()
    assert not page.locator("#note_norwegian-report").is_visible()
    assert not page.locator("#ref-norwegian-report").is_visible()
    hidden_bg = page.evaluate("getComputedStyle(document.getElementById('hl-norwegian-report')).backgroundColor")
    assert hidden_bg != context_bg and hidden_bg in ("rgba(0, 0, 0, 0)", "transparent")
    assert page.locator("#note_speicher-toll").is_visible()  # other kinds stay
    assert page.evaluate("localStorage.getItem('glossator:hidden-kinds')") == '["context"]'
    page.reload()
    page.wait_for_function("() => document.querySelector('article').classList.contains('gl-margin')")
    assert not page.locator("#show_context").is_checked()
    assert not page.locator("#note_norwegian-report").is_visible()
    # the choice holds at narrow widths too: a hidden kind's highlight opens nothing
    page.set_viewport_size(NARROW)
    page.click("#hl-norwegian-report")
    assert not page.locator("#note_norwegian-report").is_visible()
    page.set_viewport_size(WIDE)
    page.check("#show_context")
    assert page.locator("#note_norwegian-report").is_visible()
    assert page.evaluate("localStorage.getItem('glossator:hidden-kinds')") == "[]"


# --- the page text never changes ------------------------------------------------------------------------


def test_page_text_is_untouched_by_every_interaction(page: Page, nojs_page: Page, article_url: str) -> None:
    nojs_page.goto(article_url)
    reference_text = _page_text(nojs_page)
    reference_nodes = _structure(nojs_page)
    _ready(page, article_url, NARROW)
    assert _page_text(page) == reference_text
    ids = page.evaluate("[...document.querySelectorAll('.note-list > li.note')].map(li => li.dataset.ann)")
    for ann in ids:  # open every note under its paragraph
        page.evaluate("(id) => document.getElementById('ref-' + id).click()", ann)
    assert page.locator(".note-list > li.note.is-open").count() == len(ids)
    assert _page_text(page) == reference_text
    for kind in page.evaluate("[...document.querySelectorAll('input.kind-toggle')].map(t => t.dataset.kind)"):
        page.uncheck(f"#show_{kind}")
        assert _page_text(page) == reference_text
    for kind in page.evaluate("[...document.querySelectorAll('input.kind-toggle')].map(t => t.dataset.kind)"):
        page.check(f"#show_{kind}")
    for viewport in (WIDE, {"width": 800, "height": 900}, NARROW, WIDE):
        page.set_viewport_size(viewport)
        page.wait_for_timeout(50)
        assert _page_text(page) == reference_text
    page.hover("#page-text mark")
    page.goto(article_url + "#" + ids[-1])
    page.wait_for_function("() => document.activeElement.classList.contains('note')")
    assert _page_text(page) == reference_text
    assert _structure(page) == reference_nodes


# --- without JavaScript -----------------------------------------------------------------------------------


@pytest.mark.parametrize("viewport", [WIDE, NARROW], ids=["wide", "narrow"])
def test_without_javascript_every_note_is_readable_and_linked(
    nojs_page: Page, seed_url: str, viewport: dict
) -> None:
    page = nojs_page
    page.set_viewport_size(viewport)
    page.goto(seed_url)
    notes = page.locator(".note-list > li.note")
    assert notes.count() == 11
    text_bottom = page.evaluate("document.getElementById('page-text').getBoundingClientRect().bottom")
    previous = text_bottom
    for i in range(notes.count()):
        note = notes.nth(i)
        assert note.is_visible()
        assert note.locator(".note-text").inner_text().strip()
        box = note.bounding_box()
        assert box["y"] >= previous - 1  # after the article, in order
        previous = box["y"] + box["height"]
        assert note.locator(".note-num").inner_text() == str(i + 1)
    # the kind toggles, which need the script, are not offered
    assert not page.locator("#show_claim").is_visible()
    assert not page.locator("#gl_suggest").is_visible()
    # highlight → note → highlight
    page.click("#ref-speicher-toll")
    # (a fragment's navigation may land after the click returns: waited for)
    page.wait_for_url(lambda url: url.endswith("#speicher-toll"))
    in_view = (-2, viewport["height"] - 20)  # (scrolling may be smooth)
    assert _eventually(page, "document.getElementById('speicher-toll').getBoundingClientRect().top", *in_view)
    page.click("#speicher-toll .note-num")
    page.wait_for_url(lambda url: url.endswith("#hl-speicher-toll"))
    assert _eventually(page, "document.getElementById('hl-speicher-toll').getBoundingClientRect().top", *in_view)


# --- print ---------------------------------------------------------------------------------------------------


def test_print_gives_numbered_footnotes(page: Page, seed_url: str) -> None:
    _ready(page, seed_url, WIDE)
    page.uncheck("#show_claim")  # print shows every note regardless
    page.emulate_media(media="print")
    result = page.evaluate("""() => {
      const text = document.getElementById('page-text').getBoundingClientRect();
      const notes = [...document.querySelectorAll('.note-list > li.note')];
      const ref = document.getElementById('ref-speicher-toll');
      const mark = getComputedStyle(document.getElementById('hl-speicher-toll'));
      return {
        textBottom: text.bottom, textRight: text.right,
        notes: notes.map(li => ({display: getComputedStyle(li).display, position: getComputedStyle(li).position,
                                 top: li.getBoundingClientRect().top, num: li.querySelector('.note-num').textContent})),
        refNumber: getComputedStyle(ref, '::after').content,
        refDisplay: getComputedStyle(ref).display,
        markBackground: mark.backgroundColor, markLine: mark.textDecorationLine,
        legend: getComputedStyle(document.querySelector('.legend')).display,
        header: getComputedStyle(document.querySelector('.site-header')).display,
      };
    }""")
    assert len(result["notes"]) == 11
    tops = [n["top"] for n in result["notes"]]
    assert tops == sorted(tops) and tops[0] > result["textBottom"]
    for i, note in enumerate(result["notes"], 1):
        assert note["display"] != "none" and note["position"] == "static" and note["num"] == str(i)
    assert result["refNumber"] == '"10"' and result["refDisplay"] != "none"
    assert result["markBackground"] in ("rgba(0, 0, 0, 0)", "transparent") and "underline" in result["markLine"]
    assert result["legend"] == "none" and result["header"] == "none"


# --- what each note is about, in every layout, without repeating the words as text ----------------------

QUOTE_STATE = """(id) => {
  const quote = document.querySelector(`.note-list > li.note[data-ann="${id}"] .note-quote`);
  const marks = [...document.querySelectorAll(`#page-text mark[data-ann="${id}"]`)];
  const range = document.createRange();
  range.setStartBefore(marks[0]);
  range.setEndAfter(marks[marks.length - 1]);
  const box = quote.getBoundingClientRect();
  const before = getComputedStyle(quote, '::before');
  return {nodes: quote.childNodes.length, text: quote.textContent, quote: quote.dataset.quote,
          words: range.toString().split(/\\s+/).join(' '), content: before.content,
          shown: getComputedStyle(quote).display !== 'none' && box.height > 0,
          lines: box.height / parseFloat(before.lineHeight), clamp: before.webkitLineClamp};
}"""
LONG_QUOTE = "logistical-support"  # more than two lines in the narrow layout, unclamped


def _quote_state(page: Page, ann: str) -> dict:
    state = page.evaluate(QUOTE_STATE, ann)
    # no text of the page's own: the words come from the attribute, drawn by the stylesheet
    assert state["nodes"] == 0 and state["text"] == ""
    assert state["quote"] == state["words"]
    return state


@pytest.mark.parametrize("layout", ["wide", "narrow", "no-js-wide", "no-js-narrow", "print"])
def test_each_note_shows_its_quote_without_holding_its_words(
    page: Page, nojs_page: Page, seed_url: str, layout: str
) -> None:
    """The note's quote is generated content (SPEC §6: the page never repeats quoted words as
    text): shown in every layout but the margin, where the note stands beside the words."""
    if layout.startswith("no-js"):
        page = nojs_page
        page.set_viewport_size(NARROW if layout.endswith("narrow") else WIDE)
        page.goto(seed_url)
    else:
        _ready(page, seed_url, NARROW if layout == "narrow" else WIDE)
    if layout == "narrow":
        page.click(f"#ref-{LONG_QUOTE}")
    if layout == "print":
        page.emulate_media(media="print")
    ids = page.evaluate("[...document.querySelectorAll('.note-list > li.note')].map(li => li.dataset.ann)")
    assert len(ids) == 11
    for ann in ids:
        state = _quote_state(page, ann)
        if layout == "wide":
            assert not state["shown"], ann
            continue
        if layout == "narrow" and ann != LONG_QUOTE:
            continue  # closed notes are not shown at all
        assert state["shown"], (layout, ann)
        assert state["content"].startswith('"“' + state["quote"].replace('"', '\\"') + '”"'), state["content"]
        if layout == "narrow":
            assert 1.5 < state["lines"] < 2.5 and state["clamp"] == "2"  # two lines under the paragraph
        else:
            assert state["clamp"] == "none"  # elsewhere, all of it
    # the words are in the page once: in the page text
    counts = page.evaluate("""(id) => {
      const words = document.querySelector(`li.note[data-ann="${id}"] .note-quote`).dataset.quote;
      return [document.body.textContent.split(words).length, document.getElementById('page-text').textContent
              .split(words).length];
    }""", LONG_QUOTE)
    assert counts == [2, 2]


# --- contributed words: long words, other languages ------------------------------------------------

LONG_TITLE = "Bundesverfassungsgericht kippt Wahlrechtsreform"
HASHTAG = "#HarbourWallCostOverrunsAreAScandalAccordingToEveryone"


@pytest.fixture(scope="module")
def words_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Articles whose words are hard to lay out: a German headline of long compounds, a long hashtag
    and address, a long topic and outlet name."""
    articles = {
        "wahlrecht": f"""\
            ---
            title: "{LONG_TITLE}"
            source: Landeszeitungsverlagsgesellschaft
            published: 2021-03-01
            language: de
            tags: [verfassungsbeschwerdeverfahren]
            ---
            Das Bundesverfassungsgericht hat die Wahlrechtsreform gekippt, und {HASHTAG} trendete.
            Die Daten: https://data.example.gov/datasets/2021/harbour-wall/construction-costs/quarterly-final.csv
            """,
    }
    articles["fromage"] = """\
        ---
        title: "Le fromage de la vallée"
        source: Le Petit Écho
        published: 2022-05-01
        language: fr
        tags: [verfassungsbeschwerdeverfahren]
        summary: An English summary by the archive.
        ---
        La coopérative affirme que le fromage de la vallée est le meilleur du monde.
        """
    annotations = {
        "fromage": """\
            article: fromage
            annotations:
              - id: meilleur
                kind: claim
                quote: "le fromage de la vallée est le meilleur du monde"
                verdict: unsupported
                note: No tasting ranks the valley's cheese at all.
                by: tester
                added: 2022-05-02
            """,
        "wahlrecht": """\
            article: wahlrecht
            annotations:
              - id: gekippt
                kind: claim
                quote: "Bundesverfassungsgericht hat die Wahlrechtsreform gekippt"
                verdict: accurate
                note: The court's ruling of 2021-02-28 says so.
                by: tester
                added: 2021-03-02
            """,
    }
    root = write_archive(tmp_path_factory.mktemp("words") / "archive", articles, annotations)
    return build_site(root, root.parent / "site")


@pytest.mark.parametrize("width", [390, 320])
def test_long_words_never_make_a_page_scroll_sideways(page: Page, words_site: Path,
                                                      serve_dir: Callable[..., str], width: int) -> None:
    base = serve_dir(words_site)
    page.set_viewport_size({"width": width, "height": 800})
    too_wide = {}
    for path in ["", "articles/", "articles/wahlrecht/", "tags/verfassungsbeschwerdeverfahren/", "claims/",
                 "sources/", f"search/?q={HASHTAG[1:12].lower()}"]:
        page.goto(base + path)
        if path.startswith("search/"):
            page.locator(".result-text mark").first.wait_for()
        page.evaluate("document.fonts.ready")
        wide = page.evaluate("document.documentElement.scrollWidth")
        if wide > width:
            too_wide[path] = wide
    assert too_wide == {}


LANG_OF = """(selector) => [...document.querySelectorAll(selector)].map(el => el.closest('[lang]').lang)"""


def test_an_articles_language_marks_its_own_words_in_listings_and_search(
    page: Page, words_site: Path, serve_dir: Callable[..., str]
) -> None:
    """A French article's title in every listing, its quotes on the claims page and its title and text
    in search results are in French; the labels, counts, summary and notes around them are the site's."""
    base = serve_dir(words_site)
    title = "a[href$='/articles/fromage/']:not(.claim-item > a)"
    for path in ["", "articles/", "tags/verfassungsbeschwerdeverfahren/", "sources/le-petit-echo/"]:
        page.goto(base + path)
        assert page.evaluate(LANG_OF, f".article-item-title {title}") == ["fr"], path
        if not path.startswith("sources/"):
            assert page.evaluate(LANG_OF, ".article-item-title a[href$='/articles/wahlrecht/']") == ["de"], path
        assert set(page.evaluate(LANG_OF, ".article-item-meta, .article-item-summary")) == {"en"}, path
    page.goto(base + "claims/")
    assert page.evaluate(LANG_OF, f".claim-source {title}") == ["fr"]
    quote = ".claim-item > a[href$='#meilleur']"
    words = "le fromage de la vallée est le meilleur du monde"
    assert page.inner_text(quote) == f"“{words}”"
    assert page.evaluate(f"""() => {{ const words = [...document.querySelector("{quote}").querySelectorAll('[lang]')];
      return words.map(w => [w.lang, w.textContent]); }}""") == [["fr", words]]
    assert page.evaluate(LANG_OF, ".claim-source") == ["en", "en"]
    # search: the title and the passage of the text in French, the note in the site's language
    page.goto(base + "search/?q=fromage")
    page.locator("#search-results .result-note").first.wait_for()
    assert page.evaluate(LANG_OF, ".result-title a") == ["fr"]
    assert page.evaluate(LANG_OF, ".result-text") == ["fr"]
    assert set(page.evaluate(LANG_OF, ".result-meta, .result-note")) == {"en"}
    page.goto(base + "search/?q=tasting")
    page.locator("#search-results .result-note").first.wait_for()
    assert page.evaluate(LANG_OF, ".result-note .result-excerpt") == ["en"]

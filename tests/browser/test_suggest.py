""""Suggest an annotation" (issue 3, SPEC §6): a reader selects words of the article and gets
a YAML stub for exactly that selection (quote, and prefix/suffix when the words repeat), a copy
button and a link that opens the annotation file for editing on repo_url. The stub is then
filled in and must pass `check` and anchor where the reader selected. The script restates
Python's rules to make it: the stub it gives is the one Python's `new` writes for the same words and
context, and anchors by Python's rules exactly where the reader selected."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import textwrap
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

# Python's side, in one place (module paths change when the package is reorganised)
from glossator.anchor.fold import fold, fold_text
from glossator.anchor.locate import anchor_quote
from glossator.anchor.markdown import parse
from glossator.anchor.textmap import page_text
from glossator.model import Anchor
from glossator.new import Layout, Target, fresh_id, stub_text
from glossator.validate.site import DEFAULTS
from tests.helpers import REPO, SEED_SLUG, article_md, build_site, run_cli

pytestmark = pytest.mark.browser

WIDE = {"width": 1440, "height": 900}
PHRASE = "crystal clear"  # twice in the seed: “crystal clear” evidence … Everything is crystal clear to us

# the client rects of the n-th occurrence of a phrase in the page text's text nodes
PHRASE_RECTS = """([phrase, nth]) => {
  const walker = document.createTreeWalker(document.getElementById('page-text'), NodeFilter.SHOW_TEXT);
  let seen = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let at = node.data.indexOf(phrase); at !== -1; at = node.data.indexOf(phrase, at + 1)) {
      if (seen++ !== nth) continue;
      const range = document.createRange();
      range.setStart(node, at); range.setEnd(node, at + phrase.length);
      range.startContainer.parentElement.scrollIntoView({block: 'center'});
      const rects = [...range.getClientRects()];
      const a = rects[0], z = rects[rects.length - 1];
      return {x0: a.left, y0: (a.top + a.bottom) / 2, x1: z.right, y1: (z.top + z.bottom) / 2};
    }
  }
  return null;
}"""


def _open(page: Page, url: str) -> None:
    page.set_viewport_size(WIDE)
    page.emulate_media(reduced_motion="reduce")  # no smooth scrolling under the mouse
    page.goto(url)
    page.wait_for_function("() => document.documentElement.classList.contains('gl-js')")


def _drag_select(page: Page, phrase: str, nth: int = 0) -> None:
    """Select the phrase with the mouse, as a reader does: press before its first letter, release after its last."""
    rects = page.evaluate(PHRASE_RECTS, [phrase, nth])
    assert rects, phrase
    page.mouse.move(rects["x0"] + 1, rects["y0"])
    page.mouse.down()
    page.mouse.move((rects["x0"] + rects["x1"]) / 2, rects["y1"], steps=4)
    page.mouse.move(rects["x1"] - 1, rects["y1"], steps=4)
    page.mouse.up()


def _stub(page: Page) -> str:
    control = page.locator("#gl_suggest .suggest-open")
    control.wait_for(state="visible")
    control.click()
    page.locator("#gl_suggest_panel").wait_for(state="visible")
    return page.locator("#gl_suggest_stub").text_content()


def _field(stub: str, key: str) -> str | None:
    match = re.search(rf"^    {key}: (\".*\")$", stub, re.M)
    if not match:
        return None
    return json.loads(match.group(1))


def _filled(stub: str, annotation_id: str | None = None) -> str:
    """The stub as a contributor completes it."""
    text = stub.replace("verdict: TODO", "verdict: unverifiable")
    text = text.replace("by: TODO", "by: a-reader")
    text = re.sub(r"TODO: .*", "The spokesman offers no evidence that anyone could check for this.", text)
    if annotation_id:
        text = re.sub(r"- id: \S+", f"- id: {annotation_id}", text, count=1)
    return text


def test_mouse_selection_of_a_repeated_phrase_gives_quote_and_prefix(
    page: Page, seed_url: str, tmp_path: Path
) -> None:
    _open(page, seed_url)
    assert not page.locator("#gl_suggest").is_visible()
    _drag_select(page, PHRASE, nth=1)  # the second place: “Everything is crystal clear to us here”
    assert page.evaluate("getSelection().toString()") == PHRASE
    second = _stub(page)
    assert _field(second, "quote") == PHRASE
    assert _field(second, "prefix") == "is "
    assert _field(second, "suffix") is None
    assert re.search(r"^  - id: crystal-clear$", second, re.M)
    assert "verdict: TODO  # one of: accurate, mostly-accurate, mixed" in second
    edit = page.locator("#gl_suggest .suggest-edit")
    assert edit.get_attribute("href") == (
        "https://github.com/glossator/glossator/edit/main/annotations/iraqi-militia-turkey-isis-claims.yaml")
    page.keyboard.press("Escape")
    assert not page.locator("#gl_suggest_panel").is_visible()
    # closed, the stub keeps no second copy of the page's words for a client reading the whole body
    assert page.locator("#gl_suggest_stub").text_content() == ""
    assert page.evaluate("document.body.textContent.split('Everything is crystal clear').length") == 2

    page.mouse.click(5, 5)  # collapse the selection: the control goes away
    page.locator("#gl_suggest").wait_for(state="hidden")
    _drag_select(page, PHRASE, nth=0)  # the first place, in another highlight: citing “crystal clear” evidence
    first = _stub(page)
    assert _field(first, "quote") == PHRASE
    assert _field(first, "prefix") == "“"

    # filled in, both stubs pass `check` and anchor exactly where they were selected
    root = tmp_path / "archive"
    for part in ("content", "annotations"):
        shutil.copytree(REPO / part, root / part)
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    annotations = root / "annotations" / f"{SEED_SLUG}.yaml"
    annotations.write_text(annotations.read_text(encoding="utf-8").rstrip("\n") + "\n\n"
                           + _filled(second, "suggested-second") + _filled(first, "suggested-first"), encoding="utf-8")
    checked = run_cli("check", "--root", root)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    build_site(root, tmp_path / "site")
    html = (tmp_path / "site" / "articles" / SEED_SLUG / "index.html").read_text(encoding="utf-8")
    assert re.search(r"“Everything is <mark [^>]*data-ann=\"suggested-second\"[^>]*>crystal clear</mark>", html)
    assert re.search(r"citing “<mark [^>]*data-ann=\"suggested-first\"[^>]*>crystal clear</mark>", html)


def test_keyboard_selection_and_keyboard_use(page: Page, seed_url: str) -> None:
    _open(page, seed_url)
    # a caret on the first letter (caret browsing, or a tap), then the selection grown with Shift+arrows
    page.evaluate("""([phrase]) => {
      const walker = document.createTreeWalker(document.getElementById('page-text'), NodeFilter.SHOW_TEXT);
      const found = [];
      for (let n = walker.nextNode(); n; n = walker.nextNode()) if (n.data.includes(phrase)) found.push(n);
      const node = found[found.length - 1], at = node.data.lastIndexOf(phrase);
      getSelection().setBaseAndExtent(node, at, node, at + 1);
    }""", [PHRASE])
    for _ in range(len(PHRASE) - 1):
        page.keyboard.press("Shift+ArrowRight")
    assert page.evaluate("getSelection().toString()") == PHRASE
    page.locator("#gl_suggest .suggest-open").wait_for(state="visible")
    page.keyboard.press("Tab")  # from the selection, Tab reaches the control
    assert page.evaluate("document.activeElement.className") == "suggest-open"
    assert page.get_attribute("#gl_suggest .suggest-open", "aria-expanded") == "false"
    page.keyboard.press("Enter")
    assert page.get_attribute("#gl_suggest .suggest-open", "aria-expanded") == "true"
    assert page.evaluate("document.activeElement.className") == "suggest-copy"
    stub = page.locator("#gl_suggest_stub").text_content()
    assert _field(stub, "quote") == PHRASE and _field(stub, "prefix") == "is "
    page.keyboard.press("Escape")
    assert not page.locator("#gl_suggest_panel").is_visible()
    assert page.evaluate("document.activeElement.className") == "suggest-open"


def test_at_200_percent_zoom_the_focused_copy_button_is_in_view(page: Page, seed_url: str) -> None:
    """At 200% zoom (720x450) the panel is shorter than its content and scrolls: the Copy button that
    opening it focuses is scrolled into view inside it, not left below its bottom."""
    _open(page, seed_url)
    page.set_viewport_size({"width": 720, "height": 450})
    page.evaluate("""([phrase]) => {
      const walker = document.createTreeWalker(document.getElementById('page-text'), NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const at = n.data.indexOf(phrase);
        if (at >= 0) { getSelection().setBaseAndExtent(n, at, n, at + phrase.length); return; }
      }
    }""", [PHRASE])
    page.locator("#gl_suggest .suggest-open").click()
    assert page.evaluate("document.activeElement.className") == "suggest-copy"
    at = page.evaluate("""() => {
      const panel = document.getElementById('gl_suggest_panel'), p = panel.getBoundingClientRect();
      const c = document.activeElement.getBoundingClientRect();
      return {panel: [p.top, p.bottom], copy: [c.top, c.bottom], scrolls: panel.scrollHeight > panel.clientHeight,
              height: innerHeight};
    }""")
    assert at["scrolls"], at  # the case in question: content taller than the panel
    assert at["panel"][0] <= at["copy"][0] and at["copy"][1] <= at["panel"][1], at
    assert at["copy"][0] >= 0 and at["copy"][1] <= at["height"], at


def test_no_control_for_selections_outside_the_article_text(page: Page, seed_url: str) -> None:
    _open(page, seed_url)
    box = page.locator("#gl_suggest")

    def settles_hidden() -> bool:
        page.wait_for_timeout(150)  # selectionchange is handled on the next frame
        return not box.is_visible()

    title = page.locator(".article-title").bounding_box()
    page.mouse.move(title["x"] + 2, title["y"] + 10)
    page.mouse.down()
    page.mouse.move(title["x"] + 200, title["y"] + 12, steps=5)
    page.mouse.up()
    assert page.evaluate("getSelection().toString()").strip()
    assert settles_hidden()
    # words of a note in the margin
    note = page.locator("#note_speicher-toll .note-text p").bounding_box()
    page.mouse.move(note["x"] + 2, note["y"] + 8)
    page.mouse.down()
    page.mouse.move(note["x"] + 150, note["y"] + 8, steps=5)
    page.mouse.up()
    assert page.evaluate("getSelection().toString()").strip()
    assert settles_hidden()
    # a selection that starts in the article and ends in the notes
    page.evaluate("""() => {
      const start = document.querySelector('#page-text p').firstChild;
      const end = document.querySelector('#note_speicher-toll .note-text p').firstChild;
      getSelection().setBaseAndExtent(start, 0, end, 5);
    }""")
    assert settles_hidden()
    page.keyboard.press("Control+A")
    assert settles_hidden()
    # a selection inside the article shows it; collapsing the selection hides it again
    page.mouse.click(5, 5)  # (pressing inside a selection would drag the selected words)
    _drag_select(page, "hard data")
    box.wait_for(state="visible")
    page.mouse.click(5, 5)
    assert settles_hidden()


def test_new_annotation_file_stub_copy_and_link(
    browser: Browser, make_archive: Callable[..., Path], serve_dir: Callable[..., str], tmp_path: Path
) -> None:
    body = """
        The mayor said the bridge would open in May. Engineers said the bridge would open in June.

        Nobody said when the road would open.
        """
    root = make_archive(
        articles={"bridge-report": article_md("Bridge report", body)},
        site_yaml="title: Test archive\nbase_url: http://127.0.0.1/sub/\nrepo_url: https://github.com/example/archive\n"
                  "repo_branch: trunk\n",
    )
    out = tmp_path / "site"
    build_site(root, out)
    base = serve_dir(out, mount="/sub/")
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
        _open(page, base + "articles/bridge-report/")
        _drag_select(page, "the bridge would open", nth=1)
        stub = _stub(page)
        assert stub.startswith("# yaml-language-server: $schema=../schemas/annotations.schema.json\n"
                               "article: bridge-report\nannotations:\n  - id: bridge-would-open\n")
        assert _field(stub, "quote") == "the bridge would open"
        assert _field(stub, "prefix") == "Engineers said "
        href = page.get_attribute("#gl_suggest .suggest-edit", "href")
        url = urllib.parse.urlsplit(href)
        assert url.netloc == "github.com" and url.path == "/example/archive/new/trunk/annotations"
        query = urllib.parse.parse_qs(url.query)
        assert query["filename"] == ["bridge-report.yaml"] and query["value"] == [stub]
        page.click("#gl_suggest .suggest-copy")
        page.wait_for_function("() => document.querySelector('#gl_suggest .suggest-status').textContent !== ''")
        assert page.evaluate("navigator.clipboard.readText()") == stub
    finally:
        context.close()
    # the new file, filled in, passes check
    (root / "annotations" / "bridge-report.yaml").write_text(_filled(stub), encoding="utf-8")
    checked = run_cli("check", "--root", root)
    assert checked.returncode == 0, checked.stdout + checked.stderr



# Two layouts of a valid annotation file the stub once broke when pasted: a list not yet begun
# (`annotations: []`, as `new` may leave a file) and a list of items at the line's start.
FLUSH_NOTES = ("article: flush\nannotations:\n- id: road\n  kind: context\n  quote: \"Nobody said when\"\n"
               "  note: Nobody did.\n  by: someone\n  added: 2024-05-02\n")


@pytest.mark.parametrize(("slug", "notes"), [("empty", "article: empty\nannotations: []\n"),
                                             ("flush", FLUSH_NOTES)], ids=["empty-list", "flush-list"])
def test_the_stub_pasted_as_the_panel_says_passes_check(
    page: Page, make_archive: Callable[..., Path], serve_dir: Callable[..., str], tmp_path: Path,
    slug: str, notes: str,
) -> None:
    body = """
        The mayor said the bridge would open in May.

        Nobody said when the road would open.
        """
    root = make_archive(articles={slug: article_md(slug.title(), body)}, annotations={slug: notes})
    out = tmp_path / "site"
    build_site(root, out)
    _open(page, serve_dir(out) + f"articles/{slug}/")
    _drag_select(page, "the bridge would open")
    stub = _stub(page)
    help_text = " ".join(page.locator("#gl_suggest .suggest-help").text_content().split())
    path = root / "annotations" / f"{slug}.yaml"
    if slug == "empty":
        assert help_text.startswith("Put this in place of the annotations: line of annotations/empty.yaml")
        pasted = path.read_text(encoding="utf-8").replace("annotations: []\n", _filled(stub))
    else:
        assert help_text.startswith("Add this to the end of annotations/flush.yaml")
        pasted = path.read_text(encoding="utf-8") + _filled(stub)
    path.write_text(pasted, encoding="utf-8")
    checked = run_cli("check", "--root", root)
    assert checked.returncode == 0, pasted + checked.stdout + checked.stderr
    assert "bridge-would-open" in pasted


def test_the_stubs_id_is_never_one_the_page_keeps_for_itself(
    page: Page, make_archive: Callable[..., Path], serve_dir: Callable[..., str], tmp_path: Path
) -> None:
    """Words such as "main" or "Ref 12" gave `- id: main` / `- id: ref-12`, which check refuses
    (the page's own ids); the script now leaves them out as Python's fresh_id does."""
    body = """
        The main road was closed. Ref 12 was cited. The search results were empty.
        """
    root = make_archive(articles={"road": article_md("Road", body)})
    out = tmp_path / "site"
    build_site(root, out)
    _open(page, serve_dir(out) + "articles/road/")
    for words, wanted in (("main", "main-2"), ("Ref 12", "note-ref-12"), ("search results", "search-results-2")):
        assert fresh_id(words, set()) == wanted
        page.evaluate(SELECT_MATCH, [words, 0])
        assert re.search(rf"^  - id: {wanted}$", _stub(page), re.M), words
        page.keyboard.press("Escape")

# Words a reader may select, each tricky for one of the rules the script restates: typographic
# quotes, dashes and a no-break space (folding); repeated words (prefix, suffix, a lone quote mark
# as prefix); stop words only, an id already taken, long, accented and non-Latin words (ids).
TRICKY_BODY = """
    Crystal clear water flows here, the mayor said. Crystal clear water was promised.

    The mayor said the bridge would open in May. Engineers said the bridge would open in June.

    He called the plan “crystal clear” proof. It is crystal clear to us.

    The minister’s “final” figure – 1,700\u00a0soldiers — stands, and it’s final.

    So that was it. Incomprehensibilities notwithstanding elsewhere, reformers met in Zürich’s café; Москва replied.

    Nobody said when the road would open.
    """
TRICKY_TAKEN = {"bridge-would-open"}  # the article's one annotation
TRICKY_ANNOTATIONS = """
    article: tricky
    annotations:
      - id: bridge-would-open
        kind: context
        quote: "Nobody said when"
        note: Nobody did.
        by: someone
        added: 2024-05-02
    """
TODAY = dt.date(2026, 3, 4)
# (words as the page text has them (a regular expression), which occurrence, what the stub must hold)
SELECTIONS = [
    ("Crystal clear water", 0, {"suffix": " flows"}),  # the start of the text: no prefix to give
    ("the bridge would open", 1, {"prefix": "Engineers said ", "id": "bridge-would-open-2"}),
    ("crystal clear", 0, {"prefix": "“"}),
    ("minister’s “final” figure – 1,700\u00a0soldiers — stands", 0,
     {"quote": "minister’s “final” figure – 1,700 soldiers — stands", "id": "ministers-final-figure-1"}),
    ("final", 1, {"prefix": "it’s "}),
    ("in June\\.\\s+He called", 0, {"quote": "in June. He called", "id": "june-he-called"}),
    ("that was it", 0, {"id": "that-was-it"}),
    ("Incomprehensibilities notwithstanding elsewhere, reformers", 0,
     {"id": "incomprehensibilities-notwithstanding-elsewhere"}),
    ("Zürich’s café", 0, {"id": "zurichs-cafe"}),
    ("Москва", 0, {"id": "note"}),
]

# select the nth match of a pattern in the page text, as a reader would; its place in the text
SELECT_MATCH = """([pattern, nth]) => {
  const root = document.getElementById('page-text');
  const match = [...root.textContent.matchAll(new RegExp(pattern, 'gu'))][nth];
  if (!match) return null;
  const start = match.index, end = match.index + match[0].length;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let seen = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const next = seen + node.data.length;
    if (seen <= start && start < next) range.setStart(node, start - seen);
    if (seen < end && end <= next) range.setEnd(node, end - seen);
    seen = next;
  }
  getSelection().removeAllRanges();
  getSelection().addRange(range);
  return {start, end, text: match[0]};
}"""


def test_stubs_are_the_ones_python_writes_and_anchor_where_selected(
    page: Page, make_archive: Callable[..., Path], serve_dir: Callable[..., str], tmp_path: Path
) -> None:
    root = make_archive(articles={"tricky": article_md("Tricky", TRICKY_BODY)},
                        annotations={"tricky": TRICKY_ANNOTATIONS})
    out = tmp_path / "site"
    build_site(root, out)
    text = page_text(parse(textwrap.dedent(TRICKY_BODY).lstrip("\n"))).text
    folded = fold_text(text)
    page.clock.set_fixed_time(dt.datetime(TODAY.year, TODAY.month, TODAY.day, 12))
    _open(page, serve_dir(out) + "articles/tricky/")
    assert page.evaluate("document.getElementById('page-text').textContent") == text
    box = page.locator("#gl_suggest")
    for pattern, nth, wanted in SELECTIONS:
        page.evaluate("getSelection().removeAllRanges()")
        box.wait_for(state="hidden")
        selected = page.evaluate(SELECT_MATCH, [pattern, nth])
        assert selected, pattern
        stub = _stub(page)
        page.keyboard.press("Escape")
        quote, prefix, suffix = _field(stub, "quote"), _field(stub, "prefix"), _field(stub, "suffix")
        assert quote == " ".join(selected["text"].split())
        for key, value in wanted.items():
            assert {"quote": quote, "prefix": prefix, "suffix": suffix, "id": _id(stub)}[key] == value, (pattern, key)
        # the stub `build.py new` writes for these words and this context (a reader, who has no
        # --kind to give, also reads the kinds beside the one the page chose)
        python = stub_text(Target(quote, prefix, suffix, ()), fresh_id(quote, TRICKY_TAKEN), "claim", DEFAULTS, TODAY,
                           Layout(0, 2, 2, ""), "\n")
        kinds = "    kind: claim  # claim, sourcing or context\n"
        assert stub == python.replace("    kind: claim\n", kinds, 1), pattern
        # and Python's anchoring puts it exactly on the selected words
        anchored = anchor_quote("suggested", folded, text, quote, prefix, suffix)
        assert isinstance(anchored, Anchor), (pattern, anchored)
        assert (anchored.start, anchored.end) == (selected["start"], selected["end"]), pattern
        assert fold(anchored.exact) == fold(selected["text"])


def _id(stub: str) -> str:
    match = re.search(r"^  - id: (\S+)$", stub, re.M)
    assert match, stub
    return match.group(1)

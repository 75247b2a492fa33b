"""The page text in a real browser is exactly what the engine computed, and every
highlight spells its quote (SPEC §6, "The page text")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from glossator.anchor.fold import fold
from tests.helpers import REPO, SEED_SLUG

pytestmark = pytest.mark.browser


def _marks_by_annotation(page) -> dict[str, str]:
    return page.evaluate(
        """() => {
        const out = {};
        for (const m of document.querySelectorAll('#page-text mark[data-ann]')) {
          // a nested mark's text is counted once per annotation: only its own marks
          const id = m.dataset.ann;
          out[id] = (out[id] || []);
          out[id].push(m);
        }
        const result = {};
        for (const [id, marks] of Object.entries(out)) {
          const range = document.createRange();
          range.setStartBefore(marks[0]);
          range.setEndAfter(marks[marks.length - 1]);
          result[id] = marks.map(m => m.textContent).join('\\u0000') + '\\u0001' + range.toString();
        }
        return result;
        }"""
    )


def test_seed_page_text_and_marks_match_the_export(seed_site: Path, serve_dir, page) -> None:
    base = serve_dir(seed_site)
    page.goto(base + f"articles/{SEED_SLUG}/")
    text = page.evaluate("document.getElementById('page-text').textContent")
    collection = json.loads((seed_site / "articles" / SEED_SLUG / "annotations.jsonld").read_text())
    items = collection["first"]["items"]
    anchored = [i for i in items if isinstance(i["target"], dict)]
    assert len(anchored) == 11
    marks = _marks_by_annotation(page)
    import yaml

    quotes = {
        a["id"]: a.get("quote")
        for a in yaml.safe_load((REPO / "annotations" / f"{SEED_SLUG}.yaml").read_text())["annotations"]
    }
    for item in anchored:
        ann_id = item["id"].rsplit("#", 1)[1]
        quote_sel, css_sel = item["target"]["selector"]
        position_sel = css_sel["refinedBy"]  # positions in the page-text element
        assert page.evaluate("(value) => [...document.querySelectorAll(value)].map(el => el.id)",
                             css_sel["value"]) == ["page-text"]
        # the exported selector slices the browser's page text by code points
        assert text[position_sel["start"] : position_sel["end"]] == quote_sel["exact"]
        assert text.count(quote_sel.get("prefix", "") + quote_sel["exact"] + quote_sel.get("suffix", "")) == 1
        pieces, spanned = marks[ann_id].split("\u0001")
        assert spanned == quote_sel["exact"]
        assert fold("".join(pieces.split("\u0000"))).strip() == fold(quotes[ann_id]).strip()
    # the nested pair: both highlights visible, the inner one inside the outer
    nested = page.locator("mark[data-ann='logistical-support'] mark[data-ann='border-transit']")
    assert nested.count() == 1 and nested.is_visible()

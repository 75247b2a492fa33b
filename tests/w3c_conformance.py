"""Test helpers for the exports: an article built to be hard for selectors, the W3C
conformance kit, and the page text read out of built HTML without a browser."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO, write_archive

# The W3C Web Annotation test suite's MUST assertions, run offline by the kit's checker:
# $GLOSSATOR_W3C_KIT, else a copy vendored under tests/, else the one beside the checkout.
W3C_KIT_PLACES = [Path(p) for p in (os.environ.get("GLOSSATOR_W3C_KIT", ""),) if p] + [
    REPO / "tests" / "w3c-annotation-model",
    REPO.parent / "shared" / "w3c-annotation-model",
]
BASE_URL = "https://archive.example/sub/"
HARD_SLUG = "hard-selectors"
VERDICT_SLUG = "every-verdict"
CONTEXT_UNITS = 32


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _pad(text: str, units: int) -> str:
    """`text` extended with words so that it is exactly `units` UTF-16 units long."""
    filler = " and so on"
    while utf16_len(text) + len(filler) <= units:
        text += filler
    return text + "." * (units - utf16_len(text))


# An emoji whose two UTF-16 units straddle the 32-unit edge of the quote's prefix
# (31 units between it and the quote) and of its suffix: a client counting UTF-16 would
# cut it in half, so it must be left out of the context.
BEFORE_QUOTE = _pad(", the cafe\u0301 owner said", CONTEXT_UNITS - 1)  # with a combining mark
AFTER_QUOTE = _pad(" — and then", CONTEXT_UNITS - 1)

HARD_BODY = f"""\
The minister’s “final offer” — rejected twice — was never published in full.
It ended with a promise.

Then the second paragraph began, with **bold words and [a linked phrase](https://example.org/linked)** in it.

- first item of the list
- second item, with *emphasis*

Residents said 🙂 that the cafe\u0301 was closed 😀{BEFORE_QUOTE}“the bridge will reopen in May”
– officials said{AFTER_QUOTE}🌉 later.

A sign read “no entry 🚧 today” near the river.

The post said "</script><b>bold</b>" & 'more' at noon.

A last paragraph ends the article.
"""

HARD_YAML = """\
article: hard-selectors
annotations:
  - id: across-paragraphs
    kind: claim
    verdict: misleading
    quote: "It ended with a promise. Then the second paragraph began"
    note: A quote across two paragraphs.
    sources:
      - title: "The original statement"
        url: https://example.org/statement
        publisher: Example Ministry
        date: 2024-04
        archived: https://web.archive.org/web/2024/https://example.org/statement
    by: tester
    added: 2026-01-02
  - id: across-bold-link
    kind: context
    quote: "with bold words and a linked"
    note: A quote across bold text and into a link.
    links:
      - title: "Background reading"
        url: https://example.org/background
    by: [tester, second-reader]
    added: 2026-01-03
    updated: 2026-02-01
  - id: across-list
    kind: sourcing
    quote: "of the list second item"
    note: A quote across two list items.
    by: tester
    added: 2026-01-04
  - id: curly
    kind: claim
    verdict: accurate
    quote: "The minister's \\"final offer\\" - rejected twice"
    note: Typed with straight quotes and a hyphen; the page has curly ones and a dash.
    by: tester
    added: 2026-01-05
  - id: nested
    kind: context
    quote: "final offer"
    note: Nested inside the curly quote's highlight.
    by: tester
    added: 2026-01-06
  - id: overlapping
    kind: sourcing
    quote: "rejected twice - was never published"
    note: Overlaps the end of the curly quote's highlight.
    by: tester
    added: 2026-01-07
  - id: after-emoji
    kind: claim
    verdict: inaccurate
    quote: "\\"the bridge will reopen in May\\" - officials said"
    note: After emoji and a combining mark; its context edges cut through emoji.
    by: tester
    added: 2026-01-08
  - id: emoji-inside
    kind: context
    quote: "no entry 🚧 today"
    note: An emoji inside the quote.
    by: tester
    added: 2026-01-09
  - id: script-quote
    kind: claim
    verdict: unsupported
    quote: "said \\"</script><b>bold</b>\\" & 'more'"
    note: A quote that would close a script element if it were not escaped.
    by: tester
    added: 2026-01-10
  - id: whole-article
    kind: sourcing
    note: A note on the whole article.
    by: tester
    added: 2026-01-11
"""

VERDICT_IDS = ("accurate", "mostly-accurate", "mixed", "misleading", "inaccurate", "unsupported", "unverifiable")
VERDICT_BODY = "".join(f"Claim number {n} is about {v} things.\n\n" for n, v in enumerate(VERDICT_IDS, 1))
VERDICT_YAML = "article: every-verdict\nannotations:\n" + "".join(
    f"""  - id: claim-{v}
    kind: claim
    verdict: {v}
    quote: "Claim number {n} is about {v} things."
    note: This claim is rated {v} for the test.
    by: tester
    added: 2026-03-0{n}
"""
    for n, v in enumerate(VERDICT_IDS, 1)
)

HARD_FRONT = (
    '---\ntitle: "Selectors built to be hard"\nsource: Example Outlet\npublished: 2024-05-01\n'
    "url: https://outlet.example/original\narchived: https://web.archive.org/web/2024/https://outlet.example/original\n"
    "tags: [testing]\n---\n"
)
VERDICT_FRONT = '---\ntitle: "Every verdict"\nsource: Other Outlet\npublished: 2023-11\nauthor: A. Writer\n---\n'


def write_hard_archive(root: Path) -> Path:
    """Two articles: one built to be hard for selectors, one with a claim per verdict."""
    write_archive(root, {}, {})
    (root / "content" / f"{HARD_SLUG}.md").write_text(HARD_FRONT + HARD_BODY, encoding="utf-8")
    (root / "annotations" / f"{HARD_SLUG}.yaml").write_text(HARD_YAML, encoding="utf-8")
    (root / "content" / f"{VERDICT_SLUG}.md").write_text(VERDICT_FRONT + VERDICT_BODY, encoding="utf-8")
    (root / "annotations" / f"{VERDICT_SLUG}.yaml").write_text(VERDICT_YAML, encoding="utf-8")
    return root


def run_checker(*files: Path) -> subprocess.CompletedProcess[str]:
    """`check_annotations.py -v FILE…` of the W3C conformance kit."""
    checkers = [place / "check_annotations.py" for place in W3C_KIT_PLACES]
    checkers = [checker for checker in checkers if checker.is_file()]
    if not checkers:
        pytest.fail("the W3C annotation-model conformance kit is missing: set GLOSSATOR_W3C_KIT to its folder "
                    f"(looked in {', '.join(map(str, W3C_KIT_PLACES))})")
    return subprocess.run([sys.executable, str(checkers[0]), "-v", *map(str, files)],
                          capture_output=True, text=True, timeout=300, check=False)


def longest_context_before(text: str, start: int) -> str:
    """The most page text before `start` that fits 32 UTF-16 units without splitting a character."""
    out = ""
    for char in reversed(text[:start]):
        if utf16_len(char + out) > CONTEXT_UNITS:
            break
        out = char + out
    return out


def longest_context_after(text: str, end: int) -> str:
    out = ""
    for char in text[end:]:
        if utf16_len(out + char) > CONTEXT_UNITS:
            break
        out += char
    return out

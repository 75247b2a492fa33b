"""An article with three texts, as an outlet edits one after publication, and notes written on
each: the archive the version tests build (tests/test_versions.py and the browser tests).

The first text said the council voted 30 to 5 and the wall would cost 12 million pounds; the
second corrected the vote; the third (the current one) corrected the cost, added a paragraph
and named the fish market twice. Its notes split every way a note can go:

- `borrow`: its words are in every text: on the current text;
- `cost`: written on the second text, whose figure the third changed: stays on the second
  (not found in the current text; the closest passage is given);
- `market`: "the fish market" occurs once in the second text, twice in the third: stays on the
  second (ambiguous in the current text; each place is given);
- `first-count`: pinned with `version:` to the first text, whose count the second corrected;
- `about`: a note on the whole article, on the current text.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.helpers import write_archive

SLUG = "harbour-wall"
FIRST, SECOND, CURRENT = "2026-11-28-1000", "2026-12-01-0900", "2026-12-06-0740"
PLAIN_SLUG = "quay-lights"  # an article of one text, beside it

CURRENT_TEXT = """\
---
title: "Council approves a new harbour wall"
source: Harbour Ledger
published: 2026-11-28
url: https://harbourledger.example/wall
tags: [harbour]
captured:
  at: "2026-12-06T07:40:00Z"
  sha256: "0f343b0931126a20f133d67c2b018a3b1d4e2d9b6b8ce1d2d3e0b1c2a3b4c5d6"
---
Councillors voted 31 to 4 on Thursday night to pay for a new sea wall along the north quay.

The wall will cost 18 million pounds, of which the council will borrow £11 million over 30 years.

A spokesman said the wall would protect the fish market and its cold stores.

Traders beside the fish market welcomed the vote.

Residents were pleased, **mostly**.
"""

FIRST_TEXT = """\
---
captured:
  at: "2026-11-28T10:00:00Z"
title: "Council approves harbour wall"
---
Councillors voted 30 to 5 on Thursday night to pay for a new sea wall along the north quay.

The wall will cost 12 million pounds, of which the council will borrow £11 million over 30 years.

A spokesman said the wall would protect the fish market and its cold stores.

Residents were pleased, **mostly**.
"""

SECOND_TEXT = FIRST_TEXT.replace("2026-11-28T10:00:00Z", "2026-12-01T09:00:00Z").replace(
    "30 to 5", "31 to 4").replace('title: "Council approves harbour wall"\n', "")

ANNOTATIONS = f"""\
# yaml-language-server: $schema=../schemas/annotations.schema.json
article: {SLUG}
annotations:
  - id: borrow
    kind: sourcing
    quote: "borrow £11 million over 30 years"
    note: The loan terms come from the council's budget papers of November.
    by: ed
    added: 2026-11-29
  - id: cost
    kind: claim
    quote: "12 million pounds"
    verdict: inaccurate
    note: The budget papers give a figure of eighteen million pounds, not twelve.
    by: ed
    added: 2026-12-02
  - id: market   # its words, in the current text, twice
    kind: context
    quote: "the fish market"
    note: The fish market was rebuilt in 1990, after the flood of that winter.
    by: [ed, kim]
    added: 2026-12-02
  - id: first-count
    kind: claim
    quote: "30 to 5"
    verdict: inaccurate
    version: "{FIRST}"
    note: The minutes record 31 votes to 4; the outlet corrected its first report.
    by: ed
    added: 2026-11-29
  - id: about
    kind: context
    note: The harbour wall has been debated since the storms of 2016, when the quay flooded.
    by: ed
    added: 2026-12-06
"""

PLAIN_TEXT = """\
---
title: "Quay lights to be replaced"
source: Harbour Ledger
published: 2026-10-02
---
The council will replace the lights along the quay next year, at a cost of two million pounds.
"""


def write_versions_archive(root: Path, site_yaml: str | None = None) -> Path:
    write_archive(root, {SLUG: CURRENT_TEXT, PLAIN_SLUG: PLAIN_TEXT}, {SLUG: ANNOTATIONS}, site_yaml)
    folder = root / "versions" / SLUG
    folder.mkdir(parents=True)
    (folder / f"{FIRST}.md").write_text(textwrap.dedent(FIRST_TEXT), encoding="utf-8")
    (folder / f"{SECOND}.md").write_text(textwrap.dedent(SECOND_TEXT), encoding="utf-8")
    return root

"""The hard archive for resolving our exports with real annotation clients (issue 20).

Every article that makes selectors hard in one folder: the hard-selectors and every-verdict
articles (tests/w3c_conformance.py), the seed article, the reader's stress article (40
highlights, nested and overlapping, in sentences made from one template), and two written
here: one whose phrases repeat (picked by prefix and suffix, at the very start and end of the
page text, in a block quote, in and across list items) and one of a dozen words that repeat.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.browser.reader_fixtures import STRESS_SLUG, stress_article
from tests.helpers import REPO, SEED_SLUG
from tests.w3c_conformance import write_hard_archive

REPEATS_SLUG = "repeated-phrases"
SHORT_SLUG = "yes-no"

REPEATS_MD = """\
---
title: "Repeated phrases"
source: Example Outlet
published: 2024-05-01
---
The council said the bridge would reopen in May. Engineers said the bridge would reopen in June.
The council said the bridge would reopen in May, the mayor repeated.

> The council said the bridge would reopen in May, a resident wrote.

1. First, the council said yes.
2. Second, the council said yes.
3. Third, the council said no.

- the bridge
- the bridge would reopen
- the bridge would reopen in May

In the end, the council said yes.
"""

REPEATS_YAML = f"""\
article: {REPEATS_SLUG}
annotations:
  - id: at-the-start
    kind: claim
    verdict: misleading
    quote: "The council said the bridge would reopen in May"
    suffix: ". Engineers"
    note: The first of three times the article says “The council said the bridge would reopen in May”.
    by: tester
    added: 2026-01-02
  - id: second-time
    kind: sourcing
    quote: "The council said the bridge would reopen in May"
    prefix: "in June. "
    note: The second time the article says it, on the next line.
    by: tester
    added: 2026-01-03
  - id: in-the-block-quote
    kind: context
    quote: "The council said the bridge would reopen in May"
    suffix: ", a resident"
    note: The third time, in a block quote.
    by: tester
    added: 2026-01-04
  - id: nested-near-the-start
    kind: context
    quote: "the bridge"
    prefix: "The council said "
    suffix: " would reopen in May. Engineers"
    note: Nested in the first highlight; its prefix is the whole text before it, which recurs.
    by: tester
    added: 2026-01-05
  - id: overlapping-the-start
    kind: sourcing
    quote: "in May. Engineers said"
    note: Overlaps the end of the first highlight.
    by: tester
    added: 2026-01-06
  - id: second-item
    kind: claim
    verdict: accurate
    quote: "the council said yes"
    prefix: "Second, "
    note: The second list item, whose words the first item and the last paragraph repeat.
    by: tester
    added: 2026-01-07
  - id: across-the-lists
    kind: context
    quote: "said no. the bridge"
    note: From the last item of the numbered list into the first item of the bulleted one.
    by: tester
    added: 2026-01-08
  - id: short-item
    kind: context
    quote: "the bridge would reopen"
    suffix: " the bridge would reopen in May"
    note: A list item whose words the next item repeats, longer.
    by: tester
    added: 2026-01-09
  - id: at-the-end
    kind: claim
    verdict: mixed
    quote: "the council said yes."
    prefix: "In the end, "
    note: The very end of the text, after two list items that say the same.
    by: tester
    added: 2026-01-10
"""

SHORT_MD = """\
---
title: "Short answers"
source: Example Outlet
published: 2024-05-01
---
Yes. No. Yes. No. Yes.
"""

SHORT_YAML = f"""\
article: {SHORT_SLUG}
annotations:
  - id: first-yes
    kind: claim
    verdict: accurate
    quote: "Yes"
    suffix: ". No. Yes. No"
    note: The first word of the text, which occurs three times.
    by: tester
    added: 2026-01-02
  - id: first-no
    kind: claim
    verdict: inaccurate
    quote: "No"
    suffix: ". Yes. No"
    note: The first of two identical words, told apart by what follows it.
    by: tester
    added: 2026-01-02
  - id: middle-yes
    kind: context
    quote: "Yes"
    prefix: "No. "
    suffix: ". No"
    note: The middle one of three identical words.
    by: tester
    added: 2026-01-02
"""


def write_interop_archive(root: Path) -> Path:
    write_hard_archive(root)
    for folder, suffix in (("content", ".md"), ("annotations", ".yaml")):
        shutil.copy(REPO / folder / f"{SEED_SLUG}{suffix}", root / folder)
    article, annotations = stress_article()
    for slug, md, yaml_text in ((STRESS_SLUG, article, annotations), (REPEATS_SLUG, REPEATS_MD, REPEATS_YAML),
                                (SHORT_SLUG, SHORT_MD, SHORT_YAML)):
        (root / "content" / f"{slug}.md").write_text(md, encoding="utf-8")
        (root / "annotations" / f"{slug}.yaml").write_text(yaml_text, encoding="utf-8")
    return root

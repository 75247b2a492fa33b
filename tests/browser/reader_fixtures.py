"""A generated stress article for the reading experience (issue 11): 40 annotations packed
into 5 paragraphs, with nested and overlapping highlights, several highlights on one line,
one quote across two paragraphs and one 30-line note. Used by the browser tests and by
bench/reader_bench.py."""

from __future__ import annotations

import json
import textwrap

STRESS_SLUG = "stress-test-article"
PARAGRAPHS = 5
SENTENCES = 8  # per paragraph
TOWNS = [
    "Arden", "Belmont", "Carrow", "Dunmore", "Eastleigh", "Fairholm", "Glenrock", "Harwick",
    "Ironbridge", "Jarrow", "Kelso", "Lindfield", "Marden", "Northwick", "Oakham", "Penrith",
    "Queensbury", "Redhill", "Selby", "Thornbury", "Upton", "Ventnor", "Whitby", "Yarm",
    "Alston", "Brigg", "Clun", "Dufton", "Eyam", "Flint", "Goole", "Hythe",
    "Ilkley", "Jedburgh", "Keswick", "Ledbury", "Malton", "Nairn", "Otley", "Pershore",
]
THINGS = ["water", "roads", "library", "school", "harbour", "market", "hospital", "parks"]
VERDICTS = ["accurate", "mostly-accurate", "mixed", "misleading", "inaccurate", "unsupported", "unverifiable"]


def _sentence(p: int, s: int) -> str:
    n = p * SENTENCES + s
    return (f"In {1901 + n} the council of {TOWNS[n]} voted on the {THINGS[s]} budget "
            f"and {11 + n} members agreed.")


def _year(p: int, s: int) -> str:
    return str(1901 + p * SENTENCES + s)


def _quotes() -> list[str]:
    """Eight quotes per paragraph; one of paragraph 2's crosses into paragraph 3."""
    quotes: list[str] = []
    for p in range(PARAGRAPHS):
        n = p * SENTENCES
        quotes += [
            _sentence(p, 0),  # a whole sentence …
            f"council of {TOWNS[n]}",  # … a highlight nested in it …
            TOWNS[n],  # … and one nested in that
            f"voted on the {THINGS[1]} budget and {12 + n} members agreed. In {_year(p, 2)}",  # overlaps the next
            _sentence(p, 2),
            f"In {_year(p, 3)}",  # three highlights on one line
            TOWNS[n + 3],
            f"{11 + n + 3} members",
        ]
        if p == 2:  # across the paragraph break: the end of paragraph 3, the start of paragraph 4
            quotes[-1] = f"{11 + n + 7} members agreed.\n\nIn {_year(3, 0)}"
    return quotes


def stress_article() -> tuple[str, str]:
    """(Markdown of the article, YAML of its annotations)."""
    body = "\n\n".join(" ".join(_sentence(p, s) for s in range(SENTENCES)) for p in range(PARAGRAPHS))
    article = textwrap.dedent("""\
        ---
        title: "A stress test for margin notes"
        source: Example Outlet
        published: 2024-05-01
        tags: [testing]
        ---
        """) + body + "\n"
    items = []
    for i, quote in enumerate(_quotes()):
        kind = ("claim", "sourcing", "context")[i % 3]
        lines = [f"  - id: note-{i + 1:02d}", f"    kind: {kind}", f"    quote: {json.dumps(quote)}"]
        if kind == "claim":
            lines.append(f"    verdict: {VERDICTS[i % len(VERDICTS)]}")
        if i == 1:  # the 30-line note: much taller than its paragraph
            lines.append("    note: |")
            lines += [f"      - Point {k} of a long note that runs down the margin." for k in range(1, 31)]
        else:
            lines.append(f"    note: Note {i + 1} says something short about these words.")
        lines += ["    by: tester", "    added: 2024-05-02"]
        items.append("\n".join(lines))
    annotations = f"article: {STRESS_SLUG}\nannotations:\n" + "\n".join(items) + "\n"
    return article, annotations

"""The line reader (load/yamllines.py) builds exactly the trees libyaml's events do, positions
included, and gives up on everything else. Hypothesis writes files of the subset it reads (block
mappings and sequences of one-line values, indented every way YAML allows, with comments, blank
lines and look-alike values), which it must accept; then nudges them just outside (a line
shifted, a value moved to the next line, a key left without a value, a comment after a value…),
where both readers must still agree through parse_yaml.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glossator.load import yamlio
from glossator.load.yamlio import parse_yaml
from glossator.load.yamllines import read_block_yaml

from .test_yaml_fast import oracle_parse_yaml, outcome, shape

ROOT = Path(__file__).resolve().parent.parent


def read_lines(text: str, line_offset: int = 0, max_depth: int = 32) -> object:
    return read_block_yaml(text, line_offset, max_depth, yamlio._plain_value, yamlio._TYPED_FIRST)


KEYS = st.sampled_from(["id", "kind", "note", "title", "url", "by", "added", "a", "b_c", "x-y", "n", "yes_no",
                        "k" * 20])
PLAIN = st.sampled_from([
    "claim", "Note with  two spaces", "ümlaut", "emoji 🙂", "a:b", "https://e.org/a?b=c#d", "a#b", "a, b [c] {d}",
    "quote \"inside\" it", "it's", "2026-11-24", "2026-13-45", "12", "1.5", "0x1F", "null", "~", "true", "No", "on",
    ".inf", ".nan", "+7", "<<", "=", "9" * 40, "Yes we can", "tilde~", "100%", "a - b", "trailing  ",
])
QUOTED_TEXT = st.sampled_from(["", " padded ", "a: b", "# not a comment", "it's", "say \"x\"", "ümlaut 🙂", "-1",
                               "null", "a  b", "'", "''"])


FLOW_ITEMS = st.sampled_from(["crime", "two words", "ümlaut", "2026-11-24", "12", "null", "~", "yes", "it's", "'q'",
                              "'it''s'", '"d d"', '""', "a.b", "x-y"])


COMMENT = st.sampled_from(["", "", "", "  # why", " #", " # one of: a, b: c"])


@st.composite
def one_line_value(draw: st.DrawFn) -> str:
    """A value, and maybe a comment after it (as `build.py new` writes them)."""
    return draw(bare_value()) + draw(COMMENT)


@st.composite
def bare_value(draw: st.DrawFn) -> str:
    style = draw(st.sampled_from(["plain", "plain", "single", "double", "flow"]))
    if style == "plain":
        return draw(PLAIN)
    if style == "flow":  # `[a, b]`, spaced every way YAML allows
        gap = st.sampled_from(["", " ", "  "])
        items = [draw(gap) + item + draw(gap) for item in draw(st.lists(FLOW_ITEMS, max_size=4))]
        return "[" + ",".join(items) + (draw(gap) if not items else "") + "]" + draw(gap)
    text = draw(QUOTED_TEXT)
    if style == "single":
        return "'" + text.replace("'", "''") + "'" + draw(st.sampled_from(["", "  "]))
    return '"' + text.replace('"', "'") + '"' + draw(st.sampled_from(["", " "]))


BLOCK_TEXT = st.sampled_from(["Line one.", "a: b # not a comment", "  more indented", "'quoted' \"too\"",
                              "- not a list", "ümlaut 🙂", "", "", "   ", "trailing  "])


@st.composite
def block_scalar(draw: st.DrawFn, parent_col: int) -> tuple[str, list[str]]:
    """A `|` or `>` header and its lines, indented past the collection it is a value in."""
    header = draw(st.sampled_from(["|", ">"])) + draw(st.sampled_from(["", "", "-", "+"])) + draw(
        st.sampled_from(["", " ", " # a note"]))
    pad = " " * (parent_col + draw(st.integers(1, 3)))
    texts = draw(st.lists(BLOCK_TEXT, max_size=5))
    body = [pad + "First line."] + [pad + text if text.strip() else text for text in texts]
    if draw(st.booleans()):
        body.insert(0, "")
    return header, body


@st.composite
def block(draw: st.DrawFn, col: int, first_col: int | None = None, depth: int = 0) -> list[str]:
    """A mapping or a sequence whose nodes start at `col`; with `first_col`, a mapping whose first line
    follows a `- ` the caller writes."""
    lines: list[str] = []
    as_list = first_col is None and draw(st.booleans())
    keys = draw(st.lists(KEYS, min_size=1, max_size=4, unique=True))
    count = len(keys) if not as_list else draw(st.integers(1, 3))
    for n in range(count):
        lead = " " * (first_col if n == 0 and first_col is not None else col)
        scalar_below = draw(st.integers(0, 4)) == 0
        nested = depth < 4 and draw(st.integers(0, 3)) == 0
        if as_list:
            gap = " " * draw(st.integers(1, 3))
            if nested:  # `- key: value` with its mapping at the column after the dash
                inner = draw(block(col + 1 + len(gap), first_col=0, depth=depth + 1))
                lines.append(lead + "-" + gap + inner[0])
                lines += inner[1:]
            elif scalar_below:
                header, body = draw(block_scalar(col))
                lines += [lead + "-" + gap + header, *body]
            else:
                lines.append(lead + "-" + gap + draw(one_line_value()))
        else:
            head = lead + keys[n] + ":"
            if nested:
                lines.append(head + draw(st.sampled_from(["", "  ", "  # the evidence"])))
                below = col + draw(st.sampled_from([0, 1, 2, 4]))
                if below == col:  # only a sequence may stand at its key's column
                    lines += draw(sequence_at(col, depth + 1))
                else:
                    lines += draw(block(below, depth=depth + 1))
            elif scalar_below:
                header, body = draw(block_scalar(col))
                lines += [head + " " + header, *body]
            else:
                lines.append(head + " " * draw(st.integers(1, 2)) + draw(one_line_value()))
        if draw(st.integers(0, 5)) == 0:
            lines.append(draw(st.sampled_from(["", "   ", "# a comment", " " * col + "# indented comment",
                                               "#"])))
    return lines


@st.composite
def sequence_at(draw: st.DrawFn, col: int, depth: int) -> list[str]:
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.booleans()) and depth < 4:
            inner = draw(block(col + 2, first_col=0, depth=depth + 1))
            lines.append(" " * col + "- " + inner[0])
            lines += inner[1:]
        else:
            lines.append(" " * col + "- " + draw(one_line_value()))
    return lines


@st.composite
def simple_file(draw: st.DrawFn) -> str:
    lines = draw(block(draw(st.sampled_from([0, 0, 0, 2]))))
    if draw(st.integers(0, 3)) == 0:
        lines.insert(0, draw(st.sampled_from(["# header", "", "  # indented"])))
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n", "\n# last", "\n  "]))


NUDGES = st.sampled_from([
    "shift", "shift", "unshift", "unshift", "indent more", "blank spaces", "drop", "repeat", "split", "empty value",
    "comment after", "tab", "backslash", "dash alone",
    "flow", "block scalar", "indicator", "anchor", "second document", "long key", "typed key", "NEL", "control",
])


def nudge(text: str, how: str, at: int) -> str:
    lines = text.split("\n")
    i = at % len(lines)
    line = lines[i]
    if how == "shift":
        lines[i] = " " + line
    elif how == "indent more":
        lines[i] = "   " + line
    elif how == "blank spaces":
        lines.insert(i, " " * (at % 7))
    elif how == "unshift":
        lines[i] = line[1:] if line.startswith(" ") else line
    elif how == "drop":
        del lines[i]
    elif how == "repeat":
        lines.insert(i, line)
    elif how == "split" and ": " in line:  # the value on the line below its key
        key, value = line.split(": ", 1)
        lines[i : i + 1] = [key + ":", " " * (len(key) - len(key.lstrip()) + 2) + value]
    elif how == "empty value" and ": " in line:
        lines[i] = line.split(": ", 1)[0] + ":"
    elif how == "comment after":
        lines[i] = line + " # why"
    else:
        insert = {"tab": "\t", "backslash": "\\n", "dash alone": "\n-\n", "flow": "[a, b]", "block scalar": "|",
                  "anchor": "&x ", "second document": "\n---\n", "long key": "\n" + "k" * 1100 + ": v\n",
                  "typed key": "\ntrue: v\n", "NEL": "\x85", "control": "\x1b", "indicator": "|2"}.get(how, "")
        cut = len(line) // 2
        lines[i] = line[:cut] + insert + line[cut:]
    return "\n".join(lines)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(simple_file(), st.sampled_from([0, 0, 3]))
def test_the_line_reader_reads_its_subset_as_the_events_do(text: str, line_offset: int) -> None:
    fast = read_lines(text, line_offset)
    assert fast is not None, repr(text)  # the subset is read here, not handed on
    assert shape(fast) == outcome(oracle_parse_yaml, text, line_offset=line_offset)[1], repr(text)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(simple_file(), st.lists(st.tuples(NUDGES, st.integers(0, 400)), min_size=1, max_size=3),
       st.sampled_from([32, 32, 2]))
def test_just_outside_the_subset_both_readers_agree(text: str, nudges: list[tuple[str, int]], max_depth: int) -> None:
    for how, at in nudges:
        text = nudge(text, how, at)
    expected = outcome(oracle_parse_yaml, text, max_depth=max_depth)
    assert outcome(parse_yaml, text, max_depth=max_depth) == expected, repr(text)
    fast = read_lines(text, 0, max_depth)
    if fast is not None:  # what the line reader takes, it reads right; everything else is the events' to judge
        assert ("tree", shape(fast)) == expected, repr(text)


def test_the_files_in_the_repository_are_read_alike_and_the_archive_s_by_lines() -> None:
    """Every YAML file in the repository; the archive's annotations and site.yaml take the line reader."""
    texts = {path: path.read_text(encoding="utf-8") for pattern in ("**/*.yaml", "**/*.yml")
             for path in ROOT.glob(pattern) if ".venv" not in path.parts and "node_modules" not in path.parts
             and "out" not in path.parts}
    assert len(texts) >= 4
    for path, text in texts.items():
        assert outcome(parse_yaml, text) == outcome(oracle_parse_yaml, text), path
    read = {path.relative_to(ROOT).as_posix() for path, text in texts.items() if read_lines(text) is not None}
    assert {"annotations/iraqi-militia-turkey-isis-claims.yaml", "site.yaml"} <= read


def test_what_the_line_reader_hands_on() -> None:
    handed_on = {
        "null value": "a:\nb: 1\n", "value below": "a:\n  text\n", "comment glued to a flow": "a: [b]#c\n",
        "two lines": "a: b\n  c\n", "escape": 'a: "\\n"\n',
        "tab": "a:\tb\n", "duplicate": "a: 1\na: 2\n", "typed key": "true: 1\n", "dash alone": "-\n  a: 1\n",
        "document": "---\na: 1\n", "colon in plain": "a: b: c\n", "trailing colon": "a: b:\n", "anchor": "a: &x b\n",
        "stray entry": "a: 1\n- b\n", "sequence under entry": "- a: 1\n  - b\n", "scalar document": "text\n",
        "only comments": "# nothing\n", "empty": "", "NEL": "a: b\x85\n", "indented key": "a: 1\n  b: 2\n",
        "key at a sequence's column": "a:\n  - 1\n  b: 2\n", "indentation indicator": "a: |2\n   b\n",
        "comment glued to a quote": 'a: "b"# c\n', "flow mapping": "a: {b: c}\n", "nested flow": "a: [[b]]\n",
        "comma too many": "a: [b, ]\n", "flow over lines": "a: [b,\n  c]\n",
        "text after a flow": "a: [b] c\n", "empty block scalar": "a: |\nb: 1\n",
        "spaces that set the indentation": "a: |\n    \n  b\n", "block scalar not indented": "- a: |\n  b\n",
    }
    for name, text in handed_on.items():
        assert read_lines(text) is None, name
        assert outcome(parse_yaml, text) == outcome(oracle_parse_yaml, text), name
    assert read_lines("a:\n- b\nc:\n  - d: 1\n    e: 'f'\n") is not None


def test_a_stub_as_build_py_new_writes_it_is_read_by_lines(tmp_path: Path) -> None:
    """Comments after values and keys, and commented-out lines, as the stub has them."""
    from glossator.new import new_stub
    from glossator.project import Project

    for folder in ("content", "annotations"):
        (tmp_path / folder).mkdir()
    (tmp_path / "content" / "a1.md").write_text("---\ntitle: T\nsource: S\npublished: 2026-01-02\n---\n"
                                                "The minister said the figures were final.\n", encoding="utf-8")
    assert new_stub(Project.at(tmp_path), "a1", "the figures were final", "claim") == 0
    text = (tmp_path / "annotations" / "a1.yaml").read_text(encoding="utf-8")
    assert "verdict: TODO  # one of:" in text and "# sources:" in text
    for filled in (text, text.replace("verdict: TODO", "verdict: misleading").replace("by: TODO", "by: me")):
        fast = read_lines(filled)
        assert fast is not None
        assert ("tree", shape(fast)) == outcome(oracle_parse_yaml, filled)


def test_depth_is_counted_as_the_events_count_it() -> None:
    text = "a:\n  b:\n    c: 1\n"
    assert read_lines(text, max_depth=3) is not None
    assert read_lines(text, max_depth=2) is None
    assert outcome(parse_yaml, text, max_depth=2) == outcome(oracle_parse_yaml, text, max_depth=2)
    assert outcome(parse_yaml, text, max_depth=2)[0] == "problem"

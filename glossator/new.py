"""`build.py new SLUG "words"`: append an annotation stub for words of an article.

The words are found with the build's own anchoring, so the stub anchors where the
contributor meant; when they occur more than once the stub takes the first place and
a `prefix` (or `suffix`) that selects it. The stub is appended as text, so the file's
comments and layout stay as they were, and the placeholders it leaves are refused by
`check` until they are filled in.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .anchor.fold import fold, fold_text
from .anchor.locate import Ambiguous, Anchor, NotFound, anchor_quote
from .anchor.markdown import parse
from .anchor.textmap import page_text
from .build.plan import read_config
from .diagnostics import Diagnostic, format_text, yaml_quoted
from .load.files import load_article, read_text
from .load.yamlio import YamlProblem, decode_utf8, parse_yaml
from .model import CLOSE_ENOUGH, PLACEHOLDER, RESERVED_ID_PREFIXES, RESERVED_IDS, SiteConfig, YNode
from .project import Project, is_slug

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
ID_WORDS = 4  # an id long enough to recognise, short enough to type in a permalink
_STOPWORDS = frozenset({"a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it", "of", "on",
                        "or", "that", "the", "this", "to", "was", "were", "with"})
_NOTE_PROMPTS = {
    "claim": "is this claim accurate? Say what the evidence shows, and list it under `sources`.",
    "sourcing": "where does this information come from, and how far can that source be trusted?",
    "context": "what does a reader need to know to weigh these words?",
}
# YAML counts these as line breaks too, so positions from the parser agree with this split
_LINE = re.compile(r"[^\r\n\x85\u2028\u2029]*(?:\r\n|[\r\n\x85\u2028\u2029]|\Z)")


@dataclass(frozen=True)
class Target:
    """Where the words are: the quote as the article writes it, and the context that selects it."""

    quote: str
    prefix: str | None
    suffix: str | None
    others: tuple[str, ...]  # the other places, each with the prefix/suffix that would select it
    total: int = 1  # how many places the words occur in (`others` lists a few of them)


@dataclass(frozen=True)
class Layout:
    """How the file's list is written, and where the stub goes."""

    insert_at: int  # index into the file's lines
    dash_indent: int
    key_offset: int  # from the dash to the keys: 2 in `  - id: …`
    opening: str  # text to add before the stub: `annotations:` lines for a file without a list
    replace: tuple[int, str] | None = None  # a line `annotations: []` (index, new text) to rewrite


def _fail(message: str, *details: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    for detail in details:
        first, *rest = detail.split("\n")
        print(f"    hint: {first}", file=sys.stderr)
        for line in rest:
            print(f"          {line}", file=sys.stderr)
    return EXIT_CONTENT


def _report(diagnostics: list[Diagnostic], project: Project) -> int:
    print(format_text(diagnostics, project.root), file=sys.stderr)
    return EXIT_CONTENT


def fresh_id(words: str, taken: set[str]) -> str:
    """A readable id from the quoted words, unique in the file: `massacre-some-600-iraqi`."""
    ascii_words = unicodedata.normalize("NFKD", words).encode("ascii", "ignore").decode().lower()
    tokens = re.findall(r"[a-z0-9]+", ascii_words)
    meaningful = [t for t in tokens if t not in _STOPWORDS] or tokens
    base = "-".join(meaningful[:ID_WORDS])[:48].strip("-") or "note"
    if base.startswith(RESERVED_ID_PREFIXES):  # the page's own highlight and reference ids
        base = f"note-{base}"[:48].strip("-")
    candidate, n = base, 2
    while candidate in taken or candidate in RESERVED_IDS:  # (ids the page gives its own elements)
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def find_target(body: str, words: str) -> Target | NotFound | Ambiguous:
    """The first place the words occur, with what selects it; NotFound / Ambiguous (no selector) otherwise."""
    text = page_text(parse(body)).text
    folded = fold_text(text)
    first = anchor_quote("new", folded, text, words)
    if isinstance(first, NotFound):
        return first
    if isinstance(first, Anchor):
        return Target(" ".join(first.exact.split()), None, None, ())
    occurrences = first.occurrences if isinstance(first, Ambiguous) else ()
    if not occurrences:
        return NotFound("", 0, ())
    chosen = occurrences[0]
    prefix, suffix = chosen.prefix or None, chosen.suffix or None
    resolved = anchor_quote("new", folded, text, words, prefix, suffix)
    if not isinstance(resolved, Anchor):  # identical passages: nothing short tells them apart
        assert isinstance(first, Ambiguous)
        return first
    others = tuple(
        occ.context + (f"  (prefix: {yaml_quoted(occ.prefix)})" if occ.prefix else "")
        + (f"  (suffix: {yaml_quoted(occ.suffix)})" if occ.suffix else "")
        for occ in occurrences[1:]
    )
    if first.total > len(occurrences):
        others += (f"… and {first.total - len(occurrences)} more",)
    return Target(" ".join(resolved.exact.split()), prefix, suffix, others, first.total)


def stub_text(
    target: Target, annotation_id: str, kind: str, config: SiteConfig, today: dt.date, layout: Layout, newline: str
) -> str:
    indent = " " * layout.dash_indent
    pad = indent + " " * layout.key_offset
    lines = [f"{indent}- id: {annotation_id}", f"{pad}kind: {kind}", f"{pad}quote: {yaml_quoted(target.quote)}"]
    if target.prefix:
        lines.append(f"{pad}prefix: {yaml_quoted(target.prefix)}")
    if target.suffix:
        lines.append(f"{pad}suffix: {yaml_quoted(target.suffix)}")
    if kind == "claim":
        lines.append(f"{pad}verdict: {PLACEHOLDER}  # one of: {', '.join(config.verdict_ids)}")
    lines += [f"{pad}note: |", f"{pad}  {PLACEHOLDER}: {_NOTE_PROMPTS[kind]}"]
    if kind == "context":
        lines += [f"{pad}# links:  (further reading; remove the # signs to use them)",
                  f"{pad}#   - title: \"…\"", f"{pad}#     url: https://…"]
    else:
        lines += [f"{pad}# sources:  (the evidence; remove the # signs to use them)",
                  f"{pad}#   - title: \"…\"", f"{pad}#     url: https://…",
                  f"{pad}#     publisher: …", f"{pad}#     date: YYYY-MM-DD"]
    lines += [f"{pad}by: {PLACEHOLDER}  # your handle, e.g. your GitHub user name", f"{pad}added: {today.isoformat()}"]
    return newline.join(lines) + newline


def _split_lines(text: str) -> list[str]:
    return [m.group(0) for m in _LINE.finditer(text) if m.group(0)]


def _header(slug: str, newline: str) -> str:
    return newline.join([
        "# yaml-language-server: $schema=../schemas/annotations.schema.json",
        "#",
        f"# Annotations of content/{slug}.md.",
        "# The format is described in CONTRIBUTING.md; `python build.py check` validates it.",
        "",
    ])


def plan_layout(lines: list[str], root: YNode | None, slug: str, newline: str) -> Layout | str:
    """Where and how to add the stub; a message when the file's shape leaves no safe place."""
    if root is None:
        header = "" if any(line.strip() for line in lines) else _header(slug, newline)
        return Layout(len(lines), 2, 2, f"{header}article: {slug}{newline}annotations:{newline}")
    if root.kind != "mapping":
        return "the file is not a mapping of `article:` and `annotations:`; run `python build.py check`"
    key = root.keys.get("annotations")
    items = root.get("annotations")
    if key is None or items is None:
        return Layout(len(lines), 2, 2, f"annotations:{newline}")
    later = [k.line for k in root.keys.values() if k.line > key.line]
    if items.kind == "sequence" and items.value:
        if lines[items.line - 1][items.col - 1 : items.col] != "-":
            return "`annotations:` is written as a [ … ] list; `new` can only add to a list of `- ` items"
        insert_at = min(later) - 1 if later else len(lines)
        # comments and blank lines just above the next key belong to that key
        while later and insert_at > 0 and (not lines[insert_at - 1].strip() or lines[insert_at - 1].startswith("#")):
            insert_at -= 1
        return Layout(insert_at, items.col - 1, items.value[0].col - items.col, "")
    empty = items.value is None or (items.kind == "sequence" and items.line == key.line)
    if not empty or (later and min(later) == key.line):
        return "`annotations:` does not hold a list; run `python build.py check`"
    indent = " " * (key.col - 1)
    return Layout(key.line, key.col - 1 + 2, 2, "", replace=(key.line - 1, f"{indent}annotations:{newline}"))


@dataclass(frozen=True)
class Insertion:
    """An annotation file's new text, with items added where `plan_layout` puts them."""

    text: str
    first_line: int  # where the first added item starts (1-based)
    items: str  # the added items alone, as written


def insert_items(original: str, root: YNode | None, slug: str,
                 render: Callable[[Layout, str], str]) -> Insertion | str:
    """Add the items `render` writes (for the file's list layout and line ending) to the end of
    the file's list, leaving every other byte as it was; a message when no place is safe."""
    newline = "\r\n" if "\r\n" in original else "\n"
    lines = _split_lines(original)
    layout = plan_layout(lines, root, slug, newline)
    if isinstance(layout, str):
        return layout
    items = render(layout, newline)
    if layout.replace is not None:
        lines[layout.replace[0]] = layout.replace[1]
    before = lines[: layout.insert_at]
    if before and not before[-1].endswith(("\n", "\r", "\x85", "\u2028", "\u2029")):
        before[-1] += newline
    # items are set apart by a blank line, as in the seed file
    separator = newline if not layout.opening and layout.replace is None and before and before[-1].strip() else ""
    first_line = len(before) + (separator != "") + layout.opening.count(newline) + 1
    text = "".join(before) + separator + layout.opening + items + "".join(lines[layout.insert_at :])
    return Insertion(text, first_line, items)


def _existing(root: YNode | None) -> tuple[set[str], dict[str, int]]:
    """Ids in use, and the folded quotes already annotated (with their lines)."""
    ids: set[str] = set()
    quotes: dict[str, int] = {}
    items = root.get("annotations") if root is not None else None
    for item in items.value if items is not None and items.kind == "sequence" else ():
        id_node, quote_node = item.get("id"), item.get("quote")
        if id_node is not None:
            ids.add(str(id_node.value))
        if quote_node is not None and isinstance(quote_node.value, str):
            quotes.setdefault(" ".join(fold(quote_node.value).split()), quote_node.line)
    return ids, quotes


def _written(text: str, annotation_id: str, target: Target, count_before: int) -> bool:
    """The new file parses and holds every old annotation and the stub, intact: otherwise nothing is written."""
    normalised, _ = decode_utf8(text.encode("utf-8"))
    try:
        root = parse_yaml(normalised or "")
    except YamlProblem:
        return False
    items = root.get("annotations") if root is not None else None
    if items is None or items.kind != "sequence" or len(items.value) != count_before + 1:
        return False
    return any(_holds(item, annotation_id, target.quote) for item in items.value)


def _holds(item: YNode, annotation_id: str, quote: str) -> bool:
    id_node, quote_node = item.get("id"), item.get("quote")
    return id_node is not None and id_node.value == annotation_id and quote_node is not None \
        and quote_node.value == quote


def _count(root: YNode | None) -> int:
    items = root.get("annotations") if root is not None else None
    return len(items.value) if items is not None and items.kind == "sequence" else 0


def annotation_file(project: Project, slug: str) -> Path:
    """The article's annotation file: annotations/SLUG.yaml (or an existing .yml)."""
    for suffix in (".yaml", ".yml"):
        path = project.annotations_dir / f"{slug}{suffix}"
        if path.exists():
            return path
    return project.annotations_dir / f"{slug}.yaml"


def new_stub(project: Project, slug: str, quote: str, kind: str, today: dt.date | None = None) -> int:
    """Append a stub for `quote` in content/SLUG.md to annotations/SLUG.yaml. Returns an exit status."""
    if not is_slug(slug):
        print(f"error: `{slug}` is not an article slug (lowercase letters, digits and hyphens, as in "
              "content/SLUG.md)", file=sys.stderr)
        return EXIT_USAGE
    if not fold(quote).strip():
        print('error: give the words to annotate, e.g. python build.py new SLUG "words from the article"',
              file=sys.stderr)
        return EXIT_USAGE
    article_path = project.content_dir / f"{slug}.md"
    if not article_path.is_file():
        known = sorted(p.stem for p in project.content_dir.glob("*.md")) if project.content_dir.is_dir() else []
        close = difflib.get_close_matches(slug, known, n=1)
        return _fail(f"there is no article content/{slug}.md",
                     f"did you mean `{close[0]}`?" if close else "the slug is the article's file name without .md")
    config, _ = read_config(project)
    raw_article, problems = load_article(project, article_path, config.max_file_bytes)
    if raw_article is None:
        return _report(problems, project)
    target = find_target(raw_article.body, quote)
    where = f"content/{slug}.md"
    if isinstance(target, NotFound):
        hints = [f"the closest passage ({target.similarity}% similar) is:\n“{target.closest}”", *target.differences]
        if target.similarity < CLOSE_ENOUGH:
            hints = [f"nothing in {where} comes close: is this the right article?"]
        return _fail(f"these words are not in {where}", *(hints if target.closest else ()),
                     "copy the words exactly from the article; curly and straight quotes, dashes and line breaks "
                     "do not matter, but spelling and case do")
    if isinstance(target, Ambiguous):
        return _fail(f"these words occur {target.total} times in {where}, and no prefix or suffix of up to a dozen "
                     "words tells the first one apart", "quote more words, so that they occur only once")
    status = _append(project, slug, target, kind, config, today or dt.date.today())
    if status == EXIT_OK and target.others:
        chosen = (f"prefix: {yaml_quoted(target.prefix)}" if target.prefix
                  else f"suffix: {yaml_quoted(target.suffix or '')}")
        print(f"these words occur {target.total} times in {where}; the stub takes the first, "
              f"chosen by `{chosen}`. The others:")
        for other in target.others:
            print(f"  - {other}")
        print("  to annotate one of those instead, put its prefix (or suffix) in the stub")
    if status == EXIT_OK:
        print(f"next: replace each {PLACEHOLDER} in the stub, then run `python build.py check`")
    return status


def _append(project: Project, slug: str, target: Target, kind: str, config: SiteConfig, today: dt.date) -> int:
    """Add the stub to the annotation file as text, leaving every other byte as it was."""
    path = annotation_file(project, slug)
    rel = project.relative(path)
    original = ""
    root: YNode | None = None
    if path.exists():
        text, problems = read_text(project, path, config.max_file_bytes)
        if text is None:
            return _report(problems, project)
        try:
            root = parse_yaml(text)
        except YamlProblem as problem:
            print(f"{rel}:{problem.line}:{problem.col}: error: {problem.message}", file=sys.stderr)
            return _fail(f"{rel} must be valid YAML before a stub can be added", problem.hint)
        original = path.read_bytes().decode("utf-8")
    taken, annotated = _existing(root)
    annotation_id = fresh_id(target.quote, taken)
    inserted = insert_items(original, root, slug, lambda layout, newline: stub_text(
        target, annotation_id, kind, config, today, layout, newline))
    if isinstance(inserted, str):
        return _fail(f"cannot add a stub to {rel}: {inserted}")
    updated, stub_line = inserted.text, inserted.first_line
    if not _written(updated, annotation_id, target, _count(root)):
        return _fail(f"cannot add a stub to {rel} without rewriting its layout; add it by hand:\n{inserted.items}")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.new")
    temporary.write_bytes(updated.encode("utf-8"))
    os.replace(temporary, path)  # all or nothing: an interrupted `new` never leaves half a file
    print(f"added `{annotation_id}` to {rel}, line {stub_line}")
    existing_line = annotated.get(" ".join(fold(target.quote).split()))
    if existing_line is not None:
        print(f"note: line {existing_line} of {rel} already annotates these words")
    return EXIT_OK

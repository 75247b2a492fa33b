"""Which format a file is, and every annotation in it (collections walked page by page).

Formats (detected by shape, not by the file's name):

- the Hypothesis API's search response: `{"total", "rows": [...]}` (and `"replies"`);
- the Hypothesis client's "Export annotations" file: `{"export_date", …, "annotations": [...]}`;
- one Hypothesis API annotation, or a list of them;
- W3C Web Annotation JSON-LD: one `Annotation`, a list of them, an `@graph` of them, an
  `AnnotationPage`, or an `AnnotationCollection` whose pages are embedded (`first` and `next`
  objects) or linked.

**Linked pages, offline.** A page given only by its IRI is read from a file next to the one
imported, never fetched: the IRI's path relative to the folder of the document that links it
(`https://ex.org/annotations.jsonld` links `https://ex.org/annotations/page-2.jsonld` →
`annotations/page-2.jsonld` beside the imported file: the layout of our own archive's
export), else its last path segment in the same folder. A relative IRI is a path from that
folder. Nothing outside the imported file's folder is read, and every page counts toward one
size limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from . import hypothesis, w3c
from .engine import Diagnostic, error, safe_join
from .jsonfile import MAX_IMPORT_BYTES, JsonDocument, node_id, read_json, type_names
from .records import Incoming, Skip

MAX_PAGES = 10_000
FORMATS_HINT = ("import reads a Hypothesis API search response ({\"total\", \"rows\"}), a Hypothesis \"Export "
                "annotations\" file ({\"export_date\", \"annotations\"}), or W3C Web Annotation JSON-LD (an "
                "Annotation, a list of them, an AnnotationPage or an AnnotationCollection); docs/importing.md "
                "says how to get each")


@dataclass
class Batch:
    """Everything read from the file: the annotations, what the report should say about the
    file as a whole, and problems found while reading."""

    format: str
    incoming: list[Incoming] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)


def _shape(data: Any) -> str:
    if isinstance(data, dict):
        keys = ", ".join(f"`{k}`" for k in list(data)[:6]) + (", …" if len(data) > 6 else "")
        return f"it holds a JSON object with the keys {keys}" if data else "it holds an empty JSON object"
    if isinstance(data, list):
        return f"it holds a list of {len(data)} entries that are neither Hypothesis nor W3C annotations"
    return f"it holds a single JSON {type(data).__name__.replace('str', 'string')}"


def _entries(document: JsonDocument, starts: Sequence[int], which: list[int], one: str, many: str
             ) -> tuple[int, int, str]:
    """Where the first of the entries `which` (indexes into a list whose elements start at `starts`)
    stands, and the message's words for them: `one` for one entry, `many` (with the count) for more."""
    line, col = document.position(starts[which[0]]) if which[0] < len(starts) else (0, 0)
    if len(which) == 1:
        return line, col, one
    return line, col, f"{len(which)} {many}" + (" (the first here)" if line else "")


def _hypothesis(batch: Batch, rows: list[Any], document: JsonDocument, key: str | None,
                replies: Sequence[Any] = ()) -> Batch:
    """`key`: the file's key holding the rows (None: the file itself, an annotation or a list of them)."""
    starts = document.elements(key) + (document.elements("replies") if replies else [])
    strays = hypothesis.not_annotations([*rows, *replies])
    if strays:
        line, col, count = _entries(document, starts, strays, "an entry of the file is not an annotation object",
                                    "entries of the file are not annotation objects")
        batch.problems.append(error(document.path, line, col, count, "the others were read; is the file complete?",
                                    title="Not an annotation"))
    batch.incoming = hypothesis.read_rows(rows, document, replies, starts)
    return batch


def _w3c_list(batch: Batch, items: list[Any], document: JsonDocument, key: str | None, after: int = 0) -> int:
    """The annotations of a list (or a page's items) at `key` (None: the file itself); where the search
    for positions goes on from."""
    starts = document.elements(key, after)
    linked: list[int] = []
    strays: list[int] = []
    for n, item in enumerate(items):
        if isinstance(item, dict) and "Annotation" in type_names(item):
            incoming, after = w3c.read_annotation(item, document, after, starts[n] if n < len(starts) else None)
            batch.incoming.append(incoming)
        else:
            (linked if isinstance(item, str) else strays).append(n)
    if strays:
        line, col, count = _entries(document, starts, strays, "an entry of the file is not an annotation",
                                    "entries of the file are not annotations")
        batch.problems.append(error(document.path, line, col, count,
                                    "each must have `\"type\": \"Annotation\"`; the others were read",
                                    title="Not an annotation"))
    if linked:
        line, col, count = _entries(document, starts, linked, "an annotation is given only by its IRI, not embedded",
                                    "annotations are given only by their IRI, not embedded")
        batch.problems.append(error(document.path, line, col, f"{count}: not imported",
                                    "import the files that hold them", title="Linked annotation"))
    return after


class _Pages:
    """Walks a collection's pages: embedded, or linked to files beside the imported one."""

    def __init__(self, batch: Batch, document: JsonDocument) -> None:
        self.batch = batch
        self.root = document.file.resolve().parent  # nothing outside this folder is read
        self.shown_folder = Path(document.path).parent
        self.budget = MAX_IMPORT_BYTES - len(document.text.encode())
        self.seen: set[str] = set()

    def _linked(self, iri: str, base: str | None, folder: Path) -> Path | None:
        """The file that holds the page `iri`, linked from a document at `base` in `folder`."""
        parts = urlsplit(iri)
        candidates: list[tuple[Path, str]] = []
        if not parts.scheme and not parts.netloc:
            candidates.append((folder, parts.path))
        else:
            base_parts = urlsplit(base or "")
            base_folder = base_parts.path.rsplit("/", 1)[0] + "/"
            same_site = (base_parts.scheme, base_parts.netloc) == (parts.scheme, parts.netloc)
            if same_site and parts.path.startswith(base_folder):
                candidates.append((folder, parts.path[len(base_folder) :]))
            name = parts.path.rsplit("/", 1)[-1]
            candidates += [(folder, name), (self.root, name)]
        for where, relative in candidates:
            relative = unquote(relative)
            if not relative or relative.endswith("/"):
                continue
            path = safe_join(where, relative)
            if path is not None and path.is_file() and path.is_relative_to(self.root):
                return path
        return None

    def _load(self, iri: str, base: str | None, document: JsonDocument) -> JsonDocument | None:
        line, col, _ = document.locate("next", iri)
        if not line:
            line, col, _ = document.locate("first", iri)
        path = self._linked(iri, base, document.file.resolve().parent)
        if path is None:
            self.batch.problems.append(error(
                document.path, line, col, f"the page {iri} is linked, not embedded, and no file beside this one "
                "holds it", "import never fetches: download the page into this folder (under the path its "
                "address has below the collection's folder, or under its file name) and import again",
                title="Missing page"))
            return None
        shown = self.shown_folder.joinpath(path.relative_to(self.root)).as_posix()
        page, problems = read_json(path, shown, max(0, self.budget))
        self.batch.problems += problems
        if page is None:
            return None
        self.budget -= len(page.text.encode())
        if not isinstance(page.data, dict) or "AnnotationPage" not in type_names(page.data):
            self.batch.problems.append(error(shown, 0, 0, f"this file (linked as {iri}) is not an AnnotationPage",
                                             title="Not a page"))
            return None
        return page

    def walk(self, page: Any, base: str | None, document: JsonDocument) -> None:
        """From a page (embedded, or an IRI) along `next`, each page read once."""
        after = 0
        while page is not None and len(self.seen) < MAX_PAGES:
            if isinstance(page, str) or (isinstance(page, dict) and "items" not in page):
                iri = node_id(page)
                if not iri or iri in self.seen:
                    return
                loaded = self._load(iri, base, document)
                if loaded is None:
                    return
                document, page, after = loaded, loaded.data, 0
                base = node_id(page) or iri
            if not isinstance(page, dict):
                return
            iri = node_id(page) or f"#{len(self.seen)}"
            if iri in self.seen:
                return
            self.seen.add(iri)
            items = page.get("items")
            after = _w3c_list(self.batch, items if isinstance(items, list) else [], document, "items", after)
            page = page.get("next")
        if page is not None:
            self.batch.problems.append(error(document.path, 0, 0, f"the collection has more than {MAX_PAGES:,} "
                                             "pages; the rest were not read", title="Too many pages"))


def detect(document: JsonDocument) -> Batch | list[Diagnostic]:
    """The batch of annotations the file holds, or why it holds none import can read."""
    data = document.data
    if isinstance(data, dict):
        types = type_names(data)
        if isinstance(data.get("rows"), list):
            batch = Batch("Hypothesis API search response")
            total = data.get("total")
            replies = data.get("replies") if isinstance(data.get("replies"), list) else []
            if isinstance(total, int) and total > len(data["rows"]):
                batch.notes.append(f"this response holds {len(data['rows'])} of the {total} annotations the "
                                   "search found: fetch the other pages (search_after) and import each")
            return _hypothesis(batch, data["rows"], document, "rows", replies)
        if isinstance(data.get("annotations"), list) and {"export_date", "client_version", "export_userid"} & set(data):
            return _hypothesis(Batch("Hypothesis export file"), data["annotations"], document, "annotations")
        if "AnnotationCollection" in types or "AnnotationPage" in types:
            name = "collection" if "AnnotationCollection" in types else "page"
            batch = Batch(f"W3C Web Annotation {name}")
            pages = _Pages(batch, document)
            pages.walk(data.get("first") if name == "collection" else data, node_id(data), document)
            total = data.get("total")
            read = len(batch.incoming)
            if name == "collection" and isinstance(total, int) and total != read:
                batch.notes.append(f"the collection says it holds {total} annotations; {read} were found in its pages")
            return batch
        if "Annotation" in types:
            batch = Batch("W3C Web Annotation")
            _w3c_list(batch, [data], document, None)
            return batch
        if isinstance(data.get("@graph"), list):
            batch = Batch("W3C Web Annotations (@graph)")
            _w3c_list(batch, data["@graph"], document, "@graph")
            return batch
        if hypothesis.looks_like_annotation(data):
            return _hypothesis(Batch("Hypothesis API annotation"), [data], document, None)
    elif isinstance(data, list):
        if not data:
            return Batch("empty list")
        if any(isinstance(i, dict) and "Annotation" in type_names(i) for i in data):
            batch = Batch("W3C Web Annotations (a list)")
            _w3c_list(batch, data, document, None)
            return batch
        if any(hypothesis.looks_like_annotation(i) for i in data):
            return _hypothesis(Batch("Hypothesis API annotations (a list)"), data, document, None)
    return [error(document.path, 0, 0, f"this is not a file of annotations import can read: {_shape(data)}",
                  FORMATS_HINT, title="Unknown format")]


def mark_replies(batch: Batch) -> None:
    """A W3C annotation whose target is another annotation of the file is a reply to it."""
    ids = {i.origin.id for i in batch.incoming}
    for index, incoming in enumerate(batch.incoming):
        parent = next((u for u in incoming.uris if u in ids and u != incoming.origin.id), None)
        if parent is not None and incoming.skip is None:
            batch.incoming[index] = _with_skip(incoming, Skip("reply", detail=f"a reply to {parent}"))


def add_page_sources(batch: Batch) -> None:
    """A note on the whole page names only the page (a Glossator export writes it so); the file's
    other annotations on that page say, in their target's `dcterms:source`, which article it copies.
    So a whole-page note comes in on that article too, not only in an archive that holds the page."""
    originals: dict[str, list[str]] = {}
    for incoming in batch.incoming:
        if incoming.selector is not None and len(incoming.uris) > 1:
            originals.setdefault(incoming.uris[0], []).extend(incoming.uris[1:])
    for index, incoming in enumerate(batch.incoming):
        found = originals.get(incoming.uris[0], []) if incoming.selector is None and incoming.uris else []
        if found:
            batch.incoming[index] = replace(incoming, uris=tuple(dict.fromkeys((*incoming.uris, *found))))


def _with_skip(incoming: Incoming, skip: Skip) -> Incoming:
    return replace(incoming, skip=skip)


def read_file(file: Path, shown: str) -> Batch | list[Diagnostic]:
    document, problems = read_json(file, shown)
    if document is None:
        return problems
    batch = detect(document)
    if isinstance(batch, Batch):
        mark_replies(batch)
        add_page_sources(batch)
    return batch

"""What every format is read into: one `Incoming` per annotation, whatever wrote it.

The readers only transcribe (a Hypothesis row, a W3C annotation); what the fields mean for
the archive (which kind, which verdict, who) is decided later, in one place (mapping.py),
so that the same tag or purpose means the same thing in every format.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from .engine import Link, Source

# what `check` refuses in an address: control and invisible format characters
FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")

HYPOTHESIS = "hypothesis"
W3C = "w3c"


@dataclass(frozen=True)
class Location:
    """Where an annotation stands in the file that was imported (for diagnostics)."""

    path: str  # as the user named it, or a linked page's path
    line: int  # 1-based; 0 when not known
    col: int


@dataclass(frozen=True)
class Origin:
    """Where an annotation came from: written into the YAML as `origin:`, so that importing
    the same file again recognises it."""

    source: str  # HYPOTHESIS | W3C
    id: str  # a Hypothesis id, or the W3C annotation's IRI
    uri: str = ""  # the page it was made on, as the file gives it

    @property
    def key(self) -> tuple[str, str]:
        return origin_key(self.source, self.id)


# the IRIs Hypothesis names its annotations by in its JSON-LD (`id`), its share links and its API
_HYPOTHESIS_IRI = re.compile(
    r"https?://(?:www\.)?hypothes\.is/a/([A-Za-z0-9_-]+)/?"
    r"|https?://api\.hypothes\.is/api/annotations/([A-Za-z0-9_-]+)(?:\.jsonld)?")


def hypothesis_id(iri: str) -> str | None:
    """The Hypothesis id a W3C annotation's IRI names (`https://hypothes.is/a/<id>`), if it names one."""
    match = _HYPOTHESIS_IRI.fullmatch(iri.strip())
    return (match[1] or match[2]) if match else None


def origin_key(source: str, annotation_id: str) -> tuple[str, str]:
    """What tells two imports of one annotation apart from others: a Hypothesis annotation is one,
    read from the API's JSON or from its JSON-LD form (origins written with its IRI included)."""
    found = hypothesis_id(annotation_id) if source == W3C else None
    return (HYPOTHESIS, found) if found else (source, annotation_id)


MAX_ORIGIN = 2000  # the schema's limit for `origin.id` and `origin.uri`
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+\Z")


def make_origin(source: str, annotation_id: str, uri: str) -> Origin:
    """The origin as it will be written (and compared with those written before): within the
    schema's limits, an address kept only if it is one; a Hypothesis annotation's JSON-LD as the
    Hypothesis annotation it is."""
    if source == W3C and (found := hypothesis_id(annotation_id)):
        source, annotation_id = HYPOTHESIS, found
    if len(annotation_id) > MAX_ORIGIN:
        annotation_id = "sha256:" + hashlib.sha256(annotation_id.encode()).hexdigest()[:32]
    if len(uri) > MAX_ORIGIN or not _URI.match(uri) or FORBIDDEN.search(uri):
        uri = ""
    return Origin(source, annotation_id, uri)


@dataclass(frozen=True)
class QuoteSelector:
    """The words an annotation is about, as the file gives them (a TextQuoteSelector), with
    the TextPositionSelector's offsets when there is one."""

    exact: str
    prefix: str = ""
    suffix: str = ""
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class Skip:
    """Why an annotation is not imported. A `problem` needs the user's attention (exit 1);
    the others are expected (replies, highlights, pages the archive does not hold)."""

    reason: str  # short, and the same for alike skips: the report groups by it
    problem: bool = False
    detail: str = ""
    hints: tuple[str, ...] = ()


@dataclass(frozen=True)
class Incoming:
    """One annotation as the file gives it, transcribed but not yet judged."""

    origin: Origin
    location: Location
    uris: tuple[str, ...]  # every address the file gives for its page (target sources, `uri`, …)
    selector: QuoteSelector | None  # None: a note on the whole page
    note: str
    tags: tuple[str, ...] = ()
    kind_hint: str | None = None  # a kind named by a W3C motivation or purpose
    kind_hint_from: str = ""  # e.g. "motivation `assessing`"
    verdict_hint: str | None = None  # a verdict id named by a W3C `classifying` body
    creators: tuple[str, ...] = ()  # as the file gives them: `acct:alice@hypothes.is`, a nickname, an IRI
    created: str | None = None
    modified: str | None = None
    sources: tuple[Source, ...] = ()
    links: tuple[Link, ...] = ()
    fragment_id: str | None = None  # the `#fragment` of a W3C id: reused as our id where it can be
    private: bool = False  # not public where it was made (a private or group annotation)
    skip: Skip | None = None  # decided while reading: a reply, a highlight without a note…

"""What the templates see: plain view objects built from the model, and the listings.

Templates hold presentation; every decision (numbering, grouping, URLs, labels)
is made here, in Python, once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import pickle
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from ..model import (
    KIND_LABELS,
    KINDS,
    AnnotatedArticle,
    Annotation,
    ArticleSummary,
    ClaimEntry,
    Link,
    SiteConfig,
    Source,
    article_path,
    version_path,
)
from .jinja import markup

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


# Characters a name may lose in its slug without naming another outlet: word separators. Others say
# something ("Spiegel" and "Spiegel+", "Yahoo" and "Yahoo!" are two names).
_SEPARATORS = frozenset(" \t-_.,'\u2019\u2018")


def outlet_slug(name: str) -> str:
    """The outlet's folder under sources/: its name in ASCII (accents dropped), and, when letters of
    another script were dropped too ("Россия 24" and "Мир 24" are both "24" in ASCII; "新华社" is
    nothing) or a sign such as `+` or `&`, a digest of the whole name, so that two outlets never share
    a page. (Case is no difference: "BBC" and "Bbc" are one outlet.)"""
    letters = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    slug = _NOT_SLUG.sub("-", letters.encode("ascii", "ignore").decode().lower()).strip("-")
    if any((c.isalnum() and not c.isascii()) or not (c.isalnum() or c in _SEPARATORS) for c in letters):
        digest = hashlib.sha256(name.encode()).hexdigest()[:8]
        return f"{slug}-{digest}" if slug else f"outlet-{digest}"
    return slug or "outlet"


# Made for a page and read by its template only: slots and no freezing, as a frozen dataclass's
# __init__ sets each of its twenty fields through object.__setattr__ (~1 µs more a note).
@dataclass(slots=True)
class NoteView:
    id: str
    kind: str
    kind_label: str
    verdict: str  # id, or ""
    verdict_label: str
    verdict_description: str
    number: int  # 0 for notes on the whole article
    quote: str  # the highlighted words as the page shows them
    html: Markup
    sources: tuple[Source, ...]
    links: tuple[Link, ...]
    by: tuple[str, ...]
    added: dt.date
    updated: dt.date | None
    permalink: str  # root-relative, with base path
    # Ready strings for the page template: a method called from a template costs it three times
    # what reading a field does, and the article page shows each note's dates twice.
    added_iso: str
    updated_iso: str  # "" when never updated
    by_text: str  # the handles, as the page names them ("ana, bo"): `|join` costs a filter call a note
    search_key: str  # id:kind[:verdict], the note's entry in the page's data-notes (search.py)

    @property
    def css_class(self) -> str:
        return f"k-{self.kind}" + (f" v-{self.verdict}" if self.verdict else "")


_KIND_CODES = {kind: f"k{n}" for n, kind in enumerate(KIND_LABELS)}


def search_key(annotation: Annotation, config: SiteConfig, version: str = "") -> str:
    """A note's entry in its article's data-notes, which search.js reads: id:kind[:verdict][:version],
    the kind and the verdict by their place in the site's lists (k0, v3), the earlier text by its moment's
    digits (t202612010900). Pagefind indexes the words of every meta field: as words ("claim",
    "misleading", "2026") they made each article with such a note match a search for them."""
    key = f"{annotation.id}:{_KIND_CODES[annotation.kind]}"
    verdict = f"v{config.verdict_ids.index(annotation.verdict)}" if annotation.verdict in config.verdict_ids else ""
    if version:
        return f"{key}:{verdict}:t{version.replace('-', '')}"
    return f"{key}:{verdict}" if verdict else key


def note_view(annotation: Annotation, annotated: AnnotatedArticle, config: SiteConfig) -> NoteView:
    verdict = config.verdict(annotation.verdict) if annotation.verdict else None
    anchor = annotated.anchors.get(annotation.id)
    return NoteView(
        id=annotation.id,
        kind=annotation.kind,
        kind_label=KIND_LABELS[annotation.kind],
        verdict=annotation.verdict or "",
        verdict_label=verdict.label if verdict else "",
        verdict_description=verdict.description if verdict else "",
        number=annotated.numbers.get(annotation.id, 0),
        quote=" ".join(anchor.exact.split()) if anchor else "",
        html=markup(annotated.note_html[annotation.id]),
        sources=annotation.sources,
        links=annotation.links,
        by=annotation.by,
        added=annotation.added,
        updated=annotation.updated,
        permalink=config.base_path + article_path(annotated.article.slug) + "#" + annotation.id,
        added_iso=annotation.added.isoformat(),
        updated_iso=annotation.updated.isoformat() if annotation.updated else "",
        by_text=", ".join(annotation.by),
        search_key=search_key(annotation, config),
    )


@dataclass(frozen=True)
class KindKey:
    """One row of the article page's legend: a kind of margin note and how many there are."""

    kind: str
    label: str
    count: int


def kind_key(notes: Sequence[NoteView]) -> tuple[KindKey, ...]:
    """The kinds of the page's anchored notes, in the canonical order (the legend and its toggles)."""
    counts = Counter(n.kind for n in notes if n.number)
    return tuple(KindKey(k, KIND_LABELS[k], counts[k]) for k in KINDS if counts[k])


def _file_notes(annotated: AnnotatedArticle) -> list[Annotation]:
    """Every note of the article's annotation file: on the current text, and those staying on earlier ones."""
    earlier = annotated.history.earlier if annotated.history else ()
    return [*annotated.annotations, *(a for text in earlier for a in text.annotations)]


def annotation_file(annotated: AnnotatedArticle) -> str | None:
    """The article's annotation file as the archive names it (annotations/<slug>.yaml or .yml), if it has notes."""
    notes = _file_notes(annotated)
    return notes[0].position.path if notes else None


def stub_indent(annotated: AnnotatedArticle) -> int:
    """How far the annotation file's first note indents its keys (`  - id:` → 4, `- id:` → 2), for
    the Suggest panel's stub to be indented alike: pasted with another indent, it is a YAML syntax
    error. 4, as `new` writes a new file, for an article with no notes."""
    first = min(_file_notes(annotated), key=lambda a: a.position.line, default=None)
    return first.position.col - 1 if first is not None and first.position.col >= 3 else 4


def repo_edit_url(config: SiteConfig, slug: str, existing: str | None) -> str:
    """Where a reader proposes an annotation on `repo_url` (GitHub's URL forms): the editor of the
    `existing` annotation file, or the new-file form when the article has none yet (the page's
    script then adds the stub as `value`). "" when the site names no repository."""
    if not config.repo_url:
        return ""
    repo = config.repo_url.rstrip("/")
    if existing:
        return f"{repo}/edit/{config.repo_branch}/{existing}"
    return f"{repo}/new/{config.repo_branch}/annotations?filename={slug}.yaml"


def claim_entries(annotated: AnnotatedArticle, config: SiteConfig) -> tuple[ClaimEntry, ...]:
    article = annotated.article
    history = annotated.history
    texts = (annotated, *history.earlier) if history else (annotated,)
    claims: list[ClaimEntry] = []
    for text in texts:
        # on the page of its own text, where its words are highlighted
        page = config.base_path + (version_path(article.slug, text.version) if text.version
                                   else article_path(article.slug)) + "#"
        claims += [
            ClaimEntry(
                article.slug, article.title, article.language, article.source, article.published, a.id,
                " ".join(text.anchors[a.id].exact.split()) if a.id in text.anchors else "",
                a.verdict or "", page + a.id, version=text.version,
            )
            for a in text.annotations
            if a.kind == "claim"
        ]
    return tuple(claims)


def summarise(annotated: AnnotatedArticle, config: SiteConfig) -> ArticleSummary:
    """The article as the listings see it; its claims' entries are added once rendered (render/pages.py)."""
    article = annotated.article
    history = annotated.history
    # every text's notes: the current one's, then those that stayed on earlier texts
    texts = (annotated, *history.earlier) if history else (annotated,)
    annotations = [a for text in texts for a in text.annotations]
    kinds = Counter(a.kind for a in annotations)
    verdicts = Counter(a.verdict for a in annotations if a.verdict)
    path = article_path(article.slug)
    dates = [a.last_modified.isoformat() for a in annotations]
    return ArticleSummary(
        slug=article.slug,
        path=path,
        title=article.title,
        source=article.source,
        source_slug=outlet_slug(article.source),
        published=article.published,
        author=article.author,
        tags=article.tags,
        summary=article.summary,
        language=article.language,
        kind_counts=tuple((k, kinds[k]) for k in KINDS if kinds[k]),
        verdict_counts=tuple((v.id, verdicts[v.id]) for v in config.verdicts if verdicts[v.id]),
        claims=NO_CLAIMS,
        last_modified=max(dates) if dates else "",
        feed_keys="\n".join(f"{a.added.isoformat()} {a.id}" for a in annotations),
        versions=tuple(text.id for text in history.texts[:-1]) if history else (),
        # the listings need the counts, not the words (the summaries are cached for every article)
        changes=tuple(dataclasses.replace(c, runs=(), title_runs=(), blocks=((), ()))
                      for c in history.changes) if history else (),
    )


def by_recency(summaries: Iterable[ArticleSummary]) -> list[ArticleSummary]:
    return sorted(summaries, key=lambda s: (s.published, s.slug), reverse=True)


@dataclass(frozen=True)
class VerdictCount:
    verdict: str
    label: str
    count: int


@dataclass(frozen=True)
class Totals:
    articles: int
    annotations: int
    kinds: tuple[KindKey, ...]  # every kind, in the canonical order, with its count (0 too)
    verdicts: tuple[VerdictCount, ...]  # every verdict of the scale, in its order
    changed: int = 0  # articles their outlet changed after publication


def totals(summaries: Sequence[ArticleSummary], config: SiteConfig) -> Totals:
    kinds: Counter[str] = Counter()
    verdicts: Counter[str] = Counter()
    for summary in summaries:
        kinds.update(dict(summary.kind_counts))
        verdicts.update(dict(summary.verdict_counts))
    return Totals(
        articles=len(summaries),
        annotations=sum(kinds.values()),
        kinds=tuple(KindKey(k, KIND_LABELS[k], kinds[k]) for k in KINDS),
        verdicts=tuple(VerdictCount(v.id, v.label, verdicts[v.id]) for v in config.verdicts),
        changed=sum(1 for summary in summaries if summary.changes),
    )


def pack_claims(claims: Iterable[tuple[str, Markup]]) -> tuple[tuple[str, bytes], ...]:
    """An article's claims for the claims page, as (verdict, entries) pairs, each one bytes object: a
    large archive's build holds every article's summary at once (15 claims an article are 6 KB as
    Python strings, 2.9 KB pickled). Packed by verdict, so that each of the page's groups unpacks
    only its own. Not compressed: zlib halved the bytes (15 MB at 10,000 articles) for 0.14 ms of an
    article's ~6 ms of CPU (five groups of a few hundred bytes an article, each compressed alone)."""
    by_verdict: dict[str, list[str]] = {}
    for verdict, html in claims:
        by_verdict.setdefault(verdict, []).append(str(html))
    return tuple((verdict, pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL))
                 for verdict, entries in by_verdict.items())


def unpack_claims(packed: bytes) -> list[Markup]:
    return [Markup(html) for html in pickle.loads(packed)]


NO_CLAIMS: tuple[tuple[str, bytes], ...] = ()


def group_by_tag(summaries: Sequence[ArticleSummary]) -> dict[str, list[ArticleSummary]]:
    tags: dict[str, list[ArticleSummary]] = defaultdict(list)
    for summary in by_recency(summaries):
        for tag in summary.tags:
            tags[tag].append(summary)
    return dict(sorted(tags.items()))


@dataclass(frozen=True)
class OutletCount:
    """One outlet in the list of outlets."""

    slug: str
    name: str
    count: int


def group_by_outlet(summaries: Sequence[ArticleSummary]) -> dict[str, tuple[str, list[ArticleSummary]]]:
    outlets: dict[str, tuple[str, list[ArticleSummary]]] = {}
    for summary in by_recency(summaries):
        outlets.setdefault(summary.source_slug, (summary.source, []))[1].append(summary)
    return dict(sorted(outlets.items()))

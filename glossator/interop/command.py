"""`build.py import FILE [--article SLUG] [--kind K] [--by HANDLE] [--dry-run]`.

Reads the file, decides for each annotation which article it is about, what it means here,
and where its quote is in our text; then adds the annotations to the articles' files, each
file checked by the engine first. If any file would not pass `check`, no file is written.
Annotations that cannot be imported are skipped with their reason: the expected ones
(replies, highlights, pages the archive does not hold, annotations imported before) quietly
counted, the others (a quote that cannot be placed, a claim with no verdict…) as errors.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import report
from .engine import (
    RESERVED_ID_PREFIXES,
    RESERVED_IDS,
    Article,
    BuildOptions,
    Diagnostic,
    Plan,
    Project,
    SiteConfig,
    YamlProblem,
    annotation_file,
    error,
    fresh_id,
    is_slug,
    load_article,
    load_texts,
    make_plan,
    parse_yaml,
    read_config,
    read_text,
    validate_article,
    warning,
)
from .formats import Batch, read_file
from .history import Capture, moment, written_on
from .mapping import Mapped, Options, is_handle, map_fields
from .origins import ImportedNote, KnownOrigins, existing_ids
from .place import Placed, Text, Unplaced, place, quotes_headline
from .records import W3C, Incoming, Skip
from .urls import ArticleIndex, article_index
from .write import Existing, Planned, Target, file_problems, plan
from .yamltext import Draft

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


@dataclass
class Outcome:
    """What happened to every annotation of the file: the report's material."""

    batch: Batch
    added: dict[str, list[tuple[Draft, Mapped, Placed | None]]] = field(default_factory=dict)  # by file
    skipped: list[tuple[Incoming, Skip]] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)
    refusals: list[Diagnostic] = field(default_factory=list)  # from the engine's checks: then nothing is written
    written: bool = False


def _usage(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _articles(archive: Plan) -> dict[str, Article]:
    """Every article that loads and validates."""
    articles: dict[str, Article] = {}
    for item in archive.articles.values():
        raw, _ = load_article(archive.project, item.article_path, archive.config.max_file_bytes)
        article, _ = validate_article(raw, archive.config) if raw is not None else (None, [])
        if article is not None:
            articles[article.slug] = article
    return articles


def _existing(project: Project, slug: str, config: SiteConfig) -> Existing | list[Diagnostic]:
    path = annotation_file(project, slug)
    rel = project.relative(path)
    if not path.exists():
        return Existing(path, rel, "", None, frozenset())
    text, problems = read_text(project, path, config.max_file_bytes, rel)
    if text is None:
        return problems
    try:
        root = parse_yaml(text)
    except YamlProblem as problem:
        return [error(rel, problem.line, problem.col, problem.message, problem.hint, title="YAML error")]
    return Existing(path, rel, path.read_bytes().decode("utf-8"), root, frozenset(existing_ids(root)))


def _choose_article(incoming: Incoming, index: ArticleIndex, chosen: str | None) -> str | Skip:
    matches = index.match(incoming.uris)
    page = incoming.uris[0] if incoming.uris else "(no address)"
    if chosen is not None:
        if matches and chosen not in matches:
            return Skip("about another article than --article", detail=f"{page} is content/{matches[0]}.md")
        return chosen
    if not matches:
        return Skip("on a page this archive does not hold", detail=page)
    if len(matches) > 1:
        return Skip("its page is the address of several articles", problem=True,
                    detail=", ".join(f"content/{m}.md" for m in matches),
                    hints=("choose one with --article SLUG",))
    return matches[0]


def _id_for(mapped: Mapped, placed: Placed | None, taken: set[str]) -> str:
    wanted = mapped.incoming.fragment_id
    if (wanted and is_slug(wanted) and wanted not in taken and wanted not in RESERVED_IDS
            and not wanted.startswith(RESERVED_ID_PREFIXES)):
        return wanted
    words = placed.quote if placed is not None else mapped.incoming.note
    return fresh_id(words, taken)


def _in_archive(incoming: Incoming, index: ArticleIndex, known: KnownOrigins) -> tuple[str, str] | None:
    """(slug, id) if the annotation is one of this archive's notes, as its export (at site.yaml's
    base_url, or wherever the site is deployed) names it: the page of an article, `#` an id of its file."""
    if incoming.origin.source != W3C:
        return None
    for own in (index.own_annotation(incoming.origin.id), index.deployed_annotation(incoming.origin.id)):
        if own is not None and own[1] in known.ids_of(own[0]):
            return own
    return None


def _changed_since(incoming: Incoming, here: ImportedNote) -> list[Diagnostic]:
    """A warning for an annotation edited where it was made after the archive's version of it: import
    never rewrites a note of the archive (people edit these files), so the change is the user's to apply."""
    modified = moment(incoming.modified)
    if modified is None or here.last is None or modified.date() <= here.last:
        return []
    at = incoming.location
    tags = f" (tags: {', '.join(incoming.tags)})" if incoming.tags else ""
    shown = " ".join(incoming.note.split())
    shown = shown if len(shown) <= 160 else shown[:157] + "…"
    return [warning(at.path, at.line, at.col,
                    f"changed on {modified.date()} where it was made, after the version imported as `{here.id}` "
                    f"({here.path}:{here.line}, {here.last}); import does not rewrite notes already in the archive",
                    f"its text now: “{shown}”{tags}",
                    f"to apply the change, edit `{here.id}` at {here.path}:{here.line} (note, kind, verdict) and set "
                    f"`updated: {modified.date()}`; or delete that annotation and import again",
                    title="Changed since imported")]


def _select(outcome: Outcome, index: ArticleIndex, known: KnownOrigins, options: Options, config: SiteConfig,
            chosen: str | None) -> dict[str, list[Mapped]]:
    """Each annotation that may be imported, under its article; the others skipped with their reason."""
    by_article: dict[str, list[Mapped]] = {}
    seen: set[tuple[str, str]] = set()
    for incoming in outcome.batch.incoming:
        skip = incoming.skip
        if skip is None and incoming.origin.key in seen:
            skip = Skip("appears more than once in the file")
        seen.add(incoming.origin.key)
        if skip is None and incoming.origin.key in known.imported:
            here = known.imported[incoming.origin.key]
            skip = Skip("imported before", detail=str(here))
            outcome.problems += _changed_since(incoming, here)
        slug: str | Skip = skip or _choose_article(incoming, index, chosen)
        own = _in_archive(incoming, index, known)
        if isinstance(slug, str) and own is not None:
            slug = Skip("already in this archive", detail=f"`{own[1]}` of annotations/{own[0]}.yaml")
        mapped = map_fields(incoming, config, options) if isinstance(slug, str) else slug
        if isinstance(mapped, Skip):
            outcome.skipped.append((incoming, mapped))
        else:
            assert isinstance(slug, str)
            by_article.setdefault(slug, []).append(mapped)
    return by_article


def _prepare(outcome: Outcome, slug: str, article: Article, existing: Existing, mapped: list[Mapped],
             index: ArticleIndex, texts: Callable[[], Sequence[Capture]]
             ) -> tuple[list[Draft], list[Mapped], list[Placed | None]]:
    """`texts`: the article's texts, oldest first and the current one last (() if it has no versions)."""
    taken = set(existing.ids)
    drafts, kept, placements = [], [], []
    for item in mapped:
        incoming = item.incoming
        found = (_placement(incoming, slug, article, index, texts) if incoming.selector is not None
                 else (None, _whole_text_of(incoming, slug, index, texts)))
        if isinstance(found, Skip):
            outcome.skipped.append((incoming, found))
            continue
        placed, version = found
        draft_id = _id_for(item, placed, taken)
        taken.add(draft_id)
        drafts.append(Draft(
            id=draft_id, kind=item.kind, note=incoming.note, by=item.by, added=item.added, origin=incoming.origin,
            quote=placed.quote if placed else None, prefix=placed.prefix if placed else None,
            suffix=placed.suffix if placed else None, verdict=item.verdict, sources=incoming.sources,
            links=incoming.links, updated=item.updated, version=version))
        kept.append(item)
        placements.append(placed)
    return drafts, kept, placements


def _named_text(incoming: Incoming, slug: str, index: ArticleIndex,
                texts: Callable[[], Sequence[Capture]]) -> tuple[str, Capture | None] | None:
    """The earlier text of this article whose page the annotation targets (our export names so the
    text a note stays on): its version id, and the text if this archive holds it; None if none is named."""
    on = index.earlier_text(incoming.uris)
    if on is None or on[0] != slug:
        return None
    return on[1], next((capture for capture in texts()[:-1] if capture.id == on[1]), None)


def _whole_text_of(incoming: Incoming, slug: str, index: ArticleIndex,
                   texts: Callable[[], Sequence[Capture]]) -> str | None:
    """The earlier text a note on a whole text stays on, if this archive holds it; None: the current text."""
    named = _named_text(incoming, slug, index, texts)
    return named[0] if named is not None and named[1] is not None else None


def _placement(incoming: Incoming, slug: str, article: Article, index: ArticleIndex,
               texts: Callable[[], Sequence[Capture]]) -> tuple[Placed, str | None] | Skip:
    """The quote's place, and the earlier text it stays on (None: the current text)."""
    assert incoming.selector is not None
    # a note on the page of one of the article's earlier texts is placed in that text, and pinned to
    # it: never moved to the current text's words
    named = _named_text(incoming, slug, index, texts)
    if named is not None:
        version, capture = named
        if capture is None:
            return Skip("quote not placed", problem=True, detail=f"versions/{slug}/{version}.md cannot be read")
        return _placed_in(capture.text, incoming, slug, index, version, article.title)
    # a note made on the live page before the outlet changed the words stays on the text it was made on,
    # as `check` keeps a hand-written one
    home = written_on(texts(), moment(incoming.created), incoming.selector, slug)
    if home is not None:
        return home[1], home[0].id
    return _placed_in(Text.of(article.body), incoming, slug, index, None, article.title)


def _placed_in(text: Text, incoming: Incoming, slug: str, index: ArticleIndex, version: str | None, title: str
               ) -> tuple[Placed, str | None] | Skip:
    assert incoming.selector is not None
    # our own export's positions count in the page text; anyone else's, in their page's body
    own = incoming.origin.source == W3C and index.own_annotation(incoming.origin.id) is not None
    result = place(text, incoming.selector, slug, reliable_positions=own)
    if isinstance(result, Unplaced) and quotes_headline(incoming.selector, title):
        return Skip("quote not placed", problem=True,
                    detail=f"the quote is the article's headline (the `title` of content/{slug}.md); the archive "
                    "annotates the article's text, not its headline",
                    hints=("to discuss the headline, make it a note on the whole article (a page note in "
                           "Hypothesis, or add it by hand without a `quote`), or quote the words of the text it "
                           "is about",))
    if isinstance(result, Unplaced):
        return Skip("quote not placed", problem=True, detail=result.message, hints=result.hints)
    return result, version


def _texts(target: Target) -> Callable[[], Sequence[Capture]]:
    """The article's texts, read when first asked for (most imports need none)."""
    @functools.cache
    def texts() -> tuple[Capture, ...]:
        if not target.item.version_paths:
            return ()
        found, _ = load_texts(target.plan, target.item, target.article)
        return tuple(Capture(text.id, text.captured.at, Text.of(text.body)) for text in found or ())

    return texts


def run_import(project: Project, file: Path, shown: str, show: Callable[[list[Diagnostic]], None], *,
               article: str | None = None, kind: str | None = None, by: str | None = None, dry_run: bool = False,
               today: dt.date | None = None) -> int:
    """Import `file` (named `shown` in messages) into the archive; the report is printed, and the
    diagnostics through `show`. Returns the exit status."""
    if article is not None and not is_slug(article):
        return _usage(f"--article `{article}` is not an article slug (the name of content/SLUG.md)")
    if by is not None and not is_handle(by):
        return _usage(f"--by `{by}` is not a handle (letters, digits, `.`, `_` and `-`, starting with a letter "
                      "or digit)")
    if not file.is_file():
        return _usage(f"{shown}: no such file")
    config, config_problems = read_config(project)
    if config_problems:
        show(config_problems)
        return EXIT_CONTENT
    # the build's own plan: every slug, and each article's earlier texts, as `check` finds them
    archive = make_plan(project, BuildOptions(), config)
    articles, slugs = _articles(archive), archive.all_slugs
    if article is not None and article not in articles:
        close = difflib.get_close_matches(article, sorted(slugs), n=1)
        hint = f"did you mean `{close[0]}`?" if close else "the slug is the article's file name without .md"
        if article in slugs:
            hint = "the article does not pass `python build.py check`: fix it first"
        show([error(f"content/{article}.md", 0, 0, f"there is no article `{article}` to import into", hint,
                    title="Unknown article")])
        # a slug of no article is the command line's mistake; an article that fails `check`, the content's
        return EXIT_CONTENT if article in slugs else EXIT_USAGE
    batch = read_file(file, shown)
    if not isinstance(batch, Batch):
        show(batch)
        return EXIT_CONTENT
    outcome = Outcome(batch, problems=list(batch.problems))
    index = article_index(articles.values(), config,
                          {slug: [path.stem for path in item.version_paths] for slug, item in archive.articles.items()})
    known = KnownOrigins.scan(project, config)
    options = Options(kind, by, today or dt.date.today())
    planned: list[Planned] = []
    for slug, mapped in _select(outcome, index, known, options, config, article).items():
        existing = _existing(project, slug, config)
        if isinstance(existing, list):
            outcome.problems += existing
            continue
        target = Target(archive, archive.articles[slug], articles[slug])
        before = file_problems(existing, target)
        if before:
            failing = sorted({d.path for d in before})  # the annotation file, or an earlier text of the article
            outcome.problems.append(error(shown, 0, 0, f"{', '.join(failing)} {'does' if len(failing) == 1 else 'do'}"
                                          f" not pass `python build.py check`; the {len(mapped)} annotation"
                                          f"{'s' * (len(mapped) != 1)} of this file on content/{slug}.md "
                                          f"{'was' if len(mapped) == 1 else 'were'} not imported",
                                          "fix it first (`check` lists its problems), then import again",
                                          title="File has problems"))
            continue
        drafts, kept, placements = _prepare(outcome, slug, articles[slug], existing, mapped, index,
                                            _texts(target))
        if not drafts:
            continue
        spans = [(p.start, p.end) if p else None for p in placements]
        result, found = plan(existing, target, drafts, [m.incoming.location for m in kept], spans)
        outcome.refusals += found
        if result is not None:
            planned.append(result)
            outcome.added[existing.rel] = list(zip(drafts, kept, placements, strict=True))
    refused = any(d.is_error for d in outcome.refusals)
    if not refused and not dry_run:
        for result in planned:
            result.write()
        outcome.written = bool(planned)
    diagnostics = report.print_report(outcome, show, dry_run=dry_run, refused=refused)
    return EXIT_CONTENT if any(d.is_error for d in diagnostics) else EXIT_OK

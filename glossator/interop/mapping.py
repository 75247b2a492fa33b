"""What an imported annotation's fields mean here: kind, verdict, author, dates.

- **kind**: a tag equal to a kind (`claim`, `sourcing`, `context`); else what a W3C motivation
  or the note's purpose says (`assessing`, `commenting`, `linking`/`describing`, as our
  export writes them); else `--kind`; else `context`, the kind that asks nothing more of a note.
  A verdict makes a claim of a note whose kind only came from `--kind` or the default.
- **verdict**: a tag equal to a verdict of site.yaml's scale (its id, or its label: our
  export tags a claim with the label), or a W3C `classifying` body naming one.
- **by**: `acct:alice@hypothes.is` → `alice`; a W3C creator's nickname, account or IRI (its
  last segment); `--by` where the file names nobody the schema accepts as a handle.
- **added**/**updated**: the day of `created`, and of `updated`/`modified` when later.

A note that contradicts itself (two kinds, two verdicts, a verdict on a sourcing note) or
cannot be valid (a claim with no verdict, nobody to credit) is not guessed at: it is skipped
as a problem, with what to change.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from .engine import KINDS, SiteConfig, validator
from .records import Incoming, Skip

DEFAULT_KIND = "context"


@dataclass(frozen=True)
class Mapped:
    """An annotation's fields as the archive has them, but its id and its place in the text."""

    incoming: Incoming
    kind: str
    kind_from: str  # why this kind: "tag `claim`", "motivation `assessing`", "--kind", "the default"
    verdict: str | None
    by: tuple[str, ...]
    added: dt.date
    updated: dt.date | None
    dropped_tags: tuple[str, ...]  # tags that are neither a kind nor a verdict: the format has no place for them
    dated_today: bool = False  # no creation date in the file


@dataclass(frozen=True)
class Options:
    kind: str | None
    by: str | None
    today: dt.date


@cache
def _handle_pattern() -> re.Pattern[str]:
    """The schema's own rule for a handle (one truth: schemas/annotations.schema.json)."""
    handle = validator("annotations.schema.json").schema["$defs"]["handle"]
    return re.compile(handle["pattern"])


def is_handle(text: str) -> bool:
    return len(text) <= 64 and _handle_pattern().search(text) is not None


def handle_of(creator: str) -> str | None:
    """A handle for a creator as a file names it; None if none can be had."""
    text = creator.strip()
    if text.startswith("acct:"):
        text = text[5:].split("@", 1)[0]
    elif re.match(r"https?://", text):
        path = urlsplit(text).path.rstrip("/")
        text = path.rsplit("/", 1)[-1] if path else ""
    return text if text and is_handle(text) else None


def _day(value: str | None) -> dt.date | None:
    if not value:
        return None
    text = value.strip()
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            return None


def _tag_key(tag: str) -> str:
    return re.sub(r"[\s_]+", "-", tag.strip().lower())


def _verdicts(config: SiteConfig) -> dict[str, str]:
    """Tag key → verdict id, for each verdict's id and label."""
    table = {}
    for verdict in config.verdicts:
        table[_tag_key(verdict.label)] = verdict.id
    for verdict in config.verdicts:
        table[_tag_key(verdict.id)] = verdict.id  # an id wins over another verdict's label
    return table


def _problem(reason: str, detail: str, *hints: str) -> Skip:
    return Skip(reason, problem=True, detail=detail, hints=hints)


def map_fields(incoming: Incoming, config: SiteConfig, options: Options) -> Mapped | Skip:
    verdict_table = _verdicts(config)
    kinds = [k for k in dict.fromkeys(_tag_key(t) for t in incoming.tags) if k in KINDS]
    verdicts = list(dict.fromkeys(verdict_table[_tag_key(t)] for t in incoming.tags if _tag_key(t) in verdict_table))
    dropped = tuple(t for t in incoming.tags if _tag_key(t) not in KINDS and _tag_key(t) not in verdict_table)
    if incoming.verdict_hint and _tag_key(incoming.verdict_hint) in verdict_table:
        named = verdict_table[_tag_key(incoming.verdict_hint)]
        verdicts = [named, *(v for v in verdicts if v != named)]
    scale = ", ".join(config.verdict_ids)
    if len(kinds) > 1:
        return _problem("tags name more than one kind", f"tags: {', '.join(incoming.tags)}",
                        "keep one of claim, sourcing, context in its tags")
    if len(verdicts) > 1:
        return _problem("tags name more than one verdict", f"verdicts: {', '.join(verdicts)}",
                        "keep one verdict in its tags")
    verdict = verdicts[0] if verdicts else None
    if kinds:
        kind, kind_from = kinds[0], f"tag `{kinds[0]}`"
    elif incoming.kind_hint:
        kind, kind_from = incoming.kind_hint, incoming.kind_hint_from
    elif verdict:
        kind, kind_from = "claim", f"verdict `{verdict}`"
    elif options.kind:
        kind, kind_from = options.kind, "--kind"
    else:
        kind, kind_from = DEFAULT_KIND, "the default"
    if verdict and kind != "claim":
        if kind_from in ("--kind", "the default"):
            kind, kind_from = "claim", f"verdict `{verdict}`"
        else:
            return _problem(f"a verdict on a {kind} note", f"the {kind_from} makes it {kind}; verdict `{verdict}`",
                            "only claims take a verdict: tag it `claim`, or remove the verdict tag")
    if kind == "claim" and verdict is None:
        other = "pass another --kind" if kind_from == "--kind" else f"change what makes it a claim ({kind_from})"
        return _problem("a claim with no verdict", f"its kind comes from {kind_from}",
                        f"tag it with one verdict of the scale ({scale}), or {other}")
    handles = tuple(dict.fromkeys(h for h in (handle_of(c) for c in incoming.creators) if h))
    if not handles:
        if options.by is None:
            named = ", ".join(incoming.creators) or "nobody"
            return _problem("no author the archive can name", f"the file names {named}",
                            "pass --by HANDLE to credit them (a handle: letters, digits, `.`, `_`, `-`)")
        handles = (options.by,)
    added = _day(incoming.created)
    updated = _day(incoming.modified)
    return Mapped(
        incoming=incoming,
        kind=kind,
        kind_from=kind_from,
        verdict=verdict if kind == "claim" else None,
        by=handles,
        added=added or options.today,
        updated=updated if updated and added and updated > added else None,
        dropped_tags=dropped,
        dated_today=added is None,
    )

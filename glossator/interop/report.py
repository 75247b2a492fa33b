"""What an import did, for the person who ran it.

On stdout: what the file was, what was added where, every quote adjusted to our text (before
→ after, how similar, which words differ), what was left out and why (counted by reason,
the pages we do not hold listed). Problems that need the user (a quote that could not be
placed, a claim with no verdict, an annotation that would not pass `check`) are diagnostics,
`FILE:line:col: error: …` at the annotation in the imported file, as `check` prints them.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

from .engine import KIND_LABELS, Diagnostic, error
from .records import HYPOTHESIS, Incoming, Skip

if TYPE_CHECKING:
    from .command import Outcome

SHOWN_PAGES = 20  # pages we do not hold, listed before "… and N more"


def _origin(incoming: Incoming) -> str:
    """Where the annotation is in the imported file (and its Hypothesis id, which its site shows)."""
    at = incoming.location
    where = f"{at.path}:{at.line}" if at.line else at.path
    return f"{where} ({incoming.origin.id})" if incoming.origin.source == HYPOTHESIS else where


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def _added(outcome: Outcome, dry_run: bool) -> list[str]:
    lines = []
    verb = "would add" if dry_run or not outcome.written else "added"
    for rel, items in outcome.added.items():
        lines.append(f"{verb} {_plural(len(items), 'annotation')} to {rel}:")
        width = max(len(draft.id) for draft, _, _ in items)
        for draft, mapped, placed in items:
            what = KIND_LABELS[draft.kind].lower() + (f", {draft.verdict}" if draft.verdict else "")
            where = "" if placed else " (on the whole article)"
            if draft.version is not None:  # made before the outlet changed these words: kept on its text
                where += f" (on the earlier text {draft.version}, pinned with `version:`)"
            lines.append(f"  {draft.id:<{width}}  {what}{where}  ← {_origin(mapped.incoming)}")
    return lines


def _adjusted(outcome: Outcome) -> list[str]:
    entries = [(draft, placed) for items in outcome.added.values() for draft, _, placed in items
               if placed is not None and placed.adjusted]
    if not entries:
        return []
    lines = [f"{_plural(len(entries), 'quote')} adjusted to the archived text:"]
    for draft, placed in entries:
        lines += [f"  {draft.id}: {placed.similarity}% similar",
                  f"      before: “{placed.given}”",
                  f"      after:  “{placed.quote}”"]
        lines += [f"      {difference}" for difference in placed.differences]
    return lines


def _remarks(outcome: Outcome) -> list[str]:
    mapped = [m for items in outcome.added.values() for _, m, _ in items]
    lines = []
    defaulted = [m for m in mapped if m.kind_from == "the default"]
    if defaulted:
        lines.append(f"{_plural(len(defaulted), 'annotation')} had nothing to say which kind: imported as "
                     f"{defaulted[0].kind} (tag them claim, sourcing or context, or pass --kind)")
    dropped = Counter(tag for m in mapped for tag in m.dropped_tags)
    if dropped:
        tags = ", ".join(f"{tag} ({count})" for tag, count in dropped.most_common())
        lines.append(f"tags that are neither a kind nor a verdict were left out: {tags}")
    undated = sum(m.dated_today for m in mapped)
    if undated:
        lines.append(f"{_plural(undated, 'annotation')} had no creation date: `added` is today")
    private = sum(m.incoming.private for m in mapped)
    if private:
        lines.append(f"{_plural(private, 'annotation')} {'was' if private == 1 else 'were'} private or a group's "
                     "annotation where it was made; the built archive shows it to everyone")
    return lines


def _skipped(skipped: list[tuple[Incoming, Skip]]) -> list[str]:
    quiet = [(incoming, skip) for incoming, skip in skipped if not skip.problem]
    if not quiet:
        return []
    lines = [f"skipped {_plural(len(quiet), 'annotation')}:"]
    reasons = Counter(skip.reason for _, skip in quiet)
    for reason, count in reasons.most_common():
        details = Counter(skip.detail for _, skip in quiet if skip.reason == reason and skip.detail)
        lines.append(f"  {count} × {reason}")
        if reason in ("on a page this archive does not hold", "about another article than --article",
                      "imported before", "already in this archive"):
            for detail, times in details.most_common(SHOWN_PAGES):
                lines.append(f"      {detail}" + (f" ({times})" if times > 1 else ""))
            if len(details) > SHOWN_PAGES:
                lines.append(f"      … and {len(details) - SHOWN_PAGES} more")
    return lines


def _problem(incoming: Incoming, skip: Skip) -> Diagnostic:
    at = incoming.location
    message = f"not imported: {skip.reason}" + (f": {skip.detail}" if skip.detail else "")
    quote = f"the quote: “{' '.join(incoming.selector.exact.split())}”" if incoming.selector else ""
    return error(at.path, at.line, at.col, message, quote, *skip.hints, title="Not imported")


def print_report(outcome: Outcome, show: Callable[[list[Diagnostic]], None], *, dry_run: bool,
                 refused: bool) -> list[Diagnostic]:
    """Print the report and the diagnostics (through `show`); returns the diagnostics."""
    batch = outcome.batch
    sections = [[f"{batch.format}: {_plural(len(batch.incoming), 'annotation')}", *batch.notes],
                _added(outcome, dry_run), _adjusted(outcome), _remarks(outcome), _skipped(outcome.skipped)]
    # the report first, then the problems (on stderr), then the outcome: flushed in that order
    print("\n\n".join("\n".join(section) for section in sections if section), flush=True)
    diagnostics = [*outcome.problems, *outcome.refusals,
                   *(_problem(incoming, skip) for incoming, skip in outcome.skipped if skip.problem)]
    diagnostics.sort(key=lambda d: (d.path, d.line, d.col))
    if diagnostics:
        print(flush=True)
    show(diagnostics)
    sys.stderr.flush()
    imported = sum(len(items) for items in outcome.added.values())
    not_imported = sum(skip.problem for _, skip in outcome.skipped)
    if refused:
        errors = sum(d.is_error for d in outcome.refusals)
        print(f"nothing was written: {_plural(errors, 'problem')} above would fail `python build.py check`")
    elif dry_run:
        print(f"dry run: {_plural(imported, 'annotation')} would be imported; nothing was written")
    else:
        files = _plural(len(outcome.added), "file")
        tail = f"; {not_imported} could not be imported (the errors above)" if not_imported else ""
        if imported or not_imported:
            print(f"imported {_plural(imported, 'annotation')} into {files}{tail}")
        else:
            print("nothing new to import")
        if imported:
            print("next: review the notes, then run `python build.py check` and `python build.py serve`")
    return diagnostics

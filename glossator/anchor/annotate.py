"""One article and its annotations → page text, anchors and highlighted body HTML.

This is the per-article unit of work (parallel builds run it in workers): Markdown
is parsed once, every quote is anchored against the page text, and highlights are
inserted into the same token stream that is rendered.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from types import MappingProxyType

from markdown_it.token import Token

from ..diagnostics import Diagnostic, error, yaml_quoted
from ..model import CLOSE_ENOUGH, KIND_LABELS, Anchor, AnnotatedArticle, Annotation, Article, SiteConfig
from .fold import FoldedText, fold_text
from .highlight import Highlight, apply_highlights
from .locate import (
    Ambiguous,
    AnchorResult,
    NoMatchWithContext,
    NotFound,
    Occurrence,
    anchor_quote,
)
from .markdown import parse, render_note, render_tokens
from .textmap import PageText, page_text

# Quote problems per article explained in full (closest passage, a prefix for each place). Each
# explanation searches the whole article, a tenth of a second in a long one: an annotation file
# with thousands of bad quotes must not hold `check` (and a pull request's CI) for minutes.
HINTED_PROBLEMS = 20
NOT_EXPLAINED = (f"(the closest passage and the places are shown for the first {HINTED_PROBLEMS} quote "
                 "problems of an article: fix those, then check again)")


def quote_diagnostic(annotation: Annotation, article: Article, result: AnchorResult) -> Diagnostic:
    """Why a quote has no place in the article (or in the version of it that `article` is)."""
    pos = annotation.position_of("quote")
    where = article.path
    if isinstance(result, NotFound):
        hints = [] if result.explained else [NOT_EXPLAINED]
        if result.closest and result.similarity >= CLOSE_ENOUGH:
            hints.append(f"the closest passage ({result.similarity}% similar) is:\n“{result.closest}”")
            hints.extend(result.differences)
        elif result.closest:
            hints.append(f"nothing in {where} comes close (the best match is {result.similarity}% similar): "
                         "is this quote from this article?")
        hints.append("copy the words exactly from the article; curly and straight quotes, dashes and "
                     "line breaks do not matter, but spelling and case do")
        return error(pos.path, pos.line, pos.col, f"quote not found in {where}", *hints, title="Quote not found")

    def places(occurrences: tuple[Occurrence, ...]) -> list[str]:
        hints = []
        for n, occ in enumerate(occurrences, 1):
            if not occ.searched:
                pick = ""
            elif occ.prefix:
                pick = f"\n→ `prefix: {yaml_quoted(occ.prefix)}` would choose it"
            elif occ.suffix:
                pick = f"\n→ `suffix: {yaml_quoted(occ.suffix)}` would choose it"
            else:
                pick = "\n→ no short prefix or suffix picks this one out: quote more of its words"
            hints.append(f"occurrence {n}: {occ.context}{pick}")
        return hints

    if isinstance(result, Ambiguous):
        hints = places(result.occurrences)
        if result.total > len(result.occurrences):
            hints.append(f"… and {result.total - len(result.occurrences)} more; a longer quote is better")
        if result.occurrences and not result.occurrences[0].searched:
            hints += ["add a `prefix:` (the words just before the place you mean) or a `suffix:`, or quote "
                      "more words", NOT_EXPLAINED]
        else:
            hints.append("add the `prefix:` (or `suffix:`) shown under the place you mean, or quote more words")
        return error(pos.path, pos.line, pos.col,
                     f"quote occurs {result.total} times in {where}; it must select exactly one place",
                     *hints, title="Ambiguous quote")
    assert isinstance(result, NoMatchWithContext)
    context_pos = annotation.position_of("prefix") if annotation.prefix else annotation.position_of("suffix")
    if result.count == 1:
        return error(context_pos.path, context_pos.line, context_pos.col,
                     f"the quote occurs once in {where}, but not with this prefix/suffix around it",
                     f"it occurs here: {result.occurrences[0].context}",
                     "a quote that occurs once needs no `prefix` or `suffix`: remove them",
                     title="Prefix or suffix does not match")
    return error(context_pos.path, context_pos.line, context_pos.col,
                 f"the quote occurs {result.count} times in {where}, but never with this prefix/suffix around it",
                 *places(result.occurrences), "prefix and suffix must be the words right before and after the quote",
                 *([] if result.occurrences[0].searched else [NOT_EXPLAINED]),
                 title="Prefix or suffix does not match")


def parse_text(body: str, tokens: list[Token] | None = None) -> tuple[list[Token], PageText, FoldedText]:
    """A body's tokens (parsed here, unless given), its page text, and that text folded for matching."""
    tokens = parse(body) if tokens is None else tokens
    text = page_text(tokens)
    return tokens, text, fold_text(text.text)


def highlight_label(number: int, annotation: Annotation, config: SiteConfig) -> str:
    label = f"Note {number}: {KIND_LABELS[annotation.kind].lower()}"
    if annotation.verdict:
        verdict = config.verdict(annotation.verdict)
        label += f", {verdict.label.lower() if verdict else annotation.verdict}"
    return label


_ROOT_RELATIVE = re.compile(r'( (?:href|src)=")/(?!/)')


def rebased(html: str, base_path: str) -> str:
    """A site served under a sub-path (base_url https://example.org/archive/): links written from the
    site's root in Markdown (`/articles/x/`) lead into it, as they do on a site at the host's root."""
    if base_path == "/" or '="/' not in html:
        return html
    return _ROOT_RELATIVE.sub(lambda match: match.group(1) + base_path, html)


def annotate_article(
    article: Article, annotations: Sequence[Annotation], config: SiteConfig, *, render: bool = True,
    parsed: tuple[list[Token], PageText, FoldedText] | None = None,
) -> tuple[AnnotatedArticle | None, list[Diagnostic]]:
    """Anchor every quote; with `render`, the body's HTML with the highlights (`check` needs only
    the anchoring, which finds every problem: a third of this stage's cost is the HTML).
    `parsed`: the body's tokens, page text and folded text, when the caller has them already."""
    tokens, text, folded = parsed or parse_text(article.body)
    diagnostics: list[Diagnostic] = []
    anchors: dict[str, Anchor] = {}
    for annotation in annotations:
        if annotation.quote is None:
            continue
        result = anchor_quote(annotation.id, folded, text.text, annotation.quote, annotation.prefix,
                              annotation.suffix, explain=len(diagnostics) < HINTED_PROBLEMS)
        if isinstance(result, Anchor):
            anchors[annotation.id] = result
        else:
            diagnostics.append(quote_diagnostic(annotation, article, result))
    if diagnostics:
        return None, diagnostics
    anchored = sorted((a for a in annotations if a.id in anchors),
                      key=lambda a: (anchors[a.id].start, -anchors[a.id].end, a.id))
    whole = [a for a in annotations if a.quote is None]
    numbers = {a.id: n for n, a in enumerate(anchored, 1)}
    highlights = [
        Highlight(
            a.id,
            anchors[a.id].start,
            anchors[a.id].end,
            f"k-{a.kind}" + (f" v-{a.verdict}" if a.verdict else ""),
            numbers[a.id],
            highlight_label(numbers[a.id], a, config),
        )
        for a in anchored
    ]
    body_html = rebased(render_tokens(apply_highlights(tokens, text, highlights)), config.base_path) if render else ""
    return AnnotatedArticle(
        article=article,
        annotations=(*anchored, *whole),
        page_text=text.text,
        body_html=body_html,
        anchors=MappingProxyType(anchors),
        numbers=MappingProxyType(numbers),
        note_html=MappingProxyType({a.id: rebased(render_note(a.note), config.base_path) for a in annotations}
                                   if render else {}),
    ), []

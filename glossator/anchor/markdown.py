"""The one MarkdownIt configuration: CommonMark + tables + strikethrough, raw HTML off,
only http(s) and relative links, contributed links marked nofollow/ugc."""

from __future__ import annotations

import importlib
import logging
import pkgutil
import re
from collections.abc import Callable, Sequence
from functools import cache, lru_cache
from typing import Any

import markdown_it.rules_block
from markdown_it import MarkdownIt, rules_inline
from markdown_it.common.normalize_url import normalizeLink
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin

EXTERNAL_REL = "nofollow ugc noopener"
_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_INVISIBLE_RE = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
_PATH_START_RE = re.compile(r"[/?#]")


def link_is_safe(url: str) -> bool:
    """http(s) or a relative link; decided after the normalisations browsers apply."""
    squeezed = _INVISIBLE_RE.sub("", url)
    match = _SCHEME_RE.match(squeezed)
    if match is None:
        # `&#106;avascript:` reaches us decoded; anything with a colon before the first
        # slash would be a scheme to some browser, so refuse it too
        head = _PATH_START_RE.split(squeezed, maxsplit=1)[0]
        return ":" not in head
    return match.group(1).lower() in ("http", "https")


def is_external(url: str) -> bool:
    return _SCHEME_RE.match(url.strip()) is not None or url.strip().startswith("//")


def _harden_links(state: StateCore) -> None:
    """External links get rel=nofollow ugc noopener; images from other hosts become links,
    since pages load nothing from other hosts."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        for token in block.children:
            if token.type == "link_open":
                href = str(token.attrGet("href") or "")
                if is_external(href):
                    token.attrSet("rel", EXTERNAL_REL)
            if token.type == "image" and is_external(str(token.attrGet("src") or "")):
                opening = Token("link_open", "a", 1)
                opening.attrSet("href", str(token.attrGet("src")))
                opening.attrSet("rel", EXTERNAL_REL)
                closing = Token("link_close", "a", -1)
                children.append(opening)
                children.extend(token.children or [])
                children.append(closing)
                continue
            children.append(token)
        block.children = children


def _aside_tags(state: StateCore) -> None:
    for token in state.tokens:
        if token.type in ("container_aside_open", "container_aside_close"):
            token.tag = "aside"


# What XML (the feeds, the exports) and HTML forbid (as load/yamlio.FORBIDDEN_CHAR refuses raw in files)
_FORBIDDEN_CHAR = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _forbidden_characters(state: StateCore) -> None:
    """A character reference such as `&#12;` is decoded to the control character, which makes a feed
    holding it invalid XML, rejected whole by feed readers: U+FFFD instead, as markdown-it does for
    `&#0;`. (Files holding one raw are refused when read; a reference is the only way in.)"""
    if "&#" not in state.src:
        return
    for block in state.tokens:
        for token in block.children or ():
            if _FORBIDDEN_CHAR.search(token.content):
                token.content = _FORBIDDEN_CHAR.sub("\ufffd", token.content)
            for name, value in (token.attrs or {}).items():
                if isinstance(value, str) and _FORBIDDEN_CHAR.search(value):
                    token.attrs[name] = _FORBIDDEN_CHAR.sub("\ufffd", value)


def _normalize(state: StateCore) -> None:
    """markdown-it's own first rule (line ends to "\\n", NUL to U+FFFD), the same text: its regex
    substituted every line end with itself (~1% of an article's time); most texts have nothing to do."""
    text = state.src
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\0" in text:
        text = text.replace("\0", "\ufffd")
    state.src = text


# A link's address as markdown-it's normalizeLink leaves it unchanged (tests/test_markdown.py holds
# the two to each other): an http(s) address or a relative one, of letters, digits and the marks
# that need no percent-encoding, without `%`, `@`, a port, or a host name part over 63 characters.
_PLAIN_LINK = re.compile(r"(?:https?://(?=[A-Za-z0-9.-]{1,253}(?:[/?#]|$))(?:[A-Za-z0-9-]{1,63}\.)*[A-Za-z0-9-]{1,63})?"
                         r"[A-Za-z0-9\-._~/?#=&;+,]*")


def normalize_link(url: str) -> str:
    """markdown-it's normalizeLink, without parsing and formatting again an address that it would
    give back as it is: most links are such (normalizeLink took ~14 µs a link, 1.4% of an article's
    instructions in the bench corpus)."""
    if _PLAIN_LINK.fullmatch(url):
        return url
    return normalizeLink(url)


# markdown-it's inline post-processing rules that pair delimiters, and the marks that make them
DELIMITER_RULES: tuple[tuple[str, str, Callable[[StateInline], None]], ...] = (
    ("balance_pairs", "*_~", rules_inline.link_pairs),
    ("strikethrough", "~", rules_inline.strikethrough.postProcess),
    ("emphasis", "*_", rules_inline.emphasis.postProcess),
)


def _only_with(marks: str, rule: Callable[[StateInline], None]) -> Callable[[StateInline], None]:
    """An inline post-processing rule run only for a text holding one of `marks`. The rules that pair
    delimiters (balance_pairs, strikethrough, emphasis) have none to pair in a text without `*`, `_` or
    `~` (only the emphasis and strikethrough rules make delimiters), but they walk its tokens all the
    same (0.3% of an article's instructions in the bench corpus, where half the paragraphs hold one)."""

    def guarded(state: StateInline) -> None:
        src = state.src
        for mark in marks:
            if mark in src:
                rule(state)
                return

    return guarded


class _NoDebug:
    """A logger whose debug() does nothing, in C: it takes any arguments and returns ""."""

    debug = staticmethod("".format)


def _quiet_block_rules() -> None:
    """markdown-it's block rules each log a debug line as they start (~170 calls an article, two Python
    calls each to find debug logging off: 1.5% of a page's instructions). While debug logging is off
    for markdown_it when this module loads, they log to _NoDebug instead."""
    if logging.getLogger("markdown_it").isEnabledFor(logging.DEBUG):
        return
    for info in pkgutil.iter_modules(markdown_it.rules_block.__path__, "markdown_it.rules_block."):
        module = importlib.import_module(info.name)
        if isinstance(getattr(module, "LOGGER", None), logging.Logger):
            module.LOGGER = _NoDebug  # type: ignore[attr-defined]


_quiet_block_rules()


@cache
def markdown(shared_inlines: bool = False) -> MarkdownIt:
    # html=False: contributed Markdown may not carry markup; typographer off: the page
    # shows the author's characters as written (exported selectors depend on it)
    md = MarkdownIt("commonmark", {"html": False, "typographer": False, "linkify": False})
    md.core.ruler.at("normalize", _normalize)
    if shared_inlines:
        md.core.ruler.at("inline", _inline_once)
    md.enable(["table", "strikethrough"])
    # `::: aside` … `:::` marks a passage that is not part of the story's text flow,
    # such as a "READ MORE" teaser; it renders as <aside>
    md.use(container_plugin, name="aside")
    for name, marks, rule in DELIMITER_RULES:
        md.inline.ruler2.at(name, _only_with(marks, rule))
    md.core.ruler.push("glossator_aside", _aside_tags)
    md.validateLink = link_is_safe  # type: ignore[method-assign]
    md.normalizeLink = normalize_link  # type: ignore[method-assign]
    md.core.ruler.push("glossator_links", _harden_links)
    md.core.ruler.push("glossator_forbidden_characters", _forbidden_characters)
    # highlight.py writes marked-up text runs as ready HTML (already escaped there)
    md.add_render_rule("glossator_html", lambda self, tokens, idx, options, env: tokens[idx].content)
    return md


def parse(text: str) -> list[Token]:
    return markdown().parse(text)


_SEEN = "glossator_inlines"  # the env key of parse_texts' finished inline runs


def _references(env: dict[str, Any]) -> str:
    return repr(sorted(env.get("references", {}).items()))


def _inline_once(state: StateCore) -> None:
    """markdown-it's inline rule, but for a run of text already parsed in an earlier text: its
    finished tokens are taken as they are. (The rules after this one leave finished tokens as they
    are: text_join finds no text to join, _harden_links sets what is set already.)"""
    seen: dict[tuple[str, str], list[Token]] = state.env[_SEEN]
    references = _references(state.env)
    for token in state.tokens:
        if token.type == "inline":
            known = seen.get((token.content, references))
            if known is not None:
                token.children = list(known)
            else:
                token.children = token.children or []
                state.md.inline.parse(token.content, state.md, state.env, token.children)


def parse_texts(texts: Sequence[str]) -> list[list[Token]]:
    """Several texts of one article, each parsed as `parse` parses it; a paragraph (a run of inline
    text) that an earlier one of them has, with the same link references, is not parsed again. The
    texts of an article share most of their paragraphs: half their parsing is saved. Tokens are
    shared between the texts, so none may be changed (highlight.py makes new ones)."""
    md = markdown(shared_inlines=True)
    seen: dict[tuple[str, str], list[Token]] = {}
    parsed = []
    for text in texts:
        env: dict[str, Any] = {_SEEN: seen}
        tokens = md.parse(text, env)
        references = _references(env)
        for token in tokens:
            if token.type == "inline" and token.children is not None:
                seen.setdefault((token.content, references), token.children)
        parsed.append(tokens)
    return parsed


def render_tokens(tokens: list[Token]) -> str:
    md = markdown()
    return md.renderer.render(tokens, md.options, {})


# One line of text that starts with a letter and holds no character Markdown gives a meaning
# to inside a line: markdown-it can only make it one paragraph of the same text, escaped
# (tests/test_markdown.py checks this against markdown-it). Most notes are such prose, and
# skipping the parser for them saves a tenth of the build.
_PROSE = re.compile(r"[^\W\d_][^\\`*_\[\]<>&~|\n\r\t\x00]*")


@lru_cache(maxsize=256)  # a note is rendered for its page and again for the exports
def render_note(text: str) -> str:
    """A note's Markdown as HTML: same safety rules as articles."""
    if _PROSE.fullmatch(text) and not text[-1].isspace():
        return "<p>" + text.replace('"', "&quot;") + "</p>\n"
    return markdown().render(text)

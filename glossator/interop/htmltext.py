"""An HTML note body (a W3C `TextualBody` in `text/html`, when no Markdown or plain text comes
with it) → Markdown text: the words and paragraphs, links kept as Markdown links.

Our notes are Markdown with raw HTML off, so markup copied as it is would show as tags.
Links keep their address whatever it is: the note then goes through the same rules as a
hand-written one (an unsafe scheme renders as text, never as a link).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = frozenset({"p", "div", "blockquote", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table",
                     "tr", "section", "article"})
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#])")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[tuple[str, int]] = []  # open links: address, where their text starts
        self.skipping = 0  # inside <script> or <style>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skipping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n\n")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self.links.append((href, len(self.parts)))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")
        elif tag == "a" and self.links:
            href, at = self.links.pop()
            label = "".join(self.parts[at:]).strip()
            if href and label:
                del self.parts[at:]
                self.parts.append(f"[{label}](<{href.replace('>', '%3E')}>)")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(_MARKDOWN_SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", data)))


def html_to_markdown(html: str) -> str:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    text = "".join(collector.parts)
    paragraphs = [" ".join(line.split()) if "\n" not in line.strip() else
                  "\n".join(" ".join(part.split()) for part in line.strip().split("\n"))
                  for line in re.split(r"\n\s*\n", text)]
    return "\n\n".join(p for p in paragraphs if p)

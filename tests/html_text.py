"""What a browser's textContent gives for rendered HTML, read with the standard HTML parser
(character references decoded): the whole text, the page text (the text of the element
`<div id="page-text">`), and the words each annotation's `<mark>`s hold."""

from __future__ import annotations

from html.parser import HTMLParser

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})


class HtmlText(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []  # every text node, in order
        self.page: list[str] = []  # those inside #page-text
        self.marked: list[str] = []  # those inside at least one <mark>
        self.marks: dict[str, str] = {}  # annotation id → the text of its marks
        self._page_depth = 0
        self._open_marks: list[str | None] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._page_depth:
            if tag not in VOID:
                self._page_depth += 1
        elif tag == "div" and ("id", "page-text") in attrs:
            self._page_depth = 1
        if tag == "mark":
            self._open_marks.append(dict(attrs).get("data-ann"))

    def handle_endtag(self, tag: str) -> None:
        if self._page_depth and tag not in VOID:
            self._page_depth -= 1
        if tag == "mark" and self._open_marks:
            self._open_marks.pop()

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        if self._page_depth:
            self.page.append(data)
        if self._open_marks:
            self.marked.append(data)
        for ann in self._open_marks:
            if ann:
                self.marks[ann] = self.marks.get(ann, "") + data


def text_content(html: str) -> str:
    return "".join(HtmlText(html).parts)


def page_text_of(html: str) -> str:
    return "".join(HtmlText(html).page)


def mark_texts(html: str) -> dict[str, str]:
    """Concatenated text of each annotation's marks."""
    return HtmlText(html).marks

"""The built site of the hostile archive read as files: HTML, JSON-LD, feeds and Pagefind
fragments audited for every way they could run or load something, and the places a planted
vector must show once its escaping is undone."""

from __future__ import annotations

import gzip
import html.parser
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from glossator.render.jinja import CONTENT_SECURITY_POLICY
from tests.browser.hostile.vectors import MARKDOWN_VECTORS, TEXT_VECTORS, URL_VECTORS, Catalogue

# Everything the templates and the Markdown renderer may emit; an injected element is anything else.
ALLOWED_TAGS = frozenset((
    "html", "head", "meta", "title", "link", "script", "body", "a", "header", "nav", "ul", "ol", "li", "form",
    "label", "input", "button", "main", "footer", "p", "h1", "h2", "h3", "h4", "h5", "h6", "article", "section",
    "div", "span", "time", "blockquote", "mark", "code", "pre", "em", "strong", "del", "s", "table", "thead",
    "tbody", "tr", "th", "td", "hr", "br", "img", "aside", "details", "summary", "dl", "dt", "dd", "kbd",
    "noscript", "fieldset", "legend", "sup", "small", "abbr",
    "ins", "q",  # the changes page (issue 22): inserted words, the words of a note left on an earlier text
))
URL_ATTRIBUTES = frozenset(("href", "src", "action", "formaction", "cite", "poster", "data", "background", "srcset",
                            "xlink:href", "ping", "manifest", "longdesc"))
SCHEME_RE = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")


def url_is_safe(value: str) -> bool:
    """As a browser reads a URL: leading C0 controls and spaces dropped, tabs and newlines removed
    anywhere; then any scheme must be http(s), and a relative URL may have no colon before its path."""
    squeezed = re.sub(r"[\t\n\r]", "", value).lstrip("".join(map(chr, range(0x21))))
    match = SCHEME_RE.match(squeezed)
    if match:
        return match.group(1).lower() in ("http", "https")
    return ":" not in re.split(r"[/?#]", squeezed, maxsplit=1)[0]


class Auditor(html.parser.HTMLParser):
    """Collects, for one HTML document or fragment, every way it could run or load something."""

    def __init__(self, name: str, base_path: str = "/") -> None:
        super().__init__(convert_charrefs=True)
        self.name = name
        self.base_path = base_path
        self.problems: list[str] = []
        self.script: tuple[str, str] | None = None  # (type, text so far) inside <script>
        self.json_ld: list[object] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        where = f"{self.name}: <{tag}>"
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"{where} is not an element the site emits")
        # base.html's empty favicon, which spares every page a request for /favicon.ico
        empty_icon = tag == "link" and values == {"rel": "icon", "href": "data:,"}
        for key, value in values.items():
            if key.startswith("on") or key in ("style", "srcdoc", "autofocus", "formaction"):
                self.problems.append(f"{where} has the attribute {key}={value!r}")
            if key in URL_ATTRIBUTES and not url_is_safe(value) and not empty_icon:
                self.problems.append(f"{where} has the unsafe URL {key}={value!r}")
        if tag == "meta" and "http-equiv" in values and (
                values["http-equiv"].lower() != "content-security-policy"
                or values.get("content") != CONTENT_SECURITY_POLICY):
            self.problems.append(f"{where} http-equiv={values['http-equiv']!r} content={values.get('content')!r}")
        if tag == "link" and values.get("rel") not in ("stylesheet", "alternate", "canonical") and not empty_icon:
            self.problems.append(f"{where} rel={values.get('rel')!r}")
        if tag == "form" and values.get("action", "").rstrip("/") != self.base_path + "search":
            self.problems.append(f"{where} action={values.get('action')!r}")
        if tag == "script":
            if "src" in values:
                if not values["src"].startswith(self.base_path + "static/") or len(values) > 2:
                    self.problems.append(f"{where} loads {values['src']!r} with {sorted(values)}")
                self.script = ("src", "")
            elif values.get("type") == "application/ld+json" and len(values) == 1:
                self.script = ("json", "")
            else:
                self.problems.append(f"{where} is an inline script {values}")
                self.script = ("inline", "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self.script is not None:
            self.script = (self.script[0], self.script[1] + data)

    def handle_endtag(self, tag: str) -> None:
        if tag != "script" or self.script is None:
            return
        kind, text = self.script
        self.script = None
        if kind == "src" and text.strip():
            self.problems.append(f"{self.name}: a <script src> with a body: {text[:80]!r}")
        if kind == "json":
            # |tojson escapes < > & ' as \\u00XX: no string can end the script or open a comment,
            # and U+2028/2029 (line ends to old JavaScript parsers) never stand raw
            for bad in ("<", ">", "&", "\u2028", "\u2029"):
                if bad in text:
                    self.problems.append(f"{self.name}: JSON-LD holds a raw {bad!r}")
            try:
                self.json_ld.append(json.loads(text))
            except ValueError as exc:
                self.problems.append(f"{self.name}: JSON-LD does not parse: {exc}")

    def handle_comment(self, data: str) -> None:
        self.problems.append(f"{self.name}: an HTML comment {data[:60]!r}")

    def handle_decl(self, decl: str) -> None:
        if decl.lower() != "doctype html":
            self.problems.append(f"{self.name}: declaration {decl!r}")

    def unknown_decl(self, data: str) -> None:
        self.problems.append(f"{self.name}: declaration {data[:60]!r}")

    def handle_pi(self, data: str) -> None:
        self.problems.append(f"{self.name}: processing instruction {data[:60]!r}")


def audit_html(name: str, text: str) -> Auditor:
    auditor = Auditor(name)
    auditor.feed(text)
    auditor.close()
    return auditor


def raw_vectors(catalogue: Catalogue) -> dict[int, str]:
    """The planted texts that hold markup, as written: none may stand unescaped in HTML or XML."""
    out = {}
    for n, (field_name, name) in catalogue.planted.items():
        template = {**TEXT_VECTORS, **MARKDOWN_VECTORS, **URL_VECTORS}.get(name, "")
        if "<" in template and not field_name.startswith("forbidden"):
            # the part from the first tag on, which an escaping bug would leave intact
            text = catalogue_text(catalogue, n, template)
            out[n] = text[text.index("<"):]
    return out


def catalogue_text(catalogue: Catalogue, n: int, template: str) -> str:
    return template.replace("{g}", f"window.xss_{n}=1").replace("{r}", f"/__xss/{n}").replace("{n}", str(n))


def html_strings(value: object) -> Iterator[str]:
    """Every HTML-bearing string of an exported document: W3C bodies with format text/html, and
    fields named for their HTML (note_html and the like)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and ("html" in key.lower() or
                                          (key == "value" and value.get("format") == "text/html")):
                yield item
            else:
                yield from html_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from html_strings(item)


def fragment_documents(site: Path) -> Iterator[tuple[str, dict]]:
    for path in sorted((site / "pagefind" / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd"), path
        yield path.name, json.loads(data[len(b"pagefind_dcd"):])


def marker(n: int, template: str) -> re.Pattern[str]:
    """A pattern for the places vector n shows itself in decoded output, whatever was escaped or dropped
    (a fence's info string keeps only its first word, so `code<n>` is what remains of that one)."""
    texts = []
    if "{g}" in template:
        texts.append(f"window.xss_{n}=1")
    if "{r}" in template:
        texts.append(f"/__xss/{n}")
    texts += [template[at - 1 : at] + str(n) for at in (m.start() for m in re.finditer(r"\{n\}", template))]
    return re.compile("|".join(re.escape(text) + r"(?!\d)" for text in texts))


def html_unescape(text: str) -> str:
    import html as html_module

    return html_module.unescape(text)


ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
# The elements the feed and sitemap templates write: an injected one would share their namespace.
XML_ELEMENTS = frozenset(
    [ATOM + name for name in ("feed", "title", "subtitle", "id", "link", "updated", "author", "name", "entry",
                              "published", "category", "summary", "content")]
    + [SITEMAP + name for name in ("urlset", "url", "loc", "lastmod")])


def audit_xml(name: str, text: str) -> list[str]:
    """Well-formed, only Atom or sitemap elements, and the HTML the feeds carry is itself inert."""
    try:
        tree = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as exc:
        return [f"{name}: not well-formed XML ({exc})"]
    problems = []
    for element in tree.iter():
        if element.tag not in XML_ELEMENTS:
            problems.append(f"{name}: element {element.tag!r}")
        for key, value in element.attrib.items():
            if key == "href" and not url_is_safe(value):
                problems.append(f"{name}: href {value!r}")
        if element.tag == ATOM + "content" and element.get("type") == "html":
            problems += audit_html(f"{name} (entry content)", element.text or "").problems
        elif element.tag in (ATOM + "content", ATOM + "summary", ATOM + "title") and element.get("type") not in (
                None, "text", "html"):
            problems.append(f"{name}: {element.tag} of type {element.get('type')!r}")
    return problems

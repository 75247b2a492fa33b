"""Every field of every pull request is hostile until proven inert (SPEC §8, issue 9).

A generated archive puts XSS vectors in every field a contributor controls: front matter
(title, source, author, summary, url, archived), the Markdown body, and each annotation's
quote, prefix, suffix, note, sources (title, publisher, url, archived) and links (title,
url). Each vector, if it ever ran, would set its own global `window.xss_<n>` or request
`/__xss/<n>` from the test server. The site is built, checked file by file (HTML, JSON-LD,
feeds, data JSON, the gzipped Pagefind fragments), then opened page by page in Chromium
twice: once with the CSP sent as a header as well as the page's <meta>, and once from a
copy whose <meta> CSP is removed and with no header, which proves the HTML itself is
inert rather than merely blocked. Every highlight, note and control is hovered, focused
and clicked with a real pointer; every element of every page gets the events inline handlers
listen for; the search page lists the hostile titles and outlets; the live preview's error
overlay quotes hostile diagnostics. Fields whose format forbids such values (tags, handles,
ids, verdicts, dates, non-http(s) URLs, control characters) must instead fail `check` with a
diagnostic on their line. The detectors themselves are tested against a page that is not inert.
"""

from __future__ import annotations

import gzip
import html.parser
import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from glossator.diagnostics import yaml_quoted
from glossator.render.jinja import CONTENT_SECURITY_POLICY
from tests.conftest import run_cli

pytestmark = pytest.mark.browser

# --- the vectors ------------------------------------------------------------------------------
# `{g}` becomes `window.xss_<n>=1`, `{r}` the path `/__xss/<n>`, `{n}` the number itself.

TEXT_VECTORS: dict[str, str] = {
    "script": "<script>{g}</script>",
    "script-src": '<script src="{r}"></script>',
    "img-onerror": '<img src="{r}" onerror="{g}">',
    "svg-onload": "<svg/onload={g}>",
    "svg-script": "<svg><script>{g}</script></svg>",
    "iframe-javascript": '<iframe src="javascript:parent.{g}"></iframe>',
    "iframe-srcdoc": '<iframe srcdoc="<script>parent.{g}</script>"></iframe>',
    "double-quote-breakout": '" onmouseover="{g}" onfocus="{g}" autofocus x="',
    "single-quote-breakout": "' onmouseover='{g}' onfocus='{g}' autofocus x='",
    "tag-breakout": '"><img src={r} onerror={g}>',
    "unquoted-breakout": "x onpointerenter={g} onfocus={g} autofocus",
    "script-close": "</script><script>{g}</script>",
    "script-close-mixed-case": '</ScRiPt ><script src="{r}"></script>',
    "comment-breakout": "--><!--<script>{g}</script>-->",
    "cdata-breakout": "]]><script>{g}</script><![CDATA[",
    "style-import": '<style>@import "{r}";</style>',
    "anchor-javascript": '<a href="javascript:{g}">x{n}</a>',
    "mutation-xss": "<math><mtext><table><mglyph><style><img src={r} onerror={g}>",
    "object-embed": '<object data="{r}"></object><embed src="{r}">',
    "base-hijack": '<base href="/__xss/{n}/">',
    "meta-refresh": '<meta http-equiv="refresh" content="0;url={r}">',
    "details-ontoggle": "<details open ontoggle={g}>",
    "input-autofocus": "<input autofocus onfocus={g}>",
    "template-injection": "{{ 7*191 }}{% if 1 %}j{n}{% endif %}${7*191}#{7*191}",
    "json-string-breakout": '\u2028\u2029";{g};//',
    "plain-javascript-url": "javascript:{g}",
    "fullwidth-tags": "＜script＞{g}＜/script＞",
    "zero-width": "<scr\u200bipt>{g}</scr\u200bipt>",
    "rtl-override": "\u202e>tpircs/<{g}>tpircs<\u202c",
    "entity-encoded": "&lt;script&gt;{g}&lt;/script&gt;",
    "line-separators": "a\u2028<script>{g}</script>\u2029b\u0085c",
}

MARKDOWN_VECTORS: dict[str, str] = {
    "md-javascript": "[x{n}](javascript:{g})",
    "md-javascript-case": "[x{n}](JaVaScRiPt:{g})",
    "md-javascript-entity": "[x{n}](&#106;avascript:{g})",
    "md-javascript-tab-entity": "[x{n}](java&#x09;script:{g})",
    "md-javascript-colon-entity": "[x{n}](javascript&colon;{g})",
    "md-javascript-percent": "[x{n}](%6Aavascript:{g})",
    "md-javascript-space": "[x{n}](<java script:{g}>)",
    "md-javascript-leading-space": "[x{n}](< javascript:{g}>)",
    "md-javascript-zero-width": "[x{n}](java\u200bscript:{g})",
    "md-javascript-nbsp": "[x{n}](\u00a0javascript:{g})",
    "md-javascript-newline-entity": "[x{n}](jav&#x0A;ascript:{g})",
    "md-data": "[x{n}](data:text/html;base64,PHNjcmlwdD5wYXJlbnQueHNzPTE8L3NjcmlwdD4=)",
    "md-data-case": "[x{n}](DaTa:text/html,<script>{g}</script>)",
    "md-vbscript": "[x{n}](vbscript:msgbox({n}))",
    "md-autolink": "<javascript:{g}>",
    "md-reference": "[x{n}][r{n}]\n\n[r{n}]: javascript:{g}",
    "md-image": "![x{n}](javascript:{g})",
    "md-link-title": '[x{n}](https://example.org/{n} "t\\" onmouseover=\\"{g}")',
    "md-image-alt": '![a{n}" onerror="{g}](/img-{n}.png)',
    "md-fence-info": '```js" onmouseover="{g}\ncode{n}\n```',
    "md-raw-inline-html": 'x{n} <img src="{r}" onerror="{g}">',
    "md-raw-block-html": "<script>\n{g}\n</script>",
    "md-raw-iframe": '<iframe src="javascript:parent.{g}"></iframe>',
    "md-entity-tag": "&lt;img src={r} onerror={g}&gt;",
    "md-table": "| <script>{g}</script> | b{n} |\n|---|---|\n| <svg onload={g}> | d |",
    "md-aside": "::: aside\n<script>{g}</script> x{n}\n:::",
    "md-aside-info": '::: aside" onmouseover="{g}\ntext{n}\n:::',
    "md-nested-link": "[a [b{n}](javascript:{g})](https://example.org/{n})",
    "md-html-comment": "<!-- x{n} --><script>{g}</script>",
}

# http(s) URLs, which the format allows, carrying breakouts: they must stay inside their attribute.
URL_VECTORS: dict[str, str] = {
    "url-double-quote": 'https://example.org/{n}"onmouseover="{g}"',
    "url-tag": "https://example.org/{n}\"><script>{g}</script>",
    "url-single-quote": "https://example.org/{n}'onfocus='{g}'autofocus='",
    "url-query": "https://example.org/?q=<svg/onload={g}>&n={n}",
    "url-userinfo": "https://javascript:{g}@example.org/{n}",
    "url-case": "HtTpS://example.org/javascript:{g}/{n}",
    "url-entity": "https://example.org/{n}&quot;onmouseover=&quot;{g}",
}

# Values the format forbids: `check` must refuse each with a diagnostic on its line.
FORBIDDEN_URLS: dict[str, str] = {
    "javascript": "javascript:{g}",
    "javascript-upper": "JAVASCRIPT:{g}",
    "javascript-leading-space": " javascript:{g}",
    "javascript-tab": "java\tscript:{g}",
    "javascript-control": "\x01javascript:{g}",
    "javascript-entity": "&#106;avascript:{g}",
    "javascript-percent": "%6Aavascript:{g}",
    "javascript-after-https": "javascript:{g}//https://example.org/",
    "data": "data:text/html,<script>{g}</script>",
    "vbscript": "vbscript:msgbox({n})",
    "protocol-relative": "//127.0.0.1/__xss/{n}",
    "relative": "/__xss/{n}",
    "backslashes": "https:\\\\example.org/{n}",
    "zero-width": "https://example.org/\u200b{n}",
    "rtl-override": "https://exa\u202eelpmaxe.org/{n}",
    "line-separator": "https://example.org/\u2028{n}",
    "nul": "https://example.org/\x00{n}",
    "space": "https://example.org/ onmouseover={g}",
}
FORBIDDEN_TAGS = ["<script>{g}</script>", '" onmouseover="{g}', "../../etc/passwd", "Tag With Space", "x\u202e"]
FORBIDDEN_HANDLES = ["<img src={r} onerror={g}>", 'a" onmouseover="{g}', "javascript:{g}", "x\u200by"]
FORBIDDEN_IDS = ['x" onmouseover="{g}', "../x{n}", "X{n}", "<b>{n}</b>", "x\u2028{n}"]

GLOBAL_RE = re.compile(r"xss_(\d+)")
CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


@dataclass
class Catalogue:
    """Every instance of a vector: its number, the field it was put in, and its template."""

    planted: dict[int, tuple[str, str]] = field(default_factory=dict)  # n → (field, template name)

    def make(self, field_name: str, name: str, template: str) -> str:
        n = len(self.planted) + 1
        self.planted[n] = (field_name, name)
        return template.replace("{g}", f"window.xss_{n}=1").replace("{r}", f"/__xss/{n}").replace("{n}", str(n))


def markdown_escape(text: str) -> str:
    """Text that Markdown shows exactly as written: every ASCII punctuation mark backslash-escaped."""
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", text)


def fits(names: list[str], templates: dict[str, str], limit: int, catalogue: Catalogue, field_name: str,
         used: list[str] | None = None) -> str:
    """As many of the named vectors as fit in `limit` characters (the schema's maxLength)."""
    out = ""
    for name in dict.fromkeys(names):
        piece = catalogue.make(field_name, name, templates[name])
        if len(out) + len(piece) + 1 > limit:
            catalogue.planted.popitem()
            continue
        out = f"{out} {piece}" if out else piece
        if used is not None:
            used.append(name)
    return out


def _groups(names: list[str], count: int) -> list[list[str]]:
    return [names[i::count] for i in range(count)]


ARTICLES = 8


def hostile_archive(root: Path, catalogue: Catalogue) -> Path:
    """ARTICLES articles; across them, every field carries every vector its format allows."""
    text_names = list(TEXT_VECTORS)
    md_groups = _groups(list(MARKDOWN_VECTORS), ARTICLES)
    url_names = list(URL_VECTORS)
    source_pending = list(text_names)  # the outlet field is short: vectors it has not carried yet go first
    (root / "content").mkdir(parents=True)
    (root / "annotations").mkdir()
    for k in range(ARTICLES):
        # each article starts its rotation elsewhere, so the short fields see every vector too
        rotated = text_names[k * 4:] + text_names[: k * 4]
        group = rotated[: len(text_names) // ARTICLES + 1]
        slug = f"hostile-{k}"
        used: list[str] = []
        url = catalogue.make("front.url", url_names[k % len(url_names)], URL_VECTORS[url_names[k % len(url_names)]])
        archived_name = url_names[(k + 3) % len(url_names)]
        front = {
            "title": f"T{k} " + fits(group, TEXT_VECTORS, 480, catalogue, "front.title"),
            "source": f"S{k} " + fits(source_pending + rotated, TEXT_VECTORS, 190, catalogue, "front.source", used),
            "author": fits(group, TEXT_VECTORS, 290, catalogue, "front.author"),
            "summary": fits(group, TEXT_VECTORS, 990, catalogue, "front.summary"),
            "url": url,
            "archived": catalogue.make("front.archived", archived_name, URL_VECTORS[archived_name]),
        }
        source_pending = [name for name in source_pending if name not in used]
        lines = ["---", *(f"{key}: {yaml_quoted(value)}" for key, value in front.items()),
                 "published: 2024-05-0" + str(k + 1), f"tags: [hostile, group-{k % 2}]",
                 *([f'captured:\n  at: "2024-06-0{k + 1}T00:00:00Z"'] if k % 4 == 0 else []), "---"]
        body: list[str] = [f"Article {k} opens with plain words, then the vectors follow."]
        annotations: list[str] = [f"article: {slug}", "annotations:"]
        kinds = [("claim", "misleading"), ("sourcing", ""), ("context", "")]
        for j, (kind, verdict) in enumerate(kinds):
            # prefix, quote and suffix are adjacent in the text, shown verbatim (Markdown-escaped)
            turned = group[j:] + group[:j]
            prefix = f"P{k}{j} " + fits(turned, TEXT_VECTORS, 480, catalogue, "prefix")
            quote = " ".join(catalogue.make("quote", name, TEXT_VECTORS[name]) for name in group)
            suffix = fits(turned[::-1], TEXT_VECTORS, 480, catalogue, "suffix") + f" S{k}{j}."
            body.append(markdown_escape(f"{prefix} {quote} {suffix}"))
            annotations += annotation_yaml(catalogue, f"a{k}-{j}", kind, verdict, group, md_groups[k], url_names, k + j,
                                           quote=quote, prefix=prefix, suffix=suffix)
        annotations += annotation_yaml(catalogue, f"a{k}-whole", "context", "", group, md_groups[k], url_names, k)
        for name in md_groups[k]:
            body.append(catalogue.make("body.markdown", name, MARKDOWN_VECTORS[name]))
        for name in group:
            body.append(f"Raw {name}: " + catalogue.make("body.text", name, TEXT_VECTORS[name]))
        (root / "content" / f"{slug}.md").write_text("\n".join(lines) + "\n" + "\n\n".join(body) + "\n",
                                                     encoding="utf-8")
        if k % 4 == 0:  # an earlier text (issue 22): its headline and its withdrawn words reach the
            # text's page, the changes page and the feed of changes
            title = yaml_quoted(f"V{k} " + fits(group, TEXT_VECTORS, 480, catalogue, "version.title"))
            withdrawn = [f"Withdrawn {name}: " + catalogue.make("version.body", name, TEXT_VECTORS[name])
                         for name in group]
            folder = root / "versions" / slug
            folder.mkdir(parents=True)
            (folder / f"2024-05-0{k + 1}-1200.md").write_text(
                f'---\ncaptured:\n  at: "2024-05-0{k + 1}T12:00:00Z"\ntitle: {title}\n---\n'
                + "\n\n".join([*body, *withdrawn]) + "\n", encoding="utf-8")
        (root / "annotations" / f"{slug}.yaml").write_text("\n".join(annotations) + "\n", encoding="utf-8")
    return root


def annotation_yaml(catalogue: Catalogue, ident: str, kind: str, verdict: str, group: list[str], md_names: list[str],
                    url_names: list[str], turn: int, **anchor: str) -> list[str]:
    note_parts = [catalogue.make("note.text", name, TEXT_VECTORS[name]) for name in group]
    note_parts += [catalogue.make("note.markdown", name, MARKDOWN_VECTORS[name]) for name in md_names]
    note = "\n\n".join(note_parts)

    def url(slot: int) -> str:
        name = url_names[(turn + slot) % len(url_names)]
        return yaml_quoted(catalogue.make(f"{ident}.url", name, URL_VECTORS[name]))

    def text(field_name: str, limit: int = 1990) -> str:
        return yaml_quoted(fits(group, TEXT_VECTORS, limit, catalogue, field_name))

    out = [f"  - id: {ident}", f"    kind: {kind}"]
    for key in ("quote", "prefix", "suffix"):
        if key in anchor:
            out.append(f"    {key}: {yaml_quoted(anchor[key])}")
    if verdict:
        out.append(f"    verdict: {verdict}")
    out += [
        f"    note: {yaml_quoted(note)}",
        "    sources:",
        f"      - title: {text('source.title')}",
        f"        url: {url(0)}",
        f"        publisher: {text('source.publisher')}",
        "        date: 2024-01",
        f"        archived: {url(1)}",
        "    links:",
        f"      - title: {text('link.title')}",
        f"        url: {url(2)}",
        "    by: tester",
        "    added: 2024-06-01",
    ]
    return out


BODY = "The minister said the army lost 600 soldiers in June.\n"
NOTE = "A note long enough to say something useful here."


def forbidden_archive(root: Path, catalogue: Catalogue) -> tuple[Path, dict[tuple[str, int], str]]:
    """Every value the format forbids, each where `check` must report it.

    Returns the archive and, for each (file, line) that must get a diagnostic, what was put there.
    A YAML problem (a control character) ends the reading of its file, so each of those gets a file
    of its own; schema problems are all reported, so the rest share one annotation file.
    """
    expected: dict[tuple[str, int], str] = {}
    (root / "content").mkdir(parents=True)
    (root / "annotations").mkdir()
    front: list[tuple[str, str]] = []  # (key, YAML text of the value)
    for name, template in FORBIDDEN_URLS.items():
        for key in ("url", "archived"):
            front.append((key, yaml_quoted(catalogue.make(f"forbidden.front.{key}", name, template))))
    for template in FORBIDDEN_TAGS:
        front.append(("tags", "[" + yaml_quoted(catalogue.make("forbidden.front.tags", "tag", template)) + "]"))
    for key, template in [("published", '2024"><script>{g}</script>'), ("language", 'en" onmouseover="{g}'),
                          ("draft", "<script>{g}</script>"), ("title", "\x1b]8;;<script>{g}</script>\x07"),
                          ("summary", "\x00<img src={r} onerror={g}>"), ("author", "a\ufffe<svg onload={g}>")]:
        front.append((key, yaml_quoted(catalogue.make(f"forbidden.front.{key}", key, template))))
    for i, (key, value) in enumerate(front):
        lines = ["---", *(f"{k}: {v}" for k, v in [("title", "A"), ("source", "S"), ("published", "2024")]
                          if k != key), f"{key}: {value}"]
        expected[(f"content/bad-{i}.md", len(lines))] = f"front matter {key}"
        (root / "content" / f"bad-{i}.md").write_text("\n".join([*lines, "---", BODY]), encoding="utf-8")

    def annotation_file(slug: str) -> list[str]:
        (root / "content" / f"{slug}.md").write_text(f"---\ntitle: T\nsource: S\npublished: 2024\n---\n{BODY}",
                                                     encoding="utf-8")
        return [f"article: {slug}", "annotations:"]

    def item(lines: list[str], ident: str, at: str, **fields: str) -> int:
        """Append an annotation; the line number of its field `at`."""
        values = {"id": ident, "kind": "context", "note": yaml_quoted(NOTE), "by": "tester", "added": "2024-06-01"}
        values.update(fields)
        found = 0
        for k, (key, value) in enumerate(values.items()):
            lines.append(("  - " if k == 0 else "    ") + f"{key}: {value}")
            if key == at:
                found = len(lines)
        assert found, at
        return found

    shared = annotation_file("target")
    path = "annotations/target.yaml"
    for n, (name, template) in enumerate(FORBIDDEN_URLS.items()):
        if CONTROL_RE.search(template):
            continue  # refused by the YAML reader, which stops there: below, in files of their own
        for where in ("source", "archived", "link"):
            value = yaml_quoted(catalogue.make(f"forbidden.{where}.url", name, template))
            if where == "link":
                line = item(shared, f"{where}-{n}", "links", links=f"[{{title: T, url: {value}}}]")
            elif where == "source":
                line = item(shared, f"{where}-{n}", "sources", sources=f"[{{title: T, url: {value}}}]")
            else:
                line = item(shared, f"{where}-{n}", "sources",
                            sources=f"[{{title: T, url: 'https://example.org/', archived: {value}}}]")
            expected[(path, line)] = f"{where} url {name}"
    for n, template in enumerate(FORBIDDEN_HANDLES):
        by = yaml_quoted(catalogue.make("forbidden.by", "handle", template))
        expected[(path, item(shared, f"by-{n}", "by", by=by))] = "by"
    for template in FORBIDDEN_IDS:
        ident = yaml_quoted(catalogue.make("forbidden.id", "id", template))
        expected[(path, item(shared, ident, "id"))] = "id"
    for n, (key, template) in enumerate([("kind", "<script>{g}</script>"), ("verdict", "<img src={r} onerror={g}>"),
                                         ("added", "2024-06-01<script>{g}</script>"),
                                         ("updated", '2024"onfocus="{g}')]):
        value = yaml_quoted(catalogue.make(f"forbidden.{key}", key, template))
        extra = {"kind": "claim"} if key == "verdict" else {}
        expected[(path, item(shared, f"{key}-{n}", key, **extra, **{key: value}))] = key
    (root / path).write_text("\n".join(shared) + "\n", encoding="utf-8")
    # control characters through YAML escapes: a file each
    controls = [("note", "\x1b<script>{g}</script>"), ("quote", "lost \x00600<svg onload={g}>"),
                ("prefix", "\x07<script>{g}</script>"), ("title", "\x0b<b>{n}</b>")]
    controls += [("url", template) for template in FORBIDDEN_URLS.values() if CONTROL_RE.search(template)]
    for n, (key, template) in enumerate(controls):
        slug = f"control-{n}"
        lines = annotation_file(slug)
        value = yaml_quoted(catalogue.make(f"forbidden.{key}", key, template))
        if key in ("title", "url"):
            source = f"title: {value}, url: 'https://example.org/'" if key == "title" else f"title: T, url: {value}"
            line = item(lines, "c", "sources", sources=f"[{{{source}}}]")
        else:
            extra = {"quote": '"600 soldiers"'} if key == "prefix" else {}
            line = item(lines, "c", key, **extra, **{key: value})
        expected[(f"annotations/{slug}.yaml", line)] = f"control character in {key}"
        (root / "annotations" / f"{slug}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root, expected


# --- the generated files, read as files ---------------------------------------------------------

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


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Catalogue]:
    catalogue = Catalogue()
    root = hostile_archive(tmp_path_factory.mktemp("hostile") / "archive", catalogue)
    result = run_cli("build", "--root", root)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return root / "site", catalogue


def test_every_field_reaches_the_site_and_every_file_is_inert(hostile_site: tuple[Path, Catalogue]) -> None:
    site, catalogue = hostile_site
    problems: list[str] = []
    decoded: list[str] = []  # every file's text with its own escaping undone: where the vectors must show
    raw = raw_vectors(catalogue)
    counts = {"html": 0, "xml": 0, "json": 0, "fragment": 0}
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        rel = path.relative_to(site).as_posix()
        if rel.startswith(("static/", "pagefind/")) or rel == "robots.txt":
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".html":
            counts["html"] += 1
            problems += audit_html(rel, text).problems
            problems += [f"{rel}: vector {n} stands unescaped" for n, vector in raw.items() if vector in text]
            decoded.append(html_unescape(text))
        elif path.suffix == ".xml":
            counts["xml"] += 1
            problems += audit_xml(rel, text)
            problems += [f"{rel}: vector {n} stands unescaped" for n, vector in raw.items() if vector in text]
            decoded.append(html_unescape(html_unescape(text)))
        elif path.suffix in (".json", ".jsonld"):
            counts["json"] += 1
            document = json.loads(text)
            for i, fragment in enumerate(html_strings(document)):
                problems += audit_html(f"{rel} (HTML string {i})", fragment).problems
            decoded.append(json.dumps(document, ensure_ascii=False))
        else:
            problems.append(f"{rel}: a file of an unexpected type")
    # Pagefind keeps the page's words as JSON text (its excerpts are escaped when a search runs: the
    # browser test reads them); what must hold here is that every fragment is data and says where it is.
    for name, document in fragment_documents(site):
        counts["fragment"] += 1
        if not re.fullmatch(r"/articles/hostile-\d/", document["url"]):
            problems.append(f"pagefind fragment {name}: url {document['url']!r}")
        decoded.append(json.dumps(document, ensure_ascii=False))
    assert counts["html"] >= 2 * ARTICLES and counts["xml"] == 4 and counts["json"] >= ARTICLES, counts
    assert (site / "articles" / "hostile-4" / "changes" / "index.html").is_file()
    assert counts["fragment"] == ARTICLES, counts
    assert not problems, "\n".join(problems[:40])
    # and the vectors were really there to be escaped: each planted one shows, decoded, in the output
    everything = "\n".join(decoded)
    templates = {**TEXT_VECTORS, **MARKDOWN_VECTORS, **URL_VECTORS}
    missing = [(n, where, name) for n, (where, name) in catalogue.planted.items()
               if not marker(n, templates[name]).search(everything)]
    assert not missing, missing[:20]
    # nothing evaluated the text as a template (Jinja, JavaScript template literals)
    assert "{{ 7*191 }}" in everything and "${7*191}" in everything
    assert not re.search(r"(?<![0-9a-f])1337(?![0-9a-f])", everything)


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


def test_forbidden_values_fail_check(tmp_path: Path) -> None:
    catalogue = Catalogue()
    root, expected = forbidden_archive(tmp_path / "archive", catalogue)
    result = run_cli("check", "--root", root)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    reported = {(m["path"], int(m["line"])) for m in re.finditer(
        r"^(?P<path>[\w/.-]+):(?P<line>\d+):\d+: error: ", result.stderr, re.MULTILINE)}
    missing = {f"{path}:{line} ({what})" for (path, line), what in expected.items() if (path, line) not in reported}
    assert not missing, sorted(missing)
    assert len(expected) == len(catalogue.planted) >= 100
    assert not (root / "site").exists()


# --- the pages, opened in Chromium ----------------------------------------------------------------

# Installed before any page script: records CSP violations (in the CSP run, anything that tried to
# run or load and was blocked) and keeps every navigation the sweep's clicks would start in place,
# except to javascript: URLs, which must be free to run if one ever got through.
WATCH_SCRIPT = """
window.__glViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__glViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`);
});
window.addEventListener('click', (e) => {
  const link = e.target instanceof Element ? e.target.closest('a[href], area[href]') : null;
  if (!link || link.protocol === 'javascript:') return;
  const here = new URL(location.href);
  const there = new URL(link.href, location.href);
  const samePage = there.origin + there.pathname + there.search === here.origin + here.pathname + here.search;
  if (!samePage || !there.hash) e.preventDefault();  // a same-page link without #… would reload the page
}, true);
window.addEventListener('submit', (e) => e.preventDefault(), true);
"""

# Every element, hidden or not, gets the events inline handlers listen for, then focus and a click.
SWEEP_SCRIPT = """
() => {
  // the pointer's and keyboard's, and those an element fires by itself (an injected handler on any
  // of them would also be an on* attribute, which the DOM audit reports whether it ran or not)
  const types = ['mouseover', 'mouseenter', 'mousedown', 'mouseup', 'pointerover', 'pointerenter', 'focusin',
    'keydown', 'input', 'change', 'toggle', 'load', 'error', 'animationstart', 'transitionend'];
  const all = Array.from(document.querySelectorAll('*'));
  for (const el of all) {
    for (const type of types) el.dispatchEvent(new Event(type, { bubbles: true, cancelable: true }));
    if (typeof el.focus === 'function') el.focus();
    if (typeof el.click === 'function' && !['HTML', 'BODY', 'HEAD'].includes(el.tagName)) el.click();
  }
  document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
  return all.length;
}
"""

# What the browser itself says about the page, read from the live DOM after the scripts ran.
DOM_AUDIT_SCRIPT = """
() => {
  const problems = [];
  const urlAttributes = ['href', 'src', 'action', 'formaction', 'data', 'poster', 'cite', 'xlink:href', 'ping'];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of Array.from(el.attributes)) {
      if (attr.name.startsWith('on') || attr.name === 'srcdoc') problems.push(`${el.tagName} ${attr.name}`);
      if (urlAttributes.includes(attr.name) && !(el.matches('link[rel=icon]') && attr.value === 'data:,')) {
        let protocol;
        try { protocol = new URL(attr.value, location.href).protocol; } catch { protocol = 'unparsable:'; }
        if (protocol !== 'http:' && protocol !== 'https:') problems.push(`${el.tagName} ${attr.name}=${attr.value}`);
      }
    }
  }
  for (const el of document.querySelectorAll('iframe, frame, object, embed, base, svg, math, style, template')) {
    problems.push(`element ${el.tagName}`);
  }
  for (const el of document.querySelectorAll('script')) {
    if (!(el.src && new URL(el.src).origin === location.origin) && el.type !== 'application/ld+json') {
      problems.push(`script ${el.outerHTML.slice(0, 80)}`);
    }
  }
  return problems;
}
"""

# The elements a reader points at, numbered for POINT_SCRIPT.
TARGETS_SCRIPT = """
() => {
  const selector = ['#page-text mark', 'a.note-ref', 'li.note', '.article-note', 'button:not([type=submit])',
    'input[type=checkbox]', 'summary', "a[href^='#']"].join(', ');
  const targets = Array.from(document.querySelectorAll(selector)).filter((el) => el.getClientRects().length);
  targets.forEach((el, i) => { el.dataset.glTarget = String(i); });
  return targets.length;
}
"""
POINT_SCRIPT = """
(index) => {
  const el = document.querySelector(`[data-gl-target="${index}"]`);
  if (!el || !el.getClientRects().length) return null;
  el.scrollIntoView({ block: 'center', inline: 'center' });
  el.focus();
  const rect = el.getClientRects()[0];
  return { x: rect.left + Math.min(rect.width / 2, 4), y: rect.top + rect.height / 2 };
}
"""

GLOBALS_SCRIPT = "() => Object.keys(window).filter((key) => /^xss_\\d+$/.test(key))"
ESCAPED_EXCERPT_SCRIPT = """
async (queries) => {
  const pagefind = await import(document.getElementById('gl_search').dataset.bundles.split(' ')[0] + 'pagefind.js');
  const found = [];
  for (const query of queries) {
    const search = await pagefind.search(query);
    for (const result of search.results) {
      const data = await result.data();
      for (const excerpt of [data.excerpt, ...data.sub_results.map((sub) => sub.excerpt)]) {
        found.push(excerpt);
      }
    }
  }
  return found;
}
"""


@dataclass
class Findings:
    """What one browser run saw; every list must stay empty, apart from the counters."""

    executed: set[int] = field(default_factory=set)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    popups: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dom: list[str] = field(default_factory=list)
    pages: int = 0
    actions: int = 0
    swept: int = 0
    excerpts: int = 0

    def failures(self) -> dict[str, object]:
        return {key: value for key, value in vars(self).items()
                if value and key not in ("pages", "actions", "swept", "excerpts")}


def page_urls(site: Path, base: str) -> list[str]:
    urls = []
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        urls.append(base + (rel[: -len("index.html")] if rel.endswith("index.html") else rel))
    return urls


class Run:
    """One browser context over one served copy of the site, recording everything that must not happen."""

    def __init__(self, browser: object, base: str, viewport: dict[str, int]) -> None:
        self.base = base
        self.found = Findings()
        self.context = browser.new_context(viewport=viewport)  # type: ignore[attr-defined]
        self.context.add_init_script(WATCH_SCRIPT)
        self.context.route("**/*", self._route)
        self.context.on("request", self._request)
        self.page = self.context.new_page()
        # our own page is announced too, sometimes after new_page returns: only another page is a popup
        self.context.on("page", lambda other: other is self.page or self.found.popups.append(
            f"{self.page.url} opened {other.url}"))
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda error: self.found.errors.append(f"{self.page.url}: {error}"))

    def _route(self, route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if url.startswith(self.base.rstrip("/")) and "/__xss/" not in url:
            route.continue_()  # type: ignore[attr-defined]
        else:
            route.abort()  # type: ignore[attr-defined]

    def _request(self, request: object) -> None:
        url = request.url  # type: ignore[attr-defined]
        if "/__xss/" in url or not (url.startswith("http://127.0.0.1") or url.startswith(("data:", "about:"))):
            self.found.requests.append(url)

    def _dialog(self, dialog: object) -> None:
        self.found.dialogs.append(f"{dialog.type}: {dialog.message}")  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]

    def close(self) -> None:
        self.context.close()

    def harvest(self) -> None:
        """Globals in every frame, CSP violations, and the live DOM's audit."""
        self.page.wait_for_timeout(60)  # let image errors and frame loads fire
        for frame in self.page.frames:
            try:
                names = frame.evaluate(GLOBALS_SCRIPT)
            except Exception as exc:  # a frame that navigated away while being read
                self.found.errors.append(f"frame {frame.url}: {exc}")
                continue
            self.found.executed.update(int(GLOBAL_RE.search(name).group(1)) for name in names)  # type: ignore[union-attr]
        self.found.violations += [f"{self.page.url}: {v}" for v in self.page.evaluate("window.__glViolations")]
        self.found.dom += [f"{self.page.url}: {p}" for p in self.page.evaluate(DOM_AUDIT_SCRIPT)]

    def point(self, index: int) -> None:
        """Scroll target `index` into view, move the mouse onto it, focus it and click it."""
        box = self.page.evaluate(POINT_SCRIPT, index)
        if box is None:
            return
        self.found.actions += 1
        self.page.mouse.move(box["x"], box["y"])
        self.page.mouse.click(box["x"], box["y"])

    def visit(self, url: str) -> None:
        page = self.page
        page.goto(url, wait_until="load")
        self.found.pages += 1
        path = page.url.split("#")[0]
        # readers' controls with a real pointer and keyboard: each highlight, reference and note, the
        # buttons, toggles and disclosures (links and the rest get the same events from the sweep below)
        # (a listing's only such control is the skip link: the sweep covers listings)
        targets = page.evaluate(TARGETS_SCRIPT)
        if targets > 1:
            for index in range(targets):
                self.point(index)  # each is scrolled into view first, wherever open notes moved it
            page.keyboard.press("Escape")
            for _ in range(6):  # real focus, as a keyboard reader moves
                page.keyboard.press("Tab")
            self.suggest()
        self.found.swept += page.evaluate(SWEEP_SCRIPT)
        self.harvest()
        assert urlsplit(page.url).path == urlsplit(path).path, f"the page navigated away: {url} → {page.url}"

    def suggest(self) -> None:
        """Select a highlight's words: "Suggest an annotation" shows them as text, never as markup."""
        page = self.page
        marks = page.query_selector_all("#page-text mark[id^='hl-']")
        for mark in marks[:1]:
            page.keyboard.press("Escape")
            mark.evaluate("""(m) => { const range = document.createRange(); range.selectNodeContents(m);
                               const sel = getSelection(); sel.removeAllRanges(); sel.addRange(range); }""")
            button = page.locator("#gl_suggest .suggest-open")
            button.wait_for(state="visible", timeout=3000)
            button.click()
            stub = page.locator("#gl_suggest_stub")
            assert stub.evaluate("(code) => code.children.length") == 0
            words = mark.evaluate("(m) => m.textContent.trim().split(/\\s+/)[0]")
            assert words in stub.text_content()
            self.found.actions += 1
            page.locator("#gl_suggest .suggest-close").click()
        page.evaluate("getSelection().removeAllRanges()")

    def hashes(self, url: str) -> None:
        """Hostile fragments in the address: the page script reads location.hash."""
        for fragment in ("#%3Cimg%20src%3D%2F__xss%2F0%20onerror%3Dwindow.xss_0%3D1%3E", "#%", "#hl-%E0%A4%A",
                         "#\"><svg onload=window.xss_0=1>"):
            self.page.goto(url + fragment, wait_until="load")
            self.found.pages += 1
            self.harvest()

    def search(self, url: str, queries: list[str], more: list[str]) -> None:
        """Results list the hostile titles, outlets and notes; the excerpts Pagefind escapes stay escaped."""
        page = self.page
        for query in queries:
            page.goto(f"{url}?q={query}", wait_until="load")
            self.found.pages += 1
            page.wait_for_selector("#search-results li.search-result", timeout=15000)
            # the facets load after the first results: the outlets are the hostile `source` fields
            page.wait_for_selector("#search-filters [data-facet=outlet]:not([hidden]) li", timeout=15000)
            shown = page.text_content("#search-results") or ""
            outlets = page.text_content("#search-filters [data-facet=outlet]") or ""
            assert "<script>window.xss_" in shown + outlets, "the hostile titles and outlets are listed, as text"
            for index in range(page.evaluate(TARGETS_SCRIPT)):
                self.point(index)
            self.found.swept += page.evaluate(SWEEP_SCRIPT)
            self.harvest()
        excerpts = page.evaluate(ESCAPED_EXCERPT_SCRIPT, queries + more)
        self.found.excerpts += len(excerpts)
        for excerpt in excerpts:
            if re.sub(r"</?mark>", "", excerpt).count("<"):
                self.found.dom.append(f"search excerpt with markup: {excerpt[:120]!r}")


def strip_meta_csp(site: Path, copy: Path) -> Path:
    """A copy of the site whose pages carry no CSP at all: what is left to stop a vector is the HTML itself."""
    shutil.copytree(site, copy)
    escaped = CONTENT_SECURITY_POLICY.replace("'", "&#39;")  # as Jinja's autoescape wrote it
    meta = f'<meta http-equiv="Content-Security-Policy" content="{escaped}">\n'
    for path in copy.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert text.count(meta) == 1, f"{path}: the CSP <meta> is not there exactly once"
        path.write_text(text.replace(meta, ""), encoding="utf-8")
    return copy


MODES = {
    # the CSP as an HTTP header too; wide screens (notes in the margin)
    "csp-header": ({"Content-Security-Policy": CONTENT_SECURITY_POLICY}, False, {"width": 1400, "height": 900}),
    # no CSP anywhere; narrow screens (notes open under their paragraph)
    "no-csp": ({}, True, {"width": 600, "height": 900}),
}


@pytest.mark.parametrize("mode", list(MODES))
def test_no_vector_runs_in_chromium(mode: str, hostile_site: tuple[Path, Catalogue], browser: object,
                                    serve_dir: Callable[..., str], tmp_path: Path) -> None:
    site, catalogue = hostile_site
    headers, strip, viewport = MODES[mode]
    served = strip_meta_csp(site, tmp_path / "site") if strip else site
    base = serve_dir(served, headers=headers)
    run = Run(browser, base, viewport)
    try:
        urls = page_urls(served, base)
        for url in urls:
            run.visit(url)
        if strip:  # what the script makes of the address does not depend on the CSP: once is enough
            run.hashes(base + "articles/hostile-0/")
        run.search(base + "search/", ["script", "onerror"], ["xss", "iframe", "javascript", "svg", "style"])
    finally:
        run.close()
    found = run.found
    assert found.pages >= len(urls) + 2 and found.actions > 10 * ARTICLES and found.swept > 1000, found
    assert found.excerpts > 2 * ARTICLES, found
    failures = found.failures()
    assert not failures, json.dumps(failures, indent=1, default=sorted)[:6000]
    print(f"{mode}: {len(catalogue.planted)} vectors planted, {len(found.executed)} executed; "
          f"{found.pages} page loads, {found.actions} reader actions, {found.swept} elements swept")


# --- the detectors detect ---------------------------------------------------------------------------

VULNERABLE_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>a page that is not inert</title>{head}</head><body>
<img src="/__xss/1" onerror="window.xss_1=1">
<p><a href="javascript:window.xss_2=1">a javascript: link</a></p>
<div onmouseover="window.xss_3=1">hovered</div>
<button type="button" onclick="alert('xss 4')">a button</button>
<iframe srcdoc="<script>parent.xss_5=1</script>"></iframe>
<script>window.xss_6=1</script>
</body></html>
"""


def test_the_browser_detectors_catch_a_page_that_is_not_inert(browser: object, serve_dir: Callable[..., str],
                                                                tmp_path: Path) -> None:
    """Against a page with the holes the suite looks for, each detector reports its own."""
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "index.html").write_text(VULNERABLE_PAGE.format(head=""), encoding="utf-8")
    run = Run(browser, serve_dir(plain), {"width": 1000, "height": 800})
    try:
        run.visit(run.base)
    finally:
        run.close()
    assert {1, 2, 3, 5, 6} <= run.found.executed
    assert any("/__xss/1" in url for url in run.found.requests)
    assert run.found.dialogs == ["alert: xss 4"]
    assert any("onerror" in problem for problem in run.found.dom) and any("IFRAME" in p for p in run.found.dom)
    assert any("javascript:" in problem for problem in run.found.dom)
    # with the CSP, the inline script is blocked and reported as a violation
    strict = tmp_path / "strict"
    strict.mkdir()
    meta = f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
    (strict / "index.html").write_text(VULNERABLE_PAGE.format(head=meta), encoding="utf-8")
    run = Run(browser, serve_dir(strict), {"width": 1000, "height": 800})
    try:
        run.visit(run.base)
    finally:
        run.close()
    assert 6 not in run.found.executed and 3 not in run.found.executed
    assert any("script-src" in violation for violation in run.found.violations)


def test_the_file_auditors_catch_markup_that_is_not_inert() -> None:
    assert audit_html("page", '<p>fine <a href="https://example.org/" rel="nofollow">x</a></p>').problems == []
    assert audit_html("page", '<p><img src="/x.png" onerror="alert(1)"></p>').problems
    assert audit_html("page", "<p><svg><script>alert(1)</script></svg></p>").problems
    assert audit_html("page", '<a href="java&#x09;script:alert(1)">x</a>').problems
    assert audit_html("page", '<a href=" \x01JavaScript:alert(1)">x</a>').problems
    assert audit_html("page", '<meta http-equiv="refresh" content="0;url=/x">').problems
    breakout = '<script type="application/ld+json">{"a": "</script><script>alert(1)</script>"}</script>'
    assert len(audit_html("page", breakout).problems) >= 2
    assert audit_html("page", '<script type="application/ld+json">{"a": "\u2028"}</script>').problems
    assert audit_xml("feed", "<feed xmlns='http://www.w3.org/2005/Atom'><title>\x1b</title></feed>")
    assert audit_xml("feed", "<feed xmlns='http://www.w3.org/2005/Atom'><script/></feed>")
    html_entry = "<feed xmlns='http://www.w3.org/2005/Atom'><content type='html'>&lt;img onerror=x&gt;</content></feed>"
    assert audit_xml("feed", html_entry)
    assert [url_is_safe(u) for u in ("https://x.org/", "/a/b", "#id", "?q=1", "../x", "HTTPS://x.org")] == [True] * 6
    assert not any(url_is_safe(u) for u in ("javascript:x", " JAVASCRIPT:x", "java\tscript:x", "\x01javascript:x",
                                            "data:text/html,x", "vbscript:x", "jav\nascript:x"))


# --- the preview's error overlay ------------------------------------------------------------------

OVERLAY_AUDIT_SCRIPT = """
() => {
  const host = document.getElementById('glossator-preview-overlay');
  if (!host || !host.shadowRoot) return ['no overlay'];
  const problems = [];
  const all = Array.from(host.shadowRoot.querySelectorAll('*'));
  for (const el of all) {
    if (!['LINK', 'SECTION', 'H2', 'P', 'PRE', 'BUTTON'].includes(el.tagName)) problems.push(`element ${el.tagName}`);
    for (const attr of Array.from(el.attributes)) {
      if (attr.name.startsWith('on')) problems.push(`${el.tagName} ${attr.name}`);
    }
    for (const type of ['mouseover', 'focus', 'click', 'load', 'error']) {
      el.dispatchEvent(new Event(type, { bubbles: true }));
    }
  }
  return problems;
}
"""


def test_the_preview_overlay_shows_hostile_diagnostics_as_text(browser: object, tmp_path: Path) -> None:
    """`serve` shows a failed build's diagnostics over the page; they quote the contributor's text."""
    from tests.serve_process import ServeProcess

    catalogue = Catalogue()
    vectors = {name: catalogue.make("overlay", name, TEXT_VECTORS[name])
               for name in ("img-onerror", "script", "svg-onload", "tag-breakout", "iframe-srcdoc")}
    body = "Plain words first. " + markdown_escape(vectors["script"] + " and " + vectors["iframe-srcdoc"]) + "\n"
    root = tmp_path / "archive"
    (root / "content").mkdir(parents=True)
    (root / "annotations").mkdir()
    (root / "content" / "hostile.md").write_text("---\ntitle: T\nsource: S\npublished: 2024\n---\n" + body,
                                                 encoding="utf-8")
    server = ServeProcess(root).ready()
    run = Run(browser, server.url, {"width": 1200, "height": 800})
    try:
        run.page.goto(server.url + "articles/hostile/", wait_until="load")
        run.page.wait_for_selector("html[data-glossator-preview=live]", timeout=20_000)
        broken = "\n".join([
            "article: hostile", "annotations:", "  - id: a", "    kind: claim",
            f"    quote: {yaml_quoted(vectors['script'] + ' and nearly')}",  # not found: the hint quotes the text
            f"    verdict: {yaml_quoted(vectors['svg-onload'])}", "    note: A note long enough to be a sentence.",
            "    by: tester", "    added: 2024-06-01", f"    {yaml_quoted(vectors['img-onerror'])}: 1",
            f"    qoute: {yaml_quoted(vectors['tag-breakout'])}", ""])
        (root / "annotations" / "hostile.yaml").write_text(broken, encoding="utf-8")
        pre = run.page.locator("#glossator-preview-overlay [role=alertdialog] pre")
        pre.wait_for(timeout=20_000)
        run.page.wait_for_function(  # the build that reports this file, not an earlier one
            "(text) => document.getElementById('glossator-preview-overlay')?.shadowRoot.querySelector('pre')"
            ".textContent.includes(text)", arg=vectors["img-onerror"], timeout=20_000)
        shown = pre.text_content() or ""
        run.found.dom += run.page.evaluate(OVERLAY_AUDIT_SCRIPT)
        run.found.swept += run.page.evaluate(SWEEP_SCRIPT)
        run.harvest()
    finally:
        run.close()
        assert server.stop() == 0
    assert "Traceback" not in server.output()
    # the vectors are in the overlay, as the words of the diagnostics
    assert vectors["img-onerror"] in shown and vectors["svg-onload"] in shown, shown
    assert not run.found.failures(), run.found.failures()

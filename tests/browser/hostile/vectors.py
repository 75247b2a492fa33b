"""The hostile archive (tests/browser/test_hostile.py): XSS vectors, numbered as they are planted in
each field a contributor controls, and the two archives made of them: one whose every field
carries every vector its format allows, and one of the values the format forbids, with the line
`check` must report each on."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from glossator.diagnostics import yaml_quoted

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

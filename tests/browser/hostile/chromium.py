"""The hostile archive's pages in Chromium: one browser context per run that records every vector
that executes, every request that leaves the served site, dialogs, popups, CSP violations and
what the live DOM holds, while a reader's pointer and keyboard (and a sweep of every event an
inline handler listens for) go over each page."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from glossator.render.jinja import CONTENT_SECURITY_POLICY
from tests.browser.hostile.vectors import GLOBAL_RE

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
  const pagefind = await import(document.getElementById('gl_search').dataset.bundle + 'pagefind.js');
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
            # the facets load when the reader opens the filters: the outlets are the hostile `source` fields
            page.click("#search-filters-toggle")
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

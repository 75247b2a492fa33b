#!/usr/bin/env python3
"""The bytes of a reader's first search, side by side with the peers (issue 19), for `run.py`.

    python bench/first_query.py CORPUS GLOSSATOR_SITE [PEER_NAME=SITE ...]

The word in the fewest articles of the archive, begun or extended by no other word of it, is
searched cold in Chromium:
- on Glossator's own search page (`/search/`), as a reader types it: every URL once, as a host
  that gzips text would send it (search_bench.py's accounting), page, CSS and scripts included;
- through Pagefind's own API, on a blank page, against each site's bundle, Glossator's and each
  peer's (Hugo + Pagefind, Hugo with the same notes + Pagefind): the engine's bytes alone (its
  library, worker, WebAssembly, entry, meta, index chunks and the first 10 results' fragments),
  which is what a stock Pagefind search costs whatever the page around it.
Nothing is asserted: figures for the report. Needs Playwright (`make test-deps`).
"""

from __future__ import annotations

import functools
import http.server
import re
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

PROBE = "/__first-query.html"  # the blank page the engine runs on: served, not counted
ENGINE_QUERY = """async ([bundle, word]) => {
  const pagefind = await import(bundle + 'pagefind.js');
  await pagefind.options({basePath: bundle});
  await pagefind.init();
  const search = await pagefind.search(word);
  await Promise.all(search.results.slice(0, 10).map((result) => result.data()));
  return search.results.length;
}"""


def rare_word(corpus: Path) -> tuple[str, int]:
    """The word of the articles' text (every peer has it: not all have the notes) in the fewest articles
    (a generated archive has no word in one only), which no other word of the archive begins or
    extends (Pagefind matches a term's extensions too): and in how many."""
    documents: Counter[str] = Counter()
    in_notes: set[str] = set()  # (a word there too would be found in more articles where the notes are indexed)
    for article in (corpus / "content").glob("*.md"):
        documents.update(set(re.findall(r"[a-z]+", article.read_text(encoding="utf-8").lower())))
        notes = corpus / "annotations" / f"{article.stem}.yaml"
        if notes.is_file():
            in_notes.update(re.findall(r"[a-z]+", notes.read_text(encoding="utf-8").lower()))
    words = sorted(in_notes | set(documents))
    alone = [word for i, word in enumerate(words) if word in documents and word not in in_notes and len(word) >= 6
             and not any(
        other.startswith(word) or word.startswith(other) for other in words[max(0, i - 1):i] + words[i + 1:i + 2])]
    word = min(alone, key=lambda w: (documents[w], w))
    return word, documents[word]


def _serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """The site on 127.0.0.1, every response counted (search_bench.py), and the blank page PROBE."""
    from search_bench import CountingHandler

    class ProbeHandler(CountingHandler):
        def do_GET(self) -> None:
            if self.path != PROBE:
                return super().do_GET()
            body = b"<!doctype html><title>first query</title>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return None

    handler = functools.partial(ProbeHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def first_queries(word: str, sites: dict[str, Path], page: str | None = None) -> dict[str, dict[str, int] | int]:
    """For each site with a bundle at pagefind/: "<name> engine" (bytes by kind) and "<name> results";
    for the site named `page`, also "<name> page": its own search page, as a reader uses it."""
    from playwright.sync_api import sync_playwright
    from search_bench import CHROMIUM, CHROMIUM_ARGS, FIRST_QUERY, CountingHandler, transfer_bytes

    out: dict[str, dict[str, int] | int] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for name, site in sites.items():
            if not (site / "pagefind" / "pagefind-entry.json").is_file():
                continue
            server, base = _serve(site)
            try:
                if name == page:  # the reader's page, as search_bench measures it
                    context = browser.new_context()
                    tab = context.new_page()
                    started = time.time()
                    tab.goto(base + "/search/")
                    tab.evaluate(FIRST_QUERY, word)
                    tab.wait_for_timeout(300)  # the last fragments' responses
                    out[f"{name} page"] = transfer_bytes(CountingHandler.log, site, started, time.time())
                    context.close()
                context = browser.new_context()
                tab = context.new_page()
                tab.goto(base + PROBE)
                started = time.time()
                out[f"{name} results"] = tab.evaluate(ENGINE_QUERY, ["/pagefind/", word])
                tab.wait_for_timeout(300)
                out[f"{name} engine"] = transfer_bytes(CountingHandler.log, site, started, time.time())
                context.close()
            finally:
                server.shutdown()
        browser.close()
    return out


def report(word: str, articles: int, figures: dict[str, dict[str, int] | int]) -> str:
    lines = [f"First search, cold, for “{word}” (in {articles} of the archive's articles), every URL once, "
             "gzipped as a host sends it:", "",
             "| | results | KB | × Hugo+Pagefind | × Hugo-notes+Pagefind |", "|---|---|---|---|---|"]

    def total(key: str) -> int | None:
        value = figures.get(key)
        return value["total"] if isinstance(value, dict) else None

    def row(label: str, key: str, results: str) -> str:
        mine = total(key)
        ratios = [f"{mine / theirs:.2f}" if mine and (theirs := total(f"{peer} engine")) else "–"
                  for peer in ("hugo+pagefind", "hugo-notes+pagefind")]
        return f"| {label} | {figures.get(results, '–')} | {(mine or 0) / 1000:.1f} | {' | '.join(ratios)} |"

    for key in figures:
        if key.endswith(" page"):
            name = key.removesuffix(" page")
            lines.append(row(f"{name}: its search page, all of it", key, f"{name} results"))
    for key in figures:
        if key.endswith(" engine"):
            name = key.removesuffix(" engine")
            lines.append(row(f"{name}: Pagefind's API alone", key, f"{name} results"))
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) < 3:
        raise SystemExit(__doc__.split("\n\n")[1])
    corpus, sites = Path(sys.argv[1]), {"glossator": Path(sys.argv[2])}
    sites.update({name: Path(site) for name, site in (argument.split("=", 1) for argument in sys.argv[3:])})
    word, articles = rare_word(corpus)
    print(report(word, articles, first_queries(word, sites, page="glossator")))


if __name__ == "__main__":
    main()

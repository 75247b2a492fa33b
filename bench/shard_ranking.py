#!/usr/bin/env python3
"""How far search results move when the index is in shards (issue 19): one archive built as one
Pagefind bundle and with several `search_shard_size`s, the same queries run against each in
Chromium (Pagefind's API, loaded as templates/static/search.js loads it), the order of results
compared with the one bundle's.

    python bench/shard_ranking.py [--articles 1000] [--sizes 200,500] [--work bench/out] [--json FILE]

The archive and its planted rare words are search_bench.py's (make_corpus.py); sites it built are
reused (`search-site-<articles>-<shard size>`; the one bundle is shard size 100000). Per query:
  - results: how many each index finds (the shards are merged into one bundle, search/merge.py:
    the same; merged in the browser, as first designed, a shard that lacked a word matched a
    shorter word that begins it: see tests/browser/test_search_shards.py);
  - top-10 overlap: the share of the one bundle's first 10 results that are among the shards' first 10;
  - displacement: for each of the one bundle's first 10, how many places it moved in the shards'
    whole list (a result the shards do not find counts as moved to the end), averaged.
Nothing here is asserted: it is a measurement for the report.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import re
import statistics
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_bench import make_corpus  # noqa: E402

from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

ONE_BUNDLE = 100_000  # a search_shard_size no archive here reaches
TOP = 10

RANKINGS = """async ([queries]) => {
  const html = await (await fetch('/search/')).text();
  const primary = html.match(/data-bundle="([^"]*)"/)[1];
  const pagefind = await import(primary + 'pagefind.js');
  await pagefind.options({basePath: primary, baseUrl: '/', excerptLength: 24});
  await pagefind.init();
  const out = {};
  for (const q of queries) out[q] = (await pagefind.search(q)).results.map((r) => r.id);
  return out;
}"""


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def queries(root: Path, planted: list[str]) -> dict[str, list[str]]:
    """Queries by kind: function words, planted rare words, corpus words of three frequencies, pairs."""
    documents: Counter[str] = Counter()
    for article in sorted((root / "content").glob("*.md")):
        notes = root / "annotations" / f"{article.stem}.yaml"
        text = article.read_text(encoding="utf-8") + (notes.read_text(encoding="utf-8") if notes.exists() else "")
        documents.update(set(re.findall(r"\b[a-z]{5,}\b", text.lower())))
    articles = sum(1 for _ in (root / "content").glob("*.md"))

    def band(low: float, high: float, count: int) -> list[str]:
        words = [w for w, n in sorted(documents.items()) if low * articles <= n <= high * articles
                 and not w.endswith("zk")]
        return words[:: max(1, len(words) // count)][:count]

    rare, middling, frequent = band(0.003, 0.01, 10), band(0.02, 0.1, 10), band(0.2, 0.6, 10)
    return {
        "function words": ["the", "said", "which", "from"],
        "planted (1 article)": planted[:10],
        "rare (0.3-1% of articles)": rare,
        "middling (2-10%)": middling,
        "frequent (20-60%)": frequent,
        "two words": [f"{a} {b}" for a, b in zip(middling, frequent, strict=False)][:8],
    }


def rankings(site: Path, all_queries: list[str]) -> dict[str, list[str]]:
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/404.html")  # a page without search.js
            found = page.evaluate(RANKINGS, [all_queries])
            browser.close()
    finally:
        server.shutdown()
    return found


def compare(one: list[str], sharded: list[str]) -> dict[str, float]:
    top = one[:TOP]
    where = {page: rank for rank, page in enumerate(sharded)}
    overlap = len(set(top) & set(sharded[:TOP])) / len(top) if top else 1.0
    moved = [abs(rank - where.get(page, len(sharded))) for rank, page in enumerate(top)]
    return {"results_one": len(one), "results_shards": len(sharded), "overlap": overlap,
            "displacement": statistics.mean(moved) if moved else 0.0}


def build(root: Path, site: Path, size: int) -> None:
    if (site / "search" / "index.html").is_file():
        return
    (root / "site.yaml").write_text(f"search_shard_size: {size}\n", encoding="utf-8")
    subprocess.run([sys.executable, "build.py", "build", "--root", str(root), "--out", str(site)], cwd=REPO,
                   check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--sizes", default="200,500", help="search_shard_sizes to compare with one bundle")
    parser.add_argument("--work", type=Path, default=REPO / "bench" / "out")
    parser.add_argument("--json", type=Path, help="also write the per-query figures here")
    args = parser.parse_args()
    root, planted = make_corpus(args.articles, args.work, 15, ONE_BUNDLE)
    by_kind = queries(root, planted)
    every = [q for qs in by_kind.values() for q in qs]
    sites = {size: args.work / f"search-site-{args.articles}-{size}"
             for size in [ONE_BUNDLE, *map(int, args.sizes.split(","))]}
    for size, site in sites.items():
        build(root, site, size)
    found = {size: rankings(site, every) for size, site in sites.items()}
    out: dict[str, object] = {"articles": args.articles, "queries": by_kind, "sizes": {}}
    print(f"ranking in shards against one bundle, {args.articles} articles (top {TOP})")
    for size in sites:
        if size == ONE_BUNDLE:
            continue
        store = sites[size].parent / f".{sites[size].name}.glossator-cache" / "search"
        shards = len(list(store.glob("*/pagefind-entry.json")))  # (merged into the site's one bundle)
        print(f"  search_shard_size {size} ({shards} shards):")
        per_query = {q: compare(found[ONE_BUNDLE][q], found[size][q]) for q in every}
        out["sizes"][str(size)] = per_query  # type: ignore[index]
        print(f"    {'queries':28} {'overlap@10':>10} {'displacement':>12} {'same count':>10} {'results one → shards'}")
        for kind, qs in [*by_kind.items(), ("all", every)]:
            rows = [per_query[q] for q in qs]
            same = sum(r["results_one"] == r["results_shards"] for r in rows)
            counts = ", ".join(f"{r['results_one']}→{r['results_shards']}" for r in rows[:4]) if kind != "all" else ""
            print(f"    {kind:28} {statistics.mean(r['overlap'] for r in rows):10.2f} "
                  f"{statistics.mean(r['displacement'] for r in rows):12.2f} {same:>6}/{len(rows):<3} {counts}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()

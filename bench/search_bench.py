#!/usr/bin/env python3
"""Search at scale (issues 12 and 19) on a generated archive.

    python bench/search_bench.py [--articles 10000] [--shard-size 500] [--work bench/out] [--rare 15]
                                 [--skip-build] [--json FILE]

1. The archive comes from make_corpus.py (about 850 words and 15 annotations per article), with
   `search_shard_size` set in its site.yaml (Pagefind runs on shards of that many articles, merged into one bundle).
2. It is built from scratch (`build.py build`, cache removed): wall time and peak memory of the
   whole process tree. The built site is then indexed again on its own (glossator.search.index_site,
   Pagefind included) for the indexing share of the build.
3. The site is served on 127.0.0.1 by a server that counts the bytes it sends (so the Web
   Worker's own requests count too), and headless Chromium measures:
   - the bytes of the first query of a rare and of a common word, cold cache, from opening
     /search/ to the results being rendered: every distinct URL once, as a host that gzips text
     would send it (the page, its CSS and scripts, Pagefind's library, worker and entry files;
     its WebAssembly, meta, index chunks and fragments are gzipped already), by kind;
   - then the bytes of opening the filter panel (its script and the filter files) until the
     counts are shown;
   - time from the last keystroke to the results being rendered, warm (the engine loaded),
     median over several rare words and a few common ones, given whole (one input event) and
     typed one character every 100 ms (where earlier prefixes' searches may still be running).
The rare words are planted, one article each (see make_corpus). Targets: rare-word first
query ≤ 300 KB; rare-word median ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import ClassVar

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import measure  # noqa: E402

COMMON_WORDS = ["the", "said", "which"]  # function words: in every article
TYPING_GAP_MS = 100


def corpus_tool() -> Path:
    for candidate in (REPO / "bench" / "make_corpus.py", REPO.parent / "shared" / "bench" / "make_corpus.py"):
        if candidate.is_file():
            return candidate
    sys.exit("make_corpus.py not found (bench/ or ../shared/bench/)")


def make_corpus(size: int, work: Path, rare: int, shard_size: int) -> tuple[Path, list[str]]:
    """The archive, and the words planted in it: each in one article only (a generated corpus has
    none: its rarest words are in dozens of articles). A planted word extends one of those rarest
    words, so that typing it passes through their prefixes, as typing a real rare word would."""
    root = work / f"search-corpus-{size}"  # its own copy: the planted words would skew other benches
    planted = root / "planted-words.json"
    if planted.is_file():
        (root / "site.yaml").write_text(f"search_shard_size: {shard_size}\n", encoding="utf-8")
        return root, json.loads(planted.read_text(encoding="utf-8"))
    shutil.rmtree(root, ignore_errors=True)
    subprocess.run([sys.executable, str(corpus_tool()), "--articles", str(size), "--out", str(root)], check=True)
    frequency: Counter[str] = Counter()
    articles = sorted((root / "content").glob("*.md"))
    for article in articles:
        notes = root / "annotations" / f"{article.stem}.yaml"
        frequency.update(set(re.findall(r"[a-z]{7,}", (article.read_text() + notes.read_text()).lower())))
    rarest = [word for word, _ in sorted(frequency.items(), key=lambda item: (item[1], item[0]))]
    # "zk" ends no English word, so the stemmer leaves it on and the planted word stays apart
    words = [w + "zk" for w in rarest[: rare * 4 : 4] if w + "zk" not in frequency]
    for k, word in enumerate(words):
        article = articles[(k * 7919) % len(articles)]
        article.write_text(article.read_text() + f"\nThe {word} was noted.\n", encoding="utf-8")
    planted.write_text(json.dumps(words), encoding="utf-8")
    (root / "site.yaml").write_text(f"search_shard_size: {shard_size}\n", encoding="utf-8")
    return root, words


class CountingHandler(http.server.SimpleHTTPRequestHandler):
    # (path, body bytes sent, wall-clock time the request arrived), shared by the server's threads
    log: ClassVar[list[tuple[str, int, float]]] = []
    lock: ClassVar[threading.Lock] = threading.Lock()

    def log_message(self, format: str, *args: object) -> None:
        pass

    def handle_one_request(self) -> None:
        self.arrived = time.time()
        super().handle_one_request()

    def copyfile(self, source, outputfile) -> None:
        sent = 0
        while chunk := source.read(64 * 1024):
            outputfile.write(chunk)
            sent += len(chunk)
        with self.lock:
            self.log.append((self.path, sent, self.arrived))


TEXT = {"html": "page", "css": "css", "js": "js", "json": "entry"}  # what a host gzips (kinds by suffix)
PAGEFIND_KINDS = {"pagefind": "wasm", "pf_meta": "pf_meta", "pf_index": "pf_index", "pf_fragment": "pf_fragment",
                  "pf_filter": "pf_filter"}


def kind_of(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    if name in ("pagefind.js", "pagefind-worker.js") or name.startswith("search-filters."):
        return name.split(".")[0]
    suffix = name.rsplit(".", 1)[-1] if "." in name else "html"
    return PAGEFIND_KINDS.get(suffix) or TEXT.get(suffix, suffix)


def transfer_bytes(log: list[tuple[str, int, float]], site: Path, after: float, before: float) -> dict[str, int]:
    """Bytes of the distinct URLs requested in [after, before], by kind, as a host that gzips text
    would send them (Pagefind's own .pf_* and WebAssembly files are gzipped already)."""
    parts: Counter[str] = Counter()
    seen: set[str] = set()
    for url, sent, arrived in log:
        if not after <= arrived <= before or url in seen:
            continue
        seen.add(url)
        path = url.split("?", 1)[0]
        kind = kind_of(path)
        if kind in PAGEFIND_KINDS.values() or not sent:  # (nothing sent: a 304)
            parts[kind] += sent
        else:
            file = site / path.lstrip("/")
            file = file / "index.html" if file.is_dir() else file
            parts[kind] += len(gzip.compress(file.read_bytes(), 6))
    parts["total"] = sum(parts.values())
    return dict(parts)


FIRST_QUERY = """async (word) => {
  const box = document.getElementById('search-q');
  const status = document.getElementById('search-status');
  const rendered = new Promise(resolve => {
    const observer = new MutationObserver(() => {
      if (status.textContent.includes('“' + word + '”')) {
        observer.disconnect();
        requestAnimationFrame(() => resolve(Date.now()));
      }
    });
    observer.observe(status, {childList: true, subtree: true, characterData: true});
  });
  const started = Date.now();
  box.value = word;
  box.dispatchEvent(new Event('input', {bubbles: true}));
  const at = await rendered;
  return [started, at];
}"""

TYPE_AND_TIME = """async ([word, gap]) => {
  const box = document.getElementById('search-q');
  const status = document.getElementById('search-status');
  const sleep = (ms) => new Promise(r => setTimeout(r, ms));
  const type = (text) => { box.value = text; box.dispatchEvent(new Event('input', {bubbles: true})); };
  type('');
  await sleep(300);
  if (gap) for (let i = 1; i < word.length; i++) { type(word.slice(0, i)); await sleep(gap); }
  const rendered = new Promise(resolve => {
    const observer = new MutationObserver(() => {
      if (status.textContent.includes('“' + word + '”')) {
        observer.disconnect();
        requestAnimationFrame(() => resolve(performance.now()));
      }
    });
    observer.observe(status, {childList: true, subtree: true, characterData: true});
  });
  const started = performance.now();
  type(word);
  return (await rendered) - started;
}"""


def browser_measurements(site: Path, rare: list[str]) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    handler = functools.partial(CountingHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    out: dict[str, object] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)

        def first_query(word: str) -> dict[str, object]:
            context = browser.new_context()  # a cold cache
            page = context.new_page()
            CountingHandler.log.clear()
            opened = time.time()
            page.goto(base + "search/")
            started, rendered = page.evaluate(FIRST_QUERY, word)
            page.wait_for_timeout(1000)  # anything the page fetches once the results are shown
            after_results = time.time()
            status = page.inner_text("#search-status")
            if page.locator("#search-filters-toggle").count():  # (a page from before issue 19 loads them unasked)
                page.click("#search-filters-toggle")
            page.wait_for_selector("#search-filters [data-facet=outlet] li:not([hidden])", timeout=120_000)
            page.wait_for_timeout(500)
            filters_shown = time.time()
            log = list(CountingHandler.log)
            context.close()
            return {"word": word, "bytes": transfer_bytes(log, site, opened, rendered / 1000),
                    "late_bytes": transfer_bytes(log, site, rendered / 1000, after_results)["total"],
                    "filter_bytes": transfer_bytes(log, site, after_results, filters_shown),
                    "seconds_from_typing": round((rendered - started) / 1000, 3), "status": status}

        out["first_rare"] = first_query(rare[0])
        out["first_common"] = first_query(COMMON_WORDS[0])

        page = browser.new_page()
        page.goto(base + "search/")
        page.evaluate(TYPE_AND_TIME, [rare[-1], 0])  # warm up: the engine (the filter panel stays closed)
        page.wait_for_timeout(1500)
        for gap, label in ((0, "whole"), (TYPING_GAP_MS, "typed")):
            for words, kind in ((rare[1:], "rare"), (COMMON_WORDS, "common")):
                times = [page.evaluate(TYPE_AND_TIME, [word, gap]) for word in words]
                out[f"warm_{kind}_{label}_ms"] = {"median": round(statistics.median(times), 1),
                                                  "min": round(min(times), 1), "max": round(max(times), 1),
                                                  "n": len(times)}
        browser.close()
    server.shutdown()
    return out


INDEX_ONLY = """
import sys
from pathlib import Path
from glossator.build.plan import read_config
from glossator.model import ARTICLE_PAGES_GLOB
from glossator.project import Project
from glossator.search.sharded import index_site
from glossator.search.shards import Shards
site, root = Path(sys.argv[1]), Path(sys.argv[2])
config, _ = read_config(Project.at(root))
shards = Shards.for_archive(sum(1 for _ in site.glob(ARTICLE_PAGES_GLOB)), config.search_shard_size)
problems = index_site(site, config, shards)
if problems:
    sys.exit("\\n".join(p.message for p in problems))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--shard-size", type=int, default=500, help="search_shard_size (articles a search bundle)")
    parser.add_argument("--work", type=Path, default=REPO / "bench" / "out")
    parser.add_argument("--rare", type=int, default=15, help="rare words to time (the first one is also cold)")
    parser.add_argument("--skip-build", action="store_true", help="reuse the site built by an earlier run")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    root, rare = make_corpus(args.articles, args.work, args.rare, args.shard_size)
    site = args.work / f"search-site-{args.articles}-{args.shard_size}"
    results: dict[str, object] = {"articles": args.articles, "shard_size": args.shard_size}
    if not args.skip_build:
        shutil.rmtree(site, ignore_errors=True)
        for stale in args.work.glob(f".{site.name}.glossator-*"):
            shutil.rmtree(stale, ignore_errors=True)
        build = measure([sys.executable, "build.py", "build", "--root", str(root), "--out", str(site)], cwd=REPO)
        index = measure([sys.executable, "-c", INDEX_ONLY, str(site), str(root)], cwd=REPO)
        results["build"] = asdict(build)
        results["index"] = asdict(index)
        results["index_share"] = {"time": round(index.seconds / build.seconds, 3),
                                  "peak_memory": round(index.peak_mib / build.peak_mib, 3)}
    from glossator.search.pagefind import site_bundles, verify_bundle

    bundles = site_bundles(site)
    summaries = [verify_bundle(bundle, entry_pages(bundle)) for bundle in bundles]
    results["bundle"] = {"bundles": len(bundles), "pages": sum(s.pages for s in summaries),
                         "files": sum(s.files for s in summaries),
                         "mib": round(sum(s.bytes for s in summaries) / 2**20, 1)}
    results["rare_words"] = rare
    results.update(browser_measurements(site, rare))
    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


def entry_pages(bundle: Path) -> int:
    """The pages a bundle's entry file says it holds (the bundle check compares them with its meta)."""
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    return sum(language["page_count"] for language in entry["languages"].values())


def report(results: dict) -> None:
    print(f"search bench, {results['articles']} articles, search_shard_size {results['shard_size']}")
    if "build" in results:
        build, index, share = results["build"], results["index"], results["index_share"]
        print(f"  build (search included): {build['seconds']:.1f} s, peak {build['peak_mib']:.0f} MiB")
        print(f"  indexing alone:          {index['seconds']:.1f} s, peak {index['peak_mib']:.0f} MiB "
              f"({share['time']:.0%} of the build's time, {share['peak_memory']:.0%} of its peak memory)")
    bundle = results["bundle"]
    print(f"  index: {bundle['bundles']} bundle(s), {bundle['pages']} pages, {bundle['files']} files, "
          f"{bundle['mib']} MiB")
    for key, label in (("first_rare", "rare"), ("first_common", "common")):
        first = results[key]
        counted = first["bytes"]
        parts = ", ".join(f"{k} {v / 1000:.1f}" for k, v in sorted(counted.items(), key=lambda kv: -kv[1])
                          if k != "total")
        opened = first["filter_bytes"]
        print(f"  first query, {label} word {first['word']!r}: {counted['total'] / 1000:.1f} KB ({parts}); "
              f"{first['seconds_from_typing']:.2f} s from typing (cold); {first['status']}")
        print(f"    after the results, unasked: {first['late_bytes'] / 1000:.1f} KB; opening the filters: "
              f"{opened['total'] / 1000:.1f} KB (" + ", ".join(f"{k} {v / 1000:.1f}" for k, v in opened.items()
                                                         if k != "total") + ")")
    for label, how in (("whole", "the word in one input event (pasted, or typed faster than searches run)"),
                       ("typed", f"typed at {TYPING_GAP_MS} ms a character")):
        print(f"  last keystroke → results rendered, warm, {how}:")
        for kind in ("rare", "common"):
            t = results[f"warm_{kind}_{label}_ms"]
            print(f"    {kind} words: median {t['median']} ms (min {t['min']}, max {t['max']}, n={t['n']})")

if __name__ == "__main__":
    main()

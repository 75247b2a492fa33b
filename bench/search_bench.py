#!/usr/bin/env python3
"""Search at scale (issue 12's targets) on a generated archive.

    python bench/search_bench.py [--articles 10000] [--work bench/out] [--rare 15] [--json FILE]

1. The archive comes from make_corpus.py (about 850 words and 15 annotations per article).
2. It is built from scratch (`build.py build`, cache removed): wall time and peak memory of the
   whole process tree. The built site is then indexed again on its own (glossator.search.index_site,
   Pagefind included) for the indexing share of the build.
3. The site is served on 127.0.0.1 by a server that counts the bytes it sends (so the Web
   Worker's own requests count too), and headless Chromium measures:
   - bytes under /pagefind/ for the first query of a rare and of a common word, cold cache,
     from opening /search/ to the results being rendered (library, worker, WebAssembly,
     entry, meta, index chunks, fragments); the filter data the page fetches afterwards is
     reported beside it;
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


def make_corpus(size: int, work: Path, rare: int) -> tuple[Path, list[str]]:
    """The archive, and the words planted in it: each in one article only (a generated corpus has
    none: its rarest words are in dozens of articles). A planted word extends one of those rarest
    words, so that typing it passes through their prefixes, as typing a real rare word would."""
    root = work / f"search-corpus-{size}"  # its own copy: the planted words would skew other benches
    planted = root / "planted-words.json"
    if planted.is_file():
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


def pagefind_bytes(log: list[tuple[str, int, float]], site: Path, before: float) -> dict[str, int]:
    """Bytes of the bundle's files requested before a moment, by kind; plus the total as a server
    that gzips text responses would send it (the .pf_* and WebAssembly files are gzipped already)."""
    parts: Counter[str] = Counter()
    gzipped = 0
    for path, sent, arrived in log:
        path = path.split("?", 1)[0]
        if "/pagefind/" not in path or arrived > before:
            continue
        name = path.rsplit("/", 1)[-1]
        suffix = name.rsplit(".", 1)[-1]
        parts[{"js": name, "json": "entry", "pagefind": "wasm"}.get(suffix, suffix)] += sent
        text = suffix in ("js", "json")
        gzipped += len(gzip.compress((site / path.lstrip("/")).read_bytes(), 6)) if text else sent
    parts["total"] = sum(parts.values())
    parts["total_if_gzipped"] = gzipped
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
            page.goto(base + "search/")
            started, rendered = page.evaluate(FIRST_QUERY, word)
            page.wait_for_timeout(2000)  # the filter data, fetched once the results are shown
            log = list(CountingHandler.log)
            status = page.inner_text("#search-status")
            context.close()
            return {"word": word, "bytes": pagefind_bytes(log, site, rendered / 1000),
                    "bytes_with_filters": pagefind_bytes(log, site, float("inf"))["total"],
                    "seconds_from_typing": round((rendered - started) / 1000, 3), "status": status}

        out["first_rare"] = first_query(rare[0])
        out["first_common"] = first_query(COMMON_WORDS[0])

        page = browser.new_page()
        page.goto(base + "search/")
        page.evaluate(TYPE_AND_TIME, [rare[-1], 0])  # warm up: engine, workers, filter data
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
from glossator.project import Project
from glossator.search.pagefind import index_site
from glossator.search.shards import ONE_BUNDLE
site, root = Path(sys.argv[1]), Path(sys.argv[2])
config, _ = read_config(Project.at(root))
problems = index_site(site, config, ONE_BUNDLE)
if problems:
    sys.exit("\\n".join(p.message for p in problems))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--work", type=Path, default=REPO / "bench" / "out")
    parser.add_argument("--rare", type=int, default=15, help="rare words to time (the first one is also cold)")
    parser.add_argument("--skip-build", action="store_true", help="reuse the site built by an earlier run")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    root, rare = make_corpus(args.articles, args.work, args.rare)
    site = args.work / f"search-site-{args.articles}"
    results: dict[str, object] = {"articles": args.articles}
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
    from glossator.search.pagefind import verify_bundle

    pages = sum(1 for _ in site.glob("articles/*/index.html"))
    summary = verify_bundle(site / "pagefind", pages)
    results["bundle"] = {"pages": summary.pages, "files": summary.files, "mib": round(summary.bytes / 2**20, 1)}
    results["rare_words"] = rare
    results.update(browser_measurements(site, rare))
    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


def report(results: dict) -> None:
    print(f"search bench, {results['articles']} articles")
    if "build" in results:
        build, index, share = results["build"], results["index"], results["index_share"]
        print(f"  build (search included): {build['seconds']:.1f} s, peak {build['peak_mib']:.0f} MiB")
        print(f"  indexing alone:          {index['seconds']:.1f} s, peak {index['peak_mib']:.0f} MiB "
              f"({share['time']:.0%} of the build's time, {share['peak_memory']:.0%} of its peak memory)")
    bundle = results["bundle"]
    print(f"  bundle: {bundle['pages']} pages, {bundle['files']} files, {bundle['mib']} MiB")
    for key, label in (("first_rare", "rare"), ("first_common", "common")):
        first = results[key]
        counted = first["bytes"]
        parts = ", ".join(f"{k} {v / 1000:.1f}" for k, v in counted.items() if not k.startswith("total"))
        print(f"  first query, {label} word {first['word']!r}: {counted['total'] / 1000:.1f} KB as stored "
              f"({parts}), {counted['total_if_gzipped'] / 1000:.1f} KB if the server gzips the scripts; "
              f"{first['bytes_with_filters'] / 1000:.1f} KB once the filter data has come; "
              f"{first['seconds_from_typing']:.2f} s from typing (cold); {first['status']}")
    for label, how in (("whole", "the word in one input event (pasted, or typed faster than searches run)"),
                       ("typed", f"typed at {TYPING_GAP_MS} ms a character")):
        print(f"  last keystroke → results rendered, warm, {how}:")
        for kind in ("rare", "common"):
            t = results[f"warm_{kind}_{label}_ms"]
            print(f"    {kind} words: median {t['median']} ms (min {t['min']}, max {t['max']}, n={t['n']})")

if __name__ == "__main__":
    main()

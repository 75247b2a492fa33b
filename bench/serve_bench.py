#!/usr/bin/env python3
"""Live-preview latency on generated archives (issue 6's targets).

    python bench/serve_bench.py [--sizes 1000 10000] [--edits 7] [--browser-size 1000] [--work DIR]

For each size, `build.py serve` runs on a free port over an archive made by make_corpus.py;
one annotation note is edited again and again, and we measure:

- write → reload event: from the file write to the `reload` server-sent event reaching a
  client that holds the article page's stamp (target: median ≤ 150 ms at 1,000 articles,
  and no more than 1.5× that at 10,000);
- write → new text visible in Chromium (at --browser-size articles): from the write to the
  reloaded page's first contentful paint, with the edited note in it (target ≤ 400 ms).

Medians over --edits edits, each made once the previous one's build is complete. The
server's own "rebuilt in" time is reported beside them.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.serve_process import REBUILT, EventStream, ServeProcess, raw_get  # noqa: E402

STAMP = re.compile(rb'data-epoch="([^"]+)" data-page="([^"]*)"')
BUILD_SECONDS = re.compile(r"^rebuilt in ([0-9.]+) s")


def corpus_tool() -> Path:
    for candidate in (REPO / "bench" / "make_corpus.py", REPO.parent / "shared" / "bench" / "make_corpus.py"):
        if candidate.is_file():
            return candidate
    sys.exit("make_corpus.py not found (bench/ or ../shared/bench/)")


def make_corpus(size: int, work: Path) -> Path:
    root = work / f"corpus-{size}"
    if not (root / "content").is_dir():
        subprocess.run([sys.executable, str(corpus_tool()), "--articles", str(size), "--out", str(root)], check=True)
    return root


class NoteEditor:
    """Edits the first note of one annotation file, a different text each time."""

    def __init__(self, root: Path) -> None:
        self.path = sorted((root / "annotations").glob("*.yaml"))[0]
        self.slug = self.path.stem
        self.original = self.path.read_text(encoding="utf-8")
        self.count = 0

    def edit(self) -> str:
        self.count += 1
        marker = f"Bench edit {self.count} at {time.time_ns()}"
        self.path.write_text(self.original.replace('note: "', f'note: "{marker}. ', 1), encoding="utf-8")
        return marker

    def restore(self) -> None:
        self.path.write_text(self.original, encoding="utf-8")


def build_seconds(server: ServeProcess, since: int) -> float:
    line = server.wait_for(REBUILT, since=since, timeout=600)
    match = BUILD_SECONDS.match(line)
    return float(match[1]) if match else float("nan")


def reload_latencies(server: ServeProcess, editor: NoteEditor, edits: int) -> tuple[list[float], list[float]]:
    page_path = f"/articles/{editor.slug}/"
    latencies, builds = [], []
    for _ in range(edits):
        status, _, body = raw_get(server.port, page_path)
        assert status == 200, status
        stamp, page = STAMP.search(body).groups()  # type: ignore[union-attr]
        with EventStream(server.port, f"epoch={stamp.decode()}&page={page.decode()}", timeout=600) as events:
            mark = server.mark()
            started = time.perf_counter()
            editor.edit()
            event = next(event for event, _ in events if event in ("reload", "problems"))
            elapsed = time.perf_counter() - started
        assert event == "reload", server.output()[-2000:]
        latencies.append(elapsed)
        builds.append(build_seconds(server, mark))
    return latencies, builds


def browser_latencies(server: ServeProcess, editor: NoteEditor, edits: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(server.url + f"articles/{editor.slug}/")
        for _ in range(edits):
            page.wait_for_selector("html[data-glossator-preview=live]")
            mark = server.mark()
            with page.expect_event("load", timeout=600_000):
                written = time.time()
                marker = editor.edit()
            assert page.locator(".note-text", has_text=marker).count() == 1
            painted = page.evaluate(
                """() => {
                  const paint = performance.getEntriesByName('first-contentful-paint')[0];
                  return performance.timeOrigin + (paint ? paint.startTime : performance.now());
                }"""
            )
            results.append(painted / 1000 - written)
            build_seconds(server, mark)
        browser.close()
    return results


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.0f} ms (min {min(values) * 1000:.0f}, max {max(values) * 1000:.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--edits", type=int, default=7)
    parser.add_argument("--browser-size", type=int, default=1000, help="0 to skip the Chromium measurement")
    parser.add_argument("--work", type=Path, help="where corpora are generated (kept between runs)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="glossator-serve-bench-"))
    results: dict[str, dict[str, object]] = {}
    for size in args.sizes:
        root = make_corpus(size, work)
        editor = NoteEditor(root)
        started = time.perf_counter()
        server = ServeProcess(root).ready(timeout=3600)
        first_build = time.perf_counter() - started
        try:
            # the session's one full search index runs in the background; edits made meanwhile would
            # stop and restart it, and measure the edits against an 8 GiB Pagefind run at 10,000
            server.wait_for(re.compile(r"^search index updated in "), timeout=3600)
            first_index = time.perf_counter() - started - first_build
            latencies, builds = reload_latencies(server, editor, args.edits)
            row: dict[str, object] = {"first_build_s": round(first_build, 2), "first_index_s": round(first_index, 2),
                                      "write_to_reload_event_ms": [round(v * 1000, 1) for v in latencies],
                                      "rebuild_s": builds}
            print(f"{size:>6} articles: first build {first_build:.1f} s, then its search index {first_index:.1f} s; "
                  f"write → reload event {ms(latencies)}; "
                  f"rebuild {statistics.median(builds):.3f} s", flush=True)
            if size == args.browser_size:
                visible = browser_latencies(server, editor, args.edits)
                row["write_to_text_visible_ms"] = [round(v * 1000, 1) for v in visible]
                print(f"{size:>6} articles: write → new text visible in Chromium {ms(visible)}", flush=True)
        finally:
            server.stop()
            editor.restore()
        results[str(size)] = row
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()

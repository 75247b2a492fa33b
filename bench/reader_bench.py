#!/usr/bin/env python3
"""The article page's weight and the cost of laying out its notes (issue 11's targets).

    python bench/reader_bench.py [--work bench/out/reader] [--runs 20] [--json FILE]

1. Page weight: the seed archive is built; the seed article's HTML and every stylesheet and
   script it references are gzipped (level 9, as a server would send them). Target: ≤ 40 KB.
2. Notes layout: the generated stress article (40 annotations in 5 paragraphs, nested and
   overlapping, a quote across two paragraphs, a 30-line note) is opened in headless Chromium
   at 1440×900. notes.js wraps every layout in a Performance API measure
   ("glossator-layout", including the forced reflow that settles the positions; it starts once
   the page's own style and layout are settled). The bench reads the measure of the first
   layout, then forces fresh layouts (hiding and showing a kind) and reports median and worst,
   with the whole cost of a toggle (event, style recalculation, page and notes layout) beside
   it. The same at 390×844 with every note open under its paragraph, where the fresh layouts
   come from a few pixels of resize (the text reflows). Target: ≤ 16 ms.
3. Lighthouse is run only if a `lighthouse` binary is found (npm `lighthouse`, with
   CHROME_PATH=/usr/bin/chromium); otherwise the report says it was not run. Beside the four
   scores: the performance metrics (simulated throttling, so CPU-sensitive: a busy machine
   stretches the main-thread tasks Lighthouse multiplies) and the long tasks behind a TBT.
The load average is printed first: layout times and Lighthouse both move with it.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.browser.reader_fixtures import STRESS_SLUG, stress_article  # noqa: E402
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, SEED_SLUG, write_archive  # noqa: E402

WEIGHT_TARGET_KB = 40
LAYOUT_TARGET_MS = 16


@dataclass(frozen=True)
class Weight:
    file: str
    raw_bytes: int
    gzip_bytes: int


@dataclass(frozen=True)
class Layout:
    viewport: str
    first_ms: float
    median_ms: float
    worst_ms: float
    runs: int
    toggle_median_ms: float  # a kind toggled, end to end: event, style, layout of page and notes


def build(root: Path, out: Path) -> None:
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--root", str(root), "--out", str(out)],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"build failed:\n{result.stderr}")


def page_weight(site: Path) -> list[Weight]:
    page = site / "articles" / SEED_SLUG / "index.html"
    html = page.read_bytes()
    files = [("article HTML", html)]
    for ref in re.findall(rb'<(?:link rel="stylesheet" href|script src)="([^"]+)"', html):
        path = site / ref.decode().lstrip("/")
        files.append((ref.decode(), path.read_bytes()))
    return [Weight(name, len(data), len(gzip.compress(data, 9, mtime=0))) for name, data in files]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def layout_times(site: Path, runs: int) -> list[Layout]:
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/articles/{STRESS_SLUG}/"
    results = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            for name, viewport in (("1440x900", (1440, 900)), ("390x844 (all notes open)", (390, 844))):
                page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
                page.goto(url)
                page.wait_for_load_state("load")
                page.evaluate("document.fonts.ready")
                first = page.evaluate("performance.getEntriesByName('glossator-layout')[0].duration")
                if viewport[0] < 1200:
                    page.evaluate("""() => { for (const ref of document.querySelectorAll('#page-text a.note-ref'))
                                               ref.click(); }""")
                page.evaluate("performance.clearMeasures('glossator-layout')")
                for i in range(runs):
                    # each change lays every note out again (heights and highlight positions re-read)
                    if viewport[0] < 1200:  # (hiding a kind would close its notes: reflow the text instead)
                        page.set_viewport_size({"width": viewport[0] - 6 * ((i + 1) % 2), "height": viewport[1]})
                        page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
                    else:
                        page.uncheck("#show_context")
                        page.check("#show_context")
                durations = page.evaluate(
                    "performance.getEntriesByName('glossator-layout').map(e => e.duration)")
                toggles = page.evaluate("""(runs) => {
                  const toggle = document.getElementById('show_context'), out = [];
                  for (let i = 0; i < runs; i++) {
                    const t0 = performance.now();
                    toggle.click();
                    void document.body.offsetHeight;
                    out.push(performance.now() - t0);
                  }
                  return out;
                }""", runs)
                results.append(Layout(name, round(first, 2), round(statistics.median(durations), 2),
                                      round(max(durations), 2), len(durations), round(statistics.median(toggles), 2)))
                page.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return results


def lighthouse(site: Path) -> str:
    binary = shutil.which("lighthouse") or str(REPO / "node_modules" / ".bin" / "lighthouse")
    if not Path(binary).exists():
        return "not run: Lighthouse is not installed (npm `lighthouse`)"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    lines = []
    try:
        for path in ("", f"articles/{SEED_SLUG}/"):
            result = subprocess.run(
                [binary, base + path, "--quiet", "--output=json", "--chrome-flags=--headless --no-sandbox",
                 "--only-categories=performance,accessibility,best-practices,seo"],
                capture_output=True, text=True, check=False, env={**os.environ, "CHROME_PATH": CHROMIUM},
            )
            if result.returncode != 0:
                lines.append(f"/{path}: lighthouse failed: {result.stderr.strip()[-300:]}")
                continue
            report = json.loads(result.stdout)
            scores = ", ".join(f"{k} {round(v['score'] * 100)}" for k, v in report["categories"].items())
            lines.append(f"/{path}: {scores}")
            lines.append("    " + _lighthouse_metrics(report["audits"]))
    finally:
        server.shutdown()
        server.server_close()
    return "\n".join(lines)


def _lighthouse_metrics(audits: dict) -> str:
    """The metrics the performance score is made of, and the long tasks (over 50 ms, simulated)."""
    metrics = [("FCP", "first-contentful-paint"), ("LCP", "largest-contentful-paint"),
               ("TBT", "total-blocking-time"), ("SI", "speed-index")]
    parts = [f"{name} {audits[key]['numericValue']:.0f} ms ({audits[key]['score']})" for name, key in metrics]
    parts.append(f"CLS {audits['cumulative-layout-shift']['numericValue']:.3f}")
    tasks = audits.get("long-tasks", {}).get("details", {}).get("items", [])
    long = ", ".join(f"{t['url'].rsplit('/', 1)[-1] or '/'} {t['duration']:.0f} ms" for t in tasks)
    return "; ".join(parts) + f"; long tasks: {long or 'none'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=REPO / "bench" / "out" / "reader")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)

    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"Load average (1, 5, 15 min): {load} on {os.cpu_count()} CPUs\n")
    seed_site = args.work / "seed-site"
    build(REPO, seed_site)
    weights = page_weight(seed_site)
    total = sum(w.gzip_bytes for w in weights)
    print(f"Seed article page weight (gzip -9), target ≤ {WEIGHT_TARGET_KB} KB:")
    for w in weights:
        print(f"  {w.file:<40} {w.raw_bytes / 1024:7.1f} KB raw  {w.gzip_bytes / 1024:6.1f} KB gzip")
    print(f"  {'total':<40} {sum(w.raw_bytes for w in weights) / 1024:7.1f} KB raw  {total / 1024:6.1f} KB gzip")

    article, annotations = stress_article()
    stress_root = write_archive(args.work / "stress", {STRESS_SLUG: article}, {STRESS_SLUG: annotations})
    stress_site = args.work / "stress-site"
    build(stress_root, stress_site)
    layouts = layout_times(stress_site, args.runs)
    print(f"\nNotes layout of the stress article (40 notes), target ≤ {LAYOUT_TARGET_MS} ms:")
    for lay in layouts:
        print(f"  {lay.viewport:<26} first {lay.first_ms:6.2f} ms   median {lay.median_ms:6.2f} ms   "
              f"worst {lay.worst_ms:6.2f} ms   ({lay.runs} layouts); a kind toggled end to end: "
              f"median {lay.toggle_median_ms:.2f} ms")

    report = lighthouse(seed_site)
    print(f"\nLighthouse: {report}")
    if args.json:
        args.json.write_text(json.dumps({
            "weights": [asdict(w) for w in weights], "weight_total_gzip": total,
            "layouts": [asdict(lay) for lay in layouts], "lighthouse": report,
        }, indent=2))


if __name__ == "__main__":
    main()

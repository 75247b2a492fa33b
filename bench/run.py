#!/usr/bin/env python3
"""`make bench`: Glossator against Hugo (+ Pagefind), Eleventy, MkDocs and Pelican, on the
same generated archives, run alternately in one invocation, reported as ratios.

    python bench/run.py [--quick] [--sizes 1000,10000] [--repeat 3] [--out bench/out]
    python bench/run.py --scale 1000,5000,10000,20000     # the cost curve: cold builds only
    python bench/run.py --in-memory /dev/shm               # pages only and Hugo also in a tmpfs

Archives come from ../shared/bench/make_corpus.py (~850 words, 15 annotations each);
peers are installed by ../shared/bench/setup_peers.sh (run it first: this script only
uses what is there, and says which peers it skipped). With Playwright installed (`make
test-deps`), the bytes of a reader's first search are measured too, against the peers' Pagefind
bundles (first_query.py). Peak memory is the largest sum of
the proportional set sizes (PSS) of the whole process tree, sampled every 20 ms from /proc:
pages the forked workers share count once (summed RSS, which counts them in each, beside it).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "bench"
PYTHON = sys.executable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from first_query import rare_word  # noqa: E402
from first_query import report as search_report  # noqa: E402
from measure import Run, measure  # noqa: E402


def glossator(args: str) -> str:
    return f"{PYTHON} {REPO / 'build.py'} {args}"


def settled(run: Run, site: Path) -> Run:
    """`run`, once the old site its build replaced is deleted. A build returns when the new site is
    in place and leaves the old tree (~80,000 files at 10,000 articles with search) to a detached
    process: left running, it took the next command's cores, Hugo's as well as ours."""
    deadline = time.monotonic() + 300
    while any(site.parent.glob(f".{site.name}.glossator-old-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    return run


def make_corpus(size: int, out: Path) -> Path:
    corpus = out / f"corpus-{size}"
    if not (corpus / "content").is_dir():
        subprocess.run([PYTHON, str(SHARED / "make_corpus.py"), "--articles", str(size), "--out", str(corpus)],
                       check=True, stdout=subprocess.DEVNULL)
    return corpus


def edit_one_note(corpus: Path, round_: int) -> None:
    round_ = time.time_ns()  # unique across invocations too, so the edit always changes the file
    path = sorted((corpus / "annotations").glob("*.yaml"))[0]
    text = path.read_text(encoding="utf-8")
    marker = "Edited in round "
    if marker in text:
        start = text.index(marker)
        end = text.index(".", start)
        text = text[:start] + f"{marker}{round_}" + text[end:]
    else:
        text = text.replace("note: ", f"note: {marker}{round_}. ", 1)
    path.write_text(text, encoding="utf-8")


def peer_commands(corpus: Path, work: Path, quick: bool) -> dict[str, str]:
    if not Path("/tmp/glossator-peers/venv/bin/hugo").exists():
        print("peers not installed: run `bash ../shared/bench/setup_peers.sh` for side-by-side ratios",
              file=sys.stderr)
        return {}
    subprocess.run([PYTHON, str(SHARED / "peers.py"), "prepare", str(corpus), str(work)], check=True,
                   stdout=subprocess.DEVNULL)
    listed = subprocess.run([PYTHON, str(SHARED / "peers.py"), "commands", str(work)], check=True,
                            capture_output=True, text=True).stdout
    commands = dict(line.split("\t", 1) for line in listed.strip().splitlines())
    pagefind = subprocess.run([PYTHON, "-c", "from pagefind_bin import get_executable; print(get_executable())"],
                              capture_output=True, text=True).stdout.strip()
    if "hugo" in commands and pagefind:
        commands["hugo+pagefind"] = (f"{commands['hugo']} && {pagefind} --site {work}/hugo/public "
                                     f"--output-path {work}/hugo/public/pagefind --quiet")
    if "hugo-notes" in commands and pagefind:
        # the fair peer for a build with search: Pagefind indexes the same words as over our pages
        commands["hugo-notes+pagefind"] = (f"{commands['hugo-notes']} && {pagefind} --site {work}/hugo-notes/public "
                                           f"--output-path {work}/hugo-notes/public/pagefind --quiet")
    commands.pop("hugo-notes", None)  # alone, it is Hugo again with longer pages
    if quick:
        commands = {k: v for k, v in commands.items() if k in ("hugo", "hugo+pagefind")}
    commands["py_floor"] = f"{PYTHON} {SHARED / 'py_floor.py'} {corpus} {work}/floor --jobs 2"
    return commands


def first_search(word: str, sites: dict[str, Path], page: str | None = None) -> dict[str, dict[str, int] | int]:
    """A reader's first search, cold, in Chromium (first_query.py); nothing without Playwright."""
    try:
        import playwright  # noqa: F401  (a test tool: `make test-deps`)
    except ImportError:
        return {}
    from first_query import first_queries

    return first_queries(word, sites, page)


def record_in_memory(corpus: Path, hugo: Path, memory: Path, record: Callable[[str, Run], None],
                     sample: bool) -> None:
    """Pages only and Hugo again, their inputs and outputs in a memory file system (tmpfs): the work
    itself, without the disk's. On this machine's ext4 (no journal) a file made soon after many were
    deleted costs ~0.2 ms in the kernel (ext4 skips recently deleted inodes one by one, in
    find_inode_bit): both tools make 30,000-40,000 files where they deleted as many."""
    work = memory / "glossator-bench"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(corpus, work / "corpus")
    shutil.copytree(hugo, work / "hugo", ignore=shutil.ignore_patterns("public"), symlinks=True)
    try:
        site = work / "site"
        record("in memory: glossator pages only", settled(measure(glossator(
            f"build --root {work / 'corpus'} --out {site} --no-search"), memory=sample), site))
        hugo_command = subprocess.run([PYTHON, str(SHARED / "peers.py"), "commands", str(work)], check=True,
                                      capture_output=True, text=True).stdout
        command = dict(line.split("\t", 1) for line in hugo_command.strip().splitlines())["hugo"]
        record("in memory: hugo", measure(command, memory=sample))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def bench_size(size: int, out: Path, repeat: int, quick: bool,
               searches: dict[str, dict[str, int] | int] | None = None,
               memory: Path | None = None) -> dict[str, list[Run]]:
    """The timings at one size; with `searches`, the first search's bytes of each site are added to it."""
    corpus = make_corpus(size, out)
    site = out / f"site-{size}"
    cache = site.parent / f".{site.name}.glossator-cache"
    root = f"--root {corpus} --out {site}"
    results: dict[str, list[Run]] = {}

    def record(name: str, run: Run) -> None:
        results.setdefault(name, []).append(run)

    for round_ in range(repeat):
        sample = round_ == 0  # memory in the first round; the time from the others, if any (measure.py)
        # Each round's peers start from fresh folders: over the output of an earlier run, Pagefind
        # skips the files it finds there already (59.5 s on the Hugo-notes pages fresh, 24.6 s again)
        peers = peer_commands(corpus, out / f"peers-{size}", quick)
        shutil.rmtree(cache, ignore_errors=True)
        record("glossator cold build", settled(measure(glossator(f"build {root}"), memory=sample), site))
        record("glossator no-change rebuild", settled(measure(glossator(f"build {root}"), memory=sample), site))
        edit_one_note(corpus, round_)
        record("glossator one-note rebuild", settled(measure(glossator(f"build {root}"), memory=sample), site))
        if searches is not None and not round_:  # (the site has its search index until the pages-only build)
            searches.update(first_search(word := rare_word(corpus)[0], {"glossator": site}, page="glossator"))
        shutil.rmtree(cache, ignore_errors=True)
        record("glossator pages only (no search)",
               settled(measure(glossator(f"build {root} --no-search"), memory=sample), site))
        record("glossator check", measure(glossator(f"check --root {corpus}"), memory=sample))
        for name, command in peers.items():
            shutil.rmtree(out / f"peers-{size}" / "floor", ignore_errors=True)
            record(name, measure(command, memory=sample))
        if memory is not None and "hugo" in peers:
            record_in_memory(corpus, out / f"peers-{size}" / "hugo", memory, record, sample)
        if searches is not None and not round_:
            peer_sites = {"hugo+pagefind": out / f"peers-{size}" / "hugo" / "public",
                          "hugo-notes+pagefind": out / f"peers-{size}" / "hugo-notes" / "public"}
            searches.update(first_search(word, {k: v for k, v in peer_sites.items() if k in peers}))
    return results


def report(size: int, results: dict[str, list[Run]]) -> str:
    def median(name: str) -> Run | None:
        runs = results.get(name)
        if not runs:
            return None
        timed = [r for r in runs if not r.memory] or runs  # (sampling memory slows a run: measure.py)
        return Run(statistics.median(r.seconds for r in timed), max(r.peak_mib for r in runs),
                   max(r.peak_rss_mib for r in runs))

    hugo, hugo_pagefind, fair = median("hugo"), median("hugo+pagefind"), median("hugo-notes+pagefind")
    runs = len(next(iter(results.values())))
    timing = "one run" if runs == 2 else f"median of {runs - 1} runs"
    how = f"time: {timing}; memory: another run" if runs > 1 else "one run, timed with memory sampled"
    lines = [f"\n### {size:,} articles ({how})\n",
             "| | wall | peak PSS (RSS) | × Hugo | × Hugo+Pagefind | × Hugo-notes+Pagefind |",
             "|---|---|---|---|---|---|"]

    def ratio(run: Run, peer: Run | None) -> str:
        return f"{run.seconds / peer.seconds:.2f}" if peer else "–"

    memory_hugo = median("in memory: hugo")
    for name in results:
        run = median(name)
        if name.startswith("in memory:"):  # (against Hugo run the same way)
            assert run is not None
            lines.append(f"| {name} | {run.seconds:.2f} s | {run.peak_mib:,.0f} ({run.peak_rss_mib:,.0f}) MiB "
                         f"| {ratio(run, memory_hugo)} (in memory) | – | – |")
            continue
        assert run is not None
        lines.append(f"| {name} | {run.seconds:.2f} s | {run.peak_mib:,.0f} ({run.peak_rss_mib:,.0f}) MiB "
                     f"| {ratio(run, hugo)} | {ratio(run, hugo_pagefind)} | {ratio(run, fair)} |")
    return "\n".join(lines)


def scale_curve(sizes: list[int], out: Path) -> str:
    """Cold builds only, with and without the search index, at each size: how cost grows."""
    lines = ["\n### Scale: cold builds (one run each, timed with memory sampled)\n",
             "| articles | cold build | peak | pages only | peak | cold ÷ articles |", "|---|---|---|---|---|---|"]
    for size in sizes:
        corpus = make_corpus(size, out)
        site = out / f"site-{size}"
        cache = site.parent / f".{site.name}.glossator-cache"
        shutil.rmtree(cache, ignore_errors=True)
        cold = settled(measure(glossator(f"build --root {corpus} --out {site}")), site)
        shutil.rmtree(cache, ignore_errors=True)
        pages = settled(measure(glossator(f"build --root {corpus} --out {site} --no-search")), site)
        lines.append(f"| {size:,} | {cold.seconds:.1f} s | {cold.peak_mib:,.0f} MiB | {pages.seconds:.1f} s "
                     f"| {pages.peak_mib:,.0f} MiB | {cold.seconds / size * 1000:.2f} ms |")
        print(lines[-1], flush=True)
    return "\n".join(lines)


def interpreter() -> str:
    """Where the Python running Glossator comes from and how it was built: a build with libpython
    shared and no profile-guided optimisation (pyenv's default) takes ~22% longer over the pages."""
    try:  # (Debian's is configured --enable-shared too, yet its python3 links libpython in)
        shared = "libpython shared" if "/libpython" in Path("/proc/self/maps").read_text() else "libpython linked in"
    except OSError:
        shared = "libpython unknown"
    return f"{os.path.realpath(sys.executable)}, {shared}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1,000 articles once, Hugo only (under a minute)")
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    parser.add_argument("--in-memory", type=Path, metavar="DIR",
                        help="a tmpfs folder (such as /dev/shm): pages only and Hugo also run there, without the disk")
    parser.add_argument("--scale", help="instead: cold builds only at these sizes, e.g. 1000,5000,10000,20000")
    args = parser.parse_args()
    sizes = [1000] if args.quick else [int(s) for s in args.sizes.split(",")]
    repeat = 1 if args.quick else args.repeat
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()} "
          f"({interpreter()}), {platform.platform()}")
    if args.scale:
        print(scale_curve([int(s) for s in args.scale.split(",")], args.out))
        return
    for size in sizes:
        searches: dict[str, dict[str, int] | int] = {}
        print(report(size, bench_size(size, args.out, repeat, args.quick, searches, args.in_memory)), flush=True)
        if searches:
            word, articles = rare_word(make_corpus(size, args.out))
            print("\n" + search_report(word, articles, searches), flush=True)
        else:
            print("\n(first search bytes: not measured; they need Playwright: `make test-deps`)", flush=True)


if __name__ == "__main__":
    main()

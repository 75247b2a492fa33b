#!/usr/bin/env python3
"""What versions cost (issue 22): an archive where 10% of the articles have three texts, against
the same archive without versions, built alternately in one invocation.

    python bench/versions_bench.py [--articles 1000] [--repeat 3] [--out bench/out]

Both archives come from ../shared/bench/make_corpus.py. In the versioned one, every tenth article
gets two earlier texts in versions/<slug>/: the first as generated, the second with a sentence
added to one paragraph, and its current text (content/<slug>.md, with a `captured` moment) with
one more sentence and a word changed inside one note's quote, so that the note stays on the
second text (a warning) and the others carry over, as after a real correction. Timed: the cold
build with its search index, a build with nothing changed right after it, the pages alone
(--no-search, cold) and `check` (no build cache: every article checked); the target is within
1.2× of the archive without versions.

Wall time swings with whatever else the machine runs (2 cores, shared), and so, less, does the
CPU time of the build's whole process tree (its workers and Pagefind included): both are
reported, as the median of the rounds and as the fastest round (the one least disturbed),
each with its ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import _tree, tree_memory  # noqa: E402
from run import PYTHON, glossator, make_corpus  # noqa: E402

SHARE = 10  # every tenth article has versions
ADDED = " The council said the figures would be published in full next week."
LATER = " A spokesman declined to comment further on the matter."


TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> tuple[tuple[int, int], float] | None:
    """(the process's identity, its user + system CPU so far), from /proc; None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stream:
            fields = stream.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (pid, int(fields[19])), (int(fields[11]) + int(fields[12])) / TICK


def timed(command: str) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds of the whole process tree (each process's last reading, sampled every
    20 ms: worker processes are not always waited for, so their time is read while they run) and
    the peak memory (MiB), of a shell command."""
    # (stderr to a file: a pipe would fill with the warnings and stop the build)
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, shell=True, stdout=subprocess.DEVNULL, stderr=errors)
        seen: dict[tuple[int, int], float] = {}
        peak = 0
        while process.poll() is None:
            for pid in _tree(process.pid):
                found = _cpu_seconds(pid)
                if found is not None:
                    seen[found[0]] = max(seen.get(found[0], 0.0), found[1])
            peak = max(peak, tree_memory(process.pid)[0])
            time.sleep(0.02)
        wall = time.perf_counter() - started
        errors.seek(0)
        stderr = errors.read()
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {command}\n{stderr.decode()[-2000:]}")
    return wall, sum(seen.values()), peak / 2**20


def _moment(published: str, days: int) -> dt.datetime:
    return dt.datetime.fromisoformat(published).replace(hour=8, tzinfo=dt.UTC) + dt.timedelta(days=days)


def _version(at: dt.datetime, body: str) -> tuple[str, str]:
    return at.strftime("%Y-%m-%d-%H%M") + ".md", f'---\ncaptured:\n  at: "{at:%Y-%m-%dT%H:%M:%SZ}"\n---\n{body}'


def _grow(body: str, rng: random.Random, sentence: str) -> str:
    """A sentence added at the end of one paragraph (quotes come from first sentences: none is touched)."""
    paragraphs = body.split("\n\n")
    plain = [k for k, p in enumerate(paragraphs) if p and p[0].isalpha()]
    k = rng.choice(plain)
    paragraphs[k] = paragraphs[k].rstrip() + sentence
    return "\n\n".join(paragraphs)


def add_versions(archive: Path, seed: int = 22) -> int:
    """Give every SHARE-th article two earlier texts; returns how many articles got them."""
    rng = random.Random(seed)
    articles = sorted((archive / "content").glob("*.md"))[::SHARE]
    for path in articles:
        text = path.read_text(encoding="utf-8")
        _, front, body = text.split("---\n", 2)
        published = re.search(r"^published: (\S+)$", front, re.MULTILINE).group(1)  # type: ignore[union-attr]
        second = _grow(body, rng, ADDED)
        current = _grow(second, rng, LATER)
        notes = (archive / "annotations" / f"{path.stem}.yaml").read_text(encoding="utf-8")
        quote = re.search(r'quote: "([^"]+)"', notes).group(1)  # type: ignore[union-attr]
        words = quote.split(" ")
        changed = " ".join([*words[:-1], words[-1] + "s"])  # the outlet's correction, inside a quoted passage
        current = current.replace(quote, changed, 1)
        folder = archive / "versions" / path.stem
        folder.mkdir(parents=True)
        for days, version in ((1, body), (3, second)):
            name, content = _version(_moment(published, days), version)
            (folder / name).write_text(content, encoding="utf-8")
        captured = f'captured:\n  at: "{_moment(published, 10):%Y-%m-%dT%H:%M:%SZ}"\n'
        path.write_text(f"---\n{front}{captured}---\n{current}", encoding="utf-8")
    return len(articles)


def in_process(archives: dict[str, Path], repeat: int) -> dict[str, float]:
    """The pages alone (no search index), built serially in this process from nothing, timed by this
    process's CPU clock: the fastest of `repeat` builds of each archive, taken alternately. Other
    processes on the machine barely move this figure, where they move wall time by half."""
    sys.path.insert(0, str(REPO))
    from glossator.build import pipeline
    from glossator.build.options import BuildOptions
    from glossator.project import Project

    best: dict[str, float] = {}
    for round_ in range(repeat + 1):  # the first round warms the imports and the caches
        for name, archive in archives.items():
            out = archive.parent / f"{archive.name}-serial"
            shutil.rmtree(out, ignore_errors=True)
            started = time.process_time()
            result = pipeline.build(Project.at(archive, out), BuildOptions(search=False), jobs=1, use_cache=False)
            seconds = time.process_time() - started
            assert result.ok, [d.message for d in result.diagnostics if d.is_error][:5]
            if round_:
                best[name] = min(best.get(name, seconds), seconds)
                print(f"serial round {round_}: {name}: {seconds:.2f} s CPU", flush=True)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    ap.add_argument("--serial-only", action="store_true", help="only the in-process serial pages build")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    corpus = make_corpus(args.articles, args.out)
    archives = {"without versions": args.out / f"versions-{args.articles}-plain",
                "10% with three texts": args.out / f"versions-{args.articles}-texts"}
    for name, archive in archives.items():
        if not archive.is_dir():
            shutil.copytree(corpus, archive)
            if name != "without versions":
                print(f"{add_versions(archive)} articles given two earlier texts", flush=True)
    serial = in_process(archives, args.repeat)
    plain, texts = (serial[name] for name in archives)
    print(f"\npages only, serial, in process, fastest of {args.repeat}: {plain:.2f} s CPU without versions, "
          f"{texts:.2f} s with: {texts / plain:.2f}×\n", flush=True)
    if args.serial_only:
        return
    steps = {  # (command, from nothing: the site and its cache removed first)
        "cold build (with search)": ("build --out {out}", True),
        "no-change rebuild": ("build --out {out}", False),
        "pages only (--no-search)": ("build --no-search --out {out}", True),
        "check": ("check", True),
    }
    wall: dict[tuple[str, str], list[float]] = {}
    cpu: dict[tuple[str, str], list[float]] = {}
    for round_ in range(args.repeat):
        for step, (command, cold) in steps.items():
            for name, archive in archives.items():  # alternately: the machine's drift hits both alike
                out = archive.parent / f"{archive.name}-site"
                if cold:
                    shutil.rmtree(out, ignore_errors=True)
                    shutil.rmtree(out.parent / f".{out.name}.glossator-cache", ignore_errors=True)
                seconds, cpu_seconds, peak = timed(glossator(f"{command.format(out=out)} --root {archive}"))
                wall.setdefault((step, name), []).append(seconds)
                cpu.setdefault((step, name), []).append(cpu_seconds)
                print(f"round {round_ + 1}: {step}, {name}: {seconds:.2f} s wall, {cpu_seconds:.2f} s CPU "
                      f"({peak:.0f} MiB)", flush=True)
    for label, pick in (("median", statistics.median), ("fastest", min)):
        print(f"\n{args.articles:,} articles, {label} of {args.repeat} ({PYTHON}):\n")
        print("| | without versions | 10% with three texts | ratio (wall) | ratio (CPU) |\n|---|---|---|---|---|")
        for step in steps:
            plain, texts = (pick(wall[(step, name)]) for name in archives)
            plain_cpu, texts_cpu = (pick(cpu[(step, name)]) for name in archives)
            print(f"| {step} | {plain:.2f} s ({plain_cpu:.2f} s CPU) | {texts:.2f} s ({texts_cpu:.2f} s CPU) "
                  f"| {texts / plain:.2f}× | {texts_cpu / plain_cpu:.2f}× |")


if __name__ == "__main__":
    main()

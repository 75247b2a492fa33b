"""Timing for the benchmarks: wall time and the peak memory of a whole process tree.

Memory is the proportional set size (PSS) summed over the tree: a page shared by several
processes (the build's forked workers share the engine's) counts once, split between them,
where summed RSS counts it in every process. Both are reported; PSS is the one that says
whether a build fits a machine."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mib: float  # the largest summed PSS of the process tree
    peak_rss_mib: float = 0.0  # the largest summed RSS (shared pages counted in every process)


def _tree(root: int) -> list[int]:
    """A process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stream:
                fields = stream.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending.extend(children.get(pid, []))
    return found


def _pss_and_rss(pid: int) -> tuple[int, int]:
    """(Pss, Rss) of one process in bytes, from its smaps_rollup; (0, 0) once it is gone."""
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as stream:
            for line in stream:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1]) * 1024
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1]) * 1024
    except OSError:
        pass
    return pss, rss


def tree_memory(root: int) -> tuple[int, int]:
    """(summed PSS, summed RSS) of a process tree, in bytes."""
    pss = rss = 0
    for pid in _tree(root):
        one_pss, one_rss = _pss_and_rss(pid)
        pss += one_pss
        rss += one_rss
    return pss, rss


def measure(command: str | list[str], cwd: Path | None = None) -> Run:
    """Wall time and the largest summed PSS (and RSS) of the command's process tree (sampled every 20 ms).

    A string runs through the shell; a list runs as it is. Files written before are flushed to the
    disk first: the last command's writes (a build writes ~1 GB at 10,000 articles) are not written
    back while this one is timed.
    """
    os.sync()
    started = time.perf_counter()
    process = subprocess.Popen(command, shell=isinstance(command, str), cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    peak = peak_rss = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_rss
        while not done.is_set():
            pss, rss = tree_memory(process.pid)
            peak, peak_rss = max(peak, pss), max(peak_rss, rss)
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {command!r}\n{stderr.decode()[-2000:]}")
    return Run(elapsed, peak / 2**20, peak_rss / 2**20)

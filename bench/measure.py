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
    memory: bool = True  # whether memory was sampled (then the peaks are known, and the time is longer)


PAGE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_EVERY = 0.02  # seconds between two samples of the tree's memory
_CHILDREN_LISTED = os.path.exists(f"/proc/self/task/{os.getpid()}/children")  # (CONFIG_PROC_CHILDREN)


def _tree(root: int) -> list[int]:
    """A process and all its descendants, from each thread's list of the children it started
    (Pagefind is started from a thread). Cheap: it reads the tree's own files, not all of /proc."""
    if not _CHILDREN_LISTED:
        return _tree_from_all(root)
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{pid}/task/{task}/children") as stream:
                    pending.extend(int(child) for child in stream.read().split())
            except OSError:
                continue
    return found


def _tree_from_all(root: int) -> list[int]:
    """The same from every process's parent in /proc, for kernels without the children lists."""
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


def _rss(pid: int) -> int:
    """A process's resident set in bytes, from statm (the kernel's counters: no walk of its pages)."""
    try:
        with open(f"/proc/{pid}/statm") as stream:
            return int(stream.read().split()[1]) * PAGE
    except (OSError, IndexError):
        return 0


def _pss(pid: int) -> int:
    """A process's proportional set size in bytes, from smaps_rollup; 0 once it is gone. The kernel
    walks every page of the process to answer: ~1 ms for a build's worker."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as stream:
            for line in stream:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_memory(root: int) -> tuple[int, int]:
    """(summed PSS, summed RSS) of a process tree, in bytes."""
    pids = _tree(root)
    return sum(map(_pss, pids)), sum(map(_rss, pids))


def measure(command: str | list[str], cwd: Path | None = None, memory: bool = True) -> Run:
    """Wall time and, with `memory`, the largest summed PSS (and RSS) of the command's process tree,
    sampled every 20 ms.

    Sampling costs time: the kernel walks every page of every process for its PSS, ~7 ms of CPU a
    sample for a build's tree, and on two cores that is taken from the command (in memory, a
    pages-only build at 10,000 articles took 14% longer sampled, Hugo 24%). So the benchmarks time
    a command in runs without sampling and take its memory from another run.

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
            done.wait(SAMPLE_EVERY)

    sampler = threading.Thread(target=sample, daemon=True) if memory else None
    if sampler:
        sampler.start()
    _, stderr = process.communicate()
    elapsed = time.perf_counter() - started
    done.set()
    if sampler:
        sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {command!r}\n{stderr.decode()[-2000:]}")
    return Run(elapsed, peak / 2**20, peak_rss / 2**20, memory)

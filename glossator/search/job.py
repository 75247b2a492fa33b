"""Search work in a process of its own: `python -m glossator.search.job`, the job as JSON on
standard input, the answer as JSON on standard output.

Merges of bundles are Python from end to end, and a build's main thread writes the listings
(Python too) at the same time: on threads of one process, the two would take turns at the GIL;
in two processes, they have a core each. The same goes for indexing a part while the build
links, lists and caches (a rebuild): Pagefind runs apart anyway, but checking what it wrote
reads every file of the bundle, and a thread that had to win the GIL back from a busy main
thread after each read took ~1 s for what takes 0.05 s alone.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from ..diagnostics import Diagnostic
from .merge import merge_bundles
from .pagefind import BundleProblem, Cancelled, index_shard, run_child, scratch_prefix
from .shards import BUNDLE

PACKAGE_ROOT = Path(__file__).resolve().parent.parent.parent  # the folder that holds `glossator/`
CANCELLED = 3  # the exit status of a job asked to stop (SIGTERM, SIGINT) that stopped


def _run(kind: str, job: dict, cancel: threading.Event | None, what: str) -> dict:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(PACKAGE_ROOT), os.environ.get("PYTHONPATH")])))
    # -P: the working directory (an archive's, whose files are contributors') is not on sys.path
    returncode, stdout, stderr = run_child([sys.executable, "-P", "-m", "glossator.search.job"], cancel,
                                           stdin=json.dumps({kind: job}), graceful=True, env=env)
    if returncode == CANCELLED:  # (Ctrl-C reached it with the rest of the build's process group)
        raise Cancelled
    if returncode != 0:  # a bug, not bad input: reported as one, with the child's traceback
        raise RuntimeError(f"{what} failed in a process of its own (exit status {returncode}); this is a bug: "
                           f"report it with this output:\n{stderr}")
    return json.loads(stdout)


def merge_apart(bundles: Sequence[Path], target: Path, compressed: Path | None, table: bool,
                cancel: threading.Event | None = None) -> set[str]:
    """merge_bundles(), run in a child process; BundleProblem is raised here as there.
    Answer: {"used": [digests]} or {"problem": "what BundleProblem said"}."""
    answer = _run("merge", {"bundles": [str(b) for b in bundles], "target": str(target),
                            "compressed": str(compressed) if compressed else None, "table": table}, cancel,
                  f"merging the search index into {target.name}")
    if "problem" in answer:
        raise BundleProblem(answer["problem"])
    return set(answer["used"])


def index_apart(site_dir: Path, target: Path, slugs: Sequence[str], language: str,
                cancel: threading.Event | None = None, label: str = f"{BUNDLE}/") -> list[Diagnostic]:
    """index_shard(), run in a child process. Cancelled, the child stops its Pagefind and removes
    its scratch folder (or, killed after GRACE, the folder is removed here).
    Answer: {"problems": [each diagnostic's fields, as Diagnostic takes them]}."""
    try:
        answer = _run("index", {"site": str(site_dir), "target": str(target), "slugs": list(slugs),
                                "language": language, "label": label}, cancel, f"indexing {label}")
    except Cancelled:
        for scratch in site_dir.glob(f"{scratch_prefix(target)}*"):
            shutil.rmtree(scratch, ignore_errors=True)
        raise
    return [Diagnostic(*fields[:5], tuple(fields[5]), *fields[6:]) for fields in answer["problems"]]


def main() -> int:
    [(kind, job)] = json.loads(sys.stdin.read()).items()
    if kind == "index":
        cancel = threading.Event()
        for asked in (signal.SIGTERM, signal.SIGINT):  # (the build asks; a terminal's Ctrl-C reaches the group)
            signal.signal(asked, lambda *_: cancel.set())
        try:
            problems = index_shard(Path(job["site"]), Path(job["target"]), job["slugs"], job["language"],
                                   cancel, job["label"])
        except Cancelled:
            return CANCELLED
        print(json.dumps({"problems": [d.__reduce__()[1] for d in problems]}))
        return 0
    if kind != "merge":
        raise ValueError(f"no such search job: {kind!r}")
    try:
        used = merge_bundles([Path(b) for b in job["bundles"]], Path(job["target"]),
                             Path(job["compressed"]) if job["compressed"] else None, table=job["table"])
    except BundleProblem as problem:
        print(json.dumps({"problem": str(problem)}))
        return 0
    print(json.dumps({"used": sorted(used)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Search work in a process of its own: `python -m glossator.search.job '<json>'`.

Merges of bundles are Python from end to end, and a build's main thread writes the listings
(Python too) at the same time: on threads of one process, the two would take turns at the GIL;
in two processes, they have a core each. The same goes for indexing a part while the build
links, lists and caches (a rebuild): Pagefind runs apart anyway, but checking what it wrote
reads every file of the bundle, and a thread that must win the GIL back after each read from a
busy main thread waited ~1 s for what takes 0.05 s alone. The job's arguments and its answer are
JSON, on the command line and on standard output.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from ..diagnostics import Diagnostic
from .merge import COMPRESSION, merge_bundles
from .pagefind import BundleProblem, index_shard, run_child
from .shards import BUNDLE

PACKAGE_ROOT = Path(__file__).resolve().parent.parent.parent  # the folder that holds `glossator/`


def _run(job: dict, cancel: threading.Event | None, **options: object) -> dict:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(PACKAGE_ROOT), os.environ.get("PYTHONPATH")])))
    returncode, stdout, stderr = run_child([sys.executable, "-m", "glossator.search.job", json.dumps(job)], cancel,
                                           env=env, **options)
    if returncode != 0:  # a bug, not bad input: reported as one, with the child's traceback
        raise RuntimeError(f"the search {next(iter(job))} job failed (exit status {returncode}):\n{stderr}")
    return json.loads(stdout)


def merge_apart(bundles: Sequence[Path], target: Path, compressed: Path | None, table: bool,
                cancel: threading.Event | None = None) -> set[str]:
    """merge_bundles(), run in a child process; BundleProblem is raised here as there.
    Answer: {"used": [digests]} or {"problem": "what BundleProblem said"}."""
    answer = _run({"merge": {"bundles": [str(b) for b in bundles], "target": str(target),
                             "compressed": str(compressed) if compressed else None, "table": table}}, cancel)
    if "problem" in answer:
        raise BundleProblem(answer["problem"])
    return set(answer["used"])


def index_apart(site_dir: Path, target: Path, slugs: Sequence[str], language: str,
                cancel: threading.Event | None = None, label: str = f"{BUNDLE}/") -> list[Diagnostic]:
    """index_shard(), run in a child process (in a session of its own: cancelling kills its
    Pagefind too). Answer: {"problems": [the diagnostics' fields]}."""
    answer = _run({"index": {"site": str(site_dir), "target": str(target), "slugs": list(slugs),
                             "language": language, "label": label}}, cancel, start_new_session=True)
    return [Diagnostic(*fields[:5], tuple(fields[5]), fields[6]) for fields in answer["problems"]]


def main(argv: list[str]) -> int:
    [(kind, job)] = json.loads(argv[0]).items()
    if kind == "index":
        problems = index_shard(Path(job["site"]), Path(job["target"]), job["slugs"], job["language"],
                               label=job["label"])
        print(json.dumps({"problems": [[d.path, d.line, d.col, d.severity, d.message, list(d.hints), d.title]
                                       for d in problems]}))
        return 0
    try:
        # a bundle with a word table is a shard's, only ever merged again: its chunks are stored, not
        # compressed (gzip level 0: inflating a shard's level-1 chunks took 0.04 s, 0.8 s of every site
        # merge at 10,000 articles; 0.004 s stored, for 3 MB more a shard in the build cache)
        used = merge_bundles([Path(b) for b in job["bundles"]], Path(job["target"]),
                             Path(job["compressed"]) if job["compressed"] else None, table=job["table"],
                             level=0 if job["table"] else COMPRESSION)
    except BundleProblem as problem:
        print(json.dumps({"problem": str(problem)}))
        return 0
    print(json.dumps({"used": sorted(used)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""A merge of search bundles in a process of its own: `python -m glossator.search.job '<json>'`.

The merge is Python from end to end, and a build's main thread writes the listings (Python
too) at the same time: on threads of one process, the two would take turns at the GIL; in two
processes, they have a core each. The job's arguments and its answer are JSON, on the command
line and on standard output: {"used": [digests]} or {"problem": "what BundleProblem said"}.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from .merge import COMPRESSION, merge_bundles
from .pagefind import BundleProblem, run_child

PACKAGE_ROOT = Path(__file__).resolve().parent.parent.parent  # the folder that holds `glossator/`


def merge_apart(bundles: Sequence[Path], target: Path, compressed: Path | None, table: bool,
                cancel: threading.Event | None = None) -> set[str]:
    """merge_bundles(), run in a child process; BundleProblem is raised here as there."""
    arguments = json.dumps({"bundles": [str(b) for b in bundles], "target": str(target),
                            "compressed": str(compressed) if compressed else None, "table": table})
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(PACKAGE_ROOT), os.environ.get("PYTHONPATH")])))
    returncode, stdout, stderr = run_child([sys.executable, "-m", "glossator.search.job", arguments], cancel, env=env)
    if returncode != 0:  # a bug, not bad input: reported as one, with the child's traceback
        raise RuntimeError(f"the search index merge failed (exit status {returncode}):\n{stderr}")
    answer = json.loads(stdout)
    if "problem" in answer:
        raise BundleProblem(answer["problem"])
    return set(answer["used"])


def main(argv: list[str]) -> int:
    job = json.loads(argv[0])
    try:
        # a bundle with a word table is a shard's, only ever merged again: its chunks need not be small
        used = merge_bundles([Path(b) for b in job["bundles"]], Path(job["target"]),
                             Path(job["compressed"]) if job["compressed"] else None, table=job["table"],
                             level=1 if job["table"] else COMPRESSION)
    except BundleProblem as problem:
        print(json.dumps({"problem": str(problem)}))
        return 0
    print(json.dumps({"used": sorted(used)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

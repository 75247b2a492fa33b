"""The page stage's cost in instructions an article, counted by valgrind: steady where the clock is not.

On a shared VM the same 1,000 articles take 5.6 to 8.6 ms of CPU an article from one run to the
next, so a change to the page stage smaller than ~20% cannot be seen in seconds. Counted by
callgrind, the page stage over N articles in one process, less the same process over none,
repeats to ~0.1%. Compare two versions of the code with it, not two machines.

    python bench/page_instructions.py bench/out/corpus-1000 --articles 50

Needs valgrind (Debian: `apt-get install valgrind`); about a minute for 50 articles.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _run_articles(archive: Path, count: int) -> None:
    """(In the process valgrind watches) the page stage over the first `count` articles, after one
    article to warm it up (templates compiled), so that a count of 0 measures all but the articles."""
    sys.path.insert(0, str(REPO))
    from glossator.build.options import BuildOptions
    from glossator.build.plan import make_plan
    from glossator.build.workers import Batch, run_batch
    from glossator.project import Project

    plan = make_plan(Project(archive, archive / "site"), BuildOptions())
    slugs = tuple(list(plan.articles)[: max(count, 1)])
    out = Path(tempfile.mkdtemp(prefix="page-instructions-"))
    run_batch(Batch(slugs[:1], False, out), plan)
    if count:
        run_batch(Batch(slugs, False, out), plan)


def _instructions(archive: Path, count: int) -> int:
    done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
                           __file__, str(archive), "--articles", str(count), "--inside"],
                          capture_output=True, text=True, check=True)
    found = re.search(r"refs:\s*([\d,]+)", done.stderr)
    if found is None:
        raise SystemExit(f"valgrind printed no count:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("archive", type=Path, help="an archive, e.g. bench/out/corpus-1000 (run.py makes it)")
    parser.add_argument("--articles", type=int, default=50)
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    archive = args.archive.resolve()
    if args.inside:
        _run_articles(archive, args.articles)
        return
    per_article = (_instructions(archive, args.articles) - _instructions(archive, 0)) / args.articles
    print(f"{per_article / 1e6:.2f}M instructions an article ({args.articles} articles of {archive.name})")


if __name__ == "__main__":
    main()

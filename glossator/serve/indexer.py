"""The live preview's search index, rebuilt in the background after each build.

Pagefind indexes the whole site in one run (seconds at 1,000 articles), and a reader who
saves again should not wait for it. It runs on its own thread over the served site,
writing a new bundle beside the old one, which keeps answering searches meanwhile. A
newer build stops it (its pages are about to replace the ones being indexed) and starts
it again once published.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from ..config import load_config
from ..diagnostics import format_text
from ..project import Project
from ..search import Cancelled, index_site


class BackgroundIndexer:
    def __init__(self, project: Project, say: Callable[[str], None]) -> None:
        self.project = project
        self.say = say
        self._thread: threading.Thread | None = None
        self._cancel = threading.Event()
        # the served pages are newer than the served index (a run was stopped, or failed)
        self.behind = False

    def start(self) -> None:
        self.stop()
        self.behind = True
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(self._cancel,), name="glossator-index", daemon=True)
        self._thread.start()

    def stop(self, wait: bool = True) -> None:
        """Stop a run in progress (Pagefind is killed; the old bundle stays)."""
        self._cancel.set()
        if wait and self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self, cancel: threading.Event) -> None:
        started = time.perf_counter()
        try:
            config = load_config(self.project.site_yaml)[0]
            problems = index_site(self.project.out, config, cancel)
        except Cancelled:
            return
        except OSError as exc:  # e.g. the site folder went away: the next build says why
            self.say(f"search index not updated: {exc}")
            return
        if problems:
            self.say("search index not updated:\n" + format_text(problems))
            return
        self.behind = False
        self.say(f"search index updated in {time.perf_counter() - started:.2f} s")

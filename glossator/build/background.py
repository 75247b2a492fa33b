"""A function run in a process of its own while the build goes on, and where processes come from.

After the workers are done, a build merges the archive-wide exports (every new article's data
files read again: 1.6 s at 10,000 articles), renders the listings and saves its cache: Python,
all three, and on two threads of one process they would take turns at the GIL. The merge shares
nothing with the other two but the files it reads, so it runs in a child, on the other core.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import multiprocessing.forkserver
import os
import signal
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

T = TypeVar("T")
ENGINE_ROOT = str(Path(__file__).resolve().parents[2])  # the folder that holds the glossator package


def process_context(*, fork: bool = True) -> multiprocessing.context.BaseContext:
    """fork: children start at once with the engine already imported. But a process with other
    threads (the dev server's HTTP, watcher and indexer threads; a build's search threads) must
    not fork: a lock one of them holds at that instant stays locked forever in the child. There
    children come from a fork server, a clean single-threaded process started once, engine preloaded.
    With `fork` false, from the fork server always: a child forked from this process shares its
    pages, and each one this process then writes is copied."""
    forkserver = "forkserver" in multiprocessing.get_all_start_methods()
    if not forkserver or (fork and threading.active_count() == 1):
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["glossator.build.workers"])
    _ensure_fork_server()
    return context


def _ensure_fork_server() -> None:
    """Start the fork server if it is not running, able to import the engine. It starts as `python -c …`
    in this process's working folder, and Python 3.11 ignores the sys.path it is passed: run from
    another folder (`build.py --root …`), its preload failed silently and every child imported the
    engine itself, ~0.3 s of CPU each (two workers and the exports' merge at 10,000 articles)."""
    previous = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(path for path in (ENGINE_ROOT, previous) if path)
    try:
        multiprocessing.forkserver.ensure_running()
    finally:
        if previous is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = previous


def start_fork_server() -> None:
    """Start the fork server now, not when the first child needs it: its start (a Python process
    importing the engine, ~0.5 s) then runs on the other core while the build plans, rather than
    delaying the workers (a build with search threads) or the exports' merge (build/pipeline.py)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        process_context(fork=False)  # (sets what the server imports, and starts it)


class InBackground(Generic[T]):
    """`function(*args)` in a child process (or here and now, if not `apart`); result() waits for
    it and gives its value, or raises what it raised. stop() ends the child if it is still running."""

    def __init__(self, function: Callable[..., T], *args: Any, apart: bool = True) -> None:
        self._outcome: tuple[str, Any] | None = None
        self._process: multiprocessing.process.BaseProcess | None = None
        if not apart:
            try:
                self._outcome = ("value", function(*args))
            except Exception as exc:  # raised by result(), as the child's would be
                self._outcome = ("error", exc)
            return
        # (from the fork server: forked from this process, the child shared the pages of every summary,
        # which the listings then touch, copying them: +109 MiB at 10,000 articles)
        context = process_context(fork=False)
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_run, args=(send, function, args), daemon=True,
                                        name=f"glossator-{function.__name__}")
        self._process.start()
        send.close()  # (the child's copy is the only one left: a child that dies is seen as the end of the pipe)

    def result(self) -> T:
        if self._outcome is None:
            assert self._process is not None
            try:
                self._outcome = self._receive.recv()
            except EOFError:
                self._process.join()
                self._outcome = ("error", RuntimeError(
                    f"{self._process.name} ended without an answer (exit status {self._process.exitcode})"))
            except Exception as exc:  # (an exception class that cannot be made again from its pickle)
                self._outcome = ("error", RuntimeError(f"{self._process.name}'s answer cannot be read: {exc!r}"))
            finally:
                self._receive.close()
            self._process.join()
        kind, value = self._outcome
        if kind == "error":
            raise value
        return value  # type: ignore[no-any-return]

    def stop(self) -> None:
        if self._process is not None and self._process.is_alive():
            self._process.terminate()
            self._process.join()


def _run(send: multiprocessing.connection.Connection, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
    # Ctrl-C reaches the whole process group: the parent stops the build and ends this child
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    outcome: tuple[str, Any]
    try:
        outcome = ("value", function(*args))
    except Exception as exc:
        outcome = ("error", exc)
    try:
        send.send(outcome)
    except Exception:  # a value or an exception that cannot be pickled: the bug's traceback, then
        text = "".join(traceback.format_exception(outcome[1])) if outcome[0] == "error" else traceback.format_exc()
        send.send(("error", RuntimeError(f"{function.__name__} failed in a child process:\n{text}")))
    send.close()

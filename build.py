#!/usr/bin/env python3
"""Glossator's command line: build | check | serve | new | import | add (see README.md)."""

import os
import sys
from pathlib import Path

# The engine's libraries live in the project's .venv (`make deps`, or any make target, creates it):
# `python build.py …` with a Python that lacks them runs again with that one, rather than
# ending in a traceback; without a .venv, it says how to make one.
_VENV_PYTHON = Path(__file__).resolve().parent / ".venv" / "bin" / "python"
_TRIED_VENV = "GLOSSATOR_TRIED_VENV"


def _missing_library(name: str) -> None:
    if os.environ.get(_TRIED_VENV) is None and _VENV_PYTHON.exists() and Path(sys.executable) != _VENV_PYTHON:
        os.environ[_TRIED_VENV] = "1"
        os.execv(_VENV_PYTHON, [str(_VENV_PYTHON), __file__, *sys.argv[1:]])
    print(f"error: the library `{name}` that Glossator needs is not installed for {sys.executable}\n"
          "    hint: run `make deps` in the project's folder once: it makes .venv/ with every library the\n"
          "    engine needs (pinned in requirements.lock); `python build.py` then runs with it", file=sys.stderr)
    sys.exit(2)


if __name__ == "__main__":
    try:  # (the commands import most of the engine when they start, not here)
        from glossator.cli import main

        status = main()
    except KeyboardInterrupt:  # (Ctrl-C while the engine is still being imported: the same quiet exit as later on)
        print("\ninterrupted", file=sys.stderr)
        sys.exit(130)
    except ModuleNotFoundError as exc:
        if exc.name is None or exc.name.split(".")[0] == "glossator":
            raise
        _missing_library(exc.name.split(".")[0])
    sys.exit(status)

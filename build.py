#!/usr/bin/env python3
"""Glossator's command line: build | check | serve | new (see README.md)."""

import sys

if __name__ == "__main__":
    try:  # (Ctrl-C while the engine is still being imported: the same quiet exit as later on)
        from glossator.cli import main
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        sys.exit(130)
    sys.exit(main())

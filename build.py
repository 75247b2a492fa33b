#!/usr/bin/env python3
"""Glossator's command line: build | check | serve | new (see README.md)."""

import sys

from glossator.cli import main

if __name__ == "__main__":
    sys.exit(main())

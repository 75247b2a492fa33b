"""The harness of tests/browser/test_hostile.py: vectors and archives, file audits, Chromium runs."""

"""Anchor: each quote found in the article's text as a reader sees it; the body rendered with its highlights."""

"""`build.py add`: capture an article from its web page into content/.

The stages, one module each: fetch (the bytes, from the web or a saved file) → decode
(the bytes as text: which charset) → extract (the article's own text, by trafilatura)
→ metadata (title, outlet, date, byline… from JSON-LD, Open Graph and <meta>) →
convert (trafilatura's XML to our Markdown) → write (front matter, slug, the file).
`command` runs them and reports to the editor what was found, guessed or left out.

A web page is untrusted input, like a pull request: every stage treats it so, and every
failure is a `CaptureError`, a one-line message with a hint, never a traceback.
"""

from __future__ import annotations


class CaptureError(Exception):
    """A page that cannot be captured: the message says why, the hint what to do."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

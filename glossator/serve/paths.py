"""Request target → file of the built site, with containment on every path, and MIME types.

MkDocs 1.2.2's dev server could be walked out of its root (CVE-2021-40978); here a
target is decoded exactly once, any `.` or `..` segment is refused outright, and the
result must still be inside the site once symlinks are resolved.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..project import safe_join

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".jsonld": "application/ld+json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    # application/xml, not atom+xml: browsers display it instead of downloading it
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    # Pagefind: its WebAssembly must be application/wasm for streaming compilation; its
    # index files are gzip-compressed binaries the client decompresses itself.
    ".wasm": "application/wasm",
    ".pagefind": "application/octet-stream",
    ".pf_meta": "application/octet-stream",
    ".pf_index": "application/octet-stream",
    ".pf_fragment": "application/octet-stream",
    ".pf_filter": "application/octet-stream",
}


# write.hashed_name: "static/glossator.css" is published as "static/glossator.0123456789.css"
HASHED_ASSET = re.compile(r"static/(?P<stem>.+)\.[0-9a-f]{10}(?P<ext>\.[^./]+)?\Z")


def cache_control(page: str) -> str:
    """Hashed assets never change under their name: the browser may keep them, which makes
    reloads faster. Everything else is checked on every request."""
    return "max-age=31536000, immutable" if HASHED_ASSET.match(page) else "no-cache"


def content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


@dataclass(frozen=True)
class Found:
    file: Path
    page: str  # the file relative to the site root, e.g. "articles/x/index.html"


@dataclass(frozen=True)
class Redirect:
    location: str


@dataclass(frozen=True)
class Missing:
    pass


@dataclass(frozen=True)
class Refused:
    reason: str


Resolution = Found | Redirect | Missing | Refused


def request_path(target: str) -> str | None:
    """The path of a request target (origin-form `/a/b?q` or absolute-form `http://h/a/b`)."""
    if target.startswith("/"):
        # not urlsplit: it would read "//etc/passwd" as host "etc" and path "/passwd"
        return target.split("?", 1)[0].split("#", 1)[0]
    if target.lower().startswith(("http://", "https://")):
        return urlsplit(target).path or "/"
    return None


def query_of(target: str) -> str:
    return target.split("#", 1)[0].partition("?")[2]


def resolve(site: Path, mount: str, target: str) -> Resolution:
    """Where `target` leads inside `site`, served under the URL path `mount` ("/" or "/sub/")."""
    raw = request_path(target)
    if raw is None:
        return Refused("request target must be a path")
    try:
        path = unquote(raw, errors="strict")  # once: "%252e" stays the literal name "%2e"
    except UnicodeDecodeError:
        return Refused("path is not UTF-8")
    if "\x00" in path or "\\" in path:
        return Refused("bad character in path")
    if any(segment in (".", "..") for segment in path.split("/")):
        return Refused("'.' and '..' are not allowed in paths")
    if not path.startswith(mount):
        # "/" or "/sub" on a site mounted at "/sub/": send the visitor to the site
        if mount.startswith(path.rstrip("/") + "/"):
            return Redirect(mount)
        return Missing()
    relative = path[len(mount):]
    candidate = safe_join(site, relative)
    if candidate is None:  # a symlink pointing out of the site
        return Missing()
    try:
        return _file_at(candidate, site.resolve(), path, raw, target)
    except OSError:  # a name longer than the file system allows (pathlib raises it, in Python 3.11)
        return Missing()


def _file_at(candidate: Path, site_root: Path, path: str, raw: str, target: str) -> Resolution:
    if candidate.is_dir():
        if not path.endswith("/"):
            query = query_of(target)
            # one leading slash: "//static/" would be read as a link to a host named "static"
            return Redirect("/" + raw.lstrip("/") + "/" + ("?" + query if query else ""))
        # index.html itself may be a symlink out of the site
        index = safe_join(site_root, candidate.relative_to(site_root).as_posix() + "/index.html")
        if index is None:
            return Missing()
        candidate = index
    if not candidate.is_file():
        return Missing()
    return Found(candidate, candidate.relative_to(site_root).as_posix())

"""The page's bytes: over HTTP(S) with urllib, or from a page saved by a browser.

Redirects are followed here, one at a time, rather than by urllib: so each hop's scheme is
checked (urllib would follow a redirect to ftp:), loops and long chains are refused, and the
final address is known. The body is read in chunks against a byte limit and a deadline, so
a 50 MB page or a server that trickles one byte a second ends in an error, not a hang.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path

from . import CaptureError

MAX_BYTES = 16 * 1024 * 1024  # the largest news pages (inline scripts and all) are under 5 MB
TIMEOUT = 30.0  # seconds for the connection and for each read
DEADLINE = 120.0  # seconds for the whole fetch, however the server trickles
MAX_REDIRECTS = 10
CHUNK = 64 * 1024
USER_AGENT = "Mozilla/5.0 (compatible; Glossator/0.1; article capture for an annotated archive)"
HTML_TYPES = ("text/html", "application/xhtml+xml")
REDIRECTS = (301, 302, 303, 307, 308)
SAVE_HINT = "save the page from your browser (File → Save Page As…) and run `build.py add FILE.html --url URL`"


@dataclass(frozen=True)
class Page:
    """Bytes as read, and what the server said about them."""

    data: bytes
    address: str  # where the bytes came from: the URL after redirects, or the file's path
    charset: str | None  # the charset of the Content-Type header, if any
    from_web: bool


def check_address(url: str) -> str:
    """The URL as a request can carry it (non-ASCII percent-encoded, IDNA host), or an error."""
    stripped = url.strip()
    try:
        parts = urllib.parse.urlsplit(stripped)
        port = parts.port  # raises ValueError for a port that is not a number or out of range
    except ValueError as exc:
        raise CaptureError(f"`{url}` is not a valid web address ({exc})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise CaptureError(f"`{url}` is not an http or https address",
                           "write the full address, starting with https://" if "://" not in url else
                           "only web pages can be captured; for a saved page use `add FILE.html --url URL`")
    host = parts.hostname or ""
    if not host:
        raise CaptureError(f"`{url}` has no host name", "write the full address, e.g. https://example.org/story")
    if any(ord(c) < 0x21 or c == "\x7f" for c in stripped):
        raise CaptureError(f"`{url}` contains spaces or control characters", "copy the address again from the browser")
    try:
        ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        raise CaptureError(f"`{url}` has a host name that is not valid") from None
    netloc = ascii_host if ":" not in ascii_host else f"[{ascii_host}]"  # an IPv6 literal
    if port is not None:
        netloc += f":{port}"
    if parts.username is not None:
        raise CaptureError(f"`{url}` carries a user name or password", "remove the `user:password@` part")
    safe = "/%:@!$&'()*+,;=-._~"
    path = urllib.parse.quote(parts.path, safe=safe)
    query = urllib.parse.quote(parts.query, safe=safe + "?")
    return urllib.parse.urlunsplit((parts.scheme.lower(), netloc, path or "/", query, ""))


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Hand every 3xx back as an HTTPError: `fetch` follows redirects itself."""

    def redirect_request(self, req: urllib.request.Request, fp: object, code: int, msg: str,
                         headers: object, newurl: str) -> None:
        return None


def fetch(url: str, *, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES, deadline: float = DEADLINE,
          max_redirects: int = MAX_REDIRECTS) -> Page:
    """The page at `url`, or a CaptureError that says in one line what went wrong."""
    address = check_address(url)
    # a fresh cookie jar: some sites set a cookie and redirect to the same page to check it
    opener = urllib.request.build_opener(_NoRedirects, urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    started = time.monotonic()
    seen = {address}
    for _hop in range(max_redirects + 1):
        request = urllib.request.Request(address, headers={
            "User-Agent": USER_AGENT,
            "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
            "Accept-Encoding": "gzip, deflate",
        })
        try:
            response = opener.open(request, timeout=timeout)
        except urllib.error.HTTPError as exc:
            location = exc.headers.get("Location") if exc.headers else None
            exc.close()
            if exc.code not in REDIRECTS:
                raise _status_error(address, exc.code, exc.reason) from None
            if not location:
                raise CaptureError(f"{address}: HTTP {exc.code} redirect without a `Location`") from None
            address = _next_hop(address, location, seen)
            continue
        except Exception as exc:  # every failure of the connection becomes one line
            raise _connection_error(address, exc, timeout) from None
        with response:
            try:
                return _read(response, address, max_bytes, started + deadline)
            except CaptureError:
                raise
            except Exception as exc:  # a connection that fails mid-body
                raise _connection_error(address, exc, timeout) from None
    raise CaptureError(f"{url}: more than {max_redirects} redirects",
                       "open the address in a browser to see where it leads, and capture that one")


def _next_hop(address: str, location: str, seen: set[str]) -> str:
    target = urllib.parse.urljoin(address, location.strip())
    scheme = urllib.parse.urlsplit(target).scheme.lower()
    if scheme not in ("http", "https"):
        raise CaptureError(f"{address} redirects to `{target[:200]}`, which is not an http or https address")
    target = check_address(target)
    if target in seen:
        raise CaptureError(f"{address} redirects in a loop (back to {target})",
                           "the site may want cookies or a browser; " + SAVE_HINT)
    seen.add(target)
    return target


def _status_error(address: str, code: int, reason: str) -> CaptureError:
    said = f"HTTP {code} {reason}".rstrip()
    if code in (404, 410):
        return CaptureError(f"{address}: no such page ({said})",
                            "check the address; for a page that is gone, try a copy from the Wayback Machine")
    if code in (401, 403, 451):
        return CaptureError(f"{address}: the site refused to serve the page ({said})", SAVE_HINT)
    if code == 429:
        return CaptureError(f"{address}: the site asks us to slow down ({said})", "try again in a few minutes")
    if code >= 500:
        return CaptureError(f"{address}: the server failed ({said})", "try again later")
    return CaptureError(f"{address}: the server answered {said}")


def _connection_error(address: str, exc: BaseException, timeout: float) -> CaptureError:
    host = urllib.parse.urlsplit(address).netloc
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, socket.gaierror):
        return CaptureError(f"{address}: cannot find the host `{host}` (DNS: {reason.strerror})",
                            "check the spelling of the address, and that this machine is online")
    if isinstance(reason, ConnectionRefusedError):
        return CaptureError(f"{address}: connection refused by {host}", "check the address and the port")
    if isinstance(reason, TimeoutError | socket.timeout):
        return CaptureError(f"{address}: no answer within {timeout:g} seconds (timed out)",
                            "try again later, or raise --timeout")
    if isinstance(reason, ssl.SSLCertVerificationError):
        return CaptureError(f"{address}: the site's certificate is not valid ({reason.verify_message})", SAVE_HINT)
    if isinstance(reason, ssl.SSLError):
        return CaptureError(f"{address}: the secure connection failed ({reason.reason or reason})")
    if isinstance(reason, http.client.IncompleteRead):
        return CaptureError(f"{address}: the connection closed before the whole page was sent",
                            "try again later")
    if isinstance(reason, http.client.HTTPException):
        return CaptureError(f"{address}: the server's answer is not valid HTTP ({type(reason).__name__})")
    if isinstance(reason, ConnectionError):
        return CaptureError(f"{address}: the connection was closed by {host} ({reason.strerror or reason})",
                            "try again later")
    if isinstance(reason, OSError):
        return CaptureError(f"{address}: cannot connect to {host} ({reason.strerror or reason})")
    if isinstance(reason, UnicodeError | ValueError):
        return CaptureError(f"{address}: not a valid web address ({reason})")
    return CaptureError(f"{address}: cannot read the page ({type(reason).__name__}: {reason})")


def _media_type(content_type: str) -> tuple[str, str | None]:
    """`text/html; charset=ISO-8859-1` → ("text/html", "iso-8859-1")."""
    media, _, params = content_type.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'").lower()
    return media.strip().lower(), charset


def _read(response: http.client.HTTPResponse, address: str, max_bytes: int, deadline: float) -> Page:
    final = check_address(response.geturl() or address)
    media, charset = _media_type(response.headers.get("Content-Type", ""))
    if media and media not in HTML_TYPES:
        raise CaptureError(f"{final}: not a web page (the server says it is `{media}`)",
                           "capture the article's HTML page, not a download")
    length = response.headers.get("Content-Length", "")
    if length.strip().isdigit() and int(length) > max_bytes:
        raise _too_large(final, int(length), max_bytes)
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("", "identity", "gzip", "x-gzip", "deflate"):
        raise CaptureError(f"{final}: the page is compressed as `{encoding}`, which was not asked for")
    # wbits 47: gzip or zlib, told apart by the header; the output is bounded by max_length below
    inflater = zlib.decompressobj(47) if encoding not in ("", "identity") else None
    parts: list[bytes] = []
    total = 0
    while True:
        if time.monotonic() > deadline:
            raise CaptureError(f"{final}: the page took too long to arrive (timed out)", "try again later")
        chunk = response.read1(CHUNK)
        if not chunk:
            break
        if inflater is not None:
            try:
                chunk = inflater.decompress(chunk, max_bytes + 1 - total)
            except zlib.error:
                raise CaptureError(f"{final}: the page's {encoding} compression is broken") from None
            if inflater.unconsumed_tail:
                raise _too_large(final, None, max_bytes)
        total += len(chunk)
        if total > max_bytes:
            raise _too_large(final, None, max_bytes)
        parts.append(chunk)
    data = b"".join(parts)
    if not data.strip():
        raise CaptureError(f"{final}: the page is empty")
    # a server's label is no proof: a program or an archive served as text/html is no page either
    if not _looks_like_html(data) and not _saved_page(data):
        said = f"the server says `{media}`, but" if media else "no Content-Type, and"
        raise CaptureError(f"{final}: not a web page ({said} its bytes do not begin as an HTML page does)",
                           "check that the address is the article's page, not a download")
    return Page(data, final, charset, True)


def _too_large(address: str, size: int | None, max_bytes: int) -> CaptureError:
    said = f"{size:,} bytes" if size is not None else f"more than {max_bytes:,} bytes"
    return CaptureError(f"{address}: the page is too large ({said}; the limit is {max_bytes:,})",
                        "a news article's page is far smaller: check that the address is the article's")


def _looks_like_html(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<!--", b"<meta", b"<body"))


def read_file(path: Path, max_bytes: int = MAX_BYTES) -> Page:
    """A page saved from a browser (or a copy from the Wayback Machine)."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise CaptureError(f"{path}: not a file")
        if size > max_bytes:
            raise _too_large(str(path), size, max_bytes)
        data = path.read_bytes()
    except FileNotFoundError:
        raise CaptureError(f"{path}: no such file") from None
    except OSError as exc:
        raise CaptureError(f"{path}: cannot read the file ({exc.strerror})") from None
    if not data.strip():
        raise CaptureError(f"{path}: the file is empty")
    if not _saved_page(data):
        mhtml = data[:4096].lower()
        kind = ("an MHTML archive (a browser’s “Webpage, Single File”)"
                if b"mime-version:" in mhtml and b"multipart/related" in mhtml else "not a web page")
        # (over HTTP a page without HTML's beginning is refused the same way)
        raise CaptureError(f"{path}: {kind}: its bytes do not begin as an HTML page does",
                           "save the article as “Webpage, HTML only” (or “Webpage, Complete”), or capture its "
                           "address: `python build.py add URL`")
    return Page(data, str(path), None, False)


def _saved_page(data: bytes) -> bool:
    """Whether a saved file is HTML: it begins with a tag (an XML declaration or a comment may come first),
    and names <html>, <head> or <body> early on (UTF-16 with its byte order mark included)."""
    head = data[:8192]
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            head = head[2:].decode(codec, errors="replace").encode("utf-8")
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(b"<") and any(tag in head for tag in (b"<html", b"<head", b"<body", b"<!doctype html"))

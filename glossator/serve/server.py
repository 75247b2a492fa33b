"""The preview's HTTP server: the built site, the reload client, and a server-sent-events stream.

The reload script is added to HTML responses here, as they are sent, and never written into
the site: `build` output stays exactly what gets published. It is an external same-origin
script (the pages' Content-Security-Policy forbids inline script), given the page's stamp
and output file in data- attributes. While the search index has a delta (serve/indexer.py),
a <meta> beside it tells the search page where to find it.

Every request must name the preview by one of its own names in its Host header. Listening
on 127.0.0.1 keeps other machines out, but not other web sites: a page the editor visits
can point its own domain at 127.0.0.1 (DNS rebinding) and then read the preview as same-origin,
the error overlay's quotes of unpublished files included. Its requests carry its own name
in Host, so they are refused, as webpack-dev-server's host check and Vite's allowedHosts do.
"""

from __future__ import annotations

import contextlib
import html
import ipaddress
import json
import os
import re
import shutil
import socket
import socketserver
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

from .indexer import SearchDelta
from .paths import Found, Missing, Redirect, Refused, cache_control, content_type, query_of, request_path, resolve
from .state import Action, Problems, SiteState

OWN_PREFIX = "/__glossator/"
OWN_FILES = {
    "reload.js": (Path(__file__).with_name("reload.js"), "text/javascript; charset=utf-8"),
    "overlay.css": (Path(__file__).with_name("overlay.css"), "text/css; charset=utf-8"),
}
SEARCH_DELTA = "search-delta/"  # OWN_PREFIX + this + N/: delta N of the search index
LOCAL_NAMES = ("127.0.0.1", "localhost", "::1")  # always answered to, besides --host and --allow-host
# Browsers send ASCII only (an international name as punycode); a port may follow, even empty.
HOST_HEADER = re.compile(r"(?:\[(?P<ipv6>[0-9a-f:.]+)\]|(?P<name>[a-z0-9._-]+))(?::[0-9]*)?")
KEEPALIVE_SECONDS = 15.0  # a comment on idle streams, so a vanished client is noticed

PLACEHOLDER = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Glossator preview</title>
</head>
<body>
<main>
<h1>{title}</h1>
<p>{message}</p>
</main>
</body>
</html>
"""


def reload_tag(stamp: str, page: str) -> bytes:
    return (
        f'<script src="{OWN_PREFIX}reload.js" data-epoch="{html.escape(stamp)}" '
        f'data-page="{html.escape(page)}" defer></script>'
    ).encode()


def delta_tag(delta: str | None) -> bytes:
    """Where templates/static/search.js finds the search index's delta (absent: there is none)."""
    if delta is None:
        return b""
    return f'<meta name="glossator-search-delta" content="{html.escape(delta)}">'.encode()


def inject(document: bytes, stamp: str, page: str, delta: str | None = None) -> bytes:
    """The page with the reload script (and the delta's <meta>) added before </head> (or </body>, or at the end)."""
    lowered = document.lower()
    at = lowered.find(b"</head>")
    if at < 0:
        at = lowered.find(b"</body>")
    if at < 0:
        at = len(document)
    return document[:at] + delta_tag(delta) + reload_tag(stamp, page) + document[at:]


def host_name(text: str) -> str | None:
    """The name in a Host header (or an --allow-host value), lowercased and without its port,
    an IP address in its usual form; None if it is not `name[:port]` or `[IPv6][:port]`. A bare
    IPv6 address, as --host takes it, is accepted too."""
    text = text.strip().lower()
    with contextlib.suppress(ValueError):
        return str(ipaddress.ip_address(text))
    match = HOST_HEADER.fullmatch(text)
    if match is None:
        return None
    name = match["ipv6"] or match["name"].removesuffix(".")  # "localhost." is localhost
    try:
        return str(ipaddress.ip_address(name))
    except ValueError:
        return None if match["ipv6"] or not name else name


def allowed_names(host: str, extra: tuple[str, ...] = ()) -> frozenset[str]:
    """The names the preview answers to: this machine's own, the address it listens on, and --allow-host's."""
    names = (host_name(text) for text in (*LOCAL_NAMES, host, *extra))
    return frozenset(name for name in names if name is not None)


def refusal(host: str, allowed: frozenset[str]) -> str:
    """The 403's text: which name was refused, the names that are answered, and how to allow
    the refused one if it is the editor's own."""
    names = ", ".join(f"[{name}]" if ":" in name else name for name in sorted(allowed))
    option = f"--allow-host {host_name(host) or 'NAME'}"
    return (f"403 Forbidden: this preview does not answer to the host {host[:255]!r}.\n\n"
            f"It answers only to its own names: {names}.\n"
            "Any other name may be a web site that pointed a domain of its own at this machine to read\n"
            "the preview (DNS rebinding). If you opened the preview under this name yourself, restart it\n"
            f"with `python build.py serve {option}`.\n")


def sse(event: str, data: object) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=True)}\n\n".encode()


def action_events(action: Action) -> bytes:
    if action.reload:
        return sse("reload", {})
    if action.stylesheets:
        return sse("css", {"swap": dict(action.stylesheets)})
    return b""


def problem_events(problems: Problems | None) -> bytes:
    if problems is None:
        return sse("ok", {})
    return sse("problems", {"text": problems.text, "summary": problems.summary})


class PreviewServer(ThreadingHTTPServer):
    # Handler threads are joined on close (no orphans); event streams end when the state closes.
    daemon_threads = False
    block_on_close = True

    def __init__(self, address: tuple[str, int], site: Path, state: SiteState, mount: str = "/",
                 allow_hosts: tuple[str, ...] = ()) -> None:
        self.site = site
        self.state = state
        self.allowed_hosts = allowed_names(address[0], allow_hosts)
        self.mount = mount  # the site's base path; replaced (one assignment) when site.yaml changes
        self.search_delta: SearchDelta | None = None  # replaced (one assignment) by the indexer's thread
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, PreviewHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's FQDN, a DNS query that can hang offline.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])

    def finish_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        with self._open_lock:
            self._open.add(request)
        try:
            super().finish_request(request, client_address)  # type: ignore[arg-type]
        finally:
            with self._open_lock:
                self._open.discard(request)

    def close_connections(self) -> None:
        """End every open connection, so no handler thread is left waiting on a client: browsers
        keep idle pre-connected sockets open, which would otherwise hold up the exit."""
        with self._open_lock:
            for connection in self._open:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return  # the browser went away mid-response: routine, not worth a traceback
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "Glossator-preview"
    sys_version = ""
    timeout = 30  # seconds a client may stall before its thread gives up

    def log_message(self, format: str, *args: object) -> None:
        pass  # the terminal is for build results, not request logs

    def do_GET(self) -> None:
        self._respond(with_body=True)

    def do_HEAD(self) -> None:
        self._respond(with_body=False)

    def _host_refused(self) -> str | None:
        """The Host header's value if the preview must not answer to it. A request without one
        (HTTP/1.0) cannot come from a browser, which always sends it, so it is answered."""
        hosts = self.headers.get_all("Host") or []
        if not hosts:
            return None
        if len(hosts) > 1:
            return ", ".join(hosts)  # which one a proxy on the way believed is anyone's guess
        return None if host_name(hosts[0]) in self.server.allowed_hosts else hosts[0]

    def _respond(self, with_body: bool) -> None:
        refused = self._host_refused()
        if refused is not None:
            self._plain(403, refusal(refused, self.server.allowed_hosts), with_body)
            return
        path = request_path(self.path) or ""
        if path.startswith(OWN_PREFIX):
            self._own(path[len(OWN_PREFIX):], with_body)
            return
        stamp = self.server.state.stamp()  # before the file is read: see SiteState.stamp
        found = resolve(self.server.site, self.server.mount, self.path)
        if isinstance(found, Found):
            self._file(found, stamp, with_body)
        elif isinstance(found, Redirect):
            self.send_response(302)
            self.send_header("Location", found.location)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif isinstance(found, Refused):
            self._plain(400, f"400 Bad Request: {found.reason}\n", with_body)
        else:
            assert isinstance(found, Missing)
            self._not_found(stamp, with_body)

    def _send(self, status: int, kind: str, body: bytes, with_body: bool, cache: str = "no-cache") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def _plain(self, status: int, text: str, with_body: bool) -> None:
        self._send(status, "text/plain; charset=utf-8", text.encode(), with_body)

    def _delta_path(self) -> str | None:
        delta = self.server.search_delta
        return None if delta is None or delta.current is None else f"{OWN_PREFIX}{SEARCH_DELTA}{delta.current}/"

    def _file(self, found: Found, stamp: str, with_body: bool) -> None:
        kind = content_type(found.file)
        try:
            # O_NOFOLLOW: the file was checked as resolved; refuse if it became a symlink since
            handle = os.open(found.file, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            self._not_found(stamp, with_body)
            return
        # An open file keeps its content even if a build swaps the site away meanwhile.
        with open(handle, "rb") as stream:
            if kind.startswith("text/html"):
                self._send(200, kind, inject(stream.read(), stamp, found.page, self._delta_path()), with_body)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(os.fstat(stream.fileno()).st_size))
            self.send_header("Cache-Control", cache_control(found.page))
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            if with_body:
                shutil.copyfileobj(stream, self.wfile)

    def _not_found(self, stamp: str, with_body: bool) -> None:
        """The site's own 404 page; it reloads after any build, which may have made the page."""
        page = self.server.site / "404.html"
        try:
            document = page.read_bytes() if page.is_file() else None
        except OSError:
            document = None
        if document is None:
            built = (self.server.site / "index.html").is_file()
            title, message = (
                ("Page not found", "There is no page at this address.")
                if built
                else ("Not built yet", "The site has not been built yet; this page reloads when it is.")
            )
            document = PLACEHOLDER.format(title=title, message=message).encode()
        self._send(404, "text/html; charset=utf-8", inject(document, stamp, "", self._delta_path()), with_body)

    def _own(self, name: str, with_body: bool) -> None:
        if name == "events" and with_body:
            self._events()
            return
        if name.startswith(SEARCH_DELTA):
            self._search_delta(with_body)
            return
        if name not in OWN_FILES:
            self._plain(404, "404 Not Found\n", with_body)
            return
        source, kind = OWN_FILES[name]
        self._send(200, kind, source.read_bytes(), with_body)

    def _search_delta(self, with_body: bool) -> None:
        """A file of the search index's deltas, with the same containment as the site's files."""
        delta = self.server.search_delta
        found = resolve(delta.folder, OWN_PREFIX + SEARCH_DELTA, self.path) if delta is not None else Missing()
        if isinstance(found, Found):
            self._file(found, self.server.state.stamp(), with_body)
        elif isinstance(found, Refused):
            self._plain(400, f"400 Bad Request: {found.reason}\n", with_body)
        else:  # not there (an older delta, since removed), or a folder: nothing to list
            self._plain(404, "404 Not Found\n", with_body)

    def _events(self) -> None:
        """Server-sent events: `problems`/`ok` as builds fail and recover, then `reload` or `css`
        once a complete newer build affects this page."""
        params = parse_qs(query_of(self.path))
        stamp = params.get("epoch", [""])[0]
        page = params.get("page", [""])[0]
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        state = self.server.state
        snapshot = state.snapshot()
        shown: Problems | None = None
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while not snapshot.closed:
                news = b""
                if snapshot.problems != shown:
                    news += problem_events(snapshot.problems)
                    shown = snapshot.problems
                action, stamp = state.catch_up(page, stamp)
                news += action_events(action)
                if news:
                    self.wfile.write(news)
                seen = snapshot.generation
                snapshot = state.wait(seen, KEEPALIVE_SECONDS)
                if snapshot.generation == seen:
                    self.wfile.write(b": keep-alive\n\n")
        except (ConnectionError, TimeoutError):
            pass  # the page closed or navigated away

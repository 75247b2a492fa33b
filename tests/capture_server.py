"""A real HTTP server on 127.0.0.1 for the capture tests: the page shapes in capture_pages/,
and the ways a server fails (statuses, redirects, sizes, charsets, silence)."""

from __future__ import annotations

import gzip
import http.server
import threading
import time
import typing
from collections.abc import Callable, Iterator
from pathlib import Path

PAGES = Path(__file__).resolve().parent / "capture_pages"
HUGE = 50 * 1024 * 1024  # the brief's "50 MB page"
FILLER = b"<p>" + b"filler text of an enormous page " * 200 + b"</p>\n"


def page_bytes(name: str) -> bytes:
    """A page shape as the server sends it: the French page in windows-1252, as such sites do."""
    text = (PAGES / name).read_text(encoding="utf-8")
    return text.encode("cp1252") if name == "non-english.html" else text.encode("utf-8")


def deep_page(levels: int) -> bytes:
    story = "<p>" + "This sentence sits deep inside the page and is the article's whole text. " * 6 + "</p>"
    return (f"<html><head><title>Deep page</title></head><body>{'<div>' * levels}{story}"
            f"{'</div>' * levels}</body></html>").encode()


NO_ARTICLE = b"""<!DOCTYPE html><html lang="en"><head><title>Home - Daily Example</title></head><body>
<nav><a href="/news">News</a> <a href="/sport">Sport</a> <a href="/weather">Weather</a></nav>
<ul class="headlines"><li><a href="/a">First headline of the day</a></li><li><a href="/b">Second headline</a></li></ul>
<footer>Copyright Daily Example</footer></body></html>"""


class Handler(http.server.BaseHTTPRequestHandler):
    routes: typing.ClassVar[dict[str, Callable[[Handler], None]]] = {}
    stop: typing.ClassVar[threading.Event]

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path.startswith("/pages/") and (PAGES / path[7:]).is_file():
            charset = "iso-8859-1" if path.endswith("non-english.html") else "utf-8"
            return self.send(page_bytes(path[7:]), f"text/html; charset={charset}")
        route = self.routes.get(path)
        if route is None:
            return self.send(b"<html><body><h1>Not Found</h1></body></html>", "text/html", 404)
        return route(self)

    def send(self, body: bytes, content_type: str | None = "text/html; charset=utf-8", status: int = 200,
             headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str, status: int = 302) -> None:
        self.send(b"", None, status, {"Location": location})

    def stream(self, total: int, length_header: bool) -> None:
        """`total` bytes of HTML, written until the client hangs up."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        if length_header:
            self.send_header("Content-Length", str(total))
        self.end_headers()
        sent = 0
        try:
            self.wfile.write(b"<html><body>")
            while sent < total and not self.stop.is_set():
                self.wfile.write(FILLER)
                sent += len(FILLER)
        except OSError:
            pass  # the client stopped reading: that is the point

    def silence(self, seconds: float, trickle: bool = False) -> None:
        """Headers, then nothing (or one byte now and then) for `seconds`."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        ends = time.monotonic() + seconds
        try:
            while time.monotonic() < ends and not self.stop.is_set():
                if trickle:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass


def _hop(following: int) -> Callable[[Handler], None]:
    return lambda handler: handler.redirect(f"/hop-{following}")


def _routes() -> dict[str, Callable[[Handler], None]]:
    hostile = (PAGES.parent / "capture_pages" / "hostile.html").read_bytes()
    bomb = gzip.compress(b"<html><body>" + b"0" * (60 * 1024 * 1024), compresslevel=9)
    return {
        "/gone": lambda h: h.send(b"<html><body>Gone</body></html>", status=410),
        "/forbidden": lambda h: h.send(b"<html><body>Forbidden</body></html>", status=403),
        "/broken": lambda h: h.send(b"<html><body>Internal error</body></html>", status=500),
        "/pdf": lambda h: h.send(b"%PDF-1.7\n" + b"0" * 2000, "application/pdf"),
        "/no-type": lambda h: h.send(page_bytes("comments.html"), None),
        "/binary-as-html": lambda h: h.send(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 40),
        "/huge": lambda h: h.stream(HUGE, length_header=True),
        "/huge-unannounced": lambda h: h.stream(HUGE, length_header=False),
        "/gzip": lambda h: h.send(gzip.compress(page_bytes("wordpress-post.html")),
                                  headers={"Content-Encoding": "gzip"}),
        "/gzip-bomb": lambda h: h.send(bomb, headers={"Content-Encoding": "gzip"}),
        "/redirect-1": lambda h: h.redirect("/redirect-2", 301),
        "/redirect-2": lambda h: h.redirect("/pages/wordpress-post.html", 307),
        "/loop": lambda h: h.redirect("/loop"),
        "/to-ftp": lambda h: h.redirect("ftp://127.0.0.1/story.html"),
        "/to-javascript": lambda h: h.redirect("javascript:alert(1)"),
        "/slow": lambda h: h.silence(8),
        "/trickle": lambda h: h.silence(8, trickle=True),
        "/wrong-charset": lambda h: h.send(page_bytes("jsonld-opengraph.html"), "text/html; charset=iso-8859-1"),
        "/cp1252-as-utf8": lambda h: h.send(page_bytes("non-english.html"), "text/html; charset=utf-8"),
        "/deep": lambda h: h.send(deep_page(5000)),
        "/deep-ok": lambda h: h.send(deep_page(1000)),
        "/no-article": lambda h: h.send(NO_ARTICLE),
        # an article page that calls itself a website, as some outlets' do
        "/website-typed": lambda h: h.send(page_bytes("wordpress-post.html").replace(
            b'og:type" content="article"', b'og:type" content="website"')),
        "/hostile": lambda h: h.send(hostile),
        **{f"/hop-{n}": _hop(n + 1) for n in range(20)},
    }


def serve(extra: dict[str, Callable[[Handler], None]] | None = None) -> Iterator[str]:
    """The server's base URL (http://127.0.0.1:PORT) for as long as the generator is open;
    `extra`: more routes (a test may change what they send between requests)."""
    stop = threading.Event()
    handler = type("CaptureHandler", (Handler,), {"routes": {**_routes(), **(extra or {})}, "stop": stop})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        stop.set()
        server.shutdown()
        server.server_close()

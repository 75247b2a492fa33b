"""`python build.py serve` as a real subprocess, with its terminal output collected line by line,
so tests see what an editor sees and Ctrl-C (SIGINT) behaves as it does for them."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.helpers import REPO, article_md, free_port

READY = re.compile(r"^watching .* for changes")
REBUILT = re.compile(r"^rebuilt in ")
FAILED = re.compile(r"^build failed in ")

SLUG = "harbour-report"
ARTICLE = article_md(
    "Harbour report",
    """
    The harbour master said the new crane arrived on Tuesday after a long delay.

    Dock workers counted forty ships in the bay that week, a record for the season.

    Officials promised that the old pier would be repaired before the winter storms.
    """,
)


def annotation_yaml(note: str = "The crane was ordered in 2019.", quote: str = "the new crane arrived") -> str:
    return (
        f"article: {SLUG}\n"
        "annotations:\n"
        "  - id: crane\n"
        "    kind: claim\n"
        f'    quote: "{quote}"\n'
        "    verdict: accurate\n"
        f"    note: {json.dumps(note)}\n"
        "    by: tester\n"
        "    added: 2026-01-05\n"
    )


class ServeProcess:
    def __init__(self, root: Path, *extra: str, port: int | None = None, group: bool = False) -> None:
        """`group`: in a process group of its own, as a terminal starts it, so that stop() can send the
        signal to it and every process it started at once, as Ctrl-C does."""
        self.root = root
        self.port = port or free_port()
        self.group = group
        self.proc = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "serve", "--root", str(root), "--port", str(self.port), *extra],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=group,
        )
        self.lines: list[str] = []
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._cond:
                self.lines.append(line.rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def mark(self) -> int:
        with self._cond:
            return len(self.lines)

    def output(self) -> str:
        with self._cond:
            return "\n".join(self.lines)

    def wait_for(self, pattern: re.Pattern[str] | str, since: int = 0, timeout: float = 60) -> str:
        """The first line from `since` on that matches, waiting for it to be printed."""
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self.lines[since:]:
                    if regex.search(line):
                        return line
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (self.proc.poll() is not None and not self._reader.is_alive()):
                    raise AssertionError(f"no line matching {regex.pattern!r}; output:\n" + "\n".join(self.lines))
                self._cond.wait(min(remaining, 0.5))

    def count(self, pattern: re.Pattern[str], since: int = 0) -> int:
        with self._cond:
            return sum(bool(pattern.search(line)) for line in self.lines[since:])

    def ready(self, timeout: float = 120) -> ServeProcess:
        self.wait_for(READY, timeout=timeout)
        return self

    def stop(self, sig: int = signal.SIGINT, timeout: float = 20) -> int:
        if self.proc.poll() is None:
            if self.group:
                os.killpg(self.proc.pid, sig)
            else:
                self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("serve did not stop after the signal; output:\n" + self.output()) from None
        self._reader.join(5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        return code


def raw_get(port: int, target: str, method: str = "GET", timeout: float = 10, *, host: str | None = "127.0.0.1",
            address: str = "127.0.0.1") -> tuple[int, dict[str, str], bytes]:
    """One request with the target sent byte for byte (no client-side normalisation of `..`),
    to `address`, naming `host` in its Host header (None: no Host header, as HTTP/1.0 allows)."""
    with socket.create_connection((address, port), timeout=timeout) as sock:
        host_line = "" if host is None else f"Host: {host}\r\n"
        sock.sendall(f"{method} {target} HTTP/1.0\r\n{host_line}\r\n".encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


class EventStream:
    """Server-sent events from the preview, as (event, data) pairs. Connects at once, so
    everything that happens after it is created is seen."""

    def __init__(self, port: int, query: str, timeout: float = 60) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.sendall(f"GET /__glossator/events?{query} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
        self.stream = self.sock.makefile("rb")
        status = self.stream.readline()
        assert b" 200 " in status, status
        while self.stream.readline() not in (b"\r\n", b"\n", b""):
            pass  # the other response headers

    def __iter__(self) -> EventStream:
        return self

    def __next__(self) -> tuple[str, dict]:
        event, data = "message", ""
        for raw in self.stream:
            line = raw.decode().rstrip("\r\n")
            if not line:
                if data:
                    return event, json.loads(data)
                event, data = "message", ""
            elif line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data += line[5:].strip()
        raise StopIteration

    def close(self) -> None:
        self.stream.close()
        self.sock.close()

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

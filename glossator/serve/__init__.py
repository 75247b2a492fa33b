"""`build.py serve`: build, serve the site on 127.0.0.1, watch the inputs, rebuild, reload open pages.

Threads: the HTTP server (one thread per request; event streams wait on the shared
state), the watchdog observer, and the main thread, which runs the builds. Builds run
on the main thread so that Ctrl-C interrupts a build where it stands and its staging
directory is removed on the way out.

SIGTERM is deliberately left to its default (immediate exit; the next build removes the
staging directory of a dead process): a Python-level handler would be inherited by the
build's forked worker processes, and a worker told to stop just as it starts could lose
the signal and keep its pool waiting forever.
"""

from __future__ import annotations

import errno
import ipaddress
import sys
import threading
import webbrowser

from ..build import pipeline
from ..build.plan import read_config
from ..build.staging import clean_stale
from ..model import SiteConfig
from ..project import Project
from .rebuild import Rebuilder
from .server import PreviewServer
from .state import SiteState
from .watch import Changes, Inputs, Watcher

EXIT_OK, EXIT_USAGE = 0, 2
LOOPBACK = "127.0.0.1"


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _bind(project: Project, host: str, port: int, state: SiteState, config: SiteConfig,
          allow_hosts: tuple[str, ...] = ()) -> PreviewServer | str:
    """The listening server, or the message explaining why it could not listen."""
    try:
        return PreviewServer((host, port), project.out, state, config.base_path, allow_hosts)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            return (f"error: port {port} on {host} is already in use (another `serve`?); "
                    f"choose a free one with --port, e.g. --port {port + 1}")
        if exc.errno == errno.EACCES:
            return f"error: no permission to listen on port {port}; choose one above 1023 with --port"
        return f"error: cannot listen on {host}:{port}: {exc.strerror or exc}"


def _host_warning(host: str) -> str:
    try:
        local = ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name, such as localhost or the machine's own
        local = host == "localhost"
    if local:
        return f"warning: listening on {host}, not {LOOPBACK} (still reachable from this machine only)"
    return (f"warning: listening on {host}, not {LOOPBACK}: other machines may be able to reach this "
            "preview server, which is made for one person's local editing, not for a network")


def serve(project: Project, *, host: str = LOOPBACK, port: int = 8000, open_browser: bool = False,
          allow_hosts: tuple[str, ...] = (), drafts: bool = False) -> int:
    inputs = Inputs.of(project)
    clash = next((folder for folder in inputs.dirs if project.out.is_relative_to(folder)), None)
    problem = pipeline.out_problem(project) or (
        # writing into a watched folder would also make every build trigger the next one
        f"--out {project.out} is inside {clash}, which the preview watches" if clash is not None else None)
    if problem is not None:
        _say(f"error: {problem}")
        return EXIT_USAGE
    if not 0 <= port <= 65535:
        _say(f"error: --port {port}: not a port number (0-65535)")
        return EXIT_USAGE
    state = SiteState()
    # site.yaml as it stands now (with its defaults if it has errors, which the first build reports);
    # after that, each good build's result carries the settings
    config = read_config(project)[0]
    server = _bind(project, host, port, state, config, allow_hosts)
    if isinstance(server, str):
        _say(server)
        return EXIT_USAGE
    if host != LOOPBACK:
        _say(_host_warning(host))
    bound_host, bound_port = server.server_address[:2]
    shown_host = f"[{bound_host}]" if ":" in str(bound_host) else bound_host
    url = f"http://{shown_host}:{bound_port}{server.mount}"
    changes = Changes()
    watcher = Watcher(inputs, changes)
    rebuilder = Rebuilder(project, state, server, config, drafts=drafts)
    http_thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.25},
                                   name="glossator-http")
    try:
        watcher.start()  # before the first build, so an edit made during it is not lost
        http_thread.start()  # the previous site (if any) is served while the first build runs
        _say(f"serving {url} (building…)")
        rebuilder.rebuild(None)
        _say(f"watching {project.root} for changes; open {url} — Ctrl-C to stop")
        if open_browser:
            webbrowser.open(url)
        while (batch := changes.take()) is not None:
            watcher.refresh()
            rebuilder.rebuild(batch)
    except KeyboardInterrupt:
        _say("stopping")
    finally:
        changes.close()
        watcher.stop()
        rebuilder.close()  # stops Pagefind if it is indexing
        state.close()  # ends the event streams, so their threads can be joined
        if http_thread.is_alive():
            server.shutdown()
        server.close_connections()
        server.server_close()
        clean_stale(project.out)  # a build interrupted between its own clean-up steps
    _say("stopped")
    return EXIT_OK

"""`build.py serve` without a browser: what it serves and refuses, where it listens, how it
reports a taken port, its event stream, and how it stops (SIGINT, as Ctrl-C sends)."""

from __future__ import annotations

import re
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from glossator.build import pipeline
from glossator.build.staging import OLD_MARK, STAGING_MARK
from glossator.diagnostics import format_text
from glossator.project import Project
from glossator.serve.state import SiteState
from glossator.serve.watch import Changes
from tests.helpers import (
    REPO,
    article_md,
    build_site,
    pagefind_stopped_by_sigint,
    processes_working_in,
    run_cli,
    write_archive,
)
from tests.serve_process import (
    ARTICLE,
    FAILED,
    REBUILT,
    SLUG,
    EventStream,
    ServeProcess,
    annotation_yaml,
    raw_get,
)

SECRET = "s3cr3t-token-that-must-never-be-served"
STAMP = re.compile(rb'<script src="/__glossator/reload\.js" data-epoch="([^"]+)" data-page="([^"]*)" defer>')


@pytest.fixture
def served(tmp_path: Path) -> Iterator[ServeProcess]:
    root = write_archive(tmp_path / "archive", {SLUG: ARTICLE}, {SLUG: annotation_yaml()})
    static = root / "templates" / "static"
    static.mkdir(parents=True)
    (static / "probe.wasm").write_bytes(b"\x00asm\x01\x00\x00\x00")
    (tmp_path / "secret.txt").write_text(SECRET)
    (root / "secret.txt").write_text(SECRET)
    server = ServeProcess(root).ready()
    yield server
    server.stop()


def page_stamp(port: int, target: str) -> tuple[str, str]:
    status, _, body = raw_get(port, target)
    assert status == 200
    match = STAMP.search(body)
    assert match, "the reload script is injected into served pages"
    return match[1].decode(), match[2].decode()


def test_serves_the_site_with_types_index_and_404(served: ServeProcess) -> None:
    site = served.root / "site"
    status, headers, body = raw_get(served.port, f"/articles/{SLUG}/")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert b"The harbour master said" in body
    assert body.count(b"/__glossator/reload.js") == 1
    assert body.index(b"/__glossator/reload.js") < body.index(b"</head>")

    status, headers, _ = raw_get(served.port, f"/articles/{SLUG}")
    assert status == 302 and headers["location"] == f"/articles/{SLUG}/"
    status, headers, _ = raw_get(served.port, "//articles?x=1")
    assert status == 302 and headers["location"] == "/articles/?x=1", "never a protocol-relative redirect"

    (wasm,) = (site / "static").glob("probe.*.wasm")
    status, headers, body = raw_get(served.port, f"/static/{wasm.name}")
    assert (status, headers["content-type"], body) == (200, "application/wasm", b"\x00asm\x01\x00\x00\x00")
    served.wait_for(r"^search index updated in ")  # indexed in the background, after the first build
    pagefind_file = next((site / "pagefind").glob("*.pagefind"))
    status, headers, body = raw_get(served.port, "/pagefind/" + pagefind_file.name)
    assert status == 200 and headers["content-type"] == "application/octet-stream"
    assert body == pagefind_file.read_bytes()
    (css,) = (site / "static").glob("glossator.*.css")
    _, headers, _ = raw_get(served.port, f"/static/{css.name}")
    assert headers["content-type"] == "text/css; charset=utf-8"
    assert headers["cache-control"] == "max-age=31536000, immutable", "hashed names never change content"
    assert raw_get(served.port, f"/articles/{SLUG}/")[1]["cache-control"] == "no-cache"
    assert raw_get(served.port, "/feed.xml")[1]["content-type"].startswith("application/xml")

    status, headers, body = raw_get(served.port, "/no/such/page/")
    assert status == 404 and headers["content-type"].startswith("text/html")
    # a name longer than the file system allows (255 bytes): the connection dropped, with a traceback
    assert raw_get(served.port, "/" + "a" * 300)[0] == 404
    assert raw_get(served.port, "/articles/" + "b" * 300 + "/")[0] == 404
    assert (site / "404.html").read_bytes().split(b"</head>")[1] in body, "the site's own 404 page"
    assert STAMP.search(body)[2] == b"", "a not-found page reloads after any build"

    status, headers, body = raw_get(served.port, f"/articles/{SLUG}/", method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 1000


def test_traversal_attempts_get_404_or_400_and_never_file_content(served: ServeProcess, tmp_path: Path) -> None:
    site = served.root / "site"
    (site / "escape.txt").symlink_to(tmp_path / "secret.txt")
    (site / "escape-dir").symlink_to(tmp_path, target_is_directory=True)
    absolute = (tmp_path / "secret.txt").as_posix()
    attempts = [
        "/../secret.txt",
        "/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2e%2e/etc/passwd",
        "/..%2fsecret.txt",
        "/%2e%2e%2f%2e%2e%2fsecret.txt",
        "/.%2e/secret.txt",
        "/articles/../../secret.txt",
        "/static/..%5c..%5csecret.txt",
        "/%252e%252e/secret.txt",
        "/%c0%ae%c0%ae/secret.txt",
        "/..\\secret.txt",
        "/%00/../secret.txt",
        "//etc/passwd",
        "/" + absolute,
        "/%2f" + absolute.lstrip("/"),
        "/escape.txt",
        "/escape-dir/secret.txt",
        "/escape-dir/archive/secret.txt",
        "http://127.0.0.1/../secret.txt",
        "/etc/passwd",
        "*",
    ]
    for target in attempts:
        status, _, body = raw_get(served.port, target)
        assert status in (400, 404), (target, status)
        assert SECRET.encode() not in body and b"root:" not in body, target
    # the same through the event stream and the preview's own files
    assert raw_get(served.port, "/__glossator/../secret.txt")[0] == 404
    assert raw_get(served.port, "/__glossator/%2e%2e/secret.txt")[0] == 404
    assert served.proc.poll() is None


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a socket listening on `port`, from /proc/net/tcp (IPv4)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, port_hex = local.split(":")
        if state == "0A" and int(port_hex, 16) == port:
            found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


def test_binds_loopback_by_default_and_warns_otherwise(served: ServeProcess, tmp_path: Path) -> None:
    assert listening_addresses(served.port) == {"127.0.0.1"}
    assert "warning" not in served.output().split("serving")[0]
    other = ServeProcess(served.root, "--host", "127.0.0.2", "--out", str(tmp_path / "other-site"))
    try:
        other.wait_for(r"^warning: listening on 127\.0\.0\.2, not 127\.0\.0\.1 \(still reachable from this machine")
        other.ready()
        assert listening_addresses(other.port) == {"127.0.0.2"}
    finally:
        assert other.stop() == 0


def assert_refused(port: int, target: str, host: str, name: str, method: str = "GET",
                   address: str = "127.0.0.1") -> None:
    """A 403 in plain text that names the refused host and the option that would allow it."""
    status, headers, body = raw_get(port, target, method, host=host, address=address)
    assert status == 403, (host, target, status)
    assert headers["content-type"] == "text/plain; charset=utf-8"
    if method == "HEAD":
        assert body == b""
        return
    text = body.decode()
    assert text.startswith(f"403 Forbidden: this preview does not answer to the host {host!r}."), text
    assert f"`python build.py serve --allow-host {name}`" in text, text
    assert "__glossator" not in text and "harbour" not in text.lower(), "nothing of the site"


def test_answers_only_to_its_own_names(served: ServeProcess) -> None:
    """DNS rebinding: a web page whose domain now points at 127.0.0.1 sends its own name as
    Host. Every route refuses it: pages, the reload stream (which carries the error overlay's
    text), the preview's own files, and addresses with nothing there."""
    port = served.port
    page = f"/articles/{SLUG}/"
    own = ["127.0.0.1", f"127.0.0.1:{port}", f"localhost:{port}", "LocalHost", "localhost.", f"[::1]:{port}", None]
    for host in own:
        status, _, body = raw_get(port, page, host=host)
        assert status == 200 and b"The harbour master said" in body, host
    stamp, page_file = page_stamp(port, page)
    events = f"/__glossator/events?epoch={stamp}&page={page_file}"
    foreign = {
        f"evil.example:{port}": "evil.example",
        "evil.example": "evil.example",
        "Evil.Example.": "evil.example",
        f"127.0.0.1.nip.example:{port}": "127.0.0.1.nip.example",
        f"localhost.evil.example:{port}": "localhost.evil.example",
        f"[::2]:{port}": "::2",
        "": "NAME",
        "evil example": "NAME",
    }
    for host, name in foreign.items():
        for target in (page, events, "/no/such/page/", "/__glossator/reload.js", "/__glossator/search-delta/1/x"):
            assert_refused(port, target, host, name)
        assert_refused(port, page, host, name, method="HEAD")
    # two Host headers, the second one foreign: which one counts is up to whoever reads them
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"GET {page} HTTP/1.0\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n\r\n".encode())
        assert sock.makefile("rb").readline().split()[1] == b"403"
    assert served.proc.poll() is None


def test_allow_host_adds_names_and_the_host_it_listens_on_is_one(served: ServeProcess, tmp_path: Path) -> None:
    other = ServeProcess(served.root, "--host", "127.0.0.2", "--allow-host", "Preview.Test",
                         "--allow-host", "192.168.1.20:8000", "--out", str(tmp_path / "other-site")).ready()
    try:
        page = f"/articles/{SLUG}/"
        for host in (f"127.0.0.2:{other.port}", f"preview.test:{other.port}", "preview.test.", "192.168.1.20",
                     f"localhost:{other.port}", "127.0.0.1"):
            status, _, body = raw_get(other.port, page, host=host, address="127.0.0.2")
            assert status == 200 and b"The harbour master said" in body, host
        assert_refused(other.port, page, "other.test", "other.test", address="127.0.0.2")
        text = raw_get(other.port, page, host="other.test", address="127.0.0.2")[2].decode()
        assert "own names: 127.0.0.1, 127.0.0.2, 192.168.1.20, [::1], localhost, preview.test." in text
    finally:
        assert other.stop() == 0
    # the first server was given no --allow-host: the names are per server
    assert_refused(served.port, page, "preview.test", "preview.test")


def test_a_malformed_allow_host_is_a_usage_error(tmp_path: Path) -> None:
    root = write_archive(tmp_path / "archive", {SLUG: ARTICLE})
    for value in ("http://preview.test/", "preview test", "[::1"):
        result = run_cli("serve", "--root", root, "--port", "0", "--allow-host", value, timeout=60)
        assert result.returncode == 2, value
        assert f"argument --allow-host: {value!r} is not a host name" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    assert not (root / "site").exists()


def test_a_taken_port_gets_a_clear_message_and_exit_2(tmp_path: Path) -> None:
    root = write_archive(tmp_path / "archive", {SLUG: ARTICLE})
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        started = time.monotonic()
        result = run_cli("serve", "--root", root, "--port", port, timeout=60)
    assert result.returncode == 2
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "--port" in result.stderr and "Traceback" not in result.stderr
    assert time.monotonic() - started < 20, "it fails before building anything"
    assert not (root / "site").exists()


def test_events_reload_after_a_build_and_report_problems_with_their_line(served: ServeProcess) -> None:
    stamp, page = page_stamp(served.port, f"/articles/{SLUG}/")
    assert page == f"articles/{SLUG}/index.html"
    yaml_path = served.root / "annotations" / f"{SLUG}.yaml"
    mark = served.mark()
    with EventStream(served.port, f"epoch={stamp}&page={page}") as events:
        yaml_path.write_text(annotation_yaml(note="Edited note."))
        assert next(events) == ("reload", {})
    served.wait_for(REBUILT, since=mark)
    assert b"Edited note." in raw_get(served.port, f"/articles/{SLUG}/")[2]

    stamp, _ = page_stamp(served.port, f"/articles/{SLUG}/")
    events = EventStream(served.port, f"epoch={stamp}&page={page}")
    broken = annotation_yaml().replace("    verdict: accurate\n", "    verdict: [accurate\n")
    mark = served.mark()
    yaml_path.write_text(broken)
    event, data = next(events)
    assert event == "problems" and data["summary"] == "1 error"
    # exactly what `check` prints: the YAML parser notices the unclosed [ on the next line
    expected = format_text(pipeline.check(Project.at(served.root)), served.root)
    assert data["text"] == expected
    assert data["text"].startswith(f"annotations/{SLUG}.yaml:7:9: error: YAML syntax error")
    served.wait_for(FAILED, since=mark)
    assert expected in served.output(), "the terminal shows the diagnostics too"
    assert b"Edited note." in raw_get(served.port, f"/articles/{SLUG}/")[2], "the last good site stays"

    yaml_path.write_text(annotation_yaml(note="Fixed note."))
    assert next(events) == ("ok", {})
    assert next(events) == ("reload", {})
    events.close()
    assert b"Fixed note." in raw_get(served.port, f"/articles/{SLUG}/")[2]


def _edit_and_expect_one_reload(served: ServeProcess, note: str) -> None:
    # the search index of the last build publishes a version of its own (it reloads the search
    # page): once it has, the fast path's version is the next one
    builds = [i for i, line in enumerate(served.output().splitlines()) if re.match(r"(re)?built in ", line)]
    served.wait_for(r"^search index updated", since=builds[-1])
    stamp, page = page_stamp(served.port, f"/articles/{SLUG}/")
    instance, version = stamp.split(":")
    mark = served.mark()
    with EventStream(served.port, f"epoch={stamp}&page={page}") as events:
        (served.root / "annotations" / f"{SLUG}.yaml").write_text(annotation_yaml(note=note))
        assert next(events) == ("reload", {})
    served.wait_for(REBUILT, since=mark)
    lines = served.output().splitlines()[mark:]
    hot = next(i for i, line in enumerate(lines) if line.startswith(f"updated {SLUG} in "))
    assert hot < next(i for i, line in enumerate(lines) if REBUILT.search(line)), lines
    assert note.encode() in raw_get(served.port, f"/articles/{SLUG}/")[2]
    # a page reloaded by the fast path holds the next version's stamp; the full build is the one after
    with EventStream(served.port, f"epoch={instance}:{int(version) + 1}&page={page}", timeout=2) as events, \
            pytest.raises(TimeoutError):
        next(events)
    with EventStream(served.port, f"epoch={stamp}&page={page}") as events:  # control: an older page reloads
        assert next(events) == ("reload", {})


def test_an_edited_article_is_published_first_and_reloads_once(served: ServeProcess) -> None:
    """The fast path (serve/hot.py): the edited article's page goes out before the listings,
    exports and search index are rebuilt, and the full build that follows, which renders the
    same bytes for it, does not reload it a second time."""
    _edit_and_expect_one_reload(served, "Hot note, first edit.")
    # after a template change the fast path renders with the new template (or the full build
    # would render different bytes and reload the page again)
    templates = served.root / "templates"
    source = (REPO / "templates" / "article.html").read_text(encoding="utf-8")
    mark = served.mark()
    (templates / "article.html").write_text(source.replace("</article>", "</article><p>Template v2</p>", 1))
    served.wait_for(REBUILT, since=mark)
    _edit_and_expect_one_reload(served, "Hot note, second edit.")
    assert b"Template v2" in raw_get(served.port, f"/articles/{SLUG}/")[2]


def test_new_renamed_and_deleted_articles(served: ServeProcess) -> None:
    content = served.root / "content"
    mark = served.mark()
    (content / "late-edition.md").write_text(article_md("Late edition", "Printed after midnight."))
    served.wait_for(REBUILT, since=mark)
    assert raw_get(served.port, "/articles/late-edition/")[0] == 200
    mark = served.mark()
    (content / "late-edition.md").rename(content / "morning-edition.md")
    served.wait_for(REBUILT, since=mark)
    assert raw_get(served.port, "/articles/late-edition/")[0] == 404
    assert b"Printed after midnight." in raw_get(served.port, "/articles/morning-edition/")[2]
    mark = served.mark()
    (content / "morning-edition.md").unlink()
    served.wait_for(REBUILT, since=mark)
    assert raw_get(served.port, "/articles/morning-edition/")[0] == 404
    # a whole folder replaced (as a checkout or `git stash` does): still watched afterwards
    annotations = served.root / "annotations"
    mark = served.mark()
    annotations.rename(served.root / "annotations-old")
    annotations.mkdir()
    (annotations / f"{SLUG}.yaml").write_text(annotation_yaml(note="In the new folder."))
    served.wait_for(REBUILT, since=mark)
    assert b"In the new folder." in raw_get(served.port, f"/articles/{SLUG}/")[2]
    mark = served.mark()
    (annotations / f"{SLUG}.yaml").write_text(annotation_yaml(note="Edited in the new folder."))
    served.wait_for(REBUILT, since=mark)
    assert b"Edited in the new folder." in raw_get(served.port, f"/articles/{SLUG}/")[2]


def test_bad_content_of_every_kind_never_stops_the_server(served: ServeProcess) -> None:
    cases = {
        served.root / "annotations" / f"{SLUG}.yaml": b"\xff\xfe not utf-8 \x00",
        served.root / "content" / f"{SLUG}.md": b"---\ntitle: [unclosed\n---\nbody\n",
        served.root / "site.yaml": b"base_url: 12\n  bad: indentation\n",
        served.root / "templates" / "article.html": b"{% extends 'base.html' %}{% block main %}{% if %}{% endblock %}",
    }
    originals = {path: path.read_bytes() if path.exists() else None for path in cases}
    for path, junk in cases.items():
        mark = served.mark()
        path.write_bytes(junk)
        served.wait_for(FAILED, since=mark)
        assert raw_get(served.port, f"/articles/{SLUG}/")[0] == 200
        original = originals[path]
        mark = served.mark()
        if original is None:
            path.unlink()
        else:
            path.write_bytes(original)
        served.wait_for(REBUILT, since=mark)
    assert "templates/article.html:1:" in served.output()
    assert "Traceback" not in served.output()


def test_build_output_never_contains_the_reload_script(served: ServeProcess, tmp_path: Path) -> None:
    out = build_site(served.root, tmp_path / "built")
    for folder in (out, served.root / "site"):  # `build` output, and what `serve` wrote on disk
        pages = [p for p in folder.rglob("*") if p.is_file() and p.suffix in (".html", ".js", ".xml", ".json")]
        assert len(pages) > 5
        for path in pages:
            assert b"__glossator" not in path.read_bytes(), path


def staging_dirs(root: Path) -> list[Path]:
    return [p for p in root.iterdir() if STAGING_MARK in p.name or OLD_MARK in p.name]


def many_articles(root: Path, count: int) -> Path:
    body = "\n\n".join(f"Paragraph {i} of the report says the committee met on a Monday." for i in range(40))
    articles = {f"report-{n:04d}": article_md(f"Report {n}", body, tags=f"[t{n % 7}]") for n in range(count)}
    notes = {slug: annotation_yaml(quote="Paragraph 3 of the report").replace(SLUG, slug) for slug in articles}
    return write_archive(root, articles, notes)


def test_sigint_during_a_build_stops_cleanly_leaving_no_temp_dirs(tmp_path: Path) -> None:
    root = many_articles(tmp_path / "archive", 150)
    server = ServeProcess(root).ready()
    stamp, page = page_stamp(server.port, "/")
    # neither an open event stream nor an idle connection (browsers pre-connect) may delay the exit
    events = EventStream(server.port, f"epoch={stamp}&page={page}")
    idle = socket.create_connection(("127.0.0.1", server.port))
    annotation = next((root / "annotations").iterdir())
    mark = server.mark()
    annotation.write_text(annotation.read_text().replace("ordered", "changed"))
    deadline = time.monotonic() + 30
    while not staging_dirs(root) and time.monotonic() < deadline:
        time.sleep(0.005)
    assert staging_dirs(root), "a rebuild started"
    started = time.monotonic()
    assert server.stop(signal.SIGINT) == 0
    assert time.monotonic() - started < 5
    assert server.output().rstrip().endswith("stopped")
    assert server.count(REBUILT, mark) == 0, "the build was interrupted, not finished"
    assert "Traceback" not in server.output()
    assert staging_dirs(root) == []
    assert (root / "site" / "index.html").is_file(), "the last complete site is still there"
    events.close()
    idle.close()


def test_ctrl_c_while_pagefind_indexes_stops_without_an_error(tmp_path: Path) -> None:
    """Ctrl-C reaches the whole process group, Pagefind too, often before the preview has stopped
    it: that is the editor stopping the preview, not a failed search index."""
    root = many_articles(tmp_path / "archive", 150)
    server = ServeProcess(root, group=True).ready()
    deadline = time.monotonic() + 60
    while not processes_working_in(root / "site"):  # (Pagefind works in a folder of the site's pages)
        assert time.monotonic() < deadline and "search index updated" not in server.output(), \
            "Pagefind was seen running:\n" + server.output()
        time.sleep(0.01)
    assert server.stop(signal.SIGINT) == 0
    output = server.output()
    assert output.rstrip().endswith("stopped")
    assert "Pagefind failed" not in output and "search index not updated" not in output, output
    assert "Traceback" not in output


def test_a_pagefind_stopped_by_a_signal_the_preview_did_not_send_is_reported(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not Ctrl-C (the preview stops too) and not a newer build (which stops it on purpose): the
    editor is told the search index is behind, not left to find out."""
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(pagefind_stopped_by_sigint(tmp_path)))
    server = ServeProcess(write_archive(tmp_path / "archive", {SLUG: ARTICLE})).ready()
    try:
        server.wait_for("search index not updated: Pagefind was stopped \\(interrupted\\); "
                        "it is indexed again after the next change")
    finally:
        assert server.stop() == 0
    assert "Traceback" not in server.output()


def test_an_impossible_port_or_output_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("serve", "--root", REPO, "--port", "70000", timeout=60)
    assert result.returncode == 2 and "--port 70000" in result.stderr
    root = write_archive(tmp_path / "archive", {SLUG: ARTICLE})
    for out, said in ((root / "templates" / "site", "is inside the archive's templates/ folder"),
                      (root / "content", "is inside the archive's content/ folder"),
                      (tmp_path, "holds the archive itself")):
        result = run_cli("serve", "--root", root, "--out", out, "--port", "0", timeout=60)
        assert result.returncode == 2 and f"error: --out {out} {said}" in result.stderr, out


def test_a_site_with_a_sub_path_is_served_under_it(tmp_path: Path) -> None:
    root = write_archive(tmp_path / "archive", {SLUG: ARTICLE}, site_yaml="base_url: https://example.org/archive/\n")
    server = ServeProcess(root).ready()
    try:
        assert server.output().count(f"http://127.0.0.1:{server.port}/archive/") == 2
        status, headers, _ = raw_get(server.port, "/")
        assert status == 302 and headers["location"] == "/archive/"
        status, _, body = raw_get(server.port, f"/archive/articles/{SLUG}/")
        assert status == 200 and b'href="/archive/static/glossator.' in body
        assert raw_get(server.port, f"/articles/{SLUG}/")[0] == 404
    finally:
        assert server.stop() == 0


# Pure parts: epochs and settling.


def test_pages_reload_only_for_newer_builds_that_affect_them() -> None:
    state = SiteState()
    start = state.stamp()
    assert state.catch_up("articles/a/index.html", start)[0].nothing
    state.published(frozenset({"articles/b/index.html", "index.html"}))
    action, stamp = state.catch_up("articles/a/index.html", start)
    assert action.nothing and stamp.endswith(":1")
    assert state.catch_up("articles/b/index.html", start)[0].reload
    assert state.catch_up("", start)[0].reload, "a not-found page may have been created"
    state.published(None)  # the engine could not tell: every page
    assert state.catch_up("articles/a/index.html", stamp)[0].reload
    assert state.catch_up("articles/a/index.html", "other-run:1")[0].reload, "pages of an earlier server run"
    assert state.catch_up("articles/a/index.html", f"{state.instance}:99")[0].reload


def test_stylesheet_swaps_chain_and_a_content_change_wins() -> None:
    state = SiteState()
    start = state.stamp()
    state.published(frozenset(), {"/static/a.1.css": "/static/a.2.css"})
    state.published(frozenset(), {"/static/a.2.css": "/static/a.3.css"})
    action, _ = state.catch_up("index.html", start)
    assert not action.reload and action.stylesheets == {"/static/a.1.css": "/static/a.3.css",
                                                        "/static/a.2.css": "/static/a.3.css"}
    state.published(frozenset({"index.html"}))
    assert state.catch_up("index.html", start)[0].reload


def test_the_search_index_catching_up_keeps_a_failed_builds_problems_shown() -> None:
    """A build failed while the first search index was still being made: when the index finished, its
    update cleared the overlay on every open page, though the archive was still broken."""
    from types import SimpleNamespace

    from glossator.serve.rebuild import Rebuilder

    state = SiteState()
    problems = ("annotations/a.yaml:3:5: error: YAML syntax error",)
    state.failed(problems)  # type: ignore[arg-type]
    preview = SimpleNamespace(state=state, server=SimpleNamespace(search_delta=None))
    Rebuilder._search_changed(preview, None)  # type: ignore[arg-type]
    assert state.snapshot().problems == problems
    assert state.catch_up("search/index.html", f"{state.instance}:0")[0].reload, "the search page still reloads"
    state.published(frozenset({"index.html"}))  # a build succeeded
    assert state.snapshot().problems is None

def test_changes_settle_into_one_batch() -> None:
    changes = Changes(settle=0.05, longest=5)
    for i in range(200):
        changes.add([f"/x/{i % 3}.yaml"])
    started = time.monotonic()
    assert changes.take() == frozenset({"/x/0.yaml", "/x/1.yaml", "/x/2.yaml"})
    assert 0.04 <= time.monotonic() - started < 1
    changes.close()
    assert changes.take() is None


def test_the_host_warning_says_who_can_reach_the_server() -> None:
    from glossator.serve import _host_warning

    assert "other machines may be able to reach" in _host_warning("0.0.0.0")
    assert "other machines may be able to reach" in _host_warning("192.168.1.20")
    assert "this machine only" in _host_warning("::1")
    assert "this machine only" in _host_warning("localhost")


def test_every_file_of_annotations_and_versions_is_watched(tmp_path: Path) -> None:
    """The build reports a stray file there (annotations/todo.txt): the preview must rebuild when one
    appears, to show the error, and when it goes, to clear it. Other files in content/ are the author's."""
    from glossator.serve.watch import Inputs

    project = Project.at(tmp_path)
    inputs = Inputs.of(project)
    assert inputs.relevant(project.annotations_dir.resolve() / "todo.txt", False)
    assert inputs.relevant(project.versions_dir.resolve() / "story" / "notes.txt", False)
    assert inputs.relevant(project.content_dir.resolve() / "story.md", False)
    assert not inputs.relevant(project.content_dir.resolve() / "photo.jpg", False)
    assert not inputs.relevant(project.annotations_dir.resolve() / ".story.yaml.swp", False)


def test_a_linked_article_and_a_stray_file_are_seen(served: ServeProcess) -> None:
    """An article that is a link to a file elsewhere in the archive: an edit to that file is an edit
    to the article. A stray file in annotations/ fails the build as it appears and clears as it goes."""
    shared = served.root / "shared"
    shared.mkdir()
    (shared / "linked-story.md").write_text(article_md("Linked story", "Kept in another folder."))
    mark = served.mark()
    (served.root / "content" / "linked-story.md").symlink_to("../shared/linked-story.md")
    served.wait_for(REBUILT, since=mark)
    assert b"Kept in another folder." in raw_get(served.port, "/articles/linked-story/")[2]
    mark = served.mark()
    (shared / "linked-story.md").write_text(article_md("Linked story", "Edited where it is kept."))
    served.wait_for(REBUILT, since=mark)
    assert b"Edited where it is kept." in raw_get(served.port, "/articles/linked-story/")[2]
    mark = served.mark()
    (served.root / "annotations" / "todo.txt").write_text("to do")
    assert "annotations/todo.txt" in served.wait_for("not an annotation file", since=mark)
    mark = served.mark()
    (served.root / "annotations" / "todo.txt").unlink()
    served.wait_for(REBUILT, since=mark)

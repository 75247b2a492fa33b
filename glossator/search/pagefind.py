"""Search: a Pagefind bundle over the staged site, checked before the site is swapped in.

One Pagefind page per article; each note is a sub-result because its heading carries the
note's id (templates/article.html marks the indexed region and the page-level filters).

The bundle is written by the Pagefind command line (`--site`), the equivalent of one
`add_directory` call. Not through the Python wrapper's service mode: in 1.5.2 the service
acknowledges WriteFiles before its writes are flushed and the wrapper then kills it, which
ships truncated files (Pagefind#1271, fixed after 1.5.2); the command line joins its pending
writes before it exits. The bundle is written beside the live one and checked file by file
(every compressed file inflates, the entry and meta agree, every chunk they name exists),
so a damaged bundle fails the build instead of reaching readers.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import zlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cbor2
import deflate

from ..diagnostics import Diagnostic, error
from ..model import ARTICLE_PAGES_GLOB, SiteConfig, article_page
from .shards import BUNDLE

ENTRY = "pagefind-entry.json"
SIGNATURE = b"pagefind_dcd"
# Pagefind's scripts are plain text, so a cut one is recognised by its lost final statement:
# the module's `export{…};` and the worker's closing `})();` (as written by 1.5.2).
SCRIPT_ENDINGS = {"pagefind.js": b"export{", "pagefind-worker.js": b"})();"}
# The stock UIs: we ship our own (templates/static/search.js), so they only take up room.
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
          "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")
REPORTED = "search index"  # the diagnostic's "path": the problem belongs to no input file
FRAGMENT_URL = re.compile(rb'\{"url":("(?:[^"\\]|\\.)*")')  # a fragment opens with its page's URL
FRAGMENT_HEAD = 4096  # bytes of a fragment that hold its URL


class BundleProblem(Exception):
    """The bundle on disk is not what Pagefind meant to write."""


@dataclass(frozen=True)
class BundleSummary:
    pages: int
    files: int
    bytes: int


GRACE = 5.0  # seconds a graceful child (run_child) has to stop once asked


def scratch_prefix(target: Path) -> str:
    """How index_shard's scratch folder (in the site's folder) for the bundle `target` is named."""
    return f".{BUNDLE}-{target.name}-"


class Cancelled(Exception):
    """An indexing run was stopped: a newer build is about to replace the site, or Ctrl-C."""


def index_shard(site_dir: Path, target: Path, slugs: Sequence[str], language: str,
                cancel: threading.Event | None = None, label: str = f"{BUNDLE}/") -> list[Diagnostic]:
    """Index the pages of these articles (under site_dir) into the bundle `target`, which replaces
    any folder of that name once checked. `label` names the bundle in messages."""
    # Pagefind indexes a folder: the shard's pages are hard-linked into one of their own, beside
    # the site's files so that the links are possible (a hidden folder: never part of the site).
    work = Path(tempfile.mkdtemp(prefix=scratch_prefix(target), dir=site_dir))
    try:
        view, bundle = work / "pages", work / "bundle"
        for slug in slugs:
            page = article_page(slug)
            (view / page).parent.mkdir(parents=True)
            try:
                os.link(site_dir / page, view / page)
            except OSError:
                shutil.copyfile(site_dir / page, view / page)
        failure = _run_pagefind(view, str(bundle), language.lower(), cancel)
        if failure is not None:
            return [failure]
        for name in UNUSED:
            (bundle / name).unlink(missing_ok=True)
        try:
            sort_filters(bundle)
            verify_bundle(bundle, len(slugs))
        except BundleProblem as problem:
            # the checks name a file as in a one-bundle site (pagefind/…): say which shard's it is
            where = str(problem).replace(f"{BUNDLE}/", label, 1)
            return [error(REPORTED, 0, 0, f"the search index Pagefind wrote is damaged: {where}",
                          "the previous search index was kept. Check free disk space and build again; "
                          "if it recurs, report it with the Pagefind version (pagefind --version).",
                          title="Search index")]
        if cancel is not None and cancel.is_set():
            raise Cancelled
        target.parent.mkdir(parents=True, exist_ok=True)
        replace_folder(target, bundle)
        return []
    finally:
        shutil.rmtree(work, ignore_errors=True)


def site_bundles(site_dir: Path) -> list[Path]:
    """The bundles a built site holds: one, at pagefind/ (its shards were merged), or none."""
    root = site_dir / BUNDLE
    return [root] if (root / ENTRY).is_file() else []


def index_pages(pages_dir: Path, bundle: Path, config: SiteConfig, expected: int,
                cancel: threading.Event | None = None) -> list[Diagnostic]:
    """Index the article pages under pages_dir (laid out as in a site) into `bundle`, a new folder,
    with the options index_site uses: the live preview's small bundle of changed pages
    (glossator/serve/indexer.py). The bundle is checked, not swapped in: the caller publishes it."""
    failure = _run_pagefind(pages_dir, str(bundle), config.language.lower(), cancel)
    if failure is not None:
        return [failure]
    for name in UNUSED:
        (bundle / name).unlink(missing_ok=True)
    try:
        verify_bundle(bundle, expected)
    except BundleProblem as problem:
        return [error(REPORTED, 0, 0, f"the search index Pagefind wrote is damaged: {problem}", title="Search index")]
    return []


def page_ids(bundle: Path) -> dict[str, str]:
    """Each page's stored URL → its Pagefind id, the name of its fragment file (what a search result's `id` is).

    The URL comes first in a fragment, so only the start of each file is inflated."""
    ids: dict[str, str] = {}
    for path in (bundle / "fragment").glob("*.pf_fragment"):
        try:
            head = zlib.decompressobj(wbits=31).decompress(path.read_bytes(), FRAGMENT_HEAD)
            match = FRAGMENT_URL.match(head, len(SIGNATURE))
            if head.startswith(SIGNATURE) and match:
                ids[json.loads(match[1])] = path.stem
        except (OSError, zlib.error, ValueError):
            continue  # a fragment gone or damaged: its page cannot be told apart, and is left alone
    return ids


def replace_folder(target: Path, new: Path) -> None:
    """Put `new` in the place of `target` with renames, so a server never sees a half-written bundle."""
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-", dir=target.parent))
    if target.exists():
        target.replace(old)  # onto the empty folder just made
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _executable() -> Path | None:
    # PAGEFIND_BINARY_PATH is the Python package's own way to choose another binary.
    if chosen := os.environ.get("PAGEFIND_BINARY_PATH"):
        return Path(chosen)
    try:
        from pagefind_bin import get_executable
    except ImportError:
        return None
    try:
        return get_executable()
    except FileNotFoundError:
        return None


def _run_pagefind(site_dir: Path, output: str, language: str,
                  cancel: threading.Event | None = None) -> Diagnostic | None:
    binary = _executable()
    if binary is None:
        return error(REPORTED, 0, 0, "the Pagefind binary is not installed",
                     "install the locked dependencies: pip install -r requirements.lock "
                     "(Pagefind comes from PyPI as pagefind[bin])", title="Search index")
    command = [str(binary), "--site", ".", "--glob", ARTICLE_PAGES_GLOB, "--output-path", output,
               "--force-language", language, "--silent"]
    # PAGEFIND_* variables and a pagefind.yml in the working directory would reconfigure the
    # run; the site folder holds neither, and the environment is scrubbed of them.
    env = {key: value for key, value in os.environ.items() if not key.startswith("PAGEFIND_")}
    try:
        returncode, stdout, stderr = run_child(command, cancel, cwd=site_dir, env=env)
    except OSError as exc:
        return error(REPORTED, 0, 0, f"could not run Pagefind: {exc}", title="Search index")
    if returncode != 0:
        # Pagefind prints some errors on both streams: each line once.
        lines = (line.rstrip() for line in (stdout + stderr).splitlines() if line.strip())
        output_lines = list(dict.fromkeys(lines))[-12:]
        return error(REPORTED, 0, 0, f"Pagefind failed (exit status {returncode})",
                     "\n".join(output_lines) or "it printed nothing", title="Search index")
    return None


def run_child(command: list[str], cancel: threading.Event | None, *, stdin: str | None = None,
              graceful: bool = False, **options: Any) -> tuple[int, str, str]:
    """Run `command` to its end, `stdin` its input: (exit status, standard output, standard error).
    Setting `cancel` kills it and raises Cancelled here; a `graceful` child is asked first (SIGTERM),
    so that it can stop what it started and clean up, and killed if it has not ended 5 s later."""
    with subprocess.Popen(command, stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **options) as process:
        if cancel is not None:
            threading.Thread(target=_stop_when_set, args=(process, cancel, graceful), daemon=True).start()
        stdout, stderr = process.communicate(stdin)
    if cancel is not None and cancel.is_set():
        raise Cancelled
    if process.returncode == -signal.SIGINT:
        # Ctrl-C in a terminal reaches every process of its group, this child too, often before the
        # process that runs it has set `cancel` (the live preview stopping): it was stopped, not failed
        raise Cancelled
    return process.returncode, stdout, stderr


def _stop_when_set(process: subprocess.Popen[str], cancel: threading.Event, graceful: bool) -> None:
    while process.poll() is None:
        if cancel.wait(0.05):
            if graceful:
                process.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(GRACE)
            if process.poll() is None:
                process.kill()
            return


def verify_bundle(bundle: Path, expected_pages: int, checked: Collection[str] = ()) -> BundleSummary:
    """Check a written bundle end to end; raise BundleProblem naming the first bad file. Files in
    `checked` (their paths in the bundle: linked from bundles checked when they were written) are
    not inflated again."""
    entry = read_entry(bundle)
    sizes = _file_sizes(bundle)  # (strings: a merged bundle at 10k articles is 13,000 files)
    for relative in sizes:
        name = relative.rsplit("/", 1)[-1]
        if (os.path.splitext(name)[1].startswith(".pf_") or name.startswith("wasm.")) and relative not in checked:
            inflate(bundle / relative, bundle)
    for name, ending in SCRIPT_ENDINGS.items():
        _check_script(bundle / name, ending, bundle)
    pages = 0
    for language, info in entry["languages"].items():
        pages += _check_language(bundle, language, info, sizes)
    if pages != expected_pages:
        raise BundleProblem(f"it holds {pages} pages, but the site has {expected_pages} articles")
    return BundleSummary(pages, len(sizes), sum(sizes.values()))


def _file_sizes(folder: Path) -> dict[str, int]:
    """Every file under `folder` (relative path → size)."""
    sizes: dict[str, int] = {}
    pending = [("", str(folder))]
    while pending:
        prefix, directory = pending.pop()
        with os.scandir(directory) as entries:
            for item in entries:
                if item.is_dir(follow_symlinks=False):
                    pending.append((f"{prefix}{item.name}/", item.path))
                elif item.is_file():
                    sizes[prefix + item.name] = item.stat().st_size
    return dict(sorted(sizes.items()))


def read_entry(bundle: Path) -> dict:
    path = bundle / "pagefind-entry.json"
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BundleProblem(f"{_name(path, bundle)} is missing") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BundleProblem(f"{_name(path, bundle)} is not valid JSON ({exc})") from None
    if not isinstance(entry, dict) or not isinstance(entry.get("languages"), dict):
        raise BundleProblem(f"{_name(path, bundle)} lists no languages")
    return entry


# What compresses the files the merge writes: part of the name of the build cache's store of
# compressed chunks, so that a chunk compressed by another version is never taken for this one's.
GZIP = f"libdeflate-{deflate.__version__}"


def gzipped(data: bytes, level: int) -> bytes:
    """A bundle file's bytes, gzip-compressed as a browser reads them. libdeflate, not zlib: on
    Pagefind's index chunks, at level 6, 7× faster than zlib's level 6 and 1.6% smaller (the merged
    bundle of a cold 10k build compressed ~14 s of CPU at its end, alone). No time in the header."""
    return bytes(deflate.gzip_compress(data, level))


def inflate(path: Path, bundle: Path) -> bytes:
    """The decompressed content of a bundle file; a file cut short fails here."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise BundleProblem(f"{_name(path, bundle)} is missing") from None
    inflater = zlib.decompressobj(wbits=31)  # gzip framing: the trailer's CRC and length are checked
    try:
        content = inflater.decompress(data) + inflater.flush()
    except zlib.error as exc:
        raise BundleProblem(f"{_name(path, bundle)} does not decompress ({exc}; {len(data)} bytes)") from None
    if not inflater.eof:
        raise BundleProblem(f"{_name(path, bundle)} is truncated ({len(data)} bytes)")
    if not content.startswith(SIGNATURE):
        raise BundleProblem(f"{_name(path, bundle)} is not a Pagefind file")
    return content[len(SIGNATURE):]


def _check_script(path: Path, ending: bytes, bundle: Path) -> None:
    try:
        last_line = path.read_bytes().rstrip().rsplit(b"\n", 1)[-1]
    except FileNotFoundError:
        raise BundleProblem(f"{_name(path, bundle)} is missing") from None
    if ending not in last_line[-1000:] or not last_line.endswith(b";"):
        raise BundleProblem(f"{_name(path, bundle)} is truncated")


def _check_language(bundle: Path, language: str, info: object, files: Collection[str]) -> int:
    """The language's meta file names every page fragment, index chunk and filter: all must exist and inflate."""
    if not isinstance(info, dict) or not isinstance(info.get("hash"), str):
        raise BundleProblem(f"pagefind-entry.json: language {language!r} has no hash")
    meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
    meta = read_cbor(meta_path, bundle)
    if not isinstance(meta, list) or len(meta) < 4:
        raise BundleProblem(f"{_name(meta_path, bundle)} has an unknown layout")
    _version, pages, chunks, filters = meta[:4]
    if len(pages) != info.get("page_count"):
        raise BundleProblem(f"{_name(meta_path, bundle)} lists {len(pages)} pages, the entry {info.get('page_count')}")
    wanted = [f"fragment/{page[0]}.pf_fragment" for page in pages]
    wanted += [f"index/{chunk[2]}.pf_index" for chunk in chunks]
    wanted += [f"filter/{item[1]}.pf_filter" for item in filters]
    # (`"wasm": null` for a language Pagefind has no stemmer for: ja, zh, uk, he…; it ships the neutral one)
    wanted.append(f"wasm.{info.get('wasm') or 'unknown'}.pagefind")
    for relative in wanted:
        if relative not in files:
            raise BundleProblem(f"{_name(bundle / relative, bundle)} is missing")
    return len(pages)


def sort_filters(bundle: Path) -> None:
    """Make the bundle's bytes depend on the input only (SPEC §8: two builds, the same bytes).

    Pagefind 1.5.2 writes each filter's values, and the meta file's list of filters, in
    hash-map order, which changes from run to run (and with it the file names, which are
    hashes). Values are sorted here, the files renamed after their new content, and the meta
    file and the entry rewritten to name them; pagefind.js takes them in any order.
    """
    entry_path = bundle / "pagefind-entry.json"
    entry = read_entry(bundle)
    for language, info in entry["languages"].items():
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = _decode(meta_path, bundle)
        if len(meta) < 4:
            raise BundleProblem(f"{_name(meta_path, bundle)} has an unknown layout")
        filters = []
        for name, chunk in meta[3]:
            chunk_path = bundle / "filter" / f"{chunk}.pf_filter"
            content = _decode(chunk_path, bundle)
            content[1].sort(key=lambda value_pages: value_pages[0])
            filters.append([name, _write(bundle / "filter", language, 7, ".pf_filter", content, chunk_path)])
        meta[3] = sorted(filters)
        info["hash"] = _write(bundle, language, 10, ".pf_meta", meta, meta_path, prefix="pagefind.")
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def read_cbor(path: Path, bundle: Path) -> Any:
    """A bundle file's content, decoded; a file that does not decode fails here."""
    try:
        return cbor2.loads(inflate(path, bundle))
    except (ValueError, cbor2.CBORDecodeError) as exc:
        raise BundleProblem(f"{_name(path, bundle)} cannot be read ({exc})") from None


def _decode(path: Path, bundle: Path) -> list:
    content = read_cbor(path, bundle)
    if not isinstance(content, list) or len(content) < 2 or not all(isinstance(c, list) for c in content[1:2]):
        raise BundleProblem(f"{_name(path, bundle)} has an unknown layout")
    return content


def _write(folder: Path, language: str, digits: int, suffix: str, content: list, old: Path, prefix: str = "") -> str:
    """Write a Pagefind file named after its content (as Pagefind does); return its hash."""
    data = SIGNATURE + cbor2.dumps(content)  # (byte for byte as Pagefind encodes: tests/test_search_index.py)
    name = f"{language}_{hashlib.sha256(data).hexdigest()[:digits]}"
    path = folder / f"{prefix}{name}{suffix}"
    if path != old:
        path.write_bytes(gzipped(data, 9))
        old.unlink()
    return name


def _name(path: Path, bundle: Path) -> str:
    return f"{BUNDLE}/{path.relative_to(bundle).as_posix()}"

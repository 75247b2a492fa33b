"""`build.py add URL` / `add FILE.html --url URL`: run the capture stages, write the article,
and tell the editor what was found where, what was guessed, and what was left out."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from ..model import Capture
from ..project import Project, is_slug
from . import CaptureError
from .convert import convert
from .decode import decode_page
from .extract import extract, parse_page
from .fetch import MAX_BYTES, TIMEOUT, Page, check_address, fetch, read_file
from .metadata import Fact, Metadata, read_metadata, unwrap_wayback, wayback_moment
from .recapture import recapture
from .write import FrontMatter, held_url, holding, same_address, slugify, taken, unique_slug, write_article

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
TAG = re.compile(r"[a-z0-9][a-z0-9-]*\Z")  # the article schema's pattern for tags
MAX_TAG = 60
MIN_WORDS = 20  # a news brief has more; fewer is a page's furniture, not an article


@dataclass(frozen=True)
class Request:
    """What the editor asked for, checked."""

    target: str  # a web address or a saved page's path
    url: str | None  # --url: the article's address
    slug: str | None
    tags: tuple[str, ...]
    timeout: float = TIMEOUT
    max_bytes: int = MAX_BYTES


def _fail(message: str, hint: str = "", status: int = EXIT_CONTENT) -> int:
    print(f"error: {message}", file=sys.stderr)
    if hint:
        print(f"    hint: {hint}", file=sys.stderr)
    if status == EXIT_CONTENT:
        print("nothing was written", file=sys.stderr)
    return status


def _usage(target: str, url: str | None, slug: str | None, tags: str | None) -> tuple[Request | None, int]:
    is_web = "://" in target
    if not is_web and url is None:
        return None, _fail(f"`{target}` is a file: a saved page needs the article's address too",
                           f"python build.py add {target} --url https://…", EXIT_USAGE)
    checked_url = None
    try:
        checked_url = check_address(url) if url is not None else None
        if is_web:
            check_address(target)
    except CaptureError as problem:
        return None, _fail(problem.message, problem.hint, EXIT_USAGE)
    if slug is not None and not is_slug(slug):
        return None, _fail(f"`--slug {slug}` is not a slug",
                           "lowercase letters, digits and hyphens, starting with a letter or digit, "
                           "at most 120 characters", EXIT_USAGE)
    tag_list = tuple(dict.fromkeys(t.strip() for t in (tags or "").split(",") if t.strip()))
    for tag in tag_list:
        if not TAG.match(tag) or len(tag) > MAX_TAG:
            return None, _fail(f"`{tag}` is not a tag", "tags are lowercase words or hyphenated phrases, "
                               "e.g. --tags turkey,iraq,state-media", EXIT_USAGE)
    return Request(target, checked_url, slug, tag_list), EXIT_OK


def add(project: Project, target: str, url: str | None = None, slug: str | None = None, tags: str | None = None,
        timeout: float = TIMEOUT, now: dt.datetime | None = None) -> int:
    request, status = _usage(target, url, slug, tags)
    if request is None:
        return status
    request = Request(request.target, request.url, request.slug, request.tags, timeout)
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    known = request.url or (request.target if "://" in request.target else None)
    owner = holding(project, unwrap_wayback(known) or known) if known else None
    if owner and request.slug is not None and owner != f"content/{request.slug}.md":
        return _fail(f"{owner} already holds {known}", f"to capture it again, leave out `--slug {request.slug}`")
    if not owner and request.slug is not None and taken(project, request.slug):
        return _fail(f"`{request.slug}` is taken: content/{request.slug}.md or its annotation file exists",
                     "choose another --slug (an article already held is captured again by its address)")
    try:
        page = (fetch(request.target, timeout=request.timeout, max_bytes=request.max_bytes) if "://" in request.target
                else read_file(Path(request.target), request.max_bytes))
        return _capture(project, request, page, now, owner)
    except CaptureError as problem:
        return _fail(problem.message, problem.hint)


def _capture(project: Project, request: Request, page: Page, now: dt.datetime, owner: str | None = None) -> int:
    where = page.address
    try:
        decoded = decode_page(page.data, page.charset)
        tree = parse_page(decoded.text)
        base = request.url or page.address
        extracted = extract(tree, base)
        meta = read_metadata(tree, extracted.found, page.address, request.url, now.date())
        author = meta.author.value if meta.author else ""
        converted = convert(extracted.body, base, meta.title.value, author)
    except CaptureError as problem:
        raise CaptureError(f"{where}: {problem.message}", problem.hint) from None
    if converted.words < MIN_WORDS:
        raise CaptureError(f"{where}: no article text found on the page (only {converted.words} words)",
                           "only a headline, a byline or links were left once the page furniture was removed")
    if not owner and (owner := holding(project, meta.url.value)) and request.slug is not None \
            and owner != f"content/{request.slug}.md":  # (the page's own address is a held article's)
        raise CaptureError(f"{owner} already holds {meta.url.value}, the address {where} gives as its own",
                           f"to capture it again, leave out `--slug {request.slug}`")
    read_at = _moment_of_text(page, meta, now)
    if owner:  # held already: captured again (a new version if its words changed)
        _check_same_article(project, owner, request, page, meta)
        if request.tags:
            print(f"note: --tags left aside: the front matter of {owner} stays as it is, but for `captured`")
        capture = Capture(read_at, hashlib.sha256(page.data).hexdigest(), page.address if page.from_web else "")
        # (a headline we made up, from the page's first heading, is no headline of the outlet's)
        return recapture(project, Path(owner).stem, converted.markdown,
                         "" if meta.title.guessed else meta.title.value, capture, meta.paywalled,
                         copy=meta.archived if read_at != now else "")
    slug = request.slug or unique_slug(project, slugify(meta.title.value) or f"article-{now.date().isoformat()}")
    # a title or a date made up by us must not be published unseen; trafilatura's dates come from the page
    draft = meta.title.guessed or (meta.published.guessed and not meta.published.origin.startswith("trafilatura"))
    front = FrontMatter(
        title=meta.title.value, source=meta.source.value, published=meta.published.value, url=meta.url.value,
        captured_at=read_at.strftime("%Y-%m-%dT%H:%M:%SZ"), sha256=hashlib.sha256(page.data).hexdigest(),
        read_from=page.address if page.from_web else "", headline="" if meta.title.guessed else meta.title.value,
        author=author,
        language=meta.language.value if meta.language else "", archived=meta.archived, tags=request.tags,
        draft=draft)
    path = write_article(project, slug, front, converted.markdown)
    _report(project, path, converted.words, meta, decoded.note, converted.left_out, converted.links_dropped,
            extracted.removed, page, request, draft)
    return EXIT_OK


def _moment_of_text(page: Page, meta: Metadata, now: dt.datetime) -> dt.datetime:
    """When the text read was the outlet's: a Wayback Machine copy's own moment (the address the
    redirects ended on first: it names the copy served), else now. A saved file's moment is unknown."""
    for address in ((page.address,) if page.from_web else ()) + (meta.archived,):
        copied = wayback_moment(address)
        if copied is not None and copied <= now:
            return copied
    return now


def _original(url: str) -> str:
    """An address compared as the article's: a Wayback Machine copy's original, in `same_address` form."""
    return same_address(unwrap_wayback(url) or url)


def _check_same_article(project: Project, owner: str, request: Request, page: Page, meta: Metadata) -> None:
    """Refuse a page that is not the held article's: one naming another address as its own, or one
    that a redirect brought from the held address to another (a merged or deleted story sent to
    another article or the home page), which would otherwise replace the held text."""
    held = held_url(str(project.content_dir / Path(owner).name)) or meta.url.value
    named = meta.named.origin != "the address it was read from"
    if named and _original(meta.named.value) != _original(held):
        raise CaptureError(
            f"{page.address} names {meta.named.value} as its own address ({meta.named.origin}), not {held}, "
            f"the `url` of {owner}: it is another page, and was not captured as a new text of {owner}",
            f"if the outlet moved the article there, set `url:` in {owner} to {meta.named.value} and capture "
            "again; to keep the other page as an article of its own, capture it by its own address")
    redirected = page.from_web and same_address(page.address) != same_address(request.target)
    if redirected and not named and _original(page.address) != _original(held):
        raise CaptureError(
            f"{request.target} now redirects to {page.address}, which is not {held}, the `url` of {owner}, "
            "and the page there does not name the held address as its own",
            f"open {request.target} in a browser: if the outlet moved the article, set `url:` in {owner} to the "
            "new address and capture again; if it removed it, try a copy from the Wayback Machine")


def _report(project: Project, path: Path, words: int, meta: Metadata, charset_note: str, left_out: tuple[str, ...],
            links_dropped: int, removed: int, page: Page, request: Request, draft: bool) -> None:
    print(f"wrote {project.relative(path)} ({words:,} words)")
    facts: list[tuple[str, Fact | None]] = [("title", meta.title), ("source", meta.source),
                                            ("published", meta.published), ("author", meta.author),
                                            ("language", meta.language), ("url", meta.url)]
    for name, fact in facts:
        if fact is not None:
            mark = "  (a guess)" if fact.guessed else ""
            print(f"  {name + ':':<11}{fact.value}  — from {fact.origin}{mark}")
    checks: list[str] = []
    for name, fact in facts[:3]:
        if fact is not None and fact.guessed:
            checks.append(f"`{name}` is a guess ({fact.origin}): correct it if the page says otherwise")
    if meta.author is None:
        checks.append("no author found: add `author:` if the article has a byline")
    if meta.language is None:
        checks.append("no language found: the archive's default (site.yaml) applies; add `language:` if it differs")
    if draft:
        checks.append("written as `draft: true` until the guessed facts are checked: remove that line then")
    if request.url is None and same_address(meta.named.value) != same_address(page.address):
        checks.append(f"the page names its own address {meta.named.value}; that is the `url` written")
    elif request.url is not None and meta.named.origin != "the address it was read from" \
            and same_address(meta.named.value) != same_address(meta.url.value):
        checks.append(f"the page names its own address {meta.named.value}, not the --url given")
    if meta.archived:
        checks.append(f"read from the Wayback Machine: `archived` is {meta.archived}")
    if meta.paywalled:
        checks.append("the page marks the article as paywalled: the text may be only its opening")
    if meta.kind == "LiveBlogPosting":
        checks.append("a live blog: the text holds the posts published by the time of capture")
    if charset_note:
        checks.append(charset_note)
    if links_dropped:
        checks.append(f"{links_dropped} link(s) to other than web addresses (javascript:, mailto:…) kept as text")
    checks += [f"left out {what}" for what in left_out]
    if removed:
        checks.append(f"{removed} block(s) of page furniture removed before extraction (ads, share bars, banners, "
                      "hidden elements)")
    if checks:
        print("check by eye:")
        for line in checks:
            print(f"  - {line}")
    print(f"next: read {project.relative(path)} against the page, then run `python build.py check`")

"""Command line: build | check | serve | new | add | import. Exit 0 success, 1 content errors, 2 usage errors."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .build import pipeline
from .build.options import BuildOptions, collect_less
from .diagnostics import Diagnostic, format_github, format_text, on_github_actions
from .project import Project

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
BUILD_WARNINGS_SHOWN = 20


def _host_name(text: str) -> str:
    from .serve.server import host_name

    name = host_name(text)
    if name is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a host name (e.g. preview.example or 192.168.1.20)")
    return name


def _base_url(text: str) -> str:
    """--base-url as site.yaml's `base_url` must be: an absolute http(s) address (it goes into every
    page's canonical link and the feeds, so `javascript:` or a bare host would be published)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(text)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in text):
        raise argparse.ArgumentTypeError(f"{text!r} is not an absolute http or https address; write the full "
                                         "address, e.g. --base-url https://example.org/archive/")
    if "?" in text or "#" in text:  # (every address of the site is made by adding a path to it)
        raise argparse.ArgumentTypeError(f"{text!r} has a query (?…) or a fragment (#…); write the folder the "
                                         "site is published in, e.g. --base-url https://example.org/archive/")
    return text


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py", description="Glossator: annotated-article archives.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--root", default=".", help="the archive to work on (default: current directory)")
        return sub

    build = command("build", "build the site")
    build.add_argument("--out", help="output directory (default: ROOT/site)")
    build.add_argument("--base-url", type=_base_url, help="override site.yaml's base_url, e.g. https://example.org/archive/")
    build.add_argument("--drafts", action="store_true", help="include articles marked draft: true")
    build.add_argument("--jobs", type=int, default=0, help="worker processes (default: one per core)")
    build.add_argument("--no-search", action="store_true", help="skip the search index (faster drafts)")

    check = command("check", "validate every article and annotation file; write nothing")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")

    serve = command("serve", "build, serve on http://127.0.0.1:8000, rebuild on changes")
    serve.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--allow-host", action="append", default=[], type=_host_name, metavar="NAME",
                       help="also answer requests for this host name (repeatable); by default the preview "
                            "answers only to 127.0.0.1, localhost, [::1] and --host, so that other web sites "
                            "cannot read it through DNS rebinding")
    serve.add_argument("--out", help="output directory (default: ROOT/site)")
    serve.add_argument("--open", action="store_true", help="open the site in a browser")
    serve.add_argument("--drafts", action="store_true", help="include articles marked draft: true")

    new = command("new", "append an annotation stub for words of an article")
    new.add_argument("slug", help="the article: content/SLUG.md")
    new.add_argument("quote", help="words copied from the article")
    new.add_argument("--kind", choices=("claim", "sourcing", "context"), default="claim")

    add = command("add", "capture an article from its web page into content/")
    add.add_argument("target", metavar="URL|FILE", help="the article's address, or a page saved from a browser")
    add.add_argument("--url", help="the article's address (needed for a saved page)")
    add.add_argument("--slug", help="the file name, content/SLUG.md (default: from the title)")
    add.add_argument("--tags", help="comma-separated tags, e.g. turkey,iraq")
    add.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the server (default: 30)")

    imports = command("import", "bring annotations made elsewhere (Hypothesis, W3C Web Annotations) into annotations/")
    imports.add_argument("file", metavar="FILE", help="a Hypothesis API search response or export file, or W3C Web "
                         "Annotation JSON-LD (docs/importing.md)")
    imports.add_argument("--article", metavar="SLUG", help="import every annotation into content/SLUG.md (default: "
                         "match each annotation's page address against the articles' url and archived)")
    imports.add_argument("--kind", choices=("claim", "sourcing", "context"),
                         help="the kind of annotations whose tags or purpose do not say (default: context)")
    imports.add_argument("--by", metavar="HANDLE", help="who to credit where the file names no author with a handle")
    imports.add_argument("--dry-run", action="store_true", help="report what would be imported; write nothing")
    return parser


def print_diagnostics(diagnostics: list[Diagnostic], root: Path, counted: list[Diagnostic] | None = None) -> None:
    """The diagnostics, then how many there are (of `counted`, when only some of them are shown)."""
    if not diagnostics:
        return
    print(format_text(diagnostics, root), file=sys.stderr)
    if on_github_actions():
        print(format_github(diagnostics))
    counted = diagnostics if counted is None else counted
    errors = sum(d.is_error for d in counted)
    warnings = len(counted) - errors
    parts = [f"{errors} error{'s' * (errors != 1)}"]
    if warnings:
        parts.append(f"{warnings} warning{'s' * (warnings != 1)}")
    print(", ".join(parts), file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    root = Path(args.root)
    if not root.is_dir():
        print(f"error: --root {args.root}: no such directory", file=sys.stderr)
        return EXIT_USAGE
    project = Project.at(root, getattr(args, "out", None))
    if args.command in ("build", "check"):  # (one build, then the process ends: not `serve`)
        collect_less()
    try:
        if args.command == "build":
            return _build(project, args)
        if args.command == "check":
            diagnostics = pipeline.check(project, pipeline.terminal_progress())
            print_diagnostics(diagnostics, project.root)
            failing = any(d.is_error or args.strict for d in diagnostics)
            if not diagnostics:
                print("ok: no problems found", file=sys.stderr)
            elif not failing:
                print("warnings do not fail `check` (`check --strict` makes them fail)", file=sys.stderr)
            return EXIT_CONTENT if failing else EXIT_OK
        if args.command == "serve":
            from .serve import serve

            return serve(project, host=args.host, port=args.port, open_browser=args.open,
                         allow_hosts=tuple(args.allow_host), drafts=args.drafts)
        if args.command == "new":
            from .new import new_stub

            return new_stub(project, args.slug, args.quote, args.kind)
        if args.command == "add":
            if not args.timeout > 0:
                print("error: --timeout must be a number of seconds above 0", file=sys.stderr)
                return EXIT_USAGE
            from .capture.command import add

            return add(project, args.target, args.url, args.slug, args.tags, args.timeout)
        if args.command == "import":
            from .interop.command import run_import

            return run_import(project, Path(args.file), args.file, lambda found: print_diagnostics(found, Path.cwd()),
                              article=args.article, kind=args.kind, by=args.by, dry_run=args.dry_run)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    return EXIT_USAGE


def _build(project: Project, args: argparse.Namespace) -> int:
    problem = pipeline.out_problem(project)
    if problem is not None:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    started = time.perf_counter()
    if args.jobs < 0:
        print("error: --jobs must be 0 (one per core) or more", file=sys.stderr)
        return EXIT_USAGE
    options = BuildOptions(base_url=args.base_url, drafts=args.drafts, search=not args.no_search)
    result = pipeline.build(project, options, jobs=args.jobs, progress=pipeline.terminal_progress(),
                            detach_cleanup=True)
    shown = result.diagnostics
    warnings = [d for d in shown if not d.is_error]
    if len(warnings) > BUILD_WARNINGS_SHOWN:
        # a build is not a review: list the errors, count the warnings, and say where to read them
        shown = [d for d in shown if d.is_error] + warnings[:BUILD_WARNINGS_SHOWN]
        print(f"{len(warnings)} warnings; the first {BUILD_WARNINGS_SHOWN} follow, "
              "`python build.py check` lists them all", file=sys.stderr)
    print_diagnostics(shown, project.root, result.diagnostics)
    if not result.ok:
        print("build failed; the previous site was left as it was", file=sys.stderr)
        return EXIT_CONTENT
    seconds = time.perf_counter() - started
    print(f"built {result.articles} articles, {result.annotations} annotations into "
          f"{project.out} in {seconds:.2f} s", file=sys.stderr)
    return EXIT_OK

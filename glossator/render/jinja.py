"""The Jinja environment: autoescape everywhere, undefined names are errors, and
template problems come back as diagnostics pointing into the template file."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import traceback
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import MethodType
from typing import Any, TypeVar

import jinja2
import markupsafe
import orjson
from jinja2 import nodes
from jinja2.runtime import Context, Macro
from markupsafe import Markup

from ..diagnostics import Diagnostic, error
from ..model import SiteConfig
from .direction import dir_attribute, direction

T = TypeVar("T")
PIECES = 4096  # of a page rendered in pieces, joined before each write

# No inline script anywhere; 'wasm-unsafe-eval' is what Pagefind's WebAssembly needs.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'"
)

NOT_FOUND_HINT = "correct the name, or create templates/{name} (an include that may be absent can say `ignore missing`)"


class TemplateProblem(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def _template_position(exc: BaseException, dirs: list[Path]) -> tuple[str, int]:
    """The template file and line a runtime error came from (Jinja keeps them in the traceback)."""
    for frame, line in reversed(list(traceback.walk_tb(exc.__traceback__))):
        filename = frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt", ".json", ".jsonld")):
            return _relative(filename, dirs), line
    return "templates", 0


def _relative(filename: str, dirs: list[Path]) -> str:
    path = Path(filename)
    for base in dirs:
        try:
            return (base.name / path.resolve().relative_to(base.resolve())).as_posix()
        except ValueError:
            continue
    return filename


def escape(value: Any, /) -> str:
    """markupsafe.escape's text, with less of Python around it for text and Markup.

    A template calls it for every `{{ }}` (~600 an article page), and Jinja only ever joins what it
    returns into the template's output (a macro's or a `{% set %}` block's output becomes Markup
    there). So text comes back as the plain str markupsafe's C escaping makes (the same object when
    there is nothing to escape), without markupsafe's two Python calls and the copy into a Markup.
    (tests/test_render_escape.py holds the text to markupsafe's.)
    """
    if type(value) is str:
        return _escape_inner(value)
    if type(value) is Markup:  # (markupsafe returns an equal copy)
        return value
    return markupsafe.escape(value)


# MarkupSafe is pinned (requirements.lock); its C escaping is what markupsafe.escape itself calls
_escape_inner = markupsafe._escape_inner  # type: ignore[attr-defined]


def json_text(value: Any, **fallback: Any) -> str:
    """The JSON `|tojson` writes (which then escapes < > & ' so that no string can close a script):
    orjson's compact text, keys sorted, characters beyond ASCII as they are (pages are UTF-8) but
    U+2028 and U+2029, line ends to older JavaScript parsers, escaped as json.dumps escaped them.
    json.dumps took ~45 µs for an article's ClaimReviews, 1.5% of its page; orjson ~4. What orjson
    refuses (an integer beyond 64 bits, a key that is not text) goes to json.dumps, with the policy's options."""
    try:
        text = orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:
        return json.dumps(value, **fallback)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


class _Template(jinja2.Template):
    """A template whose `{{ }}` escape through escape() above. Compiled code takes `escape` from
    its module's namespace, which is the one a template is made from."""

    @classmethod
    def _from_namespace(cls, environment: jinja2.Environment, namespace: dict[str, Any],
                        globals: Any) -> jinja2.Template:
        namespace["escape"] = escape
        return super()._from_namespace(environment, namespace, globals)  # type: ignore[misc]


class _Context(Context):
    """Jinja's context, with a shorter way to call a macro or one of the renderer's functions (url,
    asset…): Context.call looks on every callable for the marks pass_context and its kind leave (three
    attribute lookups, ~1 µs a call), and an article page makes ~70 calls, none of them to a callable so
    marked (no method of the Renderer takes the context). Other callables go through Context.call.
    (Jinja's own argument names: `__self` and `__obj` cannot clash with a template's keywords.)"""

    def call(__self, __obj: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if type(__obj) is not Macro and not (type(__obj) is MethodType and type(__obj.__self__) is Renderer):
            return super().call(__obj, *args, **kwargs)
        kwargs.pop("_loop_vars", None)  # (what Jinja passes for a callable that takes the context)
        kwargs.pop("_block_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:  # as Context.call answers it
            return __self.environment.undefined("value was undefined because a callable raised a "
                                                "StopIteration exception")


class Renderer:
    def __init__(self, template_dirs: list[Path], config: SiteConfig, assets: Mapping[str, str]) -> None:
        self.dirs = template_dirs
        self.config = config
        self.assets = assets
        self.base_path = config.base_path  # a property that parses base_url; url() runs for every link
        self._modules: dict[str, Any] = {}
        self._names: dict[tuple[str, str], bool] = {}
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in template_dirs]),
            autoescape=True,  # every template, .xml included: all fields are untrusted
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
        )
        self.env.template_class = _Template
        self.env.context_class = _Context
        self.env.policies["json.dumps_function"] = json_text
        self.env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": True}  # (json_text's fallback)
        self.env.filters["atom_date"] = atom_date
        self.env.filters["version_label"] = version_label
        # ` dir="rtl"` after a lang="{{ x }}" whose text runs otherwise than the site's: `{{ x|text_dir }}`
        # (a filter: templates call one directly, where a global costs a context call, on every listing entry)
        self.env.filters["text_dir"] = lambda language: dir_attribute(language, config.language)
        self.env.globals.update(
            site=config,
            base_path=config.base_path,
            csp=CONTENT_SECURITY_POLICY,
            asset=self.asset_url,
            url=self.url,
            abs_url=self.abs_url,
            site_dir=direction(config.language),  # (<html dir>)
        )

    def asset_url(self, name: str) -> str:
        return self.base_path + "static/" + self.assets[name]

    def url(self, path: str = "") -> str:
        return self.base_path + path.lstrip("/")

    def abs_url(self, path: str = "") -> str:
        return self.config.base_url + path.lstrip("/")

    def template_files(self, name: str) -> dict[str, str]:
        """The template and everything it extends or includes, with their texts (for dependency
        tracking): "" for a template included with `ignore missing` that is missing. A template
        that is missing otherwise, or not UTF-8, is a TemplateProblem at its place."""
        seen: dict[str, str] = {}
        pending: list[tuple[str, tuple[str, int] | None, bool]] = [(name, None, False)]
        while pending:
            current, included_from, optional = pending.pop()
            if current in seen:
                continue
            seen[current] = source = self.source(current, included_from, optional)
            try:
                parsed = self.env.parse(source)
            except jinja2.TemplateError:  # (reported where it is rendered, with its line)
                continue
            for node in parsed.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
                # a name made at run time ({% include some_variable %}) cannot be followed
                if isinstance(node.template, nodes.Const) and isinstance(node.template.value, str):
                    pending.append((node.template.value, (current, node.lineno),
                                    isinstance(node, nodes.Include) and node.ignore_missing))
        return dict(sorted(seen.items()))

    def source(self, name: str, included_from: tuple[str, int] | None = None, optional: bool = False) -> str:
        """A template's text; `included_from`: the template and line that name it."""
        try:
            return self.env.loader.get_source(self.env, name)[0]  # type: ignore[union-attr]
        except jinja2.TemplateNotFound:
            if optional:
                return ""
            where, line = included_from or (None, 0)
            raise TemplateProblem(error(
                self._path(where) if where else "templates", line, 1 if line else 0,
                f"template not found: {name}", NOT_FOUND_HINT.format(name=name), title="Template error")) from None
        except UnicodeDecodeError:
            path = next(d / name for d in self.dirs if (d / name).is_file())
            data = path.read_bytes()
            try:
                data.decode("utf-8")
                bad = 0
            except UnicodeDecodeError as exc:
                bad = exc.start
            start = data.rfind(b"\n", 0, bad) + 1
            column = len(data[start:bad].decode("utf-8", "replace")) + 1
            raise TemplateProblem(error(
                self._path(name), data.count(b"\n", 0, bad) + 1, column,
                f"template is not valid UTF-8 text (bad byte at offset {bad})", "save the file as UTF-8 in your editor",
                title="Not UTF-8")) from None

    def names(self, template: str, name: str) -> bool:
        """Whether `template` (an archive's own, where it has one) uses `name` in its code, comments
        aside. A long list is cut into pages only for a template that shows their pager: an archive's
        own template, made before that list was paged, lists it whole as it always did rather than
        show its first page with no way to the others."""
        key = (template, name)
        if key not in self._names:
            try:
                self._names[key] = any(kind == "name" and value == name
                                       for _, kind, value in self.env.lex(self.source(template)))
            except jinja2.TemplateSyntaxError:  # (reported where it is rendered, with its line)
                self._names[key] = True
        return self._names[key]

    def _path(self, name: str) -> str:
        """Where a template is, as the diagnostics name it (templates/article.html)."""
        return next((_relative(str(d / name), self.dirs) for d in self.dirs if (d / name).is_file()), name)

    def render(self, template: str, **context: Any) -> str:
        return self._guarded(template, lambda: self.env.get_template(template).render(**context))

    def render_pieces(self, template: str, **context: Any) -> Iterator[str]:
        """The same text as render(), in pieces as the template makes them, for a page too large to
        hold: problems come out of the iteration as TemplateProblem, like render()'s."""
        pieces = self._guarded(template, lambda: self.env.get_template(template).generate(**context))
        while True:
            batch = self._guarded(template, lambda: list(itertools.islice(pieces, PIECES)))
            if not batch:
                return
            yield "".join(batch)

    def call_macro(self, template: str, macro: str, *args: Any) -> Markup:
        """One macro of a template, called from Python."""
        def call() -> Markup:
            module = self._modules.get(template)
            if module is None:
                module = self._modules[template] = self.env.get_template(template).module
            return getattr(module, macro)(*args)

        return self._guarded(template, call)

    def _guarded(self, template: str, action: Callable[[], T]) -> T:
        """`action`'s result; template errors become diagnostics that name the template file and line."""
        try:
            return action()
        except jinja2.TemplateSyntaxError as exc:
            path = _relative(exc.filename, self.dirs) if exc.filename else template
            raise TemplateProblem(
                error(path, exc.lineno or 0, 1, f"template syntax error: {exc.message}", title="Template error")
            ) from None
        except jinja2.TemplateNotFound as exc:
            path, line = _template_position(exc, self.dirs)
            raise TemplateProblem(error(path, line, 1 if line else 0, f"template not found: {exc.name}",
                                        NOT_FOUND_HINT.format(name=exc.name), title="Template error")) from None
        except (jinja2.TemplateError, TypeError, ValueError, KeyError, AttributeError) as exc:
            path, line = _template_position(exc, self.dirs)
            raise TemplateProblem(
                error(path, line, 1, f"template error while rendering {template}: {exc}", title="Template error")
            ) from None


def atom_date(value: str) -> str:
    """YYYY, YYYY-MM or YYYY-MM-DD → an RFC 3339 timestamp, as Atom requires."""
    parts = [*str(value).split("-"), "01", "01"][:3]
    return "-".join(parts) + "T00:00:00Z"


def version_label(version: str) -> str:
    """A text's id (YYYY-MM-DD[-HHMM[SS]], UTC) as the pages write a moment: 6 December 2026, 07:40 UTC."""
    try:
        day = dt.date.fromisoformat(version[:10])
    except ValueError:
        return version
    time = f", {version[11:13]}:{version[13:15]} UTC" if len(version) > 10 else ""
    return f"{day.day} {day:%B %Y}{time}"


def markup(html: str) -> Markup:
    """HTML produced by our Markdown renderer (raw HTML off, links checked): safe to insert."""
    return Markup(html)

"""The templates' escaping (render/jinja.py escape) is markupsafe's, value for value."""

from __future__ import annotations

import json
from pathlib import Path

import jinja2
import markupsafe
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from glossator.model import SiteConfig
from glossator.render.jinja import Renderer, escape, json_text


class _Html:
    def __init__(self, html: str) -> None:
        self.html = html

    def __html__(self) -> str:
        return self.html


class _Sub(Markup):
    pass


values = st.one_of(
    st.text(),
    st.text(alphabet="<>&'\"a ").map(Markup),
    st.text(alphabet="<>&'\"a ").map(_Sub),
    st.text(alphabet="<>&'\"a ").map(_Html),
    st.integers(),
    st.floats(allow_nan=False),
    st.none(),
    st.booleans(),
)


def _config(base_url: str = "https://example.org/") -> SiteConfig:
    return SiteConfig(title="t", description="", base_url=base_url, repo_url="", repo_branch="main", language="en",
                      verdicts=())


@given(values)
def test_escape_is_markupsafes(value: object) -> None:
    ours, theirs = escape(value), markupsafe.escape(value)
    assert isinstance(ours, str) and str(ours) == str(theirs)


def test_templates_escape_through_it(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text("{{ text }}|{{ safe }}|{{ number }}", encoding="utf-8")
    renderer = Renderer([tmp_path], _config(), {})
    template = renderer.env.get_template("page.html")
    assert template.root_render_func.__globals__["escape"] is escape  # (the speed-up is in use)
    assert renderer.render("page.html", text="<a href='x'>&", safe=Markup("<b>"), number=3) == (
        "&lt;a href=&#39;x&#39;&gt;&amp;|<b>|3")
    # what escape() returns is plain text: a macro's and a block's output is Markup all the same,
    # escaped once, where it is output again
    (tmp_path / "nested.html").write_text(
        "{% macro m(x) %}<i>{{ x }}</i>{% endmacro %}{% set b %}<b>{{ text }}</b>{% endset %}"
        "{{ m(text) }}|{{ b }}|{{ m(m(text)) }}|{{ b|upper }}|{{ m(text) ~ text }}", encoding="utf-8")
    assert renderer.render("nested.html", text="<&>") == (
        "<i>&lt;&amp;&gt;</i>|<b>&lt;&amp;&gt;</b>|<i><i>&lt;&amp;&gt;</i></i>|<B>&LT;&AMP;&GT;</B>"
        "|<i>&lt;&amp;&gt;</i>&lt;&amp;&gt;")


json_values = st.recursive(
    st.one_of(st.text(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False, allow_infinity=False),
              st.none(), st.booleans()),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(), inner, max_size=4)),
    max_leaves=20,
)


@given(json_values)
def test_tojson_is_the_same_json_and_cannot_close_a_script(value: object) -> None:
    # |tojson writes orjson's compact text (integers beyond 64 bits through json.dumps): read back,
    # the same value; and nothing in it can end the <script> it is written into
    renderer = Renderer([], _config(), {})
    text = renderer.env.from_string("{{ value|tojson }}").render(value=value)
    assert json.loads(text) == value
    assert not set("<>&'\u2028\u2029") & set(text)


def test_tojson_sorts_keys_and_keeps_characters_beyond_ascii() -> None:
    assert json_text({"b": "“é”", "a": [1, None]}) == '{"a":[1,null],"b":"“é”"}'
    assert json_text({"big": 2**70}, sort_keys=True) == '{"big": 1180591620717411303424}'  # json.dumps's
    assert json_text(["a\u2028b\u2029"]) == '["a\\u2028b\\u2029"]'  # line ends to old JavaScript parsers


def test_calls_reach_macros_the_renderers_functions_and_those_that_take_the_context(tmp_path: Path) -> None:
    # macros and url() are called without Context.call's look for pass_context (render/jinja.py _Context);
    # a function that takes the context still gets it, in a loop too (where Jinja passes _loop_vars)
    (tmp_path / "page.html").write_text(
        "{% macro m(x) %}[{{ x }}]{% endmacro %}"
        "{% for i in [1, 2] %}{{ m(i) }}{{ url('a/') }}{{ who() }}{% endfor %}|{{ m(x=3) }}",
        encoding="utf-8")
    renderer = Renderer([tmp_path], _config("https://example.org/x/"), {})
    renderer.env.globals["who"] = jinja2.pass_context(lambda context: context["name"])
    assert renderer.render("page.html", name="n") == "[1]/x/a/n[2]/x/a/n|[3]"
    assert renderer.env.context_class.__name__ == "_Context"

"""The templates' escaping (render/jinja.py escape) is markupsafe's, value for value."""

from __future__ import annotations

from pathlib import Path

import markupsafe
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from glossator.model import SiteConfig
from glossator.render.jinja import Renderer, escape


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


@given(values)
def test_escape_is_markupsafes(value: object) -> None:
    ours, theirs = escape(value), markupsafe.escape(value)
    assert type(ours) is type(theirs) is Markup
    assert str(ours) == str(theirs)


def test_templates_escape_through_it(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text("{{ text }}|{{ safe }}|{{ number }}", encoding="utf-8")
    config = SiteConfig(title="t", description="", base_url="https://example.org/", repo_url="", repo_branch="main",
                        language="en", verdicts=())
    renderer = Renderer([tmp_path], config, {})
    template = renderer.env.get_template("page.html")
    assert template.root_render_func.__globals__["escape"] is escape  # (the speed-up is in use)
    assert renderer.render("page.html", text="<a href='x'>&", safe=Markup("<b>"), number=3) == (
        "&lt;a href=&#39;x&#39;&gt;&amp;|<b>|3")

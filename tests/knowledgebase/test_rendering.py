"""Article Markdown is rendered, then sanitised with an allowlist."""

from __future__ import annotations

import pytest

from knowledgebase.rendering import render_markdown


def test_it_removes_scripts_with_their_content():
    html = render_markdown("Hello <script>alert('x')</script> world")
    assert "<script" not in html
    assert "alert" not in html
    assert "Hello" in html


@pytest.mark.parametrize(
    "source",
    [
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">click</a>',
        '<a href="JaVaScRiPt:alert(1)">click</a>',
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
    ],
)
def test_it_drops_links_that_are_not_http_https_or_mailto(source: str):
    html = render_markdown(source)
    assert "javascript" not in html.lower()
    assert "data:" not in html


def test_it_removes_event_attributes():
    html = render_markdown('<img src="https://example.com/x.png" onerror="alert(1)"> <p onclick="x()">hi</p>')
    assert "onerror" not in html
    assert "onclick" not in html
    assert 'src="https://example.com/x.png"' in html


@pytest.mark.parametrize(
    "tag",
    ['<iframe src="https://evil.example"></iframe>', "<form><input name=a></form>", "<style>body{}</style>"],
)
def test_it_removes_iframes_forms_and_styles(tag: str):
    html = render_markdown(f"before {tag} after")
    for name in ("iframe", "form", "input", "style"):
        assert f"<{name}" not in html


def test_links_get_rel_noopener_noreferrer_nofollow():
    html = render_markdown("[docs](https://example.com) and <mailto:help@example.com>")
    assert 'href="https://example.com" rel="noopener noreferrer nofollow"' in html
    assert "mailto:help@example.com" in html


def test_markdown_structure_survives():
    html = render_markdown("## Steps\n\n1. **Open** it\n2. `Close` it\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    for fragment in ("<h2>Steps</h2>", "<ol>", "<strong>Open</strong>", "<code>Close</code>", "<table>"):
        assert fragment in html

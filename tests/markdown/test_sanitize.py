from __future__ import annotations

from gardend.renderers.markdown.sanitize import sanitize_block, sanitize_inline

from .helpers import render


def test_block_html_cleaned() -> None:
    html = render('<div onclick="x()"><script>alert(1)</script><style>*{}</style><b>ok</b></div>')
    assert html == "<div><b>ok</b></div>\n"


def test_markdown_not_parsed_inside_html_block() -> None:
    assert "**x**" in render("<div>**x**</div>")


def test_dangerous_elements_and_urls() -> None:
    out = sanitize_block(
        '<object data="x"></object><embed src="y"><form action="z"><input></form>'
        '<a href="javascript:alert(1)">a</a><img src="x" onerror="alert(1)">'
    )
    for bad in ("object", "embed", "form", "input", "javascript", "onerror"):
        assert bad not in out


def test_iframe_only_http() -> None:
    ok = sanitize_block('<iframe src="https://www.youtube.com/embed/x"></iframe>')
    assert 'src="https://www.youtube.com/embed/x"' in ok and "sandbox" in ok
    bad = sanitize_block('<iframe src="javascript:alert(1)"></iframe>')
    assert "javascript" not in bad
    assert "srcdoc" not in sanitize_block('<iframe srcdoc="<script>x</script>"></iframe>')


def test_inline_html_keeps_markdown_around() -> None:
    html = render('a <span class="x" onmouseover="y">**b**</span> <u>c</u>')
    assert html == '<p>a <span class="x"><strong>b</strong></span> <u>c</u></p>\n'


def test_inline_tag_level() -> None:
    assert sanitize_inline("<script>") == ""
    assert sanitize_inline("</div>") == ""
    assert sanitize_inline("<!-- c -->") == ""
    assert sanitize_inline('<img src="a.png" onerror="x">') == '<img src="a.png">'
    assert sanitize_inline('<a href="javascript:x">') in ("<a>", '<a rel="noopener nofollow">')


def test_style_properties_filtered() -> None:
    out = sanitize_block('<p style="color: red; position: fixed">x</p>')
    assert "color" in out and "position" not in out


def test_container_spanning_markdown_stays_open_until_its_closer() -> None:
    html = render("<details>\n<summary>S</summary>\n\n**md**\n\n</details>\n\nafter")
    assert html == (
        "<details>\n<summary>S</summary>\n<p><strong>md</strong></p>\n</details>\n<p>after</p>\n"
    )


def test_note_html_cannot_close_our_wrappers() -> None:
    html = render("> [!note]\n> <div>\n\n</div></div></div>\n\ntext")
    assert html.count("<div") == html.count("</div>")
    assert render("<div>\n\nx").startswith("<div>\n</div>\n")

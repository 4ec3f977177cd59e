"""Hostile notes: nothing executable may survive, and nothing may blow the stack."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from gardend.renderers.dataview import is_safe_url

from .helpers import render

_BANNED_TAGS = {
    "script",
    "style",
    "object",
    "embed",
    "form",
    "base",
    "meta",
    "link",
    "frame",
    "frameset",
    "applet",
    "input",
    "button",
    "textarea",
    "select",
    "use",
    "animate",
    "set",
}
_URL_ATTRS = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "poster",
    "xlink:href",
    "srcset",
    "background",
    "lowsrc",
    "cite",
}


class _Checker(HTMLParser):
    """Walks the output as a browser would tokenise it and records anything executable."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BANNED_TAGS and not (tag == "input" and ("type", "checkbox") in attrs):
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") or name == "srcdoc":
                self.problems.append(f"{tag}[{name}]")
            if name in _URL_ATTRS and not is_safe_url(value):
                self.problems.append(f"{tag}[{name}={value!r}]")
            if name == "style" and re.search(r"(?i)url\(|expression\(", value):
                self.problems.append(f"{tag}[style={value!r}]")
        own_pdf = dict(attrs).get("class") == "pdf-embed-frame"
        if tag == "iframe" and "sandbox" not in dict(attrs) and not own_pdf:
            self.problems.append("unsandboxed iframe")

    handle_startendtag = handle_starttag


def assert_safe(html: str) -> None:
    checker = _Checker()
    checker.feed(html)
    checker.close()
    assert not checker.problems, (checker.problems, html[:2000])


HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//x.js></SCRIPT>",
    'text <img src=x onerror="alert(1)"> more',
    '<a href="javascript:alert(1)">x</a>',
    '<a href=" JaVaScRiPt:alert(1)">x</a>',
    "[x](javascript:alert(1)) [y](JAVASCRIPT:alert(1)) [z](vbscript:x)",
    "![x](javascript:alert(1))",
    '<svg onload="alert(1)"><circle/></svg>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    "<object data=x></object><embed src=x><form><button formaction=javascript:x>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>body{display:none}</style>",
    '<span onmouseover="alert(1)">hover</span>',
    "[[<script>alert(1)</script>]]",
    '[[Note"><img src=x onerror=alert(1)>|<b onclick=x>alias</b>]]',
    "![[<img src=x onerror=alert(1)>]]",
    '![[x.png|"><script>alert(1)</script>]]',
    "[[javascript:alert(1)]]",
    "[a](<javascript:alert(1)>)",
    '> [!note"><script>alert(1)</script>] <img src=x onerror=alert(1)>\n> body',
    '#tag"><script>alert(1)</script>',
    '```"><script>alert(1)</script>\ncode\n```',
    "```mermaid\n<script>alert(1)</script>\n```",
    "$<script>alert(1)</script>$",
    "$$\n</div><script>alert(1)</script>\n$$",
    'Footnote[^x"onclick=alert(1)]\n\n[^x"onclick=alert(1)]: hi',
    '- ["] task\n- [<] task',
    'text ^id"onclick',
    "<details open ontoggle=alert(1)><summary>s</summary>x</details>",
    "<a href='data:text/html;base64,PHNjcmlwdD4='>x</a>",
    "<!-- <script>alert(1)</script> -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<base href='javascript:alert(1)//'>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
    "<link rel=import href=x>",
]


@pytest.mark.parametrize("source", HOSTILE)
def test_nothing_executable(source: str) -> None:
    files = {"<script>alert(1)<\\script>.md": "x", 'Note"onclick=x.md': "y", "x.png": ""}
    assert_safe(render(source, files))
    assert_safe(render(f"> [!note] t\n> {source}", files))
    assert_safe(render(f"| a |\n|---|\n| {source} |", files))


def test_html_in_file_names_and_link_text() -> None:
    files = {'Evil"><b>.md': "body <script>alert(1)</script>", "a&b<c>.png": ""}
    html = render('[[Evil"><b>]] ![[Evil"><b>]] ![[a&b<c>.png]] [[Evil"><b>|<i>x</i>]]', files)
    assert_safe(html)
    assert "<b>" not in html and "<i>" not in html and "&lt;i&gt;x&lt;/i&gt;" in html


def test_deep_blockquotes() -> None:
    # Beyond the nesting cap the text is dropped, like markdown-it does; what matters is that the
    # render finishes without RecursionError and stays balanced.
    html = render(">" * 10_000 + " deep")
    assert_safe(html)
    assert html.count("<blockquote>") == html.count("</blockquote>")


def test_deep_lists() -> None:
    # ``- - - x`` nests a list per marker: 10 000 levels in 20 000 characters.
    assert_safe(render("- " * 10_000 + "item"))
    assert_safe(render("1. " * 10_000 + "item"))
    # Indented form (input size grows quadratically with depth, so fewer levels).
    assert_safe(render("\n".join("  " * i + "- item" for i in range(1_000))))


def test_deep_inline_nesting() -> None:
    for source in (
        "[" * 10_000,
        "*" * 10_000 + "x" + "*" * 10_000,
        "==" * 5_000 + "x",
        "![[" * 3_000,
        "%%" * 3_000,
        "> [!note]\n" * 3_000,
    ):
        assert_safe(render(source))


def test_recursive_embeds_terminate() -> None:
    files = {f"N{i}.md": "".join(f"![[N{j}]] " for j in range(6)) for i in range(6)}
    html = render("![[N0]]", files, path="N0.md", max_depth=4)
    assert "gardend-embed-recursive" in html


def test_published_view_does_not_leak_private_embeds() -> None:
    files = {"Private/Diary.md": "my secret diary", "Pub.md": "![[Diary]] [[Diary]]"}
    html = render(
        files["Pub.md"],
        files,
        path="Pub.md",
        published=lambda p: not p.startswith("Private/"),
        published_view=True,
    )
    assert "secret" not in html and "Private/" not in html


def test_deep_structures_inside_deep_embeds() -> None:
    deep = ">" * 200 + " " + "- " * 200 + "[[x]] ==a *b [c](d)*=="
    files = {f"D{i}.md": f"{deep}\n\n![[D{i + 1}]]" for i in range(12)}
    for depth in (4, 10):
        assert_safe(render("![[D0]]", files, path="Top.md", max_depth=depth))

"""Code blocks (obsidian.md §6.12)."""

from __future__ import annotations

from .helpers import render


def test_code_highlighting_classes_no_styles() -> None:
    html = render("```python\nx = 1\n```")
    assert html.startswith('<pre class="language-python"><code class="language-python is-loaded">')
    assert '<span class="n">x</span>' in html and "style=" not in html
    assert render("```\n<b>\n```") == "<pre><code>&lt;b&gt;\n</code></pre>\n"
    assert 'class="language-nolang"' in render("```nolang\na<b\n```")
    assert "language-" not in render('```"><script>\nx\n```')

from __future__ import annotations

from .helpers import render, render_note

NOTE = """---
title: x
---
Intro para.

# One
one text ^p1

## One sub
sub text

# Two
- item a ^li
    - child
- item b

| t |
|---|
| 1 |

^tbl
"""
FILES = {
    "Src.md": NOTE,
    "img.png": "",
    "song.mp3": "",
    "clip.mp4": "",
    "doc.pdf": "",
    "board.canvas": "",
}


def test_whole_note_embed_skips_frontmatter() -> None:
    result = render_note("![[Src]]", FILES)
    assert "title: x" not in result.html and "Intro para." in result.html
    assert 'class="internal-embed markdown-embed inline-embed is-loaded" src="Src" alt="Src"' in (
        result.html
    )
    assert result.dependencies == ["Src.md"]
    assert not result.html.startswith("<p>")  # embed-only paragraph unwrapped


def test_heading_section() -> None:
    html = render("![[Src#One]]", FILES)
    assert "one text" in html and "sub text" in html and "item a" not in html
    assert "Intro" not in html


def test_heading_chain_and_case() -> None:
    html = render("![[Src#one#ONE SUB]]", FILES)
    assert "sub text" in html and "one text" not in html


def test_block_paragraph_list_item_and_standalone() -> None:
    assert "one text" in render("![[Src#^p1]]", FILES)
    html = render("![[Src#^LI]]", FILES)
    assert "item a" in html and "child" in html and "item b" not in html
    html = render("![[Src#^tbl]]", FILES)
    assert "<table>" in html and "item a" not in html


def test_images_sizes_and_alt() -> None:
    assert render("![[img.png|100]]", FILES) == (
        '<p><span class="internal-embed media-embed image-embed is-loaded" src="img.png" '
        'alt="img.png" width="100"><img src="/img.png" alt="img.png" width="100"></span></p>\n'
    )
    html = render("![[img.png|Cap|100x50]]", FILES)
    assert 'alt="Cap" width="100" height="50"' in html
    assert 'alt="A caption"' in render("![[img.png|A caption]]", FILES)
    assert 'alt="x" width="30"' in render("![x|30](https://e.org/a.png)", FILES)
    assert "image-embed" in render("![alt](img.png)", FILES)


def test_media_and_files() -> None:
    assert '<audio controls src="/song.mp3">' in render("![[song.mp3]]", FILES)
    assert '<video controls src="/clip.mp4">' in render("![[clip.mp4]]", FILES)
    html = render("![[doc.pdf#page=3]]", FILES)
    assert "pdf-embed" in html and 'src="/doc.pdf#page=3"' in html
    assert "file-embed" in render("![[board.canvas]]", FILES)


def test_missing_target() -> None:
    html = render("![[Ghost]]", FILES)
    assert "mod-empty" in html and "&quot;Ghost&quot; could not be found." not in html
    assert '"Ghost" could not be found.' in html


def test_recursion_and_depth() -> None:
    files = {"A.md": "a ![[B]]", "B.md": "b ![[A]]"}
    html = render("![[A]]", files, path="A.md")
    assert "gardend-embed-recursive" in html
    chain = {f"N{i}.md": f"n{i} ![[N{i + 1}]]" for i in range(10)}
    html = render("![[N0]]", chain, path="Top.md", max_depth=3)
    assert "gardend-embed-depth" in html and "n2" in html and "n5" not in html


def test_self_section_embed() -> None:
    html = render("# A\n![[#B]]\n# B\nbee", {}, path="Self.md")
    assert html.count("bee") == 2


def test_published_view_placeholder_names_nothing() -> None:
    files = {"Secret Plans.md": "classified", "Pub.md": "ok"}
    html = render(
        "![[Secret Plans]] ![[Ghost]]",
        files,
        published=lambda p: p != "Secret Plans.md",
        published_view=True,
    )
    assert "classified" not in html and "Secret" not in html and "Ghost" not in html
    assert html.count("not available") == 2


def test_note_embed_never_inside_paragraph() -> None:
    html = render("before\n![[Src#^p1]] mid ![[Src#^p1]]\nafter", FILES)
    assert "<p>before</p>" in html and "<p>mid</p>" in html and "<p>after</p>" in html
    assert '<p><span class="internal-embed markdown-embed' not in html
    assert 'id="^p1"' not in html  # embedded twice: no duplicate element ids


def test_unknown_subpath_renders_empty_embed() -> None:
    html = render("![[Src#Nope]]", FILES)
    assert "markdown-embed" in html and "Intro" not in html


def test_cycle_stops_at_first_return_to_the_page() -> None:
    files = {"A.md": "alpha ![[B]]", "B.md": "beta ![[A]]"}
    html = render(files["A.md"], files, path="A.md")
    assert html.count("alpha") == 1 and html.count("beta") == 1
    assert "Recursive embed of “A” not shown." in html
    assert "Recursive embed" in render("self ![[Note]]", {}, path="Note.md")


def test_note_embed_golden() -> None:
    from gardend.renderers.markdown.callout_icons import icon_svg

    assert render("![[Tiny]]", {"Tiny.md": "hi"}) == (
        '<span class="internal-embed markdown-embed inline-embed is-loaded" src="Tiny" alt="Tiny">'
        '<div class="markdown-embed-title"></div>'
        '<div class="markdown-preview-view markdown-rendered show-indentation-guide">'
        '<div class="markdown-preview-sizer markdown-preview-section"><p>hi</p>\n</div></div>'
        f'<a class="markdown-embed-link" href="/Tiny.md" aria-label="Open link">{icon_svg("link")}'
        "</a></span>"
    )


def test_sized_image_in_table_cell() -> None:
    html = render("| a |\n|---|\n| ![[img.png\\|100]] |", FILES)
    assert '<td><span class="internal-embed media-embed image-embed is-loaded"' in html
    assert 'width="100"' in html

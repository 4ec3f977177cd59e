"""The scanner: note bytes -> NoteRecord, as Obsidian's cache and Dataview's importer see them."""

from __future__ import annotations

from gardend.daemon.scanner import scan_note
from gardend.daemon.values import Link
from hypothesis import given, settings
from hypothesis import strategies as st


def scan(text: str, path: str = "Folder/Note.md"):
    return scan_note(path, text.encode("utf-8"))


def links(text: str) -> list[tuple[str, str, str | None, str | None, bool]]:
    return [(link.kind, link.linkpath, link.subpath, link.display, link.embed) for link in scan(text).links]


def fields(text: str) -> dict:
    out: dict = {}
    for f in scan(text).fields:
        out.setdefault(f.key, []).append(f.value)
    return out


# -- links ---------------------------------------------------------------------------------------


def test_wikilink_forms() -> None:
    text = "See [[Note]], [[Folder/Other#Head|shown]], [[#Local]] and [[^abc]] and ![[pic.png|100]]."
    assert links(text) == [
        ("wiki", "Note", None, None, False),
        ("wiki", "Folder/Other", "#Head", "shown", False),
        ("wiki", "", "#Local", None, False),
        ("wiki", "^abc", None, None, False),
        ("wiki", "pic.png", None, "100", True),
    ]


def test_escaped_pipe_in_table() -> None:
    text = "| a | b |\n|---|---|\n| [[Research/Tags/Back Pain\\|Back Pain]] | x |\n"
    assert links(text) == [("wiki", "Research/Tags/Back Pain", None, "Back Pain", False)]


def test_first_close_and_nested_open() -> None:
    assert links("[[a]]]]") == [("wiki", "a", None, None, False)]
    assert links("[[a [[b]]") == [("wiki", "b", None, None, False)]


def test_markdown_links() -> None:
    text = "[x](My%20Note.md) [y](<Other Note.md#H>) [z](https://example.com) ![i](img/a.png) [w](a%23b.md)"
    assert links(text) == [
        ("markdown", "My Note.md", None, "x", False),
        ("markdown", "Other Note.md", "#H", "y", False),
        ("markdown", "a%23b.md", None, "w", False),
        ("markdown", "img/a.png", None, "i", True),
    ]


def test_embeds_come_after_links() -> None:
    assert [link.linkpath for link in scan("![[E]] then [[L]]").links] == ["L", "E"]


def test_no_links_in_code_math_comments_html() -> None:
    text = "\n".join(
        [
            "`[[inline code]]` and $[[math]]$ and %%[[comment]]%%",
            "```",
            "[[fenced]]",
            "```",
            "",
            "    [[indented code]]",
            "",
            "%%",
            "[[block comment]]",
            "%%",
            "$$",
            "[[display math]]",
            "$$",
            "<div>",
            "[[html block]]",
            "</div>",
            "",
            "[[real]]",
        ]
    )
    assert [link.linkpath for link in scan(text).links] == ["real"]


def test_unclosed_comment_hides_the_rest() -> None:
    assert links("[[a]]\n%%\n[[b]]\n\n[[c]]") == [("wiki", "a", None, None, False)]


def test_frontmatter_links() -> None:
    text = '---\nup: "[[Parent|P]]"\nrel:\n  - "[[A#h]]"\n  - plain\nnest: {x: "[[B]]"}\nno: "see [[C]]"\n---\nbody'
    got = [(link.kind, link.linkpath, link.subpath, link.display, link.key) for link in scan(text).links]
    assert got == [
        ("frontmatter", "Parent", None, "P", "up"),
        ("frontmatter", "A", "#h", None, "rel.0"),
        ("frontmatter", "B", None, None, "nest.x"),
    ]


def test_link_lines_are_zero_based() -> None:
    record = scan("---\na: 1\n---\nx\n[[L]]")
    assert record.links[0].line == 4
    assert record.links[0].col == 0


# -- tags ----------------------------------------------------------------------------------------


def test_inline_tags_and_frontmatter_tags() -> None:
    text = "---\ntags: [fm, 'b c']\n---\n#one and #two/sub, not#three, `#code`, [[N#head]] #1984 #y1984"
    tags = [(t.tag, t.source) for t in scan(text).tags]
    assert tags == [
        ("#one", "inline"),
        ("#two/sub", "inline"),
        ("#y1984", "inline"),
        ("#fm", "frontmatter"),
        ("#b", "frontmatter"),
        ("#c", "frontmatter"),
    ]


def test_heading_is_not_a_tag_but_tag_in_heading_is() -> None:
    record = scan("# Title #tagged\n#tag at start")
    assert [t.tag for t in record.tags] == ["#tagged", "#tag"]
    assert [(h.level, h.text) for h in record.headings] == [(1, "Title #tagged")]


# -- headings, blocks ------------------------------------------------------------------------------


def test_headings_top_level_only() -> None:
    text = "# One\n\n> ## quoted\n\n- ## in list\n\nSetext\n======\n\n## Two ##\n"
    record = scan(text)
    assert [(h.level, h.text, h.line) for h in record.headings] == [(1, "One", 0), (1, "Setext", 6), (2, "Two", 9)]


def test_block_ids() -> None:
    text = "Para one ^p1\n\n| t |\n|---|\n| x |\n\n^tbl\n\n- item ^li\n- other\n\n> quote\n> more ^q\n"
    blocks = {b.block_id: (b.kind, b.line, b.end_line) for b in scan(text).blocks}
    assert blocks["p1"] == ("paragraph", 0, 0)
    assert blocks["tbl"] == ("table", 2, 4)
    assert blocks["li"][0] == "list-item"
    assert blocks["q"] == ("blockquote", 11, 12)


def test_glued_caret_is_not_a_block_id() -> None:
    assert scan("text^abc").blocks == []


# -- lists and tasks -------------------------------------------------------------------------------


def test_list_items_and_tasks() -> None:
    text = "# Sec\n- a\n  - [ ] b [due:: 2024-05-01]\n    - [x] c\n- d\n  continued\n1. one\n"
    items = scan(text).list_items
    got = [(i.line, i.parent, i.symbol, i.status, i.text, i.section) for i in items]
    assert got == [
        (1, None, "-", None, "a", "Sec"),
        (2, 1, "-", " ", "b [due:: 2024-05-01]", "Sec"),
        (3, 2, "-", "x", "c", "Sec"),
        (4, None, "-", None, "d\ncontinued", "Sec"),
        (6, None, "1.", None, "one", "Sec"),
    ]
    assert items[1].fields[0][0] == "due"
    assert items[3].line_count == 2


def test_task_fields_do_not_become_page_fields() -> None:
    text = "- [ ] task [due:: 2024-05-01]\n- plain [owner:: Ann]\n"
    page = fields(text)
    assert "due" not in page
    assert page["owner"] == ["Ann"]


def test_tasks_in_callouts() -> None:
    items = scan("> [!todo]\n> - [ ] inside\n> - [x] done\n").list_items
    assert [(i.status, i.text) for i in items] == [(" ", "inside"), ("x", "done")]


# -- fields ----------------------------------------------------------------------------------------


def test_inline_fields_three_syntaxes_and_code_quirk() -> None:
    text = "---\nrating: 5\n---\nStatus:: done\nText [a:: 1] and (b:: [[Note]]).\n```\ncode:: yes\n```\n"
    page = fields(text)
    assert page["rating"] == [5]
    assert page["Status"] == ["done"]
    assert page["a"] == [1]
    assert isinstance(page["b"][0], Link) and page["b"][0].path == "Note"
    assert page["code"] == ["yes"]  # Dataview indexes fields inside code blocks (quirk)


def test_field_order_frontmatter_list_inline() -> None:
    text = "---\nk: fm\n---\nk:: inline\n- k:: item\n"
    assert fields(text)["k"] == ["fm", "item", "inline"]


def test_list_section_lines_are_not_page_fields() -> None:
    text = "- item\n  ```\n  inside:: list\n  ```\n\nafter:: yes\n"
    page = fields(text)
    assert "inside" not in page and page["after"] == ["yes"]


# -- metadata -------------------------------------------------------------------------------------


def test_title_aliases_publish() -> None:
    record = scan('---\ntitle: Real Title\naliases: [A, B]\ndg-publish: true\n---\n', "x/File.md")
    assert record.title == "Real Title"
    assert record.aliases == ["A", "B"]
    assert record.publish is True
    assert scan("---\ndg-publish: \"false\"\n---\n").publish is False
    assert scan("---\ndg-publish: no\n---\n").publish is True  # a non-empty string is truthy
    assert scan("plain").title == "Note"


def test_query_blocks_and_inline_queries() -> None:
    text = "```dataview\nTABLE x\nFROM #a\n```\n\n```dataviewjs\ndv.list()\n```\n\nValue `= this.x` and `$= dv.current()`\n"
    assert [(q.kind, q.source, q.line) for q in scan(text).queries] == [
        ("dataview", "TABLE x\nFROM #a", 0),
        ("dataviewjs", "dv.list()", 5),
        ("inline", "= this.x", 9),
        ("inline-js", "$= dv.current()", 9),
    ]


# -- bad input -------------------------------------------------------------------------------------


def test_broken_yaml_keeps_body() -> None:
    record = scan("---\na: [1\n---\n[[Body Link]] #tag")
    assert record.frontmatter is None
    assert record.diagnostics[0].kind == "yaml"
    assert record.diagnostics[0].line is not None
    assert [link.linkpath for link in record.links] == ["Body Link"]


def test_binary_file() -> None:
    data = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20
    record = scan_note("fake.md", data)
    assert record.diagnostics[0].kind == "binary"
    assert record.links == []


def test_invalid_utf8() -> None:
    record = scan_note("x.md", b"ok [[A]]\n\xff\xfe bad\nfine [[B]]")
    assert [(d.kind, d.line) for d in record.diagnostics] == [("encoding", 1)]
    assert [link.linkpath for link in record.links] == ["A", "B"]
    assert "\ufffd" in record.text


def test_stray_nul_byte_in_text() -> None:
    text = b"a normal note with some words in it [[A]] and more words to be realistic\n" * 3
    record = scan_note("x.md", text + b"nul\x00here [[B]]\n")
    assert [(d.kind, d.severity) for d in record.diagnostics] == [("encoding", "warning")]
    assert [link.linkpath for link in record.links] == ["A", "A", "A", "B"]


def test_size_limit() -> None:
    record = scan_note("x.md", b"a" * 100, max_bytes=10)
    assert record.diagnostics[0].kind == "size"


def test_deeply_nested_list_is_fine() -> None:
    text = "\n".join("  " * i + "- item" for i in range(3000))
    record = scan(text)
    assert len(record.list_items) == 3000
    assert record.list_items[-1].parent == 2998


def test_bom_is_ignored() -> None:
    record = scan_note("x.md", "\ufeff---\na: 1\n---\nx".encode())
    assert record.frontmatter == {"a": 1}


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from([*list("ab #[]()!|\\`$%^-*>:\n\t=~<"), "::", "[[", "]]", "```", "%%", "$$", "- [ ] ", "\n  - "]),
        max_size=150,
    ).map("".join)
)
def test_scanner_never_raises(text: str) -> None:
    record = scan(text)
    n_lines = text.count("\n") + 1
    for link in record.links:
        assert 0 <= link.line < n_lines
    for item in record.list_items:
        assert 0 <= item.line < n_lines
        assert item.parent is None or item.parent < item.line


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_scanner_never_raises_on_bytes(data: bytes) -> None:
    scan_note("x.md", data)

"""The scanner: note bytes -> NoteRecord, as Obsidian's cache and Dataview's importer see them."""

from __future__ import annotations

from gardend.daemon.scanner import DEFAULT_QUERY_SYNTAX, QuerySyntax, scan_note
from gardend.daemon.values import Link
from gardend.renderers.markdown import RenderContext, render_markdown
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


# -- Dataview's query syntax settings (obsidian-dataview src/main.ts dataviewInline) ---------------


def queries(text: str, syntax: QuerySyntax = DEFAULT_QUERY_SYNTAX) -> list[tuple[str, str, int]]:
    return [(q.kind, q.source, q.line) for q in scan_note("N.md", text.encode(), syntax=syntax).queries]


def test_inline_queries_in_code_blocks() -> None:
    text = "```\n= this.a\n```\n\n~~~js\n\n  $= dv.b\n~~~\n\n    = [[C]].c\n    more\n\n> x\n>\n>     = this.d\n"
    assert queries(text) == [
        ("inline", "= this.a", 1), ("inline-js", "$= dv.b", 6), ("inline", "= [[C]].c\nmore", 9),
        ("inline", "= this.d", 14),
    ]
    assert queries(text, QuerySyntax(in_codeblocks=False)) == []


def test_indented_code_right_under_a_heading_or_rule() -> None:
    # CommonMark: an indented code block cannot interrupt a paragraph, but a heading or a
    # thematic break ends on its own line, so an indented line right after one is code.
    assert queries("# H\n    = this.a\n") == [("inline", "= this.a", 1)]
    assert queries("Title\n===\n    = this.b\n") == [("inline", "= this.b", 2)]
    assert queries("***\n    = this.c\n") == [("inline", "= this.c", 1)]
    assert queries("para\n    = this.d\n") == []  # a paragraph's continuation line
    record = scan_note("N.md", b"# H\n    #notatag [[NotALink]]\n")
    assert record.tags == [] and record.links == []


def test_fence_outside_a_quote_keeps_its_quote_lines() -> None:
    # Only the quote a fence opened in is stripped from its lines (a `>` line elsewhere is code).
    assert queries("```dataview\nLIST\n> x\n```\n> ```dataview\n> LIST\n> ```\n") == [
        ("dataview", "LIST\n> x", 0), ("dataview", "LIST", 4),
    ]


def test_code_block_queries_only_in_plain_code() -> None:
    # mermaid is drawn, not <pre><code>; dataview / the JS keyword are their own blocks
    assert queries("```mermaid\n= a\n```\n```dataview\n= b\n```\n") == [("dataview", "= b", 3)]
    assert queries("```\nx\n= a\n```\n") == []  # the whole text must start with the prefix


def test_js_keyword_and_prefixes_follow_the_settings() -> None:
    syntax = QuerySyntax(inline_prefix="dv:", inline_js_prefix="js:", js_keyword="DVJS")
    text = "```dvjs\ndv.x\n```\n```dataviewjs\n= a\n```\n`dv: this.b` `js: c` `= d` `$= e`\n"
    assert queries(text, syntax) == [("dataviewjs", "dv.x", 0), ("inline", "dv: this.b", 6), ("inline-js", "js: c", 6)]
    # ``` dataviewjs``` is then ordinary code; "= a" is not the inline prefix any more
    assert queries("```dataviewjs\ndv: a\n```\n", syntax) == [("inline", "dv: a", 1)]


def test_inline_queries_off_records_no_inline_query() -> None:
    syntax = QuerySyntax(inline_enabled=False)
    assert queries("`= a` `$= b`\n```\n= c\n```\n```dataviewjs\nx\n```\n", syntax) == [("dataviewjs", "x", 4)]


def test_empty_prefix_or_query_is_no_query() -> None:
    assert queries("`=` `$=` ` = ` `$= `") == []
    assert queries("`$=` `x`", QuerySyntax(inline_prefix="$")) == []  # a JS prefix is never retried as DQL
    assert queries("`= a` `$= b`", QuerySyntax(inline_prefix="", inline_js_prefix="")) == []


def test_query_syntax_key_round_trips() -> None:
    syntax = QuerySyntax(inline_prefix="é", in_codeblocks=False)
    assert QuerySyntax.from_key(syntax.key()) == syntax
    assert QuerySyntax.from_key(None) == QuerySyntax() == QuerySyntax.from_key("{broken")


# Prefix characters: anything a user may type except the backtick (it ends the code span), ``\``
# and ``%`` (the scanner resolves escapes and ``%%`` comments before code spans).
_PREFIX = st.text(alphabet="=$!?:#&*+-~^@<>|[]().,;'\"/dvjxé", max_size=3)
_EXPR = st.text(alphabet=" abc.=$[]()#-", max_size=8)


@settings(max_examples=300, deadline=None)
@given(_PREFIX, _PREFIX, _EXPR, st.booleans(), st.booleans(), st.sampled_from(["inline", "js", "other"]))
def test_inline_queries_follow_arbitrary_prefixes(
    prefix: str, js_prefix: str, expr: str, enabled: bool, in_blocks: bool, which: str
) -> None:
    """Dataview's rule (main.ts) for any prefixes: trimmed code text, JS prefix first, empty
    prefixes and empty queries skipped — for inline code and for whole code blocks alike."""
    syntax = QuerySyntax(inline_prefix=prefix, inline_js_prefix=js_prefix, inline_enabled=enabled,
                         in_codeblocks=in_blocks)
    used = {"inline": prefix, "js": js_prefix, "other": "x"}[which]
    code = f"{used}{expr}"
    text = code.strip()
    expected: str | None = None
    if enabled and js_prefix and text.startswith(js_prefix):
        expected = "inline-js" if text[len(js_prefix):].strip() else None
    elif enabled and prefix and text.startswith(prefix):
        expected = "inline" if text[len(prefix):].strip() else None
    want = [] if expected is None else [(expected, text, 0)]
    assert queries(f"a `{code}` b\n", syntax) == want
    assert queries(f"```\n{code}\n```\n", syntax) == ([(k, s, 1) for k, s, _ in want] if in_blocks else [])


def _renderer_queries(text: str, syntax: QuerySyntax) -> list[str]:
    """The inline queries gardend's renderer runs (and the DataviewJS it shows as disabled)."""
    seen: list[str] = []

    def record(kind: str, source: str, this: str) -> str:
        seen.append(kind)
        return "<span>ok</span>"

    ctx = RenderContext(
        render_query=record, inline_query_prefix=syntax.inline_prefix, inline_js_query_prefix=syntax.inline_js_prefix,
        inline_queries=syntax.inline_enabled, inline_queries_in_codeblocks=syntax.in_codeblocks,
    )
    html = render_markdown(text, ctx, path="N.md").html
    return sorted(seen + ["inline-js"] * html.count("(disabled; enable in settings)"))


@settings(max_examples=200, deadline=None)
@given(
    _PREFIX.filter(lambda p: p.strip() == p), _PREFIX.filter(lambda p: p.strip() == p), st.booleans(), st.booleans(),
    st.lists(st.tuples(st.sampled_from(["span", "fence", "indented"]), st.integers(0, 2), _EXPR), max_size=5),
)
def test_scanner_and_renderer_agree_on_queries(
    prefix: str, js_prefix: str, enabled: bool, in_blocks: bool, parts: list[tuple[str, int, str]]
) -> None:
    """What the index records as queries (dependency tracking) is what the renderer runs."""
    syntax = QuerySyntax(inline_prefix=prefix, inline_js_prefix=js_prefix, inline_enabled=enabled,
                         in_codeblocks=in_blocks)
    chunks = []
    for shape, pick, expr in parts:
        code = (prefix, js_prefix, "q")[pick] + expr
        if not code.strip():
            continue
        chunks.append({"span": f"text `{code}` text", "fence": f"```\n{code}\n```", "indented": f"    {code.strip()}"}[shape])
    text = "\n\n".join(chunks) + "\n"
    assert sorted(q[0] for q in queries(text, syntax)) == _renderer_queries(text, syntax)

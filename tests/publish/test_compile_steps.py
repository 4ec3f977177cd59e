"""Compile steps on small vaults (digital-garden.md §3, §4): exact bytes in plugin mode."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from gardend.daemon.publish.compile import GardenCompiler
from gardend.daemon.publish.gitsync import plan_publish
from gardend.daemon.publish.jsfmt import luxon_iso
from gardend.daemon.publish.queries import DATAVIEWJS_NOTICE, INLINE_JS_NOTICE
from gardend.daemon.publish.settings import CustomFilter, GardenSettings, load_garden_settings
from gardend.daemon.publish.transclusion import LINK_SVG

from ..conftest import VaultMaker
from .helpers import compiler, indexed, make_garden

PUB = "---\ndg-publish: true\n---\n"
WRAP = '\n<div class="transclusion internal-embed is-loaded">'


def body(text: str) -> str:
    """The compiled text after the frontmatter block and its empty line."""
    rest = text.split("\n---\n", 1)[1]
    assert rest.startswith("\n")
    return rest[1:]


def build(make_vault: VaultMaker, tmp_path: Path, files: dict[str, str | bytes], **options: object) -> GardenCompiler:
    return compiler(make_vault(files), tmp_path, GardenSettings(**options))  # type: ignore[arg-type]


def test_block_ids(make_vault: VaultMaker, tmp_path: Path) -> None:
    c = build(make_vault, tmp_path, {"N.md": PUB + "Paragraph text ^abc123\nNext\n\n> quote\n^quote-id\n\nAfter\n```\ncode ^keep\n```\n"})
    assert body(c.compile("N.md").text) == (
        "Paragraph text\n{ #abc123}\n\nNext\n\n> quote{ #quote-id}\n\n\nAfter\n```\ncode ^keep\n```\n"
    )


def test_comments_removed_outside_code(make_vault: VaultMaker, tmp_path: Path) -> None:
    c = build(make_vault, tmp_path, {"N.md": PUB + "a %%secret%% b\n%%multi\nline%%\n`%%kept%%`\n"})
    assert body(c.compile("N.md").text) == "a  b\n\n`%%kept%%`\n"


def test_transclusion_wrapper_with_alias_section_and_link(make_vault: VaultMaker, tmp_path: Path) -> None:
    c = build(make_vault, tmp_path, {
        "N.md": PUB + "Before\n![[Target#Section Two|My title]]\nAfter\n",
        "Folder/Target.md": PUB + "# Top\nintro\n## Section Two\nsection text ^blk\n## Other\nnope\n",
    })
    link = f'<a class="markdown-embed-link" href="/folder/target/#section-two" aria-label="Open link">{LINK_SVG}</a>'
    assert body(c.compile("N.md").text) == (
        "Before\n"
        f'{WRAP}{link}<div class="markdown-embed">\n\n'
        '<div class="markdown-embed-title">\n\n# My title\n\n</div>\n'
        "\n\n## Section Two\nsection text \n\n</div></div>\n"
        "\nAfter\n"
    )


def test_transclusion_without_alias_and_block(make_vault: VaultMaker, tmp_path: Path) -> None:
    c = build(make_vault, tmp_path, {
        "N.md": PUB + "![[T#^b1]]\n![[T|## {{title}} here]]\n",
        "T.md": "---\ndg-publish: false\n---\nfirst ^b1\n\nsecond\n",
    })
    text = body(c.compile("N.md").text)
    # unpublished target: no "open link" anchor, but (plugin behaviour) its text is published
    assert text.startswith(f'{WRAP}<div class="markdown-embed">\n\n\n\nfirst \n\n</div></div>\n')
    assert '<div class="markdown-embed-title">\n\n## T here\n\n</div>\n\n\n\nfirst \nsecond\n\n\n</div></div>\n' in text
    assert "markdown-embed-link" not in text


def test_transclusion_depth_is_four(make_vault: VaultMaker, tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {"N.md": PUB + "![[L1]]"}
    for i in range(1, 6):
        files[f"L{i}.md"] = f"level {i}\n![[L{i + 1}]]" if i < 5 else "level 5"
    text = build(make_vault, tmp_path, files).compile("N.md").text
    assert "level 4" in text and "level 5" not in text
    assert "![[L5\\|L5]]" in text  # left as an embed; the link step gives it its path


def test_link_rewriting(make_vault: VaultMaker, tmp_path: Path) -> None:
    c = build(make_vault, tmp_path, {
        "N.md": PUB + (
            "[[Note]] [[Note|alias]] [[Note#Heading]] [[Note#^abc|see]] [[Missing note]] ![[Missing]]\n"
            "| a | b |\n|---|---|\n| [[Note\\|alias]] | x |\n"
            "`[[Note]]` only in code\n[[#Local]]\n"
        ),
        "Folder/Note.md": "x",
    })
    assert body(c.compile("N.md").text) == (
        "[[Folder/Note\\|Note]] [[Folder/Note\\|alias]] [[Folder/Note#Heading\\|Note#Heading]] "
        "[[Folder/Note#^abc\\|see]] [[Missing note\\|Missing note]] ![[Missing\\|Missing]]\n"
        "| a | b |\n|---|---|\n| [[Folder/Note\\|alias]] | x |\n"
        "`[[Note]]` only in code\n[[N#Local\\|#Local]]\n"
    )


def test_images_pdfs_and_assets(make_vault: VaultMaker, tmp_path: Path) -> None:
    c = build(make_vault, tmp_path, {
        "N.md": PUB + "![[pic.png|300]] ![[pic.png|center|200]] ![alt](img/a%20b.jpg) [[doc.pdf]] ![[doc.pdf]] ![[gone.png]]\n",
        "Media/pic.png": b"\x89PNG",
        "img/a b.jpg": b"\xff\xd8",
        "Files/doc.pdf": b"%PDF",
    })
    note = c.compile("N.md")
    assert body(note.text) == (
        "![pic.png\\|300](/img/user/Media/pic.png) ![pic.png\\|center\\|200](/img/user/Media/pic.png) "
        "![alt](/img/user/img/a%20b.jpg) [doc.pdf](/img/user/Files/doc.pdf) "
        '<iframe src="/img/user/Files/doc.pdf" width="100%" height="900px" title="doc.pdf" '
        'style="border:1px solid #ccc;"></iframe> ![[gone.png\\|gone.png]]\n'
    )
    assert [a.repo_path for a in note.assets] == [
        "src/site/img/user/Media/pic.png", "src/site/img/user/img/a b.jpg", "src/site/img/user/Files/doc.pdf",
    ]


def test_svg_embed_inlined(make_vault: VaultMaker, tmp_path: Path) -> None:
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10">\n\t<rect/>\n</svg>\n'
    c = build(make_vault, tmp_path, {"N.md": PUB + "![[g.svg]]\n![[g.svg|50]]\n", "g.svg": svg})
    assert body(c.compile("N.md").text) == (
        '<svg xmlns="http://www.w3.org/2000/svg" width="10"><rect/></svg>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" width="50"><rect/></svg>\n'
    )


def test_custom_filters_use_javascript_replacement_syntax(make_vault: VaultMaker, tmp_path: Path) -> None:
    filters = (CustomFilter(r"(\w+)@(\w+)", "g", "$2 at $1 ($&, $$)"), CustomFilter("x", "", "y"))
    c = build(make_vault, tmp_path, {"N.md": PUB + "me@home x x\n"}, custom_filters=filters)
    assert body(c.compile("N.md").text) == "home at me (me@home, $) y x\n"


def test_dollar_patterns_in_transcluded_text(make_vault: VaultMaker, tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {"N.md": PUB + "![[T]]\n", "T.md": "price $$5 and $& sign"}
    root = make_vault(files)
    plugin = compiler(root, tmp_path / "p").compile("N.md").text
    safe = compiler(root, tmp_path / "s", mode="safe").compile("N.md").text
    # the plugin's JS-replace quirk (fixed in 2.74.3): $$ -> $, $& -> the embed (then linked)
    assert "price $5 and ![[T\\|T]] sign" in plugin
    assert "price" not in safe  # safe mode: unpublished, so redacted anyway


def test_frontmatter_settings_icons_and_pass_through(make_vault: VaultMaker, tmp_path: Path) -> None:
    c = build(
        make_vault, tmp_path,
        {"N.md": "---\nrating: 2.0\ndg-publish: yes\ntags: a, b,c\ndg-show-toc: true\ndg-content-classes: [x, y]\n"
                 "dg-home: true\ndg-note-icon: tree\ndg-pass-frontmatter: true\n---\nbody"},
        show_note_icon=True,
    )
    # pass-through (§3.10): source keys in source order (dg-publish becomes true, tags normalised),
    # then the compiled keys that are new, in §3.2 order (per-note settings in settings order)
    assert c.compile("N.md").text.split("\n")[1] == (
        '{"rating":2,"dg-publish":true,"tags":["a","b","c","gardenEntry"],"dg-show-toc":true,'
        '"dg-content-classes":["x","y"],"dg-home":true,"dg-note-icon":"tree","dg-pass-frontmatter":true,'
        '"permalink":"/n/","contentClasses":"x y","dgPassFrontmatter":true,"dgShowToc":true,"noteIcon":"tree"}'
    )


def test_file_time_stamps_are_formatted_like_luxon(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = make_vault({"N.md": PUB + "x"})
    os.utime(root / "N.md", ns=(1_749_959_714_802_000_000, 1_749_959_714_802_000_000))
    settings = GardenSettings(show_updated_timestamp=True, time_zone="America/New_York")
    line = compiler(root, tmp_path, settings).compile("N.md").text.split("\n")[1]
    assert line == '{"dg-publish":true,"permalink":"/n/","updated":"2025-06-14T23:55:14.802-04:00"}'
    assert luxon_iso(1_749_959_714_802, "UTC") == "2025-06-15T03:55:14.802Z"
    assert luxon_iso(1_749_959_714_802, "Asia/Kolkata") == "2025-06-15T09:25:14.802+05:30"


def test_failing_query(make_vault: VaultMaker, tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {"N.md": PUB + "intro\n```dataview\nTABLE FROM\n```\nrest\n"}
    root = make_vault(files)
    html = compiler(root, tmp_path / "h").compile("N.md").text
    assert html.startswith('---\n{"dg-publish":true') and 'dataview-error' in html and "rest" in html
    markdown = compiler(root, tmp_path / "m", GardenSettings(dataview_output="markdown")).compile("N.md").text
    assert markdown == "```dataview\nTABLE FROM\n```"  # the plugin's bug: the note becomes the query


# -- Dataview's enableDataviewJs (DataviewCompiler.ts + Dataview's executeJs) ----------------------

JS_DISABLED = (
    '<pre class="dataview dataview-error">'
    "Dataview JS queries are disabled. You can enable them in the Dataview settings.</pre>"
)


@pytest.mark.parametrize("mode", ["plugin", "safe"])
def test_dataviewjs_with_javascript_off_publishes_dataviews_error(
    make_vault: VaultMaker, tmp_path: Path, mode: str
) -> None:
    """The plugin reads no Dataview switch; Dataview's executeJs renders its "disabled" error
    into the plugin's div, whose innerHTML replaces the block — the same bytes in both modes (the
    error names nothing from the vault). ``$=`` falls back to the same error once DQL fails."""
    files: dict[str, str | bytes] = {
        "N.md": PUB + "a\n```dataviewjs\ndv.list(dv.pages('\"Secret\"'))\n```\nb `$= dv.pages().length` c `$= 1 + 1`\n",
    }
    root = make_vault(files)
    text = compiler(root, tmp_path, GardenSettings(), mode).compile("N.md").text  # type: ignore[arg-type]
    assert body(text) == f"a\n{JS_DISABLED}\nb {JS_DISABLED} c 2\n"


def test_dataviewjs_with_javascript_on_keeps_the_notice(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = make_vault({"N.md": PUB + "```dataviewjs\ndv.list()\n```\n`$= dv.x`\n"})
    text = body(compiler(root, tmp_path, GardenSettings(enable_dataview_js=True)).compile("N.md").text)
    assert text == f"{DATAVIEWJS_NOTICE}\n{INLINE_JS_NOTICE}\n"


def test_code_block_switch_does_not_reach_the_compile(make_vault: VaultMaker, tmp_path: Path) -> None:
    """inlineQueriesInCodeblocks is Dataview's reading-view switch; the plugin's regexes match
    inline queries anywhere, code blocks included, whatever it says."""
    root = make_vault({
        "N.md": "---\ndg-publish: true\nx: 5\n---\n```\n`= this.x`\n```\n",
        ".obsidian/plugins/dataview/manifest.json": '{"id": "dataview"}',
        ".obsidian/plugins/dataview/data.json": '{"inlineQueriesInCodeblocks": false}',
    })
    settings = load_garden_settings(root).with_options(dataview_output="markdown")
    assert body(compiler(root, tmp_path, settings).compile("N.md").text) == "```\n5\n```\n"


def test_status_reports_dataviewjs_only_when_it_would_run(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = make_vault({"N.md": PUB + "```dataviewjs\nx\n```\n`$= dv.x`\n"})
    index = indexed(root, tmp_path)
    _, repo = make_garden(tmp_path)
    off = plan_publish(index, root, repo, GardenSettings())
    on = plan_publish(index, root, repo, GardenSettings(enable_dataview_js=True))
    # inline $= is eval'd by the plugin whatever Dataview says, so it is always reported
    assert [n.split(": ")[1] for n in off.notices] == ["inline-js is not run by gardend; the published note shows a notice instead"]
    assert [n.split(":")[1] for n in on.notices] == ["4", "7"]

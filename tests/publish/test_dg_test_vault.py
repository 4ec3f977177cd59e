"""The plugin's own test vault with its own settings (digital-garden.md §3.2, §3.3, §4, §10).

Expected texts are the plugin's documented outputs (§3.2 examples, §3.3 rewrite table) and its
committed snapshot's outputs (src/test/snapshot/snapshot.md; the snapshot format adds one line
break after each note) for notes whose source is unchanged in the stored vault."""

from __future__ import annotations

import pytest
from gardend.daemon.publish.compile import GardenCompiler, NotPublishable
from gardend.daemon.publish.settings import load_garden_settings

from ..conftest import corpus
from .helpers import indexed

LINK_SVG_START = '<a class="markdown-embed-link" href="/005-custom-filters/" aria-label="Open link"><svg '


@pytest.fixture(scope="module")
def dg(tmp_path_factory: pytest.TempPathFactory) -> GardenCompiler:
    root = corpus("dg-test-vault")
    return GardenCompiler(indexed(root, tmp_path_factory.mktemp("dg")), root, load_garden_settings(root))


@pytest.fixture(scope="module")
def dg_markdown(tmp_path_factory: pytest.TempPathFactory) -> GardenCompiler:
    root = corpus("dg-test-vault")
    settings = load_garden_settings(root).with_options(dataview_output="markdown")
    return GardenCompiler(indexed(root, tmp_path_factory.mktemp("dgmd")), root, settings)


def frontmatter(dg: GardenCompiler, path: str) -> str:
    return dg.compile(path).text.split("\n")[1]


@pytest.mark.parametrize(
    ("path", "json"),
    [
        ("001 Links.md", '{"dg-publish":true,"permalink":"/001-links/"}'),
        ("002 Hidden page.md", '{"dg-publish":true,"permalink":"/002-hidden-page/","hide":true}'),
        ("006 Custom title.md",
         '{"dg-publish":true,"permalink":"/006-custom-title/","title":"006 THIS IS A CUSTOM TITLE"}'),
        ("007 Custom permalink.md",
         '{"dg-publish":true,"dg-permalink":"my-name-is-permalink/custom-permalink",'
         '"permalink":"/my-name-is-permalink/custom-permalink/"}'),
        ("008 Pinned note.md", '{"dg-publish":true,"permalink":"/008-pinned-note/","pinned":true}'),
        ("000 Home.md", '{"dg-publish":true,"permalink":"/000-home/","tags":["gardenEntry"]}'),
        ("013 Custom path.md",
         '{"dg-publish":true,"dg-path":"custom path/should also write to permalink",'
         '"permalink":"/custom-path/should-also-write-to-permalink/"}'),
        ("014 Customer path and permalink.md",
         '{"dg-publish":true,"dg-path":"custom path/should not overwrite permalink",'
         '"dg-permalink":"custom link/shouldBeDifferentToPath","permalink":"/custom link/shouldBeDifferentToPath/"}'),
        ("010 custom createdAt.md",
         '{"dg-publish":true,"permalink":"/010-custom-created-at/","created":"2020-01-01"}'),
        ("011 Custom updatedAt.md",
         '{"dg-publish":true,"permalink":"/011-custom-updated-at/","updated":"2021-01-01"}'),
        ("Path Rewriting/004 Folder set to root.md",
         '{"dg-publish":true,"dg-path":"004 Folder set to root.md","permalink":"/004-folder-set-to-root/"}'),
        ("Path Rewriting/Subfolder/How deep do the rewrite rules go.md",
         '{"dg-publish":true,"dg-path":"Subfolder/How deep do the rewrite rules go.md",'
         '"permalink":"/subfolder/how-deep-do-the-rewrite-rules-go/"}'),
        ("Path Rewriting/Subfolder2/More specific path rewriting.md",
         '{"dg-publish":true,"dg-path":"fun-folder/More specific path rewriting.md",'
         '"permalink":"/fun-folder/more-specific-path-rewriting/"}'),
    ],
)
def test_frontmatter_examples(dg: GardenCompiler, path: str, json: str) -> None:
    assert frontmatter(dg, path) == json


def test_layout_and_garden_path(dg: GardenCompiler) -> None:
    note = dg.compile("Path Rewriting/Subfolder2/More specific path rewriting.md")
    assert note.repo_path == "src/site/notes/Path Rewriting/Subfolder2/More specific path rewriting.md"
    assert note.garden_path == "fun-folder/More specific path rewriting.md"
    with pytest.raises(NotPublishable):
        dg.compile("003 Non published page.md")


def test_links_note_whole_text(dg: GardenCompiler) -> None:
    assert dg.compile("001 Links.md").text == (
        '---\n{"dg-publish":true,"permalink":"/001-links/"}\n---\n\n'
        "[[002 Hidden page\\|002 Hidden page]]\n\n"
        "[[003 Non published page\\|003 Non published page]]\n\n"
        "[[000 Home\\| Aliased link to home]]\n\n"
        "[[000 Home \\| Link containing whitespace which works in obsidian but doesn't in garden :) - "
        "yes, this could be a ticket but lo and behold]]\n\n"
    )


def test_comments_and_custom_filters(dg: GardenCompiler) -> None:
    assert dg.compile("009 Comments.md").text.endswith("---\n\nThis is the only content on this page\n\n")
    text = dg.compile("005 Custom filters.md").text
    assert "❄️" not in text and "🌞🌞🌞🌞🌞🌞🌞🌞🌞🌞🌞🌞🌞" in text


def test_block_transclusion(dg: GardenCompiler) -> None:
    assert dg.compile("E Embeds/Transclusions/T3 Transcluded block.md").text.endswith(
        'Below it should just say "cheese": \n\n\n'
        '<div class="transclusion internal-embed is-loaded"><div class="markdown-embed">\n\n\n\n'
        "cheese \n\n</div></div>\n\n"
    )


def test_header_transclusion(dg: GardenCompiler) -> None:
    assert dg.compile("E Embeds/Transclusions/T4 Transcluded header.md").text.endswith(
        "Below should be a header and one line of text: \n\n"
        '<div class="transclusion internal-embed is-loaded"><div class="markdown-embed">\n\n\n\n'
        "## Header\n\nThis should be in this header block\n\n\n</div></div>\n\n\n"
    )
    assert "#  解决\n\nThis should be visible" in dg.compile("L Languages/Transclude Headers.md").text


def test_transclusion_of_a_published_note_links_to_it_and_runs_filters(dg: GardenCompiler) -> None:
    text = dg.compile("E Embeds/Transclusions/T5 transclude custom filters.md").text
    assert LINK_SVG_START in text
    assert "🌞🌞🌞" in text and "❄️" not in text


def test_transclusion_depth_and_alias_header(dg: GardenCompiler) -> None:
    text = dg.compile("E Embeds/Transclusions/T1 BaseFile.md").text
    assert text.count('<div class="transclusion internal-embed is-loaded">') == 5
    assert '<div class="markdown-embed-title">\n\n# Spice it up\n\n</div>\n' in text
    assert "This is as far as we can go! Or is it???" in text  # level 4
    # level 5 stays an embed, rewritten as a link by the wikilink step
    assert "![[E Embeds/Transclusions/T2 Too deep to transclude\\| This transclusion will be left out :(())]]" in text
    assert "This one isn't isn't transcluded anymore" not in text


def test_same_file_and_header_links(dg: GardenCompiler) -> None:
    text = dg.compile("L Links/01 Link to header.md").text
    assert "[[000 Home#Welcome\\|000 Home#Welcome]]" in text
    assert "[[L Links/01 Link to header#Some Header\\|#Some Header]]" in text
    assert "[[L Links/01 Link to header#Some Header\\|custom display]]" in text
    assert "# A header: With a colon\nBody under header" in text  # heading matched by slug


def test_images_become_asset_references(dg: GardenCompiler) -> None:
    note = dg.compile("E Embeds/E07 Image with alt attributes.md")
    assert "\n![travolta.png\\|center\\|200](/img/user/A%20Assets/travolta.png)\n" in note.text
    assert "\n![travolta.png\\|left](/img/user/A%20Assets/travolta.png)" in note.text
    assert [(a.vault_path, a.repo_path) for a in note.assets] == [
        ("A Assets/travolta.png", "src/site/img/user/A Assets/travolta.png")
    ]
    webp = dg.compile("E Embeds/E05 WEBP published.md")
    assert "![travolta.webp](/img/user/A%20Assets/travolta.webp)" in webp.text
    assert [a.vault_path for a in webp.assets] == ["A Assets/travolta.webp"]


def test_dataview_markdown_option_matches_the_plugin(dg_markdown: GardenCompiler) -> None:
    text = dg_markdown.compile("012 Callouts.md").text
    assert "> [!info] This one has dataview in it...\n>  - [[012 Callouts\\|012 Callouts]]\n> \n{ .block-language-dataview}\n" in text
    listing = dg_markdown.compile("P Plugins/PD Dataview/PD1 Dataview.md").text
    assert "- [[P Plugins/PD Dataview/PD0 - note with summary\\|PD0 - note with summary]]\n" in listing
    assert listing.endswith("\n\n{ .block-language-dataview}\n")
    assert "PD2 Inline queries\n\nthis note is about foo" in dg_markdown.compile("P Plugins/PD Dataview/PD2 Inline queries.md").text


def test_dataview_html_is_the_default(dg: GardenCompiler) -> None:
    text = dg.compile("P Plugins/PD Dataview/PD1 Dataview.md").text
    assert '<div><ul class="dataview list-view-ul"><li>' in text
    assert "{ .block-language-dataview}" not in text


def test_dataviewjs_becomes_a_notice(dg: GardenCompiler) -> None:
    text = dg.compile("P Plugins/PD Dataview/PD4 DataviewJs queries.md").text
    assert "dv." not in text and "not published" in text


def test_every_published_note_compiles(dg: GardenCompiler) -> None:
    for path in sorted(dg.ctx.published_paths):
        assert dg.compile(path).text.startswith('---\n{"dg-publish":true,')

"""Which Metadata Menu fileClass a note has (obsidian.md §8.3; metadatamenu: src/index/FieldIndex.ts).

Each test builds a tiny vault with a ``Classes/`` folder and asks :class:`FileClassIndex` for the
class a link to a note would show: tags, folders, bookmark groups, fileClass queries and the
``fileClass`` property append to an ordered, de-duplicated list whose *last* entry wins; the global
class only replaces a list that gives the note no field; excluded notes get nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from gardend.daemon.effective_settings import load_vault_settings
from gardend.daemon.fileclass import FileClassIndex, load_metadata_menu_settings, pages_call_source
from gardend.daemon.index import Index
from gardend.daemon.sync import Synchronizer

from .conftest import VaultMaker

FIELD = "fields:\n  - name: rating\n    type: Number\n    id: r1\n"
"""A class file frontmatter line set giving the class one field."""


def _vault(make_vault: VaultMaker, files: dict[str, str], settings: dict[str, Any] | None = None,
           bookmarks: dict[str, Any] | None = None, config: str = ".obsidian", dataview: bool = True) -> Path:
    data = {"classFilesPath": "Classes/", **(settings or {})}
    vault = {
        f"{config}/plugins/metadata-menu/manifest.json": '{"id": "metadata-menu", "version": "0.8.10"}',
        f"{config}/plugins/metadata-menu/data.json": json.dumps(data),
        **files,
    }
    if dataview:
        vault[f"{config}/plugins/dataview/manifest.json"] = '{"id": "dataview", "version": "0.5.68"}'
    if bookmarks is not None:
        vault[f"{config}/bookmarks.json"] = json.dumps(bookmarks)
    return make_vault(vault)


def _classes(tmp_path: Path, root: Path, config: str = ".obsidian") -> FileClassIndex:
    index = Index(tmp_path / "i.sqlite")
    Synchronizer(index, root, workers=1, config_dir=config).full_sync()
    return FileClassIndex(index, load_metadata_menu_settings(root, config))


def _name(classes: FileClassIndex, path: str) -> str | None:
    info = classes.class_of(path)
    return None if info is None else info.name


def _group(title: str, *items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "group", "title": title, "items": list(items)}


def _file(path: str) -> dict[str, Any]:
    return {"type": "file", "path": path}


# ---------------------------------------------------------------------------------------------
# Bookmark groups


def test_bookmark_groups_map_only_the_files_a_group_holds_directly(tmp_path: Path, make_vault: VaultMaker) -> None:
    root = _vault(make_vault, {
        "Classes/Reading.md": "---\nbookmarksGroups: [Reading]\nicon: book\n---\n",
        "Classes/Later.md": "---\nbookmarksGroups: Reading/Later, Other\n---\n",
        "Classes/Top.md": "---\nbookmarksGroups: ['/']\n---\n",
        "a.md": "a", "b.md": "b", "c.md": "c", "d.md": "d",
    }, bookmarks={"items": [
        _file("c.md"),
        _group("Reading", _file("a.md"), _group("Later", _file("b.md"))),
        _group("Unmapped", _file("d.md")),
    ]})
    classes = _classes(tmp_path, root)
    # A file in "Reading/Later" is not in "Reading": sub-groups do not count for their parent.
    assert [_name(classes, p) for p in ("a.md", "b.md", "c.md", "d.md")] == ["Reading", "Later", "Top", None]
    assert classes.class_of("a.md").icon == "book"  # type: ignore[union-attr]


def test_bookmarked_files_name_their_group_as_metadata_menu_does() -> None:
    from gardend.daemon.vault import BookmarkedFile, bookmarked_files

    items = [
        _group("A", _group("B", _file("ab.md")), _file("a.md"), {"type": "search", "query": "x"}),
        _file("top.md"),
        {"type": "folder", "path": "Folder"},
        "junk",
    ]
    # A level's files first, then its groups, depth first (FieldIndex.ts getFilesForItems).
    assert bookmarked_files(items) == [
        BookmarkedFile("/", "top.md"), BookmarkedFile("A", "a.md"), BookmarkedFile("A/B", "ab.md")]


def test_bookmark_groups_are_read_from_a_renamed_config_folder(tmp_path: Path, make_vault: VaultMaker) -> None:
    root = _vault(make_vault, {
        "Classes/Pinned.md": "---\nbookmarksGroups: [Pins]\n---\n",
        "a.md": "a",
    }, bookmarks={"items": [_group("Pins", _file("a.md"))]}, config=".config")
    assert _name(_classes(tmp_path, root, ".config"), "a.md") == "Pinned"


def test_a_note_in_two_mapped_groups_takes_the_class_of_the_later_group(tmp_path: Path, make_vault: VaultMaker) -> None:
    root = _vault(make_vault, {
        "Classes/First.md": "---\nbookmarksGroups: [One]\n---\n",
        "Classes/Second.md": "---\nbookmarksGroups: [Two]\n---\n",
        "a.md": "a",
    }, bookmarks={"items": [_group("Two", _file("a.md")), _group("One", _file("a.md"))]})
    # Traversal order decides: group "Two" comes first in bookmarks.json, so "One" is appended last.
    assert _name(_classes(tmp_path, root), "a.md") == "First"


# ---------------------------------------------------------------------------------------------
# fileClass queries


def _query(name: str, query: str, class_name: str) -> dict[str, str]:
    return {"name": name, "id": name, "query": query, "fileClassName": class_name}


def test_fileclass_query_maps_the_notes_its_dataview_source_returns(tmp_path: Path, make_vault: VaultMaker) -> None:
    root = _vault(make_vault, {
        "Classes/Book.md": "---\nicon: book\n---\n",
        "Library/Dune.md": "#book",
        "Library/Shelf.md": "no tag",
        "Elsewhere/Emma.md": "#book",
    }, settings={"fileClassQueries": [_query("books", "dv.pages('\"Library\" and #book')", "Book")]})
    classes = _classes(tmp_path, root)
    assert [_name(classes, p) for p in ("Library/Dune.md", "Library/Shelf.md", "Elsewhere/Emma.md")] == [
        "Book", None, None]
    assert classes.problems == []


def test_a_later_query_wins_but_a_class_listed_again_keeps_its_first_place(
    tmp_path: Path, make_vault: VaultMaker
) -> None:
    root = _vault(make_vault, {
        "Classes/A.md": "---\n---\n", "Classes/B.md": "---\n---\n",
        "x.md": "#t", "y.md": "#t #u",
    }, settings={"fileClassQueries": [
        _query("q1", 'dv.pages("#t")', "A"),
        _query("q2", 'dv.pages("#t")', "B"),
        _query("q3", 'dv.pages("#u")', "A"),
    ]})
    classes = _classes(tmp_path, root)
    # x: [A, B] -> B. y: [A, B] again (A is already listed; Metadata Menu's Set keeps its place).
    assert (_name(classes, "x.md"), _name(classes, "y.md")) == ("B", "B")


def test_sources_append_in_metadata_menu_order_and_the_last_class_wins(tmp_path: Path, make_vault: VaultMaker) -> None:
    root = _vault(make_vault, {
        "Classes/ByTag.md": "---\ntagNames: [t]\n---\n",
        "Classes/ByPath.md": "---\nfilesPaths: [Notes]\n---\n",
        "Classes/ByGroup.md": "---\nbookmarksGroups: [G]\n---\n",
        "Classes/ByQuery.md": "---\n---\n",
        "Classes/Own.md": "---\n---\n",
        "Notes/all.md": "---\nfileClass: Own\n---\n#t",
        "Notes/no-own.md": "#t",
        "Notes/tag-and-path.md": "#t",
    }, settings={"fileClassQueries": [_query("q", 'dv.pages("\\"Notes/all\\" or \\"Notes/no-own\\"")', "ByQuery")]},
        bookmarks={"items": [_group("G", _file("Notes/all.md"), _file("Notes/no-own.md"))]})
    classes = _classes(tmp_path, root)
    assert _name(classes, "Notes/all.md") == "Own"
    assert _name(classes, "Notes/no-own.md") == "ByQuery"
    assert _name(classes, "Notes/tag-and-path.md") == "ByPath"


def test_query_forms_gardend_runs() -> None:
    assert pages_call_source("dv.pages()") is None
    assert pages_call_source("  dv.pages( '\"A\" or #b' ) ;") == '"A" or #b'
    assert pages_call_source('dv.pages("\\u0023tag")') == "#tag"
    assert pages_call_source("dv.pages(`#x`)") == "#x"
    assert pages_call_source('dv.pages("  ")') is None  # Dataview: an empty source is every page
    for other in ('dv.pages("#a").where(p => p.x)', "#tag", "dv.pages(`${x}`)", "dv.page('a')"):
        with pytest.raises(ValueError, match=r"only dv\.pages"):
            pages_call_source(other)


def test_a_broken_query_is_a_warning_naming_the_setting_and_the_query(tmp_path: Path, make_vault: VaultMaker) -> None:
    root = _vault(make_vault, {
        "Classes/Book.md": "---\n---\n",
        "a.md": "#book",
    }, settings={"fileClassQueries": [
        _query("js", 'dv.pages("#book").where(p => p.rating > 3)', "Book"),
        _query("syntax", 'dv.pages("#book and")', "Book"),
        _query("csv", 'dv.pages("csv(\\"data.csv\\")")', "Book"),
        _query("no class", 'dv.pages("#book")', "Nope"),
    ]})
    settings = load_metadata_menu_settings(root)
    problems = [p for p in settings.problems if "fileClassQueries" in p]
    assert len(problems) == 2
    assert "'js' (query 'dv.pages(\"#book\").where(p => p.rating > 3)')" in problems[0]
    assert "'syntax'" in problems[1] and "cannot parse the source '#book and'" in problems[1]
    # The same warnings reach `gardend info` and the synchroniser's settings warnings.
    assert all(p in load_vault_settings(root).problems for p in problems)
    classes = _classes(tmp_path, root)
    assert _name(classes, "a.md") is None  # no exception, and no class from a broken query
    assert any("'csv'" in p and "csv() sources are not supported" in p for p in classes.problems)
    assert any("'no class'" in p and "no fileClass 'Nope'" in p for p in classes.problems)


def test_fileclass_queries_need_dataview_installed(tmp_path: Path, make_vault: VaultMaker) -> None:
    root = _vault(make_vault, {"Classes/Book.md": "---\n---\n", "a.md": "#book"},
                  settings={"fileClassQueries": [_query("q", 'dv.pages("#book")', "Book")]}, dataview=False)
    assert any("need Dataview" in p for p in load_metadata_menu_settings(root).problems)
    assert _name(_classes(tmp_path, root), "a.md") is None


# ---------------------------------------------------------------------------------------------
# Exclusions


def test_excluded_notes_get_no_class_not_even_the_global_one(tmp_path: Path, make_vault: VaultMaker) -> None:
    root = _vault(make_vault, {
        "Classes/Base.md": f"---\n{FIELD}---\n",
        "Templates/t.md": "---\nfileClass: Base\n---\n",
        "Drawing.excalidraw.md": "---\nfileClass: Base\n---\n",
        "Drafts/x-draft.md": "---\nfileClass: Base\n---\n",
        "kept.md": "plain",
    }, settings={"globalFileClass": "Base", "fileIndexingExcludedFolders": ["Templates"],
                 "fileIndexingExcludedRegex": ["-draft\\.md$"]})
    classes = _classes(tmp_path, root)
    assert [_name(classes, p) for p in ("Templates/t.md", "Drawing.excalidraw.md", "Drafts/x-draft.md")] == [
        None, None, None]
    assert _name(classes, "kept.md") == "Base"
    assert _name(classes, "Classes/Base.md") == "Base"  # a class file is decorated with itself


def test_an_invalid_exclusion_regex_excludes_every_note_and_warns(tmp_path: Path, make_vault: VaultMaker) -> None:
    root = _vault(make_vault, {
        "Classes/Base.md": "---\n---\n",
        "a.md": "---\nfileClass: Base\n---\n",
    }, settings={"fileIndexingExcludedRegex": ["(unclosed"]})
    settings = load_metadata_menu_settings(root)
    assert any("fileIndexingExcludedRegex '(unclosed'" in p for p in settings.problems)
    assert _name(_classes(tmp_path, root), "a.md") is None


# ---------------------------------------------------------------------------------------------
# The global class: only for notes that got no *field*


def test_global_class_replaces_classes_without_fields_and_needs_fields_itself(
    tmp_path: Path, make_vault: VaultMaker
) -> None:
    files = {
        "Classes/Global.md": f"---\n{FIELD}---\n",
        "Classes/Empty.md": "---\ntagNames: [e]\n---\n",
        "Classes/Full.md": f"---\ntagNames: [f]\n{FIELD}---\n",
        "Classes/Child.md": "---\nextends: Full\n---\n",
        "Classes/Pruned.md": "---\nextends: Full\nexcludes: [rating]\n---\n",
        "plain.md": "x",
        "empty.md": "#e",
        "full.md": "#f",
        "child.md": "---\nfileClass: Child\n---\n",
        "pruned.md": "---\nfileClass: Pruned\n---\n",
        "unknown-after.md": "---\nfileClass: [Full, Nope]\n---\n",
    }
    classes = _classes(tmp_path, _vault(make_vault, files, settings={"globalFileClass": "Global"}))
    assert {p: _name(classes, p) for p in files if not p.startswith("Classes/")} == {
        "plain.md": "Global",
        "empty.md": "Global",       # a class with no field gives no field: the global class replaces it
        "full.md": "Full",
        "child.md": "Child",        # inherited fields count
        "pruned.md": "Global",      # ... unless excluded
        "unknown-after.md": "Global",  # an unknown name resets the fields (getFilesFieldsFromFileClass)
    }


def test_a_global_class_without_fields_maps_nothing(tmp_path: Path, make_vault: VaultMaker) -> None:
    root = _vault(make_vault, {
        "Classes/Global.md": "---\nicon: star\n---\n",
        "Classes/Empty.md": "---\ntagNames: [e]\n---\n",
        "plain.md": "x", "empty.md": "#e",
    }, settings={"globalFileClass": "Global"})
    classes = _classes(tmp_path, root)
    assert (_name(classes, "plain.md"), _name(classes, "empty.md")) == (None, "Empty")


# ---------------------------------------------------------------------------------------------
# Tags and folders, as Metadata Menu compares them


def test_folder_mapping_compares_the_parent_folder_path_and_slash_is_the_root(
    tmp_path: Path, make_vault: VaultMaker
) -> None:
    root = _vault(make_vault, {
        "Classes/Root.md": "---\nfilesPaths: ['/']\n---\n",
        "Classes/Proj.md": "---\nfilesPaths: Projects\n---\n",
        "Classes/Deep.md": "---\nfilesPaths: ['Archive/']\n---\n",
        "top.md": "x", "Projects/p.md": "x", "Projects2/q.md": "x", "Archive/a.md": "x", "Archive/old/b.md": "x",
    })
    classes = _classes(tmp_path, root)
    assert {p: _name(classes, p) for p in (
        "top.md", "Projects/p.md", "Projects2/q.md", "Archive/a.md", "Archive/old/b.md")} == {
        "top.md": "Root",           # the root folder's path is "/"
        "Projects/p.md": "Proj",
        "Projects2/q.md": "Proj",   # a plain startsWith, as in Metadata Menu
        "Archive/a.md": None,       # parent "Archive" does not start with "Archive/"
        "Archive/old/b.md": "Deep",
    }


def test_tag_mapping_is_case_sensitive_and_compares_frontmatter_tags_as_written(
    tmp_path: Path, make_vault: VaultMaker
) -> None:
    root = _vault(make_vault, {
        "Classes/Book.md": "---\nmapWithTag: true\n---\n",
        "lower.md": "#book",
        "inline.md": "#book and #Book",
        "fm.md": "---\ntags: [Book]\n---\n",
        "fm-hash.md": "---\ntags: ['#Book']\n---\n",
        "nested.md": "#Book/novel",
    })
    classes = _classes(tmp_path, root)
    assert [_name(classes, p) for p in ("lower.md", "inline.md", "fm.md", "fm-hash.md", "nested.md")] == [
        None, "Book", "Book", None, None]

"""Dataview page objects and FROM sources, built from the index (dataview.md §1, §2.3)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from gardend.daemon.index import Index
from gardend.daemon.query.pages import PageStore
from gardend.daemon.query.parser import parse_query
from gardend.daemon.query.sources import SourceError, note_ids_for_source
from gardend.daemon.sync import Synchronizer
from gardend.daemon.values import Duration, DVDate, Link, use_local_zone

from .conftest import VaultMaker

VAULT = {
    "Projects/Alpha.md": (
        "---\ntags: [project, area/work]\ndue: 2024-05-01\nAlias: [A1]\nrelated: \"[[Beta]]\"\n---\n"
        "# Plan\nStatus:: active\nEffort:: 3h 30m\n[Owner:: [[People/Ann]]]\n"
        "- item with (note:: x)\n- [ ] task one [due:: 2024-06-01] #urgent\n  - [x] sub done\n\n"
        "See [[Beta#Intro]] and ![[diagram.png]] #inline/tag\n"
    ),
    "Projects/Beta.md": "---\ndate: 2023-02-03\n---\n# Intro\nlinks to [[Alpha]]\n",
    "People/Ann.md": "---\naliases: Annie, A.\n---\n",
    "Journal/2021-08-08 Post.md": "text",
    "Journal/20220102.md": "text",
    "diagram.png": b"\x89PNG",
}


@pytest.fixture
def store(make_vault: VaultMaker, tmp_path: Path) -> Iterator[PageStore]:
    root = make_vault(VAULT)
    index = Index(tmp_path / "i.sqlite")
    Synchronizer(index, root, workers=1).full_sync()
    with use_local_zone("UTC"):
        yield PageStore(index)
    index.close()


def paths_for(store: PageStore, query: str, this: str | None = None) -> list[str]:
    q = parse_query(query)
    return sorted(store.paths()[i] for i in note_ids_for_source(store.index, q.source, this, store.names))


def test_implicit_file_fields(store: PageStore) -> None:
    page = store.page_for_path("Projects/Alpha.md")
    assert page is not None
    f = page["file"]
    assert (f["path"], f["folder"], f["name"], f["ext"]) == ("Projects/Alpha.md", "Projects", "Alpha", "md")
    assert f["link"] == Link.file("Projects/Alpha.md")
    assert f["etags"] == ["#urgent", "#inline/tag", "#project", "#area/work"]
    assert f["tags"] == ["#urgent", "#inline/tag", "#inline", "#project", "#area/work", "#area"]
    assert f["aliases"] == ["A1"]
    assert [lk.path for lk in f["outlinks"]] == ["Projects/Beta.md", "People/Ann.md", "Projects/Beta.md", "diagram.png"]
    assert f["outlinks"][2].subpath == "Intro" and f["outlinks"][2].type == "header"
    assert f["outlinks"][3].embed
    assert f["inlinks"] == [Link.file("Projects/Beta.md")]
    assert "day" not in f


def test_fields_typed_canonical_and_resolved(store: PageStore) -> None:
    page = store.page_for_path("Projects/Alpha.md")
    assert page is not None
    assert page["Status"] == "active" and page["status"] == "active"
    assert isinstance(page["Effort"], Duration)
    assert page["owner"] == Link.file("People/Ann.md")  # resolved to the full path
    assert page["related"] == Link.file("Projects/Beta.md")
    assert isinstance(page["due"], DVDate)
    assert page["note"] == "x"  # non-task list-item fields propagate to the page


def test_tasks_and_lists(store: PageStore) -> None:
    page = store.page_for_path("Projects/Alpha.md")
    assert page is not None
    lists = page["file"]["lists"]
    assert [item["text"] for item in lists] == ["item with (note:: x)", "task one [due:: 2024-06-01] #urgent", "sub done"]
    task = page["file"]["tasks"][0]
    assert task["status"] == " " and task["checked"] is False and task["completed"] is False
    assert isinstance(task["due"], DVDate)
    assert task["tags"] == ["#urgent"]
    assert [c["text"] for c in task["children"]] == ["sub done"]
    assert task["fullyCompleted"] is False
    assert page["file"]["tasks"][1]["completed"] is True
    assert task["section"] == Link.header("Projects/Alpha.md", "Plan")


def test_file_day(store: PageStore) -> None:
    day = lambda p: store.page_for_path(p)["file"].get("day")  # type: ignore[index]  # noqa: E731
    assert day("Projects/Beta.md").to_iso().startswith("2023-02-03")
    assert day("Journal/2021-08-08 Post.md").to_iso().startswith("2021-08-08")
    assert day("Journal/20220102.md").to_iso().startswith("2022-01-02")


def test_sources(store: PageStore) -> None:
    assert paths_for(store, "LIST FROM #project") == ["Projects/Alpha.md"]
    assert paths_for(store, "LIST FROM #area") == ["Projects/Alpha.md"]  # parent tags match
    assert paths_for(store, "LIST FROM #PROJECT") == ["Projects/Alpha.md"]  # case-insensitive
    assert paths_for(store, 'LIST FROM "Projects"') == ["Projects/Alpha.md", "Projects/Beta.md"]
    assert paths_for(store, 'LIST FROM "Projects/Beta"') == ["Projects/Beta.md"]
    assert paths_for(store, 'LIST FROM "Nope"') == []
    assert paths_for(store, "LIST FROM [[Beta]]") == ["Projects/Alpha.md"]
    assert paths_for(store, "LIST FROM outgoing([[Alpha]])") == ["People/Ann.md", "Projects/Beta.md"]
    assert paths_for(store, 'LIST FROM "Projects" and -#project') == ["Projects/Beta.md"]
    assert paths_for(store, "LIST FROM [[]]", this="Projects/Alpha.md") == ["Projects/Beta.md"]
    assert paths_for(store, 'LIST FROM #project or "Journal"') == [
        "Journal/2021-08-08 Post.md", "Journal/20220102.md", "Projects/Alpha.md"
    ]


def test_outgoing_of_missing_file_falls_back_to_incoming(store: PageStore) -> None:
    assert paths_for(store, "LIST FROM outgoing([[Nowhere]])") == []


def test_csv_source_is_a_clear_error(store: PageStore) -> None:
    with pytest.raises(SourceError):
        paths_for(store, 'LIST FROM csv("data.csv")')


def test_file_starred_from_bookmarks(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = make_vault(
        {
            "a.md": "x",
            "b.md": "y",
            ".obsidian/bookmarks.json": '{"items": [{"type": "group", "title": "G", "items": [{"type": "file", "path": "b.md"}]}]}',
        }
    )
    index = Index(tmp_path / "i.sqlite")
    sync = Synchronizer(index, root, workers=1)
    sync.reload_settings()
    sync.full_sync()
    store = PageStore(index)
    assert store.page_for_path("a.md")["file"]["starred"] is False  # type: ignore[index]
    assert store.page_for_path("b.md")["file"]["starred"] is True  # type: ignore[index]

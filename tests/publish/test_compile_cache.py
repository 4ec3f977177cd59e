"""The compile cache: a cached publish is byte-for-byte an uncached one, after any edit.

The cache may only ever save work, never change output. The property test applies random edit
sequences to a vault full of dependencies (transclusions, queries with and without FROM, inline
queries through links, file times, fileClass decoration, publish flags) and compares the cached
compile with a fresh one after every step.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from gardend.daemon.index import Index
from gardend.daemon.publish.cache import CompileCache, meta_hashes
from gardend.daemon.publish.gitsync import compile_files, compile_fingerprint
from gardend.daemon.publish.settings import GardenSettings
from gardend.daemon.sync import Synchronizer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SETTINGS = GardenSettings(show_updated_timestamp=True, show_created_timestamp=True, time_zone="UTC")

MM_SETTINGS = json.dumps({
    "classFilesPath": "Classes/", "enableLinks": True, "fileClassAlias": "fileClass",
    # Classes by query: by a tag, by a folder, and by another note's links (outgoing([[Hub]])).
    "fileClassQueries": [
        {"name": "topics", "id": "q1", "query": "dv.pages('#topic')", "fileClassName": "Topic"},
        {"name": "sub", "id": "q2", "query": "dv.pages('\"Projects/Sub\"')", "fileClassName": "Sub"},
        {"name": "hub", "id": "q3", "query": "dv.pages('outgoing([[Hub]])')", "fileClassName": "Hubbed"},
    ],
})
BOOKMARKS = {"items": [{"type": "group", "title": "Reading", "items": [{"type": "file", "path": "Loose.md"}]}]}

VAULT: dict[str, str] = {
    ".obsidian/plugins/metadata-menu/manifest.json": '{"id": "metadata-menu", "version": "0.8.0"}',
    ".obsidian/plugins/metadata-menu/data.json": MM_SETTINGS,
    ".obsidian/plugins/dataview/manifest.json": '{"id": "dataview", "version": "0.5.68"}',
    ".obsidian/bookmarks.json": json.dumps(BOOKMARKS),
    "Classes/Person.md": "---\nicon: package\n---\n",
    "Classes/Projected.md": "---\nicon: folder-kanban\ntagNames: [proj]\n---\n",
    "Classes/Marked.md": "---\nicon: bookmark\nbookmarksGroups: [Reading]\n---\n",
    "Classes/Topic.md": "---\nicon: search\n---\n",
    "Classes/Sub.md": "---\nicon: folder\n---\n",
    "Classes/Hubbed.md": "---\nicon: star\n---\n",
    "Hub.md": "An unpublished hub note.\n",
    "Home.md": (
        "---\ndg-publish: true\ndg-home: true\n---\nSee [[Projects/Alpha]] and [[Private]].\n\n![[Shared]]\n"
        "![[Drawing.svg]]\n"
    ),
    "Drawing.svg": '<svg xmlns="http://www.w3.org/2000/svg"><circle r="1"/></svg>',
    "Shared.md": "---\ndg-publish: true\n---\n# Part\nshared text ^blk\n",
    "Private.md": "---\nstatus: secret\n---\n# Hidden\nprivate words\n",
    "Embedder.md": "---\ndg-publish: true\n---\n![[Private#Hidden]]\n![[Shared#^blk]]\n",
    "Projects/Alpha.md": (
        "---\ndg-publish: true\nstatus: active\ntags: [proj]\nfileClass: Person\nrelated: \"[[Shared]]\"\n---\n"
        "- [ ] todo one\n"
    ),
    "Projects/Beta.md": "---\ndg-publish: true\nstatus: paused\nrelated: \"[[Private]]\"\n---\n#proj text\n",
    "Loose.md": "---\ndg-publish: true\n---\nNobody links here.\n",
    # One query per note, so that no rule of the cache hides another's mistake.
    "Q/Tagged.md": "---\ndg-publish: true\n---\n```dataview\nTABLE status, related FROM #proj\n```\n",
    "Q/Folder.md": "---\ndg-publish: true\n---\n```dataview\nLIST FROM \"Projects\"\n```\n",
    "Q/Tasks.md": "---\ndg-publish: true\n---\n```dataview\nTASK WHERE !completed\n```\n",
    "Q/Times.md": "---\ndg-publish: true\n---\n```dataview\nTABLE file.mtime AS M FROM \"Projects\"\n```\n",
    "Q/Inlinks.md": (
        "---\ndg-publish: true\n---\n```dataview\nTABLE length(file.inlinks) AS N FROM \"Projects\"\n```\n"
    ),
    "Q/Size.md": "---\ndg-publish: true\n---\n```dataview\nLIST FROM \"Projects\" WHERE file.size > 85\n```\n",
    "Q/Inline.md": "---\ndg-publish: true\nstatus: mine\n---\nMe: `= this.status`, alpha: `= [[Alpha]].status`\n",
}


def _edit(root: Path, op: str) -> None:
    """One edit of the kind users make; each is applicable in any state of the vault."""
    def append(rel: str, text: str) -> None:
        path = root / rel
        if path.exists():
            path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")

    if op == "append-paragraph":
        append("Projects/Beta.md", "\nAnother paragraph.\n")
    elif op == "edit-transcluded-private":
        append("Private.md", "\nmore private words\n")
    elif op == "edit-shared-block":
        path = root / "Shared.md"
        path.write_text(path.read_text(encoding="utf-8").replace("shared text", "shared text!"), encoding="utf-8")
    elif op == "tag-gamma":
        append("Gamma.md", "---\ndg-publish: true\n---\n#proj gamma\n")
    elif op == "new-project":
        append("Projects/Delta.md", "delta [[Alpha]]\n")
    elif op == "delete-beta":
        (root / "Projects/Beta.md").unlink(missing_ok=True)
    elif op == "rename-alpha":
        src = root / "Projects/Alpha.md"
        if src.exists():
            src.rename(root / "Projects/Alpha2.md")
    elif op == "publish-private":
        path = root / "Private.md"
        if path.exists():
            path.write_text("---\ndg-publish: true\n" + path.read_text(encoding="utf-8").removeprefix("---\n"),
                            encoding="utf-8")
    elif op == "complete-task":
        for path in (root / "Projects").glob("*.md"):
            path.write_text(path.read_text(encoding="utf-8").replace("- [ ]", "- [x]"), encoding="utf-8")
    elif op == "add-task-elsewhere":
        append("Notes/Tasks.md", "- [ ] a new task\n")
    elif op == "change-status":
        for path in (root / "Projects").glob("*.md"):
            path.write_text(path.read_text(encoding="utf-8").replace("status: active", "status: done"),
                            encoding="utf-8")
    elif op == "link-to-beta":
        append("Notes/Linker.md", "[[Beta]]\n")
    elif op == "touch-beta":
        path = root / "Projects/Beta.md"
        if path.exists():
            st = path.stat()
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 3 * 86_400 * 10**9))
    elif op == "class-icon":
        path = root / "Classes/Person.md"
        path.write_text(path.read_text(encoding="utf-8").replace("icon: package", "icon: unknown-icon"), encoding="utf-8")
    elif op == "own-query-note":
        append("Q/Tagged.md", "\nA closing line.\n")
    elif op == "edit-svg":
        (root / "Drawing.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><rect width="22"/></svg>')
    elif op == "tag-loose":
        append("Loose.md", "\n#proj\n")
    elif op == "classify-shared":
        path = root / "Shared.md"
        path.write_text(path.read_text(encoding="utf-8").replace("---\n", "---\nfileClass: Person\n", 1), encoding="utf-8")
    elif op == "tag-shared":
        append("Shared.md", "\n#proj\n")
    elif op == "link-from-home":
        append("Home.md", "\nAlso [[Beta]].\n")
    elif op == "bookmark-beta":
        marks = root / ".obsidian/bookmarks.json"
        data = json.loads(marks.read_text(encoding="utf-8"))
        data["items"][0]["items"].append({"type": "file", "path": "Projects/Beta.md"})
        marks.write_text(json.dumps(data), encoding="utf-8")
    elif op == "topic-beta":
        append("Projects/Beta.md", "\n#topic\n")
    elif op == "move-beta-into-queried-folder":
        src = root / "Projects/Beta.md"
        if src.exists():
            (root / "Projects/Sub").mkdir(exist_ok=True)
            src.rename(root / "Projects/Sub/Beta.md")
    elif op == "hub-links-beta":
        append("Hub.md", "\nSee [[Beta]].\n")
    else:  # pragma: no cover - the strategy only draws the names above
        raise AssertionError(op)


OPS = [
    "append-paragraph", "edit-transcluded-private", "edit-shared-block", "tag-gamma", "new-project",
    "delete-beta", "rename-alpha", "publish-private", "complete-task", "add-task-elsewhere",
    "change-status", "link-to-beta", "touch-beta", "class-icon", "own-query-note", "link-from-home",
    "tag-shared", "edit-svg", "classify-shared", "tag-loose",
    "bookmark-beta", "topic-beta", "move-beta-into-queried-folder", "hub-links-beta",
]


def _write_vault(root: Path) -> None:
    for rel, text in VAULT.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _texts(index: Index, root: Path, mode: str, use_cache: bool) -> dict[str, tuple[str, bytes]]:
    files = compile_files(index, root, SETTINGS, mode, use_cache=use_cache)  # type: ignore[arg-type]
    return {path: (f.sha, f.data) for path, f in files.items()}


def _assert_cache_exact(ops: list[str], mode: str) -> None:
    work = Path(tempfile.mkdtemp(prefix="gardend-cache-"))
    try:
        root = work / "vault"
        _write_vault(root)
        index = Index(work / "index.sqlite")
        sync = Synchronizer(index, root, workers=1)
        sync.full_sync()
        assert _texts(index, root, mode, True) == _texts(index, root, mode, False)
        for op in ops:
            _edit(root, op)
            sync.full_sync()
            cached = _texts(index, root, mode, True)
            fresh = _texts(index, root, mode, False)
            assert cached == fresh, f"after {ops}: stale {sorted(p for p in fresh if cached.get(p) != fresh[p])}"
        index.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


@pytest.mark.parametrize("op", OPS)
def test_each_kind_of_edit_leaves_no_stale_compiled_note(op: str) -> None:
    _assert_cache_exact([op], "safe")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(st.sampled_from(OPS), min_size=1, max_size=5), mode=st.sampled_from(["safe", "plugin"]))
def test_cached_compile_equals_a_fresh_compile_after_any_edits(ops: list[str], mode: str) -> None:
    _assert_cache_exact(ops, mode)


def _cache(index: Index, root: Path, mode: str = "safe") -> CompileCache:
    return CompileCache(index, mode, compile_fingerprint(root, SETTINGS, mode, ".obsidian"), "Classes")


def test_a_second_status_reuses_every_compiled_note(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    _write_vault(root)
    index = Index(tmp_path / "index.sqlite")
    Synchronizer(index, root, workers=1).full_sync()
    first = _texts(index, root, "safe", True)
    cache = _cache(index, root)
    published = [p for p, s in cache.state.items() if s.publish]
    assert all(cache.lookup(p) is not None for p in published)
    assert cache.misses == 0 and cache.hits == len(published) == 13
    assert _texts(index, root, "safe", True) == first


def test_appending_a_paragraph_recompiles_only_that_note_and_queries_showing_file_times(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    _write_vault(root)
    index = Index(tmp_path / "index.sqlite")
    sync = Synchronizer(index, root, workers=1)
    sync.full_sync()
    _texts(index, root, "safe", True)
    _edit(root, "append-paragraph")
    sync.full_sync()
    cache = _cache(index, root)
    assert cache.changes.content == {"Projects/Beta.md"} and not cache.changes.meta
    missed = {p for p, s in cache.state.items() if s.publish and cache.lookup(p) is None}
    # Beta itself, and the one query that shows file times of notes in Beta's folder.
    assert missed == {"Projects/Beta.md", "Q/Times.md", "Q/Size.md"}


def test_a_changed_setting_recompiles_everything(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    _write_vault(root)
    index = Index(tmp_path / "index.sqlite")
    Synchronizer(index, root, workers=1).full_sync()
    _texts(index, root, "safe", True)
    (root / ".obsidian/plugins/metadata-menu/data.json").write_text(MM_SETTINGS.replace("true", "false"))
    cache = _cache(index, root)
    assert cache.entries == {}


def test_meta_hash_ignores_body_text_but_not_fields(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    _write_vault(root)
    index = Index(tmp_path / "index.sqlite")
    sync = Synchronizer(index, root, workers=1)
    sync.full_sync()
    before = meta_hashes(index)
    _edit(root, "append-paragraph")
    sync.full_sync()
    assert meta_hashes(index) == before
    _edit(root, "change-status")
    sync.full_sync()
    after = meta_hashes(index)
    alpha = index.conn.execute("SELECT id FROM files WHERE path = 'Projects/Alpha.md'").fetchone()[0]
    assert {k for k in before if before[k] != after.get(k)} == {alpha}

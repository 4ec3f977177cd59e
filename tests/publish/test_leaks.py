"""The leak audit and the "nothing of an unpublished note is published" promise.

The private-trap vault (tests/fixtures/private-trap-vault) puts a unique ``PRIVATE-MARKER-7f3a-…``
string in every place of its unpublished notes a publisher could copy from: body, headings,
block, frontmatter and inline fields, aliases, a private-only tag, folder and file names, and
attachments only unpublished notes use. Published notes transclude them (whole, ``#heading``,
``#^block``, nested through a published note), link to them (bare name, typed path, alias,
heading, block, Markdown link), query their folder and tag, and count their backlinks.

Safe mode must give 0 findings (compiled notes, the garden repository's whole history, the
preview site's published pages and JSON); plugin mode must give the plugin's leaks, which proves
the audit finds them.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from gardend.daemon.cli import main
from gardend.daemon.index import Index
from gardend.daemon.publish import leaks as leaks_mod
from gardend.daemon.publish.gitsync import compile_files
from gardend.daemon.publish.leaks import (
    Leak,
    Marker,
    PrivateMarkers,
    audit,
    build_markers,
    exposure,
    repo_outputs,
    variants,
)
from gardend.daemon.sync import Synchronizer

from ..conftest import FIXTURES, VaultMaker
from .helpers import GIT_ENV, make_garden, run_git

TRAP = FIXTURES / "private-trap-vault"
DIARY = "Vault-Hidden-Folder/Secret Diary.md"
DEEP = "Vault-Hidden-Folder/Nested/Deep Private Note.md"
MINUTES = "Confidential-7f3a/Meeting Minutes.md"
PLANS = "Vault-Hidden-Folder/Plans (2026).md"
PRIVATE_NOTES = [MINUTES, DEEP, PLANS, DIARY]

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture
def trap(tmp_path: Path) -> Iterator[tuple[Path, Index]]:
    root = tmp_path / "vault"
    shutil.copytree(TRAP, root)
    index = Index(tmp_path / "trap.sqlite")
    Synchronizer(index, root, workers=1).full_sync()
    try:
        yield root, index
    finally:
        index.close()


def compiled(root: Path, index: Index, mode: str) -> dict[str, bytes]:
    return {path: f.data for path, f in compile_files(index, root, None, mode).items()}  # type: ignore[arg-type]


# -- the audit's own rules -----------------------------------------------------------------------

def test_variants_cover_escaped_encoded_and_slugified_forms() -> None:
    forms = variants('Tom & "Jerry" go/Übermut here')
    assert "Tom &amp; &quot;Jerry&quot; go/Übermut here" in forms  # HTML attribute
    assert 'Tom &amp; "Jerry" go/Übermut here' in forms  # HTML text
    assert 'Tom & \\"Jerry\\" go/\\u00dcbermut here' in forms  # JSON, ASCII
    assert "Tom%20%26%20%22Jerry%22%20go%2F%C3%9Cbermut%20here" in forms  # encodeURIComponent-like
    assert "Tom%20&%20%22Jerry%22%20go/%C3%9Cbermut%20here" in forms  # encodeURI
    assert "tom-and-jerry-go/uebermut-here" in forms or "tom-jerry-go/ubermut-here" in forms or any(
        f.startswith("tom-") and "/" in f for f in forms
    )


def test_audit_finds_every_form_and_names_the_source() -> None:
    markers = PrivateMarkers([Marker("the sealed envelope is hidden", "body", "P/Secret.md")])
    outputs = [
        ("a.html", b"<p>the sealed envelope is hidden</p>"),
        ("b.json", json.dumps({"x": "the sealed envelope is hidden"}).encode()),
        ("c.url", b"/x/the%20sealed%20envelope%20is%20hidden"),
        ("d.html", b"/the-sealed-envelope-is-hidden/"),
        ("e.txt", b"nothing to see"),
    ]
    found = audit(markers, outputs)
    assert [leak.where for leak in found] == ["a.html", "b.json", "c.url", "d.html"]
    assert all(leak.source_note == "P/Secret.md" and leak.marker_kind == "body" for leak in found)
    assert exposure(found) == ["P/Secret.md"]
    assert Leak("body", "P/S.md", "a.html", "x y z").as_text() == 'a.html: private text from P/S.md (body): "x y z"'


def test_shared_and_common_text_is_not_a_marker(tmp_path: Path, make_vault: VaultMaker) -> None:
    root = make_vault({
        "Pub.md": "---\ndg-publish: true\ntags: [common]\n---\nWe both wrote this very same sentence.\n[[Shared Name]]\n",
        "Priv/Shared Name.md": (
            "---\ntags: [common, onlymine]\nstatus: private\ncode: Z-42-secret\n---\n"
            "We both wrote this very same sentence.\nshort line\nA private sentence nobody else wrote.\n"
        ),
    })
    index = Index(tmp_path / "i.sqlite")
    Synchronizer(index, root, workers=1).full_sync()
    markers = {(m.kind, m.text) for m in build_markers(index, root).markers}
    texts = {t for _, t in markers}
    assert "A private sentence nobody else wrote" in texts
    assert "We both wrote this very same sentence" not in texts  # shared with a published note
    assert "short line" not in texts  # < 3 words / 16 characters
    assert "Shared Name" not in texts  # the bare name typed in a published note
    assert ("path", "Priv/Shared Name") in markers  # … but not its path
    assert ("tag", "#onlymine") in markers and ("tag", "#common") not in markers
    assert "private" not in texts  # a plain short property value (graph.json has "private": false)
    assert ("property", "Z-42-secret") in markers
    assert ("folder", "Priv") in markers
    index.close()


def test_a_links_heading_is_no_marker_of_the_linking_note(tmp_path: Path, make_vault: VaultMaker) -> None:
    """``field:: [[Pub#What's next?]]`` in a private note names a published heading; the index keeps
    the subpath normalised (``What s next``), whose slug is the published heading's id."""
    root = make_vault({
        "Pub.md": "---\ndg-publish: true\n---\n## What's next?\nsoon\n",
        "Embedder.md": "---\ndg-publish: true\n---\n![[Pub#What's next?]]\n",
        "Priv/Plan.md": "started:: [[Pub#What's next?]]\nowner:: [[Pub#What's next?|Zed Quokkason]]\n",
    })
    index = Index(tmp_path / "i.sqlite")
    Synchronizer(index, root, workers=1).full_sync()
    texts = {m.text for m in build_markers(index, root).markers}
    assert "What s next" not in texts and "What's next?" not in texts
    assert "Zed Quokkason" in texts  # a link's display text is the author's own
    index.close()


def test_asset_bytes_are_found_under_any_name(trap: tuple[Path, Index]) -> None:
    root, index = trap
    markers = build_markers(index, root)
    data = (root / "Attachments" / "private-only-photo-7f3a.png").read_bytes()
    found = audit(markers, [("renamed.png", data)])
    assert {(leak.marker_kind, leak.source_note) for leak in found} >= {("asset-bytes", DIARY)}
    public = (root / "Attachments" / "public-photo.png").read_bytes()
    assert audit(markers, [("public.png", public)]) == []


def test_trap_markers_cover_every_kind(trap: tuple[Path, Index]) -> None:
    root, index = trap
    kinds = {m.kind for m in build_markers(index, root).markers}
    assert kinds >= {"body", "token", "heading", "block-id", "property", "alias", "tag", "path", "file-name",
                     "folder", "asset-name"}
    texts = {m.text for m in build_markers(index, root).markers}
    for marker in ("PRIVATE-MARKER-7f3a-body", "PRIVATE-MARKER-7f3a-property", "PRIVATE-MARKER-7f3a-inline",
                   "PRIVATE-MARKER-7f3a-block", "PRIVATE-MARKER-7f3a-heading", "PRIVATE-MARKER-7f3a-deep",
                   "PRIVATE-MARKER-7f3a-minutes", "Diary Alias Zebra Nine", "#zebracrossing",
                   "Confidential-7f3a", "Vault-Hidden-Folder/Secret Diary"):
        assert marker in texts


# -- compiled notes ------------------------------------------------------------------------------

def test_safe_mode_compiles_nothing_private(trap: tuple[Path, Index]) -> None:
    root, index = trap
    out = compiled(root, index, "safe")
    assert audit(build_markers(index, root), list(out.items())) == []
    assert not any("private-only-photo" in path or "private-scan" in path for path in out)  # no private assets
    assert b"PRIVATE-MARKER" not in b"".join(out.values())
    home = out["src/site/notes/Public/Garden Home.md"].decode()
    assert "Path typed: Secret Diary." in home  # a typed path shows the bare name only
    assert "Markdown link: my notes." in home  # Markdown link to a private note: text only
    # file.inlinks counts and lists published notes only (Public Bridge), not the two private ones.
    assert 'Backlink count: <span class="dataview dataview-inline-query"><span>1</span></span>' in home
    # A Markdown link with parentheses, relative, inside a transcluded published note: text only.
    assert "A relative link from a subfolder: the plans." in home
    queries = out["src/site/notes/Public/Index Queries.md"].decode()
    assert "Confidential-7f3a" not in queries
    # A task of a published note linking a private note by path and heading: the bare name only.
    assert "<span>follow up on Secret Diary soon</span>" in queries


def test_plugin_mode_leaks_what_the_plugin_leaks(trap: tuple[Path, Index]) -> None:
    root, index = trap
    out = compiled(root, index, "plugin")
    found = audit(build_markers(index, root), list(out.items()))
    assert exposure(found) == PRIVATE_NOTES
    got = {(leak.where, leak.source_note, leak.marker_kind) for leak in found}
    home = "src/site/notes/Public/Garden Home.md"
    assert (home, DIARY, "body") in got  # transclusion: whole note / heading / block text
    assert (home, DIARY, "path") in got  # [[Vault-Hidden-Folder/Secret Diary\|…]]
    assert (home, MINUTES, "path") in got  # the same-named private note's path
    assert ("src/site/notes/Public/Public Bridge.md", DEEP, "body") in got  # nested through a published note
    assert ("src/site/notes/Public/Index Queries.md", DIARY, "property") in got  # queries over a private folder
    assert ("src/site/img/user/Attachments/private-only-photo-7f3a.png", DIARY, "asset-bytes") in got
    assert 'Backlink count: <span class="dataview dataview-inline-query"><span>3</span></span>' in out[home].decode()


# -- the garden repository -----------------------------------------------------------------------

@pytest.fixture
def garden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    for k, v in GIT_ENV.items():
        monkeypatch.setenv(k, v)
    return make_garden(tmp_path)


@needs_git
def test_safe_publish_history_has_nothing_private(garden: tuple[Path, Path], trap: tuple[Path, Index],
                                                  tmp_path: Path) -> None:
    bare, clone = garden
    root, index = trap
    result = CliRunner().invoke(main, ["publish", str(root), "--repo", str(clone), "--db", str(tmp_path / "c.sqlite"),
                                       "--mode", "safe"])
    assert result.exit_code == 0, result.output
    assert "pushed" in result.output
    outputs = repo_outputs(bare, all_history=True)
    assert any(name.endswith("Garden Home.md (" + name.rsplit("(", 1)[-1]) for name, _ in outputs)
    assert audit(build_markers(index, root), outputs) == []


@needs_git
def test_plugin_publish_prints_the_exposure_list(garden: tuple[Path, Path], trap: tuple[Path, Index],
                                                tmp_path: Path) -> None:
    bare, clone = garden
    root, index = trap
    result = CliRunner().invoke(
        main, ["publish", str(root), "--repo", str(clone), "--db", str(tmp_path / "c.sqlite"), "--mode", "plugin"]
    )
    assert result.exit_code == 0, result.output
    assert "exposes content or paths of 4 unpublished notes" in result.stderr
    for path in PRIVATE_NOTES:
        assert f"  {path}\n" in result.stderr
    found = audit(build_markers(index, root), repo_outputs(bare, all_history=True))
    assert exposure(found) == PRIVATE_NOTES  # what was announced is what reached the remote


@needs_git
def test_safe_publish_refuses_on_a_finding(garden: tuple[Path, Path], trap: tuple[Path, Index], tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    bare, clone = garden
    root, _index = trap
    real = leaks_mod.plan_outputs

    def leaky(plan, **kwargs):  # type: ignore[no-untyped-def]
        return [*real(plan, **kwargs), ("src/site/notes/Injected.md", b"The sealed envelope is under the blue staircase")]

    monkeypatch.setattr(leaks_mod, "plan_outputs", leaky)
    before = run_git(bare, "rev-parse", "main")
    result = CliRunner().invoke(
        main, ["publish", str(root), "--repo", str(clone), "--db", str(tmp_path / "c.sqlite"), "--mode", "safe"]
    )
    assert result.exit_code == 1
    assert (f'src/site/notes/Injected.md: private text from {DIARY} (body): '
            '"The sealed envelope is under the blue staircase"') in result.stderr
    assert "nothing was published" in result.stderr
    assert run_git(bare, "rev-parse", "main") == before
    assert run_git(clone, "status", "--porcelain") == ""


# -- gardend check --leaks -----------------------------------------------------------------------

def test_check_leaks_cli(trap: tuple[Path, Index], tmp_path: Path) -> None:
    root, _index = trap
    db = str(tmp_path / "c.sqlite")
    safe = CliRunner().invoke(main, ["check", str(root), "--db", db, "--leaks"])
    assert safe.exit_code == 0, safe.output + safe.stderr
    assert safe.stdout == "" and "0 leaks" in safe.stderr
    plugin = CliRunner().invoke(main, ["check", str(root), "--db", db, "--leaks", "--mode", "plugin"])
    assert plugin.exit_code == 1
    assert (f'src/site/notes/Public/Public Bridge.md: private text from {DEEP} (body): '
            '"The deep cave holds PRIVATE-MARKER-7f3a-deep and nobody should read it"') in plugin.stdout
    as_json = CliRunner().invoke(
        main, ["check", str(root), "--db", db, "--leaks", "--mode", "plugin", "--json"]
    )
    rows = json.loads(as_json.stdout)
    assert {r["source_note"] for r in rows} == set(PRIVATE_NOTES)


def test_check_leaks_scans_a_site_folder(trap: tuple[Path, Index], tmp_path: Path) -> None:
    root, _index = trap
    site = tmp_path / "dist"
    (site / "notes").mkdir(parents=True)
    (site / "notes" / "index.html").write_text("<p>ok</p>")
    (site / "search.json").write_text(json.dumps({"t": "Under the hidden heading lives PRIVATE-MARKER-7f3a-heading"}))
    result = CliRunner().invoke(
        main, ["check", str(root), "--db", str(tmp_path / "c.sqlite"), "--leaks", "--site", str(site)]
    )
    assert result.exit_code == 1
    assert result.stdout.startswith(f"dist/search.json: private text from {DIARY} ")


# -- the preview site's published view -----------------------------------------------------------

#: Published endpoints that are clean today.
CLEAN_URLS = ["/graph.json", "/tags/", "/tags/shared-topic", "/search?q=bridge", "/search?q=minutes",
              "/public/public-bridge/", "/public/meeting-minutes/", "/no-such-page",
              "/graph.json?note=/public/public-bridge/", "/", "/public/index-queries/",
              "/public/sub/relative-linker/", "/searchIndex.json", "/search?q=secret"]


def _site_outputs(root: Path, tmp_path: Path, urls: list[str]) -> tuple[Index, list[tuple[str, bytes]]]:
    from aiohttp.test_utils import TestClient, TestServer
    from gardend.daemon.query.engine import QueryEngine
    from gardend.daemon.server import EventHub, ServerState, create_app
    from gardend.daemon.site import site_setup

    db = tmp_path / "site.sqlite"
    writer = Index(db)
    Synchronizer(writer, root, workers=1).full_sync()
    reader = Index(db, readonly=True)
    state = ServerState(root=root, index=reader, engine=QueryEngine(reader), token="t" * 20, hub=EventHub())

    async def go() -> list[tuple[str, bytes]]:
        out = []
        async with TestClient(TestServer(create_app(state, setup=[site_setup(preview=False)]))) as client:
            for url in urls:
                async with client.get(url, allow_redirects=False) as resp:
                    assert resp.status in (200, 404), url
                    out.append((url, await resp.read()))
        return out

    try:
        return writer, asyncio.run(go())
    finally:
        state.shutdown_executor()
        reader.close()


def test_published_site_endpoints_have_nothing_private(trap: tuple[Path, Index], tmp_path: Path) -> None:
    root, _index = trap
    writer, outputs = _site_outputs(root, tmp_path, CLEAN_URLS)
    try:
        assert audit(build_markers(writer, root), outputs) == []
        graph = json.loads(dict(outputs)["/graph.json"])
        assert sorted(graph["nodes"]) == ["/", "/public/index-queries/", "/public/meeting-minutes/",
                                          "/public/public-bridge/", "/public/sub/relative-linker/"]
    finally:
        writer.close()


@needs_git
def test_check_leaks_scans_the_clone_head_and_unpushed_commits(garden: tuple[Path, Path], trap: tuple[Path, Index],
                                                               tmp_path: Path) -> None:
    _bare, clone = garden
    root, _index = trap
    db = str(tmp_path / "c.sqlite")
    committed = CliRunner().invoke(main, ["publish", str(root), "--repo", str(clone), "--db", db, "--mode", "plugin",
                                          "--no-push"])
    assert committed.exit_code == 0, committed.output
    result = CliRunner().invoke(main, ["check", str(root), "--db", db, "--leaks", "--repo", str(clone)])
    assert result.exit_code == 1  # safe compile is clean, but the clone holds the plugin's output
    lines = result.stdout.splitlines()
    assert lines and all(line.startswith("clone:") for line in lines)
    assert any("clone:src/site/notes/Public/Garden Home.md" in line and DIARY in line for line in lines)

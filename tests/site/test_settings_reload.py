"""While serving, a saved settings file (a plugin's data.json, app.json, gardend.toml) reloads the
settings and re-renders the pages through the same path as a note edit: the watcher's batch
carries the file, the site forgets its pages, clients get a ``changed`` event and live reload
says every page must reload."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer
from gardend.daemon.config import Config, load_config
from gardend.daemon.effective_settings import bind_config
from gardend.daemon.serve import SettingsReloader
from gardend.daemon.settings_sources import unbind
from gardend.daemon.watcher import VaultWatcher, WatchOptions

from .conftest import SiteWorld, run

TABLE_NOTE = "Garden/Table.md"
TABLE_URL = "/garden/table/"
DATAVIEW = ".obsidian/plugins/dataview/data.json"


@contextmanager
def watching(world: SiteWorld, config: Config, settings_files: tuple[Path, ...] = ()) -> Iterator[list[list[str]]]:
    """The serve process's wiring: watcher → state.apply_changes, settings → SettingsReloader.
    Yields the list of ``changed`` events published to clients."""
    state = world.state
    events: list[list[str]] = []
    publish = state.hub.publish_changes

    def record(paths: list[str]) -> None:
        events.append(list(paths))
        publish(paths)

    state.hub.publish_changes = record  # type: ignore[method-assign]
    watcher = VaultWatcher(
        world.sync, WatchOptions(debounce_ms=10, reconcile_interval_s=0),
        on_batch=lambda batch: state.apply_changes(batch.changed_paths),
        on_settings=SettingsReloader(state, world.root, config),
        settings_files=settings_files,
    )
    watcher.start()
    try:
        yield events
    finally:
        watcher.stop()


async def until(condition: object, what: str, timeout: float = 20.0) -> None:
    """Wait (without blocking the server's loop) until ``condition()`` holds."""
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


def _add_table_note(world: SiteWorld) -> None:
    path = world.root / TABLE_NOTE
    path.write_text(
        '---\ndg-publish: true\n---\n# Table\n\n```dataview\nTABLE citation FROM "Research/Evidence Sources"\n```\n',
        encoding="utf-8",
    )
    world.state.apply_changes(world.sync.sync_paths([TABLE_NOTE]).changed_paths)


def test_saving_dataview_settings_rerenders_and_tells_clients(preview_world: SiteWorld) -> None:
    _add_table_note(preview_world)
    settings_file = preview_world.root / DATAVIEW
    data = json.loads(settings_file.read_text(encoding="utf-8"))

    async def go(events: list[list[str]]) -> tuple[str, str, bool, bool]:
        async with TestClient(TestServer(preview_world.app())) as client:
            async with client.get(TABLE_URL) as resp:
                before = await resp.text()
            settings_file.write_text(json.dumps({**data, "tableIdColumnName": "Paper"}), encoding="utf-8")
            await until(lambda: any(DATAVIEW in e for e in events), "the settings event")
            async with client.get(TABLE_URL) as resp:
                after = await resp.text()
            checks = []
            for page in (TABLE_URL, "/garden/unrelated/"):  # every page depends on the settings
                params = [("url", page), ("changed", DATAVIEW)]
                async with client.get("/_live/check", params=params) as resp:
                    checks.append((await resp.json())["reload"])
        return before, after, checks[0], checks[1]

    with watching(preview_world, Config()) as events:
        before, after, table_reloads, other_reloads = run(go(events))
    assert "<span>File</span>" in before and "<span>Paper</span>" not in before
    assert "<span>Paper</span>" in after and "<span>File</span>" not in after
    assert table_reloads and other_reloads
    assert preview_world.state.engine.settings.table_id_column_name == "Paper"  # the API's engine too


def test_removing_the_settings_file_restores_the_defaults(preview_world: SiteWorld) -> None:
    _add_table_note(preview_world)
    settings_file = preview_world.root / DATAVIEW
    settings_file.write_text(json.dumps({"tableIdColumnName": "Paper", "showResultCount": False}), encoding="utf-8")

    async def go(events: list[list[str]]) -> tuple[str, str]:
        async with TestClient(TestServer(preview_world.app())) as client:
            async with client.get(TABLE_URL) as resp:
                before = await resp.text()
            settings_file.unlink()
            await until(lambda: any(DATAVIEW in e for e in events), "the settings event")
            async with client.get(TABLE_URL) as resp:
                return before, await resp.text()

    with watching(preview_world, Config()) as events:
        before, after = run(go(events))
    assert "<span>Paper</span>" in before and "small-text" not in before
    assert "<span>File</span>" in after and "small-text" in after


def test_saving_gardend_toml_outside_the_vault_reloads_its_overrides(preview_world: SiteWorld, tmp_path: Path) -> None:
    _add_table_note(preview_world)
    cfg = tmp_path / "conf" / "gardend.toml"
    cfg.parent.mkdir()
    cfg.write_text('[dataview]\ntableIdColumnName = "From Toml"\n', encoding="utf-8")
    config = load_config(cfg)
    bind_config(preview_world.root, config)

    async def go(events: list[list[str]]) -> tuple[str, str]:
        async with TestClient(TestServer(preview_world.app())) as client:
            async with client.get(TABLE_URL) as resp:
                before = await resp.text()
            cfg.write_text('[dataview]\ntableIdColumnName = "Edited Toml"\n', encoding="utf-8")
            await until(lambda: any("gardend.toml" in e for e in events), "the gardend.toml event")
            async with client.get(TABLE_URL) as resp:
                return before, await resp.text()

    try:
        with watching(preview_world, config, settings_files=(cfg,)) as events:
            before, after = run(go(events))
    finally:
        unbind(preview_world.root)
    assert "<span>From Toml</span>" in before
    assert "<span>Edited Toml</span>" in after


def test_a_broken_gardend_toml_keeps_the_previous_settings(preview_world: SiteWorld, tmp_path: Path) -> None:
    cfg = tmp_path / "gardend.toml"
    cfg.write_text('[dataview]\ntableIdColumnName = "First"\n', encoding="utf-8")
    config = load_config(cfg)
    bind_config(preview_world.root, config)
    reloader = SettingsReloader(preview_world.state, preview_world.root, config)
    try:
        cfg.write_text('[dataview]\ntableIdColumnName = "Kept"\n', encoding="utf-8")
        reloader(["gardend.toml"])
        assert preview_world.state.engine.settings.table_id_column_name == "Kept"
        kept = reloader.config
        cfg.write_text("[dataview\n", encoding="utf-8")
        reloader(["gardend.toml"])  # logged; the previous settings stay
        assert preview_world.state.engine.settings.table_id_column_name == "Kept"
        assert reloader.config is kept
    finally:
        unbind(preview_world.root)


def test_a_save_that_changes_no_setting_is_ignored(preview_world: SiteWorld) -> None:
    """Other plugins rewrite their data.json all the time; Obsidian rewrites files unchanged."""
    _add_table_note(preview_world)
    other = preview_world.root / ".obsidian/plugins/some-other-plugin"
    other.mkdir(parents=True)
    (other / "manifest.json").write_text('{"id": "some-other-plugin"}', encoding="utf-8")
    dataview = preview_world.root / DATAVIEW
    generation = preview_world.writer.generation()

    async def go(events: list[list[str]]) -> None:
        async with TestClient(TestServer(preview_world.app())) as client:
            async with client.get(TABLE_URL) as resp:
                assert resp.status == 200
            (other / "data.json").write_text('{"lastOpened": 1}', encoding="utf-8")
            dataview.write_text(dataview.read_text(encoding="utf-8"), encoding="utf-8")
            # A later real change proves the earlier saves were seen and passed over.
            (preview_world.root / "Garden/Unrelated.md").write_text("---\ndg-publish: true\n---\nnew\n", encoding="utf-8")
            await until(lambda: any("Garden/Unrelated.md" in e for e in events), "the note's event")

    with watching(preview_world, Config()) as events:
        run(go(events))
    assert not any(p.startswith(".obsidian/") for e in events for p in e), events
    assert preview_world.writer.generation() == generation + 1  # the note edit only


def test_saving_publish_mode_switches_the_published_view(published_world: SiteWorld, tmp_path: Path) -> None:
    """``publish.mode`` in gardend.toml decides what the published view shows; a save applies."""
    from .conftest import SECRET_TEXT

    cfg = tmp_path / "gardend.toml"
    cfg.write_text('[publish]\nmode = "safe"\n', encoding="utf-8")
    config = load_config(cfg)
    bind_config(published_world.root, config)
    reloader = SettingsReloader(published_world.state, published_world.root, config)
    try:
        assert SECRET_TEXT not in published_world.one("/garden/embedder/")[2]
        cfg.write_text('[publish]\nmode = "plugin"\n', encoding="utf-8")
        reloader(["gardend.toml"])
        assert published_world.state.publish_mode == "plugin"
        assert SECRET_TEXT in published_world.one("/garden/embedder/")[2]
    finally:
        unbind(published_world.root)


def test_saving_path_rewrite_rules_moves_pages(published_world: SiteWorld) -> None:
    """The Digital Garden plugin's path-rewrite rules decide permalinks; saving them moves pages
    in a running server (the site snapshot is rebuilt with the settings)."""
    folder = published_world.root / ".obsidian/plugins/digitalgarden"
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text('{"id": "digitalgarden"}', encoding="utf-8")
    data = folder / "data.json"

    async def go(events: list[list[str]]) -> tuple[int, int, int]:
        async with TestClient(TestServer(published_world.app())) as client:
            async with client.get("/garden/unrelated/") as resp:
                before = resp.status
            data.write_text('{"pathRewriteRules": "Garden:Elsewhere"}', encoding="utf-8")
            await until(lambda: any("digitalgarden/data.json" in p for e in events for p in e), "the settings event")
            async with client.get("/garden/unrelated/") as resp:
                old = resp.status
            async with client.get("/elsewhere/unrelated/") as resp:
                return before, old, resp.status

    with watching(published_world, Config()) as events:
        before, old, new = run(go(events))
    assert (before, old, new) == (200, 404, 200)

"""Live-reload decisions: a page reloads after a change to what it depends on (the note, its
embeds, what its queries can read), not after unrelated saves; the watcher's batch invalidates
the site's render cache."""

from __future__ import annotations

from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer
from gardend.daemon.site import page_deps

from .conftest import INSIGHT, INSIGHT_URL, SiteWorld, run


def _edit(world: SiteWorld, rel: str, text: str) -> list[str]:
    """Write a file, index it as the watcher would, and run the server's change hook."""
    path = world.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    changed = world.sync.sync_paths([rel]).changed_paths or [rel]
    world.state.apply_changes(changed)
    return changed


def _session(world: SiteWorld, page: str, steps: list[tuple[str, str, bool]]) -> list[str]:
    """Open ``page``, then for each (file, new text, expected reload) edit and ask the server."""

    async def go() -> list[str]:
        problems = []
        async with TestClient(TestServer(world.app())) as client:
            async with client.get(page) as resp:
                assert resp.status == 200
            for rel, text, expected in steps:
                changed = _edit(world, rel, text)
                params = [("url", page)] + [("changed", p) for p in changed]
                async with client.get("/_live/check", params=params) as resp:
                    got = (await resp.json())["reload"]
                if got != expected:
                    problems.append(f"{page} after saving {rel}: reload={got}, expected {expected}")
        return problems

    return run(go())


def test_embedded_note_triggers_unrelated_does_not(preview_world: SiteWorld) -> None:
    assert _session(preview_world, "/garden/embedder/", [
        ("Garden/Unrelated.md", "---\ndg-publish: true\n---\nchanged unrelated\n", False),
        ("Garden/Embedded Part.md", "---\ndg-publish: true\n---\nnew embedded text\n", True),
        ("Garden/Embedder.md", "---\ndg-publish: true\n---\n# Embedder\n\n![[Embedded Part]]\nedited\n", True),
        ("Research/Tags/Back Pain.md", "---\ndg-publish: true\n---\nBack pain, edited\n", False),
    ]) == []


def test_query_from_folder_reads_its_notes_and_new_ones(preview_world: SiteWorld) -> None:
    # Home's queries read "Research/Insights" and "Research/Evidence Sources" (and its links).
    insight_text = (preview_world.root / INSIGHT).read_text(encoding="utf-8")
    assert _session(preview_world, "/", [
        ("Garden/Unrelated.md", "---\ndg-publish: true\n---\nchanged again\n", False),
        (INSIGHT, insight_text + "\nmore\n", True),
        ("Research/Insights/2025-02-01 new.md", "---\ndg-publish: true\n---\nbrand new insight\n", True),
        ("Journal/2025-02-03.md", "just the journal\n", False),
    ]) == []


def test_query_without_from_reads_every_note(preview_world: SiteWorld) -> None:
    # The insight's first table has no FROM: any note can change its result.
    assert _session(preview_world, INSIGHT_URL, [
        ("Garden/Unrelated.md", "---\ndg-publish: true\n---\nchanged once more\n", True),
    ]) == []


def test_dependency_sets_come_from_the_index(preview_world: SiteWorld) -> None:
    def work(ctx) -> tuple:
        service = preview_world.service
        embedder = service.site().notes["Garden/Embedder.md"]
        home = service.site().notes["Home.md"]
        return service.deps_for(embedder, False), service.deps_for(home, False)

    preview_world.app()
    embedder, home = run(preview_world.state.read(work))
    assert "Garden/Embedded Part.md" in embedder.paths and not embedder.any_change and not embedder.dynamic
    assert INSIGHT in home.paths and home.dynamic and not home.any_change
    assert "Garden/Unrelated.md" not in home.paths
    # a note without queries depends on itself and its embeds only
    deps = page_deps(preview_world.state.index, preview_world.state.engine.pages.names, "Garden/Unrelated.md", [])
    assert deps.paths == {"Garden/Unrelated.md"}


def test_watcher_batch_invalidates_rendered_pages(preview_world: SiteWorld) -> None:
    async def go() -> tuple[str, str]:
        async with TestClient(TestServer(preview_world.app())) as client:
            async with client.get("/garden/embedder/") as resp:
                before = await resp.text()
            _edit(preview_world, "Garden/Embedded Part.md", "---\ndg-publish: true\n---\nfresh-embedded-words\n")
            async with client.get("/garden/embedder/") as resp:
                after = await resp.text()
        return before, after

    before, after = run(go())
    assert "embedded-part-text" in before and "fresh-embedded-words" in after


def test_changed_permalink_relinks_unchanged_pages(preview_world: SiteWorld) -> None:
    async def go() -> str:
        async with TestClient(TestServer(preview_world.app())) as client:
            async with client.get("/garden/hostile/") as resp:
                assert 'href="/custom%20place/here/#part-two"' in await resp.text()
            _edit(preview_world, "Garden/Custom.md", "---\ndg-publish: true\ndg-permalink: moved\n---\n## Part two\n")
            async with client.get("/garden/hostile/") as resp:
                return await resp.text()

    assert 'href="/moved/#part-two"' in run(go())


def test_deleted_page_reloads(preview_world: SiteWorld, tmp_path: Path) -> None:
    async def go() -> bool:
        async with TestClient(TestServer(preview_world.app())) as client:
            async with client.get("/garden/unrelated/") as resp:
                assert resp.status == 200
            (preview_world.root / "Garden/Unrelated.md").unlink()
            changed = preview_world.sync.sync_paths(["Garden/Unrelated.md"]).changed_paths or ["Garden/Unrelated.md"]
            preview_world.state.apply_changes(changed)
            params = [("url", "/garden/unrelated/")] + [("changed", p) for p in changed]
            async with client.get("/_live/check", params=params) as resp:
                return (await resp.json())["reload"]

    assert run(go()) is True


def test_new_note_resolves_links_in_unchanged_pages(preview_world: SiteWorld) -> None:
    async def go() -> tuple[str, str]:
        async with TestClient(TestServer(preview_world.app())) as client:
            async with client.get("/garden/hostile/") as resp:
                before = await resp.text()
            _edit(preview_world, "Garden/Links to Custom.md", "---\ndg-publish: true\n---\n## Part two\n")
            async with client.get("/garden/hostile/") as resp:
                after = await resp.text()
        return before, after

    before, after = run(go())
    assert 'href="/garden/links-to-custom/#part-two"' not in before
    assert 'href="/garden/links-to-custom/#part-two"' in after


def test_live_event_stream_says_reload_only_for_changes_the_page_depends_on(preview_world: SiteWorld) -> None:
    """``/_live/events?url=`` (what open pages listen to) runs the same test on the server and
    sends only ``reload``: no vault path reaches the browser."""
    import asyncio
    import json

    async def go() -> list[str]:
        messages: list[str] = []
        async with TestClient(TestServer(preview_world.app())) as client, \
                client.get("/_live/events", params={"url": "/garden/embedder/"}) as stream:
            assert stream.status == 200 and stream.content_type == "text/event-stream"
            assert (await stream.content.readline()).startswith(b"retry:")
            _edit(preview_world, "Garden/Unrelated.md", "---\ndg-publish: true\n---\nunrelated edit\n")
            _edit(preview_world, "Garden/Embedded Part.md", "---\ndg-publish: true\n---\nnew part\n")
            while not messages:
                line = (await asyncio.wait_for(stream.content.readline(), 10)).decode()
                if line.startswith("data:"):
                    messages.append(line[5:].strip())
        return messages

    messages = run(go())
    # The unrelated save came first and produced nothing; the embed's save produced one reload.
    assert [json.loads(m) for m in messages] == [{"type": "reload"}]
    assert "Garden/" not in "".join(messages)


def test_live_event_stream_needs_no_token_beyond_loopback(preview_world: SiteWorld) -> None:
    """Bound beyond loopback every /api/ request needs the token; live reload keeps working
    without it because its stream names no path."""
    preview_world.state.require_token_for_reads = True

    async def go() -> tuple[int, int]:
        async with TestClient(TestServer(preview_world.app())) as client:
            async with client.get("/api/events") as api:
                api_status = api.status
            async with client.get("/_live/events", params={"url": "/garden/embedder/"}) as live:
                return api_status, live.status

    assert run(go()) == (401, 200)

"""Index changes reach Server-Sent-Events clients; slow clients are dropped; shutdown ends streams."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer
from gardend.daemon.server import EventHub, create_app
from gardend.daemon.server.events import CLOSED, OVERFLOW
from gardend.daemon.watcher import VaultWatcher, WatchOptions

from ..conftest import write
from .conftest import AUTH, client_for, indexed, make_state, run


async def _next_event(stream: aiohttp.StreamReader, timeout: float = 10.0) -> dict[str, Any]:
    """The next ``data:`` event (heartbeats and other lines skipped)."""
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        assert remaining > 0, "no event in time"
        line = await asyncio.wait_for(stream.readline(), timeout=remaining)
        assert line, "stream ended"
        if line.startswith(b"data: "):
            return json.loads(line[6:])


# -- hub -----------------------------------------------------------------------------------------
def test_publish_from_another_thread_reaches_subscribers() -> None:
    async def go() -> list[dict[str, Any]]:
        hub = EventHub()
        hub.bind(asyncio.get_running_loop())
        a, b = hub.subscribe(), hub.subscribe()
        assert a is not None and b is not None
        thread = threading.Thread(target=hub.publish_changes, args=(["b.md", "a.md", "a.md"],))
        thread.start()
        thread.join()
        return [await asyncio.wait_for(a.get(), 5), await asyncio.wait_for(b.get(), 5)]

    assert run(go()) == [{"type": "changed", "paths": ["a.md", "b.md"]}] * 2


def test_slow_subscriber_is_dropped_without_blocking() -> None:
    async def go() -> None:
        hub = EventHub(queue_size=3)
        hub.bind(asyncio.get_running_loop())
        slow, fast = hub.subscribe(), hub.subscribe()
        assert slow is not None and fast is not None
        received = []
        for i in range(5):
            hub.publish_changes([f"{i}.md"])
            await asyncio.sleep(0)
            received.append(await fast.get())  # the fast one keeps up
        await asyncio.sleep(0)
        assert len(received) == 5
        assert slow.dropped and not fast.dropped
        assert await slow.get() is OVERFLOW
        assert slow.queue.empty()
        assert hub.subscriber_count == 1

    run(go())


def test_close_ends_every_subscription_and_refuses_new_ones() -> None:
    async def go() -> None:
        hub = EventHub(max_subscribers=2)
        hub.bind(asyncio.get_running_loop())
        a, b = hub.subscribe(), hub.subscribe()
        assert hub.subscribe() is None  # full
        assert a is not None and b is not None
        hub.publish_changes(["x.md"])
        await asyncio.sleep(0)
        await hub.close()
        assert await a.get() is CLOSED and await b.get() is CLOSED
        assert hub.subscribe() is None
        hub.publish_changes(["y.md"])  # after close: ignored, no error

    run(go())


def test_publish_before_bind_is_ignored() -> None:
    EventHub().publish_changes(["a.md"])


# -- SSE over HTTP -------------------------------------------------------------------------------
def test_sse_receives_change_from_real_watcher(make_vault, tmp_path: Path) -> None:
    root = make_vault({"a.md": "# A\n", "folder/b.md": "links to [[a]]\n"})
    db = tmp_path / "index.sqlite"
    with indexed(root, db) as (_, sync, reader):
        state = make_state(root, reader)
        watcher = VaultWatcher(
            sync, WatchOptions(debounce_ms=20, reconcile_interval_s=0),
            on_batch=lambda batch: state.apply_changes(batch.changed_paths), ignore_paths=(db,),
        )
        watcher.start()
        try:

            async def go() -> tuple[dict[str, Any], dict[str, Any]]:
                async with client_for(state) as client:
                    # Prime the engine's page cache so a stale cache would show below.
                    async with client.post("/api/query", json={"query": "LIST"}, headers=AUTH) as resp:
                        assert len((await resp.json())["rows"]) == 2
                    async with client.get("/api/events") as resp:
                        assert resp.status == 200
                        assert resp.headers["Content-Type"].startswith("text/event-stream")
                        assert resp.headers["Content-Security-Policy"]
                        assert (await resp.content.readline()).startswith(b"retry:")
                        assert await resp.content.readline() == b": connected\n"
                        await asyncio.to_thread(write, root, "new note.md", "---\nk: 1\n---\nfresh [[a]]\n")
                        event = await _next_event(resp.content)
                        while "new note.md" not in event["paths"]:  # an unrelated batch first
                            event = await _next_event(resp.content)
                    async with client.post("/api/query", json={"query": "LIST k"}, headers=AUTH) as resp:
                        result = await resp.json()
                    return event, result

            event, result = run(go())
        finally:
            watcher.stop()
            state.shutdown_executor()
    assert event == {"type": "changed", "paths": ["new note.md"]}
    assert {"id": {"link": "new note.md", "display": None, "subpath": None, "type": "file", "embed": False}, "value": 1} in result["rows"]


def test_sse_heartbeats(example_state) -> None:
    example_state.heartbeat_s = 0.05

    async def go() -> list[bytes]:
        async with client_for(example_state) as client, client.get("/api/events") as resp:
            lines = []
            while len([x for x in lines if x == b": heartbeat\n"]) < 2:
                lines.append(await asyncio.wait_for(resp.content.readline(), 5))
            return lines

    assert b": heartbeat\n" in run(go())


def test_sse_streams_end_cleanly_on_shutdown(example_state) -> None:
    async def go() -> tuple[dict[str, Any], bytes]:
        server = TestServer(create_app(example_state))
        await server.start_server()
        async with aiohttp.ClientSession() as session, session.get(server.make_url("/api/events")) as resp:
            assert await resp.content.readline() == b"retry: 3000\n"
            assert example_state.hub.subscriber_count == 1
            closing = asyncio.create_task(server.close())
            event = await _next_event(resp.content)
            rest = await asyncio.wait_for(resp.content.read(), 5)
            await asyncio.wait_for(closing, 10)
        return event, rest

    event, rest = run(go())
    assert event == {"type": "closed"}
    assert rest.strip() == b""
    assert example_state.hub.subscriber_count == 0


def test_too_many_streams_get_503(example_state) -> None:
    example_state.hub = EventHub(max_subscribers=1)

    async def go() -> tuple[int, dict[str, Any]]:
        async with client_for(example_state) as client, client.get("/api/events") as first:
            await first.content.readline()
            async with client.get("/api/events") as second:
                return second.status, await second.json()

    status, body = run(go())
    assert status == 503 and body["error"]["status"] == 503


def test_head_on_events_does_not_subscribe(example_state) -> None:
    from .conftest import call

    status, headers, _ = call(example_state, "HEAD", "/api/events")
    assert status == 200 and headers["Content-Type"].startswith("text/event-stream")
    assert example_state.hub.subscriber_count == 0

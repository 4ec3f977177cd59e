"""A publish/subscribe hub between the indexing thread and Server-Sent-Events clients.

The watcher runs in its own thread and must never wait for a browser: :meth:`EventHub.publish`
only schedules delivery on the event loop (``call_soon_threadsafe``) and returns. Each subscriber
has a bounded queue; a client too slow to keep up is dropped (its queue is replaced by a single
"overflow" notice and its stream ends) rather than letting memory grow or the hub block. A
dropped live-reload client simply reconnects and reloads, which is the right recovery anyway:
it has missed changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

__all__ = ["CLOSED", "OVERFLOW", "EventHub", "Subscription", "stream_events"]

log = logging.getLogger("gardend.server.events")

CLOSED: dict[str, Any] = {"type": "closed"}
"""Sentinel put in every queue at shutdown: the stream ends cleanly."""

OVERFLOW: dict[str, Any] = {"type": "overflow"}
"""Sentinel for a dropped slow client: it has missed events and should reload and reconnect."""


@dataclass(eq=False)
class Subscription:
    """One client's view of the hub; iterate with ``await sub.get()`` until a sentinel arrives."""

    queue: asyncio.Queue[dict[str, Any]]
    dropped: bool = False

    async def get(self) -> dict[str, Any]:
        return await self.queue.get()


@dataclass
class EventHub:
    """Fan-out of index change events to any number of bounded subscriber queues."""

    queue_size: int = 256
    max_subscribers: int = 64
    _loop: asyncio.AbstractEventLoop | None = field(default=None, init=False, repr=False)
    _subs: set[Subscription] = field(default_factory=set, init=False, repr=False)
    _closed: bool = field(default=False, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    # -- lifecycle (event loop thread) ------------------------------------------------------------
    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Attach to the loop that serves the subscribers (called at app start-up)."""
        with self._lock:
            self._loop = loop
            self._closed = False

    async def close(self) -> None:
        """End every stream (shutdown): each subscriber receives :data:`CLOSED`."""
        with self._lock:
            self._closed = True
            subs = list(self._subs)
            self._subs.clear()
        for sub in subs:
            _replace_with(sub, CLOSED)

    @property
    def subscriber_count(self) -> int:
        return len(self._subs)

    def subscribe(self) -> Subscription | None:
        """A new subscription, or None when the hub is closed or full (the caller answers 503)."""
        if self._closed or len(self._subs) >= self.max_subscribers:
            return None
        sub = Subscription(asyncio.Queue(maxsize=self.queue_size))
        self._subs.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        self._subs.discard(sub)

    # -- publishing (any thread) ----------------------------------------------------------------
    def publish(self, event: dict[str, Any]) -> None:
        """Deliver ``event`` to every subscriber; safe to call from any thread, never blocks."""
        with self._lock:
            loop = self._loop
            if loop is None or self._closed:
                return
        with contextlib.suppress(RuntimeError):  # loop already closed: nobody is listening
            loop.call_soon_threadsafe(self._deliver, event)

    def publish_changes(self, paths: list[str]) -> None:
        """The event the watcher sends after each index batch."""
        if paths:
            self.publish({"type": "changed", "paths": sorted(set(paths))})

    def _deliver(self, event: dict[str, Any]) -> None:
        for sub in list(self._subs):
            try:
                sub.queue.put_nowait(event)
            except asyncio.QueueFull:
                log.info("dropping a slow event-stream client (%d events queued)", sub.queue.qsize())
                self._subs.discard(sub)
                sub.dropped = True
                _replace_with(sub, OVERFLOW)


def _replace_with(sub: Subscription, sentinel: dict[str, Any]) -> None:
    """Empty the queue and leave only ``sentinel`` in it, so the reader sees it next."""
    while True:
        try:
            sub.queue.get_nowait()
        except asyncio.QueueEmpty:
            break
    sub.queue.put_nowait(sentinel)


async def stream_events(
    request: web.Request,
    hub: EventHub,
    heartbeat_s: float,
    message: Callable[[dict[str, Any]], Awaitable[bytes | None]],
) -> web.StreamResponse:
    """A Server-Sent-Events response fed by one subscription of ``hub``.

    ``message(event)`` says what a client hears of each event (``None``: nothing). Heartbeat
    comments keep idle connections open; the stream ends after :data:`CLOSED` (shutdown) or
    :data:`OVERFLOW` (a dropped slow client, which reconnects). ``HEAD`` gets the headers only,
    and a full hub a 503."""
    if request.method == "HEAD":  # no stream to hold open for a client that wants no body
        return web.Response(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    sub = hub.subscribe()
    if sub is None:
        raise web.HTTPServiceUnavailable(text="too many event-stream clients, or shutting down")
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )
    try:
        await response.prepare(request)
        await response.write(b"retry: 3000\n: connected\n\n")
        while True:
            try:
                event = await asyncio.wait_for(sub.get(), timeout=heartbeat_s)
            except TimeoutError:
                await response.write(b": heartbeat\n\n")
                continue
            data = await message(event)
            if data:
                await response.write(data)
            if event is CLOSED or event is OVERFLOW:
                break
    except ConnectionError:
        pass  # the client went away
    finally:
        hub.unsubscribe(sub)
    with contextlib.suppress(ConnectionError):
        await response.write_eof()
    return response

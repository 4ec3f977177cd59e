"""Fixtures for the server tests: an indexed vault, a ServerState on a read-only connection,
and a way to run aiohttp's test client from plain (synchronous) pytest tests.

aiohttp's own ``aiohttp.test_utils`` is used directly, under ``asyncio.run``, so the suite needs
no pytest asyncio plugin.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from gardend.daemon.index import Index
from gardend.daemon.query.engine import QueryEngine
from gardend.daemon.server import EventHub, ServerState, create_app
from gardend.daemon.sync import Synchronizer

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_VAULT = REPO / "examples" / "research-vault"
TOKEN = "test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

T = TypeVar("T")


def run(coro: Awaitable[T]) -> T:
    return asyncio.run(coro)  # type: ignore[arg-type]


@contextlib.contextmanager
def indexed(root: Path, db: Path) -> Iterator[tuple[Index, Synchronizer, Index]]:
    """(writer, synchronizer, read-only reader) for ``root``, fully synced."""
    writer = Index(db)
    sync = Synchronizer(writer, root, workers=1)
    sync.full_sync()
    reader = Index(db, readonly=True)
    try:
        yield writer, sync, reader
    finally:
        reader.close()
        writer.close()


def make_state(root: Path, reader: Index, **kwargs: Any) -> ServerState:
    return ServerState(root=root, index=reader, engine=QueryEngine(reader), token=TOKEN, hub=EventHub(), **kwargs)


@pytest.fixture
def example_state(tmp_path: Path) -> Iterator[ServerState]:
    with indexed(EXAMPLE_VAULT, tmp_path / "index.sqlite") as (_, _, reader):
        state = make_state(EXAMPLE_VAULT, reader)
        yield state
        state.shutdown_executor()


@contextlib.asynccontextmanager
async def client_for(
    state: ServerState, extra: Callable[[web.Application], None] | None = None
) -> AsyncIterator[TestClient]:
    app = create_app(state)
    if extra is not None:
        extra(app)
    async with TestClient(TestServer(app)) as client:
        yield client


def call(state: ServerState, method: str, url: Any, **kwargs: Any) -> tuple[int, dict[str, str], Any]:
    """One request against a fresh app: (status, headers, parsed JSON or text)."""

    async def go() -> tuple[int, dict[str, str], Any]:
        async with client_for(state) as client, client.request(method, url, **kwargs) as resp:
            body: Any = await resp.text()
            if resp.content_type == "application/json":
                body = await resp.json()
            return resp.status, dict(resp.headers), body

    return run(go())

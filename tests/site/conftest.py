"""Fixtures for the site tests: a copy of the research vault with a few extra notes (an
unpublished secret, a hostile published note, an embed), indexed, served in-process."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import Awaitable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from aiohttp.test_utils import TestClient, TestServer
from gardend.daemon.index import Index
from gardend.daemon.query.engine import QueryEngine
from gardend.daemon.server import EventHub, ServerState, create_app
from gardend.daemon.site import SITE_KEY, SiteService, site_setup
from gardend.daemon.sync import Synchronizer

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_VAULT = REPO / "examples" / "research-vault"
INSIGHT = "Research/Insights/2025-01-30 12.13.47.md"
INSIGHT_URL = "/research/insights/2025-01-30-12-13-47/"
SECRET_TITLE = "Zanzibar Secret Plans"
SECRET_TEXT = "quokka-confidential-7731"

T = TypeVar("T")

#: Extra notes added to the copy of the research vault.
EXTRA: dict[str, str] = {
    # Unpublished, linked from a published note and linking to one: must never show in the published view.
    f"Private/{SECRET_TITLE}.md": f"---\ntags: [insight, secret]\n---\n# Plans\n{SECRET_TEXT}\nSee [[Home]].\n",
    "Garden/Embedder.md": (
        "---\ndg-publish: true\ndg-pinned: true\ntags: [demo]\n---\n# Embedder\n\n![[Embedded Part]]\n\n"
        # The author's published words may name a note; these only point at the secret one.
        f"A link to [[{SECRET_TITLE}|an alias]].\n\n![[{SECRET_TITLE}]]\n"
    ),
    "Garden/Embedded Part.md": "---\ndg-publish: true\n---\nembedded-part-text\n",
    "Garden/Unrelated.md": "---\ndg-publish: true\n---\nunrelated text\n",
    "Garden/Lister.md": '---\ndg-publish: true\n---\n```dataview\nLIST FROM "Private"\n```\n',
    "Garden/Hidden.md": "---\ndg-publish: true\ndg-hide: true\n---\nhidden-note-text\n",
    "Garden/Custom.md": "---\ndg-publish: true\ndg-permalink: custom place/here\n---\n# Custom\n## Part two\ncustom-text\n",
    "Garden/Hostile.md": (
        "---\ndg-publish: true\n---\n# Hostile\n\n"
        '<img src="x" onerror="window.__pwned = 1">\n\n'
        "<script>window.__pwned = 2</script>\n\n"
        '<svg onload="window.__pwned = 3"></svg>\n\n'
        '<a href="javascript:window.__pwned = 4">click</a> [md](javascript:window.__pwned=5)\n\n'
        '<iframe srcdoc="<script>parent.__pwned = 6</script>"></iframe>\n\n'
        '<div style="background:url(javascript:alert(1))" onclick="window.__pwned = 7">styled</div>\n\n'
        "[[Links to Custom#Part two]] [[Custom#Part two]]\n\nhostile-marker\n"
    ),
}


def run(coro: Awaitable[T]) -> T:
    return asyncio.run(coro)  # type: ignore[arg-type]


def make_vault(dest: Path) -> Path:
    root = dest / "vault"
    shutil.copytree(EXAMPLE_VAULT, root, ignore=shutil.ignore_patterns(".gardend*"))
    for rel, text in EXTRA.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


@dataclass
class SiteWorld:
    root: Path
    writer: Index
    sync: Synchronizer
    state: ServerState
    preview: bool

    @property
    def service(self) -> SiteService:
        return self._service

    def app(self) -> Any:
        app = create_app(self.state, setup=[site_setup(preview=self.preview)])
        self._service = app[SITE_KEY]
        return app

    def get(self, *urls: str, **kwargs: Any) -> list[tuple[int, str, str]]:
        """GET each URL against one app: (status, content type, text)."""

        async def go() -> list[tuple[int, str, str]]:
            out = []
            async with TestClient(TestServer(self.app())) as client:
                for url in urls:
                    async with client.get(url, allow_redirects=False, **kwargs) as resp:
                        text = await resp.text() if not resp.content_type.startswith("image/") else ""
                        out.append((resp.status, resp.content_type, text))
            return out

        return run(go())

    def one(self, url: str) -> tuple[int, str, str]:
        return self.get(url)[0]


@contextlib.contextmanager
def world(tmp_path: Path, preview: bool) -> Iterator[SiteWorld]:
    tmp_path = tmp_path / ("preview" if preview else "published")
    tmp_path.mkdir()
    with served(make_vault(tmp_path), tmp_path / "index.sqlite", preview) as w:
        yield w


@contextlib.contextmanager
def served(root: Path, db: Path, preview: bool) -> Iterator[SiteWorld]:
    """``root`` indexed into ``db`` and a server state on a read-only connection to it."""
    writer = Index(db)
    sync = Synchronizer(writer, root, workers=1)
    sync.full_sync()
    reader = Index(db, readonly=True)
    state = ServerState(root=root, index=reader, engine=QueryEngine(reader), token="t" * 20, hub=EventHub())
    try:
        yield SiteWorld(root, writer, sync, state, preview)
    finally:
        state.shutdown_executor()
        reader.close()
        writer.close()


@pytest.fixture
def preview_world(tmp_path: Path) -> Iterator[SiteWorld]:
    with world(tmp_path, preview=True) as w:
        yield w


@pytest.fixture
def published_world(tmp_path: Path) -> Iterator[SiteWorld]:
    with world(tmp_path, preview=False) as w:
        yield w

"""Client-supplied paths never lead outside the vault: lexically or through symlinks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from gardend.daemon.server import UnsafePathError, safe_vault_path
from yarl import URL

from .conftest import AUTH, call, indexed, make_state


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    (root / "notes").mkdir(parents=True)
    (root / "notes" / "a.md").write_text("# A\n[[b]] [[missing]]\n", encoding="utf-8")
    (root / "b.md").write_text("---\ntitle: Bee\n---\nsee [[a]]\n", encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("secret\n", encoding="utf-8")
    os.symlink(outside, root / "escape")
    os.symlink(outside / "secret.md", root / "secret-link.md")
    os.symlink(root / "notes", root / "inner")
    return root


@pytest.mark.parametrize(
    "path",
    ["", "../outside/secret.md", "notes/../../outside/secret.md", "notes/../b.md", "./b.md", "notes//a.md",
     "/etc/passwd", "C:/Windows/win.ini", "c:secret", "notes\\a.md", "..", "notes/..", "a\x00.md",
     "escape/secret.md", "secret-link.md", "escape", "x" * 5000],
)
def test_unsafe_paths(vault: Path, path: str) -> None:
    with pytest.raises(UnsafePathError):
        safe_vault_path(vault, path)


@pytest.mark.parametrize("path", ["b.md", "notes/a.md", "notes", "inner/a.md", "new folder/not yet.md", "%2e%2e/x"])
def test_safe_paths(vault: Path, path: str) -> None:
    assert safe_vault_path(vault, path) == path


@pytest.mark.parametrize(
    "raw_query",
    ["path=../outside/secret.md", "path=%2e%2e/outside/secret.md", "path=%2E%2E%2Foutside%2Fsecret.md",
     "path=notes/%2e%2e/%2e%2e/outside/secret.md", "path=/etc/passwd", "path=%2Fetc%2Fpasswd",
     "path=escape/secret.md", "path=secret-link.md", "path=notes%5C..%5C..%5Coutside", "path=a%00.md", "path="],
)
def test_note_endpoint_refuses_traversal(vault: Path, tmp_path: Path, raw_query: str) -> None:
    with indexed(vault, tmp_path / "i.sqlite") as (_, _, reader):
        state = make_state(vault, reader)
        status, _, body = call(state, "GET", URL(f"/api/note?{raw_query}", encoded=True))
        state.shutdown_executor()
    assert status == 400, body
    assert body["error"]["status"] == 400
    assert "secret" not in str(body).replace("secret.md", "").replace("secret-link", "")


def test_query_this_refuses_traversal(vault: Path, tmp_path: Path) -> None:
    with indexed(vault, tmp_path / "i.sqlite") as (_, _, reader):
        state = make_state(vault, reader)
        for this in ("../outside/secret.md", "/etc/passwd", "escape/secret.md"):
            status, _, body = call(state, "POST", "/api/query", json={"query": "LIST", "this": this}, headers=AUTH)
            assert status == 400, (this, body)
        state.shutdown_executor()


def test_note_endpoint_serves_inside_paths(vault: Path, tmp_path: Path) -> None:
    with indexed(vault, tmp_path / "i.sqlite") as (_, _, reader):
        state = make_state(vault, reader)
        status, _, body = call(state, "GET", "/api/note", params={"path": "notes/a.md"})
        missing, _, _ = call(state, "GET", "/api/note", params={"path": "notes/zzz.md"})
        state.shutdown_executor()
    assert status == 200 and body["path"] == "notes/a.md"
    assert missing == 404

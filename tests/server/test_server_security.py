"""The server's defences: Host check (DNS rebinding), token, body cap, headers, JSON errors."""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path

import pytest
from aiohttp import web
from gardend.daemon.server.security import (
    CONTENT_SECURITY_POLICY,
    host_allowed,
    load_or_create_token,
    token_matches,
    token_path,
)

from .conftest import AUTH, TOKEN, call, client_for, run

QUERY = {"query": 'LIST FROM "Research/Evidence Sources"'}


def _is_error(body: object, status: int) -> bool:
    return isinstance(body, dict) and body.get("error", {}).get("status") == status and body["error"]["message"]


# -- Host header ---------------------------------------------------------------------------------
@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "127.0.0.1.evil.example", "attacker.test:8765"])
def test_foreign_host_is_refused(example_state, host: str) -> None:
    status, _, body = call(example_state, "GET", "/api/health", headers={"Host": host})
    assert status == 421
    assert _is_error(body, 421)


def test_own_names_are_served(example_state) -> None:
    async def go() -> list[int]:
        async with client_for(example_state) as client:
            port = client.server.port
            out = []
            for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}", f"[::1]:{port}"):
                async with client.get("/api/health", headers={"Host": host}) as resp:
                    out.append(resp.status)
            for host in (f"localhost:{port + 1}", "localhost", "127.0.0.1"):
                async with client.get("/api/health", headers={"Host": host}) as resp:
                    out.append(resp.status)
            return out

    assert run(go()) == [200, 200, 200, 200, 421, 421, 421]


def test_configured_host_names(example_state) -> None:
    example_state.allowed_hosts = frozenset({"garden.lan", "notes.example.org"})

    async def go() -> list[int]:
        async with client_for(example_state) as client:
            port = client.server.port
            out = []
            for host in (f"garden.lan:{port}", "notes.example.org", "garden.lan:1", "other.lan"):
                async with client.get("/api/health", headers={"Host": host}) as resp:
                    out.append(resp.status)
            return out

    assert run(go()) == [200, 200, 421, 421]


def test_missing_host_is_refused(example_state) -> None:
    """HTTP/1.0 allows leaving Host out; such a request is refused too (raw socket: no client adds one)."""

    async def go() -> bytes:
        async with client_for(example_state) as client:
            reader, writer = await asyncio.open_connection("127.0.0.1", client.server.port)
            writer.write(b"GET /api/health HTTP/1.0\r\n\r\n")
            await writer.drain()
            data = await reader.read()
            writer.close()
            return data

    response = run(go())
    assert response.startswith(b"HTTP/1.0 400") or response.startswith(b"HTTP/1.1 400")
    assert b'"status": 400' in response
    assert b"Content-Security-Policy" in response


def test_host_allowed_parsing() -> None:
    extra = frozenset({"garden.lan"})
    assert host_allowed("127.0.0.1:8765", 8765, extra)
    assert host_allowed("[::1]:8765", 8765, extra)
    assert not host_allowed("::1:8765", 8765, extra)
    assert not host_allowed("127.0.0.1:8765", None, extra)
    assert not host_allowed("127.0.0.1:abc", 8765, extra)
    assert host_allowed("garden.lan:8765", 8765, extra)


# -- token ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}, {"Authorization": f"Basic {TOKEN}"},
     {"Authorization": f"Bearer {TOKEN}x"}, {"Authorization": "Bearer "}],
)
def test_mutating_requests_need_the_token(example_state, headers: dict[str, str]) -> None:
    status, resp_headers, body = call(example_state, "POST", "/api/query", json=QUERY, headers=headers)
    assert status == 401
    assert _is_error(body, 401)
    assert resp_headers["WWW-Authenticate"].startswith("Bearer")


def test_token_accepted(example_state) -> None:
    status, _, body = call(example_state, "POST", "/api/query", json=QUERY, headers=AUTH)
    assert status == 200
    assert body["type"] == "list"


def test_token_checked_before_routing(example_state) -> None:
    """Unknown routes and methods do not reveal anything to a caller without the token."""
    for method, url in (("DELETE", "/api/note"), ("PUT", "/nothing"), ("POST", "/api/health")):
        status, _, _ = call(example_state, method, url)
        assert status == 401


def test_reads_need_token_beyond_loopback(example_state) -> None:
    example_state.require_token_for_reads = True
    for url in ("/api/health", "/api/notes", "/api/openapi.json", "/api/events"):
        status, _, body = call(example_state, "GET", url)
        assert status == 401, url
        assert _is_error(body, 401)
    status, _, body = call(example_state, "GET", "/api/health", headers=AUTH)
    assert status == 200 and body["status"] == "ok"


def test_reads_are_open_on_loopback(example_state) -> None:
    status, _, _ = call(example_state, "GET", "/api/health")
    assert status == 200


def test_token_comparison() -> None:
    assert token_matches(f"Bearer {TOKEN}", TOKEN)
    assert token_matches(f"bearer {TOKEN}", TOKEN)
    assert not token_matches(None, TOKEN)
    assert not token_matches(f"Bearer {TOKEN}", "")
    assert not token_matches("Bearer é", TOKEN)


def test_token_file_created_private_and_reused(tmp_path: Path) -> None:
    vault = tmp_path / "v"
    vault.mkdir()
    token = load_or_create_token(vault)
    path = token_path(vault)
    assert len(token) >= 40
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_token(vault) == token
    os.chmod(path, 0o644)
    assert load_or_create_token(vault) == token
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.write_text("")
    fresh = load_or_create_token(vault)
    assert fresh and fresh != token


# -- bodies --------------------------------------------------------------------------------------
def test_oversized_body_is_refused(example_state) -> None:
    big = {"query": "LIST", "pad": "x" * (example_state.max_body + 10)}
    status, _, body = call(example_state, "POST", "/api/query", json=big, headers=AUTH)
    assert status == 413
    assert _is_error(body, 413)


def test_oversized_chunked_body_is_refused(example_state) -> None:
    async def chunks():
        for _ in range(20):
            yield b"x" * 100_000

    status, _, body = call(
        example_state, "POST", "/api/query", data=chunks(),
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert status == 413
    assert _is_error(body, 413)


@pytest.mark.parametrize(
    "data", [b"{not json", b"", b"\xff\xfe", b"[1, 2]", b'"LIST"', b'{"query": 3}', b'{"query": ""}',
             b'{"query": "LIST", "format": "xml"}', b'{"query": "LIST", "this": 5}']
)
def test_malformed_query_bodies(example_state, data: bytes) -> None:
    status, _, body = call(
        example_state, "POST", "/api/query", data=data, headers={**AUTH, "Content-Type": "application/json"}
    )
    assert status == 400
    assert _is_error(body, 400)


# -- headers and errors --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "url", "expected"),
    [("GET", "/api/health", 200), ("GET", "/nowhere", 404), ("POST", "/api/query", 401), ("GET", "/api/note", 400)],
)
def test_security_headers_on_every_response(example_state, method: str, url: str, expected: int) -> None:
    status, headers, _ = call(example_state, method, url)
    assert status == expected
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"


def test_errors_are_json(example_state) -> None:
    status, headers, body = call(example_state, "GET", "/nowhere")
    assert status == 404 and _is_error(body, 404)
    status, headers, body = call(example_state, "PUT", "/api/health", headers=AUTH)
    assert status == 405 and _is_error(body, 405)
    assert "GET" in headers["Allow"]


def test_exceptions_are_logged_not_leaked(example_state, caplog: pytest.LogCaptureFixture) -> None:
    async def boom(request: web.Request) -> web.Response:
        raise RuntimeError("secret internals /home/user/vault")

    async def go() -> tuple[int, str]:
        async with (
            client_for(example_state, lambda app: app.router.add_get("/boom", boom)) as client,
            client.get("/boom") as resp,
        ):
            return resp.status, await resp.text()

    status, text = run(go())
    assert status == 500
    assert "secret internals" not in text and "Traceback" not in text
    assert '"status": 500' in text
    assert "secret internals" in caplog.text

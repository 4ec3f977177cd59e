"""`run_server` as a process: sync, watch, serve, and a clean exit on SIGTERM and SIGINT."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from gardend.daemon.serve import is_loopback

SCRIPT = """
import logging, sys
from pathlib import Path
from gardend.daemon.serve import run_server
logging.basicConfig(level=logging.INFO, stream=sys.stderr)
def ready(port):
    print(port, flush=True)
run_server(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], 0, ready=ready, show_progress=False)
print("exited", flush=True)
"""


def _get(url: str, host: str | None = None, token: str | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url)
    if host:
        request.add_header("Host", host)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _start(vault: Path, db: Path, host: str) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(vault), str(db), host],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy(),
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.strip().isdigit():
        proc.kill()
        raise AssertionError(f"server did not start: {line!r} {proc.stderr.read() if proc.stderr else ''}")
    return proc, int(line)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_answers_and_stops_cleanly(make_vault, tmp_path: Path, sig: signal.Signals) -> None:
    vault = make_vault({"a.md": "# A\nhello [[b]]\n", "b.md": "bee\n"})
    proc, port = _start(vault, tmp_path / "index.sqlite", "127.0.0.1")
    try:
        status, body = _get(f"http://127.0.0.1:{port}/api/health")
        assert status == 200 and body["notes"] == 2
        status, _ = _get(f"http://127.0.0.1:{port}/api/health", host="rebind.example")
        assert status == 421
        (vault / "c.md").write_text("sea\n")
        deadline = time.monotonic() + 10
        while _get(f"http://127.0.0.1:{port}/api/health")[1]["notes"] != 3:
            assert time.monotonic() < deadline, "watcher did not index the new note"
            time.sleep(0.05)
        started = time.monotonic()
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "exited" in out
    assert time.monotonic() - started < 15
    assert "Traceback" not in err


def test_serve_beyond_loopback_requires_token_for_reads(make_vault, tmp_path: Path) -> None:
    from gardend.daemon.server.security import load_or_create_token

    vault = make_vault({"a.md": "# A\n"})
    proc, port = _start(vault, tmp_path / "index.sqlite", "0.0.0.0")
    try:
        status, _ = _get(f"http://127.0.0.1:{port}/api/health")
        assert status == 401
        token = load_or_create_token(vault.resolve())
        status, body = _get(f"http://127.0.0.1:{port}/api/health", token=token)
        assert status == 200 and body["status"] == "ok"
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert "beyond this machine" in err


@pytest.mark.parametrize(
    ("host", "expected"),
    [("127.0.0.1", True), ("127.1.2.3", True), ("::1", True), ("[::1]", True), ("localhost", True),
     ("0.0.0.0", False), ("::", False), ("192.168.1.10", False), ("garden.lan", False)],
)
def test_is_loopback(host: str, expected: bool) -> None:
    assert is_loopback(host) is expected


def test_port_in_use_is_a_clear_error(make_vault, tmp_path: Path) -> None:
    import socket

    from gardend.daemon.serve import ServeError, run_server

    vault = make_vault({"a.md": "# A\n"})
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ServeError, match=f"cannot listen on 127.0.0.1:{port}"):
            run_server(vault, tmp_path / "index.sqlite", "127.0.0.1", port, show_progress=False)

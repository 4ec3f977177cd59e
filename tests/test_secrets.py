"""The Digital Garden plugin's GitHub token never leaves its data.json except into git's
environment, and only when the user opts in (``publish.use_plugin_token``).

One vault whose plugin settings hold a token with a unique marker goes through every command that
reads the vault (info, index, check, status, publish with and without the token, the static site,
the server's API and pages); then every output, every log record, the index database, the site
folder and every object of both git repositories are searched for the marker. The command lines
of all child processes are recorded: the marker must be in none. A push that fails with the token
in git's error text is redacted.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from gardend.daemon.cli import main
from gardend.daemon.index import Index
from gardend.daemon.publish.credentials import TOKEN_ENV, push_auth, read_plugin_token, redact
from gardend.daemon.publish.gitsync import PublishError, apply_plan, plan_publish
from gardend.daemon.site import site_setup

from .conftest import VaultMaker
from .publish.helpers import GIT_ENV, make_garden, run_git
from .server.conftest import AUTH, client_for, indexed, make_state, run

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

MARKER = "ghp_gardendSECRET0x5e1f9d7c"
DG_SETTINGS = {
    "githubToken": MARKER, "githubUserName": "alice", "githubRepo": "garden",
    "showCreatedTimestamp": True, "slugifyEnabled": True,
}


class Recorder:
    """Every child process this test's Python starts: argv, and the environment it was given."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], dict[str, str] | None]] = []

    def argv_text(self) -> str:
        return "\n".join(" ".join(map(str, argv)) for argv, _env in self.calls)


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    rec = Recorder()
    original = subprocess.Popen

    class RecordingPopen(original):  # type: ignore[misc,valid-type]
        def __init__(self, args: Any, *a: Any, **kw: Any) -> None:
            rec.calls.append(([str(x) for x in args] if isinstance(args, list | tuple) else [str(args)], kw.get("env")))
            super().__init__(args, *a, **kw)

    monkeypatch.setattr(subprocess, "Popen", RecordingPopen)
    yield rec


@pytest.fixture
def world(tmp_path: Path, make_vault: VaultMaker, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    root = make_vault({
        ".obsidian/app.json": "{}",
        ".obsidian/community-plugins.json": json.dumps(["digitalgarden"]),
        ".obsidian/plugins/dg/manifest.json": json.dumps({"id": "digitalgarden", "version": "2.80.1"}),
        ".obsidian/plugins/dg/data.json": json.dumps(DG_SETTINGS),
        "Pub.md": "---\ndg-publish: true\n---\n# Pub\nSee [[Other]].\n\n```dataview\nLIST FROM \"\"\n```\n",
        "Other.md": "---\ndg-publish: true\n---\nother\n",
    })
    bare, clone = make_garden(tmp_path)
    return {"root": root, "bare": bare, "clone": clone, "db": tmp_path / "index.sqlite", "tmp": tmp_path}


def cli(outputs: list[str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    text = result.output + (result.stderr if result.stderr_bytes is not None else "")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        text += "".join(traceback.format_exception(result.exception))
    outputs.append(text)
    return result.exit_code, text


def config(world: dict[str, Path], use_token: bool, name: str) -> Path:
    cfg = world["tmp"] / name
    cfg.write_text(
        f'[index]\ndb = "{world["db"]}"\n[publish]\nrepo = "{world["clone"]}"\nuse_plugin_token = {str(use_token).lower()}\n',
        encoding="utf-8",
    )
    return cfg


def edit(world: dict[str, Path], text: str) -> None:
    (world["root"] / "Other.md").write_text(f"---\ndg-publish: true\n---\n{text}\n", encoding="utf-8")


def all_objects(repo: Path) -> bytes:
    return subprocess.run(
        ["git", "-C", str(repo), "cat-file", "--batch-all-objects", "--batch"], capture_output=True, check=True
    ).stdout


def files_under(folder: Path) -> Iterator[tuple[Path, bytes]]:
    for path in folder.rglob("*"):
        if path.is_file():
            yield path, path.read_bytes()


def test_the_token_appears_nowhere(
    world: dict[str, Path], recorder: Recorder, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    root, clone, bare = world["root"], world["clone"], world["bare"]
    vault = str(root)
    outputs: list[str] = []
    plain = config(world, False, "plain.toml")
    token = config(world, True, "token.toml")

    # Reading commands.
    for args in (("info",), ("info", "--json"), ("index",), ("check",), ("check", "--json"),
                 ("status", "--json"), ("export",)):
        code, out = cli(outputs, *args, vault, "--config", str(plain))
        assert code == 0, out
    info = json.loads(outputs[1])
    githubToken = {r["key"]: r for r in info["settings"]["digital_garden"]["settings"]}["githubToken"]
    assert githubToken["value"] == "set (redacted)"

    # Publishing: without the token, then with it to a remote that is not github.com (not used).
    code, out = cli(outputs, "publish", vault, "--config", str(plain))
    assert code == 0 and "pushed" in out, out
    edit(world, "second")
    code, out = cli(outputs, "publish", vault, "--config", str(token))
    assert code == 0 and "pushed" in out, out

    # With the token to github.com: the clone has no remote, so the plugin's repository is the
    # target; git rewrites that URL to the local bare repository (no network), after the token
    # was handed over through GIT_ASKPASS and the environment.
    run_git(clone, "remote", "remove", "origin")
    run_git(clone, "config", f"url.{bare}.insteadOf", "https://github.com/alice/garden.git")
    edit(world, "third")
    recorder.calls.clear()
    code, out = cli(outputs, "publish", vault, "--config", str(token))
    assert code == 0 and "pushed" in out, out
    pushes = [(argv, env) for argv, env in recorder.calls if "push" in argv]
    assert len(pushes) == 1
    argv, env = pushes[0]
    assert "https://github.com/alice/garden.git" in argv and "credential.helper=" in argv
    assert env is not None and env[TOKEN_ENV] == MARKER and env["GIT_TERMINAL_PROMPT"] == "0"
    assert not Path(env["GIT_ASKPASS"]).exists()  # the askpass folder is gone after the push
    assert run_git(bare, "show", "main:src/site/notes/Other.md").endswith("third\n")

    # A failing push whose error text carries the token (a server-side hook echoing it).
    hook = bare / "hooks" / "pre-receive"
    hook.write_text('#!/bin/sh\necho "denied for $GARDEND_GIT_PASSWORD at https://alice:$GARDEND_GIT_PASSWORD@github.com" >&2\nexit 1\n')
    hook.chmod(0o755)
    edit(world, "fourth")
    code, out = cli(outputs, "publish", vault, "--config", str(token))
    assert code == 1 and "denied for ***" in out and "alice:***@github.com" in out, out
    hook.unlink()

    # The static site.
    site = tmp_path / "site"
    code, out = cli(outputs, "publish", vault, "--config", str(plain), "--site", str(site), "--no-push")
    assert code == 0, out

    # The server: API and pages.
    with indexed(root, tmp_path / "serve.sqlite") as (_writer, _sync, reader):
        state = make_state(root, reader)

        async def go() -> list[str]:
            texts = []
            async with client_for(state, lambda app: site_setup(preview=True)(app)) as client:
                for method, url, kw in (
                    ("GET", "/api/health", {}), ("GET", "/api/notes", {}), ("GET", "/api/note?path=Pub.md", {}),
                    ("POST", "/api/query", {"json": {"query": 'TABLE file.name FROM ""'}, "headers": AUTH}),
                    ("GET", "/api/search?q=other", {}), ("GET", "/api/openapi.json", {}), ("GET", "/", {}),
                    ("GET", "/pub/", {}), ("GET", "/_preview/Pub.md", {}), ("GET", "/searchIndex.json", {}), ("GET", "/graph.json", {}),
                ):
                    async with client.request(method, url, **kw) as resp:
                        texts.append(f"{method} {url} {resp.status}\n{await resp.text()}")
            return texts

        served = run(go())
        state.shutdown_executor()
    assert any(t.startswith("GET /pub/ 200") for t in served), [t[:40] for t in served]
    outputs.extend(served)

    # Now search everything.
    needle = MARKER.encode()
    for text in outputs:
        assert MARKER not in text
    assert MARKER not in caplog.text
    assert MARKER not in recorder.argv_text()
    for folder in (site, world["db"].parent):
        for path, data in files_under(folder):
            if path.is_relative_to(root):
                continue  # the vault itself holds the token, in the plugin's data.json
            assert needle not in data, path
    for path in world["db"].parent.glob("index.sqlite*"):
        assert needle not in path.read_bytes(), path
    assert needle not in all_objects(clone) and needle not in all_objects(bare)
    state_dir = Path(os.environ["GARDEND_STATE_DIR"])
    for path, data in files_under(state_dir):
        assert needle not in data, path


def test_a_failing_push_error_is_redacted(world: dict[str, Path]) -> None:
    """apply_plan's error, and its whole chain (what a traceback shows), hold no token, even
    when git's error text repeats it (here a server-side hook echoes the environment)."""
    from gardend.daemon.publish.credentials import PushAuth
    from gardend.daemon.sync import Synchronizer

    root, clone, bare = world["root"], world["clone"], world["bare"]
    hook = bare / "hooks" / "pre-receive"
    hook.write_text('#!/bin/sh\necho "token was $GARDEND_GIT_PASSWORD" >&2\nexit 1\n')
    hook.chmod(0o755)
    index = Index(world["db"])
    Synchronizer(index, root, workers=1).full_sync()
    auth = PushAuth(env={TOKEN_ENV: MARKER}, secrets=(MARKER,), uses_token=True)
    with pytest.raises(PublishError) as caught:
        apply_plan(clone, plan_publish(index, root, clone), retries=1, backoff_s=0, auth=auth)
    shown = "".join(traceback.format_exception(caught.value))
    assert "token was ***" in shown and MARKER not in shown
    assert MARKER not in repr(auth)
    index.close()


def test_askpass_answers_from_the_environment(world: dict[str, Path]) -> None:
    root, clone = world["root"], world["clone"]
    run_git(clone, "remote", "set-url", "origin", "https://github.com/alice/garden.git")
    with push_auth(clone, "origin", root=root, enabled=True) as auth:
        assert auth.uses_token and auth.target is None and MARKER not in repr(auth)
        script = auth.env["GIT_ASKPASS"]
        assert MARKER.encode() not in Path(script).read_bytes()  # the script holds no secret
        assert os.stat(Path(script).parent).st_mode & 0o077 == 0
        env = {**os.environ, **auth.env}
        ask = lambda prompt: subprocess.run([script, prompt], env=env, capture_output=True, text=True).stdout  # noqa: E731
        assert ask("Username for 'https://github.com': ") == "alice\n"
        assert ask("Password for 'https://alice@github.com': ") == MARKER + "\n"
    assert not Path(script).exists()


def test_the_token_is_used_only_when_asked_and_only_for_github(world: dict[str, Path]) -> None:
    root, clone = world["root"], world["clone"]
    with push_auth(clone, "origin", root=root, enabled=False) as auth:
        assert auth.env == {} and auth.git_args == () and not auth.uses_token
    with push_auth(clone, "origin", root=root, enabled=True) as auth:  # a local path remote
        assert auth.env == {} and not auth.uses_token and auth.redact(f"x {MARKER} y") == "x *** y"
    run_git(clone, "remote", "set-url", "origin", "https://gitlab.com/alice/garden.git")
    with push_auth(clone, "origin", root=root, enabled=True) as auth:
        assert not auth.uses_token
    assert read_plugin_token(root) == MARKER


def test_a_placeholder_token_is_not_used(make_vault: VaultMaker, tmp_path: Path) -> None:
    from gardend.daemon.publish.credentials import CredentialError

    root = make_vault({
        ".obsidian/plugins/dg/manifest.json": json.dumps({"id": "digitalgarden"}),
        ".obsidian/plugins/dg/data.json": json.dumps({"githubToken": "add your token to .env as GITHUB_TOKEN"}),
    })
    assert read_plugin_token(root) is None
    with pytest.raises(CredentialError) as caught, push_auth(tmp_path, "origin", root=root, enabled=True):
        pass
    assert "add your token" not in str(caught.value)


def test_redact() -> None:
    assert redact("a tok/en+x b tok%2Fen%2Bx", ("tok/en+x",)) == "a *** b ***"
    assert redact("https://bob:hunter2@example.org/x and http://u:p@h/") == "https://bob:***@example.org/x and http://u:***@h/"
    assert redact("nothing here", ()) == "nothing here"

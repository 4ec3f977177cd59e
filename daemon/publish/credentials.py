"""Pushing with the Digital Garden plugin's GitHub token — only when asked, and without exposing it.

The plugin keeps a GitHub token in its ``data.json``. gardend uses it only when the user opts in
(``publish.use_plugin_token = true``), and only to push over HTTPS to github.com (the host the
token was made for). Everywhere else the token stays where it is:

* **Not loaded with the settings.** :class:`~.settings.GardenSettings` only knows whether a
  token is set; :func:`read_plugin_token` reads it here, at push time, and nothing keeps it.
* **Never on a command line.** Another user's process can read any process's argv
  (``/proc/<pid>/cmdline``, ``ps``), but not its environment. git gets the token through
  ``GIT_ASKPASS``: a small script (in a fresh 0700 folder, holding no secret) that prints an
  environment variable of the git process with the shell's *built-in* ``printf`` — no program is
  started with the token as an argument. The remote URL never carries it either.
* **Never stored.** ``-c credential.helper=`` empties git's credential helpers for that push, so
  a configured helper can neither hand git other credentials nor save the token (``store`` would
  write it in plain text to ``~/.git-credentials``).
* **Never printed.** Every error text that comes back from git goes through :meth:`PushAuth.redact`
  (the token, its URL-encoded form, and any ``user:password@`` in a URL become ``***``).

Which URL is pushed to: the configured remote's URL when it is ``https://github.com/…``; when the
clone has no remote of that name, the plugin's repository
(``https://github.com/<githubUserName>/<githubRepo>.git``). Any other remote (SSH, another host,
a local path) is pushed to as configured, with git's own credentials: the token is not used.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

from ..settings_sources import discover_plugins, read_settings_file
from .settings import GardenSettings, load_garden_settings

__all__ = [
    "NO_AUTH",
    "CredentialError",
    "PushAuth",
    "is_github_https",
    "push_auth",
    "read_plugin_token",
    "redact",
]

TOKEN_ENV = "GARDEND_GIT_PASSWORD"
USER_ENV = "GARDEND_GIT_USERNAME"

_ASKPASS_SCRIPT = f"""#!/bin/sh
# gardend: answers git's credential prompts from this process's environment (printf is a
# shell built-in, so the secret never becomes another program's argument).
case "$1" in
  Username*|username*) printf '%s\\n' "${{{USER_ENV}}}" ;;
  *) printf '%s\\n' "${{{TOKEN_ENV}}}" ;;
esac
"""

_URL_PASSWORD = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^/\s:@]*):[^@\s/]*@")


class CredentialError(Exception):
    """The plugin token was asked for but cannot be used; the message never contains it."""


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """``text`` with every secret (raw and URL-encoded) and URL passwords replaced by ``***``."""
    for secret in secrets:
        if not secret:
            continue
        for form in {secret, quote(secret, safe=""), quote(secret)}:
            text = text.replace(form, "***")
    return _URL_PASSWORD.sub(lambda m: f"{m['scheme']}{m['user']}:***@", text)


@dataclass(frozen=True)
class PushAuth:
    """How one ``git push`` authenticates: extra environment, extra global options, and where to.

    ``env`` goes to the git child process only (never to argv); ``git_args`` are global options
    placed before ``push`` and hold no secret; ``target`` replaces the remote name when set.
    """

    target: str | None = None
    env: Mapping[str, str] = field(default_factory=dict, repr=False)
    git_args: tuple[str, ...] = ()
    secrets: tuple[str, ...] = field(default=(), repr=False)
    uses_token: bool = False

    def redact(self, text: str) -> str:
        return redact(text, self.secrets)


NO_AUTH = PushAuth()
"""Push with git's own credentials, as configured (SSH keys, credential helpers)."""


def read_plugin_token(root: Path, config_dir: str | None = None) -> str | None:
    """The Digital Garden plugin's ``githubToken``, or None when it is not set or cannot be a
    token (the plugin's placeholder text, anything with white space)."""
    from ..settings_sources import binding_for

    config_dir = config_dir or binding_for(root).config_dir
    plugin = discover_plugins(root, config_dir).plugins.get("digitalgarden")
    if plugin is None:
        return None
    data, _problems = read_settings_file(plugin.folder / "data.json", "Digital Garden's")
    token = (data or {}).get("githubToken")
    if not isinstance(token, str) or not token or any(c.isspace() for c in token):
        return None
    return token


def is_github_https(url: str) -> bool:
    """True for ``https://github.com/…`` (the only host the plugin's token is sent to)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme == "https" and (parts.hostname or "").lower() == "github.com"


def _remote_url(repo: Path, remote: str) -> str | None:
    proc = subprocess.run(
        ["git", "-C", str(repo), "remote", "get-url", "--push", remote],
        capture_output=True, check=False,
    )
    if proc.returncode != 0:
        return None
    return proc.stdout.decode("utf-8", "replace").strip() or None


@contextlib.contextmanager
def push_auth(
    repo: Path,
    remote: str,
    *,
    root: Path,
    enabled: bool,
    config_dir: str | None = None,
    settings: GardenSettings | None = None,
) -> Iterator[PushAuth]:
    """The :class:`PushAuth` for pushing ``repo`` to ``remote``, valid inside the ``with`` block
    (the askpass folder is removed afterwards).

    Off (``enabled`` false): :data:`NO_AUTH`. On: the plugin token through ``GIT_ASKPASS`` when
    the target is github.com over HTTPS; otherwise the remote as configured (and a
    :class:`CredentialError` when there is no remote at all to push to).
    """
    if not enabled:
        yield NO_AUTH
        return
    token = read_plugin_token(root, config_dir)
    if token is None:
        raise CredentialError(
            "publish.use_plugin_token is on, but the Digital Garden settings hold no usable githubToken"
        )
    settings = settings or load_garden_settings(root, config_dir)
    url = _remote_url(repo, remote)
    target = None
    if url is None:
        target = settings.default_remote
        if target is None:
            raise CredentialError(
                f"the clone has no remote {remote!r}, and the Digital Garden settings name no repository "
                "(githubUserName/githubRepo) to push to"
            )
        url = target
    if not is_github_https(url):
        # Not the token's host: push as configured. The token stays a secret to redact anyway.
        yield PushAuth(target=target, secrets=(token,))
        return
    folder = Path(tempfile.mkdtemp(prefix="gardend-askpass-"))
    try:
        os.chmod(folder, stat.S_IRWXU)
        script = folder / "askpass.sh"
        fd = os.open(script, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o700)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(_ASKPASS_SCRIPT)
        user = settings.github_user_name if settings.github_user_name and " " not in settings.github_user_name else ""
        yield PushAuth(
            target=target,
            env={
                "GIT_ASKPASS": str(script),
                "SSH_ASKPASS": str(script),
                "GIT_TERMINAL_PROMPT": "0",
                USER_ENV: user or "x-access-token",
                TOKEN_ENV: token,
            },
            git_args=("-c", "credential.helper="),
            secrets=(token,),
            uses_token=True,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)

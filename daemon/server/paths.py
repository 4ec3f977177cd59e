"""Turning a path a client sent into a vault path that is guaranteed to stay inside the vault.

Every endpoint that takes a path goes through :func:`safe_vault_path`, even those that only look
the path up in the index: the index holds what is on disk, so a path that could name something
outside the vault must never get as far as a lookup (or, later, a file read by a page renderer).
The check is lexical first (no absolute paths, drive letters, ``..``, NUL bytes, backslashes) and
then physical (the real path, after symlinks, must lie under the vault's real path), so neither
``notes/../../etc/passwd`` nor a symlink in the vault pointing at ``/etc`` gets through.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

__all__ = ["UnsafePathError", "safe_vault_path"]

_DRIVE = re.compile(r"^[A-Za-z]:")
MAX_PATH_CHARS = 4096


class UnsafePathError(ValueError):
    """A client-supplied path that is not a plain path inside the vault (a 400 for the client)."""


def safe_vault_path(root: Path | str, user_path: str) -> str:
    """The vault-relative, ``/``-separated form of ``user_path``, or :class:`UnsafePathError`.

    The result is the path exactly as the client wrote it (a leading ``/`` is not forgiven but
    refused as absolute), because the index keys notes by their path as on disk; symlinks are
    followed only to check that their target is inside the vault.
    Percent-decoding is the web framework's job: by the time a path gets here, ``%2e%2e`` is
    already ``..`` and is refused like it.
    """
    if not isinstance(user_path, str) or not user_path:
        raise UnsafePathError("path is empty")
    if len(user_path) > MAX_PATH_CHARS:
        raise UnsafePathError("path is too long")
    if "\x00" in user_path:
        raise UnsafePathError("path contains a NUL byte")
    if "\\" in user_path:
        raise UnsafePathError("path contains a backslash; use '/' between folders")
    if user_path.startswith("/") or _DRIVE.match(user_path):
        raise UnsafePathError("path must be relative to the vault, not absolute")
    parts = user_path.split("/")
    for part in parts:
        if part in ("", ".", ".."):
            raise UnsafePathError("path must not contain empty, '.' or '..' segments")
    base = os.path.realpath(root)
    real = os.path.realpath(os.path.join(base, *parts))
    if real != base and not real.startswith(base.rstrip(os.sep) + os.sep):
        raise UnsafePathError("path leads outside the vault")
    return "/".join(parts)

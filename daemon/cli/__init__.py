"""The `gardend` command line. Thin: parse options, open the vault and index, call the modules.

One module per group of commands; importing them registers each command on `main`.
Exit codes: 0 success, 1 findings or failure, 2 usage errors (click's convention).
"""

from __future__ import annotations

from . import datasette_cmd, info_cmd, publish_cmds, query_cmds, serve_cmd, service_cmds, vault_cmds
from .app import CLIError, Session, main, resolve_session

__all__ = ["CLIError", "Session", "datasette_cmd", "info_cmd", "main", "publish_cmds", "query_cmds", "resolve_session",
           "serve_cmd", "service_cmds", "vault_cmds"]

"""`gardend serve`: the always-running daemon."""

from __future__ import annotations

import click

from ..index import IndexOpenError
from ..vault import VaultError
from .app import (
    CLIError,
    common_options,
    main,
    resolve_session,
    setup_logging,
)

# ---------------------------------------------------------------------------------------------
# serve


@main.command("serve")
@common_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (beyond loopback needs the token for all of /api/).")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free port).")
@click.option("--allow-host", "allow_hosts", multiple=True, help="Extra Host header names to answer for (e.g. behind a proxy).")
@click.option("--polling", is_flag=True, help="Poll the file system instead of using inotify/FSEvents.")
@click.option("--verbose", "-v", is_flag=True, help="Debug logging.")
def serve_cmd(
    vault: str | None, config_path: str | None, db: str | None, host: str, port: int,
    allow_hosts: tuple[str, ...], polling: bool, verbose: bool,
) -> None:
    """Index VAULT, then watch it and serve the JSON API (and, soon, the preview site) until interrupted."""
    from ..serve import ServeError, run_server

    setup_logging(verbose, quiet=False)
    session = resolve_session(vault, config_path, db)
    try:
        run_server(
            session.root, session.db_path, host, port, session.config, allowed_hosts=allow_hosts, polling=polling
        )
    except (ServeError, IndexOpenError, VaultError) as exc:
        raise CLIError(str(exc)) from exc

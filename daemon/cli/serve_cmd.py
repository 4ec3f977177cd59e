"""`gardend serve`: the always-running daemon."""

from __future__ import annotations

import errno

import click

from ..index import IndexOpenError
from ..progress import progress_wanted
from ..vault import VaultError
from .app import (
    CLIError,
    common_options,
    main,
    quiet_option,
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
@quiet_option("No progress bar; log warnings and errors only.")
def serve_cmd(
    vault: str | None, config_path: str | None, db: str | None, host: str, port: int,
    allow_hosts: tuple[str, ...], polling: bool, verbose: bool, quiet: bool,
) -> None:
    """Index VAULT, then watch it and serve the preview site and the JSON API until interrupted.

    The API is described by /api/openapi.json. Exit status 0 after Ctrl-C or SIGTERM; 1 when
    the vault, the index or the address cannot be used.
    """
    from ..serve import ServeError, run_server

    setup_logging(verbose, quiet=quiet)
    session = resolve_session(vault, config_path, db)
    try:
        run_server(
            session.root, session.db_path, host, port, session.config, allowed_hosts=allow_hosts, polling=polling,
            show_progress=progress_wanted(quiet),
        )
    except ServeError as exc:
        cause = exc.__cause__
        if isinstance(cause, OSError) and cause.errno == errno.EADDRINUSE:
            raise CLIError(
                f"{exc}: another program (another `gardend serve`?) uses this port; stop it, or pass "
                "--port N (--port 0 picks a free one)"
            ) from exc
        raise CLIError(str(exc)) from exc
    except (IndexOpenError, VaultError) as exc:
        raise CLIError(str(exc)) from exc

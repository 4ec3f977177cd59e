"""`gardend info`: the paths and settings gardend uses for a vault."""

from __future__ import annotations

import json
from typing import Any

import click

from .. import __version__
from ..config import state_home, vault_state_dir
from ..index import Index
from .app import (
    common_options,
    main,
    resolve_session,
)


@main.command("info")
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def info_cmd(vault: str | None, config_path: str | None, db: str | None, as_json: bool) -> None:
    """Show the paths gardend uses for VAULT (config, index database, state) and index counts."""
    session = resolve_session(vault, config_path, db)
    data: dict[str, Any] = {
        "version": __version__,
        "vault": str(session.root),
        "config": session.config.source,
        "db": str(session.db_path),
        "state_dir": str(vault_state_dir(session.root)),
        "state_home": str(state_home()),
    }
    if session.db_path.exists():
        try:
            with Index(session.db_path, readonly=True) as index:
                data["notes"] = index.note_count()
                data["files"] = index.file_count()
        except Exception as exc:  # an unreadable database is information too
            data["db_error"] = str(exc)
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    width = max(len(k) for k in data)
    for key, value in data.items():
        click.echo(f"{key.ljust(width)}  {value if value is not None else '(none)'}")

"""`gardend info`: the paths gardend uses for a vault and every effective setting, with its source.

Settings come from three places, per key (:mod:`gardend.daemon.settings_sources`): gardend.toml,
the vault's Obsidian and plugin settings files, and the plugins' defaults. ``info`` shows each
value with where it came from (``<gardend.toml>: [dataview].tableIdColumnName``,
``<vault>/.obsidian/plugins/dataview/data.json: tableIdColumnName`` or ``default``), grouped
(gardend, obsidian, dataview, digital garden, metadata menu), then the plugins found and every
warning met while reading the files.

Secrets: the Digital Garden ``githubToken`` is never read here, only whether it is set ("set
(redacted)"). The server's API token *is* shown: it is the user's own local secret, kept in a
0600 file, and clients on this machine need it (a browser extension, a script).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from .. import __version__
from ..config import state_home, vault_state_dir
from ..effective_settings import GROUPS, describe, gardend_rows, load_vault_settings
from ..index import Index
from .app import (
    common_options,
    main,
    resolve_session,
)


def _server_token(root: Path) -> tuple[Path, str | None]:
    """(token file, token or None): read only, never created here (``serve`` creates it)."""
    from ..server.security import token_path

    path = token_path(root)
    try:
        token = path.read_text(encoding="utf-8").strip() or None
    except OSError:
        token = None
    return path, token


def _shown(row: dict[str, Any]) -> str:
    if row.get("redacted"):
        return str(row["value"])  # "set (redacted)" or "not set"
    return json.dumps(row["value"], ensure_ascii=False)


@main.command("info")
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def info_cmd(vault: str | None, config_path: str | None, db: str | None, as_json: bool) -> None:
    """Show the paths gardend uses for VAULT (config, index database, state, server token), index
    counts, and every effective setting with its source: gardend.toml, the vault's Obsidian and
    plugin settings (Dataview, Digital Garden, Metadata Menu), or the default. The GitHub token
    of the Digital Garden plugin is never shown."""
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
    token_file, token = _server_token(session.root)
    data["server_token_file"] = str(token_file)
    data["server_token"] = token
    vault_settings = load_vault_settings(session.root, session.config.obsidian.config_dir)
    described = describe(vault_settings)
    settings: dict[str, Any] = {"gardend": gardend_rows(session.config)}
    settings.update(described["groups"])
    data["settings"] = settings
    data["plugins"] = described["plugins"]
    data["problems"] = described["problems"]
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    _print_text(data)


def _print_text(data: dict[str, Any]) -> None:
    head = {k: v for k, v in data.items() if k not in ("settings", "plugins", "problems", "server_token")}
    head["server_token"] = data["server_token"] or "(none yet: `gardend serve` creates it)"
    width = max(len(k) for k in head)
    for key, value in head.items():
        click.echo(f"{key.ljust(width)}  {value if value is not None else '(none)'}")
    settings = data["settings"]
    root = data["vault"].rstrip("/") + "/"
    _print_group("gardend", settings["gardend"], None, root)
    for name, title in GROUPS:
        group = settings[name]
        if "plugin_id" in group:
            where = group["file"] if group["installed"] else f"plugin {group['plugin_id']!r} not installed"
        else:
            where = group["file"]
        _print_group(title, group["settings"], where, root)
    click.echo("")
    click.echo("plugins")
    if not data["plugins"]:
        click.echo("  (none installed)")
    for plugin in data["plugins"]:
        state = {True: "enabled", False: "disabled", None: "enabled: unknown"}[plugin["enabled"]]
        version = plugin["version"] or "?"
        click.echo(f"  {plugin['id']}  {version}  {state}  {plugin['folder']}")
    if data["problems"]:
        click.echo("")
        click.echo("warnings")
        for problem in data["problems"]:
            click.echo(f"  {problem}")


def _print_group(title: str, rows: list[dict[str, Any]], where: str | None, root: str) -> None:
    """One group; files inside the vault are named relative to it (the vault is printed above)."""

    def short(text: str) -> str:
        return text[len(root):] if text.startswith(root) else text

    click.echo("")
    click.echo(f"{title}" + (f"  ({short(where)})" if where else ""))
    width = max((len(row["key"]) for row in rows), default=0)
    for row in rows:
        click.echo(f"  {row['key'].ljust(width)} = {_shown(row)}    <- {short(row['source'])}")

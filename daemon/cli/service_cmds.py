"""`gardend service install|uninstall|status|logs`: `gardend serve` as a per-user service.

The work is done by :mod:`gardend.daemon.service`; this module resolves the vault and options,
prints, and maps `ServiceError` to a one-line `CLIError`. The command runner comes from click's
context object when a test put one there (``CliRunner().invoke(main, args, obj=recorder)``), so
tests see the `systemctl`/`launchctl` calls instead of making them.
"""

from __future__ import annotations

import json
import os
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import click

from .. import service
from ..service import CommandRunner, Platform, ServiceError, ServiceManager
from .app import CLIError, _obsidian_dir_option, common_options, main, resolve_session

platform_option = click.option(
    "--platform",
    type=click.Choice(service.PLATFORMS),
    help="Service manager to write for (default: systemd on Linux, launchd on macOS).",
)


def _vault_and_config(func: Callable[..., Any]) -> Callable[..., Any]:
    """VAULT and --config for the commands that only need to know which vault (no index)."""
    func = click.argument("vault", required=False, type=click.Path(file_okay=False))(func)
    func = click.option(
        "--config", "config_path", type=click.Path(dir_okay=False),
        help="Config file, for its default vault (default: ./gardend.toml if present).",
    )(func)
    return func


def _manager(platform: str | None) -> ServiceManager:
    try:
        chosen = cast(Platform, platform) if platform else service.default_platform()
    except ServiceError as exc:
        raise CLIError(str(exc)) from exc
    runner = click.get_current_context().find_object(CommandRunner)
    return service.manager_for(chosen, runner=runner)


def _service_vault(vault: str | None, config_path: str | None) -> Path:
    """The vault a service belongs to. A VAULT that no longer exists is still accepted, so that
    the service of a moved or deleted vault can be inspected and uninstalled."""
    if vault and not Path(vault).expanduser().exists():
        return Path(vault).expanduser().resolve()
    return resolve_session(vault, config_path, None).root


@main.group("service")
def service_group() -> None:
    """Run `gardend serve` for a vault as a user service (systemd on Linux, launchd on macOS):
    started at login, restarted after a failure, logging where the platform's tools look.

    Each vault gets its own service, named after its folder (gardend-<folder>-<hash>)."""


@service_group.command("install")
@common_options
@platform_option
@click.option("--host", help="Address for `serve` to bind (default: serve's own, 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535),
              help="Port for `serve` (default: serve's own, 8765); give each vault's service its own.")
@click.option("--polling", is_flag=True, help="Pass --polling to `serve`.")
@click.option("--dry-run", is_flag=True, help="Print the unit (or plist) and where it would go; change nothing.")
def install_cmd(vault: str | None, config_path: str | None, db: str | None, platform: str | None,
                host: str | None, port: int | None, polling: bool, dry_run: bool) -> None:
    """Write the service for VAULT and start it now and at every login.

    The service runs this Python with the config file found now (--config or ./gardend.toml),
    and --db and --obsidian-dir when given. Installing again rewrites the file and restarts the
    service.
    """
    session = resolve_session(vault, config_path, db)
    manager = _manager(platform)
    config_file = Path(session.config.source) if session.config.source else None
    try:
        spec = service.build_spec(
            session.root, config=config_file, db=session.db_path if db else None,
            host=host, port=port, polling=polling, environ=os.environ, obsidian_dir=_obsidian_dir_option(),
        )
        target = manager.target(spec.vault)
        content = manager.render(spec)
        if dry_run:
            click.echo(f"# would write {target.path}", err=True)
            click.echo(content.decode("utf-8"), nl=False)
            click.echo(f"# then run: {manager.activation_hint(target)}", err=True)
            return
        report = manager.install(spec)
    except ServiceError as exc:
        raise CLIError(str(exc)) from exc
    verb = "reinstalled and restarted" if report.replaced else "installed and started"
    click.echo(f"{verb} {target.unit}: {target.path}")
    click.echo(f"status: gardend service status {shlex.quote(str(spec.vault))}; "
               f"logs: gardend service logs {shlex.quote(str(spec.vault))}")


@service_group.command("uninstall")
@_vault_and_config
@platform_option
def uninstall_cmd(vault: str | None, config_path: str | None, platform: str | None) -> None:
    """Stop and disable VAULT's service and remove its file."""
    manager = _manager(platform)
    root = _service_vault(vault, config_path)
    try:
        report = manager.uninstall(root)
    except ServiceError as exc:
        raise CLIError(str(exc)) from exc
    if not report.removed:
        click.echo(f"{report.target.unit} is not installed (no {report.target.path}): nothing to do")
        return
    click.echo(f"stopped and removed {report.target.unit}: {report.target.path}")
    if report.note:
        click.echo(f"note: {report.note}", err=True)


@service_group.command("status")
@_vault_and_config
@platform_option
@click.option("--json", "as_json", is_flag=True, help="Print installed, path, name and active state as JSON.")
@click.pass_context
def status_cmd(ctx: click.Context, vault: str | None, config_path: str | None, platform: str | None,
               as_json: bool) -> None:
    """Show the service manager's status of VAULT's service; its exit status is passed through.

    Exit status 1 (with a message) when the service is not installed; with --json, the state is
    in the JSON and the exit status is 0.
    """
    manager = _manager(platform)
    root = _service_vault(vault, config_path)
    target = manager.target(root)
    if as_json:
        click.echo(json.dumps(manager.state(root).as_json(), indent=2, ensure_ascii=False))
        return
    if not target.installed:
        click.echo(f"{target.unit} is not installed (no {target.path}); "
                   f"`gardend service install {shlex.quote(str(root))}` sets it up")
        ctx.exit(1)
    try:
        code = manager.status(root)
    except ServiceError as exc:
        raise CLIError(str(exc)) from exc
    ctx.exit(code)


@service_group.command("logs")
@_vault_and_config
@platform_option
@click.option("--follow", "-f", is_flag=True, help="Keep printing new lines until interrupted.")
@click.option("--lines", "-n", default=50, show_default=True, type=click.IntRange(1),
              help="How many of the last lines to show.")
@click.pass_context
def logs_cmd(ctx: click.Context, vault: str | None, config_path: str | None, platform: str | None,
             follow: bool, lines: int) -> None:
    """Show the log of VAULT's service: the user journal (systemd) or its log file (launchd)."""
    manager = _manager(platform)
    root = _service_vault(vault, config_path)
    target = manager.target(root)
    if not target.installed and target.platform == "systemd":
        click.echo(f"note: {target.unit} is not installed; showing what the journal still has", err=True)
    try:
        code = manager.logs(root, follow=follow, lines=lines)
    except ServiceError as exc:
        raise CLIError(str(exc)) from exc
    ctx.exit(code)

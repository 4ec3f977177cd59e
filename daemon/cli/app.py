"""The `gardend` command group and what every command shares: the session (vault, config and
index path resolved once), the common options and one-line user errors.

Exit codes: 0 success, 1 findings or failure, 2 usage errors (click's convention).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from .. import __version__
from ..config import Config, ConfigError, default_db_path, load_config
from ..index import Index, IndexOpenError
from ..sync import Synchronizer

log = logging.getLogger("gardend")


class CLIError(click.ClickException):
    """A one-line error for the user (exit status 1)."""


@dataclass
class Session:
    """The resolved vault, config and database of one command."""

    config: Config
    root: Path
    db_path: Path

    def open_index(self) -> Index:
        try:
            return Index(self.db_path)
        except IndexOpenError as exc:
            raise CLIError(str(exc)) from exc

    def synchronizer(self, index: Index) -> Synchronizer:
        sync = Synchronizer(
            index,
            self.root,
            workers=self.config.index.workers,
            max_bytes=self.config.index.max_note_bytes,
            config_dir=self.config.obsidian.config_dir,
        )
        return sync


def resolve_session(vault: str | None, config_path: str | None, db: str | None) -> Session:
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        raise CLIError(str(exc)) from exc
    if vault:
        root = Path(vault).expanduser()
    elif config.vault:
        root = Path(config.vault)
    elif (Path.cwd() / config.obsidian.config_dir).is_dir():
        root = Path.cwd()
    else:
        raise click.UsageError(
            "no vault given: pass VAULT, set `vault` in gardend.toml, or run inside a vault folder"
        )
    if not root.exists():
        raise CLIError(f"{root}: vault folder does not exist")
    if not root.is_dir():
        raise CLIError(f"{root}: vault path is not a folder")
    root = root.resolve()
    if db:
        db_path = Path(db).expanduser().resolve()
    elif config.index.db:
        db_path = Path(config.index.db).expanduser()
        if not db_path.is_absolute() and config.source:
            db_path = (Path(config.source).parent / db_path).resolve()
    else:
        db_path = default_db_path(root)
    return Session(config=config, root=root, db_path=db_path)


def common_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """VAULT plus --config and --db, shared by every command that works on a vault."""
    func = click.argument("vault", required=False, type=click.Path(file_okay=False))(func)
    func = click.option(
        "--config", "config_path", type=click.Path(dir_okay=False),
        help="Config file (default: ./gardend.toml if present).",
    )(func)
    func = click.option(
        "--db", type=click.Path(dir_okay=False),
        help="Index database path (default: a per-vault folder under the state directory).",
    )(func)
    return func


def setup_logging(verbose: bool, quiet: bool) -> None:
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gardend")
def main() -> None:
    """gardend — an always-running backend for an Obsidian vault: index, Dataview queries,
    preview and Digital Garden publishing, with no Obsidian running."""


def quiet_broken_pipe() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(0)


def config_relative(session: Session, value: str, from_option: bool) -> Path:
    """A path from an option (relative to the working directory) or from gardend.toml (relative
    to that file)."""
    path = Path(value).expanduser()
    if not path.is_absolute() and session.config.source and not from_option:
        path = Path(session.config.source).parent / path
    return path.resolve()

"""The `gardend` command group and what every command shares: the session (vault, config and
index path resolved once), the common options, one-line user errors and shell completion.

Exit codes, the same for every command (README "Exit codes"):

* ``0`` — success (for ``check``: nothing at or above the failing severity);
* ``1`` — the command ran and found something (``check`` findings, ``check --leaks`` leaks, a
  failing ``query``) or could not do its job (a missing vault, an unreadable config, a locked or
  corrupt index, a refused or failed publish, a port in use, an unexpected error);
* ``2`` — usage: an unknown command or option, a bad option value, no vault to work on.

Errors are one line on standard error that names the file and, where there is one, what to do.
An unexpected exception prints ``Error: <type>: <message>`` and exits 1; the traceback is shown
only with ``gardend --debug ...`` or ``GARDEND_DEBUG=1``, because a user's terminal is the wrong
place for a stack dump but a bug report needs one. ``NO_COLOR`` turns colour off everywhere.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from .. import __version__
from ..config import Config, ConfigError, default_db_path, load_config
from ..effective_settings import bind_config, replace_config_dir
from ..index import Index, IndexOpenError
from ..progress import progress_wanted, run_full_sync
from ..settings_sources import check_config_dir_name
from ..sync import Synchronizer, SyncResult

log = logging.getLogger("gardend")

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2

DEBUG_ENV = "GARDEND_DEBUG"
COMPLETE_VAR = "_GARDEND_COMPLETE"
SHELLS = ("bash", "zsh", "fish")


class CLIError(click.ClickException):
    """A one-line error for the user (exit status 1): say which file and what to do."""

    exit_code = EXIT_FAILURE


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def no_color() -> bool:
    """``NO_COLOR`` set to anything but the empty string (https://no-color.org)."""
    return bool(os.environ.get("NO_COLOR"))


class _LastSession:
    """The index database of the command being run, so that an unexpected "database is locked"
    can still name the file (the exception itself does not)."""

    db_path: Path | None = None


def describe_unexpected(exc: BaseException) -> str:
    """One line for an exception no command turned into a :class:`CLIError`. The common ones get
    the file and what to do; anything else its type and message."""
    if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
        where = _LastSession.db_path or "the index database"
        return f"{where}: database is locked; {_index_hint('locked')}"
    if isinstance(exc, PermissionError) and exc.filename:
        return f"{exc.filename}: permission denied; check the owner and mode of this file or folder"
    if isinstance(exc, OSError) and exc.filename and exc.strerror:
        return f"{exc.filename}: {exc.strerror}"
    return f"{type(exc).__name__}: {exc}"


def _index_hint(message: str) -> str:
    """What to do about an index database that cannot be opened."""
    if "locked" in message:
        return "another process (a running `gardend serve` or `watch`?) holds it: stop it or use --db"
    return "the index is only a cache of the vault: delete the file to rebuild it, or use --db"


def _flush_stdout() -> None:
    """Flush standard output before exiting; when the reader has gone (``gardend export |
    head``), point it at /dev/null so Python's own flush at shutdown cannot print a traceback."""
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):
        with suppress(OSError, ValueError, AttributeError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())


class GardendGroup(click.Group):
    """The ``gardend`` group: click's, plus the error policy of the module docstring.

    Overriding :meth:`main` (not wrapping the group in a function) keeps ``main`` a real click
    group, so ``CliRunner().invoke(main, ...)`` and shell completion work unchanged.
    """

    debug: bool = False

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        self.debug = _env_flag(DEBUG_ENV)
        if no_color():
            # click.echo strips ANSI styles when the context's colour is off; rich reads
            # NO_COLOR itself.
            extra.setdefault("color", False)
        try:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        except SystemExit:
            _flush_stdout()
            raise
        except Exception as exc:
            if not standalone_mode or self.debug:
                raise
            with suppress(OSError, ValueError):
                click.echo(f"Error: {describe_unexpected(exc)} (run with --debug for the traceback)", err=True)
            _flush_stdout()
            sys.exit(EXIT_FAILURE)


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
            raise CLIError(f"{exc}; {_index_hint(str(exc))}") from exc

    def synchronizer(self, index: Index) -> Synchronizer:
        sync = Synchronizer(
            index,
            self.root,
            workers=self.config.index.workers,
            max_bytes=self.config.index.max_note_bytes,
            config_dir=self.config.obsidian.config_dir,
        )
        return sync

    def sync(self, index: Index, quiet: bool = False) -> SyncResult:
        """Bring ``index`` up to date with the vault, with a progress bar on a terminal."""
        return run_full_sync(self.synchronizer(index), progress_wanted(quiet))


def resolve_session(vault: str | None, config_path: str | None, db: str | None) -> Session:
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        raise CLIError(str(exc)) from exc
    obsidian_dir = _obsidian_dir_option()
    if obsidian_dir:
        config = replace_config_dir(config, obsidian_dir)
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
        db_path = config.path(config.index.db)
    else:
        db_path = default_db_path(root)
    _LastSession.db_path = db_path
    # Every settings loader of this process now honours gardend.toml's overrides for this vault.
    bind_config(root, config, "--obsidian-dir" if obsidian_dir else None)
    return Session(config=config, root=root, db_path=db_path)


_OBSIDIAN_DIR_KEY = "gardend.obsidian_dir"


def _remember_obsidian_dir(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    """``--obsidian-dir`` is not a parameter of each command: it is kept in the context and read
    by :func:`resolve_session`, so adding it changed no command's signature."""
    if value is None:
        return
    problem = check_config_dir_name(value)
    if problem:
        raise click.BadParameter(problem)
    ctx.meta[_OBSIDIAN_DIR_KEY] = value


def _obsidian_dir_option() -> str | None:
    ctx = click.get_current_context(silent=True)
    return None if ctx is None else ctx.meta.get(_OBSIDIAN_DIR_KEY)


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
    return obsidian_dir_option(func)


def obsidian_dir_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--obsidian-dir NAME``: kept in the click context, not passed to the command."""
    return click.option(
        "--obsidian-dir", metavar="NAME", expose_value=False, callback=_remember_obsidian_dir,
        help="The vault's Obsidian config folder, if renamed (default: obsidian.config_dir, .obsidian).",
    )(func)


def quiet_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--quiet/-q``: no progress bar, and less chatter (``help_text`` says what exactly)."""
    return click.option("--quiet", "-q", is_flag=True, help=help_text)


def setup_logging(verbose: bool, quiet: bool) -> None:
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)


@click.group(cls=GardendGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gardend")
@click.option(
    "--debug", is_flag=True,
    help=f"Show the full traceback of an unexpected error (also: {DEBUG_ENV}=1).",
)
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """gardend — an always-running backend for an Obsidian vault: index, Dataview queries,
    preview and Digital Garden publishing, with no Obsidian running.

    Exit status: 0 success, 1 findings or failure, 2 usage error.
    """
    if debug and isinstance(ctx.command, GardendGroup):
        ctx.command.debug = True


def quiet_broken_pipe() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(0)


def config_relative(session: Session, value: str, from_option: bool) -> Path:
    """A path from an option (relative to the working directory) or from gardend.toml (relative
    to that file)."""
    return Path(value).expanduser().resolve() if from_option else session.config.path(value)


# ---------------------------------------------------------------------------------------------
# completion


def completion_script(shell: str, prog_name: str = "gardend") -> str:
    """The completion script for ``shell``, made in-process by click's own machinery: the same
    text ``_GARDEND_COMPLETE=bash_source gardend`` prints, without needing the script on PATH."""
    from click.shell_completion import get_completion_class

    cls = get_completion_class(shell)
    if cls is None:  # pragma: no cover - SHELLS lists only shells click supports
        raise click.UsageError(f"unsupported shell {shell!r}; choose one of {', '.join(SHELLS)}")
    return cls(main, {}, prog_name, COMPLETE_VAR).source()


@main.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
def completion_cmd(shell: str) -> None:
    """Print the shell completion script for SHELL (bash, zsh or fish).

    \b
    bash:  echo 'eval "$(gardend completion bash)"' >> ~/.bashrc
    zsh:   echo 'eval "$(gardend completion zsh)"' >> ~/.zshrc
    fish:  gardend completion fish > ~/.config/fish/completions/gardend.fish
    """
    click.echo(completion_script(shell).rstrip("\n"))

"""`gardend datasette`: explore the index database in Datasette.

How the database is opened, and why not ``--immutable``: Datasette opens a file passed as a plain
argument with read-only SQLite connections (``file:…?mode=ro``) and only ever writes through
writable canned queries or plugins. gardend's metadata defines no writable query, so Datasette
never changes the index, while it still sees every change the daemon (``gardend serve``) or a later
``gardend index`` commits: SQLite's WAL lets a read-only reader and the daemon's writer work at
once. ``--immutable`` (``?immutable=1``) would be wrong here: it tells SQLite the file never
changes, so it skips locking and change detection, and Datasette caches row counts — a live
index being written meanwhile could give stale or even inconsistent reads.

Datasette runs as ``sys.executable -m datasette`` so it comes from the same environment as
gardend (the ``datasette`` extra). gardend *execs* it rather than waiting on a child process, so
Ctrl-C or a service manager's SIGTERM reach Datasette directly and no wrapper can die leaving an
orphaned server. Because nothing runs after the exec to delete a temporary file, the metadata
(from :mod:`gardend.daemon.datasette_meta`) is written to the vault's state folder instead, next
to the default index, and rewritten on every start.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from ..config import vault_state_dir
from .app import CLIError, Session, common_options, main, resolve_session

MISSING_DATASETTE = "Datasette is not installed; install the extra: pip install 'gardend[datasette]'"


def datasette_installed() -> bool:
    """Whether ``import datasette`` works in this interpreter (the one Datasette will run in)."""
    try:
        import datasette  # noqa: F401
    except ImportError:
        return False
    return True


def database_name(db_path: Path) -> str:
    """The name Datasette gives the database: its file name without the extension."""
    return db_path.stem


def datasette_argv(db_path: Path, metadata_path: Path, host: str, port: int, get: str | None) -> list[str]:
    """The Datasette command line: plain (read-only, mutable) file, our metadata, host and port."""
    argv = [sys.executable, "-m", "datasette", "serve", str(db_path), "--metadata", str(metadata_path),
            "--host", host, "--port", str(port)]
    if get is not None:
        argv += ["--get", get]
    return argv


def metadata_file(session: Session) -> Path:
    """Where the metadata is written for Datasette to read: the vault's state folder, one file per
    database name (Datasette keys metadata by it), rewritten on every start."""
    return vault_state_dir(session.root) / f"datasette-{database_name(session.db_path)}.json"


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _sync(session: Session) -> None:
    with session.open_index() as index:
        session.synchronizer(index).full_sync()


@main.command("datasette")
@common_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Address Datasette binds to.")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535),
              help="Port (0: any free port).")
@click.option("--no-sync", is_flag=True, help="Open the index as it is, without updating it from the vault first.")
@click.option("--metadata-out", type=click.Path(dir_okay=False, allow_dash=True),
              help="Write the Datasette metadata JSON to FILE ('-': standard output) and exit without serving.")
@click.option("--get", "get_path", metavar="PATH",
              help="Answer one request for PATH (e.g. /index.json), print it and exit (Datasette's --get).")
def datasette_cmd(vault: str | None, config_path: str | None, db: str | None, host: str, port: int,
                  no_sync: bool, metadata_out: str | None, get_path: str | None) -> None:
    """Explore VAULT's index in Datasette (read-only), with table descriptions, facets and canned
    queries (broken links, orphans, notes by tag, unpublished notes linked from published ones).

    Updates the index from the vault first unless --no-sync. Needs the extra:
    pip install 'gardend[datasette]'.
    """
    from ..datasette_meta import build_metadata

    session = resolve_session(vault, config_path, db)
    metadata = build_metadata(database_name(session.db_path), vault_name=session.root.name)
    text = json.dumps(metadata, indent=2, ensure_ascii=False) + "\n"
    if metadata_out is not None:
        if metadata_out == "-":
            click.echo(text, nl=False)
        else:
            Path(metadata_out).write_text(text, encoding="utf-8")
        return
    if not datasette_installed():
        raise CLIError(MISSING_DATASETTE)
    if not no_sync:
        _sync(session)
    elif not session.db_path.is_file():
        raise CLIError(f"{session.db_path}: no index yet; run without --no-sync (or `gardend index`) first")
    metadata_path = metadata_file(session)
    _write_atomically(metadata_path, text)
    argv = datasette_argv(session.db_path, metadata_path, host, port, get_path)
    sys.stdout.flush()
    sys.stderr.flush()
    # exec, not a child process: signals (Ctrl-C, a service manager's SIGTERM) reach Datasette
    # itself, and no gardend process lingers that could die and orphan the server.
    os.execv(sys.executable, argv)

"""Commands that index and inspect the vault: index, watch, export, check.

Every one brings the index up to date first (unless ``--no-sync``), with a progress bar on a
terminal; ``--quiet`` drops the bar and the summary lines, never the data or the errors.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from pathlib import Path

import click

from ..check import collect_findings, exit_status, findings_json
from ..index import Index
from ..progress import progress_wanted, run_full_sync
from ..sync import SyncResult
from ..vault import VaultError
from .app import (
    CLIError,
    Session,
    common_options,
    log,
    main,
    quiet_broken_pipe,
    quiet_option,
    resolve_session,
    setup_logging,
)

# ---------------------------------------------------------------------------------------------
# index


def _summary(result: SyncResult, seconds: float, index: Index) -> str:
    rate = f", {result.scanned / seconds:,.0f} notes/s" if result.scanned and seconds > 0 else ""
    broken = index.conn.execute("SELECT COUNT(*) FROM links WHERE target_path IS NULL").fetchone()[0]
    errors = index.conn.execute("SELECT COUNT(*) FROM diagnostics WHERE severity = 'error'").fetchone()[0]
    parts = [
        f"{result.notes_total:,} notes, {result.files_total - result.notes_total:,} other files",
        f"scanned {result.scanned:,}, unchanged {result.unchanged:,}, removed {result.deleted:,}",
        f"{seconds:.2f} s{rate}",
    ]
    tail = []
    if broken:
        tail.append(f"{broken:,} unresolved links")
    if errors:
        tail.append(f"{errors:,} notes with errors")
    if result.problems:
        tail.append(f"{len(result.problems):,} unreadable paths")
    line = "indexed " + "; ".join(parts)
    if tail:
        line += " — " + ", ".join(tail) + " (see `gardend check`)"
    return line


@main.command("index")
@common_options
@quiet_option("No progress bar, no summary line (warnings and errors still go to standard error).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
def index_cmd(vault: str | None, config_path: str | None, db: str | None, quiet: bool, as_json: bool) -> None:
    """Bring the index of VAULT up to date (one-shot) and print a summary.

    Exit status 0 when the index is up to date, even with broken links or invalid YAML in notes
    (`gardend check` reports those); 1 when the vault or the index cannot be used.
    """
    session = resolve_session(vault, config_path, db)
    with session.open_index() as index:
        sync = session.synchronizer(index)
        for problem in sync.reload_settings():
            click.echo(f"warning: {problem}", err=True)
        started = time.perf_counter()
        try:
            result = run_full_sync(sync, show_progress=progress_wanted(quiet))
        except VaultError as exc:
            raise CLIError(str(exc)) from exc
        seconds = time.perf_counter() - started
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "vault": str(session.root),
                        "db": str(session.db_path),
                        "notes": result.notes_total,
                        "files": result.files_total,
                        "scanned": result.scanned,
                        "unchanged": result.unchanged,
                        "removed": result.deleted,
                        "seconds": round(seconds, 3),
                    }
                )
            )
        elif not quiet:
            click.echo(_summary(result, seconds, index))


# ---------------------------------------------------------------------------------------------
# watch


@main.command("watch")
@common_options
@click.option("--polling", is_flag=True, help="Poll the file system instead of using inotify/FSEvents.")
@click.option("--verbose", "-v", is_flag=True, help="Debug logging.")
@quiet_option("No progress bar; log warnings and errors only.")
def watch_cmd(
    vault: str | None, config_path: str | None, db: str | None, polling: bool, verbose: bool, quiet: bool
) -> None:
    """Index VAULT, then keep the index current as files change, until interrupted.

    Logs one line per updated note on standard error. Exit status 0 after Ctrl-C or SIGTERM.
    """
    setup_logging(verbose, quiet=quiet)
    session = resolve_session(vault, config_path, db)
    with session.open_index() as index:
        sync = session.synchronizer(index)
        for problem in sync.reload_settings():
            log.warning(problem)
        started = time.perf_counter()
        result = run_full_sync(sync, show_progress=progress_wanted(quiet))
        log.info(_summary(result, time.perf_counter() - started, index))
        from ..watcher import VaultWatcher, WatchOptions  # watchdog: only for `watch`

        cfg = session.config.watch
        options = WatchOptions(
            debounce_ms=cfg.debounce_ms,
            max_batch_ms=cfg.max_batch_ms,
            polling=polling or cfg.polling,
            poll_interval_s=cfg.poll_interval_s,
            settle_s=cfg.settle_ms / 1000,
            reconcile_interval_s=cfg.reconcile_interval_s,
        )

        def on_batch(batch: SyncResult) -> None:
            for path in batch.changed_paths:
                log.info("updated %s", path)

        watcher = VaultWatcher(sync, options, on_batch=on_batch, ignore_paths=(session.db_path,))
        stop = threading.Event()

        def _signal(signum: int, _frame: object) -> None:
            stop.set()

        signal.signal(signal.SIGINT, _signal)
        signal.signal(signal.SIGTERM, _signal)
        watcher.start()
        log.info("watching %s (%s events); index %s", session.root, watcher.mode, session.db_path)
        try:
            while not stop.wait(0.5):
                pass
        finally:
            watcher.stop()
            log.info("stopped")


# ---------------------------------------------------------------------------------------------
# export / check / info


@main.command("export")
@common_options
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write to a file instead of stdout.")
@click.option("--no-sync", is_flag=True, help="Export the index as it is, without syncing it with the vault first.")
@quiet_option("No progress bar.")
def export_cmd(
    vault: str | None, config_path: str | None, db: str | None, output: str | None, no_sync: bool, quiet: bool
) -> None:
    """Print the index of VAULT as JSON Lines: one object per note, sorted by path.

    The output is already JSON (one object a line, deterministic), so there is no --json.
    """
    from ..export import write_export

    session = resolve_session(vault, config_path, db)
    with session.open_index() as index:
        if not no_sync:
            session.sync(index, quiet)
        if output:
            with open(output, "w", encoding="utf-8", newline="\n") as fh:
                write_export(index, fh)
        else:
            out = sys.stdout
            try:
                write_export(index, out)
                out.flush()
            except BrokenPipeError:
                quiet_broken_pipe()


@main.command("check")
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print findings as a JSON array.")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too, not only on errors.")
@click.option("--no-sync", is_flag=True, help="Check the index as it is, without syncing it first.")
@click.option("--leaks", is_flag=True,
              help="Audit the publish output for text of unpublished notes instead (exit 1 on a finding).")
@click.option("--repo", type=click.Path(file_okay=False), help="With --leaks: also audit this garden clone (HEAD and unpushed commits).")
@click.option("--site", "site_dir", type=click.Path(file_okay=False), help="With --leaks: also audit this built static site.")
@click.option("--mode", type=click.Choice(["safe", "plugin"]), help="With --leaks: compile mode (default: publish.mode).")
@quiet_option("No progress bar and no closing count line; the findings are still printed.")
def check_cmd(
    vault: str | None, config_path: str | None, db: str | None, as_json: bool, strict: bool, no_sync: bool,
    leaks: bool, repo: str | None, site_dir: str | None, mode: str | None, quiet: bool,
) -> None:
    """Report YAML errors, broken and ambiguous links, duplicate block ids and unreadable files.

    Exit status 1 when errors are found (or warnings, with --strict). With --leaks: report
    private text (of notes without dg-publish) found in what publishing would write.
    """
    if not leaks and (repo or site_dir or mode):
        raise click.UsageError("--repo, --site and --mode go with --leaks")
    session = resolve_session(vault, config_path, db)
    if leaks:
        _check_leaks(session, no_sync, as_json, repo, site_dir, mode, quiet)
        return
    with session.open_index() as index:
        sync = session.synchronizer(index)
        settings_problems = sync.reload_settings()
        if not no_sync:
            run_full_sync(sync, progress_wanted(quiet))
        findings = collect_findings(index)
    if as_json:
        click.echo(findings_json(findings))
    else:
        for problem in settings_problems:
            click.echo(f"warning: {problem}")
        for finding in findings:
            click.echo(finding.as_text())
        counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}
        if not quiet:
            click.echo(f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} notices", err=True)
    sys.exit(exit_status(findings, strict))


def _check_leaks(session: Session, no_sync: bool, as_json: bool, repo: str | None, site_dir: str | None,
                 mode: str | None, quiet: bool) -> None:
    """``check --leaks``: local output, so vault paths and excerpts are printed on purpose."""
    from dataclasses import asdict

    from ..publish.gitsync import PublishError
    from ..publish.leaks import check_leaks
    from ..publish.settings import load_garden_settings

    with session.open_index() as index:
        if not no_sync:
            session.sync(index, quiet)
        try:
            found = check_leaks(
                index, session.root, load_garden_settings(session.root), mode or session.config.publish.mode,
                session.config.obsidian.config_dir,
                repo=Path(repo).expanduser().resolve() if repo else None,
                site=Path(site_dir).expanduser().resolve() if site_dir else None,
            )
        except PublishError as exc:
            raise CLIError(str(exc)) from exc
    if as_json:
        click.echo(json.dumps([asdict(leak) for leak in found], ensure_ascii=False, indent=2))
    else:
        for leak in found:
            click.echo(leak.as_text())
        notes = len({leak.source_note for leak in found})
        if not quiet:
            click.echo(f"{len(found)} leaks of {notes} unpublished notes", err=True)
    sys.exit(1 if found else 0)

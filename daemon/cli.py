"""The `gardend` command line. Thin: parse options, open the vault and index, call the modules.

Exit codes: 0 success, 1 findings or failure, 2 usage errors (click's convention).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from . import __version__
from .check import collect_findings, exit_status, findings_json
from .config import Config, ConfigError, default_db_path, load_config, state_home, vault_state_dir
from .export import write_export
from .index import Index, IndexOpenError
from .progress import run_full_sync
from .sync import Synchronizer, SyncResult
from .vault import VaultError
from .watcher import VaultWatcher, WatchOptions

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


def _resolve_session(vault: str | None, config_path: str | None, db: str | None) -> Session:
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


def _setup_logging(verbose: bool, quiet: bool) -> None:
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gardend")
def main() -> None:
    """gardend — an always-running backend for an Obsidian vault: index, Dataview queries,
    preview and Digital Garden publishing, with no Obsidian running."""


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
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def index_cmd(vault: str | None, config_path: str | None, db: str | None, quiet: bool, as_json: bool) -> None:
    """Bring the index of VAULT up to date (one-shot) and print a summary."""
    session = _resolve_session(vault, config_path, db)
    with session.open_index() as index:
        sync = session.synchronizer(index)
        for problem in sync.reload_settings():
            click.echo(f"warning: {problem}", err=True)
        started = time.perf_counter()
        try:
            result = run_full_sync(sync, show_progress=not quiet and not as_json and sys.stderr.isatty())
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
def watch_cmd(vault: str | None, config_path: str | None, db: str | None, polling: bool, verbose: bool) -> None:
    """Index VAULT, then keep the index current as files change, until interrupted."""
    _setup_logging(verbose, quiet=False)
    session = _resolve_session(vault, config_path, db)
    with session.open_index() as index:
        sync = session.synchronizer(index)
        for problem in sync.reload_settings():
            log.warning(problem)
        started = time.perf_counter()
        result = run_full_sync(sync, show_progress=sys.stderr.isatty())
        log.info(_summary(result, time.perf_counter() - started, index))
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
    from .serve import ServeError, run_server

    _setup_logging(verbose, quiet=False)
    session = _resolve_session(vault, config_path, db)
    try:
        run_server(
            session.root, session.db_path, host, port, session.config, allowed_hosts=allow_hosts, polling=polling
        )
    except (ServeError, IndexOpenError, VaultError) as exc:
        raise CLIError(str(exc)) from exc


# ---------------------------------------------------------------------------------------------
# export / check / info


@main.command("export")
@common_options
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write to a file instead of stdout.")
@click.option("--no-sync", is_flag=True, help="Export the index as it is, without syncing it with the vault first.")
def export_cmd(vault: str | None, config_path: str | None, db: str | None, output: str | None, no_sync: bool) -> None:
    """Print the index of VAULT as JSON Lines: one object per note, sorted by path."""
    session = _resolve_session(vault, config_path, db)
    with session.open_index() as index:
        if not no_sync:
            session.synchronizer(index).full_sync()
        if output:
            with open(output, "w", encoding="utf-8", newline="\n") as fh:
                write_export(index, fh)
        else:
            out = sys.stdout
            try:
                write_export(index, out)
                out.flush()
            except BrokenPipeError:
                _quiet_broken_pipe()


def _quiet_broken_pipe() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(0)


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
def check_cmd(
    vault: str | None, config_path: str | None, db: str | None, as_json: bool, strict: bool, no_sync: bool,
    leaks: bool, repo: str | None, site_dir: str | None, mode: str | None,
) -> None:
    """Report YAML errors, broken and ambiguous links, duplicate block ids and unreadable files.

    Exit status 1 when errors are found (or warnings, with --strict). With --leaks: report
    private text (of notes without dg-publish) found in what publishing would write.
    """
    session = _resolve_session(vault, config_path, db)
    if leaks:
        _check_leaks(session, no_sync, as_json, repo, site_dir, mode)
        return
    with session.open_index() as index:
        sync = session.synchronizer(index)
        settings_problems = sync.reload_settings()
        if not no_sync:
            sync.full_sync()
        findings = collect_findings(index)
    if as_json:
        click.echo(findings_json(findings))
    else:
        for problem in settings_problems:
            click.echo(f"warning: {problem}")
        for finding in findings:
            click.echo(finding.as_text())
        counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}
        click.echo(f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} notices", err=True)
    sys.exit(exit_status(findings, strict))


def _check_leaks(session: Session, no_sync: bool, as_json: bool, repo: str | None, site_dir: str | None,
                 mode: str | None) -> None:
    """``check --leaks``: local output, so vault paths and excerpts are printed on purpose."""
    from dataclasses import asdict

    from .publish.gitsync import PublishError
    from .publish.leaks import check_leaks
    from .publish.settings import load_garden_settings

    with session.open_index() as index:
        if not no_sync:
            session.synchronizer(index).full_sync()
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
        click.echo(f"{len(found)} leaks of {notes} unpublished notes", err=True)
    sys.exit(1 if found else 0)


# ---------------------------------------------------------------------------------------------
# query

QUERY_FORMATS = ("table", "json", "csv", "html", "markdown")


@main.command("query")
@click.argument("args", nargs=-1, required=True)
@click.option("--this", "this_note", help="The note that `this` means (vault path, with or without .md).")
@click.option(
    "--format", "fmt", type=click.Choice(QUERY_FORMATS), default="table", show_default=True,
    help="Output format.",
)
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Config file.")
@click.option("--db", type=click.Path(dir_okay=False), help="Index database path.")
@click.option("--no-sync", is_flag=True, help="Query the index as it is, without syncing it first.")
def query_cmd(
    args: tuple[str, ...], this_note: str | None, fmt: str, config_path: str | None, db: str | None, no_sync: bool
) -> None:
    """Run a Dataview (DQL) query: gardend query [VAULT] QUERY  (QUERY `-` reads standard input).

    Exit status 1 when the query fails (the output then holds Dataview's error message).
    """
    from ..renderers.dataview import render_html
    from ..renderers.dataview_json import dumps as json_dumps
    from ..renderers.dataview_markdown import MarkdownExportError, to_markdown
    from ..renderers.dataview_text import TextExportError, to_csv, to_text_table
    from .query.engine import QueryEngine
    from .query.results import QueryError

    if len(args) > 2:
        raise click.UsageError("expected [VAULT] QUERY; quote the query so it is one argument")
    vault, text = (args[0], args[1]) if len(args) == 2 else (None, args[0])
    if text == "-":
        text = sys.stdin.read()
    from .dataview_settings import load_dataview_settings

    session = _resolve_session(vault, config_path, db)
    dv = load_dataview_settings(session.root, session.config.obsidian.config_dir)
    for problem in dv.problems:
        click.echo(f"warning: {problem}", err=True)
    with session.open_index() as index:
        if not no_sync:
            session.synchronizer(index).full_sync()
        engine = QueryEngine(index, dv.query_settings())
        this_path = None
        if this_note:
            this_path = _find_note(engine, this_note)
        result = engine.run(text, this_path)
        try:
            if fmt == "json":
                out = json_dumps(result, indent=2)
            elif fmt == "html":
                out = render_html(
                    result, source_path=this_path or "", settings=dv.view_settings(),
                    link_renderer=_vault_link_renderer(session, index, engine),
                )
            elif fmt == "markdown":
                out = to_markdown(result, dv.value_settings())
            elif fmt == "csv":
                out = to_csv(result, dv.value_settings())
            else:
                out = to_text_table(result, dv.value_settings())
        except (MarkdownExportError, TextExportError) as exc:
            click.echo(str(exc), err=True)
            sys.exit(1)
    click.echo(out.rstrip("\n"))
    if isinstance(result, QueryError):
        sys.exit(1)


def _vault_link_renderer(session: Session, index: Index, engine: Any) -> Any:
    """Obsidian link markup resolved against the vault, with Metadata Menu's fileClass decoration."""
    from ..renderers.dataview import FileClass, ObsidianLinkRenderer
    from .fileclass import FileClassIndex, load_metadata_menu_settings

    classes = FileClassIndex(index, load_metadata_menu_settings(session.root, session.config.obsidian.config_dir))
    names = engine.pages.names

    def fileclass(path: str) -> FileClass | None:
        info = classes.class_of(path)
        return None if info is None else FileClass(info.name, info.icon)

    return ObsidianLinkRenderer(resolve=names.resolve_path, fileclass=fileclass)


def _find_note(engine: Any, name: str) -> str:
    """A vault path for --this: exact path, path + .md, or the note a link to NAME resolves to."""
    store = engine.pages
    for candidate in (name, name + ".md"):
        if store.id_for_path(candidate) is not None:
            return candidate
    resolved = store.names.resolve_path(name, "")
    if resolved is not None and store.id_for_path(resolved) is not None:
        return resolved
    raise CLIError(f"--this {name!r}: no such note in the vault")


# ---------------------------------------------------------------------------------------------
# status / publish


def _publish_repo(session: Session, repo: str | None) -> Path:
    value = repo or session.config.publish.repo
    if not value:
        raise click.UsageError("no garden repository: pass --repo PATH or set publish.repo in gardend.toml")
    path = Path(value).expanduser()
    if not path.is_absolute() and session.config.source and not repo:
        path = Path(session.config.source).parent / path
    return path.resolve()


def _publish_plan(session: Session, index: Index, repo: Path, mode: str | None) -> Any:
    from .publish.gitsync import plan_publish
    from .publish.settings import load_garden_settings

    settings = load_garden_settings(session.root)
    return plan_publish(
        index, session.root, repo, settings, (mode or session.config.publish.mode),  # type: ignore[arg-type]
        session.config.obsidian.config_dir,
    )


def _leak_gate(session: Session, index: Index, plan: Any, mode: str | None) -> None:
    """Before a publish: in safe mode refuse on any leak of an unpublished note (printed with
    where it is); in plugin mode print which unpublished notes the output exposes."""
    from .publish.leaks import publish_gate

    gate = publish_gate(index, session.root, plan, mode or session.config.publish.mode)
    for line in gate.lines:
        click.echo(line, err=True)
    if not gate.ok:
        raise CLIError("nothing was published: the output would expose unpublished notes (see above)")


@main.command("status")
@common_options
@click.option("--repo", type=click.Path(file_okay=False), help="Local clone of the garden repository.")
@click.option("--mode", type=click.Choice(["safe", "plugin"]), help="Compile mode (default: publish.mode).")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
def status_cmd(vault: str | None, config_path: str | None, db: str | None, repo: str | None, mode: str | None,
               as_json: bool) -> None:
    """Publication status: which published notes and assets are new, changed, published or to delete."""
    from .publish.gitsync import PublishError

    session = _resolve_session(vault, config_path, db)
    repo_path = _publish_repo(session, repo)
    with session.open_index() as index:
        session.synchronizer(index).full_sync()
        try:
            plan = _publish_plan(session, index, repo_path, mode)
        except PublishError as exc:
            raise CLIError(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(plan.as_json(), indent=2, ensure_ascii=False))
        return
    for label, items in (("new", [f.repo_path for f in plan.new]), ("changed", [f.repo_path for f in plan.changed]),
                         ("delete", plan.deleted)):
        for item in items:
            click.echo(f"{label:8} {item}")
    for error in plan.errors:
        click.echo(f"error    {error}", err=True)
    click.echo(plan.summary())


def _config_relative(session: Session, value: str, from_option: bool) -> Path:
    """A path from an option (relative to the working directory) or from gardend.toml (relative
    to that file)."""
    path = Path(value).expanduser()
    if not path.is_absolute() and session.config.source and not from_option:
        path = Path(session.config.source).parent / path
    return path.resolve()


@main.command("publish")
@common_options
@click.option("--repo", type=click.Path(file_okay=False), help="Local clone of the garden repository.")
@click.option("--mode", type=click.Choice(["safe", "plugin"]), help="Compile mode (default: publish.mode).")
@click.option("--dry-run", is_flag=True, help="Print the plan; change nothing.")
@click.option("--no-push", is_flag=True, help="Commit to the local clone without pushing.")
@click.option("--site", "site_dir", type=click.Path(file_okay=False),
              help="Also build the static site into this folder (default: publish.site_dir).")
@click.option("--base-url", help="Public URL of the static site, e.g. https://garden.example.org (default: publish.base_url).")
@click.option("--force", is_flag=True, help="Build the site into a non-empty folder that has no gardend manifest.")
def publish_cmd(vault: str | None, config_path: str | None, db: str | None, repo: str | None, mode: str | None,
                dry_run: bool, no_push: bool, site_dir: str | None, base_url: str | None, force: bool) -> None:
    """Publish the dg-publish notes: one commit with every add, change and delete, then push;
    with --site (or publish.site_dir), also write the static site.

    All or nothing: when any step fails the local clone is restored and nothing is pushed.
    With a site folder and no repository (no --repo, no publish.repo), only the site is built.
    """
    from .publish.gitsync import PublishError, apply_plan, commit_message
    from .site.static_build import SiteBuildError, build_static_site, normalise_base_url

    session = _resolve_session(vault, config_path, db)
    cfg = session.config.publish
    site_value = site_dir or cfg.site_dir
    site_path = _config_relative(session, site_value, bool(site_dir)) if site_value else None
    git_target = bool(repo or cfg.repo) or site_path is None
    repo_path = _publish_repo(session, repo) if git_target else None
    try:
        base = normalise_base_url(base_url if base_url is not None else cfg.base_url)
    except SiteBuildError as exc:
        raise click.UsageError(str(exc)) from exc
    with session.open_index() as index:
        session.synchronizer(index).full_sync()
        if repo_path is not None:
            try:
                plan = _publish_plan(session, index, repo_path, mode)
                if plan.errors:
                    for error in plan.errors:
                        click.echo(f"error: {error}", err=True)
                    raise CLIError("nothing was published: fix the errors above first")
                _leak_gate(session, index, plan, mode)
                if dry_run:
                    click.echo(commit_message(plan).rstrip("\n"))
                else:
                    report = apply_plan(
                        repo_path, plan, push=cfg.push and not no_push, remote=cfg.remote, branch=cfg.branch or None
                    )
                    if report.commit is None:
                        click.echo("nothing to publish: " + plan.summary())
                    else:
                        where = "pushed" if report.pushed else "committed locally"
                        click.echo(f"{where} {report.commit[:12]}: {plan.summary()}")
            except PublishError as exc:
                raise CLIError(str(exc)) from exc
        if site_path is None:
            return
        if dry_run:
            click.echo(f"would build the static site into {site_path}")
            return
        try:
            built = build_static_site(index, session.root, site_path, base_url=base,
                                      config_dir=session.config.obsidian.config_dir, force=force)
        except SiteBuildError as exc:
            raise CLIError(str(exc)) from exc
    for warning in built.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"site {site_path}: {built.summary()}")


# ---------------------------------------------------------------------------------------------
# render


@main.command("render")
@click.argument("args", nargs=-1, required=True)
@click.option("--published", is_flag=True, help="Render as the published site would (unpublished links and embeds hidden).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Config file.")
@click.option("--db", type=click.Path(dir_okay=False), help="Index database path.")
@click.option("--no-sync", is_flag=True, help="Render from the index as it is, without syncing it first.")
def render_cmd(args: tuple[str, ...], published: bool, config_path: str | None, db: str | None, no_sync: bool) -> None:
    """Print the HTML body of a note: gardend render [VAULT] NOTE."""
    from .render import NoteRenderer, RenderOptions

    if len(args) > 2:
        raise click.UsageError("expected [VAULT] NOTE")
    vault, note = (args[0], args[1]) if len(args) == 2 else (None, args[0])
    session = _resolve_session(vault, config_path, db)
    with session.open_index() as index:
        if not no_sync:
            session.synchronizer(index).full_sync()
        renderer = NoteRenderer(index, session.root, config_dir=session.config.obsidian.config_dir)
        path = _find_note(renderer.engine, note)
        options = RenderOptions(published=published, container="div" if published else "obsidian")
        click.echo(renderer.render(path, options).html.rstrip("\n"))


@main.command("info")
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def info_cmd(vault: str | None, config_path: str | None, db: str | None, as_json: bool) -> None:
    """Show the paths gardend uses for VAULT (config, index database, state) and index counts."""
    session = _resolve_session(vault, config_path, db)
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


if __name__ == "__main__":  # pragma: no cover
    main()

"""Publishing commands: status and publish."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..index import Index
from .app import (
    CLIError,
    Session,
    common_options,
    config_relative,
    main,
    resolve_session,
)

if TYPE_CHECKING:
    from ..publish.leaks import BackgroundCut

# ---------------------------------------------------------------------------------------------
# status / publish


def _publish_repo(session: Session, repo: str | None) -> Path:
    value = repo or session.config.publish.repo
    if not value:
        raise click.UsageError("no garden repository: pass --repo PATH or set publish.repo in gardend.toml")
    return config_relative(session, value, from_option=bool(repo))


def _publish_plan(session: Session, index: Index, repo: Path, mode: str | None) -> Any:
    from ..publish.gitsync import plan_publish
    from ..publish.settings import load_garden_settings

    settings = load_garden_settings(session.root, session.config.obsidian.config_dir)
    return plan_publish(
        index, session.root, repo, settings, (mode or session.config.publish.mode),  # type: ignore[arg-type]
        session.config.obsidian.config_dir,
    )


def _leak_gate(session: Session, index: Index, plan: Any, mode: str | None, show: bool = False,
               cutting: BackgroundCut | None = None) -> None:
    """Before a publish: in safe mode refuse on any leak of an unpublished note (printed with
    where it is); in plugin mode print which unpublished notes the output exposes. ``cutting``
    (:func:`~gardend.daemon.publish.leaks.cut_in_background`) audits when it can."""
    from ..progress import progress_bar
    from ..publish.leaks import publish_gate

    with progress_bar("checking for leaks of unpublished notes", show and not plan.empty, counted=False):
        gate = publish_gate(index, session.root, plan, mode or session.config.publish.mode, cutting)
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
    from ..publish.gitsync import PublishError

    session = resolve_session(vault, config_path, db)
    repo_path = _publish_repo(session, repo)
    with session.open_index() as index:
        session.synchronizer(index).full_sync()
        try:
            plan = _publish_plan(session, index, repo_path, mode)
        except PublishError as exc:
            raise CLIError(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(plan.as_json(), indent=2, ensure_ascii=False))
    else:
        for label, items in (("new", [f.repo_path for f in plan.new]),
                             ("changed", [f.repo_path for f in plan.changed]), ("delete", plan.deleted)):
            for item in items:
                click.echo(f"{label:8} {item}")
        for notice in plan.notices:
            click.echo(f"notice   {notice}", err=True)
        for error in plan.errors:
            click.echo(f"error    {error}", err=True)
        click.echo(plan.summary())
    if plan.errors:
        sys.exit(1)  # a publish now would fail: say so to scripts too


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
@click.option("--json", "as_json", is_flag=True,
              help="Print what was done as one JSON object: plan, commit, pushed, site (errors stay on standard error).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
def publish_cmd(vault: str | None, config_path: str | None, db: str | None, repo: str | None, mode: str | None,
                dry_run: bool, no_push: bool, site_dir: str | None, base_url: str | None, force: bool,
                as_json: bool, quiet: bool) -> None:
    """Publish the dg-publish notes: one commit with every add, change and delete, then push;
    with --site (or publish.site_dir), also write the static site.

    All or nothing: when any step fails the local clone is restored and nothing is pushed.
    With a site folder and no repository (no --repo, no publish.repo), only the site is built.
    """
    from ..publish.credentials import CredentialError, push_auth
    from ..publish.gitsync import PublishError, apply_plan, commit_message

    session = resolve_session(vault, config_path, db)
    cfg = session.config.publish
    site_value = site_dir or cfg.site_dir
    site_path = config_relative(session, site_value, bool(site_dir)) if site_value else None
    git_target = bool(repo or cfg.repo) or site_path is None
    repo_path = _publish_repo(session, repo) if git_target else None
    base_value = base_url if base_url is not None else cfg.base_url
    base = None
    if site_path is not None or (base_value and base_value.strip()):
        # The static site builder (aiohttp, jinja2, the site's routes) loads only when used: a
        # third of a republish's start-up otherwise.
        from ..site.static_build import SiteBuildError, normalise_base_url

        try:
            base = normalise_base_url(base_value)
        except SiteBuildError as exc:
            raise click.UsageError(str(exc)) from exc
    from ..progress import progress_bar, progress_wanted, run_full_sync

    show = progress_wanted(quiet)
    say = (lambda _line: None) if as_json else click.echo  # --json: the one object below instead
    done: dict[str, Any] = {"repo": str(repo_path) if repo_path else None, "dry_run": dry_run, "plan": None,
                            "commit": None, "pushed": False, "site": None}
    with session.open_index() as index:
        run_full_sync(session.synchronizer(index), show)
        if repo_path is not None:
            from ..publish.leaks import cut_in_background

            try:
                # Markers of unpublished notes are cut in a child process while this one compiles.
                with cut_in_background(index, session.root) as cutting:
                    with progress_bar("compiling published notes", show, counted=False):
                        plan = _publish_plan(session, index, repo_path, mode)
                    done["plan"] = plan.as_json()
                    for notice in plan.notices:
                        click.echo(f"notice: {notice}", err=True)
                    if plan.errors:
                        for error in plan.errors:
                            click.echo(f"error: {error}", err=True)
                        raise CLIError("nothing was published: fix the errors above first")
                    _leak_gate(session, index, plan, mode, show, cutting)
                if dry_run:
                    done["commit_message"] = commit_message(plan)
                    say(commit_message(plan).rstrip("\n"))
                else:
                    pushing = cfg.push and not no_push
                    try:
                        # No progress display here: git may ask for credentials on the terminal.
                        with push_auth(repo_path, cfg.remote, root=session.root, enabled=pushing and cfg.use_plugin_token,
                                       config_dir=session.config.obsidian.config_dir) as auth:
                            report = apply_plan(
                                repo_path, plan, push=pushing, remote=cfg.remote, branch=cfg.branch or None, auth=auth
                            )
                    except CredentialError as exc:
                        raise CLIError(f"nothing was published: {exc}") from None
                    done["commit"], done["pushed"] = report.commit, report.pushed
                    if report.commit is None:
                        say("nothing to publish: " + plan.summary())
                    else:
                        where = "pushed" if report.pushed else "committed locally"
                        say(f"{where} {report.commit[:12]}: {plan.summary()}")
            except PublishError as exc:
                raise CLIError(str(exc)) from exc
        if site_path is not None and dry_run:
            done["site"] = {"path": str(site_path), "built": False}
            say(f"would build the static site into {site_path}")
        elif site_path is not None:
            from ..site.static_build import SiteBuildError, build_static_site

            try:
                with progress_bar("building the site", show) as callback:
                    built = build_static_site(index, session.root, site_path, base_url=base,
                                              config_dir=session.config.obsidian.config_dir, force=force,
                                              progress=callback, mode=mode or cfg.mode)
            except SiteBuildError as exc:
                raise CLIError(str(exc)) from exc
            for warning in built.warnings:
                click.echo(f"warning: {warning}", err=True)
            done["site"] = {"path": str(site_path), "built": True, "rendered": built.rendered,
                            "written": built.written, "unchanged_count": len(built.unchanged), "removed": built.removed,
                            "warnings": built.warnings}
            say(f"site {site_path}: {built.summary()}")
    if as_json:
        click.echo(json.dumps(done, indent=2, ensure_ascii=False))

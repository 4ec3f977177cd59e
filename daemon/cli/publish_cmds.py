"""Publishing commands: status and publish."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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
    from ..publish.gitsync import plan_publish
    from ..publish.settings import load_garden_settings

    settings = load_garden_settings(session.root)
    return plan_publish(
        index, session.root, repo, settings, (mode or session.config.publish.mode),  # type: ignore[arg-type]
        session.config.obsidian.config_dir,
    )


def _leak_gate(session: Session, index: Index, plan: Any, mode: str | None) -> None:
    """Before a publish: in safe mode refuse on any leak of an unpublished note (printed with
    where it is); in plugin mode print which unpublished notes the output exposes."""
    from ..publish.leaks import publish_gate

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
        return
    for label, items in (("new", [f.repo_path for f in plan.new]), ("changed", [f.repo_path for f in plan.changed]),
                         ("delete", plan.deleted)):
        for item in items:
            click.echo(f"{label:8} {item}")
    for error in plan.errors:
        click.echo(f"error    {error}", err=True)
    click.echo(plan.summary())


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
    from ..publish.gitsync import PublishError, apply_plan, commit_message
    from ..site.static_build import SiteBuildError, build_static_site, normalise_base_url

    session = resolve_session(vault, config_path, db)
    cfg = session.config.publish
    site_value = site_dir or cfg.site_dir
    site_path = config_relative(session, site_value, bool(site_dir)) if site_value else None
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

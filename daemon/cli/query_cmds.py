"""Commands that read the index through the query engine and renderer: query, render."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from ..index import Index
from .app import (
    CLIError,
    Session,
    main,
    obsidian_dir_option,
    quiet_option,
    resolve_session,
)

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
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Config file.")
@click.option("--db", type=click.Path(dir_okay=False), help="Index database path.")
@click.option("--no-sync", is_flag=True, help="Query the index as it is, without syncing it first.")
@obsidian_dir_option
@quiet_option("No progress bar.")
def query_cmd(
    args: tuple[str, ...], this_note: str | None, fmt: str, as_json: bool, config_path: str | None, db: str | None,
    no_sync: bool, quiet: bool,
) -> None:
    """Run a Dataview (DQL) query: gardend query [VAULT] QUERY  (QUERY `-` reads standard input).

    Exit status 1 when the query fails (the output then holds Dataview's error message).
    """
    from ...renderers.dataview import render_html
    from ...renderers.dataview_json import dumps as json_dumps
    from ...renderers.dataview_markdown import MarkdownExportError, to_markdown
    from ...renderers.dataview_text import TextExportError, to_csv, to_text_table
    from ..query.engine import QueryEngine
    from ..query.results import QueryError

    if len(args) > 2:
        raise click.UsageError("expected [VAULT] QUERY; quote the query so it is one argument")
    if as_json:
        if fmt not in ("table", "json"):
            raise click.UsageError(f"--json and --format {fmt} disagree; give one of them")
        fmt = "json"
    vault, text = (args[0], args[1]) if len(args) == 2 else (None, args[0])
    if text == "-":
        text = sys.stdin.read()
    from ..dataview_settings import load_dataview_settings

    session = resolve_session(vault, config_path, db)
    dv = load_dataview_settings(session.root, session.config.obsidian.config_dir)
    for problem in dv.problems:
        click.echo(f"warning: {problem}", err=True)
    with session.open_index() as index:
        if not no_sync:
            session.sync(index, quiet)
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
    from ...renderers.dataview import FileClass, ObsidianLinkRenderer
    from ..fileclass import FileClassIndex, load_metadata_menu_settings

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
# render


@main.command("render")
@click.argument("args", nargs=-1, required=True)
@click.option("--published", is_flag=True,
              help="Render as the published site would (safe mode: unpublished links and embeds hidden).")
@click.option("--mode", type=click.Choice(["safe", "plugin"]),
              help="With --published: what the published view shows (default: publish.mode).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Config file.")
@click.option("--db", type=click.Path(dir_okay=False), help="Index database path.")
@click.option("--no-sync", is_flag=True, help="Render from the index as it is, without syncing it first.")
@obsidian_dir_option
@click.option("--json", "as_json", is_flag=True,
              help="Print a JSON object: path, html, headings, dependencies, footnotes.")
@quiet_option("No progress bar.")
def render_cmd(
    args: tuple[str, ...], published: bool, mode: str | None, config_path: str | None, db: str | None,
    no_sync: bool, as_json: bool, quiet: bool,
) -> None:
    """Print the HTML body of a note: gardend render [VAULT] NOTE.

    NOTE is a vault path (with or without .md) or a name a wikilink would resolve. Exit status 1
    when there is no such note.
    """
    from ..render import NoteRenderer, RenderOptions

    if len(args) > 2:
        raise click.UsageError("expected [VAULT] NOTE")
    vault, note = (args[0], args[1]) if len(args) == 2 else (None, args[0])
    session = resolve_session(vault, config_path, db)
    with session.open_index() as index:
        if not no_sync:
            session.sync(index, quiet)
        renderer = NoteRenderer(index, session.root, config_dir=session.config.obsidian.config_dir)
        path = _find_note(renderer.engine, note)
        plugin_mode = published and (mode or session.config.publish.mode) == "plugin"
        options = RenderOptions(published=published, container="div" if published else "obsidian",
                                expose_unpublished=plugin_mode)
        rendered = renderer.render(path, options)
    if as_json:
        click.echo(json.dumps({
            "path": path,
            "published": published,
            "html": rendered.html,
            "headings": [{"level": h.level, "text": h.text, "id": h.id} for h in rendered.headings],
            "dependencies": rendered.dependencies,
            "footnotes": rendered.footnotes,
        }, ensure_ascii=False, indent=2))
    else:
        click.echo(rendered.html.rstrip("\n"))

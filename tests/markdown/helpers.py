"""A fake vault context for renderer tests: files in a dict (or on disk), resolved with the
daemon's real link resolution."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gardend.daemon.links import file_lookup_name, resolve
from gardend.renderers.dataview import FileClass
from gardend.renderers.markdown import RenderContext, RenderedNote, render_markdown


def vault_context(
    files: dict[str, str],
    *,
    published: Callable[[str], bool] | None = None,
    published_view: bool = False,
    fileclasses: dict[str, FileClass] | None = None,
    strict: bool = False,
    max_depth: int = 4,
    query: Callable[[str, str, str], object] | None = None,
) -> RenderContext:
    """A context over ``files`` (vault path → text; non-Markdown files may map to "")."""
    table: dict[str, list[str]] = {}
    for path in files:
        table.setdefault(file_lookup_name(path), []).append(path)

    def resolver(linkpath: str, source: str) -> str | None:
        return resolve(linkpath, source, table).path

    def note_source(path: str) -> tuple[str, int] | None:
        text = files.get(path)
        return None if text is None else (text, 0)

    def href_for(target: str, subpath: str | None) -> str:
        return "/" + target + (subpath or "")

    kwargs: dict[str, object] = {}
    if query is not None:
        kwargs["render_query"] = query
    return RenderContext(
        resolve=resolver,
        note_source=note_source,
        href_for=href_for,
        is_published=published or (lambda p: True),
        published_view=published_view,
        fileclass=lambda p: (fileclasses or {}).get(p),
        strict_line_breaks=strict,
        max_embed_depth=max_depth,
        **kwargs,  # type: ignore[arg-type]
    )


def render(
    text: str, files: dict[str, str] | None = None, path: str = "Note.md", **kw: object
) -> str:
    """Render ``text`` as ``path`` in a vault holding ``files`` (plus the note itself)."""
    return render_note(text, files, path, **kw).html


def render_note(
    text: str, files: dict[str, str] | None = None, path: str = "Note.md", **kw: object
) -> RenderedNote:
    """Like :func:`render` but returning the whole :class:`RenderedNote`."""
    vault = dict(files or {})
    vault.setdefault(path, text)
    return render_markdown(text, vault_context(vault, **kw), path=path)  # type: ignore[arg-type]


def disk_files(root: Path) -> dict[str, str]:
    """Every file under ``root`` as vault path → text (binary files as "")."""
    out: dict[str, str] = {}
    for p in sorted(root.rglob("*")):
        if not p.is_file() or any(part.startswith(".") for part in p.relative_to(root).parts):
            continue
        rel = p.relative_to(root).as_posix()
        if p.suffix.lower() == ".md":
            out[rel] = p.read_text(encoding="utf-8", errors="replace")
        else:
            out[rel] = ""
    return out

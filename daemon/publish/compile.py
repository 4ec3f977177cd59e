"""The Digital Garden compile: a vault note → the file the plugin would commit
(digital-garden.md §3, §4).

Steps, in the plugin's order (2.59–2.83, §4.0), each a text-to-text function over the whole note
including the compiled frontmatter line:

1. frontmatter → one line of JSON (:mod:`.frontmatter`)
2. custom regex filters, 3. block ids (:mod:`.transforms`)
4. transclusions, depth 4 (:mod:`.transclusion`)
5. Dataview (:mod:`.queries`)
6. wikilinks → ``[[full/path\\|display]]`` (:mod:`.links`)
7. ``%% comments %%`` removed (:mod:`.transforms`)
8. SVG embeds inlined, 9. images/PDFs → ``/img/user/…`` + assets (:mod:`.assets`)

``mode="plugin"`` reproduces the plugin byte for byte (its leaks and ``$``-pattern quirks
included); ``mode="safe"`` is the same compile with the privacy fixes of §9 rows 1–3 and 12.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ...renderers.dataview import ObsidianLinkRenderer
from ..dataview_settings import load_dataview_settings
from ..index import Index
from ..query.engine import QueryEngine, QueryReads
from ..render import NoteRenderer
from .assets import Asset, convert_assets, inline_svgs
from .context import CompileContext, CompileReads, Mode
from .excalidraw import drawing_html, is_drawing
from .frontmatter import FileTimes, compile_frontmatter, replace_frontmatter
from .links import convert_wikilinks, redact_markdown_links, safe_redactor
from .paths import garden_path
from .queries import BlockOutput, NoteReplaced, PublishedOnlyLinks, PublishedPageStore, QueryStep
from .settings import GardenSettings
from .transclusion import transclude
from .transforms import apply_custom_filters, remove_comments, replace_block_ids

__all__ = ["Asset", "CompiledNote", "GardenCompiler", "NotPublishable", "compile_note"]

NOTES_PREFIX = "src/site/notes/"


class NotPublishable(LookupError):
    """The note is missing from the index or not flagged ``dg-publish``."""


@dataclass(frozen=True)
class CompiledNote:
    vault_path: str
    garden_path: str
    """``dg-path`` or the rewritten vault path: where the site places the note (file tree, URL)."""
    repo_path: str
    """``src/site/notes/<vault path>``: the file in the garden repository (never moved, §2.1)."""
    text: str
    assets: list[Asset] = field(default_factory=list)


class GardenCompiler:
    """Compiles notes of one index; build once per publish run (it caches look-ups)."""

    def __init__(
        self,
        index: Index,
        root: Path | None,
        settings: GardenSettings | None = None,
        mode: Mode = "plugin",
        *,
        config_dir: str = ".obsidian",
    ) -> None:
        self.settings = settings or GardenSettings()
        dataview = load_dataview_settings(root, config_dir) if root is not None else None
        self.engine = QueryEngine(
            index, dataview.query_settings() if dataview else None, published_only=mode == "safe",
            share_results=True,
            # Safe mode: no private inlinks/outlinks (§9 row 3).
            pages=PublishedPageStore(index) if mode == "safe" else None,
        )
        self.ctx = CompileContext(index, root, self.settings, mode, names=self.engine.pages.names)
        # The seed-exact link renderer: Obsidian's anchors + Metadata Menu's fileClass decoration
        # (needs the vault's settings files, hence ``root``).
        class_origins: set[str] = set()
        if root is not None:
            renderer = NoteRenderer(index, root, self.engine, config_dir)
            links = renderer.link_renderer()
            class_origins = renderer.fileclasses.query_origins()
        else:
            links = ObsidianLinkRenderer(resolve=self.engine.pages.names.resolve_path)
        if mode == "safe":
            links = PublishedOnlyLinks(resolve=links.resolve, fileclass=links.fileclass, is_published=self.ctx.is_published)
        if links.resolve is not None:
            links = replace(links, resolve=self._recording(links.resolve, class_origins))
        self.queries = QueryStep(self.ctx, self.engine, links)
        if dataview is not None:
            self.queries.view_settings = dataview.view_settings()

    def _recording(
        self, resolve: Callable[[str, str], str | None], class_origins: Iterable[str] = ()
    ) -> Callable[[str, str], str | None]:
        """The query output's link resolver, reporting to the compile cache what it resolved and
        which notes' decoration (fileClass, publish flag) the output shows. A target's class
        can also depend on the outgoing links of the notes named by Metadata Menu's
        ``outgoing([[X]])`` fileClass queries (``class_origins``): those count as read too."""

        def resolve_and_record(linkpath: str, source: str) -> str | None:
            target = resolve(linkpath, source)
            if self.ctx.reads is not None:
                self.ctx.reads.resolutions.add((False, linkpath, source, target))
            if target is not None and self.engine.reads is not None:
                self.engine.reads.derefs.add(target)
                self.engine.reads.derefs.update(class_origins)
            return target

        return resolve_and_record

    def compile_with_reads(
        self, vault_path: str, memo: dict[tuple[str, str], tuple[str, Any]] | None = None
    ) -> tuple[CompiledNote, CompileReads, QueryReads, list[BlockOutput]]:
        """:meth:`compile`, also returning everything the compile looked up (for the cache):
        the note-level reads, the inline queries' reads, and each Dataview block's output with
        its reads. ``memo`` holds block outputs the cache knows are still valid."""
        reads, query_reads, blocks = CompileReads(), QueryReads(), []
        self.ctx.reads, self.engine.reads = reads, query_reads
        self.queries.memo, self.queries.log = memo or {}, blocks
        try:
            compiled = self.compile(vault_path)
        finally:
            self.ctx.reads = self.engine.reads = None
            self.queries.memo, self.queries.log = {}, None
        return compiled, reads, query_reads, blocks

    def compile(self, vault_path: str) -> CompiledNote:
        ctx = self.ctx
        note = ctx.note(vault_path)
        if note is None or not note.publish:
            raise NotPublishable(vault_path)
        compiled = compile_frontmatter(
            vault_path, note.frontmatter, self.settings, FileTimes(note.ctime_ms, note.mtime_ms)
        )
        if is_drawing(vault_path):
            # §4.11: frontmatter + the viewer, nothing else; an unreadable drawing fails this note
            # (DrawingError names the file), as it fails the plugin's publish of it.
            viewer = drawing_html(note.text, vault_path, include_bundle=True, redact=safe_redactor(ctx, vault_path))
            text, assets = replace_frontmatter("", compiled) + viewer, []
        else:
            text, assets = self._note_steps(replace_frontmatter(note.text, compiled), vault_path)
        return CompiledNote(
            vault_path,
            garden_path(vault_path, note.frontmatter, self.settings.rewrite_rules),
            NOTES_PREFIX + vault_path,
            text,
            assets,
        )

    def _note_steps(self, text: str, vault_path: str) -> tuple[str, list[Asset]]:
        """Steps 2–9 over a note whose frontmatter is compiled already."""
        ctx = self.ctx
        text = apply_custom_filters(text, self.settings.custom_filters)
        text = replace_block_ids(text)
        try:
            text = transclude(text, ctx, vault_path, self.queries)
            text = self.queries(text, vault_path)
        except NoteReplaced as replaced:
            text = replaced.text  # the plugin's failure path (§4.7), reproduced in plugin mode only
        text = convert_wikilinks(text, ctx, vault_path)
        if ctx.safe:
            text = redact_markdown_links(text, ctx, vault_path)
        text = remove_comments(text)
        text = inline_svgs(text, ctx, vault_path)
        return convert_assets(text, ctx, vault_path)


def compile_note(
    index: Index,
    vault_path: str,
    settings: GardenSettings | None = None,
    mode: Mode = "plugin",
    *,
    root: Path | None = None,
) -> CompiledNote:
    """One note, compiled like the Digital Garden plugin (``plugin``) or privacy-safe (``safe``).

    ``root`` (the vault folder) is needed for SVG inlining and Metadata Menu link decoration;
    prefer :class:`GardenCompiler` for many notes."""
    return GardenCompiler(index, root, settings, mode).compile(vault_path)

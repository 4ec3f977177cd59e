"""Note transclusion ``![[Note]]``, ``![[Note#Heading]]``, ``![[Note#^block]]``, ``![[Note|Title]]``
(digital-garden.md §4.4).

The plugin inlines the target's Markdown inside raw HTML wrapper markup that the site template
styles as an embed; four levels are expanded. Its wrapper bytes, header normalisation and
section ids are reproduced exactly. In ``safe`` mode an unpublished target is not inlined at
all — a neutral placeholder takes its place — because the plugin's behaviour (publishing the
full text of a note the author never flagged) is its most serious privacy bug (§9 row 1).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .context import CompileContext
from .excalidraw import DrawingError, drawing_html, is_drawing
from .frontmatter import strip_frontmatter
from .jsfmt import js_replace_first
from .links import safe_redactor
from .paths import permalink_for
from .slug import slugify
from .transforms import apply_custom_filters

LINK_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" fill="none" '
    'stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" '
    'class="svg-icon lucide-link"><path d="M10 13a5 5 0 0 0 7.54.54l3-3a5 5 0 0 0-7.07-7.07l-1.72 1.71">'
    '</path><path d="M14 11a5 5 0 0 0-7.54-.54l-3 3a5 5 0 0 0 7.07 7.07l1.71-1.71"></path></svg>'
)

#: What safe mode publishes instead of an unpublished note's text: no name, no path, no content.
PRIVATE_PLACEHOLDER = (
    '\n<div class="transclusion internal-embed is-loaded"><div class="markdown-embed">\n\n'
    "*This content is not published.*\n\n</div></div>\n"
)

_EMBED = re.compile(r"!\[\[(.+?)\]\]")
_BLOCK_REF = re.compile(r"(\^\w+([\r\n]|\Z))", re.ASCII)
_HEADER = re.compile(r"^(#+)\s?(.*)\Z")

#: ``(text, file_path) -> text``: the dataview step, run on each transcluded text.
QueryStep = Callable[[str, str], str]


def _header_section(alias: str | None, basename: str) -> str:
    if not alias:
        return ""
    alias = alias.replace("{{title}}", basename, 1)
    m = _HEADER.match(alias)
    header = f"{m.group(1)} {m.group(2)}" if m else "# " + alias.strip()
    return f'<div class="markdown-embed-title">\n\n{header}\n\n</div>\n'


def _section_text(ctx: CompileContext, target: str, name: str, text: str) -> tuple[str, str]:
    """The transcluded part of ``text`` and the section id for the "open link" anchor."""
    if "#^" in name:
        ref = name.split("#^")[1]
        lines = ctx.block_lines(target, ref)
        if lines is not None:
            text = "\n".join(text.split("\n")[lines[0]:lines[1] + 1]).replace("^" + ref, "", 1)
        return text, "#" + slugify(ref)
    if "#" in name:
        ref = name.split("#")[1]
        wanted = slugify(ref)
        headings = ctx.headings(target)
        for i, heading in enumerate(headings):
            if slugify(heading.text) != wanted:
                continue
            end = next((h.line for h in headings[i + 1:] if h.level <= heading.level), None)
            lines = text.split("\n")
            text = "\n".join(lines[heading.line:end] if end is not None else lines[heading.line:])
            break
        return text, "#" + wanted
    return text, ""


def _drawing(ctx: CompileContext, target: str, drawings: int) -> str | None:
    """A transcluded drawing's viewer (the bundle with the first), or None to leave the embed:
    the plugin catches the error of an unreadable drawing and moves on."""
    note = ctx.note(target)
    if note is None:
        return None
    try:
        return drawing_html(note.text, target, include_bundle=drawings == 1, appendage=str(drawings),
                            redact=safe_redactor(ctx, target))
    except DrawingError:
        return None


def transclude(text: str, ctx: CompileContext, file_path: str, queries: QueryStep, depth: int = 0) -> str:
    """Expand the embeds of notes in ``text`` (which belongs to ``file_path``)."""
    if depth >= ctx.settings.transclusion_depth:
        return text
    out = text
    drawings = 0  # the plugin's numberOfExcaliDraws: per text, counting every drawing embed
    for m in list(_EMBED.finditer(text)):
        embed = m.group(0)
        name = embed[3:embed.index("]")]
        parts = name.split("|")
        target_name = parts[0]
        alias = parts[1] if len(parts) > 1 else None
        linkpath = target_name.split("#")[0]
        target = ctx.resolve(linkpath, file_path)
        if target is not None and is_drawing(target):
            if ctx.safe and not ctx.is_published(target):
                out = out.replace(embed, PRIVATE_PLACEHOLDER, 1)
                continue  # not counted: the next published drawing must still bring the bundle
            drawings += 1
            html = _drawing(ctx, target, drawings)
            if html is not None:
                out = out.replace(embed, html, 1) if ctx.safe else js_replace_first(out, embed, html)
            continue
        if target is None or not target.endswith(".md"):
            continue  # images, PDFs, SVGs: later steps
        note = ctx.note(target)
        if note is None:
            continue
        if ctx.safe and not note.publish:
            out = out.replace(embed, PRIVATE_PLACEHOLDER, 1)
            continue
        body, section = _section_text(ctx, target, target_name, note.text)
        body = strip_frontmatter(body)
        body = apply_custom_filters(body, ctx.settings.custom_filters)
        body = _BLOCK_REF.sub("", body)
        basename = target.rsplit("/", 1)[-1][:-3]
        link = ""
        if note.publish:
            rules = ctx.settings.rewrite_rules
            fm = {"dg-permalink": note.frontmatter.get("dg-permalink")}  # dg-path is ignored here (§4.4)
            href = permalink_for(target, fm, rules, ctx.settings.slugify_enabled) + section
            link = f'<a class="markdown-embed-link" href="{href}" aria-label="Open link">{LINK_SVG}</a>'
        wrapped = (
            f'\n<div class="transclusion internal-embed is-loaded">{link}<div class="markdown-embed">\n\n'
            f"{_header_section(alias, basename)}\n\n{body}\n\n</div></div>\n"
        )
        if _EMBED.search(wrapped):
            wrapped = transclude(wrapped, ctx, target, queries, depth + 1)
        wrapped = queries(wrapped, target)
        if ctx.safe:
            out = out.replace(embed, wrapped, 1)
        else:
            out = js_replace_first(out, embed, wrapped)  # 2.59–2.74.2: `$` patterns interpreted
    return out

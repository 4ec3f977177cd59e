"""Embeds: ``![[Note]]``, ``![[Note#Heading]]``, ``![[Note#^block]]``, images, media, PDFs
(obsidian.md §4).

Note embeds are rendered by re-entering the page renderer with the embedded note as a new
fragment, one level deeper.  A stack of (path, subpath) being rendered breaks cycles and
``max_embed_depth`` caps the nesting, both with a visible placeholder instead of a RecursionError.
In a published view an embed of an unpublished — or missing — note renders the same neutral
placeholder, so the output does not even reveal whether a private note exists.
"""

from __future__ import annotations

import re
from typing import Any

from gardend.daemon.drawing import DrawingError, embedded_files, is_drawing, parse_drawing
from gardend.daemon.links import (
    MalformedURI,
    clean_link_text,
    decode_uri,
    default_display,
    is_internal_destination,
    split_linktext,
)
from gardend.daemon.scanner import parse_embed_size
from gardend.renderers.dataview import escape_attr, escape_text, is_safe_url
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from ._state import Fragment, fragment
from .callout_icons import icon_svg
from .context import notice
from .drawing_svg import DrawingLinks, drawing_svg
from .sections import extract_section, strip_frontmatter

__all__ = ["embeds_plugin", "render_embed"]

IMAGE_EXTS = frozenset(
    {"png", "jpg", "jpeg", "gif", "bmp", "svg", "webp", "avif", "apng", "tif", "tiff", "ico"}
)
AUDIO_EXTS = frozenset({"mp3", "wav", "m4a", "ogg", "3gp", "flac", "oga", "opus"})
VIDEO_EXTS = frozenset({"mp4", "webm", "ogv", "mov", "mkv"})

#: Extensions whose embeds are not transcluded notes (``Note.v2`` still is one: ``Note.v2.md``).
_FILE_EXTS = IMAGE_EXTS | AUDIO_EXTS | VIDEO_EXTS | {"pdf", "canvas", "base"}

PRIVATE_PLACEHOLDER = (
    '<span class="internal-embed file-embed mod-empty is-loaded">'
    '<span class="gardend-notice">This embedded content is not available.</span></span>'
)


def _ext(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _attrs(pairs: list[tuple[str, str | None]]) -> str:
    return "".join(f" {k}" if v is None else f' {k}="{escape_attr(v)}"' for k, v in pairs)


def split_size(display: str | None) -> tuple[str | None, tuple[int, int | None] | None]:
    """(alt, size) from a wikilink embed's display part: the text after the last ``|`` (or the
    whole part) is a size if it parses as one (obsidian.md §4.1)."""
    if display is None:
        return None, None
    if "|" in display:
        head, tail = display.rsplit("|", 1)
        size = parse_embed_size(tail)
        return (head.strip(), size) if size is not None else (display, None)
    size = parse_embed_size(display)
    return (None, size) if size is not None else (display, None)


def _size_attrs(size: tuple[int, int | None] | None) -> list[tuple[str, str | None]]:
    if size is None:
        return []
    out: list[tuple[str, str | None]] = [("width", str(size[0]))]
    if size[1]:
        out.append(("height", str(size[1])))
    return out


def _missing(linktext: str, frag: Fragment) -> str:
    if frag.ctx.published_view:
        return PRIVATE_PLACEHOLDER
    name = split_linktext(linktext)[0] or linktext
    message = escape_text(f'"{name}" could not be found.')
    return (
        f'<span class="internal-embed file-embed mod-empty is-loaded"{_attrs([("src", linktext)])}>'
        f"{message}</span>"
    )


def _media(kind: str, linktext: str, alt: str, href: str, size: Any) -> str:
    span = _attrs(
        [
            ("class", f"internal-embed media-embed {kind}-embed is-loaded"),
            ("src", linktext),
            ("alt", alt),
            *_size_attrs(size),
        ]
    )
    if kind == "image":
        inner = f"<img{_attrs([('src', href), ('alt', alt), *_size_attrs(size)])}>"
    elif kind == "audio":
        inner = f"<audio controls{_attrs([('src', href)])}></audio>"
    else:
        inner = f"<video controls{_attrs([('src', href), *_size_attrs(size)])}></video>"
    return f"<span{span}>{inner}</span>"


def _pdf(linktext: str, href: str, subpath: str | None) -> str:
    height = "800"
    fragment_part = ""
    for part in (subpath or "").lstrip("#").split("&"):
        key, _, value = part.partition("=")
        if key == "height" and value.isdigit():
            height = value
        elif key == "page" and value.isdigit():
            fragment_part = f"#page={value}"
    span = _attrs([("class", "internal-embed pdf-embed is-loaded"), ("src", linktext)])
    frame = _attrs(
        [
            ("class", "pdf-embed-frame"),
            ("src", href + fragment_part),
            ("height", height),
            ("width", "100%"),
            ("loading", "lazy"),
        ]
    )
    return f"<span{span}><iframe{frame}></iframe></span>"


def _file(linktext: str, href: str, target: str) -> str:
    span = _attrs([("class", "internal-embed file-embed is-loaded"), ("src", linktext)])
    name = target.rsplit("/", 1)[-1]
    return (
        f'<span{span}><a class="file-embed-title internal-link"{_attrs([("href", href)])}>'
        f"{escape_text(name)}</a></span>"
    )


def _note(linktext: str, alt: str, target: str, subpath: str | None, frag: Fragment) -> str:
    page = frag.page
    ctx = frag.ctx
    key = (target, (subpath or "").lower())
    span = _attrs(
        [
            ("class", "internal-embed markdown-embed inline-embed is-loaded"),
            ("src", linktext),
            ("alt", alt),
        ]
    )
    if key in page.stack:
        return f"<span{span}>{notice(f'Recursive embed of “{alt}” not shown.', 'gardend-embed-recursive')}</span>"
    if frag.depth + 1 > ctx.max_embed_depth:
        return f"<span{span}>{notice('Embed depth limit reached.', 'gardend-embed-depth')}</span>"
    source = ctx.note_source(target)
    if source is None:
        return _missing(linktext, frag)
    text, body_start = source
    body = "\n".join(text.split("\n")[body_start:]) if body_start else strip_frontmatter(text)[0]
    from .pipeline import parser  # late import: the pipeline imports this module

    section = extract_section(parser(ctx.strict_line_breaks), body, subpath)
    page.stack.append(key)
    try:
        inner = page.render(section, target, frag.depth + 1) if section is not None else ""
    finally:
        page.stack.pop()
    link = (
        f'<a class="markdown-embed-link"{_attrs([("href", ctx.href_for(target, subpath))])}'
        f' aria-label="Open link">{icon_svg("link")}</a>'
    )
    return (
        f'<span{span}><div class="markdown-embed-title"></div>'
        '<div class="markdown-preview-view markdown-rendered show-indentation-guide">'
        f'<div class="markdown-preview-sizer markdown-preview-section">{inner}</div></div>'
        f"{link}</span>"
    )


_WEB_URL = re.compile(r"(?i)^https?://")


def _drawing(linktext: str, display: str | None, target: str, frag: Fragment) -> str | None:
    """An Excalidraw drawing as a picture (what the Excalidraw plugin shows in reading view), or
    None to fall back to the drawing note's Markdown (no JSON block, JSON that does not parse)."""
    ctx = frag.ctx
    source = ctx.note_source(target)
    if source is None:
        return None
    text = source[0]
    try:
        drawing = parse_drawing(text, target)
    except DrawingError:
        return None
    files = embedded_files(text)

    def image_href(file_id: str) -> str | None:
        name = files.get(file_id)
        image = ctx.resolve(name, target) if name else None
        if image is None:
            return None
        frag.page.depend(image)
        return ctx.href_for(image, None)

    def link_href(link: str) -> str | None:
        if _WEB_URL.match(link):
            return link if is_safe_url(link) else None
        if not (link.startswith("[[") and link.endswith("]]")):
            return None
        linkpath, subpath = split_linktext(link[2:-2].split("|")[0])
        note = ctx.resolve(linkpath, target) if linkpath else target
        if note is None or (ctx.published_view and not ctx.is_published(note)):
            return None
        frag.page.depend(note)
        return ctx.href_for(note, subpath)

    alt, size = split_size(display)
    svg = drawing_svg(drawing, DrawingLinks(image_href, link_href), key=target,
                      width=float(size[0]) if size else None)
    if svg is None:
        return None
    span = _attrs([("class", "internal-embed image-embed excalidraw-svg is-loaded"), ("src", linktext),
                   ("alt", alt or default_display(linktext))])
    return f"<span{span}>{svg}</span>"


def render_embed(linktext: str, display: str | None, frag: Fragment) -> str:
    """HTML for one embed of ``linktext`` from the fragment's note."""
    ctx = frag.ctx
    linkpath, subpath = split_linktext(linktext)
    target = ctx.resolve(linkpath, frag.path) if linkpath else frag.path
    if target is None:
        return _missing(linktext, frag)
    frag.page.depend(target)
    if ctx.published_view and not ctx.embed_unpublished and not ctx.is_published(target):
        return PRIVATE_PLACEHOLDER
    alt_text, size = split_size(display)
    ext = _ext(target)
    href = ctx.href_for(target, None)
    if ext in IMAGE_EXTS:
        return _media("image", linktext, alt_text or linktext, href, size)
    if ext in AUDIO_EXTS:
        return _media("audio", linktext, alt_text or linktext, href, None)
    if ext in VIDEO_EXTS:
        return _media("video", linktext, alt_text or linktext, href, size)
    if ext == "pdf":
        return _pdf(linktext, href, subpath)
    if ext == "md" and subpath is None and is_drawing(target):
        picture = _drawing(linktext, display, target, frag)
        if picture is not None:
            return picture
    if ext == "md":
        alt = display if display is not None else default_display(linktext)
        return _note(linktext, alt, target, subpath, frag)
    return _file(linktext, ctx.href_for(target, None), target)


def _render_embed_token(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    frag = fragment(env)
    if frag is None:
        return ""
    return render_embed(token.meta["linktext"], token.meta["display"], frag)


# ---------------------------------------------------------------------------------------------
# Markdown images: relative ones become embeds, every one gets ``|WxH`` sizing from its alt.


def _image_alt(token: Token) -> str:
    return "".join(c.content for c in token.children or [] if c.type in ("text", "code_inline"))


def _retarget_images(state: StateCore) -> None:
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        for tok in block.children:
            if tok.type != "image":
                continue
            src = str(tok.attrGet("src") or "")
            alt = _image_alt(tok)
            if is_internal_destination(src) and not src.startswith("#"):
                try:
                    linktext = clean_link_text(decode_uri(src))
                except MalformedURI:
                    linktext = None
                if linktext:
                    tok.type = "embed"
                    tok.meta = {"linktext": linktext, "display": alt or None}
                    tok.children = []
                    continue
            if "|" in alt:
                head, tail = alt.rsplit("|", 1)
                size = parse_embed_size(tail)
            else:
                head, size = "", parse_embed_size(alt)
            if size is not None:
                tok.meta["size"] = size
                tok.meta["alt"] = head.strip()


def _render_image(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    if not is_safe_url(src):
        src = ""
    alt = token.meta.get("alt", _image_alt(token)) if token.meta else _image_alt(token)
    pairs: list[tuple[str, str | None]] = [("src", src), ("alt", alt)]
    title = token.attrGet("title")
    if title:
        pairs.append(("title", str(title)))
    pairs += _size_attrs(token.meta.get("size") if token.meta else None)
    return f"<img{_attrs(pairs)}>"


_BREAKS = frozenset({"softbreak", "hardbreak"})


def _trim(children: list[Token]) -> list[Token]:
    """Drop line breaks and blank text at both ends of a run of inline tokens."""
    start, end = 0, len(children)
    while start < end and (
        children[start].type in _BREAKS
        or (children[start].type == "text" and not children[start].content.strip())
    ):
        start += 1
    while end > start and (
        children[end - 1].type in _BREAKS
        or (children[end - 1].type == "text" and not children[end - 1].content.strip())
    ):
        end -= 1
    kept = children[start:end]
    if kept and kept[0].type == "text":
        kept[0].content = kept[0].content.lstrip()
    if kept and kept[-1].type == "text":
        kept[-1].content = kept[-1].content.rstrip()
    return kept


def _paragraph(opening: Token, closing: Token, children: list[Token], first: bool) -> list[Token]:
    para_open = opening if first else Token("paragraph_open", "p", 1)
    para_open.hidden = opening.hidden
    para_open.block = True
    para_open.level = opening.level
    para_close = Token("paragraph_close", "p", -1)
    para_close.hidden = opening.hidden
    para_close.block = True
    para_close.level = opening.level
    inline = Token("inline", "", 0)
    inline.children = children
    inline.level = opening.level + 1
    return [para_open, inline, para_close]


def _split_embed_paragraphs(state: StateCore) -> None:
    """A note embed renders block content; inside ``<p>`` browsers would tear the paragraph
    apart.  Split paragraphs around note embeds: text before and after stays in paragraphs, the
    embed stands alone (Obsidian's DOM has no ``<p>`` problem; an HTML string does)."""
    tokens = state.tokens
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if (
            tok.type == "paragraph_open"
            and i + 2 < len(tokens)
            and tokens[i + 1].children
            and any(
                k.type == "embed" and _looks_like_note(k.meta["linktext"])
                for k in tokens[i + 1].children or []
            )
        ):
            segment: list[Token] = []
            first = True
            for kid in tokens[i + 1].children or []:
                if kid.type == "embed" and _looks_like_note(kid.meta["linktext"]):
                    text = _trim(segment)
                    if text:
                        out += _paragraph(tok, tokens[i + 2], text, first)
                        first = False
                    holder = Token("inline", "", 0)
                    holder.children = [kid]
                    holder.level = tok.level
                    out.append(holder)
                    segment = []
                else:
                    segment.append(kid)
            text = _trim(segment)
            if text:
                out += _paragraph(tok, tokens[i + 2], text, first)
            i += 3
            continue
        out.append(tok)
        i += 1
    state.tokens = out


def _looks_like_note(linktext: str) -> bool:
    """Whether an embed will be block content (a note), judged from the link text alone."""
    ext = _ext(split_linktext(linktext)[0])
    return ext == "md" or ext not in _FILE_EXTS


def embeds_plugin(md: MarkdownIt) -> None:
    """Install embed rendering (the ``embed`` token comes from the wikilink rule)."""
    md.core.ruler.after("inline", "embed_images", _retarget_images)
    md.core.ruler.push("embed_paragraphs", _split_embed_paragraphs)
    md.add_render_rule("embed", _render_embed_token)
    md.add_render_rule("image", _render_image)

"""SVG embeds, images and PDFs (digital-garden.md §4.9, §4.10) — the last compile steps.

Images and PDFs are uploaded next to the notes (``src/site/img/user/<vault path>``) and referred
to as ``/img/user/<encodeURI(vault path)>``; SVGs are inlined into the text. Behaviour follows the
plugin's 2.73.x line (``\\|`` in image alt text, PDF iframes, linked images).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from .context import CompileContext
from .jsfmt import encode_uri, js_replace_first

IMG_PREFIX = "/img/user/"
REPO_IMG_PREFIX = "src/site/img/user/"
_IMAGE_EXT = "png|jpg|jpeg|gif|webp"


@dataclass(frozen=True)
class Asset:
    """A file uploaded with a note: its vault path and its path in the garden repository."""

    vault_path: str
    repo_path: str


def _asset(path: str) -> Asset:
    return Asset(path, REPO_IMG_PREFIX + path)


def _url(path: str) -> str:
    return encode_uri(IMG_PREFIX + path)


def _replace(text: str, ctx: CompileContext, needle: str, replacement: str) -> str:
    if ctx.safe:
        return text.replace(needle, replacement, 1)
    return js_replace_first(text, needle, replacement)


# -- SVG ------------------------------------------------------------------------------------------

_SVG_EMBED = re.compile(r"!\[\[(.*?\.svg)(?:\\?\|(.*?))?\]\]")
_SVG_MD = re.compile(r"!\[(.*?)\]\((.*?\.svg)\)")
_SVG_ROOT_WIDTH = re.compile(r"(<svg\b[^>]*?)\swidth=(\"[^\"]*\"|'[^']*')", re.DOTALL)
_SVG_ROOT = re.compile(r"<svg\b", re.DOTALL)


def _with_width(svg: str, width: str) -> str:
    """Set ``width`` on the root element (the plugin re-serialises with the browser's DOM; a
    textual edit keeps everything else byte-identical — exact serialiser bytes are unverified)."""
    if _SVG_ROOT_WIDTH.search(svg):
        return _SVG_ROOT_WIDTH.sub(lambda m: f'{m.group(1)} width="{width}"', svg, count=1)
    return _SVG_ROOT.sub(f'<svg width="{width}"', svg, count=1)


def inline_svgs(text: str, ctx: CompileContext, file_path: str) -> str:
    for m in list(_SVG_EMBED.finditer(text)):
        target = ctx.resolve(m.group(1), file_path)
        svg = ctx.read_text(target) if target else None
        if svg is None:
            continue
        if m.group(2):
            svg = _with_width(svg, m.group(2))
        svg = svg.replace("\t", "").replace("\r", "").replace("\n", "")
        text = _replace(text, ctx, m.group(0), svg)
    for m in list(_SVG_MD.finditer(text)):
        path = m.group(2)
        if path.startswith("http"):
            continue
        target = ctx.resolve(unquote(path), file_path)
        svg = ctx.read_text(target) if target else None
        if svg is None:
            continue
        alt = m.group(1).replace("\\|", "|").split("|")
        if len(alt) > 1 and alt[-1].isdigit():
            svg = _with_width(svg, alt[-1])
        text = _replace(text, ctx, m.group(0), svg)
    return text


# -- images and PDFs ------------------------------------------------------------------------------

_WIKI_IMAGE = re.compile(r"!\[\[([^\]\[]*?\.(?:" + _IMAGE_EXT + r"))((?:\\?\|[^\]]*?)?)\]\]")
_MD_IMAGE = re.compile(r"!\[([^\]\[]*)\]\(([^()]*?\.(?:" + _IMAGE_EXT + r"))\)")
_WIKI_PDF = re.compile(r"!\[\[([^\]\[]*?\.pdf)((?:\\?\|[^\]]*?)?)\]\]")
_LINKED_FILE = re.compile(r"(?<!!)\[\[([^\]\[]*?\.(?:" + _IMAGE_EXT + r"|svg|pdf))((?:\\?\|[^\]]*?)?)\]\]")
_LEADING_INT = re.compile(r"^\s*[+-]?[0-9]")


def _alt(name: str, meta_text: str) -> str:
    """``name``, ``name\\|size``, ``name\\|meta\\|size`` or ``name\\|meta`` (2.73.1+ separators)."""
    parts = [p for p in re.split(r"\\?\|", meta_text)[1:]] if meta_text else []
    if not parts:
        return name
    if len(parts) >= 1 and _LEADING_INT.match(parts[-1]):
        size = parts[-1]
        meta = " ".join(parts[:-1])
        return f"{name}\\|{meta}\\|{size}" if meta else f"{name}\\|{size}"
    return f"{name}\\|{' '.join(parts)}"


def convert_assets(text: str, ctx: CompileContext, file_path: str) -> tuple[str, list[Asset]]:
    """Image/PDF embeds and linked files → ``/img/user/…`` references, plus the assets to upload."""
    assets: list[Asset] = []

    def add(path: str) -> None:
        asset = _asset(path)
        if asset not in assets:
            assets.append(asset)

    for m in list(_WIKI_IMAGE.finditer(text)):
        target = ctx.resolve(m.group(1), file_path)
        if target is None:
            continue
        text = _replace(text, ctx, m.group(0), f"![{_alt(m.group(1), m.group(2))}]({_url(target)})")
        add(target)
    for m in list(_MD_IMAGE.finditer(text)):
        path = m.group(2)
        if path.startswith("http"):
            continue
        try:
            decoded = unquote(path, errors="strict")
        except UnicodeDecodeError:
            continue
        target = ctx.resolve(decoded, file_path)
        if target is None:
            continue
        text = _replace(text, ctx, m.group(0), f"![{m.group(1)}]({_url(target)})")
        add(target)
    for m in list(_LINKED_FILE.finditer(text)):
        target = ctx.resolve(m.group(1), file_path)
        if target is None:
            continue
        label = re.split(r"\\?\|", m.group(2))[1] if m.group(2) else m.group(1)
        text = _replace(text, ctx, m.group(0), f"[{label}]({_url(target)})")
        add(target)
    for m in list(_WIKI_PDF.finditer(text)):
        target = ctx.resolve(m.group(1), file_path)
        title = re.split(r"\\?\|", m.group(2))[1] if m.group(2) else m.group(1)
        if target is None:
            text = _replace(text, ctx, m.group(0), f"[[{m.group(1)}|{title}]]")
            continue
        iframe = (
            f'<iframe src="{_url(target)}" width="100%" height="900px" title="{title}" '
            'style="border:1px solid #ccc;"></iframe>'
        )
        text = _replace(text, ctx, m.group(0), iframe)
        add(target)
    return text, assets

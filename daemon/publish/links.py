"""Wikilinks → ``[[full/vault/path\\|display]]`` (digital-garden.md §4.5).

The site's ``link`` filter converts only links that contain a pipe, and it reads the target's
file from ``src/site/notes/<full path>.md``; so every link is written with its full vault path
and an explicit display part, the pipe escaped so that tables survive.

Links are *found* outside code and frontmatter but *replaced* by text search in the whole note
(first occurrence per found link, with JavaScript ``$`` patterns) — the plugin's behaviour,
kept in ``plugin`` mode. In ``safe`` mode a link to an unpublished note (or canvas) becomes its
display text: its vault path never reaches the published file. A link to a published canvas keeps
the ``.canvas`` extension, as the plugin (2.66+) writes it: ``[[Boards/Plan.canvas\\|Plan]]``.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable
from urllib.parse import unquote

from .context import CompileContext
from .frontmatter import FRONTMATTER_RE
from .jsfmt import js_replace_first

_WIKILINK = re.compile(r"\[\[(.+?)\]\]")
_CODE_FENCE = re.compile(r"```.*?[\r\n][\s\S]+?```", re.DOTALL)
_INLINE_CODE = re.compile(r"`(.*?)`", re.DOTALL)
_EXCALIDRAW = re.compile(r":\[\[(\d*?,\d*?)\],.*?\]\]", re.DOTALL)


def _searchable(text: str) -> str:
    """The text the plugin collects links from: no Excalidraw data, code, or frontmatter."""
    for pattern in (_EXCALIDRAW, _CODE_FENCE, _INLINE_CODE):
        text = pattern.sub("", text)
    return FRONTMATTER_RE.sub("", text, count=1)


def _without_extension(path: str) -> str:
    return path[:-3] if path.endswith(".md") else path


def private_display(target: str, display: str | None) -> str:
    """What a link to an unpublished note shows in safe mode: its alias, else the last path
    segment of what was typed (a typed folder path would reveal the vault layout)."""
    if display is not None:
        return display
    return target.rsplit("/", 1)[-1]


def _is_private(resolved: str | None, ctx: CompileContext) -> bool:
    """``resolved`` is an unpublished note or canvas (False for other files and for no file)."""
    return resolved is not None and resolved.endswith((".md", ".canvas")) and not ctx.is_published(resolved)


def convert_link(inner: str, ctx: CompileContext, file_path: str) -> str | None:
    """The replacement of one ``[[inner]]``, or ``None`` to leave it as it is."""
    parts = inner.split("|")
    target = parts[0]
    explicit = parts[1] if len(parts) > 1 else None
    if target.endswith("\\"):
        target = target[:-1]
    display = explicit if explicit is not None else target
    section = ""
    if "#" in target:
        pieces = target.split("#")
        target, section = pieces[0], "#" + pieces[1]
    if target == "" and section:
        return f"[[{_without_extension(file_path)}{section}\\|{display}]]"
    resolved = ctx.resolve(target, file_path)
    if resolved is None:
        if ctx.safe and _is_private(ctx.resolve_as_obsidian(target, file_path), ctx):
            return private_display(target.strip(), explicit)
        return f"[[{target}{section}\\|{display}]]"
    if resolved.endswith(".md"):
        if ctx.safe and not ctx.is_published(resolved):
            return private_display(target, explicit)
        return f"[[{resolved[:-3]}{section}\\|{display}]]"
    if resolved.endswith(".canvas"):
        # 2.66+: a canvas keeps its extension (GardenPageCompiler.convertLinksToFullPath), which is
        # how the site finds ``src/site/notes/<path>.canvas``.
        if ctx.safe and not ctx.is_published(resolved):
            return private_display(target, explicit)
        return f"[[{resolved}{section}\\|{display}]]"
    return None


def convert_wikilinks(text: str, ctx: CompileContext, file_path: str) -> str:
    for m in list(_WIKILINK.finditer(_searchable(text))):
        link = m.group(0)
        inner = link[2:link.rfind("]") - 1]
        replacement = convert_link(inner, ctx, file_path)
        if replacement is None:
            continue
        if ctx.safe:
            at = text.find(link)
            if at >= 0:
                text = text[:at] + replacement + text[at + len(link):]
        else:
            text = js_replace_first(text, link, replacement)
    if ctx.safe:
        text = _redact_private_wikilinks(text, ctx, file_path)
    return text


def redact_private_links(text: str, ctx: CompileContext, file_path: str) -> str:
    """Wikilinks, Markdown links and HTML anchors in ``text`` to unpublished notes → their text."""
    return redact_markdown_links(_redact_private_wikilinks(text, ctx, file_path), ctx, file_path)


def safe_redactor(ctx: CompileContext, file_path: str) -> Callable[[str], str] | None:
    """Safe mode's link redaction for text published as it stands (a drawing's strings), or None
    in plugin mode."""
    if not ctx.safe:
        return None
    return lambda text: redact_private_links(text, ctx, file_path)


def _redact_private_wikilinks(text: str, ctx: CompileContext, file_path: str) -> str:
    """Safe mode's second pass over the *whole* note: every ``[[link]]`` still pointing at an
    unpublished note becomes its display text, code included.

    The plugin collects links from the note with code removed by regular expressions that an odd
    number of backticks (a ````` ```` ````` fence around a ```` ``` ```` one, a stray backtick)
    throws off, hiding real links far beyond the code; they then stay as typed, full vault path
    and all. Privacy wins over the fidelity of a code sample here: published links keep the
    plugin's handling, only links to unpublished notes are rewritten wherever they are."""

    def redact(m: re.Match[str]) -> str:
        inner = m.group(1)
        target = inner.split("|")[0]
        if target.endswith("\\"):
            target = target[:-1]  # converted already: ``[[path\|display]]``
        explicit = inner.split("|")[1] if "|" in inner else None
        target = target.split("#")[0]
        if not target or not _is_private(ctx.resolve_as_obsidian(target, file_path), ctx):
            return m.group(0)
        return private_display(target.strip(), explicit)

    return _WIKILINK.sub(redact, text)


#: ``[text](dest)``; the destination may hold one level of parentheses (``Note%20(2025).md``) or
#: be written ``<with spaces>``.
_MD_LINK = re.compile(r"(?<!!)\[([^\]\[]*)\]\((<[^<>\n]*>|(?:[^()\s]|\([^()\s]*\))*)\)")


#: ``<a … href="dest" …>text</a>`` written as raw HTML in a note.
_HTML_ANCHOR = re.compile(
    r"""<a\s[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>(.*?)</a\s*>""", re.IGNORECASE | re.DOTALL
)


def _private_destination(dest: str, ctx: CompileContext, file_path: str) -> bool:
    """A link destination as written (percent-encoded or not, maybe relative) that leads to an
    unpublished note or canvas."""
    dest = dest.strip().strip("<>").split("#")[0]
    if not dest or "://" in dest or dest.startswith(("mailto:", "/")):
        return False
    try:
        decoded = unquote(dest, errors="strict")
    except UnicodeDecodeError:
        return False
    resolved = ctx.resolve(decoded, file_path)
    if resolved is None and decoded.startswith(("./", "../")):
        # Relative to the note's folder — or, inside a transcluded note, to *that* note's
        # folder, which is no longer known here: then the path without its leading ``../``.
        relative = posixpath.normpath(posixpath.join(posixpath.dirname(file_path), decoded))
        resolved = ctx.resolve(relative, file_path) or ctx.resolve(re.sub(r"^(\.\.?/)+", "", decoded), file_path)
    return _is_private(resolved, ctx)


def _replace_once(text: str, old: str, new: str) -> str:
    at = text.find(old)
    return text if at < 0 else text[:at] + new + text[at + len(old):]


def redact_markdown_links(text: str, ctx: CompileContext, file_path: str) -> str:
    """Safe mode: a Markdown link ``[text](Folder/Private%20Note.md)`` — or a raw HTML anchor
    ``<a href="Folder/Private Note.md">text</a>`` — to an unpublished note becomes its text. The
    plugin leaves both untouched, so the destination — the private note's vault path — would
    reach the repository and the site's HTML."""
    # The whole text is searched, code included: ``_searchable``'s multi-line inline-code rule
    # (the plugin's) would hide real links, and a private path in a code span leaks just the same.
    for m in list(_MD_LINK.finditer(text)):
        if _private_destination(m.group(2), ctx, file_path):
            text = _replace_once(text, m.group(0), m.group(1))
    for m in list(_HTML_ANCHOR.finditer(text)):
        href = next(g for g in m.group(1, 2, 3) if g is not None)
        if _private_destination(html.unescape(href), ctx, file_path):
            text = _replace_once(text, m.group(0), m.group(4))
    return text

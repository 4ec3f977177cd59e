"""Internal links: ``[[target#sub|alias]]`` and Markdown links to notes (obsidian.md §3.1, §3.2, §7).

Wikilinks are an inline rule that runs before markdown-it's ``link``/``image`` rules, so ``[[`` is
never read as a nested CommonMark link.  Markdown links are parsed by markdown-it as usual; a core
rule then retargets those whose destination is a relative path (no scheme) into internal links, the
way Obsidian's transformer does.  The anchor markup is :class:`ObsidianLinkRenderer`'s, so links look
the same here as in Dataview output (including Metadata Menu decoration).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from gardend.daemon.links import (
    MalformedURI,
    clean_link_text,
    decode_uri,
    default_display,
    is_internal_destination,
)
from gardend.renderers.dataview import LinkRef, ObsidianLinkRenderer, escape_attr, escape_text
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from ._state import Fragment, fragment
from .context import RenderContext

__all__ = ["ContextLinkRenderer", "parse_wikilink", "wikilinks_plugin"]

_WIKILINK = re.compile(r"(!?)\[\[(.+?)\]\]")
#: Link text ending in an unclosed footnote part (``Note#[^1``), no display part before it.
_OPEN_FOOTNOTE = re.compile(r"[^|]*#\[\^[^\]\s|#]+\Z")
_SPLIT = "\x00"


@dataclass(frozen=True)
class ParsedWikilink:
    """A wikilink's link text (cleaned) and display part (``None`` when there is no ``|``)."""

    linktext: str
    display: str | None
    embed: bool
    end: int


def parse_wikilink(src: str, pos: int) -> ParsedWikilink | None:
    """Parse ``[[…]]`` / ``![[…]]`` at ``pos`` by Obsidian's rule: first ``]]`` closes, no newline,
    no ``[[`` inside, display after the first ``|`` that is not the first character, a trailing
    ``\\`` on the link part dropped (table-escaped ``\\|``).

    One exception to "first ``]]`` closes": a footnote subpath written ``[[Note#[^1]]]`` (what
    Obsidian's own footnote-link suggestion writes, obsidian.md §3.5) takes the third ``]`` as
    the footnote's closing bracket instead of leaving it behind as text.  Whether Obsidian's
    tokenizer does exactly this is unverified; the subpath rules accept ``#[^1`` either way."""
    # The first ``]]`` on the line closes the link: find it with str.find (C speed) so a long
    # line of unclosed ``[[`` stays linear-ish instead of running the regex to the end each time.
    close = src.find("]]", pos)
    newline = src.find("\n", pos)
    if close < 0 or 0 <= newline < close:
        return None
    m = _WIKILINK.match(src, pos, close + 2)
    if m is None:
        return None
    raw, end = m.group(2), m.end()
    if src.startswith("]", end) and _OPEN_FOOTNOTE.match(raw):
        raw, end = raw + "]", end + 1
    inner = raw.strip()
    if not inner or "[[" in inner:
        return None
    bar = inner.find("|", 1)
    display: str | None = None
    link = inner
    if bar > 0:
        link, display = inner[:bar].strip(), inner[bar + 1 :].strip()
    if link.endswith("\\"):
        link = link[:-1]
    return ParsedWikilink(clean_link_text(link), display, bool(m.group(1)), end)


def _wikilink_rule(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if src[pos] not in "![" or state.linkLevel > 0:
        # Inside a Markdown link's text a link would nest ``<a>`` elements: keep it text.
        return False
    if not src.startswith("[[", pos + (1 if src[pos] == "!" else 0)):
        return False
    parsed = parse_wikilink(src, pos)
    if parsed is None:
        return False
    if not silent:
        token = state.push("embed" if parsed.embed else "wikilink", "", 0)
        token.meta = {"linktext": parsed.linktext, "display": parsed.display}
        token.content = src[pos : parsed.end]
    state.pos = parsed.end
    return True


@dataclass(frozen=True)
class ContextLinkRenderer(ObsidianLinkRenderer):
    """Obsidian's link markup with the host's resolution, URLs and publish policy."""

    ctx: RenderContext | None = None
    source_path: str = ""

    def target(self, ref: LinkRef, source_path: str) -> str | None:
        ctx = self.ctx
        assert ctx is not None
        target = ctx.resolve(ref.linkpath, source_path) if ref.linkpath else source_path
        if target is not None and ctx.published_view and not ctx.is_published(target):
            return None
        return target

    def href(self, ref: LinkRef, target: str | None) -> str:
        if target is None or self.ctx is None:
            return super().href(ref, target)
        return self.ctx.href_for(target, ref.subpath)

    def __call__(self, ref: LinkRef, source_path: str) -> str:
        published_view = self.ctx is not None and self.ctx.published_view
        if published_view and self.target(ref, source_path) is None:
            # Neither the link text (an alias may hide it) nor a URL: an unpublished or
            # missing note must not be named by the published page.
            return (
                '<a class="internal-link is-unresolved" target="_blank" '
                f'rel="noopener nofollow">{_private_label(ref)}</a>'
            )
        return super().__call__(ref, source_path)


def _private_label(ref: LinkRef) -> str:
    """The text of a link to an unpublished note in a published page: what the author wrote as
    display text, else only the bare note name — never the typed folder path or Obsidian's
    ``> heading`` / ``> ^block`` suffix (both reveal private structure). A Markdown link's label
    is the author's own bracket text, rendered by the inline rules (the split marker) — kept."""
    if _SPLIT in ref.label_html:
        return ref.label_html
    name = ref.linkpath.rsplit("/", 1)[-1]
    if name.lower().endswith(".md"):
        name = name[:-3]
    typed = {default_display(ref.linktext), ref.linkpath, name}
    if ref.display in typed or ref.display.startswith(name + " > "):
        return escape_text(name)
    return ref.label_html


def link_renderer(frag: Fragment) -> ContextLinkRenderer:
    """The link renderer for a fragment (resolution relative to the fragment's note)."""
    ctx = frag.ctx
    return ContextLinkRenderer(resolve=ctx.resolve, fileclass=ctx.fileclass, ctx=ctx)


def _render_wikilink(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    frag = fragment(env)
    linktext: str = token.meta["linktext"]
    display = token.meta["display"]
    shown = display if display is not None else default_display(linktext)
    if frag is None:
        return escape_text(shown)
    ref = LinkRef(linktext, shown, escape_text(shown))
    return link_renderer(frag)(ref, frag.path)


# ---------------------------------------------------------------------------------------------
# Markdown links


def _plain_text(children: list[Token]) -> str:
    return "".join(
        t.content for t in children if t.type in ("text", "code_inline", "wikilink", "embed")
    )


def _retarget_links(state: StateCore) -> None:
    """Mark relative-path Markdown links as internal (``meta["internal"]``) with their cleaned
    link text and plain display text; external links get Obsidian's ``external-link`` markup."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children = block.children
        open_stack: list[int] = []
        for i, tok in enumerate(children):
            if tok.type == "link_open":
                open_stack.append(i)
            elif tok.type == "link_close" and open_stack:
                start = open_stack.pop()
                _classify(children[start], tok, children[start + 1 : i])


def _classify(open_tok: Token, close_tok: Token, inner: list[Token]) -> None:
    href = str(open_tok.attrGet("href") or "")
    if open_tok.markup == "autolink" or open_tok.info == "auto" or open_tok.markup == "linkify":
        is_internal = False
    else:
        is_internal = is_internal_destination(href) or href.startswith("#")
    display = _plain_text(inner)
    if is_internal:
        try:
            linktext = clean_link_text(decode_uri(href))
        except MalformedURI:
            is_internal = False
        else:
            open_tok.meta["internal"] = {"linktext": linktext, "display": display}
            close_tok.meta["internal"] = True
            return
    open_tok.meta["external"] = {"display": display}


def _render_link_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    frag = fragment(env)
    internal = token.meta.get("internal")
    if internal is not None and frag is not None:
        ref = LinkRef(internal["linktext"], internal["display"], _SPLIT)
        html = link_renderer(frag)(ref, frag.path)
        opening, closing = html.split(_SPLIT, 1)
        _pending_close(env).append(closing)
        title = token.attrGet("title")
        if title:
            opening = opening[:-1] + f' title="{escape_attr(str(title))}">'
        return opening
    href = str(token.attrGet("href") or "")
    attrs: list[tuple[str, str]] = []
    external = token.meta.get("external")
    if external is not None and external["display"] != href:
        attrs += [("aria-label", href), ("data-tooltip-position", "top")]
    attrs += [("href", href), ("class", "external-link"), ("target", "_blank")]
    attrs.append(("rel", "noopener nofollow"))
    title = token.attrGet("title")
    if title:
        attrs.append(("title", str(title)))
    return "<a" + "".join(f' {k}="{escape_attr(v)}"' for k, v in attrs) + ">"


def _pending_close(env: Any) -> list[str]:
    return env.setdefault("gardend_link_close", [])


def _render_link_close(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    if tokens[idx].meta.get("internal") and isinstance(env, dict) and env.get("gardend_link_close"):
        return env["gardend_link_close"].pop()
    return "</a>"


def wikilinks_plugin(md: MarkdownIt) -> None:
    """Install wikilink parsing, Markdown-link retargeting and the link markup."""
    md.inline.ruler.before("link", "wikilink", _wikilink_rule)
    md.core.ruler.after("inline", "internal_links", _retarget_links)
    md.add_render_rule("wikilink", _render_wikilink)
    md.add_render_rule("link_open", _render_link_open)
    md.add_render_rule("link_close", _render_link_close)

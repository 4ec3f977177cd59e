"""Callouts: blockquotes whose first line is ``[!type]`` (obsidian.md §6.1).

A core rule runs between block parsing and inline parsing: it rewrites matching blockquote tokens
into callout tokens and splits the first line off as a separate inline token, so the title gets
full inline Markdown (links, emphasis, tags) from the normal inline pass.  Nested callouts are
just nested blockquotes, handled by the same single pass.
"""

from __future__ import annotations

import re
from typing import Any

from gardend.renderers.dataview import escape_attr
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from .callout_icons import icon_svg

__all__ = ["ALIASES", "ICONS", "callouts_plugin", "default_title"]

#: Alias -> canonical type (Help "Supported types").
ALIASES: dict[str, str] = {
    "summary": "abstract",
    "tldr": "abstract",
    "hint": "tip",
    "important": "tip",
    "check": "success",
    "done": "success",
    "help": "question",
    "faq": "question",
    "caution": "warning",
    "attention": "warning",
    "fail": "failure",
    "missing": "failure",
    "error": "danger",
    "cite": "quote",
}

#: Canonical type -> Lucide icon of the default theme.
ICONS: dict[str, str] = {
    "note": "pencil",
    "abstract": "clipboard-list",
    "info": "info",
    "todo": "check-circle-2",
    "tip": "flame",
    "success": "check",
    "question": "help-circle",
    "warning": "alert-triangle",
    "failure": "x",
    "danger": "zap",
    "bug": "bug",
    "example": "list",
    "quote": "quote",
}

_HEADER = re.compile(r"^\[!([^\]|\n]+)(?:\|([^\]\n]*))?\]([+-]?)[ \t]*([^\n]*)(?:\n|$)")


def default_title(callout_type: str) -> str:
    """``my-type`` → ``My type``: dashes to spaces, lower-cased, first letter upper-cased."""
    text = callout_type.replace("-", " ").lower()
    return text[:1].upper() + text[1:]


def icon_for(callout_type: str) -> str:
    """The icon id for a (lower-cased) type; unknown types look like ``note``."""
    canonical = ALIASES.get(callout_type, callout_type)
    return ICONS.get(canonical, ICONS["note"])


def _token(type_: str, nesting: int, level: int, meta: dict[str, Any] | None = None) -> Token:
    tok = Token(type_, "div", nesting)
    tok.level = level
    tok.block = True
    tok.meta = meta or {}
    return tok


def _rewrite(state: StateCore) -> None:
    tokens = state.tokens
    out: list[Token] = []
    stack: list[bool] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "blockquote_open":
            header = None
            if (
                i + 2 < len(tokens)
                and tokens[i + 1].type == "paragraph_open"
                and tokens[i + 2].type == "inline"
            ):
                header = _HEADER.match(tokens[i + 2].content)
            if header is None:
                stack.append(False)
                out.append(tok)
                i += 1
                continue
            raw_type = header.group(1).strip()
            ctype = raw_type.lower()
            title = header.group(4).strip()
            meta = {
                "type": ctype,
                "metadata": (header.group(2) or "").strip(),
                "fold": header.group(3),
                "has_title": bool(title),
            }
            tok.type = "callout_open"
            tok.tag = "div"
            tok.meta = meta
            out.append(tok)
            out.append(_token("callout_title_open", 1, tok.level + 1, meta))
            title_inline = Token("inline", "", 0)
            title_inline.content = title or default_title(raw_type)
            title_inline.children = []
            title_inline.level = tok.level + 2
            title_inline.map = tokens[i + 2].map
            if not title:
                # Default titles are plain text, not Markdown.
                title_inline.meta = {"plain": True}
            out.append(title_inline)
            out.append(_token("callout_title_close", -1, tok.level + 1, meta))
            out.append(_token("callout_content_open", 1, tok.level + 1, meta))
            rest = tokens[i + 2].content[header.end() :]
            if rest.strip():
                tokens[i + 2].content = rest
                i += 1  # keep the paragraph with the remaining lines
            else:
                i += 4  # drop paragraph_open, inline, paragraph_close
            stack.append(True)
            continue
        if tok.type == "blockquote_close" and stack and stack.pop():
            if out[-1].type == "callout_content_open":
                out.pop()
            else:
                out.append(_token("callout_content_close", -1, tok.level + 1))
            tok.type = "callout_close"
            tok.tag = "div"
        out.append(tok)
        i += 1
    state.tokens = out


def _plain_titles(state: StateCore) -> None:
    """Default titles must not be parsed as Markdown (``[!my_type_x]``): make them one text."""
    for tok in state.tokens:
        if tok.type == "inline" and tok.meta and tok.meta.get("plain"):
            text = Token("text", "", 0)
            text.content = tok.content
            tok.children = [text]


def _render_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    meta = tokens[idx].meta
    classes = ["callout"]
    if meta["fold"]:
        classes.append("is-collapsible")
        if meta["fold"] == "-":
            classes.append("is-collapsed")
    attrs = [
        ("data-callout-metadata", meta["metadata"]),
        ("data-callout-fold", meta["fold"]),
        ("data-callout", meta["type"]),
        ("class", " ".join(classes)),
    ]
    block_id = tokens[idx].attrGet("id")
    if block_id:
        attrs.append(("id", str(block_id)))
    return "<div" + "".join(f' {k}="{escape_attr(v)}"' for k, v in attrs) + ">\n"


def _render_title_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    meta = tokens[idx].meta
    return (
        f'<div class="callout-title"><div class="callout-icon">{icon_svg(icon_for(meta["type"]))}'
        '</div><div class="callout-title-inner">'
    )


def _render_title_close(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    meta = tokens[idx].meta
    fold = ""
    if meta["fold"]:
        state = " is-collapsed" if meta["fold"] == "-" else ""
        fold = f'<div class="callout-fold{state}">{icon_svg("chevron-down")}</div>'
    return f"</div>{fold}</div>\n"


def _render_content_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    hidden = ' style="display: none;"' if tokens[idx].meta.get("fold") == "-" else ""
    return f'<div class="callout-content"{hidden}>\n'


def _render_close(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    return "</div>\n"


def callouts_plugin(md: MarkdownIt) -> None:
    """Install callout parsing and markup."""
    md.core.ruler.after("block", "callouts", _rewrite)
    md.core.ruler.after("inline", "callout_plain_titles", _plain_titles)
    md.add_render_rule("callout_open", _render_open)
    md.add_render_rule("callout_close", _render_close)
    md.add_render_rule("callout_title_open", _render_title_open)
    md.add_render_rule("callout_title_close", _render_title_close)
    md.add_render_rule("callout_content_open", _render_content_open)
    md.add_render_rule("callout_content_close", _render_close)

"""Sanitising raw HTML written in notes (obsidian.md §6.10).

Only HTML that comes from the note source (``html_block`` / ``html_inline`` tokens) passes through
nh3 with an allow-list; markup gardend generates is trusted and escaped where it is built.

* Removed: ``<script>`` and ``<style>`` (with their content), ``on*`` handlers, ``javascript:``
  and other non-navigating URL schemes, ``<object>``/``<embed>``/``<form>``/inputs, comments.
* ``style`` attributes keep only a short list of layout/colour properties.
* ``<iframe>`` is allowed (Obsidian's "Embed web pages") only with an ``http(s)`` ``src``; it is
  emitted with ``sandbox`` so the framed page cannot script this one.

An HTML block ends at a blank line, so the common ``<details>`` / blank line / Markdown / blank
line / ``</details>`` pattern arrives as two HTML blocks around Markdown.  Cleaning each block
alone would close ``<details>`` at once; instead a container left open at the end of a block stays
open when a later block *in the same parent* starts with its closing tag (and only then, so note
HTML can never close gardend's own wrappers).

Inline HTML arrives one tag at a time (``<span>`` … text … ``</span>``).  Each opening tag is
cleaned on its own by nh3 — which auto-closes it — and the auto-added closing tag is cut off
again; a closing tag is kept only for an allowed element.  Block HTML is cleaned as a whole.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

__all__ = ["sanitize_block", "sanitize_inline", "sanitize_plugin"]

INLINE_TAGS: frozenset[str] = frozenset(
    {
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "br",
        "cite",
        "code",
        "data",
        "del",
        "dfn",
        "em",
        "font",
        "i",
        "img",
        "ins",
        "kbd",
        "mark",
        "q",
        "rp",
        "rt",
        "ruby",
        "s",
        "samp",
        "small",
        "span",
        "strike",
        "strong",
        "sub",
        "sup",
        "time",
        "u",
        "var",
        "wbr",
    }
)
BLOCK_TAGS: frozenset[str] = INLINE_TAGS | frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "caption",
        "center",
        "col",
        "colgroup",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "iframe",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
        "audio",
        "video",
        "source",
        "picture",
    }
)
_COMMON_ATTRS = {"class", "id", "title", "lang", "dir", "style", "align", "hidden"}
ATTRIBUTES: dict[str, set[str]] = {
    "*": _COMMON_ATTRS,
    "a": {"href", "name", "target"},
    "img": {"src", "alt", "width", "height", "loading"},
    "iframe": {"src", "width", "height", "title", "allow", "allowfullscreen", "loading"},
    "audio": {"src", "controls", "loop", "muted"},
    "video": {"src", "controls", "loop", "muted", "poster", "width", "height"},
    "source": {"src", "type", "srcset", "media"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "col": {"span", "width"},
    "ol": {"start", "type", "reversed"},
    "li": {"value"},
    "details": {"open"},
    "time": {"datetime"},
    "data": {"value"},
    "font": {"color", "size", "face"},
    "q": {"cite"},
    "blockquote": {"cite"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel", "obsidian"}
STYLE_PROPERTIES = {
    "color",
    "background-color",
    "text-align",
    "font-weight",
    "font-style",
    "font-size",
    "text-decoration",
    "width",
    "max-width",
    "height",
    "max-height",
    "margin",
    "margin-left",
    "margin-right",
    "margin-top",
    "margin-bottom",
    "padding",
    "border",
    "border-radius",
    "display",
    "float",
    "vertical-align",
}
_URL_ATTRS = {"src", "href", "poster", "cite", "srcset"}


def _filter(tag: str, attr: str, value: str) -> str | None:
    """Attribute filter: iframes only with an http(s) source."""
    if tag == "iframe" and attr == "src":
        return value if re.match(r"(?i)^\s*https?://", value) else None
    return value


def _clean(html: str, tags: frozenset[str]) -> str:
    return nh3.clean(
        html,
        tags=set(tags),
        clean_content_tags={
            "script",
            "style",
            "object",
            "embed",
            "form",
            "textarea",
            "select",
            "template",
            "noscript",
            "svg",
            "math",
        },
        attributes=ATTRIBUTES,
        attribute_filter=_filter,
        strip_comments=True,
        link_rel="noopener nofollow",
        url_schemes=URL_SCHEMES,
        filter_style_properties=STYLE_PROPERTIES,
        set_tag_attribute_values={
            "iframe": {"sandbox": "allow-scripts allow-same-origin allow-popups allow-presentation"}
        },
    )


def sanitize_block(html: str) -> str:
    """Clean an HTML block from a note."""
    return _clean(html, BLOCK_TAGS)


_OPEN = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)")
_CLOSE = re.compile(r"</([A-Za-z][A-Za-z0-9-]*)\s*>$")


def sanitize_inline(tag_html: str) -> str:
    """Clean one inline HTML token (a single tag, comment or declaration)."""
    close = _CLOSE.match(tag_html.strip())
    if close:
        name = close.group(1).lower()
        return f"</{name}>" if name in INLINE_TAGS else ""
    opening = _OPEN.match(tag_html)
    if opening is None:
        return ""  # comments, CDATA, processing instructions, declarations
    name = opening.group(1).lower()
    if name not in INLINE_TAGS:
        return ""
    cleaned = _clean(tag_html, INLINE_TAGS)
    auto_close = f"</{name}>"
    if cleaned.endswith(auto_close):
        cleaned = cleaned[: -len(auto_close)]
    return cleaned if cleaned.startswith(f"<{name}") else ""


#: Elements that may stay open across HTML blocks with Markdown between them.
CONTAINERS: frozenset[str] = frozenset(
    {
        "details",
        "div",
        "section",
        "aside",
        "article",
        "center",
        "figure",
        "blockquote",
        "main",
        "header",
        "footer",
        "nav",
    }
)
_LEADING_CLOSE = re.compile(r"\s*</([A-Za-z][A-Za-z0-9-]*)\s*>")


class _OpenContainers(HTMLParser):
    """Which container elements a raw HTML fragment leaves open."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in CONTAINERS:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass


def _unclosed(html: str) -> list[str]:
    parser = _OpenContainers()
    parser.feed(html)
    parser.close()
    return parser.stack


def _balance_blocks(state: StateCore) -> None:
    """Sanitise every HTML block, keeping a container open until its closing block (above)."""
    scopes: list[list[tuple[Token, str]]] = [[]]
    for tok in state.tokens:
        if tok.nesting == 1:
            scopes.append([])
        elif tok.nesting == -1 and len(scopes) > 1:
            for opener, _ in scopes.pop():
                opener.meta["html"] += "\n"
        if tok.type != "html_block":
            continue
        raw = tok.content
        prefix = ""
        scope = scopes[-1]
        m = _LEADING_CLOSE.match(raw)
        if m and scope and scope[-1][1] == m.group(1).lower():
            opener, name = scope.pop()
            opener.meta["html"] = opener.meta["html"][: -len(f"</{name}>")]
            prefix = f"</{name}>"
            raw = raw[m.end() :]
        cleaned = sanitize_block(raw).rstrip()
        tok.meta["html"] = prefix + cleaned + "\n"
        still_open = _unclosed(raw)
        if len(still_open) == 1 and cleaned.endswith(f"</{still_open[0]}>"):
            tok.meta["html"] = prefix + cleaned
            scope.append((tok, still_open[0]))
    # Openers never closed keep their nh3-balanced markup.
    for scope in scopes:
        for opener, _ in scope:
            opener.meta["html"] += "\n"


def _html_block(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    tok = tokens[idx]
    html = tok.meta.get("html") if tok.meta else None
    return html if html is not None else sanitize_block(tok.content)


def _html_inline(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    return sanitize_inline(tokens[idx].content)


def sanitize_plugin(md: MarkdownIt) -> None:
    """Route raw HTML tokens through the sanitiser."""
    md.core.ruler.after("block", "html_balance", _balance_blocks)
    md.add_render_rule("html_block", _html_block)
    md.add_render_rule("html_inline", _html_inline)

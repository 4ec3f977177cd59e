"""Whole-text compile steps without look-ups: custom filters, block ids, comments
(digital-garden.md §4.1–§4.3).

They run on the text *including* the compiled frontmatter line, exactly like the plugin's; their
code-block handling is the plugin's too (only ```` ``` ```` fences protect block ids; fences,
inline code and Excalidraw data protect comments), quirks included, because the output is
compared byte for byte.
"""

from __future__ import annotations

import logging
import re

from .jsfmt import js_regex, js_replace
from .settings import CustomFilter

log = logging.getLogger(__name__)


def apply_custom_filters(text: str, filters: tuple[CustomFilter, ...]) -> str:
    """Each filter in order; an invalid pattern is skipped (the plugin shows a notice)."""
    for item in filters:
        try:
            regex = js_regex(item.pattern, item.flags)
        except re.error as exc:
            log.warning("custom filter %r skipped: %s", item.pattern, exc)
            continue
        text = js_replace(text, regex, item.replace, global_="g" in item.flags)
    return text


_FENCE = re.compile(r"```[\s\S]*?```")
_OWN_LINE_ID = re.compile(r"[\r\n]\^([\w\d-]+)[\r\n]", re.ASCII)
_TRAILING_ID = re.compile(r" \^([\w\d-]+)", re.ASCII)


def replace_block_ids(text: str) -> str:
    """``^id`` → markdown-it-attrs ``{ #id}``; fenced code is swapped out first and restored.

    JavaScript's ``\\w`` is ASCII-only, hence ``re.ASCII``."""
    blocks: list[str] = []

    def stash(m: re.Match[str]) -> str:
        blocks.append(m.group(0))
        return "{{CODE_BLOCK_" + str(len(blocks) - 1) + "}}"

    text = _FENCE.sub(stash, text)
    text = _OWN_LINE_ID.sub(lambda m: "{ #" + m.group(1) + "}\n\n", text)
    text = _TRAILING_ID.sub(lambda m: "\n{ #" + m.group(1) + "}\n", text)
    for i, block in enumerate(blocks):
        text = text.replace("{{CODE_BLOCK_" + str(i) + "}}", block, 1)
    return text


_COMMENT = re.compile(r"%%.+?%%", re.MULTILINE | re.DOTALL)
_CODE_FENCE = re.compile(r"```.*?[\r\n][\s\S]+?```", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"`(.*?)`", re.MULTILINE | re.DOTALL)
_EXCALIDRAW = re.compile(r":\[\[(\d*?,\d*?)\],.*?\]\]", re.MULTILINE | re.DOTALL)


def remove_comments(text: str) -> str:
    """``%%…%%`` removed unless the comment text lies inside code (or Excalidraw data).

    The plugin deletes the first occurrence of each comment's text, so a comment that also
    appears inside code may lose the wrong copy — reproduced as is."""
    protected = [m.group(0) for p in (_CODE_FENCE, _INLINE_CODE, _EXCALIDRAW) for m in p.finditer(text)]
    for m in list(_COMMENT.finditer(text)):
        comment = m.group(0)
        if any(comment in code for code in protected):
            continue
        text = text.replace(comment, "", 1)
    return text

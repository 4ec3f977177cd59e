"""Task list items ``- [ ]``, ``- [x]`` and any other status character (obsidian.md §6.8).

A core rule looks at the first inline of each list item; ``[c] `` at its start makes the item a
task: ``class="task-list-item"`` (+ ``is-checked`` for every non-space status), ``data-task`` with
the character, and a disabled checkbox in front of the text.
"""

from __future__ import annotations

import re
from typing import Any

from gardend.renderers.dataview import escape_attr
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

__all__ = ["tasks_plugin"]

_TASK = re.compile(r"^\[(.)\](?:[ \t]+|$)")


def _mark_tasks(state: StateCore) -> None:
    tokens = state.tokens
    for i, tok in enumerate(tokens):
        if tok.type != "list_item_open" or i + 2 >= len(tokens):
            continue
        if tokens[i + 1].type != "paragraph_open" or tokens[i + 2].type != "inline":
            continue
        inline = tokens[i + 2]
        children = inline.children or []
        if not children or children[0].type != "text":
            continue
        m = _TASK.match(children[0].content)
        if m is None or m.group(1) in "\n":
            continue
        status = m.group(1)
        children[0].content = children[0].content[m.end() :]
        inline.content = inline.content[m.end() :]
        tok.meta["task"] = status
        checkbox = Token("task_checkbox", "input", 0)
        checkbox.meta = {"task": status}
        children.insert(0, checkbox)


def _render_item(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    tok = tokens[idx]
    attrs = []
    block_id = tok.attrGet("id")
    status = tok.meta.get("task") if tok.meta else None
    if status is not None:
        cls = "task-list-item" + (" is-checked" if status != " " else "")
        attrs += [("class", cls), ("data-task", status)]
    if block_id:
        attrs.append(("id", str(block_id)))
    value = tok.attrGet("value")
    if value:
        attrs.append(("value", str(value)))
    return "<li" + "".join(f' {k}="{escape_attr(v)}"' for k, v in attrs) + ">"


def _render_checkbox(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    checked = " checked" if tokens[idx].meta["task"] != " " else ""
    return f'<input class="task-list-item-checkbox" type="checkbox" disabled{checked}>'


def tasks_plugin(md: MarkdownIt) -> None:
    """Install task detection and markup."""
    md.core.ruler.after("inline", "tasks", _mark_tasks)
    md.add_render_rule("list_item_open", _render_item)
    md.add_render_rule("task_checkbox", _render_checkbox)

"""Task list items (obsidian.md §6.8)."""

from __future__ import annotations

from .helpers import render


def test_tasks() -> None:
    html = render("- [ ] open\n- [x] done\n- [/] half\n1. [ ] num")
    assert (
        '<li class="task-list-item" data-task=" "><input class="task-list-item-checkbox" '
        'type="checkbox" disabled>open</li>'
    ) in html
    assert 'class="task-list-item is-checked" data-task="/"' in html
    assert html.count("task-list-item-checkbox") == 4

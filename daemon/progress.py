"""A full sync with a progress bar on a terminal (shared by `gardend index`, `watch` and `serve`)."""

from __future__ import annotations

from .sync import Synchronizer, SyncResult


def run_full_sync(sync: Synchronizer, show_progress: bool) -> SyncResult:
    """``sync.full_sync()``, with a transient rich progress bar on standard error when asked."""
    if not show_progress:
        return sync.full_sync()
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("indexing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        transient=True, console=Console(stderr=True),
    ) as progress:
        task = progress.add_task("scan", total=None)
        return sync.full_sync(progress=lambda done, total: progress.update(task, completed=done, total=total))

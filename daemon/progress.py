"""Progress bars for long steps (indexing, compiling for a publish, building the static site).

A bar is for a person watching a terminal: it is drawn on standard error only when that is a
terminal, and is transient (it disappears when the step ends), so what remains on screen is the
command's own summary line. Piped, redirected, in CI or with ``--quiet`` nothing is drawn and the
commands print their plain summary lines only. Colours follow rich's rules, which honour
``NO_COLOR`` (and ``TERM=dumb``) without any code here.

The library code reports progress through a plain ``(done, total)`` callback, so it never
imports rich; only this module does, and only when a bar is actually shown.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .sync import Synchronizer, SyncResult

ProgressCallback = Callable[[int, int], None]
"""``callback(done, total)``: called as work advances; ``total`` may grow while work is found."""


def progress_wanted(quiet: bool = False) -> bool:
    """Whether to draw bars: not with ``--quiet``, and only when standard error is a terminal
    that can redraw a line (``TERM=dumb`` terminals, e.g. Emacs shells, cannot)."""
    if quiet:
        return False
    try:
        tty = sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed stream
        return False
    return tty and os.environ.get("TERM") != "dumb"


@contextmanager
def progress_bar(label: str, enabled: bool, counted: bool = True) -> Iterator[ProgressCallback | None]:
    """A transient bar labelled ``label`` on standard error; yields its ``(done, total)``
    callback, or ``None`` when ``enabled`` is false (pass that straight on: every library
    function takes ``progress=None`` as "no reporting").

    ``counted=False`` is for a step that reports no counts (a git commit and push): a spinner
    with the time elapsed, so a slow network still shows that something is happening.
    """
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        if counted else (SpinnerColumn(), TextColumn(label), TimeElapsedColumn())
    )
    with Progress(*columns, transient=True, console=Console(stderr=True)) as progress:
        task = progress.add_task(label, total=None)
        yield lambda done, total: progress.update(task, completed=done, total=total)


def run_full_sync(sync: Synchronizer, show_progress: bool) -> SyncResult:
    """``sync.full_sync()``, with a transient progress bar on standard error when asked
    (shared by every command that brings the index up to date, and by ``serve``)."""
    with progress_bar("indexing", show_progress) as callback:
        return sync.full_sync(progress=callback)

"""Telling when file times say nothing about a note: a fresh git clone, a checkout or a copy.

With the timestamp switches on and no frontmatter key configured, the compiled ``created`` and
``updated`` are the files' ``ctime``/``mtime`` (digital-garden.md §3.6). Git does not store file
times: a clone, a checkout or a pull sets them to the moment git wrote the file, and so do most
copies and sync tools. Every published note then shows the same date, and the next clone changes
every compiled note ("changed" churn, §3.6 and pitfall 21). gardend cannot recover the real
times, but it can see the pattern — almost all published notes written within the same minute —
and say so, with the remedy (frontmatter keys), instead of silently publishing checkout dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..index import Index
from .settings import GardenSettings

__all__ = ["FileTimeWarning", "file_time_warning"]

#: Fewer published notes than this: a burst of edits is as likely as a checkout; say nothing.
MIN_NOTES = 10
#: Share of the notes whose time must fall inside one window.
CLUSTER_SHARE = 0.9
#: Width of that window: a checkout of thousands of files takes seconds, not minutes.
WINDOW_NS = 60 * 1_000_000_000


@dataclass(frozen=True)
class FileTimeWarning:
    """Published notes' file times cluster: what is affected and what to do."""

    field: str
    """``"created"`` (ctime) or ``"updated"`` (mtime)."""
    clustered: int
    total: int
    at: datetime
    in_git: bool

    def message(self) -> str:
        key = "createdTimestampKey" if self.field == "created" else "updatedTimestampKey"
        origin = "a git clone or checkout" if self.in_git else "a checkout, copy or sync"
        return (
            f"file times: {self.clustered} of {self.total} published notes were written within one minute of"
            f" {self.at.isoformat(timespec='seconds').replace('+00:00', 'Z')}, which looks like {origin} rather"
            f" than your edits; their compiled '{self.field}' shows that moment (and changes on the next"
            f" checkout). Keep dates in the frontmatter and set the Digital Garden setting {key}"
            " (or [digital_garden] in gardend.toml), or turn the timestamp off"
        )


def _in_git_work_tree(root: Path) -> bool:
    return any((folder / ".git").exists() for folder in (root, *root.parents))


def _largest_cluster(times: list[int]) -> tuple[int, int]:
    """(size, start) of the largest set of ``times`` within :data:`WINDOW_NS` (sorted input)."""
    best, best_start, lo = 0, 0, 0
    for hi, t in enumerate(times):
        while t - times[lo] > WINDOW_NS:
            lo += 1
        if hi - lo + 1 > best:
            best, best_start = hi - lo + 1, times[lo]
    return best, best_start


def file_time_warning(index: Index, root: Path, settings: GardenSettings) -> list[FileTimeWarning]:
    """Warnings for each compiled timestamp taken from file times that look like one write.

    Only notes whose timestamp comes from the file (no configured key) count; with a key set,
    the frontmatter decides and file times do not matter."""
    fields = []
    if settings.show_created_timestamp and not settings.created_timestamp_key:
        fields.append(("created", "ctime_ns"))
    if settings.show_updated_timestamp and not settings.updated_timestamp_key:
        fields.append(("updated", "mtime_ns"))
    out: list[FileTimeWarning] = []
    for name, column in fields:
        query = (  # column is one of two fixed names above, never user input
            f"SELECT f.{column} FROM files f JOIN notes n ON n.file_id = f.id"
            f" WHERE n.publish = 1 AND f.{column} IS NOT NULL"
        )
        times = sorted(r[0] for r in index.conn.execute(query))
        if len(times) < MIN_NOTES:
            continue
        size, start = _largest_cluster(times)
        if size >= CLUSTER_SHARE * len(times):
            out.append(FileTimeWarning(
                name, size, len(times), datetime.fromtimestamp(start / 1e9, tz=UTC), _in_git_work_tree(root)
            ))
    return out

"""Building an index for publish tests."""

from __future__ import annotations

from pathlib import Path

from gardend.daemon.index import Index
from gardend.daemon.publish.compile import GardenCompiler
from gardend.daemon.publish.context import Mode
from gardend.daemon.publish.settings import GardenSettings
from gardend.daemon.sync import Synchronizer


def indexed(root: Path, tmp_path: Path) -> Index:
    index = Index(tmp_path / "publish.sqlite")
    Synchronizer(index, root, workers=1).full_sync()
    return index


def compiler(root: Path, tmp_path: Path, settings: GardenSettings | None = None, mode: Mode = "plugin") -> GardenCompiler:
    return GardenCompiler(indexed(root, tmp_path), root, settings, mode)

"""File times that look like a git checkout are reported when they would become the compiled
``created``/``updated`` (digital-garden.md §3.6), and only then."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from gardend.daemon.index import Index
from gardend.daemon.publish.file_times import (
    MIN_NOTES,
    WINDOW_NS,
    _largest_cluster,
    file_time_warning,
)
from gardend.daemon.publish.settings import GardenSettings
from gardend.daemon.sync import Synchronizer
from hypothesis import given
from hypothesis import strategies as st

from ..conftest import VaultMaker

ON = GardenSettings(show_created_timestamp=True, show_updated_timestamp=True)


def _vault(make_vault: VaultMaker, n: int, spread_s: float) -> Path:
    files = {f"N{i}.md": f"---\ndg-publish: true\n---\nnote {i}\n" for i in range(n)}
    root = make_vault(files)
    base = 1_700_000_000
    for i in range(n):
        t = base + i * spread_s
        os.utime(root / f"N{i}.md", (t, t))
    return root


def _index(root: Path, tmp_path: Path) -> Index:
    index = Index(tmp_path / "i.sqlite")
    Synchronizer(index, root, workers=1).full_sync()
    return index


def test_a_checkout_like_vault_is_reported(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = _vault(make_vault, 30, 0.01)  # all written within a second
    (root / ".git").mkdir()
    warnings = file_time_warning(_index(root, tmp_path), root, ON)
    fields = {w.field for w in warnings}
    assert "updated" in fields  # mtimes set above; ctimes are the test's own write time, clustered too
    message = next(w for w in warnings if w.field == "updated").message()
    assert "30 of 30 published notes" in message and "git clone or checkout" in message
    assert "updatedTimestampKey" in message


def test_real_edit_history_is_not_reported(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = _vault(make_vault, 30, 86_400)  # one note a day
    warnings = file_time_warning(_index(root, tmp_path), root, ON)
    assert "updated" not in {w.field for w in warnings}


@pytest.mark.parametrize("settings", [
    GardenSettings(),  # timestamps off (the plugin's default): file times are never published
    GardenSettings(show_created_timestamp=True, show_updated_timestamp=True,
                   created_timestamp_key="created", updated_timestamp_key="updated"),  # from frontmatter
])
def test_no_warning_when_file_times_are_not_published(
    make_vault: VaultMaker, tmp_path: Path, settings: GardenSettings
) -> None:
    root = _vault(make_vault, 30, 0.01)
    assert file_time_warning(_index(root, tmp_path), root, settings) == []


def test_small_gardens_are_not_judged(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = _vault(make_vault, MIN_NOTES - 1, 0.01)
    assert file_time_warning(_index(root, tmp_path), root, ON) == []


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_status_prints_the_notice(make_vault: VaultMaker, tmp_path: Path) -> None:
    from click.testing import CliRunner
    from gardend.daemon.cli import main

    root = _vault(make_vault, 12, 0.01)
    plugin = root / ".obsidian" / "plugins" / "digitalgarden"
    plugin.mkdir(parents=True)
    (plugin / "manifest.json").write_text('{"id": "digitalgarden"}')
    (plugin / "data.json").write_text('{"showUpdatedTimestamp": true}')
    repo = tmp_path / "garden"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    result = CliRunner().invoke(main, ["status", str(root), "--repo", str(repo), "--db", str(tmp_path / "s.sqlite")])
    assert result.exit_code == 0, result.output
    assert "file times: 12 of 12 published notes" in result.output


@given(st.lists(st.integers(min_value=0, max_value=10 * WINDOW_NS), max_size=40))
def test_largest_cluster_matches_brute_force(times: list[int]) -> None:
    times.sort()
    size, start = _largest_cluster(times)
    brute = max((sum(1 for u in times if t <= u <= t + WINDOW_NS) for t in times), default=0)
    assert size == brute
    if times:
        assert sum(1 for u in times if start <= u <= start + WINDOW_NS) == size

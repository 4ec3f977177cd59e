"""The research vault's insight note compiles to the seed page (digital-garden.md §3.12, §4.13)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from gardend.daemon.publish.settings import GardenSettings

from ..conftest import REPO
from .helpers import compiler

DEMO = REPO / "examples" / "research-vault"
INSIGHT = "Research/Insights/2025-01-30 12.13.47.md"
SEED = REPO.parent / "shared" / "seed" / "000_9d8ad8b6eef5d93c.txt"
#: The seed's timestamps came from file times; the demo vault keeps them as frontmatter values.
SETTINGS = GardenSettings(
    show_created_timestamp=True, show_updated_timestamp=True,
    created_timestamp_key="created", updated_timestamp_key="updated",
)
TABLES = re.compile(r"<div><table .*?</table></div>")


@pytest.fixture(scope="module")
def seed() -> str:
    if not SEED.is_file():
        pytest.skip(f"seed page not found at {SEED}")
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> str:
    return compiler(DEMO, tmp_path_factory.mktemp("seed"), SETTINGS).compile(INSIGHT).text


def test_frontmatter_line_equals_the_seed(seed: str, compiled: str) -> None:
    assert compiled.split("\n")[:4] == seed.split("\n")[:4]  # ---, JSON, ---, empty line
    assert compiled.split("\n")[1] == (
        '{"dg-publish":true,"permalink":"/research/insights/2025-01-30-12-13-47/","tags":["insight"],'
        '"created":"2025-06-14T23:55:14.802-04:00","updated":"2025-10-24T17:09:15.232-04:00"}'
    )


def test_content_bullet_equals_the_seed(seed: str, compiled: str) -> None:
    bullet = next(line for line in seed.split("\n") if line.startswith("- [[Research/Tags/Back Pain"))
    assert bullet in compiled.split("\n")


def test_both_tables_equal_the_seed_byte_for_byte(seed: str, compiled: str) -> None:
    expected = TABLES.findall(seed)
    assert len(expected) == 2
    assert TABLES.findall(compiled) == expected


def test_whole_page_differs_only_where_two_blocks_meet(seed: str, compiled: str) -> None:
    """The seed's two tables came from ONE dataviewjs block (adjacent ``</div><div>``); the demo
    note has two ```dataview blocks, whose fences are separated by a line break that stays."""
    assert compiled != seed
    assert compiled.replace("</table></div>\n<div><table", "</table></div><div><table") == seed


def test_safe_mode_keeps_the_seed_bytes_for_a_fully_published_page(tmp_path: Path, seed: str) -> None:
    safe = compiler(DEMO, tmp_path, SETTINGS, "safe").compile(INSIGHT).text
    assert TABLES.findall(safe) == TABLES.findall(seed)

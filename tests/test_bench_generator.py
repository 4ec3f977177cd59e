"""The synthetic-vault generator (bench/generate_vault.py): determinism and honest counts.

The counts are re-derived here from the written files with a small, independent parser (fences,
comments and inline code removed; Obsidian's name-based link resolution), so a benchmark or an
indexer test can trust the summary the generator prints.
"""

from __future__ import annotations

import importlib.util
import json
import posixpath
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import unquote

import pytest
import yaml

GENERATOR = Path(__file__).resolve().parent.parent / "bench" / "generate_vault.py"


def _load_generator() -> ModuleType:
    """Import bench/generate_vault.py by path (bench/ is not an installed package)."""
    name = "gardend_bench_generate_vault"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, GENERATOR)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


def snapshot(root: Path) -> dict[str, tuple[bytes | None, int]]:
    """Every file and folder under root: relative path -> (bytes or None for folders, mtime ns)."""
    out: dict[str, tuple[bytes | None, int]] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        data = path.read_bytes() if path.is_file() else None
        out[rel] = (data, path.stat().st_mtime_ns)
    return out


# --- determinism --------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_trees(tmp_path: Path) -> None:
    a = gen.generate(tmp_path / "a", 200, 7, attachments=12)
    b = gen.generate(tmp_path / "b", 200, 7, attachments=12)
    snap_a, snap_b = snapshot(tmp_path / "a"), snapshot(tmp_path / "b")
    assert list(snap_a) == list(snap_b)
    assert snap_a == snap_b
    assert {**a.as_dict(), "root": ""} == {**b.as_dict(), "root": ""}
    assert a.notes == 200
    assert a.attachments == 12


def test_different_seed_gives_a_different_vault(tmp_path: Path) -> None:
    gen.generate(tmp_path / "a", 200, 1)
    gen.generate(tmp_path / "b", 200, 2)
    assert snapshot(tmp_path / "a") != snapshot(tmp_path / "b")


def test_refuses_to_overwrite_foreign_folders(tmp_path: Path) -> None:
    target = tmp_path / "mine"
    target.mkdir()
    (target / "precious.md").write_text("keep me", encoding="utf-8")
    with pytest.raises(gen.VaultExistsError):
        gen.generate(target, 10, 1)
    with pytest.raises(gen.VaultExistsError):
        gen.generate(target, 10, 1, overwrite=True)
    assert (target / "precious.md").read_text(encoding="utf-8") == "keep me"


def test_overwrite_replaces_a_generated_vault(tmp_path: Path) -> None:
    gen.generate(tmp_path / "v", 50, 1)
    first = snapshot(tmp_path / "v")
    gen.generate(tmp_path / "v", 50, 1, overwrite=True)
    assert snapshot(tmp_path / "v") == first


def test_cli_prints_json_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert gen.main([str(tmp_path / "v"), "--notes", "30", "--seed", "3", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["notes"] == 30
    assert len(list((tmp_path / "v").rglob("*.md"))) == 30
    assert (tmp_path / "v" / ".obsidian" / "app.json").is_file()


# --- counts re-derived from the files -----------------------------------------------------

FENCE = re.compile(r"^(`{3,}|~{3,})(.*)$")
WIKILINK = re.compile(r"(!?)\[\[([^\[\]\n]*?)\]\]")
MDLINK = re.compile(r"(!?)\[([^\[\]\n]*)\]\(([^()\s]*(?:\([^()\s]*\)[^()\s]*)*)\)")
TASK = re.compile(r"^[ \t>]*(?:[-*+]|\d+[.)])[ \t]+\[(.)\][ \t]", re.M)
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def split_frontmatter(text: str) -> tuple[Any, str]:
    """(parsed YAML or None, body)."""
    if not text.startswith("---\n"):
        return None, text
    end = text.find("\n---\n", 3)
    if end == -1:
        return None, text
    try:
        data = yaml.safe_load(text[4:end])
    except yaml.YAMLError:
        data = None
    return data, text[end + 5 :]


def strip_code(body: str) -> tuple[str, int]:
    """Body without fenced code blocks, and the number of top-level ```dataview blocks."""
    kept: list[str] = []
    fence: tuple[str, int] | None = None
    dataview = 0
    for line in body.split("\n"):
        m = FENCE.match(line)
        if fence is None:
            if m:
                fence = (m.group(1)[0], len(m.group(1)))
                dataview += m.group(2).strip() == "dataview" and m.group(1)[0] == "`"
                continue
            kept.append(line)
        elif (
            m
            and m.group(1)[0] == fence[0]
            and len(m.group(1)) >= fence[1]
            and not m.group(2).strip()
        ):
            fence = None
    return "\n".join(kept), dataview


def frontmatter_links(value: Any) -> int:
    if isinstance(value, str):
        return int(value.startswith("[[") and value.endswith("]]"))
    if isinstance(value, list):
        return sum(frontmatter_links(v) for v in value)
    if isinstance(value, dict):
        return sum(frontmatter_links(v) for v in value.values())
    return 0


class Resolver:
    """Obsidian's name-based lookup, enough for the link shapes the generator writes."""

    def __init__(self, root: Path) -> None:
        self.paths: set[str] = set()
        self.by_name: dict[str, list[str]] = {}
        for path in root.rglob("*"):
            rel = path.relative_to(root).as_posix()
            if path.is_dir() or rel.startswith(".") or "/." in rel:
                continue
            self.paths.add(rel.lower())
            self.by_name.setdefault(path.name.lower(), []).append(rel)

    def candidates(self, linkpath: str) -> list[str]:
        lp = linkpath.lower().lstrip("/")
        if "/" in lp:
            return [p for p in (lp, lp + ".md") if p in self.paths]
        return self.by_name.get(lp) or self.by_name.get(lp + ".md") or []


def recount(root: Path) -> dict[str, int]:
    resolver = Resolver(root)
    c = dict.fromkeys(
        (
            "notes",
            "published",
            "links",
            "embeds",
            "dangling_links",
            "ambiguous_links",
            "frontmatter_links",
            "tasks",
            "tasks_completed",
            "dataview_blocks",
            "note_bytes",
        ),
        0,
    )
    folders: set[str] = set()
    for path in sorted(root.rglob("*.md")):
        rel = path.relative_to(root).as_posix()
        raw = path.read_bytes()
        c["notes"] += 1
        c["note_bytes"] += len(raw)
        folder = posixpath.dirname(rel)
        if folder:
            folders.add(folder)
        fm, body = split_frontmatter(raw.decode("utf-8").replace("\r\n", "\n"))
        if isinstance(fm, dict):
            c["published"] += fm.get("dg-publish") is True
            c["frontmatter_links"] += frontmatter_links(fm)
        body, dataview = strip_code(body)
        c["dataview_blocks"] += dataview
        body = re.sub(r"%%.*?%%", "", body, flags=re.S)
        body = re.sub(r"`[^`\n]*`", "", body)
        for m in WIKILINK.finditer(body):
            c["links"] += 1
            c["embeds"] += m.group(1) == "!"
            target = m.group(2).replace("\\|", "|").split("|", 1)[0]
            linkpath = target.split("#", 1)[0]
            if not linkpath:
                continue  # [[#heading]]: the note itself
            found = resolver.candidates(linkpath)
            c["dangling_links"] += not found
            c["ambiguous_links"] += "/" not in linkpath and len(found) > 1
        for m in MDLINK.finditer(body):
            url = m.group(3)
            if SCHEME.match(url):
                continue
            c["links"] += 1
            c["embeds"] += m.group(1) == "!"
            path_part = unquote(url.split("#", 1)[0])
            if path_part.startswith(("./", "../")):
                path_part = posixpath.normpath(posixpath.join(folder, path_part))
            c["dangling_links"] += not resolver.candidates(path_part)
        for m in TASK.finditer(body):
            c["tasks"] += 1
            c["tasks_completed"] += m.group(1) != " "
    c["folders"] = len(folders)
    c["attachments"] = len(list(root.rglob("*.png")))
    return c


@pytest.mark.parametrize(("seed", "attachments"), [(1, 0), (2, 24), (3, 40)])
def test_summary_counts_match_the_files(tmp_path: Path, seed: int, attachments: int) -> None:
    summary = gen.generate(tmp_path / "v", 200, seed, attachments=attachments)
    found = recount(tmp_path / "v")
    expected = {k: v for k, v in summary.as_dict().items() if k in found}
    assert found == expected


def test_vault_has_the_promised_mix(tmp_path: Path) -> None:
    s = gen.generate(tmp_path / "v", 400, 5, attachments=20)
    assert 0.3 < s.published / s.notes < 0.5
    assert s.folders >= 40
    assert s.dangling_links > 0 and s.ambiguous_links > 0 and s.frontmatter_links > 0
    assert s.tasks_completed < s.tasks
    assert s.dataview_blocks > 0
    depth = max(
        p.relative_to(tmp_path / "v").as_posix().count("/") for p in (tmp_path / "v").rglob("*.md")
    )
    assert depth == 3  # three folder levels
    text = "\n".join(p.read_text(encoding="utf-8") for p in (tmp_path / "v").rglob("*.md"))
    for needle in (
        "[[NotALink]]",
        "#notatag",
        "%%",
        "^",
        "> [!",
        "📅 ",
        "[due:: ",
        "(priority:: ",
        "%20",
        "#^",
        "![[",
        "- [x] ",
    ):
        assert needle in text, needle

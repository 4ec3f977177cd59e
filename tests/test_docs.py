"""The README's generated references match the code: a command, option or setting added without
regenerating them (or without a help text) fails here, so the documentation cannot drift."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from gardend.daemon.cli import main
from gardend.daemon.cli.docs import (
    CLI_END,
    CLI_START,
    CONFIG_END,
    CONFIG_START,
    DocsError,
    cli_reference,
    config_reference,
    documented_options,
    extract_block,
    replace_block,
    update_text,
    walk_commands,
)
from gardend.daemon.cli.docs import main as docs_main

from .conftest import REPO

README = REPO / "README.md"
REGENERATE = "run `python -m gardend.daemon.cli.docs --write README.md`"


def readme() -> str:
    return README.read_text(encoding="utf-8")


def test_readme_command_reference_is_current() -> None:
    block = extract_block(readme(), CLI_START, CLI_END)
    assert block is not None, "README.md has no cli-reference markers"
    assert block == cli_reference(), f"README's command reference is out of date: {REGENERATE}"


def test_readme_configuration_reference_is_current() -> None:
    block = extract_block(readme(), CONFIG_START, CONFIG_END)
    assert block is not None, "README.md has no config-reference markers"
    assert block == config_reference(), f"README's configuration reference is out of date: {REGENERATE}"


def test_every_command_and_option_has_help_and_is_in_the_readme() -> None:
    block = extract_block(readme(), CLI_START, CLI_END) or ""
    sections = {s.split("`", 2)[1]: s for s in ("\n" + block).split("\n### ")[1:]}
    seen = 0
    for ctx, command in walk_commands(main):
        path = ctx.command_path
        assert (command.help or "").strip(), f"`{path}` has no help text"
        assert path in sections, f"`{path}` is missing from README's command reference: {REGENERATE}"
        for option in documented_options(ctx, command):
            assert (option.help or "").strip(), f"`{path}` option {option.opts} has no help text"
            longest = max(option.opts, key=len)
            assert f"`{longest}" in sections[path], f"`{path} {longest}` is undocumented: {REGENERATE}"
        seen += 1
    assert seen >= 12  # the group itself and its commands: a broken walk must not pass silently


def test_every_setting_is_documented() -> None:
    from gardend.daemon.config import iter_options

    block = extract_block(readme(), CONFIG_START, CONFIG_END) or ""
    for dotted, _default, doc in iter_options():
        table, _, key = dotted.rpartition(".")
        assert doc.strip(), f"setting {dotted} has no docstring"
        assert f"| `{key}` |" in block, f"setting {dotted} is missing from README: {REGENERATE}"
        if table:
            assert f"`[{table}]`" in block


def test_help_blocks_marked_verbatim_stay_line_for_line() -> None:
    @click.command()
    def demo() -> None:
        """First paragraph
        wrapped by hand.

        \b
        a  b
          c
        \f
        Not for users.
        """

    ctx = click.Context(demo, info_name="demo")
    text = cli_reference(demo)
    assert "First paragraph wrapped by hand." in text
    assert "```text\na  b\n  c\n```" in text
    assert "Not for users" not in text
    assert ctx.command_path == "demo"


def test_pipes_in_help_are_escaped_for_tables() -> None:
    @click.command()
    @click.option("--fmt", type=click.Choice(["a", "b"]), help="One of a|b.")
    def demo(fmt: str | None) -> None:
        """Demo."""

    text = cli_reference(demo)
    assert "| `--fmt [a\\|b]` | One of a\\|b. |" in text


def test_write_and_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stale = tmp_path / "README.md"
    stale.write_text(f"# x\n\n{CLI_START}\nSTALE-TEXT\n{CLI_END}\n\n{CONFIG_START}\n{CONFIG_END}\n", encoding="utf-8")
    assert docs_main(["--check", str(stale)]) == 1
    assert "--write" in capsys.readouterr().err
    assert docs_main(["--write", str(stale)]) == 0
    assert docs_main(["--check", str(stale)]) == 0
    text = stale.read_text(encoding="utf-8")
    assert text.startswith("# x\n") and "STALE-TEXT" not in text and "### `gardend index`" in text
    assert update_text(text) == text  # idempotent


def test_missing_markers_are_an_error() -> None:
    with pytest.raises(DocsError):
        replace_block("no markers here", CLI_START, CLI_END, "x")
    assert extract_block("no markers here", CLI_START, CLI_END) is None

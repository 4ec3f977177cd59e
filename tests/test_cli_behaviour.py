"""How the command line behaves for people and scripts (issue 10, item 4): one version, `python
-m gardend`, exit codes, one-line errors, --debug, --json everywhere, NO_COLOR, progress only on
a terminal, shell completion, and no traceback when the reader of a pipe goes away."""

from __future__ import annotations

import importlib.metadata
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from gardend.daemon.cli import main, vault_cmds
from gardend.daemon.cli.app import COMPLETE_VAR, SHELLS, completion_script
from gardend.daemon.progress import progress_bar, progress_wanted

from .conftest import REPO

DEMO = REPO / "examples" / "research-vault"
INSIGHT = "Research/Insights/2025-01-30 12.13.47.md"


def invoke(*args: str, **kwargs: object) -> Result:
    return CliRunner().invoke(main, list(args), **kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# install: version and `python -m gardend`


def test_version_has_one_source() -> None:
    import gardend
    import gardend.daemon

    assert gardend.__version__ == gardend.daemon.__version__ == importlib.metadata.version("gardend")
    result = invoke("--version")
    assert result.exit_code == 0 and result.output.strip() == f"gardend, version {gardend.__version__}"


def test_python_m_gardend(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "gardend", "--help"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("Usage: gardend ")
    assert "completion" in run.stdout and "index" in run.stdout


def test_py_typed_markers_are_shipped() -> None:
    import gardend
    import gardend.daemon
    import gardend.renderers

    for package in (gardend, gardend.daemon, gardend.renderers):
        assert (Path(package.__file__).parent / "py.typed").is_file(), package.__name__


# ---------------------------------------------------------------------------------------------
# exit codes and errors


@pytest.mark.parametrize(
    "args",
    [
        ["no-such-command"],
        ["index", "--no-such-option"],
        ["query", "--format", "xml", "LIST"],
        ["query", "--json", "--format", "csv", "LIST"],
        ["completion", "tcsh"],
        ["check", str(DEMO), "--repo", "somewhere"],  # --repo goes with --leaks
        ["serve", "--port", "70000"],
    ],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_no_vault_anywhere_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("index")
    assert result.exit_code == 2 and "no vault given" in result.output


def test_failures_exit_1_with_one_line_naming_the_file(tmp_path: Path) -> None:
    result = invoke("index", str(tmp_path / "missing"))
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [f"Error: {tmp_path / 'missing'}: vault folder does not exist"]
    config = tmp_path / "gardend.toml"
    config.write_text("[index\n")
    result = invoke("info", str(DEMO), "--config", str(config))
    assert result.exit_code == 1 and len(result.stderr.strip().splitlines()) == 1
    assert str(config) in result.stderr and "invalid TOML" in result.stderr


def test_failing_query_exits_1(tmp_path: Path) -> None:
    result = invoke("query", str(DEMO), "TABLE FROM", "--db", str(tmp_path / "i.sqlite"))
    assert result.exit_code == 1 and "PARSING FAILED" in result.output


def test_unexpected_error_is_one_line_and_traceback_needs_debug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(_index: object) -> list[object]:
        raise RuntimeError("boom")

    monkeypatch.setattr(vault_cmds, "collect_findings", boom)
    db = str(tmp_path / "i.sqlite")
    result = invoke("check", str(DEMO), "--db", db)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == ["Error: RuntimeError: boom (run with --debug for the traceback)"]
    assert not isinstance(result.exception, RuntimeError)  # handled: a plain exit

    debug = invoke("--debug", "check", str(DEMO), "--db", db)
    assert isinstance(debug.exception, RuntimeError)  # propagates: the traceback is shown
    monkeypatch.setenv("GARDEND_DEBUG", "1")
    assert isinstance(invoke("check", str(DEMO), "--db", db).exception, RuntimeError)


def test_locked_database_says_which_file_and_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def locked(_index: object) -> list[object]:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(vault_cmds, "collect_findings", locked)
    db = tmp_path / "i.sqlite"
    result = invoke("check", str(DEMO), "--db", str(db))
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"Error: {db}: database is locked;") and "--db" in line and "gardend serve" in line


def test_non_standalone_callers_still_get_exceptions(tmp_path: Path) -> None:
    with pytest.raises(click.ClickException):
        main.main(["index", str(tmp_path / "missing")], standalone_mode=False)


# ---------------------------------------------------------------------------------------------
# --json


@pytest.mark.parametrize(
    "args",
    [
        ["index", "--json"],
        ["check", "--json"],
        ["info", "--json"],
        ["query", 'LIST FROM "Research/Tags"', "--json"],
        ["query", 'TABLE file.name FROM "Research/Tags"', "--format", "json"],
        ["render", INSIGHT, "--json"],
    ],
)
def test_json_output_parses(args: list[str], tmp_path: Path) -> None:
    command, rest = args[0], args[1:]
    result = invoke(command, str(DEMO), *rest, "--db", str(tmp_path / "i.sqlite"))
    assert result.exit_code in (0, 1), result.output
    json.loads(result.stdout)


def test_render_json_has_the_html(tmp_path: Path) -> None:
    result = invoke("render", str(DEMO), INSIGHT, "--json", "--db", str(tmp_path / "i.sqlite"))
    data = json.loads(result.stdout)
    assert data["path"] == INSIGHT and data["html"].startswith("<") and isinstance(data["headings"], list)


def test_render_published_follows_the_publish_mode(tmp_path: Path) -> None:
    """``--published`` shows what the published site shows in ``publish.mode`` (or ``--mode``):
    safe hides an unpublished note's transcluded text, plugin mode shows it as the plugin does."""
    vault = tmp_path / "v"
    vault.mkdir()
    (vault / "Pub.md").write_text("---\ndg-publish: true\n---\n![[Secret]]\n", encoding="utf-8")
    (vault / "Secret.md").write_text("walrus-private-4411\n", encoding="utf-8")
    db = str(tmp_path / "i.sqlite")
    safe = invoke("render", str(vault), "Pub", "--published", "--db", db)
    plugin = invoke("render", str(vault), "Pub", "--published", "--mode", "plugin", "--db", db)
    (tmp_path / "gardend.toml").write_text('[publish]\nmode = "plugin"\n', encoding="utf-8")
    configured = invoke("render", str(vault), "Pub", "--published", "--db", db,
                        "--config", str(tmp_path / "gardend.toml"))
    assert safe.exit_code == plugin.exit_code == configured.exit_code == 0, (safe.output, plugin.output)
    assert "walrus-private-4411" not in safe.stdout
    assert "walrus-private-4411" in plugin.stdout and "walrus-private-4411" in configured.stdout


# ---------------------------------------------------------------------------------------------
# terminal behaviour: colour, progress, completion


def test_no_color_strips_styles(monkeypatch: pytest.MonkeyPatch) -> None:
    @main.command("_colour-probe", hidden=True)
    def probe() -> None:
        click.echo(click.style("red", fg="red"))

    try:
        runner = CliRunner()
        assert "\x1b[" in runner.invoke(main, ["_colour-probe"], color=True).output
        monkeypatch.setenv("NO_COLOR", "1")
        plain = runner.invoke(main, ["_colour-probe"], color=True).output
        assert plain == "red\n"
    finally:
        main.commands.pop("_colour-probe", None)


def test_rich_consoles_honour_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console

    monkeypatch.setenv("NO_COLOR", "1")
    assert Console(stderr=True, force_terminal=True).no_color


def test_progress_only_on_a_terminal_and_never_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert not progress_wanted()
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert progress_wanted() and not progress_wanted(quiet=True)
    monkeypatch.setenv("TERM", "dumb")
    assert not progress_wanted()
    with progress_bar("step", enabled=False) as callback:
        assert callback is None
    with progress_bar("step", enabled=True) as callback:
        assert callback is not None
        callback(1, 2)
    with progress_bar("step", enabled=True, counted=False) as callback:
        assert callback is not None
        callback(0, 0)


def test_piped_index_prints_plain_lines_only(tmp_path: Path) -> None:
    result = invoke("index", str(DEMO), "--db", str(tmp_path / "i.sqlite"))
    assert result.exit_code == 0
    assert "\x1b" not in result.output and result.stdout.startswith("indexed ")
    quiet = invoke("index", str(DEMO), "--db", str(tmp_path / "i.sqlite"), "--quiet")
    assert quiet.exit_code == 0 and quiet.output == ""


@pytest.mark.parametrize("shell", SHELLS)
def test_completion_script_for_each_shell(shell: str) -> None:
    result = invoke("completion", shell)
    assert result.exit_code == 0
    assert result.stdout.strip() and COMPLETE_VAR in result.stdout
    assert result.stdout.strip() == completion_script(shell).strip()


def test_completion_completes_commands_and_options() -> None:
    runner = CliRunner()
    env = {COMPLETE_VAR: "bash_complete", "COMP_WORDS": "gardend ind", "COMP_CWORD": "1"}
    result = runner.invoke(main, [], env=env, prog_name="gardend")
    assert "plain,index" in result.output.splitlines()
    env = {COMPLETE_VAR: "bash_complete", "COMP_WORDS": "gardend query --for", "COMP_CWORD": "2"}
    result = runner.invoke(main, [], env=env, prog_name="gardend")
    assert "plain,--format" in result.output.splitlines()


# ---------------------------------------------------------------------------------------------
# pipes


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["export", str(DEMO)],
        ["check", str(DEMO), "--json"],
        ["query", str(DEMO), 'TABLE file.name FROM ""'],
    ],
)
def test_closed_pipe_prints_no_traceback(args: list[str], tmp_path: Path) -> None:
    """`gardend ... | head -1`: the reader goes away; gardend must stop quietly."""
    extra = ["--db", str(tmp_path / "i.sqlite")] if len(args) > 1 else []
    proc = subprocess.Popen([sys.executable, "-m", "gardend", *args, *extra], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # nobody reads: every write fails with EPIPE
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert "Traceback" not in err and "Exception ignored" not in err, err


def test_publish_json_reports_plan_commit_and_site(tmp_path: Path) -> None:
    from .publish.helpers import make_garden

    _bare, clone = make_garden(tmp_path)
    db = str(tmp_path / "i.sqlite")
    site = tmp_path / "site"
    dry = invoke("publish", str(DEMO), "--repo", str(clone), "--db", db, "--site", str(site), "--dry-run", "--json")
    assert dry.exit_code == 0, dry.output
    planned = json.loads(dry.stdout)
    assert planned["dry_run"] and planned["commit"] is None and planned["plan"]["new"]
    assert planned["site"] == {"path": str(site.resolve()), "built": False}
    result = invoke("publish", str(DEMO), "--repo", str(clone), "--db", db, "--site", str(site), "--no-push",
                    "--json")
    assert result.exit_code == 0, result.output
    done = json.loads(result.stdout)
    assert done["commit"] and not done["pushed"] and done["site"]["built"] and done["site"]["written"]

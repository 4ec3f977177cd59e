"""`gardend service`: the generated systemd unit and launchd plist, systemd's quoting, and the
install/uninstall/status/logs commands with a recording runner.

Nothing here talks to the real user's service manager: HOME and XDG_CONFIG_HOME point into
tmp_path and every `systemctl`/`launchctl`/`journalctl` call goes to `RecordingRunner`.
"""

from __future__ import annotations

import json
import os
import plistlib
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from gardend.daemon import service
from gardend.daemon.cli import main
from gardend.daemon.service import CommandRunner, RunResult, ServiceError, ServiceSpec
from hypothesis import given, settings
from hypothesis import strategies as st

# ---------------------------------------------------------------------------------------------
# helpers


class RecordingRunner(CommandRunner):
    """Records every command; answers with the first configured result whose key is a prefix of
    the command, else success."""

    def __init__(self, answers: dict[tuple[str, ...], RunResult] | None = None) -> None:
        self.calls: list[tuple[list[str], bool]] = []
        self.answers = answers or {}

    def __call__(self, argv: Sequence[str], *, capture: bool = True) -> RunResult:
        self.calls.append((list(argv), capture))
        for prefix, result in self.answers.items():
            if tuple(argv[: len(prefix)]) == prefix:
                return result
        return RunResult(0)

    @property
    def commands(self) -> list[list[str]]:
        return [argv for argv, _ in self.calls]


MISSING = RunResult(127, stderr="systemctl: command not found", missing=True)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake HOME and XDG_CONFIG_HOME; no state-folder variables unless a test sets them."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg-config"))
    monkeypatch.delenv("GARDEND_STATE_DIR", raising=False)
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    monkeypatch.chdir(tmp_path)  # no stray ./gardend.toml from wherever pytest runs
    return home


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "My Notes"
    (root / ".obsidian").mkdir(parents=True)
    (root / "a.md").write_text("hello", encoding="utf-8")
    return root


def invoke(runner: CommandRunner | None, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), obj=runner, catch_exceptions=False)


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if not p.is_dir())


def unit_sections(text: str) -> dict[str, list[tuple[str, str]]]:
    """[section] -> [(key, value)] in order; directives such as Environment= repeat."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for line in text.splitlines():
        if not line.strip() or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = line.strip("[]")
            sections[current] = []
            continue
        assert current is not None, line
        key, _, value = line.partition("=")
        sections[current].append((key, value))
    return sections


def directive(text: str, section: str, key: str) -> list[str]:
    return [v for k, v in unit_sections(text)[section] if k == key]


# A reader for the part of systemd's syntax that `systemd_quote` writes: words split on
# whitespace, single or double quotes, C escapes inside them (systemd.syntax(7), "Quoting"), then
# `%%` (systemd.unit(5), specifiers) and, for ExecStart= arguments, `$$` (systemd.service(5),
# "Command lines"). Anything else that systemd would expand is an error here, so a quoting bug
# shows up as a failure rather than as a silently different string.

_SIMPLE_ESCAPES = {"\\": "\\", '"': '"', "'": "'", "n": "\n", "t": "\t", "r": "\r", "a": "\a",
                   "b": "\b", "f": "\f", "v": "\v", "s": " "}


def split_systemd_words(line: str) -> list[str]:
    words: list[str] = []
    i, n = 0, len(line)
    while True:
        while i < n and line[i] in " \t":
            i += 1
        if i >= n:
            return words
        quote = line[i] if line[i] in "\"'" else None
        if quote:
            i += 1
        buf: list[str] = []
        while True:
            if i >= n:
                assert quote is None, f"unbalanced quote in {line!r}"
                break
            ch = line[i]
            if quote and ch == quote:
                i += 1
                assert i >= n or line[i] in " \t", f"quote not followed by whitespace in {line!r}"
                break
            if not quote and ch in " \t":
                break
            if ch == "\\":
                esc = line[i + 1]
                if esc == "x":
                    buf.append(chr(int(line[i + 2 : i + 4], 16)))
                    i += 4
                    continue
                assert esc in _SIMPLE_ESCAPES, f"unknown escape \\{esc} in {line!r}"
                buf.append(_SIMPLE_ESCAPES[esc])
                i += 2
                continue
            buf.append(ch)
            i += 1
        words.append("".join(buf))


def _specifiers(word: str) -> str:
    def one(m: re.Match[str]) -> str:
        assert m.group(1) == "%", f"specifier %{m.group(1)} in {word!r}"
        return "%"

    return re.sub(r"%(.|$)", one, word, flags=re.S)


def _dollars(word: str) -> str:
    def one(m: re.Match[str]) -> str:
        assert m.group(1) == "$", f"variable reference in {word!r}"
        return "$"

    return re.sub(r"\$(.|$)", one, word, flags=re.S)


def parse_exec_start(value: str) -> list[str]:
    """ExecStart=: the executable gets specifiers only, the arguments also `$$`."""
    words = [_specifiers(w) for w in split_systemd_words(value)]
    return words[:1] + [_dollars(w) for w in words[1:]]


def parse_environment(value: str) -> dict[str, str]:
    return dict(_specifiers(w).split("=", 1) for w in split_systemd_words(value))


def systemd_verify(unit: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`systemd-analyze --user verify` on a unit file, as the user manager would load it.

    It needs a user runtime directory even offline; a container has no login session, so a private
    one is made. It also checks that ExecStart's executable exists, which makes it a check of how
    systemd itself parsed the quoted path.
    """
    exe = shutil.which("systemd-analyze")
    if exe is None:
        pytest.skip("systemd-analyze is not installed (only systems running systemd have it)")
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), "HOME": str(tmp_path / "verify-home"),
           "SYSTEMD_LOG_COLOR": "0", "SYSTEMD_PAGER": ""}
    proc = subprocess.run([exe, "--user", "verify", str(unit)], capture_output=True, text=True, env=env,
                          check=False, timeout=120)
    if "Failed to initialize manager" in proc.stderr:
        pytest.skip(f"systemd-analyze cannot start its offline manager here: {proc.stderr.strip()}")
    return proc


# ---------------------------------------------------------------------------------------------
# names


def test_names_are_deterministic_readable_and_distinct_per_vault(tmp_path: Path) -> None:
    one, two = tmp_path / "a" / "Notes", tmp_path / "b" / "Notes"
    assert service.service_name(one) == service.service_name(one)
    assert service.service_name(one) != service.service_name(two)
    assert service.launchd_label(one) != service.launchd_label(two)
    assert re.fullmatch(r"gardend-notes-[0-9a-f]{8}", service.service_name(one))
    assert re.fullmatch(r"org\.gardend\.notes-[0-9a-f]{8}", service.launchd_label(one))
    # The same vault reached through a relative path or a symlink is the same service.
    (tmp_path / "a" / "Notes").mkdir(parents=True)
    (tmp_path / "link").symlink_to(tmp_path / "a")
    assert service.service_name(tmp_path / "link" / "Notes") == service.service_name(one)


@pytest.mark.parametrize(
    ("folder", "slug"),
    [("Zettelkästen 2024", "zettelkasten-2024"), ("日記", "vault"), ("--..--", "vault"),
     ("a" * 80, "a" * 32), ("100% $HOME \"x\"", "100-home-x")],
)
def test_name_slug_is_safe_for_unit_names_and_labels(tmp_path: Path, folder: str, slug: str) -> None:
    name = service.service_name(tmp_path / folder)
    assert re.fullmatch(rf"gardend-{re.escape(slug)}-[0-9a-f]{{8}}", name)


# ---------------------------------------------------------------------------------------------
# systemd quoting


@pytest.mark.parametrize(
    ("word", "quoted"),
    [
        ("/home/me/My Notes", '"/home/me/My Notes"'),
        ("100%", '"100%%"'),
        ("$HOME", '"$$HOME"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ("it's", '"it\'s"'),
        ("", '""'),
    ],
)
def test_systemd_quote_examples(word: str, quoted: str) -> None:
    assert service.systemd_quote(word) == quoted
    assert parse_exec_start(f"/bin/x {quoted}") == ["/bin/x", word]


def test_systemd_executable_keeps_dollar_and_refuses_quotes() -> None:
    # systemd expands specifiers but not variables in the executable (checked against systemd 252
    # in test_systemd_unit_verifies_with_awkward_paths).
    assert service.systemd_exec_line(["/opt/$x 1%/py", "$y"]) == '"/opt/$x 1%%/py" "$$y"'
    for bad in ["/opt/it's/py", '/opt/"q"/py', "/opt/back\\slash/py"]:
        with pytest.raises(ServiceError, match="quote or a backslash"):
            service.systemd_exec_line([bad])
    with pytest.raises(ServiceError, match="absolute"):
        service.systemd_exec_line(["python"])


_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
_PROPERTY = settings(max_examples=300, deadline=None)  # no per-example time limit: never flaky on a slow machine


@_PROPERTY
@given(_TEXT)
def test_systemd_quote_round_trips_one_argument(word: str) -> None:
    assert parse_exec_start(f"/bin/x {service.systemd_quote(word)}") == ["/bin/x", word]


@_PROPERTY
@given(st.lists(_TEXT, max_size=6))
def test_systemd_quote_round_trips_a_command_line(args: list[str]) -> None:
    line = " ".join(service.systemd_quote(a) for a in ["/usr/bin/python3", *args])
    assert parse_exec_start(line) == ["/usr/bin/python3", *args]


@_PROPERTY
@given(st.from_regex(r"[A-Z_]{1,8}", fullmatch=True), _TEXT)
def test_systemd_quote_round_trips_an_environment_assignment(key: str, value: str) -> None:
    quoted = service.systemd_quote(f"{key}={value}", expand_dollar=False)
    assert parse_environment(quoted) == {key: value}


# ---------------------------------------------------------------------------------------------
# the unit file


def _spec(tmp_path: Path, **kwargs: object) -> ServiceSpec:
    defaults: dict[str, object] = {"python": sys.executable, "environ": {}}
    defaults.update(kwargs)
    return service.build_spec(tmp_path / "vault", **defaults)  # type: ignore[arg-type]


def test_systemd_unit_directives_are_in_the_right_sections(tmp_path: Path) -> None:
    spec = _spec(tmp_path, config=tmp_path / "cfg" / "gardend.toml", db=tmp_path / "i.sqlite", port=9000,
                 environ={"GARDEND_STATE_DIR": "/srv/state 100%", "UNRELATED": "x"})
    text = service.render_systemd_unit(spec)
    sections = unit_sections(text)
    assert list(sections) == ["Unit", "Service", "Install"]
    assert directive(text, "Unit", "StartLimitIntervalSec") == ["300"]
    assert directive(text, "Unit", "StartLimitBurst") == ["5"]
    assert directive(text, "Service", "Restart") == ["on-failure"]
    assert directive(text, "Service", "RestartSec") == ["10"]
    assert directive(text, "Service", "Type") == ["exec"]
    assert directive(text, "Install", "WantedBy") == ["default.target"]
    assert directive(text, "Service", "WorkingDirectory") == [str(tmp_path / "vault")]
    assert not any(k.startswith("Standard") for k, _ in sections["Service"])  # journal: the default
    (exec_start,) = directive(text, "Service", "ExecStart")
    assert parse_exec_start(exec_start) == [
        sys.executable, "-m", "gardend.daemon.cli", "serve", str(tmp_path / "vault"),
        "--config", str(tmp_path / "cfg" / "gardend.toml"), "--db", str(tmp_path / "i.sqlite"), "--port", "9000",
    ]
    env: dict[str, str] = {}
    for value in directive(text, "Service", "Environment"):
        env.update(parse_environment(value))
    assert env == {"PYTHONUNBUFFERED": "1", "GARDEND_STATE_DIR": "/srv/state 100%"}


def test_systemd_unit_verifies(tmp_path: Path) -> None:
    spec = _spec(tmp_path, config=tmp_path / "gardend.toml")
    unit = tmp_path / f"{service.service_name(spec.vault)}.service"
    unit.write_text(service.render_systemd_unit(spec), encoding="utf-8")
    proc = systemd_verify(unit, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert unit.name not in proc.stdout + proc.stderr  # no warnings either (unknown keys, bad sections)


def test_systemd_unit_verifies_with_awkward_paths(tmp_path: Path) -> None:
    """Spaces, `%` and `$` in the interpreter's path and quotes, `%` and `$` in the vault's:
    systemd itself must find the executable at exactly that path (verify checks it exists)."""
    bin_dir = tmp_path / "venv 100% $HOME" / "bin"
    bin_dir.mkdir(parents=True)
    python = bin_dir / "python"
    python.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    python.chmod(0o755)
    vault = tmp_path / "It's \"my\" vault 50% $USER"
    spec = service.build_spec(vault, python=str(python), environ={"XDG_STATE_HOME": str(tmp_path / "st $x")})
    text = service.render_systemd_unit(spec)
    (exec_start,) = directive(text, "Service", "ExecStart")
    assert parse_exec_start(exec_start)[:5] == [str(python), "-m", "gardend.daemon.cli", "serve", str(vault)]
    unit = tmp_path / "gardend-awkward.service"
    unit.write_text(text, encoding="utf-8")
    proc = systemd_verify(unit, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert unit.name not in proc.stdout + proc.stderr
    # And the check is real: the same unit pointing at a missing interpreter fails.
    missing = service.build_spec(vault, python=str(bin_dir / "nope"), environ={})
    unit.write_text(service.render_systemd_unit(missing), encoding="utf-8")
    assert systemd_verify(unit, tmp_path).returncode != 0


@pytest.mark.parametrize("bad", ["line\nbreak", "tab\there", "bell\x07"])
def test_paths_with_control_characters_are_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ServiceError, match="control character"):
        service.build_spec(tmp_path / bad, python=sys.executable, environ={})


def test_vault_path_systemd_cannot_express_is_refused(tmp_path: Path) -> None:
    spec = service.build_spec(tmp_path / "trailing space ", python=sys.executable, environ={})
    with pytest.raises(ServiceError, match="ends with whitespace or a backslash"):
        service.render_systemd_unit(spec)


def test_relative_interpreter_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ServiceError, match=r"sys\.executable"):
        service.build_spec(tmp_path, python="python3", environ={})


# ---------------------------------------------------------------------------------------------
# the launchd plist (plutil does not exist on Linux, so the XML is read back with plistlib)


def test_launchd_plist_key_by_key(tmp_path: Path) -> None:
    spec = _spec(tmp_path, db=tmp_path / "db 100%.sqlite", host="0.0.0.0", polling=True,
                 environ={"GARDEND_STATE_DIR": "/srv/$state"})
    log = tmp_path / "Library" / "Logs" / "gardend" / "x.log"
    data = plistlib.loads(service.render_launchd_plist(spec, "org.gardend.vault-12345678", log))
    assert data["Label"] == "org.gardend.vault-12345678"
    assert data["ProgramArguments"] == [
        sys.executable, "-m", "gardend.daemon.cli", "serve", str(tmp_path / "vault"),
        "--db", str(tmp_path / "db 100%.sqlite"), "--host", "0.0.0.0", "--polling",
    ]
    assert data["KeepAlive"] == {"SuccessfulExit": False}
    assert data["ThrottleInterval"] == 10
    assert data["RunAtLoad"] is True
    assert data["StandardOutPath"] == data["StandardErrorPath"] == str(log)
    assert data["WorkingDirectory"] == str(tmp_path / "vault")
    assert data["EnvironmentVariables"] == {"PYTHONUNBUFFERED": "1", "GARDEND_STATE_DIR": "/srv/$state"}
    assert set(data) == {"Label", "ProgramArguments", "KeepAlive", "ThrottleInterval", "RunAtLoad",
                         "StandardOutPath", "StandardErrorPath", "WorkingDirectory", "EnvironmentVariables"}


# ---------------------------------------------------------------------------------------------
# the commands: systemd


def test_install_and_uninstall_systemd(home: Path, vault: Path) -> None:
    runner = RecordingRunner()
    name = service.service_name(vault)
    unit = home / "xdg-config" / "systemd" / "user" / f"{name}.service"

    result = invoke(runner, "service", "install", str(vault), "--platform", "systemd")
    assert result.exit_code == 0, result.output
    assert f"installed and started {name}.service" in result.output
    assert runner.commands == [["systemctl", "--user", "daemon-reload"],
                               ["systemctl", "--user", "enable", "--now", f"{name}.service"]]
    assert unit.is_file() and stat.S_IMODE(unit.stat().st_mode) == 0o644
    (exec_start,) = directive(unit.read_text(encoding="utf-8"), "Service", "ExecStart")
    assert parse_exec_start(exec_start) == [sys.executable, "-m", "gardend.daemon.cli", "serve", str(vault.resolve())]

    runner.calls.clear()
    result = invoke(runner, "service", "install", str(vault), "--platform", "systemd", "--port", "9001")
    assert result.exit_code == 0 and "reinstalled and restarted" in result.output
    assert runner.commands == [["systemctl", "--user", "daemon-reload"],
                               ["systemctl", "--user", "reset-failed", f"{name}.service"],
                               ["systemctl", "--user", "enable", f"{name}.service"],
                               ["systemctl", "--user", "restart", f"{name}.service"]]
    assert '"--port" "9001"' in unit.read_text(encoding="utf-8")

    runner.calls.clear()
    result = invoke(runner, "service", "uninstall", str(vault), "--platform", "systemd")
    assert result.exit_code == 0, result.output
    assert runner.commands == [["systemctl", "--user", "disable", "--now", f"{name}.service"],
                               ["systemctl", "--user", "daemon-reload"]]
    assert not unit.exists()

    runner.calls.clear()
    result = invoke(runner, "service", "uninstall", str(vault), "--platform", "systemd")
    assert result.exit_code == 0 and "not installed" in result.output and runner.commands == []


def test_install_passes_the_config_found_and_db_given(home: Path, vault: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work dir"
    work.mkdir()
    (work / "gardend.toml").write_text("", encoding="utf-8")
    monkeypatch.chdir(work)
    monkeypatch.setenv("GARDEND_STATE_DIR", str(tmp_path / "state"))
    result = invoke(RecordingRunner(), "service", "install", str(vault), "--platform", "systemd",
                    "--db", "rel.sqlite")
    assert result.exit_code == 0, result.output
    text = (home / "xdg-config" / "systemd" / "user" / f"{service.service_name(vault)}.service").read_text(
        encoding="utf-8")
    (exec_start,) = directive(text, "Service", "ExecStart")
    assert parse_exec_start(exec_start)[4:] == [
        str(vault.resolve()), "--config", str(work / "gardend.toml"), "--db", str(work / "rel.sqlite")
    ]
    assert '"GARDEND_STATE_DIR=' + str(tmp_path / "state") + '"' in directive(text, "Service", "Environment")


def test_two_vaults_get_two_services(home: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "one" / "Notes", tmp_path / "two" / "Notes"
    for root in (first, second):
        root.mkdir(parents=True)
        assert invoke(RecordingRunner(), "service", "install", str(root), "--platform", "systemd").exit_code == 0
    units = files_under(home / "xdg-config" / "systemd" / "user")
    assert [u.name for u in units] == sorted(f"{service.service_name(r)}.service" for r in (first, second))


def test_install_without_a_user_manager_says_what_to_do(home: Path, vault: Path) -> None:
    runner = RecordingRunner({("systemctl",): RunResult(1, stderr="Failed to connect to bus: No medium found\n")})
    result = CliRunner().invoke(main, ["service", "install", str(vault), "--platform", "systemd"], obj=runner)
    name = service.service_name(vault)
    unit = home / "xdg-config" / "systemd" / "user" / f"{name}.service"
    assert result.exit_code == 1
    assert unit.is_file()  # written; only the activation failed
    (line,) = result.stderr.strip().splitlines()
    assert f"wrote {unit}" in line and "Failed to connect to bus" in line
    assert f"systemctl --user daemon-reload && systemctl --user enable --now {name}.service" in line


def test_install_when_systemctl_is_missing(home: Path, vault: Path) -> None:
    result = CliRunner().invoke(main, ["service", "install", str(vault), "--platform", "systemd"],
                                obj=RecordingRunner({("systemctl",): MISSING}))
    assert result.exit_code == 1
    assert "systemctl: command not found" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_uninstall_when_disable_fails_still_removes_the_files(home: Path, vault: Path) -> None:
    assert invoke(RecordingRunner(), "service", "install", str(vault), "--platform", "systemd").exit_code == 0
    name = service.service_name(vault)
    unit_dir = home / "xdg-config" / "systemd" / "user"
    wants = unit_dir / "default.target.wants"
    wants.mkdir()
    (wants / f"{name}.service").symlink_to(unit_dir / f"{name}.service")  # what `enable` makes
    runner = RecordingRunner({("systemctl",): RunResult(1, stderr="Failed to connect to bus")})
    result = CliRunner().invoke(main, ["service", "uninstall", str(vault), "--platform", "systemd"], obj=runner)
    assert result.exit_code == 1
    assert "Failed to connect to bus" in result.stderr and f"systemctl --user stop {name}.service" in result.stderr
    assert files_under(unit_dir) == [] and not (wants / f"{name}.service").is_symlink()


def test_dry_run_writes_nothing_and_prints_the_unit(home: Path, vault: Path) -> None:
    runner = RecordingRunner()
    result = invoke(runner, "service", "install", str(vault), "--platform", "systemd", "--dry-run")
    assert result.exit_code == 0
    assert files_under(home) == [] and runner.commands == []
    assert result.stdout.startswith("# Written by `gardend service install`")
    assert "[Service]" in result.stdout and "would write" not in result.stdout
    assert f"would write {home / 'xdg-config' / 'systemd' / 'user'}" in result.stderr

    result = invoke(runner, "service", "install", str(vault), "--platform", "launchd", "--dry-run")
    assert result.exit_code == 0
    assert files_under(home) == [] and runner.commands == []
    assert plistlib.loads(result.stdout.encode("utf-8"))["Label"] == service.launchd_label(vault)
    assert "LaunchAgents" in result.stderr and "launchctl bootstrap" in result.stderr


def test_status_when_not_installed(home: Path, vault: Path) -> None:
    runner = RecordingRunner()
    result = invoke(runner, "service", "status", str(vault), "--platform", "systemd")
    assert result.exit_code == 1
    assert f"{service.service_name(vault)}.service is not installed" in result.output
    assert runner.commands == []
    result = invoke(runner, "service", "status", str(vault), "--platform", "systemd", "--json")
    data = json.loads(result.stdout)
    assert data["installed"] is False and data["active"] is None
    assert data["name"] == service.service_name(vault) and data["platform"] == "systemd"
    assert data["path"].endswith(f"{service.service_name(vault)}.service")


def test_status_passes_the_exit_code_through_and_reports_json(home: Path, vault: Path) -> None:
    assert invoke(RecordingRunner(), "service", "install", str(vault), "--platform", "systemd").exit_code == 0
    name = f"{service.service_name(vault)}.service"
    runner = RecordingRunner({
        ("systemctl", "--user", "status"): RunResult(3),
        ("systemctl", "--user", "show"): RunResult(0, stdout="ActiveState=active\nSubState=running\nMainPID=42\n"),
    })
    result = invoke(runner, "service", "status", str(vault), "--platform", "systemd")
    assert result.exit_code == 3
    assert runner.calls == [(["systemctl", "--user", "status", name], False)]
    result = invoke(runner, "service", "status", str(vault), "--platform", "systemd", "--json")
    data = json.loads(result.stdout)
    assert data["installed"] is True and data["active"] == "active"
    assert data["sub_state"] == "running" and data["pid"] == "42"


def test_status_json_without_a_user_manager(home: Path, vault: Path) -> None:
    assert invoke(RecordingRunner(), "service", "install", str(vault), "--platform", "systemd").exit_code == 0
    result = invoke(RecordingRunner({("systemctl",): MISSING}), "service", "status", str(vault),
                    "--platform", "systemd", "--json")
    data = json.loads(result.stdout)
    assert data["installed"] is True and data["active"] is None and "not found" in data["error"]
    result = CliRunner().invoke(main, ["service", "status", str(vault), "--platform", "systemd"],
                                obj=RecordingRunner({("systemctl",): MISSING}))
    assert result.exit_code == 1 and "systemctl not found" in result.stderr


def test_logs_systemd(home: Path, vault: Path) -> None:
    runner = RecordingRunner()
    name = f"{service.service_name(vault)}.service"
    result = invoke(runner, "service", "logs", str(vault), "--platform", "systemd", "-f", "-n", "20")
    assert result.exit_code == 0
    assert "not installed" in result.stderr  # a note, the journal may still have lines
    assert runner.calls == [(["journalctl", "--user", "-u", name, "-n", "20", "-f"], False)]


def test_commands_accept_a_vault_that_no_longer_exists(home: Path, tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    assert invoke(RecordingRunner(), "service", "install", str(gone), "--platform", "systemd").exit_code == 0
    gone.rmdir()
    runner = RecordingRunner()
    result = invoke(runner, "service", "uninstall", str(gone), "--platform", "systemd")
    assert result.exit_code == 0 and "stopped and removed" in result.output
    assert runner.commands[0][:4] == ["systemctl", "--user", "disable", "--now"]


# ---------------------------------------------------------------------------------------------
# the commands: launchd


def test_install_and_uninstall_launchd(home: Path, vault: Path) -> None:
    runner = RecordingRunner()
    label = service.launchd_label(vault)
    plist = home / "Library" / "LaunchAgents" / f"{label}.plist"
    domain = f"gui/{os.getuid()}"

    result = invoke(runner, "service", "install", str(vault), "--platform", "launchd")
    assert result.exit_code == 0, result.output
    assert runner.commands == [["launchctl", "enable", f"{domain}/{label}"],
                               ["launchctl", "bootstrap", domain, str(plist)]]
    assert stat.S_IMODE(plist.stat().st_mode) == 0o644  # launchd ignores group/world-writable plists
    data = plistlib.loads(plist.read_bytes())
    assert data["Label"] == label
    log = Path(data["StandardOutPath"])
    assert log.parent == home / "Library" / "Logs" / "gardend" and log.parent.is_dir()
    assert log.name == f"{service.service_name(vault)}.log"

    runner.calls.clear()
    assert invoke(runner, "service", "install", str(vault), "--platform", "launchd").exit_code == 0
    assert runner.commands[0] == ["launchctl", "bootout", f"{domain}/{label}"]

    runner.calls.clear()
    result = invoke(runner, "service", "uninstall", str(vault), "--platform", "launchd")
    assert result.exit_code == 0
    assert runner.commands == [["launchctl", "bootout", f"{domain}/{label}"]]
    assert not plist.exists()


def test_launchd_falls_back_to_load(home: Path, vault: Path) -> None:
    runner = RecordingRunner({("launchctl", "bootstrap"): RunResult(1, stderr="Bootstrap failed: 5")})
    assert invoke(runner, "service", "install", str(vault), "--platform", "launchd").exit_code == 0
    plist = home / "Library" / "LaunchAgents" / f"{service.launchd_label(vault)}.plist"
    assert runner.commands[-1] == ["launchctl", "load", "-w", str(plist)]

    failing = RecordingRunner({("launchctl",): RunResult(1, stderr="Bootstrap failed: 5")})
    result = CliRunner().invoke(main, ["service", "install", str(vault), "--platform", "launchd"], obj=failing)
    assert result.exit_code == 1
    assert f"wrote {plist}" in result.stderr and f"launchctl bootstrap gui/{os.getuid()}" in result.stderr


def test_launchd_status_and_logs(home: Path, vault: Path) -> None:
    assert invoke(RecordingRunner(), "service", "install", str(vault), "--platform", "launchd").exit_code == 0
    label = service.launchd_label(vault)
    printed = f"gui/{os.getuid()}/{label} = {{\n\tactive count = 1\n\tstate = running\n\tpid = 4242\n}}\n"
    runner = RecordingRunner({("launchctl", "print"): RunResult(0, stdout=printed)})
    data = json.loads(invoke(runner, "service", "status", str(vault), "--platform", "launchd", "--json").stdout)
    assert data["active"] == "running" and data["pid"] == "4242" and data["log"].endswith(".log")

    result = CliRunner().invoke(main, ["service", "logs", str(vault), "--platform", "launchd"], obj=runner)
    assert result.exit_code == 1 and "no log file yet" in result.stderr
    log = Path(data["log"])
    log.write_text("started\n", encoding="utf-8")
    runner.calls.clear()
    assert invoke(runner, "service", "logs", str(vault), "--platform", "launchd", "-f").exit_code == 0
    assert runner.calls == [(["tail", "-n", "50", "-F", str(log)], False)]


def test_default_platform() -> None:
    assert service.default_platform("linux") == "systemd"
    assert service.default_platform("darwin") == "launchd"
    with pytest.raises(ServiceError, match="--platform"):
        service.default_platform("win32")


def test_the_serve_command_accepts_what_the_service_passes(tmp_path: Path) -> None:
    """Guards against the service and `gardend serve` drifting apart: the argument list the unit
    runs is parsed by the real `serve` command (parsed only, not run)."""
    spec = _spec(tmp_path, config=tmp_path / "g.toml", db=tmp_path / "i.sqlite", host="::1", port=9000,
                 polling=True)
    argv = spec.argv()
    assert argv[1:4] == ["-m", "gardend.daemon.cli", "serve"]
    ctx = main.commands["serve"].make_context("serve", argv[4:])
    assert ctx.params["vault"] == str(tmp_path / "vault") and ctx.params["port"] == 9000
    assert ctx.params["config_path"] == str(tmp_path / "g.toml") and ctx.params["polling"] is True


@pytest.mark.parametrize("platform", ["systemd", "launchd"])
def test_install_passes_the_obsidian_dir_given(home: Path, vault: Path, platform: str) -> None:
    """`--obsidian-dir` (a common option) reaches `serve` in the service, or the service would
    read the vault's settings from `.obsidian` and publish and render it differently."""
    (vault / ".my obsidian").mkdir()
    result = invoke(RecordingRunner(), "service", "install", str(vault), "--platform", platform,
                    "--obsidian-dir", ".my obsidian")
    assert result.exit_code == 0, result.output
    if platform == "systemd":
        text = (home / "xdg-config" / "systemd" / "user" / f"{service.service_name(vault)}.service").read_text(
            encoding="utf-8")
        (exec_start,) = directive(text, "Service", "ExecStart")
        args = parse_exec_start(exec_start)
    else:
        plist = home / "Library" / "LaunchAgents" / f"{service.launchd_label(vault)}.plist"
        args = plistlib.loads(plist.read_bytes())["ProgramArguments"]
    assert args[4:] == [str(vault.resolve()), "--obsidian-dir", ".my obsidian"]


def test_install_without_obsidian_dir_passes_none(home: Path, vault: Path) -> None:
    result = invoke(RecordingRunner(), "service", "install", str(vault), "--platform", "systemd", "--dry-run")
    assert result.exit_code == 0 and "--obsidian-dir" not in result.output


def test_serve_accepts_the_obsidian_dir_the_service_passes(tmp_path: Path) -> None:
    argv = _spec(tmp_path, obsidian_dir=".obs", port=9000).argv()
    assert argv[5:] == ["--obsidian-dir", ".obs", "--port", "9000"]
    ctx = main.commands["serve"].make_context("serve", argv[4:])
    assert ctx.meta["gardend.obsidian_dir"] == ".obs" and ctx.params["port"] == 9000

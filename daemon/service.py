"""Run `gardend serve` for a vault as a per-user service: a systemd user unit or a launchd agent.

Why a module of its own, separate from the command line: everything here is either pure (the
service name, the unit text, the plist) or goes through an injected `CommandRunner`, so the tests
can check the exact files and the exact `systemctl`/`launchctl` calls without touching the real
user's service manager.

Design choices worth knowing:

* One service per vault. The name is derived from the resolved vault path (folder slug plus a
  short hash), so it is deterministic and two vaults never collide, even with the same folder name.
* The service runs the *current* interpreter with ``-m gardend.daemon.cli``: an absolute path that
  keeps working for a pipx or virtualenv install, where a bare ``gardend`` on PATH would not be
  found by the service manager's minimal environment.
* The service manager's environment is not the user's shell: variables that decide where gardend
  keeps its state (index, API token) are copied into the service when set at install time, so the
  service and the user's own `gardend` commands agree on the same files.
* systemd reads its own quoting language (specifiers, ``$`` expansion, C escapes); `systemd_quote`
  is the one place that speaks it. The launchd plist is built with `plistlib`: its arguments are
  an array, so there is nothing to quote.
"""

from __future__ import annotations

import hashlib
import os
import plistlib
import re
import shlex
import subprocess
import sys
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Platform = Literal["systemd", "launchd"]
PLATFORMS: tuple[Platform, ...] = ("systemd", "launchd")

RESTART_DELAY_S = 10
"""Pause before a failed service is started again (systemd RestartSec=, launchd ThrottleInterval)."""
START_LIMIT_BURST = 5
START_LIMIT_INTERVAL_S = 300
"""systemd gives up after this many failed starts within this many seconds, instead of looping on a
broken setup forever (a vault that was moved, a port taken by another program)."""

PINNED_ENVIRONMENT = ("GARDEND_STATE_DIR", "XDG_STATE_HOME")
"""Variables copied from the installing shell into the service: they choose gardend's state folder."""

SERVICE_MODULE = "gardend.daemon.cli"


class ServiceError(Exception):
    """A service cannot be written, started or queried; the message is one line that says what to do."""


# ---------------------------------------------------------------------------------------------
# running the service manager's commands


@dataclass(frozen=True)
class RunResult:
    """The outcome of one command. ``missing`` means the program itself was not found."""

    returncode: int
    stdout: str = ""
    stderr: str = ""
    missing: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def reason(self) -> str:
        """The first line the command wrote, for a one-line error message."""
        for text in (self.stderr, self.stdout):
            for line in text.splitlines():
                if line.strip():
                    return line.strip()
        return f"exit status {self.returncode}"


class CommandRunner:
    """Runs one command given as an argument list (never through a shell).

    A base class rather than a Protocol so that the command line can find a test's runner in
    click's context object by type (`click.Context.find_object`).
    """

    def __call__(self, argv: Sequence[str], *, capture: bool = True) -> RunResult:
        raise NotImplementedError


class SubprocessRunner(CommandRunner):
    """The real runner. With ``capture=False`` the command talks to the terminal directly
    (``systemctl status`` colours, ``journalctl -f``), and only its exit status comes back."""

    def __call__(self, argv: Sequence[str], *, capture: bool = True) -> RunResult:
        args = list(argv)
        try:
            if capture:
                done = subprocess.run(args, capture_output=True, text=True, errors="replace", check=False)
                return RunResult(done.returncode, done.stdout, done.stderr)
            proc = subprocess.Popen(args)
        except FileNotFoundError:
            return RunResult(127, stderr=f"{args[0]}: command not found", missing=True)
        except OSError as exc:
            return RunResult(126, stderr=f"{args[0]}: {exc.strerror or exc}")
        try:
            return RunResult(proc.wait())
        except KeyboardInterrupt:
            # Ctrl-C reached the child too (same process group): let it exit, then report it.
            proc.wait()
            return RunResult(130)


# ---------------------------------------------------------------------------------------------
# names and paths


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:32].strip("-")
    return slug or "vault"


def service_id(vault: Path) -> str:
    """``<folder slug>-<8 hex of the resolved path>``: readable, deterministic, distinct per vault.

    The slug alone would collide for two vaults called "Notes"; the hash alone would be unreadable
    in `systemctl --user list-units`. Only ``[a-z0-9-]`` so it is valid as a systemd unit name and
    a launchd label without any escaping.
    """
    resolved = vault.expanduser().resolve()
    digest = hashlib.sha256(os.fsencode(resolved)).hexdigest()[:8]
    return f"{_slug(resolved.name)}-{digest}"


def service_name(vault: Path) -> str:
    """The systemd unit name (without ``.service``) and the log file name."""
    return f"gardend-{service_id(vault)}"


def launchd_label(vault: Path) -> str:
    """The launchd job label, reverse-DNS as launchd expects."""
    return f"org.gardend.{service_id(vault)}"


@dataclass(frozen=True)
class UserDirs:
    """Where per-user service files go; read from the environment once so tests can point it at
    a temporary folder."""

    home: Path
    config_home: Path
    uid: int

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> UserDirs:
        env = os.environ if environ is None else environ
        home = Path(env.get("HOME") or Path.home())
        xdg = env.get("XDG_CONFIG_HOME", "")
        # The XDG spec says a relative value is invalid and must be ignored.
        config_home = Path(xdg) if xdg and Path(xdg).is_absolute() else home / ".config"
        uid = os.getuid() if hasattr(os, "getuid") else 0
        return cls(home=home, config_home=config_home, uid=uid)


@dataclass(frozen=True)
class ServiceTarget:
    """One vault's service on one platform: its name and the files that belong to it."""

    platform: Platform
    name: str
    """systemd: the unit name without ``.service``; launchd: the job label."""
    path: Path
    """The unit file or the plist."""
    log_path: Path | None = None
    """launchd only: where stdout and stderr go (systemd logs to the journal)."""

    @property
    def unit(self) -> str:
        """The name the service manager's commands take."""
        return f"{self.name}.service" if self.platform == "systemd" else self.name

    @property
    def installed(self) -> bool:
        return self.path.is_file()


def default_platform(platform_name: str | None = None) -> Platform:
    """systemd on Linux, launchd on macOS; anything else has no supported per-user service manager."""
    current = platform_name or sys.platform
    if current.startswith("linux"):
        return "systemd"
    if current == "darwin":
        return "launchd"
    raise ServiceError(
        f"no per-user service manager supported on {current}: `gardend service` writes systemd (Linux) "
        "or launchd (macOS) services; pass --platform with --dry-run to see one, or run `gardend serve` "
        "under your own supervisor"
    )


# ---------------------------------------------------------------------------------------------
# what the service runs


@dataclass(frozen=True)
class ServiceSpec:
    """What the service runs: `gardend serve` for one vault with the options the user chose."""

    vault: Path
    python: str
    config: Path | None = None
    db: Path | None = None
    serve_options: tuple[str, ...] = ()
    environment: tuple[tuple[str, str], ...] = ()
    obsidian_dir: str | None = None
    """``--obsidian-dir`` as given at install: without it the service would read the vault's
    settings from the default folder and index and render it differently from what was asked."""

    def argv(self) -> list[str]:
        args = [self.python, "-m", SERVICE_MODULE, "serve", str(self.vault)]
        if self.config is not None:
            args += ["--config", str(self.config)]
        if self.db is not None:
            args += ["--db", str(self.db)]
        if self.obsidian_dir is not None:
            args += ["--obsidian-dir", self.obsidian_dir]
        return args + list(self.serve_options)

    def env(self) -> dict[str, str]:
        """Unbuffered output so log lines reach the journal or log file as they are written."""
        return {"PYTHONUNBUFFERED": "1", **dict(self.environment)}


def build_spec(
    vault: Path,
    *,
    config: Path | None = None,
    db: Path | None = None,
    host: str | None = None,
    port: int | None = None,
    polling: bool = False,
    python: str | None = None,
    environ: Mapping[str, str] | None = None,
    obsidian_dir: str | None = None,
) -> ServiceSpec:
    """A checked `ServiceSpec`: every path absolute (the service does not run in the user's
    working directory) and representable in a service file."""
    executable = sys.executable if python is None else python
    if not executable or not Path(executable).is_absolute():
        raise ServiceError(
            "cannot tell which Python runs gardend (sys.executable is empty or relative); "
            "run `gardend service install` from the installed `gardend` command"
        )
    env = os.environ if environ is None else environ
    options: list[str] = []
    if host is not None:
        options += ["--host", host]
    if port is not None:
        options += ["--port", str(port)]
    if polling:
        options.append("--polling")
    pinned = tuple((key, env[key]) for key in PINNED_ENVIRONMENT if env.get(key))
    spec = ServiceSpec(
        vault=vault.expanduser().resolve(),
        python=executable,
        config=config.expanduser().resolve() if config is not None else None,
        db=db.expanduser().resolve() if db is not None else None,
        serve_options=tuple(options),
        environment=pinned,
        obsidian_dir=obsidian_dir,
    )
    for word in [*spec.argv(), *(f"{k}={v}" for k, v in spec.environment)]:
        _check_text(word)
    return spec


def _check_text(value: str) -> None:
    """A control character (a newline above all) cannot be written into a unit file line or an
    XML plist, and a name that is not valid UTF-8 cannot be written into either."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ServiceError(f"{value!r} is not valid UTF-8 text; a service file cannot hold it") from exc
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise ServiceError(f"{value!r} contains a control character; a service file cannot hold it")


# ---------------------------------------------------------------------------------------------
# systemd


_C_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def systemd_quote(word: str, *, expand_dollar: bool = True) -> str:
    """One word for a systemd directive that splits and unquotes its value (ExecStart=,
    Environment=), always double-quoted.

    Inside double quotes systemd applies C escapes, so ``\\`` and ``"`` are escaped (other control
    characters as ``\\xNN``); ``%`` starts a specifier everywhere, so it is doubled. In ExecStart=
    arguments ``$`` starts a variable, so it is doubled too; pass ``expand_dollar=False`` for
    directives that do not expand variables (Environment=) and for ExecStart='s executable,
    which systemd takes literally (measured with systemd 252: a doubled ``$$`` stays doubled there).
    """
    if "\0" in word:
        raise ServiceError(f"{word!r} contains a NUL character; no command argument can")
    out: list[str] = []
    for ch in word:
        if ch in _C_ESCAPES:
            out.append(_C_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        elif ch == "%":
            out.append("%%")
        elif ch == "$" and expand_dollar:
            out.append("$$")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def systemd_exec_line(argv: Sequence[str]) -> str:
    """The value of ExecStart= for ``argv``; the executable must be an absolute path that systemd
    accepts (it refuses quotes and backslashes in it, however they are quoted)."""
    executable, *args = argv
    if not executable.startswith("/"):
        raise ServiceError(f"{executable}: the service's executable must be an absolute path")
    if any(ch in executable for ch in "\"'\\"):
        raise ServiceError(
            f"systemd refuses to run an executable whose path contains a quote or a backslash: "
            f"{executable}; install gardend in a virtualenv at a plainer path"
        )
    return " ".join([systemd_quote(executable, expand_dollar=False), *(systemd_quote(a) for a in args)])


def _systemd_plain_value(value: str) -> str:
    """A directive value taken literally but specifier-expanded (Description=, WorkingDirectory=).
    systemd strips trailing whitespace and joins a line ending in a backslash with the next, so
    such a value cannot be written at all."""
    if value != value.rstrip() or value.endswith("\\"):
        raise ServiceError(
            f"{value!r} ends with whitespace or a backslash, which a systemd unit file cannot express; "
            "rename the folder"
        )
    return value.replace("%", "%%")


def render_systemd_unit(spec: ServiceSpec) -> str:
    """The user unit: restarted on failure with a pause, giving up after repeated quick failures;
    output goes to the journal (systemd's default), so `journalctl --user -u` finds it."""
    vault = _systemd_plain_value(str(spec.vault))
    lines = [
        "# Written by `gardend service install`; `gardend service uninstall` removes it.",
        "[Unit]",
        f"Description=gardend: index, watch and preview the vault {vault}",
        # Start limits belong to [Unit] (systemd >= 230); in [Service] they are only a legacy alias.
        f"StartLimitIntervalSec={START_LIMIT_INTERVAL_S}",
        f"StartLimitBurst={START_LIMIT_BURST}",
        "",
        "[Service]",
        # exec: `systemctl start` fails when the interpreter cannot be executed, instead of
        # reporting success for a process that never ran.
        "Type=exec",
        f"ExecStart={systemd_exec_line(spec.argv())}",
        f"WorkingDirectory={vault}",
    ]
    for key, value in spec.env().items():
        lines.append(f"Environment={systemd_quote(f'{key}={value}', expand_dollar=False)}")
    lines += [
        "Restart=on-failure",
        f"RestartSec={RESTART_DELAY_S}",
        "",
        "[Install]",
        "WantedBy=default.target",
        "",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# launchd


def render_launchd_plist(spec: ServiceSpec, label: str, log_path: Path) -> bytes:
    """The agent's property list, built with plistlib (the arguments are an array: no quoting).

    ``KeepAlive = {SuccessfulExit: false}`` restarts the job only when it exits with an error or
    is killed, and ``ThrottleInterval`` spaces the restarts; launchd has no "give up" limit.
    """
    data: dict[str, Any] = {
        "Label": label,
        "ProgramArguments": spec.argv(),
        "WorkingDirectory": str(spec.vault),
        "EnvironmentVariables": spec.env(),
        "RunAtLoad": True,
        "KeepAlive": {"SuccessfulExit": False},
        "ThrottleInterval": RESTART_DELAY_S,
        "StandardOutPath": str(log_path),
        "StandardErrorPath": str(log_path),
    }
    return plistlib.dumps(data, fmt=plistlib.FMT_XML, sort_keys=True)


# ---------------------------------------------------------------------------------------------
# installing, removing, asking


@dataclass(frozen=True)
class InstallReport:
    """What `install` did: the target, whether an earlier version was replaced, and every
    command run (in order)."""

    target: ServiceTarget
    replaced: bool
    commands: list[list[str]] = field(default_factory=list)


@dataclass(frozen=True)
class UninstallReport:
    """What `uninstall` did; ``removed`` is False when there was nothing installed."""

    target: ServiceTarget
    removed: bool
    commands: list[list[str]] = field(default_factory=list)
    note: str = ""


@dataclass(frozen=True)
class ServiceState:
    """`status --json`: whether the file is there and, when the manager could be asked, its state."""

    target: ServiceTarget
    vault: Path
    active: str | None = None
    """systemd ActiveState (active, failed, inactive, ...) or launchd state (running, not loaded, ...)."""
    detail: dict[str, str] = field(default_factory=dict)
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.target.name,
            "platform": self.target.platform,
            "vault": str(self.vault),
            "path": str(self.target.path),
            "installed": self.target.installed,
            "active": self.active,
        }
        if self.target.log_path is not None:
            data["log"] = str(self.target.log_path)
        data.update(self.detail)
        if self.error:
            data["error"] = self.error
        return data


def _write_file(path: Path, content: bytes) -> None:
    """Atomically, mode 0644: launchd ignores an agent plist that is group- or world-writable."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(content)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


class ServiceManager:
    """The operations shared by both platforms; subclasses know the files and the commands."""

    platform: Platform

    def __init__(self, dirs: UserDirs, runner: CommandRunner) -> None:
        self.dirs = dirs
        self.runner = runner

    def target(self, vault: Path) -> ServiceTarget:
        raise NotImplementedError

    def render(self, spec: ServiceSpec) -> bytes:
        raise NotImplementedError

    def activation_hint(self, target: ServiceTarget) -> str:
        """The command line a user runs to load the written file by hand."""
        raise NotImplementedError

    def install(self, spec: ServiceSpec) -> InstallReport:
        raise NotImplementedError

    def uninstall(self, vault: Path) -> UninstallReport:
        raise NotImplementedError

    def status(self, vault: Path) -> int:
        """Show the manager's own status output on the terminal; its exit status."""
        raise NotImplementedError

    def state(self, vault: Path) -> ServiceState:
        raise NotImplementedError

    def logs(self, vault: Path, *, follow: bool, lines: int) -> int:
        raise NotImplementedError

    def _run(self, argv: list[str], done: list[list[str]], capture: bool = True) -> RunResult:
        done.append(argv)
        return self.runner(argv, capture=capture)

    def _passthrough(self, argv: list[str], what: str) -> int:
        result = self.runner(argv, capture=False)
        if result.missing:
            raise ServiceError(f"{argv[0]} not found: {what}")
        return result.returncode


class SystemdManager(ServiceManager):
    """A systemd user unit under ``$XDG_CONFIG_HOME/systemd/user``."""

    platform: Platform = "systemd"

    @property
    def unit_dir(self) -> Path:
        return self.dirs.config_home / "systemd" / "user"

    def target(self, vault: Path) -> ServiceTarget:
        name = service_name(vault)
        return ServiceTarget("systemd", name, self.unit_dir / f"{name}.service")

    def render(self, spec: ServiceSpec) -> bytes:
        return render_systemd_unit(spec).encode("utf-8")

    def _ctl(self, *args: str) -> list[str]:
        return ["systemctl", "--user", *args]

    def activation_hint(self, target: ServiceTarget) -> str:
        return f"{shlex.join(self._ctl('daemon-reload'))} && {shlex.join(self._ctl('enable', '--now', target.unit))}"

    def install(self, spec: ServiceSpec) -> InstallReport:
        target = self.target(spec.vault)
        replaced = target.installed
        _write_file(target.path, self.render(spec))
        done: list[list[str]] = []
        # (command, must succeed). A reinstall restarts the service so that it runs the new unit.
        steps = [(self._ctl("daemon-reload"), True)]
        if replaced:
            # A unit that hit its start limit refuses to start until its failed state is reset;
            # an error here (the unit was not failed, or never loaded) changes nothing.
            steps += [
                (self._ctl("reset-failed", target.unit), False),
                (self._ctl("enable", target.unit), True),
                (self._ctl("restart", target.unit), True),
            ]
        else:
            steps.append((self._ctl("enable", "--now", target.unit), True))
        for argv, required in steps:
            result = self._run(argv, done)
            if required and not result.ok:
                raise ServiceError(
                    f"wrote {target.path}, but `{shlex.join(argv)}` failed ({result.reason()}); "
                    f"run `{self.activation_hint(target)}` yourself in a login session with a systemd user manager"
                )
        return InstallReport(target, replaced, done)

    def uninstall(self, vault: Path) -> UninstallReport:
        target = self.target(vault)
        if not target.installed:
            return UninstallReport(target, removed=False)
        done: list[list[str]] = []
        stop = self._run(self._ctl("disable", "--now", target.unit), done)
        target.path.unlink()
        if not stop.ok:
            # `disable` would have removed the .wants/ links; without it they would dangle.
            # (Path.glob skips dangling links, which these now are: look at each .wants/ folder.)
            for wants in self.unit_dir.glob("*.wants"):
                link = wants / target.unit
                if link.is_symlink():
                    link.unlink()
            raise ServiceError(
                f"removed {target.path}, but `{shlex.join(self._ctl('disable', '--now', target.unit))}` failed "
                f"({stop.reason()}); if the service is still running, run `{shlex.join(self._ctl('stop', target.unit))}` "
                "yourself in a login session with a systemd user manager"
            )
        reload = self._run(self._ctl("daemon-reload"), done)
        note = "" if reload.ok else f"`systemctl --user daemon-reload` failed ({reload.reason()})"
        return UninstallReport(target, removed=True, commands=done, note=note)

    def status(self, vault: Path) -> int:
        target = self.target(vault)
        return self._passthrough(self._ctl("status", target.unit), "this system has no systemd; nothing can run the unit")

    def state(self, vault: Path) -> ServiceState:
        target = self.target(vault)
        resolved = vault.expanduser().resolve()
        if not target.installed:
            return ServiceState(target, resolved)
        result = self.runner(self._ctl("show", target.unit, "--property=ActiveState,SubState,MainPID"))
        if not result.ok:
            return ServiceState(target, resolved, error=result.reason())
        props = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
        detail = {"sub_state": props.get("SubState", "")}
        if props.get("MainPID", "0") not in ("", "0"):
            detail["pid"] = props["MainPID"]
        return ServiceState(target, resolved, active=props.get("ActiveState") or None, detail=detail)

    def logs(self, vault: Path, *, follow: bool, lines: int) -> int:
        target = self.target(vault)
        argv = ["journalctl", "--user", "-u", target.unit, "-n", str(lines)]
        if follow:
            argv.append("-f")
        return self._passthrough(argv, "this system has no systemd journal; the service logs there")


class LaunchdManager(ServiceManager):
    """A launchd agent in ``~/Library/LaunchAgents``, logging to ``~/Library/Logs/gardend``."""

    platform: Platform = "launchd"

    def target(self, vault: Path) -> ServiceTarget:
        label = launchd_label(vault)
        home = self.dirs.home
        return ServiceTarget(
            "launchd",
            label,
            home / "Library" / "LaunchAgents" / f"{label}.plist",
            log_path=home / "Library" / "Logs" / "gardend" / f"{service_name(vault)}.log",
        )

    def render(self, spec: ServiceSpec) -> bytes:
        target = self.target(spec.vault)
        assert target.log_path is not None
        return render_launchd_plist(spec, target.name, target.log_path)

    @property
    def domain(self) -> str:
        return f"gui/{self.dirs.uid}"

    def activation_hint(self, target: ServiceTarget) -> str:
        return shlex.join(["launchctl", "bootstrap", self.domain, str(target.path)])

    def install(self, spec: ServiceSpec) -> InstallReport:
        target = self.target(spec.vault)
        assert target.log_path is not None
        replaced = target.installed
        target.log_path.parent.mkdir(parents=True, exist_ok=True)  # launchd does not create it
        _write_file(target.path, self.render(spec))
        done: list[list[str]] = []
        service = f"{self.domain}/{target.name}"
        if replaced:
            # The old job must go before the new plist can be loaded; not loaded is fine too.
            self._run(["launchctl", "bootout", service], done)
        # Clears a "disabled" override left by `launchctl unload -w`; bootstrap refuses otherwise.
        self._run(["launchctl", "enable", service], done)
        boot = self._run(["launchctl", "bootstrap", self.domain, str(target.path)], done)
        if not boot.ok and not boot.missing:
            # Older macOS (before 10.11) knows only the legacy subcommands.
            legacy = self._run(["launchctl", "load", "-w", str(target.path)], done)
            if legacy.ok:
                return InstallReport(target, replaced, done)
        if not boot.ok:
            raise ServiceError(
                f"wrote {target.path}, but `launchctl bootstrap` failed ({boot.reason()}); "
                f"run `{self.activation_hint(target)}` yourself in your macOS login session"
            )
        return InstallReport(target, replaced, done)

    def uninstall(self, vault: Path) -> UninstallReport:
        target = self.target(vault)
        if not target.installed:
            return UninstallReport(target, removed=False)
        done: list[list[str]] = []
        out = self._run(["launchctl", "bootout", f"{self.domain}/{target.name}"], done)
        note = ""
        if not out.ok and not out.missing:
            legacy = self._run(["launchctl", "unload", "-w", str(target.path)], done)
            if not legacy.ok:
                note = f"it was not loaded ({out.reason()})"
        target.path.unlink()
        if out.missing:
            raise ServiceError(
                f"removed {target.path}, but launchctl was not found; if the agent is still running, "
                f"run `launchctl bootout {self.domain}/{target.name}` yourself"
            )
        return UninstallReport(target, removed=True, commands=done, note=note)

    def status(self, vault: Path) -> int:
        target = self.target(vault)
        return self._passthrough(
            ["launchctl", "print", f"{self.domain}/{target.name}"], "launchd agents exist only on macOS"
        )

    def state(self, vault: Path) -> ServiceState:
        target = self.target(vault)
        resolved = vault.expanduser().resolve()
        if not target.installed:
            return ServiceState(target, resolved)
        result = self.runner(["launchctl", "print", f"{self.domain}/{target.name}"])
        if result.missing:
            return ServiceState(target, resolved, error=result.reason())
        if not result.ok:
            return ServiceState(target, resolved, active="not loaded")
        detail: dict[str, str] = {}
        active = None
        for line in result.stdout.splitlines():
            key, sep, value = line.strip().partition(" = ")
            if not sep:
                continue
            if key == "state" and active is None:
                active = value.strip()
            elif key == "pid" and "pid" not in detail:
                detail["pid"] = value.strip()
        return ServiceState(target, resolved, active=active, detail=detail)

    def logs(self, vault: Path, *, follow: bool, lines: int) -> int:
        target = self.target(vault)
        assert target.log_path is not None
        if not target.log_path.is_file():
            where = "" if target.installed else f"; {target.name} is not installed"
            raise ServiceError(f"no log file yet at {target.log_path}{where}")
        # -F keeps following when the file is replaced (log rotation, a reinstall).
        argv = ["tail", "-n", str(lines), *(["-F"] if follow else []), str(target.log_path)]
        return self._passthrough(argv, "cannot show the log file")


def manager_for(platform: Platform, dirs: UserDirs | None = None, runner: CommandRunner | None = None) -> ServiceManager:
    """The manager for ``platform``, with the real user's folders and real commands by default."""
    cls: type[ServiceManager] = SystemdManager if platform == "systemd" else LaunchdManager
    return cls(dirs or UserDirs.from_environ(), runner or SubprocessRunner())

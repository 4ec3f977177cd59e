"""gardend.toml -> frozen dataclasses, with clear messages for every mistake.

The config file is optional: every option has a default, and a user who points gardend at a vault
with no config at all gets a working setup. Unknown keys are errors (a typo silently ignored is a
setting silently lost), and every error names the file, the key and what was expected.

Besides gardend's own options, four optional tables override the vault's Obsidian and plugin
settings per key, under the plugins' own setting names: ``[obsidian]`` (``app.json`` keys, and
``[obsidian.types]`` for ``types.json``), ``[dataview]``, ``[digital_garden]`` and
``[metadata_menu]``. A key left out falls through to the plugin's file, then to the plugin's
default (:mod:`.settings_sources` resolves them; ``gardend info`` shows where each value came from).
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import os
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints

from .settings_sources import (
    SECTIONS,
    OverrideError,
    check_config_dir_name,
    check_override,
    check_property_types,
)

CONFIG_FILE_NAME = "gardend.toml"


class ConfigError(Exception):
    """A config file that cannot be used as written; the message says where and why."""


@dataclass(frozen=True)
class IndexConfig:
    """Where the index lives and how it is built."""

    db: str = ""
    """Path of the SQLite index. Empty: a per-vault folder under the user's state directory."""
    workers: int = 0
    """Processes used to scan notes during a full index. 0: one per CPU core."""
    max_note_bytes: int = 50_000_000
    """Notes larger than this are recorded with an error instead of being scanned."""


@dataclass(frozen=True)
class WatchConfig:
    """How file-system events become index updates."""

    debounce_ms: int = 10
    """Quiet time per path before a changed file is re-read (editors write several events per save)."""
    max_batch_ms: int = 250
    """Upper bound on how long a stream of events may delay an index update."""
    polling: bool = False
    """Use polling instead of inotify/FSEvents (network drives, or when the watch limit is reached)."""
    poll_interval_s: float = 1.0
    """Interval between scans when polling."""
    settle_ms: int = 1000
    """After folders are created or moved, a full reconciliation runs once the vault is this quiet."""
    reconcile_interval_s: float = 600.0
    """Periodic full reconciliation (stat only), a safety net for events the OS never delivered. 0: off."""


@dataclass(frozen=True)
class ObsidianConfig:
    """How the vault's own Obsidian settings are found."""

    config_dir: str = ".obsidian"
    """Name of the vault's Obsidian config folder (Obsidian allows another dot-folder name)."""


@dataclass(frozen=True)
class PublishConfig:
    """Where and how dg-publish notes are published."""

    repo: str = ""
    """Local clone of the garden's git repository (from the Digital Garden site template)."""
    remote: str = "origin"
    """Git remote to push to."""
    branch: str = ""
    """Branch to push to. Empty: the clone's current branch."""
    push: bool = True
    """Push after committing (false: only commit to the local clone)."""
    mode: str = "safe"
    """"safe": nothing of an unpublished note is published; "plugin": byte-for-byte the plugin's output."""
    site_dir: str = ""
    """Folder for the static site (``gardend publish --site``). Empty: no static site."""
    base_url: str = ""
    """Public URL of the static site (``https://host``, served at the root): adds sitemap.xml and feed.xml."""
    use_plugin_token: bool = False
    """Push over HTTPS to github.com with the Digital Garden plugin's githubToken (never shown or logged)."""
    auto: bool = False
    """``gardend serve`` publishes by itself once the vault has been quiet for ``auto_quiet_s``."""
    auto_quiet_s: float = 30.0
    """Seconds without a change before an auto-publish starts (each change restarts the wait)."""


OVERRIDE_TABLES = ("obsidian", "dataview", "digital_garden", "metadata_menu")
"""gardend.toml tables that override the vault's own settings, keyed by the plugins' setting names."""


@dataclass(frozen=True)
class PluginOverrides:
    """gardend.toml's per-key overrides of Obsidian's and the plugins' settings (already type-checked).

    Keys are the plugins' own setting names (``tableIdColumnName``); a key that is absent falls
    through to the vault's settings file, then to the plugin's default.
    """

    obsidian: dict[str, Any] = field(default_factory=dict)
    types: dict[str, Any] = field(default_factory=dict)
    dataview: dict[str, Any] = field(default_factory=dict)
    digital_garden: dict[str, Any] = field(default_factory=dict)
    metadata_menu: dict[str, Any] = field(default_factory=dict)

    def by_section(self) -> dict[str, dict[str, Any]]:
        return {name: getattr(self, name) for name in (*OVERRIDE_TABLES, "types")}


@dataclass(frozen=True)
class Config:
    """Everything gardend reads from gardend.toml; ``source`` says which file (if any)."""

    vault: str = ""
    """Default vault path for commands given no VAULT argument. Relative to the config file."""
    index: IndexConfig = field(default_factory=IndexConfig)
    watch: WatchConfig = field(default_factory=WatchConfig)
    obsidian: ObsidianConfig = field(default_factory=ObsidianConfig)
    publish: PublishConfig = field(default_factory=PublishConfig)
    overrides: PluginOverrides = field(default_factory=PluginOverrides, hash=False)
    """The ``[obsidian]`` (app.json keys), ``[dataview]``, ``[digital_garden]`` and
    ``[metadata_menu]`` tables: not options of gardend but overrides of the plugins' settings."""
    source: str | None = None

    def path(self, value: str) -> Path:
        """A path written in gardend.toml: ``~`` expanded, relative to the file's folder (to the
        working directory when there is no file), resolved."""
        path = Path(value).expanduser()
        if not path.is_absolute() and self.source:
            path = Path(self.source).parent / path
        return path.resolve()


def load_config(path: str | os.PathLike[str] | None = None, cwd: Path | None = None) -> Config:
    """Read ``path``, else ``gardend.toml`` in the current directory, else use defaults."""
    cwd = cwd or Path.cwd()
    if path is None:
        candidate = cwd / CONFIG_FILE_NAME
        if not candidate.is_file():
            return Config()
        path = candidate
    file = Path(path)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read config file: {exc.strerror or exc}") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{file}: config file is not UTF-8 text") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: invalid TOML: {exc}") from exc
    overrides = _split_overrides(data, file)
    config = _build(Config, data, file, prefix="")
    config = dataclasses.replace(config, overrides=overrides)
    problem = check_config_dir_name(config.obsidian.config_dir)
    if problem:
        raise ConfigError(f"{file}: 'obsidian.config_dir': {problem}")
    if config.publish.mode not in ("safe", "plugin"):
        raise ConfigError(f"{file}: 'publish.mode' must be \"safe\" or \"plugin\", not {config.publish.mode!r}")
    if config.vault:
        vault = Path(config.vault).expanduser()
        if not vault.is_absolute():
            vault = (file.parent / vault).resolve()
        config = dataclasses.replace(config, vault=str(vault))
    return dataclasses.replace(config, source=str(file))


def _split_overrides(data: dict[str, Any], file: Path) -> PluginOverrides:
    """Take the plugin-override keys out of ``data`` (in place), type-checked; the rest are
    gardend's own options. ``[obsidian]`` holds both: ``config_dir`` is gardend's, every other
    key is an ``app.json`` setting, and ``[obsidian.types]`` is ``types.json``."""
    tables: dict[str, dict[str, Any]] = {}
    types: dict[str, Any] = {}
    for name in OVERRIDE_TABLES:
        table = data.get(name)
        if table is None:
            continue
        if not isinstance(table, dict):
            raise ConfigError(f"{file}: '{name}' must be a table ([{name}])")
        own = {"config_dir"} if name == "obsidian" else set()
        checked: dict[str, Any] = {}
        for key, value in table.items():
            if key in own:
                continue
            try:
                if name == "obsidian" and key == "types":
                    types = check_property_types(value)
                else:
                    checked[key] = check_override(name, key, value)
            except OverrideError as exc:
                raise ConfigError(f"{file}: {exc}") from exc
        tables[name] = checked
        if own:
            data[name] = {k: v for k, v in table.items() if k in own}
        else:
            del data[name]
    return PluginOverrides(**{name: dict(tables.get(name) or {}) for name in OVERRIDE_TABLES}, types=dict(types))


def _build(cls: type, data: dict[str, Any], file: Path, prefix: str) -> Any:
    hints = get_type_hints(cls)
    known = {f.name: f for f in dataclasses.fields(cls) if f.name not in ("source", "overrides")}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if key not in known:
            options = ", ".join(sorted(known))
            raise ConfigError(f"{file}: unknown option '{dotted}' (known here: {options})")
        hint = hints[key]
        if dataclasses.is_dataclass(hint):
            if not isinstance(value, dict):
                raise ConfigError(f"{file}: '{dotted}' must be a table ([{dotted}])")
            kwargs[key] = _build(hint, value, file, prefix=f"{dotted}.")
            continue
        kwargs[key] = _check_scalar(value, hint, file, dotted)
    return cls(**kwargs)


def _check_scalar(value: Any, hint: Any, file: Path, dotted: str) -> Any:
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{file}: '{dotted}' must be true or false, not {value!r}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{file}: '{dotted}' must be an integer, not {value!r}")
        if value < 0:
            raise ConfigError(f"{file}: '{dotted}' must not be negative")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{file}: '{dotted}' must be a number, not {value!r}")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{file}: '{dotted}' must be a string, not {value!r}")
        return value
    return value


def state_home() -> Path:
    """The per-user folder for gardend's state (index databases, tokens), per platform convention."""
    override = os.environ.get("GARDEND_STATE_DIR")
    if override:
        return Path(override).expanduser()
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "gardend"
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "gardend"
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "gardend"


def vault_state_dir(vault: Path) -> Path:
    """A folder per vault, named so that a human can tell which vault it belongs to."""
    resolved = vault.resolve()
    digest = hashlib.sha1(str(resolved).encode("utf-8")).hexdigest()[:12]
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", resolved.name).strip("-") or "vault"
    return state_home() / "vaults" / f"{name}-{digest}"


def default_db_path(vault: Path) -> Path:
    """The index database lives outside the vault so Obsidian sync never copies it."""
    return vault_state_dir(vault) / "index.sqlite"


def iter_options(cls: type = Config, prefix: str = "") -> list[tuple[str, Any, str]]:
    """(dotted name, default, docstring) of every option; used by `info` and docs tests."""
    out: list[tuple[str, Any, str]] = []
    docs = _attribute_docs(cls)
    hints = get_type_hints(cls)
    for f in dataclasses.fields(cls):
        if f.name in ("source", "overrides"):
            continue
        hint = hints[f.name]
        if dataclasses.is_dataclass(hint):
            out.extend(iter_options(hint, prefix=f"{prefix}{f.name}."))
        else:
            default = f.default if f.default is not dataclasses.MISSING else None
            out.append((f"{prefix}{f.name}", default, docs.get(f.name, "")))
    return out


def iter_override_keys() -> list[tuple[str, str, Any, str]]:
    """(table, plugin key, plugin default, doc) of every key gardend.toml may override.

    Secrets are left out: they cannot be set in gardend.toml. ``[obsidian.types]`` (property
    name → type) has no fixed keys and is not listed.
    """
    out: list[tuple[str, str, Any, str]] = []
    for name in OVERRIDE_TABLES:
        for spec in SECTIONS[name].specs:
            if not spec.secret:
                out.append((name, spec.key, spec.default, spec.doc))
    return out


def _attribute_docs(cls: type) -> dict[str, str]:
    """Attribute docstrings (the string literal after each field) from the class source."""
    import ast
    import inspect

    try:
        tree = ast.parse(inspect.getsource(cls))
    except (OSError, TypeError):
        return {}
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    docs: dict[str, str] = {}
    for current, nxt in itertools.pairwise(body):
        if (
            isinstance(current, ast.AnnAssign)
            and isinstance(current.target, ast.Name)
            and isinstance(nxt, ast.Expr)
            and isinstance(nxt.value, ast.Constant)
            and isinstance(nxt.value.value, str)
        ):
            docs[current.target.id] = " ".join(nxt.value.value.split())
    return docs

"""A vault's own Obsidian and plugin settings, found and resolved per key: gardend.toml > the
plugin's file > the plugin's default; a missing, empty or broken file is a warning naming it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from gardend.daemon.cli import main
from gardend.daemon.config import Config, ConfigError, iter_override_keys, load_config
from gardend.daemon.dataview_settings import load_dataview_settings
from gardend.daemon.effective_settings import bind_config, load_vault_settings, settings_fingerprint
from gardend.daemon.fileclass import load_metadata_menu_settings
from gardend.daemon.property_types import load_property_types, value_fits
from gardend.daemon.publish.settings import (
    GardenSettings,
    load_garden_settings,
    normalise_content_base_dir,
)
from gardend.daemon.settings_sources import (
    SECTIONS,
    default_note_settings,
    is_settings_path,
    unbind,
)
from gardend.daemon.vault import load_app_settings

from .conftest import REPO, VaultMaker

DV_DATA = {"tableIdColumnName": "Note", "renderNullAs": "∅", "inlineQueryPrefix": "dv:"}
DG_DATA = {
    "slugifyEnabled": False, "githubUserName": "alice", "githubRepo": "garden", "githubToken": "ghp_SECRETSECRET",
    "defaultNoteSettings": {"dgHomeLink": True, "dgShowToc": True},
}
MM_DATA = {"classFilesPath": "Classes/", "fileClassAlias": "Type"}
APP_DATA = {"strictLineBreaks": True, "userIgnoreFilters": ["Templates/"]}

#: (what the test calls it, vault path of the file) for the four settings files of the issue.
FILES = {
    "app": ".obsidian/app.json",
    "dataview": ".obsidian/plugins/dv-folder/data.json",
    "digital_garden": ".obsidian/plugins/garden/data.json",
    "metadata_menu": ".obsidian/plugins/mm/data.json",
}
SECTION_OF = {"app": "obsidian", "dataview": "dataview", "digital_garden": "digital_garden", "metadata_menu": "metadata_menu"}


def full_vault(make_vault: VaultMaker, **replace: str | None) -> Path:
    """A vault with all four settings files (folders named unlike the plugin ids) and a note.
    ``replace[name]`` swaps a file's text (None: the file is left out)."""
    files: dict[str, str | bytes] = {
        "a.md": "---\nwhen: 2024-03-05\n---\nline one\nline two\n",
        ".obsidian/community-plugins.json": json.dumps(["dataview", "metadata-menu"]),
        ".obsidian/plugins/dv-folder/manifest.json": json.dumps({"id": "dataview", "version": "0.5.68"}),
        ".obsidian/plugins/garden/manifest.json": json.dumps({"id": "digitalgarden", "version": "2.80.1"}),
        ".obsidian/plugins/mm/manifest.json": json.dumps({"id": "metadata-menu", "version": "0.8.10"}),
        FILES["app"]: json.dumps(APP_DATA),
        FILES["dataview"]: json.dumps(DV_DATA),
        FILES["digital_garden"]: json.dumps(DG_DATA),
        FILES["metadata_menu"]: json.dumps(MM_DATA),
    }
    for name, text in replace.items():
        if text is None:
            files.pop(FILES[name])
        else:
            files[FILES[name]] = text
    return make_vault(files)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def defaults_of(section: str) -> dict[str, Any]:
    out = {}
    for spec in SECTIONS[section].specs:
        if spec.secret:
            continue
        out[spec.key] = default_note_settings() if spec.kind == "note_settings" else spec.default
    return out


# ---------------------------------------------------------------------------------------------
# discovery


def test_plugins_are_found_by_manifest_id_with_their_enabled_state(make_vault: VaultMaker) -> None:
    root = full_vault(make_vault)
    settings = load_vault_settings(root)
    plugins = settings.plugins.plugins
    assert plugins["dataview"].folder.name == "dv-folder" and plugins["dataview"].enabled is True
    assert plugins["metadata-menu"].enabled is True and plugins["metadata-menu"].version == "0.8.10"
    # Not listed in community-plugins.json: disabled, but its settings still apply (documented).
    assert plugins["digitalgarden"].enabled is False
    assert load_garden_settings(root).slugify_enabled is False
    assert load_dataview_settings(root).table_id_column_name == "Note"
    assert load_metadata_menu_settings(root).file_class_alias == "Type"
    assert load_app_settings(root).strict_line_breaks is True
    assert settings.problems == []


@pytest.mark.parametrize("name", list(FILES))
@pytest.mark.parametrize(("state", "text", "says"), [
    ("missing", None, "missing"),
    ("empty", "  \n", "empty file"),
    ("broken", "{not json", "invalid JSON"),
    ("not an object", "[1, 2]", "not a JSON object"),
])
def test_a_missing_empty_or_broken_file_is_a_warning_and_defaults_apply(
    make_vault: VaultMaker, name: str, state: str, text: str | None, says: str
) -> None:
    root = full_vault(make_vault, **{name: text})
    settings = load_vault_settings(root)
    path = str(root / FILES[name])
    assert any(p.startswith(path) and says in p for p in settings.problems), settings.problems
    section = SECTION_OF[name]
    values = {k: v for k, v in settings.sections[section].values.items() if k != "githubToken"}
    assert values == defaults_of(section), state
    assert all(source == "default" for source in settings.sections[section].sources.values())
    # The typed loaders report the same warning, naming the file.
    loader = {
        "app": load_app_settings, "dataview": load_dataview_settings,
        "digital_garden": load_garden_settings, "metadata_menu": load_metadata_menu_settings,
    }[name]
    loaded = loader(root)
    assert any(p.startswith(path) for p in loaded.problems)


def test_check_reports_every_broken_settings_file(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = full_vault(make_vault, dataview="{oops", metadata_menu="")
    _code, out = run("check", str(root), "--db", str(tmp_path / "i.sqlite"))
    assert f"warning: {root / FILES['dataview']}: invalid JSON" in out
    assert f"warning: {root / FILES['metadata_menu']}: empty file; Metadata Menu's defaults apply" in out


def test_no_config_folder_is_one_warning(make_vault: VaultMaker) -> None:
    root = make_vault({"a.md": "x"})
    settings = load_vault_settings(root)
    assert len(settings.problems) == 1 and "no Obsidian config folder" in settings.problems[0]
    assert str(root / ".obsidian") in settings.problems[0]


def test_a_mistyped_value_is_reported_and_keeps_the_default(make_vault: VaultMaker) -> None:
    root = full_vault(make_vault, dataview=json.dumps({"tableIdColumnName": 7, "showResultCount": "no"}))
    dv = load_dataview_settings(root)
    assert dv.table_id_column_name == "File" and dv.show_result_count is True
    assert len(dv.problems) == 2 and "tableIdColumnName should be a string" in dv.problems[0]


def test_settings_paths() -> None:
    for path in (".obsidian/app.json", ".obsidian/types.json", ".obsidian/community-plugins.json",
                 ".obsidian/plugins/any-folder/data.json", ".obsidian/plugins/x/manifest.json", "gardend.toml"):
        assert is_settings_path(path), path
    for path in (".obsidian/workspace.json", ".obsidian/plugins/x/main.js", "notes/app.json", ".obs/app.json"):
        assert not is_settings_path(path), path
    assert is_settings_path(".obs/app.json", ".obs")


# ---------------------------------------------------------------------------------------------
# precedence: gardend.toml > the plugin's file > default, per key


def test_gardend_toml_overrides_single_keys(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = full_vault(make_vault)
    (root / "Table.md").write_text("```dataview\nTABLE when FROM \"a\"\n```\n", encoding="utf-8")
    cfg = tmp_path / "gardend.toml"
    cfg.write_text('[dataview]\ntableIdColumnName = "Paper"\n', encoding="utf-8")
    db = str(tmp_path / "i.sqlite")
    code, html = run("query", str(root), 'TABLE when, nothing FROM "a"', "--format", "html", "--db", db, "--config", str(cfg))
    assert code == 0, html
    assert "<span>Paper</span>" in html  # gardend.toml wins over data.json's "Note"
    assert "<span>∅</span>" in html  # data.json's renderNullAs, not overridden
    assert "March 05, 2024" in html  # Dataview's default date format (set nowhere)
    code, out = run("info", str(root), "--json", "--db", db, "--config", str(cfg))
    assert code == 0, out
    rows = {r["key"]: r for r in json.loads(out)["settings"]["dataview"]["settings"]}
    assert rows["tableIdColumnName"] == {"key": "tableIdColumnName", "value": "Paper",
                                         "source": f"{cfg}: [dataview].tableIdColumnName"}
    assert rows["renderNullAs"]["source"] == f"{root / FILES['dataview']}: renderNullAs"
    assert rows["defaultDateFormat"]["source"] == "default"


def test_every_section_takes_overrides(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = full_vault(make_vault, app=json.dumps({"userIgnoreFilters": ["Templates/"]}))
    cfg = tmp_path / "gardend.toml"
    cfg.write_text(
        "[obsidian]\nstrictLineBreaks = true\nuserIgnoreFilters = [\"Drafts/\", \"/secret/\"]\n"
        "[obsidian.types]\nrating = \"number\"\n"
        "[dataview]\nshowResultCount = false\nmaxRecursiveRenderDepth = 2\n"
        "[digital_garden]\nslugifyEnabled = true\ncustomFilters = [{ pattern = \"a\", replace = \"b\" }]\n"
        "defaultNoteSettings = { dgShowBacklinks = true }\ncontentBaseDir = \"/Web/\"\n"
        "[metadata_menu]\nclassFilesPath = \"\"\nenableLinks = false\n",
        encoding="utf-8",
    )
    config = load_config(cfg)
    try:
        bind_config(root, config)
        app = load_app_settings(root)
        assert app.strict_line_breaks is True and app.user_ignore_filters == ("Drafts/", "/secret/")
        dv = load_dataview_settings(root)
        assert (dv.show_result_count, dv.max_recursive_render_depth, dv.table_id_column_name) == (False, 2, "Note")
        dg = load_garden_settings(root)
        assert dg.slugify_enabled is True and dg.custom_filters[0].pattern == "a" and dg.custom_filters[0].flags == "g"
        # defaultNoteSettings merge per key: the file's dgShowToc stays, the override adds one.
        assert dg.default_note_settings == {"dgHomeLink": True, "dgShowToc": True, "dgShowBacklinks": True}
        assert dg.content_base_dir == "Web/"
        assert dg.inline_query_prefix == "dv:"  # the compile matches Dataview's own prefix
        mm = load_metadata_menu_settings(root)
        assert mm.class_files_path is None and mm.enable_links is False and mm.file_class_alias == "Type"
        types = load_property_types(root)
        assert types.type_of("Rating") == "number"
        assert not any("contentBaseDir" in p for p in load_vault_settings(root).problems)  # honoured now
    finally:
        unbind(root)
    assert load_dataview_settings(root).show_result_count is True  # unbound: the file again


@pytest.mark.parametrize(("toml", "says"), [
    ('[dataview]\ntableIdColumnName = 3\n', "[dataview] tableIdColumnName must be a string"),
    ('[dataview]\ntableIdColumName = "x"\n', "unknown setting 'tableIdColumName' in [dataview]"),
    ('[digital_garden]\ngithubToken = "x"\n', "'githubToken' cannot be set in gardend.toml"),
    ('[obsidian]\nnewLinkFormat = "weird"\n', "must be one of 'shortest', 'relative', 'absolute'"),
    ('[obsidian]\nconfig_dir = "obsidian"\n', "must start with a dot"),
    ('[obsidian.types]\nrating = "stars"\n', "unknown property type 'stars'"),
    ('[digital_garden]\ncustomFilters = [{ pattern = 1 }]\n', "needs a string 'pattern'"),
    ('[digital_garden]\ndefaultNoteSettings = { dgShowToc = "yes" }\n', "table of true/false values"),
    ('[metadata_menu]\nenableLinks = "yes"\n', "[metadata_menu] enableLinks must be true or false"),
    ('[metadata_menu]\nfileClassQueries = [{ query = "dv.pages()", klass = "A" }]\n',
     "[metadata_menu] fileClassQueries: each entry takes only string name, id, query, fileClassName"),
    ('[metadata_menu]\nfileClassQueries = "dv.pages()"\n', "[metadata_menu] fileClassQueries must be a list of tables"),
    ('[dataview]\nrefreshInterval = -1\n', "must be a non-negative integer"),
    ('dataview = 1\n', "'dataview' must be a table"),
])
def test_overrides_are_type_checked(tmp_path: Path, toml: str, says: str) -> None:
    cfg = tmp_path / "gardend.toml"
    cfg.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(cfg)
    assert says in str(caught.value) and str(cfg) in str(caught.value)
    assert "githubToken = " not in str(caught.value)


def test_removing_the_override_falls_through(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = full_vault(make_vault)
    cfg = tmp_path / "gardend.toml"
    cfg.write_text('[dataview]\ntableIdColumnName = "Paper"\n', encoding="utf-8")
    db = str(tmp_path / "i.sqlite")
    assert "<span>Paper</span>" in run("query", str(root), 'TABLE when FROM "a"', "--format", "html", "--db", db,
                                       "--config", str(cfg))[1]
    cfg.write_text("", encoding="utf-8")
    assert "<span>Note</span>" in run("query", str(root), 'TABLE when FROM "a"', "--format", "html", "--db", db,
                                      "--config", str(cfg))[1]
    (root / FILES["dataview"]).unlink()
    assert "<span>File</span>" in run("query", str(root), 'TABLE when FROM "a"', "--format", "html", "--db", db,
                                      "--config", str(cfg))[1]


# ---------------------------------------------------------------------------------------------
# --obsidian-dir


def test_obsidian_dir_option_reads_a_renamed_config_folder(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = make_vault({
        "a.md": "---\nwhen: 2024-03-05\n---\n",
        ".obs/plugins/dataview/manifest.json": json.dumps({"id": "dataview"}),
        ".obs/plugins/dataview/data.json": json.dumps({"tableIdColumnName": "Via Obs"}),
        ".obs/app.json": "{}",
    })
    db = str(tmp_path / "i.sqlite")
    code, html = run("query", str(root), 'TABLE when FROM "a"', "--format", "html", "--db", db, "--obsidian-dir", ".obs")
    assert code == 0 and "<span>Via Obs</span>" in html, html
    code, html = run("query", str(root), 'TABLE when FROM "a"', "--format", "html", "--db", db)
    assert "<span>File</span>" in html
    code, out = run("info", str(root), "--json", "--db", db, "--obsidian-dir", ".obs")
    data = json.loads(out)
    assert data["problems"] == []
    assert data["settings"]["obsidian"]["settings"][0] == {"key": "config folder", "value": ".obs", "source": "--obsidian-dir"}
    assert data["settings"]["gardend"][[r["key"] for r in data["settings"]["gardend"]].index("obsidian.config_dir")]["value"] == ".obs"
    code, out = run("info", str(root), "--json", "--db", db)
    assert any("no Obsidian config folder" in p and "--obsidian-dir" in p for p in json.loads(out)["problems"])
    code, out = run("info", str(root), "--db", db, "--obsidian-dir", "obs")
    assert code == 2 and "must start with a dot" in out


# ---------------------------------------------------------------------------------------------
# info


def test_info_lists_every_setting_with_its_source(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = full_vault(make_vault)
    db = str(tmp_path / "i.sqlite")
    run("index", str(root), "--db", db)
    code, out = run("info", str(root), "--json", "--db", db)
    assert code == 0, out
    data = json.loads(out)
    assert data["notes"] == 1 and data["server_token"] is None
    assert data["server_token_file"].endswith("token")
    settings = data["settings"]
    assert set(settings) == {"gardend", "obsidian", "dataview", "digital_garden", "metadata_menu"}
    for name in ("dataview", "digital_garden", "metadata_menu"):
        keys = [r["key"] for r in settings[name]["settings"]]
        assert keys == SECTIONS[name].keys, name
        assert settings[name]["installed"] is True
    dg = {r["key"]: r for r in settings["digital_garden"]["settings"]}
    assert dg["githubToken"]["value"] == "set (redacted)" and dg["githubToken"]["redacted"] is True
    assert dg["slugifyEnabled"] == {"key": "slugifyEnabled", "value": False,
                                    "source": f"{root / FILES['digital_garden']}: slugifyEnabled"}
    assert {p["id"]: (p["version"], p["enabled"]) for p in data["plugins"]} == {
        "dataview": ("0.5.68", True), "digitalgarden": ("2.80.1", False), "metadata-menu": ("0.8.10", True),
    }
    gardend = {r["key"]: r for r in settings["gardend"]}
    assert gardend["publish.use_plugin_token"] == {"key": "publish.use_plugin_token", "value": False, "source": "default"}
    assert "ghp_SECRETSECRET" not in out
    # The text form: groups, sources relative to the vault, the token redacted.
    code, text = run("info", str(root), "--db", db)
    assert code == 0
    for heading in ("\ngardend\n", "\nobsidian  (.obsidian/app.json)", "\ndataview  (.obsidian/plugins/dv-folder/data.json)",
                    "\ndigital garden  (", "\nmetadata menu  (", "\nplugins\n"):
        assert heading in text, heading
    assert re.search(r"githubToken\s+= set \(redacted\)\s+<- \.obsidian/plugins/garden/data.json: githubToken", text)
    assert "ghp_SECRETSECRET" not in text
    # The server's own token is shown: it is the user's local secret for local clients.
    from gardend.daemon.server.security import load_or_create_token

    token = load_or_create_token(root)
    assert json.loads(run("info", str(root), "--json", "--db", db)[1])["server_token"] == token


def test_info_names_a_plugin_that_is_not_installed(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = make_vault({"a.md": "x", ".obsidian/app.json": "{}"})
    code, out = run("info", str(root), "--db", str(tmp_path / "i.sqlite"))
    assert code == 0
    assert "metadata menu  (plugin 'metadata-menu' not installed)" in out and "(none installed)" in out


# ---------------------------------------------------------------------------------------------
# config.example.toml documents the override tables


def test_config_example_lists_every_override_key_and_parses_uncommented(tmp_path: Path) -> None:
    text = (REPO / "config.example.toml").read_text(encoding="utf-8")
    for table, key, _default, doc in iter_override_keys():
        assert f"# {key} = " in text, f"[{table}] {key} is missing from config.example.toml"
        assert doc, key
    # Uncommented, the example is a valid config whose own options are the defaults, and every
    # override it lists is the plugin's default value.
    lines = []
    for line in text.splitlines():
        match = re.match(r"^# (\[[a-z_.]+\]|[A-Za-z_]+ = .*)$", line)
        lines.append(match.group(1) if match else line)
    cfg = tmp_path / "gardend.toml"
    cfg.write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = load_config(cfg)
    assert (config.index, config.watch, config.obsidian, config.publish) == (
        Config().index, Config().watch, Config().obsidian, Config().publish)
    for table, key, default, _doc in iter_override_keys():
        value = getattr(config.overrides, table)[key]
        if key == "defaultNoteSettings":
            assert value == {"dgHomeLink": True}
        else:
            assert value == (default if default is not None else None) or (value == () and default == ()), key
    assert dict(config.overrides.types) == {"rating": "number"}


# ---------------------------------------------------------------------------------------------
# types.json


def test_property_types_are_checked(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = make_vault({
        "a.md": "---\nrating: five\ndone: yes\nwhen: 2024-01-01\ntags: [x]\n---\n",
        "b.md": "---\nRating: 4\ndone: true\nwhen: soon\n---\n",
        ".obsidian/types.json": json.dumps({"types": {"rating": "number", "done": "checkbox", "when": "date",
                                                      "tags": "tags", "odd": "colour"}}),
        ".obsidian/app.json": "{}",
    })
    db = str(tmp_path / "i.sqlite")
    code, out = run("check", str(root), "--json", "--db", db)
    found = sorted((f["path"], f["message"].split("'")[1]) for f in json.loads(out) if f["kind"] == "property-type")
    assert found == [("a.md", "done"), ("a.md", "rating"), ("b.md", "when")]
    assert all(f["severity"] == "info" for f in json.loads(out) if f["kind"] == "property-type")
    assert code == 0
    code, text = run("check", str(root), "--db", db)
    assert "property 'odd' has an unknown type 'colour'" in text  # a warning naming types.json
    cfg = tmp_path / "gardend.toml"
    cfg.write_text('[obsidian.types]\nrating = "text"\n', encoding="utf-8")
    code, out = run("check", str(root), "--json", "--db", db, "--config", str(cfg))
    found = sorted((f["path"], f["message"].split("'")[1]) for f in json.loads(out) if f["kind"] == "property-type")
    assert found == [("a.md", "done"), ("b.md", "Rating"), ("b.md", "when")]  # names match in any case


def test_value_fits() -> None:
    assert value_fits("number", 3) and not value_fits("number", True) and not value_fits("number", "3")
    assert value_fits("multitext", "one") and value_fits("multitext", ["a", 1]) and not value_fits("tags", [{"a": 1}])
    assert value_fits("datetime", "2024-01-01T10:30") and value_fits("datetime", "2024-01-01")
    assert not value_fits("date", "2024-01-01T10:30") and value_fits("checkbox", None)


# ---------------------------------------------------------------------------------------------
# Digital Garden details


def test_digital_garden_target_settings() -> None:
    assert GardenSettings(github_user_name="alice", github_repo="garden").default_remote == "https://github.com/alice/garden.git"
    assert GardenSettings(github_user_name="alice", github_repo="garden.git").default_remote == "https://github.com/alice/garden.git"
    placeholder = GardenSettings(github_user_name="add your username to .env", github_repo="x")
    assert placeholder.default_remote is None
    assert [normalise_content_base_dir(v) for v in ("", "/", " /Web/ ", "a/b", "a/../b", "./x")] == [
        "", "", "Web/", "a/b/", "", ""]


def test_the_dg_test_vault_settings_repr_holds_no_token() -> None:
    from .conftest import corpus

    settings = load_garden_settings(corpus("dg-test-vault"))
    assert settings.github_token_set is True
    assert "add your token" not in repr(settings)


def test_fingerprint_follows_every_source(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = full_vault(make_vault)
    before = settings_fingerprint(root)
    assert settings_fingerprint(root) == before
    cfg = tmp_path / "gardend.toml"
    cfg.write_text('[metadata_menu]\nfileClassIcon = "book"\n', encoding="utf-8")
    try:
        bind_config(root, load_config(cfg))
        assert settings_fingerprint(root) != before
    finally:
        unbind(root)
    (root / FILES["dataview"]).write_text(json.dumps({**DV_DATA, "tableIdColumnName": "X"}), encoding="utf-8")
    assert settings_fingerprint(root) != before


# ---------------------------------------------------------------------------------------------
# Dataview's inline-query settings reach the renderer


@pytest.mark.parametrize(("data", "shows_value"), [
    ({"inlineQueryPrefix": "dv:"}, True),
    ({"inlineQueryPrefix": "dv:", "enableInlineDataview": False}, False),
])
def test_inline_query_settings_reach_the_renderer(
    make_vault: VaultMaker, tmp_path: Path, data: dict[str, Any], shows_value: bool
) -> None:
    root = make_vault({
        "N.md": "---\nscore: 41\n---\nvalue `dv: this.score + 1` and `= this.score`\n\n```js-dv\nx\n```\n",
        ".obsidian/app.json": "{}",
        ".obsidian/plugins/dv/manifest.json": json.dumps({"id": "dataview"}),
        ".obsidian/plugins/dv/data.json": json.dumps({**data, "dataviewJsKeyword": "js-dv"}),
    })
    code, html = run("render", str(root), "N.md", "--db", str(tmp_path / "i.sqlite"))
    assert code == 0, html
    assert ("42" in html) is shows_value
    assert "<code>= this.score</code>" in html  # "=" is no longer the prefix
    # The renamed DataviewJS keyword; enableDataviewJs is off (Dataview's default): its error.
    assert '<div class="block-language-js-dv" style="overflow-x: auto;"><pre class="dataview dataview-error">' in html


# ---------------------------------------------------------------------------------------------
# Metadata Menu's fileClass queries and indexing exclusions


def test_metadata_menu_queries_and_exclusions_from_the_plugin_file_and_gardend_toml(
    make_vault: VaultMaker, tmp_path: Path
) -> None:
    data = {**MM_DATA, "fileClassQueries": [
        {"name": "books", "id": "x1", "query": "dv.pages('#book')", "fileClassName": "Book"},
        {"query": "dv.pages()"},  # parts Metadata Menu would read as undefined default to ""
        "not an object",
    ], "fileIndexingExcludedFolders": ["Templates"], "fileIndexingExcludedRegex": "not a list"}
    root = full_vault(make_vault, metadata_menu=json.dumps(data))
    mm = load_metadata_menu_settings(root)
    assert [(q.name, q.id, q.query, q.file_class_name) for q in mm.file_class_queries] == [
        ("books", "x1", "dv.pages('#book')", "Book"), ("", "", "dv.pages()", "")]
    assert mm.excluded_folders == ("Templates",)
    assert mm.excluded_extensions == (".excalidraw.md",)  # the plugin's default
    assert mm.excluded_regex == ()
    assert any("fileIndexingExcludedRegex should be a list of strings" in p for p in mm.problems)
    cfg = tmp_path / "gardend.toml"
    cfg.write_text(
        '[metadata_menu]\nfileClassQueries = [{ name = "all", query = "dv.pages()", fileClassName = "Thing" }]\n'
        'fileIndexingExcludedExtensions = []\n', encoding="utf-8")
    try:
        bind_config(root, load_config(cfg))
        mm = load_metadata_menu_settings(root)
        assert [(q.name, q.id, q.file_class_name) for q in mm.file_class_queries] == [("all", "", "Thing")]
        assert mm.excluded_extensions == ()
        sources = load_vault_settings(root).sections["metadata_menu"].sources
        assert sources["fileClassQueries"] == f"{cfg}: [metadata_menu].fileClassQueries"
    finally:
        unbind(root)

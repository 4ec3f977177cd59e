"""The leak audit kept in the index (``LeakStore``): the same findings as the reference audit.

``audit(build_markers(index, root), outputs)`` builds every marker from scratch and scans with
every form; the publish gate and ``gardend check --leaks`` use ``LeakStore``, which keeps the
markers per note in the index and finds forms through their keys. These tests hold the two to
the same answer — on random small vaults and outputs (hypothesis), after edits that the store
follows incrementally, with both of its search strategies — and show that on a republish after
one edit every kind of marker is still caught.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from gardend.daemon.cli import main
from gardend.daemon.index import Index
from gardend.daemon.publish import leaks as leaks_mod
from gardend.daemon.publish.gitsync import compile_files
from gardend.daemon.publish.jsfmt import encode_uri
from gardend.daemon.publish.leaks import LeakStore, audit, build_markers, variants
from gardend.daemon.publish.slug import slugify
from gardend.daemon.sync import Synchronizer
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ..conftest import FIXTURES, VaultMaker
from .helpers import GIT_ENV, make_garden

TRAP = FIXTURES / "private-trap-vault"
DIARY = "Vault-Hidden-Folder/Secret Diary.md"
HOME = "Public/Garden Home.md"

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def reference_variants(text: str) -> set[str]:
    """``variants`` as first written (one call per escape, ``slugify`` per path segment)."""
    forms = {
        text,
        html.escape(text),
        html.escape(text, quote=False),
        json.dumps(text)[1:-1],
        json.dumps(text, ensure_ascii=False)[1:-1],
        quote(text, safe=""),
        quote(text, safe="/"),
        encode_uri(text),
    }
    slug = "/".join(slugify(part) for part in text.split("/"))
    kept = sum(c.isalnum() for c in slug)
    if len(slug) >= 8 and kept >= 0.7 * sum(c.isalnum() for c in text):
        forms.add(slug)
    return {f for f in forms if f}


def sync(root: Path, db: Path) -> Index:
    index = Index(db)
    Synchronizer(index, root, workers=1).full_sync()
    return index


def store_audit(index: Index, root: Path, outputs: list[tuple[str, bytes]], strategy: str) -> list[leaks_mod.Leak]:
    return LeakStore(index, root).audit(outputs, strategy=strategy)


# -- forms ---------------------------------------------------------------------------------------

_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
_ASCII = st.text(st.characters(min_codepoint=0, max_codepoint=127), max_size=40)
_WORDY = st.lists(st.sampled_from(["Tom", "&", "Jerry", "go/Übermut", "HTTPServer2", "x", "", "a-b", "q_r",
                                   "don't", "50%", "<b>", "日本語", "Café", "\t", "ABC123def", "~"]),
                  max_size=8).map(" ".join)


@given(st.one_of(_TEXT, _ASCII, _WORDY))
@settings(max_examples=400, deadline=None)
def test_variants_are_the_escapes(text: str) -> None:
    assert variants(text) == reference_variants(text)


@given(st.one_of(_ASCII, _WORDY.filter(str.isascii)))
@settings(max_examples=400, deadline=None)
def test_ascii_slug_is_the_words_slugs_joined(text: str) -> None:
    assert leaks_mod._slug_segment(text) == slugify(text)


# -- random vaults: the store finds what the reference finds -------------------------------------

_WORDS = ["alpha", "Bravo", "charlie7", "delta", "Echo", "foxtrot", "Q&A", "Über", "日本語", "don't", "hotel",
          "India", "juliet", "kilo", "lima", "MikeNovember", "oscar", "papa-42", "quebec", "romeo"]
_FOLDERS = ["", "Pub/", "Priv/", "Priv/Deep/", "Mixed/"]


@st.composite
def vaults(draw: st.DrawFn) -> dict[str, str]:
    words = st.sampled_from(_WORDS)
    phrase = st.lists(words, min_size=1, max_size=11).map(" ".join)
    count = draw(st.integers(2, 6))
    names = draw(st.lists(st.lists(words, min_size=1, max_size=3).map(" ".join), min_size=count, max_size=count,
                          unique_by=str.lower))
    paths = [draw(st.sampled_from(_FOLDERS)) + name + ".md" for name in names]
    notes: dict[str, str] = {}
    for path in paths:
        fm = ["---"]
        if draw(st.booleans()):
            fm.append("dg-publish: true")
        tags = draw(st.lists(st.sampled_from(["topic", "alphatag", "Bravo-tag", "shared", "x1"]), max_size=2))
        if tags:
            fm.append(f"tags: [{', '.join(tags)}]")
        if draw(st.booleans()):
            fm.append(f"aliases: [{json.dumps(draw(phrase))}]")
        if draw(st.booleans()):
            fm.append(f"code: {json.dumps(draw(phrase))}")
        fm.append("---")
        lines = []
        for _ in range(draw(st.integers(0, 5))):
            kind = draw(st.sampled_from(["text", "heading", "block", "field", "link", "embed"]))
            if kind == "heading":
                lines.append("## " + draw(phrase))
            elif kind == "block":
                lines.append(draw(phrase) + " ^" + draw(st.sampled_from(["blk123", "abcdef7", "zz9zz9"])))
            elif kind == "field":
                lines.append("note:: " + draw(phrase))
            elif kind in ("link", "embed"):
                target = draw(st.sampled_from(paths))[:-3]
                bang = "!" if kind == "embed" else ""
                lines.append(f"{draw(phrase)} {bang}[[{target}]] {draw(phrase)}")
            else:
                lines.append(draw(phrase))
        notes[path] = "\n".join(fm) + "\n" + "\n".join(lines) + "\n"
    return notes


@st.composite
def outputs_for(draw: st.DrawFn, notes: dict[str, str]) -> list[tuple[str, bytes]]:
    """Outputs quoting random slices of the notes (private or not), escaped or not, and words."""
    sources = list(notes.values()) + list(notes)
    pieces = []
    for _ in range(draw(st.integers(1, 8))):
        source = draw(st.sampled_from(sources))
        start = draw(st.integers(0, len(source)))
        piece = source[start:start + draw(st.integers(0, 120))]
        encode = draw(st.sampled_from([str, html.escape, lambda t: json.dumps(t)[1:-1], lambda t: quote(t, safe=""),
                                       encode_uri, slugify, str.lower]))
        pieces.append(encode(piece))
        pieces.append(draw(st.sampled_from(["", " ", "\n", "x", *_WORDS])))
    count = draw(st.integers(1, 3))
    return [(draw(st.sampled_from(["a.md", "Priv/x.md", "page.html"])) + str(i), "".join(pieces[i::count]).encode())
            for i in range(count)]


def _check_same(index: Index, root: Path, outputs: list[tuple[str, bytes]]) -> None:
    expected = audit(build_markers(index, root), outputs)
    event(f"{min(len(expected), 3)}{'+' if len(expected) > 2 else ''} leaks")
    for strategy in ("small", "large"):
        assert store_audit(index, root, outputs, strategy) == expected, strategy
        _check_answers(index)


def _check_answers(index: Index) -> None:
    """What the store remembers of published text is true of the published text it holds."""
    shown = dict(index.conn.execute("SELECT path, parts FROM leak_public"))
    for needle, path in index.conn.execute("SELECT needle, path FROM leak_witness"):
        assert needle in shown[path], (needle, path)
    everything = "\0".join(shown.values())
    for (needle,) in index.conn.execute("SELECT needle FROM leak_absent"):
        assert needle not in everything, needle


def _store_rows(db: Path) -> dict[str, set[tuple[object, ...]]]:
    """The store's content, independent of note ids."""
    conn = sqlite3.connect(db)
    try:
        paths = dict(conn.execute("SELECT id, path FROM leak_notes"))
        return {
            "notes": {(p, h, c) for p, h, c in conn.execute("SELECT path, content_hash, cuts FROM leak_notes")},
            "texts": set(conn.execute("SELECT id, kind, text FROM leak_texts")),
            "uses": {(t, paths[n], s, g) for t, n, s, g in conn.execute("SELECT * FROM leak_uses")},
            "keys": set(conn.execute("SELECT * FROM leak_keys")),
            "short": set(conn.execute("SELECT * FROM leak_short")),
        }
    finally:
        conn.close()


@given(vaults(), st.data())
@settings(max_examples=int(os.environ.get("GARDEND_LEAK_EXAMPLES", "150")), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_store_finds_what_the_reference_finds(notes: dict[str, str], data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "vault"
        for rel, text in notes.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text, encoding="utf-8")
        index = sync(root, Path(tmp) / "i.sqlite")
        try:
            _check_same(index, root, data.draw(outputs_for(notes)))
            plugin = [(p, f.data) for p, f in compile_files(index, root, None, "plugin").items()]  # type: ignore[arg-type]
            _check_same(index, root, plugin)
            # An edit the store follows incrementally: change, publish or unpublish, or delete a note.
            path = data.draw(st.sampled_from(sorted(notes)))
            change = data.draw(st.sampled_from(["append", "flip", "delete"]))
            if change == "delete":
                (root / path).unlink()
                del notes[path]
            elif change == "flip":
                text = notes[path]
                notes[path] = text.replace("dg-publish: true\n", "") if "dg-publish" in text else \
                    text.replace("---\n", "---\ndg-publish: true\n", 1)
            else:
                notes[path] += data.draw(st.sampled_from(_WORDS)) + " appended private words here now\n"
            if change != "delete":
                (root / path).write_text(notes[path], encoding="utf-8")
            Synchronizer(index, root, workers=1).full_sync()
            _check_same(index, root, data.draw(outputs_for(notes)))
            # What the store holds now equals a store built from scratch.
            fresh = sync(root, Path(tmp) / "fresh.sqlite")
            try:
                LeakStore(fresh, root).audit([])
                assert _store_rows(Path(tmp) / "i.sqlite") == _store_rows(Path(tmp) / "fresh.sqlite")
            finally:
                fresh.close()
        finally:
            index.close()


# -- the trap vault ------------------------------------------------------------------------------

@pytest.fixture
def trap(tmp_path: Path) -> Iterator[tuple[Path, Index]]:
    root = tmp_path / "vault"
    shutil.copytree(TRAP, root)
    index = sync(root, tmp_path / "trap.sqlite")
    yield root, index
    index.close()


def test_store_equals_the_reference_on_the_trap_vault(trap: tuple[Path, Index]) -> None:
    root, index = trap
    plugin = [(p, f.data) for p, f in compile_files(index, root, None, "plugin").items()]  # type: ignore[arg-type]
    expected = audit(build_markers(index, root), plugin)
    assert leaks_mod.exposure(expected) == sorted([DIARY, "Confidential-7f3a/Meeting Minutes.md",
                                                   "Vault-Hidden-Folder/Nested/Deep Private Note.md",
                                                   "Vault-Hidden-Folder/Plans (2026).md"])
    for strategy in ("small", "large", "auto"):
        assert store_audit(index, root, plugin, strategy) == expected


def test_an_index_without_the_leak_tables_gets_the_reference(trap: tuple[Path, Index], tmp_path: Path) -> None:
    root, index = trap
    outputs = [("x.md", b"The sealed envelope is under the blue staircase")]
    index.conn.execute("DROP TABLE leak_uses")
    found = LeakStore(index, root).audit(outputs)
    assert found == audit(build_markers(index, root), outputs) and [leak.source_note for leak in found] == [DIARY]


def test_a_read_only_index_still_audits(trap: tuple[Path, Index], tmp_path: Path) -> None:
    """A reader (the daemon's server side) can audit: with the tables as they are when nothing
    needs cutting, else with the reference; what it cannot store it only has to search again."""
    root, index = trap
    outputs = [("x.md", b"The sealed envelope is under the blue staircase"), ("y.md", b"nothing")]
    expected = audit(build_markers(index, root), outputs)
    reader = Index(tmp_path / "trap.sqlite", readonly=True)
    try:
        assert LeakStore(reader, root).audit(outputs) == expected  # nothing stored yet: the reference
        assert LeakStore(index, root).audit(outputs) == expected  # the writer stores the markers
        store = LeakStore(reader, root)
        assert store.audit(outputs) == expected and "search" in store.timings  # the reader uses them
    finally:
        reader.close()


def _every_kind(index: Index, root: Path) -> dict[str, str]:
    """One marker of each kind (the trap vault has them all), keyed by kind."""
    chosen: dict[str, str] = {}
    for marker in build_markers(index, root).markers:
        chosen.setdefault(marker.kind, marker.text)
    return chosen


@needs_git
def test_a_republish_after_one_edit_still_catches_every_kind(trap: tuple[Path, Index], tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in GIT_ENV.items():
        monkeypatch.setenv(k, v)
    _bare, clone = make_garden(tmp_path)
    root, index = trap
    db = tmp_path / "cli.sqlite"
    args = ["publish", str(root), "--repo", str(clone), "--db", str(db), "--mode", "safe"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output

    def meta(key: str) -> str:
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT value FROM leak_meta WHERE key = ?", (key,)).fetchone()[0]

    stored_notes = meta("next_id")
    kinds = _every_kind(index, root)
    assert set(kinds) >= {"body", "token", "heading", "block-id", "property", "alias", "tag", "path", "file-name",
                          "folder", "asset-name"}
    # One edit of a published note; the publish writes that note (plus, injected, each kind's
    # marker in one of its forms) and the commit message.
    home = root / HOME
    home.write_text(home.read_text(encoding="utf-8") + "\nOne more public line.\n", encoding="utf-8")
    encoders = [str, html.escape, lambda t: json.dumps(t)[1:-1], lambda t: quote(t, safe=""), encode_uri]
    written = {"folder": "{}/", "block-id": "^{}"}
    injected = {kind: encoders[i % len(encoders)](written.get(kind, "{}").format(text))
                for i, (kind, text) in enumerate(sorted(kinds.items()))}
    photo = ("src/site/img/user/renamed.png", (root / "Attachments" / "private-only-photo-7f3a.png").read_bytes())
    expected = audit(build_markers(index, root), [*((f"src/site/notes/Injected {kind}.md", text.encode())
                                                    for kind, text in injected.items()), photo])
    assert {leak.where for leak in expected} == {f"src/site/notes/Injected {kind}.md" for kind in kinds} | {photo[0]}
    assert ("asset-bytes", photo[0]) in {(leak.marker_kind, leak.where) for leak in expected}
    real = leaks_mod.plan_outputs

    def leaky(plan, **kwargs):  # type: ignore[no-untyped-def]
        out = real(plan, **kwargs)
        assert [name for name, _ in out] == ["src/site/notes/Public/Garden Home.md", "commit message"]
        return [*out, *((f"src/site/notes/Injected {kind}.md", text.encode()) for kind, text in injected.items()),
                *([photo] if "fresh" not in injected else [])]

    monkeypatch.setattr(leaks_mod, "plan_outputs", leaky)
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 1
    for leak in expected:  # every kind is caught, as the reference audit catches it
        assert leak.as_text() + "\n" in again.stderr
    assert f"{len(expected)} leaks of unpublished notes found" in again.stderr
    assert meta("next_id") == stored_notes  # no unpublished note was cut again: the edit was a published one
    # Now edit an unpublished note: a new sentence there is found at once, and only that note is cut.
    diary = root / DIARY
    diary.write_text(diary.read_text(encoding="utf-8") + "\nA brand new confidential sentence appears today.\n",
                     encoding="utf-8")
    injected = {"fresh": "<p>A brand new confidential sentence appears today</p>"}
    third = CliRunner().invoke(main, args)
    assert third.exit_code == 1
    assert (f'src/site/notes/Injected fresh.md: private text from {DIARY} (body): '
            '"A brand new confidential sentence appears today"') in third.stderr
    assert int(meta("next_id")) == int(stored_notes) + 1
    # Without the injection, the republish goes through.
    monkeypatch.setattr(leaks_mod, "plan_outputs", real)
    fourth = CliRunner().invoke(main, args)
    assert fourth.exit_code == 0, fourth.output


@needs_git
def test_plugin_republish_after_one_edit_exposes_a_new_transclusion(trap: tuple[Path, Index], tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in GIT_ENV.items():
        monkeypatch.setenv(k, v)
    _bare, clone = make_garden(tmp_path)
    root, _index = trap
    (root / HOME).write_text("---\ndg-publish: true\n---\nA plain home page with nothing else.\n", encoding="utf-8")
    args = ["publish", str(root), "--repo", str(clone), "--db", str(tmp_path / "cli.sqlite"), "--mode", "plugin"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    home = root / HOME
    home.write_text(home.read_text(encoding="utf-8") + "\n![[Secret Diary#Hidden Heading Seven Three]]\n",
                    encoding="utf-8")
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0, again.output
    assert "exposes content or paths of" in again.stderr and f"  {DIARY}\n" in again.stderr


def test_what_the_store_remembers_of_published_text_follows_edits(tmp_path: Path, make_vault: VaultMaker) -> None:
    """Text found public (``leak_witness``) or not (``leak_absent``) is remembered between audits;
    an edit of a published note that starts or stops showing it must be seen."""
    secret = "the sealed envelope is under the blue staircase"
    root = make_vault({
        "Priv/Diary.md": f"A diary line.\n{secret.capitalize()}\n",
        "Pub/Home.md": "---\ndg-publish: true\n---\nA public home page with its own words.\n",
    })
    index = sync(root, tmp_path / "i.sqlite")
    outputs = [("src/site/notes/Pub/Home.md", f"A public home page. {secret.capitalize()}.".encode())]

    def check(leaking: bool) -> None:
        Synchronizer(index, root, workers=1).full_sync()
        expected = audit(build_markers(index, root), outputs)
        assert bool(expected) is leaking
        for strategy in ("small", "large", "small"):
            assert store_audit(index, root, outputs, strategy) == expected, strategy
            _check_answers(index)

    def remembered(table: str) -> int:
        return index.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    check(leaking=True)
    assert remembered("leak_absent") > 0  # the diary's text, not shown by any published note
    home = root / "Pub/Home.md"
    home.write_text(home.read_text() + f"{secret.capitalize()} too.\n")
    check(leaking=False)  # now the home page shows it: public
    (root / "Pub/Other.md").write_text("---\ndg-publish: true\n---\nSomething else entirely here.\n")
    check(leaking=False)
    assert remembered("leak_witness") > 0
    home.write_text("---\ndg-publish: true\n---\nA public home page with its own words.\n")
    check(leaking=True)  # it stopped showing it
    home.write_text(home.read_text() + f"{secret.capitalize()}.\n")
    check(leaking=False)
    home.write_text(home.read_text().replace("dg-publish: true", "dg-publish: false"))
    check(leaking=True)  # unpublished
    index.close()

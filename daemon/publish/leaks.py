"""The leak audit: does anything of an unpublished note appear in what gardend publishes?

gardend promises that nothing of an unpublished note reaches published output. The compile steps
are written to keep that promise; this module *checks* it, independently of how the output was
made, by searching the output for text that exists only in unpublished notes.

**Private markers** are built from the index, for every note without ``dg-publish``:

=================  ==========================================================================
kind               what (and the threshold that keeps common words out)
=================  ==========================================================================
``body``           body text split at Markdown syntax (links, emphasis, code ticks, inline-field
                   ``::``…); a segment counts when it has ≥ 3 words and ≥ 16 characters; long
                   segments also give every window of 5 words, so a partial copy is caught
``token``          any single word of ≥ 10 characters mixing letters and digits (ids, codes,
                   ``PRIVATE-MARKER-7f3a``-like strings), anywhere in the note
``heading``        heading text with ≥ 2 words and ≥ 12 characters
``block-id``       ``^id`` of a block (≥ 6 characters), as ``^id``
``property``       string values of frontmatter and inline fields: ≥ 10 characters, or ≥ 6 with
                   a digit, space or punctuation (so ``status: private`` is *not* a marker)
``alias``          aliases, same threshold as property values
``tag``            tags carried only by unpublished notes (≥ 4 characters), as ``#tag``,
                   ``tags/tag`` and ``"tag"``
``path``           the vault path (with and without ``.md``) of a note in a folder
``file-name``      the file name without ``.md`` when ≥ 8 characters, or ≥ 6 with a space
``folder``         folders holding no published note, as ``folder/``
``asset-name``     attachments linked only from unpublished notes: vault path and file name
``asset-bytes``    … and their bytes (blob SHA-1), found whatever name they are published under
=================  ==========================================================================

Anything that also occurs in a published note is *not* private (case-insensitive comparison, per
searched form): a phrase the author wrote in both places, a note name typed in a published note,
a tag used by published notes too, the slug of a published note's path. The published text used
for that comparison is what its readers see: links to unpublished notes (from the index's link
table) reduced to their display text or the bare name typed, their embeds removed — so a *path*
typed in a published link stays private — plus the same text with every link reduced that way.
Private bodies are reduced the same way before markers are cut, so a link target is never a
marker of the note that links (the target's own path is the target's marker).

Every marker is searched in these **forms**: as written, HTML-escaped, JSON-escaped (ASCII and
UTF-8), percent-encoded (``encodeURIComponent``-like and ``encodeURI``), and slugified (per path
segment for paths); matching is case-sensitive per form, the slug form covers lower case.

Limits (honest ones): short private text (a 2-word line, a 5-letter tag, a file named ``Ideas``)
is not a marker, so its leak is not detected; text is found only verbatim or in the forms above
(no paraphrase, no other encodings such as base64, no text split by inserted markup); a private
phrase that happens to also occur in a published note is considered public; binary assets are
matched by exact bytes only (a resized image is not found).
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import ahocorasick

from ..index import Index
from .jsfmt import encode_uri
from .queries import DATAVIEWJS_NOTICE, INLINE_JS_NOTICE
from .slug import slugify
from .transclusion import PRIVATE_PLACEHOLDER

if TYPE_CHECKING:
    from .gitsync import PublishPlan

__all__ = [
    "Leak",
    "Marker",
    "PrivateMarkers",
    "audit",
    "build_markers",
    "exposure",
    "repo_outputs",
    "site_dir_outputs",
    "variants",
]

MIN_PHRASE_CHARS = 16
MIN_PHRASE_WORDS = 3
WINDOW_WORDS = 5
MIN_TOKEN_CHARS = 10
MIN_HEADING_CHARS = 12
MIN_VALUE_CHARS = 6
MIN_PLAIN_VALUE_CHARS = 10
MIN_BLOCK_ID_CHARS = 6
MIN_TAG_CHARS = 4
MIN_NAME_CHARS = 8

#: Where a body line is cut: wikilink/embed brackets, Markdown link syntax, emphasis, code ticks,
#: highlights, table pipes, HTML brackets, inline-field separators, block ids.
_SPLIT = re.compile(r"\[\[|\]\]|!?\[|\]\(|[`*_=~|<>()\[\]{}]|::|\s\^[\w-]+\s*$")
_LINE_PREFIX = re.compile(r"^\s*(?:>\s*)*(?:#{1,6}\s+|[-*+]\s+(?:\[.\]\s+)?|\d+[.)]\s+(?:\[.\]\s+)?)?")
_TOKEN = re.compile(r"\w[\w.-]{" + str(MIN_TOKEN_CHARS - 2) + r",}\w")
_WIKILINK = re.compile(r"(!?)\[\[([^\]|]*)(?:\\?\|([^\]]*))?\]\]")
_MD_LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)]*)\)")
_WORDS = re.compile(r"\S+")


@dataclass(frozen=True)
class Marker:
    """One piece of private text: what it is, which unpublished note it comes from."""

    text: str
    kind: str
    source: str


@dataclass(frozen=True)
class Leak:
    """Private text found in an output: ``where`` is the output's name (a repository path, a
    site file or URL), ``excerpt`` the form of the marker that was found there."""

    marker_kind: str
    source_note: str
    where: str
    excerpt: str

    def as_text(self) -> str:
        return f'{self.where}: private text from {self.source_note} ({self.marker_kind}): "{self.excerpt}"'


@dataclass
class PrivateMarkers:
    markers: list[Marker] = field(default_factory=list)
    blobs: dict[str, Marker] = field(default_factory=dict)
    """Blob SHA-1 of private-only attachments → their marker (kind ``asset-bytes``)."""
    public: _Substrings | None = None
    """What published notes show (casefolded): a *form* found there is not private either (the
    slug of a private phrase can equal a published note's permalink)."""
    _needles: dict[str, Marker] | None = None

    def needles(self) -> dict[str, Marker]:
        """Every searched string (all forms of all markers) → the marker it stands for."""
        if self._needles is None:
            out: dict[str, Marker] = {}
            forms = [(marker, _forms(marker)) for marker in self.markers]
            if self.public is not None:
                self.public.prefetch(f.casefold() for _, fs in forms for f in fs)
            for marker, marker_forms in forms:
                for form in marker_forms:
                    if self.public is not None and self.public.contains(form.casefold()):
                        continue
                    out.setdefault(form, marker)
            self._needles = out
        return self._needles


# -- variants ------------------------------------------------------------------------------------

def _slug_path(text: str) -> str:
    return "/".join(slugify(part) for part in text.split("/"))


def variants(text: str) -> set[str]:
    """The forms in which ``text`` can reach an output: as written, HTML-escaped (both quote
    modes), JSON-escaped (ASCII and UTF-8), percent-encoded (component and ``encodeURI``) and
    slugified (each ``/``-separated part). Forms that would be too short to be distinctive
    (a slug that lost most of its letters) are dropped."""
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
    slug = _slug_path(text)
    kept = sum(c.isalnum() for c in slug)
    if len(slug) >= MIN_NAME_CHARS and kept >= 0.7 * sum(c.isalnum() for c in text):
        forms.add(slug)  # a slug that lost most of the text ("日本語 editor" → "editor") is not distinctive
    return {f for f in forms if f}


def _forms(marker: Marker) -> set[str]:
    if marker.kind == "tag":
        bare = marker.text.lstrip("#")
        out: set[str] = set()
        for form in (marker.text, marker.text.lower(), f"tags/{bare}", f"tags/{bare.lower()}", f'"{bare}"'):
            out |= variants(form)
        return out
    if marker.kind == "folder":
        return variants(marker.text + "/")
    if marker.kind == "block-id":
        return variants("^" + marker.text)
    return variants(marker.text)


# -- building markers ----------------------------------------------------------------------------

def _words(text: str) -> list[str]:
    return _WORDS.findall(text)


def _phrase(text: str) -> bool:
    return len(text) >= MIN_PHRASE_CHARS and len(_words(text)) >= MIN_PHRASE_WORDS


def _token(word: str) -> bool:
    return len(word) >= MIN_TOKEN_CHARS and any(c.isdigit() for c in word) and any(c.isalpha() for c in word)


def _value(text: str) -> bool:
    text = text.strip()
    if len(text) >= MIN_PLAIN_VALUE_CHARS:
        return True
    return len(text) >= MIN_VALUE_CHARS and any(not c.isalpha() for c in text)


def _body_segments(body: str) -> Iterable[tuple[str, str]]:
    """(kind, text) of every distinctive piece of a note body."""
    for line in body.split("\n"):
        for word in _TOKEN.findall(line):
            if _token(word):
                yield "token", word
        line = _LINE_PREFIX.sub("", line, count=1)
        for segment in _SPLIT.split(line):
            segment = segment.strip(" \t:,.;!?\"'-")
            if not _phrase(segment):
                continue
            yield "body", segment
            words = _words(segment)
            if len(words) > WINDOW_WORDS + 2:
                for i in range(len(words) - WINDOW_WORDS + 1):
                    window = " ".join(words[i:i + WINDOW_WORDS])
                    if len(window) >= MIN_PHRASE_CHARS:
                        yield "body", window


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _reader_text(text: str) -> str:
    """What a reader of a published note sees of its links: display text or the bare name typed
    (never a typed path); embeds dropped."""

    def wiki(m: re.Match[str]) -> str:
        if m.group(1):
            return " "
        if m.group(3) is not None:
            return m.group(3)
        return m.group(2).split("#")[0].rsplit("/", 1)[-1]

    def md(m: re.Match[str]) -> str:
        if m.group(1):
            return " "
        return m.group(2) if "://" not in m.group(3) else m.group(0)

    return _MD_LINK.sub(md, _WIKILINK.sub(wiki, text))


def _published_text(text: str, private_links: list[tuple[str, str | None, str, int]]) -> str:
    """A published note's text as its readers see it: each link to an unpublished note reduced
    to its display text or the bare name typed, embeds of one removed (safe mode's rules).
    Other links stay as typed: the author published them."""
    for original, display, linkpath, embed in sorted(private_links, key=lambda link: -len(link[0])):
        shown = "" if embed else (display if display is not None else linkpath.rsplit("/", 1)[-1])
        text = text.replace(original, shown)
    return text


def build_markers(index: Index, root: Path | None = None) -> PrivateMarkers:
    """The private markers of the vault in ``index`` (``root`` is needed for asset bytes)."""
    conn = index.conn
    notes = conn.execute(
        "SELECT f.id, f.path, n.title, n.text, n.body_start_line, n.publish FROM files f"
        " JOIN notes n ON n.file_id = f.id ORDER BY f.path"
    ).fetchall()
    published = {r[0] for r in notes if r[5]}
    private = [r for r in notes if not r[5]]

    def per_note(sql: str) -> dict[int, list[Any]]:
        out: dict[int, list[Any]] = {}
        for note_id, value in conn.execute(sql):
            out.setdefault(note_id, []).append(value)
        return out

    aliases = per_note("SELECT note_id, alias FROM aliases ORDER BY note_id, seq")
    tags = per_note("SELECT note_id, tag FROM tags ORDER BY note_id, seq")
    fields = per_note("SELECT note_id, value FROM fields ORDER BY note_id, seq")
    headings = per_note("SELECT note_id, text FROM headings ORDER BY note_id, seq")
    blocks = per_note("SELECT note_id, block_id FROM blocks")
    links = conn.execute(
        "SELECT l.note_id, l.target_path FROM links l JOIN files t ON t.path = l.target_path WHERE t.is_note = 0"
    ).fetchall()

    # -- what published notes show (text shared with them is not private) --
    public_parts: list[str] = [PRIVATE_PLACEHOLDER, DATAVIEWJS_NOTICE, INLINE_JS_NOTICE]
    published_tags: set[str] = set()
    private_links: dict[int, list[tuple[str, str | None, str, int]]] = {}
    for note_id, original, display, linkpath, embed in conn.execute(
        "SELECT l.note_id, l.original, l.display, l.linkpath, l.embed FROM links l"
        " JOIN notes n ON n.file_id = l.note_id WHERE n.publish = 1 AND l.target_path IN"
        " (SELECT f.path FROM files f JOIN notes p ON p.file_id = f.id WHERE p.publish = 0)"
    ):
        private_links.setdefault(note_id, []).append((original, display, linkpath, embed))
    for note_id, path, title, text, _start, publish in notes:
        if not publish:
            continue
        shown = _published_text(text, private_links.get(note_id, []))
        public_parts += [path, title, shown, _reader_text(shown)]
        public_parts += aliases.get(note_id, [])
        published_tags |= {t.lower() for t in tags.get(note_id, [])}
        for stored in fields.get(note_id, []):
            public_parts += list(_strings(json.loads(stored)))
    public_assets = {t for n, t in links if n in published}
    public_parts += sorted(public_assets)
    public_parts += [_slug_path(r[1][:-3] if r[1].endswith(".md") else r[1]) for r in notes if r[5]]
    public = _Substrings([part.casefold() for part in public_parts])
    public_folders = {p.rsplit("/", 1)[0] for p in [r[1] for r in notes if r[5]] + sorted(public_assets) if "/" in p}
    public_folder_prefixes = {"/".join(f.split("/")[:i]) for f in public_folders for i in range(1, f.count("/") + 2)}

    result = PrivateMarkers(public=public)
    seen: set[tuple[str, str]] = set()
    pending: list[tuple[Marker, str]] = []

    def add(kind: str, text: str, source: str) -> None:
        """A private marker, unless published text shows it too (checked in one batch below)."""
        text = text.strip()
        if not text or (kind, text) in seen:
            return
        probe = {"tag": text.lstrip("#"), "folder": text + "/", "block-id": "^" + text}.get(kind, text)
        seen.add((kind, text))
        pending.append((Marker(text, kind, source), probe.casefold()))

    for note_id, path, _title, text, start, _publish in private:
        # Link targets are left out: a path to a published note is public, and the path of a
        # private note is that note's own marker.
        body = _reader_text("\n".join(text.split("\n")[start:]))
        for kind, segment in _body_segments(body):
            add(kind, segment, path)
        for heading in headings.get(note_id, []):
            heading = heading.strip("# ")
            if len(heading) >= MIN_HEADING_CHARS and len(_words(heading)) >= 2:
                add("heading", heading, path)
        for block_id in blocks.get(note_id, []):
            if len(block_id) >= MIN_BLOCK_ID_CHARS:
                add("block-id", block_id, path)
        for stored in fields.get(note_id, []):
            for value in _strings(json.loads(stored)):
                if _value(value):
                    add("property", value, path)
        for alias in aliases.get(note_id, []):
            if _value(alias):
                add("alias", alias, path)
        for tag in tags.get(note_id, []):
            if tag.lower() not in published_tags and len(tag.lstrip("#")) >= MIN_TAG_CHARS:
                add("tag", tag, path)
        stem = path[:-3] if path.endswith(".md") else path
        name = stem.rsplit("/", 1)[-1]
        if "/" in stem:
            add("path", path, path)
            add("path", stem, path)
        if len(name) >= MIN_NAME_CHARS or (len(name) >= 6 and " " in name):
            add("file-name", name, path)
        folder = path.rsplit("/", 1)[0] if "/" in path else ""
        parts = folder.split("/") if folder else []
        for i in range(1, len(parts) + 1):
            prefix = "/".join(parts[:i])
            if prefix not in public_folder_prefixes:
                add("folder", prefix, path)

    # -- attachments linked only from unpublished notes --
    private_ids = {r[0]: r[1] for r in private}
    private_assets: dict[str, str] = {}
    for note_id, target in links:
        if note_id in private_ids and target not in public_assets:
            private_assets.setdefault(target, private_ids[note_id])
    public_blobs: set[str] = set()
    if root is not None:
        for target in public_assets:
            data = _read(root / target)
            if data is not None:
                public_blobs.add(_blob_sha(data))
    for target, source in sorted(private_assets.items()):
        add("asset-name", target, source)
        add("asset-name", target.rsplit("/", 1)[-1], source)
        if root is not None:
            data = _read(root / target)
            if data is not None and data and _blob_sha(data) not in public_blobs:
                result.blobs[_blob_sha(data)] = Marker(target, "asset-bytes", source)
    public.prefetch(probe for _, probe in pending)
    result.markers = [marker for marker, probe in pending if not public.contains(probe)]
    return result


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


# -- the audit -----------------------------------------------------------------------------------

class _Substrings:
    """Which of many strings occur in a set of texts (optionally: in which texts).

    An Aho–Corasick automaton over the strings scans every text once, in C (pyahocorasick), so
    a 10k-note vault with hundreds of thousands of private markers is audited in seconds and in
    little memory; an n-gram index of the outputs, the previous approach, needed minutes and
    gigabytes. Strings are looked up in batches (:meth:`prefetch`): each batch is one automaton
    and one pass over the texts."""

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self.known: dict[str, bool] = {}

    def prefetch(self, needles: Iterable[str]) -> None:
        new = {n for n in needles if n and n not in self.known}
        if not new:
            return
        found: set[str] = set()
        for _i, hits in _scan(self.texts, new):
            found |= hits
        for needle in new:
            self.known[needle] = needle in found

    def contains(self, needle: str) -> bool:
        if needle not in self.known:
            self.prefetch([needle])
        return self.known.get(needle, False)


def _scan(texts: list[str], needles: Iterable[str]) -> Iterable[tuple[int, set[str]]]:
    """(text number, the needles found in it) for every text holding at least one needle."""
    automaton = ahocorasick.Automaton()
    for needle in needles:
        if needle:
            automaton.add_word(needle, needle)
    if len(automaton) == 0:
        return
    automaton.make_automaton()
    for i, text in enumerate(texts):
        hits = {needle for _end, needle in automaton.iter(text)}
        if hits:
            yield i, hits


def audit(markers: PrivateMarkers, outputs: Iterable[tuple[str, bytes]]) -> list[Leak]:
    """Leaks in ``outputs`` ((name, bytes) pairs): one per output, marker source and kind, with the
    longest form found as the excerpt. The output's *name* is searched too (a published file
    named after a private one leaks that name)."""
    names: list[str] = []
    texts: list[str] = []
    leaks: dict[tuple[str, str, str], Leak] = {}
    for name, data in outputs:
        names.append(name)
        texts.append(name + "\n" + data.decode("utf-8", "replace"))
        blob = markers.blobs.get(_blob_sha(data)) if data else None
        if blob is not None:
            leaks.setdefault((name, blob.source, blob.kind), Leak(blob.kind, blob.source, name, blob.text))
    needles = markers.needles()
    for i, hits in _scan(texts, needles):
        for needle in hits:
            marker = needles[needle]
            key = (names[i], marker.source, marker.kind)
            found = leaks.get(key)
            if found is None or len(needle) > len(found.excerpt):
                leaks[key] = Leak(marker.kind, marker.source, names[i], _excerpt(needle))
    return sorted(leaks.values(), key=lambda leak: (leak.where, leak.source_note, leak.marker_kind))


def _excerpt(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def exposure(leaks: Iterable[Leak]) -> list[str]:
    """The unpublished notes whose content or paths the audited output exposes, sorted."""
    return sorted({leak.source_note for leak in leaks})


# -- outputs -------------------------------------------------------------------------------------

def plan_outputs(plan: PublishPlan, *, written_only: bool = False) -> list[tuple[str, bytes]]:
    """Every file a publish would leave in the repository (compiled notes and assets), or with
    ``written_only`` the files it adds or changes, plus the commit message it would write."""
    from .gitsync import commit_message

    files = plan.new + plan.changed if written_only else plan.files
    outputs = [(f.repo_path, f.data) for f in files]
    outputs.append(("commit message", commit_message(plan).encode("utf-8")))
    return outputs


def site_dir_outputs(site: Path) -> list[tuple[str, bytes]]:
    """The files of a built static site (``dist/`` or ``_site/``), each with its relative path."""
    return [
        (str(p.relative_to(site)), p.read_bytes()) for p in sorted(site.rglob("*")) if p.is_file()
    ]


def _git(repo: Path, *args: str, input_bytes: bytes | None = None) -> bytes:
    proc = subprocess.run(["git", "-C", str(repo), *args], input=input_bytes, capture_output=True, check=False)
    return proc.stdout if proc.returncode == 0 else b""


def repo_outputs(repo: Path, *, all_history: bool = False) -> list[tuple[str, bytes]]:
    """Blobs and commit messages of a garden repository: by default the HEAD tree plus what is
    not pushed yet (``@{upstream}..HEAD``); with ``all_history`` every reachable object."""
    if not _git(repo, "rev-parse", "--git-dir").strip():
        from .gitsync import PublishError

        raise PublishError(f"{repo}: not a git repository")
    if all_history:
        listing = _git(repo, "rev-list", "--objects", "--all")
        log = _git(repo, "log", "--all", "--format=%H%n%B")
    else:
        listing = _git(repo, "ls-tree", "-r", "HEAD").replace(b"\t", b" ")
        listing = b"\n".join(line.split(b" ", 2)[2] for line in listing.splitlines() if line.count(b" ") >= 2)
        upstream = _git(repo, "rev-parse", "--verify", "-q", "@{upstream}").strip()
        if upstream:
            listing += b"\n" + _git(repo, "rev-list", "--objects", "@{upstream}..HEAD")
            log = _git(repo, "log", "--format=%H%n%B", "@{upstream}..HEAD")
        else:
            log = _git(repo, "log", "--format=%H%n%B", "HEAD")
    names: dict[str, str] = {}
    for line in listing.decode("utf-8", "replace").splitlines():
        sha, _, path = line.partition(" ")
        if sha and sha not in names:
            names[sha] = path
    outputs: list[tuple[str, bytes]] = [(f"{repo.name}: commit messages", log)]
    if not names:
        return outputs
    batch = _git(repo, "cat-file", "--batch", input_bytes="\n".join(names).encode() + b"\n")
    at = 0
    while at < len(batch):
        header_end = batch.index(b"\n", at)
        header = batch[at:header_end].decode().split(" ")
        if len(header) < 3:  # "<sha> missing"
            at = header_end + 1
            continue
        sha, kind, size = header[0], header[1], int(header[2])
        data = batch[header_end + 1:header_end + 1 + size]
        at = header_end + 1 + size + 1
        if kind == "blob":
            outputs.append((f"{repo.name}:{names.get(sha, sha)} ({sha[:10]})", data))
        elif kind == "tree":
            # Tree entries name their children: a private file name in a tree is a leak too.
            outputs.append((f"{repo.name}: tree {names.get(sha, sha) or '/'}", _tree_names(data)))
    return outputs


def _tree_names(data: bytes) -> bytes:
    names = []
    at = 0
    while at < len(data):
        space = data.index(b" ", at)
        nul = data.index(b"\0", space)
        names.append(data[space + 1:nul])
        at = nul + 21
    return b"\n".join(names)


# -- publishing gate -----------------------------------------------------------------------------

@dataclass
class Gate:
    """What ``gardend publish`` should say before it applies a plan, and whether it may."""

    ok: bool
    lines: list[str]
    leaks: list[Leak]


def publish_gate(index: Index, root: Path, plan: PublishPlan, mode: str) -> Gate:
    """Audit a plan before it is applied. ``safe``: any leak refuses the publish (what and where
    is printed locally). ``plugin``: the publish goes ahead, after printing which unpublished
    notes' content or paths it is about to expose (count and paths — local output only).

    Only what this publish writes is audited (added and changed files and the commit message):
    the files it leaves alone passed this gate when they were written. ``gardend check --leaks``
    audits everything, the repository's history included."""
    if plan.empty:
        return Gate(True, [], [])
    leaks = audit(build_markers(index, root), plan_outputs(plan, written_only=True))
    if mode == "plugin":
        exposed = exposure(leaks)
        if not exposed:
            return Gate(True, [], leaks)
        lines = [f"plugin mode: this publish exposes content or paths of {len(exposed)} unpublished notes:"]
        lines += [f"  {path}" for path in exposed]
        return Gate(True, lines, leaks)
    if not leaks:
        return Gate(True, [], leaks)
    lines = [leak.as_text() for leak in leaks]
    lines.append(f"{len(leaks)} leaks of unpublished notes found in the output (safe mode)")
    return Gate(False, lines, leaks)


def check_leaks(
    index: Index,
    root: Path,
    settings: Any = None,
    mode: str = "safe",
    config_dir: str = ".obsidian",
    *,
    repo: Path | None = None,
    site: Path | None = None,
) -> list[Leak]:
    """``gardend check --leaks``: compile every published note in ``mode`` and audit the result,
    plus a built static site folder and the garden clone's HEAD tree and unpushed commits."""
    from .gitsync import compile_files

    files = compile_files(index, root, settings, mode, config_dir)  # type: ignore[arg-type]
    outputs = [(path, planned.data) for path, planned in sorted(files.items())]
    if site is not None:
        outputs += [(f"{site.name}/{name}", data) for name, data in site_dir_outputs(site)]
    if repo is not None:
        outputs += repo_outputs(repo)
    return audit(build_markers(index, root), outputs)

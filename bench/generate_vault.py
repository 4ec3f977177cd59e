"""Deterministic generator of synthetic Obsidian vaults for gardend's benchmarks and tests.

Usage::

    python bench/generate_vault.py OUT_DIR --notes 10000 --seed 1 [--attachments 40]

The same arguments always produce the same tree, byte for byte, including file and folder
modification times: all randomness comes from one ``random.Random(seed)``, nothing reads the clock
or iterates over hash-ordered sets, images are written as uncompressed ("stored") PNGs so no
compressor version can change them, and mtimes are set with ``os.utime``.

The vault imitates what real vaults contain, in the proportions that matter for indexing and
query cost: nested folders (three levels, about fifty), note names that repeat across folders
(ambiguous links), YAML frontmatter with every value type Obsidian and Dataview distinguish (and a
few YAML 1.1 traps), ``dg-publish`` flags, wikilinks with aliases and ``#heading`` / ``#^block``
subpaths, dangling links, Markdown links with ``%20``, embeds of notes and images, inline and
nested tags, inline fields in all three syntaxes, tasks with Dataview and emoji dates, block ids,
callouts, fenced code holding link-, tag- and field-like text, ``%%comments%%``, Dataview query
blocks, daily notes, templates with invalid YAML and a few very large notes.

``generate()`` returns a :class:`GeneratedVault` whose counts are exact, so tests can check an
indexer against them. Counting rules (what a link, task, ... is) are documented on the class.
"""

from __future__ import annotations

import argparse
import json
import os
import posixpath
import random
import shutil
import struct
import sys
import time
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import quote

GENERATOR_VERSION = 1
MARKER_FILE = ".gardend-bench.json"
BASE_EPOCH = 1_704_067_200  # 2024-01-01T00:00:00Z: every mtime is this plus a seeded offset
MTIME_SPAN = 2 * 365 * 86_400

# --------------------------------------------------------------------------------------------
# Vocabulary (small on purpose: realism comes from structure, not from prose)
# --------------------------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    """Split a word list written as one string (keeps the tables below compact)."""
    return tuple(text.split())


# fmt: off
ADJECTIVES = _words(
    "agile ancient bright broken calm careful central clear cold common complex concrete curious "
    "daily deep distant dynamic early empty exact fast final formal fresh full gentle global "
    "golden great hidden honest hot huge inner key large late lazy light linear local long loud "
    "main major minor modern narrow natural new next open optional orange outer personal plain "
    "primary private quick quiet rapid rare raw real recent red remote rough round secure serious "
    "shared short silent simple single slow small smart soft solid spare stable static steady "
    "strange strict strong sudden sweet tiny total typical unique urgent useful vague visual warm "
    "weekly whole wide wild"
)
NOUNS = _words(
    "account agenda algorithm analysis answer archive article backlog balance benchmark blueprint "
    "border branch budget buffer bug cache calendar campaign canvas chapter checklist client cloud "
    "cluster code column commit compiler concept config contract course cursor dashboard database "
    "deadline decision design diagram draft editor engine entry estimate event experiment feature "
    "feedback filter format framework garden goal graph guide habit handbook hypothesis idea index "
    "inventory invoice issue journal kernel lecture ledger lesson library list log loop manual map "
    "market meeting memo method metric milestone model module network note notebook outline parser "
    "pattern pipeline plan platform plugin policy portfolio process profile project prototype query "
    "queue recipe record release report request research review roadmap routine schedule schema "
    "script sequence server service session sketch snapshot source spec sprint stack standard "
    "story strategy summary survey syntax system table target task template test theme thread "
    "ticket timeline token topic tracker trade vault version vision workflow workshop"
)
VERBS = _words(
    "build review plan test measure refactor publish draft archive track migrate debug document "
    "deploy sketch outline compare index sort merge split clean design estimate schedule"
)
PEOPLE = ("Alice Moreau", "Bo Chen", "Carla Díaz", "Dmitri Ivanov", "Emeka Obi", "Fatima Khan",
          "Gustav Berg", "Hana Sato", "Ines Costa", "Jonas Weber")
WORDS = ADJECTIVES + NOUNS + VERBS + _words("the a of to and in for with on by from about into over") * 6

TAGS = (
    "project", "project/alpha", "project/beta", "project/alpha/backend", "area/health",
    "area/finance", "area/home", "idea", "todo", "reading", "reading/book", "reading/article",
    "meeting", "review", "status/draft", "status/done", "person", "log", "research/ml",
    "research/db", "journal", "howto", "über", "2024/q1", "inbox", "someday",
)
SHARED_NAMES = ("Index", "Ideas", "Meeting notes", "Overview", "Questions", "Reading list",
                "Summary", "TODO", "Inbox", "References", "Plan", "Notes")
HEADINGS = (
    "Overview", "Background", "Context", "Goals", "Non-goals", "Design", "Details", "Open questions",
    "Decisions", "Next steps", "Notes", "Log", "Results", "Discussion", "References", "Tasks",
    "Summary", "Ideas", "Risks", "Timeline", "Q&A", "What's next?", "Results (2024)", "Status",
    "Links", "Sources", "Appendix", "Method", "Findings", "Retrospective", "Action items",
    "Über-Notes", "Costs & benefits", "Glossary", "Scratch",
)
TOP_FOLDERS = ("Projects", "Areas", "Resources", "Archive", "Journal", "People", "Meetings", "Reading")
SUB_FOLDERS = (
    "Alpha", "Beta", "Gamma", "Website", "Research", "Health", "Finance", "Home", "Work", "Books",
    "Articles", "Papers", "Courses", "Recipes", "Travel", "Clients", "Team", "Drafts", "Old",
    "Ideas", "Talks", "Tools", "Hiring", "Garden",
)
LEAF_FOLDERS = ("Notes", "Specs", "Logs", "Sources", "Drafts", "Part 2", "Ch 1", "Misc", "2023",
                "2024", "Done", "Backlog", "Café", "Q&A")
STATUSES = ("draft", "active", "done", "blocked", "someday")
CALLOUTS = ("note", "tip", "warning", "info", "todo", "quote", "example", "question", "abstract")
DURATIONS = ("3 days", "1h 30m", "45 min", "2 weeks", "1 hour", "90 minutes", "2h", "1 mo")
FIELD_KEYS = ("status", "priority", "rating", "due", "started", "duration", "author", "source",
              "related", "progress", "estimate", "mood", "cost", "reviewed", "topic", "owner")
CODE_SNIPPETS = (
    ("python", 'def wikilink(name):\n    # [[NotALink]] and #notatag stay literal here\n'
               '    return f"[[{name}]]"\n'),
    ("js", 'const field = "key:: value"; // #notatag [[NotALink]]\nconsole.log(field);\n'),
    ("text", "- [ ] not a task inside code\nstatus:: code-field\n![[not-an-embed.png]]\n"),
    ("yaml", 'tags: [a, b]\nrelated: "[[NotALink]]"\n'),
    ("bash", "grep -rn '#notatag' . | head  # [[NotALink]]\n"),
    ("", "a plain fence with [[NotALink]], #notatag and (inline:: field)\n"),
    ("sql", "SELECT * FROM notes WHERE body LIKE '%[[NotALink]]%'; -- #notatag\n"),
)
# fmt: on


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GeneratedVault:
    """Summary of a generated vault; every count is exact.

    Counting rules, all over note *bodies* (frontmatter excluded) with fenced code blocks, inline
    code and ``%%comments%%`` removed:

    - ``links``: internal links of every kind — wikilinks ``[[…]]``, embeds ``![[…]]``, Markdown
      links and images ``[..](path)`` / ``![..](path)`` whose target has no URL scheme.
    - ``embeds``: the subset of ``links`` written with ``!``.
    - ``dangling_links``: links whose file part matches no file of the vault (subpaths are not
      checked: a missing heading still counts as resolved, as in Obsidian).
    - ``ambiguous_links``: wikilinks/embeds written as a bare name that matches more than one file.
    - ``tasks``: list items with a ``[c]`` checkbox, including those inside callouts;
      ``tasks_completed`` those whose status character is not a space.
    - ``frontmatter_links``: ``"[[…]]"`` string values anywhere in the frontmatter.
    - ``published``: notes whose frontmatter has ``dg-publish: true``.
    - ``note_bytes``: total size of the ``.md`` files.
    """

    root: Path
    seed: int
    notes: int
    folders: int
    attachments: int
    published: int
    links: int
    embeds: int
    dangling_links: int
    ambiguous_links: int
    frontmatter_links: int
    tasks: int
    tasks_completed: int
    dataview_blocks: int
    large_notes: int
    note_bytes: int

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly form (the root as a string)."""
        data = asdict(self)
        data["root"] = str(self.root)
        return data


class VaultExistsError(Exception):
    """The output folder exists, is not empty, and is not a vault this script generated."""


# --------------------------------------------------------------------------------------------
# Planning
# --------------------------------------------------------------------------------------------


@dataclass
class _Note:
    """One planned note: its place, the anchors other notes may link to, and its flags."""

    path: str  # vault path, posix, with ".md"
    name: str
    folder: str
    kind: str  # "note" | "daily" | "template" | "home" | "large" | "empty"
    headings: list[str] = field(default_factory=list)
    block_ids: list[str] = field(default_factory=list)
    has_frontmatter: bool = True
    published: bool = False
    crlf: bool = False
    mtime: int = 0


@dataclass
class _Counts:
    """Mutable counters filled while writing; frozen into :class:`GeneratedVault` at the end."""

    links: int = 0
    embeds: int = 0
    dangling: int = 0
    ambiguous: int = 0
    fm_links: int = 0
    tasks: int = 0
    tasks_done: int = 0
    dataview: int = 0


def _plan_folders(rng: random.Random, target: int) -> list[str]:
    """Return ``target`` folder paths, breadth first, at most three levels deep."""
    tops = list(TOP_FOLDERS)
    level2: list[str] = []
    for top in tops:
        if top == "Journal":
            level2 += [f"{top}/{year}" for year in ("2023", "2024", "2025")]
        else:
            level2 += [f"{top}/{sub}" for sub in rng.sample(SUB_FOLDERS, rng.randint(3, 5))]
    level3 = [
        f"{parent}/{leaf}"
        for parent in level2
        if not parent.startswith("Journal/")
        for leaf in rng.sample(LEAF_FOLDERS, rng.randint(0, 2))
    ]
    rng.shuffle(level3)
    return (tops + level2 + level3)[:target]


def _cap(word: str) -> str:
    return word[:1].upper() + word[1:]


def _make_name(rng: random.Random, used: set[str]) -> str:
    """A plausible, vault-unique (case-insensitive) note title."""
    name = ""
    for _ in range(12):
        r = rng.random()
        a, n1, n2 = rng.choice(ADJECTIVES), rng.choice(NOUNS), rng.choice(NOUNS)
        if r < 0.34:
            name = f"{_cap(a)} {n1}"
        elif r < 0.52:
            name = f"{_cap(n1)} {n2}"
        elif r < 0.62:
            name = f"Notes on {n1} {n2}"
        elif r < 0.71:
            name = f"How to {rng.choice(VERBS)} the {n1}"
        elif r < 0.78:
            name = f"{_cap(n1)} and {n2}"
        elif r < 0.85:
            name = f"{_cap(a)} {n1} ({rng.randint(2019, 2025)})"
        elif r < 0.89:
            name = f"{_cap(n1)} v{rng.randint(1, 3)}.{rng.randint(0, 12)}"
        elif r < 0.93:
            name = f"{_cap(n1)}'s {n2}"
        elif r < 0.96:
            name = f"{rng.choice(('Café', 'Über', 'Naïve', 'Señor', '日本語'))} {n1}"
        else:
            name = f"{_cap(n1)} & {n2}"
        if name.lower() not in used:
            break
    base, k = name, 2
    while name.lower() in used:
        name = f"{base} {k}"
        k += 1
    used.add(name.lower())
    return name


def _block_id(rng: random.Random) -> str:
    return "".join(rng.choice("abcdef0123456789") for _ in range(6))


def _plan_notes(rng: random.Random, count: int) -> list[_Note]:
    """Decide every note's path, kind, anchors, flags and mtime before any body is written."""
    folders = _plan_folders(rng, min(50, max(1, count // 3)))
    n_templates = min(5, count // 40)
    used: set[str] = set()
    used_in_folder: dict[str, set[str]] = {}
    day_counter: dict[str, int] = {}
    notes: list[_Note] = []

    def add(folder: str, name: str, kind: str) -> None:
        used_in_folder.setdefault(folder, set()).add(name.lower())
        path = f"{folder}/{name}.md" if folder else f"{name}.md"
        notes.append(_Note(path=path, name=name, folder=folder, kind=kind))

    add("", "Home", "home")
    used.add("home")
    for i in range(n_templates):
        name = ("Daily note", "Meeting", "Project", "Book", "Person")[i] + " template"
        used.add(name.lower())
        add("Templates", name, "template")
    remaining = count - len(notes)
    for i in range(max(0, remaining)):
        folder = (
            folders[i] if i < len(folders) else ("" if rng.random() < 0.02 else rng.choice(folders))
        )
        if folder.startswith("Journal"):
            year = folder[8:12] if len(folder) >= 12 else "2022"
            k = day_counter.get(year, 0)
            day_counter[year] = k + 1
            month, day = divmod(k, 28)
            name = f"{year}-{month % 12 + 1:02d}-{day + 1:02d}"
            if month >= 12:
                name += f" ({month // 12 + 1})"
            if name.lower() in used:
                name = _make_name(rng, used)
            used.add(name.lower())
            add(folder, name, "daily")
            continue
        if rng.random() < 0.05:
            shared = rng.choice(SHARED_NAMES)
            if shared.lower() not in used_in_folder.get(folder, set()):
                used.add(shared.lower())
                add(folder, shared, "note")
                continue
        r = rng.random()
        kind = "large" if r < 0.006 else "empty" if r < 0.011 else "note"
        add(folder, _make_name(rng, used), kind)

    for note in notes:
        note.mtime = BASE_EPOCH + rng.randrange(MTIME_SPAN)
        note.crlf = rng.random() < 0.005
        if note.kind == "empty":
            note.has_frontmatter = False
            continue
        if note.kind == "large":
            note.headings = [f"{rng.choice(HEADINGS)} {i + 1}" for i in range(rng.randint(30, 60))]
        elif note.kind == "daily":
            extra = [h for h in rng.sample(HEADINGS, 3) if h not in ("Log", "Tasks", "Notes")]
            note.headings = ["Log", "Tasks", "Notes", *extra[: rng.randint(0, 2)]]
        elif note.kind == "template":
            note.headings = ["Notes", "Tasks"]
        else:
            note.headings = rng.sample(HEADINGS, rng.randint(2, 5))
        ids: list[str] = []
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
            bid = _block_id(rng)
            if bid not in ids:
                ids.append(bid)
        note.block_ids = ids if note.kind != "template" else []
        if note.kind == "home":
            note.has_frontmatter, note.published = True, True
        elif note.kind == "template":
            note.has_frontmatter, note.published = True, False
        else:
            note.has_frontmatter = rng.random() < 0.86
            note.published = note.has_frontmatter and rng.random() < 0.465
    return notes


# --------------------------------------------------------------------------------------------
# Writing one note
# --------------------------------------------------------------------------------------------


class _Writer:
    """Builds note texts; shared state is the plan, the name index and the counters."""

    def __init__(
        self,
        rng: random.Random,
        notes: list[_Note],
        images: list[str],
        counts: _Counts,
        folders: list[str],
    ) -> None:
        self.rng = rng
        self.notes = notes
        self.images = images
        self.counts = counts
        self.folders = folders
        self.by_name: dict[str, int] = {}
        for note in notes:
            key = note.name.lower()
            self.by_name[key] = self.by_name.get(key, 0) + 1
        # a pool of plain sentences keeps generation fast (no per-word random calls per note)
        self.sentences = [self._sentence() for _ in range(2500)]
        self.linkable = [n for n in notes if n.kind not in ("template",)]

    # ---- text atoms --------------------------------------------------------------------

    def _sentence(self) -> str:
        rng = self.rng
        words = [rng.choice(WORDS) for _ in range(rng.randint(6, 16))]
        text = _cap(" ".join(words))
        r = rng.random()
        if r < 0.08:
            text = text.replace(" ", " **", 1) + "**"
        elif r < 0.13:
            text += f" =={rng.choice(NOUNS)} {rng.choice(NOUNS)}=="
        elif r < 0.17:
            text += f" ~~{rng.choice(NOUNS)}~~"
        elif r < 0.20:
            text += f" (see {rng.choice(PEOPLE)})"
        elif r < 0.22:
            text += f" https://example.org/{rng.choice(NOUNS)}"
        return text + rng.choice((".", ".", ".", "!", "?"))

    def tag(self) -> str:
        return "#" + self.rng.choice(TAGS)

    def date(self) -> str:
        rng = self.rng
        return f"{rng.randint(2023, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"

    def datetime(self) -> str:
        rng = self.rng
        base = f"{self.date()}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"
        r = rng.random()
        if r < 0.4:
            return base
        base += f":{rng.randint(0, 59):02d}"
        if r < 0.7:
            return base
        return base + rng.choice(("Z", "+02:00", "-05:00", ".250Z"))

    # ---- links -------------------------------------------------------------------------

    def _pick(self, source: _Note) -> _Note:
        rng = self.rng
        if rng.random() < 0.3:  # locality: same folder if possible
            for _ in range(3):
                cand = rng.choice(self.linkable)
                if cand.folder == source.folder:
                    return cand
        return rng.choice(self.linkable)

    def _subpath(self, target: _Note) -> str:
        r = self.rng.random()
        if r < 0.14 and target.headings:
            return "#" + self.rng.choice(target.headings)
        if r < 0.16:
            return "#Missing section"
        if r < 0.23 and target.block_ids:
            return "#^" + self.rng.choice(target.block_ids)
        return ""

    def wikilink(self, source: _Note, embed: bool = False, in_table: bool = False) -> str:
        """A wikilink or embed to a note (sometimes dangling), counted."""
        rng, c = self.rng, self.counts
        c.links += 1
        bang = "!" if embed else ""
        c.embeds += embed
        pipe = "\\|" if in_table else "|"
        if rng.random() < 0.05:
            c.dangling += 1
            return f"{bang}[[Unwritten {rng.choice(NOUNS)} {rng.choice(NOUNS)}]]"
        target = self._pick(source)
        if target is source and target.headings and not embed and rng.random() < 0.5:
            return f"[[#{target.headings[0]}]]"  # a link to a heading of the note itself
        shared = self.by_name[target.name.lower()] > 1
        # ambiguous names are more often written with their folder, as Obsidian would generate
        full = rng.random() < (0.4 if shared else 0.07)
        linktext = target.path[:-3] if full else target.name
        if shared and "/" not in linktext:  # root notes have no folder to add
            c.ambiguous += 1
        sub = self._subpath(target)
        alias = ""
        if not embed and rng.random() < 0.2:
            alias = pipe + rng.choice(
                (
                    f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}",
                    target.name.lower(),
                    "this",
                    "see here",
                )
            )
        return f"{bang}[[{linktext}{sub}{alias}]]"

    def mdlink(self, source: _Note) -> str:
        """A Markdown link with an encoded path (absolute or relative), counted."""
        rng, c = self.rng, self.counts
        c.links += 1
        if rng.random() < 0.05:
            c.dangling += 1
            return f"[missing](Nowhere/Unwritten%20{rng.choice(NOUNS)}.md)"
        target = self._pick(source)
        path = target.path
        if rng.random() < 0.3:
            rel = posixpath.relpath(path, source.folder or ".")
            path = rel if rel.startswith("../") else "./" + rel
        anchor = ""
        if rng.random() < 0.1 and target.headings:
            anchor = "#" + quote(rng.choice(target.headings), safe="")
        url = quote(path, safe="/;,:@&=+$-_.!~*'()") + anchor
        return f"[{rng.choice((target.name, rng.choice(NOUNS), 'link'))}]({url})"

    def image(self, in_table: bool = False) -> str:
        """An image embed (wikilink or Markdown form), counted; dangling now and then."""
        rng, c = self.rng, self.counts
        c.links += 1
        c.embeds += 1
        pipe = "\\|" if in_table else "|"
        if not self.images or rng.random() < 0.04:
            c.dangling += 1
            return f"![[missing-{rng.choice(NOUNS)}.png]]"
        img = rng.choice(self.images)
        r = rng.random()
        name = img.rsplit("/", 1)[1]
        if r < 0.55:
            return f"![[{name}]]"
        if r < 0.75:
            return f"![[{name}{pipe}{rng.choice((100, 200, 320, 480))}]]"
        if r < 0.85:
            return f"![[{name}{pipe}{rng.choice(NOUNS)} diagram{pipe}300]]"
        return f"![{rng.choice(NOUNS)}]({quote(img, safe='/-_.()')})"

    def inline_link(self, source: _Note) -> str:
        r = self.rng.random()
        if r < 0.86:
            return self.wikilink(source)
        if r < 0.95:
            return self.mdlink(source)
        return f"[external](https://example.com/{self.rng.choice(NOUNS)})"

    # ---- fields ------------------------------------------------------------------------

    def field_value(self, source: _Note) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.12:
            return str(rng.randint(-5, 500))
        if r < 0.18:
            return f"{rng.randint(0, 99)}.{rng.randint(0, 99)}"
        if r < 0.30:
            return self.date()
        if r < 0.36:
            return self.datetime()
        if r < 0.44:
            return rng.choice(DURATIONS)
        if r < 0.54:
            return self.wikilink(source)
        if r < 0.58:
            return f"{self.wikilink(source)}, {self.wikilink(source)}"
        if r < 0.64:
            return ", ".join(rng.sample(NOUNS, 3))
        if r < 0.70:
            return rng.choice(("true", "false"))
        if r < 0.74:
            return f'"{rng.choice(NOUNS)}, {rng.choice(NOUNS)}"'
        if r < 0.77:
            return self.tag()
        if r < 0.79:
            return rng.choice(("1,000", "TRUE", "null", "today", "1e3"))
        return f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"

    def field_key(self) -> str:
        r = self.rng.random()
        if r < 0.9:
            return self.rng.choice(FIELD_KEYS)
        return self.rng.choice(("Due Date", "Review State", "time-spent", "Owner_2"))

    # ---- blocks ------------------------------------------------------------------------

    def paragraph(self, note: _Note, pending_ids: list[str]) -> str:
        rng = self.rng
        parts: list[str] = []
        for _ in range(rng.randint(2, 5)):
            parts.append(rng.choice(self.sentences))
            r = rng.random()
            if r < 0.30:
                parts.append(
                    rng.choice(("See", "Related:", "Compare", "From"))
                    + " "
                    + self.inline_link(note)
                    + "."
                )
            elif r < 0.38:
                parts.append(f"Tagged {self.tag()} and {self.tag()}.")
            elif r < 0.46:
                parts.append(f"[{self.field_key()}:: {self.field_value(note)}]")
            elif r < 0.51:
                parts.append(f"({self.field_key()}:: {self.field_value(note)})")
            elif r < 0.55:
                parts.append(rng.choice(("`[[NotALink]]`", "`#notatag`", "`key:: value`")))
            elif r < 0.58:
                parts.append(f"%%private: {rng.choice(self.sentences)}%%")
            elif r < 0.60:
                parts.append(f"Footnote here[^{rng.randint(1, 3)}].")
            elif r < 0.62:
                parts.append(f"Math $x_{rng.randint(1, 9)}^2 + y$ inline.")
        text = " ".join(parts)
        if pending_ids and rng.random() < 0.35:
            text += f" ^{pending_ids.pop()}"
        return text

    def bullets(self, note: _Note, pending_ids: list[str]) -> str:
        rng = self.rng
        indent = "\t" if rng.random() < 0.6 else "    "
        lines: list[str] = []
        ordered = rng.random() < 0.2
        for i in range(rng.randint(2, 6)):
            marker = f"{i + 1}." if ordered else rng.choice(("-", "-", "-", "*", "+"))
            r = rng.random()
            if r < 0.25:
                body = f"{rng.choice(self.sentences)} {self.wikilink(note)}"
            elif r < 0.35:
                body = f"{self.field_key()}:: {self.field_value(note)}"
            elif r < 0.45:
                body = (
                    f"{rng.choice(self.sentences)} [{self.field_key()}:: {self.field_value(note)}]"
                )
            else:
                body = rng.choice(self.sentences)
            if pending_ids and rng.random() < 0.15:
                body += f" ^{pending_ids.pop()}"
            lines.append(f"{marker} {body}")
            if rng.random() < 0.25:
                lines.append(f"{indent}- {rng.choice(self.sentences)}")
                if rng.random() < 0.3:
                    lines.append(f"{indent}{indent}- {rng.choice(self.sentences)} {self.tag()}")
        return "\n".join(lines)

    def task_line(self, note: _Note, prefix: str = "") -> str:
        rng, c = self.rng, self.counts
        status = rng.choice((" ", " ", " ", " ", "x", "x", "x", "-", "/", ">", "X"))
        c.tasks += 1
        c.tasks_done += status != " "
        text = rng.choice(self.sentences)[:-1]
        r = rng.random()
        if r < 0.2:
            text += f" [due:: {self.date()}]"
        elif r < 0.35:
            text += f" 📅 {self.date()}"
        elif r < 0.42:
            text += f" ⏳ {self.date()} 🛫 {self.date()}"
        elif r < 0.5:
            text += f" (priority:: {rng.choice(('high', 'low', 1, 2, 3))})"
        elif r < 0.58:
            text += f" {self.wikilink(note)}"
        elif r < 0.64:
            text += f" {self.tag()}"
        if status in "xX" and rng.random() < 0.5:
            text += f" ✅ {self.date()}"
        elif status in "xX" and rng.random() < 0.1:
            text += f" [completion:: {self.date()}]"
        return f"{prefix}- [{status}] {text}"

    def tasks(self, note: _Note) -> str:
        rng = self.rng
        indent = "\t" if rng.random() < 0.6 else "    "
        lines: list[str] = []
        for _ in range(rng.randint(1, 6)):
            lines.append(self.task_line(note))
            if rng.random() < 0.25:
                lines.append(self.task_line(note, indent))
                if rng.random() < 0.2:
                    lines.append(f"{indent}{indent}- plain child {rng.choice(NOUNS)}")
        return "\n".join(lines)

    def callout(self, note: _Note) -> str:
        rng = self.rng
        kind = rng.choice(CALLOUTS)
        fold = rng.choice(("", "", "-", "+"))
        lines = [f"> [!{kind}]{fold} {_cap(rng.choice(ADJECTIVES))} {rng.choice(NOUNS)}"]
        lines.append(f"> {rng.choice(self.sentences)} {self.wikilink(note)}")
        if rng.random() < 0.3:
            lines.append(">")
            lines.append(self.task_line(note, "> "))
        if rng.random() < 0.2:
            lines.append(f"> {self.field_key()}:: {self.field_value(note)}")
        return "\n".join(lines)

    def code(self) -> str:
        rng = self.rng
        lang, body = rng.choice(CODE_SNIPPETS)
        r = rng.random()
        if r < 0.1:
            return f"~~~{lang}\n{body}~~~"
        if r < 0.15:
            return "````markdown\n```dataview\nLIST FROM #notatag\n```\n[[NotALink]]\n````"
        return f"```{lang}\n{body}```"

    def dataview(self, note: _Note) -> str:
        rng = self.rng
        self.counts.dataview += 1
        folder = rng.choice(self.folders)
        tag = rng.choice(TAGS)
        queries = (
            f'TABLE status, priority, file.mtime AS "Modified"\nFROM "{folder}"\n'
            f'WHERE status != "done"\nSORT priority DESC\nLIMIT 20',
            f"LIST\nFROM #{tag}\nSORT file.name ASC",
            f'TASK\nFROM "{folder}"\nWHERE !completed AND due\nSORT due ASC',
            'TABLE WITHOUT ID file.link AS "Note", length(file.inlinks) AS "Backlinks"\n'
            "FROM [[]]\nSORT length(file.inlinks) DESC",
            f'TABLE rows.file.link AS "Notes"\nFROM #{tag}\nGROUP BY status',
            f'LIST rating\nFROM "{folder}" AND #{tag}\nWHERE rating >= 3',
            f'TABLE created, tags\nFROM "{folder}"\nFLATTEN tags AS t\nWHERE t = "{tag}"\nLIMIT 10',
            'TASK WHERE !completed AND contains(text, "review")\nGROUP BY file.link',
            f"TABLE length(rows) AS count\nFROM #{tag}\nFLATTEN file.etags AS t\nGROUP BY t",
        )
        return f"```dataview\n{rng.choice(queries)}\n```"

    def table(self, note: _Note) -> str:
        rng = self.rng
        rows = ["| Item | Owner | Link | Done |", "| --- | --- | --- | :-: |"]
        for _ in range(rng.randint(2, 5)):
            cell = self.wikilink(note, in_table=True) if rng.random() < 0.7 else self.image(True)
            rows.append(
                f"| {_cap(rng.choice(NOUNS))} | {rng.choice(PEOPLE)} | {cell} | "
                f"{rng.choice(('yes', 'no', '✅'))} |"
            )
        return "\n".join(rows)

    # ---- frontmatter -------------------------------------------------------------------

    def _fm_link(self, note: _Note) -> str:
        self.counts.fm_links += 1
        return f'"[[{self._pick(note).name}]]"'

    def frontmatter(self, note: _Note) -> str:
        rng = self.rng
        lines = ["---"]
        if note.kind == "template":
            lines += ["created: {{date}}", "tags: [template]", "title: <% tp.file.title %>"]
            if rng.random() < 0.5:
                lines.append("status: {{status}}")
            lines.append("---")
            return "\n".join(lines)
        if note.kind == "home":
            lines += ["dg-home: true", "dg-publish: true"]
        elif note.published:
            lines.append("dg-publish: true")
        elif rng.random() < 0.06:
            lines.append("dg-publish: false")
        if rng.random() < 0.75:
            tags = rng.sample(TAGS, rng.randint(1, 4))
            form = rng.random()
            if form < 0.5:
                lines.append("tags:")
                lines += [f"  - {t}" for t in tags]
            elif form < 0.85:
                lines.append(f"tags: [{', '.join(tags)}]")
            else:
                lines.append(f"tags: {tags[0]}")
        if rng.random() < 0.2:
            lines.append("aliases:")
            lines += [
                f"  - {_cap(rng.choice(ADJECTIVES))} {rng.choice(NOUNS)}"
                for _ in range(rng.randint(1, 2))
            ]
        if rng.random() < 0.7:
            lines.append(f"created: {self.date()}")
        if rng.random() < 0.4:
            lines.append(f"updated: {self.datetime()}")
        if rng.random() < 0.5:
            lines.append(f"status: {rng.choice(STATUSES)}")
        if rng.random() < 0.4:
            lines.append(f"priority: {rng.randint(1, 5)}")
        if rng.random() < 0.25:
            lines.append(f"rating: {rng.randint(1, 9)}.{rng.choice((0, 5))}")
        if rng.random() < 0.25:
            lines.append(f"reviewed: {rng.choice(('true', 'false'))}")
        if rng.random() < 0.2:
            lines.append(f'due: "{self.date()}"')
        if rng.random() < 0.15:
            lines.append(f"estimate: {rng.choice(DURATIONS)}")
        if rng.random() < 0.2:
            lines.append(f"author: {rng.choice(PEOPLE)}")
        if rng.random() < 0.25:
            lines.append(f"related: {self._fm_link(note)}")
        if rng.random() < 0.12:
            lines.append("links:")
            lines += [f"  - {self._fm_link(note)}" for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.06:
            lines += [
                "meta:",
                f"  source: {rng.choice(('web', 'book', 'talk'))}",
                f"  score: {rng.randint(1, 10)}",
                "  reviewers:",
                f"    - {rng.choice(PEOPLE)}",
                f"    - {rng.choice(PEOPLE)}",
            ]
        if rng.random() < 0.05:
            lines.append(f'title: "{_cap(rng.choice(NOUNS))}: {rng.choice(NOUNS)} notes"')
        if rng.random() < 0.04:  # YAML 1.1 traps: Obsidian keeps these as written
            lines.append(
                rng.choice(
                    (
                        "start: 12:30",
                        "confirmed: yes",
                        "version: 1.10",
                        "code: 0755",
                        "switch: on",
                        "ratio: .5",
                    )
                )
            )
        if rng.random() < 0.03:
            lines.append("empty:")
        if rng.random() < 0.05:
            lines.append("cssclasses: [wide-page]")
        lines.append("---")
        return "\n".join(lines)

    # ---- whole notes -------------------------------------------------------------------

    def body(self, note: _Note) -> str:
        rng = self.rng
        pending = list(note.block_ids)
        out: list[str] = []
        if note.kind == "daily":
            return self.daily(note, pending)
        if note.kind == "template":
            self.counts.dataview += 1
            self.counts.tasks += 1
            return (
                "# {{title}}\n\n## Notes\n\n- \n\n## Tasks\n\n- [ ] \n\n```dataview\n"
                "LIST FROM [[]]\n```\n"
            )
        if rng.random() < 0.5:
            out.append(f"# {note.name}")
        if note.kind == "home":
            out.append("Welcome. Start with these:")
            out.append("\n".join(f"- {self.wikilink(note)}" for _ in range(8)))
        if rng.random() < 0.3:
            out.append(rng.choice(self.sentences))
        for heading in note.headings:
            out.append(f"{'#' * rng.choice((2, 2, 2, 3))} {heading}")
            for _ in range(rng.randint(1, 3) if note.kind != "large" else rng.randint(3, 6)):
                out.append(self.block(note, pending))
        if pending:
            out.append(
                " ".join(rng.choice(self.sentences) for _ in range(2)) + f" ^{pending.pop()}"
            )
        while pending:
            out.append(f"- {rng.choice(self.sentences)} ^{pending.pop()}")
        if "[^" in "\n".join(out):
            out.append("\n".join(f"[^{i}]: {rng.choice(self.sentences)}" for i in (1, 2, 3)))
        return "\n\n".join(out) + "\n"

    def block(self, note: _Note, pending: list[str]) -> str:
        r = self.rng.random()
        if r < 0.38:
            return self.paragraph(note, pending)
        if r < 0.52:
            return self.bullets(note, pending)
        if r < 0.62:
            return self.tasks(note)
        if r < 0.68:
            return self.callout(note)
        if r < 0.73:
            return self.code()
        if r < 0.77:
            return self.dataview(note)
        if r < 0.81:
            return self.table(note)
        if r < 0.86:
            return f"{self.field_key()}:: {self.field_value(note)}"
        if r < 0.90:
            return self.wikilink(note, embed=True)
        if r < 0.93:
            return self.image()
        if r < 0.95:
            return f"%%\n{self.rng.choice(self.sentences)}\nreviewed:: false\n%%"
        if r < 0.97:
            return f"`= this.{self.rng.choice(('status', 'file.name', 'priority'))}`"
        if r < 0.98:
            return "---"
        return f"> {self.rng.choice(self.sentences)}\n> — {self.rng.choice(PEOPLE)}"

    def daily(self, note: _Note, pending: list[str]) -> str:
        rng = self.rng
        out = [f"# {note.name}", "## Log"]
        out.append(
            "\n".join(
                f"- {rng.randint(7, 22):02d}:{rng.choice(('00', '15', '30', '45'))} "
                f"{rng.choice(self.sentences)}"
                + (f" {self.wikilink(note)}" if rng.random() < 0.5 else "")
                for _ in range(rng.randint(2, 6))
            )
        )
        out += ["## Tasks", self.tasks(note), "## Notes", self.paragraph(note, pending)]
        out.append(f"mood:: {rng.randint(1, 5)}\nsleep:: {rng.randint(5, 9)}.{rng.choice((0, 5))}")
        for heading in note.headings[3:]:
            out += [f"## {heading}", self.block(note, pending)]
        while pending:
            out.append(f"{rng.choice(self.sentences)} ^{pending.pop()}")
        return "\n\n".join(out) + "\n"

    def note_text(self, note: _Note) -> str:
        if note.kind == "empty":
            return ""
        body = self.body(note)
        if not note.has_frontmatter:
            return body
        return self.frontmatter(note) + "\n" + body


# --------------------------------------------------------------------------------------------
# Attachments
# --------------------------------------------------------------------------------------------


def _stored_zlib(data: bytes) -> bytes:
    """zlib stream with uncompressed deflate blocks: identical bytes on every zlib version."""
    out = bytearray(b"\x78\x01")
    for start in range(0, max(len(data), 1), 65535):
        chunk = data[start : start + 65535]
        final = 1 if start + 65535 >= len(data) else 0
        out += struct.pack("<BHH", final, len(chunk), len(chunk) ^ 0xFFFF) + chunk
    out += struct.pack(">I", zlib.adler32(data) & 0xFFFFFFFF)
    return bytes(out)


def make_png(rng: random.Random) -> bytes:
    """A small RGB PNG: horizontal bands of seeded colours."""
    w, h = rng.randint(8, 48), rng.randint(8, 48)
    bands = [
        bytes((rng.randrange(256), rng.randrange(256), rng.randrange(256)))
        for _ in range(rng.randint(1, 4))
    ]
    raw = b"".join(b"\x00" + bands[y * len(bands) // h] * w for y in range(h))

    def chunk(tag: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(tag + payload) & 0xFFFFFFFF
        return struct.pack(">I", len(payload)) + tag + payload + struct.pack(">I", crc)

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", _stored_zlib(raw))
        + chunk(b"IEND", b"")
    )


def _plan_images(rng: random.Random, count: int) -> list[str]:
    """Vault paths of ``count`` attachments, with the name styles Obsidian users end up with."""
    names: list[str] = []
    used: set[str] = set()
    for i in range(count):
        r = rng.random()
        if r < 0.5:
            name = f"{rng.choice(NOUNS)}-diagram-{i:03d}.png"
        elif r < 0.8:
            name = (
                f"Screenshot 2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} at "
                f"{rng.randint(0, 23):02d}.{rng.randint(0, 59):02d}.{i % 60:02d}.png"
            )
        else:
            name = f"Pasted image 2024{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{i:06d}.png"
        if name.lower() in used:
            name = f"{name[:-4]} {i}.png"
        used.add(name.lower())
        names.append(f"Attachments/{name}")
    return names


# --------------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------------


def _prepare(out_dir: Path, overwrite: bool) -> None:
    if out_dir.exists() and any(out_dir.iterdir()):
        if not overwrite:
            raise VaultExistsError(
                f"{out_dir} is not empty (use --overwrite for a generated vault)"
            )
        if not (out_dir / MARKER_FILE).is_file():
            raise VaultExistsError(
                f"{out_dir} was not made by this generator ({MARKER_FILE} missing);"
                " refusing to delete it"
            )
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)


def _write(path: Path, data: bytes, mtime: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(data)
    os.utime(path, ns=(mtime * 1_000_000_000, mtime * 1_000_000_000))


def _fix_dir_mtimes(root: Path) -> None:
    """Give every folder the newest mtime of its contents (deepest folders first)."""
    dirs = sorted((p for p in root.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts))
    for d in [*dirs, root]:
        newest = max((c.stat().st_mtime_ns for c in d.iterdir()), default=BASE_EPOCH * 10**9)
        os.utime(d, ns=(newest, newest))


def generate(
    out_dir: Path, notes: int, seed: int, attachments: int = 0, overwrite: bool = False
) -> GeneratedVault:
    """Write a synthetic vault of ``notes`` Markdown notes into ``out_dir`` and summarise it.

    ``out_dir`` must be missing or empty, unless ``overwrite`` is true and it holds a vault made
    by this generator. ``attachments`` small PNGs go to ``Attachments/`` and are embedded from
    notes; with 0, notes embed no images except a few deliberately dangling ones.
    """
    if notes < 1:
        raise ValueError("notes must be at least 1")
    out_dir = Path(out_dir)
    _prepare(out_dir, overwrite)
    rng = random.Random(seed)
    plan = _plan_notes(rng, notes)
    images = _plan_images(rng, attachments)
    folders = sorted({n.folder for n in plan if n.folder and n.kind != "template"})
    counts = _Counts()
    writer = _Writer(rng, plan, images, counts, folders or ["Projects"])

    note_bytes = 0
    large = 0
    for note in plan:
        text = writer.note_text(note)
        if note.crlf:
            text = text.replace("\n", "\r\n")
        data = text.encode("utf-8")
        note_bytes += len(data)
        large += note.kind == "large"
        _write(out_dir / note.path, data, note.mtime)
    for img in images:
        _write(out_dir / img, make_png(rng), BASE_EPOCH + rng.randrange(MTIME_SPAN))

    app = {
        "alwaysUpdateLinks": True,
        "attachmentFolderPath": "Attachments",
        "newLinkFormat": "shortest",
        "showUnsupportedFiles": False,
    }
    _write(
        out_dir / ".obsidian" / "app.json", (json.dumps(app, indent=2) + "\n").encode(), BASE_EPOCH
    )
    marker = {
        "generator": "bench/generate_vault.py",
        "version": GENERATOR_VERSION,
        "notes": notes,
        "seed": seed,
        "attachments": attachments,
    }
    _write(out_dir / MARKER_FILE, (json.dumps(marker, indent=2) + "\n").encode(), BASE_EPOCH)
    _fix_dir_mtimes(out_dir)

    note_folders = {n.folder for n in plan if n.folder}
    return GeneratedVault(
        root=out_dir,
        seed=seed,
        notes=len(plan),
        folders=len(note_folders),
        attachments=len(images),
        published=sum(n.published for n in plan),
        links=counts.links,
        embeds=counts.embeds,
        dangling_links=counts.dangling,
        ambiguous_links=counts.ambiguous,
        frontmatter_links=counts.fm_links,
        tasks=counts.tasks,
        tasks_completed=counts.tasks_done,
        dataview_blocks=counts.dataview,
        large_notes=large,
        note_bytes=note_bytes,
    )


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: generate, then print the summary (JSON with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path, help="folder to create (must be empty or missing)")
    parser.add_argument("--notes", type=int, default=1000, help="number of notes (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--attachments",
        type=int,
        nargs="?",
        const=40,
        default=0,
        help="number of small PNG attachments (flag alone: 40; default 0)",
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace OUT_DIR if it holds a vault made by this script",
    )
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        summary = generate(args.out_dir, args.notes, args.seed, args.attachments, args.overwrite)
    except (VaultExistsError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - start
    if args.json:
        print(json.dumps({**summary.as_dict(), "seconds": round(elapsed, 3)}, indent=2))
    else:
        for key, value in summary.as_dict().items():
            print(f"{key:>18}: {value}")
        print(f"{'seconds':>18}: {elapsed:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

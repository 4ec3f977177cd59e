"""Obsidian link text handling and link resolution (obsidian.md §3.1–§3.5).

Resolution is a pure function of the link path, the source note's folder and the list of vault
files sharing the link's file name. The index keeps those lists in SQLite and calls
:func:`resolve` whenever a file of that name appears, disappears or moves, so resolution stays
right as the vault changes without a global pass.

Obsidian breaks ties between equally good candidates by registration order, which is not
reproducible from disk. gardend breaks them by path length, then case-insensitive path, then
path, and reports the link as *ambiguous* so `check` can name the candidates.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote

_NBSP = "\u00a0"


def clean_link_text(text: str) -> str:
    """Obsidian's link cleaning: no-break spaces become spaces, trimmed, Unicode NFC."""
    if _NBSP in text:
        text = text.replace(_NBSP, " ")
    text = text.strip()
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return text


def split_linktext(linktext: str) -> tuple[str, str | None]:
    """Split at the first ``#``: (linkpath, subpath with its leading ``#`` or None)."""
    hash_at = linktext.find("#")
    if hash_at < 0:
        return linktext, None
    return linktext[:hash_at], linktext[hash_at:]


def default_display(linktext: str) -> str:
    """Display text of a wikilink without ``|``: the parts between ``#`` joined with `` > ``."""
    return " > ".join(part for part in linktext.split("#") if part)


def lookup_name(linkpath: str) -> str:
    """The lower-cased last path segment: the key under which candidates are looked up."""
    return linkpath.rsplit("/", 1)[-1].lower()


def file_lookup_name(vault_path: str) -> str:
    """The key a file is registered under (lower-cased file name with extension), NFC."""
    name = vault_path.rsplit("/", 1)[-1]
    if not name.isascii():
        name = unicodedata.normalize("NFC", name)
    return name.lower()


def candidate_names(linkpath: str) -> tuple[str, ...]:
    """File names a link may resolve to, in the order Obsidian tries them (§3.4 step 2)."""
    name = lookup_name(linkpath)
    if "." in name:
        return (name, name + ".md")
    return (name + ".md",)


def names_affecting(file_name_lower: str) -> tuple[str, ...]:
    """Link lookup names whose resolution can change when a file of this name comes or goes."""
    if file_name_lower.endswith(".md"):
        return (file_name_lower, file_name_lower[:-3])
    return (file_name_lower,)


_RESERVED_ESCAPE = re.compile(r"%(2[346BCFbcf]|3[ABDFabdf]|40)")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")


class MalformedURI(ValueError):
    """A Markdown link destination with a broken ``%`` escape (JS decodeURI would throw)."""


def decode_uri(text: str) -> str:
    """JavaScript ``decodeURI``: decode escapes except those of reserved characters (``#``, ``/``...).

    Obsidian decodes Markdown link destinations this way before resolving them, so ``%20`` becomes a
    space while ``%23`` stays. A malformed escape raises :class:`MalformedURI` (the link then stays
    an ordinary external-style link, like in Obsidian).
    """
    if "%" not in text:
        return text
    if text.count("%") != len(_PERCENT.findall(text)):
        raise MalformedURI(text)
    # Protect reserved escapes, decode the rest strictly as UTF-8.
    parts: list[str] = []
    last = 0
    for match in _RESERVED_ESCAPE.finditer(text):
        parts.append(_strict_unquote(text[last : match.start()]))
        parts.append(match.group(0))
        last = match.end()
    parts.append(_strict_unquote(text[last:]))
    return "".join(parts)


def _strict_unquote(text: str) -> str:
    if "%" not in text:
        return text
    try:
        return unquote(text, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise MalformedURI(text) from exc


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def is_internal_destination(dest: str) -> bool:
    """Markdown link destinations without a URL scheme and not protocol-relative are internal."""
    if not dest or dest.startswith("//"):
        return False
    return _SCHEME.match(dest) is None


# ---------------------------------------------------------------------------------------------
# Resolution


@dataclass(frozen=True, slots=True)
class Resolution:
    """Where a link points: the chosen vault path (or None) and how sure we are."""

    path: str | None
    ambiguous: tuple[str, ...] = ()  # every candidate tied with the chosen one (incl. it), if > 1


UNRESOLVED = Resolution(None)


def _tie_key(path: str) -> tuple[int, str, str]:
    return (len(path), path.lower(), path)


def resolve(
    linkpath: str,
    source_path: str,
    candidates_for: dict[str, list[str]] | None = None,
    *,
    lookup: object = None,
) -> Resolution:
    """``getFirstLinkpathDest(linkpath, source)`` with a deterministic tie-break.

    ``candidates_for`` maps a lower-cased file name to the vault paths of files with that name
    (or pass ``lookup``, a callable ``name -> list[str]``).
    """
    if lookup is None:
        table = candidates_for or {}

        def get(name: str) -> list[str]:
            return table.get(name, [])
    else:
        get = lookup  # type: ignore[assignment]

    if not linkpath:
        return Resolution(source_path)
    lp = clean_link_text(linkpath)
    n = lp.lower()
    name = n.rsplit("/", 1)[-1]
    candidates: list[str] = []
    if "." in name:
        candidates = list(get(name))
    if not candidates:
        n = (lp + ".md").lower()
        name = n.rsplit("/", 1)[-1]
        candidates = list(get(name))
    if not candidates:
        return UNRESOLVED
    if name == n and len(candidates) == 1:
        return Resolution(candidates[0])

    slash = source_path.rfind("/")
    source_dir = source_path[:slash].lower() if slash >= 0 else ""
    lower_paths = [(c.lower() if c.isascii() else unicodedata.normalize("NFC", c).lower(), c) for c in candidates]

    if n.startswith("./") or n.startswith("../"):
        rel = n
        if rel.startswith("./../"):
            rel = rel[2:]
        parts = source_dir.split("/") if source_dir else []
        if rel.startswith("./"):
            rel = rel[2:]
        while rel.startswith("../"):
            rel = rel[3:]
            if parts:
                parts.pop()
        target = "/".join([*parts, rel]) if parts else rel
        for low, original in lower_paths:
            if low == target:
                return Resolution(original)

    rooted = n.startswith("/")
    if rooted:
        n = n[1:]
    exact = [original for low, original in lower_paths if low == n]
    if exact:
        exact.sort(key=_tie_key)
        return Resolution(exact[0], tuple(exact) if len(exact) > 1 else ())
    if rooted:
        return UNRESOLVED

    group_a: list[str] = []
    group_b: list[str] = []
    for low, original in lower_paths:
        if low.endswith(n):
            (group_a if low.startswith(source_dir) else group_b).append(original)
    for group in (group_a, group_b):
        if group:
            group.sort(key=_tie_key)
            best = len(group[0])
            tied = [p for p in group if len(p) == best]
            return Resolution(group[0], tuple(tied) if len(tied) > 1 else ())
    return UNRESOLVED


# ---------------------------------------------------------------------------------------------
# Headings (subpath matching)

_STRIP_HEADING = re.compile(r"[!\"#$%&()*+,.:;<=>?@^`{|}~/\[\]\\\r\n]")
_SPACES = re.compile(r"\s+")


def strip_heading(text: str) -> str:
    """Obsidian's ``stripHeading``: punctuation to spaces, whitespace collapsed, trimmed."""
    return _SPACES.sub(" ", _STRIP_HEADING.sub(" ", text)).strip()


def heading_matches(subpath: str, headings: list[tuple[int, str]]) -> int | None:
    """Index of the heading a ``#A#B`` chain designates (``resolveSubpath``), or None.

    ``headings`` are (level, raw text) in document order.
    """
    parts = [strip_heading(p).lower() for p in subpath.split("#") if p]
    if not parts:
        return None
    k = 0
    level = 0
    for index, (h_level, h_text) in enumerate(headings):
        if h_level > level and strip_heading(h_text).lower() == parts[k]:
            k += 1
            level = h_level
            if k == len(parts):
                return index
    return None

"""Dataview's views as static HTML (dataview.md §5.1-§5.7, obsidian.md §7, §8.4).

Dataview renders query results with Preact components into Obsidian's Reading view; gardend has to
produce the *same markup* so that themes, Digital Garden CSS and golden files written against real
Obsidian output keep working.  This module reproduces those components (``TableView``,
``ListView``, ``TaskView``, the ``Lit`` value component and the inline-query ``renderValue``) as
string builders over :mod:`gardend.daemon.query.results`.

Three things Dataview delegates to Obsidian are pluggable here, because pages, the preview server and
the publisher each need their own version:

* **links** — a :class:`LinkRenderer` turns an internal link into HTML.  The default
  :class:`ObsidianLinkRenderer` writes Obsidian's anchor (attribute order as in the seed page),
  marks unresolved targets and can add Metadata Menu's fileClass decoration; the publisher will
  subclass it to map link text to site URLs and to drop links to unpublished notes.
* **Markdown** — Dataview renders strings, headings, task text and links as Markdown.  A
  :data:`MarkdownRenderer` callable does that; the default :func:`render_inline_markdown` covers the
  inline subset that appears in field values (see its docstring) until the full page renderer can be
  plugged in.
* **the container** — Obsidian's code-block wrapper is not Dataview's; :meth:`DataviewHtmlRenderer.
  render_block` offers the two wrappers gardend needs (see :data:`Container`).

Security: everything that comes from a vault (values, keys, headings, file names, task text) is
HTML-escaped, and URLs with a scheme other than a short allow-list never become ``href``s, so a
field value or file name cannot inject markup or script into a published page.

Output is compact (no whitespace between tags), which is what serialising Dataview's DOM gives and
what the seed page shows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, TypeAlias

from ..daemon import luxon
from ..daemon.inline_fields import JS_WHITESPACE, JS_WHITESPACE_CLASS
from ..daemon.links import MalformedURI, clean_link_text, decode_uri, default_display
from ..daemon.query.results import (
    CalendarResult,
    ListPair,
    ListResult,
    QueryError,
    QueryResult,
    TableResult,
    TaskGroup,
    TaskItem,
    TaskResult,
)
from ..daemon.values import (
    Duration,
    DVDate,
    ExternalLinkWidget,
    Link,
    ListPairWidget,
    Value,
    ValueSettings,
    Widget,
    get_file_title,
    js_number_str,
)
from .icons import lucide_svg

__all__ = [
    "IMAGE_EXTENSIONS",
    "SAFE_URL_SCHEMES",
    "Container",
    "DataviewHtmlRenderer",
    "FileClass",
    "LinkRef",
    "LinkRenderer",
    "MarkdownRenderer",
    "ObsidianLinkRenderer",
    "ViewSettings",
    "escape_attr",
    "escape_text",
    "is_safe_url",
    "nest_items",
    "render_html",
    "render_inline_markdown",
]

# =================================================================================================
# Escaping and URL safety
# =================================================================================================


def escape_text(text: str) -> str:
    """Escape a text node the way the DOM serialises one (``&``, ``<``, ``>``, no-break space).

    Matching the DOM's serialisation (rather than ``html.escape``, which also escapes quotes) keeps
    text byte-identical to what Obsidian's ``innerHTML`` shows.
    """
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\u00a0", "&nbsp;")
    )


def escape_attr(text: str) -> str:
    """Escape a double-quoted attribute value (the DOM escapes ``&``, ``"`` and no-break space;
    ``<``/``>`` are escaped too, harmless and safer for naive downstream HTML tools)."""
    return (
        text.replace("&", "&amp;")
        .replace('"', "&quot;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\u00a0", "&nbsp;")
    )


#: URL schemes that may appear in an ``href``.  Everything else (``javascript:``, ``data:``,
#: ``vbscript:``, ``file:`` …) is neutralised: browsers would execute or leak them.
SAFE_URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto", "obsidian", "tel", "ftp"})

_URL_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
# What browsers strip before looking at the scheme (WHATWG URL parser): leading/trailing C0 controls
# and spaces, and ASCII tab/newline anywhere.
_URL_STRIP = "".join(chr(c) for c in range(0x21))
_URL_TAB_NL = re.compile(r"[\t\n\r]")


def _url_scheme(url: str) -> str | None:
    cleaned = _URL_TAB_NL.sub("", url.strip(_URL_STRIP))
    m = _URL_SCHEME.match(cleaned)
    return m.group(1).lower() if m else None


def is_safe_url(url: str) -> bool:
    """True if a browser following ``url`` can only navigate (no script, no local files).

    Relative URLs (no scheme) are safe; absolute ones need a scheme from :data:`SAFE_URL_SCHEMES`.
    The scheme is found the way browsers find it, so ``" JaVa\\tScript:alert(1)"`` is caught.
    """
    scheme = _url_scheme(url)
    return scheme is None or scheme in SAFE_URL_SCHEMES


def _relative_href(text: str) -> str:
    """An ``href`` for internal link text: the text itself, unless a browser would read a scheme
    from it (a note named ``javascript:alert(1)``), in which case ``./`` keeps it a relative path."""
    return text if is_safe_url(text) and _url_scheme(text) is None else "./" + text


def _attrs(pairs: Iterable[tuple[str, str | None]]) -> str:
    """`` name="value"`` for each pair in order; ``None`` values are boolean attributes."""
    out = []
    for name, value in pairs:
        out.append(f" {name}" if value is None else f' {name}="{escape_attr(value)}"')
    return "".join(out)


# =================================================================================================
# Links
# =================================================================================================


@dataclass(frozen=True)
class LinkRef:
    """An internal link or embed as Obsidian's Markdown renderer sees it.

    ``linktext`` is the link as written — path plus ``#subpath`` — which Obsidian uses verbatim as
    ``href``/``data-href`` (obsidian.md §7.1): it is *not* the resolved vault path.  ``display`` is the
    plain text shown (for ``aria-label`` decisions), ``label_html`` the same as HTML (a Markdown link
    ``[**x**](Note)`` has formatted text).
    """

    linktext: str
    display: str
    label_html: str
    embed: bool = False

    @classmethod
    def plain(cls, linktext: str, display: str, embed: bool = False) -> LinkRef:
        """A link whose display text is plain text."""
        return cls(linktext, display, escape_text(display), embed)

    @property
    def linkpath(self) -> str:
        """The part before the first ``#`` (what resolution looks up)."""
        at = self.linktext.find("#")
        return self.linktext if at < 0 else self.linktext[:at]

    @property
    def subpath(self) -> str | None:
        """The ``#…`` part including its ``#``, or None."""
        at = self.linktext.find("#")
        return None if at < 0 else self.linktext[at:]


class LinkRenderer(Protocol):
    """Turns an internal link (or embed) into HTML.

    ``source_path`` is the vault path of the note containing the query, for resolution (Obsidian
    resolves relative to it, obsidian.md §3.4).  Implementations must escape what they emit.
    """

    def __call__(self, ref: LinkRef, source_path: str) -> str: ...


@dataclass(frozen=True)
class FileClass:
    """A Metadata Menu fileClass as far as link decoration needs it (obsidian.md §8.4)."""

    name: str
    icon: str = "package"


#: Image extensions Dataview embeds as ``<img>`` (src/util/media.ts; case-sensitive).
IMAGE_EXTENSIONS: tuple[str, ...] = (
    ".tif", ".tiff", ".gif", ".png", ".apng", ".avif", ".jpg", ".jpeg", ".jfif", ".pjepg", ".pjp",
    ".svg", ".webp", ".bmp", ".ico", ".cur",
)
_IMAGE_SIZE = re.compile(r"([0-9]+)(?:x([0-9]+))?")


@dataclass(frozen=True)
class ObsidianLinkRenderer:
    """Obsidian's Reading-view link markup, optionally with Metadata Menu's decoration.

    * ``resolve(linkpath, source_path)`` returns the target's vault path or ``None`` when the
      target does not exist (the link then gets ``is-unresolved`` and no decoration).  Without a
      resolver every link counts as resolved, with the linkpath as its target.
    * ``fileclass(vault_path)`` returns the target's :class:`FileClass` (the last of its classes,
      obsidian.md §8.3) or ``None``; when given, decorated links get ``fileclass-name`` and the icon
      anchor exactly as Metadata Menu inserts them.

    Subclasses adapt :meth:`href` (site URLs) or :meth:`__call__` (e.g. plain text for links to
    unpublished notes) without re-implementing the markup.
    """

    resolve: Callable[[str, str], str | None] | None = None
    fileclass: Callable[[str], FileClass | None] | None = None

    def href(self, ref: LinkRef, target: str | None) -> str:
        """The ``href`` value: Obsidian writes the link text as is; made safe for browsers."""
        return _relative_href(ref.linktext)

    def target(self, ref: LinkRef, source_path: str) -> str | None:
        """The resolved vault path of ``ref`` (``None``: unresolved)."""
        if self.resolve is None:
            return ref.linkpath
        return self.resolve(ref.linkpath, source_path)

    def __call__(self, ref: LinkRef, source_path: str) -> str:
        target = self.target(ref, source_path)
        if ref.embed:
            return self.embed(ref, target)
        attrs: list[tuple[str, str | None]] = []
        if ref.display != ref.linktext:
            attrs.append(("data-tooltip-position", "top"))
            attrs.append(("aria-label", default_display(ref.linktext)))
        attrs.append(("data-href", ref.linktext))
        attrs.append(("href", self.href(ref, target)))
        attrs.append(("class", "internal-link" if target is not None else "internal-link is-unresolved"))
        attrs.append(("target", "_blank"))
        attrs.append(("rel", "noopener nofollow"))
        fc = self.fileclass(target) if (self.fileclass is not None and target is not None) else None
        if fc is not None:
            attrs.append(("fileclass-name", fc.name))
        html = f"<a{_attrs(attrs)}>{ref.label_html}</a>"
        if fc is not None:
            html += self.fileclass_icon(fc)
        return html

    def fileclass_icon(self, fc: FileClass) -> str:
        """Metadata Menu's icon anchor, inserted right after the link (no whitespace between)."""
        return f'<a class="metadata-menu fileclass-icon">{lucide_svg(fc.icon) or ""}</a>'

    def embed(self, ref: LinkRef, target: str | None) -> str:
        """Embeds: resolvable images as Dataview's ``<img>`` (size from ``|WxH``), anything else
        as the span Obsidian's parser emits before Reading view fills it in (obsidian.md §4.2).  Transcluding
        note content needs the page renderer, which replaces this method."""
        if target is not None and ref.linkpath.endswith(IMAGE_EXTENSIONS):
            attrs: list[tuple[str, str | None]] = [
                ("alt", ref.linkpath), ("src", self.href(ref, target)),
            ]
            size = _IMAGE_SIZE.fullmatch(ref.display)
            if size is not None and ref.display != ref.linktext:
                attrs.append(("width", size.group(1)))
                if size.group(2):
                    attrs.append(("height", size.group(2)))
            return f"<img{_attrs(attrs)}>"
        attrs = [("class", "internal-embed"), ("src", _relative_href(ref.linktext))]
        return f'<span{_attrs([*attrs, ("alt", ref.display)])}></span>'


def _link_value_ref(link: Link) -> LinkRef:
    """The :class:`LinkRef` Obsidian would parse from ``link.markdown()`` (§5.6 link row)."""
    linktext = link.path
    if link.type == "header":
        linktext += "#" + (link.subpath if link.subpath is not None else "undefined")
    elif link.type == "block":
        linktext += "#^" + (link.subpath if link.subpath is not None else "undefined")
    linktext = clean_link_text(linktext)
    if link.display:
        display = link.display
    else:
        display = get_file_title(link.path)
        if link.type in ("header", "block"):
            display += " > " + (link.subpath if link.subpath is not None else "undefined")
    return LinkRef.plain(linktext, display, embed=link.embed)


# =================================================================================================
# Minimal inline Markdown
# =================================================================================================

#: ``(markdown_text, link_renderer, source_path) -> inline HTML`` (no ``<p>`` wrapper).
MarkdownRenderer: TypeAlias = Callable[[str, LinkRenderer, str], str]

_ASCII_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_TAG_BODY = (
    r"\u2000-\u206F\u2E00-\u2E7F'!" + '"' + r"#$%&()*+,.:;<=>?@^`{|}~\[\]\\" + JS_WHITESPACE_CLASS
)
_TAG = re.compile(rf"#[^{_TAG_BODY}]+")
_ALL_DIGITS_TAG = re.compile(r"#[0-9]+")
_BARE_URL = re.compile(r"https?://[^\s<>]+")
_ANGLE_URL = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*)>")
_TRAILING_PUNCT = "?!.,:*_~'\""
_EMPHASIS = (("**", "strong"), ("__", "strong"), ("~~", "del"), ("==", "mark"),
             ("*", "em"), ("_", "em"))


#: Nested emphasis/link labels deeper than this are left as text (keeps hostile input from
#: exhausting Python's recursion limit; real notes never come close).
_MAX_INLINE_NESTING = 32
#: Texts longer than this use the emphasis failure cache (see ``_InlineMarkdown._closing``).
_CACHE_FROM = 512


def _trim_autolink(url: str) -> str:
    """GFM's extended-autolink end rule: drop trailing punctuation and unbalanced ``)``."""
    while url:
        if url[-1] in _TRAILING_PUNCT or (url[-1] == ")" and url.count(")") > url.count("(")):
            url = url[:-1]
        else:
            break
    return url


class _InlineMarkdown:
    """A small left-to-right inline Markdown scanner (see :func:`render_inline_markdown`)."""

    def __init__(self, links: LinkRenderer, source_path: str) -> None:
        self.links = links
        self.source_path = source_path
        # (text, delimiter) -> smallest start from which no closing delimiter was found.  Searches
        # from later starts fail too, so hostile input ("*a*a*a…" unclosed) stays linear-ish
        # instead of quadratic in Python code.
        self._no_close: dict[tuple[str, str], int] = {}
        self._pair_cache: dict[str, dict[int, int]] = {}
        self._depth = 0

    def render(self, s: str, *, in_link: bool = False) -> str:
        if self._depth >= _MAX_INLINE_NESTING:
            return escape_text(s)
        self._depth += 1
        try:
            return self._render(s, in_link)
        finally:
            self._depth -= 1

    def _render(self, s: str, in_link: bool) -> str:
        out: list[str] = []
        text: list[str] = []
        i, n = 0, len(s)

        def flush() -> None:
            if text:
                out.append(escape_text("".join(text)))
                text.clear()

        while i < n:
            c = s[i]
            html: str | None = None
            end = i
            if c == "\\" and i + 1 < n and s[i + 1] in _ASCII_PUNCT:
                text.append(s[i + 1])
                i += 2
                continue
            if c == "\n":
                # Obsidian's default (strictLineBreaks off) turns line breaks into <br>; paragraph
                # breaks get the same treatment here, as Dataview unwraps the <p>s anyway.
                while text and text[-1] == " ":
                    text.pop()
                flush()
                out.append("<br>")
                i += 1
                continue
            if c == "`":
                html, end = self._code(s, i)
            elif c == "!" and s.startswith("[[", i + 1) and not in_link:
                html, end = self._wikilink(s, i + 1, embed=True)
            elif c == "[" and not in_link:
                if s.startswith("[[", i):
                    html, end = self._wikilink(s, i, embed=False)
                else:
                    html, end = self._mdlink(s, i)
            elif c in "*_~=":
                html, end = self._emphasis(s, i, in_link)
            elif c == "#" and (i == 0 or s[i - 1] in JS_WHITESPACE) and not in_link:
                html, end = self._tag(s, i)
            elif c == "<" and not in_link:
                html, end = self._angle_url(s, i)
            elif c == "h" and not in_link and (i == 0 or not s[i - 1].isalnum()):
                html, end = self._bare_url(s, i)
            if html is None:
                # Consume a whole run of a delimiter so "***" is not re-tried one star at a time.
                j = i + 1
                if c in "`*_~=":
                    while j < n and s[j] == c:
                        j += 1
                text.append(s[i:j])
                i = j
                continue
            flush()
            out.append(html)
            i = end
        flush()
        return "".join(out)

    # ---- constructs: each returns (html, end) or (None, start) -----------------------------------

    def _code(self, s: str, i: int) -> tuple[str | None, int]:
        j = i
        while j < len(s) and s[j] == "`":
            j += 1
        ticks = s[i:j]
        failed = self._no_close.get((s, ticks))
        if failed is not None and i >= failed:
            return None, i
        k = j
        while True:
            k = s.find(ticks, k)
            if k < 0:
                self._no_close[(s, ticks)] = i
                return None, i
            if k + len(ticks) < len(s) and s[k + len(ticks)] == "`":
                while k < len(s) and s[k] == "`":
                    k += 1
                continue
            break
        body = s[j:k].replace("\n", " ")
        if len(body) >= 2 and body[0] == " " and body[-1] == " " and body.strip(" "):
            body = body[1:-1]
        return f"<code>{escape_text(body)}</code>", k + len(ticks)

    def _wikilink(self, s: str, i: int, *, embed: bool) -> tuple[str | None, int]:
        start = i - 1 if embed else i
        failed = self._no_close.get((s, "]]"))
        close = -1 if failed is not None and i >= failed else s.find("]]", i + 2)
        if close < 0:
            self._no_close[(s, "]]")] = i
            return None, start
        inner = s[i + 2 : close]
        if not inner or "[[" in inner or "\n" in inner:
            return None, start
        pipe = inner.find("|")
        if pipe < 0:
            linktext, alias = inner, None
        else:
            linktext, alias = inner[:pipe], inner[pipe + 1 :]
            if linktext.endswith("\\"):  # the table-safe "\|" escape (obsidian.md §9 item 8)
                linktext = linktext[:-1]
        linktext = clean_link_text(linktext)
        if not linktext:
            return None, start
        display = alias.strip() if alias is not None and alias.strip() else default_display(linktext)
        return self.links(LinkRef.plain(linktext, display, embed), self.source_path), close + 2

    def _pairs(self, s: str) -> dict[int, int]:
        """Matching ``[``/``]`` and ``(``/``)`` positions of ``s`` (backslash escapes skipped),
        computed once per text so link scanning stays linear on hostile input."""
        pairs = self._pair_cache.get(s)
        if pairs is None:
            pairs = {}
            stacks: dict[str, list[int]] = {"]": [], ")": []}
            opener = {"[": "]", "(": ")"}
            i, n = 0, len(s)
            while i < n:
                c = s[i]
                if c == "\\":
                    i += 2
                    continue
                if c in opener:
                    stacks[opener[c]].append(i)
                elif stacks.get(c):
                    pairs[stacks[c].pop()] = i
                i += 1
            self._pair_cache[s] = pairs
        return pairs

    def _mdlink(self, s: str, i: int) -> tuple[str | None, int]:
        pairs = self._pairs(s)
        j = pairs.get(i)
        if j is None or not s.startswith("(", j + 1) or (j + 1) not in pairs:
            return None, i
        k = pairs[j + 1] + 1
        label = s[i + 1 : j]
        dest = s[j + 2 : k - 1].strip()
        if dest.startswith("<") and dest.endswith(">"):
            dest = dest[1:-1]
        elif " " in dest:  # drop an optional "title"
            dest = dest.split(" ", 1)[0]
        label_html = self.render(label, in_link=True)
        if _url_scheme(dest) is None and not dest.startswith("//"):
            try:
                linktext = clean_link_text(decode_uri(dest))
            except MalformedURI:
                linktext = clean_link_text(dest)
            if linktext:
                ref = LinkRef(linktext, label, label_html)
                return self.links(ref, self.source_path), k
        if not is_safe_url(dest):
            return label_html, k
        attrs: list[tuple[str, str | None]] = []
        if label != dest:
            attrs += [("aria-label", dest), ("data-tooltip-position", "top")]
        attrs += [("href", dest), ("class", "external-link"), ("target", "_blank"),
                  ("rel", "noopener nofollow")]
        return f"<a{_attrs(attrs)}>{label_html}</a>", k

    def _emphasis(self, s: str, i: int, in_link: bool) -> tuple[str | None, int]:
        if s.startswith(("***", "___"), i):
            triple = s[i : i + 3]
            k = self._closing(s, i + 3, triple)
            if k is not None:
                inner = self.render(s[i + 3 : k], in_link=in_link)
                return f"<em><strong>{inner}</strong></em>", k + 3
        for delim, tag in _EMPHASIS:
            if not s.startswith(delim, i):
                continue
            if delim[0] == "_" and i > 0 and s[i - 1].isalnum():
                continue
            k = self._closing(s, i + len(delim), delim)
            if k is not None:
                inner = self.render(s[i + len(delim) : k], in_link=in_link)
                return f"<{tag}>{inner}</{tag}>", k + len(delim)
        return None, i

    def _closing(self, s: str, start: int, delim: str) -> int | None:
        """Index of the delimiter closing an emphasis opened just before ``start``, or None.

        Simplified CommonMark flanking: the content must not start or end with whitespace, ``_``
        must not close inside a word, and for a single ``*``/``_`` a nested double delimiter pair
        (``*a **b** c*``) is skipped as a unit.
        """
        n = len(s)
        if start >= n or s[start] in JS_WHITESPACE:
            return None
        # The failure cache is a heuristic (a later opener could close inside a region an earlier
        # scan skipped as a nested pair), so it only kicks in for texts long enough to matter.
        cache = n > _CACHE_FROM
        failed = self._no_close.get((s, delim)) if cache else None
        if failed is not None and start >= failed:
            return None
        j = start
        while j < n:
            if s[j] == "`":  # a code span's content cannot close emphasis
                close = s.find("`", j + 1)
                j = j + 1 if close < 0 else close + 1
                continue
            if len(delim) == 1 and s.startswith(delim * 2, j):
                pair = s.find(delim * 2, j + 2)
                if pair >= 0:
                    j = pair + 2
                    continue
            if j > start and s.startswith(delim, j) and s[j - 1] not in JS_WHITESPACE:
                after = j + len(delim)
                if not (delim[0] == "_" and after < n and s[after].isalnum()):
                    return j
            j += 1
        if cache:
            self._no_close[(s, delim)] = start
        return None

    def _tag(self, s: str, i: int) -> tuple[str | None, int]:
        m = _TAG.match(s, i)
        if m is None or _ALL_DIGITS_TAG.fullmatch(m.group()):
            return None, i
        tag = m.group()
        attrs = [("href", tag), ("class", "tag"), ("target", "_blank"), ("rel", "noopener nofollow")]
        return f"<a{_attrs(attrs)}>{escape_text(tag)}</a>", m.end()

    @staticmethod
    def _autolink(url: str) -> str:
        attrs = [("rel", "noopener nofollow"), ("class", "external-link"), ("href", url),
                 ("target", "_blank")]
        return f"<a{_attrs(attrs)}>{escape_text(url)}</a>"

    def _bare_url(self, s: str, i: int) -> tuple[str | None, int]:
        m = _BARE_URL.match(s, i)
        if m is None:
            return None, i
        url = _trim_autolink(m.group())
        if len(url) <= len("https://") or url.endswith("://"):
            return None, i
        return self._autolink(url), i + len(url)

    def _angle_url(self, s: str, i: int) -> tuple[str | None, int]:
        m = _ANGLE_URL.match(s, i)
        if m is None or not is_safe_url(m.group(1)):
            return None, i
        return self._autolink(m.group(1)), m.end()


def render_inline_markdown(text: str, links: LinkRenderer, source_path: str = "") -> str:
    """Render the inline Markdown found in Dataview values to HTML (no paragraph wrapper).

    Supported, with Obsidian's markup: backslash escapes (so ``\\-`` is ``-``), code spans,
    ``[[wikilinks]]`` and ``![[embeds]]`` (through ``links``), ``[text](dest)`` (internal
    destinations through ``links``, external ones with Obsidian's external-link attributes), bare
    ``http(s)://`` URLs and ``<scheme:…>`` autolinks (GFM trailing-punctuation rule, the seed's
    attribute order), ``**strong**``/``__strong__``, ``*em*``/``_em_``, ``~~del~~``, ``==mark==``,
    ``#tags`` and line breaks (``<br>``).

    Not supported (rendered as escaped text): raw HTML — deliberately, values are untrusted —,
    block syntax (lists, headings, quotes, tables inside a value), footnotes, math and callouts.
    The full page renderer can replace this function through :class:`DataviewHtmlRenderer`.
    """
    return _InlineMarkdown(links, source_path).render(text)


# =================================================================================================
# Settings and the view renderer
# =================================================================================================


@dataclass(frozen=True)
class ViewSettings:
    """The Dataview settings that shape view markup (dataview.md §6), with Dataview's defaults."""

    render_null_as: str = "\\-"
    warn_on_empty_result: bool = True
    show_result_count: bool = True
    default_date_format: str = "MMMM dd, yyyy"
    default_date_time_format: str = "h:mm a - MMMM dd, yyyy"
    max_recursive_render_depth: int = 4

    @property
    def value_settings(self) -> ValueSettings:
        """The subset :func:`gardend.daemon.values.to_string` needs."""
        return ValueSettings(
            render_null_as=self.render_null_as,
            default_date_format=self.default_date_format,
            default_date_time_format=self.default_date_time_format,
            max_recursive_render_depth=self.max_recursive_render_depth,
        )


#: How :meth:`DataviewHtmlRenderer.render_block` wraps a view:
#:
#: * ``"div"`` — a bare ``<div>``, as Digital Garden publishes a Dataview block (the seed page);
#: * ``"obsidian"`` — Obsidian's code-block element with the style Dataview sets on it
#:   (``<div class="block-language-dataview" style="overflow-x: auto;">``; class unverified, §5.1);
#: * ``None`` — no wrapper (the view's own nodes only).
Container: TypeAlias = Literal["div", "obsidian"] | None

_ERROR_PRE = '<pre class="dataview dataview-error">{}</pre>'
_ERROR_BOX = (
    '<div class="dataview dataview-error-box"><p class="dataview dataview-error-message">{}</p></div>'
)
#: Python's recursion limit is far below what deeply nested data can reach; Dataview only guards
#: values (``maxRecursiveRenderDepth``), so task trees get a fixed guard of our own.
_MAX_TASK_DEPTH = 200


def _is_grouping(rows: Sequence[object]) -> bool:
    return len(rows) > 0 and isinstance(rows[0], TaskGroup)


def _group_count(rows: Sequence[TaskItem] | Sequence[TaskGroup]) -> int:
    """Dataview ``Groupings.count``: leaf rows, not counting nested children."""
    if _is_grouping(rows):
        return sum(_group_count(g.rows) for g in rows if isinstance(g, TaskGroup))
    return len(rows)


def nest_items(items: Sequence[TaskItem]) -> tuple[list[TaskItem], dict[tuple[str, int], TaskItem]]:
    """Dataview's ``nestItems``: drop items whose parent is in the result (they show nested).

    Returns the roots, in the original order, and the lookup used to substitute result items for
    their copies in other items' ``children`` (the result's version wins, like in Dataview).
    """
    lookup: dict[tuple[str, int], TaskItem] = {}
    for item in items:
        lookup[(item.path, item.line)] = item
    stack = list(reversed(items))
    seen = 0
    while stack and seen < 1_000_000:
        seen += 1
        item = stack.pop()
        lookup.setdefault((item.path, item.line), item)
        stack.extend(reversed(item.children))
    roots = [it for it in items if it.parent is None or (it.path, it.parent) not in lookup]
    return roots, lookup


class DataviewHtmlRenderer:
    """Renders query results and values with Dataview's view markup.

    One instance per query (``source_path`` is the note holding the query; links resolve relative
    to it).  All methods return HTML strings; none mutates the result.
    """

    def __init__(
        self,
        *,
        settings: ViewSettings | None = None,
        link_renderer: LinkRenderer | None = None,
        markdown: MarkdownRenderer | None = None,
        source_path: str = "",
    ) -> None:
        self.settings = settings or ViewSettings()
        self.link_renderer: LinkRenderer = link_renderer or ObsidianLinkRenderer()
        self.markdown_renderer: MarkdownRenderer = markdown or render_inline_markdown
        self.source_path = source_path

    # ---- building blocks ---------------------------------------------------------------------

    def markdown(self, text: str) -> str:
        """Inline HTML of Markdown ``text`` (Dataview's ``<Markdown>`` minus its ``<span>``)."""
        return self.markdown_renderer(text, self.link_renderer, self.source_path)

    def markdown_span(self, text: str) -> str:
        """Dataview's ``<Markdown>`` component: rendered into a bare ``<span>``, ``<p>`` unwrapped."""
        return f"<span>{self.markdown(text)}</span>"

    def link(self, link: Link) -> str:
        """A link value: Obsidian's rendering of ``link.markdown()`` (without the ``<span>``)."""
        return self.link_renderer(_link_value_ref(link), self.source_path)

    def date_text(self, d: DVDate) -> str:
        """``renderMinimalDate``: date vs date-time decided on the value's own clock, then the
        value converted to local time and formatted (dataview.md §5.6, §7 quirk 26)."""
        if not d.is_valid:
            return "Invalid DateTime"
        fmt = (
            self.settings.default_date_format
            if d.hour == 0 and d.minute == 0 and d.second == 0
            else self.settings.default_date_time_format
        )
        return luxon.format_datetime(d.to_local(), fmt)

    @staticmethod
    def external_link(widget: ExternalLinkWidget, *, inline: bool = False) -> str:
        """``elink()`` widgets; the view and the inline renderer order the attributes differently."""
        label = escape_text(widget.display if widget.display is not None else widget.url)
        href = widget.url if is_safe_url(widget.url) else None
        if inline:
            attrs = [("rel", "noopener"), ("target", "_blank"), ("class", "external-link")]
            attrs += [("href", href)] if href is not None else []
        else:
            attrs = [("href", href)] if href is not None else []
            attrs += [("rel", "noopener"), ("target", "_blank"), ("class", "external-link")]
        return f"<a{_attrs(attrs)}>{label}</a>"

    # ---- values ------------------------------------------------------------------------------

    def value(self, v: Value, *, depth: int = 0) -> str:
        """Dataview's ``Lit`` component in block mode (table cells, list items; §5.6)."""
        s = self.settings
        if depth >= s.max_recursive_render_depth:
            return "..."
        if v is None:
            return self.markdown_span(s.render_null_as)
        if isinstance(v, str):
            return self.markdown_span(v)
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return js_number_str(v)
        if isinstance(v, DVDate):
            return escape_text(self.date_text(v))
        if isinstance(v, Duration):
            return escape_text(v.to_human())
        if isinstance(v, Link):
            html = self.link(v)
            # Dataview renders resolvable image embeds as a bare <img>; everything else (including
            # an image it cannot resolve) goes through Markdown, hence the <span>.
            if v.embed and v.type == "file" and html.startswith("<img"):
                return html
            return f"<span>{html}</span>"
        if isinstance(v, ListPair):
            return self.value(v.id, depth=depth) + ": " + self.value(v.value, depth=depth)
        if isinstance(v, ListPairWidget):
            return self.value(v.key, depth=depth) + ": " + self.value(v.value, depth=depth)
        if isinstance(v, ExternalLinkWidget):
            return self.external_link(v)
        if isinstance(v, Widget):
            return f"<b>&lt;unknown widget '{escape_text(v.widget_type)}'&gt;</b>"
        if isinstance(v, (list, tuple)):
            items = "".join(
                f'<li class="dataview-result-list-li">{self.value(x, depth=depth + 1)}</li>'
                for x in v
            )
            return f'<ul class="dataview dataview-ul dataview-result-list-ul">{items}</ul>'
        if isinstance(v, Mapping):
            items = "".join(
                '<li class="dataview dataview-li dataview-result-object-li">'
                f"{escape_text(str(k))}: {self.value(x, depth=depth + 1)}</li>"
                for k, x in v.items()
            )
            return f'<ul class="dataview dataview-ul dataview-result-object-ul">{items}</ul>'
        if callable(v):
            return "&lt;function&gt;"
        return escape_text(f"<Unrecognized: {v!r}>")

    def inline_value(self, v: Value, *, depth: int = 0) -> str:
        """Dataview's ``renderValue`` for inline queries (§5.7): compact Markdown spans, lists and
        objects as comma-separated spans.  Note the depth test is ``>`` here (``>=`` in views)."""
        s = self.settings
        if depth > s.max_recursive_render_depth:
            return "..."
        if v is None:
            return self.markdown_span(s.render_null_as)
        if isinstance(v, DVDate):
            return escape_text(self.date_text(v))
        if isinstance(v, Duration):
            return escape_text(v.to_human())
        if isinstance(v, bool):
            return self.markdown_span("true" if v else "false")
        if isinstance(v, (int, float)):
            return self.markdown_span(js_number_str(v))
        if isinstance(v, str):
            return self.markdown_span(v)
        if isinstance(v, Link):
            return f"<span>{self.link(v)}</span>"
        if isinstance(v, (ListPair, ListPairWidget)):
            key = v.id if isinstance(v, ListPair) else v.key
            return self.inline_value(key, depth=depth) + ": " + self.inline_value(v.value, depth=depth)
        if isinstance(v, ExternalLinkWidget):
            return self.external_link(v, inline=True)
        if isinstance(v, Widget):
            return escape_text(f"<unknown widget '{v.widget_type}>")
        if isinstance(v, (list, tuple)):
            if not v:
                return "&lt;empty list&gt;"
            inner = ", ".join(self.inline_value(x, depth=depth + 1) for x in v)
            return f'<span class="dataview dataview-result-list-span">{inner}</span>'
        if isinstance(v, Mapping):
            if not v:
                return "&lt;empty object&gt;"
            inner = ", ".join(
                f"{escape_text(str(k))}: {self.inline_value(x, depth=depth + 1)}" for k, x in v.items()
            )
            return f'<span class="dataview dataview-result-object-span">{inner}</span>'
        if callable(v):
            return "&lt;function&gt;"
        return "Unrecognized value type"

    def inline_query(self, v: Value) -> str:
        """The element replacing an inline ``= expr`` code span (§5.7)."""
        return f'<span class="dataview dataview-inline-query">{self.inline_value(v)}</span>'

    @staticmethod
    def inline_query_error(expression: str, message: str) -> str:
        """An inline query that failed: ``expression`` is the code text (``= expr``)."""
        text = f"Dataview (for inline query '{expression}'): {message}"
        return "<div>" + _ERROR_PRE.format(escape_text(text)) + "</div>"

    # ---- views -------------------------------------------------------------------------------

    def error(self, err: QueryError) -> str:
        """Error markup: TABLE and LIST views surround the ``pre`` with two ``" "`` text nodes."""
        pre = _ERROR_PRE.format(escape_text("Dataview: " + err.message))
        return f" {pre} " if err.query_type in ("table", "list") else pre

    def _empty(self, kind: str) -> str:
        return _ERROR_BOX.format(escape_text(f"Dataview: No results to show for {kind} query."))

    def table(self, result: TableResult) -> str:
        """``TableView`` (§5.2): header count in the first ``th``; empty tables keep their header."""
        s = self.settings
        ths = []
        for index, heading in enumerate(result.headers):
            count = ""
            if index == 0 and s.show_result_count:
                count = f'<span class="dataview small-text">{len(result.rows)}</span>'
            ths.append(f'<th class="table-view-th">{self.markdown_span(heading)}{count}</th>')
        body = "".join(
            "<tr>" + "".join(f"<td>{self.value(cell)}</td>" for cell in row) + "</tr>"
            for row in result.rows
        )
        html = (
            '<table class="dataview table-view-table"><thead class="table-view-thead">'
            f'<tr class="table-view-tr-header">{"".join(ths)}</tr></thead>'
            f'<tbody class="table-view-tbody">{body}</tbody></table>'
        )
        if not result.rows and s.warn_on_empty_result:
            html += self._empty("table")
        return html

    def list(self, result: ListResult) -> str:
        """``ListView`` (§5.3): an empty result shows only the warning box."""
        if not result.rows and self.settings.warn_on_empty_result:
            return self._empty("list")
        items = "".join(f"<li>{self.value(row)}</li>" for row in result.rows)
        return f'<ul class="dataview list-view-ul">{items}</ul>'

    def task(self, result: TaskResult) -> str:
        """``TaskView`` (§5.4): grouped ``h4`` + ``result-group``, nested task lists."""
        return f'<div class="dataview dataview-container">{self._task_grouping(result.rows)}</div>'

    def _task_grouping(self, rows: Sequence[TaskItem] | Sequence[TaskGroup]) -> str:
        if not _is_grouping(rows):
            return self._task_list([r for r in rows if isinstance(r, TaskItem)], None, 0)
        out = []
        for group in rows:
            if not isinstance(group, TaskGroup):
                continue
            count = ""
            if self.settings.show_result_count:
                count = f'<span class="dataview small-text">{_group_count(group.rows)}</span>'
            out.append(f"<h4>{self.value(group.key)}{count}</h4>")
            out.append(
                f'<div class="dataview result-group">{self._task_grouping(group.rows)}</div>'
            )
        return "".join(out)

    def _task_list(
        self,
        items: Sequence[TaskItem],
        outer: dict[tuple[str, int], TaskItem] | None,
        depth: int,
    ) -> str:
        if not items and self.settings.warn_on_empty_result:
            return self._empty("task")
        roots, lookup = nest_items(items)
        if outer is not None:
            lookup = {**lookup, **outer}
        lis = []
        for item in roots:
            item = lookup.get((item.path, item.line), item)
            lis.append(self._task_item(item, lookup, depth))
        return f'<ul class="contains-task-list">{"".join(lis)}</ul>'

    def _task_item(
        self, item: TaskItem, lookup: dict[tuple[str, int], TaskItem], depth: int
    ) -> str:
        text = self.markdown_span(item.text)
        children = ""
        if item.children:
            if depth + 1 >= _MAX_TASK_DEPTH:
                children = "..."
            else:
                children = self._task_list(item.children, lookup, depth + 1)
        if not item.task:
            return f'<li class="dataview task-list-basic-item">{text}{children}</li>'
        checked = item.status != " "
        cls = "dataview task-list-item" + (" is-checked" if checked else "")
        box_attrs: list[tuple[str, str | None]] = [
            ("class", "dataview task-list-item-checkbox"), ("type", "checkbox"),
        ]
        if checked:
            box_attrs.append(("checked", None))
        return (
            f"<li{_attrs([('class', cls), ('data-task', item.status)])}>"
            f"<input{_attrs(box_attrs)}>{text}{children}</li>"
        )

    def calendar(self, result: CalendarResult) -> str:
        """CALENDAR: Dataview draws an interactive month calendar (obsidian-calendar-ui) that has
        no static equivalent; gardend renders a dated list instead (its own markup, sorted by date,
        clearly not Dataview's) and keeps Dataview's zero-result message."""
        if not result.rows:
            if self.settings.warn_on_empty_result:
                return _ERROR_PRE.format("Dataview: Query returned 0 results.")
            return '<div class="dataview dataview-calendar"></div>'
        rows = sorted(result.rows, key=lambda r: r[0].to_millis())
        items = "".join(
            f'<li><span class="dataview calendar-date">{escape_text(self.date_text(d))}</span>: '
            f"{self.value(link)}</li>"
            for d, link in rows
        )
        return (
            '<div class="dataview dataview-calendar">'
            f'<ul class="dataview list-view-ul">{items}</ul></div>'
        )

    def render(self, result: QueryResult) -> str:
        """The view's nodes for any result (what Dataview puts inside its container)."""
        if isinstance(result, TableResult):
            return self.table(result)
        if isinstance(result, ListResult):
            return self.list(result)
        if isinstance(result, TaskResult):
            return self.task(result)
        if isinstance(result, CalendarResult):
            return self.calendar(result)
        if isinstance(result, QueryError):
            return self.error(result)
        raise TypeError(f"not a query result: {type(result).__name__}")

    def render_block(self, result: QueryResult, container: Container = "div") -> str:
        """The view wrapped as a whole code block (see :data:`Container`)."""
        inner = self.render(result)
        if container == "div":
            return f"<div>{inner}</div>"
        if container == "obsidian":
            return f'<div class="block-language-dataview" style="overflow-x: auto;">{inner}</div>'
        return inner


def render_html(
    result: QueryResult,
    *,
    container: Container = "div",
    settings: ViewSettings | None = None,
    link_renderer: LinkRenderer | None = None,
    markdown: MarkdownRenderer | None = None,
    source_path: str = "",
) -> str:
    """One-call convenience around :class:`DataviewHtmlRenderer`."""
    renderer = DataviewHtmlRenderer(
        settings=settings, link_renderer=link_renderer, markdown=markdown, source_path=source_path
    )
    return renderer.render_block(result, container)


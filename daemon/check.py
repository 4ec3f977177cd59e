"""`gardend check`: everything in the vault that deserves a human's attention, with file:line.

Findings come from the index (scan diagnostics, link resolution) and from discovery (folders that
cannot be read, symlink loops). Severity decides the exit status: errors (broken YAML, unreadable
or binary notes, invalid UTF-8) fail the check; warnings (broken or ambiguous links, duplicate
block ids) are reported and only fail with ``--strict``, because most real vaults keep links to
notes that do not exist yet on purpose; notices (DataviewJS that Obsidian would run but gardend
does not) never fail it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from .index import DATAVIEWJS_SETTING, QUERY_SYNTAX_SETTING, Index
from .scanner import QuerySyntax

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True, slots=True)
class Finding:
    path: str
    line: int | None  # 1-based, for people and editors
    severity: str  # error | warning | info
    kind: str
    message: str

    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line is not None else self.path

    def as_text(self) -> str:
        return f"{self.location()}: {self.severity}: {self.message} [{self.kind}]"


def collect_findings(index: Index) -> list[Finding]:
    """All findings, sorted by path, line, severity."""
    findings: list[Finding] = []
    conn = index.conn
    for path, kind, severity, line, message in conn.execute(
        "SELECT f.path, d.kind, d.severity, d.line, d.message FROM diagnostics d JOIN files f ON f.id = d.file_id"
    ):
        findings.append(Finding(path, None if line is None else line + 1, severity, kind, message))
    for path, original, linkpath, line, kind in conn.execute(
        "SELECT f.path, l.original, l.linkpath, l.line, l.kind FROM links l JOIN files f ON f.id = l.note_id"
        " WHERE l.target_path IS NULL"
    ):
        where = None if kind == "frontmatter" else line + 1
        findings.append(
            Finding(path, where, "warning", "broken-link", f"{original} points to no file in the vault ({linkpath!r})")
        )
    for path, original, line, kind, target, ambiguous in conn.execute(
        "SELECT f.path, l.original, l.line, l.kind, l.target_path, l.ambiguous FROM links l"
        " JOIN files f ON f.id = l.note_id WHERE l.ambiguous IS NOT NULL"
    ):
        candidates = json.loads(ambiguous)
        where = None if kind == "frontmatter" else line + 1
        others = ", ".join(candidates)
        findings.append(
            Finding(
                path,
                where,
                "warning",
                "ambiguous-link",
                f"{original} matches {len(candidates)} files equally well ({others}); gardend uses {target}, "
                "Obsidian may pick another — write the folder to make it explicit",
            )
        )
    for path, line in conn.execute(
        "SELECT f.path, q.line FROM queries q JOIN files f ON f.id = q.note_id WHERE q.kind IN "
        + _run_js_kinds(index)
    ):
        findings.append(
            Finding(
                path,
                line + 1,
                "info",
                "dataviewjs",
                "DataviewJS is not executed by gardend (it runs arbitrary JavaScript); it renders as a notice",
            )
        )
    findings.extend(_query_findings(index))
    findings.extend(_property_type_findings(index))
    raw = index.get_setting("discovery_problems")
    for path, message in json.loads(raw) if raw else []:
        findings.append(Finding(path, None, "warning", "discovery", message))
    findings.sort(key=lambda f: (f.path, f.line or 0, SEVERITY_ORDER.get(f.severity, 3), f.kind, f.message))
    return findings


def _run_js_kinds(index: Index) -> str:
    """SQL list of the query kinds whose JavaScript Obsidian would run with the vault's Dataview
    settings (kept in the index by sync): with ``enableDataviewJs`` off a ``dataviewjs`` block
    only shows Dataview's "disabled" error, and inline ``$=`` needs ``enableInlineDataviewJs``
    too (obsidian-dataview src/ui/views/js-view.ts), so nothing is missing from gardend's output.
    An index without the setting reports both, as before."""
    raw = index.get_setting(DATAVIEWJS_SETTING)
    try:
        runs = json.loads(raw) if raw else {"blocks": True, "inline": True}
    except ValueError:
        runs = {"blocks": True, "inline": True}
    kinds = [kind for kind, key in (("dataviewjs", "blocks"), ("inline-js", "inline")) if runs.get(key, True)]
    return "(" + ", ".join(f"'{k}'" for k in kinds) + ")" if kinds else "(NULL)"


def _query_findings(index: Index) -> list[Finding]:
    """Dataview blocks and inline queries that Dataview itself would refuse to parse."""
    from .query.errors import DQLSyntaxError
    from .query.parser import parse_expression, parse_query

    # Inline sources are stored as written, prefix included (the vault's ``inlineQueryPrefix``).
    prefix_length = len(QuerySyntax.from_key(index.get_setting(QUERY_SYNTAX_SETTING)).inline_prefix)
    out: list[Finding] = []
    for path, kind, source, line in index.conn.execute(
        "SELECT f.path, q.kind, q.source, q.line FROM queries q JOIN files f ON f.id = q.note_id"
        " WHERE q.kind IN ('dataview', 'inline')"
    ):
        try:
            if kind == "dataview":
                parse_query(source)
            else:
                parse_expression(source[prefix_length:].strip())
        except DQLSyntaxError as exc:
            detail = getattr(exc, "hint", None) or str(exc).strip().splitlines()[-1]
            where = line + 1 + (1 + getattr(exc, "line", 1) - 1 if kind == "dataview" else 0)
            out.append(
                Finding(path, where, "warning", "query-syntax", f"Dataview cannot parse this query: {detail}")
            )
    return out


def _property_type_findings(index: Index) -> list[Finding]:
    """Property values that do not fit their type in types.json (kept in the index by sync):
    a notice, since Obsidian only flags them in its editor and uses them as written."""
    from .property_types import mismatches

    raw = index.get_setting("property_types")
    types = json.loads(raw) if raw else {}
    if not types:
        return []
    rows = index.conn.execute(
        "SELECT f.path, n.frontmatter FROM files f JOIN notes n ON n.file_id = f.id WHERE n.frontmatter IS NOT NULL"
    )
    notes = ((path, json.loads(fm)) for path, fm in rows)
    return [Finding(m.path, 1, "info", "property-type", m.message()) for m in mismatches(types, notes)]


def findings_json(findings: list[Finding]) -> str:
    return json.dumps([asdict(f) for f in findings], ensure_ascii=False, indent=2)


def exit_status(findings: list[Finding], strict: bool) -> int:
    failing = {"error", "warning"} if strict else {"error"}
    return 1 if any(f.severity in failing for f in findings) else 0

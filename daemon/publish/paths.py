"""Garden paths and permalinks (digital-garden.md §3.3, §3.4)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..values import js_truthy
from .slug import slugify


@dataclass(frozen=True)
class RewriteRule:
    source: str
    target: str


def parse_rewrite_rules(text: str) -> list[RewriteRule]:
    """``pathRewriteRules``: one ``from:to`` per line, split on ``:``, no trimming."""
    rules = []
    for line in text.splitlines():
        if ":" not in line:
            continue
        parts = line.split(":")
        rules.append(RewriteRule(parts[0], parts[1]))
    return rules


def garden_path(vault_path: str, frontmatter: dict[str, Any] | None, rules: list[RewriteRule]) -> str:
    """``dg-path`` verbatim when set, else the vault path after the first matching rewrite rule."""
    fm = frontmatter or {}
    if js_truthy(fm.get("dg-path")):
        return str(fm["dg-path"])
    for rule in rules:
        if vault_path.startswith(rule.source):
            rewritten = vault_path.replace(rule.source, rule.target, 1)
            return rewritten[1:] if rewritten.startswith("/") else rewritten
    return vault_path


def url_path(path: str, slugify_enabled: bool = True) -> str:
    """The extensionless, slugified path the plugin derives a permalink from."""
    is_canvas = path.endswith(".canvas")
    dot = path.rfind(".")
    if dot >= 0:
        path = path[:dot]
    if slugify_enabled:
        path = "/".join(slugify(segment) for segment in path.split("/"))
    return path + (".canvas/" if is_canvas else "/")


def permalink_for(
    vault_path: str,
    frontmatter: dict[str, Any] | None = None,
    rules: list[RewriteRule] | None = None,
    slugify_enabled: bool = True,
) -> str:
    """The page URL of a note: ``dg-permalink`` normalised, else ``/`` + the garden path's slug."""
    fm = frontmatter or {}
    custom = fm.get("dg-permalink")
    if js_truthy(custom):
        value = str(custom)
        if not value.startswith("/"):
            value = "/" + value
        if not value.endswith("/"):
            value += "/"
        return value
    return "/" + url_path(garden_path(vault_path, fm, rules or []), slugify_enabled)

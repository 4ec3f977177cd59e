"""gardend.migrations — numbered schema migrations, applied when the index is opened.

Each ``NNNN_name.sql`` file in this package is one migration, applied in number order inside a
transaction and recorded in ``_sqlite_migrations`` (sqlite-utils' migration table), so a database
made by an older gardend is upgraded in place. Never edit a released migration: add a new file.
"""

from __future__ import annotations

import re
from importlib import resources

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

MIGRATION_SET = "gardend"
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def migration_files() -> list[tuple[str, str]]:
    """(name, SQL text) of every migration shipped with this package, in order."""
    out: list[tuple[str, str]] = []
    for entry in resources.files(__package__).iterdir():
        if _NAME.match(entry.name):
            out.append((entry.name[:-4], entry.read_text(encoding="utf-8")))
    out.sort()
    return out


def build_migrations() -> Migrations:
    migrations = Migrations(MIGRATION_SET)
    for name, sql in migration_files():

        def apply(db: Database, _sql: str = sql) -> None:
            # executescript would COMMIT the surrounding transaction; run statement by statement.
            for statement in split_sql(_sql):
                db.execute(statement)

        migrations(name=name)(apply)
    return migrations


def split_sql(sql: str) -> list[str]:
    """Split a migration file into statements (our files keep one statement per ';' line end)."""
    import sqlite3

    statements: list[str] = []
    current: list[str] = []
    for line in sql.splitlines():
        if line.strip().startswith("--") and not current:
            continue
        current.append(line)
        candidate = "\n".join(current)
        if sqlite3.complete_statement(candidate):
            statements.append(candidate.strip())
            current = []
    tail = "\n".join(current).strip()
    if tail and not all(x.strip().startswith("--") for x in current if x.strip()):
        statements.append(tail)
    return statements


def apply_migrations(db: Database, stop_before: str | None = None) -> list[str]:
    """Apply pending migrations; returns the names applied (for logging)."""
    migrations = build_migrations()
    pending = [m.name for m in migrations.pending(db)]
    migrations.apply(db, stop_before=stop_before)
    applied_now = {m.name for m in migrations.applied(db)}
    return [name for name in pending if name in applied_now]


def latest_migration() -> str:
    return migration_files()[-1][0]

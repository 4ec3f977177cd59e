-- gardend index, schema 3: the publish compile cache (daemon/publish/cache.py).
-- Compiled notes are kept with the facts they were made from, so `gardend status` and a
-- republish only recompile what an edit can have changed. All of it is derived data: deleting
-- these rows only costs one full compile.

-- One compiled note per compile mode ('safe' | 'plugin').
CREATE TABLE publish_cache (
    mode TEXT NOT NULL,
    vault_path TEXT NOT NULL,
    garden_path TEXT NOT NULL,
    repo_path TEXT NOT NULL,
    text TEXT NOT NULL,                 -- the compiled note
    sha TEXT NOT NULL,                  -- its git blob SHA-1
    assets TEXT NOT NULL,               -- JSON list of [vault path, repository path]
    deps TEXT NOT NULL,                 -- JSON: what the compile read (see cache.py)
    blocks TEXT NOT NULL,               -- JSON list: the output of each Dataview block, reusable alone
    PRIMARY KEY (mode, vault_path)
) WITHOUT ROWID;

-- The vault as the cached entries of a mode last saw it: every file's content hash, times and
-- size, and for notes the hash of what queries can see (fields, tags, tasks, links, ...).
CREATE TABLE publish_state (
    mode TEXT NOT NULL,
    path TEXT NOT NULL,
    content_hash TEXT,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    ctime_ns INTEGER NOT NULL,
    meta_hash TEXT,
    PRIMARY KEY (mode, path)
) WITHOUT ROWID;

-- Per mode: the fingerprint of the settings and code the cached entries were compiled with.
CREATE TABLE publish_cache_meta (
    mode TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL
);

-- Git blob SHA-1 of attachments, valid while their size and mtime are unchanged.
CREATE TABLE publish_assets (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha TEXT NOT NULL
) WITHOUT ROWID;

-- gardend index, schema 1: files, notes and everything the scanner extracts from a note.
-- Lines are 0-based (Obsidian's convention); tools that show them to people add 1.
-- Child tables reference files.id; rows are replaced per note in one transaction.

CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,          -- vault path as on disk, '/'-separated
    name_lower TEXT NOT NULL,           -- NFC, lower-cased file name with extension: link lookup key
    folder TEXT NOT NULL,               -- '' for the vault root
    ext TEXT NOT NULL,                  -- lower-cased extension without dot
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    ctime_ns INTEGER NOT NULL,
    content_hash TEXT,                  -- notes: blake2b of the bytes; attachments: NULL
    indexed_at_ns INTEGER NOT NULL,     -- when this row was written (racy-mtime detection)
    is_note INTEGER NOT NULL,
    excluded INTEGER NOT NULL DEFAULT 0 -- matched by Obsidian's "Excluded files" (still resolves)
);
CREATE INDEX files_name ON files(name_lower);
CREATE INDEX files_folder ON files(folder);

CREATE TABLE notes (
    file_id INTEGER PRIMARY KEY REFERENCES files(id),
    title TEXT NOT NULL,                -- frontmatter title, else the file name without .md
    frontmatter TEXT,                   -- JSON object as Obsidian reads it; NULL when absent or invalid
    body_start_line INTEGER NOT NULL,
    publish INTEGER NOT NULL,           -- dg-publish is JS-truthy and not the string "false"
    text TEXT NOT NULL                  -- the note's content (renderers read this, not the disk)
);
CREATE INDEX notes_publish ON notes(publish);

CREATE TABLE fields (
    note_id INTEGER NOT NULL REFERENCES files(id),
    seq INTEGER NOT NULL,
    key TEXT NOT NULL,                  -- raw key as written
    value TEXT NOT NULL,                -- Dataview value, gardend storage JSON
    source TEXT NOT NULL,               -- frontmatter | list | inline
    line INTEGER,
    PRIMARY KEY (note_id, seq)
) WITHOUT ROWID;
CREATE INDEX fields_key ON fields(key);

CREATE TABLE links (
    note_id INTEGER NOT NULL REFERENCES files(id),
    seq INTEGER NOT NULL,               -- Obsidian order: frontmatter links, body links, embeds
    kind TEXT NOT NULL,                 -- wiki | markdown | frontmatter
    embed INTEGER NOT NULL,
    original TEXT NOT NULL,             -- exact source text
    linkpath TEXT NOT NULL,             -- link text before the first '#'
    subpath TEXT,                       -- from the first '#', incl. it
    display TEXT,                       -- explicit display text
    line INTEGER NOT NULL,
    col INTEGER NOT NULL,
    fm_key TEXT,                        -- frontmatter key path for frontmatter links
    lookup_name TEXT NOT NULL,          -- lower-cased last segment of linkpath
    target_path TEXT,                   -- resolved vault path, NULL when unresolved
    ambiguous TEXT,                     -- JSON list of equally good candidates, NULL if none
    PRIMARY KEY (note_id, seq)
) WITHOUT ROWID;
CREATE INDEX links_lookup ON links(lookup_name);
CREATE INDEX links_target ON links(target_path);

CREATE TABLE tags (
    note_id INTEGER NOT NULL REFERENCES files(id),
    seq INTEGER NOT NULL,               -- Dataview order: body tags, then frontmatter tags
    tag TEXT NOT NULL,                  -- with '#', case as written
    source TEXT NOT NULL,               -- inline | frontmatter
    line INTEGER,
    PRIMARY KEY (note_id, seq)
) WITHOUT ROWID;

-- Every explicit tag and each of its parents, lower-cased: answers `FROM #tag` with an index seek.
CREATE TABLE tag_index (
    tag_lower TEXT NOT NULL,
    note_id INTEGER NOT NULL REFERENCES files(id),
    PRIMARY KEY (tag_lower, note_id)
) WITHOUT ROWID;
CREATE INDEX tag_index_note ON tag_index(note_id);

CREATE TABLE aliases (
    note_id INTEGER NOT NULL REFERENCES files(id),
    seq INTEGER NOT NULL,
    alias TEXT NOT NULL,
    PRIMARY KEY (note_id, seq)
) WITHOUT ROWID;

CREATE TABLE headings (
    note_id INTEGER NOT NULL REFERENCES files(id),
    seq INTEGER NOT NULL,
    level INTEGER NOT NULL,
    text TEXT NOT NULL,                 -- raw Markdown of the heading
    line INTEGER NOT NULL,
    PRIMARY KEY (note_id, seq)
) WITHOUT ROWID;

CREATE TABLE blocks (
    note_id INTEGER NOT NULL REFERENCES files(id),
    id_lower TEXT NOT NULL,
    block_id TEXT NOT NULL,             -- as written
    line INTEGER NOT NULL,
    end_line INTEGER NOT NULL,
    kind TEXT NOT NULL,
    PRIMARY KEY (note_id, id_lower)
) WITHOUT ROWID;

CREATE TABLE list_items (
    note_id INTEGER NOT NULL REFERENCES files(id),
    line INTEGER NOT NULL,
    line_count INTEGER NOT NULL,
    list_line INTEGER NOT NULL,
    parent_line INTEGER,                -- NULL for top-level items
    symbol TEXT NOT NULL,
    status TEXT,                        -- task status character; NULL for plain items
    text TEXT NOT NULL,
    block_id TEXT,
    fields TEXT,                        -- JSON list of [raw key, storage value]
    tags TEXT,                          -- JSON list of tags in the item text
    section TEXT,                       -- nearest preceding heading
    PRIMARY KEY (note_id, line)
) WITHOUT ROWID;
CREATE INDEX list_items_tasks ON list_items(status) WHERE status IS NOT NULL;

CREATE TABLE queries (
    note_id INTEGER NOT NULL REFERENCES files(id),
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,                 -- dataview | dataviewjs | inline | inline-js
    source TEXT NOT NULL,
    line INTEGER NOT NULL,
    PRIMARY KEY (note_id, seq)
) WITHOUT ROWID;

CREATE TABLE diagnostics (
    file_id INTEGER NOT NULL REFERENCES files(id),
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,             -- error | warning
    line INTEGER,
    message TEXT NOT NULL,
    PRIMARY KEY (file_id, seq)
) WITHOUT ROWID;

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- gardend index, schema 4: the leak audit's markers (daemon/publish/leaks.py, LeakStore).
-- What unpublished notes hold that must not be published, cut per note and kept with the
-- content hash it was cut from, so the publish gate after one edit only cuts that edit again;
-- and what published notes show, per note, to tell shared text from private text. All of it
-- is derived data: deleting these rows only costs one full cut on the next audit.

-- Each unpublished note whose markers are stored.
CREATE TABLE leak_notes (
    id INTEGER PRIMARY KEY,             -- never reused (leak_meta.next_id)
    path TEXT NOT NULL UNIQUE,          -- vault path of the unpublished note
    content_hash TEXT,                  -- files.content_hash when it was cut
    indexed_at_ns INTEGER NOT NULL,     -- 0 since 0.1.0 (leaks.SCAN_STAMP); once files.indexed_at_ns
    cuts BLOB NOT NULL                  -- leak_texts ids in cut order, 8-byte little-endian integers
);

-- Each distinct marker text once, whichever notes hold it.
CREATE TABLE leak_texts (
    id INTEGER PRIMARY KEY,             -- 63-bit hash of kind and text
    kind TEXT NOT NULL,                 -- body | token | heading | block-id | property | alias | tag | path | file-name | folder
    text TEXT NOT NULL
);

-- Which note holds which text, where.
CREATE TABLE leak_uses (
    text_id INTEGER NOT NULL,           -- leak_texts.id
    note_id INTEGER NOT NULL,           -- leak_notes.id
    seq INTEGER NOT NULL,               -- place in the note's cuts
    gate TEXT,                          -- tags: the lower-cased tag; folders: the folder (public when published)
    PRIMARY KEY (text_id, note_id, seq)
) WITHOUT ROWID;

-- How forms are found: the last 16 characters of each form (escaped, encoded, slugified) of each text.
CREATE TABLE leak_keys (
    key TEXT NOT NULL,
    text_id INTEGER NOT NULL,
    PRIMARY KEY (key, text_id)
) WITHOUT ROWID;

-- Forms shorter than a key, whole.
CREATE TABLE leak_short (
    form TEXT NOT NULL,
    text_id INTEGER NOT NULL,
    PRIMARY KEY (form, text_id)
) WITHOUT ROWID;

-- What each published note shows, casefolded, NUL-separated.
CREATE TABLE leak_public (
    path TEXT PRIMARY KEY,
    content_hash TEXT,
    indexed_at_ns INTEGER NOT NULL,     -- 0 (leaks.SCAN_STAMP): rows follow content_hash
    links TEXT NOT NULL,                -- hash of the note's links to unpublished notes
    parts TEXT NOT NULL
);

-- A published note known to show a string (casefolded): the string is public while that note
-- is unchanged (its rows go when its shown text is made again or it is unpublished).
CREATE TABLE leak_witness (
    needle TEXT PRIMARY KEY,
    path TEXT NOT NULL                  -- leak_public.path
) WITHOUT ROWID;
CREATE INDEX leak_witness_path ON leak_witness(path);

-- A string (casefolded) no published note showed when it was looked for; its row goes when a
-- published note's shown text, made again, shows it.
CREATE TABLE leak_absent (
    needle TEXT PRIMARY KEY
) WITHOUT ROWID;

-- The code fingerprint the rows were made with (a change empties the tables) and the next note id.
CREATE TABLE leak_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Folder and tag texts are not keyed; each audit reads them (most are public) from here.
CREATE INDEX leak_texts_gated ON leak_texts(kind) WHERE kind IN ('folder', 'tag');

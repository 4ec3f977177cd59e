-- gardend index, schema 2: full-text search over note titles and bodies (FTS5).
-- An external-content index over notes(title, text): the text is stored once, in notes, and the
-- index module keeps the FTS rows in step inside the same transaction as the note rows.
CREATE VIRTUAL TABLE notes_fts USING fts5(
    title,
    text,
    content = 'notes',
    content_rowid = 'file_id',
    tokenize = 'unicode61 remove_diacritics 2'
);
-- Backfill for databases created by schema 1.
INSERT INTO notes_fts(notes_fts) VALUES ('rebuild');

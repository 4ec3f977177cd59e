-- gardend index, schema 5: canvases (.canvas files, JSON Canvas 1.0; daemon/canvas.py).
-- A canvas stays a `files` row without a `notes` row (it is no note: no frontmatter block, no
-- fields, tags or queries); this table adds what publishing and the site need of it. Since this
-- schema, files.content_hash is set for canvases too (the compile cache sees their edits).

CREATE TABLE canvases (
    file_id INTEGER PRIMARY KEY REFERENCES files(id),
    valid INTEGER NOT NULL,             -- 1 when JSON.parse accepts the file
    frontmatter TEXT,                   -- metadata.frontmatter as JSON when it is an object, else NULL
    publish INTEGER NOT NULL,           -- metadata.frontmatter["dg-publish"] JS-truthy and not "false"
    text TEXT NOT NULL                  -- the file's text ('' when too large or unreadable)
);
CREATE INDEX canvases_publish ON canvases(publish);

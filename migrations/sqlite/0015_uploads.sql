-- Browser uploads under way (DESIGN §5): one row per file being sent straight to S3 as a
-- multipart upload, from its start (quota reserved, path claimed) to its completion (a file
-- version recorded, the row gone) or its abort. The row keeps what a resume needs: the file
-- header (its key sealed to the project's key, so the portal cannot open it) and, per part
-- whose URL was asked, a check of the part's plaintext keyed from the file key (the portal
-- learns nothing from it). The PostgreSQL twin is migrations/postgres/0015_uploads.sql.
CREATE TABLE uploads (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id    TEXT    NOT NULL UNIQUE,
    project_id   INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    path         TEXT    NOT NULL,
    object_key   TEXT    NOT NULL,
    -- Set once S3 has created the multipart upload (a row without it is a start cut short).
    s3_upload_id TEXT,
    size_bytes   INTEGER NOT NULL CHECK (size_bytes >= 0),
    stored_bytes INTEGER NOT NULL CHECK (stored_bytes >= 0),
    segment_size INTEGER NOT NULL CHECK (segment_size > 0),
    part_size    INTEGER NOT NULL CHECK (part_size > 0),
    part_count   INTEGER NOT NULL CHECK (part_count >= 1 AND part_count <= 10000),
    header       BLOB    NOT NULL,
    overwrite    BOOLEAN NOT NULL DEFAULT FALSE,
    started_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    started_at   INTEGER NOT NULL,
    -- Last sign of life (a start, a URL request): the cleanup job aborts uploads idle too long.
    touched_at   INTEGER NOT NULL,
    UNIQUE (project_id, path),
    UNIQUE (project_id, object_key)
);
CREATE INDEX uploads_idle ON uploads (touched_at);

CREATE TABLE upload_parts (
    upload_id INTEGER NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
    number    INTEGER NOT NULL CHECK (number >= 1 AND number <= 10000),
    plaintext_mac BLOB NOT NULL,
    -- The ETag S3 answered, as the browser reported it (not every endpoint lists them).
    etag      TEXT,
    PRIMARY KEY (upload_id, number)
);

-- A version's object key is the id of the upload that wrote it: a completion asked twice finds
-- the version the first one recorded.
CREATE INDEX file_versions_object ON file_versions (object_key);

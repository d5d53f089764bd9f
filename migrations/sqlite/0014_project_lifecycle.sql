-- The project lifecycle (DDS §4, §9, §13; app::domain::project_status decides every change):
-- the current state is kept on the project row, which a status change locks (one transaction,
-- no "busy" flag that can stick), with the history in project_statuses; each project's bucket;
-- files, their versions and their folders with sizes kept as aggregates in the same transaction
-- as the rows (listing one folder level is one indexed query); durable tasks that remove a
-- project's data; monthly usage in byte-hours. The PostgreSQL twin is
-- migrations/postgres/0014_project_lifecycle.sql.
ALTER TABLE units ADD COLUMN bucket_prefix TEXT NOT NULL DEFAULT '';
ALTER TABLE units ADD COLUMN used_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE units ADD COLUMN quota_warned_at INTEGER;

ALTER TABLE projects ADD COLUMN status TEXT NOT NULL DEFAULT 'In Progress'
    CHECK (status IN ('In Progress', 'Available', 'Expired', 'Archived', 'Deleted'));
ALTER TABLE projects ADD COLUMN is_aborted BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE projects ADD COLUMN deadline INTEGER;
ALTER TABLE projects ADD COLUMN released_at INTEGER;
ALTER TABLE projects ADD COLUMN times_expired INTEGER NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN releases_from_expired INTEGER NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN extensions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN bucket TEXT;
ALTER TABLE projects ADD COLUMN size_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN stored_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN file_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN updated_at INTEGER;
-- The jobs look for Available and Expired projects past their deadline.
CREATE INDEX projects_deadline ON projects (status, deadline);
CREATE INDEX projects_unit_status ON projects (unit_id, status);

-- What the history shows beside the status: who changed it, a note ("deadline extended") and
-- its order (several changes can share a second).
ALTER TABLE project_statuses ADD COLUMN changed_by INTEGER REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE project_statuses ADD COLUMN note TEXT;
ALTER TABLE project_statuses ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;

-- One row per folder below a project's root ('' is the root, never stored): path without
-- leading or trailing '/', its parent's path and its last segment; sizes and counts of
-- everything below it.
CREATE TABLE folders (
    project_id  INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    path        TEXT   NOT NULL,
    parent_path TEXT   NOT NULL,
    name        TEXT   NOT NULL,
    size_bytes  INTEGER NOT NULL DEFAULT 0,
    file_count  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, path)
);
CREATE INDEX folders_level ON folders (project_id, parent_path, name);

-- One row per path; `version_id` is its current version.
CREATE TABLE files (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id  INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    path        TEXT   NOT NULL,
    folder_path TEXT   NOT NULL,
    name        TEXT   NOT NULL,
    version_id  INTEGER,
    size_bytes  INTEGER NOT NULL CHECK (size_bytes >= 0),
    stored_bytes INTEGER NOT NULL CHECK (stored_bytes >= 0),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (project_id, path)
);
CREATE INDEX files_level ON files (project_id, folder_path, name);
CREATE INDEX files_name ON files (project_id, name);

-- One row per upload: kept after an overwrite or deletion until the project ends (billing and
-- the history); `deleted_at` closes its life, `invoiced_at` is where usage was last counted.
-- `sha256_sealed` is the plaintext SHA-256 encrypted under the file key (DESIGN §4).
CREATE TABLE file_versions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id    INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    file_id       INTEGER REFERENCES files (id) ON DELETE SET NULL,
    path          TEXT   NOT NULL,
    object_key    TEXT   NOT NULL,
    size_bytes    INTEGER NOT NULL CHECK (size_bytes >= 0),
    stored_bytes  INTEGER NOT NULL CHECK (stored_bytes >= 0),
    sha256_sealed BLOB,
    uploaded_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    uploaded_at   INTEGER NOT NULL,
    deleted_at    INTEGER,
    invoiced_at   INTEGER,
    -- When the durable task removed the object of a deleted version.
    removed_at    INTEGER,
    UNIQUE (project_id, object_key)
);
CREATE INDEX file_versions_file ON file_versions (file_id);
CREATE INDEX file_versions_project ON file_versions (project_id, uploaded_at);

-- Durable background tasks (removing a project's objects and bucket, or the objects of deleted
-- files): one row each, claimed with
-- a lease by one replica, retried with backoff, resumed after a crash; Super Admins see the
-- last error of a task that keeps failing.
CREATE TABLE tasks (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT   NOT NULL CHECK (kind IN ('remove_project_data', 'remove_deleted_objects')),
    project_id      INTEGER REFERENCES projects (id) ON DELETE CASCADE,
    bucket          TEXT,
    delete_bucket   BOOLEAN NOT NULL DEFAULT TRUE,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    holder          TEXT,
    lease_until     INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    done_at         INTEGER
);
CREATE INDEX tasks_due ON tasks (next_attempt_at) WHERE done_at IS NULL;

-- Byte-hours per project per period (DDS's `usage`), written by the monthly job.
CREATE TABLE usage_records (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id   INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    period_start INTEGER NOT NULL,
    period_end   INTEGER NOT NULL,
    byte_hours   REAL NOT NULL CHECK (byte_hours >= 0),
    created_at   INTEGER NOT NULL,
    UNIQUE (project_id, period_start)
);

-- Deadline reminders sent (beyond DDS: 7 days and 1 day before expiry), one row per project,
-- deadline and reminder, inserted in the transaction that queues the mail: each goes once.
CREATE TABLE deadline_reminders (
    project_id  INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    deadline    INTEGER NOT NULL,
    days_before INTEGER NOT NULL,
    sent_at     INTEGER NOT NULL,
    PRIMARY KEY (project_id, deadline, days_before)
);

-- Existing projects: their current status from the history.
UPDATE projects SET status = COALESCE(
    (SELECT s.status FROM project_statuses s WHERE s.project_id = projects.id ORDER BY s.created_at DESC LIMIT 1),
    'In Progress');

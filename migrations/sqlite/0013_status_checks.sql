-- Enumerated columns accept only their enum's spellings (app::domain): project statuses were the
-- one such column without a CHECK (role, invite role, second factor method, link purpose and key
-- origin have theirs since their tables were made). The PostgreSQL twin is
-- migrations/postgres/0013_status_checks.sql.
--
-- SQLite cannot add a CHECK to an existing table: it is rebuilt by the 12-step procedure of
-- https://www.sqlite.org/lang_altertable.html#otheralter. The migration runs in a transaction,
-- where `PRAGMA foreign_keys` cannot change; no table references project_statuses, so dropping
-- it deletes no parent row, and its own foreign key is checked again by the copy below.
CREATE TABLE project_statuses_new (
    project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    status     TEXT    NOT NULL
        CHECK (status IN ('In Progress', 'Available', 'Expired', 'Archived', 'Deleted')),
    is_aborted BOOLEAN NOT NULL DEFAULT FALSE,
    deadline   INTEGER,
    created_at INTEGER NOT NULL
);
INSERT INTO project_statuses_new (project_id, status, is_aborted, deadline, created_at)
    SELECT project_id, status, is_aborted, deadline, created_at FROM project_statuses;
DROP TABLE project_statuses;
ALTER TABLE project_statuses_new RENAME TO project_statuses;
CREATE INDEX project_statuses_project ON project_statuses (project_id, created_at);

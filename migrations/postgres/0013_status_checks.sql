-- Enumerated columns accept only their enum's spellings (app::domain): project statuses were the
-- one such column without a CHECK (role, invite role, second factor method, link purpose and key
-- origin have theirs since their tables were made). The SQLite twin is
-- migrations/sqlite/0013_status_checks.sql (which rebuilds the table to add it).
ALTER TABLE project_statuses ADD CONSTRAINT project_statuses_status_check
    CHECK (status IN ('In Progress', 'Available', 'Expired', 'Archived', 'Deleted'));

-- The unit dashboard (/unit): an audit event names the unit and project it concerns, so a unit's
-- deliveries and activity are one indexed range; a project keeps when data last arrived in it,
-- so the project list sorts by it without reading file versions. The SQLite twin is
-- migrations/sqlite/0016_unit_dashboard.sql.
ALTER TABLE audit_events ADD COLUMN unit_id BIGINT REFERENCES units (id) ON DELETE SET NULL;
ALTER TABLE audit_events ADD COLUMN project_id BIGINT REFERENCES projects (id) ON DELETE SET NULL;
-- A unit's events newest first, all of them or of one action (also what deliveries count).
CREATE INDEX audit_events_unit ON audit_events (unit_id, at, id);
CREATE INDEX audit_events_unit_action ON audit_events (unit_id, action, at, id);

ALTER TABLE projects ADD COLUMN last_delivery_at BIGINT;
UPDATE projects SET last_delivery_at = (SELECT MAX(v.uploaded_at) FROM file_versions v WHERE v.project_id = projects.id);
CREATE INDEX projects_unit_created ON projects (unit_id, created_at);

-- Usage records name their unit: the usage report sums a unit's months from one index range.
ALTER TABLE usage_records ADD COLUMN unit_id BIGINT REFERENCES units (id) ON DELETE CASCADE;
UPDATE usage_records SET unit_id = (SELECT p.unit_id FROM projects p WHERE p.id = usage_records.project_id);
CREATE INDEX usage_records_unit ON usage_records (unit_id, period_end, byte_hours);

-- Everything ever uploaded into a unit (DDS's "data uploaded since start"), kept with each
-- completed upload so the statistics never sum every file version.
ALTER TABLE units ADD COLUMN uploaded_bytes BIGINT NOT NULL DEFAULT 0;
UPDATE units SET uploaded_bytes = COALESCE((SELECT SUM(v.stored_bytes) FROM file_versions v
    JOIN projects p ON p.id = v.project_id WHERE p.unit_id = units.id), 0);

-- When each account last completed a login (the users list shows it; NULL: never since).
ALTER TABLE users ADD COLUMN last_login_at BIGINT;

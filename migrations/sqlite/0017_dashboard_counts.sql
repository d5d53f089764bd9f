-- The unit overview at 10,000 projects: what it counts is kept current as rows of its own, by
-- triggers, so no write path can forget it and the overview reads one short index range instead
-- of joining every membership or counting a month of audit events. The PostgreSQL twin is
-- migrations/postgres/0017_dashboard_counts.sql.

-- Members of a project without a seal of its key made for their current public key ("access
-- pending": they cannot open the project until a key holder approves them).
CREATE TABLE access_pending (
    project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    unit_id    INTEGER NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    PRIMARY KEY (project_id, user_id)
);
CREATE INDEX access_pending_unit ON access_pending (unit_id, project_id, user_id);
CREATE INDEX access_pending_user ON access_pending (user_id);

INSERT INTO access_pending (project_id, user_id, unit_id)
SELECT m.project_id, m.user_id, p.unit_id FROM project_members m JOIN projects p ON p.id = m.project_id
WHERE NOT EXISTS (SELECT 1 FROM project_key_seals s JOIN user_credentials c
    ON c.user_id = s.user_id AND c.public_key = s.recipient_public_key
    WHERE s.project_id = m.project_id AND s.user_id = m.user_id);

-- Each trigger recomputes the pairs its row touches: the pair leaves the table, then comes back
-- if it is still a membership (of a project and user that still exist) without a current seal.
CREATE TRIGGER access_pending_member_added AFTER INSERT ON project_members BEGIN
    INSERT OR IGNORE INTO access_pending (project_id, user_id, unit_id)
    SELECT NEW.project_id, NEW.user_id, p.unit_id FROM projects p WHERE p.id = NEW.project_id
    AND NOT EXISTS (SELECT 1 FROM project_key_seals s JOIN user_credentials c
        ON c.user_id = s.user_id AND c.public_key = s.recipient_public_key
        WHERE s.project_id = NEW.project_id AND s.user_id = NEW.user_id);
END;

CREATE TRIGGER access_pending_member_removed AFTER DELETE ON project_members BEGIN
    DELETE FROM access_pending WHERE project_id = OLD.project_id AND user_id = OLD.user_id;
END;

CREATE TRIGGER access_pending_seal_added AFTER INSERT ON project_key_seals BEGIN
    DELETE FROM access_pending WHERE project_id = NEW.project_id AND user_id = NEW.user_id
    AND EXISTS (SELECT 1 FROM user_credentials c WHERE c.user_id = NEW.user_id
        AND c.public_key = NEW.recipient_public_key);
END;

CREATE TRIGGER access_pending_seal_changed AFTER UPDATE ON project_key_seals BEGIN
    DELETE FROM access_pending WHERE project_id = NEW.project_id AND user_id = NEW.user_id;
    INSERT OR IGNORE INTO access_pending (project_id, user_id, unit_id)
    SELECT m.project_id, m.user_id, p.unit_id FROM project_members m JOIN projects p ON p.id = m.project_id
    WHERE m.project_id = NEW.project_id AND m.user_id = NEW.user_id
    AND NOT EXISTS (SELECT 1 FROM user_credentials c WHERE c.user_id = NEW.user_id
        AND c.public_key = NEW.recipient_public_key);
END;

CREATE TRIGGER access_pending_seal_removed AFTER DELETE ON project_key_seals BEGIN
    INSERT OR IGNORE INTO access_pending (project_id, user_id, unit_id)
    SELECT m.project_id, m.user_id, p.unit_id FROM project_members m JOIN projects p ON p.id = m.project_id
    JOIN users u ON u.id = m.user_id
    WHERE m.project_id = OLD.project_id AND m.user_id = OLD.user_id;
END;

-- A new public key (registration, a password reset) makes every seal made for the old one stale.
CREATE TRIGGER access_pending_key_set AFTER INSERT ON user_credentials BEGIN
    DELETE FROM access_pending WHERE user_id = NEW.user_id;
    INSERT OR IGNORE INTO access_pending (project_id, user_id, unit_id)
    SELECT m.project_id, m.user_id, p.unit_id FROM project_members m JOIN projects p ON p.id = m.project_id
    WHERE m.user_id = NEW.user_id AND NOT EXISTS (SELECT 1 FROM project_key_seals s
        WHERE s.project_id = m.project_id AND s.user_id = m.user_id AND s.recipient_public_key = NEW.public_key);
END;

CREATE TRIGGER access_pending_key_changed AFTER UPDATE OF public_key ON user_credentials BEGIN
    DELETE FROM access_pending WHERE user_id = NEW.user_id;
    INSERT OR IGNORE INTO access_pending (project_id, user_id, unit_id)
    SELECT m.project_id, m.user_id, p.unit_id FROM project_members m JOIN projects p ON p.id = m.project_id
    WHERE m.user_id = NEW.user_id AND NOT EXISTS (SELECT 1 FROM project_key_seals s
        WHERE s.project_id = m.project_id AND s.user_id = m.user_id AND s.recipient_public_key = NEW.public_key);
END;

CREATE TRIGGER access_pending_key_removed AFTER DELETE ON user_credentials BEGIN
    INSERT OR IGNORE INTO access_pending (project_id, user_id, unit_id)
    SELECT m.project_id, m.user_id, p.unit_id FROM project_members m JOIN projects p ON p.id = m.project_id
    JOIN users u ON u.id = m.user_id
    WHERE m.user_id = OLD.user_id;
END;

-- A unit's uploads completed and downloads per UTC day: the overview's 30 days are 30 rows.
CREATE TABLE unit_delivery_days (
    unit_id INTEGER NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    day     INTEGER NOT NULL,
    action  TEXT    NOT NULL CHECK (action IN ('file-uploaded', 'files-downloaded')),
    events  INTEGER NOT NULL,
    PRIMARY KEY (unit_id, day, action)
);

INSERT INTO unit_delivery_days (unit_id, day, action, events)
SELECT unit_id, at / 86400, action, COUNT(*) FROM audit_events
WHERE unit_id IS NOT NULL AND action IN ('file-uploaded', 'files-downloaded')
GROUP BY unit_id, at / 86400, action;

CREATE TRIGGER unit_delivery_counted AFTER INSERT ON audit_events
WHEN NEW.unit_id IS NOT NULL AND NEW.action IN ('file-uploaded', 'files-downloaded') BEGIN
    INSERT INTO unit_delivery_days (unit_id, day, action, events)
    VALUES (NEW.unit_id, NEW.at / 86400, NEW.action, 1)
    ON CONFLICT (unit_id, day, action) DO UPDATE SET events = events + 1;
END;

-- A unit's byte-hours per usage run (`period_end`): the usage report's months and the
-- statistics' totals are a few rows per unit instead of every project's records.
CREATE TABLE unit_usage_periods (
    unit_id    INTEGER NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    period_end INTEGER NOT NULL,
    byte_hours REAL    NOT NULL,
    PRIMARY KEY (unit_id, period_end)
);

INSERT INTO unit_usage_periods (unit_id, period_end, byte_hours)
SELECT unit_id, period_end, SUM(byte_hours) FROM usage_records WHERE unit_id IS NOT NULL
GROUP BY unit_id, period_end;

CREATE TRIGGER unit_usage_added AFTER INSERT ON usage_records WHEN NEW.unit_id IS NOT NULL BEGIN
    INSERT INTO unit_usage_periods (unit_id, period_end, byte_hours)
    VALUES (NEW.unit_id, NEW.period_end, NEW.byte_hours)
    ON CONFLICT (unit_id, period_end) DO UPDATE SET byte_hours = byte_hours + excluded.byte_hours;
END;

CREATE TRIGGER unit_usage_removed AFTER DELETE ON usage_records WHEN OLD.unit_id IS NOT NULL BEGIN
    UPDATE unit_usage_periods SET byte_hours = byte_hours - OLD.byte_hours
    WHERE unit_id = OLD.unit_id AND period_end = OLD.period_end;
END;

CREATE TRIGGER unit_usage_changed AFTER UPDATE ON usage_records BEGIN
    UPDATE unit_usage_periods SET byte_hours = byte_hours - OLD.byte_hours
    WHERE unit_id = OLD.unit_id AND period_end = OLD.period_end;
    INSERT INTO unit_usage_periods (unit_id, period_end, byte_hours)
    SELECT NEW.unit_id, NEW.period_end, NEW.byte_hours WHERE NEW.unit_id IS NOT NULL
    ON CONFLICT (unit_id, period_end) DO UPDATE SET byte_hours = byte_hours + excluded.byte_hours;
END;

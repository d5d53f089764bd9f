-- The unit overview at 10,000 projects: what it counts is kept current as rows of its own, by
-- triggers, so no write path can forget it and the overview reads one short index range instead
-- of joining every membership or counting a month of audit events. The SQLite twin is
-- migrations/sqlite/0017_dashboard_counts.sql.

-- Members of a project without a seal of its key made for their current public key ("access
-- pending": they cannot open the project until a key holder approves them).
CREATE TABLE access_pending (
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    unit_id    BIGINT NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    PRIMARY KEY (project_id, user_id)
);
CREATE INDEX access_pending_unit ON access_pending (unit_id, project_id, user_id);
CREATE INDEX access_pending_user ON access_pending (user_id);

-- Recomputes the memberships of one user (in one project, or in all when `project` is NULL):
-- they leave the table, then come back if the membership still exists (of a project and user
-- that still exist) without a seal made for the user's current public key.
CREATE FUNCTION access_pending_refresh(project BIGINT, member BIGINT) RETURNS VOID AS $$
BEGIN
    DELETE FROM access_pending WHERE user_id = member AND (project IS NULL OR project_id = project);
    INSERT INTO access_pending (project_id, user_id, unit_id)
    SELECT m.project_id, m.user_id, p.unit_id FROM project_members m
    JOIN projects p ON p.id = m.project_id JOIN users u ON u.id = m.user_id
    WHERE m.user_id = member AND (project IS NULL OR m.project_id = project)
    AND NOT EXISTS (SELECT 1 FROM project_key_seals s JOIN user_credentials c
        ON c.user_id = s.user_id AND c.public_key = s.recipient_public_key
        WHERE s.project_id = m.project_id AND s.user_id = m.user_id)
    ON CONFLICT DO NOTHING;
END;
$$ LANGUAGE plpgsql;

SELECT access_pending_refresh(NULL, id) FROM users;

CREATE FUNCTION access_pending_pair_changed() RETURNS TRIGGER AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM access_pending_refresh(OLD.project_id, OLD.user_id);
    ELSE
        PERFORM access_pending_refresh(NEW.project_id, NEW.user_id);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION access_pending_key_changed() RETURNS TRIGGER AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM access_pending_refresh(NULL, OLD.user_id);
    ELSE
        PERFORM access_pending_refresh(NULL, NEW.user_id);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER access_pending_members AFTER INSERT OR DELETE ON project_members
    FOR EACH ROW EXECUTE FUNCTION access_pending_pair_changed();
CREATE TRIGGER access_pending_seals AFTER INSERT OR UPDATE OR DELETE ON project_key_seals
    FOR EACH ROW EXECUTE FUNCTION access_pending_pair_changed();
-- A new public key (registration, a password reset) makes every seal made for the old one stale.
CREATE TRIGGER access_pending_keys AFTER INSERT OR UPDATE OF public_key OR DELETE ON user_credentials
    FOR EACH ROW EXECUTE FUNCTION access_pending_key_changed();

-- A unit's uploads completed and downloads per UTC day: the overview's 30 days are 30 rows.
CREATE TABLE unit_delivery_days (
    unit_id BIGINT NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    day     BIGINT NOT NULL,
    action  TEXT   NOT NULL CHECK (action IN ('file-uploaded', 'files-downloaded')),
    events  BIGINT NOT NULL,
    PRIMARY KEY (unit_id, day, action)
);

INSERT INTO unit_delivery_days (unit_id, day, action, events)
SELECT unit_id, at / 86400, action, COUNT(*) FROM audit_events
WHERE unit_id IS NOT NULL AND action IN ('file-uploaded', 'files-downloaded')
GROUP BY unit_id, at / 86400, action;

CREATE FUNCTION unit_delivery_counted() RETURNS TRIGGER AS $$
BEGIN
    INSERT INTO unit_delivery_days (unit_id, day, action, events)
    VALUES (NEW.unit_id, NEW.at / 86400, NEW.action, 1)
    ON CONFLICT (unit_id, day, action) DO UPDATE SET events = unit_delivery_days.events + 1;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER unit_delivery_counted AFTER INSERT ON audit_events FOR EACH ROW
    WHEN (NEW.unit_id IS NOT NULL AND NEW.action IN ('file-uploaded', 'files-downloaded'))
    EXECUTE FUNCTION unit_delivery_counted();

-- A unit's byte-hours per usage run (`period_end`): the usage report's months and the
-- statistics' totals are a few rows per unit instead of every project's records.
CREATE TABLE unit_usage_periods (
    unit_id    BIGINT           NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    period_end BIGINT           NOT NULL,
    byte_hours DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (unit_id, period_end)
);

INSERT INTO unit_usage_periods (unit_id, period_end, byte_hours)
SELECT unit_id, period_end, SUM(byte_hours) FROM usage_records WHERE unit_id IS NOT NULL
GROUP BY unit_id, period_end;

CREATE FUNCTION unit_usage_changed() RETURNS TRIGGER AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') AND OLD.unit_id IS NOT NULL THEN
        UPDATE unit_usage_periods SET byte_hours = byte_hours - OLD.byte_hours
        WHERE unit_id = OLD.unit_id AND period_end = OLD.period_end;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.unit_id IS NOT NULL THEN
        INSERT INTO unit_usage_periods (unit_id, period_end, byte_hours)
        VALUES (NEW.unit_id, NEW.period_end, NEW.byte_hours)
        ON CONFLICT (unit_id, period_end) DO UPDATE SET byte_hours = unit_usage_periods.byte_hours + EXCLUDED.byte_hours;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER unit_usage_changed AFTER INSERT OR UPDATE OR DELETE ON usage_records
    FOR EACH ROW EXECUTE FUNCTION unit_usage_changed();

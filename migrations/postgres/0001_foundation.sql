-- Foundation schema (PostgreSQL). Times are Unix seconds (BIGINT) so one set of queries serves both
-- backends; the SQLite twin of this file is migrations/sqlite/0001_foundation.sql.

CREATE TABLE units (
    id                    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id             TEXT    NOT NULL UNIQUE,
    name                  TEXT    NOT NULL UNIQUE,
    external_display_name TEXT    NOT NULL,
    contact_email         TEXT    NOT NULL,
    internal_ref          TEXT    NOT NULL UNIQUE,
    days_in_available     BIGINT  NOT NULL DEFAULT 90 CHECK (days_in_available > 0),
    days_in_expired       BIGINT  NOT NULL DEFAULT 30 CHECK (days_in_expired > 0),
    quota_bytes           BIGINT  NOT NULL CHECK (quota_bytes >= 0),
    warning_level         DOUBLE PRECISION NOT NULL DEFAULT 0.8 CHECK (warning_level >= 0 AND warning_level <= 1),
    project_counter       BIGINT  NOT NULL DEFAULT 0,
    created_at            BIGINT  NOT NULL
);

CREATE TABLE users (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username   TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL,
    role       TEXT    NOT NULL CHECK (role IN ('Super Admin', 'Unit Admin', 'Unit Personnel', 'Researcher')),
    unit_id    BIGINT  REFERENCES units (id) ON DELETE RESTRICT,
    is_active  BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT  NOT NULL,
    -- Unit staff belong to exactly one unit; nobody else belongs to one.
    CHECK ((role IN ('Unit Admin', 'Unit Personnel')) = (unit_id IS NOT NULL))
);
CREATE INDEX users_unit ON users (unit_id);

CREATE TABLE emails (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email      TEXT    NOT NULL UNIQUE,
    is_primary BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE INDEX emails_user ON emails (user_id);

CREATE TABLE motd (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message    TEXT    NOT NULL,
    is_active  BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT  NOT NULL
);

-- One row. Unlike upstream, a fresh install is NOT in maintenance mode.
CREATE TABLE maintenance (
    id        BIGINT PRIMARY KEY CHECK (id = 1),
    is_active BOOLEAN NOT NULL DEFAULT FALSE
);
INSERT INTO maintenance (id, is_active) VALUES (1, FALSE);

-- Who did what, for the activity log. Never holds secrets.
CREATE TABLE audit_events (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at            BIGINT  NOT NULL,
    actor_user_id BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    action        TEXT    NOT NULL,
    target        TEXT,
    details       TEXT,
    request_id    TEXT
);
CREATE INDEX audit_events_at ON audit_events (at);

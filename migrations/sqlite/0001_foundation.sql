-- Foundation schema (SQLite). Times are Unix seconds (INTEGER) so one set of queries serves both
-- backends; the PostgreSQL twin of this file is migrations/postgres/0001_foundation.sql.

CREATE TABLE units (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id             TEXT    NOT NULL UNIQUE,
    name                  TEXT    NOT NULL UNIQUE,
    external_display_name TEXT    NOT NULL,
    contact_email         TEXT    NOT NULL,
    internal_ref          TEXT    NOT NULL UNIQUE,
    days_in_available     INTEGER NOT NULL DEFAULT 90 CHECK (days_in_available > 0),
    days_in_expired       INTEGER NOT NULL DEFAULT 30 CHECK (days_in_expired > 0),
    quota_bytes           INTEGER NOT NULL CHECK (quota_bytes >= 0),
    warning_level         REAL    NOT NULL DEFAULT 0.8 CHECK (warning_level >= 0 AND warning_level <= 1),
    project_counter       INTEGER NOT NULL DEFAULT 0,
    created_at            INTEGER NOT NULL
);

CREATE TABLE users (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    username   TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL,
    role       TEXT    NOT NULL CHECK (role IN ('Super Admin', 'Unit Admin', 'Unit Personnel', 'Researcher')),
    unit_id    INTEGER REFERENCES units (id) ON DELETE RESTRICT,
    is_active  BOOLEAN NOT NULL DEFAULT TRUE,
    created_at INTEGER NOT NULL,
    -- Unit staff belong to exactly one unit; nobody else belongs to one.
    CHECK ((role IN ('Unit Admin', 'Unit Personnel')) = (unit_id IS NOT NULL))
);
CREATE INDEX users_unit ON users (unit_id);

CREATE TABLE emails (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email      TEXT    NOT NULL UNIQUE,
    is_primary BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE INDEX emails_user ON emails (user_id);

CREATE TABLE motd (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    message    TEXT    NOT NULL,
    is_active  BOOLEAN NOT NULL DEFAULT TRUE,
    created_at INTEGER NOT NULL
);

-- One row. Unlike upstream, a fresh install is NOT in maintenance mode.
CREATE TABLE maintenance (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    is_active BOOLEAN NOT NULL DEFAULT FALSE
);
INSERT INTO maintenance (id, is_active) VALUES (1, FALSE);

-- Who did what, for the activity log. Never holds secrets.
CREATE TABLE audit_events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    at            INTEGER NOT NULL,
    actor_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    action        TEXT    NOT NULL,
    target        TEXT,
    details       TEXT,
    request_id    TEXT
);
CREATE INDEX audit_events_at ON audit_events (at);

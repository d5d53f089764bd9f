-- Invites: the link's token is known only to the inviter's browser, the mail and the invitee;
-- the server keeps its SHA-256. The PostgreSQL twin is migrations/postgres/0004_invites.sql.
CREATE TABLE invites (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    email               TEXT    NOT NULL UNIQUE,
    role                TEXT    NOT NULL CHECK (role IN ('Super Admin', 'Unit Admin', 'Unit Personnel', 'Researcher')),
    unit_id             INTEGER REFERENCES units (id) ON DELETE CASCADE,
    invited_by          INTEGER REFERENCES users (id) ON DELETE SET NULL,
    token_hash          BLOB    NOT NULL UNIQUE,
    -- The invite key pair: what is sealed for the invitee (unit and project keys) opens with it.
    public_key          BLOB    NOT NULL,
    wrapped_private_key BLOB    NOT NULL,
    created_at          INTEGER NOT NULL,
    expires_at          INTEGER NOT NULL,
    CHECK ((role IN ('Unit Admin', 'Unit Personnel')) = (unit_id IS NOT NULL))
);
CREATE INDEX invites_unit ON invites (unit_id);

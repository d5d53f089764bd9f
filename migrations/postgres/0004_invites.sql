-- Invites: the link's token is known only to the inviter's browser, the mail and the invitee;
-- the server keeps its SHA-256. The SQLite twin is migrations/sqlite/0004_invites.sql.
CREATE TABLE invites (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email               TEXT    NOT NULL UNIQUE,
    role                TEXT    NOT NULL CHECK (role IN ('Super Admin', 'Unit Admin', 'Unit Personnel', 'Researcher')),
    unit_id             BIGINT  REFERENCES units (id) ON DELETE CASCADE,
    invited_by          BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    token_hash          BYTEA   NOT NULL UNIQUE,
    -- The invite key pair: what is sealed for the invitee (unit and project keys) opens with it.
    public_key          BYTEA   NOT NULL,
    wrapped_private_key BYTEA   NOT NULL,
    created_at          BIGINT  NOT NULL,
    expires_at          BIGINT  NOT NULL,
    CHECK ((role IN ('Unit Admin', 'Unit Personnel')) = (unit_id IS NOT NULL))
);
CREATE INDEX invites_unit ON invites (unit_id);

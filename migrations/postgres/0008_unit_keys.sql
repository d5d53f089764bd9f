-- Unit keys (DESIGN §3): the unit's X25519 public key, and its private key sealed to each staff
-- member by a browser that holds it. The SQLite twin is migrations/sqlite/0008_unit_keys.sql.
CREATE TABLE unit_keys (
    unit_id    BIGINT PRIMARY KEY REFERENCES units (id) ON DELETE CASCADE,
    public_key BYTEA   NOT NULL,
    created_by BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT  NOT NULL
);

CREATE TABLE unit_key_seals (
    unit_id              BIGINT  NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    user_id              BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The member's public key at sealing time: after a password reset (a new key pair) the seal no
    -- longer opens and the member is "access pending" until a colleague seals again.
    recipient_public_key BYTEA   NOT NULL,
    sealed               BYTEA   NOT NULL,
    sealed_by            BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    sealed_at            BIGINT  NOT NULL,
    PRIMARY KEY (unit_id, user_id)
);
CREATE INDEX unit_key_seals_user ON unit_key_seals (user_id);

-- A staff invite carries the unit key sealed to the invite key by the inviter's browser.
ALTER TABLE invites ADD COLUMN sealed_unit_key BYTEA;

-- Password reset by email link: the server draws the link's 32-byte token and keeps only its
-- SHA-256. One unused reset per user (a new request replaces it); used rows stay so a second
-- click on the link gets a clear answer. The SQLite twin is
-- migrations/sqlite/0005_password_resets.sql.
CREATE TABLE password_resets (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash BYTEA   NOT NULL UNIQUE,
    issued_at  BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL,
    used_at    BIGINT
);
CREATE INDEX password_resets_user ON password_resets (user_id);

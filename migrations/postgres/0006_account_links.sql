-- Emailed links that act on one's own account: confirming self-deletion (7 days) and going back
-- from an authenticator app to emailed codes (1 h). The server draws the link's 32 random bytes
-- and keeps only their SHA-256. The SQLite twin is migrations/sqlite/0006_account_links.sql.
CREATE TABLE account_links (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT    NOT NULL CHECK (purpose IN ('delete-account', 'email-codes')),
    token_hash BYTEA   NOT NULL UNIQUE,
    issued_at  BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL
);
CREATE INDEX account_links_user_purpose ON account_links (user_id, purpose);

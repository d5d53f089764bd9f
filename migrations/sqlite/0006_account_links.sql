-- Emailed links that act on one's own account: confirming self-deletion (7 days) and going back
-- from an authenticator app to emailed codes (1 h). The server draws the link's 32 random bytes
-- and keeps only their SHA-256. The PostgreSQL twin is migrations/postgres/0006_account_links.sql.
CREATE TABLE account_links (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT    NOT NULL CHECK (purpose IN ('delete-account', 'email-codes')),
    token_hash BLOB    NOT NULL UNIQUE,
    issued_at  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX account_links_user_purpose ON account_links (user_id, purpose);

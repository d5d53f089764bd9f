-- Password reset by email link: the server draws the link's 32-byte token and keeps only its
-- SHA-256. One unused reset per user (a new request replaces it); used rows stay so a second
-- click on the link gets a clear answer. The PostgreSQL twin is
-- migrations/postgres/0005_password_resets.sql.
CREATE TABLE password_resets (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash BLOB    NOT NULL UNIQUE,
    issued_at  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX password_resets_user ON password_resets (user_id);

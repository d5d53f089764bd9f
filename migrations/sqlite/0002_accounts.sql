-- Accounts: credentials derived in the browser, sessions, authentication attempts, second factor.
-- The PostgreSQL twin is migrations/postgres/0002_accounts.sql.

-- What the server keeps of a user's keys: never the password, master key, kek or private key.
CREATE TABLE user_credentials (
    user_id             INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    kdf_salt            BLOB    NOT NULL,
    kdf_memory_kib      INTEGER NOT NULL,
    kdf_iterations      INTEGER NOT NULL,
    kdf_parallelism     INTEGER NOT NULL,
    -- Argon2id PHC string of the auth_key the browser derives.
    auth_hash           TEXT    NOT NULL,
    public_key          BLOB    NOT NULL,
    wrapped_private_key BLOB    NOT NULL,
    updated_at          INTEGER NOT NULL
);

-- tower-sessions records (JSON); user_id lets "log out everywhere" and deactivation end them.
CREATE TABLE sessions (
    id         TEXT    PRIMARY KEY,
    user_id    INTEGER REFERENCES users (id) ON DELETE CASCADE,
    data       TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- One row per authentication attempt, per bucket ("user:<name>", "ip:<address>"): the rate
-- limit works across replicas.
CREATE TABLE auth_attempts (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    bucket TEXT    NOT NULL,
    at     INTEGER NOT NULL
);
CREATE INDEX auth_attempts_bucket_at ON auth_attempts (bucket, at);

-- The second factor: emailed one-time codes (default) or an authenticator app.
CREATE TABLE second_factors (
    user_id        INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    method         TEXT    NOT NULL DEFAULT 'email' CHECK (method IN ('email', 'totp')),
    totp_secret    BLOB,
    totp_last_step INTEGER,
    code_hash      TEXT,
    code_issued_at INTEGER,
    code_failures  INTEGER NOT NULL DEFAULT 0
);

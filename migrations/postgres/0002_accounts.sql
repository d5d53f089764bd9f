-- Accounts: credentials derived in the browser, sessions, authentication attempts, second factor.
-- The SQLite twin is migrations/sqlite/0002_accounts.sql.

-- What the server keeps of a user's keys: never the password, master key, kek or private key.
CREATE TABLE user_credentials (
    user_id             BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    kdf_salt            BYTEA   NOT NULL,
    kdf_memory_kib      BIGINT  NOT NULL,
    kdf_iterations      BIGINT  NOT NULL,
    kdf_parallelism     BIGINT  NOT NULL,
    -- Argon2id PHC string of the auth_key the browser derives.
    auth_hash           TEXT    NOT NULL,
    public_key          BYTEA   NOT NULL,
    wrapped_private_key BYTEA   NOT NULL,
    updated_at          BIGINT  NOT NULL
);

-- tower-sessions records (JSON); user_id lets "log out everywhere" and deactivation end them.
CREATE TABLE sessions (
    id         TEXT    PRIMARY KEY,
    user_id    BIGINT  REFERENCES users (id) ON DELETE CASCADE,
    data       TEXT    NOT NULL,
    expires_at BIGINT  NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- One row per authentication attempt, per bucket ("user:<name>", "ip:<address>"): the rate
-- limit works across replicas.
CREATE TABLE auth_attempts (
    id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bucket TEXT    NOT NULL,
    at     BIGINT  NOT NULL
);
CREATE INDEX auth_attempts_bucket_at ON auth_attempts (bucket, at);

-- The second factor: emailed one-time codes (default) or an authenticator app.
CREATE TABLE second_factors (
    user_id        BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    method         TEXT    NOT NULL DEFAULT 'email' CHECK (method IN ('email', 'totp')),
    totp_secret    BYTEA,
    totp_last_step BIGINT ,
    code_hash      TEXT,
    code_issued_at BIGINT ,
    code_failures  BIGINT  NOT NULL DEFAULT 0
);
